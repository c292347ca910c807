//! `/api/v1/audit` (scope admin): the audit trail, filtered and cursor-paginated.

use axum::Json;
use axum::extract::{Query, State};
use folio_app::audit::{AuditFilter, parse_time};
use folio_store::AuditEvent;
use folio_wopi::wire;
use serde::Deserialize;

use super::ApiResult;
use crate::AppState;
use crate::error::api::ApiError;
use crate::extract::api::Key;

/// `?user=&file=&action=&since=&until=&cursor=&limit=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// A login or user id.
    pub user: Option<String>,
    /// A file id.
    pub file: Option<String>,
    /// An action or a prefix (`file.`).
    pub action: Option<String>,
    /// From: Unix ms or `YYYY-MM-DD[THH:MM[:SS]][Z]` (UTC), inclusive.
    pub since: Option<String>,
    /// Until: same forms, exclusive.
    pub until: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size (1–500, default 50).
    pub limit: Option<i64>,
}

impl AuditParams {
    /// The filter, or which parameter is malformed.
    pub fn filter(&self) -> Result<AuditFilter, &'static str> {
        let time = |v: &Option<String>, name: &'static str| match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => parse_time(t).map(Some).ok_or(name),
        };
        Ok(AuditFilter {
            user: self.user.clone(),
            file: self.file.clone(),
            action: self.action.clone(),
            since: time(&self.since, "since")?,
            until: time(&self.until, "until")?,
            cursor: self.cursor.clone(),
            limit: self.limit,
        })
    }
}

/// One row as the API shows it.
pub fn event_json(e: &AuditEvent) -> serde_json::Value {
    serde_json::json!({
        "id": e.id,
        "at": wire::format_wopi_time(e.at),
        "at_ms": e.at,
        "action": e.action,
        "user": {"id": e.actor_id, "login": e.actor_name},
        "file": {"id": e.file_id, "name": e.file_name},
        "detail": e.detail,
        "ip": e.ip,
        "user_agent": e.user_agent,
        "via": e.via,
        "via_id": e.via_id,
    })
}

/// GET /api/v1/audit (scope admin)
pub async fn audit(
    State(s): State<AppState>,
    key: Key,
    q: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("admin")?;
    let Query(q) = q.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let filter = q.filter().map_err(|name| {
        ApiError::BadQuery(format!(
            "{name}: expected Unix ms or YYYY-MM-DD[THH:MM[:SS]]"
        ))
    })?;
    let page = s.app.audit_log(&filter).await?;
    Ok(Json(serde_json::json!({
        "events": page.events.iter().map(event_json).collect::<Vec<_>>(),
        "next_cursor": page.next,
    })))
}
