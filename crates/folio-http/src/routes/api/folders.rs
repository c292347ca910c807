//! `/api/v1/folders?path=a/b[&limit=N&after=CURSOR]`: a folder's subfolders and files; with
//! `limit`, one page of them (folders first, by name; `next` is the `after` of the next page,
//! absent on the last one — the keyset pagination of `crate::routes::ui::listing`).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::{ApiResult, file_json};
use crate::AppState;
use crate::error::api::ApiError;
use crate::extract::api::Key as ApiKey;
use crate::routes::ui::listing::{self, Key, Position, Sort};

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
    let (view, _) = s.app.folder_view_shared(&user, &folder.id).await?;
    let Some(limit) = q.limit else {
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
    let pos = match q.after.as_deref() {
        None => Position::First,
        Some(c) => Position::After(
            Key::parse_cursor(c)
                .ok_or_else(|| ApiError::BadQuery("after: not a cursor of this listing".into()))?,
        ),
    };
    let mut entries: Vec<(Key, serde_json::Value)> = Vec::new();
    for f in &view.folders {
        let key = Key::new(true, Sort::Name, 0, 0, &f.name, &f.id);
        entries.push((key, serde_json::json!({"id": f.id, "name": f.name})));
    }
    for f in &view.files {
        entries.push((
            Key::new(false, Sort::Name, 0, 0, &f.name, f.id.as_str()),
            file_json(f),
        ));
    }
    let (entries, page) = listing::paginate(entries, false, &pos, limit);
    let (mut folders, mut files) = (Vec::new(), Vec::new());
    for (k, v) in entries
        .into_iter()
        .skip(page.range.start)
        .take(page.range.len())
    {
        if k.kind == 0 {
            folders.push(v)
        } else {
            files.push(v)
        }
    }
    let mut body = serde_json::json!({
        "id": folder.id,
        "path": q.path,
        "folders": folders,
        "files": files,
    });
    if let Some(next) = page.next {
        body["next"] = serde_json::Value::String(next);
    }
    Ok(Json(body))
}
