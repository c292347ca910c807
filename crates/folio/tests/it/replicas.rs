//! Several Folio processes on the same backends (shared SQLite data directory, or PostgreSQL +
//! S3): locks, saves and reads are consistent whichever replica a request hits; a replica
//! killed mid-save loses nothing; a database / object-store outage is a 503 that heals itself.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::*;

/// A second `folio serve` on the same data and backends as `s`.
struct Replica {
    child: Child,
    url: String,
}

impl Replica {
    fn start(s: &TestServer, extra_env: &[(&str, String)]) -> Replica {
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env("FOLIO_DATA", &s.data)
            .env_remove("FOLIO_PUBLIC_URL")
            .env_remove("FOLIO_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in s.backend_env() {
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn replica: {e}"));
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let url = line
            .strip_prefix("folio listening on ")
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("replica banner {line:?}"))
            .to_owned();
        Replica { child, url }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn at(base: &str, m: &Minted, suffix: &str) -> String {
    let id = m.wopi_src.rsplit('/').next().unwrap_or_default();
    format!("{base}/wopi/files/{id}{suffix}?access_token={}", m.token)
}

async fn lock(url: String, id: &str) -> u16 {
    match client()
        .post(url)
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", id)
        .send()
        .await
    {
        Ok(r) => r.status().as_u16(),
        Err(e) => panic!("LOCK: {e}"),
    }
}

#[tokio::test]
async fn two_replicas_share_locks_saves_and_survive_a_killed_replica() -> TestResult {
    let mut a = TestServer::start();
    let b = Replica::start(&a, &[]);
    let m = a.file_with_token("rep", "shared.docx", b"version 1");
    let c = client();
    // A lock taken through A is honoured by B.
    assert_eq!(lock(at(&a.url, &m, ""), "from-a").await, 200);
    let r = c
        .post(at(&b.url, &m, ""))
        .header("X-WOPI-Override", "GET_LOCK")
        .send()
        .await?;
    assert_eq!(header(&r, "x-wopi-lock"), Some("from-a"));
    let r = c
        .post(at(&b.url, &m, ""))
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "from-b")
        .send()
        .await?;
    assert_eq!(r.status(), 409);
    assert_eq!(header(&r, "x-wopi-lock"), Some("from-a"));
    // A save through A is read back through B.
    let r = c
        .post(at(&a.url, &m, "/contents"))
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "from-a")
        .body("version 2")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let got = c
        .get(at(&b.url, &m, "/contents"))
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(got.as_ref(), b"version 2");
    assert_eq!(
        c.post(at(&b.url, &m, ""))
            .header("X-WOPI-Override", "UNLOCK")
            .header("X-WOPI-Lock", "from-a")
            .send()
            .await?
            .status(),
        200
    );

    // 32 concurrent Locks with different ids, split across both replicas: exactly one winner.
    let mut tasks = Vec::new();
    for i in 0..32 {
        let base = if i % 2 == 0 {
            a.url.clone()
        } else {
            b.url.clone()
        };
        let url = at(&base, &m, "");
        tasks.push(tokio::spawn(async move {
            lock(url, &format!("race-{i}")).await
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await?);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        31,
        "{statuses:?}"
    );
    let r = c
        .post(at(&a.url, &m, ""))
        .header("X-WOPI-Override", "GET_LOCK")
        .send()
        .await?;
    let winner = header(&r, "x-wopi-lock").unwrap_or_default().to_owned();
    assert!(winner.starts_with("race-"));

    // Kill A (SIGKILL) in the middle of a 100 MB PutFile: once 20 MB have been taken from the
    // body stream (more than the socket buffers hold, so A is reading it), not after a guess.
    let big = at(&a.url, &m, "/contents");
    let lock_id = winner.clone();
    let sent = Arc::new(AtomicUsize::new(0));
    let sent_in_upload = sent.clone();
    let upload = tokio::spawn(async move {
        let chunks =
            futures::stream::iter((0..100).map(|_| Ok::<_, std::io::Error>(vec![7u8; 1 << 20])))
                .then(move |c| {
                    let sent = sent_in_upload.clone();
                    async move {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        sent.fetch_add(1, Ordering::SeqCst);
                        c
                    }
                });
        client()
            .post(big)
            .header("X-WOPI-Override", "PUT")
            .header("X-WOPI-Lock", lock_id)
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
    });
    wait_for("20 MB of the upload on its way to replica A", || async {
        match sent.load(Ordering::SeqCst) {
            n if n >= 20 => Ok(()),
            n => Err(format!("{n} MB taken from the body")),
        }
    })
    .await;
    a.kill();
    let result = upload.await?;
    assert!(
        result.is_err() || result.as_ref().is_ok_and(|r| !r.status().is_success()),
        "the cut-off save did not succeed"
    );
    // B still serves the previous version and keeps working.
    let v: serde_json::Value = c.get(at(&b.url, &m, "")).send().await?.json().await?;
    assert_eq!(v["Version"], "2");
    assert_eq!(
        c.get(at(&b.url, &m, "/contents"))
            .send()
            .await?
            .bytes()
            .await?
            .as_ref(),
        b"version 2"
    );
    let r = c
        .post(at(&b.url, &m, "/contents"))
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", &winner)
        .body("version 3")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-itemversion"), Some("3"));
    Ok(())
}

use futures::StreamExt;

/// A TCP proxy whose upstream can be cut and restored (a stand-in for stopping a server).
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    conns: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("proxy bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (up2, conns2) = (up.clone(), conns.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let h = tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                if let Ok(mut v) = conns2.lock() {
                    v.push(h);
                }
            }
        });
        Proxy { port, up, conns }
    }
    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Ok(mut v) = self.conns.lock() {
            for h in v.drain(..) {
                h.abort();
            }
        }
    }
    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn status(url: &str) -> u16 {
    match client().get(url).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// PostgreSQL (and then S3) go away while Folio runs: 503s and a failing readiness check, then
/// Folio recovers by itself. Only meaningful on the PostgreSQL + S3 backend (SQLite and local
/// disk are in-process); the SQLite pass says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_and_object_store_outages_are_503_and_heal() -> TestResult {
    if !postgres_s3() {
        eprintln!(
            "outage test: needs FOLIO_TEST_BACKEND=postgres-s3 (scripts/test runs it in the second pass)"
        );
        return Ok(());
    }
    let mut s = TestServer::start();
    let m = s.file_with_token("out", "o.docx", b"outage");
    let env = s.backend_env();
    let db_url = env
        .iter()
        .find(|(k, _)| k == "FOLIO_DATABASE_URL")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let s3 = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    let pg = PgServer::from_env();
    let pg_proxy = Proxy::start(pg.host_port.clone()).await;
    let s3_proxy = Proxy::start(s3.trim_start_matches("http://").to_owned()).await;
    let db_name = db_url
        .rsplit('/')
        .next()
        .and_then(|d| d.split('?').next())
        .unwrap_or_default();
    let proxied_db = pg.url_via(&format!("127.0.0.1:{}", pg_proxy.port), db_name);
    s.kill();
    s.spawn(&[
        ("FOLIO_DATABASE_URL", proxied_db.as_str()),
        (
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", s3_proxy.port).as_str(),
        ),
    ]);
    let cfi = m
        .file_url()
        .replace(&m.wopi_src[..m.wopi_src.find("/wopi").unwrap_or(0)], &s.url);
    let contents = m
        .contents_url()
        .replace(&m.wopi_src[..m.wopi_src.find("/wopi").unwrap_or(0)], &s.url);
    let ready = format!("{}/readyz", s.url);
    assert_eq!(status(&ready).await, 200);
    assert_eq!(status(&cfi).await, 200);

    // PostgreSQL down.
    pg_proxy.down();
    assert!(
        TestServer::eventually(|| async { status(&ready).await == 503 }).await,
        "readiness fails"
    );
    assert_eq!(
        status(&cfi).await,
        503,
        "a WOPI request is a 503, never a wrong 404"
    );
    pg_proxy.restore();
    assert!(
        TestServer::eventually(|| async { status(&ready).await == 200 }).await,
        "recovers by itself"
    );
    assert_eq!(status(&cfi).await, 200);

    // S3 down.
    s3_proxy.down();
    assert!(TestServer::eventually(|| async { status(&ready).await == 503 }).await);
    assert_eq!(
        status(&contents).await,
        503,
        "GetFile is a 503 while S3 is down"
    );
    s3_proxy.restore();
    assert!(TestServer::eventually(|| async { status(&ready).await == 200 }).await);
    assert_eq!(
        client()
            .get(&contents)
            .send()
            .await?
            .bytes()
            .await?
            .as_ref(),
        b"outage"
    );
    Ok(())
}
