//! The `MetadataStore` trait: every method is one atomic unit (one transaction). Lock decisions
//! are made by the pure functions of `folio_wopi::lock`, called by the backend *inside* its
//! transaction with the row it just read, so check and write cannot be separated by another
//! request — in one process or across replicas.

use std::collections::HashSet;

use async_trait::async_trait;
use folio_wopi::coauth::{self, CoauthLock, CoauthRequest};
use folio_wopi::lock::{self, LockOptions, LockRequest, LockState};
use folio_wopi::{FileId, LockId, WopiError};

use crate::error::StoreError;
use crate::model::*;

/// A protocol outcome inside a successful store call: `Err` is a WOPI condition (lock mismatch,
/// name exists) decided atomically in the store; nothing was written.
pub type Outcome<T> = Result<T, WopiError>;

/// Which lock rule a content write must pass.
#[derive(Debug, Clone)]
pub enum WriteCheck {
    /// WOPI PutFile with this `X-WOPI-Lock` header (`folio_wopi::lock::check_put_file`); when
    /// `expected_version` is set, the current version must still be that one (Collabora's
    /// save-conflict check), else `ContentChanged`.
    PutFile {
        /// The lock header.
        lock: Option<LockId>,
        /// The version the client's content is based on.
        expected_version: Option<i64>,
    },
    /// Overwrite by PutRelativeFile or an upload: the file must be unlocked.
    Unlocked,
}

impl WriteCheck {
    /// Whether a content write may replace `file`'s current content at `now`: the one decision
    /// every backend makes, inside its transaction, on the row it has just read (and, where the
    /// database has row locks, locked).
    ///
    /// `coauth` are the file's coauth rows: while one holds, only PutChunkedFile with a coauth
    /// id may change the content (409 without `X-WOPI-Lock`, spec/cspp-plus.md §3.7).
    pub fn decide(&self, file: &FileRecord, coauth: &[CoauthLock], now: i64) -> Outcome<()> {
        coauth::check_classic(coauth, now)?;
        let classic = match self {
            WriteCheck::PutFile {
                lock: header,
                expected_version,
            } => match expected_version {
                Some(v) if *v != file.version => Err(WopiError::ContentChanged),
                _ => lock::explain_release(
                    lock::check_put_file(
                        file.lock.as_ref(),
                        header.as_ref(),
                        file.content.size,
                        now,
                    ),
                    header.as_ref(),
                    file.released_lock.as_ref(),
                ),
            },
            WriteCheck::Unlocked => lock::check_unlocked(file.lock.as_ref(), now),
        };
        classic.map_err(|e| coauth::with_lock_user(e, file.lock_user.as_deref()))
    }
}

/// An event to append to the webhook outbox in the same transaction as a change, so a change
/// and its event are committed together or not at all.
pub struct Emit<'a> {
    /// Receivers (one pending delivery each). Empty: nothing is written.
    pub urls: &'a [String],
    /// Builds the event from the file as the change left it (before deletion, for deletes).
    pub build: &'a (dyn Fn(&FileRecord) -> OutboxEvent + Send + Sync),
    /// Builds the audit row of the change from the file as the change left it; written in the
    /// same transaction whether or not there are receivers.
    pub audit: Option<&'a (dyn Fn(&FileRecord) -> AuditEvent + Send + Sync)>,
}

/// Builds a change's audit row from the file as the change left it.
pub type AuditOf<'a> = &'a (dyn Fn(&FileRecord) -> AuditEvent + Send + Sync);

/// Generates candidate names for a new or renamed file: `names(0)` is the requested name,
/// `names(n)` the n-th alternative, `None` when there are no more (exact-name mode).
pub type NameCandidates<'a> = &'a (dyn Fn(u32) -> Option<String> + Send + Sync);

/// The candidates of `names` in order (`names(0)`, `names(1)`, …) up to the first `None`: a
/// store takes the first one that is free in the folder.
pub fn name_candidates(names: NameCandidates<'_>) -> impl Iterator<Item = String> + '_ {
    (0u32..).map_while(names)
}

/// Whether `folder` may move into `target`, whose own id and ancestors' ids (target first, up to
/// its root) are `target_chain`: never a root, never into itself or below itself, never into
/// another owner's tree. Decided by the store inside the move's transaction, on rows it read
/// there.
pub fn check_folder_move(
    folder: &FolderRecord,
    target: &FolderRecord,
    target_chain: &[String],
) -> Result<(), FolderMoveRefusal> {
    if folder.parent_id.is_none() {
        return Err(FolderMoveRefusal::Root);
    }
    if target.id == folder.id || target_chain.contains(&folder.id) {
        return Err(FolderMoveRefusal::IntoItself);
    }
    if target.owner_id != folder.owner_id {
        return Err(FolderMoveRefusal::OtherOwner);
    }
    Ok(())
}

/// The names a restored trash entry tries, in order: its own, then `name (1)`, `name (2)`, …
/// (a file keeps its extension last, `folio_wopi::naming::nth_alternative`; a folder has none).
pub fn restore_names(name: &str, is_folder: bool) -> impl Iterator<Item = String> + '_ {
    (0u32..1000).map(move |n| {
        if is_folder {
            folio_wopi::naming::nth_folder_alternative(name, n)
        } else {
            folio_wopi::naming::nth_alternative(name, n)
        }
    })
}

/// Builds the audit row of a restore from where the entry went.
pub type RestoreAudit<'a> = &'a (dyn Fn(&Restored) -> AuditEvent + Send + Sync);

/// Metadata: users, folders, files, versions, locks, tokens. Implemented by `SqliteStore` and
/// (later) `PostgresStore`; both must pass `crate::conformance`.
#[async_trait]
pub trait MetadataStore: Send + Sync + 'static {
    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Operational counts for `/metrics` (a few indexed `COUNT`s, one round trip).
    async fn ops_figures(&self, now: i64) -> Result<OpsFigures, StoreError>;
    /// The state of the store's connection pools (no round trip; empty when it has none).
    fn pool_figures(&self) -> Vec<PoolFigures>;

    // Users.
    /// Creates a user and its root folder. `AlreadyExists` if the login is taken.
    async fn create_user(&self, user: NewUser, now: i64) -> Result<UserRecord, StoreError>;
    /// Whether at least one user exists.
    async fn any_user(&self) -> Result<bool, StoreError>;
    /// Creates the first user (first-run setup) in one transaction that creates nothing when
    /// any user exists: `None` then. Two racing calls create one user (a marker row with a
    /// unique key serialises them; the loser sees the winner's user).
    async fn create_first_user(
        &self,
        user: NewUser,
        now: i64,
    ) -> Result<Option<UserRecord>, StoreError>;
    /// Looks a user up by login.
    async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Looks a user up by id.
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Every user, by login.
    async fn list_users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// Disables or re-enables a user.
    async fn set_user_disabled(&self, user_id: &str, disabled: bool) -> Result<(), StoreError>;
    /// Replaces a user's password hash (and ends their sign-in sessions and OAuth grants).
    async fn set_password(&self, user_id: &str, hash: &str) -> Result<(), StoreError>;
    /// Stores the PutUserInfo string of a user.
    async fn set_user_info(&self, user_id: &str, info: &str) -> Result<(), StoreError>;

    // Folders.
    /// A folder by id.
    async fn folder(&self, id: &str) -> Result<Option<FolderRecord>, StoreError>;
    /// Returns the folder at `path` (names, root first) under the user's root, creating the
    /// missing ones. An empty path is the root.
    async fn ensure_folder_path(
        &self,
        owner_id: &str,
        path: &[String],
        now: i64,
    ) -> Result<FolderRecord, StoreError>;

    /// The live subfolders and files of a folder, each sorted by name.
    async fn list_folder(
        &self,
        folder_id: &str,
    ) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), StoreError>;

    /// One page of a folder's listing (subfolders first, then live files, in `q`'s order), read
    /// as one keyset page (`LIMIT`) with the counts that place it, from one snapshot.
    async fn list_folder_page(
        &self,
        folder_id: &str,
        q: &ListingQuery,
    ) -> Result<ListingPage, StoreError>;

    // Finding things.
    /// Folders and live files whose name contains `q.text` (case-insensitively), among
    /// everything `user_id` can see (their own tree, shared folders and what is below them,
    /// files shared with them), ordered by (name key, id), one page after `q.after`.
    async fn search(&self, user_id: &str, q: &SearchQuery) -> Result<Vec<SearchHit>, StoreError>;
    /// Stars (`on`) or unstars a file or folder for a user; idempotent.
    async fn set_favourite(
        &self,
        user_id: &str,
        item: &ItemRef,
        on: bool,
        now: i64,
    ) -> Result<(), StoreError>;
    /// The user's starred folders and live files, each by name. Not filtered by access: the
    /// caller checks the user's role on each.
    async fn favourites(
        &self,
        user_id: &str,
    ) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), StoreError>;
    /// Records that a user opened a file at `now` (Recent).
    async fn record_opened(
        &self,
        user_id: &str,
        file_id: &FileId,
        now: i64,
    ) -> Result<(), StoreError>;
    /// The live files a user opened or saved a version of most recently, newest first, with
    /// that time; at most `limit`. Not filtered by access: the caller checks the role on each.
    async fn recent_files(
        &self,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<(FileRecord, i64)>, StoreError>;
    /// Everyone with a share on a file or on one of its folders, by name.
    async fn file_access(&self, file_id: &FileId) -> Result<Vec<AccessEntry>, StoreError>;

    /// Creates a folder under `parent_id` (owned by the parent's owner). `AlreadyExists` if the
    /// name is taken there (case-insensitively).
    async fn create_folder(
        &self,
        parent_id: &str,
        name: &str,
        now: i64,
    ) -> Result<FolderRecord, StoreError>;
    /// Moves an empty, non-root folder to its owner's trash (WOPI DeleteContainer). `Ok(false)`
    /// when it is not empty or a root.
    async fn delete_folder(&self, id: &str, now: i64) -> Result<bool, StoreError>;
    /// Renames a non-root folder (same id). `Err(NameExists)` when a sibling has that name
    /// (case-insensitively); `NotFound` for an unknown folder or a root.
    async fn rename_folder(
        &self,
        id: &str,
        name: &str,
    ) -> Result<Outcome<FolderRecord>, StoreError>;
    /// Moves a folder (with everything below it) into `target` after [`check_folder_move`] on
    /// the rows read in the transaction (every move of one owner's folders is serialised, so two
    /// crossing moves cannot make a cycle); `audit` is written when it moves. `NotFound` for an
    /// unknown or trashed folder or target.
    async fn move_folder(
        &self,
        id: &str,
        target: &str,
        audit: Option<&AuditEvent>,
    ) -> Result<Result<FolderRecord, FolderMoveRefusal>, StoreError>;
    /// Moves a non-root folder and everything below it to its owner's trash (see
    /// `TrashEntry`); refused (`Err`, nothing written) while a file below it holds a live WOPI
    /// or coauth lock. `audit` is written in the same transaction. `NotFound` for an unknown,
    /// already trashed or root folder. `by` is who deleted it (`TrashEntry::deleted_by`).
    async fn trash_folder(
        &self,
        id: &str,
        now: i64,
        by: Option<&str>,
        audit: Option<&AuditEvent>,
    ) -> Result<Outcome<FolderRecord>, StoreError>;
    /// The entries of a user's trash (what they own and deleted, not yet purged), newest first.
    async fn trash(&self, owner_id: &str) -> Result<Vec<TrashEntry>, StoreError>;
    /// Whose trash entry `id` (a file or folder someone deleted, not yet purged) is in, who
    /// deleted it and when; `None` when it is not a trash entry.
    async fn trashed(&self, id: &str) -> Result<Option<TrashedBy>, StoreError>;
    /// Restores one entry of `owner_id`'s trash (a file, or a folder with what went with it)
    /// into the folder it was in, or into the owner's root when that folder is gone; under the
    /// first free name of [`restore_names`]. `None` when `id` is not an entry of that trash.
    /// `audit`'s row is written in the same transaction.
    async fn restore_trashed(
        &self,
        owner_id: &str,
        id: &str,
        now: i64,
        audit: Option<RestoreAudit<'_>>,
    ) -> Result<Option<Restored>, StoreError>;
    /// Deletes trash entries for good: of one owner (`Some`) or everyone's, one entry (`Some`)
    /// or all, deleted before `deleted_before`. Their versions, streams, shares and tokens go
    /// (the sweep then deletes the blobs nothing references); the rows stay as tombstones so an
    /// id is never reused. `audit` is written in the same transaction when something was purged.
    async fn purge_trash(
        &self,
        owner_id: Option<&str>,
        entry: Option<&str>,
        deleted_before: i64,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<Purged, StoreError>;
    /// Whether anyone besides the owner may access a file (a share on it, its folder or an
    /// ancestor).
    async fn file_is_shared(&self, id: &FileId) -> Result<bool, StoreError>;
    /// The user's role on a folder: owner, or a share on it or an ancestor.
    async fn folder_role(&self, folder_id: &str, user_id: &str)
    -> Result<Option<Role>, StoreError>;
    /// Grants `role` on a folder (and everything below) to a user, writing `audit` in the same
    /// transaction.
    async fn share_folder(
        &self,
        folder_id: &str,
        user_id: &str,
        role: Role,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError>;
    /// Folders and files shared directly with a user.
    async fn shared_with(
        &self,
        user_id: &str,
    ) -> Result<(Vec<(FolderRecord, Role)>, Vec<(FileRecord, Role)>), StoreError>;
    /// Everyone a file is shared with directly (not through a folder), by name.
    async fn file_shares(&self, id: &FileId) -> Result<Vec<ShareEntry>, StoreError>;
    /// Everyone a folder is shared with directly, by name.
    async fn folder_shares(&self, folder_id: &str) -> Result<Vec<ShareEntry>, StoreError>;
    /// Removes a user's share on a file, writing `audit` in the same transaction when a share
    /// was removed; `false` if there was none.
    async fn unshare_file(
        &self,
        id: &FileId,
        user_id: &str,
        audit: Option<&AuditEvent>,
    ) -> Result<bool, StoreError>;
    /// `unshare_file` for a folder share.
    async fn unshare_folder(
        &self,
        folder_id: &str,
        user_id: &str,
        audit: Option<&AuditEvent>,
    ) -> Result<bool, StoreError>;
    /// Enabled people whose display name or login contains `query` (case-insensitively; `%`
    /// and `_` match themselves), by name, at most `limit`; API keys' application users are
    /// not people and never match.
    async fn search_users(&self, query: &str, limit: u32) -> Result<Vec<UserRecord>, StoreError>;
    /// Which subfolders of a folder carry a share, and which of its live files carry a share
    /// or a link live at `now` (the "Shared" marks of the owner's list).
    async fn shared_in_folder(
        &self,
        folder_id: &str,
        now: i64,
    ) -> Result<(Vec<String>, Vec<FileId>), StoreError>;
    /// Stores a new public link under the hash of its secret, with `audit`, in one transaction.
    async fn create_share_link(
        &self,
        secret_hash: &[u8],
        link: &ShareLinkRecord,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError>;
    /// The link whose secret hashes to `secret_hash` (revoked or expired ones too).
    async fn share_link_by_secret(
        &self,
        secret_hash: &[u8],
    ) -> Result<Option<ShareLinkRecord>, StoreError>;
    /// A link by id (revoked or expired ones too).
    async fn share_link(&self, id: &str) -> Result<Option<ShareLinkRecord>, StoreError>;
    /// A file's links that are not revoked (expired ones included), newest first.
    async fn file_share_links(&self, file_id: &FileId) -> Result<Vec<ShareLinkRecord>, StoreError>;
    /// Revokes a link: marks it revoked at `now` and deletes every token minted through it, with
    /// `audit`, in one transaction; `false` if it was unknown or already revoked.
    async fn revoke_share_link(
        &self,
        id: &str,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<bool, StoreError>;
    /// The retention of public links: deletes every link revoked or expired before `before`,
    /// with the tokens minted through it, and `audit` when any went, in one transaction; how
    /// many links went. A purged link no longer opens (its secret is unknown) and its guest
    /// tokens and pass cookies are refused (the link is read at every request).
    async fn purge_share_links(
        &self,
        before: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<u64, StoreError>;
    /// Moves a file to another folder (same id); `Err(NameExists)` if the name is taken there.
    /// `audit` is written in the same transaction when the move happens.
    async fn move_file(
        &self,
        id: &FileId,
        folder_id: &str,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<Outcome<FileRecord>, StoreError>;
    /// Files whose lock is live at `now`.
    async fn locked_files(&self, now: i64) -> Result<Vec<FileRecord>, StoreError>;
    /// Removes a file's WOPI lock whatever its id and its coauth locks (administrators
    /// releasing a stuck lock), remembering the released WOPI lock with `now` so the editor's
    /// next write with it is told why it fails; `emit`'s event and audit row are written in the
    /// same transaction. Returns the file as it was (lock still set), `None` when there was no
    /// live lock of either kind (nothing is written).
    async fn force_unlock(
        &self,
        id: &FileId,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Option<FileRecord>, StoreError>;
    /// Clears locks that expired before `now`, atomically, and returns the files they were on
    /// (with the expired lock still in `lock`), so `lock.expired` is reported exactly once.
    async fn expire_locks(&self, now: i64) -> Result<Vec<FileRecord>, StoreError> {
        self.expire_locks_emitting(now, None).await
    }
    /// `expire_locks`, appending `emit`'s event for each expired lock in the same transaction.
    async fn expire_locks_emitting(
        &self,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Vec<FileRecord>, StoreError>;
    /// Live tokens minted for an editor and used by a WOPI request at or after
    /// `active_since` (the editing sessions going on now), most recently used first.
    async fn editing_sessions(
        &self,
        now: i64,
        active_since: i64,
    ) -> Result<Vec<EditingSession>, StoreError>;
    /// Records that a token was used at `now`, unless its recorded last use is newer than
    /// `now - min_interval_ms` (so a busy token costs a write at most once per interval).
    async fn touch_token(
        &self,
        hash: &[u8],
        now: i64,
        min_interval_ms: i64,
    ) -> Result<(), StoreError>;

    // Audit trail.
    /// Appends one audit row on its own (reads and sign-ins; changes write theirs inside their
    /// own transaction).
    async fn record_audit(&self, event: &AuditEvent) -> Result<(), StoreError>;
    /// Audit rows matching `query`, newest first (`at` then `id`, descending).
    async fn audit_events(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError>;
    /// Deletes audit rows older than `before` (Unix ms). Returns how many.
    async fn purge_audit(&self, before: i64) -> Result<u64, StoreError>;

    // Files.
    /// Creates a file with its first version, taking the first free name of `names`.
    /// `AlreadyExists` when every candidate is taken.
    async fn create_file(
        &self,
        file: NewFile,
        names: NameCandidates<'_>,
        now: i64,
    ) -> Result<FileRecord, StoreError>;
    /// `create_file`, writing the audit row `audit` builds from the new file in the same
    /// transaction.
    async fn create_file_audited(
        &self,
        file: NewFile,
        names: NameCandidates<'_>,
        now: i64,
        audit: AuditOf<'_>,
    ) -> Result<FileRecord, StoreError>;
    /// A live (not deleted) file by id.
    async fn file(&self, id: &FileId) -> Result<Option<FileRecord>, StoreError>;
    /// A live file by folder and name (names compare case-insensitively).
    async fn file_by_name(
        &self,
        folder_id: &str,
        name: &str,
    ) -> Result<Option<FileRecord>, StoreError>;
    /// The user's role on a live file, if any (owner, or a share).
    async fn role(&self, file_id: &FileId, user_id: &str) -> Result<Option<Role>, StoreError>;
    /// Records a new current version after the lock rule `check` passed, atomically with the
    /// check. `NotFound` if the file is gone.
    async fn commit_version(
        &self,
        id: &FileId,
        check: WriteCheck,
        content: ContentRecord,
        now: i64,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        self.commit_version_emitting(id, check, content, now, None)
            .await
    }
    /// `commit_version`, appending `emit`'s event in the same transaction when it commits.
    async fn commit_version_emitting(
        &self,
        id: &FileId,
        check: WriteCheck,
        content: ContentRecord,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError>;
    /// Applies a lock request with `folio_wopi::lock::transition`. Returns the lock after the
    /// request and the file (for its version).
    async fn apply_lock(
        &self,
        id: &FileId,
        request: &LockRequest,
        now: i64,
    ) -> Result<Outcome<(Option<LockState>, FileRecord)>, StoreError> {
        self.apply_lock_emitting(id, request, &LockOptions::default(), now, None)
            .await
    }
    /// `apply_lock` with a lifetime and user visibility (`options`), appending `emit`'s event
    /// in the same transaction when it succeeds. Refused (409 without `X-WOPI-Lock`) while
    /// coauth locks hold the file.
    async fn apply_lock_emitting(
        &self,
        id: &FileId,
        request: &LockRequest,
        options: &LockOptions,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<(Option<LockState>, FileRecord)>, StoreError>;
    /// CSPP Plus GetCoauthLock, RefreshCoauthLock, UnlockCoauthLock with
    /// `folio_wopi::coauth::apply`, on the row-locked file; expired rows are removed. Returns the
    /// table after the request.
    async fn apply_coauth(
        &self,
        id: &FileId,
        request: &CoauthRequest,
        now: i64,
    ) -> Result<Outcome<CoauthTable>, StoreError>;
    /// The file's live coauth locks at `now` (GetCoauthTable).
    async fn coauth_table(&self, id: &FileId, now: i64) -> Result<CoauthTable, StoreError>;
    /// Renames a file after `folio_wopi::lock::check_rename`, taking the first free candidate.
    /// `Err(NameExists)` when all candidates are taken.
    async fn rename_file(
        &self,
        id: &FileId,
        lock: Option<&LockId>,
        names: NameCandidates<'_>,
        now: i64,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        self.rename_file_emitting(id, lock, None, names, now, None)
            .await
    }
    /// `rename_file`, also under coauth locks (`coauth_id`: `X-WOPI-CoauthLockId`,
    /// `folio_wopi::coauth::check_rename`), appending `emit`'s event in the same transaction
    /// when it succeeds.
    async fn rename_file_emitting(
        &self,
        id: &FileId,
        lock: Option<&LockId>,
        coauth_id: Option<&str>,
        names: NameCandidates<'_>,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError>;
    /// Deletes an unlocked file (soft: its id is never reused and its versions are kept until
    /// purged).
    async fn delete_file(&self, id: &FileId, now: i64) -> Result<Outcome<()>, StoreError> {
        self.delete_file_emitting(id, now, None, None).await
    }
    /// `delete_file` by `by` (`TrashEntry::deleted_by`), appending `emit`'s event (built from
    /// the file before deletion) in the same transaction when it succeeds.
    async fn delete_file_emitting(
        &self,
        id: &FileId,
        now: i64,
        by: Option<&str>,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<()>, StoreError>;
    /// CSPP Plus: the signature of version `version`'s MainContent (if known), the live
    /// alternate streams and content properties at `now`.
    async fn chunked_state(
        &self,
        id: &FileId,
        version: i64,
        now: i64,
    ) -> Result<ChunkedState, StoreError>;
    /// Records the signature computed for a version's MainContent (it never changes).
    async fn set_signature(
        &self,
        id: &FileId,
        version: i64,
        signature: &StreamSignature,
    ) -> Result<(), StoreError>;
    /// CSPP Plus PutChunkedFile: after `folio_wopi::coauth::check_put_chunked` and the
    /// sequence-number check on the row-locked file, applies `commit` (a new version when
    /// MainContent changed, the streams, the properties) and moves the sequence number on, in
    /// one transaction.
    async fn commit_chunked(
        &self,
        id: &FileId,
        check: &ChunkedCheck,
        commit: ChunkedCommit,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError>;
    /// The segments of a segmented content key (`ContentKey::Segmented`), in order; empty if
    /// the key has none.
    async fn content_segments(&self, content_key: &str) -> Result<Vec<BlobSegment>, StoreError>;
    /// Every version of a file, newest first.
    async fn versions(&self, id: &FileId) -> Result<Vec<VersionRecord>, StoreError>;
    /// Records AddActivities activities on a live file and appends `emit`'s event (built from
    /// the file) in the same transaction. `NotFound` if the file is gone.
    async fn record_activities_emitting(
        &self,
        id: &FileId,
        activities: &[ActivityRecord],
        emit: Option<&Emit<'_>>,
    ) -> Result<(), StoreError>;
    /// The most recent `limit` activities of a file, newest first, with the users' names.
    async fn file_activities(
        &self,
        id: &FileId,
        limit: i64,
    ) -> Result<Vec<ActivityRecord>, StoreError>;
    /// Grants `role` on a file to a user (replacing an earlier share), writing `audit` in the
    /// same transaction.
    async fn share_file(
        &self,
        id: &FileId,
        user_id: &str,
        role: Role,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError>;

    // Tokens.
    /// Stores a token under the hash of its secret.
    async fn insert_token(
        &self,
        hash: &[u8],
        token: &TokenRecord,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Stores many tokens in one transaction (EnumerateChildren mints one per child file):
    /// all or none.
    async fn insert_tokens(
        &self,
        tokens: &[(Vec<u8>, TokenRecord)],
        now: i64,
    ) -> Result<(), StoreError>;
    /// The token stored under `hash`, unless revoked; with its user.
    async fn token(&self, hash: &[u8]) -> Result<Option<(TokenRecord, UserRecord)>, StoreError>;
    /// `token`, with the live file the token is for (`None`: deleted or missing) and whether
    /// the file's folder is the user's own, read in one statement: the WOPI authorization
    /// path's single round trip.
    async fn token_with_file(&self, hash: &[u8]) -> Result<Option<TokenWithFile>, StoreError>;
    /// Revokes one token. Returns whether it existed.
    async fn revoke_token(&self, hash: &[u8]) -> Result<bool, StoreError>;
    /// Deletes tokens that expired before `now`. Returns how many.
    async fn purge_expired_tokens(&self, now: i64) -> Result<u64, StoreError>;

    // Browser sessions.
    /// Stores a session under the hash of its cookie value.
    async fn create_session(
        &self,
        hash: &[u8],
        user_id: &str,
        csrf: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError>;
    /// The live session stored under `hash` (not expired at `now`, user not disabled).
    async fn session(&self, hash: &[u8], now: i64) -> Result<Option<SessionRecord>, StoreError>;
    /// Ends a session.
    async fn delete_session(&self, hash: &[u8]) -> Result<(), StoreError>;
    /// A user's live sign-in sessions (not expired at `now`), newest first.
    async fn user_sessions(&self, user_id: &str, now: i64) -> Result<Vec<UserSession>, StoreError>;
    /// Ends every session of `user_id` but the one stored under `keep`; how many ended.
    async fn end_other_sessions(&self, user_id: &str, keep: &[u8]) -> Result<u64, StoreError>;
    /// Records a failed sign-in for `login`.
    async fn record_login_failure(&self, login: &str, now: i64) -> Result<(), StoreError>;
    /// Failed sign-ins for `login` since `since` (Unix ms).
    async fn login_failures_since(&self, login: &str, since: i64) -> Result<u64, StoreError>;
    /// Records a failed sign-in for `login` from `source` (the peer address).
    async fn record_login_failure_from(
        &self,
        login: &str,
        source: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Failed sign-ins for `login` from `source` since `since`: how many, and the latest time.
    async fn login_failures_from(
        &self,
        login: &str,
        source: &str,
        since: i64,
    ) -> Result<(u64, Option<i64>), StoreError>;
    /// Forgets the failed sign-ins for `login` (from `source` only, when given); how many.
    async fn clear_login_failures(
        &self,
        login: &str,
        source: Option<&str>,
    ) -> Result<u64, StoreError>;
    /// Disables a user for good: ends its sign-in sessions and OAuth grants, deletes its access tokens and
    /// revokes its editing sessions (at `now`), in one transaction; re-enabling revives nothing.
    async fn disable_user(&self, user_id: &str, now: i64) -> Result<(), StoreError>;

    // Integration API.
    /// Stores an API key under the hash of its secret.
    async fn create_api_key(&self, key: &ApiKeyRecord, hash: &[u8]) -> Result<(), StoreError>;
    /// The live (not revoked) key stored under `hash`.
    async fn api_key(&self, hash: &[u8]) -> Result<Option<ApiKeyRecord>, StoreError>;
    /// Every key, newest first.
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Revokes a key by id. Returns whether a live key was revoked.
    async fn revoke_api_key(&self, id: &str, now: i64) -> Result<bool, StoreError>;
    /// Creates or updates the user an application names, atomically (two replicas racing on
    /// the same external id end with one user).
    async fn upsert_external_user(
        &self,
        user: &ExternalUser,
        now: i64,
    ) -> Result<UserRecord, StoreError>;
    /// Stores a WOPI session (and the hash of its one-time launch code, if any).
    async fn create_wopi_session(
        &self,
        s: &WopiSessionRecord,
        launch_hash: Option<&[u8]>,
    ) -> Result<(), StoreError>;
    /// A session by id.
    async fn wopi_session(&self, id: &str) -> Result<Option<WopiSessionRecord>, StoreError>;
    /// Consumes a launch code: returns its live session and clears the code (single use).
    async fn take_launch_code(
        &self,
        hash: &[u8],
        now: i64,
    ) -> Result<Option<WopiSessionRecord>, StoreError>;
    /// Sessions created by an API key (optionally for one file), newest first.
    async fn list_wopi_sessions(
        &self,
        api_key_id: &str,
        file_id: Option<&FileId>,
    ) -> Result<Vec<WopiSessionRecord>, StoreError>;
    /// Revokes a session and deletes its tokens at once. Returns whether it was live.
    async fn revoke_wopi_session(&self, id: &str, now: i64) -> Result<bool, StoreError>;
    /// Records a single-use nonce (launch-link `jti`) until `expires_at`; `false` if it was
    /// already used. Expired nonces are forgotten.
    async fn use_nonce(&self, jti: &str, expires_at: i64, now: i64) -> Result<bool, StoreError>;
    /// Appends an event to the outbox with one pending delivery per URL, in one transaction.
    async fn enqueue_event(&self, event: &OutboxEvent, urls: &[String]) -> Result<(), StoreError>;
    /// Claims up to `limit` due deliveries for `lease_ms` (so one replica delivers each).
    async fn claim_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Records an attempt: delivered, or failed with the next attempt time (`None`: give up).
    async fn finish_delivery(
        &self,
        id: &str,
        delivered: bool,
        status: Option<i64>,
        error: Option<&str>,
        next_attempt_at: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError>;
    /// The most recent deliveries, newest first.
    async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>, StoreError>;

    // OAuth 2.0 (Office mobile's bootstrapper): clients, codes, grants and their tokens.
    /// Registers a client (`AlreadyExists` for a taken id).
    async fn create_oauth_client(&self, client: &OAuthClientRecord) -> Result<(), StoreError>;
    /// A client by id.
    async fn oauth_client(&self, id: &str) -> Result<Option<OAuthClientRecord>, StoreError>;
    /// Every client, oldest first.
    async fn list_oauth_clients(&self) -> Result<Vec<OAuthClientRecord>, StoreError>;
    /// Removes a client with its codes, grants and tokens, in one transaction. Returns whether
    /// it existed.
    async fn delete_oauth_client(&self, id: &str) -> Result<bool, StoreError>;
    /// Stores an authorization code under its hash.
    async fn insert_oauth_code(
        &self,
        hash: &[u8],
        code: &OAuthCodeRecord,
        now: i64,
    ) -> Result<(), StoreError>;
    /// The code stored under `hash` (used or not, expired or not).
    async fn oauth_code(&self, hash: &[u8]) -> Result<Option<OAuthCodeRecord>, StoreError>;
    /// Redeems a code, in one transaction with the code row locked: a fresh code is marked used
    /// and `grant` is stored with the tokens of `issue`; a code used before revokes the grant it
    /// issued (RFC 6749 §4.1.2); an unknown or expired code issues nothing.
    async fn redeem_oauth_code(
        &self,
        hash: &[u8],
        grant: &OAuthGrantRecord,
        issue: &OAuthIssue,
        now: i64,
    ) -> Result<CodeRedemption, StoreError>;
    /// The grant and user of a live OAuth access token (not expired at `now`, user not
    /// disabled).
    async fn oauth_access(
        &self,
        hash: &[u8],
        now: i64,
    ) -> Result<Option<(OAuthGrantRecord, UserRecord)>, StoreError>;
    /// Rotates a refresh token of `client_id`, in one transaction with its row locked: a live
    /// one is marked used and the tokens of `issue` are stored on its grant; one used before
    /// revokes its grant; an unknown, expired or other client's token changes nothing.
    async fn rotate_oauth_refresh(
        &self,
        hash: &[u8],
        client_id: &str,
        issue: &OAuthIssue,
        now: i64,
    ) -> Result<RefreshRotation, StoreError>;
    /// The grants of one user (`Some`) or of everyone (`None`), newest first.
    async fn oauth_grants(&self, user_id: Option<&str>) -> Result<Vec<OAuthGrantView>, StoreError>;
    /// Revokes a grant with its tokens (only the user's own when `user_id` is given). Returns
    /// whether it existed.
    async fn revoke_oauth_grant(&self, id: &str, user_id: Option<&str>)
    -> Result<bool, StoreError>;
    /// Deletes expired codes and OAuth tokens, then grants left without tokens; how many rows.
    async fn purge_expired_oauth(&self, now: i64) -> Result<u64, StoreError>;

    // Host state.
    /// Returns the named secret, storing `fresh` first if there is none yet (first start wins
    /// across processes and replicas).
    async fn secret(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>, StoreError>;
    /// Every blob key any version, stream, segment or template references (for the orphan
    /// sweep).
    async fn referenced_blob_keys(&self) -> Result<HashSet<String>, StoreError>;

    // Version retention.
    /// Live files with at least two non-current autosaves created before `keep_all_before` in
    /// one clock hour (one UTC day when created before `hourly_before`): those thinning may
    /// change. At most `limit`, by id.
    async fn autosave_candidates(
        &self,
        keep_all_before: i64,
        hourly_before: i64,
        limit: i64,
    ) -> Result<Vec<FileId>, StoreError>;
    /// Deletes those of `versions` that are autosaves and not the file's current version (the
    /// rule is applied again inside the transaction that row-locks the file); returns how many
    /// went and the plain blobs no row references any more, with their recorded sizes (a
    /// dropped segmented content's segment rows go too). `NotFound` if the file is gone.
    async fn drop_versions(
        &self,
        id: &FileId,
        versions: &[i64],
    ) -> Result<(u64, Vec<BlobReference>), StoreError>;
    /// Adds a sweep's figures to the running total and makes them the last sweep's, writing
    /// `audit` in the same transaction.
    async fn record_retention(
        &self,
        dropped: u64,
        freed: u64,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError>;
    /// What retention has freed so far (zeros before the first sweep).
    async fn retention_totals(&self) -> Result<RetentionTotals, StoreError>;

    // Organisation templates.
    /// Stores a template; `AlreadyExists` if its name is taken (case-insensitively).
    async fn add_template(&self, t: &TemplateRecord) -> Result<(), StoreError>;
    /// Every template, by name.
    async fn templates(&self) -> Result<Vec<TemplateRecord>, StoreError>;
    /// One template.
    async fn template(&self, id: &str) -> Result<Option<TemplateRecord>, StoreError>;
    /// Deletes a template and every file's wait for it; the record, if there was one.
    async fn delete_template(&self, id: &str) -> Result<Option<TemplateRecord>, StoreError>;
    /// Records that the (new, empty) file waits for the template (Collabora's TemplateSource).
    async fn set_file_template(&self, id: &FileId, template_id: &str) -> Result<(), StoreError>;
    /// The template a file waits for, if it still exists.
    async fn file_template(&self, id: &FileId) -> Result<Option<TemplateRecord>, StoreError>;
    /// Every blob a version or a stream references, once per key, with the size recorded and,
    /// for version contents, the SHA-256 (for backups: what to copy and how to check it).
    async fn blob_references(&self) -> Result<Vec<BlobReference>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn file(version: i64, size: u64, lock: Option<(&str, i64)>) -> FileRecord {
        FileRecord {
            id: FileId::from_trusted("f".into()),
            folder_id: "d".into(),
            owner_id: "u".into(),
            name: "a.docx".into(),
            folder_name: None,
            version,
            content: ContentRecord {
                blob_key: "b".into(),
                size,
                sha256: Vec::new(),
                created_at: 0,
                author_id: "u".into(),
                source: "test".into(),
                kind: VersionKind::Save,
            },
            lock_user: None,
            sequence: 1,
            lock_holder: None,
            lock_since: None,
            released_lock: None,
            lock: lock.map(|(id, expires_at)| LockState {
                id: LockId::from_trusted(id.into()),
                expires_at,
            }),
        }
    }

    fn put(lock: Option<&str>, expected_version: Option<i64>) -> WriteCheck {
        WriteCheck::PutFile {
            lock: lock.map(|l| LockId::from_trusted(l.into())),
            expected_version,
        }
    }

    #[test]
    fn write_check_decisions() {
        // (check, file, allowed)
        let cases = [
            (
                put(Some("A"), None),
                file(3, 10, Some(("A", NOW + 1))),
                true,
            ),
            (
                put(Some("B"), None),
                file(3, 10, Some(("A", NOW + 1))),
                false,
            ),
            (put(None, None), file(3, 0, None), true),
            (put(None, None), file(3, 10, None), false),
            (put(Some("A"), None), file(3, 10, Some(("A", NOW))), false), // expired: unlocked
            (
                put(Some("A"), Some(3)),
                file(3, 10, Some(("A", NOW + 1))),
                true,
            ),
            (
                put(Some("A"), Some(2)),
                file(3, 10, Some(("A", NOW + 1))),
                false,
            ),
            (WriteCheck::Unlocked, file(3, 10, None), true),
            (
                WriteCheck::Unlocked,
                file(3, 10, Some(("A", NOW + 1))),
                false,
            ),
            (
                WriteCheck::Unlocked,
                file(3, 10, Some(("A", NOW - 1))),
                true,
            ),
        ];
        for (check, f, allowed) in cases {
            assert_eq!(
                check.decide(&f, &[], NOW).is_ok(),
                allowed,
                "{check:?} on {f:?}"
            );
        }
        assert!(matches!(
            put(Some("A"), Some(2)).decide(&file(3, 10, Some(("A", NOW + 1))), &[], NOW),
            Err(WopiError::ContentChanged)
        ));
    }

    fn folder(id: &str, owner: &str, parent: Option<&str>) -> FolderRecord {
        FolderRecord {
            id: id.into(),
            owner_id: owner.into(),
            parent_id: parent.map(Into::into),
            name: id.into(),
        }
    }

    #[test]
    fn folder_move_rules() {
        use FolderMoveRefusal::*;
        let chain = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // (folder, target, target and its ancestors, expected)
        let cases = [
            (
                folder("a", "u", Some("r")),
                folder("b", "u", Some("r")),
                chain(&["b", "r"]),
                Ok(()),
            ),
            (
                folder("a", "u", Some("r")),
                folder("r", "u", None),
                chain(&["r"]),
                Ok(()),
            ),
            (
                folder("a", "u", Some("r")),
                folder("a", "u", Some("r")),
                chain(&["a", "r"]),
                Err(IntoItself),
            ),
            (
                folder("a", "u", Some("r")),
                folder("c", "u", Some("a")),
                chain(&["c", "a", "r"]),
                Err(IntoItself),
            ),
            (
                folder("a", "u", Some("r")),
                folder("d", "u", Some("c")),
                chain(&["d", "c", "a", "r"]),
                Err(IntoItself),
            ),
            (
                folder("r", "u", None),
                folder("b", "u", Some("r")),
                chain(&["b", "r"]),
                Err(Root),
            ),
            (
                folder("a", "u", Some("r")),
                folder("x", "v", Some("s")),
                chain(&["x", "s"]),
                Err(OtherOwner),
            ),
            // A sibling whose name merely starts like the folder's id is not below it.
            (
                folder("a", "u", Some("r")),
                folder("ab", "u", Some("r")),
                chain(&["ab", "r"]),
                Ok(()),
            ),
        ];
        for (f, t, c, expected) in cases {
            assert_eq!(
                check_folder_move(&f, &t, &c),
                expected,
                "{} into {}",
                f.id,
                t.id
            );
        }
    }

    #[test]
    fn restore_names_number_files_and_folders() {
        let files: Vec<String> = restore_names("a.docx", false).take(3).collect();
        assert_eq!(files, ["a.docx", "a (1).docx", "a (2).docx"]);
        let folders: Vec<String> = restore_names("v1.2", true).take(2).collect();
        assert_eq!(folders, ["v1.2", "v1.2 (1)"]);
        assert_eq!(restore_names("x", true).count(), 1000);
    }

    #[test]
    fn name_candidates_stop_at_the_first_none() {
        let names = |n: u32| (n < 3).then(|| format!("a ({n}).docx"));
        let all: Vec<String> = name_candidates(&names).collect();
        assert_eq!(all, ["a (0).docx", "a (1).docx", "a (2).docx"]);
        let exact = |n: u32| (n == 0).then(|| "a.docx".to_owned());
        assert_eq!(name_candidates(&exact).count(), 1);
    }
}
