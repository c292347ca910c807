//! Operational counts for `/metrics`: one statement of scalar sub-queries, each served by an
//! index (`tokens_expiry`, `files_locked`, `coauth_locks_expiry`, `deliveries_due`).

use super::{SqlEngine, SqlRow};
use crate::error::StoreError;
use crate::model::OpsFigures;

pub(super) async fn ops_figures(e: &impl SqlEngine, now: i64) -> Result<OpsFigures, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT \
               (SELECT COUNT(*) FROM tokens t JOIN files f ON f.id = t.file_id \
                 WHERE t.client IS NOT NULL AND t.scope = 'file' AND t.expires_at > $1 \
                   AND f.deleted_at IS NULL) AS editing_sessions, \
               (SELECT COUNT(*) FROM files \
                 WHERE lock_id IS NOT NULL AND lock_expires_at > $1 AND deleted_at IS NULL) AS wopi_locks, \
               (SELECT COUNT(*) FROM coauth_locks WHERE expires_at > $1) AS coauth_locks, \
               (SELECT COUNT(*) FROM deliveries WHERE state = 'pending') AS deliveries_pending, \
               (SELECT COUNT(*) FROM deliveries WHERE state = 'failed') AS deliveries_failed",
            super::args![now],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let n = |col: &str| row.int(col).map(|v| u64::try_from(v).unwrap_or(0));
    Ok(OpsFigures {
        editing_sessions: n("editing_sessions")?,
        wopi_locks: n("wopi_locks")?,
        coauth_locks: n("coauth_locks")?,
        deliveries_pending: n("deliveries_pending")?,
        deliveries_failed: n("deliveries_failed")?,
    })
}
