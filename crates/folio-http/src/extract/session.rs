//! [`SignedIn`] (a live browser session; otherwise a redirect to `/login?next=…`) and [`Admin`]
//! (a signed-in administrator; otherwise `PageError::AdminsOnly`). The session is looked up once
//! per request and cached in the request's extensions, so `Admin` and `Csrf` share it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use folio_store::SessionRecord;

use crate::AppState;
use crate::error::page::PageError;
use crate::routes::ui::auth::{SESSION_COOKIE, cookie, encode};

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct SignedIn(pub SessionRecord);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(known) = parts.extensions.get::<SignedIn>() {
            return Ok(known.clone());
        }
        let next = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let login = || Redirect::to(&format!("/login?next={}", encode(&next))).into_response();
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login());
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
            Ok(None) => Err(login()),
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
