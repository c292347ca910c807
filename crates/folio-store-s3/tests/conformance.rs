//! `S3BlobStore` against s3s-fs (an S3 server on the file system that checks SigV4 signatures)
//! served in-process on 127.0.0.1:0, behind a small wrapper that logs requests, can delay part
//! uploads and can answer 503.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use folio_store::{BlobKey, BlobStore, ByteStream, StoreError};
use folio_store_s3::{MAX_PARTS_IN_FLIGHT, PART_SIZE, S3BlobStore};
use futures::StreamExt;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use sha2::{Digest, Sha256};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const BUCKET: &str = "folio";
const KEY_ID: &str = "folio-test";
const SECRET: &str = "folio-test-secret";

/// What the wrapper around the S3 service records and how it misbehaves.
#[derive(Default)]
struct Control {
    /// "METHOD path?query" of every request.
    log: Mutex<Vec<String>>,
    /// Bytes of part uploads the server has fully handled.
    parts_done: AtomicU64,
    /// Extra time each part upload takes.
    part_delay_ms: AtomicU64,
    /// Answer every request with 503.
    fail: AtomicBool,
}

impl Control {
    fn log(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

struct Server {
    endpoint: String,
    root: tempfile::TempDir,
    control: Arc<Control>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir(root.path().join(BUCKET))?;
        let fs = s3s_fs::FileSystem::new(root.path()).map_err(|e| format!("s3s-fs: {e:?}"))?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(KEY_ID, SECRET));
        let s3 = builder.build();
        let control = Arc::new(Control::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let ctl = control.clone();
        let task = tokio::spawn(async move {
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let (s3, ctl) = (s3.clone(), ctl.clone());
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let (s3, ctl) = (s3.clone(), ctl.clone());
                        async move {
                            let uri = req.uri().clone();
                            if let Ok(mut log) = ctl.log.lock() {
                                log.push(format!("{} {uri}", req.method()));
                            }
                            if ctl.fail.load(Ordering::SeqCst) {
                                return hyper::Response::builder()
                                    .status(503)
                                    .body(s3s::Body::from("down".to_owned()))
                                    .map_err(|e| s3s::HttpError::new(Box::new(e)));
                            }
                            let part = req.method() == hyper::Method::PUT
                                && uri.query().is_some_and(|q| q.contains("partNumber="));
                            let len = req
                                .headers()
                                .get(hyper::header::CONTENT_LENGTH)
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.parse::<u64>().ok())
                                .unwrap_or(0);
                            if part {
                                let delay = ctl.part_delay_ms.load(Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(delay)).await;
                            }
                            let res = s3.call(req.map(s3s::Body::from)).await;
                            if part && res.as_ref().is_ok_and(|r| r.status().is_success()) {
                                ctl.parts_done.fetch_add(len, Ordering::SeqCst);
                            }
                            res
                        }
                    },
                );
                let conn = http
                    .serve_connection(TokioIo::new(socket), service)
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        Ok(Self {
            endpoint,
            root,
            control,
            task,
        })
    }

    fn store(&self, url: &str) -> Result<S3BlobStore, StoreError> {
        S3BlobStore::with_config(url, &self.endpoint, "us-east-1", KEY_ID, SECRET, true)
    }

    /// Leftovers of multipart uploads in s3s-fs's root (`.upload-*`, `.upload_id-*`, temp
    /// parts), anywhere under the root.
    fn upload_leftovers(&self) -> Vec<String> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(".upload") || name.starts_with(".tmp.") {
                    out.push(name);
                } else if e.path().is_dir() {
                    walk(&e.path(), out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.root.path(), &mut out);
        out
    }
}

/// A body of `len` bytes in `chunk`-sized pieces, then optionally an error; `read` counts the
/// bytes handed out, and the closure checks each step.
fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(31) ^ (i >> 13)) as u8
}

fn generated(
    len: usize,
    chunk: usize,
    fail_at_end: bool,
    mut on_chunk: impl FnMut(usize) + Send + 'static,
) -> ByteStream {
    let chunks = (0..len).step_by(chunk).map(move |start| {
        let end = (start + chunk).min(len);
        let bytes: Vec<u8> = (start..end).map(pattern).collect();
        Ok(Bytes::from(bytes))
    });
    let tail = fail_at_end.then(|| {
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        ))
    });
    let mut sent = 0;
    Box::pin(futures::stream::iter(chunks.chain(tail)).inspect(move |c| {
        if let Ok(b) = c {
            sent += b.len();
            on_chunk(sent);
        }
    }))
}

async fn read_all(mut s: ByteStream) -> Result<Vec<u8>, std::io::Error> {
    let mut out = Vec::new();
    while let Some(c) = s.next().await {
        out.extend_from_slice(&c?);
    }
    Ok(out)
}

#[tokio::test]
async fn passes_the_conformance_suite_at_the_bucket_root() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio")?;
    folio_store::conformance::blob_suite(&store).await;
    assert!(
        server.upload_leftovers().is_empty(),
        "{:?}",
        server.upload_leftovers()
    );
    Ok(())
}

#[tokio::test]
async fn passes_the_conformance_suite_under_a_prefix() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio/tenants/a/")?;
    folio_store::conformance::blob_suite(&store).await;
    // The objects really are under the prefix, sharded by the key's first two characters.
    let key = BlobKey::generate();
    store
        .put(&key, generated(10, 10, false, |_| {}), 100)
        .await?;
    let k = key.as_str();
    let file = server
        .root
        .path()
        .join(format!("{BUCKET}/tenants/a/blobs/{}/{k}", &k[..2]));
    assert!(file.is_file(), "{file:?}");
    // Another prefix in the same bucket sees none of it.
    let other = server.store("s3://folio/tenants/b")?;
    assert!(other.list().await?.is_empty());
    assert!(matches!(other.get(&key).await, Err(StoreError::NotFound)));
    Ok(())
}

#[tokio::test]
async fn a_20_mib_streamed_put_uses_parts_and_round_trips() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio")?;
    let len = 20 * 1024 * 1024;
    let expected: Vec<u8> = (0..len).map(pattern).collect();
    let key = BlobKey::generate();
    let put = store
        .put(&key, generated(len, 64 * 1024, false, |_| {}), 100 << 20)
        .await?;
    assert_eq!(put.size, len as u64);
    assert_eq!(put.sha256, Sha256::digest(&expected).to_vec());

    let log = server.control.log();
    let parts = log.iter().filter(|l| l.contains("partNumber=")).count();
    assert_eq!(parts, len.div_ceil(PART_SIZE), "{log:#?}");
    assert!(
        log.iter()
            .any(|l| l.starts_with("POST") && l.contains("uploads"))
    );
    assert!(
        log.iter()
            .any(|l| l.starts_with("POST") && l.contains("uploadId="))
    );

    let got = read_all(store.get(&key).await?).await?;
    assert!(got == expected, "downloaded bytes differ");
    let listed = store.list().await?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, key);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    assert!(
        (now.as_millis() as i64 - listed[0].1).abs() < 60_000,
        "{listed:?}"
    );
    assert!(
        server.upload_leftovers().is_empty(),
        "{:?}",
        server.upload_leftovers()
    );
    Ok(())
}

#[tokio::test]
async fn a_body_exactly_one_part_long_round_trips() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio")?;
    let key = BlobKey::generate();
    let put = store
        .put(
            &key,
            generated(PART_SIZE, 1 << 20, false, |_| {}),
            100 << 20,
        )
        .await?;
    assert_eq!(put.size, PART_SIZE as u64);
    assert_eq!(read_all(store.get(&key).await?).await?.len(), PART_SIZE);
    Ok(())
}

#[tokio::test]
async fn a_multipart_upload_that_fails_midway_leaves_nothing() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio")?;

    // The body breaks after 20 MiB: two parts were uploaded already.
    let broken = BlobKey::generate();
    let r = store
        .put(
            &broken,
            generated(20 << 20, 64 << 10, true, |_| {}),
            100 << 20,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Aborted(_))), "{r:?}");

    // Over the limit after more than one part.
    let big = BlobKey::generate();
    let r = store
        .put(&big, generated(20 << 20, 64 << 10, false, |_| {}), 12 << 20)
        .await;
    assert!(
        matches!(r, Err(StoreError::TooLarge { limit }) if limit == 12 << 20),
        "{r:?}"
    );

    let log = server.control.log();
    let aborts = log
        .iter()
        .filter(|l| l.starts_with("DELETE") && l.contains("uploadId="))
        .count();
    assert_eq!(aborts, 2, "both uploads are aborted: {log:#?}");
    assert!(matches!(
        store.get(&broken).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.get(&big).await, Err(StoreError::NotFound)));
    assert!(store.list().await?.is_empty());
    assert!(
        server.upload_leftovers().is_empty(),
        "{:?}",
        server.upload_leftovers()
    );
    Ok(())
}

#[tokio::test]
async fn a_cancelled_put_aborts_its_upload() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio")?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let body: ByteStream = Box::pin(tokio_stream_from(rx));
    let key = BlobKey::generate();
    let put = tokio::spawn({
        let store = store.clone();
        let key = key.clone();
        async move { store.put(&key, body, 100 << 20).await }
    });
    // Feed two parts' worth, then the request handler goes away (its future is dropped).
    for _ in 0..(2 * PART_SIZE / (1 << 20)) {
        tx.send(Ok(Bytes::from(vec![7u8; 1 << 20]))).await?;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    put.abort();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = server.control.log();
        if log
            .iter()
            .any(|l| l.starts_with("DELETE") && l.contains("uploadId="))
        {
            break;
        }
        assert!(Instant::now() < deadline, "no abort request: {log:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(matches!(store.get(&key).await, Err(StoreError::NotFound)));
    Ok(())
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[tokio::test]
async fn uploads_read_the_body_only_a_few_parts_ahead_of_the_server() -> TestResult {
    let server = Server::start().await?;
    // Slow parts: the body would be read far ahead without back pressure.
    server.control.part_delay_ms.store(300, Ordering::SeqCst);
    let store = server.store("s3://folio")?;
    let chunk = 256 * 1024;
    let control = server.control.clone();
    let ahead = Arc::new(AtomicU64::new(0));
    let peak = ahead.clone();
    let body = generated(48 << 20, chunk, false, move |sent| {
        let done = control.parts_done.load(Ordering::SeqCst);
        peak.fetch_max(sent as u64 - done.min(sent as u64), Ordering::SeqCst);
    });
    let key = BlobKey::generate();
    let put = store.put(&key, body, 100 << 20).await?;
    assert_eq!(put.size, 48 << 20);
    let peak = ahead.load(Ordering::SeqCst);
    let bound = (MAX_PARTS_IN_FLIGHT * PART_SIZE + chunk) as u64;
    assert!(
        peak <= bound,
        "read {peak} bytes ahead of the server (bound {bound})"
    );
    eprintln!(
        "peak read-ahead: {:.1} MiB (bound {:.1} MiB)",
        peak as f64 / 1048576.0,
        bound as f64 / 1048576.0
    );
    Ok(())
}

#[tokio::test]
async fn ping_against_a_closed_port_is_unavailable_quickly() -> TestResult {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let store = S3BlobStore::with_config(
        "s3://folio",
        &format!("http://127.0.0.1:{port}"),
        "us-east-1",
        KEY_ID,
        SECRET,
        true,
    )?;
    let t0 = Instant::now();
    let r = store.ping().await;
    let elapsed = t0.elapsed();
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    eprintln!("ping against a closed port: {r:?} after {elapsed:?}");
    let key = BlobKey::generate();
    let r = store.get(&key).await.map(|_| ());
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    let r = store.put(&key, generated(10, 10, false, |_| {}), 100).await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    Ok(())
}

#[tokio::test]
async fn server_errors_are_unavailable_and_other_failures_are_backend() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio")?;
    let key = BlobKey::generate();
    store
        .put(&key, generated(10, 10, false, |_| {}), 100)
        .await?;

    server.control.fail.store(true, Ordering::SeqCst);
    let t0 = Instant::now();
    let r = store.ping().await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    eprintln!("ping against 503: {r:?} after {:?}", t0.elapsed());
    let r = store.get(&key).await.map(|_| ());
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    let r = store.list().await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    server.control.fail.store(false, Ordering::SeqCst);
    store.ping().await?;

    // Wrong credentials: reachable but refused, a configuration error rather than an outage.
    let wrong = S3BlobStore::with_config(
        "s3://folio",
        &server.endpoint,
        "us-east-1",
        KEY_ID,
        "not-the-secret",
        true,
    )?;
    let r = wrong.get(&key).await.map(|_| ());
    assert!(matches!(r, Err(StoreError::Backend(_))), "{r:?}");

    let r = wrong.ping().await;
    assert!(matches!(r, Err(StoreError::Backend(_))), "{r:?}");

    // A bucket that does not exist: ping fails (a configuration error too).
    let missing = server.store("s3://no-such-bucket")?;
    let r = missing.ping().await;
    assert!(
        matches!(&r, Err(StoreError::Backend(e)) if e.to_string().contains("NoSuchBucket")),
        "{r:?}"
    );
    Ok(())
}

#[tokio::test]
async fn list_skips_objects_that_are_not_blobs() -> TestResult {
    let server = Server::start().await?;
    let store = server.store("s3://folio")?;
    let key = BlobKey::generate();
    store.put(&key, generated(3, 3, false, |_| {}), 100).await?;
    let stray = server.root.path().join(BUCKET).join("blobs/xx");
    std::fs::create_dir_all(&stray)?;
    std::fs::write(stray.join("not-a-key"), b"x")?;
    std::fs::write(server.root.path().join(BUCKET).join("outside"), b"x")?;
    let keys: Vec<BlobKey> = store.list().await?.into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, vec![key]);
    Ok(())
}
