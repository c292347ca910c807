//! `/api/v1/sessions[/{id}]`: editing sessions (tokens, host page link) for external users.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::users::ApiUser;
use super::{ApiResult, parse_id};
use crate::AppState;
use crate::error::api::ApiError;
use crate::extract::api::{ApiJson, Key};

/// POST /api/v1/sessions body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    file_id: String,
    user: ApiUser,
    permission: String,
    #[serde(default)]
    editor: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    close_url: Option<String>,
}

fn session_json(s: &folio_store::WopiSessionRecord) -> serde_json::Value {
    serde_json::json!({
        "id": s.id,
        "file_id": s.file_id.to_string(),
        "permission": if s.can_write { "edit" } else { "view" },
        "editor": s.client,
        "action": s.action,
        "expires_at": s.expires_at,
        "revoked": s.revoked_at.is_some(),
        "close_url": s.close_url,
    })
}

/// POST /api/v1/sessions
pub async fn create_session(
    State(s): State<AppState>,
    key: Key,
    ApiJson(n): ApiJson<NewSession>,
) -> ApiResult<Response> {
    key.need("sessions")?;
    let can_write = match n.permission.as_str() {
        "edit" => true,
        "view" => false,
        _ => {
            return Err(ApiError::BadRequest(
                "permission must be \"view\" or \"edit\"",
            ));
        }
    };
    let file = parse_id(&n.file_id)?;
    let c = s
        .app
        .create_session(
            Some(&key.0),
            &file,
            &n.user.external(),
            can_write,
            n.editor.as_deref(),
            n.action.as_deref(),
            n.close_url.as_deref(),
        )
        .await?;
    let mut body = session_json(&c.session);
    body["host_page_url"] = c.host_page_url.into();
    body["action_url"] = c.action_url.into();
    body["wopi_src"] = c.wopi_src.into();
    body["access_token"] = c.access_token.into();
    body["access_token_ttl"] = c.access_token_ttl.into();
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `?file_id=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsQuery {
    file_id: Option<String>,
}

/// GET /api/v1/sessions[?file_id=]
pub async fn list_sessions(
    State(s): State<AppState>,
    key: Key,
    q: Result<Query<SessionsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("sessions")?;
    let Query(q) = q.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let file = q.file_id.as_deref().map(parse_id).transpose()?;
    let list = s.app.list_sessions(&key.0, file.as_ref()).await?;
    Ok(Json(
        serde_json::json!({"sessions": list.iter().map(session_json).collect::<Vec<_>>()}),
    ))
}

/// DELETE /api/v1/sessions/{id}
pub async fn revoke_session(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    key.need("sessions")?;
    s.app.revoke_session(&key.0, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
