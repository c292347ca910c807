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

/// Runs the request inside its audit context (`folio_app::audit::scope`): the peer address
/// (Folio has no trusted-proxy setting, so `X-Forwarded-For` is not believed), the
/// `User-Agent` (truncated), and the channel the path implies until an extractor names it
/// better (an API key's id, a signed-in page, the token's editor).
pub async fn audit_context(req: Request, next: Next) -> Response {
    use folio_app::audit::{Origin, Via};
    let ip = req
        .extensions()
        .get::<crate::server::PeerAddr>()
        .map(|c| c.0.ip().to_string());
    let ua = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let origin = Origin::new(ip, ua);
    let path = req.uri().path();
    let via = if path.starts_with("/wopi/") || path.starts_with("/blob/") {
        Via::Editor(None)
    } else if path.starts_with("/api/") {
        Via::Api(None)
    } else if path.starts_with("/oauth2/") || path.starts_with(folio_app::BOOTSTRAPPER_PATH) {
        Via::OAuth(None)
    } else {
        Via::Web
    };
    folio_app::audit::scope(origin, via, next.run(req)).await
}
