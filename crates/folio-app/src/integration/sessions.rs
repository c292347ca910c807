//! Editing sessions: a group of tokens for an external user, revocable as one; a one-time
//! launch code opens Folio's host page.

use super::*;

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

impl App {
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
                let event = self.audit_event(
                    crate::audit::action::FILE_SHARE,
                    Some(&folio_user),
                    Some(&file),
                    Some(format!(
                        "with {} as {} (editing session)",
                        folio_user.login,
                        if can_write { "editor" } else { "viewer" }
                    )),
                );
                self.meta()
                    .share_file(file_id, &folio_user.id, role, Some(&event))
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

    pub(crate) async fn mint_session_token(
        &self,
        s: &WopiSessionRecord,
        user_id: &str,
    ) -> Result<crate::MintedToken, AppError> {
        let secret = tokens::generate();
        let record = folio_store::TokenRecord {
            user_id: user_id.to_owned(),
            scope: folio_store::TokenScope::File(s.file_id.clone()),
            can_write: s.can_write,
            expires_at: s.expires_at,
            client: s.client.clone(),
            session_id: Some(s.id.clone()),
            link_id: None,
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

    pub(crate) async fn session_page(
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
}
