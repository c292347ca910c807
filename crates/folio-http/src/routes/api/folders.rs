//! `/api/v1/folders?path=a/b[&limit=N&after=CURSOR]`: a folder's subfolders and files; with
//! `limit`, one page of them (folders first, by name; `next` is the `after` of the next page,
//! absent on the last one — the store's keyset page, `MetadataStore::list_folder_page`, with the
//! cursors of `crate::routes::ui::listing`).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::{ApiResult, file_json};
use crate::AppState;
use crate::error::api::ApiError;
use crate::extract::api::Key as ApiKey;
use crate::routes::ui::listing::{Key, Sort};

/// `?path=a/b`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderQuery {
    #[serde(default)]
    path: String,
    /// Entries per page (1–1000); absent: every entry.
    limit: Option<usize>,
    /// The `next` of the previous page.
    after: Option<String>,
}

/// The largest `limit`.
const MAX_LIMIT: usize = 1000;

/// GET /api/v1/folders?path=a/b
pub async fn list_folder(
    State(s): State<AppState>,
    key: ApiKey,
    q: Result<Query<FolderQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let Query(q) = q.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let folder = s.app.api_find_folder(&key.0, &q.path).await?;
    let user = s.app.app_user(&key.0).await?;
    let Some(limit) = q.limit else {
        let (view, _) = s.app.folder_view_shared(&user, &folder.id).await?;
        return Ok(Json(serde_json::json!({
            "id": folder.id,
            "path": q.path,
            "folders": view.folders.iter().map(|f| serde_json::json!({"id": f.id, "name": f.name})).collect::<Vec<_>>(),
            "files": view.files.iter().map(file_json).collect::<Vec<_>>(),
        })));
    };
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadQuery(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    let position = match q.after.as_deref() {
        None => folio_store::ListingPosition::First,
        Some(c) => folio_store::ListingPosition::After(
            Key::parse_cursor(c)
                .ok_or_else(|| ApiError::BadQuery("after: not a cursor of this listing".into()))?
                .to_store(),
        ),
    };
    let query = folio_store::ListingQuery {
        sort: Sort::Name.to_store(),
        desc: false,
        position,
        limit,
    };
    let (view, _) = s.app.folder_page(&user, &folder.id, &query).await?;
    let page = view.page;
    let shown = page.folders.len() + page.files.len();
    let last = page
        .files
        .last()
        .map(|f| folio_store::ListingKey::of_file(f, query.sort))
        .or_else(|| page.folders.last().map(folio_store::ListingKey::of_folder));
    let next = (usize::try_from(page.before).unwrap_or(0) + shown
        < usize::try_from(page.total).unwrap_or(usize::MAX))
    .then(|| last.map(|k| Key::from_store(&k).cursor()))
    .flatten();
    let folders: Vec<serde_json::Value> = page
        .folders
        .iter()
        .map(|f| serde_json::json!({"id": f.id, "name": f.name}))
        .collect();
    let files: Vec<serde_json::Value> = page.files.iter().map(file_json).collect();
    let mut body = serde_json::json!({
        "id": folder.id,
        "path": q.path,
        "folders": folders,
        "files": files,
    });
    if let Some(next) = next {
        body["next"] = serde_json::Value::String(next);
    }
    Ok(Json(body))
}
