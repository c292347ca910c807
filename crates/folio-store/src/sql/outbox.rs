//! The webhook outbox: events appended in the transaction of the change they describe (one
//! pending delivery per receiver), leased claims of due deliveries, their outcome, and the
//! recent-deliveries listing.

use super::rows::{self, DELIVERY_SELECT};
use super::{SqlEngine, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::Emit;
use crate::model::*;
use crate::random_id;

/// Appends `event` with one pending delivery per URL (nothing when there are none).
pub(super) async fn insert_event(
    tx: &mut impl SqlTx,
    event: &OutboxEvent,
    urls: &[String],
) -> Result<(), StoreError> {
    if urls.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO outbox (id, event_type, payload, created_at) VALUES ($1, $2, $3, $4)",
        args![
            &event.id,
            &event.event_type,
            &event.payload,
            event.created_at
        ],
    )
    .await?;
    for url in urls {
        tx.execute(
            "INSERT INTO deliveries (id, event_id, url, state, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, 'pending', $4, $5)",
            args![
                &random_id(20),
                &event.id,
                url,
                event.created_at,
                event.created_at
            ],
        )
        .await?;
    }
    Ok(())
}

/// Appends `emit`'s event and audit row for `file` (as the change left it) inside the change's
/// transaction.
pub(super) async fn emit_in(
    tx: &mut impl SqlTx,
    emit: Option<&Emit<'_>>,
    file: &FileRecord,
) -> Result<(), StoreError> {
    let Some(e) = emit else { return Ok(()) };
    if let Some(audit) = e.audit {
        super::audit::audit_in(tx, Some(&audit(file))).await?;
    }
    if !e.urls.is_empty() {
        insert_event(tx, &(e.build)(file), e.urls).await?;
    }
    Ok(())
}

pub(super) async fn enqueue_event(
    e: &impl SqlEngine,
    event: &OutboxEvent,
    urls: &[String],
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    insert_event(&mut tx, event, urls).await?;
    tx.commit().await
}

/// Claims up to `limit` due deliveries, leasing them for `lease_ms`.
pub(super) async fn claim_deliveries<E: SqlEngine>(
    e: &E,
    now: i64,
    limit: i64,
    lease_ms: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let mut tx = e.begin().await?;
    // Rows another replica leased meanwhile fail the re-checked lease condition (and, with
    // SKIP LOCKED, replicas claiming at the same time take disjoint sets).
    let sql = format!(
        "{DELIVERY_SELECT} \
         WHERE d.state = 'pending' AND d.next_attempt_at <= $1 \
           AND (d.lease_until IS NULL OR d.lease_until <= $1) \
         ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT $2{}",
        E::DIALECT.claim_lock
    );
    let rows = tx.fetch_all(&sql, args![now, limit.max(0)]).await?;
    let out = rows::all(&rows, rows::delivery)?;
    for d in &out {
        tx.execute(
            "UPDATE deliveries SET lease_until = $1 WHERE id = $2",
            args![now.saturating_add(lease_ms), &d.id],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// Records the outcome of one delivery attempt.
pub(super) async fn finish_delivery(
    e: &impl SqlEngine,
    id: &str,
    delivered: bool,
    status: Option<i64>,
    error: Option<&str>,
    next_attempt_at: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    let state = match (delivered, next_attempt_at) {
        (true, _) => "delivered",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    e.execute(
        "UPDATE deliveries SET state = $1, attempts = attempts + 1, last_status = $2, \
         last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
         lease_until = NULL, delivered_at = CASE WHEN $5 THEN $6 ELSE delivered_at END \
         WHERE id = $7",
        args![state, status, error, next_attempt_at, delivered, now, id],
    )
    .await?;
    Ok(())
}

pub(super) async fn deliveries(
    e: &impl SqlEngine,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let sql = format!("{DELIVERY_SELECT} ORDER BY d.created_at DESC, d.id LIMIT $1");
    let rows = e.fetch_all(&sql, args![limit.max(0)]).await?;
    rows::all(&rows, rows::delivery)
}
