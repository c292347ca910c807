//! Content versions: WOPI PutFile's commit (the write check, then a new version, in one
//! transaction), the version history, and the blob keys the sweep must keep.

use std::collections::HashSet;

use folio_wopi::FileId;

use super::coauth::coauth_in_tx;
use super::files::lock_file;
use super::outbox::emit_in;
use super::rows::{self, size_to_db};
use super::{SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::{Emit, Outcome, WriteCheck};
use crate::model::*;

/// Inserts version `version` of file `id`.
pub(super) async fn insert_version(
    tx: &mut impl SqlTx,
    id: &str,
    version: i64,
    c: &ContentRecord,
) -> Result<(), StoreError> {
    insert_version_signed(tx, id, version, c, None).await
}

/// Inserts version `version` of file `id` with the chunk signature of its content, if known.
pub(super) async fn insert_version_signed(
    tx: &mut impl SqlTx,
    id: &str,
    version: i64,
    c: &ContentRecord,
    signature: Option<&StreamSignature>,
) -> Result<(), StoreError> {
    let signature = signature.map(StreamSignature::encode);
    tx.execute(
        "INSERT INTO file_versions (file_id, version, blob_key, size, sha256, created_at, \
         author_id, source, signature, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            id,
            version,
            &c.blob_key,
            size_to_db(c.size),
            c.sha256.as_slice(),
            c.created_at,
            &c.author_id,
            &c.source,
            signature.as_deref(),
            c.kind.as_str()
        ],
    )
    .await?;
    Ok(())
}

/// Commits `content` as the next version of the (row-locked) file if `check` allows it.
pub(super) async fn commit_version<E: SqlEngine>(
    e: &E,
    id: &FileId,
    check: WriteCheck,
    content: ContentRecord,
    now: i64,
    emit: Option<&Emit<'_>>,
) -> Result<Outcome<FileRecord>, StoreError> {
    let mut tx = e.begin().await?;
    let mut file = lock_file::<E>(&mut tx, id).await?;
    let coauth = coauth_in_tx(&mut tx, id).await?;
    if let Err(e) = check.decide(&file, &coauth, now) {
        return Ok(Err(e));
    }
    let version = file.version + 1;
    insert_version(&mut tx, id.as_str(), version, &content).await?;
    // Every content change moves the CSPP Plus sequence number on.
    tx.execute(
        "UPDATE files SET version = $1, sequence_number = sequence_number + 1 WHERE id = $2",
        args![version, id],
    )
    .await?;
    file.version = version;
    file.sequence += 1;
    super::streams::clear_on_content_change(&mut tx, id).await?;
    file.content = content;
    emit_in(&mut tx, emit, &file).await?;
    tx.commit().await?;
    Ok(Ok(file))
}

pub(super) async fn versions(
    e: &impl SqlEngine,
    id: &FileId,
) -> Result<Vec<VersionRecord>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT version, blob_key, size, sha256, created_at, author_id, source, \
             kind AS version_kind \
             FROM file_versions WHERE file_id = $1 ORDER BY version DESC",
            args![id],
        )
        .await?;
    rows::all(&rows, |r| {
        Ok(VersionRecord {
            version: r.int("version")?,
            content: rows::content(r)?,
        })
    })
}

pub(super) async fn referenced_blob_keys(
    e: &impl SqlEngine,
) -> Result<HashSet<String>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT blob_key FROM file_versions UNION SELECT blob_key FROM file_streams \
             UNION SELECT blob_key FROM templates \
             UNION SELECT s.blob_key FROM content_segments s WHERE s.content_key IN \
             (SELECT blob_key FROM file_versions UNION SELECT blob_key FROM file_streams)",
            &[],
        )
        .await?;
    rows.iter().map(|r| r.text("blob_key")).collect()
}

pub(super) async fn blob_references<E: SqlEngine>(e: &E) -> Result<Vec<BlobReference>, StoreError> {
    // A version's blob is never shared with another row, but a stream may name the blob of
    // the MainContent version it came from, and a segmented content (`seg-…`, not a blob) names
    // ranges of other blobs: keep the version's row when there is one (it has the hash). A blob
    // only segments read (a PutChunkedFile's new chunks) is wholly covered by them, so its size
    // is the end of its last range.
    let sql = format!(
        "SELECT blob_key, size, sha256 FROM (SELECT blob_key, size, sha256 FROM file_versions \
         WHERE blob_key NOT LIKE 'seg-%' \
         UNION ALL SELECT blob_key, size, NULL AS sha256 FROM file_streams \
         WHERE blob_key NOT LIKE 'seg-%' \
         UNION ALL SELECT blob_key, size, sha256 FROM templates \
         UNION ALL SELECT blob_key, MAX(start + length) AS size, NULL AS sha256 \
         FROM content_segments WHERE content_key IN \
         (SELECT blob_key FROM file_versions UNION SELECT blob_key FROM file_streams) \
         GROUP BY blob_key) AS r \
         ORDER BY blob_key{}",
        E::DIALECT.byte_order
    );
    let rows = e.fetch_all(&sql, &[]).await?;
    let mut out: Vec<BlobReference> = Vec::with_capacity(rows.len());
    for r in &rows {
        let key = r.text("blob_key")?;
        let size = u64::try_from(r.int("size")?).unwrap_or(0);
        let sha256 = r.opt_bytes("sha256")?;
        match out.last_mut() {
            Some(last) if last.blob_key == key => {
                if last.sha256.is_none() {
                    last.sha256 = sha256;
                    last.size = size;
                }
            }
            _ => out.push(BlobReference {
                blob_key: key,
                size,
                sha256,
            }),
        }
    }
    Ok(out)
}
