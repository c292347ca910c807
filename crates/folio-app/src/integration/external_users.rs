//! External users: mapped by external id, created on first use.

use super::*;

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
        Ok(self.meta().upsert_external_user(u, self.now()).await?)
    }
}
