//! [`SignedIn`] (a live browser session) and [`Admin`] (a signed-in administrator; otherwise
//! `PageError::AdminsOnly`). The session is looked up once per request and cached in the
//! request's extensions, so `Admin` and `Csrf` share it.
//!
//! Without a live session, only a page a person navigates to (`GET`/`HEAD`, not a script) is
//! redirected to `/login?next=…`. Everything else is answered `401`, never with a redirect a
//! script could follow and take for success: a script request ([`is_script`]) gets JSON
//! (`crate::error::page::SignedOut`), a form the sign-in page with status 401
//! (`crate::routes::ui::auth::signed_out_page`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use folio_store::SessionRecord;

use crate::AppState;
use crate::error::page::{PageError, SignedOut};
use crate::headers::X_CSRF_TOKEN;
use crate::routes::ui::auth::{SESSION_COOKIE, cookie, encode, form_page, signed_out_page};

/// A request made by a page's script rather than by navigation: it asks for JSON (`Accept:
/// application/json`), or carries `X-Requested-With` or the `X-CSRF-Token` header (which only
/// scripts can set).
pub fn is_script(h: &HeaderMap) -> bool {
    let json = h
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/json"));
    json || h.contains_key("x-requested-with") || h.contains_key(X_CSRF_TOKEN)
}

/// The answer to a request without a live session (see the module documentation).
async fn signed_out(parts: &Parts, s: &AppState) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    if is_script(&parts.headers) {
        return SignedOut.into_response();
    }
    if matches!(parts.method, Method::GET | Method::HEAD) {
        return Redirect::to(&format!("/login?next={}", encode(&next))).into_response();
    }
    // A form: the page it was on is not known exactly (no Referer is sent: `no-referrer`): the
    // sign-in page returns to the page its path names (`form_page`), and `static/folio.js`
    // points it to the exact page, whose form it then refills.
    signed_out_page(s, form_page(parts.uri.path())).await
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct SignedIn(pub SessionRecord);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(known) = parts.extensions.get::<SignedIn>() {
            return Ok(known.clone());
        }
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(signed_out(parts, s).await);
        };
        match s.app.session(value).await {
            Ok(Some(session)) => {
                crate::middleware::record_user(&session.user.id, None);
                folio_app::audit::set_via(folio_app::audit::Via::Web);
                folio_app::audit::set_actor(&session.user);
                let user = SignedIn(session);
                parts.extensions.insert(user.clone());
                Ok(user)
            }
            Ok(None) => Err(signed_out(parts, s).await),
            Err(e) => Err(PageError::App(e).into_response()),
        }
    }
}

/// A signed-in administrator.
pub struct Admin(pub SignedIn);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let user = SignedIn::from_request_parts(parts, s).await?;
        if user.0.user.is_admin {
            Ok(Admin(user))
        } else {
            Err(PageError::AdminsOnly.into_response())
        }
    }
}
