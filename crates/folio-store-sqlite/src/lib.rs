#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod engine;
mod error;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use folio_store::StoreError;
use folio_store_sql::Waiting;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use engine::{SqliteRow, SqliteTx};
use error::map_err;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Metadata in one SQLite database file. `MetadataStore` comes from the shared SQL core
/// (`folio_store::sql`) through this crate's `SqlEngine` implementation.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// The one writer connection: every write transaction takes it with `BEGIN IMMEDIATE`.
    write: SqlitePool,
    /// Read-only connections for single reads and snapshots.
    read: SqlitePool,
    /// Calls waiting for the writer / a reader (`/metrics`).
    write_waiting: Arc<Waiting>,
    read_waiting: Arc<Waiting>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite://")
            .map_err(map_err)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await
            .map_err(map_err)?;
        MIGRATOR.run(&write).await.map_err(StoreError::backend)?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.read_only(true))
            .await
            .map_err(map_err)?;
        Ok(Self {
            write,
            read,
            write_waiting: Arc::default(),
            read_waiting: Arc::default(),
        })
    }

    /// Writes a consistent copy of the whole database to `dest` (which must not exist) with
    /// `VACUUM INTO`, on a read-only connection: one read transaction, so writers go on and
    /// the copy is the database as of one commit.
    pub async fn backup_into(&self, dest: &Path) -> Result<(), StoreError> {
        let dest = dest
            .to_str()
            .ok_or_else(|| StoreError::Backend("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(&self.read)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    /// Closes both pools (checkpointing the WAL).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
