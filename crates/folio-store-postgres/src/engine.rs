//! PostgreSQL as an engine of the shared SQL core (`folio_store::sql`): one pool shared by
//! reads and writes; write transactions are plain READ COMMITTED transactions in which the
//! shared code row-locks what it decides on (`FOR UPDATE`, `FOR KEY SHARE` on parents,
//! `FOR UPDATE … SKIP LOCKED` for webhook claims), so replicas on one database queue behind
//! each other row by row; snapshots are `REPEATABLE READ, READ ONLY`; names sort byte-wise
//! (`COLLATE "C"`, as SQLite does) whatever the database locale.

use async_trait::async_trait;
use folio_store::StoreError;
use folio_store::sql::{Arg, Dialect, SqlEngine, SqlRow, SqlTx};
use sqlx::postgres::PgArguments;
use sqlx::{Postgres, Row, Transaction};

use crate::PostgresStore;
use crate::error::map_err;

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// `sql` with `args` bound to `$1, $2, …`.
fn query<'q>(sql: &str, args: &[Arg<'_>]) -> Query<'q> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for arg in args {
        q = match *arg {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Int4(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Bytes(v) => q.bind(v),
        };
    }
    q
}

/// A result row.
pub struct PostgresRow(sqlx::postgres::PgRow);

impl SqlRow for PostgresRow {
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.0.try_get(col).map_err(map_err)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.0.try_get(col).map_err(map_err)
    }
    fn opt_int4(&self, col: &str) -> Result<Option<i32>, StoreError> {
        self.0.try_get(col).map_err(map_err)
    }
    fn opt_flag(&self, col: &str) -> Result<Option<bool>, StoreError> {
        self.0.try_get(col).map_err(map_err)
    }
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.try_get(col).map_err(map_err)
    }
}

fn rows(rows: Vec<sqlx::postgres::PgRow>) -> Vec<PostgresRow> {
    rows.into_iter().map(PostgresRow).collect()
}

/// An open transaction (rolled back when dropped).
pub struct PostgresTx(Transaction<'static, Postgres>);

#[async_trait]
impl SqlTx for PostgresTx {
    type Row = PostgresRow;

    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        let conn = &mut *self.0;
        let done = query(sql, args).execute(conn).await.map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<PostgresRow>, StoreError> {
        let conn = &mut *self.0;
        Ok(rows(
            query(sql, args).fetch_all(conn).await.map_err(map_err)?,
        ))
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<PostgresRow>, StoreError> {
        let conn = &mut *self.0;
        let row = query(sql, args)
            .fetch_optional(conn)
            .await
            .map_err(map_err)?;
        Ok(row.map(PostgresRow))
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(map_err)
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
        self.pool.begin().await.map(PostgresTx).map_err(map_err)
    }

    async fn begin_snapshot(&self) -> Result<PostgresTx, StoreError> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map(PostgresTx)
            .map_err(map_err)
    }

    async fn fetch_all(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<PostgresRow>, StoreError> {
        let all = query(sql, args).fetch_all(&self.pool).await;
        Ok(rows(all.map_err(map_err)?))
    }

    async fn fetch_optional(
        &self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<PostgresRow>, StoreError> {
        let row = query(sql, args).fetch_optional(&self.pool).await;
        Ok(row.map_err(map_err)?.map(PostgresRow))
    }

    async fn execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        let done = query(sql, args).execute(&self.pool).await;
        Ok(done.map_err(map_err)?.rows_affected())
    }
}
