//! `LocalBlobStore`: blobs as files under `<root>/blobs/<2 chars>/<key>`. Writes go to
//! `<root>/tmp/<random>`, are fsynced, renamed into place, and the directory is fsynced (the
//! garage/object_store pattern), so a blob is either absent or complete after a crash.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use async_trait::async_trait;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

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

    async fn write_tmp(
        &self,
        tmp: &Path,
        mut body: ByteStream,
        max_size: u64,
    ) -> Result<PutBlob, StoreError> {
        let mut file = tokio::fs::File::create(tmp).await?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| StoreError::Aborted(e.to_string()))?;
            size += chunk.len() as u64;
            if size > max_size {
                return Err(StoreError::TooLarge { limit: max_size });
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        Ok(PutBlob {
            size,
            sha256: hasher.finalize().to_vec(),
        })
    }
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
            Ok(f) => Ok(Box::pin(ReaderStream::with_capacity(f, 64 * 1024))),
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
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut f = match tokio::fs::File::open(self.path(key)).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound),
            Err(e) => return Err(e.into()),
        };
        f.seek(std::io::SeekFrom::Start(offset)).await?;
        let stream: ByteStream = Box::pin(ReaderStream::with_capacity(f.take(len), 64 * 1024));
        Ok(crate::blob::exact_len(stream, len))
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
