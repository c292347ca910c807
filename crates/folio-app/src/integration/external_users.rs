//! External users: mapped by external id, created on first use.

use super::*;

/// The prefix of external users' internal logins; local logins may not start with it.
pub const EXTERNAL_LOGIN_PREFIX: &str = "ext:";

/// Whether `login` is acceptable for a local user: 1-64 characters, no whitespace or control
/// characters, and not in the external users' namespace (`ext:…`, case-insensitively).
pub fn valid_local_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 64
        && !login.chars().any(|c| c.is_whitespace() || c.is_control())
        && !login
            .get(..EXTERNAL_LOGIN_PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(EXTERNAL_LOGIN_PREFIX))
}

impl App {
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
        match self.meta().upsert_external_user(u, self.now()).await {
            Ok(user) => Ok(user),
            // The internal login `ext:<id>` is held by a local user created before that prefix
            // was reserved: a clear conflict, not a server error.
            Err(folio_store::StoreError::AlreadyExists) => Err(AppError::NameTaken {
                name: format!("{EXTERNAL_LOGIN_PREFIX}{id}"),
                place: crate::NamePlace::Users,
            }),
            Err(e) => Err(e.into()),
        }
    }
}
