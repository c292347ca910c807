//! The API's extractors: [`Key`] (a live API key from `Authorization: Bearer`, with scope
//! checks) and [`ApiJson`] (a JSON body that refuses malformed JSON and unknown fields).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use folio_store::ApiKeyRecord;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::api::ApiError;

/// A JSON body that refuses malformed JSON and unknown fields with the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError::InvalidJson {
                unsupported_media_type: matches!(e, JsonRejection::MissingJsonContentType(_)),
                detail: e.body_text(),
            }),
        }
    }
}

/// The caller: a live API key.
pub struct Key(pub ApiKeyRecord);

impl FromRequestParts<AppState> for Key {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let secret = super::bearer(&parts.headers).ok_or(ApiError::MissingKey)?;
        match s.app.api_key(secret.trim()).await? {
            Some(k) => {
                crate::middleware::record_user(&k.app_user_id, Some(&k.id));
                // The audit trail names the key by id (never the secret); its application user
                // acts unless a use case names another.
                folio_app::audit::set_via(folio_app::audit::Via::Api(Some(k.id.clone())));
                folio_app::audit::set_actor_id(
                    &k.app_user_id,
                    &format!(
                        "{}app:{}",
                        folio_app::integration::EXTERNAL_LOGIN_PREFIX,
                        k.id
                    ),
                );
                Ok(Key(k))
            }
            None => Err(ApiError::UnknownKey),
        }
    }
}

impl Key {
    /// Refuses a key without `scope`.
    pub fn need(&self, scope: &'static str) -> Result<(), ApiError> {
        if self.0.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError::MissingScope(scope))
        }
    }
}
