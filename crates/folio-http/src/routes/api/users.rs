//! `/api/v1/users/{external_id}`: the application's users as Folio knows them.

use axum::Json;
use axum::extract::{Path, State};
use folio_store::ExternalUser;
use serde::Deserialize;

use super::ApiResult;
use crate::AppState;
use crate::extract::api::{ApiJson, Key};

/// An external user as the application names it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiUser {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

impl ApiUser {
    pub(crate) fn external(&self) -> ExternalUser {
        ExternalUser {
            external_id: self.id.trim().to_owned(),
            name: self
                .display_name
                .clone()
                .unwrap_or_else(|| self.id.trim().to_owned()),
            email: self.email.clone().unwrap_or_default(),
            language: self.language.clone().unwrap_or_default(),
        }
    }
}

/// PUT /api/v1/users/{external_id} body without `id`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutUser {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

/// PUT /api/v1/users/{external_id}
pub async fn put_user(
    State(s): State<AppState>,
    key: Key,
    Path(ext): Path<String>,
    ApiJson(u): ApiJson<PutUser>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("sessions")?;
    let api = ApiUser {
        id: ext,
        display_name: u.display_name,
        email: u.email,
        language: u.language,
    };
    let user = s.app.external_user(&api.external()).await?;
    Ok(Json(
        serde_json::json!({"id": api.id, "folio_user_id": user.id, "display_name": user.name, "email": user.email}),
    ))
}
