//! The audit trail: rows appended inside the transaction of the change they record (through
//! [`crate::metadata::Emit::audit`] or an `audit` argument) or on their own (reads, sign-ins),
//! the filtered, cursor-paginated listing, and the retention purge.

use super::rows;
use super::{SqlEngine, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;

const INSERT: &str = "INSERT INTO audit_events (id, at, action, actor_id, actor_name, file_id, \
     file_name, detail, ip, user_agent, via, via_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

macro_rules! audit_args {
    ($ev:expr) => {
        args![
            &$ev.id,
            $ev.at,
            &$ev.action,
            $ev.actor_id.as_deref(),
            $ev.actor_name.as_deref(),
            $ev.file_id.as_deref(),
            $ev.file_name.as_deref(),
            $ev.detail.as_deref(),
            $ev.ip.as_deref(),
            $ev.user_agent.as_deref(),
            &$ev.via,
            $ev.via_id.as_deref()
        ]
    };
}

/// Appends `event` inside the caller's transaction (nothing when `None`).
pub(super) async fn audit_in(
    tx: &mut impl SqlTx,
    event: Option<&AuditEvent>,
) -> Result<(), StoreError> {
    if let Some(ev) = event {
        tx.execute(INSERT, audit_args!(ev)).await?;
    }
    Ok(())
}

pub(super) async fn record_audit(e: &impl SqlEngine, ev: &AuditEvent) -> Result<(), StoreError> {
    e.execute(INSERT, audit_args!(ev)).await?;
    Ok(())
}

pub(super) async fn audit_events(
    e: &impl SqlEngine,
    q: &AuditQuery,
) -> Result<Vec<AuditEvent>, StoreError> {
    // Every filter is present in the text and switched off by a NULL argument, so one
    // statement serves every combination (and both engines).
    let (before_at, before_id) = match &q.before {
        Some((at, id)) => (Some(*at), Some(id.as_str())),
        None => (None, None),
    };
    let prefix = q.action.as_ref().map(|a| format!("{}%", like_escape(a)));
    let rows = e
        .fetch_all(
            "SELECT * FROM audit_events \
             WHERE ($1 IS NULL OR actor_id = $1) \
               AND ($2 IS NULL OR file_id = $2) \
               AND ($3 IS NULL OR action LIKE $3 ESCAPE '\\') \
               AND ($4 IS NULL OR at >= $4) \
               AND ($5 IS NULL OR at < $5) \
               AND ($6 IS NULL OR at < $6 OR (at = $6 AND id < $7)) \
             ORDER BY at DESC, id DESC LIMIT $8",
            args![
                q.actor_id.as_deref(),
                q.file_id.as_deref(),
                prefix.as_deref(),
                q.since,
                q.until,
                before_at,
                before_id,
                q.limit.clamp(0, 1000)
            ],
        )
        .await?;
    rows::all(&rows, rows::audit)
}

/// `s` with LIKE's wildcards and the escape character escaped.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) async fn purge_audit(e: &impl SqlEngine, before: i64) -> Result<u64, StoreError> {
    e.execute("DELETE FROM audit_events WHERE at < $1", args![before])
        .await
}
