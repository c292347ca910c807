//! `/api/v1/files/{id}/lock`: read a lock; release it (scope admin).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::{ApiResult, parse_id};
use crate::AppState;
use crate::extract::api::Key;

/// GET /api/v1/files/{id}/lock
pub async fn get_lock(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let f = s.app.api_file(&key.0, &parse_id(&id)?).await?;
    let now = s.app.now();
    let lock = f.lock.filter(|l| l.is_live(now));
    Ok(Json(serde_json::json!({
        "locked": lock.is_some(),
        "lock_id": lock.as_ref().map(|l| l.id.to_string()),
        "expires_at": lock.as_ref().map(|l| l.expires_at),
    })))
}

/// DELETE /api/v1/files/{id}/lock (scope admin)
pub async fn release_lock(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    key.need("admin")?;
    let id = parse_id(&id)?;
    s.app.api_file(&key.0, &id).await?;
    s.app.admin_release_lock(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
