//! Extractors: what a handler gets instead of raw requests.
//!
//! - [`wopi::Wopi`] — a WOPI request: operation with parsed headers and the principal after the
//!   token and proof check (`App::authorize_wopi`).
//! - [`session::SignedIn`], [`session::Admin`] — the browser session (redirect to sign-in
//!   otherwise), an administrator's session.
//! - [`csrf::Csrf`] — a state-changing page request whose CSRF token matched the session's: the
//!   one place CSRF is checked (forms carry it as `csrf`, XHR uploads as `X-CSRF-Token`).
//! - [`api::Key`], [`api::ApiJson`] — the API caller (Bearer API key) and a strict JSON body.

pub mod api;
pub mod csrf;
pub mod session;
pub mod wopi;
