//! Administration from the CLI: users, importing files, the sweep, lock expiry.

use super::*;

/// Where a sweep got to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Blobs no version references, deleted.
    pub orphan_blobs: u64,
    /// Temp files of interrupted uploads (blobs and CSPP Plus spool files), deleted.
    pub incomplete_uploads: u64,
    /// Expired tokens purged.
    pub expired_tokens: u64,
    /// Expired OAuth codes and tokens, and grants left without tokens, purged.
    pub expired_oauth: u64,
    /// Audit rows older than `[audit] retention_days`, deleted.
    pub purged_audit: u64,
    /// Trash entries older than `trash_retention_days`, deleted for good (their blobs go in
    /// the same sweep once older than the grace period).
    pub purged_trash: u64,
    /// Public links revoked or expired more than `link_retention_days` ago, deleted (with
    /// their tokens).
    pub purged_links: u64,
    /// Old autosaved versions dropped by version retention.
    pub dropped_versions: u64,
    /// Bytes of blobs those drops left unreferenced (the orphan pass deletes them).
    pub freed_bytes: u64,
}

/// Files version retention looks at per sweep (the rest wait for the next one).
const RETENTION_BATCH: i64 = 500;

impl App {
    /// The user signing in as `login`; `BadRequest("no such user")` when there is none.
    async fn user_for_login(&self, login: &str) -> Result<UserRecord, AppError> {
        Ok(self
            .meta
            .user_by_login(login)
            .await?
            .ok_or(WopiError::BadRequest("no such user"))?)
    }

    /// Disables the user `login` for good (the CLI; the admin page's use case does the same).
    pub async fn disable_login(&self, login: &str) -> Result<(), AppError> {
        let user = self.user_for_login(login).await?;
        self.admin_set_disabled(&user.id, true).await
    }

    /// Re-enables the user `login` (nothing issued before the disable comes back).
    pub async fn enable_login(&self, login: &str) -> Result<(), AppError> {
        let user = self.user_for_login(login).await?;
        self.admin_set_disabled(&user.id, false).await
    }

    /// Sets the password of `login` to an already computed hash, ending its sign-in sessions.
    pub async fn set_password_hash_for_login(
        &self,
        login: &str,
        hash: &str,
    ) -> Result<(), AppError> {
        let user = self.user_for_login(login).await?;
        self.meta.set_password(&user.id, hash).await?;
        self.audit_admin(crate::audit::action::ADMIN_PASSWORD_RESET, &user.id)
            .await;
        Ok(())
    }

    /// Forgets the failed sign-ins of `login` (which must exist); how many.
    pub async fn unlock_login(&self, login: &str) -> Result<u64, AppError> {
        let user = self.user_for_login(login).await?;
        let n = self.unlock_sign_in(&user.login).await?;
        self.audit_admin(crate::audit::action::ADMIN_SIGN_IN_UNLOCK, &user.id)
            .await;
        Ok(n)
    }

    /// Creates a user (and their root folder).
    pub async fn create_user(&self, user: NewUser) -> Result<UserRecord, AppError> {
        if !crate::integration::valid_local_login(&user.login) {
            return Err(AppError::InvalidLogin);
        }
        let created = self.meta.create_user(user, self.now()).await?;
        self.audit_admin(crate::audit::action::ADMIN_USER_CREATE, &created.id)
            .await;
        Ok(created)
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
        crate::integration::folder_path_parts(&folder.join("/"))?;
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
        let content = self.content(&key, &put, &owner.id, "import", VersionKind::Upload);
        self.create_file_named(&owner, folder.id, owner.id.clone(), name, &key, content)
            .await
            .map_err(|e| match e {
                StoreError::AlreadyExists => WopiError::NameExists { suggestion: None }.into(),
                other => other.into(),
            })
    }

    /// Adds a version to file `id` from the CLI (`folio files put-version`): `kind` as given,
    /// saved at `at` (default now), by the file's owner, unlocked files only. For seeding
    /// histories (version-retention tests, imports from another system).
    pub async fn import_version(
        &self,
        id: &FileId,
        body: ByteStream,
        kind: VersionKind,
        at: Option<i64>,
    ) -> Result<FileRecord, AppError> {
        let file = self.meta.file(id).await?.ok_or(AppError::NotFound)?;
        let (key, put) = self.store_blob(body).await?;
        let mut content = self.content(&key, &put, &file.owner_id, "import", kind);
        if let Some(at) = at {
            content.created_at = at;
        }
        self.commit_emitting(id, WriteCheck::Unlocked, &key, content, None)
            .await
    }

    /// Deletes blobs no version references and leftovers of interrupted uploads, both only when
    /// older than `grace_ms` (an upload in flight is never collected), and purges expired
    /// tokens (WOPI and OAuth).
    pub async fn sweep(&self, grace_ms: i64) -> Result<SweepReport, AppError> {
        let result = self.sweep_once(grace_ms).await;
        let figures = result.as_ref().ok().map(|r| {
            [
                ("orphan_blobs", r.orphan_blobs),
                ("incomplete_uploads", r.incomplete_uploads),
                ("expired_tokens", r.expired_tokens),
                ("expired_oauth", r.expired_oauth),
                ("purged_trash", r.purged_trash),
                ("purged_links", r.purged_links),
                ("dropped_versions", r.dropped_versions),
            ]
        });
        self.metrics()
            .sweep(figures.as_ref().map(|f| &f[..]), self.now());
        result
    }

    async fn sweep_once(&self, grace_ms: i64) -> Result<SweepReport, AppError> {
        let cutoff = self.now() - grace_ms;
        let mut report = SweepReport {
            incomplete_uploads: self.blobs.clean_incomplete(cutoff).await?,
            ..Default::default()
        };
        // The trash first: the blobs of what it deletes for good are unreferenced below.
        report.purged_trash = self.purge_expired_trash().await?.entries;
        report.purged_links = self.purge_old_links().await?;
        // Retention first: the blobs it leaves unreferenced are orphans the pass below deletes
        // (once older than the grace period, as every orphan).
        (report.dropped_versions, report.freed_bytes) = self.thin_versions().await?;
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
        report.incomplete_uploads += self.clean_spool(grace_ms).await;
        report.expired_tokens = self.meta.purge_expired_tokens(self.now()).await?;
        report.expired_oauth = self.meta.purge_expired_oauth(self.now()).await?;
        report.purged_audit = self.purge_audit().await?;
        self.expire_locks().await?;
        Ok(report)
    }

    /// Version retention: drops the old autosaves the policy thins (`retention::to_drop`),
    /// adds the figures to the running total and, when something went, writes one audit row.
    /// Returns (versions dropped, bytes freed).
    pub async fn thin_versions(&self) -> Result<(u64, u64), AppError> {
        let policy = self.config.retention;
        if !policy.enabled {
            return Ok((0, 0));
        }
        let now = self.now();
        let (keep_all_before, hourly_before) = policy.cutoffs(now);
        let files = self
            .meta
            .autosave_candidates(keep_all_before, hourly_before, RETENTION_BATCH)
            .await?;
        let (mut dropped, mut freed) = (0u64, 0u64);
        for id in files {
            let Some(file) = self.meta.file(&id).await? else {
                continue;
            };
            let saved: Vec<crate::retention::Saved> = self
                .meta
                .versions(&id)
                .await?
                .iter()
                .map(|v| crate::retention::Saved {
                    version: v.version,
                    at: v.content.created_at,
                    kind: v.content.kind,
                })
                .collect();
            let drop = crate::retention::to_drop(&saved, file.version, now, &policy);
            if drop.is_empty() {
                continue;
            }
            match self.meta.drop_versions(&id, &drop).await {
                Ok((n, blobs)) => {
                    dropped += n;
                    freed += blobs.iter().map(|b| b.size).sum::<u64>();
                }
                // Deleted meanwhile: nothing to thin.
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let audit = (dropped > 0).then(|| {
            self.audit_event(
                crate::audit::action::VERSION_RETENTION,
                None,
                None,
                Some(format!(
                    "dropped {dropped} autosaved versions, freed {freed} bytes"
                )),
            )
        });
        self.meta
            .record_retention(dropped, freed, now, audit.as_ref())
            .await?;
        Ok((dropped, freed))
    }

    /// What version retention has freed (the admin page).
    pub async fn retention_totals(&self) -> Result<RetentionTotals, AppError> {
        Ok(self.meta.retention_totals().await?)
    }

    /// Removes CSPP Plus spool files older than `grace_ms` (left by a crash mid-transfer; a live
    /// transfer removes its own). Returns how many.
    async fn clean_spool(&self, grace_ms: i64) -> u64 {
        let Ok(mut dir) = tokio::fs::read_dir(&self.config.spool_dir).await else {
            return 0;
        };
        let limit = std::time::Duration::from_millis(grace_ms.max(0).unsigned_abs());
        let mut removed = 0;
        while let Ok(Some(entry)) = dir.next_entry().await {
            let old = match entry.metadata().await.and_then(|m| m.modified()) {
                Ok(t) => t.elapsed().is_ok_and(|age| age >= limit),
                Err(_) => false,
            };
            let ours = entry.file_name().to_string_lossy().starts_with("spool-");
            if ours && old && tokio::fs::remove_file(entry.path()).await.is_ok() {
                removed += 1;
            }
        }
        removed
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
            audit: None,
        };
        let files = self
            .meta
            .expire_locks_emitting(self.now(), Some(&emit))
            .await?;
        Ok(files.len())
    }
}
