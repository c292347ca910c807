//! The trash and folder moves: a deleted folder goes to its owner's trash with everything below
//! it (`deleted_at`, `trashed_with` = the folder's id on every row that went with it; a file
//! deleted on its own is `files.rs`'s `delete_file`, `trashed_with` = its own id), the listing of
//! a trash, restore (to where the entry was, else to the root; first free name), purge (versions,
//! streams, shares and tokens deleted, the rows kept as tombstones with `purged_at`), and
//! `move_folder` with its cycle rule.

use folio_wopi::WopiError;

use super::rows::{self, FILE_COLUMNS, FILE_FROM, count_from_db, name_key};
use super::{SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::{Outcome, RestoreAudit, check_folder_move, restore_names};
use crate::model::*;

/// The live folders of the subtree rooted at `$1` (itself included), as `sub(id)`.
const SUBTREE: &str = "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS TEXT) \
     UNION ALL SELECT d.id FROM folders d JOIN sub ON d.parent_id = sub.id \
     WHERE d.deleted_at IS NULL)";

/// Serialises every change of one owner's folder tree that could make a cycle (moves): the
/// owner's row, locked until the transaction ends. Two crossing moves (A under B's subtree, B
/// under A's) would otherwise each see a chain without the other's folder.
async fn lock_owner<E: SqlEngine>(tx: &mut E::Tx, owner_id: &str) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT id FROM users WHERE id = $1{}",
        E::DIALECT.for_update
    );
    tx.fetch_optional(&sql, args![owner_id])
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(())
}

/// A live folder by id inside `tx`.
async fn live_folder(tx: &mut impl SqlTx, id: &str) -> Result<FolderRecord, StoreError> {
    let row = tx
        .fetch_optional(
            "SELECT * FROM folders WHERE id = $1 AND deleted_at IS NULL",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    rows::folder(&row)
}

pub(super) async fn move_folder<E: SqlEngine>(
    e: &E,
    id: &str,
    target: &str,
    audit: Option<&AuditEvent>,
) -> Result<Result<FolderRecord, FolderMoveRefusal>, StoreError> {
    let mut tx = e.begin().await?;
    let folder = live_folder(&mut tx, id).await?;
    lock_owner::<E>(&mut tx, &folder.owner_id).await?;
    let folder = live_folder(&mut tx, id).await?;
    let sql = format!(
        "SELECT * FROM folders WHERE id = $1 AND deleted_at IS NULL{}",
        E::DIALECT.for_key_share
    );
    let target = rows::folder(
        &tx.fetch_optional(&sql, args![target])
            .await?
            .ok_or(StoreError::NotFound)?,
    )?;
    let chain = tx
        .fetch_all(
            "WITH RECURSIVE anc(id, parent_id) AS ( \
                 SELECT id, parent_id FROM folders WHERE id = $1 \
                 UNION ALL SELECT fo.id, fo.parent_id FROM folders fo \
                 JOIN anc ON fo.id = anc.parent_id) \
             SELECT id FROM anc",
            args![&target.id],
        )
        .await?
        .iter()
        .map(|r| r.text("id"))
        .collect::<Result<Vec<_>, _>>()?;
    if let Err(refusal) = check_folder_move(&folder, &target, &chain) {
        return Ok(Err(refusal));
    }
    if folder.parent_id.as_deref() == Some(target.id.as_str()) {
        return Ok(Ok(folder));
    }
    let moved = tx
        .fetch_optional(
            "UPDATE folders SET parent_id = $2 WHERE id = $1 RETURNING *",
            args![id, &target.id],
        )
        .await;
    let moved = match moved {
        Ok(Some(row)) => rows::folder(&row)?,
        Ok(None) => return Err(StoreError::NotFound),
        Err(StoreError::AlreadyExists) => return Ok(Err(FolderMoveRefusal::NameTaken)),
        Err(e) => return Err(e),
    };
    super::audit::audit_in(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(Ok(moved))
}

pub(super) async fn trash_folder<E: SqlEngine>(
    e: &E,
    id: &str,
    now: i64,
    by: Option<&str>,
    audit: Option<&AuditEvent>,
) -> Result<Outcome<FolderRecord>, StoreError> {
    let mut tx = e.begin().await?;
    let sql = format!(
        "SELECT * FROM folders WHERE id = $1 AND deleted_at IS NULL{}",
        E::DIALECT.for_update
    );
    let folder = rows::folder(
        &tx.fetch_optional(&sql, args![id])
            .await?
            .ok_or(StoreError::NotFound)?,
    )?;
    if folder.parent_id.is_none() {
        return Err(StoreError::NotFound);
    }
    // Row-lock the live files below, so that no Lock can be taken between the check and the
    // update (a Lock starts with the same row lock).
    let lock_files = format!(
        "{SUBTREE} SELECT f.id FROM files f \
         WHERE f.folder_id IN (SELECT id FROM sub) AND f.deleted_at IS NULL{}",
        E::DIALECT.for_update
    );
    tx.fetch_all(&lock_files, args![id]).await?;
    let locked = tx
        .fetch_optional(
            &format!(
                "{SUBTREE} SELECT f.id FROM files f \
                 WHERE f.folder_id IN (SELECT id FROM sub) AND f.deleted_at IS NULL \
                 AND ((f.lock_id IS NOT NULL AND f.lock_expires_at > $2) \
                      OR EXISTS (SELECT 1 FROM coauth_locks c \
                                 WHERE c.file_id = f.id AND c.expires_at > $2)) LIMIT 1"
            ),
            args![id, now],
        )
        .await?;
    if locked.is_some() {
        return Ok(Err(WopiError::LockMismatch {
            current: None,
            reason: "a file in the folder is locked",
        }));
    }
    // Files first (their folders are found through the live subtree), then the folders.
    tx.execute(
        &format!(
            "{SUBTREE} UPDATE files SET deleted_at = $2, trashed_with = $1, deleted_by = $3 \
             WHERE folder_id IN (SELECT id FROM sub) AND deleted_at IS NULL"
        ),
        args![id, now, by],
    )
    .await?;
    tx.execute(
        &format!(
            "{SUBTREE} UPDATE folders SET deleted_at = $2, trashed_with = $1, deleted_by = $3 \
             WHERE id IN (SELECT id FROM sub)"
        ),
        args![id, now, by],
    )
    .await?;
    super::audit::audit_in(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(Ok(folder))
}

/// Where a trash entry was: its folder's id and name (`None` for a root).
fn from_folder(row: &impl SqlRow) -> Result<(String, Option<String>), StoreError> {
    Ok((row.text("from_id")?, row.opt_text("from_name")?))
}

pub(super) async fn trash<E: SqlEngine>(
    e: &E,
    owner_id: &str,
) -> Result<Vec<TrashEntry>, StoreError> {
    let mut tx = e.begin_snapshot().await?;
    let files = tx
        .fetch_all(
            &format!(
                "SELECT {FILE_COLUMNS}, f.deleted_at AS trashed_at, fo.id AS from_id, \
                 f.deleted_by AS trashed_by, \
                 (SELECT u.name FROM users u WHERE u.id = f.deleted_by) AS trashed_by_name, \
                 CASE WHEN fo.parent_id IS NULL THEN NULL ELSE fo.name END AS from_name \
                 FROM {FILE_FROM} WHERE f.owner_id = $1 AND f.deleted_at IS NOT NULL \
                 AND f.purged_at IS NULL AND f.trashed_with = f.id"
            ),
            args![owner_id],
        )
        .await?;
    // The size is cast: a SUM of BIGINT is NUMERIC on PostgreSQL.
    let folders = tx
        .fetch_all(
            "SELECT d.*, d.deleted_at AS trashed_at, p.id AS from_id, \
             d.deleted_by AS trashed_by, \
             (SELECT u.name FROM users u WHERE u.id = d.deleted_by) AS trashed_by_name, \
             CASE WHEN p.parent_id IS NULL THEN NULL ELSE p.name END AS from_name, \
             (SELECT COUNT(*) FROM files f WHERE f.trashed_with = d.id \
              AND f.purged_at IS NULL) AS file_count, \
             (SELECT CAST(COALESCE(SUM(v.size), 0) AS BIGINT) FROM files f \
              JOIN file_versions v ON v.file_id = f.id AND v.version = f.version \
              WHERE f.trashed_with = d.id AND f.purged_at IS NULL) AS file_bytes \
             FROM folders d JOIN folders p ON p.id = d.parent_id \
             WHERE d.owner_id = $1 AND d.deleted_at IS NOT NULL AND d.purged_at IS NULL \
             AND d.trashed_with = d.id",
            args![owner_id],
        )
        .await?;
    tx.commit().await?;
    let mut entries = Vec::with_capacity(files.len() + folders.len());
    for r in &files {
        let (from_folder_id, from_folder_name) = from_folder(r)?;
        entries.push(TrashEntry {
            item: TrashItem::File(Box::new(rows::file(r)?)),
            deleted_at: r.int("trashed_at")?,
            deleted_by: r.opt_text("trashed_by")?,
            deleted_by_name: r.opt_text("trashed_by_name")?,
            from_folder_id,
            from_folder_name,
        });
    }
    for r in &folders {
        let (from_folder_id, from_folder_name) = from_folder(r)?;
        entries.push(TrashEntry {
            item: TrashItem::Folder {
                folder: rows::folder(r)?,
                files: count_from_db(r.int("file_count")?),
                size: count_from_db(r.int("file_bytes")?),
            },
            deleted_at: r.int("trashed_at")?,
            deleted_by: r.opt_text("trashed_by")?,
            deleted_by_name: r.opt_text("trashed_by_name")?,
            from_folder_id,
            from_folder_name,
        });
    }
    // Newest first; ties by name then id, so the order is stable.
    entries.sort_by(|a, b| {
        b.deleted_at
            .cmp(&a.deleted_at)
            .then_with(|| a.name().cmp(b.name()))
            .then_with(|| a.id().cmp(b.id()))
    });
    Ok(entries)
}

/// The folder a restored entry goes to: `from` when it is live, else the owner's root.
async fn restore_target(
    tx: &mut impl SqlTx,
    owner_id: &str,
    from: Option<&str>,
) -> Result<(String, bool), StoreError> {
    if let Some(from) = from
        && tx
            .fetch_optional(
                "SELECT id FROM folders WHERE id = $1 AND deleted_at IS NULL",
                args![from],
            )
            .await?
            .is_some()
    {
        return Ok((from.to_owned(), true));
    }
    let row = tx
        .fetch_optional(
            "SELECT root_folder_id FROM users WHERE id = $1",
            args![owner_id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.text("root_folder_id")?, false))
}

/// Runs `sql` (which takes `$1` = id, `$2` = folder, `$3` = name, `$4` = name key) for each
/// candidate name until one is not refused by the unique index (each try in a savepoint, so a
/// refused one leaves the transaction usable). `None` when every candidate is taken.
async fn place_under_first_free_name(
    tx: &mut impl SqlTx,
    sql: &str,
    id: &str,
    folder_id: &str,
    name: &str,
    is_folder: bool,
) -> Result<Option<String>, StoreError> {
    for candidate in restore_names(name, is_folder) {
        tx.execute("SAVEPOINT restore_name", &[]).await?;
        match tx
            .execute(sql, args![id, folder_id, &candidate, &name_key(&candidate)])
            .await
        {
            Ok(_) => {
                tx.execute("RELEASE SAVEPOINT restore_name", &[]).await?;
                return Ok(Some(candidate));
            }
            Err(StoreError::AlreadyExists) => {
                tx.execute("ROLLBACK TO SAVEPOINT restore_name", &[])
                    .await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

pub(super) async fn restore_trashed<E: SqlEngine>(
    e: &E,
    owner_id: &str,
    id: &str,
    _now: i64,
    audit: Option<RestoreAudit<'_>>,
) -> Result<Option<Restored>, StoreError> {
    let mut tx = e.begin().await?;
    let file_sql = format!(
        "SELECT folder_id, name FROM files WHERE id = $1 AND owner_id = $2 \
         AND deleted_at IS NOT NULL AND purged_at IS NULL AND trashed_with = id{}",
        E::DIALECT.for_update
    );
    let folder_sql = format!(
        "SELECT parent_id, name FROM folders WHERE id = $1 AND owner_id = $2 \
         AND deleted_at IS NOT NULL AND purged_at IS NULL AND trashed_with = id{}",
        E::DIALECT.for_update
    );
    let (is_folder, from, name) =
        if let Some(r) = tx.fetch_optional(&file_sql, args![id, owner_id]).await? {
            (false, Some(r.text("folder_id")?), r.text("name")?)
        } else if let Some(r) = tx.fetch_optional(&folder_sql, args![id, owner_id]).await? {
            (true, r.opt_text("parent_id")?, r.text("name")?)
        } else {
            return Ok(None);
        };
    let (folder_id, in_place) = restore_target(&mut tx, owner_id, from.as_deref()).await?;
    // Each candidate is tried by the statement that makes the row live again: the partial
    // unique indexes (live rows only) refuse a taken name.
    let sql = if is_folder {
        "UPDATE folders SET parent_id = $2, name = $3, name_key = $4, deleted_at = NULL, \
         trashed_with = NULL, deleted_by = NULL WHERE id = $1"
    } else {
        "UPDATE files SET folder_id = $2, name = $3, name_key = $4, deleted_at = NULL, \
         trashed_with = NULL, deleted_by = NULL WHERE id = $1"
    };
    let Some(name) =
        place_under_first_free_name(&mut tx, sql, id, &folder_id, &name, is_folder).await?
    else {
        return Err(StoreError::AlreadyExists);
    };
    if is_folder {
        // What went to the trash with it comes back with it, where it was below it.
        tx.execute(
            "UPDATE folders SET deleted_at = NULL, trashed_with = NULL, deleted_by = NULL \
             WHERE trashed_with = $1 AND purged_at IS NULL",
            args![id],
        )
        .await?;
        tx.execute(
            "UPDATE files SET deleted_at = NULL, trashed_with = NULL, deleted_by = NULL \
             WHERE trashed_with = $1 AND purged_at IS NULL",
            args![id],
        )
        .await?;
    }
    let restored = Restored {
        id: id.to_owned(),
        folder_id,
        name,
        in_place,
        is_folder,
    };
    super::audit::audit_in(&mut tx, audit.map(|a| a(&restored)).as_ref()).await?;
    tx.commit().await?;
    Ok(Some(restored))
}

/// Deletes for good what went to the trash with entry `entry` (its rows stay as tombstones).
/// Returns how many files were purged.
async fn purge_entry_in(tx: &mut impl SqlTx, entry: &str, now: i64) -> Result<u64, StoreError> {
    const FILES: &str = "SELECT id FROM files WHERE trashed_with = $1 AND purged_at IS NULL";
    for table in [
        "file_versions",
        "file_streams",
        "content_properties",
        "shares",
        "coauth_locks",
    ] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE file_id IN ({FILES})"),
            args![entry],
        )
        .await?;
    }
    // File tokens: `tokens.file_id` is '' for container and ecosystem tokens, never an entry's.
    tx.execute(
        &format!("DELETE FROM tokens WHERE file_id IN ({FILES})"),
        args![entry],
    )
    .await?;
    let files = tx
        .execute(
            "UPDATE files SET purged_at = $2 WHERE trashed_with = $1 AND purged_at IS NULL",
            args![entry, now],
        )
        .await?;
    tx.execute(
        "DELETE FROM folder_shares WHERE folder_id IN \
         (SELECT id FROM folders WHERE trashed_with = $1 AND purged_at IS NULL)",
        args![entry],
    )
    .await?;
    tx.execute(
        "DELETE FROM tokens WHERE scope = 'container' AND folder_id IN \
         (SELECT id FROM folders WHERE trashed_with = $1 AND purged_at IS NULL)",
        args![entry],
    )
    .await?;
    tx.execute(
        "UPDATE folders SET purged_at = $2 WHERE trashed_with = $1 AND purged_at IS NULL",
        args![entry, now],
    )
    .await?;
    Ok(files)
}

pub(super) async fn purge_trash<E: SqlEngine>(
    e: &E,
    owner_id: Option<&str>,
    entry: Option<&str>,
    deleted_before: i64,
    now: i64,
    audit: Option<&AuditEvent>,
) -> Result<Purged, StoreError> {
    let mut tx = e.begin().await?;
    // The entries: rows that went to the trash on their own (`trashed_with = id`).
    let entries = tx
        .fetch_all(
            "SELECT id FROM files WHERE trashed_with = id AND purged_at IS NULL \
             AND deleted_at < $1 AND ($2 IS NULL OR owner_id = $2) AND ($3 IS NULL OR id = $3) \
             UNION ALL SELECT id FROM folders WHERE trashed_with = id AND purged_at IS NULL \
             AND deleted_at < $1 AND ($2 IS NULL OR owner_id = $2) AND ($3 IS NULL OR id = $3)",
            args![deleted_before, owner_id, entry],
        )
        .await?
        .iter()
        .map(|r| r.text("id"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut purged = Purged::default();
    for id in &entries {
        purged.files += purge_entry_in(&mut tx, id, now).await?;
        purged.entries += 1;
    }
    if purged.entries > 0 {
        super::audit::audit_in(&mut tx, audit).await?;
    }
    tx.commit().await?;
    Ok(purged)
}

/// Marks a file deleted as its own trash entry (`delete_file`'s update).
pub(super) const TRASH_FILE: &str = "UPDATE files SET deleted_at = $1, trashed_with = id, \
     deleted_by = $3, lock_id = NULL, lock_expires_at = NULL, lock_user_name = NULL WHERE id = $2";

pub(super) async fn trashed<E: SqlEngine>(
    e: &E,
    id: &str,
) -> Result<Option<TrashedBy>, StoreError> {
    for table in ["files", "folders"] {
        let row = e
            .fetch_optional(
                &format!(
                    "SELECT owner_id, deleted_by, deleted_at FROM {table} WHERE id = $1 \
                     AND deleted_at IS NOT NULL AND purged_at IS NULL AND trashed_with = id"
                ),
                args![id],
            )
            .await?;
        if let Some(r) = row {
            return Ok(Some(TrashedBy {
                owner_id: r.text("owner_id")?,
                deleted_by: r.opt_text("deleted_by")?,
                deleted_at: r.int("deleted_at")?,
            }));
        }
    }
    Ok(None)
}
