//! Access tokens (minted, revoked; stored only as SHA-256) and WOPI authorization:
//! `authorize` (token + user + file in one read → role) and `authorize_wopi` (operation, token, then proof).

use super::*;

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
        // One read: the token, its user and the file it is for (the common owner case then
        // needs no other query).
        let (record, user, file) = self
            .meta
            .token_with_file(&tokens::hash(token))
            .await?
            .ok_or(WopiError::InvalidToken)?;
        if record.expires_at <= self.now() || record.file_id != *file_id {
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
}
