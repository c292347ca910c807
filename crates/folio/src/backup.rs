//! `folio backup DEST` and `folio restore SRC`: a consistent copy of a running Folio on SQLite
//! (any blob store), and bringing it back into an empty data directory.
//!
//! A backup is a directory: `folio.db` (SQLite's `VACUUM INTO`, one read transaction: the
//! database as of one commit, taken while Folio keeps writing), `blobs/<2>/<key>` (every blob
//! the *snapshot* references, copied after the snapshot through the `BlobStore` trait, each
//! checked against the size and SHA-256 the snapshot records) and `manifest.json` (format,
//! time, counts, size and SHA-256 of every blob), written last: a directory without a manifest
//! is not a backup. Blobs are immutable and a version's blob is never swept (versions are never
//! deleted), so copying after the snapshot sees exactly the bytes the snapshot names.

use std::path::{Path, PathBuf};

use anyhow::Context;
use folio_app::folio_store::{BlobKey, BlobReference, BlobStore, MetadataStore};
use folio_store_sqlite::SqliteStore;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::Failure;

/// The manifest's format version.
pub const FORMAT: u32 = 1;
/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The database file's name inside a backup.
pub const DATABASE: &str = "folio.db";

/// `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// When the snapshot was taken, Unix ms.
    pub created_at: i64,
    /// The Folio version that wrote it.
    pub folio_version: String,
    /// `"sqlite"`.
    pub database: String,
    /// SHA-256 of `folio.db`, hex.
    pub database_sha256: String,
    /// Versions in the snapshot (blobs with a recorded hash).
    pub versions: u64,
    /// Blobs copied.
    pub blob_count: u64,
    /// Their total size.
    pub blob_bytes: u64,
    /// Every blob.
    pub blobs: Vec<BlobEntry>,
}

/// One blob in a backup.
#[derive(Debug, Serialize, Deserialize)]
pub struct BlobEntry {
    /// The key.
    pub key: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

fn blob_path(root: &Path, key: &str) -> PathBuf {
    root.join("blobs").join(&key[..2]).join(key)
}

fn is_empty_dir(dir: &Path) -> Result<bool, Failure> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(Failure::usage(format!(
            "cannot read {}: {e}",
            dir.display()
        ))),
    }
}

async fn sha256_file(path: &Path) -> Result<(u64, String), Failure> {
    use tokio::io::AsyncReadExt;
    let mut f = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .await
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(h.finalize())))
}

/// Streams blob `key` out of `blobs` into `dest` (temp file, fsync, rename); size and SHA-256.
async fn copy_blob_out(
    blobs: &dyn BlobStore,
    key: &BlobKey,
    dest: &Path,
) -> Result<(u64, Vec<u8>), Failure> {
    let mut body = blobs.get(key).await.map_err(|e| {
        Failure::from(anyhow::anyhow!(
            "blob {} cannot be read from the blob store: {e}",
            key.as_str()
        ))
    })?;
    if let Some(dir) = dest.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = dest.with_extension("partial");
    let mut f = tokio::fs::File::create(&tmp)
        .await
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut h = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.with_context(|| format!("reading blob {}", key.as_str()))?;
        h.update(&chunk);
        size += chunk.len() as u64;
        f.write_all(&chunk)
            .await
            .with_context(|| format!("cannot write {}", tmp.display()))?;
    }
    f.sync_all().await.context("fsync")?;
    drop(f);
    tokio::fs::rename(&tmp, dest)
        .await
        .with_context(|| format!("cannot rename {}", tmp.display()))?;
    Ok((size, h.finalize().to_vec()))
}

/// `folio backup DEST`: `db` is the live SQLite database, `blobs` the live blob store.
pub async fn backup(
    db: &Path,
    blobs: &dyn BlobStore,
    dest: &Path,
    now_ms: i64,
) -> Result<Manifest, Failure> {
    if !db.exists() {
        return Err(Failure::usage(format!(
            "no Folio database at {} (pass --data or --database-url)",
            db.display()
        )));
    }
    if !is_empty_dir(dest)? {
        return Err(Failure::usage(format!(
            "{} is not empty: back up into a new or empty directory",
            dest.display()
        )));
    }
    std::fs::create_dir_all(dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let snapshot = dest.join(DATABASE);
    // 1. The snapshot: the database as of one commit, while Folio keeps writing.
    let live = SqliteStore::open(db)
        .await
        .context("cannot open the SQLite metadata database")?;
    live.backup_into(&snapshot)
        .await
        .context("the database snapshot (VACUUM INTO) failed")?;
    live.close().await;
    // 2. What the snapshot references.
    let snap = SqliteStore::open(&snapshot)
        .await
        .context("cannot open the snapshot")?;
    let refs = snap
        .blob_references()
        .await
        .context("cannot list the snapshot's blobs")?;
    snap.close().await;
    // 3. Those blobs, each checked against what the snapshot recorded.
    let mut entries = Vec::with_capacity(refs.len());
    let mut versions = 0u64;
    let mut bytes = 0u64;
    for r in &refs {
        let BlobReference {
            blob_key,
            size,
            sha256,
        } = r;
        let key = BlobKey::parse(blob_key).ok_or_else(|| {
            Failure::from(anyhow::anyhow!(
                "the database names a blob key Folio did not make: {blob_key:?}"
            ))
        })?;
        let (got_size, got_sha) = copy_blob_out(blobs, &key, &blob_path(dest, blob_key))
            .await
            .map_err(|f| Failure {
                message: if sha256.is_none() {
                    format!(
                        "{} (a CSPP Plus stream blob replaced and swept during the backup; run `folio backup` again)",
                        f.message
                    )
                } else {
                    f.message
                },
                ..f
            })?;
        if got_size != *size || sha256.as_ref().is_some_and(|s| *s != got_sha) {
            return Err(Failure::from(anyhow::anyhow!(
                "blob {blob_key} in the blob store does not match the database (size {got_size}, recorded {size}): the live store is damaged"
            )));
        }
        if sha256.is_some() {
            versions += 1;
        }
        bytes += got_size;
        entries.push(BlobEntry {
            key: blob_key.clone(),
            size: got_size,
            sha256: hex::encode(got_sha),
        });
    }
    let (_, database_sha256) = sha256_file(&snapshot).await?;
    let manifest = Manifest {
        format: FORMAT,
        created_at: now_ms,
        folio_version: env!("CARGO_PKG_VERSION").to_owned(),
        database: "sqlite".into(),
        database_sha256,
        versions,
        blob_count: entries.len() as u64,
        blob_bytes: bytes,
        blobs: entries,
    };
    // 4. The manifest, last: it marks the backup complete.
    let json = serde_json::to_vec_pretty(&manifest).context("manifest")?;
    let tmp = dest.join("manifest.json.partial");
    std::fs::write(&tmp, json).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .context("fsync manifest")?;
    std::fs::rename(&tmp, dest.join(MANIFEST)).context("cannot write the manifest")?;
    Ok(manifest)
}

/// Reads and checks a backup: the manifest's format, the database's hash, every blob's size
/// and hash.
pub async fn verify(src: &Path) -> Result<Manifest, Failure> {
    let text = std::fs::read(src.join(MANIFEST)).map_err(|e| {
        Failure::usage(format!(
            "{} has no readable {MANIFEST} ({e}): not a complete Folio backup",
            src.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| Failure::usage(format!("{MANIFEST} is not a Folio backup manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(Failure::usage(format!(
            "backup format {} is not supported (this Folio reads format {FORMAT})",
            manifest.format
        )));
    }
    let (_, db_sha) = sha256_file(&src.join(DATABASE)).await?;
    if db_sha != manifest.database_sha256 {
        return Err(Failure::usage(format!(
            "{DATABASE} in the backup does not match its manifest (damaged backup)"
        )));
    }
    for b in &manifest.blobs {
        if BlobKey::parse(&b.key).is_none() {
            return Err(Failure::usage(format!(
                "bad blob key {:?} in the manifest",
                b.key
            )));
        }
        let (size, sha) = sha256_file(&blob_path(src, &b.key)).await?;
        if size != b.size || sha != b.sha256 {
            return Err(Failure::usage(format!(
                "blob {} in the backup does not match its manifest (damaged backup)",
                b.key
            )));
        }
    }
    Ok(manifest)
}

/// Whether the data directory holds anything, or the database exists (restore refuses both
/// without `--force`).
pub fn data_in_use(data: &Path, db: &Path) -> Result<bool, Failure> {
    Ok(!is_empty_dir(data)? || db.exists())
}

/// `folio restore SRC`, after [`verify`]: puts every blob into `blobs` and the database
/// at `db` (renamed into place last), and checks the restored database against the blobs.
pub async fn restore(
    src: &Path,
    manifest: Manifest,
    db: &Path,
    blobs: &dyn BlobStore,
) -> Result<Manifest, Failure> {
    for b in &manifest.blobs {
        let key = BlobKey::parse(&b.key)
            .ok_or_else(|| Failure::usage(format!("bad blob key {:?}", b.key)))?;
        let file = tokio::fs::File::open(blob_path(src, &b.key))
            .await
            .with_context(|| format!("cannot open blob {}", b.key))?;
        let body: folio_app::folio_store::ByteStream = Box::pin(
            tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024),
        );
        let put = blobs
            .put(&key, body, u64::MAX)
            .await
            .map_err(|e| Failure::from(anyhow::anyhow!("cannot store blob {}: {e}", b.key)))?;
        if put.size != b.size || hex::encode(&put.sha256) != b.sha256 {
            return Err(Failure::from(anyhow::anyhow!(
                "blob {} changed while being restored",
                b.key
            )));
        }
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = db.with_extension("db.restoring");
    std::fs::copy(src.join(DATABASE), &tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .context("fsync database")?;
    // A database being replaced leaves no WAL behind to be replayed onto the restored one.
    for suffix in ["-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(anyhow::anyhow!("cannot remove the old WAL: {e}").into()),
        }
    }
    std::fs::rename(&tmp, db)
        .with_context(|| format!("cannot move {} into place", db.display()))?;
    // The restored database (migrated if the backup is older) against the blobs it names.
    let store = SqliteStore::open(db)
        .await
        .context("cannot open the restored database")?;
    let refs = store
        .blob_references()
        .await
        .context("cannot list the restored database's blobs")?;
    store.close().await;
    let by_key: std::collections::HashMap<&str, &BlobEntry> =
        manifest.blobs.iter().map(|b| (b.key.as_str(), b)).collect();
    for r in refs {
        let ok = by_key.get(r.blob_key.as_str()).is_some_and(|b| {
            b.size == r.size && r.sha256.as_ref().is_none_or(|s| hex::encode(s) == b.sha256)
        });
        if !ok {
            return Err(Failure::from(anyhow::anyhow!(
                "the restored database names blob {} that the backup lacks or holds different",
                r.blob_key
            )));
        }
    }
    Ok(manifest)
}
