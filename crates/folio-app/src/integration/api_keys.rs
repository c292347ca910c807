//! API keys: created with scopes (files, sessions, admin), stored hashed; each key has an
//! application user owning its files.

use super::*;

/// The API key scopes.
pub const SCOPES: [&str; 3] = ["files", "sessions", "admin"];

/// A freshly created API key; `secret` is shown once.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// The record.
    pub key: ApiKeyRecord,
    /// The secret to send as `Authorization: Bearer`.
    pub secret: String,
}

impl App {
    /// Creates an API key with `scopes` (validated) and its application user.
    pub async fn create_api_key(
        &self,
        name: &str,
        scopes: &[String],
    ) -> Result<NewApiKey, AppError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(WopiError::BadRequest("the key name must be 1-64 characters").into());
        }
        let scopes: Vec<String> = if scopes.is_empty() {
            vec!["files".into(), "sessions".into()]
        } else {
            scopes.to_vec()
        };
        if let Some(bad) = scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
            let _ = bad;
            return Err(WopiError::BadRequest("unknown scope (use files, sessions, admin)").into());
        }
        let id = folio_store::random_id(12);
        let app_user = self
            .meta()
            .upsert_external_user(
                &ExternalUser {
                    external_id: format!("app:{id}"),
                    name: format!("Application {name}"),
                    email: String::new(),
                    language: String::new(),
                },
                self.now(),
            )
            .await?;
        let secret = format!("folio{}", folio_store::random_id(40));
        let key = ApiKeyRecord {
            id,
            name: name.to_owned(),
            scopes,
            app_user_id: app_user.id,
            created_at: self.now(),
            revoked_at: None,
        };
        self.meta()
            .create_api_key(&key, &tokens::hash(&secret))
            .await?;
        let event = self.audit_event(
            crate::audit::action::ADMIN_API_KEY_CREATE,
            None,
            None,
            Some(format!("key {} ({})", key.id, key.name)),
        );
        self.audit(event).await;
        Ok(NewApiKey { key, secret })
    }

    /// The live key for a presented secret.
    pub async fn api_key(&self, secret: &str) -> Result<Option<ApiKeyRecord>, AppError> {
        if secret.len() != 45
            || !secret.starts_with("folio")
            || !secret.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Ok(None);
        }
        Ok(self.meta().api_key(&tokens::hash(secret)).await?)
    }

    /// Every API key.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, AppError> {
        Ok(self.meta().list_api_keys().await?)
    }

    /// Revokes a key.
    pub async fn revoke_api_key(&self, id: &str) -> Result<bool, AppError> {
        let revoked = self.meta().revoke_api_key(id, self.now()).await?;
        if revoked {
            let event = self.audit_event(
                crate::audit::action::ADMIN_API_KEY_REVOKE,
                None,
                None,
                Some(format!("key {id}")),
            );
            self.audit(event).await;
        }
        Ok(revoked)
    }

    /// The application user behind a key.
    pub async fn app_user(&self, key: &ApiKeyRecord) -> Result<UserRecord, AppError> {
        Ok(self
            .meta()
            .user_by_id(&key.app_user_id)
            .await?
            .ok_or(WopiError::FileNotFound)?)
    }
}
