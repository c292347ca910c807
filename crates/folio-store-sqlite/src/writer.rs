//! Group commit: one task owns the writer connection and runs the write transactions of every
//! caller, one at a time, each inside a savepoint of a shared `BEGIN IMMEDIATE … COMMIT`, so
//! that the transactions that queued up while the previous `COMMIT` was syncing share the next
//! one sync (`synchronous=FULL`: every acknowledged transaction is on disk, only fewer fsyncs).
//!
//! A caller's transaction ([`WriteTx`]) sends its statements to the task and gets the rows
//! back; `commit` releases its savepoint and waits for the group's `COMMIT`. A transaction that
//! fails or is dropped is rolled back to its savepoint, which undoes it alone; the others of the
//! group are untouched. The group commits as soon as no other transaction is waiting to start
//! (no timer, no added latency when alone), or after [`MAX_GROUP`] transactions. A `COMMIT` that
//! fails fails every transaction of the group, and a statement error after which SQLite may have
//! rolled the whole transaction back (anything but a constraint, type or SQL error) ends the
//! group the same way: nothing is acknowledged that is not durable.
//!
//! A transaction can also come whole ([`Writer::run`], `SqlEngine::run_tx`): a job that the
//! task runs itself on the connection, in its savepoint like any other, so that its statements
//! cost no hand-off to the caller's task and back (the lock operations: docs/PERFORMANCE.md).
//!
//! Transactions run strictly one after another on one connection, as before (SQLite has one
//! writer); a later transaction of a group sees the earlier ones' writes, and if the group fails
//! they fail together. Readers (the read-only pool) see a group only once it has committed.

use std::collections::VecDeque;
use std::sync::Arc;

use folio_store::StoreError;
use folio_store::sql::{Arg, SqlTx, TxEnd, TxJob};
use folio_store_sql::{Sqlx, Waiting};
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;
use tokio::sync::{mpsc, oneshot};

use crate::SqliteStore;
use crate::engine::{SqliteRow, SqliteTx};
use crate::error::map_err;

/// At most this many transactions share one `COMMIT`.
const MAX_GROUP: usize = 512;

/// An owned statement argument (the statement travels to the writer task).
#[derive(Debug, Clone)]
enum OwnedArg {
    Text(Option<String>),
    Int(Option<i64>),
    Int4(i32),
    Bool(bool),
    Bytes(Option<Vec<u8>>),
}

impl OwnedArg {
    fn of(a: &Arg<'_>) -> Self {
        match *a {
            Arg::Text(v) => OwnedArg::Text(v.map(str::to_owned)),
            Arg::Int(v) => OwnedArg::Int(v),
            Arg::Int4(v) => OwnedArg::Int4(v),
            Arg::Bool(v) => OwnedArg::Bool(v),
            Arg::Bytes(v) => OwnedArg::Bytes(v.map(<[u8]>::to_vec)),
        }
    }

    fn arg(&self) -> Arg<'_> {
        match self {
            OwnedArg::Text(v) => Arg::Text(v.as_deref()),
            OwnedArg::Int(v) => Arg::Int(*v),
            OwnedArg::Int4(v) => Arg::Int4(*v),
            OwnedArg::Bool(v) => Arg::Bool(*v),
            OwnedArg::Bytes(v) => Arg::Bytes(v.as_deref()),
        }
    }
}

/// What a statement returns.
enum Kind {
    Execute,
    FetchAll,
    FetchOptional,
}

enum Out {
    Affected(u64),
    Rows(Vec<SqliteRow>),
    Row(Option<SqliteRow>),
}

struct Stmt {
    sql: String,
    args: Vec<OwnedArg>,
    kind: Kind,
}

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// Answers a committed job's caller with the group's `COMMIT` (or its failure).
type JobAck = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// How a job ended: commit (answered with the group) or roll back (already answered).
enum JobEnd {
    Commit(JobAck),
    Rollback,
}

/// A [`TxJob`] with its result type erased: it answers its caller itself.
type Job = Box<
    dyn for<'a> FnOnce(
            &'a mut SqliteTx,
        ) -> std::pin::Pin<Box<dyn Future<Output = JobEnd> + Send + 'a>>
        + Send,
>;

enum Msg {
    /// Start a transaction; the reply carries it once it is the active one (a handle made by
    /// the task, so that a reply dropped unread still rolls the transaction back).
    Begin(Reply<WriteTx>),
    /// A statement of the active transaction.
    Stmt(u64, Stmt, Reply<Out>),
    /// Release the transaction's savepoint; the reply comes with the group's `COMMIT`.
    Commit(u64, Reply<()>),
    /// Undo the transaction (dropped or failed without commit).
    Rollback(u64),
    /// One statement as a transaction of its own (`SqlEngine::execute`).
    Single(Stmt, Reply<u64>),
    /// A whole transaction, run by the task (`SqlEngine::run_tx`).
    Job(Job),
    /// Commit what is open and give the connection back.
    Close(oneshot::Sender<()>),
}

/// The handle on the writer task (cloned with the store).
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    send: mpsc::UnboundedSender<Msg>,
    /// Transactions waiting to start (`/metrics`).
    pub(crate) waiting: Arc<Waiting>,
}

fn gone() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".into())
}

impl Writer {
    /// Starts the task on `conn` (the writer pool's one connection, held until `close`).
    pub(crate) fn start(conn: PoolConnection<Sqlite>) -> Self {
        let (send, recv) = mpsc::unbounded_channel();
        tokio::spawn(Task::new(conn, recv, send.downgrade()).run());
        Self {
            send,
            waiting: Arc::default(),
        }
    }

    pub(crate) async fn begin(&self) -> Result<WriteTx, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.send.send(Msg::Begin(reply)).map_err(|_| gone())?;
        self.waiting.wait(rx).await.map_err(|_| gone())?
    }

    pub(crate) async fn execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        let (reply, rx) = oneshot::channel();
        let stmt = Stmt {
            sql: sql.to_owned(),
            args: args.iter().map(OwnedArg::of).collect(),
            kind: Kind::Execute,
        };
        self.send
            .send(Msg::Single(stmt, reply))
            .map_err(|_| gone())?;
        self.waiting.wait(rx).await.map_err(|_| gone())?
    }

    /// Runs `job` as one transaction on the task (one hand-off for all its statements); its
    /// result comes with the group's `COMMIT`, or at once when it rolls back.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        job: TxJob<SqliteTx, T>,
    ) -> Result<T, StoreError> {
        let (reply, rx) = oneshot::channel::<Result<T, StoreError>>();
        let erased: Job = Box::new(move |tx| {
            Box::pin(async move {
                match job(tx).await {
                    Ok(TxEnd::Commit(v)) => JobEnd::Commit(Box::new(move |r| {
                        let _ = reply.send(r.map(|()| v));
                    })),
                    Ok(TxEnd::Rollback(v)) => {
                        let _ = reply.send(Ok(v));
                        JobEnd::Rollback
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                        JobEnd::Rollback
                    }
                }
            })
        });
        self.send.send(Msg::Job(erased)).map_err(|_| gone())?;
        self.waiting.wait(rx).await.map_err(|_| gone())?
    }

    pub(crate) async fn close(&self) {
        let (reply, rx) = oneshot::channel();
        if self.send.send(Msg::Close(reply)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// A write transaction run by the writer task; rolled back (to its savepoint) when dropped
/// without [`SqlTx::commit`].
pub struct WriteTx {
    id: u64,
    send: mpsc::UnboundedSender<Msg>,
    open: bool,
}

impl WriteTx {
    async fn run(&mut self, sql: &str, args: &[Arg<'_>], kind: Kind) -> Result<Out, StoreError> {
        let (reply, rx) = oneshot::channel();
        let stmt = Stmt {
            sql: sql.to_owned(),
            args: args.iter().map(OwnedArg::of).collect(),
            kind,
        };
        self.send
            .send(Msg::Stmt(self.id, stmt, reply))
            .map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if self.open {
            let _ = self.send.send(Msg::Rollback(self.id));
        }
    }
}

#[async_trait::async_trait]
impl SqlTx for WriteTx {
    type Row = SqliteRow;

    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        match self.run(sql, args, Kind::Execute).await? {
            Out::Affected(n) => Ok(n),
            _ => Err(gone()),
        }
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqliteRow>, StoreError> {
        match self.run(sql, args, Kind::FetchAll).await? {
            Out::Rows(r) => Ok(r),
            _ => Err(gone()),
        }
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqliteRow>, StoreError> {
        match self.run(sql, args, Kind::FetchOptional).await? {
            Out::Row(r) => Ok(r),
            _ => Err(gone()),
        }
    }

    async fn commit(mut self) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.open = false;
        self.send
            .send(Msg::Commit(self.id, reply))
            .map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }
}

/// The transaction a job runs on: the writer's connection itself, lent to the job by the task
/// (inside the job's savepoint). A statement error that may have ended the physical transaction
/// is remembered, fails the job's later statements, and then the group.
///
/// The job's savepoint is opened by its first statement: a query gets the control statements
/// in front of its own text (one round trip to the connection's thread instead of two), a write
/// runs them first. A job that runs no statement opens nothing.
pub struct DirectTx {
    conn: PoolConnection<Sqlite>,
    broken: Option<String>,
    /// The control statements that open the job's savepoint, until its first statement.
    savepoint: Option<&'static str>,
}

impl DirectTx {
    async fn run(&mut self, mut stmt: Stmt) -> Result<Out, StoreError> {
        if let Some(why) = &self.broken {
            return Err(StoreError::Unavailable(why.clone()));
        }
        let Some(open) = self.savepoint.take() else {
            return run_statement(&mut self.conn, &stmt, &mut self.broken).await;
        };
        if matches!(stmt.kind, Kind::Execute) {
            // A write: the savepoint first (its `changes()` must not count as the write's).
            if let Err(e) = sqlx::raw_sql(open).execute(&mut *self.conn).await {
                self.broken = Some(format!("the transaction group failed: {e}"));
                return Err(map_err(e));
            }
            return run_statement(&mut self.conn, &stmt, &mut self.broken).await;
        }
        // A query: the savepoint in front of it. Whether an error came from the savepoint or
        // from the query is not known: either way the group is given up (nothing is
        // acknowledged that might not be as it should).
        stmt.sql.insert_str(0, open);
        let out = run_statement(&mut self.conn, &stmt, &mut self.broken).await;
        if let Err(e) = &out
            && self.broken.is_none()
        {
            self.broken = Some(format!("the transaction group failed: {e}"));
        }
        out
    }
}

#[async_trait::async_trait]
impl SqlTx for DirectTx {
    type Row = SqliteRow;

    async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        match self.run(Stmt::new(sql, args, Kind::Execute)).await? {
            Out::Affected(n) => Ok(n),
            _ => Err(gone()),
        }
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqliteRow>, StoreError> {
        match self.run(Stmt::new(sql, args, Kind::FetchAll)).await? {
            Out::Rows(r) => Ok(r),
            _ => Err(gone()),
        }
    }

    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqliteRow>, StoreError> {
        match self.run(Stmt::new(sql, args, Kind::FetchOptional)).await? {
            Out::Row(r) => Ok(r),
            _ => Err(gone()),
        }
    }

    /// A job ends by returning [`TxEnd`]; the task commits it with its group.
    async fn commit(self) -> Result<(), StoreError> {
        Err(StoreError::Backend(
            "a writer job is committed by the writer, not by itself".into(),
        ))
    }
}

impl Stmt {
    fn new(sql: &str, args: &[Arg<'_>], kind: Kind) -> Self {
        Stmt {
            sql: sql.to_owned(),
            args: args.iter().map(OwnedArg::of).collect(),
            kind,
        }
    }
}

/// Runs one statement on the writer's connection; an error that may have ended the physical
/// transaction sets `broken`.
async fn run_statement(
    conn: &mut PoolConnection<Sqlite>,
    stmt: &Stmt,
    broken: &mut Option<String>,
) -> Result<Out, StoreError> {
    let args: Vec<Arg<'_>> = stmt.args.iter().map(OwnedArg::arg).collect();
    let out = match stmt.kind {
        Kind::Execute => Sqlx::<SqliteStore>::execute_on(conn, &stmt.sql, &args)
            .await
            .map(Out::Affected),
        Kind::FetchAll => Sqlx::<SqliteStore>::fetch_all_on(conn, &stmt.sql, &args)
            .await
            .map(Out::Rows),
        Kind::FetchOptional => Sqlx::<SqliteStore>::fetch_optional_on(conn, &stmt.sql, &args)
            .await
            .map(Out::Row),
    };
    out.map_err(|e| {
        if ends_transaction(&e) {
            *broken = Some(format!("the transaction group failed: {e}"));
        }
        map_err(e)
    })
}

/// Whether SQLite may have rolled the whole transaction back after this error (then the group
/// is given up). Constraint (19), type mismatch (20), range (25) and plain SQL errors (1) end
/// only their statement; so do errors that never reached the database (decoding, no row).
fn ends_transaction(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => !d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| matches!(c & 0xff, 1 | 19 | 20 | 25)),
        sqlx::Error::RowNotFound
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::Encode(_)
        | sqlx::Error::TypeNotFound { .. } => false,
        _ => true,
    }
}

/// A transaction waiting for the active one to end.
enum Queued {
    Begin(Reply<WriteTx>),
    Single(Stmt, Reply<u64>),
    Job(Job),
}

/// A released transaction waiting for its group's `COMMIT`.
enum Ack {
    Tx(Reply<()>),
    Single(u64, Reply<u64>),
    Job(JobAck),
}

impl Ack {
    fn send(self, r: Result<(), StoreError>) {
        match self {
            Ack::Tx(reply) => {
                let _ = reply.send(r);
            }
            Ack::Single(n, reply) => {
                let _ = reply.send(r.map(|()| n));
            }
            Ack::Job(ack) => ack(r),
        }
    }
}

struct Task {
    /// The writer connection; lent to a job while it runs (`None` only then, or for good if a
    /// job did not give it back).
    conn: Option<PoolConnection<Sqlite>>,
    recv: mpsc::UnboundedReceiver<Msg>,
    /// For the handles the task gives out (weak: the task ends when the store is gone).
    me: mpsc::WeakUnboundedSender<Msg>,
    queued: VecDeque<Queued>,
    /// The active transaction.
    active: Option<u64>,
    next_id: u64,
    /// `BEGIN IMMEDIATE` has run and the group is not yet committed.
    open: bool,
    /// The top savepoint belongs to a transaction that is done; it is released together with
    /// the next `SAVEPOINT` (one round trip), or by the `COMMIT`.
    released: bool,
    acks: Vec<Ack>,
    /// Set when a statement error may have ended the physical transaction: the active
    /// transaction's later statements fail, and so does the whole group.
    broken: Option<String>,
}

impl Task {
    fn new(
        conn: PoolConnection<Sqlite>,
        recv: mpsc::UnboundedReceiver<Msg>,
        me: mpsc::WeakUnboundedSender<Msg>,
    ) -> Self {
        Self {
            conn: Some(conn),
            recv,
            me,
            queued: VecDeque::new(),
            active: None,
            next_id: 1,
            open: false,
            released: false,
            acks: Vec::new(),
            broken: None,
        }
    }

    async fn run(mut self) {
        loop {
            // Between transactions with a group open: whatever is already in the channel
            // joins the group; if nothing is, commit now.
            let msg = if self.active.is_none() && self.open {
                match self.recv.try_recv() {
                    Ok(m) => m,
                    Err(_) => {
                        self.finish_group().await;
                        continue;
                    }
                }
            } else {
                match self.recv.recv().await {
                    Some(m) => m,
                    None => break,
                }
            };
            match msg {
                Msg::Begin(reply) => self.enqueue(Queued::Begin(reply)).await,
                Msg::Single(stmt, reply) => self.enqueue(Queued::Single(stmt, reply)).await,
                Msg::Job(job) => self.enqueue(Queued::Job(job)).await,
                Msg::Stmt(id, stmt, reply) => {
                    let out = if self.active == Some(id) && self.broken.is_none() {
                        self.statement(&stmt).await
                    } else {
                        Err(self.broken_error())
                    };
                    let _ = reply.send(out);
                }
                Msg::Commit(id, reply) => {
                    if self.active == Some(id) {
                        self.active = None;
                        self.release(Ack::Tx(reply)).await;
                        self.next().await;
                    } else {
                        let _ = reply.send(Err(self.broken_error()));
                    }
                }
                Msg::Rollback(id) => {
                    if self.active == Some(id) {
                        self.active = None;
                        self.rollback_savepoint().await;
                        self.next().await;
                    }
                }
                Msg::Close(done) => {
                    self.active = None;
                    self.queued.clear();
                    if self.open {
                        self.finish_group().await;
                    }
                    let _ = done.send(());
                    return;
                }
            }
        }
        if self.open {
            self.finish_group().await;
        }
    }

    async fn enqueue(&mut self, q: Queued) {
        if self.active.is_some() {
            self.queued.push_back(q);
        } else {
            self.queued.push_back(q);
            self.next().await;
        }
    }

    fn broken_error(&self) -> StoreError {
        StoreError::Unavailable(
            self.broken
                .clone()
                .unwrap_or_else(|| "the transaction is no longer active".into()),
        )
    }

    /// Control statements, several to a round trip (`raw_sql`: no arguments, not prepared).
    async fn control(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(sqlx::Error::PoolClosed);
        };
        sqlx::raw_sql(sql).execute(&mut **conn).await.map(|_| ())
    }

    /// Opens the group if needed, then a savepoint for the next transaction (releasing the
    /// previous transaction's in the same round trip).
    async fn open_savepoint(&mut self) -> Result<(), StoreError> {
        let sql = if !self.open {
            "BEGIN IMMEDIATE; SAVEPOINT g"
        } else if self.released {
            "RELEASE SAVEPOINT g; SAVEPOINT g"
        } else {
            "SAVEPOINT g"
        };
        match self.control(sql).await {
            Ok(()) => {
                if !self.open {
                    self.broken = None;
                }
                self.open = true;
                self.released = false;
                Ok(())
            }
            Err(e) if !self.open => {
                // BEGIN failed (busy past the timeout, read-only disk): no group to give up;
                // make sure no half-open transaction stays behind.
                let _ = self.control("ROLLBACK").await;
                Err(map_err(e))
            }
            Err(e) => {
                self.fail_group(&e.to_string()).await;
                Err(map_err(e))
            }
        }
    }

    async fn statement(&mut self, stmt: &Stmt) -> Result<Out, StoreError> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(gone());
        };
        run_statement(conn, stmt, &mut self.broken).await
    }

    /// Answers a job that cannot start (its savepoint failed) with `e`: it runs on a
    /// transaction whose every statement fails, so it answers its caller itself.
    async fn refuse_job(&mut self, job: Job, e: StoreError) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let why = format!("the transaction could not start: {e}");
        let mut tx = SqliteTx::Direct(DirectTx {
            conn,
            broken: Some(why.clone()),
            savepoint: None,
        });
        let end = job(&mut tx).await;
        if let SqliteTx::Direct(d) = tx {
            self.conn = Some(d.conn);
        }
        if let JobEnd::Commit(ack) = end {
            ack(Err(StoreError::Unavailable(why)));
        }
    }

    /// Runs a job: in the savepoint just opened (`in_savepoint`), or, in a group that is
    /// open, in a savepoint its first statement opens (releasing the previous transaction's in
    /// the same round trip).
    async fn job(&mut self, job: Job, in_savepoint: bool) {
        let Some(conn) = self.conn.take() else {
            // Cannot happen (a job gives the connection back); the job's reply is dropped.
            return;
        };
        let open = if in_savepoint {
            None
        } else if self.released {
            Some("RELEASE SAVEPOINT g; SAVEPOINT g; ")
        } else {
            Some("SAVEPOINT g; ")
        };
        let mut tx = SqliteTx::Direct(DirectTx {
            conn,
            broken: None,
            savepoint: open,
        });
        let end = job(&mut tx).await;
        let mut opened = true;
        if let SqliteTx::Direct(d) = tx {
            self.conn = Some(d.conn);
            opened = d.savepoint.is_none();
            if d.broken.is_some() {
                self.broken = d.broken;
            }
        }
        if opened {
            self.released = false;
            match end {
                JobEnd::Commit(ack) => self.release(Ack::Job(ack)).await,
                JobEnd::Rollback => self.rollback_savepoint().await,
            }
        } else if let JobEnd::Commit(ack) = end {
            // No statement ran: nothing to release or undo.
            self.acks.push(Ack::Job(ack));
        }
    }

    /// A transaction is done: release its savepoint; its answer waits for the `COMMIT`.
    async fn release(&mut self, ack: Ack) {
        if self.broken.is_some() {
            ack.send(Err(self.broken_error()));
            self.fail_group("").await;
            return;
        }
        self.released = true;
        self.acks.push(ack);
    }

    /// Undoes the transaction that just ended without commit, and only it.
    async fn rollback_savepoint(&mut self) {
        if self.broken.is_some() {
            self.fail_group("").await;
            return;
        }
        let undone = self
            .control("ROLLBACK TO SAVEPOINT g; RELEASE SAVEPOINT g")
            .await;
        if undone.is_err() {
            self.fail_group("cannot roll back to a savepoint").await;
        }
    }

    /// Starts queued transactions until one is active (a group that is full commits first).
    async fn next(&mut self) {
        while self.active.is_none() {
            let Some(q) = self.queued.pop_front() else {
                return;
            };
            if self.open && self.acks.len() >= MAX_GROUP {
                self.finish_group().await;
            }
            if matches!(q, Queued::Job(_)) && self.open {
                // The job opens its own savepoint, with its first statement.
                if let Queued::Job(job) = q {
                    self.job(job, false).await;
                }
                continue;
            }
            if let Err(e) = self.open_savepoint().await {
                match q {
                    Queued::Begin(reply) => {
                        let _ = reply.send(Err(e));
                    }
                    Queued::Single(_, reply) => {
                        let _ = reply.send(Err(e));
                    }
                    Queued::Job(job) => self.refuse_job(job, e).await,
                }
                continue;
            }
            match q {
                Queued::Begin(reply) => {
                    let Some(send) = self.me.upgrade() else {
                        // The store is gone; nobody can use a transaction.
                        self.rollback_savepoint().await;
                        let _ = reply.send(Err(gone()));
                        continue;
                    };
                    let id = self.next_id;
                    self.next_id += 1;
                    self.active = Some(id);
                    // If the caller went away, the handle is dropped (here or unread in the
                    // channel) and its Rollback comes back through the queue.
                    let _ = reply.send(Ok(WriteTx {
                        id,
                        send,
                        open: true,
                    }));
                }
                Queued::Job(job) => self.job(job, true).await,
                Queued::Single(stmt, reply) => match self.statement(&stmt).await {
                    Ok(Out::Affected(n)) => self.release(Ack::Single(n, reply)).await,
                    Ok(_) => {
                        self.rollback_savepoint().await;
                        let _ = reply.send(Err(gone()));
                    }
                    Err(e) => {
                        self.rollback_savepoint().await;
                        let _ = reply.send(Err(e));
                    }
                },
            }
        }
    }

    /// `COMMIT` the open group and answer every transaction in it.
    async fn finish_group(&mut self) {
        if self.broken.is_some() {
            self.fail_group("").await;
            return;
        }
        let done = self.control("COMMIT").await;
        self.open = false;
        self.released = false;
        let acks = std::mem::take(&mut self.acks);
        match done {
            Ok(()) => acks.into_iter().for_each(|a| a.send(Ok(()))),
            Err(e) => {
                let why = format!("commit failed: {e}");
                let _ = self.control("ROLLBACK").await;
                for a in acks {
                    a.send(Err(StoreError::Unavailable(why.clone())));
                }
            }
        }
    }

    /// Gives the whole group up: roll back; every transaction in it fails, and so do the
    /// active transaction's later statements.
    async fn fail_group(&mut self, why: &str) {
        let why = self
            .broken
            .take()
            .unwrap_or_else(|| format!("the transaction group failed: {why}"));
        if self.open {
            let _ = self.control("ROLLBACK").await;
        }
        self.open = false;
        self.released = false;
        for a in std::mem::take(&mut self.acks) {
            a.send(Err(StoreError::Unavailable(why.clone())));
        }
        if self.active.is_some() {
            self.broken = Some(why);
        }
    }
}
