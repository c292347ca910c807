//! Use cases behind the web pages: sign-in sessions (rate-limited, CSRF-protected) and the host
//! page model (which editor, which action URL, which token).

use folio_store::{Role, SessionRecord, UserRecord};
use folio_wopi::action_url::{self, ActionUrlParams};
use folio_wopi::{FileId, WopiError, naming};

use crate::editors::{EditorChoice, EditorKind};
use crate::error::AppError;
use crate::{App, tokens};

/// How long a browser session lasts: 12 hours.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
/// Sign-in attempts allowed per login in `LOGIN_WINDOW_MS` before further attempts are refused.
pub const MAX_LOGIN_FAILURES: u64 = 5;
/// The rate-limit window for failed sign-ins: 15 minutes.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Why a sign-in failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    /// Unknown login or wrong password (indistinguishable on purpose).
    BadCredentials,
    /// Too many failures recently.
    RateLimited,
}

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

/// Everything the host page needs.
#[derive(Debug, Clone)]
pub struct HostPage {
    /// The file.
    pub file_id: FileId,
    /// File name (title).
    pub file_name: String,
    /// The editor chosen.
    pub editor: EditorChoice,
    /// The action URL (no token in it).
    pub action_url: String,
    /// The access token to POST.
    pub access_token: String,
    /// Its absolute expiry in ms.
    pub access_token_ttl: i64,
    /// The user's id (posted as `user_id`).
    pub user_id: String,
    /// The owner's id (posted as `owner_id`).
    pub owner_id: String,
    /// Microsoft 365 for the web is the editor: show the terms notice.
    pub microsoft_notice: bool,
    /// Where UI_Close goes.
    pub close_url: String,
    /// The edit variant of this page, if the user can edit and the editor offers edit.
    pub edit_url: Option<String>,
}

impl App {
    /// Signs a user in with a password. Failures are counted per login (in the database, so the
    /// limit holds across replicas); after `MAX_LOGIN_FAILURES` in the window, refused.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
    ) -> Result<Result<NewSession, SignInError>, AppError> {
        let now = self.now();
        let meta = self.meta();
        if meta
            .login_failures_since(login, now - LOGIN_WINDOW_MS)
            .await?
            >= MAX_LOGIN_FAILURES
        {
            return Ok(Err(SignInError::RateLimited));
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
            return Ok(Err(SignInError::BadCredentials));
        };
        let cookie = tokens::generate();
        let csrf = tokens::generate();
        let expires_at = now + SESSION_TTL_MS;
        meta.create_session(&tokens::hash(&cookie), &user.id, &csrf, expires_at, now)
            .await?;
        Ok(Ok(NewSession {
            cookie,
            csrf,
            expires_at,
        }))
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

    /// Builds the host page for `user` opening `file_id` with `action` (`None`: the editor's
    /// default; `edit` needs write permission) in `editor` (`None`: the first that handles the
    /// extension). `FileNotFound` when the user cannot see the file; `Unsupported` when no editor
    /// handles the extension/action.
    pub async fn host_page(
        &self,
        user: &UserRecord,
        file_id: &FileId,
        action: Option<&str>,
        editor: Option<&str>,
        language: &str,
    ) -> Result<HostPage, AppError> {
        let file = self
            .meta()
            .file(file_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let role = self
            .meta()
            .role(file_id, &user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let can_write = role >= Role::Editor;
        let (_, ext) = naming::split_ext(&file.name);
        let ext = ext.trim_start_matches('.');
        let wanted = match action {
            Some("edit") | Some("editnew") if !can_write => Some("view"),
            other => other,
        };
        let editors = self.editors();
        let choice = match editors.choose(ext, wanted, editor).await {
            Some(c) => c,
            None => {
                // An editor may only offer view (or only edit) for this extension.
                let fallback = if wanted == Some("edit") || wanted == Some("editnew") {
                    editors.choose(ext, Some("view"), editor).await
                } else {
                    editors.choose(ext, None, editor).await
                };
                fallback.ok_or(WopiError::Unsupported("no editor handles this file type"))?
            }
        };
        let writes = can_write && choice.action != "view" && choice.action != "embedview";
        let ttl = self.now() + self.config().token_ttl_ms;
        let minted = self
            .mint_token_for_client(
                &user.id,
                file_id,
                writes || can_write,
                ttl,
                Some(&choice.editor),
            )
            .await?;
        let params = ActionUrlParams {
            wopi_src: minted.wopi_src.clone(),
            ui_llcc: Some(action_url::llcc(language)),
            dc_llcc: Some(action_url::llcc(language)),
            host_session_id: Some(crate::folio_store::random_id(16)),
            ..Default::default()
        };
        let edit_url = (can_write
            && choice.action != "edit"
            && !editors.actions_for(ext).await.iter().all(|a| a != "edit"))
        .then(|| self.host_page_url(file_id, "edit"));
        Ok(HostPage {
            file_id: file_id.clone(),
            file_name: file.name.clone(),
            action_url: action_url::build_action_url(&choice.urlsrc, &params),
            microsoft_notice: choice.kind == EditorKind::Microsoft,
            editor: choice,
            access_token: minted.access_token,
            access_token_ttl: minted.access_token_ttl,
            user_id: user.id.clone(),
            owner_id: file.owner_id.clone(),
            close_url: self.folder_url(&file.folder_id),
            edit_url,
        })
    }
}

/// A folder as the file browser shows it.
#[derive(Debug, Clone)]
pub struct FolderView {
    /// The folder.
    pub folder: folio_store::FolderRecord,
    /// Ancestors, root first (id, name).
    pub ancestors: Vec<(String, String)>,
    /// Subfolders.
    pub folders: Vec<folio_store::FolderRecord>,
    /// Files.
    pub files: Vec<folio_store::FileRecord>,
}

/// A version as the version list shows it.
#[derive(Debug, Clone)]
pub struct VersionView {
    /// The version record.
    pub record: folio_store::VersionRecord,
    /// Display name of who saved it.
    pub author: String,
}

impl App {
    /// The folder `folder_id` as `user` sees it (`FileNotFound` if not theirs).
    pub async fn folder_view(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<FolderView, AppError> {
        let meta = self.meta();
        let folder = meta
            .folder(folder_id)
            .await?
            .filter(|f| f.owner_id == user.id)
            .ok_or(WopiError::FileNotFound)?;
        let mut ancestors = Vec::new();
        let mut parent = folder.parent_id.clone();
        while let Some(pid) = parent {
            let Some(p) = meta.folder(&pid).await? else {
                break;
            };
            let name = if p.parent_id.is_none() {
                "My files".to_owned()
            } else {
                p.name.clone()
            };
            ancestors.push((p.id.clone(), name));
            parent = p.parent_id.clone();
            if ancestors.len() > 64 {
                break;
            }
        }
        ancestors.reverse();
        let (folders, files) = meta.list_folder(&folder.id).await?;
        Ok(FolderView {
            folder,
            ancestors,
            folders,
            files,
        })
    }

    /// The file `id` if `user` can see it, with their role.
    pub async fn file_for_user(
        &self,
        user: &UserRecord,
        id: &FileId,
    ) -> Result<(folio_store::FileRecord, Role), AppError> {
        let file = self.meta().file(id).await?.ok_or(WopiError::FileNotFound)?;
        let role = self
            .meta()
            .role(id, &user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        Ok((file, role))
    }

    /// Every version of a file `user` can see, newest first, with author names.
    pub async fn versions_view(
        &self,
        user: &UserRecord,
        id: &FileId,
    ) -> Result<(folio_store::FileRecord, Vec<VersionView>), AppError> {
        let (file, _) = self.file_for_user(user, id).await?;
        let mut out = Vec::new();
        let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for v in self.meta().versions(id).await? {
            let author = match names.get(&v.content.author_id) {
                Some(n) => n.clone(),
                None => {
                    let n = self
                        .meta()
                        .user_by_id(&v.content.author_id)
                        .await?
                        .map_or_else(|| v.content.author_id.clone(), |u| u.name);
                    names.insert(v.content.author_id.clone(), n.clone());
                    n
                }
            };
            out.push(VersionView { record: v, author });
        }
        Ok((file, out))
    }

    /// Streams a file (current version, or `version`) for `user`.
    pub async fn download(
        &self,
        user: &UserRecord,
        id: &FileId,
        version: Option<i64>,
    ) -> Result<(String, u64, folio_store::ByteStream), AppError> {
        let (file, _) = self.file_for_user(user, id).await?;
        let content = match version {
            None => file.content.clone(),
            Some(v) => self
                .meta()
                .versions(id)
                .await?
                .into_iter()
                .find(|x| x.version == v)
                .map(|x| x.content)
                .ok_or(WopiError::FileNotFound)?,
        };
        let key = folio_store::BlobKey::parse(&content.blob_key).ok_or_else(|| {
            folio_store::StoreError::Backend("stored blob key is malformed".into())
        })?;
        let body = self.blobs().get(&key).await?;
        Ok((file.name, content.size, body))
    }
}
