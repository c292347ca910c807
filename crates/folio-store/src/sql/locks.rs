//! WOPI locks: Lock, RefreshLock, Unlock and UnlockAndRelock (the transition of
//! `folio_wopi::lock`, decided on the row-locked file), the list of live locks, an
//! administrator's forced release, and the expiry sweep.

use std::sync::LazyLock;

use folio_wopi::FileId;
use folio_wopi::coauth::{self, CoauthLock};
use folio_wopi::lock::{self, LockOptions, LockRequest, LockState};

use super::coauth::coauth_in_tx;
use super::files::{file_in_tx, lock_file, lock_row};
use super::outbox::emit_in;
use super::rows::{self, FILE_COLUMNS, FILE_FROM};
use super::{SqlEngine, SqlRow, SqlTx, TxEnd, args};
use crate::error::StoreError;
use crate::metadata::{Emit, Outcome};
use crate::model::*;

pub(super) async fn apply_lock<E: SqlEngine>(
    e: &E,
    id: &FileId,
    request: &LockRequest,
    options: &LockOptions,
    now: i64,
    emit: Option<&Emit<'_>>,
) -> Result<Outcome<(Option<LockState>, FileRecord)>, StoreError> {
    if emit.is_some_and(|e| e.audit.is_some() || !e.urls.is_empty()) {
        // The event and audit row are built by the caller's closures (borrowed): the
        // transaction runs from here, one statement at a time.
        let mut tx = e.begin().await?;
        return match lock_in::<E>(&mut tx, id, request, options, now, emit).await? {
            TxEnd::Commit(v) => {
                tx.commit().await?;
                Ok(v)
            }
            TxEnd::Rollback(v) => Ok(v),
        };
    }
    // Nothing to emit (Lock, RefreshLock, Unlock without webhooks): the whole transaction is
    // one job, handed to the engine at once (SQLite runs it on its writer task without a
    // round trip to this task per statement; docs/PERFORMANCE.md).
    let (id, request, options) = (id.clone(), request.clone(), options.clone());
    e.run_tx(Box::new(move |tx| {
        Box::pin(async move { lock_in::<E>(tx, &id, &request, &options, now, None).await })
    }))
    .await
}

/// The file, read with its row lock (as [`lock_file`]), and whether it has coauth lock rows
/// (then they are read too): one statement on SQLite in the usual case of none.
async fn file_and_coauth<E: SqlEngine>(
    tx: &mut E::Tx,
    id: &FileId,
) -> Result<(FileRecord, Vec<CoauthLock>), StoreError> {
    lock_row::<E>(tx, id).await?;
    // Built once: every lock operation runs it.
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {FILE_COLUMNS}, \
             EXISTS (SELECT 1 FROM coauth_locks c WHERE c.file_id = f.id) AS has_coauth \
             FROM {FILE_FROM} WHERE f.id = $1 AND f.deleted_at IS NULL"
        )
    });
    let row = tx
        .fetch_optional(&SQL, args![id])
        .await?
        .ok_or(StoreError::NotFound)?;
    let file = rows::file(&row)?;
    let coauth = if row.flag("has_coauth")? {
        coauth_in_tx(tx, id).await?
    } else {
        Vec::new()
    };
    Ok((file, coauth))
}

/// The transaction of [`apply_lock`]: the transition of `folio_wopi::lock` decided on the
/// row-locked file, then one `UPDATE` (and the emitted rows).
async fn lock_in<E: SqlEngine>(
    tx: &mut E::Tx,
    id: &FileId,
    request: &LockRequest,
    options: &LockOptions,
    now: i64,
    emit: Option<&Emit<'_>>,
) -> Result<TxEnd<Outcome<(Option<LockState>, FileRecord)>>, StoreError> {
    let (mut file, coauth_rows) = file_and_coauth::<E>(tx, id).await?;
    // Coauth locks and WOPI locks exclude each other (spec/cspp-plus.md §3.6).
    if let Err(e) = coauth::check_classic(&coauth_rows, now) {
        return Ok(TxEnd::Rollback(Err(e)));
    }
    let next = match lock::transition_for(file.lock.as_ref(), request, now, options.ttl_ms) {
        Ok(next) => next,
        Err(e) => {
            // A lock an administrator released: say so rather than "not locked".
            let e = lock::explain_error(e, request.presented(), file.released_lock.as_ref());
            return Ok(TxEnd::Rollback(Err(coauth::with_lock_user(
                e,
                file.lock_user.as_deref(),
            ))));
        }
    };
    // The user-visible name holds "until the next time the lock is updated".
    let user = next.as_ref().and(options.visible_user.as_deref());
    // The holder and the age stay with a lock id: a refresh (or Lock with the same id) keeps
    // them, a new id (Lock on an unlocked file, UnlockAndRelock) starts them again.
    let live = lock::live(file.lock.as_ref(), now);
    let same_id = matches!((live, &next), (Some(cur), Some(n)) if cur.id == n.id);
    let (holder, since) = match &next {
        None => (None, None),
        Some(_) if same_id => (
            file.lock_holder.clone().or_else(|| options.holder.clone()),
            file.lock_since.or(Some(now)),
        ),
        Some(_) => (options.holder.clone(), Some(now)),
    };
    // Taking a lock forgets an administrator's earlier release.
    let released = if next.is_some() {
        None
    } else {
        file.released_lock.clone()
    };
    tx.execute(
        "UPDATE files SET lock_id = $1, lock_expires_at = $2, lock_user_name = $3, \
         lock_holder_id = $4, lock_since = $5, released_lock_id = $6, released_lock_at = $7 \
         WHERE id = $8",
        args![
            next.as_ref().map(|l| l.id.as_str()),
            next.as_ref().map(|l| l.expires_at),
            user,
            holder.as_deref(),
            since,
            released.as_ref().map(|r| r.id.as_str()),
            released.as_ref().map(|r| r.at),
            id
        ],
    )
    .await?;
    file.lock = next.clone();
    file.lock_user = user.map(str::to_owned);
    file.lock_holder = holder;
    file.lock_since = since;
    file.released_lock = released;
    emit_in(tx, emit, &file).await?;
    Ok(TxEnd::Commit(Ok((next, file))))
}

pub(super) async fn locked_files(
    e: &impl SqlEngine,
    now: i64,
) -> Result<Vec<FileRecord>, StoreError> {
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
         WHERE f.lock_id IS NOT NULL AND f.lock_expires_at > $1 AND f.deleted_at IS NULL \
         ORDER BY f.lock_expires_at"
    );
    rows::all(&e.fetch_all(&sql, args![now]).await?, rows::file)
}

/// An administrator's forced release: the WOPI lock (remembered as released at `now`) and the
/// coauth rows go in one transaction with the event and the audit row.
pub(super) async fn force_unlock<E: SqlEngine>(
    e: &E,
    id: &FileId,
    now: i64,
    emit: Option<&Emit<'_>>,
) -> Result<Option<FileRecord>, StoreError> {
    let mut tx = e.begin().await?;
    let file = lock_file::<E>(&mut tx, id).await?;
    let wopi = lock::live(file.lock.as_ref(), now).cloned();
    let coauth_rows = coauth_in_tx(&mut tx, id).await?;
    let coauth_live = coauth_rows.iter().any(|c| c.is_live(now));
    if wopi.is_none() && !coauth_live {
        return Ok(None);
    }
    tx.execute(
        "UPDATE files SET lock_id = NULL, lock_expires_at = NULL, lock_user_name = NULL, \
         lock_holder_id = NULL, lock_since = NULL, \
         released_lock_id = COALESCE($1, released_lock_id), \
         released_lock_at = CASE WHEN $1 IS NULL THEN released_lock_at ELSE $2 END \
         WHERE id = $3",
        args![wopi.as_ref().map(|l| l.id.as_str()), now, id],
    )
    .await?;
    if !coauth_rows.is_empty() {
        super::coauth::clear_in_tx(&mut tx, id).await?;
    }
    emit_in(&mut tx, emit, &file).await?;
    tx.commit().await?;
    Ok(Some(file))
}

/// Clears the locks that expired at `now` and returns their files (lock still set), ordered
/// by expiry then id; each expired lock is reported by exactly one sweep.
pub(super) async fn expire_locks<E: SqlEngine>(
    e: &E,
    now: i64,
    emit: Option<&Emit<'_>>,
) -> Result<Vec<FileRecord>, StoreError> {
    let mut tx = e.begin().await?;
    // Row-lock the expired ones (in id order, so two replicas sweeping at once cannot
    // deadlock). A row another transaction changed meanwhile is re-checked after its commit:
    // one cleared by another sweep, or refreshed by a Lock, no longer matches.
    let sql = format!(
        "SELECT id FROM files \
         WHERE lock_id IS NOT NULL AND lock_expires_at <= $1 AND deleted_at IS NULL \
         ORDER BY id{}",
        E::DIALECT.for_update
    );
    let locked = tx.fetch_all(&sql, args![now]).await?;
    let mut files = Vec::with_capacity(locked.len());
    for row in &locked {
        let id = FileId::from_trusted(row.text("id")?);
        files.push(file_in_tx(&mut tx, &id).await?);
    }
    files.sort_by(|a, b| {
        let expiry = |f: &FileRecord| f.lock.as_ref().map(|l| l.expires_at);
        expiry(a)
            .cmp(&expiry(b))
            .then_with(|| a.id.as_str().cmp(b.id.as_str()))
    });
    for f in &files {
        tx.execute(
            "UPDATE files SET lock_id = NULL, lock_expires_at = NULL, lock_user_name = NULL, \
             lock_holder_id = NULL, lock_since = NULL WHERE id = $1",
            args![&f.id],
        )
        .await?;
    }
    for f in &files {
        emit_in(&mut tx, emit, f).await?;
    }
    tx.commit().await?;
    Ok(files)
}
