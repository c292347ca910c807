//! Sign-in sessions: password sign-in (rate-limited per login, in the database), the session
//! behind a cookie, sign-out.

use super::*;

/// How long a browser session lasts: 12 hours.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
/// Sign-in attempts allowed per login in `LOGIN_WINDOW_MS` before further attempts are refused.
pub const MAX_LOGIN_FAILURES: u64 = 5;
/// The rate-limit window for failed sign-ins: 15 minutes.
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

impl App {
    /// Signs a user in with a password. Failures are counted per login (in the database, so the
    /// limit holds across replicas); after `MAX_LOGIN_FAILURES` in the window, refused.
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<NewSession, AppError> {
        let now = self.now();
        let meta = self.meta();
        if meta
            .login_failures_since(login, now - LOGIN_WINDOW_MS)
            .await?
            >= MAX_LOGIN_FAILURES
        {
            return Err(AppError::RateLimited);
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
        let Some(user) = user.filter(|_| ok) else {
            meta.record_login_failure(login, now).await?;
            return Err(AppError::BadCredentials);
        };
        let cookie = tokens::generate();
        let csrf = tokens::generate();
        let expires_at = now + SESSION_TTL_MS;
        meta.create_session(&tokens::hash(&cookie), &user.id, &csrf, expires_at, now)
            .await?;
        Ok(NewSession {
            cookie,
            csrf,
            expires_at,
        })
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
