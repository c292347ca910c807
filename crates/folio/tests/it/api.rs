//! The integration API, black-box over HTTP: keys, files, sessions, WOPI with the returned
//! token, webhooks (signed, durable across restarts and receiver outages), launch links, bad
//! input, and the examples of docs/INTEGRATION.md run as written.

use std::sync::{Arc, Mutex};

use crate::support::*;

const LAUNCH_SECRET: &str = "launch-secret-launch-secret-launch-secret";
const HOOK_SECRET: &str = "hook-secret";

fn config(hook_port: u16) -> String {
    format!(
        "webhook_retry_base_ms = 200\n\n[[webhooks]]\nurl = \"http://127.0.0.1:{hook_port}/hook\"\nsecret = \"{HOOK_SECRET}\"\n\n[launch]\nhs256_secret = \"{LAUNCH_SECRET}\"\naudience = \"folio-test\"\n"
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

fn api_key(s: &TestServer, scopes: &[&str]) -> String {
    let mut args = vec!["api-keys", "create", "crm"];
    for sc in scopes {
        args.push("--scope");
        args.push(sc);
    }
    let out = s.cli_ok(&args);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    v["key"].as_str().unwrap_or_default().to_owned()
}

/// A webhook receiver: records (event id, signature, body) of every POST.
#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Vec<(String, String, String)>>>);

impl Receiver {
    async fn start(self, port: u16) -> tokio::task::JoinHandle<()> {
        use axum::routing::post;
        let rec = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let rec = rec.clone();
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    if let Ok(mut v) = rec.0.lock() {
                        v.push((h("folio-event-id"), h("folio-signature"), body));
                    }
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("bind receiver: {e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        })
    }
    fn events(&self) -> Vec<(String, String, String)> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

fn verify_signature(header: &str, body: &str) -> bool {
    use hmac::{KeyInit, Mac};
    let mut t = "";
    let mut v1 = "";
    for part in header.split(',') {
        if let Some(x) = part.strip_prefix("t=") {
            t = x;
        }
        if let Some(x) = part.strip_prefix("v1=") {
            v1 = x;
        }
    }
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(HOOK_SECRET.as_bytes()) else {
        return false;
    };
    mac.update(format!("{t}.{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes()) == v1
}

async fn json(r: reqwest::Response) -> serde_json::Value {
    r.json().await.unwrap_or_default()
}

#[tokio::test]
async fn an_application_uploads_opens_edits_and_is_told_about_the_save() -> TestResult {
    let hook_port = free_port();
    let receiver = Receiver::default();
    let _server = receiver.clone().start(hook_port).await;
    let s = TestServer::start_with(
        Some(&config(hook_port)),
        &["--dev-editor", "--no-proof-keys"],
    );
    let key = api_key(&s, &[]);
    let c = client();
    let api = |path: &str| format!("{}/api/v1{path}", s.url);

    // No key / a wrong key: 401 with a JSON error.
    let r = c.get(api("/folders")).send().await?;
    assert_eq!(r.status(), 401);
    assert_eq!(json(r).await["error"]["code"], "unauthorized");
    assert_eq!(
        c.get(api("/folders"))
            .bearer_auth("folio".to_owned() + &"x".repeat(40))
            .send()
            .await?
            .status(),
        401
    );

    // Upload.
    let r = c
        .post(api("/files?name=contract.txt&folder=Deals/2026"))
        .bearer_auth(&key)
        .body("version one")
        .send()
        .await?;
    assert_eq!(r.status(), 201);
    let f = json(r).await;
    let id = f["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(f["size"], 11);
    let listing = json(
        c.get(api("/folders?path=Deals/2026"))
            .bearer_auth(&key)
            .send()
            .await?,
    )
    .await;
    assert_eq!(listing["files"][0]["id"], id.as_str());

    // An edit session for a new external user.
    let r = c
        .post(api("/sessions"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"file_id": id, "permission": "edit", "close_url": "https://crm.example/deals/7", "user": {"id": "crm-7", "display_name": "Jo Crm", "email": "jo@crm.example", "language": "de-DE"}}))
        .send()
        .await?;
    assert_eq!(r.status(), 201);
    let sess = json(r).await;
    for k in [
        "host_page_url",
        "action_url",
        "wopi_src",
        "access_token",
        "access_token_ttl",
        "id",
    ] {
        assert!(!sess[k].is_null(), "{k} missing: {sess}");
    }
    assert!(
        sess["action_url"]
            .as_str()
            .unwrap_or("")
            .contains("ui=de-DE"),
        "{sess}"
    );
    let token = sess["access_token"].as_str().unwrap_or_default().to_owned();
    let wopi = sess["wopi_src"].as_str().unwrap_or_default().to_owned();
    // The host page link works once.
    let host = sess["host_page_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = c.get(&host).send().await?;
    assert_eq!(r.status(), 200);
    let page = r.text().await?;
    assert!(page.contains("office_form"));
    assert!(
        page.contains("data-close-url=\"https://crm.example/deals/7\""),
        "Close returns to the application"
    );
    assert_eq!(
        c.get(&host).send().await?.status(),
        404,
        "launch codes are single-use"
    );

    // The WOPI calls of an edit with the returned token.
    let url = format!("{wopi}?access_token={token}");
    let r = c.get(&url).send().await?;
    assert_eq!(r.status(), 200, "CheckFileInfo with the session token");
    let cfi = json(r).await;
    assert_eq!(cfi["UserFriendlyName"], "Jo Crm", "{cfi}");
    assert_eq!(cfi["UserCanWrite"], true);
    assert_eq!(cfi["CloseUrl"], "https://crm.example/deals/7");
    assert_eq!(
        c.post(&url)
            .header("X-WOPI-Override", "LOCK")
            .header("X-WOPI-Lock", "crm")
            .send()
            .await?
            .status(),
        200
    );
    let r = c
        .post(format!("{wopi}/contents?access_token={token}"))
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "crm")
        .body("version two")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(
        c.post(&url)
            .header("X-WOPI-Override", "UNLOCK")
            .header("X-WOPI-Lock", "crm")
            .send()
            .await?
            .status(),
        200
    );

    // file.saved arrives, signed, with the version and who saved it.
    assert!(
        TestServer::eventually(|| async {
            receiver.events().iter().any(|e| e.2.contains("file.saved"))
        })
        .await,
        "file.saved delivered"
    );
    let events = receiver.events();
    let saved = events
        .iter()
        .find(|e| e.2.contains("\"file.saved\""))
        .cloned()
        .unwrap_or_default();
    assert!(verify_signature(&saved.1, &saved.2), "signature verifies");
    assert!(!verify_signature(
        &saved.1,
        &saved.2.replace("file.saved", "file.SAVED")
    ));
    let body: serde_json::Value = serde_json::from_str(&saved.2)?;
    assert_eq!(body["id"], saved.0.as_str());
    assert_eq!(body["data"]["file"]["version"], 2);
    assert_eq!(body["data"]["user"]["external_id"], "crm-7");
    assert!(
        TestServer::eventually(|| async {
            receiver
                .events()
                .iter()
                .any(|e| e.2.contains("lock.released"))
        })
        .await
    );

    // Sessions list, revoke → the token is refused at once.
    let list = json(
        c.get(api(&format!("/sessions?file_id={id}")))
            .bearer_auth(&key)
            .send()
            .await?,
    )
    .await;
    assert_eq!(list["sessions"].as_array().map(Vec::len), Some(1));
    let sid = sess["id"].as_str().unwrap_or_default();
    assert_eq!(
        c.delete(api(&format!("/sessions/{sid}")))
            .bearer_auth(&key)
            .send()
            .await?
            .status(),
        204
    );
    assert_eq!(
        c.get(&url).send().await?.status(),
        401,
        "revoked session's token"
    );

    // Download the new version (and a range of it), and the old one.
    let got = c
        .get(api(&format!("/files/{id}/content")))
        .bearer_auth(&key)
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(got.as_ref(), b"version two");
    let r = c
        .get(api(&format!("/files/{id}/content")))
        .bearer_auth(&key)
        .header("Range", "bytes=8-10")
        .send()
        .await?;
    assert_eq!(r.status(), 206);
    assert_eq!(header(&r, "content-range"), Some("bytes 8-10/11"));
    assert_eq!(r.bytes().await?.as_ref(), b"two");
    let r = c
        .get(api(&format!("/files/{id}/content")))
        .bearer_auth(&key)
        .header("Range", "bytes=50-60")
        .send()
        .await?;
    assert_eq!(r.status(), 416);
    let old = c
        .get(api(&format!("/files/{id}/versions/1/content")))
        .bearer_auth(&key)
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(old.as_ref(), b"version one");
    let versions = json(
        c.get(api(&format!("/files/{id}/versions")))
            .bearer_auth(&key)
            .send()
            .await?,
    )
    .await;
    assert_eq!(versions["versions"][0]["saved_by"], "Jo Crm", "{versions}");

    // Rename + move, lock read, delete; events for each.
    let r = c
        .patch(api(&format!("/files/{id}")))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "final.txt", "folder": "Deals/Closed"}))
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["name"], "final.txt");
    let lock = json(
        c.get(api(&format!("/files/{id}/lock")))
            .bearer_auth(&key)
            .send()
            .await?,
    )
    .await;
    assert_eq!(lock["locked"], false);
    assert_eq!(
        c.delete(api(&format!("/files/{id}/lock")))
            .bearer_auth(&key)
            .send()
            .await?
            .status(),
        403,
        "admin scope needed"
    );
    assert_eq!(
        c.delete(api(&format!("/files/{id}")))
            .bearer_auth(&key)
            .send()
            .await?
            .status(),
        204
    );
    assert_eq!(
        c.get(api(&format!("/files/{id}")))
            .bearer_auth(&key)
            .send()
            .await?
            .status(),
        404
    );
    assert!(
        TestServer::eventually(|| async {
            let e = receiver.events();
            e.iter().any(|x| x.2.contains("file.renamed"))
                && e.iter().any(|x| x.2.contains("file.deleted"))
        })
        .await
    );

    // The OpenAPI document describes the API.
    let doc = json(c.get(api("/openapi.json")).send().await?).await;
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["paths"]["/api/v1/sessions"]["post"].is_object());
    Ok(())
}

#[tokio::test]
async fn webhooks_survive_a_receiver_outage_and_a_restart_exactly_once_per_event() -> TestResult {
    let hook_port = free_port();
    let mut s = TestServer::start_with(
        Some(&config(hook_port)),
        &["--dev-editor", "--no-proof-keys"],
    );
    let key = api_key(&s, &["files", "sessions", "admin"]);
    let c = client();
    let api = |url: &str, path: &str| format!("{url}/api/v1{path}");
    // Two changes while nobody listens.
    let f = json(
        c.post(api(&s.url, "/files?name=a.txt"))
            .bearer_auth(&key)
            .body("a")
            .send()
            .await?,
    )
    .await;
    let id = f["id"].as_str().unwrap_or_default().to_owned();
    c.patch(api(&s.url, &format!("/files/{id}")))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "b.txt"}))
        .send()
        .await?;
    // Deliveries fail and are rescheduled.
    assert!(
        TestServer::eventually(|| async {
            let log = json(
                c.get(api(&s.url, "/webhooks/deliveries"))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .await;
            log["deliveries"].as_array().is_some_and(|d| {
                !d.is_empty()
                    && d.iter().all(|x| {
                        x["attempts"].as_i64().unwrap_or(0) >= 1 && x["state"] == "pending"
                    })
            })
        })
        .await,
        "failed attempts are recorded and retried"
    );
    // Folio restarts; one more change; then the receiver comes up.
    s.kill();
    s.spawn(&[]);
    c.patch(api(&s.url, &format!("/files/{id}")))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "c.txt"}))
        .send()
        .await?;
    let receiver = Receiver::default();
    let _srv = receiver.clone().start(hook_port).await;
    assert!(
        TestServer::eventually(|| async {
            receiver
                .events()
                .iter()
                .filter(|e| e.2.contains("file.renamed"))
                .count()
                >= 2
        })
        .await,
        "both renames arrive"
    );
    // Every delivery is settled (none pending, so nothing more will be sent) before counting.
    assert!(
        TestServer::eventually(|| async {
            let log = json(
                c.get(api(&s.url, "/webhooks/deliveries"))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .await;
            log["deliveries"]
                .as_array()
                .is_some_and(|d| !d.is_empty() && d.iter().all(|x| x["state"] == "delivered"))
        })
        .await,
        "every delivery is marked delivered"
    );
    let events = receiver.events();
    let mut ids: Vec<String> = events.iter().map(|e| e.0.clone()).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no event delivered twice: {events:?}");
    assert_eq!(total, 2, "every event arrived: {events:?}");
    assert!(events.iter().all(|e| verify_signature(&e.1, &e.2)));
    let log = json(
        c.get(api(&s.url, "/webhooks/deliveries"))
            .bearer_auth(&key)
            .send()
            .await?,
    )
    .await;
    assert!(
        log["deliveries"]
            .as_array()
            .is_some_and(|d| d.iter().all(|x| x["state"] == "delivered")),
        "{log}"
    );
    Ok(())
}

fn jwt(claims: serde_json::Value, secret: &str) -> String {
    use jsonwebtoken::{EncodingKey, Header, encode};
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap_or_default()
}

#[tokio::test]
async fn launch_links_are_verified_and_single_use() -> TestResult {
    let s = TestServer::start_with(
        Some(&config(free_port())),
        &["--dev-editor", "--no-proof-keys"],
    );
    let key = api_key(&s, &[]);
    let c = client();
    let f = json(
        c.post(format!("{}/api/v1/files?name=l.txt", s.url))
            .bearer_auth(&key)
            .body("launch")
            .send()
            .await?,
    )
    .await;
    let id = f["id"].as_str().unwrap_or_default().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let claims = |exp: i64, aud: &str, jti: &str| serde_json::json!({"sub": "crm-9", "name": "Lin", "file": id, "perm": "edit", "aud": aud, "exp": exp, "jti": jti});
    let open = |t: String| c.get(format!("{}/launch?t={t}", s.url)).send();
    let r = open(jwt(claims(now - 120, "folio-test", "j1"), LAUNCH_SECRET)).await?;
    assert_eq!(r.status(), 401);
    assert!(r.text().await?.contains("expired"));
    let r = open(jwt(
        claims(now + 300, "folio-test", "j2"),
        "wrong-secret-wrong-secret-wrong-secret",
    ))
    .await?;
    assert_eq!(r.status(), 401);
    assert!(r.text().await?.contains("signature"));
    let r = open(jwt(claims(now + 300, "someone-else", "j3"), LAUNCH_SECRET)).await?;
    assert_eq!(r.status(), 401);
    assert!(r.text().await?.contains("audience"));
    assert_eq!(open("not.a.jwt".into()).await?.status(), 401);
    let good = jwt(claims(now + 300, "folio-test", "j4"), LAUNCH_SECRET);
    let r = open(good.clone()).await?;
    assert_eq!(r.status(), 200);
    let page = r.text().await?;
    assert!(
        page.contains("office_form") && page.contains("/dev-editor/edit"),
        "the host page opens"
    );
    let r = open(good).await?;
    assert_eq!(r.status(), 401, "replay refused");
    Ok(())
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_changes_nothing() -> TestResult {
    let s = TestServer::start_with(
        Some("max_file_size = 1000\n"),
        &["--dev-editor", "--no-proof-keys"],
    );
    let key = api_key(&s, &[]);
    let c = client();
    let api = |p: &str| format!("{}/api/v1{p}", s.url);
    let f = json(
        c.post(api("/files?name=ok.txt"))
            .bearer_auth(&key)
            .body("ok")
            .send()
            .await?,
    )
    .await;
    let id = f["id"].as_str().unwrap_or_default().to_owned();
    // Malformed JSON, unknown fields, wrong types.
    for body in [
        "{not json",
        r#"{"file_id":"x","user":{"id":"u"},"permission":"edit","extra":1}"#,
        r#"{"file_id":1}"#,
    ] {
        let r = c
            .post(api("/sessions"))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        assert_eq!(r.status(), 400, "{body}");
        let e = json(r).await;
        assert_eq!(e["error"]["code"], "invalid_json", "{body}");
        assert!(!e["error"]["message"].as_str().unwrap_or("").is_empty());
    }
    let r = c
        .patch(api(&format!("/files/{id}")))
        .bearer_auth(&key)
        .json(&serde_json::json!({"nmae": "typo.txt"}))
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    let r = c
        .post(api("/sessions"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"file_id": id, "user": {"id": "u"}, "permission": "own"}))
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    let r = c
        .post(api("/sessions"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"file_id": id, "user": {"id": "u"}, "permission": "view", "close_url": "javascript:alert(1)"}))
        .send()
        .await?;
    assert_eq!(r.status(), 400, "close_url must be http(s)");
    // Oversize uploads.
    let r = c
        .post(api("/files?name=big.bin"))
        .bearer_auth(&key)
        .body(vec![0u8; 2000])
        .send()
        .await?;
    assert_eq!(r.status(), 413);
    assert_eq!(json(r).await["error"]["code"], "too_large");
    // Path-like and control-character names.
    for name in ["..%2Fx", "a%2Fb", "nul%00byte", "..", "%20"] {
        let r = c
            .post(api(&format!("/files?name={name}")))
            .bearer_auth(&key)
            .body("x")
            .send()
            .await?;
        assert_eq!(r.status(), 400, "{name}");
        assert_eq!(json(r).await["error"]["code"], "invalid_name", "{name}");
    }
    let r = c
        .patch(api(&format!("/files/{id}")))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "../evil"}))
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    let r = c
        .post(api("/files?name=x.txt&folder=../up"))
        .bearer_auth(&key)
        .body("x")
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    // Nothing changed: one file, its name intact, nothing half-written.
    let listing = json(c.get(api("/folders")).bearer_auth(&key).send().await?).await;
    assert_eq!(
        listing["files"].as_array().map(Vec::len),
        Some(1),
        "{listing}"
    );
    assert_eq!(listing["files"][0]["name"], "ok.txt");
    assert_eq!(count_files(&s.data.join("tmp")), 0);
    // Unknown endpoints answer in the same error format.
    let r = c.get(api("/nope")).bearer_auth(&key).send().await?;
    assert_eq!(r.status(), 404);
    assert_eq!(json(r).await["error"]["code"], "not_found");
    Ok(())
}

/// Every ```sh and ```python block of docs/INTEGRATION.md runs as written.
#[tokio::test]
async fn the_integration_guide_examples_run() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor", "--no-proof-keys"]);
    let key = api_key(&s, &[]);
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/INTEGRATION.md"),
    )?;
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in guide.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l == "```sh" || l == "```python" => {
                current = Some((l.trim_start_matches("```").to_owned(), String::new()))
            }
            (Some(_), "```") => blocks.extend(current.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            _ => {}
        }
    }
    assert!(
        blocks.iter().any(|b| b.0 == "sh")
            && blocks.iter().filter(|b| b.0 == "python").count() >= 2,
        "examples found"
    );
    let dir = tempfile::tempdir()?;
    for (lang, code) in &blocks {
        let (prog, flag) = if lang == "sh" {
            ("bash", "-euo")
        } else {
            ("python3", "-c")
        };
        let mut cmd = std::process::Command::new(prog);
        if lang == "sh" {
            cmd.args([flag, "pipefail", "-c", code]);
        } else {
            cmd.args([flag, code]);
        }
        let out = cmd
            .current_dir(dir.path())
            .env("FOLIO_URL", &s.url)
            .env("FOLIO_API_KEY", &key)
            .output()?;
        assert!(
            out.status.success(),
            "{lang} example failed:\n{code}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

#[tokio::test]
async fn eddsa_launch_links_verify_with_the_configured_public_key() -> TestResult {
    let dir = tempfile::tempdir()?;
    let private = dir.path().join("ed.pem");
    let public = dir.path().join("ed.pub.pem");
    let ok = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&private)
        .status()?
        .success()
        && std::process::Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&private)
            .arg("-out")
            .arg(&public)
            .status()?
            .success();
    assert!(ok, "openssl generates an Ed25519 key pair");
    let cfg = format!(
        "[launch]\neddsa_public_key_file = \"{}\"\naudience = \"crm\"\n",
        public.display()
    );
    let s = TestServer::start_with(Some(&cfg), &["--dev-editor", "--no-proof-keys"]);
    let key = api_key(&s, &[]);
    let c = client();
    let f = json(
        c.post(format!("{}/api/v1/files?name=e.txt", s.url))
            .bearer_auth(&key)
            .body("ed")
            .send()
            .await?,
    )
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let claims = serde_json::json!({"sub": "crm-ed", "file": f["id"], "perm": "view", "aud": "crm", "exp": now + 120, "jti": "ed-1"});
    let pem = std::fs::read(&private)?;
    let signing = jsonwebtoken::EncodingKey::from_ed_pem(&pem)?;
    let t = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
        &claims,
        &signing,
    )?;
    let r = c.get(format!("{}/launch?t={t}", s.url)).send().await?;
    assert_eq!(r.status(), 200);
    assert!(r.text().await?.contains("office_form"));
    // HS256 is not configured here: a token signed that way is refused.
    let hs = jwt(
        serde_json::json!({"sub": "x", "file": f["id"], "perm": "view", "aud": "crm", "exp": now + 120, "jti": "hs"}),
        LAUNCH_SECRET,
    );
    assert_eq!(
        c.get(format!("{}/launch?t={hs}", s.url))
            .send()
            .await?
            .status(),
        401
    );
    Ok(())
}

/// Issue "Hardening", bugs 3, 4, 6, 7, 10: launch links see only what the application sees,
/// close URLs are http(s) only, a folder GET creates nothing, folder paths are bounded, the
/// Bearer scheme is case-insensitive, a repeated X-WOPI-Override is refused.
#[tokio::test]
async fn hostile_integration_requests_are_refused() -> TestResult {
    let s = TestServer::start_with(
        Some(&config(free_port())),
        &["--dev-editor", "--no-proof-keys"],
    );
    let key = api_key(&s, &[]);
    let c = client();
    let api = |p: &str| format!("{}/api/v1{p}", s.url);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    // 3: another user's private file, never shared with the application.
    let private = s.file_with_token("owner", "private.txt", b"secret");
    let private_id = private
        .wopi_src
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let t = jwt(
        serde_json::json!({"sub": "crm-x", "file": private_id, "perm": "edit", "aud": "folio-test", "exp": now + 300, "jti": "p1"}),
        LAUNCH_SECRET,
    );
    let r = c.get(format!("{}/launch?t={t}", s.url)).send().await?;
    assert_eq!(
        r.status(),
        404,
        "a launch link cannot reach a file the application cannot see"
    );
    let r = c
        .post(api("/sessions"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"file_id": private_id, "user": {"id": "crm-x"}, "permission": "edit"}))
        .send()
        .await?;
    assert_eq!(r.status(), 404, "the API applies the same rule");
    // 4: javascript: close URLs.
    let f = json(
        c.post(api("/files?name=mine.txt"))
            .bearer_auth(&key)
            .body("mine")
            .send()
            .await?,
    )
    .await;
    let mine = f["id"].as_str().unwrap_or_default().to_owned();
    let t = jwt(
        serde_json::json!({"sub": "crm-y", "file": mine, "perm": "edit", "aud": "folio-test", "exp": now + 300, "jti": "js1", "ret": "javascript:alert(1)"}),
        LAUNCH_SECRET,
    );
    let r = c.get(format!("{}/launch?t={t}", s.url)).send().await?;
    assert_eq!(r.status(), 400);
    let r = c
        .post(api("/sessions"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"file_id": mine, "user": {"id": "crm-y"}, "permission": "edit", "close_url": "javascript:alert(1)"}))
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    // A far-future exp does not overflow into a 500.
    let t = jwt(
        serde_json::json!({"sub": "crm-y", "file": mine, "perm": "edit", "aud": "folio-test", "exp": i64::MAX / 2, "jti": "big"}),
        LAUNCH_SECRET,
    );
    let r = c.get(format!("{}/launch?t={t}", s.url)).send().await?;
    assert!(r.status().is_client_error(), "{}", r.status());
    // 6: a GET never creates folders.
    let r = c
        .get(api("/folders?path=never/made"))
        .bearer_auth(&key)
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    let root = json(c.get(api("/folders")).bearer_auth(&key).send().await?).await;
    assert!(
        root["folders"].as_array().is_some_and(|f| f.is_empty()),
        "nothing was created: {root}"
    );
    // 7: folder depth and path length are bounded, refused before any write.
    let deep = "d/".repeat(15_000);
    let started = std::time::Instant::now();
    let r = c
        .post(api(&format!("/files?name=x.txt&folder={deep}")))
        .bearer_auth(&key)
        .body("x")
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let r = c
        .post(api(&format!(
            "/files?name=x.txt&folder={}",
            "d/".repeat(65)
        )))
        .bearer_auth(&key)
        .body("x")
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    // 10: the Bearer scheme is case-insensitive (API and WOPI).
    let r = c
        .get(api(&format!("/files/{mine}")))
        .header("authorization", format!("bearer {key}"))
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let m = s.token("owner", &private_id, &[]);
    let r = c
        .get(&m.wopi_src)
        .header("authorization", format!("BEARER {}", m.token))
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    // 10: two X-WOPI-Override headers are refused, never resolved to the first.
    let r = c
        .post(m.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Override", "DELETE")
        .header("X-WOPI-Lock", "L")
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    let r = c.get(m.file_url()).send().await?;
    assert_eq!(r.status(), 200, "the file is still there");
    Ok(())
}
