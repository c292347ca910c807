//! File and folder actions from the pages and the API: upload, new document/folder, rename,
//! move, delete, restore a version. Refusals are typed `AppError`s.

use super::*;

/// What an upload does when its name is taken in the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadConflict {
    /// Refuse (`NameTaken`): the person chooses.
    #[default]
    Refuse,
    /// Store the upload as a new version of the existing file (refused while it is locked).
    Replace,
    /// Create it under the first free numbered name (`name (1).ext`, …).
    KeepBoth,
}

impl App {
    /// Streams an upload into a new file in `folder_id` (Editor on the folder needed).
    pub async fn upload(
        &self,
        user: &UserRecord,
        folder_id: &str,
        name: &str,
        body: folio_store::ByteStream,
    ) -> Result<folio_store::FileRecord, AppError> {
        self.upload_resolving(user, folder_id, name, body, UploadConflict::Refuse)
            .await
    }

    /// [`App::upload`], with what to do when the name is taken (`conflict`): refuse, replace
    /// the existing file's content (a new version, after the "must be unlocked" rule, checked
    /// atomically with the commit — a file open in an editor is `Locked`), or keep both under
    /// the first free numbered name (`folio_wopi::naming::nth_alternative`).
    pub async fn upload_resolving(
        &self,
        user: &UserRecord,
        folder_id: &str,
        name: &str,
        body: folio_store::ByteStream,
        conflict: UploadConflict,
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
        if let Some(existing) = self.meta().file_by_name(folder_id, name).await? {
            match conflict {
                UploadConflict::Refuse => {
                    return Err(AppError::NameTaken {
                        name: name.to_owned(),
                        place: NamePlace::ThisFolder,
                    });
                }
                UploadConflict::Replace => return self.replace_upload(user, existing, body).await,
                UploadConflict::KeepBoth => {}
            }
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
        let content = self.content(
            &key,
            &put,
            &user.id,
            "upload",
            folio_store::VersionKind::Upload,
        );
        let created = if conflict == UploadConflict::KeepBoth {
            self.create_file_numbered(user, folder.id, folder.owner_id, name, &key, content)
                .await
        } else {
            self.create_file_named(user, folder.id, folder.owner_id, name, &key, content)
                .await
        };
        created.map_err(|e| match e {
            folio_store::StoreError::AlreadyExists => AppError::NameTaken {
                name: name.to_owned(),
                place: NamePlace::ThisFolder,
            },
            other => other.into(),
        })
    }

    /// An upload over `existing`: a new version by `user`, if they may write the file and it is
    /// not locked (checked in the commit's transaction); the stored blob is removed otherwise.
    async fn replace_upload(
        &self,
        user: &UserRecord,
        existing: folio_store::FileRecord,
        body: folio_store::ByteStream,
    ) -> Result<folio_store::FileRecord, AppError> {
        self.writable_file(user, &existing.id).await?;
        // Refuse before reading the body when the lock is already visible.
        if existing
            .lock
            .as_ref()
            .is_some_and(|l| l.is_live(self.now()))
        {
            return Err(AppError::Locked);
        }
        let (key, put) = match self.store_blob(body).await {
            Err(AppError::Store(folio_store::StoreError::TooLarge { limit })) => {
                return Err(AppError::TooLarge { limit });
            }
            other => other?,
        };
        let content = self.content(
            &key,
            &put,
            &user.id,
            "upload",
            folio_store::VersionKind::Upload,
        );
        let build = |f: &folio_store::FileRecord| {
            self.make_event("file.saved", self.file_event_data(f, Some(user)))
        };
        let audit = |f: &folio_store::FileRecord| {
            self.audit_event(
                crate::audit::action::FILE_SAVE,
                Some(user),
                Some(f),
                Some("replaced by an upload".to_owned()),
            )
        };
        let urls = self.webhook_urls();
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: Some(&audit),
        };
        match self
            .commit_emitting(
                &existing.id,
                folio_store::WriteCheck::Unlocked,
                &key,
                content,
                Some(&emit),
            )
            .await
        {
            Err(AppError::Wopi(_)) => Err(AppError::Locked),
            other => other,
        }
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

    /// Moves a folder, empty or not, to its owner's trash (owner or editor above it); returns
    /// the parent's id.
    pub async fn delete_folder(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<String, AppError> {
        let folder = self.trash_folder_from_web(user, folder_id).await?;
        Ok(folder.parent_id.unwrap_or_default())
    }

    pub(crate) async fn writable_file(
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
        let (before, _) = self.writable_file(user, id).await?;
        let exact = new_name.to_owned();
        let names = move |n: u32| (n == 0).then(|| exact.clone());
        let urls = self.webhook_urls();
        let build = |f: &folio_store::FileRecord| {
            self.make_event("file.renamed", self.file_event_data(f, Some(user)))
        };
        let audit = |f: &folio_store::FileRecord| {
            self.audit_event(
                crate::audit::action::FILE_RENAME,
                Some(user),
                Some(f),
                Some(format!("from {}", before.name)),
            )
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: Some(&audit),
        };
        match self
            .meta()
            .rename_file_emitting(id, None, None, &names, self.now(), Some(&emit))
            .await?
        {
            Ok(f) => Ok(f),
            Err(
                WopiError::LockMismatch { .. }
                | WopiError::LockReleased { .. }
                | WopiError::LockConflict(_),
            ) => Err(AppError::Locked),
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
        let event = self.audit_event(
            crate::audit::action::FILE_MOVE,
            Some(user),
            Some(&file),
            Some(format!(
                "from folder {} to folder {folder_id}",
                file.folder_id
            )),
        );
        match self
            .meta()
            .move_file(id, folder_id, self.now(), Some(&event))
            .await?
        {
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
        let audit = |f: &folio_store::FileRecord| {
            self.audit_event(
                crate::audit::action::FILE_DELETE,
                Some(user),
                Some(f),
                Some("to the trash".into()),
            )
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: Some(&audit),
        };
        match self
            .meta()
            .delete_file_emitting(id, self.now(), Some(&user.id), Some(&emit))
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
            kind: folio_store::VersionKind::Restored,
            ..old.content
        };
        let audit = |f: &folio_store::FileRecord| {
            self.audit_event(
                crate::audit::action::FILE_RESTORE,
                Some(user),
                Some(f),
                Some(format!("version {version} as version {}", f.version)),
            )
        };
        // No webhook event for a restore (as before); only the audit row.
        let build = |f: &folio_store::FileRecord| {
            self.make_event("file.saved", self.file_event_data(f, Some(user)))
        };
        let emit = folio_store::Emit {
            urls: &[],
            build: &build,
            audit: Some(&audit),
        };
        match self
            .meta()
            .commit_version_emitting(
                id,
                folio_store::WriteCheck::Unlocked,
                content,
                self.now(),
                Some(&emit),
            )
            .await?
        {
            Ok(f) => Ok(f),
            Err(_) => Err(AppError::Locked),
        }
    }
}
