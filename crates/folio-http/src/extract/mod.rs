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

use axum::http::{HeaderMap, header};

/// The credentials of `Authorization: Bearer <credentials>`. The scheme is matched
/// case-insensitively (RFC 9110 §11.1: `bearer`, `BEARER` are the same scheme); surrounding
/// spaces are ignored.
pub fn bearer(h: &HeaderMap) -> Option<&str> {
    let value = h.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credentials) = value.split_once(' ')?;
    let credentials = credentials.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credentials.is_empty()).then_some(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        for (value, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("Bearerabc", None),
        ] {
            let mut h = HeaderMap::new();
            if let Ok(v) = value.parse() {
                h.insert(header::AUTHORIZATION, v);
            }
            assert_eq!(bearer(&h), want, "{value:?}");
        }
    }
}
pub mod session;
pub mod wopi;
