//! The trash (browse, restore, delete for good, empty, the retention sweep), folder rename and
//! move, the file browser's bulk actions (move, delete, download as a zip streamed as it is
//! written) — the use cases behind the pages. Deleting a file anywhere (page, API, WOPI
//! DeleteFile) already puts it in its owner's trash: that is the store's `delete_file`.

use std::sync::Arc;

use bytes::Bytes;
use folio_store::{FolderMoveRefusal, FolderRecord, Purged, Restored, TrashEntry};
use futures::StreamExt;

use super::*;
use crate::audit::action;

/// One selected item of a bulk action: `f:<file id>` or `d:<folder id>` in a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A file.
    File(FileId),
    /// A folder.
    Folder(String),
}

impl Item {
    /// Parses `f:<file id>` or `d:<folder id>` (ids are letters and digits); anything else is
    /// `None`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Item> {
        let (kind, id) = s.split_once(':')?;
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        match kind {
            "f" => FileId::parse(id).ok().map(Item::File),
            "d" => Some(Item::Folder(id.to_owned())),
            _ => None,
        }
    }

    /// The form value (`f:…`, `d:…`).
    #[must_use]
    pub fn code(&self) -> String {
        match self {
            Item::File(id) => format!("f:{id}"),
            Item::Folder(id) => format!("d:{id}"),
        }
    }

    /// The trash entry id the item becomes when deleted.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Item::File(id) => id.as_str(),
            Item::Folder(id) => id,
        }
    }
}

/// What a bulk action did: how many items it did, and the first refusal (the others were
/// still tried).
#[derive(Debug, Default)]
pub struct BulkOutcome {
    /// Items done.
    pub done: usize,
    /// The items done, in order (an Undo restores them).
    pub items: Vec<Item>,
    /// The first refusal, if any.
    pub first_error: Option<AppError>,
}

impl BulkOutcome {
    fn record(&mut self, item: &Item, r: Result<(), AppError>) {
        match r {
            Ok(()) => {
                self.done += 1;
                self.items.push(item.clone());
            }
            Err(e) => {
                if self.first_error.is_none() {
                    self.first_error = Some(e);
                }
            }
        }
    }
}

/// One entry of a zip download: its path in the archive, and the file (none: a directory).
struct ZipEntry {
    path: String,
    file: Option<folio_store::FileRecord>,
    modified: i64,
    audit: Option<folio_store::AuditEvent>,
}

/// How long after a delete the person who deleted an item in someone else's folder may undo
/// it (the owner may restore from their trash at any time).
pub const UNDO_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Whether `user_id` may restore the trash entry `t` of someone else's trash at `now`: they
/// deleted it, no longer than [`UNDO_WINDOW_MS`] ago (still in the trash: `t` exists).
#[must_use]
pub fn may_undo(t: &folio_store::TrashedBy, user_id: &str, now: i64) -> bool {
    t.deleted_by.as_deref() == Some(user_id)
        && (0..=UNDO_WINDOW_MS).contains(&now.saturating_sub(t.deleted_at))
}

/// At most this many items "Select all N items in this folder" acts on (more: refused, before
/// anything is done).
pub const MAX_ALL_ITEMS: usize = 10_000;

/// Folders nested deeper than this are not walked into by a zip download (a guard, far beyond
/// any real tree).
const MAX_ZIP_DEPTH: usize = 64;

impl App {
    /// An audit row about a folder (its id and name in the file columns).
    fn folder_audit(
        &self,
        action: &str,
        user: &UserRecord,
        id: &str,
        name: &str,
        detail: Option<String>,
    ) -> folio_store::AuditEvent {
        let mut e = self.audit_event(action, Some(user), None, detail);
        e.file_id = Some(id.to_owned());
        e.file_name = Some(name.to_owned());
        e
    }

    /// A non-root folder `user` may change (Editor or owner).
    async fn changeable_folder(
        &self,
        user: &UserRecord,
        id: &str,
    ) -> Result<FolderRecord, AppError> {
        let folder = self.meta().folder(id).await?.ok_or(AppError::NotFound)?;
        match self.folder_access(user, id).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Editor => {
                return Err(AppError::Forbidden(Forbidden::ViewOnlyFolder));
            }
            Some(_) => {}
        }
        if folder.parent_id.is_none() {
            return Err(AppError::NotFound);
        }
        Ok(folder)
    }

    /// Moves a folder and everything below it to its owner's trash (owner or editor above
    /// it); refused while a file below is locked. Returns the folder (its `parent_id` is
    /// where it was).
    pub async fn trash_folder_from_web(
        &self,
        user: &UserRecord,
        id: &str,
    ) -> Result<FolderRecord, AppError> {
        let folder = self.changeable_folder(user, id).await?;
        let audit = self.folder_audit(
            action::FOLDER_DELETE,
            user,
            &folder.id,
            &folder.name,
            Some("to the trash".into()),
        );
        match self
            .meta()
            .trash_folder(id, self.now(), Some(&user.id), Some(&audit))
            .await?
        {
            Ok(f) => Ok(f),
            Err(_) => Err(AppError::Locked),
        }
    }

    /// Everything directly in folder `id` that `user` sees, as bulk items, folders first (the
    /// file browser's "Select all N items in this folder"); `None` when there are more than
    /// [`MAX_ALL_ITEMS`]. Each item is then authorized by the bulk action as if selected one by
    /// one.
    pub async fn folder_items(
        &self,
        user: &UserRecord,
        id: &str,
    ) -> Result<Option<Vec<Item>>, AppError> {
        if self.folder_access(user, id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let (folders, files) = self.meta().list_folder(id).await?;
        if folders.len() + files.len() > MAX_ALL_ITEMS {
            return Ok(None);
        }
        Ok(Some(
            folders
                .into_iter()
                .map(|f| Item::Folder(f.id))
                .chain(files.into_iter().map(|f| Item::File(f.id)))
                .collect(),
        ))
    }

    /// The user's trash, newest first.
    pub async fn trash_view(&self, user: &UserRecord) -> Result<Vec<TrashEntry>, AppError> {
        Ok(self.meta().trash(&user.id).await?)
    }

    /// Restores an entry of the user's own trash: in place, or in their root when its folder
    /// is gone; under a numbered name when the old one is taken. An entry of someone else's
    /// trash only when `may_undo` says so: the user deleted it moments ago (an editor's Undo in
    /// a folder shared with them); anything else is `NotFound`.
    pub async fn restore_from_trash(
        &self,
        user: &UserRecord,
        id: &str,
    ) -> Result<Restored, AppError> {
        let owner_id = match self.meta().trashed(id).await? {
            Some(t) if t.owner_id == user.id => t.owner_id,
            Some(t) if may_undo(&t, &user.id, self.now()) => t.owner_id,
            _ => return Err(AppError::NotFound),
        };
        let audit = |r: &Restored| {
            let (what, detail) = if r.is_folder {
                (action::FOLDER_RESTORE, "from the trash")
            } else {
                (action::FILE_RESTORE, "from the trash")
            };
            self.folder_audit(
                what,
                user,
                &r.id,
                &r.name,
                Some(format!("{detail} to folder {}", r.folder_id)),
            )
        };
        self.meta()
            .restore_trashed(&owner_id, id, self.now(), Some(&audit))
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Deletes one entry of the user's trash for good (`Some`), or empties it (`None`).
    pub async fn purge_from_trash(
        &self,
        user: &UserRecord,
        id: Option<&str>,
    ) -> Result<Purged, AppError> {
        let mut audit = self.audit_event(
            action::TRASH_PURGE,
            Some(user),
            None,
            Some(if id.is_some() {
                "deleted for good".to_owned()
            } else {
                "emptied the trash".to_owned()
            }),
        );
        audit.file_id = id.map(str::to_owned);
        let purged = self
            .meta()
            .purge_trash(Some(&user.id), id, i64::MAX, self.now(), Some(&audit))
            .await?;
        if id.is_some() && purged.entries == 0 {
            return Err(AppError::NotFound);
        }
        Ok(purged)
    }

    /// The retention sweep of the trash: entries deleted more than `trash_retention_days` ago
    /// are deleted for good (0: kept until their owner empties the trash).
    pub(crate) async fn purge_expired_trash(&self) -> Result<Purged, AppError> {
        let days = self.config().trash_retention_days;
        if days == 0 {
            return Ok(Purged::default());
        }
        let before = self.now() - i64::from(days) * 86_400_000;
        let audit = self.audit_event(
            action::TRASH_PURGE,
            None,
            None,
            Some(format!("retention: deleted more than {days} days ago")),
        );
        Ok(self
            .meta()
            .purge_trash(None, None, before, self.now(), Some(&audit))
            .await?)
    }

    /// Renames a folder (owner or editor; never a root).
    pub async fn rename_folder_from_web(
        &self,
        user: &UserRecord,
        id: &str,
        name: &str,
    ) -> Result<FolderRecord, AppError> {
        if let Err(e) = naming::validate_file_name(name) {
            return Err(e.into());
        }
        let before = self.changeable_folder(user, id).await?;
        match self.meta().rename_folder(id, name).await? {
            Ok(f) => {
                let event = self.folder_audit(
                    action::FOLDER_RENAME,
                    user,
                    &f.id,
                    &f.name,
                    Some(format!("from {}", before.name)),
                );
                self.audit(event).await;
                Ok(f)
            }
            Err(_) => Err(AppError::NameTaken {
                name: name.to_owned(),
                place: NamePlace::ThisFolder,
            }),
        }
    }

    /// Moves a folder (with everything below it) into `target`, a folder of the same owner the
    /// user may write; never into itself or below itself.
    pub async fn move_folder_from_web(
        &self,
        user: &UserRecord,
        id: &str,
        target: &str,
    ) -> Result<FolderRecord, AppError> {
        let folder = self.changeable_folder(user, id).await?;
        match self.folder_access(user, target).await? {
            None => return Err(AppError::NotFound),
            Some(r) if r < Role::Editor => {
                return Err(AppError::Forbidden(Forbidden::ViewOnlyTargetFolder));
            }
            Some(_) => {}
        }
        let audit = self.folder_audit(
            action::FOLDER_MOVE,
            user,
            &folder.id,
            &folder.name,
            Some(format!(
                "from folder {} to folder {target}",
                folder.parent_id.as_deref().unwrap_or_default()
            )),
        );
        match self.meta().move_folder(id, target, Some(&audit)).await? {
            Ok(f) => Ok(f),
            Err(FolderMoveRefusal::IntoItself) => Err(AppError::MoveIntoItself),
            Err(FolderMoveRefusal::Root) => Err(AppError::NotFound),
            Err(FolderMoveRefusal::OtherOwner) => {
                Err(AppError::Forbidden(Forbidden::OtherOwnersFolder))
            }
            Err(FolderMoveRefusal::NameTaken) => Err(AppError::NameTaken {
                name: folder.name,
                place: NamePlace::TargetFolder,
            }),
        }
    }

    /// Moves every item into `target` (files and folders; each refusal is kept, the rest go on).
    pub async fn move_items(&self, user: &UserRecord, items: &[Item], target: &str) -> BulkOutcome {
        let mut out = BulkOutcome::default();
        for item in items {
            let r = match item {
                Item::File(id) => self.move_from_web(user, id, target).await.map(|_| ()),
                Item::Folder(id) => self
                    .move_folder_from_web(user, id, target)
                    .await
                    .map(|_| ()),
            };
            out.record(item, r);
        }
        out
    }

    /// Moves every item to the trash (each refusal is kept, the rest go on).
    pub async fn trash_items(&self, user: &UserRecord, items: &[Item]) -> BulkOutcome {
        let mut out = BulkOutcome::default();
        for item in items {
            let r = match item {
                Item::File(id) => self.delete_from_web(user, id).await.map(|_| ()),
                Item::Folder(id) => self.trash_folder_from_web(user, id).await.map(|_| ()),
            };
            out.record(item, r);
        }
        out
    }

    /// Restores what a delete just moved to the trash ("Undo"): the user's own entries among
    /// `items`. How many came back.
    pub async fn undo_trash(&self, user: &UserRecord, items: &[Item]) -> BulkOutcome {
        let mut out = BulkOutcome::default();
        for item in items {
            let r = self.restore_from_trash(user, item.id()).await.map(|_| ());
            out.record(item, r);
        }
        out
    }

    /// What a zip of `items` holds, in order: each folder as a directory entry followed by what
    /// is below it (paths relative to the selection), every file the user can see.
    async fn zip_plan(&self, user: &UserRecord, items: &[Item]) -> Result<Vec<ZipEntry>, AppError> {
        let mut plan = Vec::new();
        let file_entry = |path: String, f: folio_store::FileRecord| {
            let audit = self.audit_event(
                action::FILE_DOWNLOAD,
                Some(user),
                Some(&f),
                Some("in a zip".into()),
            );
            ZipEntry {
                path,
                modified: f.content.created_at,
                file: Some(f),
                audit: Some(audit),
            }
        };
        for item in items {
            match item {
                Item::File(id) => {
                    let (f, _) = self.file_for_user(user, id).await?;
                    plan.push(file_entry(f.name.clone(), f));
                }
                Item::Folder(id) => {
                    if self.folder_access(user, id).await?.is_none() {
                        return Err(AppError::NotFound);
                    }
                    let top = self.meta().folder(id).await?.ok_or(AppError::NotFound)?;
                    // Depth-first, so a folder's entries follow it.
                    let mut stack = vec![(top, String::new(), 0usize)];
                    while let Some((folder, prefix, depth)) = stack.pop() {
                        let name = if folder.parent_id.is_none() {
                            "My files".to_owned()
                        } else {
                            folder.name.clone()
                        };
                        let path = format!("{prefix}{name}/");
                        plan.push(ZipEntry {
                            path: path.clone(),
                            file: None,
                            modified: self.now(),
                            audit: None,
                        });
                        let (folders, files) = self.meta().list_folder(&folder.id).await?;
                        for f in files {
                            plan.push(file_entry(format!("{path}{}", f.name), f));
                        }
                        if depth < MAX_ZIP_DEPTH {
                            for sub in folders.into_iter().rev() {
                                stack.push((sub, path.clone(), depth + 1));
                            }
                        }
                    }
                }
            }
        }
        Ok(plan)
    }

    /// A zip of `items` (files and folders with everything below them, as paths), streamed as
    /// it is written: each file's bytes pass from the blob store to the response one chunk at
    /// a time (stored entries, CRC-32 in data descriptors; `crate::zip`). What the user cannot
    /// see is refused before the first byte. Each file read is an audit row (`file.download`,
    /// "in a zip"). An error mid-way (a blob gone) ends the stream with an error, so the
    /// download fails visibly rather than ending in a truncated archive that looks whole.
    pub async fn zip_items(
        self: &Arc<Self>,
        user: &UserRecord,
        items: &[Item],
    ) -> Result<folio_store::ByteStream, AppError> {
        let plan = self.zip_plan(user, items).await?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
        let app = Arc::clone(self);
        tokio::spawn(async move {
            macro_rules! send {
                ($v:expr) => {
                    if tx.send($v).await.is_err() {
                        return; // the client went away
                    }
                };
            }
            let mut w = crate::zip::ZipWriter::new();
            for entry in plan {
                let Some(file) = entry.file else {
                    send!(Ok(Bytes::from(w.directory(&entry.path, entry.modified))));
                    continue;
                };
                send!(Ok(Bytes::from(w.local_header(
                    &entry.path,
                    file.content.size,
                    entry.modified
                ))));
                let mut body = match app.open_content(&file.content.blob_key).await {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::warn!(file.id = %file.id, error = %e, "zip download: content unreadable");
                        send!(Err(std::io::Error::other("content unreadable")));
                        return;
                    }
                };
                let mut crc = crc32fast::Hasher::new();
                let mut size = 0u64;
                while let Some(chunk) = body.next().await {
                    match chunk {
                        Ok(c) => {
                            crc.update(&c);
                            size += c.len() as u64;
                            send!(Ok(c));
                        }
                        Err(e) => {
                            tracing::warn!(file.id = %file.id, error = %e, "zip download: read failed");
                            send!(Err(e));
                            return;
                        }
                    }
                }
                send!(Ok(Bytes::from(w.data_descriptor(crc.finalize(), size))));
                if let Some(a) = entry.audit {
                    app.audit(a).await;
                }
            }
            send!(Ok(Bytes::from(w.finish())));
        });
        Ok(Box::pin(futures::stream::poll_fn(move |cx| {
            rx.poll_recv(cx)
        })))
    }

    /// Whether a folder exists and is not in the trash.
    pub async fn folder_is_live(&self, id: &str) -> bool {
        matches!(self.meta().folder(id).await, Ok(Some(_)))
    }

    /// A folder's name as the user sees it ("My files" for their root), if they can see it.
    pub async fn folder_name_for(&self, user: &UserRecord, id: &str) -> Option<String> {
        if !matches!(self.folder_access(user, id).await, Ok(Some(_))) {
            return None;
        }
        let folder = self.meta().folder(id).await.ok().flatten()?;
        Some(if folder.parent_id.is_none() {
            "My files".to_owned()
        } else {
            folder.name
        })
    }

    /// The folders a move dialog shows at `id`: the folder, the way up to the user's top
    /// (what they can see), and its subfolders.
    pub async fn folder_picker(
        &self,
        user: &UserRecord,
        id: &str,
    ) -> Result<(FolderView, Role), AppError> {
        self.folder_view_shared(user, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_who_deleted_it_may_undo_and_only_right_after() {
        let t = |by: Option<&str>| folio_store::TrashedBy {
            owner_id: "owner".into(),
            deleted_by: by.map(str::to_owned),
            deleted_at: 1_000_000,
        };
        let table: [(Option<&str>, &str, i64, bool); 8] = [
            (Some("ed"), "ed", 1_000_000, true),
            (Some("ed"), "ed", 1_000_000 + UNDO_WINDOW_MS, true),
            (Some("ed"), "ed", 1_000_000 + UNDO_WINDOW_MS + 1, false),
            (Some("ed"), "ed", 999_999, false),
            (Some("ed"), "other", 1_000_001, false),
            (Some("ed"), "", 1_000_001, false),
            (None, "ed", 1_000_001, false),
            (Some("link:abc"), "ed", 1_000_001, false),
        ];
        for (by, user, now, want) in table {
            assert_eq!(may_undo(&t(by), user, now), want, "{by:?} {user} {now}");
        }
    }
}
