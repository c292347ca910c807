//! The admin page's use cases: users, passwords, live locks and sessions, releasing a lock.

use super::*;

impl App {
    /// The parent of a folder, if any (for redirects).
    pub async fn meta_folder_parent(&self, folder_id: &str) -> Option<String> {
        self.meta()
            .folder(folder_id)
            .await
            .ok()
            .flatten()
            .and_then(|f| f.parent_id)
    }

    /// Every user (admins only; the caller checks).
    pub async fn admin_users(&self) -> Result<Vec<UserRecord>, AppError> {
        Ok(self.meta().list_users().await?)
    }

    /// Creates a user with a password.
    pub async fn admin_create_user(
        &self,
        login: &str,
        name: &str,
        password: &str,
        admin: bool,
    ) -> Result<UserRecord, AppError> {
        let login = login.trim();
        if !crate::integration::valid_local_login(login) {
            return Err(AppError::InvalidLogin);
        }
        if password.len() < 8 {
            return Err(AppError::WeakPassword);
        }
        let hash = tokens::hash_password(password)
            .map_err(|_| WopiError::BadRequest("cannot hash password"))?;
        let user = folio_store::NewUser {
            login: login.to_owned(),
            name: if name.trim().is_empty() {
                login.to_owned()
            } else {
                name.trim().to_owned()
            },
            email: String::new(),
            is_admin: admin,
            password_hash: Some(hash),
        };
        match self.meta().create_user(user, self.now()).await {
            Ok(u) => {
                self.audit_admin(crate::audit::action::ADMIN_USER_CREATE, &u.id)
                    .await;
                Ok(u)
            }
            Err(folio_store::StoreError::AlreadyExists) => Err(AppError::NameTaken {
                name: login.to_owned(),
                place: NamePlace::Users,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Disables a user for good (every sign-in session, access token and editing session
    /// ends; re-enabling revives none of them) or re-enables it.
    pub async fn admin_set_disabled(&self, user_id: &str, disabled: bool) -> Result<(), AppError> {
        use crate::audit::action::{ADMIN_USER_DISABLE, ADMIN_USER_ENABLE};
        if disabled {
            self.meta().disable_user(user_id, self.now()).await?;
            self.audit_admin(ADMIN_USER_DISABLE, user_id).await;
        } else {
            self.meta().set_user_disabled(user_id, false).await?;
            self.audit_admin(ADMIN_USER_ENABLE, user_id).await;
        }
        Ok(())
    }

    /// Forgets the failed sign-ins of a user (the admin page's unlock).
    pub async fn admin_unlock_sign_in(&self, user_id: &str) -> Result<(), AppError> {
        let user = self
            .meta()
            .user_by_id(user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.unlock_sign_in(&user.login).await?;
        self.audit_admin(crate::audit::action::ADMIN_SIGN_IN_UNLOCK, user_id)
            .await;
        Ok(())
    }

    /// Sets a new password (ending the user's sessions).
    pub async fn admin_reset_password(
        &self,
        user_id: &str,
        password: &str,
    ) -> Result<(), AppError> {
        if password.len() < 8 {
            return Err(AppError::WeakPassword);
        }
        let hash = tokens::hash_password(password)
            .map_err(|_| WopiError::BadRequest("cannot hash password"))?;
        self.meta().set_password(user_id, &hash).await?;
        self.audit_admin(crate::audit::action::ADMIN_PASSWORD_RESET, user_id)
            .await;
        Ok(())
    }

    /// Live locks and the editing sessions going on now (tokens minted for an editor and used
    /// in the last [`crate::audit::LIVE_SESSION_MS`]).
    pub async fn admin_activity(
        &self,
    ) -> Result<
        (
            Vec<folio_store::FileRecord>,
            Vec<folio_store::EditingSession>,
        ),
        AppError,
    > {
        let now = self.now();
        let mut sessions = self
            .meta()
            .editing_sessions(now, now - crate::audit::LIVE_SESSION_MS)
            .await?;
        // A guest's token speaks for the link's creator: name the guest, not the owner.
        for s in &mut sessions {
            if let Some(link) = &s.token.link_id {
                s.user_name = self
                    .author_name(&format!("{}{link}", crate::GUEST_PREFIX))
                    .await?;
            }
        }
        Ok((self.meta().locked_files(now).await?, sessions))
    }

    /// Releases a stuck lock (the WOPI lock and any coauth locks) by force. The release is
    /// remembered, so the editor's next PutFile, Unlock or RefreshLock with the old lock gets
    /// a 409 saying an administrator released it and when; the `lock.released` event and the
    /// audit row (actor: the signed-in administrator, else the API key's application) commit
    /// with the release. Returns whether there was a lock.
    pub async fn admin_release_lock(&self, id: &FileId) -> Result<bool, AppError> {
        let urls = self.webhook_urls();
        let build = |f: &folio_store::FileRecord| {
            let mut data = self.file_event_data(f, None);
            data["reason"] = serde_json::Value::from("released by an administrator");
            self.make_event("lock.released", data)
        };
        let audit = |f: &folio_store::FileRecord| {
            let detail = match &f.lock {
                Some(l) if l.is_live(self.now()) => format!("lock {}", l.id),
                _ => "coauth locks".to_owned(),
            };
            self.audit_event(
                crate::audit::action::ADMIN_LOCK_RELEASE,
                None,
                Some(f),
                Some(detail),
            )
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: Some(&audit),
        };
        let released = self
            .meta()
            .force_unlock(id, self.now(), Some(&emit))
            .await?;
        Ok(released.is_some())
    }

    /// Records an administrator's account action (after it succeeded).
    pub(crate) async fn audit_admin(&self, action: &str, target: &str) {
        let detail = match self.meta().user_by_id(target).await {
            Ok(Some(u)) => format!("user {}", u.login),
            _ => format!("user id {target}"),
        };
        let event = self.audit_event(action, None, None, Some(detail));
        self.audit(event).await;
    }
}
