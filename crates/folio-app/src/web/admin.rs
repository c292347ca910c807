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
            Ok(u) => Ok(u),
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
        if disabled {
            Ok(self.meta().disable_user(user_id, self.now()).await?)
        } else {
            Ok(self.meta().set_user_disabled(user_id, false).await?)
        }
    }

    /// Forgets the failed sign-ins of a user (the admin page's unlock).
    pub async fn admin_unlock_sign_in(&self, user_id: &str) -> Result<(), AppError> {
        let user = self
            .meta()
            .user_by_id(user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.unlock_sign_in(&user.login).await?;
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
        Ok(())
    }

    /// Live locks and editing sessions.
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
        Ok((
            self.meta().locked_files(now).await?,
            self.meta().editing_sessions(now).await?,
        ))
    }

    /// Releases a stuck lock.
    pub async fn admin_release_lock(&self, id: &FileId) -> Result<bool, AppError> {
        let file = self.meta().file(id).await?;
        let released = self.meta().force_unlock(id).await?;
        if let (true, Some(f)) = (released, file) {
            let mut data = self.file_event_data(&f, None);
            data["reason"] = serde_json::Value::from("released by an administrator");
            self.emit("lock.released", data).await;
        }
        Ok(released)
    }
}
