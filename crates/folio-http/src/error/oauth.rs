//! The OAuth and bootstrapper surfaces: how an error reaches Office mobile.
//!
//! - The token endpoint (`/oauth2/token`, RFC 6749 §5.2): JSON `{"error","error_description"}`
//!   with `Cache-Control: no-store` and `Pragma: no-cache`; 400, except `invalid_client` (401,
//!   plus `WWW-Authenticate: Basic realm="folio"` when the client authenticated with the
//!   `Authorization` header), storage outages (503 `temporarily_unavailable`) and internal
//!   errors (500 `server_error`): [`OAuthError`].
//! - The authorization endpoint (`/oauth2/authorize`, §4.1.2.1): an unknown client or redirect
//!   URI is an HTML error page, never a redirect; every later refusal is a `302` back to the
//!   registered redirect URI with `error=` and `state`: [`authorize_refusal`].
//! - The bootstrapper (`/wopibootstrapper`): a missing or bad OAuth token is `401` with the
//!   exact `WWW-Authenticate: Bearer authorization_uri="…",tokenIssuance_uri="…"[,providerId="…"]`
//!   challenge (Learn `rest/bootstrapper/bootstrap`); a WopiSrc that is not this host's or not
//!   the user's is 404: [`BootstrapError`].
//!
//! The `oauth_error_responses`, `authorize_refusals` and `bootstrap_error_responses` table tests
//! pin status, headers and body. Token and secret values never appear in these bodies or in the
//! log line (`log_once` gets the condition only).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use folio_app::folio_store::StoreError;
use folio_app::{AppError, AuthorizeRefusal, OAuthRefusal};
use folio_wopi::WopiError;
use folio_wopi::oauth::OAuthErrorCode;

use super::page::PageError;
use crate::headers::PRAGMA;
use crate::routes::ui::{ErrorPage, render};

/// A token-endpoint error; `basic` says whether the client authenticated with
/// `Authorization: Basic` (then `invalid_client` carries `WWW-Authenticate`).
#[derive(Debug)]
pub struct OAuthError {
    /// What failed.
    pub err: AppError,
    /// The request carried `Authorization`.
    pub basic: bool,
}

/// Status, error code and description of a token-endpoint error.
pub fn oauth_parts(e: &AppError) -> (StatusCode, OAuthErrorCode, &'static str) {
    use OAuthErrorCode as C;
    use StatusCode as S;
    match e {
        AppError::OAuthToken(r) => {
            let status = if matches!(r, OAuthRefusal::InvalidClient) {
                S::UNAUTHORIZED
            } else {
                S::BAD_REQUEST
            };
            let description = match r {
                OAuthRefusal::InvalidRequest(what) => what,
                OAuthRefusal::InvalidClient => "client authentication failed",
                OAuthRefusal::InvalidGrant => {
                    "the code or refresh token is invalid, expired, used or revoked"
                }
                OAuthRefusal::UnauthorizedClient => "refresh tokens are not enabled",
                OAuthRefusal::UnsupportedGrantType => {
                    "grant_type must be authorization_code or refresh_token"
                }
                OAuthRefusal::InvalidScope => "the scope is wider than granted",
            };
            (status, r.code(), description)
        }
        AppError::Store(StoreError::Unavailable(_)) => (
            S::SERVICE_UNAVAILABLE,
            C::TemporarilyUnavailable,
            "storage unavailable; try again",
        ),
        _ => (S::INTERNAL_SERVER_ERROR, C::ServerError, "internal error"),
    }
}

/// `Cache-Control: no-store` and `Pragma: no-cache`, required on every token response.
pub(crate) fn no_store(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, code, description) = oauth_parts(&self.err);
        super::log_once("oauth", status, &self.err, &code.as_str());
        let mut r = (
            status,
            Json(serde_json::json!({ "error": code.as_str(), "error_description": description })),
        )
            .into_response();
        no_store(&mut r);
        if status == StatusCode::UNAUTHORIZED && self.basic {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"folio\""),
            );
        }
        r
    }
}

/// The answer of the authorization endpoint to a refusal: an error page for an unknown client
/// or redirect URI (400, no `Location`), a `302` back to the client for the rest, and the usual
/// error page for anything else.
pub fn authorize_refusal(e: AppError) -> Response {
    let (heading, message) = match &e {
        AppError::OAuthAuthorize(r @ AuthorizeRefusal::Redirect { .. }) => {
            super::log_once("oauth", StatusCode::FOUND, &e, &"redirected refusal");
            return found(&r.location().unwrap_or_default());
        }
        AppError::OAuthAuthorize(AuthorizeRefusal::UnknownClient) => (
            "Unknown application",
            "The application that sent you here is not registered with this Folio. Ask your administrator.",
        ),
        AppError::OAuthAuthorize(AuthorizeRefusal::BadRedirectUri) => (
            "Invalid sign-in request",
            "The application asked to send you to an address that is not registered for it, so Folio will not continue.",
        ),
        _ => return PageError::App(e).into_response(),
    };
    super::log_once("oauth", StatusCode::BAD_REQUEST, &e, &heading);
    render(
        StatusCode::BAD_REQUEST,
        &ErrorPage {
            heading: heading.to_owned(),
            message: message.to_owned(),
            back: "/".to_owned(),
            back_label: "Go to Folio".to_owned(),
        },
    )
}

/// A `302 Found` to `location` with `Cache-Control: no-store` (RFC 6749 §4.1.2).
pub fn found(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A bootstrapper error with the challenge to send on 401.
#[derive(Debug)]
pub struct BootstrapError {
    /// What failed.
    pub err: AppError,
    /// The `WWW-Authenticate` value (`App::bootstrap_challenge`).
    pub challenge: String,
}

/// Status of a bootstrapper error.
pub fn bootstrap_status(e: &AppError) -> StatusCode {
    match e {
        AppError::Wopi(WopiError::InvalidToken) => StatusCode::UNAUTHORIZED,
        AppError::Wopi(WopiError::FileNotFound | WopiError::NotPermitted) | AppError::NotFound => {
            StatusCode::NOT_FOUND
        }
        AppError::Store(StoreError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for BootstrapError {
    fn into_response(self) -> Response {
        let status = bootstrap_status(&self.err);
        super::log_once("bootstrapper", status, &self.err, &status.as_u16());
        let mut r = status.into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if status == StatusCode::UNAUTHORIZED
            && let Ok(v) = HeaderValue::from_str(&self.challenge)
        {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: Response) -> serde_json::Value {
        let rt = tokio::runtime::Builder::new_current_thread().build();
        let Ok(rt) = rt else {
            return serde_json::Value::Null;
        };
        rt.block_on(async {
            let bytes = axum::body::to_bytes(r.into_body(), 1 << 16)
                .await
                .unwrap_or_default();
            serde_json::from_slice(&bytes).unwrap_or_default()
        })
    }

    #[test]
    fn oauth_error_responses() {
        let t = AppError::OAuthToken;
        let rows: Vec<(AppError, bool, u16, &str, Option<&str>)> = vec![
            (
                t(OAuthRefusal::InvalidRequest("no code")),
                false,
                400,
                "invalid_request",
                None,
            ),
            (
                t(OAuthRefusal::InvalidClient),
                true,
                401,
                "invalid_client",
                Some("Basic realm=\"folio\""),
            ),
            (
                t(OAuthRefusal::InvalidClient),
                false,
                401,
                "invalid_client",
                None,
            ),
            (
                t(OAuthRefusal::InvalidGrant),
                true,
                400,
                "invalid_grant",
                None,
            ),
            (
                t(OAuthRefusal::UnauthorizedClient),
                false,
                400,
                "unauthorized_client",
                None,
            ),
            (
                t(OAuthRefusal::UnsupportedGrantType),
                false,
                400,
                "unsupported_grant_type",
                None,
            ),
            (
                t(OAuthRefusal::InvalidScope),
                false,
                400,
                "invalid_scope",
                None,
            ),
            (
                StoreError::Unavailable("secret".into()).into(),
                false,
                503,
                "temporarily_unavailable",
                None,
            ),
            (
                StoreError::Backend("secret".into()).into(),
                false,
                500,
                "server_error",
                None,
            ),
        ];
        for (err, basic, status, code, www) in rows {
            let what = format!("{err:?}");
            let r = OAuthError { err, basic }.into_response();
            assert_eq!(r.status().as_u16(), status, "{what}");
            assert_eq!(r.headers()["cache-control"], "no-store", "{what}");
            assert_eq!(r.headers()["pragma"], "no-cache", "{what}");
            assert_eq!(r.headers()["content-type"], "application/json", "{what}");
            assert_eq!(
                r.headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok()),
                www,
                "{what}"
            );
            let b = body(r);
            assert_eq!(b["error"], code, "{what}");
            assert!(!b.to_string().contains("secret"), "{what}");
        }
    }

    #[test]
    fn authorize_refusals() {
        for (refusal, status, location) in [
            (AuthorizeRefusal::UnknownClient, 400, None),
            (AuthorizeRefusal::BadRedirectUri, 400, None),
            (
                AuthorizeRefusal::Redirect {
                    redirect_uri: "https://localhost".into(),
                    error: OAuthErrorCode::AccessDenied,
                    state: Some("".into()),
                },
                302,
                Some("https://localhost?error=access_denied&state="),
            ),
            (
                AuthorizeRefusal::Redirect {
                    redirect_uri: "https://localhost/?a=1".into(),
                    error: OAuthErrorCode::UnsupportedResponseType,
                    state: None,
                },
                302,
                Some("https://localhost/?a=1&error=unsupported_response_type"),
            ),
        ] {
            let r = authorize_refusal(AppError::OAuthAuthorize(refusal.clone()));
            assert_eq!(r.status().as_u16(), status, "{refusal:?}");
            assert_eq!(
                r.headers().get("location").and_then(|v| v.to_str().ok()),
                location,
                "{refusal:?}"
            );
            assert_eq!(r.headers()["cache-control"], "no-store");
        }
        let r = authorize_refusal(StoreError::Backend("x".into()).into());
        assert_eq!(r.status(), 500);
        assert!(r.headers().get("location").is_none());
    }

    #[test]
    fn bootstrap_error_responses() {
        let challenge = "Bearer authorization_uri=\"https://a/authorize\",tokenIssuance_uri=\"https://a/token\"";
        for (err, status, www) in [
            (
                AppError::from(WopiError::InvalidToken),
                401,
                Some(challenge),
            ),
            (WopiError::FileNotFound.into(), 404, None),
            (WopiError::NotPermitted.into(), 404, None),
            (AppError::NotFound, 404, None),
            (StoreError::Unavailable("x".into()).into(), 503, None),
            (StoreError::Backend("x".into()).into(), 500, None),
        ] {
            let what = format!("{err:?}");
            let r = BootstrapError {
                err,
                challenge: challenge.to_owned(),
            }
            .into_response();
            assert_eq!(r.status().as_u16(), status, "{what}");
            assert_eq!(
                r.headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok()),
                www,
                "{what}"
            );
        }
    }
}
