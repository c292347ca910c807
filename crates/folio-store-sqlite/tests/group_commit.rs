//! The group-commit writer (`writer.rs`): concurrent write transactions share commits, yet each
//! one commits or rolls back on its own, and what was acknowledged survives a reopen.
#![expect(clippy::unwrap_used, reason = "tests: a failed expectation panics")]

use std::sync::Arc;

use folio_store::StoreError;
use folio_store::sql::{Arg, SqlEngine, SqlRow, SqlTx};
use folio_store_sqlite::SqliteStore;

const N: usize = 90;

/// What transaction `i` does: commit one row; write a row and then drop the transaction; or
/// write a row, hit a unique violation, carry on and commit the first row.
async fn run(store: &SqliteStore, i: usize) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let name = format!("s{i:03}");
    tx.execute(
        "INSERT INTO secrets (name, value) VALUES ($1, $2)",
        &[Arg::Text(Some(&name)), Arg::Bytes(Some(b"v"))],
    )
    .await?;
    match i % 3 {
        0 => {
            drop(tx);
            Ok(())
        }
        1 => {
            let dup = tx
                .execute(
                    "INSERT INTO secrets (name, value) VALUES ($1, $2)",
                    &[Arg::Text(Some(&name)), Arg::Bytes(Some(b"again"))],
                )
                .await;
            assert!(
                matches!(dup, Err(StoreError::AlreadyExists)),
                "duplicate: {dup:?}"
            );
            tx.commit().await
        }
        _ => tx.commit().await,
    }
}

async fn names(store: &SqliteStore) -> Vec<String> {
    let rows = store
        .fetch_all(
            "SELECT name FROM secrets WHERE name LIKE 's%' ORDER BY name",
            &[],
        )
        .await
        .unwrap();
    rows.iter().map(|r| r.text("name").unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transactions_commit_or_roll_back_each_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move { run(&s, i).await })
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        t.await
            .unwrap()
            .unwrap_or_else(|e| panic!("transaction {i}: {e}"));
    }
    // Single statements go through the same writer.
    let n = store
        .execute(
            "UPDATE secrets SET value = $1 WHERE name = 's001'",
            &[Arg::Bytes(Some(b"w"))],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let expected: Vec<String> = (0..N)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("s{i:03}"))
        .collect();
    assert_eq!(
        names(&store).await,
        expected,
        "readers see exactly the commits"
    );

    // Acknowledged means on disk: a new store on the same file sees all of it.
    store.close().await;
    drop(store);
    let again = SqliteStore::open(&path).await.unwrap();
    assert_eq!(names(&again).await, expected, "after a reopen");
    let row = again
        .fetch_optional("SELECT value FROM secrets WHERE name = 's001'", &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.bytes("value").unwrap(), b"w".to_vec());
}

#[tokio::test]
async fn a_transaction_dropped_mid_group_leaves_the_next_one_intact() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("folio.db"))
        .await
        .unwrap();
    // A, dropped after a write, then B, which commits: B's row only.
    let mut a = store.begin().await.unwrap();
    a.execute(
        "INSERT INTO secrets (name, value) VALUES ('sa', x'00')",
        &[],
    )
    .await
    .unwrap();
    let b = {
        let s = &store;
        async move {
            let mut b = s.begin().await?;
            b.execute(
                "INSERT INTO secrets (name, value) VALUES ('sb', x'00')",
                &[],
            )
            .await?;
            b.commit().await
        }
    };
    let (b, ()) = tokio::join!(b, async move { drop(a) });
    b.unwrap();
    assert_eq!(names(&store).await, vec!["sb".to_owned()]);
}

/// A caller that goes away while it waits for its transaction (an HTTP request cancelled by
/// its client) must not leave the writer waiting for it: whether its turn had come or not,
/// the next transaction runs. (The timeout turns a hang into a failure; nothing is timed.)
#[tokio::test]
async fn a_caller_cancelled_while_beginning_does_not_stall_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("folio.db"))
            .await
            .unwrap(),
    );
    for yields in 0..12 {
        let holder = store.begin().await.unwrap();
        let s = store.clone();
        let waiting = tokio::spawn(async move { s.begin().await.map(drop) });
        for _ in 0..yields % 4 {
            tokio::task::yield_now().await;
        }
        if yields >= 4 {
            drop(holder); // the waiter's turn comes now, maybe before it is cancelled
        } else {
            holder.commit().await.unwrap();
        }
        for _ in 0..yields / 4 {
            tokio::task::yield_now().await;
        }
        waiting.abort();
        let next = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            let mut tx = store.begin().await?;
            tx.execute(
                "INSERT INTO secrets (name, value) VALUES ($1, x'00')",
                &[Arg::Text(Some(&format!("c{yields}")))],
            )
            .await?;
            tx.commit().await
        })
        .await;
        assert!(matches!(next, Ok(Ok(()))), "round {yields}: {next:?}");
    }
    assert_eq!(
        store
            .fetch_all("SELECT name FROM secrets WHERE name LIKE 'c%'", &[])
            .await
            .unwrap()
            .len(),
        12
    );
}

/// What job `i` (`SqlEngine::run_tx`, run whole by the writer task) does: commit one row; write
/// a row and end with a rollback; write a row, hit a unique violation (the job carries on) and
/// commit; or write a row and fail with an error (rolled back).
fn job(i: usize) -> folio_store::sql::TxJob<folio_store_sqlite::SqliteTx, &'static str> {
    use folio_store::sql::TxEnd;
    Box::new(move |tx| {
        Box::pin(async move {
            let name = format!("j{i:03}");
            tx.execute(
                "INSERT INTO secrets (name, value) VALUES ($1, $2)",
                &[Arg::Text(Some(&name)), Arg::Bytes(Some(b"v"))],
            )
            .await?;
            match i % 4 {
                0 => Ok(TxEnd::Rollback("rolled back")),
                1 => {
                    let dup = tx
                        .execute(
                            "INSERT INTO secrets (name, value) VALUES ($1, $2)",
                            &[Arg::Text(Some(&name)), Arg::Bytes(Some(b"again"))],
                        )
                        .await;
                    assert!(
                        matches!(dup, Err(StoreError::AlreadyExists)),
                        "duplicate: {dup:?}"
                    );
                    Ok(TxEnd::Commit("committed"))
                }
                2 => Ok(TxEnd::Commit("committed")),
                _ => Err(StoreError::Aborted("refused".into())),
            }
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_and_stepwise_transactions_share_groups_and_end_each_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("folio.db");
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move {
                let stepwise = run(&s, i).await.map(|()| "stepwise");
                let job = s.run_tx(job(i)).await;
                (stepwise, job)
            })
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        let (stepwise, job) = t.await.unwrap();
        stepwise.unwrap_or_else(|e| panic!("transaction {i}: {e}"));
        match i % 4 {
            0 => assert_eq!(job.unwrap(), "rolled back", "job {i}"),
            1 | 2 => assert_eq!(job.unwrap(), "committed", "job {i}"),
            _ => assert!(
                matches!(job, Err(StoreError::Aborted(_))),
                "job {i}: {job:?}"
            ),
        }
    }
    let jobs: Vec<String> = store
        .fetch_all(
            "SELECT name FROM secrets WHERE name LIKE 'j%' ORDER BY name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.text("name").unwrap())
        .collect();
    let want: Vec<String> = (0..N)
        .filter(|i| matches!(i % 4, 1 | 2))
        .map(|i| format!("j{i:03}"))
        .collect();
    assert_eq!(jobs, want);
    // Committed jobs are durable: still there after a reopen.
    store.close().await;
    drop(store);
    let reopened = SqliteStore::open(&path).await.unwrap();
    let n = reopened
        .fetch_all("SELECT name FROM secrets WHERE name LIKE 'j%'", &[])
        .await
        .unwrap()
        .len();
    assert_eq!(n, want.len());
    reopened.close().await;
}

/// Jobs that start with a query (the savepoint travels in front of it, as for the lock
/// operations) or with a write refused by a unique violation, many to a group: each ends on
/// its own, and a refused first write undoes nothing of the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_starting_with_a_query_or_a_refused_write_end_each_on_their_own() {
    use folio_store::sql::TxEnd;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("folio.db"))
            .await
            .unwrap(),
    );
    store
        .execute(
            "INSERT INTO secrets (name, value) VALUES ('taken', x'00')",
            &[],
        )
        .await
        .unwrap();
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move {
                s.run_tx(Box::new(move |tx| {
                    Box::pin(async move {
                        let name = format!("q{i:03}");
                        if i % 3 == 2 {
                            let dup = tx
                                .execute(
                                    "INSERT INTO secrets (name, value) VALUES ('taken', x'01')",
                                    &[],
                                )
                                .await;
                            assert!(matches!(dup, Err(StoreError::AlreadyExists)), "{dup:?}");
                            return Ok(TxEnd::Rollback(false));
                        }
                        let row = tx
                            .fetch_optional(
                                "SELECT COUNT(*) AS n FROM secrets WHERE name = $1",
                                &[Arg::Text(Some(&name))],
                            )
                            .await?
                            .unwrap();
                        assert_eq!(row.int("n").unwrap(), 0);
                        tx.execute(
                            "INSERT INTO secrets (name, value) VALUES ($1, x'02')",
                            &[Arg::Text(Some(&name))],
                        )
                        .await?;
                        Ok(if i % 3 == 0 {
                            TxEnd::Commit(true)
                        } else {
                            TxEnd::Rollback(false)
                        })
                    })
                }))
                .await
            })
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        let committed = t.await.unwrap().unwrap_or_else(|e| panic!("job {i}: {e}"));
        assert_eq!(committed, i % 3 == 0, "job {i}");
    }
    let got: Vec<String> = store
        .fetch_all(
            "SELECT name FROM secrets WHERE name LIKE 'q%' ORDER BY name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.text("name").unwrap())
        .collect();
    let want: Vec<String> = (0..N)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("q{i:03}"))
        .collect();
    assert_eq!(got, want);
    store.close().await;
}
