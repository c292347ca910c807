//! The integration API's use cases: API keys, external users, editing sessions (with a one-time
//! launch code for Folio's host page), signed launch links (JWT), files on behalf of an
//! application, and webhooks (events appended to a durable outbox, delivered by `deliver_due`
//! with HMAC-SHA256 signatures and exponential backoff).

use std::time::Duration;

use folio_store::{
    ApiKeyRecord, ExternalUser, FileRecord, OutboxEvent, Role, UserRecord, WopiSessionRecord,
};
use folio_wopi::{FileId, WopiError, naming};
use hmac::{KeyInit, Mac};
use serde::Deserialize;

use crate::error::{AppError, LaunchRefusal};
use crate::web::HostPage;
use crate::{App, tokens};

/// A configured webhook receiver.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Where events are POSTed.
    pub url: String,
    /// HMAC-SHA256 key for the `Folio-Signature` header.
    pub secret: String,
}

/// How signed launch links are verified.
#[derive(Debug, Clone, Default)]
pub struct LaunchConfig {
    /// Shared secret for HS256.
    pub hs256_secret: Option<String>,
    /// Ed25519 public key (PEM) for EdDSA.
    pub eddsa_public_pem: Option<String>,
    /// Expected `aud` claim.
    pub audience: String,
}

/// Integration settings.
#[derive(Debug, Clone, Default)]
pub struct IntegrationConfig {
    /// Webhook receivers.
    pub webhooks: Vec<WebhookConfig>,
    /// Launch-link verification (None: `/launch` is disabled).
    pub launch: Option<LaunchConfig>,
    /// First retry delay of a failed webhook delivery in ms (doubling up to 1 h; default 10 s).
    pub retry_base_ms: i64,
}

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

/// What `create_session` returns.
#[derive(Debug, Clone)]
pub struct CreatedSession {
    /// The session.
    pub session: WopiSessionRecord,
    /// Folio's host page for it (one-time launch code inside).
    pub host_page_url: String,
    /// The editor action URL (for applications that render their own host page).
    pub action_url: String,
    /// WOPISrc.
    pub wopi_src: String,
    /// The access token.
    pub access_token: String,
    /// Its absolute expiry in ms.
    pub access_token_ttl: i64,
}

/// Claims of a signed launch link.
#[derive(Debug, Clone, Deserialize)]
pub struct LaunchClaims {
    /// The application's user id.
    pub sub: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Language.
    #[serde(default)]
    pub lang: Option<String>,
    /// The file id.
    pub file: String,
    /// "view" or "edit".
    pub perm: String,
    /// Unique id (replay protection).
    pub jti: String,
    /// Where the editor's Close leads (the application's page).
    #[serde(default)]
    pub ret: Option<String>,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// `Folio-Signature` value for a body: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &str) -> String {
    match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(format!("{timestamp}.{body}").as_bytes());
            format!(
                "t={timestamp},v1={}",
                hex::encode(mac.finalize().into_bytes())
            )
        }
        Err(_) => String::new(),
    }
}

/// Whether a close URL an application supplied is acceptable: absolute http(s), printable,
/// at most 2000 characters.
pub fn valid_close_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 2000
        && u.chars().all(|c| c.is_ascii_graphic())
}

/// Delay before retry `attempt` (1-based): `base_ms` doubling, at most 1 h.
pub fn backoff_ms(attempt: i64, base_ms: i64) -> i64 {
    let exp = attempt.clamp(1, 20) - 1;
    (base_ms.max(1).saturating_mul(1 << exp)).min(3_600_000)
}

/// How long Folio keeps retrying an event: 48 hours (the contract is at least 24).
pub const RETRY_FOR_MS: i64 = 48 * 3600 * 1000;

impl App {
    // ---- API keys -------------------------------------------------------------------------

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
        Ok(self.meta().revoke_api_key(id, self.now()).await?)
    }

    /// The application user behind a key.
    pub async fn app_user(&self, key: &ApiKeyRecord) -> Result<UserRecord, AppError> {
        Ok(self
            .meta()
            .user_by_id(&key.app_user_id)
            .await?
            .ok_or(WopiError::FileNotFound)?)
    }

    // ---- Files on behalf of an application -----------------------------------------------

    /// A file the application's user can see.
    pub async fn api_file(&self, key: &ApiKeyRecord, id: &FileId) -> Result<FileRecord, AppError> {
        let user = self.app_user(key).await?;
        Ok(self.file_for_user(&user, id).await?.0)
    }

    /// The folder at `path` (names separated by `/`) under the application's root, created if
    /// missing.
    pub async fn api_folder(
        &self,
        key: &ApiKeyRecord,
        path: &str,
    ) -> Result<folio_store::FolderRecord, AppError> {
        let parts: Vec<String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        for p in &parts {
            naming::validate_file_name(p).map_err(|e| WopiError::InvalidName {
                reason: format!("folder {p:?}: {e}"),
                suggestion: None,
            })?;
        }
        Ok(self
            .meta()
            .ensure_folder_path(&key.app_user_id, &parts, self.now())
            .await?)
    }

    // ---- External users and sessions ------------------------------------------------------

    /// Maps an application's user to a Folio user (created on first use, updated after).
    pub async fn external_user(&self, u: &ExternalUser) -> Result<UserRecord, AppError> {
        let id = u.external_id.trim();
        if id.is_empty() || id.len() > 200 || id.chars().any(|c| c.is_control()) {
            return Err(
                WopiError::BadRequest("the user id must be 1-200 printable characters").into(),
            );
        }
        if u.name.len() > 200 || u.email.len() > 320 || u.language.len() > 35 {
            return Err(WopiError::BadRequest("user name, email or language too long").into());
        }
        Ok(self.meta().upsert_external_user(u, self.now()).await?)
    }

    /// Creates an editing session: maps the user, gives them `permission` on the file (the
    /// application is the authority), mints a token bound to the session, and returns the host
    /// page URL (with a one-time launch code), the action URL, WOPISrc, token and ttl.
    #[expect(
        clippy::too_many_arguments,
        reason = "mirrors the fields of the API request"
    )]
    pub async fn create_session(
        &self,
        key: Option<&ApiKeyRecord>,
        file_id: &FileId,
        user: &ExternalUser,
        can_write: bool,
        editor: Option<&str>,
        action: Option<&str>,
        close_url: Option<&str>,
    ) -> Result<CreatedSession, AppError> {
        if let Some(u) = close_url
            && !valid_close_url(u)
        {
            return Err(WopiError::BadRequest(
                "close_url must be an absolute http(s) URL of at most 2000 characters",
            )
            .into());
        }
        let folio_user = self.external_user(user).await?;
        let file = self
            .meta()
            .file(file_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        if let Some(k) = key {
            // The key's application must be able to see the file.
            self.meta()
                .role(file_id, &k.app_user_id)
                .await?
                .ok_or(WopiError::FileNotFound)?;
        }
        let role = if can_write {
            Role::Editor
        } else {
            Role::Viewer
        };
        if file.owner_id != folio_user.id {
            let current = self.meta().role(file_id, &folio_user.id).await?;
            if current != Some(role) && current != Some(Role::Owner) {
                self.meta()
                    .share_file(file_id, &folio_user.id, role)
                    .await?;
            }
        }
        let action = action.or(if can_write {
            Some("edit")
        } else {
            Some("view")
        });
        let page = self
            .host_page(&folio_user, file_id, action, editor, &user.language)
            .await?;
        let session_id = folio_store::random_id(20);
        let launch = tokens::generate();
        let session = WopiSessionRecord {
            id: session_id.clone(),
            api_key_id: key.map(|k| k.id.clone()),
            user_id: folio_user.id.clone(),
            file_id: file_id.clone(),
            can_write,
            client: Some(page.editor.editor.clone()),
            action: Some(page.editor.action.clone()),
            expires_at: page.access_token_ttl,
            created_at: self.now(),
            revoked_at: None,
            close_url: close_url.map(str::to_owned),
        };
        self.meta()
            .create_wopi_session(&session, Some(&tokens::hash(&launch)))
            .await?;
        // Bind the page's token to the session so revoking the session revokes it.
        self.meta()
            .revoke_token(&tokens::hash(&page.access_token))
            .await?;
        let minted = self.mint_session_token(&session, &folio_user.id).await?;
        Ok(CreatedSession {
            host_page_url: format!("{}/launch/{launch}", self.config().public_url),
            action_url: page.action_url,
            wopi_src: minted.wopi_src,
            access_token: minted.access_token,
            access_token_ttl: minted.access_token_ttl,
            session,
        })
    }

    async fn mint_session_token(
        &self,
        s: &WopiSessionRecord,
        user_id: &str,
    ) -> Result<crate::MintedToken, AppError> {
        let secret = tokens::generate();
        let record = folio_store::TokenRecord {
            user_id: user_id.to_owned(),
            file_id: s.file_id.clone(),
            can_write: s.can_write,
            expires_at: s.expires_at,
            client: s.client.clone(),
            session_id: Some(s.id.clone()),
        };
        self.meta()
            .insert_token(&tokens::hash(&secret), &record, self.now())
            .await?;
        Ok(crate::MintedToken {
            access_token: secret,
            access_token_ttl: s.expires_at,
            wopi_src: self.wopi_src(&s.file_id),
        })
    }

    /// Opens the host page of a session by its one-time launch code.
    pub async fn launch_by_code(&self, code: &str, language: &str) -> Result<HostPage, AppError> {
        if !tokens::well_formed(code) {
            return Err(AppError::LaunchCodeExpired);
        }
        let Some(session) = self
            .meta()
            .take_launch_code(&tokens::hash(code), self.now())
            .await?
        else {
            return Err(AppError::LaunchCodeExpired);
        };
        self.session_page(&session, language).await
    }

    async fn session_page(
        &self,
        session: &WopiSessionRecord,
        language: &str,
    ) -> Result<HostPage, AppError> {
        let user = self
            .meta()
            .user_by_id(&session.user_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let mut page = self
            .host_page(
                &user,
                &session.file_id,
                session.action.as_deref(),
                session.client.as_deref(),
                language,
            )
            .await?;
        self.meta()
            .revoke_token(&tokens::hash(&page.access_token))
            .await?;
        let minted = self.mint_session_token(session, &user.id).await?;
        page.access_token = minted.access_token;
        page.access_token_ttl = minted.access_token_ttl;
        if let Some(u) = &session.close_url {
            page.close_url = u.clone();
        }
        Ok(page)
    }

    /// Sessions created by a key.
    pub async fn list_sessions(
        &self,
        key: &ApiKeyRecord,
        file: Option<&FileId>,
    ) -> Result<Vec<WopiSessionRecord>, AppError> {
        Ok(self.meta().list_wopi_sessions(&key.id, file).await?)
    }

    /// Revokes a session of this key: its tokens fail at once.
    pub async fn revoke_session(&self, key: &ApiKeyRecord, id: &str) -> Result<bool, AppError> {
        match self.meta().wopi_session(id).await? {
            Some(s) if s.api_key_id.as_deref() == Some(key.id.as_str()) => {
                Ok(self.meta().revoke_wopi_session(id, self.now()).await?)
            }
            _ => Err(WopiError::FileNotFound.into()),
        }
    }

    // ---- Launch links ---------------------------------------------------------------------

    /// Verifies a signed launch link (HS256 or EdDSA, expiry, audience, single use) and builds
    /// the host page for it.
    pub async fn launch_by_jwt(&self, token: &str, language: &str) -> Result<HostPage, AppError> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
        let Some(cfg) = &self.config().integration.launch else {
            return Err(AppError::LaunchRefused(LaunchRefusal::NotConfigured));
        };
        let header = match decode_header(token) {
            Ok(h) => h,
            Err(_) => return Err(AppError::LaunchRefused(LaunchRefusal::Malformed)),
        };
        let key = match (header.alg, &cfg.hs256_secret, &cfg.eddsa_public_pem) {
            (Algorithm::HS256, Some(secret), _) => DecodingKey::from_secret(secret.as_bytes()),
            (Algorithm::EdDSA, _, Some(pem)) => match DecodingKey::from_ed_pem(pem.as_bytes()) {
                Ok(k) => k,
                Err(_) => {
                    return Err(AppError::LaunchRefused(LaunchRefusal::UnusableKey));
                }
            },
            _ => {
                return Err(AppError::LaunchRefused(LaunchRefusal::UnsupportedAlgorithm));
            }
        };
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[cfg.audience.as_str()]);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        let claims = match decode::<LaunchClaims>(token, &key, &validation) {
            Ok(d) => d.claims,
            Err(e) => {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => LaunchRefusal::Expired,
                    ErrorKind::InvalidAudience => LaunchRefusal::WrongAudience,
                    ErrorKind::InvalidSignature => LaunchRefusal::BadSignature,
                    _ => LaunchRefusal::Invalid,
                };
                return Err(AppError::LaunchRefused(why));
            }
        };
        if claims.exp * 1000 > self.now() + 24 * 3600 * 1000 {
            return Err(AppError::LaunchRefused(LaunchRefusal::TooLongLived));
        }
        let Ok(file) = FileId::parse(&claims.file) else {
            return Err(AppError::LaunchRefused(LaunchRefusal::NoValidFile));
        };
        let can_write = match claims.perm.as_str() {
            "edit" => true,
            "view" => false,
            _ => return Err(AppError::LaunchRefused(LaunchRefusal::BadPermission)),
        };
        if claims.jti.is_empty() || claims.jti.len() > 200 {
            return Err(AppError::LaunchRefused(LaunchRefusal::MissingJti));
        }
        if !self
            .meta()
            .use_nonce(
                &format!("launch:{}", claims.jti),
                claims.exp * 1000,
                self.now(),
            )
            .await?
        {
            return Err(AppError::LaunchRefused(LaunchRefusal::AlreadyUsed));
        }
        let user = ExternalUser {
            external_id: claims.sub.clone(),
            name: claims.name.clone().unwrap_or_else(|| claims.sub.clone()),
            email: claims.email.clone().unwrap_or_default(),
            language: claims.lang.clone().unwrap_or_default(),
        };
        let created = self
            .create_session(
                None,
                &file,
                &user,
                can_write,
                None,
                None,
                claims.ret.as_deref(),
            )
            .await?;
        let page = self
            .session_page(
                &created.session,
                if user.language.is_empty() {
                    language
                } else {
                    &user.language
                },
            )
            .await?;
        Ok(page)
    }

    // ---- Webhooks -------------------------------------------------------------------------

    /// The configured webhook receivers.
    pub fn webhook_urls(&self) -> Vec<String> {
        self.config()
            .integration
            .webhooks
            .iter()
            .map(|w| w.url.clone())
            .collect()
    }

    /// A new event with a unique id and the standard envelope.
    pub fn make_event(&self, event_type: &str, data: serde_json::Value) -> OutboxEvent {
        let id = format!("evt_{}", folio_store::random_id(24));
        let created_at = self.now();
        let payload = serde_json::json!({
            "id": id,
            "type": event_type,
            "created_at": crate::wire_time(created_at),
            "data": data,
        })
        .to_string();
        OutboxEvent {
            id,
            event_type: event_type.to_owned(),
            payload,
            created_at,
        }
    }

    /// Appends an event to the outbox on its own (for changes that have no transactional
    /// variant, such as an administrator releasing a lock). Failures are logged.
    pub async fn emit(&self, event_type: &str, data: serde_json::Value) {
        let urls = self.webhook_urls();
        if urls.is_empty() {
            return;
        }
        let event = self.make_event(event_type, data);
        if let Err(e) = self.meta().enqueue_event(&event, &urls).await {
            tracing::error!(error = %e, event.type_ = event_type, "cannot enqueue webhook event");
        }
    }

    /// The `data` of a file event: the file and (when known) who acted.
    pub fn file_event_data(
        &self,
        file: &FileRecord,
        user: Option<&UserRecord>,
    ) -> serde_json::Value {
        serde_json::json!({
            "file": {
                "id": file.id.to_string(),
                "name": file.name,
                "version": file.version,
                "size": file.content.size,
            },
            "user": user.map(|u| serde_json::json!({
                "id": u.id,
                "external_id": u.login.strip_prefix("ext:").map(str::to_owned),
                "name": u.name,
            })),
        })
    }

    /// Delivers due webhook deliveries once (claimed with a lease, so each is sent by one
    /// replica). Returns how many were attempted.
    pub async fn deliver_due(&self, http: &reqwest::Client) -> Result<usize, AppError> {
        let now = self.now();
        let due = self.meta().claim_deliveries(now, 20, 60_000).await?;
        let n = due.len();
        let sends = due.into_iter().map(|d| async move {
            let secret = self
                .config()
                .integration
                .webhooks
                .iter()
                .find(|w| w.url == d.url)
                .map(|w| w.secret.clone())
                .unwrap_or_default();
            let ts = self.now() / 1000;
            let sig = webhook_signature(&secret, ts, &d.event.payload);
            let result = http
                .post(&d.url)
                .timeout(Duration::from_secs(10))
                .header("Content-Type", "application/json")
                .header("Folio-Event-Id", &d.event.id)
                .header("Folio-Event-Type", &d.event.event_type)
                .header("Folio-Signature", sig)
                .body(d.event.payload.clone())
                .send()
                .await;
            let (ok, status, error) = match result {
                Ok(r) if r.status().is_success() => {
                    (true, Some(i64::from(r.status().as_u16())), None)
                }
                Ok(r) => (
                    false,
                    Some(i64::from(r.status().as_u16())),
                    Some(format!("HTTP {}", r.status())),
                ),
                Err(e) => (
                    false,
                    None,
                    Some(if e.is_timeout() {
                        "timeout".to_owned()
                    } else {
                        "connection failed".to_owned()
                    }),
                ),
            };
            let now = self.now();
            let next = (!ok && now - d.event.created_at < RETRY_FOR_MS)
                .then(|| now + backoff_ms(d.attempts + 1, self.config().integration.retry_base_ms));
            if let Err(e) = self
                .meta()
                .finish_delivery(&d.id, ok, status, error.as_deref(), next, now)
                .await
            {
                tracing::error!(error = %e, "cannot record webhook delivery");
            }
        });
        futures::future::join_all(sends).await;
        Ok(n)
    }

    /// The delivery log.
    pub async fn delivery_log(&self, limit: i64) -> Result<Vec<folio_store::Delivery>, AppError> {
        Ok(self.meta().deliveries(limit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_and_backoff() {
        let s = webhook_signature("secret", 1_700_000_000, "{}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_eq!(s.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(s, webhook_signature("other", 1_700_000_000, "{}"));
        assert_ne!(s, webhook_signature("secret", 1_700_000_001, "{}"));
        assert_eq!(backoff_ms(1, 10_000), 10_000);
        assert_eq!(backoff_ms(2, 10_000), 20_000);
        assert_eq!(backoff_ms(9, 10_000), 2_560_000);
        assert_eq!(backoff_ms(10, 10_000), 3_600_000);
        assert_eq!(backoff_ms(1000, 10_000), 3_600_000);
        // Retrying at least 24 hours: the sum of delays before giving up exceeds a day.
        let total: i64 = (1..=40)
            .map(|a| backoff_ms(a, 10_000))
            .take_while({
                let mut acc = 0;
                move |d| {
                    acc += d;
                    acc < RETRY_FOR_MS
                }
            })
            .sum();
        assert!(total >= 24 * 3600 * 1000, "{total}");
    }
}
