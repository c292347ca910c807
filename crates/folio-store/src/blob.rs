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

/// `stream`, which should carry exactly `len` bytes: more are cut off, fewer end it with an
/// error (a ranged read past a blob's end must not look like a complete content).
pub fn exact_len(stream: ByteStream, len: u64) -> ByteStream {
    use futures::StreamExt;
    let state = (stream, len, false);
    Box::pin(futures::stream::unfold(
        state,
        |(mut stream, left, done)| async move {
            if done {
                return None;
            }
            if left == 0 {
                return None;
            }
            match stream.next().await {
                Some(Ok(mut piece)) => {
                    if piece.len() as u64 > left {
                        piece.truncate(usize::try_from(left).unwrap_or(usize::MAX));
                    }
                    let left = left - piece.len() as u64;
                    Some((Ok(piece), (stream, left, false)))
                }
                Some(Err(e)) => Some((Err(e), (stream, left, true))),
                None => Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "a blob ended before the range it was read for",
                    )),
                    (stream, left, true),
                )),
            }
        },
    ))
}

/// What a content record's `blob_key` names: one blob, or (CSPP Plus incremental saves) a
/// content assembled from byte ranges of blobs, listed by `MetadataStore::content_segments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentKey {
    /// The bytes are the blob.
    Blob(BlobKey),
    /// The bytes are the key's segments, in order: `seg-` and 32 letters and digits.
    Segmented(String),
}

impl ContentKey {
    const SEGMENTED: &'static str = "seg-";

    /// A new, never-used segmented key.
    pub fn generate_segmented() -> String {
        format!("{}{}", Self::SEGMENTED, crate::random_id(32))
    }

    /// Parses a stored content key; `None` if it is neither form.
    pub fn parse(s: &str) -> Option<Self> {
        match s.strip_prefix(Self::SEGMENTED) {
            Some(rest) => BlobKey::parse(rest).map(|_| Self::Segmented(s.to_owned())),
            None => BlobKey::parse(s).map(Self::Blob),
        }
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
    /// Streams `len` bytes of a blob from `offset`. `NotFound` if it does not exist; the stream
    /// fails if the blob ends before `offset + len`.
    async fn get_range(
        &self,
        key: &BlobKey,
        offset: u64,
        len: u64,
    ) -> Result<ByteStream, StoreError>;
    /// Deletes a blob; deleting a missing blob is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), StoreError>;
    /// Every blob with its last-modified time (Unix ms), for the orphan sweep.
    async fn list(&self) -> Result<Vec<(BlobKey, i64)>, StoreError>;
    /// Removes leftovers of interrupted writes older than `before` (Unix ms). Returns how many.
    async fn clean_incomplete(&self, before: i64) -> Result<u64, StoreError>;
    /// Cheap check that the store is reachable.
    async fn ping(&self) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[test]
    fn content_keys_are_a_blob_or_segmented() {
        let blob = "a".repeat(32);
        assert!(matches!(
            ContentKey::parse(&blob),
            Some(ContentKey::Blob(_))
        ));
        let seg = ContentKey::generate_segmented();
        assert_eq!(seg.len(), 36);
        assert_eq!(
            ContentKey::parse(&seg),
            Some(ContentKey::Segmented(seg.clone()))
        );
        for bad in [
            "",
            "seg-",
            "seg-short",
            &format!("seg-{}", "a".repeat(33)),
            &"a".repeat(31),
            "seg-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/",
        ] {
            assert_eq!(ContentKey::parse(bad), None, "{bad:?}");
        }
    }

    async fn collect(s: ByteStream) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let mut failed = false;
        let mut s = s;
        while let Some(p) = s.next().await {
            match p {
                Ok(b) => out.extend_from_slice(&b),
                Err(_) => failed = true,
            }
        }
        (out, failed)
    }

    #[tokio::test]
    async fn exact_len_cuts_long_streams_and_fails_short_ones() {
        let src = |parts: Vec<&'static [u8]>| -> ByteStream {
            Box::pin(futures::stream::iter(
                parts.into_iter().map(|p| Ok(Bytes::from_static(p))),
            ))
        };
        for (parts, len, want, fails) in [
            (vec![&b"abc"[..], b"def"], 6, &b"abcdef"[..], false),
            (vec![&b"abc"[..], b"def"], 4, b"abcd", false),
            (vec![&b"abc"[..]], 0, b"", false),
            (vec![&b"abc"[..]], 5, b"abc", true),
            (vec![], 1, b"", true),
        ] {
            let (got, failed) = collect(exact_len(src(parts), len)).await;
            assert_eq!((got.as_slice(), failed), (want, fails), "len {len}");
        }
    }
}
