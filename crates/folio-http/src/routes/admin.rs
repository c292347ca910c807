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
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable\n")
        }
    }
}
