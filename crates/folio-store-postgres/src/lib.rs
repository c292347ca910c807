#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod engine;
mod error;
mod health;

use std::sync::Arc;
use std::time::Duration;

use folio_store::StoreError;
use folio_store_sql::Waiting;
use sqlx::Connection;
use sqlx::postgres::{PgPool, PgPoolOptions};

pub use engine::{PostgresRow, PostgresTx};
use error::{map_err, map_migrate_err};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a request waits for a pooled connection (or for a new one to be established) before
/// the store reports `StoreError::Unavailable`: a database that is down fails fast (503) instead
/// of hanging the request.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Metadata in one PostgreSQL database, shared by any number of Folio replicas.
/// `MetadataStore` comes from the shared SQL core (`folio_store::sql`) through this crate's
/// `SqlEngine` implementation.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Calls waiting for a pooled connection (`/metrics`).
    waiting: Arc<Waiting>,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`) with a
    /// pool of at most `max_connections`. Does not migrate: run [`PostgresStore::migrate`]
    /// (`folio migrate`) first. A server that cannot be reached gives `StoreError::Unavailable`
    /// after a few seconds.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // The ping before every acquire stays: it is also what sends the ROLLBACK sqlx
            // queues when a transaction is dropped unfinished; without it the next request
            // got a connection still inside that transaction ("there is already a
            // transaction in progress", then 25001 on BEGIN ISOLATION LEVEL; seen in
            // it::templates on PostgreSQL). `health` adds the ping of long-idle connections
            // and the retry after a connection was found lost.
            .test_before_acquire(true)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if health::ping_before_use(meta.idle_for) {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await
            .map_err(map_err)?;
        Ok(Self {
            pool,
            waiting: Arc::default(),
        })
    }

    /// The migration versions applied to this database (successful rows of sqlx's
    /// `_sqlx_migrations`; none when that table does not exist yet) and the versions embedded
    /// in this build, for `folio doctor`.
    pub async fn migration_versions(&self) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
        let embedded: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        let exists: bool =
            sqlx::query_scalar("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        let applied: Vec<i64> = if exists {
            sqlx::query_scalar(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
        } else {
            Vec::new()
        };
        Ok((applied, embedded))
    }

    /// Runs pending migrations (`folio migrate`). Safe to run from several replicas at once:
    /// the migrator serialises them with an advisory lock.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(map_migrate_err)?;
        tracing::debug!("postgres migrations up to date");
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
