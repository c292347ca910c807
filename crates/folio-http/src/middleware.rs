//! Request tracing. The span records the method and the *path only*: query strings carry access
//! tokens and are never logged (nor are Authorization headers).

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Logs one line per request: method, path, status, duration, WOPI correlation id.
pub async fn trace(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let correlation = req
        .headers()
        .get(crate::headers::X_WOPI_CORRELATION_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let wopi_override = req
        .headers()
        .get(crate::headers::X_WOPI_OVERRIDE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // A request whose body may be left unread by an early refusal (413, 409, 400 before the
    // upload is streamed) must not leave its connection to be reused mid-body by the client.
    let has_body = matches!(
        *req.method(),
        axum::http::Method::POST | axum::http::Method::PUT | axum::http::Method::PATCH
    );
    let http1 = req.version() < axum::http::Version::HTTP_2;
    let span = tracing::info_span!(
        "request",
        http.method = %method,
        http.path = %path,
        wopi.override_ = %wopi_override,
        wopi.correlation_id = %correlation,
    );
    let mut response = next.run(req).instrument(span.clone()).await;
    if has_body && http1 && !response.status().is_success() {
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    let _enter = span.enter();
    tracing::debug!(
        http.status = response.status().as_u16(),
        elapsed_ms = start.elapsed().as_secs_f64() * 1000.0,
        "served"
    );
    response
}
