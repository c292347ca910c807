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
        Ok(SqlxTx::new(
            self.waiting
                .wait(self.pool.begin())
                .await
                .map_err(map_err)?,
        ))
    }

    async fn begin_snapshot(&self) -> Result<PostgresTx, StoreError> {
        let snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
        Ok(SqlxTx::new(
            self.waiting
                .wait(self.pool.begin_with(snapshot))
                .await
                .map_err(map_err)?,
        ))
    }

    async fn fetch_all(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<PostgresRow>, StoreError> {
        Sqlx::fetch_all(&self.pool, &self.waiting, sql, args).await
    }

    async fn fetch_optional(
        &self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<PostgresRow>, StoreError> {
        Sqlx::fetch_optional(&self.pool, &self.waiting, sql, args).await
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
