//! CSPP Plus streams: the signature of each version's MainContent, the alternate streams and
//! content properties of a file, and PutChunkedFile's commit (lock and sequence-number checks,
//! new version, streams, properties, in one transaction on the row-locked file).

use folio_wopi::{FileId, WopiError, coauth};

use super::coauth::coauth_in_tx;
use super::files::lock_file;
use super::outbox::emit_in;
use super::rows::{count_from_db, size_to_db};
use super::versions::insert_version_signed;
use super::{SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::{Emit, Outcome};
use crate::model::*;

fn signature(text: &str) -> Result<StreamSignature, StoreError> {
    StreamSignature::decode(text)
        .ok_or_else(|| StoreError::Backend("a stored chunk signature is malformed".into()))
}

pub(super) async fn chunked_state(
    e: &impl SqlEngine,
    id: &FileId,
    version: i64,
    now: i64,
) -> Result<ChunkedState, StoreError> {
    let main = e
        .fetch_optional(
            "SELECT signature FROM file_versions WHERE file_id = $1 AND version = $2",
            args![id, version],
        )
        .await?;
    let main_signature = match main {
        Some(r) => match r.opt_text("signature")? {
            Some(s) => Some(signature(&s)?),
            None => None,
        },
        None => None,
    };
    let since = now - STREAM_TTL_MS;
    let rows = e
        .fetch_all(
            "SELECT stream_id, blob_key, size, signature, updated_at FROM file_streams \
             WHERE file_id = $1 AND updated_at > $2 ORDER BY stream_id",
            args![id, since],
        )
        .await?;
    let mut streams = Vec::with_capacity(rows.len());
    for r in &rows {
        streams.push(StreamRecord {
            stream_id: r.text("stream_id")?,
            blob_key: r.text("blob_key")?,
            size: count_from_db(r.int("size")?),
            signature: signature(&r.text("signature")?)?,
            updated_at: r.int("updated_at")?,
        });
    }
    let rows = e
        .fetch_all(
            "SELECT name, retention, value, updated_at FROM content_properties \
             WHERE file_id = $1 AND updated_at > $2 ORDER BY name",
            args![id, since],
        )
        .await?;
    let mut properties = Vec::with_capacity(rows.len());
    for r in &rows {
        properties.push(ContentProperty {
            name: r.text("name")?,
            retention: r.text("retention")?,
            value: r.text("value")?,
            updated_at: r.int("updated_at")?,
        });
    }
    Ok(ChunkedState {
        main_signature,
        streams,
        properties,
    })
}

pub(super) async fn set_signature(
    e: &impl SqlEngine,
    id: &FileId,
    version: i64,
    sig: &StreamSignature,
) -> Result<(), StoreError> {
    e.execute(
        "UPDATE file_versions SET signature = $1 \
         WHERE file_id = $2 AND version = $3 AND signature IS NULL",
        args![&sig.encode(), id, version],
    )
    .await?;
    Ok(())
}

/// A classic content change (PutFile, an overwrite, an upload, a restore) clears the alternate
/// streams and the `DeleteOnContentChange` properties (spec/cspp-plus.md §9.2).
pub(super) async fn clear_on_content_change(
    tx: &mut impl SqlTx,
    id: &FileId,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM file_streams WHERE file_id = $1", args![id])
        .await?;
    tx.execute(
        "DELETE FROM content_properties WHERE file_id = $1 AND retention <> 'KeepOnContentChange'",
        args![id],
    )
    .await?;
    Ok(())
}

pub(super) async fn content_segments(
    e: &impl SqlEngine,
    content_key: &str,
) -> Result<Vec<BlobSegment>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT blob_key, start, length FROM content_segments WHERE content_key = $1 \
             ORDER BY seq",
            args![content_key],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(BlobSegment {
            blob_key: r.text("blob_key")?,
            start: count_from_db(r.int("start")?),
            length: count_from_db(r.int("length")?),
        });
    }
    Ok(out)
}

pub(super) async fn commit_chunked<E: SqlEngine>(
    e: &E,
    id: &FileId,
    check: &ChunkedCheck,
    commit: ChunkedCommit,
    now: i64,
    emit: Option<&Emit<'_>>,
) -> Result<Outcome<FileRecord>, StoreError> {
    let mut tx = e.begin().await?;
    let mut file = lock_file::<E>(&mut tx, id).await?;
    let rows = coauth_in_tx(&mut tx, id).await?;
    let view = file.lock_view(&rows);
    let presented = coauth::Presented {
        wopi_lock: check.wopi_lock.as_deref(),
        coauth_id: check.coauth_id.as_deref(),
    };
    if let Err(e) = coauth::check_put_chunked(&view, presented, now) {
        return Ok(Err(e));
    }
    if check.sequence != file.sequence {
        return Ok(Err(WopiError::SequenceMismatch {
            current: file.sequence,
        }));
    }
    let version = file.version + 1;
    match commit.main {
        Some((content, sig)) => {
            for (seq, seg) in commit.segments.iter().enumerate() {
                tx.execute(
                    "INSERT INTO content_segments (content_key, seq, blob_key, start, length) \
                     VALUES ($1, $2, $3, $4, $5)",
                    args![
                        &content.blob_key,
                        i64::try_from(seq).unwrap_or(i64::MAX),
                        &seg.blob_key,
                        size_to_db(seg.start),
                        size_to_db(seg.length)
                    ],
                )
                .await?;
            }
            insert_version_signed(&mut tx, id.as_str(), version, &content, Some(&sig)).await?;
            file.content = content;
        }
        None => {
            // The same bytes (blob, size, hash, signature) as a new version by this author.
            tx.execute(
                "INSERT INTO file_versions (file_id, version, blob_key, size, sha256, \
                 created_at, author_id, source, signature, kind) \
                 SELECT file_id, $1, blob_key, size, sha256, $2, $3, $4, signature, $7 \
                 FROM file_versions WHERE file_id = $5 AND version = $6",
                args![
                    version,
                    now,
                    &commit.author_id,
                    &commit.source,
                    id,
                    file.version,
                    VersionKind::Autosave.as_str()
                ],
            )
            .await?;
            file.content.created_at = now;
            file.content.author_id = commit.author_id.clone();
            file.content.source = commit.source.clone();
            file.content.kind = VersionKind::Autosave;
        }
    }
    tx.execute(
        "UPDATE files SET version = $1 WHERE id = $2",
        args![version, id],
    )
    .await?;
    file.version = version;
    for (stream_id, record) in &commit.streams {
        tx.execute(
            "DELETE FROM file_streams WHERE file_id = $1 AND stream_id = $2",
            args![id, stream_id.as_str()],
        )
        .await?;
        if let Some(r) = record {
            tx.execute(
                "INSERT INTO file_streams (file_id, stream_id, blob_key, size, signature, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                args![
                    id,
                    stream_id.as_str(),
                    &r.blob_key,
                    size_to_db(r.size),
                    &r.signature.encode(),
                    r.updated_at
                ],
            )
            .await?;
        }
    }
    for p in &commit.properties {
        tx.execute(
            "DELETE FROM content_properties WHERE file_id = $1 AND name = $2",
            args![id, &p.name],
        )
        .await?;
        tx.execute(
            "INSERT INTO content_properties (file_id, name, retention, value, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
            args![id, &p.name, &p.retention, &p.value, p.updated_at],
        )
        .await?;
    }
    let seq = tx
        .fetch_optional(
            "UPDATE files SET sequence_number = sequence_number + 1 WHERE id = $1 \
             RETURNING sequence_number",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .int("sequence_number")?;
    file.sequence = seq;
    emit_in(&mut tx, emit, &file).await?;
    tx.commit().await?;
    Ok(Ok(file))
}
