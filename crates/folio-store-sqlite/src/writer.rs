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
//! Transactions run strictly one after another on one connection, as before (SQLite has one
//! writer); a later transaction of a group sees the earlier ones' writes, and if the group fails
//! they fail together. Readers (the read-only pool) see a group only once it has committed.

use std::collections::VecDeque;
use std::sync::Arc;

use folio_store::StoreError;
use folio_store::sql::{Arg, SqlTx};
use folio_store_sql::{Sqlx, Waiting};
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;
use tokio::sync::{mpsc, oneshot};

use crate::SqliteStore;
use crate::engine::SqliteRow;
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
}

/// A released transaction waiting for its group's `COMMIT`.
enum Ack {
    Tx(Reply<()>),
    Single(u64, Reply<u64>),
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
        }
    }
}

struct Task {
    conn: PoolConnection<Sqlite>,
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
            conn,
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
        sqlx::raw_sql(sql)
            .execute(&mut *self.conn)
            .await
            .map(|_| ())
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
        let args: Vec<Arg<'_>> = stmt.args.iter().map(OwnedArg::arg).collect();
        let conn = &mut self.conn;
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
                self.broken = Some(format!("the transaction group failed: {e}"));
            }
            map_err(e)
        })
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
            if let Err(e) = self.open_savepoint().await {
                match q {
                    Queued::Begin(reply) => {
                        let _ = reply.send(Err(e));
                    }
                    Queued::Single(_, reply) => {
                        let _ = reply.send(Err(e));
                    }
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
