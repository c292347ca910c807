//! Use cases behind the web pages: sign-in sessions (rate-limited, CSRF-protected) and the host
//! page model (which editor, which action URL, which token).

use folio_store::{Role, SessionRecord, UserRecord};
use folio_wopi::action_url::{self, ActionUrlParams};
use folio_wopi::{FileId, WopiError, naming};

use crate::editors::{EditorChoice, EditorKind};
use crate::error::{AppError, Forbidden, NamePlace};
use crate::{App, tokens};

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
    /// The user owns the file (the page handles UI_Sharing).
    pub is_owner: bool,
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
            is_owner: role == Role::Owner,
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

impl App {
    async fn folder_access(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<Option<Role>, AppError> {
        Ok(self.meta().folder_role(folder_id, &user.id).await?)
    }

    /// The folder as `user` sees it: owner, or shared with them (directly or above).
    pub async fn folder_view_shared(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<(FolderView, Role), AppError> {
        let role = self
            .folder_access(user, folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let meta = self.meta();
        let folder = meta
            .folder(folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let mut ancestors = Vec::new();
        let mut parent = folder.parent_id.clone();
        while let Some(pid) = parent {
            // Only ancestors the user may see appear in the breadcrumbs.
            if self.folder_access(user, &pid).await?.is_none() {
                break;
            }
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
        Ok((
            FolderView {
                folder,
                ancestors,
                folders,
                files,
            },
            role,
        ))
    }

    /// Streams an upload into a new file in `folder_id` (Editor on the folder needed).
    pub async fn upload(
        &self,
        user: &UserRecord,
        folder_id: &str,
        name: &str,
        body: folio_store::ByteStream,
    ) -> Result<folio_store::FileRecord, AppError> {
        if let Err(e) = naming::validate_file_name(name) {
            return Err(e.into());
        }
        match self.folder_access(user, folder_id).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Editor => {
                return Err(AppError::Forbidden(Forbidden::ViewOnlyFolder));
            }
            Some(_) => {}
        }
        let folder = self
            .meta()
            .folder(folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        if self.meta().file_by_name(folder_id, name).await?.is_some() {
            return Err(AppError::NameTaken {
                name: name.to_owned(),
                place: NamePlace::ThisFolder,
            });
        }
        let key = folio_store::BlobKey::generate();
        let put = match self
            .blobs()
            .put(&key, body, self.config().max_file_size)
            .await
        {
            Ok(p) => p,
            Err(folio_store::StoreError::TooLarge { limit }) => {
                return Err(AppError::TooLarge { limit });
            }
            Err(e) => return Err(e.into()),
        };
        let content = folio_store::ContentRecord {
            blob_key: key.as_str().to_owned(),
            size: put.size,
            sha256: put.sha256,
            created_at: self.now(),
            author_id: user.id.clone(),
            source: "upload".into(),
        };
        let exact = name.to_owned();
        let names = move |n: u32| (n == 0).then(|| exact.clone());
        let created = self
            .meta()
            .create_file(
                folio_store::NewFile {
                    folder_id: folder.id,
                    owner_id: folder.owner_id,
                    content,
                },
                &names,
                self.now(),
            )
            .await;
        match created {
            Ok(f) => Ok(f),
            Err(e) => {
                let _ = self.blobs().delete(&key).await;
                match e {
                    folio_store::StoreError::AlreadyExists => Err(AppError::NameTaken {
                        name: name.to_owned(),
                        place: NamePlace::ThisFolder,
                    }),
                    other => Err(other.into()),
                }
            }
        }
    }

    /// Creates a blank Word/Excel/PowerPoint document (generated by folio-ooxml) in a folder,
    /// named like "New document.docx" (numbered when taken).
    pub async fn new_document(
        &self,
        user: &UserRecord,
        folder_id: &str,
        kind: folio_ooxml::Kind,
    ) -> Result<folio_store::FileRecord, AppError> {
        let bytes = bytes::Bytes::from(folio_ooxml::blank(kind));
        let body: folio_store::ByteStream =
            Box::pin(futures::stream::once(async move { Ok(bytes) }));
        let base = kind.default_name();
        let mut name = base.to_owned();
        for n in 0..1000u32 {
            name = naming::nth_alternative(base, n);
            if self.meta().file_by_name(folder_id, &name).await?.is_none() {
                break;
            }
        }
        self.upload(user, folder_id, &name, body).await
    }

    /// Creates a subfolder.
    pub async fn new_folder(
        &self,
        user: &UserRecord,
        parent_id: &str,
        name: &str,
    ) -> Result<folio_store::FolderRecord, AppError> {
        if let Err(e) = naming::validate_file_name(name) {
            return Err(e.into());
        }
        match self.folder_access(user, parent_id).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Editor => {
                return Err(AppError::Forbidden(Forbidden::ViewOnlyFolder));
            }
            Some(_) => {}
        }
        match self.meta().create_folder(parent_id, name, self.now()).await {
            Ok(f) => Ok(f),
            Err(folio_store::StoreError::AlreadyExists) => Err(AppError::NameTaken {
                name: name.to_owned(),
                place: NamePlace::ThisFolder,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes an empty folder (owner or editor above it).
    pub async fn delete_folder(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<String, AppError> {
        let folder = match self.meta().folder(folder_id).await? {
            Some(f) => f,
            None => return Err(AppError::NotFound),
        };
        match self.folder_access(user, folder_id).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Editor => {
                return Err(AppError::Forbidden(Forbidden::ViewOnlyFolder));
            }
            Some(_) => {}
        }
        let parent = folder.parent_id.clone().unwrap_or_default();
        if self.meta().delete_folder(folder_id).await? {
            Ok(parent)
        } else {
            Err(AppError::NotEmpty)
        }
    }

    async fn writable_file(
        &self,
        user: &UserRecord,
        id: &FileId,
    ) -> Result<(folio_store::FileRecord, Role), AppError> {
        let Some(file) = self.meta().file(id).await? else {
            return Err(AppError::NotFound);
        };
        match self.meta().role(id, &user.id).await? {
            None => Err(AppError::NotFound),
            Some(r) if r < Role::Editor => Err(AppError::Forbidden(Forbidden::ViewOnlyFile)),
            Some(r) => Ok((file, r)),
        }
    }

    /// Renames a file (full new name; the id never changes). Refused while locked.
    pub async fn rename_from_web(
        &self,
        user: &UserRecord,
        id: &FileId,
        new_name: &str,
    ) -> Result<folio_store::FileRecord, AppError> {
        if let Err(e) = naming::validate_file_name(new_name) {
            return Err(e.into());
        }
        self.writable_file(user, id).await?;
        let exact = new_name.to_owned();
        let names = move |n: u32| (n == 0).then(|| exact.clone());
        let urls = self.webhook_urls();
        let build = |f: &folio_store::FileRecord| {
            self.make_event("file.renamed", self.file_event_data(f, Some(user)))
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
        };
        match self
            .meta()
            .rename_file_emitting(id, None, &names, self.now(), Some(&emit))
            .await?
        {
            Ok(f) => Ok(f),
            Err(WopiError::LockMismatch { .. }) => Err(AppError::Locked),
            Err(_) => Err(AppError::NameTaken {
                name: new_name.to_owned(),
                place: NamePlace::ThisFolder,
            }),
        }
    }

    /// Moves a file into another folder the user can write.
    pub async fn move_from_web(
        &self,
        user: &UserRecord,
        id: &FileId,
        folder_id: &str,
    ) -> Result<folio_store::FileRecord, AppError> {
        let (file, _) = self.writable_file(user, id).await?;
        match self.folder_access(user, folder_id).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Editor => {
                return Err(AppError::Forbidden(Forbidden::ViewOnlyTargetFolder));
            }
            Some(_) => {}
        }
        match self.meta().move_file(id, folder_id, self.now()).await? {
            Ok(f) => Ok(f),
            Err(_) => Err(AppError::NameTaken {
                name: file.name,
                place: NamePlace::TargetFolder,
            }),
        }
    }

    /// Deletes a file (refused while an editor holds its lock).
    pub async fn delete_from_web(
        &self,
        user: &UserRecord,
        id: &FileId,
    ) -> Result<String, AppError> {
        let (file, _) = self.writable_file(user, id).await?;
        let urls = self.webhook_urls();
        let build = |f: &folio_store::FileRecord| {
            self.make_event("file.deleted", self.file_event_data(f, Some(user)))
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
        };
        match self
            .meta()
            .delete_file_emitting(id, self.now(), Some(&emit))
            .await?
        {
            Ok(()) => Ok(file.folder_id),
            Err(_) => Err(AppError::Locked),
        }
    }

    /// Restores an old version as a new version (the old one stays listed).
    pub async fn restore_version(
        &self,
        user: &UserRecord,
        id: &FileId,
        version: i64,
    ) -> Result<folio_store::FileRecord, AppError> {
        self.writable_file(user, id).await?;
        let Some(old) = self
            .meta()
            .versions(id)
            .await?
            .into_iter()
            .find(|v| v.version == version)
        else {
            return Err(AppError::NotFound);
        };
        let content = folio_store::ContentRecord {
            created_at: self.now(),
            author_id: user.id.clone(),
            source: format!("restored from version {version}"),
            ..old.content
        };
        match self
            .meta()
            .commit_version(id, folio_store::WriteCheck::Unlocked, content, self.now())
            .await?
        {
            Ok(f) => Ok(f),
            Err(_) => Err(AppError::Locked),
        }
    }

    /// Shares a file or folder (owner only) with the user named `login` as viewer or editor.
    pub async fn share(
        &self,
        user: &UserRecord,
        target: ShareTarget<'_>,
        login: &str,
        role: Role,
    ) -> Result<(), AppError> {
        let Some(other) = self.meta().user_by_login(login.trim()).await? else {
            return Err(AppError::UnknownUser {
                login: login.trim().to_owned(),
            });
        };
        if other.id == user.id {
            return Err(AppError::ShareWithSelf);
        }
        let role = role.min(Role::Editor);
        match target {
            ShareTarget::File(id) => {
                match self.meta().role(id, &user.id).await? {
                    None => return Err(AppError::NotFound),
                    Some(r) if r < Role::Owner => {
                        return Err(AppError::Forbidden(Forbidden::OwnerOnly));
                    }
                    Some(_) => {}
                }
                self.meta().share_file(id, &other.id, role).await?;
            }
            ShareTarget::Folder(fid) => {
                match self.folder_access(user, fid).await? {
                    None => return Err(AppError::NotFound),
                    Some(r) if r < Role::Owner => {
                        return Err(AppError::Forbidden(Forbidden::OwnerOnly));
                    }
                    Some(_) => {}
                }
                self.meta().share_folder(fid, &other.id, role).await?;
            }
        }
        Ok(())
    }

    /// Files and folders shared with `user`.
    pub async fn shared_with_me(
        &self,
        user: &UserRecord,
    ) -> Result<
        (
            Vec<(folio_store::FolderRecord, Role)>,
            Vec<(folio_store::FileRecord, Role)>,
        ),
        AppError,
    > {
        Ok(self.meta().shared_with(&user.id).await?)
    }

    // ---- Administration ----------------------------------------------------------------

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
        if login.is_empty()
            || login.len() > 64
            || login.chars().any(|c| c.is_whitespace() || c.is_control())
        {
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

    /// Disables or re-enables a user.
    pub async fn admin_set_disabled(&self, user_id: &str, disabled: bool) -> Result<(), AppError> {
        Ok(self.meta().set_user_disabled(user_id, disabled).await?)
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

/// What is being shared.
#[derive(Debug, Clone, Copy)]
pub enum ShareTarget<'a> {
    /// A file.
    File(&'a FileId),
    /// A folder and everything in it.
    Folder(&'a str),
}
