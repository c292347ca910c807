//! SQLite as an engine of the shared SQL core (`folio_store::sql`): write transactions take the
//! one writer connection with `BEGIN IMMEDIATE` (so they are serialised, and a second process
//! waits on the busy timeout instead of failing), reads use the read-only pool, and the dialect
//! has no row-lock words (the immediate transaction already excludes every other writer) and
//! no collation clause (the default collation is byte-wise).

use async_trait::async_trait;
use folio_store::StoreError;
use folio_store::sql::{Arg, Dialect, SqlEngine, SqlRow, SqlTx};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Row, Sqlite, Transaction};

use crate::SqliteStore;
use crate::error::map_err;

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

/// `sql` with `args` bound to `$1, $2, …` (SQLite binds `$N` by number).
fn query<'q>(sql: &str, args: &[Arg<'_>]) -> Query<'q> {
    args.iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, arg| match *arg {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Int4(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Bytes(v) => q.bind(v),
        })
}

/// A result row.
pub struct SqliteRow(sqlx::sqlite::SqliteRow);

impl SqliteRow {
    fn get<T>(&self, col: &str) -> Result<Option<T>, StoreError>
    where
        T: for<'r> sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
    {
        self.0.try_get(col).map_err(map_err)
    }
}

impl SqlRow for SqliteRow {
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.get(col)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.get(col)
    }
    fn opt_int4(&self, col: &str) -> Result<Option<i32>, StoreError> {
        self.get(col)
    }
    fn opt_flag(&self, col: &str) -> Result<Option<bool>, StoreError> {
        self.get(col)
    }
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(col)
    }
}

/// An open transaction (rolled back when dropped).
pub struct SqliteTx(Transaction<'static, Sqlite>);

#[async_trait]
impl SqlTx for SqliteTx {
    type Row = SqliteRow;

    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        let done = query(sql, args).execute(&mut *self.0).await;
        Ok(done.map_err(map_err)?.rows_affected())
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqliteRow>, StoreError> {
        let rows = query(sql, args).fetch_all(&mut *self.0).await;
        Ok(rows.map_err(map_err)?.into_iter().map(SqliteRow).collect())
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqliteRow>, StoreError> {
        let row = query(sql, args).fetch_optional(&mut *self.0).await;
        Ok(row.map_err(map_err)?.map(SqliteRow))
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(map_err)
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
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await;
        Ok(SqliteTx(tx.map_err(map_err)?))
    }

    async fn begin_snapshot(&self) -> Result<SqliteTx, StoreError> {
        // A deferred transaction on a reader: in WAL mode it reads one snapshot.
        Ok(SqliteTx(self.read.begin().await.map_err(map_err)?))
    }

    async fn fetch_all(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<SqliteRow>, StoreError> {
        let rows = query(sql, args).fetch_all(&self.read).await;
        Ok(rows.map_err(map_err)?.into_iter().map(SqliteRow).collect())
    }

    async fn fetch_optional(
        &self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqliteRow>, StoreError> {
        let row = query(sql, args).fetch_optional(&self.read).await;
        Ok(row.map_err(map_err)?.map(SqliteRow))
    }

    async fn execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        let done = query(sql, args).execute(&self.write).await;
        Ok(done.map_err(map_err)?.rows_affected())
    }
}
