//! [`Csrf`]: the one CSRF check of the pages. A state-changing request is accepted only from a
//! signed-in user whose request carries the session's CSRF token — a form field `csrf` for
//! forms ([`CsrfField`]), the `X-CSRF-Token` header for XHR uploads ([`Upload`]). Compared in
//! constant time; a mismatch is `PageError::FormExpired` (or `UploadError::FormExpired`).

use axum::Form;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::session::SignedIn;
use crate::AppState;
use crate::error::page::{PageError, UploadError};
use crate::headers::X_CSRF_TOKEN;

/// A request from `.0` whose CSRF token matched, with its payload `.1`.
pub struct Csrf<P>(pub SignedIn, pub P);

/// A form that carries the session's CSRF token in a `csrf` field.
pub trait CsrfField {
    /// The token the form presented.
    fn csrf(&self) -> &str;
}

/// What a CSRF-checked request carries and where its token is.
pub trait CsrfPayload: Sized {
    /// Reads the payload and the token it presents.
    fn read(
        req: Request,
        s: &AppState,
    ) -> impl Future<Output = Result<(Self, String), Response>> + Send;
    /// The answer when the token does not match.
    fn expired() -> Response;
}

impl<T> CsrfPayload for Form<T>
where
    T: DeserializeOwned + CsrfField + Send,
{
    async fn read(req: Request, s: &AppState) -> Result<(Self, String), Response> {
        let f = Form::<T>::from_request(req, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let token = f.0.csrf().to_owned();
        Ok((f, token))
    }
    fn expired() -> Response {
        PageError::FormExpired.into_response()
    }
}

/// A raw upload body (streamed, never buffered); the token is the `X-CSRF-Token` header.
pub struct Upload(pub Body);

impl CsrfPayload for Upload {
    async fn read(req: Request, _: &AppState) -> Result<(Self, String), Response> {
        let token = req
            .headers()
            .get(X_CSRF_TOKEN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Ok((Upload(req.into_body()), token))
    }
    fn expired() -> Response {
        UploadError::FormExpired.into_response()
    }
}

impl<P: CsrfPayload + Send> FromRequest<AppState> for Csrf<P> {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = SignedIn::from_request_parts(&mut parts, s).await?;
        let (payload, presented) = P::read(Request::from_parts(parts, body), s).await?;
        if presented.is_empty() || !constant_eq(presented.as_bytes(), user.0.csrf.as_bytes()) {
            return Err(P::expired());
        }
        Ok(Csrf(user, payload))
    }
}

/// Constant-time equality of two secrets.
pub(crate) fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Implements [`CsrfField`] for forms with a `csrf: String` field.
macro_rules! csrf_field {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::extract::csrf::CsrfField for $t {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        }
    )*};
}
pub(crate) use csrf_field;
