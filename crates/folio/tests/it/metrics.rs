//! Operating Folio: `/metrics` after a scripted WOPI session (CheckFileInfo, Lock, PutFile, a
//! lock conflict, a bad proof) holds the expected series with the expected values; with
//! `--log-format json` every log line is a JSON object, every request is logged once with the
//! documented fields, and no secret (access token, its hash, a session cookie) shows up in the
//! logs or in `/metrics`.

use folio_wopi::proof::{ProofSigner, unix_ms_to_ticks};
use sha2::Digest;

use crate::support::*;

/// A WOPI client of our own: its discovery (a local file) publishes the key it signs with.
struct Editor {
    key: ProofSigner,
    discovery: std::path::PathBuf,
}

impl Editor {
    fn new(dir: &std::path::Path) -> Editor {
        let key = ProofSigner::generate(2048).unwrap_or_else(|e| panic!("key: {e}"));
        let xml = format!(
            r#"<wopi-discovery><net-zone name="external-https"><app name="Word">
<action name="edit" ext="docx" urlsrc="https://editor.example/edit?&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
</app></net-zone><proof-key value="{}" modulus="{}" exponent="{}" oldvalue="" oldmodulus="" oldexponent="" /></wopi-discovery>"#,
            key.csp_blob_b64(),
            key.modulus_b64(),
            key.exponent_b64()
        );
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
        let discovery = dir.join("ed-discovery.xml");
        std::fs::write(&discovery, xml).unwrap_or_else(|e| panic!("write discovery: {e}"));
        Editor { key, discovery }
    }

    /// `rb` with `X-WOPI-Proof`/`X-WOPI-TimeStamp` for `url` and `token`.
    fn sign(&self, rb: reqwest::RequestBuilder, url: &str, token: &str) -> reqwest::RequestBuilder {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let ticks = unix_ms_to_ticks(now);
        rb.header("X-WOPI-Proof", self.key.sign_request(token, url, ticks))
            .header("X-WOPI-TimeStamp", ticks.to_string())
    }
}

async fn scrape(s: &TestServer) -> String {
    let r = client()
        .get(format!("{}/metrics", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("/metrics: {e}"));
    assert_eq!(r.status(), 200);
    assert!(
        header(&r, "content-type").is_some_and(|c| c.starts_with("text/plain; version=0.0.4")),
        "Prometheus text format"
    );
    r.text().await.unwrap_or_default()
}

/// The value of the sample `series` (name and labels exactly as exported).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

fn wopi(route: &str, method: &str, operation: &str, status: u16) -> String {
    format!(
        "folio_http_requests_total{{surface=\"wopi\",method=\"{method}\",route=\"{route}\",operation=\"{operation}\",status=\"{status}\"}}"
    )
}

/// Starts a server whose one editor is `Editor`, plus a user, a file and a token.
fn server_with_editor(extra: &[&str]) -> (TestServer, Editor, Minted) {
    let keys_dir = std::env::temp_dir().join(format!("folio-it-editor-{}", rand_suffix()));
    let editor = Editor::new(&keys_dir);
    let discovery = editor.discovery.display().to_string();
    let mut args = vec!["--discovery", discovery.as_str()];
    args.extend_from_slice(extra);
    let s = TestServer::start_with(None, &args);
    let m = s.file_with_token("mira", "notes.docx", b"first");
    (s, editor, m)
}

#[tokio::test]
async fn metrics_after_a_scripted_wopi_session() -> TestResult {
    let (s, ed, m) = server_with_editor(&[]);
    let c = client();
    let file_url = m.file_url();

    let r = ed
        .sign(c.get(&file_url), &file_url, &m.token)
        .send()
        .await?;
    assert_eq!(r.status(), 200, "CheckFileInfo");
    let lock = |id: &'static str| {
        ed.sign(c.post(&file_url), &file_url, &m.token)
            .header("X-WOPI-Override", "LOCK")
            .header("X-WOPI-Lock", id)
            .send()
    };
    assert_eq!(lock("A").await?.status(), 200, "Lock");
    let body = vec![b'x'; 1234];
    let contents = m.contents_url();
    let r = ed
        .sign(c.post(&contents), &contents, &m.token)
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "A")
        .body(body)
        .send()
        .await?;
    assert_eq!(r.status(), 200, "PutFile");
    let r = lock("B").await?;
    assert_eq!(r.status(), 409, "a lock conflict");
    assert_eq!(header(&r, "x-wopi-lock"), Some("A"));
    // A forged signature with a fresh timestamp: refused as a bad signature.
    let ticks = unix_ms_to_ticks(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as i64,
    );
    let r = c
        .get(&file_url)
        .header("X-WOPI-Proof", "SU5WQUxJRA==")
        .header("X-WOPI-TimeStamp", ticks.to_string())
        .send()
        .await?;
    assert_eq!(r.status(), 500, "a proof failure");

    let t = scrape(&s).await;
    let file = "/wopi/files/{id}";
    for (series, want) in [
        (wopi(file, "GET", "CheckFileInfo", 200), 1.0),
        (wopi(file, "POST", "Lock", 200), 1.0),
        (wopi("/wopi/files/{id}/contents", "POST", "PutFile", 200), 1.0),
        (wopi(file, "POST", "Lock", 409), 1.0),
        (wopi(file, "GET", "CheckFileInfo", 500), 1.0),
        (
            "folio_wopi_lock_conflicts_total{operation=\"Lock\",reason=\"locked_with_another_id\"}"
                .to_owned(),
            1.0,
        ),
        (
            "folio_proof_key_failures_total{reason=\"bad_signature\"}".to_owned(),
            1.0,
        ),
        ("folio_wopi_put_file_bytes_sum".to_owned(), 1234.0),
        ("folio_wopi_put_file_bytes_count".to_owned(), 1.0),
        ("folio_wopi_put_file_duration_seconds_count".to_owned(), 1.0),
        (
            "folio_http_request_duration_seconds_count{surface=\"wopi\",method=\"POST\",route=\"/wopi/files/{id}\",operation=\"Lock\"}"
                .to_owned(),
            2.0,
        ),
        ("folio_locks_active{kind=\"wopi\"}".to_owned(), 1.0),
        ("folio_locks_active{kind=\"coauth\"}".to_owned(), 0.0),
        ("folio_webhook_deliveries{state=\"pending\"}".to_owned(), 0.0),
        ("folio_webhook_deliveries{state=\"failed\"}".to_owned(), 0.0),
    ] {
        assert_eq!(sample(&t, &series), Some(want), "{series} in\n{t}");
    }
    // Exactly one conflict and one proof failure in all, whatever the labels.
    let total = |name: &str| -> f64 {
        t.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    assert_eq!(total("folio_wopi_lock_conflicts_total"), 1.0);
    assert_eq!(total("folio_proof_key_failures_total"), 1.0);
    let wopi_requests: f64 = t
        .lines()
        .filter(|l| l.starts_with("folio_http_requests_total{surface=\"wopi\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(wopi_requests, 5.0, "five WOPI requests");
    // Scrape-time gauges: the editor's discovery is loaded and young; the pool is described.
    let loaded = t
        .lines()
        .find(|l| l.starts_with("folio_discovery_loaded{editor="))
        .unwrap_or_default();
    assert!(loaded.ends_with(" 1"), "{loaded:?}");
    let age = t
        .lines()
        .find_map(|l| {
            l.strip_prefix("folio_discovery_age_seconds{editor=")?
                .rsplit(' ')
                .next()
        })
        .and_then(|v| v.parse::<f64>().ok());
    assert!(age.is_some_and(|a| (0.0..3600.0).contains(&a)), "{age:?}");
    assert!(
        t.lines()
            .any(|l| l.starts_with("folio_db_pool_max_connections{pool=")),
        "pool figures"
    );
    assert!(sample(&t, "folio_editing_sessions_active").is_some());
    // No label carries a token or a file id.
    let id = m.wopi_src.rsplit('/').next().unwrap_or_default();
    assert!(
        !t.contains(&m.token) && !t.contains(id),
        "no token or id in\n{t}"
    );
    Ok(())
}

#[tokio::test]
async fn json_logs_one_line_per_request_and_no_secrets() -> TestResult {
    let (s, ed, m) = server_with_editor(&["--log-format", "json"]);
    s.add_user_with_password("lena", "a long enough password");
    let c = client();
    let file_url = m.file_url();
    let id = m.wopi_src.rsplit('/').next().unwrap_or_default().to_owned();

    let r = ed
        .sign(c.get(&file_url), &file_url, &m.token)
        .header("X-Request-Id", "it-check")
        .header("X-WOPI-CorrelationID", "corr-1")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-request-id"), Some("it-check"), "echoed");
    let r = ed
        .sign(c.post(&file_url), &file_url, &m.token)
        .header("X-Request-Id", "it-lock")
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "L1")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let bad = format!("{}?access_token=not-the-token", m.wopi_src);
    let r = c.get(&bad).header("X-Request-Id", "it-bad").send().await?;
    assert_eq!(r.status(), 401);
    // A request without an id gets one made up, and answers it.
    let r = c.get(format!("{}/healthz", s.url)).send().await?;
    let made_up = header(&r, "x-request-id").unwrap_or_default().to_owned();
    assert!(!made_up.is_empty());
    // A signed-in page request: its session cookie must not be logged either.
    let web = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = web.get(format!("{}/login", s.url)).send().await?;
    let csrf_cookie = header(&page, "set-cookie").unwrap_or_default().to_owned();
    let html = page.text().await?;
    let csrf = form_value(&html, "csrf");
    let csrf_pair = csrf_cookie.split(';').next().unwrap_or_default().to_owned();
    let r = web
        .post(format!("{}/login", s.url))
        .header("cookie", &csrf_pair)
        .form(&[
            ("login", "lena"),
            ("password", "a long enough password"),
            ("csrf", csrf.as_str()),
            ("next", "/"),
        ])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("folio_session="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned();
    assert!(!session.is_empty(), "signed in");
    let r = web
        .get(format!("{}/", s.url))
        .header("cookie", format!("folio_session={session}"))
        .header("X-Request-Id", "it-home")
        .send()
        .await?;
    assert!(
        !header(&r, "location").is_some_and(|l| l.starts_with("/login")),
        "signed in: {:?}",
        header(&r, "location")
    );
    let metrics = scrape(&s).await;

    // Every line is one JSON object with the common fields; the requests are all logged.
    let lines = wait_for("the last request's log line", || async {
        let log = s.server_log();
        if log.contains("\"it-home\"") {
            Ok(log)
        } else {
            Err(format!("{} bytes of log", log.len()))
        }
    })
    .await;
    let mut requests = Vec::new();
    for line in lines.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        for k in ["timestamp", "level", "target", "message"] {
            assert!(v.get(k).is_some(), "{k} missing in {line}");
        }
        if v["message"] == "request" {
            for k in [
                "request.id",
                "http.method",
                "http.route",
                "http.status",
                "duration_ms",
            ] {
                assert!(v.get(k).is_some(), "{k} missing in {line}");
            }
            requests.push(v);
        }
    }
    let by_id = |rid: &str| -> Vec<&serde_json::Value> {
        requests.iter().filter(|v| v["request.id"] == rid).collect()
    };
    let check = by_id("it-check");
    assert_eq!(check.len(), 1, "one line per request");
    let check = check[0];
    assert_eq!(check["http.status"], 200);
    assert_eq!(check["http.method"], "GET");
    assert_eq!(check["http.route"], "/wopi/files/{id}");
    assert_eq!(check["wopi.operation"], "CheckFileInfo");
    assert_eq!(check["wopi.correlation_id"], "corr-1");
    assert_eq!(check["file.id"], id.as_str());
    assert!(check["user.id"].as_str().is_some_and(|u| !u.is_empty()));
    assert!(check["duration_ms"].as_f64().is_some_and(|d| d >= 0.0));
    let lock = by_id("it-lock");
    assert_eq!(lock.len(), 1);
    assert_eq!(lock[0]["wopi.operation"], "Lock");
    assert_eq!(lock[0]["user.id"], check["user.id"]);
    let bad = by_id("it-bad");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["http.status"], 401);
    assert!(bad[0].get("user.id").is_none(), "no user for a bad token");
    assert_eq!(by_id(&made_up).len(), 1);
    let home = by_id("it-home");
    assert_eq!(home.len(), 1);
    assert_eq!(home[0]["http.route"], "/");
    assert!(home[0]["user.id"].as_str().is_some_and(|u| !u.is_empty()));
    // The refusal of the bad token carries its request's id too.
    assert!(
        lines
            .lines()
            .any(|l| l.contains("\"request refused\"") && l.contains("\"it-bad\"")),
        "other events inside a request carry request.id"
    );

    // No secret anywhere.
    let hash = hex::encode(sha2::Sha256::digest(m.token.as_bytes()));
    for (what, secret) in [
        ("access token", m.token.as_str()),
        ("its hash", hash.as_str()),
        ("session cookie", session.as_str()),
        ("refused token", "not-the-token"),
    ] {
        assert!(!lines.contains(secret), "{what} in the logs");
        assert!(!metrics.contains(secret), "{what} in /metrics");
    }
    Ok(())
}

/// A stand-in OpenTelemetry collector: `POST /v1/traces` bodies (OTLP/HTTP JSON), kept.
async fn collector() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use axum::routing::post;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                assert_eq!(
                    headers.get("content-type").and_then(|v| v.to_str().ok()),
                    Some("application/json")
                );
                let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                if let Ok(mut k) = keep.lock() {
                    k.push(v);
                }
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), got)
}

/// Every span the collector received.
fn spans(got: &std::sync::Mutex<Vec<serde_json::Value>>) -> Vec<serde_json::Value> {
    let bodies = got.lock().map(|g| g.clone()).unwrap_or_default();
    let mut out = Vec::new();
    for b in bodies {
        for rs in b["resourceSpans"].as_array().into_iter().flatten() {
            assert_eq!(
                rs["resource"]["attributes"][0],
                serde_json::json!({"key": "service.name", "value": {"stringValue": "folio"}})
            );
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                out.extend(ss["spans"].as_array().into_iter().flatten().cloned());
            }
        }
    }
    out
}

fn attribute<'a>(span: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    span["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["key"] == key))
        .map_or(&serde_json::Value::Null, |x| &x["value"])
}

#[tokio::test]
async fn otlp_export_sends_a_span_per_request_with_the_trace_ids_of_the_logs() -> TestResult {
    let (endpoint, got) = collector().await;
    let (s, ed, m) =
        server_with_editor(&["--log-format", "json", "--otlp-endpoint", endpoint.as_str()]);
    let c = client();
    let file_url = m.file_url();
    // A request in the caller's trace, and one that starts its own.
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent = "00f067aa0ba902b7";
    let r = ed
        .sign(c.get(&file_url), &file_url, &m.token)
        .header("traceparent", format!("00-{trace}-{parent}-01"))
        .header("X-Request-Id", "otlp-cfi")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let bad = format!("{}?access_token=not-the-token", m.wopi_src);
    let r = c
        .get(&bad)
        .header("X-Request-Id", "otlp-bad")
        .send()
        .await?;
    assert_eq!(r.status(), 401);

    let all = wait_for("both spans at the collector", || async {
        let all = spans(&got);
        let ids: Vec<&serde_json::Value> = all
            .iter()
            .map(|s| &attribute(s, "folio.request_id")["stringValue"])
            .collect();
        if ids.iter().any(|i| *i == "otlp-cfi") && ids.iter().any(|i| *i == "otlp-bad") {
            Ok(all)
        } else {
            Err(format!("{} spans", all.len()))
        }
    })
    .await;
    let by_request = |rid: &str| {
        all.iter()
            .find(|s| attribute(s, "folio.request_id")["stringValue"] == rid)
            .cloned()
            .unwrap_or_default()
    };
    let cfi = by_request("otlp-cfi");
    assert_eq!(cfi["traceId"], trace, "{cfi}");
    assert_eq!(cfi["parentSpanId"], parent, "{cfi}");
    assert_eq!(cfi["name"], "WOPI CheckFileInfo");
    assert_eq!(cfi["kind"], 2);
    assert_eq!(
        attribute(&cfi, "http.response.status_code")["intValue"],
        "200"
    );
    assert_eq!(
        attribute(&cfi, "http.route")["stringValue"],
        "/wopi/files/{id}"
    );
    let start: u128 = cfi["startTimeUnixNano"].as_str().unwrap_or("").parse()?;
    let end: u128 = cfi["endTimeUnixNano"].as_str().unwrap_or("").parse()?;
    assert!(start > 0 && start <= end, "{cfi}");
    let bad_span = by_request("otlp-bad");
    assert!(bad_span.get("parentSpanId").is_none(), "{bad_span}");
    assert_eq!(
        attribute(&bad_span, "http.response.status_code")["intValue"],
        "401"
    );

    // The log line of each request names the same trace and span.
    let log = s.server_log();
    for (rid, span) in [("otlp-cfi", &cfi), ("otlp-bad", &bad_span)] {
        let line = log
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["message"] == "request" && v["request.id"] == rid)
            .unwrap_or_else(|| panic!("no request line for {rid}"));
        assert_eq!(line["trace.id"], span["traceId"], "{line}");
        assert_eq!(line["span.id"], span["spanId"], "{line}");
        assert_eq!(line["trace.id"].as_str().map(str::len), Some(32), "{line}");
    }
    // No token reaches the collector.
    let text = serde_json::Value::Array(all).to_string();
    assert!(!text.contains(&m.token), "a token was exported");
    assert!(!text.contains("access_token"), "{text}");
    Ok(())
}
