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
        // SQLITE_BUSY / SQLITE_LOCKED (primary codes 5 and 6, extended codes keep the low byte)
        // after the busy timeout, SQLITE_FULL (13), SQLITE_READONLY (8), SQLITE_IOERR (10),
        // SQLITE_CANTOPEN (14): another process holds the database or the disk refuses writes.
        sqlx::Error::Database(d)
            if d.code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6 | 8 | 10 | 13 | 14)) =>
        {
            StoreError::Unavailable(d.to_string())
        }
        other => StoreError::backend(other),
    }
}
