//! Version retention: the files whose old autosaves the sweep may thin, the drop itself (never
//! the current version, never anything but an autosave, decided again inside the transaction
//! that row-locks the file), and the running total of what it freed.

use folio_wopi::FileId;

use super::audit::audit_in;
use super::files::lock_file;
use super::rows::{count_from_db, size_to_db};
use super::{SqlEngine, SqlRow, SqlTx, args};
use crate::blob::ContentKey;
use crate::error::StoreError;
use crate::model::*;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// Live files with two or more non-current autosaves older than `keep_all_before` in one hour
/// (one day before `hourly_before`) — the files thinning could change. At most `limit`.
pub(super) async fn autosave_candidates(
    e: &impl SqlEngine,
    keep_all_before: i64,
    hourly_before: i64,
    limit: i64,
) -> Result<Vec<FileId>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT DISTINCT v.file_id FROM file_versions v JOIN files f ON f.id = v.file_id \
             WHERE v.kind = 'autosave' AND v.created_at < $1 AND v.version <> f.version \
             AND f.deleted_at IS NULL \
             GROUP BY v.file_id, CASE WHEN v.created_at < $2 THEN v.created_at / $3 \
             ELSE v.created_at / $4 END \
             HAVING COUNT(*) >= 2 ORDER BY v.file_id LIMIT $5",
            args![keep_all_before, hourly_before, DAY_MS, HOUR_MS, limit],
        )
        .await?;
    rows.iter()
        .map(|r| Ok(FileId::from_trusted(r.text("file_id")?)))
        .collect()
}

/// Whether any row still names the blob `key`: a version, a stream, a segment, a template.
async fn blob_referenced(tx: &mut impl SqlTx, key: &str) -> Result<bool, StoreError> {
    Ok(tx
        .fetch_optional(
            "SELECT 1 AS x FROM file_versions WHERE blob_key = $1 \
             UNION ALL SELECT 1 AS x FROM file_streams WHERE blob_key = $1 \
             UNION ALL SELECT 1 AS x FROM content_segments WHERE blob_key = $1 \
             UNION ALL SELECT 1 AS x FROM templates WHERE blob_key = $1",
            args![key],
        )
        .await?
        .is_some())
}

/// Deletes the listed versions of a file that are autosaves and not its current version, in
/// one transaction with the file row-locked. Returns how many went and the blobs that no row
/// names any more (plain blobs, with their sizes; a segmented content's rows go with it).
pub(super) async fn drop_versions<E: SqlEngine>(
    e: &E,
    id: &FileId,
    versions: &[i64],
) -> Result<(u64, Vec<BlobReference>), StoreError> {
    let mut tx = e.begin().await?;
    let file = lock_file::<E>(&mut tx, id).await?;
    let mut gone: Vec<(String, u64)> = Vec::new();
    for v in versions {
        if *v == file.version {
            continue;
        }
        let row = tx
            .fetch_optional(
                "DELETE FROM file_versions WHERE file_id = $1 AND version = $2 \
                 AND kind = 'autosave' RETURNING blob_key, size",
                args![id, *v],
            )
            .await?;
        if let Some(r) = row {
            gone.push((r.text("blob_key")?, count_from_db(r.int("size")?)));
        }
    }
    let dropped = gone.len() as u64;
    let mut freed: Vec<BlobReference> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, size) in gone {
        if !seen.insert(key.clone()) || blob_referenced(&mut tx, &key).await? {
            continue;
        }
        if matches!(ContentKey::parse(&key), Some(ContentKey::Segmented(_))) {
            // The content's ranges go with it; their blobs are freed when nothing else names
            // them (the new chunks of that PutChunkedFile, typically).
            let segments = tx
                .fetch_all(
                    "SELECT blob_key, MAX(start + length) AS size FROM content_segments \
                     WHERE content_key = $1 GROUP BY blob_key",
                    args![&key],
                )
                .await?;
            tx.execute(
                "DELETE FROM content_segments WHERE content_key = $1",
                args![&key],
            )
            .await?;
            for s in &segments {
                let blob = s.text("blob_key")?;
                if seen.insert(blob.clone()) && !blob_referenced(&mut tx, &blob).await? {
                    freed.push(BlobReference {
                        blob_key: blob,
                        size: count_from_db(s.int("size")?),
                        sha256: None,
                    });
                }
            }
        } else {
            freed.push(BlobReference {
                blob_key: key,
                size,
                sha256: None,
            });
        }
    }
    tx.commit().await?;
    Ok((dropped, freed))
}

/// Adds one sweep's figures to the running total (and records them as the last sweep's), with
/// `audit` in the same transaction.
pub(super) async fn record_retention<E: SqlEngine>(
    e: &E,
    dropped: u64,
    freed: u64,
    now: i64,
    audit: Option<&AuditEvent>,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    let (dropped, freed) = (size_to_db(dropped), size_to_db(freed));
    tx.execute(
        "INSERT INTO version_retention (id, dropped_versions, freed_bytes, last_sweep_at, \
         last_dropped, last_freed) VALUES (1, $1, $2, $3, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET \
         dropped_versions = version_retention.dropped_versions + excluded.dropped_versions, \
         freed_bytes = version_retention.freed_bytes + excluded.freed_bytes, \
         last_sweep_at = excluded.last_sweep_at, last_dropped = excluded.last_dropped, \
         last_freed = excluded.last_freed",
        args![dropped, freed, now],
    )
    .await?;
    audit_in(&mut tx, audit).await?;
    tx.commit().await
}

pub(super) async fn retention_totals(e: &impl SqlEngine) -> Result<RetentionTotals, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT dropped_versions, freed_bytes, last_sweep_at, last_dropped, last_freed \
             FROM version_retention WHERE id = 1",
            &[],
        )
        .await?;
    let Some(r) = row else {
        return Ok(RetentionTotals::default());
    };
    Ok(RetentionTotals {
        dropped_versions: count_from_db(r.int("dropped_versions")?),
        freed_bytes: count_from_db(r.int("freed_bytes")?),
        last_sweep_at: Some(r.int("last_sweep_at")?),
        last_dropped: count_from_db(r.int("last_dropped")?),
        last_freed: count_from_db(r.int("last_freed")?),
    })
}
