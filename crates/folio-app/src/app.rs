//! The use cases. Every WOPI operation starts with `authorize`, which turns an access token and
//! the file id of the URL into a `Principal` (user, file, role) or a 401/404 condition.

use std::sync::Arc;

use base64::Engine;
use folio_store::metadata::WriteCheck;
use folio_store::*;
use folio_wopi::clock::Clock;
use folio_wopi::lock::{self, LockRequest, LockState};
use folio_wopi::operation::{Permission, WopiOperation};
use folio_wopi::proof::ProofHeaders;
use folio_wopi::wire::{self, CheckFileInfo};
use folio_wopi::{FileId, LockId, WopiError, naming};
use hmac::{KeyInit, Mac};

use crate::editors::{EditorKind, Editors};
use crate::error::AppError;
use crate::tokens;

/// Settings the use cases need (validated by the binary).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The origin WOPI clients and browsers see, without a trailing slash
    /// (e.g. `https://folio.example.com`). Every URL Folio returns starts with it.
    pub public_url: String,
    /// Lifetime of an access token minted from a primary login, in ms (default 10 h).
    pub token_ttl_ms: i64,
    /// Largest file content accepted, in bytes.
    pub max_file_size: u64,
    /// How long a `FileUrl` stays valid, in ms.
    pub file_url_ttl_ms: i64,
    /// Integration API settings (webhooks, launch links).
    pub integration: crate::integration::IntegrationConfig,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            token_ttl_ms: 10 * 3600 * 1000,
            max_file_size: 2 << 30,
            file_url_ttl_ms: 10 * 60 * 1000,
            integration: Default::default(),
        }
    }
}

/// The application: stores, clock, settings.
pub struct App {
    editors: Arc<Editors>,
    meta: Arc<dyn MetadataStore>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    file_url_key: Vec<u8>,
}

/// A WOPI request as `App::authorize_wopi` sees it (parsed by the HTTP layer).
#[derive(Debug, Clone)]
pub struct WopiAuthRequest<'a> {
    /// The access token (query parameter or `Authorization: Bearer`), if any.
    pub token: Option<&'a str>,
    /// The file id of the URL.
    pub file_id: &'a FileId,
    /// The path and query exactly as received (the proof signs public URL + this).
    pub path_and_query: &'a str,
    /// The `X-WOPI-Proof`, `X-WOPI-ProofOld` and `X-WOPI-TimeStamp` headers.
    pub proof: ProofHeaders<'a>,
}

/// Who is asking, about which file, with which rights — the result of `authorize`.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The token's user.
    pub user: UserRecord,
    /// The token.
    pub token: TokenRecord,
    /// The file (current state).
    pub file: FileRecord,
    /// The user's role on the file.
    pub role: Role,
}

impl Principal {
    /// Whether this request may change the file: the token allows it and the role does.
    pub fn can_write(&self) -> bool {
        self.token.can_write && self.role >= Role::Editor
    }
}

/// A minted access token, as handed to a WOPI client.
#[derive(Debug, Clone)]
pub struct MintedToken {
    /// The secret.
    pub access_token: String,
    /// Absolute expiry in Unix ms (`access_token_ttl`).
    pub access_token_ttl: i64,
    /// The file's WOPISrc.
    pub wopi_src: String,
}

/// GetFile: the file and a stream of its bytes.
pub struct FileContent {
    /// The file as read.
    pub file: FileRecord,
    /// Its bytes.
    pub body: ByteStream,
}

/// Client extras on PutFile.
#[derive(Debug, Clone, Default)]
pub struct PutOptions {
    /// Collabora `X-COOL-WOPI-Timestamp`: the LastModifiedTime the client's edit is based on.
    pub expected_modified_time: Option<String>,
    /// Save flags to record with the version (e.g. "autosave", "exit save", "no user change").
    pub flags: Vec<&'static str>,
}

/// How PutRelativeFile names its target.
#[derive(Debug, Clone)]
pub enum RelativeTarget {
    /// `X-WOPI-SuggestedTarget`: an extension or a name the host may adjust.
    Suggested(String),
    /// `X-WOPI-RelativeTarget`: this exact name.
    Relative {
        /// The name.
        name: String,
        /// `X-WOPI-OverwriteRelativeTarget`.
        overwrite: bool,
    },
}

/// The result of PutRelativeFile.
#[derive(Debug, Clone)]
pub struct RelativeCreated {
    /// The new (or overwritten) file.
    pub file: FileRecord,
    /// A token for it, expiring with the request's token.
    pub token: MintedToken,
}

/// Where a sweep got to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Blobs no version references, deleted.
    pub orphan_blobs: u64,
    /// Temp files of interrupted uploads, deleted.
    pub incomplete_uploads: u64,
    /// Expired tokens purged.
    pub expired_tokens: u64,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

impl App {
    /// Builds the app. Loads (or creates) the host secret that signs `FileUrl`s.
    pub async fn new(
        meta: Arc<dyn MetadataStore>,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        config: AppConfig,
        editors: Arc<Editors>,
    ) -> Result<Self, AppError> {
        let fresh = random_id(48);
        let file_url_key = meta.secret("file-url-key", fresh.as_bytes()).await?;
        Ok(Self {
            editors,
            meta,
            blobs,
            clock,
            config,
            file_url_key,
        })
    }

    /// The settings.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Now, from the app's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The configured editors (WOPI clients).
    pub fn editors(&self) -> &Arc<Editors> {
        &self.editors
    }

    /// The page of a folder (where the editor's Close leads).
    pub fn folder_url(&self, folder_id: &str) -> String {
        format!("{}/folders/{}", self.config.public_url, folder_id)
    }

    /// The version list page of a file.
    pub fn versions_url(&self, id: &FileId) -> String {
        format!("{}/files/{}/versions", self.config.public_url, id)
    }

    /// The sharing page of a file (for its owner).
    pub fn share_url_page(&self, id: &FileId) -> String {
        format!("{}/files/{}/share", self.config.public_url, id)
    }

    /// The download link of a file (for signed-in users).
    pub fn download_url(&self, id: &FileId) -> String {
        format!("{}/files/{}/download", self.config.public_url, id)
    }

    /// The origin part of the public URL (`scheme://host[:port]`), for PostMessageOrigin.
    pub fn public_origin(&self) -> String {
        let u = &self.config.public_url;
        let after_scheme = u.find("://").map_or(0, |i| i + 3);
        match u[after_scheme..].find('/') {
            Some(i) => u[..after_scheme + i].to_owned(),
            None => u.clone(),
        }
    }

    /// The blob store.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    /// The metadata store (for the binary's admin commands).
    pub fn meta(&self) -> &Arc<dyn MetadataStore> {
        &self.meta
    }

    /// The WOPISrc of a file.
    pub fn wopi_src(&self, id: &FileId) -> String {
        format!("{}/wopi/files/{}", self.config.public_url, id)
    }

    /// Host page URL of a file for an action (`view`, `edit`).
    pub fn host_page_url(&self, id: &FileId, action: &str) -> String {
        format!("{}/open/{}?action={}", self.config.public_url, id, action)
    }

    // ---- Readiness -------------------------------------------------------------------------

    /// Checks both stores.
    pub async fn ready(&self) -> Result<(), AppError> {
        self.meta.ping().await?;
        self.blobs.ping().await?;
        Ok(())
    }

    // ---- Tokens ----------------------------------------------------------------------------

    /// Mints a token for (user, file, permission), expiring at `expires_at`.
    pub async fn mint_token(
        &self,
        user_id: &str,
        file_id: &FileId,
        can_write: bool,
        expires_at: i64,
    ) -> Result<MintedToken, AppError> {
        self.mint_token_for_client(user_id, file_id, can_write, expires_at, None)
            .await
    }

    /// Mints a token bound to a WOPI client (editor) name.
    pub async fn mint_token_for_client(
        &self,
        user_id: &str,
        file_id: &FileId,
        can_write: bool,
        expires_at: i64,
        client: Option<&str>,
    ) -> Result<MintedToken, AppError> {
        let secret = tokens::generate();
        let record = TokenRecord {
            user_id: user_id.to_owned(),
            file_id: file_id.clone(),
            can_write,
            expires_at,
            client: client.map(str::to_owned),
            session_id: None,
        };
        self.meta
            .insert_token(&tokens::hash(&secret), &record, self.now())
            .await?;
        Ok(MintedToken {
            access_token: secret,
            access_token_ttl: expires_at,
            wopi_src: self.wopi_src(file_id),
        })
    }

    /// Mints a token for a user (by login) on a file they can see. `ttl_ms` defaults to the
    /// configured lifetime. A file the user cannot see is `FileNotFound`.
    pub async fn mint_token_for_login(
        &self,
        login: &str,
        file_id: &FileId,
        view_only: bool,
        ttl_ms: Option<i64>,
    ) -> Result<MintedToken, AppError> {
        let user = self
            .meta
            .user_by_login(login)
            .await?
            .ok_or(WopiError::BadRequest("no such user"))?;
        let role = self
            .meta
            .role(file_id, &user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let can_write = !view_only && role >= Role::Editor;
        let ttl = ttl_ms.unwrap_or(self.config.token_ttl_ms);
        self.mint_token(&user.id, file_id, can_write, self.now() + ttl)
            .await
    }

    /// Revokes a token; later requests with it get 401.
    pub async fn revoke_token(&self, token: &str) -> Result<bool, AppError> {
        Ok(self.meta.revoke_token(&tokens::hash(token)).await?)
    }

    /// Checks a WOPI request's token against the file id in its URL and the permission the
    /// operation needs. 401: missing, malformed, unknown, expired, revoked, or for another file.
    /// 404: the file does not exist or the user cannot see it (or may not write it).
    pub async fn authorize(
        &self,
        token: Option<&str>,
        file_id: &FileId,
        needed: Permission,
    ) -> Result<Principal, AppError> {
        let token = token
            .filter(|t| tokens::well_formed(t))
            .ok_or(WopiError::InvalidToken)?;
        let (record, user) = self
            .meta
            .token(&tokens::hash(token))
            .await?
            .ok_or(WopiError::InvalidToken)?;
        if record.expires_at <= self.now() || record.file_id != *file_id {
            return Err(WopiError::InvalidToken.into());
        }
        let file = self
            .meta
            .file(file_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let role = if file.owner_id == user.id {
            Role::Owner
        } else {
            self.meta
                .role(file_id, &user.id)
                .await?
                .ok_or(WopiError::FileNotFound)?
        };
        let p = Principal {
            user,
            token: record,
            file,
            role,
        };
        if needed == Permission::Write && !p.can_write() {
            return Err(WopiError::NotPermitted.into());
        }
        Ok(p)
    }

    /// The one WOPI authorization use case: the operation (a parse failure still authorizes
    /// for reading first, so 401/404 win over 501), then the token (`authorize`), then the
    /// proof-key headers against the editor the token was minted for (or every enforcing editor
    /// for tokens minted without one). The signed URL is the public URL plus the path and query
    /// exactly as received, so it matches what the client requested through a TLS-terminating
    /// proxy. A failed proof is `ProofRejected` (logged once, by the HTTP boundary).
    pub async fn authorize_wopi(
        &self,
        op: Result<WopiOperation, WopiError>,
        req: &WopiAuthRequest<'_>,
    ) -> Result<(WopiOperation, Principal), AppError> {
        let needed = match &op {
            Ok(op) => op.required_permission(),
            Err(_) => Permission::Read,
        };
        let principal = self.authorize(req.token, req.file_id, needed).await?;
        let url = format!("{}{}", self.config.public_url, req.path_and_query);
        if let Err(e) = self
            .editors
            .verify_proof(
                principal.token.client.as_deref(),
                req.token.unwrap_or(""),
                &url,
                &req.proof,
                self.now(),
            )
            .await
        {
            return Err(AppError::ProofRejected { reason: e.0 });
        }
        Ok((op?, principal))
    }

    // ---- CheckFileInfo --------------------------------------------------------------------

    /// A self-authorised URL to the current bytes of a file (`FileUrl`), valid for a few
    /// minutes and never beyond the token's own expiry.
    pub fn file_url(&self, id: &FileId, token_expires_at: i64) -> String {
        let exp = (self.now() + self.config.file_url_ttl_ms).min(token_expires_at);
        format!(
            "{}/blob/{}?e={}&s={}",
            self.config.public_url,
            id,
            exp,
            self.file_url_signature(id, exp)
        )
    }

    fn file_url_signature(&self, id: &FileId, exp: i64) -> String {
        match HmacSha256::new_from_slice(&self.file_url_key) {
            Ok(mut mac) => {
                mac.update(format!("fileurl\n{id}\n{exp}").as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    /// Serves a `FileUrl`: checks its signature and expiry, then streams the current bytes.
    pub async fn get_file_by_url(
        &self,
        id: &FileId,
        exp: i64,
        sig: &str,
    ) -> Result<FileContent, AppError> {
        let expected = self.file_url_signature(id, exp);
        let valid = !expected.is_empty()
            && expected.len() == sig.len()
            && expected
                .bytes()
                .zip(sig.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !valid || exp <= self.now() {
            return Err(WopiError::InvalidToken.into());
        }
        let file = self.meta.file(id).await?.ok_or(WopiError::FileNotFound)?;
        self.stream(file).await
    }

    /// WOPI CheckFileInfo, shaped for the client the token was minted for (docs/CLIENTS.md).
    pub async fn check_file_info(&self, p: &Principal) -> Result<CheckFileInfo, AppError> {
        let f = &p.file;
        let (_, ext) = naming::split_ext(&f.name);
        let folder_name = f
            .folder_name
            .clone()
            .unwrap_or_else(|| "My files".to_owned());
        let kind = match &p.token.client {
            Some(c) => self.editors.kind_of(c).await,
            None => None,
        };
        let can_write = p.can_write();
        // People who came through the integration API return to the application on Close.
        let close_url = match &p.token.session_id {
            Some(sid) => self
                .meta
                .wopi_session(sid)
                .await?
                .and_then(|s| s.close_url)
                .unwrap_or_else(|| self.folder_url(&f.folder_id)),
            None => self.folder_url(&f.folder_id),
        };
        let mut extra = serde_json::Map::new();
        match kind {
            Some(EditorKind::Collabora) => {
                // Collabora extensions (CollaboraOnline/online wsd/wopi/WopiStorage.cpp).
                for (k, v) in [
                    ("EnableOwnerTermination", false),
                    ("EnableInsertRemoteImage", false),
                    ("DisableExport", false),
                    ("DisableCopy", false),
                    ("HidePrintOption", false),
                    ("HideSaveOption", false),
                    ("HideExportOption", false),
                ] {
                    extra.insert(k.into(), serde_json::Value::Bool(v));
                }
                extra.insert(
                    "UserExtraInfo".into(),
                    serde_json::json!({ "mail": p.user.email }),
                );
            }
            Some(EditorKind::OnlyOffice) => {
                extra.insert("SupportsReviewing".into(), serde_json::Value::Bool(false));
                extra.insert("UserCanReview".into(), serde_json::Value::Bool(false));
                extra.insert(
                    "EnableInsertRemoteImage".into(),
                    serde_json::Value::Bool(false),
                );
            }
            _ => {}
        }
        Ok(CheckFileInfo {
            base_file_name: f.name.clone(),
            owner_id: f.owner_id.clone(),
            size: f.content.size,
            user_id: p.user.id.clone(),
            version: f.version.to_string(),
            file_extension: ext.to_owned(),
            file_name_max_length: naming::MAX_NAME_LEN as u32,
            last_modified_time: wire::format_wopi_time(f.content.created_at),
            sha256: b64(&f.content.sha256),
            user_friendly_name: p.user.name.clone(),
            user_info: p.user.user_info.clone(),
            is_anonymous_user: false,
            is_edu_user: false,
            license_check_for_edit_is_enabled: false,
            supports_locks: true,
            supports_get_lock: true,
            supports_extended_lock_length: true,
            supports_update: true,
            supports_rename: true,
            supports_delete_file: true,
            supports_user_info: true,
            supports_containers: false,
            supported_share_url_types: vec!["ReadOnly".into(), "ReadWrite".into()],
            user_can_write: can_write,
            user_can_rename: can_write,
            user_can_not_write_relative: !can_write,
            read_only: !can_write,
            web_editing_disabled: false,
            host_view_url: Some(self.host_page_url(&f.id, "view")),
            host_edit_url: can_write.then(|| self.host_page_url(&f.id, "edit")),
            close_url: Some(close_url),
            download_url: Some(self.download_url(&f.id)),
            file_version_url: Some(self.versions_url(&f.id)),
            file_sharing_url: (p.role == Role::Owner).then(|| self.share_url_page(&f.id)),
            file_url: (kind != Some(EditorKind::OnlyOffice))
                .then(|| self.file_url(&f.id, p.token.expires_at)),
            breadcrumb_brand_name: "Folio".into(),
            breadcrumb_brand_url: Some(format!("{}/", self.config.public_url)),
            breadcrumb_doc_name: f.name.clone(),
            breadcrumb_folder_name: folder_name,
            breadcrumb_folder_url: Some(self.folder_url(&f.folder_id)),
            // The host page (routes/ui/host_page) handles exactly these messages.
            post_message_origin: Some(self.public_origin()),
            close_post_message: true,
            edit_mode_post_message: can_write,
            file_sharing_post_message: p.role == Role::Owner,
            file_version_post_message: true,
            extra,
        })
    }

    // ---- GetFile / PutFile ----------------------------------------------------------------

    async fn stream(&self, file: FileRecord) -> Result<FileContent, AppError> {
        let key = BlobKey::parse(&file.content.blob_key)
            .ok_or_else(|| StoreError::Backend("stored blob key is malformed".into()))?;
        let body = self.blobs.get(&key).await?;
        Ok(FileContent { file, body })
    }

    /// WOPI GetFile. `max_expected`: `X-WOPI-MaxExpectedSize` (larger file → 412).
    pub async fn get_file(
        &self,
        p: Principal,
        max_expected: Option<u64>,
    ) -> Result<FileContent, AppError> {
        if let Some(max) = max_expected
            && p.file.content.size > max
        {
            return Err(WopiError::LargerThanExpected.into());
        }
        self.stream(p.file).await
    }

    /// Streams `body` into a new blob (bounded by the configured maximum).
    async fn store_blob(&self, body: ByteStream) -> Result<(BlobKey, PutBlob), AppError> {
        let key = BlobKey::generate();
        let put = self
            .blobs
            .put(&key, body, self.config.max_file_size)
            .await?;
        Ok((key, put))
    }

    fn content(&self, key: &BlobKey, put: &PutBlob, author: &str, source: &str) -> ContentRecord {
        ContentRecord {
            blob_key: key.as_str().to_owned(),
            size: put.size,
            sha256: put.sha256.clone(),
            created_at: self.now(),
            author_id: author.to_owned(),
            source: source.to_owned(),
        }
    }

    /// Commits a new version after the blob is written; if the commit does not happen, the
    /// blob is deleted (and the sweep would collect it after a crash).
    async fn commit(
        &self,
        id: &FileId,
        check: WriteCheck,
        key: &BlobKey,
        content: ContentRecord,
    ) -> Result<FileRecord, AppError> {
        self.commit_emitting(id, check, key, content, None).await
    }

    /// `commit`, appending a webhook event in the same transaction.
    async fn commit_emitting(
        &self,
        id: &FileId,
        check: WriteCheck,
        key: &BlobKey,
        content: ContentRecord,
        emit: Option<&folio_store::Emit<'_>>,
    ) -> Result<FileRecord, AppError> {
        let result = self
            .meta
            .commit_version_emitting(id, check, content, self.now(), emit)
            .await;
        match result {
            Ok(Ok(file)) => Ok(file),
            Ok(Err(e)) => {
                let _ = self.blobs.delete(key).await;
                Err(e.into())
            }
            Err(e) => {
                let _ = self.blobs.delete(key).await;
                Err(e.into())
            }
        }
    }

    /// WOPI PutFile: the lock rule is checked before the body is read (a mismatch costs no
    /// upload) and again atomically with the commit. `opts` carries client extras (Collabora's
    /// timestamp check and save flags).
    pub async fn put_file(
        &self,
        p: Principal,
        lock_header: Option<LockId>,
        body: ByteStream,
        opts: PutOptions,
    ) -> Result<FileRecord, AppError> {
        let expected_version = match &opts.expected_modified_time {
            Some(t) if *t != wire::format_wopi_time(p.file.content.created_at) => {
                return Err(WopiError::ContentChanged.into());
            }
            Some(_) => Some(p.file.version),
            None => None,
        };
        lock::check_put_file(
            p.file.lock.as_ref(),
            lock_header.as_ref(),
            p.file.content.size,
            self.now(),
        )?;
        let (key, put) = self.store_blob(body).await?;
        let source = match (&p.token.client, opts.flags.is_empty()) {
            (Some(c), true) => c.clone(),
            (Some(c), false) => format!("{c} ({})", opts.flags.join(", ")),
            (None, true) => "wopi".to_owned(),
            (None, false) => format!("wopi ({})", opts.flags.join(", ")),
        };
        let content = self.content(&key, &put, &p.user.id, &source);
        let check = WriteCheck::PutFile {
            lock: lock_header,
            expected_version,
        };
        let urls = self.webhook_urls();
        let build =
            |f: &FileRecord| self.make_event("file.saved", self.file_event_data(f, Some(&p.user)));
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
        };
        self.commit_emitting(&p.file.id, check, &key, content, Some(&emit))
            .await
    }

    // ---- Locks ----------------------------------------------------------------------------

    /// WOPI Lock, RefreshLock, Unlock, UnlockAndRelock.
    pub async fn lock(
        &self,
        p: &Principal,
        request: LockRequest,
    ) -> Result<(Option<LockState>, FileRecord), AppError> {
        let urls = if matches!(request, LockRequest::Unlock(_)) {
            self.webhook_urls()
        } else {
            Vec::new()
        };
        let build = |f: &FileRecord| {
            let mut data = self.file_event_data(f, Some(&p.user));
            data["reason"] = serde_json::Value::from("unlocked");
            self.make_event("lock.released", data)
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
        };
        let out = self
            .meta
            .apply_lock_emitting(&p.file.id, &request, self.now(), Some(&emit))
            .await??;
        Ok(out)
    }

    /// WOPI GetLock: the live lock, if any. Never creates or refreshes one.
    pub fn get_lock(&self, p: &Principal) -> Option<LockId> {
        lock::live(p.file.lock.as_ref(), self.now()).map(|l| l.id.clone())
    }

    // ---- PutRelativeFile / RenameFile / DeleteFile ----------------------------------------

    /// WOPI PutRelativeFile: creates a file next to the source (or overwrites an unlocked
    /// one in relative mode with overwrite), and mints a token for it that expires with the
    /// request's token.
    pub async fn put_relative_file(
        &self,
        p: Principal,
        target: RelativeTarget,
        body: ByteStream,
    ) -> Result<RelativeCreated, AppError> {
        let folder = p.file.folder_id.clone();
        // Decide the name, and fail fast (before reading the body) where the answer is known.
        let (name, overwrite) = match &target {
            RelativeTarget::Suggested(s) => (naming::suggested_target(&p.file.name, s), false),
            RelativeTarget::Relative { name, overwrite } => {
                if let Err(e) = naming::validate_file_name(name) {
                    return Err(WopiError::InvalidName {
                        reason: e.to_string(),
                        suggestion: Some(naming::sanitize(name)),
                    }
                    .into());
                }
                (name.clone(), *overwrite)
            }
        };
        let existing = self.meta.file_by_name(&folder, &name).await?;
        if let (RelativeTarget::Relative { .. }, Some(existing)) = (&target, &existing) {
            if !overwrite {
                return Err(WopiError::NameExists {
                    suggestion: Some(self.free_name(&folder, &name).await?),
                }
                .into());
            }
            lock::check_unlocked(existing.lock.as_ref(), self.now())?;
            if self.meta.role(&existing.id, &p.user.id).await? < Some(Role::Editor) {
                return Err(WopiError::Unsupported("not allowed to overwrite the target").into());
            }
        }
        let (key, put) = self.store_blob(body).await?;
        let content = self.content(&key, &put, &p.user.id, "wopi");
        let file = match (&target, existing) {
            (RelativeTarget::Relative { .. }, Some(existing)) => {
                self.commit(&existing.id, WriteCheck::Unlocked, &key, content)
                    .await?
            }
            _ => {
                let exact = matches!(target, RelativeTarget::Relative { .. });
                let base = name.clone();
                let names = move |n: u32| {
                    if exact {
                        (n == 0).then(|| base.clone())
                    } else {
                        (n < 1000).then(|| naming::nth_alternative(&base, n))
                    }
                };
                let created = self
                    .meta
                    .create_file(
                        NewFile {
                            folder_id: folder.clone(),
                            owner_id: p.file.owner_id.clone(),
                            content,
                        },
                        &names,
                        self.now(),
                    )
                    .await;
                match created {
                    Ok(f) => f,
                    Err(StoreError::AlreadyExists) => {
                        let _ = self.blobs.delete(&key).await;
                        return Err(WopiError::NameExists {
                            suggestion: Some(self.free_name(&folder, &name).await?),
                        }
                        .into());
                    }
                    Err(e) => {
                        let _ = self.blobs.delete(&key).await;
                        return Err(e.into());
                    }
                }
            }
        };
        if file.owner_id != p.user.id {
            self.meta
                .share_file(&file.id, &p.user.id, Role::Editor)
                .await?;
        }
        let token = self
            .mint_token(&p.user.id, &file.id, true, p.token.expires_at)
            .await?;
        Ok(RelativeCreated { file, token })
    }

    async fn free_name(&self, folder: &str, name: &str) -> Result<String, AppError> {
        for n in 1..1000 {
            let candidate = naming::nth_alternative(name, n);
            if self.meta.file_by_name(folder, &candidate).await?.is_none() {
                return Ok(candidate);
            }
        }
        Ok(naming::nth_alternative(name, 1000))
    }

    /// WOPI RenameFile: `requested` is the new name without extension. The id never changes.
    /// A taken name gets the first free numbered alternative.
    pub async fn rename_file(
        &self,
        p: &Principal,
        requested: &str,
        lock_header: Option<LockId>,
    ) -> Result<FileRecord, AppError> {
        let name =
            naming::rename_target(&p.file.name, requested).map_err(|e| WopiError::InvalidName {
                reason: e.to_string(),
                suggestion: None,
            })?;
        let names = move |n: u32| (n < 1000).then(|| naming::nth_alternative(&name, n));
        let urls = self.webhook_urls();
        let build = |f: &FileRecord| {
            let mut data = self.file_event_data(f, Some(&p.user));
            data["previous_name"] = serde_json::Value::from(p.file.name.clone());
            self.make_event("file.renamed", data)
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
        };
        let renamed = self
            .meta
            .rename_file_emitting(
                &p.file.id,
                lock_header.as_ref(),
                &names,
                self.now(),
                Some(&emit),
            )
            .await??;
        Ok(renamed)
    }

    /// WOPI DeleteFile: only an unlocked file; afterwards every request for it is a 404.
    pub async fn delete_file(&self, p: &Principal) -> Result<(), AppError> {
        let urls = self.webhook_urls();
        let build = |f: &FileRecord| {
            self.make_event("file.deleted", self.file_event_data(f, Some(&p.user)))
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
        };
        self.meta
            .delete_file_emitting(&p.file.id, self.now(), Some(&emit))
            .await??;
        Ok(())
    }

    // ---- PutUserInfo / GetShareUrl --------------------------------------------------------

    /// WOPI PutUserInfo: stores the string for the user (any file).
    pub async fn put_user_info(&self, p: &Principal, info: &str) -> Result<(), AppError> {
        if info.len() > 1024 {
            return Err(WopiError::BadRequest("UserInfo is longer than 1024 characters").into());
        }
        self.meta.set_user_info(&p.user.id, info).await?;
        Ok(())
    }

    /// WOPI GetShareUrl: `ReadOnly` or `ReadWrite`; anything else is unsupported (501).
    pub fn share_url(&self, p: &Principal, url_type: Option<&str>) -> Result<String, AppError> {
        match url_type {
            Some("ReadOnly") => Ok(self.host_page_url(&p.file.id, "view")),
            Some("ReadWrite") => Ok(self.host_page_url(&p.file.id, "edit")),
            _ => Err(WopiError::Unsupported("unknown share URL type").into()),
        }
    }

    // ---- Administration -------------------------------------------------------------------

    /// Creates a user (and their root folder).
    pub async fn create_user(&self, user: NewUser) -> Result<UserRecord, AppError> {
        Ok(self.meta.create_user(user, self.now()).await?)
    }

    /// Imports a file for `owner_login` into `folder` (names, root first), streaming `body`.
    /// The name must be free in that folder.
    pub async fn import_file(
        &self,
        owner_login: &str,
        folder: &[String],
        name: &str,
        body: ByteStream,
    ) -> Result<FileRecord, AppError> {
        naming::validate_file_name(name).map_err(|e| WopiError::InvalidName {
            reason: e.to_string(),
            suggestion: None,
        })?;
        for part in folder {
            naming::validate_file_name(part).map_err(|e| WopiError::InvalidName {
                reason: format!("folder {part:?}: {e}"),
                suggestion: None,
            })?;
        }
        let owner = self
            .meta
            .user_by_login(owner_login)
            .await?
            .ok_or(WopiError::BadRequest("no such user"))?;
        let folder = self
            .meta
            .ensure_folder_path(&owner.id, folder, self.now())
            .await?;
        if self.meta.file_by_name(&folder.id, name).await?.is_some() {
            return Err(WopiError::NameExists { suggestion: None }.into());
        }
        let (key, put) = self.store_blob(body).await?;
        let content = self.content(&key, &put, &owner.id, "import");
        let exact = name.to_owned();
        let names = move |n: u32| (n == 0).then(|| exact.clone());
        let created = self
            .meta
            .create_file(
                NewFile {
                    folder_id: folder.id,
                    owner_id: owner.id,
                    content,
                },
                &names,
                self.now(),
            )
            .await;
        match created {
            Ok(f) => Ok(f),
            Err(e) => {
                let _ = self.blobs.delete(&key).await;
                Err(match e {
                    StoreError::AlreadyExists => WopiError::NameExists { suggestion: None }.into(),
                    other => other.into(),
                })
            }
        }
    }

    /// Deletes blobs no version references and leftovers of interrupted uploads, both only when
    /// older than `grace_ms` (an upload in flight is never collected), and purges expired
    /// tokens.
    pub async fn sweep(&self, grace_ms: i64) -> Result<SweepReport, AppError> {
        let cutoff = self.now() - grace_ms;
        let mut report = SweepReport {
            incomplete_uploads: self.blobs.clean_incomplete(cutoff).await?,
            ..Default::default()
        };
        // Referenced keys are read after listing blobs, so a blob committed in between is seen
        // as referenced.
        let blobs = self.blobs.list().await?;
        let referenced = self.meta.referenced_blob_keys().await?;
        for (key, modified) in blobs {
            if modified < cutoff && !referenced.contains(key.as_str()) {
                self.blobs.delete(&key).await?;
                report.orphan_blobs += 1;
            }
        }
        report.expired_tokens = self.meta.purge_expired_tokens(self.now()).await?;
        self.expire_locks().await?;
        Ok(report)
    }

    /// Clears expired locks and reports each as a `lock.expired` event.
    pub async fn expire_locks(&self) -> Result<usize, AppError> {
        let urls = self.webhook_urls();
        let build = |f: &FileRecord| {
            let mut data = self.file_event_data(f, None);
            data["lock_id"] = serde_json::Value::from(f.lock.as_ref().map(|l| l.id.to_string()));
            self.make_event("lock.expired", data)
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
        };
        let files = self
            .meta
            .expire_locks_emitting(self.now(), Some(&emit))
            .await?;
        Ok(files.len())
    }
}
