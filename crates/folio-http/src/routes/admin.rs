//! Health endpoints: `/healthz` (the process answers) and `/readyz` (both stores answer).

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// Liveness.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: 200 when the metadata store and the blob store answer, else 503.
pub async fn readyz(State(s): State<AppState>) -> (StatusCode, &'static str) {
    match s.app.ready().await {
        Ok(()) => (StatusCode::OK, "ready\n"),
        Err(e) => crate::error::not_ready(&e),
    }
}

/// GET /status/editors: each editor's discovery state (loaded?, from the persisted copy?, last
/// error, proof-key enforcement, extensions). No secrets.
pub async fn editors_status(State(s): State<AppState>) -> axum::Json<serde_json::Value> {
    let list: Vec<serde_json::Value> = s
        .app
        .editors()
        .status()
        .await
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "name": e.name,
                "kind": e.kind.as_str(),
                "discovery": e.discovery,
                "loaded": e.loaded,
                "from_persisted_copy": e.from_persisted_copy,
                "fetched_at": e.fetched_at,
                "last_error": e.last_error,
                "proof_keys_enforced": e.proof_keys_enforced,
                "extensions": e.extensions,
            })
        })
        .collect();
    axum::Json(serde_json::json!({ "editors": list }))
}

/// GET /metrics: Prometheus text format (series in docs/OPERATIONS.md). Open like the other
/// health endpoints: it carries no secret and no unbounded label; keep it off the public
/// network (docs/OPERATIONS.md).
pub async fn metrics(
    State(s): State<AppState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let body = s.app.metrics_text().await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            folio_app::metrics::CONTENT_TYPE,
        )],
        body,
    )
}
