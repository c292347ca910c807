//! The account page's use cases: a person changes their own password (the current one
//! required; every other session and connected app signed out, this browser signed in again),
//! lists their sign-in sessions and signs the others out.

use super::*;
use crate::audit::action::{PASSWORD_CHANGE, SIGN_OUT_OTHERS};

/// Wrong current passwords from the account page tolerated in the window before it is refused
/// for a while (a stolen session must not become a password oracle).
const FREE_PASSWORD_FAILURES: u64 = 5;
/// The "source" under which the account page's failures are counted.
const ACCOUNT_SOURCE: &str = "account-page";

/// One sign-in session as the account page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSession {
    /// Opaque id: hex of the session's stored hash (not the cookie, not a secret).
    pub id: String,
    /// Unix ms of the sign-in.
    pub created_at: i64,
    /// Unix ms it ends.
    pub expires_at: i64,
    /// The session of this request.
    pub current: bool,
}

impl App {
    /// The live sessions of the signed-in user, the one behind `cookie` marked current.
    pub async fn account_sessions(
        &self,
        user: &UserRecord,
        cookie: &str,
    ) -> Result<Vec<AccountSession>, AppError> {
        let current = tokens::hash(cookie);
        Ok(self
            .meta()
            .user_sessions(&user.id, self.now())
            .await?
            .into_iter()
            .map(|s| AccountSession {
                id: hex::encode(&s.hash),
                created_at: s.created_at,
                expires_at: s.expires_at,
                current: s.hash == current,
            })
            .collect())
    }

    /// Signs out every session of the user but the one behind `cookie`; how many ended.
    pub async fn sign_out_other_sessions(
        &self,
        user: &UserRecord,
        cookie: &str,
    ) -> Result<u64, AppError> {
        let n = self
            .meta()
            .end_other_sessions(&user.id, &tokens::hash(cookie))
            .await?;
        let event = self.audit_event(SIGN_OUT_OTHERS, Some(user), None, Some(format!("{n}")));
        self.audit(event).await;
        Ok(n)
    }

    /// Changes the user's own password: `current` must be right (`WrongPassword`; repeated
    /// failures are refused for a while, `RateLimited`), the new one follows the policy of
    /// every password (`WeakPassword`) and is typed twice (`PasswordsDiffer`). Every session
    /// and OAuth grant of the user ends (the store does that with the change); the returned
    /// session is this browser's new one.
    pub async fn change_own_password(
        &self,
        user: &UserRecord,
        current: &str,
        new: &str,
        again: &str,
    ) -> Result<NewSession, AppError> {
        let now = self.now();
        let since = now - LOGIN_WINDOW_MS;
        let (failures, last) = self
            .meta()
            .login_failures_from(&user.login, ACCOUNT_SOURCE, since)
            .await?;
        if failures >= FREE_PASSWORD_FAILURES
            && last.is_some_and(|l| now < l.saturating_add(source_delay_ms(failures)))
        {
            return Err(AppError::RateLimited);
        }
        let stored = self
            .meta()
            .user_by_id(&user.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let ok = stored
            .password_hash
            .as_deref()
            .is_some_and(|h| tokens::verify_password(current, h));
        if !ok {
            self.meta()
                .record_login_failure_from(&user.login, ACCOUNT_SOURCE, now)
                .await?;
            return Err(AppError::WrongPassword);
        }
        if new.len() < 8 {
            return Err(AppError::WeakPassword);
        }
        if new != again {
            return Err(AppError::PasswordsDiffer);
        }
        let hash = tokens::hash_password(new)
            .map_err(|_| WopiError::BadRequest("cannot hash password"))?;
        self.meta().set_password(&user.id, &hash).await?;
        self.meta()
            .clear_login_failures(&user.login, Some(ACCOUNT_SOURCE))
            .await?;
        let event = self.audit_event(PASSWORD_CHANGE, Some(user), None, None);
        self.audit(event).await;
        self.start_session(&user.id).await
    }
}
