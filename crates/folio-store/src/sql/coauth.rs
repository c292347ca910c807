//! CSPP Plus coauth locks: GetCoauthLock, RefreshCoauthLock and UnlockCoauthLock (the decision
//! of `folio_wopi::coauth::apply`, made on the row-locked file, so replicas cannot interleave),
//! the table GetCoauthTable reads, and the rows every other lock-checked change consults.

use folio_wopi::FileId;
use folio_wopi::coauth::{self, CoauthLock, CoauthLockType, CoauthRequest};

use super::files::lock_file;
use super::{SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::Outcome;
use crate::model::*;

const COLUMNS: &str = "lock_id, lock_type, metadata, user_name, acquired_at, expires_at";

fn row(r: &impl SqlRow) -> Result<CoauthLock, StoreError> {
    let kind = r.text("lock_type")?;
    Ok(CoauthLock {
        id: r.text("lock_id")?,
        // Only the two types are ever written; anything else reads as the shared one.
        kind: CoauthLockType::parse(&kind).unwrap_or(CoauthLockType::Coauth),
        metadata: r.text("metadata")?,
        user_name: r.text("user_name")?,
        acquired_at: r.int("acquired_at")?,
        expires_at: r.int("expires_at")?,
    })
}

/// Every stored row of a file (expired ones included), inside `tx`.
pub(super) async fn coauth_in_tx(
    tx: &mut impl SqlTx,
    id: &FileId,
) -> Result<Vec<CoauthLock>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM coauth_locks WHERE file_id = $1 ORDER BY lock_id");
    let rows = tx.fetch_all(&sql, args![id]).await?;
    rows.iter().map(row).collect()
}

pub(super) async fn apply_coauth<E: SqlEngine>(
    e: &E,
    id: &FileId,
    request: &CoauthRequest,
    now: i64,
) -> Result<Outcome<CoauthTable>, StoreError> {
    let mut tx = e.begin().await?;
    let file = lock_file::<E>(&mut tx, id).await?;
    let stored = coauth_in_tx(&mut tx, id).await?;
    let next = match coauth::apply(
        &stored,
        file.lock.as_ref(),
        file.lock_user.as_deref(),
        request,
        now,
    ) {
        Ok(next) => next,
        Err(e) => return Ok(Err(e)),
    };
    // The table is small (one row per client): rewrite it.
    tx.execute("DELETE FROM coauth_locks WHERE file_id = $1", args![id])
        .await?;
    for r in &next.rows {
        tx.execute(
            &format!(
                "INSERT INTO coauth_locks (file_id, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            args![
                id,
                &r.id,
                r.kind.as_str(),
                &r.metadata,
                &r.user_name,
                r.acquired_at,
                r.expires_at
            ],
        )
        .await?;
    }
    let counter_sql = if next.changed {
        "UPDATE files SET coauth_counter = coauth_counter + 1 WHERE id = $1 \
         RETURNING coauth_counter"
    } else {
        "SELECT coauth_counter FROM files WHERE id = $1"
    };
    let counter = tx
        .fetch_optional(counter_sql, args![id])
        .await?
        .ok_or(StoreError::NotFound)?
        .int("coauth_counter")?;
    tx.commit().await?;
    Ok(Ok(CoauthTable {
        rows: next.rows,
        counter,
    }))
}

pub(super) async fn coauth_table(
    e: &impl SqlEngine,
    id: &FileId,
    now: i64,
) -> Result<CoauthTable, StoreError> {
    let counter = e
        .fetch_optional(
            "SELECT coauth_counter FROM files WHERE id = $1 AND deleted_at IS NULL",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .int("coauth_counter")?;
    let sql = format!(
        "SELECT {COLUMNS} FROM coauth_locks WHERE file_id = $1 AND expires_at > $2 \
         ORDER BY lock_id"
    );
    let rows = e.fetch_all(&sql, args![id, now]).await?;
    Ok(CoauthTable {
        rows: rows.iter().map(row).collect::<Result<_, _>>()?,
        counter,
    })
}

/// Removes every coauth row of a file inside `tx` (an administrator's forced release), moving
/// the table's change counter on so clients see a new table version.
pub(super) async fn clear_in_tx(tx: &mut impl SqlTx, id: &FileId) -> Result<(), StoreError> {
    tx.execute("DELETE FROM coauth_locks WHERE file_id = $1", args![id])
        .await?;
    tx.execute(
        "UPDATE files SET coauth_counter = coauth_counter + 1 WHERE id = $1",
        args![id],
    )
    .await?;
    Ok(())
}
