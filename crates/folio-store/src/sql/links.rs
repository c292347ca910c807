//! Public links (`share_links`): made with their audit row, found by the hash of their secret,
//! listed per file, revoked — the row stays (a guest's versions keep their author) and the
//! link's tokens are deleted in the same transaction — and purged by the sweep once revoked or
//! expired for longer than `link_retention_days`.

use folio_wopi::FileId;

use super::rows::{self, one, role_to_db};
use super::{Arg, SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;

const LINK_COLUMNS: &str = "id, file_id, created_by, name, role, password_hash, expires_at, \
     created_at, revoked_at";

fn link(r: &impl SqlRow) -> Result<ShareLinkRecord, StoreError> {
    Ok(ShareLinkRecord {
        id: r.text("id")?,
        file_id: FileId::from_trusted(r.text("file_id")?),
        created_by: r.text("created_by")?,
        name: r.text("name")?,
        role: rows::role_from_db(r.int4("role")?),
        password_hash: r.opt_text("password_hash")?,
        expires_at: r.opt_int("expires_at")?,
        created_at: r.int("created_at")?,
        revoked_at: r.opt_int("revoked_at")?,
    })
}

pub(super) async fn create_share_link(
    e: &impl SqlEngine,
    secret_hash: &[u8],
    l: &ShareLinkRecord,
    audit: Option<&AuditEvent>,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    tx.execute(
        "INSERT INTO share_links (id, secret_hash, file_id, created_by, name, role, \
             password_hash, expires_at, created_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            Arg::from(&l.id),
            Arg::from(secret_hash),
            Arg::from(&l.file_id),
            Arg::from(&l.created_by),
            Arg::from(&l.name),
            Arg::Int4(role_to_db(l.role)),
            Arg::from(l.password_hash.as_deref()),
            Arg::from(l.expires_at),
            Arg::from(l.created_at),
            Arg::from(l.revoked_at),
        ],
    )
    .await?;
    super::audit::audit_in(&mut tx, audit).await?;
    tx.commit().await
}

pub(super) async fn share_link_by_secret(
    e: &impl SqlEngine,
    secret_hash: &[u8],
) -> Result<Option<ShareLinkRecord>, StoreError> {
    let row = e
        .fetch_optional(
            &format!("SELECT {LINK_COLUMNS} FROM share_links WHERE secret_hash = $1"),
            args![secret_hash],
        )
        .await?;
    one(row, link)
}

pub(super) async fn share_link(
    e: &impl SqlEngine,
    id: &str,
) -> Result<Option<ShareLinkRecord>, StoreError> {
    let row = e
        .fetch_optional(
            &format!("SELECT {LINK_COLUMNS} FROM share_links WHERE id = $1"),
            args![id],
        )
        .await?;
    one(row, link)
}

pub(super) async fn file_share_links(
    e: &impl SqlEngine,
    file_id: &FileId,
) -> Result<Vec<ShareLinkRecord>, StoreError> {
    let rows = e
        .fetch_all(
            &format!(
                "SELECT {LINK_COLUMNS} FROM share_links \
                 WHERE file_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id"
            ),
            args![file_id],
        )
        .await?;
    rows::all(&rows, link)
}

pub(super) async fn revoke_share_link(
    e: &impl SqlEngine,
    id: &str,
    now: i64,
    audit: Option<&AuditEvent>,
) -> Result<bool, StoreError> {
    let mut tx = e.begin().await?;
    let n = tx
        .execute(
            "UPDATE share_links SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            args![id, now],
        )
        .await?;
    if n > 0 {
        tx.execute("DELETE FROM tokens WHERE link_id = $1", args![id])
            .await?;
        super::audit::audit_in(&mut tx, audit).await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

/// Links revoked or expired before `$1`.
const PURGEABLE: &str = "(revoked_at IS NOT NULL AND revoked_at < $1) \
     OR (expires_at IS NOT NULL AND expires_at < $1)";

pub(super) async fn purge_share_links(
    e: &impl SqlEngine,
    before: i64,
    audit: Option<&AuditEvent>,
) -> Result<u64, StoreError> {
    let mut tx = e.begin().await?;
    tx.execute(
        &format!(
            "DELETE FROM tokens WHERE link_id IN (SELECT id FROM share_links WHERE {PURGEABLE})"
        ),
        args![before],
    )
    .await?;
    let n = tx
        .execute(
            &format!("DELETE FROM share_links WHERE {PURGEABLE}"),
            args![before],
        )
        .await?;
    if n > 0 {
        super::audit::audit_in(&mut tx, audit).await?;
    }
    tx.commit().await?;
    Ok(n)
}
