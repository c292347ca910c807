#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use folio_store::sql::{Arg, SqlRow, SqlTx};
use folio_store::{PoolFigures, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Transaction, Type,
};

/// A sqlx driver as used by a Folio backend.
pub trait Driver: Send + Sync + 'static {
    /// The sqlx database.
    type Db: Database;
    /// Classifies a driver error (`NotFound`, `AlreadyExists`, `Unavailable`, `Backend`).
    fn map_err(e: sqlx::Error) -> StoreError;
    /// The number of rows a statement changed.
    fn rows_affected(done: &<Self::Db as Database>::QueryResult) -> u64;
}

type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as Database>::Arguments>;

/// Statements of driver `D`: binding and single statements on a pool. (The bounds say which
/// Rust types Folio binds; SQLite and PostgreSQL have them all.)
pub struct Sqlx<D>(PhantomData<fn() -> D>);

impl<D: Driver> Sqlx<D>
where
    for<'c> &'c mut <D::Db as Database>::Connection: Executor<'c, Database = D::Db>,
    <D::Db as Database>::Arguments: IntoArguments<D::Db>,
    for<'a> Option<&'a str>: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> Option<&'a [u8]>: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> Option<i64>: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> i32: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> bool: Encode<'a, D::Db> + Type<D::Db>,
{
    /// `sql` with `args` bound to `$1, $2, …` (SQLite binds `$N` by number, as PostgreSQL does).
    fn query<'q>(sql: &str, args: &[Arg<'_>]) -> Query<'q, D::Db> {
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

    /// One statement on a connection the caller holds; the number of rows it changed (raw
    /// driver error, for a caller that classifies it first: SQLite's group-commit writer).
    pub async fn execute_on(
        conn: &mut <D::Db as Database>::Connection,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<u64, sqlx::Error> {
        let done = Self::query(sql, args).execute(&mut *conn).await?;
        Ok(D::rows_affected(&done))
    }

    /// One query on a connection the caller holds; all its rows (raw driver error).
    pub async fn fetch_all_on(
        conn: &mut <D::Db as Database>::Connection,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqlxRow<D>>, sqlx::Error> {
        Ok(rows(Self::query(sql, args).fetch_all(&mut *conn).await?))
    }

    /// One query on a connection the caller holds; its first row (raw driver error).
    pub async fn fetch_optional_on(
        conn: &mut <D::Db as Database>::Connection,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqlxRow<D>>, sqlx::Error> {
        let row = Self::query(sql, args).fetch_optional(&mut *conn).await?;
        Ok(row.map(SqlxRow::new))
    }

    /// One read query on `pool` outside a transaction; all its rows.
    pub async fn fetch_all(
        pool: &Pool<D::Db>,
        waiting: &Waiting,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqlxRow<D>>, StoreError> {
        let mut conn = waiting.acquire::<D>(pool).await?;
        let all = Self::query(sql, args).fetch_all(&mut *conn).await;
        Ok(rows(all.map_err(D::map_err)?))
    }

    /// One read query on `pool` outside a transaction; its first row, if any.
    pub async fn fetch_optional(
        pool: &Pool<D::Db>,
        waiting: &Waiting,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqlxRow<D>>, StoreError> {
        let mut conn = waiting.acquire::<D>(pool).await?;
        let row = Self::query(sql, args).fetch_optional(&mut *conn).await;
        Ok(row.map_err(D::map_err)?.map(SqlxRow::new))
    }

    /// One write statement on `pool` (autocommit); the number of rows it changed.
    pub async fn execute(
        pool: &Pool<D::Db>,
        waiting: &Waiting,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<u64, StoreError> {
        let mut conn = waiting.acquire::<D>(pool).await?;
        let done = Self::query(sql, args).execute(&mut *conn).await;
        Ok(D::rows_affected(&done.map_err(D::map_err)?))
    }
}

/// The store calls of one pool waiting for a connection, or for their transaction to begin
/// (`folio_db_pool_waiting`): incremented while a caller awaits `acquire`/`begin`.
#[derive(Debug, Default)]
pub struct Waiting(AtomicU32);

struct Waiter<'a>(&'a AtomicU32);

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Waiting {
    /// Awaits `f` (an acquire or a begin) counted as waiting.
    pub async fn wait<T>(&self, f: impl Future<Output = T>) -> T {
        self.0.fetch_add(1, Ordering::Relaxed);
        let _waiter = Waiter(&self.0);
        f.await
    }

    /// A connection of `pool`, counted while it is awaited.
    pub async fn acquire<D: Driver>(
        &self,
        pool: &Pool<D::Db>,
    ) -> Result<PoolConnection<D::Db>, StoreError> {
        self.wait(pool.acquire()).await.map_err(D::map_err)
    }

    /// How many are waiting now.
    pub fn now(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The `/metrics` figures of `pool`.
pub fn pool_figures<DB: Database>(
    name: &'static str,
    pool: &Pool<DB>,
    waiting: &Waiting,
) -> PoolFigures {
    let size = pool.size();
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(size);
    PoolFigures {
        pool: name,
        in_use: size - idle,
        idle,
        max: pool.options().get_max_connections(),
        waiting: waiting.now(),
    }
}

/// A result row of driver `D`.
pub struct SqlxRow<D: Driver>(<D::Db as Database>::Row, PhantomData<fn() -> D>);

impl<D: Driver> SqlxRow<D> {
    fn new(row: <D::Db as Database>::Row) -> Self {
        Self(row, PhantomData)
    }

    fn get<T>(&self, col: &str) -> Result<Option<T>, StoreError>
    where
        T: for<'r> Decode<'r, D::Db> + Type<D::Db>,
        for<'a> &'a str: ColumnIndex<<D::Db as Database>::Row>,
    {
        self.0.try_get(col).map_err(D::map_err)
    }
}

impl<D: Driver> SqlRow for SqlxRow<D>
where
    for<'a> &'a str: ColumnIndex<<D::Db as Database>::Row>,
    String: for<'r> Decode<'r, D::Db> + Type<D::Db>,
    i64: for<'r> Decode<'r, D::Db> + Type<D::Db>,
    i32: for<'r> Decode<'r, D::Db> + Type<D::Db>,
    bool: for<'r> Decode<'r, D::Db> + Type<D::Db>,
    Vec<u8>: for<'r> Decode<'r, D::Db> + Type<D::Db>,
{
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

fn rows<D: Driver>(rows: Vec<<D::Db as Database>::Row>) -> Vec<SqlxRow<D>> {
    rows.into_iter().map(SqlxRow::new).collect()
}

/// An open transaction of driver `D` (rolled back when dropped).
pub struct SqlxTx<D: Driver>(Transaction<'static, D::Db>);

impl<D: Driver> SqlxTx<D> {
    /// Wraps a transaction the backend began (in the mode it chose).
    pub fn new(tx: Transaction<'static, D::Db>) -> Self {
        Self(tx)
    }
}

#[async_trait]
impl<D: Driver> SqlTx for SqlxTx<D>
where
    SqlxRow<D>: SqlRow,
    for<'c> &'c mut <D::Db as Database>::Connection: Executor<'c, Database = D::Db>,
    <D::Db as Database>::Arguments: IntoArguments<D::Db>,
    for<'a> Option<&'a str>: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> Option<&'a [u8]>: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> Option<i64>: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> i32: Encode<'a, D::Db> + Type<D::Db>,
    for<'a> bool: Encode<'a, D::Db> + Type<D::Db>,
{
    type Row = SqlxRow<D>;

    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        let done = Sqlx::<D>::query(sql, args).execute(&mut *self.0).await;
        Ok(D::rows_affected(&done.map_err(D::map_err)?))
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqlxRow<D>>, StoreError> {
        let all = Sqlx::<D>::query(sql, args).fetch_all(&mut *self.0).await;
        Ok(rows(all.map_err(D::map_err)?))
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqlxRow<D>>, StoreError> {
        let row = Sqlx::<D>::query(sql, args)
            .fetch_optional(&mut *self.0)
            .await;
        Ok(row.map_err(D::map_err)?.map(SqlxRow::new))
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(D::map_err)
    }
}
