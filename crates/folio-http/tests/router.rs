//! In-process router tests: `folio_http::router(state)` driven with `tower::ServiceExt::oneshot`
//! — no socket, no binary, no browser — over real SQLite in a temporary directory, the local blob
//! store and a `FixedClock`, so they run in milliseconds and expiry is tested without sleeping.
//!
//! JSON bodies (CheckFileInfo, `/api/v1`, error bodies) are pinned by insta snapshots in
//! `snapshots/`; ids and tokens, which are random, are replaced by placeholders first (times
//! come from the fixed clock and stay as they are). A changed body fails the test: review the
//! `.snap.new` file, then accept it with `INSTA_UPDATE=always` (CI sets `CI=true`, so a missing
//! or different snapshot fails there).
//!
//! The real-server tests (`crates/folio/tests/it/`) cover what needs a process: the CLI,
//! restarts, replicas, outages, the browser.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use folio_app::editors::Editors;
use folio_app::folio_store::local::LocalBlobStore;
use folio_app::folio_store::{BlobStore, ByteStream, MetadataStore, NewUser};
use folio_app::{App, AppConfig};
use folio_store_sqlite::SqliteStore;
use folio_wopi::clock::FixedClock;
use serde_json::{Value, json};
use tower::ServiceExt;

/// 2025-11-01T00:00:00Z: every time in these tests starts here.
const T0: i64 = 1_761_955_200_000;
const HOUR_MS: i64 = 3_600_000;
const PUBLIC_URL: &str = "http://folio.test";

/// The app under test, its clock and the placeholders for what is random in its answers.
struct Harness {
    router: Router,
    app: Arc<App>,
    clock: Arc<FixedClock>,
    /// (random text, placeholder) pairs replaced in snapshots.
    scrub: Vec<(String, String)>,
    dir: tempfile::TempDir,
}

/// The one place these tests build the application — the same pieces as `folio serve` in
/// `crates/folio/src/main.rs` (`open_app_migrating`, then `folio_http::router(AppState { app })`),
/// with a fixed clock and no editors configured (so no proof keys are enforced). If a
/// constructor changes, this function is the only one to adjust.
async fn harness() -> Harness {
    harness_at(PUBLIC_URL).await
}

/// [`harness`] for a Folio whose public URL is `public_url`.
async fn harness_at(public_url: &str) -> Harness {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let meta: Arc<dyn MetadataStore> = Arc::new(
        SqliteStore::open(&dir.path().join("folio.db"))
            .await
            .unwrap_or_else(|e| panic!("open SQLite: {e}")),
    );
    let blobs: Arc<dyn BlobStore> = Arc::new(
        LocalBlobStore::open(dir.path().join("blobs"))
            .await
            .unwrap_or_else(|e| panic!("open blob store: {e}")),
    );
    let clock = Arc::new(FixedClock::new(T0));
    let config = AppConfig {
        public_url: public_url.into(),
        ..AppConfig::default()
    };
    let editors = Arc::new(Editors::new(Vec::new(), dir.path().join("discovery")).await);
    let app = Arc::new(
        App::new(meta, blobs, clock.clone(), config, editors)
            .await
            .unwrap_or_else(|e| panic!("App::new: {e}")),
    );
    let router = folio_http::router(folio_http::AppState { app: app.clone() });
    Harness {
        router,
        app,
        clock,
        scrub: Vec::new(),
        dir,
    }
}

fn bytes(b: &'static [u8]) -> ByteStream {
    Box::pin(futures::stream::once(async move {
        Ok(bytes::Bytes::from_static(b))
    }))
}

/// A user with one file and a write token for it.
struct Seeded {
    file_id: String,
    token: String,
}

impl Harness {
    /// Creates user `login` owning `name` with `content`, and mints a write token valid 10 h.
    async fn seed(&mut self, login: &str, name: &str, content: &'static [u8]) -> Seeded {
        let user = self
            .app
            .create_user(NewUser {
                login: login.into(),
                name: format!("User {login}"),
                email: format!("{login}@example.test"),
                is_admin: false,
                password_hash: None,
            })
            .await
            .unwrap_or_else(|e| panic!("create_user: {e}"));
        let file = self
            .app
            .import_file(login, &[], name, bytes(content))
            .await
            .unwrap_or_else(|e| panic!("import_file: {e}"));
        let minted = self
            .app
            .mint_token(&user.id, &file.id, true, T0 + 10 * HOUR_MS)
            .await
            .unwrap_or_else(|e| panic!("mint_token: {e}"));
        let file_id = file.id.to_string();
        self.hide(&file_id, "[file_id]");
        self.hide(&user.id, &format!("[user_id:{login}]"));
        self.hide(&minted.access_token, "[token]");
        Seeded {
            file_id,
            token: minted.access_token,
        }
    }

    /// An API key with `scopes`; its secret (and id) are scrubbed from snapshots.
    async fn api_key(&mut self, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let k = self
            .app
            .create_api_key("router-tests", &scopes)
            .await
            .unwrap_or_else(|e| panic!("create_api_key: {e}"));
        self.hide(&k.secret, "[api_key]");
        self.hide(&k.key.id, "[api_key_id]");
        k.secret
    }

    /// Creates user `login` with a password and signs in: the session cookie header value.
    async fn signed_in(&mut self, login: &str) -> String {
        let password = "router test password";
        let hash = folio_app::tokens::hash_password(password)
            .unwrap_or_else(|e| panic!("hash_password: {e}"));
        self.app
            .create_user(NewUser {
                login: login.into(),
                name: format!("User {login}"),
                email: format!("{login}@example.test"),
                is_admin: false,
                password_hash: Some(hash),
            })
            .await
            .unwrap_or_else(|e| panic!("create_user: {e}"));
        let session = self
            .app
            .sign_in(login, password)
            .await
            .unwrap_or_else(|e| panic!("sign_in: {e}"));
        format!("folio_session={}", session.cookie)
    }

    fn hide(&mut self, secret: &str, placeholder: &str) {
        if !secret.is_empty() {
            self.scrub.push((secret.to_owned(), placeholder.to_owned()));
        }
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| match e {});
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("read body: {e}"))
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// The reply as one JSON value for a snapshot: status, the `X-WOPI-*` and content-type
    /// headers, and the body (parsed when it is JSON), with every random value scrubbed.
    fn snapshot_of(&self, r: &Reply) -> Value {
        let mut headers = serde_json::Map::new();
        let mut names: Vec<&str> = r
            .headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| k.starts_with("x-wopi-") || *k == "content-type")
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            headers.insert(name.to_owned(), json!(r.header(name)));
        }
        let body =
            serde_json::from_slice::<Value>(&r.body).unwrap_or_else(|_| Value::String(r.text()));
        self.scrubbed(json!({"status": r.status.as_u16(), "headers": headers, "body": body}))
    }

    fn scrubbed(&self, v: Value) -> Value {
        match v {
            Value::String(mut s) => {
                for (secret, placeholder) in &self.scrub {
                    s = s.replace(secret, placeholder);
                }
                Value::String(s)
            }
            Value::Array(a) => Value::Array(a.into_iter().map(|x| self.scrubbed(x)).collect()),
            Value::Object(o) => {
                Value::Object(o.into_iter().map(|(k, x)| (k, self.scrubbed(x))).collect())
            }
            other => other,
        }
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

fn wopi(
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(format!("{path}?access_token={token}"));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body).unwrap_or_else(|e| panic!("request: {e}"))
}

fn file_op(s: &Seeded, op: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut all = vec![("X-WOPI-Override", op)];
    all.extend_from_slice(headers);
    wopi(
        Method::POST,
        &format!("/wopi/files/{}", s.file_id),
        &s.token,
        &all,
        Body::empty(),
    )
}

fn put_file(s: &Seeded, lock: &str, content: &'static str) -> Request<Body> {
    wopi(
        Method::POST,
        &format!("/wopi/files/{}/contents", s.file_id),
        &s.token,
        &[("X-WOPI-Override", "PUT"), ("X-WOPI-Lock", lock)],
        Body::from(content),
    )
}

fn get(path: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("request: {e}"))
}

fn api(method: Method, path: &str, key: Option<&str>, body: Body) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"));
    if let Some(k) = key {
        b = b.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    b.body(body).unwrap_or_else(|e| panic!("request: {e}"))
}

// ---- WOPI ---------------------------------------------------------------------------------

#[tokio::test]
async fn check_file_info_describes_the_file_for_the_token_holder() {
    let mut h = harness().await;
    let s = h.seed("ann", "Report.docx", b"first version").await;
    let r = h
        .send(wopi(
            Method::GET,
            &format!("/wopi/files/{}", s.file_id),
            &s.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["BaseFileName"], "Report.docx");
    assert_eq!(v["Size"], 13);
    assert_eq!(v["Version"], "1");
    assert_eq!(v["UserCanWrite"], true);
    // Random too: the folder id, and FileUrl's signature (keyed by a per-installation secret).
    let folder = v["CloseUrl"].as_str().unwrap_or_default();
    h.hide(folder.rsplit('/').next().unwrap_or_default(), "[folder_id]");
    let file_url = v["FileUrl"].as_str().unwrap_or_default();
    let signature = file_url.split_once("&s=").map_or("", |(_, sig)| sig);
    assert_eq!(signature.len(), 64, "FileUrl is signed: {file_url}");
    h.hide(signature, "[signature]");
    insta::assert_json_snapshot!("check_file_info", h.snapshot_of(&r));
}

#[tokio::test]
async fn a_wopi_editing_session_get_lock_put_conflict_unlock() {
    let mut h = harness().await;
    let s = h.seed("bea", "notes.txt", b"v1").await;
    let contents = format!("/wopi/files/{}/contents", s.file_id);

    // GetFile: the bytes and their version.
    let r = h
        .send(wopi(Method::GET, &contents, &s.token, &[], Body::empty()))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, b"v1");
    assert_eq!(r.header("x-wopi-itemversion"), Some("1"));

    // Lock, then PutFile under that lock: version 2.
    let r = h.send(file_op(&s, "LOCK", &[("X-WOPI-Lock", "L1")])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = h.send(put_file(&s, "L1", "v2")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("x-wopi-itemversion"), Some("2"));
    let r = h
        .send(wopi(Method::GET, &contents, &s.token, &[], Body::empty()))
        .await;
    assert_eq!(r.body, b"v2");

    // PutFile and Lock with another lock id: 409 with the current lock; nothing written.
    let r = h.send(put_file(&s, "other", "lost")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.header("x-wopi-lock"), Some("L1"));
    insta::assert_json_snapshot!("put_file_lock_mismatch", h.snapshot_of(&r));
    let r = h.send(file_op(&s, "LOCK", &[("X-WOPI-Lock", "L2")])).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.header("x-wopi-lock"), Some("L1"));
    let r = h
        .send(wopi(Method::GET, &contents, &s.token, &[], Body::empty()))
        .await;
    assert_eq!(r.body, b"v2", "a refused PutFile writes nothing");

    // GetLock names it; Unlock with the right id releases it; GetLock is then empty.
    let r = h.send(file_op(&s, "GET_LOCK", &[])).await;
    assert_eq!(r.header("x-wopi-lock"), Some("L1"));
    let r = h
        .send(file_op(&s, "UNLOCK", &[("X-WOPI-Lock", "L1")]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = h.send(file_op(&s, "GET_LOCK", &[])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-wopi-lock"), Some(""));
}

#[tokio::test]
async fn a_lock_expires_thirty_minutes_after_it_was_taken() {
    let mut h = harness().await;
    let s = h.seed("cy", "sheet.xlsx", b"cells").await;
    let r = h.send(file_op(&s, "LOCK", &[("X-WOPI-Lock", "A")])).await;
    assert_eq!(r.status, StatusCode::OK);
    h.clock.advance(29 * 60 * 1000);
    let r = h.send(file_op(&s, "LOCK", &[("X-WOPI-Lock", "B")])).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "still locked after 29 min");
    assert_eq!(r.header("x-wopi-lock"), Some("A"));
    h.clock.advance(60 * 1000 + 1);
    let r = h.send(file_op(&s, "LOCK", &[("X-WOPI-Lock", "B")])).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "expired after 30 min: {}",
        r.text()
    );
}

#[tokio::test]
async fn a_bad_or_expired_token_is_401() {
    let mut h = harness().await;
    let s = h.seed("dan", "a.docx", b"x").await;
    let path = format!("/wopi/files/{}", s.file_id);
    let r = h
        .send(wopi(Method::GET, &path, "not-a-token", &[], Body::empty()))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    insta::assert_json_snapshot!("wopi_invalid_token", h.snapshot_of(&r));
    // The token minted in `seed` lives 10 h on the fixed clock.
    h.clock.advance(10 * HOUR_MS);
    let r = h
        .send(wopi(Method::GET, &path, &s.token, &[], Body::empty()))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "expired token");
}

#[tokio::test]
async fn an_unknown_file_is_404_and_a_token_for_another_file_is_401() {
    let mut h = harness().await;
    let a = h.seed("eve", "a.docx", b"a").await;
    let b = h.seed("fay", "b.docx", b"b").await;
    // A well-formed id that names no file.
    let r = h
        .send(wopi(
            Method::GET,
            "/wopi/files/AAAAAAAAAAAAAAAAAAAAAA",
            &a.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert!(
        r.status == StatusCode::NOT_FOUND || r.status == StatusCode::UNAUTHORIZED,
        "{}",
        r.status
    );
    let r = h
        .send(wopi(
            Method::GET,
            &format!("/wopi/files/{}", b.file_id),
            &a.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a token is bound to its file"
    );
}

#[tokio::test]
async fn an_unsupported_operation_is_501_but_only_for_a_valid_token() {
    let mut h = harness().await;
    let s = h.seed("gus", "c.docx", b"c").await;
    let r = h.send(file_op(&s, "NO_SUCH_OPERATION", &[])).await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED, "{}", r.text());
    insta::assert_json_snapshot!("wopi_unsupported_operation", h.snapshot_of(&r));
    // 401 wins over 501.
    let bad = Seeded {
        file_id: s.file_id.clone(),
        token: "not-a-token".into(),
    };
    let r = h.send(file_op(&bad, "NO_SUCH_OPERATION", &[])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // An endpoint Folio does not implement (the deprecated folders endpoint).
    let r = h
        .send(wopi(
            Method::GET,
            "/wopi/folders/xyz",
            &s.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
}

// ---- containers and the ecosystem ---------------------------------------------------------

/// `url` (absolute, with `?access_token=`) as (path, token) for `wopi()`.
fn split_minted(url: &str) -> (String, String) {
    let rest = url.strip_prefix(PUBLIC_URL).unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let token = query.strip_prefix("access_token=").unwrap_or_default();
    (path.to_owned(), token.to_owned())
}

#[tokio::test]
async fn check_container_info_of_the_root_and_minted_tokens_expire_with_their_parent() {
    let mut h = harness().await;
    let s = h.seed("cora", "plan.docx", b"plan").await;
    let r = h
        .send(wopi(
            Method::GET,
            &format!("/wopi/files/{}/ancestry", s.file_id),
            &s.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let root = r.json()["AncestorsWithRootFirst"][0]["Url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (root_path, root_token) = split_minted(&root);
    assert!(root_path.starts_with("/wopi/containers/"), "{root_path}");
    h.hide(
        root_path.trim_start_matches("/wopi/containers/"),
        "[folder_id]",
    );
    h.hide(&root_token, "[container_token]");
    let r = h
        .send(wopi(
            Method::GET,
            &root_path,
            &root_token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("check_container_info", h.snapshot_of(&r));
    // The container token is for that container only: not the file, not the ecosystem.
    for path in [
        format!("/wopi/files/{}", s.file_id),
        "/wopi/ecosystem".to_owned(),
    ] {
        let r = h
            .send(wopi(Method::GET, &path, &root_token, &[], Body::empty()))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Children of the root: the file, with a file token of its own.
    let r = h
        .send(wopi(
            Method::GET,
            &format!("{root_path}/children"),
            &root_token,
            &[],
            Body::empty(),
        ))
        .await;
    let child = r.json()["ChildFiles"][0]["Url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (child_path, child_token) = split_minted(&child);
    assert_eq!(child_path, format!("/wopi/files/{}", s.file_id));
    // One millisecond before the seed token expires, everything minted from it still works…
    h.clock.advance(10 * HOUR_MS - 1);
    for (path, token) in [(&root_path, &root_token), (&child_path, &child_token)] {
        let r = h
            .send(wopi(Method::GET, path, token, &[], Body::empty()))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path} before expiry");
    }
    // …and at the instant it expires, none of it does.
    h.clock.advance(1);
    for (path, token) in [
        (&format!("/wopi/files/{}", s.file_id), &s.token),
        (&root_path, &root_token),
        (&child_path, &child_token),
    ] {
        let r = h
            .send(wopi(Method::GET, path, token, &[], Body::empty()))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path} at expiry");
    }
}

// ---- /api/v1 ------------------------------------------------------------------------------

#[tokio::test]
async fn api_upload_then_metadata_as_json() {
    let mut h = harness().await;
    let key = h.api_key(&["files"]).await;
    let r = h
        .send(api(
            Method::POST,
            "/files?name=plan.txt",
            Some(&key),
            Body::from("the plan"),
        ))
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    let created = r.json();
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 22, "{created}");
    h.hide(&id, "[file_id]");
    h.hide(
        created["folder_id"].as_str().unwrap_or_default(),
        "[folder_id]",
    );
    insta::assert_json_snapshot!("api_upload", h.snapshot_of(&r));

    let r = h
        .send(api(
            Method::GET,
            &format!("/files/{id}"),
            Some(&key),
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["name"], "plan.txt");
    assert_eq!(r.json()["size"], 8);
    insta::assert_json_snapshot!("api_file_metadata", h.snapshot_of(&r));
}

#[tokio::test]
async fn api_errors_have_one_json_shape() {
    let mut h = harness().await;
    let key = h.api_key(&["files"]).await;
    let cases = [
        (
            "no_key",
            api(
                Method::GET,
                "/files/AAAAAAAAAAAAAAAAAAAAAA",
                None,
                Body::empty(),
            ),
            401,
        ),
        (
            "wrong_key",
            api(
                Method::GET,
                "/files/AAAAAAAAAAAAAAAAAAAAAA",
                Some("folio0000000000000000000000000000000000000000"),
                Body::empty(),
            ),
            401,
        ),
        (
            "unknown_file",
            api(
                Method::GET,
                "/files/AAAAAAAAAAAAAAAAAAAAAA",
                Some(&key),
                Body::empty(),
            ),
            404,
        ),
        (
            "unknown_endpoint",
            api(Method::GET, "/no-such-thing", Some(&key), Body::empty()),
            404,
        ),
        (
            "missing_scope",
            api(Method::GET, "/sessions", Some(&key), Body::empty()),
            403,
        ),
    ];
    let mut snapshots = serde_json::Map::new();
    for (name, req, status) in cases {
        let r = h.send(req).await;
        assert_eq!(r.status.as_u16(), status, "{name}: {}", r.text());
        let v = r.json();
        assert!(
            v["error"]["code"].is_string() && v["error"]["message"].is_string(),
            "{name}: {v}"
        );
        snapshots.insert(name.to_owned(), h.snapshot_of(&r));
    }
    insta::assert_json_snapshot!("api_errors", Value::Object(snapshots));
}

#[tokio::test]
async fn api_refuses_malformed_json_and_unknown_fields() {
    let mut h = harness().await;
    let key = h.api_key(&["files"]).await;
    let r = h
        .send(api(
            Method::POST,
            "/files?name=x.txt",
            Some(&key),
            Body::from("x"),
        ))
        .await;
    let id = r.json()["id"].as_str().unwrap_or_default().to_owned();
    h.hide(&id, "[file_id]");
    let patch = |body: &'static str| {
        Request::builder()
            .method(Method::PATCH)
            .uri(format!("/api/v1/files/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap_or_else(|e| panic!("request: {e}"))
    };
    let mut snapshots = serde_json::Map::new();
    for (name, body) in [
        ("malformed", "{\"name\": "),
        ("unknown_field", "{\"nmae\": \"y.txt\"}"),
        ("nothing_to_change", "{}"),
    ] {
        let r = h.send(patch(body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.text());
        snapshots.insert(name.to_owned(), h.snapshot_of(&r));
    }
    insta::assert_json_snapshot!("api_bad_json", Value::Object(snapshots));
    let r = h.send(patch("{\"name\": \"y.txt\"}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["name"], "y.txt");
}

// ---- Pages and probes ---------------------------------------------------------------------

#[tokio::test]
async fn the_sign_in_page_renders_a_form_with_a_csrf_token() {
    let h = harness().await;
    let r = h.send(get("/login")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        r.header("content-type")
    );
    let page = r.text();
    assert!(page.contains("<form"), "{page}");
    assert!(page.contains("name=\"csrf\""), "{page}");
    assert!(
        page.contains("id=\"login\"") && page.contains("id=\"password\""),
        "{page}"
    );
}

#[tokio::test]
async fn pages_need_a_signed_in_user() {
    let mut h = harness().await;
    let s = h.seed("hal", "d.docx", b"d").await;
    for path in ["/".to_owned(), format!("/open/{}", s.file_id)] {
        let r = h.send(get(&path)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.header("location").is_some_and(|l| l.contains("/login")),
            "{path}: {:?}",
            r.header("location")
        );
    }
}

#[tokio::test]
async fn health_and_readiness_probes() {
    let h = harness().await;
    assert_eq!(h.send(get("/healthz")).await.status, StatusCode::OK);
    assert_eq!(h.send(get("/readyz")).await.status, StatusCode::OK);
}

// ---- Hostile input ------------------------------------------------------------------------

/// Arbitrary JSON bodies, form bodies, WOPI headers and query strings from clients: the answer
/// is always a refusal or a success the surface defines (501 for an unknown override) — never a
/// 500, never a panic — and the
/// file's content is unchanged by anything refused. Generated by proptest, run inside one
/// harness (one SQLite database) so hundreds of cases take a second or two.
#[tokio::test]
async fn hostile_bodies_and_headers_never_cause_a_server_error() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let mut h = harness().await;
    let s = h.seed("mallory", "m.txt", b"original").await;
    let key = h.api_key(&["files", "sessions"]).await;
    let cases: std::cell::RefCell<Vec<(u8, String, String)>> = Default::default();
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    let strategy = (
        0u8..6,
        prop_oneof![
            any::<String>(),
            "[{}\\[\\]\":,a-z0-9 ]{0,60}",
            Just("{\"name\":\"\\u0000\"}".to_owned()),
            Just("{\"name\":1e999}".to_owned()),
            Just("[".repeat(200)),
        ],
        "[ -~]{0,40}",
    );
    let collected = runner.run(&strategy, |case| {
        cases.borrow_mut().push(case);
        Ok(())
    });
    assert!(collected.is_ok());
    for (kind, body, header_text) in cases.into_inner() {
        let req = match kind {
            0 => Request::builder()
                .method(Method::PATCH)
                .uri(format!("/api/v1/files/{}", s.file_id))
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone())),
            1 => Request::builder()
                .method(Method::POST)
                .uri("/api/v1/sessions")
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone())),
            2 => Request::builder()
                .method(Method::POST)
                .uri("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.clone())),
            3 => Request::builder()
                .method(Method::POST)
                .uri(format!(
                    "/wopi/files/{}?access_token={}",
                    s.file_id, s.token
                ))
                .header("X-WOPI-Override", header_text.as_str())
                .header("X-WOPI-Lock", header_text.as_str())
                .header("X-WOPI-SuggestedTarget", header_text.as_str())
                .header("X-WOPI-RequestedName", header_text.as_str())
                .body(Body::from(body.clone())),
            4 => Request::builder()
                .method(Method::POST)
                .uri(format!(
                    "/wopi/files/{}?access_token={}",
                    s.file_id, s.token
                ))
                .header("X-WOPI-Override", "PUT_RELATIVE")
                .header("X-WOPI-RelativeTarget", header_text.as_str())
                .header("X-WOPI-OverwriteRelativeTarget", header_text.as_str())
                .body(Body::from(body.clone())),
            _ => Request::builder()
                .method(Method::GET)
                .uri(format!("/api/v1/files/{}/content", s.file_id))
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .header(header::RANGE, header_text.as_str())
                .body(Body::empty()),
        };
        let Ok(req) = req else { continue };
        let r = h.send(req).await;
        // 501 is WOPI's defined answer to an unknown X-WOPI-Override; anything else 5xx is a bug.
        assert!(
            !r.status.is_server_error() || r.status == StatusCode::NOT_IMPLEMENTED,
            "kind {kind}, body {body:?}, header {header_text:?}: {} {}",
            r.status,
            r.text()
        );
    }
    let r = h
        .send(wopi(
            Method::GET,
            &format!("/wopi/files/{}/contents", s.file_id),
            &s.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // PUT_RELATIVE may create new files, RENAME may rename; the content is never changed.
    assert_eq!(r.body, b"original");
}

// ---- Security headers and banners (issue "Hardening") ------------------------------------

/// `GET path` with the session `cookie`.
fn get_signed_in(path: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("request: {e}"))
}

/// The headers every response carries; `framed` for what Folio's own host page frames.
fn assert_security_headers(what: &str, r: &Reply, framed: bool) {
    let csp = r.header("content-security-policy").unwrap_or_default();
    let ancestors = if framed {
        "frame-ancestors 'self'"
    } else {
        "frame-ancestors 'none'"
    };
    assert!(csp.contains(ancestors), "{what}: {csp:?}");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{what}: {csp:?}"
    );
    assert_eq!(
        r.header("x-frame-options"),
        Some(if framed { "SAMEORIGIN" } else { "DENY" }),
        "{what}"
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
}

#[tokio::test]
async fn security_headers_on_pages_api_wopi_and_the_dev_editor() {
    let mut h = harness().await;
    let s = h.seed("sia", "s.docx", b"s").await;
    let key = h.api_key(&["files"]).await;
    let cookie = h.signed_in("sol").await;
    let dev = folio_dev_editor::DevEditor::open(
        PUBLIC_URL.into(),
        h.dir.path().join("dev-editor-keys.json"),
    )
    .await
    .unwrap_or_else(|e| panic!("dev editor: {e}"));
    h.router = folio_http::router_with(
        folio_http::AppState { app: h.app.clone() },
        [(folio_dev_editor::MOUNT_PATH, dev.router())],
    );

    let home = h.send(get_signed_in("/", &cookie)).await;
    let folder = home.header("location").unwrap_or_default().to_owned();
    let page = h.send(get_signed_in(&folder, &cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{folder}");
    let cases = [
        ("sign-in page", get("/login"), StatusCode::OK, false),
        (
            "folder page",
            get_signed_in(&folder, &cookie),
            StatusCode::OK,
            false,
        ),
        (
            "API document",
            api(Method::GET, "/openapi.json", None, Body::empty()),
            StatusCode::OK,
            false,
        ),
        (
            "API not found",
            api(
                Method::GET,
                &format!("/files/{}", s.file_id),
                Some(&key),
                Body::empty(),
            ),
            StatusCode::NOT_FOUND,
            false,
        ),
        (
            "API refusal",
            api(Method::GET, "/files/nope", None, Body::empty()),
            StatusCode::UNAUTHORIZED,
            false,
        ),
        (
            "WOPI CheckFileInfo",
            wopi(
                Method::GET,
                &format!("/wopi/files/{}", s.file_id),
                &s.token,
                &[],
                Body::empty(),
            ),
            StatusCode::OK,
            false,
        ),
        (
            "static script",
            get("/static/host_page.js"),
            StatusCode::OK,
            false,
        ),
        (
            "dev editor asset",
            get("/dev-editor/editor.css"),
            StatusCode::OK,
            true,
        ),
        (
            "dev editor page",
            Request::builder()
                .method(Method::POST)
                .uri("/dev-editor/view?wopisrc=x")
                .body(Body::empty())
                .unwrap_or_else(|e| panic!("request: {e}")),
            StatusCode::BAD_REQUEST,
            true,
        ),
    ];
    for (what, req, status, framed) in cases {
        let r = h.send(req).await;
        assert_eq!(r.status, status, "{what}: {}", r.text());
        assert_security_headers(what, &r, framed);
        assert_eq!(
            r.header("strict-transport-security"),
            None,
            "{what}: no HSTS on an http public URL"
        );
    }
}

#[tokio::test]
async fn hsts_only_when_the_public_url_is_https() {
    let h = harness_at("https://folio.test").await;
    for path in [
        "/login",
        "/healthz",
        "/api/v1/files/nope",
        "/wopi/files/nope",
    ] {
        let r = h.send(get(path)).await;
        assert_eq!(
            r.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}"
        );
        assert_security_headers(path, &r, false);
    }
    let h = harness().await;
    assert_eq!(
        h.send(get("/login"))
            .await
            .header("strict-transport-security"),
        None
    );
}

/// Issue "Hardening", bug 10: `?error=` and `?notice=` are message codes; text from the URL is
/// never shown as an official banner.
#[tokio::test]
async fn a_page_never_shows_message_text_from_the_url() {
    let mut h = harness().await;
    let cookie = h.signed_in("max").await;
    let home = h.send(get_signed_in("/", &cookie)).await;
    let folder = home.header("location").unwrap_or_default().to_owned();
    assert!(folder.starts_with("/folders/"), "{folder}");
    let crafted = "Your session expired. Sign in again at evil.example";
    let encoded = "Your%20session%20expired.%20Sign%20in%20again%20at%20evil.example";
    for query in [format!("error={encoded}"), format!("notice={encoded}")] {
        let r = h
            .send(get_signed_in(&format!("{folder}?{query}"), &cookie))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{query}");
        let page = r.text();
        assert!(
            !page.contains(crafted) && !page.contains("evil.example"),
            "{query}: {page}"
        );
        assert!(
            !page.contains("id=\"error\"") && !page.contains("id=\"notice\""),
            "{query}: no banner at all"
        );
    }
    let r = h
        .send(get_signed_in(
            &format!("{folder}?notice=renamed&error=name-taken"),
            &cookie,
        ))
        .await;
    let page = r.text();
    assert!(page.contains("File renamed."), "{page}");
    assert!(page.contains("That name already exists here"), "{page}");
    // A notice code under error= (and the reverse) shows nothing either.
    let r = h
        .send(get_signed_in(
            &format!("{folder}?error=renamed&notice=name-taken"),
            &cookie,
        ))
        .await;
    let page = r.text();
    assert!(
        !page.contains("File renamed.") && !page.contains("already exists"),
        "{page}"
    );
}

/// A user with a password, signed in: (user, cookie header, CSRF token).
async fn session_of(
    h: &Harness,
    login: &str,
) -> (folio_app::folio_store::UserRecord, String, String) {
    let password = "router test password";
    let hash =
        folio_app::tokens::hash_password(password).unwrap_or_else(|e| panic!("hash_password: {e}"));
    let user = h
        .app
        .create_user(NewUser {
            login: login.into(),
            name: format!("User {login}"),
            email: format!("{login}@example.test"),
            is_admin: false,
            password_hash: Some(hash),
        })
        .await
        .unwrap_or_else(|e| panic!("create_user: {e}"));
    let session = h
        .app
        .sign_in(login, password)
        .await
        .unwrap_or_else(|e| panic!("sign_in: {e}"));
    (
        user,
        format!("folio_session={}", session.cookie),
        session.csrf,
    )
}

fn renew_request(
    file_id: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    old: &str,
) -> Request<Body> {
    renew_request_as(file_id, cookie, csrf, old, false)
}

fn renew_request_as(
    file_id: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    old: &str,
    view: bool,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(format!("/open/{file_id}/token"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(t) = csrf {
        b = b.header("X-CSRF-Token", t);
    }
    b.body(Body::from(
        json!({ "access_token": old, "view": view }).to_string(),
    ))
    .unwrap_or_else(|e| panic!("request: {e}"))
}

fn check_file_info(file_id: &str, token: &str) -> Request<Body> {
    get(&format!("/wopi/files/{file_id}?access_token={token}"))
}

#[tokio::test]
async fn the_host_page_renews_its_token_for_the_same_user_file_editor_and_mode() {
    let h = harness().await;
    let (olga, cookie, csrf) = session_of(&h, "olga").await;
    let file = h
        .app
        .import_file("olga", &[], "notes.txt", bytes(b"hello"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let id = file.id.to_string();
    let old = h
        .app
        .mint_token_for_client(&olga.id, &file.id, true, T0 + HOUR_MS, Some("dev"))
        .await
        .unwrap_or_else(|e| panic!("mint: {e}"))
        .access_token;

    // Renewed: a different token, valid for the configured host page lifetime, never cached.
    let r = h
        .send(renew_request(&id, Some(&cookie), Some(&csrf), &old))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("json: {e}"));
    let fresh = v["access_token"].as_str().unwrap_or_default().to_owned();
    assert!(!fresh.is_empty() && fresh != old, "{v}");
    assert_eq!(
        v["access_token_ttl"].as_i64(),
        Some(T0 + AppConfig::default().token_ttl_ms)
    );

    // Same mode (write) and editor: CheckFileInfo with the fresh token; the old one still
    // works until its own expiry, then only the fresh one does.
    let r = h.send(check_file_info(&id, &fresh)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let info: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("json: {e}"));
    assert_eq!(info["UserCanWrite"], true, "{info}");
    assert_eq!(
        h.send(check_file_info(&id, &old)).await.status,
        StatusCode::OK
    );
    h.clock.advance(HOUR_MS);
    assert_eq!(
        h.send(check_file_info(&id, &old)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.send(check_file_info(&id, &fresh)).await.status,
        StatusCode::OK
    );
    // An expired page token can still be renewed by its signed-in user (a laptop that slept).
    let r = h
        .send(renew_request(&id, Some(&cookie), Some(&csrf), &old))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // No CSRF token, a wrong one, no session: refused, JSON, never a redirect.
    for (c, t, status) in [
        (Some(cookie.as_str()), None, StatusCode::FORBIDDEN),
        (Some(cookie.as_str()), Some("wrong"), StatusCode::FORBIDDEN),
        (None, Some(csrf.as_str()), StatusCode::UNAUTHORIZED),
        (
            Some("folio_session=nonsense"),
            Some(csrf.as_str()),
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let r = h.send(renew_request(&id, c, t, &fresh)).await;
        assert_eq!(r.status, status, "{c:?} {t:?}: {}", r.text());
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let e: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("json: {e}"));
        assert!(e["error"].is_string(), "{e}");
    }
    // A token that is not the page's (unknown, another file): 404.
    let r = h
        .send(renew_request(
            &id,
            Some(&cookie),
            Some(&csrf),
            "Zm9vYmFyYmF6cXV4",
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    assert!(!r.text().contains(&fresh), "no token in an error body");
}

#[tokio::test]
async fn renewal_rechecks_the_role_and_the_account() {
    let h = harness().await;
    let (olga, _, _) = session_of(&h, "olga").await;
    let (bob, bob_cookie, bob_csrf) = session_of(&h, "bob").await;
    let (_, carol_cookie, carol_csrf) = session_of(&h, "carol").await;
    let file = h
        .app
        .import_file("olga", &[], "plan.txt", bytes(b"plan"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let id = file.id.to_string();
    h.app
        .share(
            &olga,
            folio_app::web::ShareTarget::File(&file.id),
            folio_app::web::Recipient::Typed("bob"),
            folio_app::folio_store::Role::Editor,
        )
        .await
        .unwrap_or_else(|e| panic!("share: {e}"));
    let bobs = h
        .app
        .mint_token_for_client(&bob.id, &file.id, true, T0 + HOUR_MS, Some("dev"))
        .await
        .unwrap_or_else(|e| panic!("mint: {e}"))
        .access_token;
    let r = h
        .send(renew_request(
            &id,
            Some(&bob_cookie),
            Some(&bob_csrf),
            &bobs,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Someone else presenting bob's token (carol has no access): 404.
    let r = h
        .send(renew_request(
            &id,
            Some(&carol_cookie),
            Some(&carol_csrf),
            &bobs,
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());

    // Bob's share is reduced to view: his edit page cannot renew its write token (403).
    h.app
        .share(
            &olga,
            folio_app::web::ShareTarget::File(&file.id),
            folio_app::web::Recipient::Typed("bob"),
            folio_app::folio_store::Role::Viewer,
        )
        .await
        .unwrap_or_else(|e| panic!("share: {e}"));
    let r = h
        .send(renew_request(
            &id,
            Some(&bob_cookie),
            Some(&bob_csrf),
            &bobs,
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // His view page renews, read-only.
    let r = h
        .send(renew_request_as(
            &id,
            Some(&bob_cookie),
            Some(&bob_csrf),
            &bobs,
            true,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("json: {e}"));
    let read_only = v["access_token"].as_str().unwrap_or_default().to_owned();
    let r = h.send(check_file_info(&id, &read_only)).await;
    let info: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("json: {e}"));
    assert_eq!(info["UserCanWrite"], false, "{info}");

    // A disabled account is signed out: 401.
    h.app
        .disable_login("bob")
        .await
        .unwrap_or_else(|e| panic!("disable: {e}"));
    let r = h
        .send(renew_request(
            &id,
            Some(&bob_cookie),
            Some(&bob_csrf),
            &bobs,
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
}

/// `[audit] retention_days` (default 365): the periodic sweep deletes older rows and keeps the
/// rest; the rows come from real GetFile requests through the router and are read back
/// through `GET /api/v1/audit`.
#[tokio::test]
async fn the_sweep_applies_audit_retention() {
    let mut h = harness().await;
    let s = h.seed("rita", "old.docx", b"old").await;
    let key = h.api_key(&["admin"]).await;
    let r = h
        .send(wopi(
            Method::GET,
            &format!("/wopi/files/{}/contents", s.file_id),
            &s.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let downloads = |h: &Harness| {
        let key = key.clone();
        let file = s.file_id.clone();
        let router = h.router.clone();
        async move {
            let resp = router
                .oneshot(api(
                    Method::GET,
                    &format!("/audit?file={file}&action=file.download"),
                    Some(&key),
                    Body::empty(),
                ))
                .await
                .unwrap_or_else(|e| match e {});
            assert_eq!(resp.status(), StatusCode::OK);
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap_or_else(|e| panic!("read body: {e}"));
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            v["events"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e["at_ms"].as_i64())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    assert_eq!(downloads(&h).await, vec![T0]);
    // A year and a day later, a second download; the sweep removes only the first row.
    h.clock.advance(366 * 24 * HOUR_MS);
    let fresh = h
        .app
        .mint_token_for_login(
            "rita",
            &folio_wopi::FileId::parse(&s.file_id).unwrap_or_else(|e| panic!("{e}")),
            false,
            None,
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("mint: {e}"));
    let later = Seeded {
        file_id: s.file_id.clone(),
        token: fresh.access_token,
    };
    let r = h
        .send(wopi(
            Method::GET,
            &format!("/wopi/files/{}/contents", later.file_id),
            &later.token,
            &[],
            Body::empty(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let t1 = T0 + 366 * 24 * HOUR_MS;
    assert_eq!(downloads(&h).await, vec![t1, T0]);
    let report = h
        .app
        .sweep(HOUR_MS)
        .await
        .unwrap_or_else(|e| panic!("sweep: {e}"));
    // The first download, and the key's creation a year ago, are past retention.
    assert!(report.purged_audit >= 1, "{}", report.purged_audit);
    assert_eq!(downloads(&h).await, vec![t1]);
    let again = h
        .app
        .sweep(HOUR_MS)
        .await
        .unwrap_or_else(|e| panic!("sweep: {e}"));
    assert_eq!(again.purged_audit, 0);
}

/// Issue 13: without a live session (none, or one that expired) only a page a person navigates
/// to is redirected to the sign-in page. A script's request is `401` JSON and a form the sign-in
/// page with status 401 — never a redirect that a script could follow and take for success.
#[tokio::test]
async fn without_a_live_session_only_page_navigation_is_redirected_the_rest_is_401() {
    let h = harness().await;
    let (user, cookie, csrf) = session_of(&h, "exa").await;
    let folder = user.root_folder_id.clone();
    // Signed in: the session's CSRF token for scripts.
    let r = h
        .send(
            Request::get("/session/csrf")
                .header("cookie", &cookie)
                .header("accept", "application/json")
                .body(Body::empty())
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["csrf"], csrf.as_str());
    assert_eq!(r.header("cache-control"), Some("no-store"));

    // The session expires (12 h); then also no cookie at all.
    h.clock.advance(13 * HOUR_MS);
    for cookie in [Some(cookie.as_str()), None] {
        let with = |b: axum::http::request::Builder| match cookie {
            Some(c) => b.header("cookie", c),
            None => b,
        };
        let page = h
            .send(
                with(Request::get(format!("/folders/{folder}")))
                    .body(Body::empty())
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{cookie:?}");
        assert_eq!(
            page.header("location"),
            Some(format!("/login?next=/folders/{folder}").as_str())
        );
        let scripts = [
            with(Request::get(format!("/folders/{folder}")))
                .header("accept", "application/json")
                .body(Body::empty()),
            with(Request::get("/session/csrf"))
                .header("accept", "application/json")
                .body(Body::empty()),
            with(Request::post(format!(
                "/folders/{folder}/upload?name=a.txt"
            )))
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/octet-stream")
            .body(Body::from("data")),
            with(Request::post(format!("/folders/{folder}/new-folder")))
                .header("x-requested-with", "fetch")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}&name=X"))),
        ];
        for req in scripts {
            let req = req.unwrap_or_else(|e| panic!("{e}"));
            let what = format!("{} {} {cookie:?}", req.method(), req.uri());
            let r = h.send(req).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}");
            assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
            assert!(r.header("location").is_none(), "{what}");
            let body = r.json();
            assert!(
                body["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("signed out")),
                "{what}: {body}"
            );
            assert_eq!(body["signin"], "/login", "{what}");
        }
        for path in [
            format!("/folders/{folder}/new-folder"),
            format!("/folders/{folder}/upload?name=a.txt"),
            "/files/AAAAAAAAAAAAAAAAAAAAAA/rename".to_owned(),
            "/admin/users".to_owned(),
        ] {
            let r = h
                .send(
                    with(Request::post(path.as_str()))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(Body::from(format!("csrf={csrf}&name=X")))
                        .unwrap_or_else(|e| panic!("{e}")),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(r.header("location").is_none(), "{path}");
            let page = r.text();
            let back = if path.starts_with("/folders/") {
                format!("/folders/{folder}")
            } else if path.starts_with("/admin") {
                "/admin".to_owned()
            } else {
                "/".to_owned()
            };
            assert!(
                page.contains(&format!("name=\"next\" value=\"{back}\"")),
                "{path}: returns to {back}: {page}"
            );
            assert!(
                page.contains("data-signed-out=\"true\"")
                    && page.contains("action=\"/login\"")
                    && page.contains("You were signed out, so that was not done."),
                "{path}: {page}"
            );
        }
        // Signing out without a session is already done: the sign-in page.
        let r = h
            .send(
                with(Request::post("/logout"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(format!("csrf={csrf}")))
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), Some("/login"));
    }
    // Nothing was created by any of it.
    let (view, _) = h
        .app
        .folder_view_shared(&user, &folder)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(view.folders.is_empty() && view.files.is_empty());
}

/// Issue 13: the API listing pages with `limit` and `after` (folders first, by name); `next`
/// is absent on the last page; without `limit` everything, as before.
#[tokio::test]
async fn api_folder_listing_pages_with_limit_and_after() {
    let mut h = harness().await;
    let key = h.api_key(&["files"]).await;
    for name in ["e.txt", "b.txt", "D.txt", "a.txt", "c.txt"] {
        let r = h
            .send(api(
                Method::POST,
                &format!("/files?name={name}"),
                Some(&key),
                Body::from("x"),
            ))
            .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let names = |v: &Value| -> Vec<String> {
        v["files"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let all = h
        .send(api(Method::GET, "/folders", Some(&key), Body::empty()))
        .await
        .json();
    assert_eq!(names(&all).len(), 5);
    assert!(all.get("next").is_none(), "{all}");
    let mut seen = Vec::new();
    let mut url = "/folders?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let r = h
            .send(api(Method::GET, &url, Some(&key), Body::empty()))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        assert!(names(&v).len() <= 2, "{v}");
        seen.extend(names(&v));
        pages += 1;
        match v["next"].as_str() {
            Some(next) => {
                url = format!(
                    "/folders?limit=2&after={}",
                    next.replace('%', "%25").replace('~', "%7E")
                )
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["a.txt", "b.txt", "c.txt", "D.txt", "e.txt"]);
    for bad in [
        "/folders?limit=0",
        "/folders?limit=1001",
        "/folders?limit=2&after=junk",
    ] {
        let r = h
            .send(api(Method::GET, bad, Some(&key), Body::empty()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

// ---- Sharing and public links (issue 13) ---------------------------------------------------

fn form_signed_in(path: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap_or_else(|e| panic!("request: {e}"))
}

fn wopi_put(file_id: &str, token: &str, lock: &str, content: &'static str) -> Request<Body> {
    wopi(
        Method::POST,
        &format!("/wopi/files/{file_id}/contents"),
        token,
        &[("X-WOPI-Override", "PUT"), ("X-WOPI-Lock", lock)],
        Body::from(content),
    )
}

fn wopi_lock(file_id: &str, token: &str, lock: &str) -> Request<Body> {
    wopi(
        Method::POST,
        &format!("/wopi/files/{file_id}"),
        token,
        &[("X-WOPI-Override", "LOCK"), ("X-WOPI-Lock", lock)],
        Body::empty(),
    )
}

#[tokio::test]
async fn removing_or_lowering_a_share_applies_to_tokens_already_handed_out() {
    let h = harness().await;
    let (olga, cookie, csrf) = session_of(&h, "olga").await;
    let (bob, _, _) = session_of(&h, "bob").await;
    let file = h
        .app
        .import_file("olga", &[], "plan.txt", bytes(b"plan"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let id = file.id.to_string();
    let r = h
        .send(form_signed_in(
            &format!("/files/{id}/share"),
            &cookie,
            &format!("csrf={csrf}&login=bob&role=editor"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let bobs = h
        .app
        .mint_token(&bob.id, &file.id, true, T0 + HOUR_MS)
        .await
        .unwrap_or_else(|e| panic!("mint: {e}"))
        .access_token;
    let info = h.send(check_file_info(&id, &bobs)).await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.json()["UserCanWrite"], true);

    // Lowered to view: the same token can no longer write, at once.
    let r = h
        .send(form_signed_in(
            &format!("/files/{id}/share"),
            &cookie,
            &format!("csrf={csrf}&user={}&role=viewer&change=1", bob.id),
        ))
        .await;
    assert_eq!(
        r.header("location"),
        Some(&*format!("/files/{id}/share?notice=role-changed"))
    );
    assert_eq!(
        h.send(check_file_info(&id, &bobs)).await.json()["UserCanWrite"],
        false
    );
    assert_eq!(
        h.send(wopi_put(&id, &bobs, "", "by bob")).await.status,
        StatusCode::NOT_FOUND
    );

    // The dialog lists him; removing him refuses his next CheckFileInfo.
    let page = h
        .send(get_signed_in(&format!("/files/{id}/share"), &cookie))
        .await
        .text();
    assert!(
        page.contains("User bob") && page.contains(&bob.id),
        "{page}"
    );
    let r = h
        .send(form_signed_in(
            &format!("/files/{id}/unshare"),
            &cookie,
            &format!("csrf={csrf}&user={}", bob.id),
        ))
        .await;
    assert_eq!(
        r.header("location"),
        Some(&*format!("/files/{id}/share?notice=unshared"))
    );
    assert_eq!(
        h.send(check_file_info(&id, &bobs)).await.status,
        StatusCode::NOT_FOUND
    );
    // Removing again: nothing to remove.
    let r = h
        .send(form_signed_in(
            &format!("/files/{id}/unshare"),
            &cookie,
            &format!("csrf={csrf}&user={}", bob.id),
        ))
        .await;
    assert_eq!(
        r.header("location"),
        Some(&*format!("/files/{id}/share?error=not-found"))
    );
    // Both changes are in the audit trail.
    let log = h
        .app
        .audit_log(&folio_app::audit::AuditFilter {
            file: Some(id.clone()),
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("audit_log: {e}"));
    // (One fixed time: the rows' order among themselves is by id, so compare them sorted.)
    let mut actions: Vec<&str> = log.events.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        vec!["file.create", "file.share", "file.share", "file.unshare"]
    );
    let _ = olga;
}

#[tokio::test]
async fn the_people_picker_finds_enabled_people_by_name_without_their_email() {
    let h = harness().await;
    let (_, cookie, _) = session_of(&h, "olga").await;
    h.app
        .create_user(NewUser {
            login: "rl".into(),
            name: "Rae Lindqvist".into(),
            email: "rae@example.test".into(),
            is_admin: false,
            password_hash: None,
        })
        .await
        .unwrap_or_else(|e| panic!("create_user: {e}"));
    let gone = h
        .app
        .create_user(NewUser {
            login: "rae2".into(),
            name: "Rae Gone".into(),
            email: "gone@example.test".into(),
            is_admin: false,
            password_hash: None,
        })
        .await
        .unwrap_or_else(|e| panic!("create_user: {e}"));
    h.app
        .disable_login("rae2")
        .await
        .unwrap_or_else(|e| panic!("disable: {e}"));
    let _ = gone;
    let r = h.send(get_signed_in("/people?q=lindq", &cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(
        r.json(),
        json!([{ "id": r.json()[0]["id"], "name": "Rae Lindqvist", "login": "rl" }])
    );
    assert!(
        !r.text().contains("example.test"),
        "no e-mail: {}",
        r.text()
    );
    let r = h.send(get_signed_in("/people?q=rae", &cookie)).await;
    assert_eq!(
        r.json().as_array().map(Vec::len),
        Some(1),
        "disabled people are left out"
    );
    assert_eq!(
        h.send(get_signed_in("/people?q=", &cookie)).await.json(),
        json!([])
    );
    // Signed-in only: a script without a session gets 401, never the list.
    let r = h
        .send(
            Request::builder()
                .uri("/people?q=rae")
                .header("Accept", "application/json")
                .body(Body::empty())
                .unwrap_or_else(|e| panic!("request: {e}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Sharing by a display name only one person has works without the picker too.
    let file = h
        .app
        .import_file("olga", &[], "n.txt", bytes(b"n"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let csrf = form_value_of(
        &h.send(get_signed_in(&format!("/files/{}/share", file.id), &cookie))
            .await
            .text(),
    );
    let r = h
        .send(form_signed_in(
            &format!("/files/{}/share", file.id),
            &cookie,
            &format!("csrf={csrf}&login=rae+lindqvist&role=viewer"),
        ))
        .await;
    assert_eq!(
        r.header("location"),
        Some(&*format!("/files/{}/share?notice=shared", file.id))
    );
}

/// The value of the first `name="csrf"` field of a page.
fn form_value_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_guest_token_reads_as_an_anonymous_guest_and_dies_with_its_link() {
    let h = harness().await;
    let (olga, cookie, csrf) = session_of(&h, "olga").await;
    let file = h
        .app
        .import_file("olga", &[], "notes.txt", bytes(b"hello"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let id = file.id.to_string();
    let view = h
        .app
        .create_link(
            &olga,
            &file.id,
            folio_app::web::NewLink {
                name: "Review".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create_link: {e}"));
    let token = h
        .app
        .mint_link_token(&view.link, None)
        .await
        .unwrap_or_else(|e| panic!("mint_link_token: {e}"))
        .access_token;
    let info = h.send(check_file_info(&id, &token)).await;
    assert_eq!(info.status, StatusCode::OK);
    let j = info.json();
    assert_eq!(j["IsAnonymousUser"], true);
    assert_eq!(j["UserFriendlyName"], "Guest (Review)");
    assert_eq!(j["UserId"], format!("link:{}", view.link.id));
    assert_eq!(j["UserCanWrite"], false);
    assert_eq!(j["ReadOnly"], true);
    assert!(j.get("HostEditUrl").is_none_or(Value::is_null), "{j}");
    assert!(j.get("DownloadUrl").is_none_or(Value::is_null), "{j}");
    assert!(j.get("FileSharingUrl").is_none_or(Value::is_null), "{j}");
    assert!(j.get("UserInfo").is_none_or(Value::is_null), "{j}");
    assert_eq!(j["CloseUrl"], format!("{PUBLIC_URL}/s/closed"));
    assert!(!j.to_string().contains("My files"), "no folder names: {j}");
    // A view link writes nothing; anything but reading and locking is refused for a guest.
    assert_eq!(
        h.send(wopi_lock(&id, &token, "L1")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.send(wopi_put(&id, &token, "L1", "x")).await.status,
        StatusCode::NOT_FOUND
    );
    let rename = wopi(
        Method::POST,
        &format!("/wopi/files/{id}"),
        &token,
        &[
            ("X-WOPI-Override", "RENAME_FILE"),
            ("X-WOPI-RequestedName", "x"),
        ],
        Body::empty(),
    );
    assert_eq!(h.send(rename).await.status, StatusCode::NOT_FOUND);
    let ancestors = wopi(
        Method::POST,
        &format!("/wopi/files/{id}/ancestry"),
        &token,
        &[],
        Body::empty(),
    );
    assert_ne!(h.send(ancestors).await.status, StatusCode::OK);

    // Revoked from the dialog: the token is refused at its next request.
    let r = h
        .send(form_signed_in(
            &format!("/files/{id}/links/{}/revoke", view.link.id),
            &cookie,
            &format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(
        r.header("location"),
        Some(&*format!("/files/{id}/share?notice=link-revoked"))
    );
    assert_eq!(
        h.send(check_file_info(&id, &token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.send(get(&format!("/s/{}", view.secret))).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_edit_link_saves_versions_attributed_to_the_link_until_it_expires() {
    let h = harness().await;
    let (olga, cookie, _) = session_of(&h, "olga").await;
    let file = h
        .app
        .import_file("olga", &[], "notes.txt", bytes(b"hello"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let id = file.id.to_string();
    let edit = h
        .app
        .create_link(
            &olga,
            &file.id,
            folio_app::web::NewLink {
                name: "Agency".into(),
                edit: true,
                expires_at: Some(T0 + HOUR_MS),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create_link: {e}"));
    let minted = h
        .app
        .mint_link_token(&edit.link, None)
        .await
        .unwrap_or_else(|e| panic!("mint_link_token: {e}"));
    assert_eq!(
        minted.access_token_ttl,
        T0 + HOUR_MS,
        "never beyond the link"
    );
    let token = minted.access_token;
    assert_eq!(
        h.send(check_file_info(&id, &token)).await.json()["UserCanWrite"],
        true
    );
    assert_eq!(
        h.send(wopi_lock(&id, &token, "G1")).await.status,
        StatusCode::OK
    );
    let r = h.send(wopi_put(&id, &token, "G1", "guest words")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let versions = h
        .send(get_signed_in(&format!("/files/{id}/versions"), &cookie))
        .await
        .text();
    assert!(versions.contains("Guest (Agency)"), "{versions}");
    // The dialog lists the link with its expiry; the owner's folder marks the file shared.
    let dialog = h
        .send(get_signed_in(&format!("/files/{id}/share"), &cookie))
        .await
        .text();
    assert!(
        dialog.contains("Agency") && dialog.contains("Can edit"),
        "{dialog}"
    );
    assert!(
        !dialog.contains(&edit.secret),
        "the secret is shown only once"
    );
    let folder = h
        .send(get_signed_in(
            &format!("/folders/{}", file.folder_id),
            &cookie,
        ))
        .await
        .text();
    assert!(folder.contains("badge shared"), "{folder}");
    // Expired: the token is refused, the link no longer opens, the mark is gone.
    h.clock.advance(HOUR_MS);
    assert_eq!(
        h.send(check_file_info(&id, &token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = h.send(get(&format!("/s/{}", edit.secret))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.text().contains("This link no longer works"),
        "{}",
        r.text()
    );
    let folder = h
        .send(get_signed_in(
            &format!("/folders/{}", file.folder_id),
            &cookie,
        ))
        .await
        .text();
    assert!(!folder.contains("badge shared"), "{folder}");
}

#[tokio::test]
async fn a_password_link_asks_first_and_throttles_wrong_passwords() {
    let h = harness().await;
    let (olga, _, _) = session_of(&h, "olga").await;
    let file = h
        .app
        .import_file("olga", &[], "notes.txt", bytes(b"hello"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let link = h
        .app
        .create_link(
            &olga,
            &file.id,
            folio_app::web::NewLink {
                name: "Locked".into(),
                password: Some("open sesame".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create_link: {e}"));
    let path = format!("/s/{}", link.secret);
    let r = h.send(get(&path)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text().contains("This link needs a password"),
        "{}",
        r.text()
    );
    let csrf_cookie = r
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        r.header("set-cookie")
            .is_some_and(|c| c.contains(&format!("Path={path}"))),
        "cookies scoped to the link"
    );
    let csrf = form_value_of(&r.text());
    let try_password = |pw: &str| {
        Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header(header::COOKIE, &csrf_cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&password={pw}")))
            .unwrap_or_else(|e| panic!("request: {e}"))
    };
    let r = h.send(try_password("wrong+one")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("Wrong password."), "{}", r.text());
    for _ in 0..5 {
        h.send(try_password("wrong+again")).await;
    }
    // Throttled now, even with the right password.
    let r = h.send(try_password("open+sesame")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    h.clock.advance(16 * 60 * 1000);
    let r = h.send(try_password("open+sesame")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let pass = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("folio_link_pass="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        pass.contains(&format!("Path={path}")) && pass.contains("HttpOnly"),
        "{pass}"
    );
    // With the pass the link goes on to the editor (no editor here: the page says so), and the
    // pass of this link does not open another password link.
    let pass_cookie = pass.split(';').next().unwrap_or_default().to_owned();
    let r = h
        .send(
            Request::builder()
                .uri(&path)
                .header(header::COOKIE, &pass_cookie)
                .body(Body::empty())
                .unwrap_or_else(|e| panic!("request: {e}")),
        )
        .await;
    assert!(
        !r.text().contains("This link needs a password"),
        "{}",
        r.text()
    );
    let other = h
        .app
        .create_link(
            &olga,
            &file.id,
            folio_app::web::NewLink {
                name: "Other".into(),
                password: Some("open sesame".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create_link: {e}"));
    let r = h
        .send(
            Request::builder()
                .uri(format!("/s/{}", other.secret))
                .header(header::COOKIE, &pass_cookie)
                .body(Body::empty())
                .unwrap_or_else(|e| panic!("request: {e}")),
        )
        .await;
    assert!(
        r.text().contains("This link needs a password"),
        "{}",
        r.text()
    );
}

/// The words a person sees on a page: text nodes and the `title`, `aria-label`, `placeholder`
/// and `alt` attributes (scripts and styles left out).
fn visible_words(page: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find('<') {
        words.push(rest[..start].to_owned());
        let tag_end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..tag_end];
        for name in ["title=\"", "aria-label=\"", "placeholder=\"", "alt=\""] {
            for (i, _) in tag.match_indices(name) {
                if tag[..i].ends_with(|c: char| c.is_whitespace()) {
                    words.push(
                        tag[i + name.len()..]
                            .split('"')
                            .next()
                            .unwrap_or("")
                            .to_owned(),
                    );
                }
            }
        }
        rest = &rest[tag_end..];
        for skip in ["<script", "<style"] {
            if tag.starts_with(skip) {
                let close = format!("</{}", &skip[1..]);
                rest = rest.find(&close).map_or("", |e| &rest[e..]);
            }
        }
    }
    words.push(rest.to_owned());
    words
        .into_iter()
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A text shown in the pseudo-locale came from the catalog (it is wrapped in `⟦…⟧`) or is data:
/// a name, a date, a size, a number.
fn unwrapped(text: &str, data: &[&str]) -> bool {
    if text.contains('⟦') {
        return false;
    }
    let mut rest = text.to_owned();
    for d in data {
        rest = rest.replace(d, " ");
    }
    rest.split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() >= 2)
}

#[tokio::test]
async fn in_the_pseudo_locale_every_word_on_the_main_pages_comes_from_the_catalog() {
    let mut h = harness().await;
    let cookie = h.signed_in("quinn").await;
    let file = h
        .app
        .import_file("quinn", &[], "Report.docx", bytes(b"x"))
        .await
        .unwrap_or_else(|e| panic!("import_file: {e}"));
    let id = file.id.to_string();
    let data = [
        "folio serve --discovery URL",
        "User quinn",
        "quinn",
        "Report.docx",
        "Report",
        "Folio",
        "UTC",
        "KB",
        "docx",
    ];
    let mut pages = vec![
        "/".to_owned(),
        "/trash".to_owned(),
        "/shared".to_owned(),
        "/recent".to_owned(),
        "/favourites".to_owned(),
        "/account".to_owned(),
        "/search?q=Rep".to_owned(),
        "/search?q=nothing-like-it".to_owned(),
        format!("/files/{id}/versions"),
        format!("/files/{id}/details"),
        format!("/files/{id}/share"),
        "/folders/no-such-folder".to_owned(),
        "/?notice=renamed".to_owned(),
    ];
    pages.push("/login".to_owned());
    let mut problems = Vec::new();
    for path in &pages {
        let mut target = path.clone();
        let mut r;
        loop {
            let mut req = Request::builder()
                .uri(target.as_str())
                .header(header::ACCEPT_LANGUAGE, "qps-ploc");
            if path != "/login" {
                req = req.header(header::COOKIE, cookie.as_str());
            }
            r = h
                .send(
                    req.body(Body::empty())
                        .unwrap_or_else(|e| panic!("request: {e}")),
                )
                .await;
            match r.header("location") {
                Some(next) if r.status.is_redirection() => target = next.to_owned(),
                _ => break,
            }
        }
        let page = r.text();
        assert!(
            page.contains("<html lang=\"qps-ploc\">"),
            "{path}: {}",
            r.status
        );
        assert_eq!(r.header("content-language"), Some("qps-ploc"), "{path}");
        assert!(page.contains("⟦"), "{path}: nothing from the catalog");
        for w in visible_words(&page) {
            if unwrapped(&w, &data) {
                problems.push(format!("{path}: {w:?}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "text not from the catalog:\n{}",
        problems.join("\n")
    );

    // Without the pseudo-locale's exact tag the page is English, and says so.
    let root = h
        .send(get_signed_in("/", &cookie))
        .await
        .header("location")
        .unwrap_or("/")
        .to_owned();
    let r = h
        .send(
            Request::builder()
                .uri(root.as_str())
                .header(header::COOKIE, cookie.as_str())
                .header(header::ACCEPT_LANGUAGE, "qps, de-DE;q=0.9, *;q=0.1")
                .body(Body::empty())
                .unwrap_or_else(|e| panic!("request: {e}")),
        )
        .await;
    let page = r.text();
    assert!(
        page.contains("<html lang=\"en\">") && page.contains(">My files<"),
        "{page}"
    );
    assert!(!page.contains('⟦'));
}
