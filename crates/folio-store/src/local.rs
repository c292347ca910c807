//! `LocalBlobStore`: blobs as files under `<root>/blobs/<2 chars>/<key>`. Writes go to
//! `<root>/tmp/<random>`, are fsynced, renamed into place, and the directory is fsynced (the
//! garage/object_store pattern), so a blob is either absent or complete after a crash.
//!
//! Bytes move in big blocks on one blocking thread per transfer, with no copy in user space
//! beyond the kernel's: a download reads [`READ_CHUNK`] straight into the `Bytes` it sends (the
//! next block is read while the previous one is on the socket); an upload hands the request's
//! own chunks, gathered up to [`WRITE_BATCH`], to `writev`, and hashes the next batch while the
//! previous one is being written.

use std::io::{IoSlice, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::blob::{BlobKey, BlobStore, ByteStream, PutBlob};
use crate::error::StoreError;

/// Blobs on the local file system.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    /// Opens (and creates) the store under `root`.
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        tokio::fs::create_dir_all(root.join("blobs")).await?;
        tokio::fs::create_dir_all(root.join("tmp")).await?;
        Ok(Self { root })
    }

    fn path(&self, key: &BlobKey) -> PathBuf {
        let k = key.as_str();
        self.root.join("blobs").join(&k[..2]).join(k)
    }

    /// Streams `body` into the new file `tmp` and fsyncs it. The request's chunks are
    /// gathered (not copied) into batches of about [`WRITE_BATCH`] bytes and hashed here, while
    /// a blocking thread `writev`s the previous batch.
    async fn write_tmp(
        &self,
        tmp: &Path,
        mut body: ByteStream,
        max_size: u64,
    ) -> Result<PutBlob, StoreError> {
        let (tx, rx) = mpsc::channel::<Batch>(1);
        let path = tmp.to_owned();
        let writer =
            tokio::task::spawn_blocking(move || write_batches(std::fs::File::create(path)?, rx));
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let streamed = async {
            let mut batch = Vec::new();
            let mut batched = 0;
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| StoreError::Aborted(e.to_string()))?;
                size += chunk.len() as u64;
                if size > max_size {
                    return Err(StoreError::TooLarge { limit: max_size });
                }
                hasher.update(&chunk);
                batched += chunk.len();
                batch.push(chunk);
                if batched >= WRITE_BATCH {
                    batched = 0;
                    // A send fails only when the writer stopped on an I/O error: its result
                    // says which.
                    if tx
                        .send(Batch::Bytes(std::mem::take(&mut batch)))
                        .await
                        .is_err()
                    {
                        return Ok(());
                    }
                }
            }
            if !batch.is_empty() && tx.send(Batch::Bytes(batch)).await.is_err() {
                return Ok(());
            }
            let _ = tx.send(Batch::End).await;
            Ok(())
        }
        .await;
        // Without `Batch::End` (a refused or failed body) the writer stops without the fsync.
        drop(tx);
        let written = writer
            .await
            .map_err(|e| StoreError::Backend(format!("blob writer: {e}").into()));
        streamed?;
        written??;
        Ok(PutBlob {
            size,
            sha256: hasher.finalize().to_vec(),
        })
    }
}

/// Bytes read per block of a download (one `read` system call, one body frame). A download
/// holds at most three blocks (being read, queued, on the socket): 32 at once stay ~12 MiB.
pub const READ_CHUNK: usize = 128 * 1024;

/// Bytes gathered per `writev` of an upload (hyper hands over chunks of up to ~400 KiB, so a
/// batch is usually one chunk). An upload holds at most three batches (being written, queued,
/// being filled).
pub const WRITE_BATCH: usize = 256 * 1024;

/// What an upload's writer thread is handed.
enum Batch {
    /// The request's next chunks, in order.
    Bytes(Vec<Bytes>),
    /// The body is complete: fsync.
    End,
}

/// The writer thread of an upload: every batch with `writev`, then, on `Batch::End`, `fsync`.
/// The channel closing before `End` is an aborted upload (no fsync).
fn write_batches(mut file: std::fs::File, mut rx: mpsc::Receiver<Batch>) -> Result<(), StoreError> {
    while let Some(batch) = rx.blocking_recv() {
        let batch = match batch {
            Batch::Bytes(b) => b,
            Batch::End => {
                file.sync_all()?;
                return Ok(());
            }
        };
        // Empty chunks (a body of nothing, a stream's empty frames) have nothing to write: a
        // `writev` of only empty slices returns 0, which is not a short write.
        let mut slices: Vec<IoSlice<'_>> = batch
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| IoSlice::new(b))
            .collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match file.write_vectored(rest) {
                Ok(0) => return Err(std::io::Error::from(std::io::ErrorKind::WriteZero).into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Err(StoreError::Aborted("upload ended early".into()))
}

/// Fills `buf` from `file` (one `read` unless the kernel returns less); fewer bytes only at
/// the end of the file.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A download: `len` bytes from the file's current position (`None`: to the end), read in
/// blocks of [`READ_CHUNK`] by a blocking thread one block ahead of the socket.
fn read_stream(file: std::fs::File, len: Option<u64>) -> ByteStream {
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(1);
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        let mut left = len.unwrap_or(u64::MAX);
        while left > 0 {
            let want = usize::try_from(left).map_or(READ_CHUNK, |l| l.min(READ_CHUNK));
            let mut buf = vec![0; want];
            let block = match read_full(&mut file, &mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    left -= n as u64;
                    buf.truncate(n);
                    Ok(Bytes::from(buf))
                }
                Err(e) => Err(e),
            };
            let failed = block.is_err();
            // The receiver is gone when the client went away: stop reading.
            if tx.blocking_send(block).is_err() || failed {
                return;
            }
        }
    });
    Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

async fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    let d = tokio::fs::File::open(dir).await?;
    d.sync_all().await?;
    Ok(())
}

fn mtime_ms(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(
        &self,
        key: &BlobKey,
        body: ByteStream,
        max_size: u64,
    ) -> Result<PutBlob, StoreError> {
        let tmp = self.root.join("tmp").join(crate::random_id(24));
        let written = match self.write_tmp(&tmp, body, max_size).await {
            Ok(w) => w,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e);
            }
        };
        let dest = self.path(key);
        let result = async {
            let dir = dest.parent().ok_or(StoreError::NotFound)?;
            tokio::fs::create_dir_all(dir).await?;
            tokio::fs::rename(&tmp, &dest).await?;
            sync_dir(dir).await
        }
        .await;
        if let Err(e) = result {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
        Ok(written)
    }

    async fn get(&self, key: &BlobKey) -> Result<ByteStream, StoreError> {
        match tokio::fs::File::open(self.path(key)).await {
            Ok(f) => Ok(read_stream(f.into_std().await, None)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    async fn get_range(
        &self,
        key: &BlobKey,
        offset: u64,
        len: u64,
    ) -> Result<ByteStream, StoreError> {
        let path = self.path(key);
        let opened = tokio::task::spawn_blocking(move || {
            let mut f = std::fs::File::open(path)?;
            f.seek(std::io::SeekFrom::Start(offset))?;
            Ok::<_, std::io::Error>(f)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("blob reader: {e}").into()))?;
        let f = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound),
            Err(e) => return Err(e.into()),
        };
        Ok(crate::blob::exact_len(read_stream(f, Some(len)), len))
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path(key)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn list(&self) -> Result<Vec<(BlobKey, i64)>, StoreError> {
        let mut out = Vec::new();
        let mut shards = tokio::fs::read_dir(self.root.join("blobs")).await?;
        while let Some(shard) = shards.next_entry().await? {
            if !shard.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(shard.path()).await?;
            while let Some(f) = files.next_entry().await? {
                let name = f.file_name();
                if let Some(key) = name.to_str().and_then(BlobKey::parse) {
                    let meta = f.metadata().await?;
                    out.push((key, mtime_ms(&meta)));
                }
            }
        }
        Ok(out)
    }

    async fn clean_incomplete(&self, before: i64) -> Result<u64, StoreError> {
        let mut n = 0;
        let mut files = tokio::fs::read_dir(self.root.join("tmp")).await?;
        while let Some(f) = files.next_entry().await? {
            let meta = f.metadata().await?;
            if mtime_ms(&meta) < before {
                tokio::fs::remove_file(f.path()).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        tokio::fs::metadata(self.root.join("blobs")).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_blob_store_passes_the_conformance_suite() -> Result<(), StoreError> {
        let dir = std::env::temp_dir().join(format!("folio-blob-test-{}", crate::random_id(8)));
        let store = LocalBlobStore::open(&dir).await?;
        crate::conformance::blob_suite(&store).await;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        Ok(())
    }
}
