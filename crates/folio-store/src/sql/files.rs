//! Files: creation under the first free name, lookups, moves, WOPI RenameFile and DeleteFile,
//! and the in-transaction helpers every lock-checked change starts with (`lock_file`).
//! Content versions are in `versions.rs`, WOPI locks in `locks.rs`.

use folio_wopi::{FileId, LockId, WopiError, coauth, lock};

use super::coauth::coauth_in_tx;

use super::outbox::emit_in;
use super::rows::{self, FILE_COLUMNS, FILE_FROM, name_key, one};
use super::versions::insert_version;
use super::{SqlEngine, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::{Emit, NameCandidates, Outcome, name_candidates};
use crate::model::*;
use crate::random_id;

/// Reads a live file inside `tx`. `NotFound` if it is missing or deleted.
pub(super) async fn file_in_tx(tx: &mut impl SqlTx, id: &FileId) -> Result<FileRecord, StoreError> {
    let sql =
        format!("SELECT {FILE_COLUMNS} FROM {FILE_FROM} WHERE f.id = $1 AND f.deleted_at IS NULL");
    let row = tx
        .fetch_optional(&sql, args![id])
        .await?
        .ok_or(StoreError::NotFound)?;
    rows::file(&row)
}

/// Reads a live file inside `tx`, holding its row lock ([`super::Dialect::for_update`]) until
/// the transaction ends: every lock decision made on the returned record cannot be overtaken by
/// another request, in this process or in another replica. `NotFound` if the file is missing or
/// deleted.
///
/// The lock is taken on `files` alone first, and the joined record read by a second statement:
/// under READ COMMITTED that statement sees whatever the previous lock holder committed (e.g. a
/// new current version), whereas re-checking a join after waiting for the lock would not.
///
/// On an engine without row-lock words (SQLite: a write transaction already excludes every other
/// writer) the first statement is skipped: the joined read alone is current.
pub(super) async fn lock_file<E: SqlEngine>(
    tx: &mut E::Tx,
    id: &FileId,
) -> Result<FileRecord, StoreError> {
    lock_row::<E>(tx, id).await?;
    file_in_tx(tx, id).await
}

/// The first step of [`lock_file`]: the row lock on `files` alone (nothing on an engine whose
/// write transactions exclude each other). `NotFound` if the file is missing or deleted.
pub(super) async fn lock_row<E: SqlEngine>(tx: &mut E::Tx, id: &FileId) -> Result<(), StoreError> {
    if E::DIALECT.for_update.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT id FROM files WHERE id = $1 AND deleted_at IS NULL{}",
        E::DIALECT.for_update
    );
    tx.fetch_optional(&sql, args![id])
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(())
}

/// Whether a live file other than `except` has `name` (case-insensitively) in the folder.
async fn name_taken(
    tx: &mut impl SqlTx,
    folder_id: &str,
    name: &str,
    except: &FileId,
) -> Result<bool, StoreError> {
    let row = tx
        .fetch_optional(
            "SELECT id FROM files WHERE folder_id = $1 AND name_key = $2 AND deleted_at IS NULL",
            args![folder_id, &name_key(name)],
        )
        .await?;
    match row {
        Some(r) => Ok(super::SqlRow::text(&r, "id")? != except.as_str()),
        None => Ok(false),
    }
}

/// Moves and/or renames a (row-locked) file to `folder_id`/`name`. `Ok(false)` when the name
/// is taken there — also when another transaction took it since `name_taken` looked (the unique
/// index decides; the failed statement is rolled back to a savepoint so the transaction goes on).
async fn place_file(
    tx: &mut impl SqlTx,
    id: &FileId,
    folder_id: &str,
    name: &str,
) -> Result<bool, StoreError> {
    if name_taken(tx, folder_id, name, id).await? {
        return Ok(false);
    }
    tx.execute("SAVEPOINT place_file", &[]).await?;
    let result = tx
        .execute(
            "UPDATE files SET folder_id = $1, name = $2, name_key = $3 WHERE id = $4",
            args![folder_id, name, &name_key(name), id],
        )
        .await;
    match result {
        Ok(_) => {
            tx.execute("RELEASE SAVEPOINT place_file", &[]).await?;
            Ok(true)
        }
        Err(StoreError::AlreadyExists) => {
            tx.execute("ROLLBACK TO SAVEPOINT place_file", &[]).await?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn create_file(
    e: &impl SqlEngine,
    file: NewFile,
    names: NameCandidates<'_>,
    now: i64,
    audit: Option<crate::metadata::AuditOf<'_>>,
) -> Result<FileRecord, StoreError> {
    let mut tx = e.begin().await?;
    let id = random_id(22);
    let mut placed = false;
    for candidate in name_candidates(names) {
        // The partial unique index on (folder_id, name_key) decides, atomically with concurrent
        // creations in other replicas: a taken name inserts nothing.
        let inserted = tx
            .execute(
                "INSERT INTO files (id, folder_id, owner_id, name, name_key, version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6) \
                 ON CONFLICT (folder_id, name_key) WHERE deleted_at IS NULL DO NOTHING",
                args![
                    &id,
                    &file.folder_id,
                    &file.owner_id,
                    &candidate,
                    &name_key(&candidate),
                    now
                ],
            )
            .await?;
        if inserted > 0 {
            placed = true;
            break;
        }
    }
    if !placed {
        return Err(StoreError::AlreadyExists);
    }
    insert_version(&mut tx, &id, 1, &file.content).await?;
    let record = file_in_tx(&mut tx, &FileId::from_trusted(id)).await?;
    super::audit::audit_in(&mut tx, audit.map(|a| a(&record)).as_ref()).await?;
    tx.commit().await?;
    Ok(record)
}

pub(super) async fn file(
    e: &impl SqlEngine,
    id: &FileId,
) -> Result<Option<FileRecord>, StoreError> {
    let sql =
        format!("SELECT {FILE_COLUMNS} FROM {FILE_FROM} WHERE f.id = $1 AND f.deleted_at IS NULL");
    one(e.fetch_optional(&sql, args![id]).await?, rows::file)
}

pub(super) async fn file_by_name(
    e: &impl SqlEngine,
    folder_id: &str,
    name: &str,
) -> Result<Option<FileRecord>, StoreError> {
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
         WHERE f.folder_id = $1 AND f.name_key = $2 AND f.deleted_at IS NULL"
    );
    let row = e
        .fetch_optional(&sql, args![folder_id, &name_key(name)])
        .await?;
    one(row, rows::file)
}

pub(super) async fn move_file<E: SqlEngine>(
    e: &E,
    id: &FileId,
    folder_id: &str,
    _now: i64,
    audit: Option<&AuditEvent>,
) -> Result<Outcome<FileRecord>, StoreError> {
    let mut tx = e.begin().await?;
    let file = lock_file::<E>(&mut tx, id).await?;
    let sql = format!(
        "SELECT id FROM folders WHERE id = $1 AND deleted_at IS NULL{}",
        E::DIALECT.for_key_share
    );
    if tx.fetch_optional(&sql, args![folder_id]).await?.is_none() {
        return Err(StoreError::NotFound);
    }
    if !place_file(&mut tx, id, folder_id, &file.name).await? {
        return Ok(Err(WopiError::NameExists { suggestion: None }));
    }
    let moved = file_in_tx(&mut tx, id).await?;
    super::audit::audit_in(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(Ok(moved))
}

/// WOPI RenameFile: unlocked or locked with the matching lock (`lock::check_rename`), then the
/// first free candidate name.
pub(super) async fn rename_file<E: SqlEngine>(
    e: &E,
    id: &FileId,
    lock_header: Option<&LockId>,
    coauth_id: Option<&str>,
    names: NameCandidates<'_>,
    now: i64,
    emit: Option<&Emit<'_>>,
) -> Result<Outcome<FileRecord>, StoreError> {
    let mut tx = e.begin().await?;
    let mut file = lock_file::<E>(&mut tx, id).await?;
    let rows = coauth_in_tx(&mut tx, id).await?;
    let view = file.lock_view(&rows);
    let presented = coauth::Presented {
        wopi_lock: lock_header.map(LockId::as_str),
        coauth_id,
    };
    let decided = match coauth::check_rename(&view, presented, now) {
        Ok(decided) => decided,
        Err(e) => return Ok(Err(e)),
    };
    if !decided && let Err(e) = lock::check_rename(file.lock.as_ref(), lock_header, now) {
        return Ok(Err(coauth::with_lock_user(e, file.lock_user.as_deref())));
    }
    let mut renamed = None;
    for candidate in name_candidates(names) {
        if place_file(&mut tx, id, &file.folder_id, &candidate).await? {
            renamed = Some(candidate);
            break;
        }
    }
    let Some(name) = renamed else {
        return Ok(Err(WopiError::NameExists { suggestion: None }));
    };
    file.name = name;
    emit_in(&mut tx, emit, &file).await?;
    tx.commit().await?;
    Ok(Ok(file))
}

/// WOPI DeleteFile (and every other delete of a file): only an unlocked file
/// (`lock::check_unlocked`); the file goes to its owner's trash (its id is never reused, its
/// versions and shares are kept until the trash entry is purged).
pub(super) async fn delete_file<E: SqlEngine>(
    e: &E,
    id: &FileId,
    now: i64,
    by: Option<&str>,
    emit: Option<&Emit<'_>>,
) -> Result<Outcome<()>, StoreError> {
    let mut tx = e.begin().await?;
    let file = lock_file::<E>(&mut tx, id).await?;
    let refused = coauth::check_classic(&coauth_in_tx(&mut tx, id).await?, now)
        .and_then(|()| lock::check_unlocked(file.lock.as_ref(), now))
        .map_err(|e| coauth::with_lock_user(e, file.lock_user.as_deref()));
    if let Err(e) = refused {
        return Ok(Err(e));
    }
    tx.execute(super::trash::TRASH_FILE, args![now, id, by])
        .await?;
    // Tokens for the file stay until they expire: requests with them now get 404 (the file is
    // gone), which is what WOPI clients expect, rather than 401.
    emit_in(&mut tx, emit, &file).await?;
    tx.commit().await?;
    Ok(Ok(()))
}
