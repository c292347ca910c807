//! Sign-in sessions: password sign-in (rate-limited per login, in the database), the session
//! behind a cookie, sign-out.

use super::*;
use crate::audit::action::{SIGN_IN, SIGN_IN_FAILED};

/// How long a browser session lasts: 12 hours.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
/// The window in which failed sign-ins count: 15 minutes.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A new session: the cookie value (secret) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value.
    pub cookie: String,
    /// The CSRF token for forms.
    pub csrf: String,
    /// Expiry (Unix ms).
    pub expires_at: i64,
}

/// Failures from one source for one login tolerated before growing delays start.
pub const FREE_FAILURES_PER_SOURCE: u64 = 5;
/// The longest refusal after repeated failures from one source: 15 minutes.
pub const MAX_SOURCE_DELAY_MS: i64 = 15 * 60 * 1000;
/// Failures for one login from all sources in the window after which every attempt for that
/// login is slowed (never refused) by `GLOBAL_SLOWDOWN_MS`.
pub const GLOBAL_SLOWDOWN_AFTER: u64 = 20;
/// The bounded delay of a login under attack from many sources: 1 second.
pub const GLOBAL_SLOWDOWN_MS: u64 = 1000;

/// How long after its latest failure a source with `failures` failures in the window is
/// refused: nothing below `FREE_FAILURES_PER_SOURCE`, then 2^n seconds for n failures (32, 64,
/// 128, …), capped at `MAX_SOURCE_DELAY_MS`.
pub fn source_delay_ms(failures: u64) -> i64 {
    if failures < FREE_FAILURES_PER_SOURCE {
        return 0;
    }
    (1000i64 << failures.min(20)).min(MAX_SOURCE_DELAY_MS)
}

impl App {
    /// Signs a user in with a password, from an unknown source (see [`App::sign_in_from`]).
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<NewSession, AppError> {
        self.sign_in_from(login, password, "").await
    }

    /// Signs a user in with a password from `source` (the peer address). Failures are recorded
    /// per (login, source) in the database (so the limit holds across replicas): after
    /// `FREE_FAILURES_PER_SOURCE` of them that source is refused for a growing time after its
    /// latest failure. Other sources are never refused because of them; a login failing from
    /// many sources is only slowed by a bounded delay. A disabled account answers exactly like
    /// a wrong password (the password hash still runs).
    pub async fn sign_in_from(
        &self,
        login: &str,
        password: &str,
        source: &str,
    ) -> Result<NewSession, AppError> {
        let now = self.now();
        let meta = self.meta();
        let since = now - LOGIN_WINDOW_MS;
        let (failures, last) = meta.login_failures_from(login, source, since).await?;
        if let Some(last) = last
            && now < last.saturating_add(source_delay_ms(failures))
        {
            self.audit_sign_in(SIGN_IN_FAILED, None, login, "throttled")
                .await;
            return Err(AppError::RateLimited);
        }
        if meta.login_failures_since(login, since).await? >= GLOBAL_SLOWDOWN_AFTER {
            tokio::time::sleep(std::time::Duration::from_millis(GLOBAL_SLOWDOWN_MS)).await;
        }
        let user = meta.user_by_login(login).await?;
        let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(hash) => tokens::verify_password(password, hash),
            None => {
                // Spend comparable time for unknown users.
                let _ = tokens::hash_password(password);
                false
            }
        };
        let Some(user) = user.filter(|u| ok && !u.disabled) else {
            meta.record_login_failure_from(login, source, now).await?;
            self.audit_sign_in(SIGN_IN_FAILED, None, login, "refused")
                .await;
            return Err(AppError::BadCredentials);
        };
        meta.clear_login_failures(login, Some(source)).await?;
        let session = self.start_session(&user.id).await?;
        self.audit_sign_in(SIGN_IN, Some(&user), login, "password")
            .await;
        Ok(session)
    }

    /// A new sign-in session for `user_id` (after a password check or the first-run setup).
    pub(crate) async fn start_session(&self, user_id: &str) -> Result<NewSession, AppError> {
        let now = self.now();
        let cookie = tokens::generate();
        let csrf = tokens::generate();
        let expires_at = now + SESSION_TTL_MS;
        self.meta()
            .create_session(&tokens::hash(&cookie), user_id, &csrf, expires_at, now)
            .await?;
        Ok(NewSession {
            cookie,
            csrf,
            expires_at,
        })
    }

    /// Records a sign-in attempt. A refused one names the login tried (at most 100
    /// characters), never the password.
    async fn audit_sign_in(&self, action: &str, user: Option<&UserRecord>, login: &str, how: &str) {
        let mut event = self.audit_event(action, user, None, Some(how.to_owned()));
        if user.is_none() {
            event.actor_id = None;
            event.actor_name = Some(login.chars().take(100).collect());
        }
        self.audit(event).await;
    }

    /// Forgets every failed sign-in of `login` (an administrator's unlock); how many.
    pub async fn unlock_sign_in(&self, login: &str) -> Result<u64, AppError> {
        Ok(self.meta().clear_login_failures(login, None).await?)
    }

    /// The session behind a cookie value, if live.
    pub async fn session(&self, cookie: &str) -> Result<Option<SessionRecord>, AppError> {
        if !tokens::well_formed(cookie) {
            return Ok(None);
        }
        Ok(self
            .meta()
            .session(&tokens::hash(cookie), self.now())
            .await?)
    }

    /// Ends a session.
    pub async fn sign_out(&self, cookie: &str) -> Result<(), AppError> {
        Ok(self.meta().delete_session(&tokens::hash(cookie)).await?)
    }

    /// Whether any user exists (the sign-in page explains how to create the first admin).
    pub async fn has_users(&self) -> Result<bool, AppError> {
        Ok(self.meta().any_user().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_delays_grow_and_are_capped() {
        assert_eq!(source_delay_ms(0), 0);
        assert_eq!(source_delay_ms(4), 0);
        assert_eq!(source_delay_ms(5), 32_000);
        assert_eq!(source_delay_ms(6), 64_000);
        assert_eq!(source_delay_ms(9), 512_000);
        assert_eq!(source_delay_ms(10), MAX_SOURCE_DELAY_MS);
        assert_eq!(source_delay_ms(u64::MAX), MAX_SOURCE_DELAY_MS);
    }
}
