//! `/api/v1/files[/{id}]`: upload, metadata, rename/move, delete, and the version list.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use folio_app::AppError;
use folio_wopi::wire;
use futures::TryStreamExt;
use serde::Deserialize;

use super::{ApiResult, file_json, parse_id};
use crate::AppState;
use crate::error::api::ApiError;
use crate::extract::api::{ApiJson, Key};

/// `?name=&folder=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    name: String,
    #[serde(default)]
    folder: String,
}

/// POST /api/v1/files?name=…&folder=a/b — the body is the file (streamed).
pub async fn upload(
    State(s): State<AppState>,
    key: Key,
    q: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    key.need("files")?;
    let Query(q) = q.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > s.app.config().max_file_size)
    {
        return Err(AppError::TooLarge {
            limit: s.app.config().max_file_size,
        }
        .into());
    }
    let folder = s.app.api_folder(&key.0, &q.folder).await?;
    let user = s.app.app_user(&key.0).await?;
    let stream: folio_store::ByteStream =
        Box::pin(body.into_data_stream().map_err(std::io::Error::other));
    let file = s.app.upload(&user, &folder.id, &q.name, stream).await?;
    Ok((StatusCode::CREATED, Json(file_json(&file))).into_response())
}

/// GET /api/v1/files/{id}
pub async fn metadata(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let f = s.app.api_file(&key.0, &parse_id(&id)?).await?;
    Ok(Json(file_json(&f)))
}

/// GET /api/v1/files/{id}/versions
pub async fn versions(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let user = s.app.app_user(&key.0).await?;
    let (_, vs) = s.app.versions_view(&user, &parse_id(&id)?).await?;
    let list: Vec<serde_json::Value> = vs
        .into_iter()
        .map(|v| {
            serde_json::json!({
                "version": v.record.version,
                "size": v.record.content.size,
                "sha256": hex::encode(&v.record.content.sha256),
                "saved_at": wire::format_wopi_time(v.record.content.created_at),
                "saved_by": v.author,
                "source": v.record.content.source,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"versions": list})))
}

/// PATCH body: rename and/or move.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchFile {
    name: Option<String>,
    folder: Option<String>,
}

/// PATCH /api/v1/files/{id} {"name": "...", "folder": "a/b"}
pub async fn patch_file(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<PatchFile>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let id = parse_id(&id)?;
    let user = s.app.app_user(&key.0).await?;
    if p.name.is_none() && p.folder.is_none() {
        return Err(ApiError::BadRequest("give name and/or folder"));
    }
    if let Some(folder) = &p.folder {
        let target = s.app.api_folder(&key.0, folder).await?;
        s.app.move_from_web(&user, &id, &target.id).await?;
    }
    if let Some(name) = &p.name {
        s.app.rename_from_web(&user, &id, name).await?;
    }
    let f = s.app.api_file(&key.0, &id).await?;
    Ok(Json(file_json(&f)))
}

/// DELETE /api/v1/files/{id}
pub async fn delete_file(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    key.need("files")?;
    let user = s.app.app_user(&key.0).await?;
    s.app.delete_from_web(&user, &parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
