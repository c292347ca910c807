//! Public links: view or edit links to a file for people without an account. The owner makes
//! one (optional expiry and password) and gets its URL once — the secret (32 letters and
//! digits, ≈190 bits) is stored only as its SHA-256 — and can revoke it. A guest opening
//! `/s/{secret}` gives the password first if there is one (throttled like sign-in, per link
//! and source address), then reaches the host page with a token that names the link
//! (`App::guest_host_page`); every WOPI request re-reads the link, so revoking or expiry
//! refuses the token at once (`App::authorize`).

use folio_store::ShareLinkRecord;

use super::*;
use crate::audit::action;

/// Link passwords: at least this many characters.
pub const MIN_LINK_PASSWORD: usize = 8;
/// A link's name: at most this many characters (trimmed; empty means "Link").
pub const MAX_LINK_NAME: usize = 60;

/// What the owner asks for.
#[derive(Debug, Clone, Default)]
pub struct NewLink {
    /// A label ("Guest (label)" in versions); empty: "Link".
    pub name: String,
    /// Whether guests may edit.
    pub edit: bool,
    /// A password guests must give, if any (empty: none).
    pub password: Option<String>,
    /// When it stops opening (Unix ms), if ever.
    pub expires_at: Option<i64>,
}

impl std::fmt::Display for NewLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} link{}{}",
            if self.edit { "edit" } else { "view" },
            if self.password.is_some() {
                ", password"
            } else {
                ""
            },
            match self.expires_at {
                Some(e) => format!(", expires {e}"),
                None => String::new(),
            }
        )
    }
}

/// A link just made: the record and its secret (shown once).
#[derive(Debug, Clone)]
pub struct CreatedLink {
    /// The stored link.
    pub link: ShareLinkRecord,
    /// The secret of its URL, `/s/{secret}`; never stored.
    pub secret: String,
}

impl App {
    /// Makes a public link to a file `user` owns.
    pub async fn create_link(
        &self,
        user: &UserRecord,
        file_id: &FileId,
        new: NewLink,
    ) -> Result<CreatedLink, AppError> {
        let file = self.meta().file(file_id).await?.ok_or(AppError::NotFound)?;
        match self.meta().role(file_id, &user.id).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Owner => return Err(AppError::Forbidden(Forbidden::OwnerOnly)),
            Some(_) => {}
        }
        let now = self.now();
        if new.expires_at.is_some_and(|e| e <= now) {
            return Err(AppError::LinkExpiryPast);
        }
        let password = new.password.as_deref().filter(|p| !p.is_empty());
        let password_hash = match password {
            Some(p) if p.chars().count() < MIN_LINK_PASSWORD => {
                return Err(AppError::WeakPassword);
            }
            Some(p) => Some(tokens::hash_password(p).map_err(|_| AppError::WeakPassword)?),
            None => None,
        };
        let name: String = new.name.trim().chars().take(MAX_LINK_NAME).collect();
        let link = ShareLinkRecord {
            id: folio_store::random_id(22),
            file_id: file_id.clone(),
            created_by: user.id.clone(),
            name: if name.is_empty() {
                "Link".to_owned()
            } else {
                name
            },
            role: if new.edit { Role::Editor } else { Role::Viewer },
            password_hash,
            expires_at: new.expires_at,
            created_at: now,
            revoked_at: None,
        };
        let secret = tokens::generate();
        let event = self.audit_event(
            action::PUBLIC_LINK_CREATE,
            Some(user),
            Some(&file),
            Some(format!("link {} ({}): {new}", link.id, link.name)),
        );
        self.meta()
            .create_share_link(&tokens::hash(&secret), &link, Some(&event))
            .await?;
        Ok(CreatedLink { link, secret })
    }

    /// Revokes a link of a file `user` owns: it stops opening and its guests' tokens are
    /// deleted. Unknown, already revoked or another file's: `NotFound`.
    pub async fn revoke_link(
        &self,
        user: &UserRecord,
        file_id: &FileId,
        link_id: &str,
    ) -> Result<(), AppError> {
        let file = self.meta().file(file_id).await?.ok_or(AppError::NotFound)?;
        match self.meta().role(file_id, &user.id).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Owner => return Err(AppError::Forbidden(Forbidden::OwnerOnly)),
            Some(_) => {}
        }
        let link = self
            .meta()
            .share_link(link_id)
            .await?
            .filter(|l| l.file_id == *file_id)
            .ok_or(AppError::NotFound)?;
        let event = self.audit_event(
            action::PUBLIC_LINK_REVOKE,
            Some(user),
            Some(&file),
            Some(format!("link {} ({})", link.id, link.name)),
        );
        if self
            .meta()
            .revoke_share_link(&link.id, self.now(), Some(&event))
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The retention sweep of public links: links revoked or expired more than
    /// `link_retention_days` ago are deleted with their tokens (0: kept for ever); how many.
    pub(crate) async fn purge_old_links(&self) -> Result<u64, AppError> {
        let days = self.config().link_retention_days;
        let Some(before) = link_purge_cutoff(self.now(), days) else {
            return Ok(0);
        };
        let audit = self.audit_event(
            action::PUBLIC_LINK_PURGE,
            None,
            None,
            Some(format!(
                "retention: revoked or expired more than {days} days ago"
            )),
        );
        Ok(self.meta().purge_share_links(before, Some(&audit)).await?)
    }

    /// The live link behind a presented secret: unknown, revoked, expired, or whose file is
    /// gone — all `LinkClosed`, indistinguishable.
    pub async fn open_link(&self, secret: &str) -> Result<ShareLinkRecord, AppError> {
        if !tokens::well_formed(secret) {
            return Err(AppError::LinkClosed);
        }
        let link = self
            .meta()
            .share_link_by_secret(&tokens::hash(secret))
            .await?
            .filter(|l| l.is_live(self.now()))
            .ok_or(AppError::LinkClosed)?;
        if self.meta().file(&link.file_id).await?.is_none() {
            return Err(AppError::LinkClosed);
        }
        Ok(link)
    }

    /// The value of the cookie that says this browser gave `link`'s password: a MAC over the
    /// link and its password hash (so it is worthless for any other link, and changes if the
    /// password does). `None` for a link without a password.
    pub fn link_pass(&self, link: &ShareLinkRecord) -> Option<String> {
        let phc = link.password_hash.as_deref()?;
        self.host_mac(&format!("linkpass\n{}\n{phc}", link.id))
    }

    /// Whether `cookie` is `link`'s pass (a link without a password needs none).
    pub fn link_unlocked(&self, link: &ShareLinkRecord, cookie: Option<&str>) -> bool {
        match (self.link_pass(link), cookie) {
            (None, _) if link.password_hash.is_none() => true,
            (Some(pass), Some(c)) => tokens::constant_eq(pass.as_bytes(), c.as_bytes()),
            _ => false,
        }
    }

    /// Checks a guest's password for `link` from `source` (the peer address), throttled as
    /// sign-in is (failures per link and source in the database, growing delays; other sources
    /// are never refused because of them). `Ok` with the pass cookie's value.
    pub async fn unlock_link(
        &self,
        link: &ShareLinkRecord,
        password: &str,
        source: &str,
    ) -> Result<String, AppError> {
        let now = self.now();
        let key = format!("{}{}", crate::GUEST_PREFIX, link.id);
        let meta = self.meta();
        let (failures, last) = meta
            .login_failures_from(&key, source, now - LOGIN_WINDOW_MS)
            .await?;
        if let Some(last) = last
            && now < last.saturating_add(source_delay_ms(failures))
        {
            return Err(AppError::RateLimited);
        }
        let ok = link
            .password_hash
            .as_deref()
            .is_some_and(|phc| tokens::verify_password(password, phc));
        match self.link_pass(link) {
            Some(pass) if ok => {
                meta.clear_login_failures(&key, Some(source)).await?;
                Ok(pass)
            }
            _ => {
                meta.record_login_failure_from(&key, source, now).await?;
                Err(AppError::BadCredentials)
            }
        }
    }

    /// The host page of a live, unlocked link (see `guest_host_page`).
    pub async fn link_host_page(
        &self,
        link: &ShareLinkRecord,
        language: &str,
    ) -> Result<HostPage, AppError> {
        self.guest_host_page(link, language).await
    }
}

impl App {
    /// The name of a link's file (the password page says what was shared).
    pub async fn file_name_for_link(&self, link: &ShareLinkRecord) -> Result<String, AppError> {
        Ok(self
            .meta()
            .file(&link.file_id)
            .await?
            .ok_or(AppError::LinkClosed)?
            .name)
    }
}

impl App {
    /// A guest token for a live `link`, bound to editor `client` if given: the token the
    /// link's host page mints, without the page (for an integration that embeds its own editor
    /// page, and for tests). It speaks for the link's creator capped to the link's role, names
    /// the link, and expires with it.
    pub async fn mint_link_token(
        &self,
        link: &ShareLinkRecord,
        client: Option<&str>,
    ) -> Result<crate::MintedToken, AppError> {
        if !link.is_live(self.now()) {
            return Err(AppError::LinkClosed);
        }
        let role = self
            .meta()
            .role(&link.file_id, &link.created_by)
            .await?
            .ok_or(AppError::LinkClosed)?
            .min(link.role);
        let mut expires_at = self.now() + self.config().token_ttl_ms;
        if let Some(e) = link.expires_at {
            expires_at = expires_at.min(e);
        }
        self.insert_token(TokenRecord {
            user_id: link.created_by.clone(),
            scope: folio_store::TokenScope::File(link.file_id.clone()),
            can_write: role >= Role::Editor,
            expires_at,
            client: client.map(str::to_owned),
            session_id: None,
            link_id: Some(link.id.clone()),
        })
        .await
    }
}

/// The cutoff of the link retention at `now` (ms): links revoked or expired before it are
/// purged; `None` when `days` is 0 (links are kept for ever).
pub(crate) fn link_purge_cutoff(now: i64, days: u32) -> Option<i64> {
    (days > 0).then(|| now.saturating_sub(i64::from(days) * 86_400_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn the_link_retention_cutoff() {
        let now = 100 * DAY;
        let table: [(u32, Option<i64>); 4] = [
            (0, None),
            (1, Some(99 * DAY)),
            (30, Some(70 * DAY)),
            (36_500, Some(100 * DAY - 36_500 * DAY)),
        ];
        for (days, want) in table {
            assert_eq!(link_purge_cutoff(now, days), want, "{days} days");
        }
        assert_eq!(link_purge_cutoff(i64::MIN, 1), Some(i64::MIN), "saturates");
    }
}
