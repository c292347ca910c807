//! `AppError`: a WOPI condition or a storage failure. Mapped to HTTP in folio-http only.

use folio_store::StoreError;
use folio_wopi::WopiError;

/// A use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A protocol condition (bad token, lock mismatch, …).
    #[error(transparent)]
    Wopi(#[from] WopiError),
    /// The storage layer failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
