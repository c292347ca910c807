//! Roles and shares: a user's role on a file or folder (owner, or the highest share on it or an
//! ancestor folder), granting shares, and what is shared with a user.

use folio_wopi::FileId;

use super::rows::{self, FILE_COLUMNS, FILE_FROM, role_to_db};
use super::{Arg, SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;

/// The `role` column of an optional row (no row, or NULL: no role).
fn role_of(row: Option<impl SqlRow>) -> Result<Option<Role>, StoreError> {
    match row {
        None => Ok(None),
        Some(r) => rows::role(&r, "role"),
    }
}

pub(super) async fn role(
    e: &impl SqlEngine,
    file_id: &FileId,
    user_id: &str,
) -> Result<Option<Role>, StoreError> {
    let row = e
        .fetch_optional(
            "WITH RECURSIVE anc(id) AS ( \
                 SELECT folder_id FROM files WHERE id = $2 AND deleted_at IS NULL \
                 UNION ALL SELECT fo.parent_id FROM folders fo JOIN anc ON fo.id = anc.id \
                 WHERE fo.parent_id IS NOT NULL) \
             SELECT CASE WHEN f.owner_id = $1 THEN 2 ELSE ( \
                 SELECT MAX(r.role) FROM ( \
                     SELECT role FROM shares WHERE file_id = $2 AND user_id = $1 \
                     UNION ALL SELECT role FROM folder_shares \
                     WHERE user_id = $1 AND folder_id IN (SELECT id FROM anc)) AS r) END AS role \
             FROM files f WHERE f.id = $2 AND f.deleted_at IS NULL",
            args![user_id, file_id],
        )
        .await?;
    role_of(row)
}

/// Whether anyone besides the owner has access to a live file: a share on it, or on its folder
/// or an ancestor (CSPP Plus `SharingStatus`).
pub(super) async fn file_is_shared(
    e: &impl SqlEngine,
    file_id: &FileId,
) -> Result<bool, StoreError> {
    let row = e
        .fetch_optional(
            "WITH RECURSIVE anc(id) AS ( \
                 SELECT folder_id FROM files WHERE id = $1 AND deleted_at IS NULL \
                 UNION ALL SELECT fo.parent_id FROM folders fo JOIN anc ON fo.id = anc.id \
                 WHERE fo.parent_id IS NOT NULL) \
             SELECT 1 AS shared FROM shares WHERE file_id = $1 \
             UNION ALL SELECT 1 AS shared FROM folder_shares \
             WHERE folder_id IN (SELECT id FROM anc) LIMIT 1",
            args![file_id],
        )
        .await?;
    Ok(row.is_some())
}

pub(super) async fn folder_role(
    e: &impl SqlEngine,
    folder_id: &str,
    user_id: &str,
) -> Result<Option<Role>, StoreError> {
    let row = e
        .fetch_optional(
            "WITH RECURSIVE anc(id) AS ( \
                 SELECT CAST($2 AS TEXT) UNION ALL SELECT fo.parent_id FROM folders fo \
                 JOIN anc ON fo.id = anc.id WHERE fo.parent_id IS NOT NULL) \
             SELECT CASE WHEN d.owner_id = $1 THEN 2 ELSE ( \
                 SELECT MAX(role) FROM folder_shares \
                 WHERE user_id = $1 AND folder_id IN (SELECT id FROM anc)) END AS role \
             FROM folders d WHERE d.id = $2 AND d.deleted_at IS NULL",
            args![user_id, folder_id],
        )
        .await?;
    role_of(row)
}

pub(super) async fn share_folder(
    e: &impl SqlEngine,
    folder_id: &str,
    user_id: &str,
    role: Role,
    audit: Option<&AuditEvent>,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    tx.execute(
        "INSERT INTO folder_shares (folder_id, user_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (folder_id, user_id) DO UPDATE SET role = EXCLUDED.role",
        &[
            folder_id.into(),
            user_id.into(),
            Arg::Int4(role_to_db(role)),
        ],
    )
    .await?;
    super::audit::audit_in(&mut tx, audit).await?;
    tx.commit().await
}

pub(super) async fn share_file(
    e: &impl SqlEngine,
    id: &FileId,
    user_id: &str,
    role: Role,
    audit: Option<&AuditEvent>,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    tx.execute(
        "INSERT INTO shares (file_id, user_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (file_id, user_id) DO UPDATE SET role = EXCLUDED.role",
        &[id.into(), user_id.into(), Arg::Int4(role_to_db(role))],
    )
    .await?;
    super::audit::audit_in(&mut tx, audit).await?;
    tx.commit().await
}

/// A record with the role of the share it was found through (`share_role`).
fn with_share_role<R: SqlRow, T>(
    f: impl Fn(&R) -> Result<T, StoreError>,
) -> impl Fn(&R) -> Result<(T, Role), StoreError> {
    move |r| Ok((f(r)?, rows::role_from_db(r.int4("share_role")?)))
}

pub(super) async fn shared_with<E: SqlEngine>(
    e: &E,
    user_id: &str,
) -> Result<(Vec<(FolderRecord, Role)>, Vec<(FileRecord, Role)>), StoreError> {
    let order = E::DIALECT.byte_order;
    let mut tx = e.begin_snapshot().await?;
    let folders = tx
        .fetch_all(
            &format!(
                "SELECT d.*, s.role AS share_role FROM folder_shares s \
                 JOIN folders d ON d.id = s.folder_id \
                 WHERE s.user_id = $1 AND d.deleted_at IS NULL ORDER BY d.name_key{order}"
            ),
            args![user_id],
        )
        .await?;
    let files = tx
        .fetch_all(
            &format!(
                "SELECT {FILE_COLUMNS}, s.role AS share_role FROM {FILE_FROM} \
                 JOIN shares s ON s.file_id = f.id \
                 WHERE s.user_id = $1 AND f.deleted_at IS NULL ORDER BY f.name_key{order}"
            ),
            args![user_id],
        )
        .await?;
    tx.commit().await?;
    Ok((
        rows::all(&folders, with_share_role(rows::folder))?,
        rows::all(&files, with_share_role(rows::file))?,
    ))
}
