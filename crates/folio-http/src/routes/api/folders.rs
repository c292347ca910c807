//! `/api/v1/folders?path=a/b`: a folder's subfolders and files.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::{ApiResult, file_json};
use crate::AppState;
use crate::error::api::ApiError;
use crate::extract::api::Key;

/// `?path=a/b`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderQuery {
    #[serde(default)]
    path: String,
}

/// GET /api/v1/folders?path=a/b
pub async fn list_folder(
    State(s): State<AppState>,
    key: Key,
    q: Result<Query<FolderQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let Query(q) = q.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let folder = s.app.api_find_folder(&key.0, &q.path).await?;
    let user = s.app.app_user(&key.0).await?;
    let (view, _) = s.app.folder_view_shared(&user, &folder.id).await?;
    Ok(Json(serde_json::json!({
        "id": folder.id,
        "path": q.path,
        "folders": view.folders.iter().map(|f| serde_json::json!({"id": f.id, "name": f.name})).collect::<Vec<_>>(),
        "files": view.files.iter().map(file_json).collect::<Vec<_>>(),
    })))
}
