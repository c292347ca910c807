//! Slow and greedy clients (issue "Hardening", bug 8) and other refusals at the edge: a client
//! trickling headers or stalling inside a body is cut off; SIGTERM finishes within its deadline
//! even with stalled uploads in flight, and nothing partial becomes visible.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::*;

const SHORT: &str =
    "header_read_timeout_secs = 2\nbody_idle_timeout_secs = 2\nshutdown_grace_secs = 2\n";

fn host_of(url: &str) -> String {
    url.strip_prefix("http://").unwrap_or(url).to_owned()
}

/// Reads until the server closes the connection (or `limit` passes); returns how long it took
/// and what was read, or `None` if the connection was still open at `limit`.
fn wait_closed(sock: &mut TcpStream, limit: Duration) -> Option<(Duration, Vec<u8>)> {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
        match sock.read(&mut buf) {
            Ok(0) => return Some((start.elapsed(), got)),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some((start.elapsed(), got)),
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_trickling_headers_are_cut_off() -> TestResult {
    let s = TestServer::start_with_config(Some(SHORT));
    let host = host_of(&s.url);
    let mut threads = Vec::new();
    for i in 0..10 {
        let host = host.clone();
        threads.push(std::thread::spawn(move || -> Option<Duration> {
            let mut sock = TcpStream::connect(&host).ok()?;
            sock.write_all(
                format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Slow-{i}: ").as_bytes(),
            )
            .ok()?;
            let start = Instant::now();
            // One byte a second, for up to 30 s; the server must close the socket long before.
            while start.elapsed() < Duration::from_secs(30) {
                if sock.write_all(b"a").is_err() {
                    return Some(start.elapsed());
                }
                let _ = sock.set_read_timeout(Some(Duration::from_secs(1)));
                let mut b = [0u8; 512];
                match sock.read(&mut b) {
                    Ok(0) => return Some(start.elapsed()),
                    Ok(_) => return Some(start.elapsed()), // a 408 or similar, then close
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return Some(start.elapsed()),
                }
            }
            None
        }));
    }
    // While they trickle, the server keeps answering others.
    let r = client().get(format!("{}/healthz", s.url)).send().await?;
    assert_eq!(r.status(), 200);
    for t in threads {
        let cut = t.join().map_err(|_| "slow-client thread panicked")?;
        let cut =
            cut.ok_or("a client sending one header byte a second stayed connected for 30 s")?;
        assert!(cut < Duration::from_secs(20), "cut off after {cut:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_upload_fails_and_leaves_the_previous_version() -> TestResult {
    let s = TestServer::start_with_config(Some(SHORT));
    let m = s.file_with_token("alice", "a.txt", b"version one");
    let url = m.contents_url();
    let rest = url.strip_prefix("http://").unwrap_or(&url);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut sock = TcpStream::connect(host)?;
    write!(
        sock,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nX-WOPI-Override: PUT\r\nContent-Length: 100000\r\n\r\npartial"
    )?;
    sock.flush()?;
    let (after, answer) = wait_closed(&mut sock, Duration::from_secs(30))
        .ok_or("a body silent for 30 s was not cut off")?;
    assert!(after < Duration::from_secs(20), "cut off after {after:?}");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || !answer.starts_with("HTTP/1.1 200"),
        "a stalled save was acknowledged: {answer}"
    );
    let body = client().get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(&body[..], b"version one");
    let info: serde_json::Value = client().get(m.file_url()).send().await?.json().await?;
    assert_eq!(info["Size"], 11);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_finishes_within_the_deadline_despite_stalled_uploads() -> TestResult {
    let mut s = TestServer::start_with_config(Some(
        "header_read_timeout_secs = 60\nbody_idle_timeout_secs = 600\nshutdown_grace_secs = 2\n",
    ));
    let m = s.file_with_token("bob", "b.txt", b"kept");
    // Locked, so PutFile reads its body (an unlocked non-empty file is refused before that).
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "L1")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let url = m.contents_url();
    let rest = url.strip_prefix("http://").unwrap_or(&url).to_owned();
    let (host, path) = rest.split_once('/').unwrap_or((&rest, ""));
    let mut socks = Vec::new();
    for _ in 0..5 {
        let mut sock = TcpStream::connect(host)?;
        write!(
            sock,
            "POST /{path} HTTP/1.1\r\nHost: {host}\r\nX-WOPI-Override: PUT\r\nX-WOPI-Lock: L1\r\nContent-Length: 1000000\r\n\r\nstalled"
        )?;
        sock.flush()?;
        socks.push(sock);
    }
    // Let the requests reach their handlers: a request that is being served shows in the log
    // only at its end, so wait on the server answering others instead.
    let r = client().get(format!("{}/healthz", s.url)).send().await?;
    assert_eq!(r.status(), 200);
    let start = Instant::now();
    let status = s.terminate().ok_or("server was not running")?;
    let took = start.elapsed();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        took < Duration::from_secs(15),
        "shutdown took {took:?} (grace 2 s)"
    );
    assert!(
        s.server_log().contains("shutdown deadline reached"),
        "the deadline, not the clients, ended the shutdown"
    );
    drop(socks);
    s.spawn(&[]);
    let m = s.token(
        "bob",
        m.wopi_src.rsplit('/').next().unwrap_or_default(),
        &[],
    );
    let body = client().get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(&body[..], b"kept", "no partial upload became visible");
    Ok(())
}

#[test]
fn token_ttl_is_capped() {
    let s = TestServer::start();
    s.add_user("carol");
    let id = s.put_file("carol", "c.txt", b"c");
    let out = s.cli(&[
        "token",
        "--user",
        "carol",
        "--file",
        &id,
        "--ttl",
        "315360000",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "ten years is refused with exit code 2"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_token_ttl_secs"));
    let ok = s.cli(&["token", "--user", "carol", "--file", &id, "--ttl", "3600"]);
    assert!(ok.status.success());
}

/// Issue "Hardening", bug 2: `next` after sign-in is followed only to same-origin paths; a tab
/// (which browsers strip, turning `/\t/evil.example` into `//evil.example`) or CR/LF sends the
/// user home instead, and never reaches the form or a 500.
#[tokio::test(flavor = "multi_thread")]
async fn sign_in_never_redirects_off_site() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("dora", "correct horse battery");
    for (query, raw) in [
        ("/%09/evil.example", "/\t/evil.example"),
        ("//evil.example", "//evil.example"),
        ("/%0d%0aSet-Cookie:x=1", "/\r\nSet-Cookie:x=1"),
        ("/%5Cevil.example", "/\\evil.example"),
    ] {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let page = c
            .get(format!("{}/login?next={query}", s.url))
            .send()
            .await?;
        assert_eq!(page.status(), 200, "{query}");
        let html = page.text().await?;
        assert_eq!(
            form_value(&html, "next"),
            "/",
            "{query}: the form carries only a safe path"
        );
        let csrf = form_value(&html, "csrf");
        let r = c
            .post(format!("{}/login", s.url))
            .form(&[
                ("login", "dora"),
                ("password", "correct horse battery"),
                ("csrf", csrf.as_str()),
                ("next", raw),
            ])
            .send()
            .await?;
        assert_eq!(r.status(), 303, "{query}");
        assert_eq!(
            r.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/"),
            "{query}"
        );
    }
    Ok(())
}

/// Issue "Hardening", bug 10: the development editor's key rotation is not cross-site-postable.
/// A form POST from another site (a simple request: no custom header, foreign `Origin`) and a
/// marked request from a foreign origin are refused with 403 and rotate nothing; the marked
/// same-origin call works.
#[tokio::test(flavor = "multi_thread")]
async fn dev_editor_key_rotation_refuses_cross_site_posts() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    let url = format!("{}/dev-editor/rotate-keys", s.url);
    let discovery = || async {
        client()
            .get(format!("{}/dev-editor/hosting/discovery", s.url))
            .send()
            .await?
            .text()
            .await
    };
    let before = discovery().await?;
    let form = client()
        .post(&url)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await?;
    assert_eq!(form.status(), 403, "a cross-site form POST");
    let foreign = client()
        .post(&url)
        .header("origin", "https://evil.example")
        .header("x-folio-dev", "1")
        .send()
        .await?;
    assert_eq!(
        foreign.status(),
        403,
        "a marked request from another origin"
    );
    let unmarked = client().post(&url).send().await?;
    assert_eq!(unmarked.status(), 403, "no X-Folio-Dev header");
    assert_eq!(discovery().await?, before, "refusals rotate nothing");

    let ok = client()
        .post(&url)
        .header("origin", s.url.as_str())
        .header("x-folio-dev", "1")
        .send()
        .await?;
    assert_eq!(ok.status(), 200);
    assert_ne!(
        discovery().await?,
        before,
        "the proper call rotates the keys"
    );
    Ok(())
}

/// Issue "Hardening", security headers: the host page of an editor on another origin allows
/// exactly what it needs — its form POSTs the token to the editor's action URL and frames it —
/// and is itself never framed; the editor's origin is not allowed on other pages.
#[tokio::test(flavor = "multi_thread")]
async fn the_host_page_allows_its_editor_origin_and_nothing_frames_it() -> TestResult {
    // The editor: another Folio serving the development editor, on another port (origin).
    let editor = TestServer::start_with(None, &["--dev-editor"]);
    let discovery = format!("{}/dev-editor/hosting/discovery", editor.url);
    let config = format!("[[editors]]\nname = \"remote\"\ndiscovery = \"{discovery}\"\n");
    let host = TestServer::start_with(Some(&config), &[]);
    assert!(
        TestServer::eventually(|| async {
            host.editors_status().await["editors"][0]["loaded"] == true
        })
        .await,
        "the editor's discovery is loaded"
    );
    host.add_user_with_password("hope", "hope password 1");
    let id = host.put_file("hope", "notes.txt", b"hello");
    let c = web_client(&host, "hope", "hope password 1").await;
    let page = c
        .get(format!("{}/open/{id}?action=view", host.url))
        .send()
        .await?;
    assert_eq!(page.status(), 200);
    let csp = header(&page, "content-security-policy")
        .unwrap_or_default()
        .to_owned();
    let origin = editor.url.trim_end_matches('/');
    assert!(
        csp.contains(&format!("form-action 'self' {origin}")),
        "{csp}"
    );
    assert!(csp.contains(&format!("frame-src 'self' {origin}")), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(header(&page, "x-frame-options"), Some("DENY"));
    assert_eq!(header(&page, "referrer-policy"), Some("no-referrer"));
    let html = page.text().await?;
    assert!(
        !html.contains("<style") && !html.contains(" style=") && !html.contains("<script>"),
        "no inline style or script: {html}"
    );
    let home = c.get(format!("{}/", host.url)).send().await?;
    let other = header(&home, "content-security-policy").unwrap_or_default();
    assert!(!other.contains(origin), "{other}");
    Ok(())
}
