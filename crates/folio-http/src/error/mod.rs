//! Errors on their way to a client: one mapping module per surface, and nothing else in
//! folio-http chooses an error status.
//!
//! - [`wopi`] — `/wopi/*` and `/blob/*`: status, `X-WOPI-*` headers, a short plain-text body
//!   ([`HttpError`]).
//! - [`api`] — `/api/v1/*`: `{"error":{"code","message"}}` ([`api::ApiError`]).
//! - [`page`] — pages for people: an HTML error page, a redirect back with the refusal in words,
//!   the sign-in page again, or the JSON answer of an XHR upload ([`page::PageError`],
//!   [`page::UploadError`]).
//! - [`oauth`] — Office mobile's sign-in: the token endpoint's RFC 6749 JSON errors
//!   ([`oauth::OAuthError`]), the authorization endpoint's error page or redirect back
//!   ([`oauth::authorize_refusal`]), and the bootstrapper's 401 challenge / 404
//!   ([`oauth::BootstrapError`]).
//!
//! Every module maps the one application vocabulary, [`folio_app::AppError`], plus the few
//! refusals that only exist on its surface (a missing API key, an expired form). Each has a table
//! test that pins status, headers and body shape. Each `IntoResponse` logs the error once, through
//! [`log_once`] (and `/readyz`'s 503 is [`not_ready`]): server errors at `error` (with the internal detail, which never reaches the
//! client), refusals at `info`. Handlers and use cases do not log errors they return.

pub mod api;
pub mod oauth;
pub mod page;
pub mod wopi;

use axum::http::StatusCode;

pub use wopi::{HttpError, parts};

/// The one log line of a failed request (called by each surface's `IntoResponse`).
pub(crate) fn log_once(
    surface: &'static str,
    status: StatusCode,
    err: &dyn std::fmt::Debug,
    text: &dyn std::fmt::Display,
) {
    if status.is_server_error() {
        tracing::error!(error.surface = surface, http.status = status.as_u16(), error.message = %text, error.debug = ?err, "request failed");
    } else {
        tracing::info!(error.surface = surface, http.status = status.as_u16(), error.message = %text, "request refused");
    }
}

/// `/readyz` when a store does not answer: 503, logged once (at `warn`: the probe retries).
pub(crate) fn not_ready(e: &folio_app::AppError) -> (StatusCode, &'static str) {
    tracing::warn!(surface = "health", error = %e, "not ready");
    (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable\n")
}
