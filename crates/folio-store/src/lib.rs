#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod blob;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod error;
pub mod local;
pub mod metadata;
pub mod model;
#[cfg(feature = "sql")]
pub mod sql;

pub use blob::{BlobKey, BlobStore, ByteStream, ContentKey, PutBlob};
pub use error::StoreError;
pub use metadata::{AuditOf, Emit, MetadataStore, Outcome, WriteCheck, name_candidates};
pub use model::*;

/// `n` random bytes as lower-case hex (W3C trace and span ids).
pub fn random_hex(n: usize) -> String {
    use rand::Rng;
    let mut bytes = vec![0u8; n];
    rand::rng().fill(&mut bytes[..]);
    hex::encode(bytes)
}

/// A random id of `len` characters from `A–Z a–z 0–9` (file ids, folder ids, user ids, tokens).
/// Letters and digits only, so that the id never needs percent-encoding anywhere.
pub fn random_id(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
