//! The `BlobStore` trait: immutable blobs, written once by streaming and never changed. A new
//! content is a new blob under a new key; the metadata pointer is committed afterwards, so a
//! crash leaves at most an orphan blob (collected by the sweep), never a partial visible file.

use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;

use crate::error::StoreError;

/// A stream of body chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A blob's key: 32 random letters and digits. The store owns the path layout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(String);

impl BlobKey {
    /// A new, never-used key.
    pub fn generate() -> Self {
        Self(crate::random_id(32))
    }

    /// Parses a stored key; `None` if it is not one Folio made.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32 && s.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| Self(s.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a completed `put` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutBlob {
    /// Bytes written.
    pub size: u64,
    /// SHA-256 of the bytes.
    pub sha256: Vec<u8>,
}

/// Immutable blob storage. Implemented for local disk (`LocalBlobStore`) and (later) S3.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Streams `body` into a new blob. The blob becomes visible only complete and durable; on
    /// any error (limit exceeded, body error) nothing is left behind.
    async fn put(
        &self,
        key: &BlobKey,
        body: ByteStream,
        max_size: u64,
    ) -> Result<PutBlob, StoreError>;
    /// Streams a blob's bytes. `NotFound` if it does not exist.
    async fn get(&self, key: &BlobKey) -> Result<ByteStream, StoreError>;
    /// Deletes a blob; deleting a missing blob is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), StoreError>;
    /// Every blob with its last-modified time (Unix ms), for the orphan sweep.
    async fn list(&self) -> Result<Vec<(BlobKey, i64)>, StoreError>;
    /// Removes leftovers of interrupted writes older than `before` (Unix ms). Returns how many.
    async fn clean_incomplete(&self, before: i64) -> Result<u64, StoreError>;
    /// Cheap check that the store is reachable.
    async fn ping(&self) -> Result<(), StoreError>;
}
