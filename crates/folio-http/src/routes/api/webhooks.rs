//! `/api/v1/webhooks/deliveries` (scope admin): the delivery log.

use axum::Json;
use axum::extract::State;

use super::ApiResult;
use crate::AppState;
use crate::extract::api::Key;

/// GET /api/v1/webhooks/deliveries (scope admin)
pub async fn deliveries(State(s): State<AppState>, key: Key) -> ApiResult<Json<serde_json::Value>> {
    key.need("admin")?;
    let log = s.app.delivery_log(200).await?;
    Ok(Json(
        serde_json::json!({"deliveries": log.iter().map(|d| serde_json::json!({
        "id": d.id,
        "event_id": d.event.id,
        "event_type": d.event.event_type,
        "url": d.url,
        "state": d.state,
        "attempts": d.attempts,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
    })).collect::<Vec<_>>()}),
    ))
}
