//! SQLite as an engine of the shared SQL core (`folio_store::sql`): write transactions and
//! single writes run on the one writer connection, through the group-commit writer
//! (`writer.rs`: one `BEGIN IMMEDIATE … COMMIT` shared by the transactions that queue up, each in
//! its own savepoint; a second process waits on the busy timeout instead of failing); reads and
//! snapshots use the read-only pool. The dialect has no row-lock words (the immediate
//! transaction already excludes every other writer) and no collation clause (the default
//! collation is byte-wise).

use async_trait::async_trait;
use folio_store::sql::{Arg, Dialect, SqlEngine, SqlTx, TxJob};
use folio_store::{PoolFigures, StoreError};
use folio_store_sql::{Driver, Sqlx, SqlxRow, SqlxTx};
use sqlx::Sqlite;
use sqlx::sqlite::SqliteQueryResult;

use crate::SqliteStore;
use crate::error::map_err;

/// A result row.
pub type SqliteRow = SqlxRow<SqliteStore>;
/// An open transaction (rolled back when dropped): a write transaction run by the group-commit
/// writer, or a read snapshot on a reader.
pub enum SqliteTx {
    /// `SqlEngine::begin`.
    Write(crate::writer::WriteTx),
    /// `SqlEngine::begin_snapshot`.
    Read(SqlxTx<SqliteStore>),
    /// `SqlEngine::run_tx`: the writer's connection, lent to a job on the writer task.
    Direct(crate::writer::DirectTx),
}

#[async_trait]
impl SqlTx for SqliteTx {
    type Row = SqliteRow;

    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        match self {
            SqliteTx::Write(t) => t.execute(sql, args).await,
            SqliteTx::Read(t) => t.execute(sql, args).await,
            SqliteTx::Direct(t) => t.execute(sql, args).await,
        }
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqliteRow>, StoreError> {
        match self {
            SqliteTx::Write(t) => t.fetch_all(sql, args).await,
            SqliteTx::Read(t) => t.fetch_all(sql, args).await,
            SqliteTx::Direct(t) => t.fetch_all(sql, args).await,
        }
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqliteRow>, StoreError> {
        match self {
            SqliteTx::Write(t) => t.fetch_optional(sql, args).await,
            SqliteTx::Read(t) => t.fetch_optional(sql, args).await,
            SqliteTx::Direct(t) => t.fetch_optional(sql, args).await,
        }
    }

    async fn commit(self) -> Result<(), StoreError> {
        match self {
            SqliteTx::Write(t) => t.commit().await,
            SqliteTx::Read(t) => t.commit().await,
            SqliteTx::Direct(t) => t.commit().await,
        }
    }
}

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
        Ok(SqliteTx::Write(self.writer.begin().await?))
    }

    async fn begin_snapshot(&self) -> Result<SqliteTx, StoreError> {
        // A deferred transaction on a reader: in WAL mode it reads one snapshot.
        Ok(SqliteTx::Read(SqlxTx::new(
            self.read_waiting
                .wait(self.read.begin())
                .await
                .map_err(map_err)?,
        )))
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
        self.writer.execute(sql, args).await
    }

    async fn run_tx<T: Send + 'static>(&self, job: TxJob<SqliteTx, T>) -> Result<T, StoreError> {
        self.writer.run(job).await
    }

    fn pool_figures(&self) -> Vec<PoolFigures> {
        vec![
            folio_store_sql::pool_figures("writer", &self.write, &self.writer.waiting),
            folio_store_sql::pool_figures("reader", &self.read, &self.read_waiting),
        ]
    }
}
