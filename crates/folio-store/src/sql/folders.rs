//! Folders: lookup, the folder path of an upload (created on demand), listings, creation,
//! renaming, and deletion (to the trash) of empty folders; non-empty ones and moves are in
//! `trash.rs`. Sharing and roles are in `sharing.rs`.

use folio_wopi::WopiError;

use super::rows::{self, FILE_COLUMNS, FILE_FROM, name_key, one};
use super::{SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::Outcome;
use crate::model::*;
use crate::random_id;

pub(super) async fn folder(
    e: &impl SqlEngine,
    id: &str,
) -> Result<Option<FolderRecord>, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT * FROM folders WHERE id = $1 AND deleted_at IS NULL",
            args![id],
        )
        .await?;
    one(row, rows::folder)
}

pub(super) async fn ensure_folder_path(
    e: &impl SqlEngine,
    owner_id: &str,
    path: &[String],
    now: i64,
) -> Result<FolderRecord, StoreError> {
    let mut tx = e.begin().await?;
    let row = tx
        .fetch_optional(
            "SELECT f.* FROM folders f JOIN users u ON u.root_folder_id = f.id WHERE u.id = $1",
            args![owner_id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut folder = rows::folder(&row)?;
    const FIND: &str = "SELECT * FROM folders WHERE owner_id = $1 AND parent_id = $2 AND name_key = $3 \
         AND deleted_at IS NULL";
    for name in path {
        let key = name_key(name);
        let mut existing = tx
            .fetch_optional(FIND, args![owner_id, &folder.id, &key])
            .await?;
        if existing.is_none() {
            // Another replica may be creating the same folder right now: the unique index
            // arbitrates, and whoever loses reads the winner's row (visible to the next
            // statement once the winner commits).
            existing = tx
                .fetch_optional(
                    "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *",
                    args![&random_id(16), owner_id, &folder.id, name, &key, now],
                )
                .await?;
        }
        let row = match existing {
            Some(row) => row,
            None => tx
                .fetch_optional(FIND, args![owner_id, &folder.id, &key])
                .await?
                .ok_or(StoreError::NotFound)?,
        };
        folder = rows::folder(&row)?;
    }
    tx.commit().await?;
    Ok(folder)
}

pub(super) async fn list_folder<E: SqlEngine>(
    e: &E,
    folder_id: &str,
) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), StoreError> {
    let order = E::DIALECT.byte_order;
    // One snapshot for both lists.
    let mut tx = e.begin_snapshot().await?;
    let folders = tx
        .fetch_all(
            &format!(
                "SELECT * FROM folders WHERE parent_id = $1 AND deleted_at IS NULL \
                 ORDER BY name_key{order}"
            ),
            args![folder_id],
        )
        .await?;
    let files = tx
        .fetch_all(
            &format!(
                "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
                 WHERE f.folder_id = $1 AND f.deleted_at IS NULL ORDER BY f.name_key{order}"
            ),
            args![folder_id],
        )
        .await?;
    tx.commit().await?;
    Ok((
        rows::all(&folders, rows::folder)?,
        rows::all(&files, rows::file)?,
    ))
}

pub(super) async fn create_folder<E: SqlEngine>(
    e: &E,
    parent_id: &str,
    name: &str,
    now: i64,
) -> Result<FolderRecord, StoreError> {
    let mut tx = e.begin().await?;
    // The parent cannot be deleted until this transaction ends.
    let sql = format!(
        "SELECT * FROM folders WHERE id = $1 AND deleted_at IS NULL{}",
        E::DIALECT.for_key_share
    );
    let parent = tx
        .fetch_optional(&sql, args![parent_id])
        .await?
        .ok_or(StoreError::NotFound)?;
    let parent = rows::folder(&parent)?;
    let folder = FolderRecord {
        id: random_id(16),
        owner_id: parent.owner_id.clone(),
        parent_id: Some(parent.id.clone()),
        name: name.to_owned(),
    };
    tx.execute(
        "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![
            &folder.id,
            &folder.owner_id,
            &parent.id,
            name,
            &name_key(name),
            now
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(folder)
}

pub(super) async fn delete_folder<E: SqlEngine>(
    e: &E,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    // Emptiness is checked in the transaction that trashes the folder: a concurrent creation of
    // a child holds a key share lock on the folder through its foreign key, so it either
    // committed before (and is counted) or waits for `trash_folder`'s row lock and then finds
    // the folder gone.
    let mut tx = e.begin().await?;
    let sql = format!(
        "SELECT parent_id FROM folders WHERE id = $1 AND deleted_at IS NULL{}",
        E::DIALECT.for_update
    );
    let row = tx
        .fetch_optional(&sql, args![id])
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.opt_text("parent_id")?.is_none() {
        return Ok(false);
    }
    let row = tx
        .fetch_optional(
            "SELECT (SELECT COUNT(*) FROM folders c WHERE c.parent_id = $1 \
                     AND c.deleted_at IS NULL) + \
               (SELECT COUNT(*) FROM files f WHERE f.folder_id = $1 AND f.deleted_at IS NULL) \
               AS children",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.int("children")? > 0 {
        return Ok(false);
    }
    tx.execute(
        "UPDATE folders SET deleted_at = $2, trashed_with = $1 WHERE id = $1",
        args![id, now],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn rename_folder(
    e: &impl SqlEngine,
    id: &str,
    name: &str,
) -> Result<Outcome<FolderRecord>, StoreError> {
    // One statement in a write transaction (reads may go to read-only connections): the unique
    // index on (owner, parent, name_key) arbitrates a race.
    let mut tx = e.begin().await?;
    let row = tx
        .fetch_optional(
            "UPDATE folders SET name = $2, name_key = $3 \
             WHERE id = $1 AND parent_id IS NOT NULL AND deleted_at IS NULL RETURNING *",
            args![id, name, &name_key(name)],
        )
        .await;
    match row {
        Ok(Some(row)) => {
            let folder = rows::folder(&row)?;
            tx.commit().await?;
            Ok(Ok(folder))
        }
        Ok(None) => Err(StoreError::NotFound),
        Err(StoreError::AlreadyExists) => Ok(Err(WopiError::NameExists { suggestion: None })),
        Err(e) => Err(e),
    }
}
