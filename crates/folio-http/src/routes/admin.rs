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

/// GET /metrics: Prometheus text format.
pub async fn metrics(
    State(s): State<AppState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    use std::sync::atomic::Ordering;
    let e = s.app.editors();
    let body = format!(
        "# HELP folio_proof_key_failures_total WOPI requests refused because their proof-key signature did not verify.\n\
         # TYPE folio_proof_key_failures_total counter\n\
         folio_proof_key_failures_total {}\n\
         # HELP folio_discovery_refreshes_total Discovery fetch attempts.\n\
         # TYPE folio_discovery_refreshes_total counter\n\
         folio_discovery_refreshes_total {}\n",
        e.proof_failures.load(Ordering::Relaxed),
        e.refreshes.load(Ordering::Relaxed),
    );
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        body,
    )
}
