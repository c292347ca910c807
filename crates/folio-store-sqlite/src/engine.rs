//! SQLite as an engine of the shared SQL core (`folio_store::sql`): write transactions take the
//! one writer connection with `BEGIN IMMEDIATE` (so they are serialised, and a second process
//! waits on the busy timeout instead of failing), single writes use that connection too, reads
//! and snapshots use the read-only pool. The dialect has no row-lock words (the immediate
//! transaction already excludes every other writer) and no collation clause (the default
//! collation is byte-wise).

use async_trait::async_trait;
use folio_store::sql::{Arg, Dialect, SqlEngine};
use folio_store::{PoolFigures, StoreError};
use folio_store_sql::{Driver, Sqlx, SqlxRow, SqlxTx};
use sqlx::Sqlite;
use sqlx::sqlite::SqliteQueryResult;

use crate::SqliteStore;
use crate::error::map_err;

/// A result row.
pub type SqliteRow = SqlxRow<SqliteStore>;
/// An open transaction (rolled back when dropped).
pub type SqliteTx = SqlxTx<SqliteStore>;

impl Driver for SqliteStore {
    type Db = Sqlite;

    fn map_err(e: sqlx::Error) -> StoreError {
        map_err(e)
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }
}

#[async_trait]
impl SqlEngine for SqliteStore {
    const DIALECT: Dialect = Dialect {
        for_update: "",
        for_key_share: "",
        claim_lock: "",
        byte_order: "",
    };
    type Row = SqliteRow;
    type Tx = SqliteTx;

    async fn begin(&self) -> Result<SqliteTx, StoreError> {
        let tx = self
            .write_waiting
            .wait(self.write.begin_with("BEGIN IMMEDIATE"))
            .await;
        Ok(SqlxTx::new(tx.map_err(map_err)?))
    }

    async fn begin_snapshot(&self) -> Result<SqliteTx, StoreError> {
        // A deferred transaction on a reader: in WAL mode it reads one snapshot.
        Ok(SqlxTx::new(
            self.read_waiting
                .wait(self.read.begin())
                .await
                .map_err(map_err)?,
        ))
    }

    async fn fetch_all(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<SqliteRow>, StoreError> {
        Sqlx::fetch_all(&self.read, &self.read_waiting, sql, args).await
    }

    async fn fetch_optional(
        &self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqliteRow>, StoreError> {
        Sqlx::fetch_optional(&self.read, &self.read_waiting, sql, args).await
    }

    async fn execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        Sqlx::<Self>::execute(&self.write, &self.write_waiting, sql, args).await
    }

    fn pool_figures(&self) -> Vec<PoolFigures> {
        vec![
            folio_store_sql::pool_figures("writer", &self.write, &self.write_waiting),
            folio_store_sql::pool_figures("reader", &self.read, &self.read_waiting),
        ]
    }
}
