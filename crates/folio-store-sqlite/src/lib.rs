#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod engine;
mod error;
mod writer;

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
pub use writer::DirectTx;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Read-only connections of [`SqliteStore::open`].
pub const DEFAULT_READERS: u32 = 4;

/// Metadata in one SQLite database file. `MetadataStore` comes from the shared SQL core
/// (`folio_store::sql`) through this crate's `SqlEngine` implementation.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// The pool of the one writer connection (migrations; then the writer task holds it).
    write: SqlitePool,
    /// The group-commit writer: every write transaction and single write goes through it.
    writer: writer::Writer,
    /// Read-only connections for single reads and snapshots.
    read: SqlitePool,
    /// Calls waiting for a reader (`/metrics`; the writer counts its own).
    read_waiting: Arc<Waiting>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and runs pending migrations, with
    /// [`DEFAULT_READERS`] read-only connections.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, DEFAULT_READERS).await
    }

    /// `open` with `readers` read-only connections (at least one; each runs on a thread of its
    /// own, so more than the cores can use only adds wake-ups).
    pub async fn open_with(path: &Path, readers: u32) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite://")
            .map_err(map_err)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // No ping before each acquire (sqlx's default): a connection to a local file cannot be
        // dropped by a server, and the ping is a round trip to the connection's thread on
        // every read (two futex wake-ups; bench/syscalls.sh, docs/PERFORMANCE.md).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await
            .map_err(map_err)?;
        MIGRATOR.run(&write).await.map_err(StoreError::backend)?;
        let read = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.read_only(true))
            .await
            .map_err(map_err)?;
        let writer = writer::Writer::start(write.acquire().await.map_err(map_err)?);
        Ok(Self {
            write,
            writer,
            read,
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

    /// Closes both pools (checkpointing the WAL), after the writer has committed what it holds.
    pub async fn close(&self) {
        self.writer.close().await;
        self.read.close().await;
        self.write.close().await;
    }
}
