//! The SQL core shared by the SQLite and PostgreSQL backends (feature `sql`): every
//! `MetadataStore` method written once, as SQL text with `$N` placeholders (which SQLite binds by
//! number too) plus the rules around it, over a narrow engine adapter that each backend
//! implements.
//!
//! A backend implements [`SqlEngine`] — transactions, single statements, its [`Dialect`] words
//! (row locks, `SKIP LOCKED`, byte-wise collation) and the mapping of driver errors to
//! [`StoreError`] — and gets `MetadataStore` from the blanket implementation here. Row values come
//! back through [`SqlRow`], arguments go in as [`Arg`], so this module needs no database driver.
//!
//! Not here: pools, connection options, migrations, error classification (the backend crates),
//! and the lock and naming decisions themselves (`folio_wopi::lock`, [`WriteCheck::decide`],
//! [`crate::metadata::name_candidates`]).

mod activities;
mod audit;
pub mod bulk;
mod coauth;
mod files;
mod finding;
mod folders;
mod integration;
mod links;
mod locks;
mod oauth;
mod ops;
mod outbox;
mod retention;
mod rows;
mod sessions;
mod sharing;
mod streams;
mod templates;
mod tokens;
mod trash;
mod users;
mod versions;

use std::collections::HashSet;

use async_trait::async_trait;
use folio_wopi::coauth::CoauthRequest;
use folio_wopi::lock::{LockOptions, LockRequest, LockState};
use folio_wopi::{FileId, LockId};

use crate::error::StoreError;
use crate::metadata::{Emit, MetadataStore, NameCandidates, Outcome, WriteCheck};
use crate::model::*;

/// The words in which the two SQL dialects differ, spliced into the shared statements.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// Appended to a `SELECT` of rows the transaction is about to change, so that concurrent
    /// writers (other replicas) queue behind it: PostgreSQL `" FOR UPDATE"`; empty where a write
    /// transaction already excludes every other writer (SQLite's `BEGIN IMMEDIATE`).
    pub for_update: &'static str,
    /// Appended to a `SELECT` of a parent row that must not be deleted before the transaction
    /// ends: PostgreSQL `" FOR KEY SHARE"`; empty on SQLite.
    pub for_key_share: &'static str,
    /// Appended to the `SELECT` that claims due webhook deliveries (`deliveries d`), so that
    /// replicas claiming at once take disjoint sets: PostgreSQL
    /// `" FOR UPDATE OF d SKIP LOCKED"`; empty on SQLite.
    pub claim_lock: &'static str,
    /// Appended to an `ORDER BY` of names for a byte-wise order whatever the database locale:
    /// PostgreSQL `" COLLATE \"C\""`; empty on SQLite, whose default collation is byte-wise.
    pub byte_order: &'static str,
}

/// One bound value of a statement, in the order of the placeholders `$1, $2, …`.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// `TEXT` (`None`: NULL).
    Text(Option<&'a str>),
    /// `BIGINT` / `INTEGER` — times, sizes, versions, counts (`None`: NULL).
    Int(Option<i64>),
    /// A 32-bit `INTEGER` (roles).
    Int4(i32),
    /// `BOOLEAN` (SQLite: 0/1).
    Bool(bool),
    /// `BYTEA` / `BLOB` (`None`: NULL).
    Bytes(Option<&'a [u8]>),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(v))
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(v))
    }
}
impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v)
    }
}
impl<'a> From<&'a FileId> for Arg<'a> {
    fn from(v: &'a FileId) -> Self {
        Arg::Text(Some(v.as_str()))
    }
}
impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Arg::Bytes(Some(v))
    }
}
impl<'a> From<Option<&'a [u8]>> for Arg<'a> {
    fn from(v: Option<&'a [u8]>) -> Self {
        Arg::Bytes(v)
    }
}

/// Builds a `&[Arg]` from values that convert into [`Arg`]: `args![id, now]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::sql::Arg::from($v)),*] };
}
pub(crate) use args;

/// One result row: typed reads of a named column (`None`: NULL). A type mismatch is a backend
/// error.
pub trait SqlRow: Send + Sync {
    /// A `TEXT` column.
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    /// A `BIGINT` column (SQLite: `INTEGER`).
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
    /// A 32-bit `INTEGER` column (roles).
    fn opt_int4(&self, col: &str) -> Result<Option<i32>, StoreError>;
    /// A `BOOLEAN` column (SQLite: 0/1).
    fn opt_flag(&self, col: &str) -> Result<Option<bool>, StoreError>;
    /// A `BYTEA` / `BLOB` column.
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// A `TEXT` column that is never NULL.
    fn text(&self, col: &str) -> Result<String, StoreError> {
        not_null(col, self.opt_text(col)?)
    }
    /// A `BIGINT` column that is never NULL.
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        not_null(col, self.opt_int(col)?)
    }
    /// A 32-bit `INTEGER` column that is never NULL.
    fn int4(&self, col: &str) -> Result<i32, StoreError> {
        not_null(col, self.opt_int4(col)?)
    }
    /// A `BOOLEAN` column that is never NULL.
    fn flag(&self, col: &str) -> Result<bool, StoreError> {
        not_null(col, self.opt_flag(col)?)
    }
    /// A `BYTEA` / `BLOB` column that is never NULL.
    fn bytes(&self, col: &str) -> Result<Vec<u8>, StoreError> {
        not_null(col, self.opt_bytes(col)?)
    }
}

/// The column was NULL where the schema says it cannot be.
#[derive(Debug, thiserror::Error)]
#[error("unexpected NULL in column {0}")]
struct UnexpectedNull(String);

fn not_null<T>(col: &str, v: Option<T>) -> Result<T, StoreError> {
    v.ok_or_else(|| StoreError::backend(UnexpectedNull(col.to_owned())))
}

/// An open transaction: rolled back when dropped without [`SqlTx::commit`].
#[async_trait]
pub trait SqlTx: Send {
    /// The engine's row type.
    type Row: SqlRow;
    /// Runs one statement; the number of rows it changed.
    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError>;
    /// Runs one query; all its rows.
    async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<Self::Row>, StoreError>;
    /// Runs one query; its first row, if any.
    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<Self::Row>, StoreError>;
    /// Commits.
    async fn commit(self) -> Result<(), StoreError>;
}

/// How a transaction run by [`SqlEngine::run_tx`] ends, with its result.
#[derive(Debug)]
pub enum TxEnd<T> {
    /// Commit; the result is returned once the commit is durable.
    Commit(T),
    /// Roll back everything the transaction did; the result is returned as it is (a refusal
    /// decided inside the transaction, e.g. a lock conflict).
    Rollback(T),
}

/// A whole write transaction as one piece of work ([`SqlEngine::run_tx`]): it runs its
/// statements on the transaction it is given and says how it ends; it must not commit itself.
pub type TxJob<Tx, T> = Box<
    dyn for<'a> FnOnce(&'a mut Tx) -> futures::future::BoxFuture<'a, Result<TxEnd<T>, StoreError>>
        + Send,
>;

/// What a backend provides to run the shared SQL: transactions, single statements and its
/// dialect words. Every error it returns is already classified (`NotFound`, `AlreadyExists` for
/// a unique violation, `Unavailable`, `Backend`).
#[async_trait]
pub trait SqlEngine: Send + Sync + 'static {
    /// The dialect words (see [`Dialect`]).
    const DIALECT: Dialect;
    /// The engine's row type.
    type Row: SqlRow;
    /// The engine's transaction type.
    type Tx: SqlTx<Row = Self::Row>;

    /// A read-write transaction in which the rows the shared code locks with
    /// [`Dialect::for_update`] stay locked until it ends.
    async fn begin(&self) -> Result<Self::Tx, StoreError>;
    /// A read-only transaction whose statements all see one snapshot.
    async fn begin_snapshot(&self) -> Result<Self::Tx, StoreError>;
    /// One read-only query outside a transaction; all its rows.
    async fn fetch_all(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Self::Row>, StoreError>;
    /// One read-only query outside a transaction; its first row, if any.
    async fn fetch_optional(
        &self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<Self::Row>, StoreError>;
    /// One write statement on its own (autocommit); the number of rows it changed.
    async fn execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError>;
    /// The state of the engine's connection pools, for `/metrics`.
    fn pool_figures(&self) -> Vec<PoolFigures>;

    /// Runs `job` as one write transaction: `begin`, the job's statements, then `commit` (on
    /// [`TxEnd::Commit`]) or roll back. An engine whose transactions run elsewhere (SQLite's
    /// group-commit writer task) hands the whole job over at once instead of one hand-off per
    /// statement; an error from the job rolls it back.
    async fn run_tx<T: Send + 'static>(&self, job: TxJob<Self::Tx, T>) -> Result<T, StoreError> {
        let mut tx = self.begin().await?;
        match job(&mut tx).await? {
            TxEnd::Commit(v) => {
                tx.commit().await?;
                Ok(v)
            }
            TxEnd::Rollback(v) => Ok(v),
        }
    }
}

/// Every `MetadataStore` method, for every engine: the table of contents of this module (each
/// method's code lives in the module of its area).
#[async_trait]
impl<E: SqlEngine> MetadataStore for E {
    async fn ping(&self) -> Result<(), StoreError> {
        self.fetch_optional("SELECT 1", &[]).await.map(|_| ())
    }
    async fn ops_figures(&self, now: i64) -> Result<OpsFigures, StoreError> {
        ops::ops_figures(self, now).await
    }
    fn pool_figures(&self) -> Vec<PoolFigures> {
        SqlEngine::pool_figures(self)
    }

    // users.rs
    async fn create_user(&self, user: NewUser, now: i64) -> Result<UserRecord, StoreError> {
        users::create_user(self, user, now).await
    }
    async fn any_user(&self) -> Result<bool, StoreError> {
        users::any_user(self).await
    }
    async fn create_first_user(
        &self,
        user: NewUser,
        now: i64,
    ) -> Result<Option<UserRecord>, StoreError> {
        users::create_first_user(self, user, now).await
    }
    async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError> {
        users::user_by_login(self, login).await
    }
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        users::user_by_id(self, id).await
    }
    async fn list_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        users::list_users(self).await
    }
    async fn set_user_disabled(&self, user_id: &str, disabled: bool) -> Result<(), StoreError> {
        users::set_user_disabled(self, user_id, disabled).await
    }
    async fn set_password(&self, user_id: &str, hash: &str) -> Result<(), StoreError> {
        users::set_password(self, user_id, hash).await
    }
    async fn set_user_info(&self, user_id: &str, info: &str) -> Result<(), StoreError> {
        users::set_user_info(self, user_id, info).await
    }

    // folders.rs
    async fn folder(&self, id: &str) -> Result<Option<FolderRecord>, StoreError> {
        folders::folder(self, id).await
    }
    async fn ensure_folder_path(
        &self,
        owner_id: &str,
        path: &[String],
        now: i64,
    ) -> Result<FolderRecord, StoreError> {
        folders::ensure_folder_path(self, owner_id, path, now).await
    }
    async fn list_folder(
        &self,
        folder_id: &str,
    ) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), StoreError> {
        folders::list_folder(self, folder_id).await
    }
    async fn create_folder(
        &self,
        parent_id: &str,
        name: &str,
        now: i64,
    ) -> Result<FolderRecord, StoreError> {
        folders::create_folder(self, parent_id, name, now).await
    }
    async fn delete_folder(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        folders::delete_folder(self, id, now).await
    }

    // trash.rs
    async fn move_folder(
        &self,
        id: &str,
        target: &str,
        audit: Option<&AuditEvent>,
    ) -> Result<Result<FolderRecord, FolderMoveRefusal>, StoreError> {
        trash::move_folder(self, id, target, audit).await
    }
    async fn trash_folder(
        &self,
        id: &str,
        now: i64,
        by: Option<&str>,
        audit: Option<&AuditEvent>,
    ) -> Result<Outcome<FolderRecord>, StoreError> {
        trash::trash_folder(self, id, now, by, audit).await
    }
    async fn trash(&self, owner_id: &str) -> Result<Vec<TrashEntry>, StoreError> {
        trash::trash(self, owner_id).await
    }
    async fn trashed(&self, id: &str) -> Result<Option<TrashedBy>, StoreError> {
        trash::trashed(self, id).await
    }
    async fn restore_trashed(
        &self,
        owner_id: &str,
        id: &str,
        now: i64,
        audit: Option<crate::metadata::RestoreAudit<'_>>,
    ) -> Result<Option<Restored>, StoreError> {
        trash::restore_trashed(self, owner_id, id, now, audit).await
    }
    async fn purge_trash(
        &self,
        owner_id: Option<&str>,
        entry: Option<&str>,
        deleted_before: i64,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<Purged, StoreError> {
        trash::purge_trash(self, owner_id, entry, deleted_before, now, audit).await
    }
    async fn rename_folder(
        &self,
        id: &str,
        name: &str,
    ) -> Result<Outcome<FolderRecord>, StoreError> {
        folders::rename_folder(self, id, name).await
    }

    // finding.rs
    async fn list_folder_page(
        &self,
        folder_id: &str,
        q: &ListingQuery,
    ) -> Result<ListingPage, StoreError> {
        finding::list_folder_page(self, folder_id, q).await
    }
    async fn search(&self, user_id: &str, q: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        finding::search(self, user_id, q).await
    }
    async fn set_favourite(
        &self,
        user_id: &str,
        item: &ItemRef,
        on: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        finding::set_favourite(self, user_id, item, on, now).await
    }
    async fn favourites(
        &self,
        user_id: &str,
    ) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), StoreError> {
        finding::favourites(self, user_id).await
    }
    async fn record_opened(
        &self,
        user_id: &str,
        file_id: &FileId,
        now: i64,
    ) -> Result<(), StoreError> {
        finding::record_opened(self, user_id, file_id, now).await
    }
    async fn recent_files(
        &self,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<(FileRecord, i64)>, StoreError> {
        finding::recent_files(self, user_id, limit).await
    }
    async fn file_access(&self, file_id: &FileId) -> Result<Vec<AccessEntry>, StoreError> {
        finding::file_access(self, file_id).await
    }

    // sharing.rs
    async fn role(&self, file_id: &FileId, user_id: &str) -> Result<Option<Role>, StoreError> {
        sharing::role(self, file_id, user_id).await
    }
    async fn file_is_shared(&self, id: &FileId) -> Result<bool, StoreError> {
        sharing::file_is_shared(self, id).await
    }
    async fn folder_role(
        &self,
        folder_id: &str,
        user_id: &str,
    ) -> Result<Option<Role>, StoreError> {
        sharing::folder_role(self, folder_id, user_id).await
    }
    async fn share_folder(
        &self,
        folder_id: &str,
        user_id: &str,
        role: Role,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        sharing::share_folder(self, folder_id, user_id, role, audit).await
    }
    async fn share_file(
        &self,
        id: &FileId,
        user_id: &str,
        role: Role,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        sharing::share_file(self, id, user_id, role, audit).await
    }
    async fn shared_with(
        &self,
        user_id: &str,
    ) -> Result<(Vec<(FolderRecord, Role)>, Vec<(FileRecord, Role)>), StoreError> {
        sharing::shared_with(self, user_id).await
    }
    async fn file_shares(&self, id: &FileId) -> Result<Vec<ShareEntry>, StoreError> {
        sharing::file_shares(self, id).await
    }
    async fn folder_shares(&self, folder_id: &str) -> Result<Vec<ShareEntry>, StoreError> {
        sharing::folder_shares(self, folder_id).await
    }
    async fn unshare_file(
        &self,
        id: &FileId,
        user_id: &str,
        audit: Option<&AuditEvent>,
    ) -> Result<bool, StoreError> {
        sharing::unshare_file(self, id, user_id, audit).await
    }
    async fn unshare_folder(
        &self,
        folder_id: &str,
        user_id: &str,
        audit: Option<&AuditEvent>,
    ) -> Result<bool, StoreError> {
        sharing::unshare_folder(self, folder_id, user_id, audit).await
    }
    async fn search_users(&self, query: &str, limit: u32) -> Result<Vec<UserRecord>, StoreError> {
        sharing::search_users(self, query, limit).await
    }
    async fn shared_in_folder(
        &self,
        folder_id: &str,
        now: i64,
    ) -> Result<(Vec<String>, Vec<FileId>), StoreError> {
        sharing::shared_in_folder(self, folder_id, now).await
    }

    // links.rs
    async fn create_share_link(
        &self,
        secret_hash: &[u8],
        link: &ShareLinkRecord,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        links::create_share_link(self, secret_hash, link, audit).await
    }
    async fn share_link_by_secret(
        &self,
        secret_hash: &[u8],
    ) -> Result<Option<ShareLinkRecord>, StoreError> {
        links::share_link_by_secret(self, secret_hash).await
    }
    async fn share_link(&self, id: &str) -> Result<Option<ShareLinkRecord>, StoreError> {
        links::share_link(self, id).await
    }
    async fn file_share_links(&self, file_id: &FileId) -> Result<Vec<ShareLinkRecord>, StoreError> {
        links::file_share_links(self, file_id).await
    }
    async fn revoke_share_link(
        &self,
        id: &str,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<bool, StoreError> {
        links::revoke_share_link(self, id, now, audit).await
    }
    async fn purge_share_links(
        &self,
        before: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<u64, StoreError> {
        links::purge_share_links(self, before, audit).await
    }

    // files.rs
    async fn create_file(
        &self,
        file: NewFile,
        names: NameCandidates<'_>,
        now: i64,
    ) -> Result<FileRecord, StoreError> {
        files::create_file(self, file, names, now, None).await
    }
    async fn create_file_audited(
        &self,
        file: NewFile,
        names: NameCandidates<'_>,
        now: i64,
        audit: crate::metadata::AuditOf<'_>,
    ) -> Result<FileRecord, StoreError> {
        files::create_file(self, file, names, now, Some(audit)).await
    }
    async fn file(&self, id: &FileId) -> Result<Option<FileRecord>, StoreError> {
        files::file(self, id).await
    }
    async fn file_by_name(
        &self,
        folder_id: &str,
        name: &str,
    ) -> Result<Option<FileRecord>, StoreError> {
        files::file_by_name(self, folder_id, name).await
    }
    async fn move_file(
        &self,
        id: &FileId,
        folder_id: &str,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        files::move_file(self, id, folder_id, now, audit).await
    }
    async fn rename_file_emitting(
        &self,
        id: &FileId,
        lock_header: Option<&LockId>,
        coauth_id: Option<&str>,
        names: NameCandidates<'_>,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        files::rename_file(self, id, lock_header, coauth_id, names, now, emit).await
    }
    async fn delete_file_emitting(
        &self,
        id: &FileId,
        now: i64,
        by: Option<&str>,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<()>, StoreError> {
        files::delete_file(self, id, now, by, emit).await
    }

    // versions.rs
    async fn commit_version_emitting(
        &self,
        id: &FileId,
        check: WriteCheck,
        content: ContentRecord,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        versions::commit_version(self, id, check, content, now, emit).await
    }
    async fn chunked_state(
        &self,
        id: &FileId,
        version: i64,
        now: i64,
    ) -> Result<ChunkedState, StoreError> {
        streams::chunked_state(self, id, version, now).await
    }
    async fn set_signature(
        &self,
        id: &FileId,
        version: i64,
        signature: &StreamSignature,
    ) -> Result<(), StoreError> {
        streams::set_signature(self, id, version, signature).await
    }
    async fn commit_chunked(
        &self,
        id: &FileId,
        check: &ChunkedCheck,
        commit: ChunkedCommit,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        streams::commit_chunked(self, id, check, commit, now, emit).await
    }
    async fn versions(&self, id: &FileId) -> Result<Vec<VersionRecord>, StoreError> {
        versions::versions(self, id).await
    }
    async fn content_segments(&self, content_key: &str) -> Result<Vec<BlobSegment>, StoreError> {
        streams::content_segments(self, content_key).await
    }

    async fn referenced_blob_keys(&self) -> Result<HashSet<String>, StoreError> {
        versions::referenced_blob_keys(self).await
    }

    // retention.rs
    async fn autosave_candidates(
        &self,
        keep_all_before: i64,
        hourly_before: i64,
        limit: i64,
    ) -> Result<Vec<FileId>, StoreError> {
        retention::autosave_candidates(self, keep_all_before, hourly_before, limit).await
    }
    async fn drop_versions(
        &self,
        id: &FileId,
        versions: &[i64],
    ) -> Result<(u64, Vec<BlobReference>), StoreError> {
        retention::drop_versions(self, id, versions).await
    }
    async fn record_retention(
        &self,
        dropped: u64,
        freed: u64,
        now: i64,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        retention::record_retention(self, dropped, freed, now, audit).await
    }
    async fn retention_totals(&self) -> Result<RetentionTotals, StoreError> {
        retention::retention_totals(self).await
    }

    // templates.rs
    async fn add_template(&self, t: &TemplateRecord) -> Result<(), StoreError> {
        templates::add_template(self, t).await
    }
    async fn templates(&self) -> Result<Vec<TemplateRecord>, StoreError> {
        templates::templates(self).await
    }
    async fn template(&self, id: &str) -> Result<Option<TemplateRecord>, StoreError> {
        templates::template(self, id).await
    }
    async fn delete_template(&self, id: &str) -> Result<Option<TemplateRecord>, StoreError> {
        templates::delete_template(self, id).await
    }
    async fn set_file_template(&self, id: &FileId, template_id: &str) -> Result<(), StoreError> {
        templates::set_file_template(self, id, template_id).await
    }
    async fn file_template(&self, id: &FileId) -> Result<Option<TemplateRecord>, StoreError> {
        templates::file_template(self, id).await
    }
    async fn blob_references(&self) -> Result<Vec<BlobReference>, StoreError> {
        versions::blob_references(self).await
    }

    // locks.rs
    async fn apply_lock_emitting(
        &self,
        id: &FileId,
        request: &LockRequest,
        options: &LockOptions,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<(Option<LockState>, FileRecord)>, StoreError> {
        locks::apply_lock(self, id, request, options, now, emit).await
    }

    // coauth.rs
    async fn apply_coauth(
        &self,
        id: &FileId,
        request: &CoauthRequest,
        now: i64,
    ) -> Result<Outcome<CoauthTable>, StoreError> {
        coauth::apply_coauth(self, id, request, now).await
    }
    async fn coauth_table(&self, id: &FileId, now: i64) -> Result<CoauthTable, StoreError> {
        coauth::coauth_table(self, id, now).await
    }
    async fn locked_files(&self, now: i64) -> Result<Vec<FileRecord>, StoreError> {
        locks::locked_files(self, now).await
    }
    async fn force_unlock(
        &self,
        id: &FileId,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Option<FileRecord>, StoreError> {
        locks::force_unlock(self, id, now, emit).await
    }
    async fn expire_locks_emitting(
        &self,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Vec<FileRecord>, StoreError> {
        locks::expire_locks(self, now, emit).await
    }

    // tokens.rs
    async fn insert_token(
        &self,
        hash: &[u8],
        token: &TokenRecord,
        now: i64,
    ) -> Result<(), StoreError> {
        tokens::insert_token(self, hash, token, now).await
    }
    async fn insert_tokens(
        &self,
        tokens: &[(Vec<u8>, TokenRecord)],
        now: i64,
    ) -> Result<(), StoreError> {
        tokens::insert_tokens(self, tokens, now).await
    }
    async fn token(&self, hash: &[u8]) -> Result<Option<(TokenRecord, UserRecord)>, StoreError> {
        tokens::token(self, hash).await
    }
    async fn token_with_file(&self, hash: &[u8]) -> Result<Option<TokenWithFile>, StoreError> {
        tokens::token_with_file(self, hash).await
    }
    async fn revoke_token(&self, hash: &[u8]) -> Result<bool, StoreError> {
        tokens::revoke_token(self, hash).await
    }
    async fn purge_expired_tokens(&self, now: i64) -> Result<u64, StoreError> {
        tokens::purge_expired_tokens(self, now).await
    }
    async fn editing_sessions(
        &self,
        now: i64,
        active_since: i64,
    ) -> Result<Vec<EditingSession>, StoreError> {
        tokens::editing_sessions(self, now, active_since).await
    }
    async fn touch_token(
        &self,
        hash: &[u8],
        now: i64,
        min_interval_ms: i64,
    ) -> Result<(), StoreError> {
        tokens::touch_token(self, hash, now, min_interval_ms).await
    }

    // audit.rs
    async fn record_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        audit::record_audit(self, event).await
    }
    async fn audit_events(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        audit::audit_events(self, query).await
    }
    async fn purge_audit(&self, before: i64) -> Result<u64, StoreError> {
        audit::purge_audit(self, before).await
    }

    // sessions.rs
    async fn create_session(
        &self,
        hash: &[u8],
        user_id: &str,
        csrf: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sessions::create_session(self, hash, user_id, csrf, expires_at, now).await
    }
    async fn session(&self, hash: &[u8], now: i64) -> Result<Option<SessionRecord>, StoreError> {
        sessions::session(self, hash, now).await
    }
    async fn delete_session(&self, hash: &[u8]) -> Result<(), StoreError> {
        sessions::delete_session(self, hash).await
    }
    async fn user_sessions(&self, user_id: &str, now: i64) -> Result<Vec<UserSession>, StoreError> {
        sessions::user_sessions(self, user_id, now).await
    }
    async fn end_other_sessions(&self, user_id: &str, keep: &[u8]) -> Result<u64, StoreError> {
        sessions::end_other_sessions(self, user_id, keep).await
    }
    async fn record_login_failure(&self, login: &str, now: i64) -> Result<(), StoreError> {
        sessions::record_login_failure(self, login, now).await
    }
    async fn login_failures_since(&self, login: &str, since: i64) -> Result<u64, StoreError> {
        sessions::login_failures_since(self, login, since).await
    }
    async fn record_login_failure_from(
        &self,
        login: &str,
        source: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sessions::record_login_failure_from(self, login, source, now).await
    }
    async fn login_failures_from(
        &self,
        login: &str,
        source: &str,
        since: i64,
    ) -> Result<(u64, Option<i64>), StoreError> {
        sessions::login_failures_from(self, login, source, since).await
    }
    async fn clear_login_failures(
        &self,
        login: &str,
        source: Option<&str>,
    ) -> Result<u64, StoreError> {
        sessions::clear_login_failures(self, login, source).await
    }
    async fn disable_user(&self, user_id: &str, now: i64) -> Result<(), StoreError> {
        users::disable_user(self, user_id, now).await
    }

    // integration.rs
    async fn create_api_key(&self, key: &ApiKeyRecord, hash: &[u8]) -> Result<(), StoreError> {
        integration::create_api_key(self, key, hash).await
    }
    async fn api_key(&self, hash: &[u8]) -> Result<Option<ApiKeyRecord>, StoreError> {
        integration::api_key(self, hash).await
    }
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        integration::list_api_keys(self).await
    }
    async fn revoke_api_key(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        integration::revoke_api_key(self, id, now).await
    }
    async fn upsert_external_user(
        &self,
        user: &ExternalUser,
        now: i64,
    ) -> Result<UserRecord, StoreError> {
        integration::upsert_external_user(self, user, now).await
    }
    async fn create_wopi_session(
        &self,
        w: &WopiSessionRecord,
        launch_hash: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        integration::create_wopi_session(self, w, launch_hash).await
    }
    async fn wopi_session(&self, id: &str) -> Result<Option<WopiSessionRecord>, StoreError> {
        integration::wopi_session(self, id).await
    }
    async fn take_launch_code(
        &self,
        hash: &[u8],
        now: i64,
    ) -> Result<Option<WopiSessionRecord>, StoreError> {
        integration::take_launch_code(self, hash, now).await
    }
    async fn list_wopi_sessions(
        &self,
        api_key_id: &str,
        file_id: Option<&FileId>,
    ) -> Result<Vec<WopiSessionRecord>, StoreError> {
        integration::list_wopi_sessions(self, api_key_id, file_id).await
    }
    async fn revoke_wopi_session(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        integration::revoke_wopi_session(self, id, now).await
    }
    async fn use_nonce(&self, jti: &str, expires_at: i64, now: i64) -> Result<bool, StoreError> {
        integration::use_nonce(self, jti, expires_at, now).await
    }
    async fn secret(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        integration::secret(self, name, fresh).await
    }

    // oauth.rs
    async fn create_oauth_client(&self, client: &OAuthClientRecord) -> Result<(), StoreError> {
        oauth::create_oauth_client(self, client).await
    }
    async fn oauth_client(&self, id: &str) -> Result<Option<OAuthClientRecord>, StoreError> {
        oauth::oauth_client(self, id).await
    }
    async fn list_oauth_clients(&self) -> Result<Vec<OAuthClientRecord>, StoreError> {
        oauth::list_oauth_clients(self).await
    }
    async fn delete_oauth_client(&self, id: &str) -> Result<bool, StoreError> {
        oauth::delete_oauth_client(self, id).await
    }
    async fn insert_oauth_code(
        &self,
        hash: &[u8],
        code: &OAuthCodeRecord,
        now: i64,
    ) -> Result<(), StoreError> {
        oauth::insert_oauth_code(self, hash, code, now).await
    }
    async fn oauth_code(&self, hash: &[u8]) -> Result<Option<OAuthCodeRecord>, StoreError> {
        oauth::oauth_code(self, hash).await
    }
    async fn redeem_oauth_code(
        &self,
        hash: &[u8],
        grant: &OAuthGrantRecord,
        issue: &OAuthIssue,
        now: i64,
    ) -> Result<CodeRedemption, StoreError> {
        oauth::redeem_oauth_code(self, hash, grant, issue, now).await
    }
    async fn oauth_access(
        &self,
        hash: &[u8],
        now: i64,
    ) -> Result<Option<(OAuthGrantRecord, UserRecord)>, StoreError> {
        oauth::oauth_access(self, hash, now).await
    }
    async fn rotate_oauth_refresh(
        &self,
        hash: &[u8],
        client_id: &str,
        issue: &OAuthIssue,
        now: i64,
    ) -> Result<RefreshRotation, StoreError> {
        oauth::rotate_oauth_refresh(self, hash, client_id, issue, now).await
    }
    async fn oauth_grants(&self, user_id: Option<&str>) -> Result<Vec<OAuthGrantView>, StoreError> {
        oauth::oauth_grants(self, user_id).await
    }
    async fn revoke_oauth_grant(
        &self,
        id: &str,
        user_id: Option<&str>,
    ) -> Result<bool, StoreError> {
        oauth::revoke_oauth_grant(self, id, user_id).await
    }
    async fn purge_expired_oauth(&self, now: i64) -> Result<u64, StoreError> {
        oauth::purge_expired_oauth(self, now).await
    }

    // activities.rs
    async fn record_activities_emitting(
        &self,
        id: &FileId,
        activities: &[ActivityRecord],
        emit: Option<&Emit<'_>>,
    ) -> Result<(), StoreError> {
        activities::record_activities(self, id, activities, emit).await
    }
    async fn file_activities(
        &self,
        id: &FileId,
        limit: i64,
    ) -> Result<Vec<ActivityRecord>, StoreError> {
        activities::file_activities(self, id, limit).await
    }

    // outbox.rs
    async fn enqueue_event(&self, event: &OutboxEvent, urls: &[String]) -> Result<(), StoreError> {
        outbox::enqueue_event(self, event, urls).await
    }
    async fn claim_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        outbox::claim_deliveries(self, now, limit, lease_ms).await
    }
    async fn finish_delivery(
        &self,
        id: &str,
        delivered: bool,
        status: Option<i64>,
        error: Option<&str>,
        next_attempt_at: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        outbox::finish_delivery(self, id, delivered, status, error, next_attempt_at, now).await
    }
    async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        outbox::deliveries(self, limit).await
    }
}
