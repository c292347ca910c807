//! `StoreError`: what can go wrong below the use cases. Backends keep their own rich errors and
//! map them here: meaningful cases to semantic variants, the rest boxed into `Backend`.

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record or blob does not exist.
    #[error("not found")]
    NotFound,
    /// A unique name or id is taken.
    #[error("already exists")]
    AlreadyExists,
    /// The data to store is larger than the configured limit.
    #[error("larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The incoming body ended with an error (client disconnect); nothing was stored.
    #[error("upload aborted: {0}")]
    Aborted(String),
    /// The backend cannot be reached (database down, object store unreachable).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Any other backend failure.
    #[error("storage backend error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Boxes any error as a backend failure.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(e))
    }
}

impl From<std::io::Error> for StoreError {
    /// A full or read-only disk is a condition of the storage, not a bug: `Unavailable` (503),
    /// so clients retry once space is freed. Anything else is a backend failure.
    fn from(e: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::StorageFull | K::ReadOnlyFilesystem | K::QuotaExceeded => {
                Self::Unavailable(e.to_string())
            }
            _ => Self::backend(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_or_read_only_disk_is_unavailable() {
        for raw in [28, 30, 122] {
            let e = StoreError::from(std::io::Error::from_raw_os_error(raw));
            assert!(matches!(e, StoreError::Unavailable(_)), "{raw}: {e:?}");
        }
        let e = StoreError::from(std::io::Error::other("x"));
        assert!(matches!(e, StoreError::Backend(_)));
    }
}
