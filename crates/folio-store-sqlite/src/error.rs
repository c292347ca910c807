//! How SQLite failures become `StoreError`s: a missing row is `NotFound`, a unique violation
//! `AlreadyExists`, pool and I/O failures `Unavailable`, anything else `Backend`.

use folio_store::StoreError;

/// Classifies a driver error.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyExists,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::backend(other),
    }
}
