//! How PostgreSQL failures become `StoreError`s: a missing row is `NotFound`, a unique
//! violation (23505) `AlreadyExists`; a server that cannot be reached or is going away — I/O
//! errors, pool timeout or closed pool, SQLSTATE class 08, 57P01/57P02/57P03 — `Unavailable`
//! (answered with 503); anything else `Backend`.

use folio_store::StoreError;

/// SQLSTATEs that mean "the server cannot be reached or is going away": class 08 (connection
/// exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now.
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// Classifies a driver error. A lost connection (I/O error, shutdown SQLSTATE) is recorded
/// (`health::lost`): connections released before it are pinged before their next use.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    if connection_lost(&e) {
        crate::health::lost();
    }
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyExists,
        sqlx::Error::Database(d) if d.code().is_some_and(|c| is_unavailable_code(&c)) => {
            StoreError::Unavailable(d.to_string())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::backend(other),
    }
}

/// Whether `e` says the connection it came from is gone (not: the pool is out of connections).
pub(crate) fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| is_unavailable_code(&c)),
        _ => false,
    }
}

/// Classifies a migration error (a server lost mid-migration is `Unavailable`, naming the
/// migration).
pub(crate) fn map_migrate_err(e: sqlx::migrate::MigrateError) -> StoreError {
    match e {
        sqlx::migrate::MigrateError::Execute(e) => map_err(e),
        sqlx::migrate::MigrateError::ExecuteMigration(e, version) => match map_err(e) {
            StoreError::Unavailable(msg) => {
                StoreError::Unavailable(format!("while executing migration {version}: {msg}"))
            }
            other => other,
        },
        other => StoreError::backend(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_sqlstates_mean_unavailable() {
        for code in [
            "08000", "08003", "08006", "08001", "08004", "57P01", "57P02", "57P03",
        ] {
            assert!(is_unavailable_code(code), "{code}");
        }
        for code in ["23505", "40001", "57014", "42P01", "3D000"] {
            assert!(!is_unavailable_code(code), "{code}");
        }
    }

    #[test]
    fn pool_and_io_errors_mean_unavailable() {
        for e in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            assert!(matches!(map_err(e), StoreError::Unavailable(_)));
        }
        assert!(matches!(
            map_err(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
        assert!(matches!(
            map_err(sqlx::Error::Protocol("x".into())),
            StoreError::Backend(_)
        ));
    }
}
