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

mod api_files;
mod api_keys;
mod external_users;
mod launch;
mod sessions;
mod webhooks;

pub use api_files::{MAX_FOLDER_DEPTH, MAX_FOLDER_PATH_BYTES, folder_path_parts};
pub use api_keys::*;
pub use external_users::{EXTERNAL_LOGIN_PREFIX, valid_local_login};
pub use launch::*;
pub use sessions::*;

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
