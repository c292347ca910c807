//! The shared conformance suite against a fresh PostgreSQL database, plus migration and
//! availability behaviour. Needs a PostgreSQL server (see the crate README); fails when there is
//! none.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use folio_store::{MetadataStore, StoreError};
use folio_store_postgres::PostgresStore;
use sqlx::{Connection, PgConnection};

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// The server URL (no database name) and its query string, if any.
fn server() -> (String, String) {
    let url = std::env::var("FOLIO_TEST_PG").unwrap_or_else(|_| DEFAULT_SERVER.into());
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (url, String::new()),
    };
    (base.trim_end_matches('/').to_owned(), query)
}

fn database_url(db: &str) -> String {
    let (base, query) = server();
    format!("{base}/{db}{query}")
}

async fn admin() -> PgConnection {
    let url = database_url("postgres");
    match tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(&url)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => panic!(
            "PostgreSQL is not reachable at {url}: {e}. These tests need a server: start one \
             (e.g. `pg_ctlcluster 15 main start`) or point FOLIO_TEST_PG at one"
        ),
        Err(_) => panic!("PostgreSQL at {url} did not answer within 10 s"),
    }
}

/// A fresh, empty database, dropped when the test is done with it.
struct TestDb {
    name: String,
}

impl TestDb {
    async fn create() -> Self {
        let name = format!("folio_test_{}", folio_store::random_id(16).to_lowercase());
        let mut conn = admin().await;
        let sql = format!("CREATE DATABASE {name}");
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
        {
            panic!("CREATE DATABASE {name} failed: {e}");
        }
        let _ = conn.close().await;
        Self { name }
    }

    fn url(&self) -> String {
        database_url(&self.name)
    }

    async fn store(&self) -> PostgresStore {
        match PostgresStore::connect(&self.url(), 8).await {
            Ok(s) => s,
            Err(e) => panic!("connect to {} failed: {e}", self.url()),
        }
    }

    async fn drop_db(self) {
        let mut conn = admin().await;
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
        {
            panic!("DROP DATABASE {} failed: {e}", self.name);
        }
        let _ = conn.close().await;
    }
}

/// Runs `body` with a migrated store on a fresh database, dropping the database afterwards
/// even when `body` panics (the panic is then re-raised).
async fn with_store<F, Fut>(body: F)
where
    F: FnOnce(Arc<PostgresStore>, String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    if let Err(e) = store.migrate().await {
        db.drop_db().await;
        panic!("migrate failed: {e}");
    }
    let url = db.url();
    let task = {
        let store = store.clone();
        tokio::spawn(async move { body(store, url).await })
    };
    let outcome = task.await;
    store.close().await;
    db.drop_db().await;
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("test task failed: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_passes_the_conformance_suite() {
    with_store(|store, _| async move {
        folio_store::conformance::metadata_suite(store).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrating_twice_is_a_no_op() {
    with_store(|store, url| async move {
        if let Err(e) = store.migrate().await {
            panic!("second migrate failed: {e}");
        }
        // A second process (another replica) migrating the same database is fine too.
        let other = match PostgresStore::connect(&url, 2).await {
            Ok(s) => s,
            Err(e) => panic!("second connect failed: {e}"),
        };
        let (a, b) = tokio::join!(store.migrate(), other.migrate());
        if let Err(e) = a.and(b) {
            panic!("concurrent migrate failed: {e}");
        }
        other.close().await;
        match store.any_user().await {
            Ok(false) => {}
            other => panic!("fresh migrated store: {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_to_a_closed_port_is_unavailable_quickly() {
    // A port nothing listens on: bind one, note it, release it.
    let port = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => match l.local_addr() {
            Ok(a) => a.port(),
            Err(e) => panic!("local_addr: {e}"),
        },
        Err(e) => panic!("bind: {e}"),
    };
    let url = format!("postgres://postgres@127.0.0.1:{port}/folio");
    let started = Instant::now();
    let result =
        tokio::time::timeout(Duration::from_secs(30), PostgresStore::connect(&url, 2)).await;
    let elapsed = started.elapsed();
    match result {
        Ok(Err(StoreError::Unavailable(msg))) => {
            assert!(!msg.is_empty());
        }
        Ok(Err(e)) => panic!("expected Unavailable, got {e:?}"),
        Ok(Ok(_)) => panic!("connected to a closed port?"),
        Err(_) => panic!("connect to a closed port hung for 30 s"),
    }
    assert!(
        elapsed < Duration::from_secs(10),
        "Unavailable must come fast, took {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_recovers_when_the_server_drops_its_connections() {
    with_store(|store, url| async move {
        if let Err(e) = store.ping().await {
            panic!("ping: {e}");
        }
        // Kill every backend of this database (what a server restart or failover does).
        let db = url
            .rsplit('/')
            .next()
            .and_then(|s| s.split('?').next())
            .unwrap_or_default()
            .to_owned();
        let mut conn = admin().await;
        let killed = sqlx::query(
            "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1",
        )
        .bind(&db)
        .fetch_one(&mut conn)
        .await;
        if let Err(e) = killed {
            panic!("pg_terminate_backend: {e}");
        }
        let _ = conn.close().await;
        // Every pooled connection is dead; the store must notice and reconnect.
        for _ in 0..4 {
            if let Err(e) = store.ping().await {
                panic!("ping after the connections were dropped: {e}");
            }
            match store.any_user().await {
                Ok(false) => {}
                other => panic!("any_user after reconnect: {other:?}"),
            }
        }
    })
    .await;
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what} failed: {e:?}"))
}

/// Two pools on one database behave like two replicas: every racing operation succeeds or
/// loses cleanly, and the unique/lock rules hold across them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_race_without_errors() {
    use folio_store::*;
    use folio_wopi::lock::{LOCK_TTL_MS, LockRequest};
    use folio_wopi::{LockId, WopiError};

    const NOW: i64 = 1_800_000_000_000;
    with_store(|a, url| async move {
        let b = Arc::new(ok(PostgresStore::connect(&url, 8).await, "connect b"));
        let replicas: [Arc<PostgresStore>; 2] = [a.clone(), b.clone()];
        let pick = move |i: usize| replicas[i % 2].clone();
        let content = |key: &str| ContentRecord {
            blob_key: key.to_owned(),
            size: 1,
            sha256: vec![1; 32],
            created_at: NOW,
            author_id: "x".into(),
            source: "test".into(),
            kind: folio_store::VersionKind::Save,
        };
        let user = ok(
            a.create_user(
                NewUser {
                    login: "racer".into(),
                    name: "Racer".into(),
                    email: String::new(),
                    is_admin: false,
                    password_hash: None,
                },
                NOW,
            )
            .await,
            "create_user",
        );

        // The same folder path from everywhere at once: one folder.
        let mut tasks = Vec::new();
        for i in 0..16 {
            let (s, owner) = (pick(i), user.id.clone());
            tasks.push(tokio::spawn(async move {
                s.ensure_folder_path(&owner, &["A".into(), "B".into()], NOW)
                    .await
            }));
        }
        let mut ids = HashSet::new();
        for t in tasks {
            ids.insert(ok(ok(t.await, "join"), "ensure_folder_path").id);
        }
        assert_eq!(ids.len(), 1, "one folder for one path");
        let folder = ids.into_iter().next().unwrap_or_default();

        // New files with the same requested name: each gets its own free name.
        let mut tasks = Vec::new();
        for i in 0..16 {
            let (s, folder, owner) = (pick(i), folder.clone(), user.id.clone());
            let c = content(&format!("c{i}"));
            tasks.push(tokio::spawn(async move {
                let names = |n: u32| (n < 100).then(|| format!("doc{n}.docx"));
                s.create_file(
                    NewFile {
                        folder_id: folder,
                        owner_id: owner,
                        content: c,
                    },
                    &names,
                    NOW,
                )
                .await
            }));
        }
        let mut files = Vec::new();
        for t in tasks {
            files.push(ok(ok(t.await, "join"), "create_file"));
        }
        let names: HashSet<String> = files.iter().map(|f| f.name.to_lowercase()).collect();
        assert_eq!(names.len(), 16, "distinct names: {names:?}");

        // Renames to the same name: each lands on a distinct free candidate.
        let mut tasks = Vec::new();
        for (i, f) in files.iter().enumerate() {
            let (s, id) = (pick(i), f.id.clone());
            tasks.push(tokio::spawn(async move {
                let names = |n: u32| (n < 100).then(|| format!("Renamed {n}.docx"));
                s.rename_file(&id, None, &names, NOW).await
            }));
        }
        let mut renamed = HashSet::new();
        for t in tasks {
            renamed.insert(ok(ok(ok(t.await, "join"), "rename_file"), "rename outcome").name);
        }
        assert_eq!(
            renamed.len(),
            16,
            "distinct names after renames: {renamed:?}"
        );

        // Concurrent saves of one file: every one becomes its own version.
        let target = files[0].id.clone();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let (s, id, c) = (pick(i), target.clone(), content(&format!("v{i}")));
            tasks.push(tokio::spawn(async move {
                s.commit_version(&id, WriteCheck::Unlocked, c, NOW).await
            }));
        }
        let mut versions = HashSet::new();
        for t in tasks {
            versions
                .insert(ok(ok(ok(t.await, "join"), "commit_version"), "commit outcome").version);
        }
        assert_eq!(versions, (2..=17).collect::<HashSet<i64>>());
        assert_eq!(ok(a.versions(&target).await, "versions").len(), 17);

        // Locks from both replicas: one winner.
        let mut tasks = Vec::new();
        for i in 0..32 {
            let (s, id) = (pick(i), target.clone());
            tasks.push(tokio::spawn(async move {
                let l = LockId::from_trusted(format!("lock-{i}"));
                s.apply_lock(&id, &LockRequest::Lock(l), NOW).await
            }));
        }
        let mut winners = 0;
        for t in tasks {
            match ok(ok(t.await, "join"), "apply_lock") {
                Ok(_) => winners += 1,
                Err(WopiError::LockMismatch {
                    current: Some(_), ..
                }) => {}
                other => panic!("unexpected lock outcome {other:?}"),
            }
        }
        assert_eq!(winners, 1);
        // Expiry sweeps from both replicas: reported once.
        let (x, y) = tokio::join!(
            a.expire_locks(NOW + LOCK_TTL_MS),
            b.expire_locks(NOW + LOCK_TTL_MS)
        );
        assert_eq!(ok(x, "expire a").len() + ok(y, "expire b").len(), 1);

        // External users, secrets, nonces, launch codes.
        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = pick(i);
            tasks.push(tokio::spawn(async move {
                let ext = ExternalUser {
                    external_id: "crm-1".into(),
                    name: format!("N{i}"),
                    email: String::new(),
                    language: String::new(),
                };
                s.upsert_external_user(&ext, NOW).await
            }));
        }
        let mut users = HashSet::new();
        for t in tasks {
            let u = ok(ok(t.await, "join"), "upsert_external_user");
            assert!(ok(a.folder(&u.root_folder_id).await, "root").is_some());
            users.insert(u.id);
        }
        assert_eq!(users.len(), 1, "one user per external id");
        let ext_user = users.into_iter().next().unwrap_or_default();

        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = pick(i);
            tasks.push(tokio::spawn(async move {
                let secret = s.secret("shared", format!("fresh-{i}").as_bytes()).await;
                let nonce = s.use_nonce("jti", NOW + 100, NOW).await;
                (secret, nonce)
            }));
        }
        let (mut secrets, mut fresh_nonces) = (HashSet::new(), 0);
        for t in tasks {
            let (secret, nonce) = ok(t.await, "join");
            secrets.insert(ok(secret, "secret"));
            fresh_nonces += usize::from(ok(nonce, "use_nonce"));
        }
        assert_eq!(secrets.len(), 1, "first secret wins everywhere");
        assert_eq!(fresh_nonces, 1, "a nonce is used once");

        let session = WopiSessionRecord {
            id: "s1".into(),
            api_key_id: None,
            user_id: ext_user,
            file_id: target.clone(),
            can_write: false,
            client: None,
            action: None,
            expires_at: NOW + 1000,
            created_at: NOW,
            revoked_at: None,
            close_url: None,
        };
        ok(
            a.create_wopi_session(&session, Some(b"code")).await,
            "create_wopi_session",
        );
        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = pick(i);
            tasks.push(tokio::spawn(async move {
                s.take_launch_code(b"code", NOW).await
            }));
        }
        let mut taken = 0;
        for t in tasks {
            taken += usize::from(ok(ok(t.await, "join"), "take_launch_code").is_some());
        }
        assert_eq!(taken, 1, "a launch code is redeemed once");

        // Webhook deliveries: replicas claim disjoint sets.
        for e in 0..10 {
            let ev = OutboxEvent {
                id: format!("ev{e}"),
                event_type: "file.saved".into(),
                payload: "{}".into(),
                created_at: NOW,
            };
            ok(
                a.enqueue_event(&ev, &["http://a".into(), "http://b".into()])
                    .await,
                "enqueue_event",
            );
        }
        let mut tasks = Vec::new();
        for i in 0..8 {
            let s = pick(i);
            tasks.push(tokio::spawn(async move {
                s.claim_deliveries(NOW, 5, 60_000).await
            }));
        }
        let mut claimed = Vec::new();
        for t in tasks {
            claimed.extend(
                ok(ok(t.await, "join"), "claim_deliveries")
                    .into_iter()
                    .map(|d| d.id),
            );
        }
        let unique: HashSet<&String> = claimed.iter().collect();
        assert_eq!(unique.len(), claimed.len(), "a delivery is claimed once");
        assert_eq!(claimed.len(), 20, "all due deliveries were claimed");

        b.close().await;
    })
    .await;
}
