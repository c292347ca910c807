//! Request tracing and request metrics: one span per request, one `request` log line when the
//! response head is ready, one count and one duration in `/metrics`.
//!
//! What is logged and counted is chosen here, never taken whole from the request: the route
//! *template* (`/wopi/files/{id}`), never the path (a launch code travels in a path) nor the
//! query string (WOPI's `access_token`); the WOPI operation as parsed; the file or folder id of
//! the URL only when it has the shape of an id; the user as the extractors found it. Fields are
//! listed in docs/LOGGING.md.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use folio_app::App;
use folio_app::metrics::RequestLabels;
use folio_wopi::FileId;
use folio_wopi::operation::{self as op, Endpoint, WopiOperation};
use tracing::Instrument;
use tracing::field::Empty;

/// `X-Request-Id`: taken from the request when it is a sane id, else made up; always answered.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A WOPI lock conflict's reason, left on the response by the WOPI error mapping for the
/// request metrics (`folio_wopi_lock_conflicts_total`).
#[derive(Debug, Clone, Copy)]
pub struct LockConflictReason(pub &'static str);

/// The surface a route template belongs to (a metrics label).
pub fn surface(route: Option<&str>) -> &'static str {
    let Some(r) = route else {
        return "unmatched";
    };
    let first = r.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "wopi" | "blob" => "wopi",
        "api" => "api",
        "oauth2" | "wopibootstrapper" => "oauth",
        "healthz" | "readyz" | "metrics" | "status" => "ops",
        "static" => "static",
        "dev-editor" => "dev_editor",
        _ => "page",
    }
}

/// The method as a bounded label.
pub fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The WOPI operation a request names, as the `Wopi` extractor parses it (`FileUrl` for
/// `/blob/{id}`, `unknown` for anything that names none); `""` off the WOPI surface.
pub fn wopi_operation(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    surface: &str,
) -> &'static str {
    if surface != "wopi" {
        return "";
    }
    if path.starts_with("/blob/") {
        return "FileUrl";
    }
    let m = match *method {
        Method::GET | Method::HEAD => op::Method::Get,
        Method::POST => op::Method::Post,
        _ => op::Method::Other,
    };
    let Some((endpoint, _)) = Endpoint::from_path(path) else {
        return "unknown";
    };
    let override_header = match m {
        op::Method::Post => headers
            .get(crate::headers::X_WOPI_OVERRIDE)
            .and_then(|v| v.to_str().ok()),
        _ => None,
    };
    let old_lock = headers.contains_key(crate::headers::X_WOPI_OLD_LOCK);
    WopiOperation::parse(m, endpoint, override_header, old_lock).map_or("unknown", |o| o.name())
}

/// The ids a route names, by the segment before each `{id}`: files (`files`, `open`, `blob`)
/// and folders (`folders`, `containers`). Only values with the shape of an id (`FileId`) are
/// returned, so nothing else a client put in a path reaches the logs.
pub fn route_ids<'p>(route: &str, path: &'p str) -> (Option<&'p str>, Option<&'p str>) {
    let (mut file, mut folder) = (None, None);
    let mut prev = "";
    for (t, p) in route.split('/').zip(path.split('/')) {
        if t == "{id}" && FileId::parse(p).is_ok() {
            match prev {
                "files" | "open" | "blob" => file = Some(p),
                "folders" | "containers" => folder = Some(p),
                _ => {}
            }
        }
        prev = t;
    }
    (file, folder)
}

/// A request id a client or proxy sent, if it is short and plain (else Folio makes one).
pub fn sane_request_id(v: &str) -> bool {
    (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), if valid.
#[cfg(test)]
fn trace_id(traceparent: &str) -> Option<&str> {
    trace_parent(traceparent).map(|(trace, _)| trace)
}

/// The trace id and parent span id of a W3C `traceparent` header, if valid.
pub fn trace_parent(traceparent: &str) -> Option<(&str, &str)> {
    let mut parts = traceparent.trim().split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, n: usize| {
        s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let ok = hex(version, 2)
        && version != "ff"
        && hex(trace, 32)
        && trace.bytes().any(|b| b != b'0')
        && hex(parent, 16)
        && parent.bytes().any(|b| b != b'0')
        && hex(flags, 2)
        && (version != "00" || parts.next().is_none());
    ok.then_some((trace, parent))
}

fn header<'h>(h: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// One span per request; one `request` event at the end; the request metrics.
pub async fn trace(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let surface = surface(route.as_deref());
    let path = req.uri().path();
    let operation = wopi_operation(&method, path, req.headers(), surface);
    let (file_id, folder_id) = route
        .as_deref()
        .map_or((None, None), |r| route_ids(r, path));
    let request_id = header(req.headers(), &X_REQUEST_ID)
        .filter(|v| sane_request_id(v))
        .map_or_else(|| folio_app::folio_store::random_id(16), str::to_owned);
    let correlation = header(req.headers(), &crate::headers::X_WOPI_CORRELATION_ID)
        .map(|c| c.chars().take(128).collect::<String>());
    // The request's place in a trace: the caller's (W3C `traceparent`) or a new one; this
    // request is one span of it (exported by the binary's OTLP layer when configured).
    let (trace, parent) = match header(req.headers(), &HeaderName::from_static("traceparent"))
        .and_then(trace_parent)
    {
        Some((t, p)) => (t.to_owned(), Some(p)),
        None => (folio_app::folio_store::random_hex(16), None),
    };
    let span_id = folio_app::folio_store::random_hex(8);
    let span = tracing::info_span!(
        "request",
        request.id = %request_id,
        trace.id = %trace,
        span.id = %span_id,
        trace.parent_id = parent,
        http.method = method_label(&method),
        http.route = route.as_deref().unwrap_or("unmatched"),
        wopi.operation = Empty,
        wopi.correlation_id = correlation.as_deref(),
        file.id = file_id,
        folder.id = folder_id,
        user.id = Empty,
        api_key.id = Empty,
    );
    if !operation.is_empty() {
        span.record("wopi.operation", operation);
    }
    // A request whose body may be left unread by an early refusal (413, 409, 400 before the
    // upload is streamed) must not leave its connection to be reused mid-body by the client.
    let has_body = matches!(method, Method::POST | Method::PUT | Method::PATCH);
    let http1 = req.version() < axum::http::Version::HTTP_2;
    let mut response = next.run(req).instrument(span.clone()).await;
    if has_body && http1 && !response.status().is_success() {
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            HeaderValue::from_static("close"),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(X_REQUEST_ID, v);
    }
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    let metrics = app.metrics();
    if let Some(LockConflictReason(reason)) = response.extensions().get::<LockConflictReason>() {
        metrics.lock_conflict(operation, reason);
    }
    metrics.http_request(
        RequestLabels {
            surface,
            method: method_label(&method),
            route: route.unwrap_or_else(|| "unmatched".to_owned()),
            operation,
            status,
        },
        elapsed,
    );
    let _enter = span.enter();
    tracing::info!(
        http.status = status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Records the user (and API key) an extractor authenticated on the request's span, for the
/// request log line.
pub(crate) fn record_user(user_id: &str, api_key_id: Option<&str>) {
    let span = tracing::Span::current();
    span.record("user.id", user_id);
    if let Some(k) = api_key_id {
        span.record("api_key.id", k);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surfaces() {
        for (route, want) in [
            (Some("/wopi/files/{id}"), "wopi"),
            (Some("/wopi/{*rest}"), "wopi"),
            (Some("/blob/{id}"), "wopi"),
            (Some("/api/v1/files/{id}"), "api"),
            (Some("/oauth2/token"), "oauth"),
            (Some("/wopibootstrapper"), "oauth"),
            (Some("/metrics"), "ops"),
            (Some("/status/editors"), "ops"),
            (Some("/static/folio.css"), "static"),
            (Some("/dev-editor/edit"), "dev_editor"),
            (Some("/"), "page"),
            (Some("/folders/{id}"), "page"),
            (None, "unmatched"),
        ] {
            assert_eq!(surface(route), want, "{route:?}");
        }
    }

    #[test]
    fn wopi_operations_as_the_extractor_parses_them() {
        let mut h = HeaderMap::new();
        let id = "AAAAAAAAAAAAAAAAAAAAAA";
        let file = format!("/wopi/files/{id}");
        let contents = format!("/wopi/files/{id}/contents");
        assert_eq!(
            wopi_operation(&Method::GET, &file, &h, "wopi"),
            "CheckFileInfo"
        );
        assert_eq!(
            wopi_operation(&Method::GET, &contents, &h, "wopi"),
            "GetFile"
        );
        assert_eq!(wopi_operation(&Method::POST, &file, &h, "wopi"), "unknown");
        h.insert(
            crate::headers::X_WOPI_OVERRIDE,
            HeaderValue::from_static("LOCK"),
        );
        assert_eq!(wopi_operation(&Method::POST, &file, &h, "wopi"), "Lock");
        h.insert(
            crate::headers::X_WOPI_OLD_LOCK,
            HeaderValue::from_static("a"),
        );
        assert_eq!(
            wopi_operation(&Method::POST, &file, &h, "wopi"),
            "UnlockAndRelock"
        );
        h.insert(
            crate::headers::X_WOPI_OVERRIDE,
            HeaderValue::from_static("PUT"),
        );
        assert_eq!(
            wopi_operation(&Method::POST, &contents, &h, "wopi"),
            "PutFile"
        );
        // A GET ignores the override, as the extractor does.
        assert_eq!(
            wopi_operation(&Method::GET, &file, &h, "wopi"),
            "CheckFileInfo"
        );
        assert_eq!(
            wopi_operation(&Method::GET, "/blob/x", &h, "wopi"),
            "FileUrl"
        );
        assert_eq!(
            wopi_operation(&Method::GET, "/wopi/nope", &h, "wopi"),
            "unknown"
        );
        assert_eq!(wopi_operation(&Method::GET, "/api/v1/files", &h, "api"), "");
    }

    #[test]
    fn ids_only_where_the_route_names_them_and_only_id_shaped() {
        let id = "AbCdEfGhIjKlMnOpQrStUv";
        assert_eq!(
            route_ids(
                "/wopi/files/{id}/contents",
                &format!("/wopi/files/{id}/contents")
            ),
            (Some(id), None)
        );
        assert_eq!(
            route_ids("/folders/{id}/upload", &format!("/folders/{id}/upload")),
            (None, Some(id))
        );
        assert_eq!(
            route_ids("/wopi/containers/{id}", &format!("/wopi/containers/{id}")),
            (None, Some(id))
        );
        // Not an id: left out. A launch code is never an id of a file.
        assert_eq!(
            route_ids("/files/{id}/versions", "/files/not%20an%20id/versions"),
            (None, None)
        );
        assert_eq!(
            route_ids("/launch/{code}", &format!("/launch/{id}")),
            (None, None)
        );
    }

    #[test]
    fn request_ids_and_trace_ids() {
        assert!(sane_request_id("abc-123_x.y:z"));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id("has space"));
        assert!(!sane_request_id(&"x".repeat(65)));
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(trace_id(tp), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert_eq!(
            trace_id("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
            None
        );
        assert_eq!(
            trace_id("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
            None
        );
        assert_eq!(
            trace_id("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            None
        );
        assert_eq!(trace_id("garbage"), None);
        assert_eq!(
            trace_parent(tp),
            Some(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"))
        );
        // An all-zero parent span id is invalid too.
        assert_eq!(
            trace_id("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
            None
        );
        // Version 00 has exactly four fields; later versions may add some.
        assert_eq!(trace_id(&format!("{tp}-extra")), None);
        assert!(trace_id(&format!("01{}-extra", &tp[2..])).is_some());
    }
}
