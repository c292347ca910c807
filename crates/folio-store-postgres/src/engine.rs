//! PostgreSQL as an engine of the shared SQL core (`folio_store::sql`): one pool for reads and
//! writes; write transactions are plain READ COMMITTED transactions in which the shared code
//! row-locks what it decides on (`FOR UPDATE`, `FOR KEY SHARE` on parents, `FOR UPDATE …
//! SKIP LOCKED` for webhook claims), so replicas on one database queue behind each other row by
//! row; snapshots are `REPEATABLE READ, READ ONLY`; names sort byte-wise (`COLLATE "C"`, as
//! SQLite does) whatever the database locale.

use async_trait::async_trait;
use folio_store::sql::{Arg, Dialect, SqlEngine};
use folio_store::{PoolFigures, StoreError};
use folio_store_sql::{Driver, Sqlx, SqlxRow, SqlxTx};
use sqlx::Postgres;
use sqlx::postgres::PgQueryResult;

use crate::PostgresStore;
use crate::error::map_err;
use crate::health;

/// A result row.
pub type PostgresRow = SqlxRow<PostgresStore>;
/// An open transaction (rolled back when dropped).
pub type PostgresTx = SqlxTx<PostgresStore>;

impl Driver for PostgresStore {
    type Db = Postgres;

    fn map_err(e: sqlx::Error) -> StoreError {
        map_err(e)
    }

    fn rows_affected(done: &PgQueryResult) -> u64 {
        done.rows_affected()
    }
}

impl PostgresStore {
    /// A transaction opened with `statement`. A `BEGIN` that fails on a connection found lost
    /// is sent once more, on a connection that is pinged first (`health`): nothing ran yet.
    async fn begin_with(&self, statement: &'static str) -> Result<PostgresTx, StoreError> {
        let losses = health::losses();
        let tx = match self.waiting.wait(self.pool.begin_with(statement)).await {
            Err(e) if lost(&e, losses) => self.waiting.wait(self.pool.begin_with(statement)).await,
            other => other,
        };
        Ok(SqlxTx::new(tx.map_err(map_err)?))
    }
}

/// Whether `e` is a connection found lost since `losses` was read (classifying it records it).
fn lost(e: &sqlx::Error, losses: u64) -> bool {
    crate::error::connection_lost(e) && {
        health::lost();
        health::losses() != losses
    }
}

#[async_trait]
impl SqlEngine for PostgresStore {
    const DIALECT: Dialect = Dialect {
        for_update: " FOR UPDATE",
        for_key_share: " FOR KEY SHARE",
        claim_lock: " FOR UPDATE OF d SKIP LOCKED",
        byte_order: " COLLATE \"C\"",
    };
    type Row = PostgresRow;
    type Tx = PostgresTx;

    async fn begin(&self) -> Result<PostgresTx, StoreError> {
        self.begin_with("BEGIN").await
    }

    async fn begin_snapshot(&self) -> Result<PostgresTx, StoreError> {
        self.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
    }

    async fn fetch_all(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<PostgresRow>, StoreError> {
        let losses = health::losses();
        match Sqlx::fetch_all(&self.pool, &self.waiting, sql, args).await {
            // A read on a connection found lost (the server restarted since it was last
            // used) is retried once, on a connection that is pinged first (`health`).
            Err(StoreError::Unavailable(_)) if health::losses() != losses => {
                Sqlx::fetch_all(&self.pool, &self.waiting, sql, args).await
            }
            other => other,
        }
    }

    async fn fetch_optional(
        &self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<PostgresRow>, StoreError> {
        let losses = health::losses();
        match Sqlx::fetch_optional(&self.pool, &self.waiting, sql, args).await {
            Err(StoreError::Unavailable(_)) if health::losses() != losses => {
                Sqlx::fetch_optional(&self.pool, &self.waiting, sql, args).await
            }
            other => other,
        }
    }

    async fn execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        Sqlx::<Self>::execute(&self.pool, &self.waiting, sql, args).await
    }

    fn pool_figures(&self) -> Vec<PoolFigures> {
        vec![folio_store_sql::pool_figures(
            "main",
            &self.pool,
            &self.waiting,
        )]
    }
}
