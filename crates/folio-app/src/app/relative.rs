//! WOPI PutRelativeFile and RenameFile: target names, numbered alternatives, overwrite rules.

use super::*;

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

/// Where PutRelativeFile / CreateChildFile create a file, and for whom.
pub(crate) struct CreatePlace<'a> {
    /// The folder.
    pub folder_id: &'a str,
    /// Its owner (who owns the new file).
    pub owner_id: &'a str,
    /// The name a suggested extension is combined with (PutRelativeFile: the source file).
    pub source_name: &'a str,
    /// Who asks.
    pub user: &'a UserRecord,
    /// The request's token (the new file's token expires with it).
    pub token: &'a TokenRecord,
}

impl App {
    /// WOPI PutRelativeFile: creates a file next to the source (or overwrites an unlocked
    /// one in relative mode with overwrite), and mints a token for it that expires with the
    /// request's token.
    pub async fn put_relative_file(
        &self,
        p: Principal,
        target: RelativeTarget,
        body: ByteStream,
    ) -> Result<RelativeCreated, AppError> {
        let place = CreatePlace {
            folder_id: &p.file.folder_id,
            owner_id: &p.file.owner_id,
            source_name: &p.file.name,
            user: &p.user,
            token: &p.token,
        };
        self.create_named(place, target, body).await
    }

    /// The naming and overwrite rules of PutRelativeFile, shared with CreateChildFile:
    /// suggested names are adjusted and numbered until free; exact names are validated (400 +
    /// a valid suggestion), a taken one is 409 (+ a free suggestion) unless overwrite is asked,
    /// and overwriting needs an unlocked target (409 + its lock) the user may write (else 501).
    pub(crate) async fn create_named(
        &self,
        place: CreatePlace<'_>,
        target: RelativeTarget,
        body: ByteStream,
    ) -> Result<RelativeCreated, AppError> {
        let folder = place.folder_id.to_owned();
        let user = place.user;
        // Decide the name, and fail fast (before reading the body) where the answer is known.
        let (name, overwrite) = match &target {
            RelativeTarget::Suggested(s) => (naming::suggested_target(place.source_name, s), false),
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
            if self.meta.role(&existing.id, &user.id).await? < Some(Role::Editor) {
                return Err(WopiError::Unsupported("not allowed to overwrite the target").into());
            }
        }
        let (key, put) = self.store_blob(body).await?;
        let content = self.content(&key, &put, &user.id, "wopi", VersionKind::Save);
        let file = match (&target, existing) {
            (RelativeTarget::Relative { .. }, Some(existing)) => {
                let build = |f: &FileRecord| {
                    self.make_event("file.saved", self.file_event_data(f, Some(user)))
                };
                let audit = |f: &FileRecord| {
                    self.audit_token(
                        crate::audit::action::FILE_SAVE,
                        user,
                        place.token,
                        f,
                        Some("overwritten by PutRelativeFile".to_owned()),
                    )
                };
                let emit = folio_store::Emit {
                    urls: &[],
                    build: &build,
                    audit: Some(&audit),
                };
                self.commit_emitting(
                    &existing.id,
                    WriteCheck::Unlocked,
                    &key,
                    content,
                    Some(&emit),
                )
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
                let audit = |f: &FileRecord| {
                    self.audit_token(
                        crate::audit::action::FILE_CREATE,
                        user,
                        place.token,
                        f,
                        None,
                    )
                };
                let created = self
                    .meta
                    .create_file_audited(
                        NewFile {
                            folder_id: folder.clone(),
                            owner_id: place.owner_id.to_owned(),
                            content,
                        },
                        &names,
                        self.now(),
                        &audit,
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
        if file.owner_id != user.id {
            self.meta
                .share_file(&file.id, &user.id, Role::Editor, None)
                .await?;
        }
        let token = self
            .mint_child_token(place.token, TokenScope::File(file.id.clone()), true)
            .await?;
        Ok(RelativeCreated { file, token })
    }

    pub(crate) async fn free_name(&self, folder: &str, name: &str) -> Result<String, AppError> {
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
        coauth_id: Option<&str>,
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
        let audit = |f: &FileRecord| {
            self.audit_wopi(
                crate::audit::action::FILE_RENAME,
                p,
                f,
                Some(format!("from {}", p.file.name)),
            )
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: Some(&audit),
        };
        let renamed = self
            .meta
            .rename_file_emitting(
                &p.file.id,
                lock_header.as_ref(),
                coauth_id,
                &names,
                self.now(),
                Some(&emit),
            )
            .await??;
        Ok(renamed)
    }
}
