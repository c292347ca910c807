//! Saves are atomic: a save cut off (client disconnect, server crash) leaves the previous
//! version intact and no partial blob visible; leftovers are collected by the sweep.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::*;

fn blob_count(s: &TestServer) -> usize {
    count_files(&s.data.join("blobs"))
}

/// How a truncated PutFile ends once its bytes are sent.
#[derive(Clone, Copy)]
enum Then {
    /// The client hangs up.
    HangUp,
    /// The connection stays open until the server goes away (so a crash test never races the
    /// client's own hang-up).
    Hold,
}

/// Sends a PutFile that announces `total` bytes but sends only `sent`, then ends as `then`
/// says; `progress` counts the bytes written so far.
fn truncated_put(
    url: &str,
    lock: &str,
    total: usize,
    sent: usize,
    then: Then,
    progress: &AtomicUsize,
) -> std::io::Result<()> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut sock = TcpStream::connect(host)?;
    write!(
        sock,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nX-WOPI-Override: PUT\r\nX-WOPI-Lock: {lock}\r\nContent-Length: {total}\r\n\r\n"
    )?;
    let chunk = vec![b'z'; 64 * 1024];
    let mut n = 0;
    while n < sent {
        let k = chunk.len().min(sent - n);
        sock.write_all(&chunk[..k])?;
        n += k;
        progress.store(n, Ordering::SeqCst);
    }
    sock.flush()?;
    if let Then::Hold = then {
        use std::io::Read;
        let mut buf = [0u8; 1024];
        while matches!(sock.read(&mut buf), Ok(n) if n > 0) {}
    }
    drop(sock);
    Ok(())
}

/// Waits (up to `wait_limit()`) for a condition on the data directory.
async fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    TestServer::eventually(|| std::future::ready(cond())).await
}

#[tokio::test]
async fn client_disconnect_mid_save_keeps_the_previous_version_and_no_partial_blob() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("max", "doc.docx", b"original");
    let c = client();
    let r = c
        .post(m.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "D")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let blobs_before = blob_count(&s);
    truncated_put(
        &m.contents_url(),
        "D",
        8 << 20,
        2 << 20,
        Then::HangUp,
        &AtomicUsize::new(0),
    )?;
    // The server notices the hang-up and removes its temp file.
    assert!(
        wait_until(|| count_files(&s.data.join("tmp")) == 0).await,
        "temp file removed"
    );
    assert_eq!(blob_count(&s), blobs_before, "no new blob");
    let v: serde_json::Value = c.get(m.file_url()).send().await?.json().await?;
    assert_eq!(v["Version"], "1");
    assert_eq!(v["Size"], 8);
    let body = c.get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(body.as_ref(), b"original");
    Ok(())
}

#[tokio::test]
async fn crash_mid_save_keeps_the_previous_version_and_the_sweep_collects_leftovers() -> TestResult
{
    let mut s = TestServer::start();
    let m = s.file_with_token("ned", "doc.docx", b"before-crash");
    let c = client();
    c.post(m.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "C")
        .send()
        .await?;
    // Start a large save and SIGKILL the server while it streams.
    let url = m.contents_url();
    let progress = Arc::new(AtomicUsize::new(0));
    let sent = progress.clone();
    let writer =
        std::thread::spawn(move || truncated_put(&url, "C", 64 << 20, 32 << 20, Then::Hold, &sent));
    let tmp = s.data.join("tmp");
    // In progress: 16 MB written (more than the socket buffers hold, so the server is reading
    // the body) and, on local disk, its temp file exists.
    assert!(
        wait_until(|| progress.load(Ordering::SeqCst) >= 16 << 20).await,
        "upload in progress: {} bytes sent",
        progress.load(Ordering::SeqCst)
    );
    if s.local_blobs() {
        assert!(
            wait_until(|| count_files(&tmp) > 0).await,
            "upload in progress: temp file"
        );
    }
    s.kill();
    let _ = writer.join();
    // An orphan blob as if the crash came between blob write and metadata commit.
    let local = s.local_blobs();
    if local {
        let orphan_dir = s.data.join("blobs").join("zz");
        std::fs::create_dir_all(&orphan_dir)?;
        std::fs::write(orphan_dir.join(format!("zz{}", "0".repeat(30))), b"orphan")?;
    }
    let referenced_before = blob_count(&s).saturating_sub(1);

    s.spawn(&[]);
    let m = s.token(
        "ned",
        m.wopi_src.rsplit('/').next().unwrap_or_default(),
        &[],
    );
    let v: serde_json::Value = c.get(m.file_url()).send().await?.json().await?;
    assert_eq!(
        v["Version"], "1",
        "the interrupted save never became visible"
    );
    let body = c.get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(body.as_ref(), b"before-crash");

    let out = s.cli_ok(&["sweep", "--grace", "0"]);
    let report: serde_json::Value = serde_json::from_str(&out)?;
    if local {
        assert_eq!(report["orphan_blobs"], 1, "{out}");
        assert!(
            report["incomplete_uploads"].as_u64().unwrap_or(0) >= 1,
            "{out}"
        );
        assert_eq!(
            blob_count(&s),
            referenced_before,
            "referenced blobs survive the sweep"
        );
        assert_eq!(count_files(&s.data.join("tmp")), 0);
    }
    let body = c.get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(body.as_ref(), b"before-crash");
    // The lock survives the crash (it is in the database) and still expires normally.
    let r = c
        .post(m.file_url())
        .header("X-WOPI-Override", "GET_LOCK")
        .send()
        .await?;
    assert_eq!(header(&r, "x-wopi-lock"), Some("C"));
    Ok(())
}
