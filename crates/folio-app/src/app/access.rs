//! Access tokens (minted, revoked; stored only as SHA-256) and WOPI authorization:
//! `authorize` (token + user + file in one read → role), `authorize_container` (token → user → folder →
//! role), `authorize_ecosystem`, and `authorize_wopi` (operation, token for the URL's resource,
//! then proof). A token is scoped to one resource (`TokenScope`): a file token on a container
//! URL, a container token on a file URL or on another folder, an ecosystem token anywhere but
//! `/wopi/ecosystem` — all 401.

use folio_wopi::operation::ResourceKind;

use super::*;

/// The resource a WOPI URL names.
#[derive(Debug, Clone, Copy)]
pub enum WopiResource<'a> {
    /// `/wopi/files/{id}…`
    File(&'a FileId),
    /// `/wopi/containers/{id}…`
    Container(&'a str),
    /// `/wopi/ecosystem…`
    Ecosystem,
}

impl WopiResource<'_> {
    /// The kind of resource.
    pub fn kind(&self) -> ResourceKind {
        match self {
            WopiResource::File(_) => ResourceKind::File,
            WopiResource::Container(_) => ResourceKind::Container,
            WopiResource::Ecosystem => ResourceKind::Ecosystem,
        }
    }
}

/// A WOPI request as `App::authorize_wopi` sees it (parsed by the HTTP layer).
#[derive(Debug, Clone)]
pub struct WopiAuthRequest<'a> {
    /// The access token (query parameter or `Authorization: Bearer`), if any.
    pub token: Option<&'a str>,
    /// The resource of the URL.
    pub resource: WopiResource<'a>,
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
    /// The public link of a guest's token: `user` is then the guest (`guest_user`), `role` the
    /// link's capped by its creator's, and only [`guest_may`] operations are allowed.
    pub link: Option<ShareLinkRecord>,
    /// The file's folder is the user's own (read with the token): CheckFileInfo links back to
    /// it without asking the store whether the user can see it.
    pub folder_is_users: bool,
}

/// The prefix of a guest's user id (`link:` + the link's id): what CheckFileInfo's `UserId`,
/// a lock's holder and a version's author say for a guest.
pub const GUEST_PREFIX: &str = "link:";

/// The display name of a guest who came through the link named `name`.
pub fn guest_name(name: &str) -> String {
    format!("Guest ({name})")
}

/// The identity a guest acts under: no login, no e-mail, no folders; its id names the link.
pub fn guest_user(link: &ShareLinkRecord) -> UserRecord {
    UserRecord {
        id: format!("{GUEST_PREFIX}{}", link.id),
        login: String::new(),
        name: guest_name(&link.name),
        email: String::new(),
        is_admin: false,
        password_hash: None,
        user_info: None,
        root_folder_id: String::new(),
        disabled: false,
    }
}

/// The WOPI operations a guest's token may perform: read the file, and write its content under
/// a lock when the link allows editing. Nothing that creates, renames or deletes files, browses
/// folders or records anything about a user.
pub fn guest_may(op: WopiOperation) -> bool {
    use WopiOperation::*;
    matches!(
        op,
        CheckFileInfo | GetFile | PutFile | Lock | UnlockAndRelock | Unlock | RefreshLock | GetLock
    )
}

impl Principal {
    /// Whether this request may change the file: the token allows it and the role does.
    pub fn can_write(&self) -> bool {
        self.token.can_write && self.role >= Role::Editor
    }
}

/// Who is asking, about which container (folder), with which rights.
#[derive(Debug, Clone)]
pub struct ContainerPrincipal {
    /// The token's user.
    pub user: UserRecord,
    /// The token (scope: this container).
    pub token: TokenRecord,
    /// The folder.
    pub folder: FolderRecord,
    /// The user's role on it (owner, or a share on it or above).
    pub role: Role,
}

impl ContainerPrincipal {
    /// Whether this request may change the container: the token allows it and the role does.
    pub fn can_write(&self) -> bool {
        self.token.can_write && self.role >= Role::Editor
    }
}

/// Who is asking about their ecosystem.
#[derive(Debug, Clone)]
pub struct EcosystemPrincipal {
    /// The token's user.
    pub user: UserRecord,
    /// The token (scope: ecosystem).
    pub token: TokenRecord,
}

/// The result of `authorize_wopi`: the principal of the URL's kind of resource.
#[derive(Debug, Clone)]
pub enum Authorized {
    /// A file URL with its file token.
    File(Box<Principal>),
    /// A container URL with its container token.
    Container(ContainerPrincipal),
    /// An ecosystem URL with an ecosystem token.
    Ecosystem(EcosystemPrincipal),
}

impl Authorized {
    /// The token of the request.
    pub fn token(&self) -> &TokenRecord {
        match self {
            Authorized::File(p) => &p.token,
            Authorized::Container(p) => &p.token,
            Authorized::Ecosystem(p) => &p.token,
        }
    }
}

/// A minted access token, as handed to a WOPI client.
#[derive(Debug, Clone)]
pub struct MintedToken {
    /// The secret.
    pub access_token: String,
    /// Absolute expiry in Unix ms (`access_token_ttl`).
    pub access_token_ttl: i64,
    /// The resource URL: a file's WOPISrc, a container's or the ecosystem's URL.
    pub wopi_src: String,
}

impl MintedToken {
    /// The resource URL with `?access_token=` (tokens are `[A-Za-z0-9]`, nothing to escape),
    /// as WOPI responses hand it out.
    pub fn url(&self) -> String {
        format!("{}?access_token={}", self.wopi_src, self.access_token)
    }
}

impl App {
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
        self.insert_token(TokenRecord {
            user_id: user_id.to_owned(),
            scope: TokenScope::File(file_id.clone()),
            can_write,
            expires_at,
            client: client.map(str::to_owned),
            session_id: None,
            link_id: None,
        })
        .await
    }

    /// Mints a container token for (user, folder), expiring at `expires_at`, for the user's
    /// full rights on the folder (the role still decides at every request). For entry points
    /// outside WOPI responses (the bootstrapper's GET_ROOT_CONTAINER). A folder the user
    /// cannot see is `FileNotFound`.
    pub async fn mint_container_token(
        &self,
        user_id: &str,
        folder_id: &str,
        expires_at: i64,
    ) -> Result<MintedToken, AppError> {
        if self.meta.folder_role(folder_id, user_id).await?.is_none() {
            return Err(WopiError::FileNotFound.into());
        }
        self.insert_token(TokenRecord {
            user_id: user_id.to_owned(),
            scope: TokenScope::Container(folder_id.to_owned()),
            can_write: true,
            expires_at,
            client: None,
            session_id: None,
            link_id: None,
        })
        .await
    }

    /// Mints an ecosystem token for a user, expiring at `expires_at` (the bootstrapper's
    /// `EcosystemUrl`). An unknown user is `InvalidToken`.
    pub async fn mint_ecosystem_token(
        &self,
        user_id: &str,
        expires_at: i64,
    ) -> Result<MintedToken, AppError> {
        self.mint_ecosystem(user_id, None, true, expires_at).await
    }

    /// A read-only ecosystem token bound to editor `client`, for `folio doctor`'s signed round
    /// trip (CheckEcosystem reads nothing of the user's). An unknown user is `InvalidToken`.
    pub async fn mint_probe_token(
        &self,
        user_id: &str,
        client: &str,
        expires_at: i64,
    ) -> Result<MintedToken, AppError> {
        self.mint_ecosystem(user_id, Some(client), false, expires_at)
            .await
    }

    async fn mint_ecosystem(
        &self,
        user_id: &str,
        client: Option<&str>,
        can_write: bool,
        expires_at: i64,
    ) -> Result<MintedToken, AppError> {
        if self.meta.user_by_id(user_id).await?.is_none() {
            return Err(WopiError::InvalidToken.into());
        }
        self.insert_token(TokenRecord {
            user_id: user_id.to_owned(),
            scope: TokenScope::Ecosystem,
            can_write,
            expires_at,
            client: client.map(str::to_owned),
            session_id: None,
            link_id: None,
        })
        .await
    }

    /// A token minted inside a WOPI response from the request's token `parent`: same user,
    /// editor and session, **the same expiry** (no token trading), and write rights only if
    /// both the parent token and `can_write` allow them.
    pub(crate) async fn mint_child_token(
        &self,
        parent: &TokenRecord,
        scope: TokenScope,
        can_write: bool,
    ) -> Result<MintedToken, AppError> {
        self.insert_token(child_record(parent, scope, can_write))
            .await
    }

    /// `mint_child_token` for many scopes at once, stored in one transaction (EnumerateChildren
    /// hands out a token per child: one write for the lot, not one per child).
    pub(crate) async fn mint_child_tokens(
        &self,
        parent: &TokenRecord,
        scopes: Vec<TokenScope>,
        can_write: bool,
    ) -> Result<Vec<MintedToken>, AppError> {
        let mut rows = Vec::with_capacity(scopes.len());
        let mut minted = Vec::with_capacity(scopes.len());
        for scope in scopes {
            let secret = tokens::generate();
            let record = child_record(parent, scope, can_write);
            let wopi_src = self.resource_url(&record.scope);
            let access_token_ttl = record.expires_at;
            rows.push((tokens::hash(&secret), record));
            minted.push(MintedToken {
                access_token: secret,
                access_token_ttl,
                wopi_src,
            });
        }
        self.meta.insert_tokens(&rows, self.now()).await?;
        Ok(minted)
    }

    pub(crate) async fn insert_token(&self, record: TokenRecord) -> Result<MintedToken, AppError> {
        let secret = tokens::generate();
        self.meta
            .insert_token(&tokens::hash(&secret), &record, self.now())
            .await?;
        Ok(MintedToken {
            access_token: secret,
            access_token_ttl: record.expires_at,
            wopi_src: self.resource_url(&record.scope),
        })
    }

    /// The URL of a token's resource: a file's WOPISrc, a container's URL, the ecosystem's.
    pub fn resource_url(&self, scope: &TokenScope) -> String {
        match scope {
            TokenScope::File(id) => self.wopi_src(id),
            TokenScope::Container(folder) => {
                format!("{}/wopi/containers/{}", self.config.public_url, folder)
            }
            TokenScope::Ecosystem => format!("{}/wopi/ecosystem", self.config.public_url),
        }
    }

    /// Mints a token for a user (by login) on a file they can see, optionally bound to an
    /// editor (`client`: its proof keys, its CheckFileInfo shape). `ttl_ms` defaults to the
    /// configured lifetime. A file the user cannot see is `FileNotFound`.
    pub async fn mint_token_for_login(
        &self,
        login: &str,
        file_id: &FileId,
        view_only: bool,
        ttl_ms: Option<i64>,
        client: Option<&str>,
    ) -> Result<MintedToken, AppError> {
        if let Some(c) = client
            && !self.editors.has(c)
        {
            return Err(WopiError::BadRequest("no editor of that name is configured").into());
        }
        let user = self
            .meta
            .user_by_login(login)
            .await?
            .ok_or(WopiError::BadRequest("no such user"))?;
        if user.disabled {
            return Err(WopiError::BadRequest("the user is disabled").into());
        }
        let role = self
            .meta
            .role(file_id, &user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let can_write = !view_only && role >= Role::Editor;
        let ttl = ttl_ms.unwrap_or(self.config.token_ttl_ms);
        self.mint_token_for_client(&user.id, file_id, can_write, self.now() + ttl, client)
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
        // One read: the token, its user and the file it is for (the common owner case then
        // needs no other query).
        let TokenWithFile {
            token: record,
            user,
            file,
            folder_is_users,
        } = self
            .meta
            .token_with_file(&tokens::hash(token))
            .await?
            .ok_or(WopiError::InvalidToken)?;
        if record.expires_at <= self.now() || record.scope.file_id() != Some(file_id) {
            return Err(WopiError::InvalidToken.into());
        }
        let file = file.ok_or(WopiError::FileNotFound)?;
        let role = if file.owner_id == user.id {
            Role::Owner
        } else {
            self.meta
                .role(file_id, &user.id)
                .await?
                .ok_or(WopiError::FileNotFound)?
        };
        // A guest's token speaks for the link's creator, never beyond the link: the link is
        // read again at every request, so revoking or expiring it refuses the token at once.
        let (user, role, link) = match &record.link_id {
            None => (user, role, None),
            Some(link_id) => {
                let link = self
                    .meta
                    .share_link(link_id)
                    .await?
                    .filter(|l| l.is_live(self.now()) && l.file_id == *file_id)
                    .ok_or(WopiError::InvalidToken)?;
                (guest_user(&link), role.min(link.role), Some(link))
            }
        };
        let p = Principal {
            user,
            token: record,
            file,
            role,
            folder_is_users: folder_is_users && link.is_none(),
            link,
        };
        if needed == Permission::Write && !p.can_write() {
            return Err(WopiError::NotPermitted.into());
        }
        Ok(p)
    }

    /// The stored token behind a presented one, unless missing, malformed, unknown, revoked,
    /// expired or its user disabled (all `InvalidToken`).
    async fn live_token(&self, token: Option<&str>) -> Result<(TokenRecord, UserRecord), AppError> {
        let token = token
            .filter(|t| tokens::well_formed(t))
            .ok_or(WopiError::InvalidToken)?;
        let (record, user) = self
            .meta
            .token(&tokens::hash(token))
            .await?
            .ok_or(WopiError::InvalidToken)?;
        if record.expires_at <= self.now() {
            return Err(WopiError::InvalidToken.into());
        }
        Ok((record, user))
    }

    /// `authorize` for a container URL: the token must be a container token for exactly this
    /// folder (else 401); a folder that is gone or that the user can no longer see is 404, as
    /// is a write the role or token does not allow.
    pub async fn authorize_container(
        &self,
        token: Option<&str>,
        folder_id: &str,
        needed: Permission,
    ) -> Result<ContainerPrincipal, AppError> {
        let (record, user) = self.live_token(token).await?;
        if record.scope != TokenScope::Container(folder_id.to_owned()) {
            return Err(WopiError::InvalidToken.into());
        }
        let folder = self
            .meta
            .folder(folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let role = self
            .meta
            .folder_role(folder_id, &user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let p = ContainerPrincipal {
            user,
            token: record,
            folder,
            role,
        };
        if needed == Permission::Write && !p.can_write() {
            return Err(WopiError::NotPermitted.into());
        }
        Ok(p)
    }

    /// `authorize` for an ecosystem URL: the token must be an ecosystem token (else 401).
    pub async fn authorize_ecosystem(
        &self,
        token: Option<&str>,
    ) -> Result<EcosystemPrincipal, AppError> {
        let (record, user) = self.live_token(token).await?;
        if record.scope != TokenScope::Ecosystem {
            return Err(WopiError::InvalidToken.into());
        }
        Ok(EcosystemPrincipal {
            user,
            token: record,
        })
    }

    /// The one WOPI authorization use case: the operation (a parse failure still authorizes
    /// for reading first, so 401/404 win over 501), then the token (`authorize`), then the
    /// proof-key headers against the editor the token was minted for (or every enforcing editor
    /// for tokens minted without one). The signed URL is the public URL plus the path and query
    /// exactly as received, so it matches what the client requested through a TLS-terminating
    /// proxy. A failed proof is `ProofRejected` (logged once, by the HTTP boundary). The
    /// principal is of the URL's kind of resource (`req.resource`), and the token must be
    /// scoped to exactly that resource.
    pub async fn authorize_wopi(
        &self,
        op: Result<WopiOperation, WopiError>,
        req: &WopiAuthRequest<'_>,
    ) -> Result<(WopiOperation, Authorized), AppError> {
        let needed = match &op {
            Ok(op) => op.required_permission(),
            Err(_) => Permission::Read,
        };
        let principal = match req.resource {
            WopiResource::File(id) => {
                let p = self.authorize(req.token, id, needed).await?;
                if p.link.is_some() && op.as_ref().is_ok_and(|op| !guest_may(*op)) {
                    return Err(WopiError::NotPermitted.into());
                }
                Authorized::File(Box::new(p))
            }
            WopiResource::Container(id) => {
                Authorized::Container(self.authorize_container(req.token, id, needed).await?)
            }
            WopiResource::Ecosystem => {
                Authorized::Ecosystem(self.authorize_ecosystem(req.token).await?)
            }
        };
        let url = format!("{}{}", self.config.public_url, req.path_and_query);
        if let Err(e) = self
            .editors
            .verify_proof(
                principal.token().client.as_deref(),
                req.token.unwrap_or(""),
                &url,
                &req.proof,
                self.now(),
            )
            .await
        {
            return Err(AppError::ProofRejected { reason: e.0 });
        }
        if let Some(t) = req.token {
            self.touch_token(&tokens::hash(t)).await;
        }
        Ok((op?, principal))
    }
}

/// A token minted from `parent` for `scope`: same user, editor, session and expiry; writable
/// only if both allow it.
fn child_record(parent: &TokenRecord, scope: TokenScope, can_write: bool) -> TokenRecord {
    TokenRecord {
        user_id: parent.user_id.clone(),
        scope,
        can_write: can_write && parent.can_write,
        expires_at: parent.expires_at,
        client: parent.client.clone(),
        session_id: parent.session_id.clone(),
        link_id: parent.link_id.clone(),
    }
}
