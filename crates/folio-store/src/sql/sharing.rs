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

/// `ShareEntry` rows: `users` columns plus `share_role`.
fn share_entries(rows: &[impl SqlRow]) -> Result<Vec<ShareEntry>, StoreError> {
    rows::all(rows, |r| {
        Ok(ShareEntry {
            user: rows::user(r)?,
            role: rows::role_from_db(r.int4("share_role")?),
        })
    })
}

pub(super) async fn file_shares<E: SqlEngine>(
    e: &E,
    id: &FileId,
) -> Result<Vec<ShareEntry>, StoreError> {
    let order = E::DIALECT.byte_order;
    let rows = e
        .fetch_all(
            &format!(
                "SELECT u.*, s.role AS share_role FROM shares s JOIN users u ON u.id = s.user_id \
                 WHERE s.file_id = $1 ORDER BY u.name{order}, u.id"
            ),
            args![id],
        )
        .await?;
    share_entries(&rows)
}

pub(super) async fn folder_shares<E: SqlEngine>(
    e: &E,
    folder_id: &str,
) -> Result<Vec<ShareEntry>, StoreError> {
    let order = E::DIALECT.byte_order;
    let rows = e
        .fetch_all(
            &format!(
                "SELECT u.*, s.role AS share_role FROM folder_shares s \
                 JOIN users u ON u.id = s.user_id \
                 WHERE s.folder_id = $1 ORDER BY u.name{order}, u.id"
            ),
            args![folder_id],
        )
        .await?;
    share_entries(&rows)
}

/// Deletes one share row (`table`: `shares` keyed by `file_id`, or `folder_shares` by
/// `folder_id`) and writes `audit` in the same transaction, only if a row went.
async fn unshare(
    e: &impl SqlEngine,
    sql: &str,
    target: &str,
    user_id: &str,
    audit: Option<&AuditEvent>,
) -> Result<bool, StoreError> {
    let mut tx = e.begin().await?;
    let n = tx.execute(sql, args![target, user_id]).await?;
    if n > 0 {
        super::audit::audit_in(&mut tx, audit).await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

pub(super) async fn unshare_file(
    e: &impl SqlEngine,
    id: &FileId,
    user_id: &str,
    audit: Option<&AuditEvent>,
) -> Result<bool, StoreError> {
    unshare(
        e,
        "DELETE FROM shares WHERE file_id = $1 AND user_id = $2",
        id.as_str(),
        user_id,
        audit,
    )
    .await
}

pub(super) async fn unshare_folder(
    e: &impl SqlEngine,
    folder_id: &str,
    user_id: &str,
    audit: Option<&AuditEvent>,
) -> Result<bool, StoreError> {
    unshare(
        e,
        "DELETE FROM folder_shares WHERE folder_id = $1 AND user_id = $2",
        folder_id,
        user_id,
        audit,
    )
    .await
}

/// `query` as a `LIKE` pattern matching it anywhere, with `\`, `%` and `_` escaped.
fn contains_pattern(query: &str) -> String {
    let mut p = String::with_capacity(query.len() + 2);
    p.push('%');
    for c in query.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub(super) async fn search_users<E: SqlEngine>(
    e: &E,
    query: &str,
    limit: u32,
) -> Result<Vec<UserRecord>, StoreError> {
    let order = E::DIALECT.byte_order;
    let pattern = contains_pattern(query.trim());
    let rows = e
        .fetch_all(
            &format!(
                "SELECT u.* FROM users u WHERE NOT u.disabled \
                   AND (LOWER(u.name) LIKE $1 ESCAPE '\\' OR LOWER(u.login) LIKE $1 ESCAPE '\\') \
                   AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.app_user_id = u.id) \
                 ORDER BY LOWER(u.name){order}, u.id LIMIT $2"
            ),
            args![pattern.as_str(), i64::from(limit)],
        )
        .await?;
    rows::all(&rows, rows::user)
}

pub(super) async fn shared_in_folder(
    e: &impl SqlEngine,
    folder_id: &str,
    now: i64,
) -> Result<(Vec<String>, Vec<FileId>), StoreError> {
    let rows = e
        .fetch_all(
            "SELECT 'folder' AS kind, d.id FROM folders d WHERE d.parent_id = $1 \
               AND EXISTS (SELECT 1 FROM folder_shares s WHERE s.folder_id = d.id) \
             UNION ALL SELECT 'file' AS kind, f.id FROM files f \
             WHERE f.folder_id = $1 AND f.deleted_at IS NULL \
               AND (EXISTS (SELECT 1 FROM shares s WHERE s.file_id = f.id) \
                 OR EXISTS (SELECT 1 FROM share_links l WHERE l.file_id = f.id \
                     AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > $2)))",
            args![folder_id, now],
        )
        .await?;
    let mut folders = Vec::new();
    let mut files = Vec::new();
    for r in &rows {
        let id = r.text("id")?;
        if r.text("kind")? == "folder" {
            folders.push(id);
        } else {
            files.push(FileId::from_trusted(id));
        }
    }
    Ok((folders, files))
}
