//! End to end: the development editor against a small in-memory WOPI host that checks every
//! proof, on one real HTTP server (as when Folio nests the editor's router).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use folio_dev_editor::DevEditor;
use folio_wopi::proof::{ProofHeaders, ProofKey, ProofKeys, ProofOutcome, verify_request};
use serde_json::{Value, json};
use std::error::Error;
use std::sync::{Arc, Mutex, PoisonError};

type TestResult = Result<(), Box<dyn Error + Send + Sync>>;

const TOKEN: &str = "tok3nABC123";

/// The fake host's file and what it saw.
#[derive(Default)]
struct HostState {
    public_url: String,
    keys: Option<ProofKeys>,
    name: String,
    content: Vec<u8>,
    version: u64,
    lock: Option<String>,
    can_write: bool,
    /// (operation, proof outcome, had X-WOPI-ProofOld)
    calls: Vec<(String, ProofOutcome, bool)>,
}

type Host = Arc<Mutex<HostState>>;

fn lock(host: &Host) -> std::sync::MutexGuard<'_, HostState> {
    host.lock().unwrap_or_else(PoisonError::into_inner)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Checks token, bearer header and proof like Folio does and records the call; the refusal
/// if the call is not acceptable.
fn check(host: &Host, op: &str, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
    let mut state = lock(host);
    let query = uri.query().unwrap_or_default();
    if query != format!("access_token={TOKEN}")
        || header(headers, "authorization") != Some(format!("Bearer {TOKEN}").as_str())
    {
        return Some(StatusCode::UNAUTHORIZED.into_response());
    }
    let Some(keys) = state.keys.clone() else {
        return Some((StatusCode::INTERNAL_SERVER_ERROR, "no keys").into_response());
    };
    let url = format!("{}{}", state.public_url, uri);
    let proof = ProofHeaders {
        proof: header(headers, "x-wopi-proof"),
        proof_old: header(headers, "x-wopi-proofold"),
        timestamp: header(headers, "x-wopi-timestamp"),
    };
    match verify_request(&keys, TOKEN, &url, &proof, now_ms()) {
        Ok(outcome) => {
            state
                .calls
                .push((op.to_owned(), outcome, proof.proof_old.is_some()));
            None
        }
        Err(err) => Some(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [("X-WOPI-ServerError", err.to_string())],
            )
                .into_response(),
        ),
    }
}

fn conflict(current: Option<&str>) -> Response {
    (
        StatusCode::CONFLICT,
        [("X-WOPI-Lock", current.unwrap_or_default().to_owned())],
    )
        .into_response()
}

async fn check_file_info(
    State(host): State<Host>,
    Path(_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = check(&host, "CheckFileInfo", &uri, &headers) {
        return response;
    }
    let state = lock(&host);
    axum::Json(json!({
        "BaseFileName": state.name,
        "Size": state.content.len(),
        "Version": state.version.to_string(),
        "UserCanWrite": state.can_write,
        "PostMessageOrigin": state.public_url,
        "OwnerId": "o", "UserId": "u",
    }))
    .into_response()
}

async fn get_file(
    State(host): State<Host>,
    Path(_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = check(&host, "GetFile", &uri, &headers) {
        return response;
    }
    let state = lock(&host);
    (
        [("X-WOPI-ItemVersion", state.version.to_string())],
        state.content.clone(),
    )
        .into_response()
}

async fn put_file(
    State(host): State<Host>,
    Path(_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if header(&headers, "x-wopi-override") != Some("PUT") {
        return StatusCode::NOT_IMPLEMENTED.into_response();
    }
    if let Some(response) = check(&host, "PutFile", &uri, &headers) {
        return response;
    }
    let mut state = lock(&host);
    if state.lock.as_deref() != header(&headers, "x-wopi-lock") {
        return conflict(state.lock.as_deref());
    }
    state.content = body.to_vec();
    state.version += 1;
    ([("X-WOPI-ItemVersion", state.version.to_string())], "").into_response()
}

async fn lock_ops(
    State(host): State<Host>,
    Path(_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let op = header(&headers, "x-wopi-override")
        .unwrap_or_default()
        .to_owned();
    if let Some(response) = check(&host, &op, &uri, &headers) {
        return response;
    }
    let mut state = lock(&host);
    let Some(requested) = header(&headers, "x-wopi-lock").map(str::to_owned) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    match op.as_str() {
        "LOCK" => match state.lock.clone() {
            Some(current) if current != requested => conflict(Some(&current)),
            _ => {
                state.lock = Some(requested);
                StatusCode::OK.into_response()
            }
        },
        "REFRESH_LOCK" | "UNLOCK" => {
            if state.lock.as_deref() != Some(requested.as_str()) {
                return conflict(state.lock.as_deref());
            }
            if op == "UNLOCK" {
                state.lock = None;
            }
            StatusCode::OK.into_response()
        }
        _ => StatusCode::NOT_IMPLEMENTED.into_response(),
    }
}

struct Setup {
    base: String,
    dev: DevEditor,
    host: Host,
    client: reqwest::Client,
    dir: std::path::PathBuf,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Setup {
    async fn start() -> Result<Self, Box<dyn Error + Send + Sync>> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let dir = std::env::temp_dir().join(format!(
            "folio-dev-editor-e2e-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let dev = DevEditor::open(format!("{base}/"), dir.join("keys.json")).await?;
        let host: Host = Arc::new(Mutex::new(HostState {
            public_url: base.clone(),
            name: "notes.txt".into(),
            content: "hello\r\nworld".into(),
            version: 1,
            can_write: true,
            ..HostState::default()
        }));
        let wopi = Router::new()
            .route("/wopi/files/{id}", get(check_file_info).post(lock_ops))
            .route("/wopi/files/{id}/contents", get(get_file).post(put_file))
            .with_state(Arc::clone(&host));
        let app = Router::new().nest("/dev-editor", dev.router()).merge(wopi);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let client = reqwest::Client::builder().no_proxy().build()?;
        let setup = Self {
            base,
            dev,
            host,
            client,
            dir,
        };
        setup.refresh_discovery().await?;
        Ok(setup)
    }

    /// What Folio does: fetch the discovery over HTTP and take its proof keys.
    async fn refresh_discovery(&self) -> TestResult {
        let response = self.client.get(self.dev.discovery_url()).send().await?;
        assert_eq!(response.status(), 200);
        assert_eq!(
            header_of(&response, "content-type").as_deref(),
            Some("application/xml")
        );
        let discovery = folio_wopi::discovery::parse(&response.text().await?)?;
        let raw = discovery.proof_key.ok_or("no proof-key")?;
        let current =
            ProofKey::from_discovery(&raw.value, &raw.modulus, &raw.exponent)?.ok_or("no key")?;
        let old = ProofKey::from_discovery(&raw.old_value, &raw.old_modulus, &raw.old_exponent)?;
        lock(&self.host).keys = Some(ProofKeys { current, old });
        Ok(())
    }

    async fn api(
        &self,
        path: &str,
        body: Value,
    ) -> Result<(u16, Value), Box<dyn Error + Send + Sync>> {
        let response = self
            .client
            .post(format!("{}/dev-editor/{path}", self.base))
            .json(&body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    fn wopisrc(&self) -> String {
        format!("{}/wopi/files/F1", self.base)
    }

    fn calls(&self) -> Vec<(String, ProofOutcome, bool)> {
        std::mem::take(&mut lock(&self.host).calls)
    }
}

fn header_of(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn names(calls: &[(String, ProofOutcome, bool)]) -> Vec<&str> {
    calls.iter().map(|(op, _, _)| op.as_str()).collect()
}

#[tokio::test]
async fn open_edit_save_close_with_signed_calls() -> TestResult {
    let s = Setup::start().await?;
    let src = s.wopisrc();

    // The editor page, as Folio's host page posts it.
    let page = s
        .client
        .post(format!(
            "{}/dev-editor/edit?ui=en-US&wopisrc={}",
            s.base,
            src.replace(':', "%3A").replace('/', "%2F")
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "access_token={TOKEN}&access_token_ttl=1999999999999&user_id=u&owner_id=o"
        ))
        .send()
        .await?;
    assert_eq!(page.status(), 200);
    assert_eq!(
        header_of(&page, "cache-control").as_deref(),
        Some("no-cache, no-store")
    );
    let html = page.text().await?;
    for needle in [
        "id=\"doc-name\"",
        "id=\"doc-version\"",
        "id=\"doc-text\"",
        "id=\"save-btn\"",
        "id=\"close-btn\"",
        "id=\"versions-btn\"",
        "id=\"status\" role=\"status\"",
        "lang=\"en-US\"",
        TOKEN,
        "\"mode\":\"edit\"",
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }
    assert!(html.contains(&format!("\"wopisrc\":\"{src}\"")));
    for asset in ["editor.js", "editor.css", "favicon.svg"] {
        let response = s
            .client
            .get(format!("{}/dev-editor/{asset}", s.base))
            .send()
            .await?;
        assert_eq!(response.status(), 200, "{asset}");
    }

    // View: no lock.
    let (status, doc) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "view"}),
        )
        .await?;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["name"], "notes.txt");
    assert_eq!(doc["version"], "1");
    assert_eq!(doc["size"], 12);
    assert_eq!(doc["text"], "hello\r\nworld");
    assert_eq!(doc["editable"], false);
    assert_eq!(doc["lock"], Value::Null);
    assert_eq!(doc["user_can_write"], true);
    assert_eq!(doc["post_message_origin"], s.base.as_str());
    let calls = s.calls();
    assert_eq!(names(&calls), ["CheckFileInfo", "GetFile"]);
    assert!(
        calls
            .iter()
            .all(|(_, outcome, old)| *outcome == ProofOutcome::Valid && !old)
    );

    // Edit: CheckFileInfo, GetFile, Lock.
    let (status, doc) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "edit"}),
        )
        .await?;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["editable"], true);
    let lock_id = doc["lock"].as_str().ok_or("no lock")?.to_owned();
    assert!(
        lock_id.starts_with("dev-") && lock_id.len() > 10,
        "{lock_id}"
    );
    assert_eq!(lock(&s.host).lock.as_deref(), Some(lock_id.as_str()));
    assert_eq!(names(&s.calls()), ["CheckFileInfo", "GetFile", "LOCK"]);

    // A second editor cannot lock.
    let (status, err) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "edit"}),
        )
        .await?;
    assert_eq!(status, 502);
    assert_eq!(
        err["error"],
        format!("Lock failed: 409, locked by {lock_id}")
    );
    s.calls();

    // Save: PutFile + RefreshLock.
    let (status, saved) = s
        .api(
            "api/save",
            json!({"wopisrc": src, "access_token": TOKEN, "lock": lock_id, "text": "héllo\nwörld"}),
        )
        .await?;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved, json!({"version": "2", "size": 13}));
    assert_eq!(lock(&s.host).content, "héllo\nwörld".as_bytes());
    assert_eq!(names(&s.calls()), ["PutFile", "REFRESH_LOCK"]);

    // Saving with a wrong lock fails with the WOPI status.
    let (status, err) = s
        .api(
            "api/save",
            json!({"wopisrc": src, "access_token": TOKEN, "lock": "dev-other", "text": "x"}),
        )
        .await?;
    assert_eq!(status, 502);
    assert_eq!(
        err["error"],
        format!("PutFile failed: 409, locked by {lock_id}")
    );

    // Close: Unlock.
    let (status, closed) = s
        .api(
            "api/close",
            json!({"wopisrc": src, "access_token": TOKEN, "lock": lock_id}),
        )
        .await?;
    assert_eq!((status, closed), (200, json!({})));
    assert_eq!(lock(&s.host).lock, None);
    s.calls();
    let (status, closed) = s
        .api(
            "api/close",
            json!({"wopisrc": src, "access_token": TOKEN, "lock": null}),
        )
        .await?;
    assert_eq!((status, closed), (200, json!({})));
    assert!(s.calls().is_empty());
    let (status, err) = s
        .api(
            "api/close",
            json!({"wopisrc": src, "access_token": TOKEN, "lock": lock_id}),
        )
        .await?;
    assert_eq!(status, 502);
    assert_eq!(err["error"], "Unlock failed: 409, not locked");
    Ok(())
}

#[tokio::test]
async fn errors_binary_files_and_key_rotation() -> TestResult {
    let s = Setup::start().await?;
    let src = s.wopisrc();

    // Binary content: text is null and nothing is locked, even in edit mode.
    {
        let mut state = lock(&s.host);
        state.name = "deck.pptx".into();
        state.content = vec![0x50, 0x4b, 0x03, 0x04, 0xff, 0x00];
    }
    let (status, doc) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "edit"}),
        )
        .await?;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(
        (
            doc["text"].clone(),
            doc["editable"].clone(),
            doc["lock"].clone()
        ),
        (Value::Null, json!(false), Value::Null)
    );
    assert_eq!(doc["size"], 6);
    assert_eq!(names(&s.calls()), ["CheckFileInfo", "GetFile"]);

    // A read-only user: no lock.
    {
        let mut state = lock(&s.host);
        state.name = "a.md".into();
        state.content = b"# A".to_vec();
        state.can_write = false;
    }
    let (status, doc) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "edit"}),
        )
        .await?;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(
        (doc["editable"].clone(), doc["user_can_write"].clone()),
        (json!(false), json!(false))
    );
    lock(&s.host).can_write = true;
    s.calls();

    // Bad token → the host's 401 is reported; foreign URLs and bad bodies are refused.
    let (status, err) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": "wrong", "mode": "view"}),
        )
        .await?;
    assert_eq!(status, 502);
    assert_eq!(err["error"], "CheckFileInfo failed: 401");
    let (status, err) = s
        .api(
            "api/open",
            json!({"wopisrc": "http://example.com/wopi/files/F1", "access_token": TOKEN}),
        )
        .await?;
    assert_eq!(status, 400);
    assert!(
        err["error"].as_str().is_some_and(|e| e.contains("wopisrc")),
        "{err}"
    );
    let (status, err) = s.api("api/save", json!({"wopisrc": src})).await?;
    assert_eq!(status, 400);
    assert!(err["error"].is_string());
    assert!(s.calls().is_empty());

    // Page without a token.
    let page = s
        .client
        .post(format!("{}/dev-editor/view?wopisrc=x", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user_id=u")
        .send()
        .await?;
    assert_eq!(page.status(), 400);

    // Rotation is refused to a cross-site form POST (no X-Folio-Dev header) and to a foreign
    // Origin.
    for (origin, marked) in [
        ("https://evil.example", false),
        ("https://evil.example", true),
    ] {
        let mut request = s
            .client
            .post(format!("{}/dev-editor/rotate-keys", s.base))
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("x=1");
        if marked {
            request = request.header("x-folio-dev", "1");
        }
        assert_eq!(request.send().await?.status(), 403, "{origin} {marked}");
    }

    // Rotation: until the host refreshes discovery, the new key's X-WOPI-Proof fails but the
    // X-WOPI-ProofOld made with the previous key verifies with the host's "current" key.
    let response = s
        .client
        .post(format!("{}/dev-editor/rotate-keys", s.base))
        .header("x-folio-dev", "1")
        .header("origin", s.base.as_str())
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await?, json!({}));
    let (status, doc) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "view"}),
        )
        .await?;
    assert_eq!(status, 200, "{doc}");
    let calls = s.calls();
    assert_eq!(names(&calls), ["CheckFileInfo", "GetFile"]);
    assert!(
        calls
            .iter()
            .all(|(_, outcome, old)| *outcome == ProofOutcome::ValidRotated && *old)
    );

    // After the refresh, X-WOPI-Proof verifies with the new current key.
    s.refresh_discovery().await?;
    let (status, _) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "view"}),
        )
        .await?;
    assert_eq!(status, 200);
    let calls = s.calls();
    assert!(
        calls
            .iter()
            .all(|(_, outcome, old)| *outcome == ProofOutcome::Valid && *old)
    );
    Ok(())
}

/// Word, Excel and PowerPoint: open shows the content and locks; save reads the current file
/// again (GetFile), applies the page's changes, PutFiles the result with the lock, and answers
/// the new content; a save for a version the file is no longer at is refused with 409.
#[tokio::test]
async fn office_documents_open_edit_and_save() -> TestResult {
    let s = Setup::start().await?;
    let src = s.wopisrc();
    let cases = [
        (
            "report.docx",
            folio_ooxml::Kind::Word,
            json!({"kind": "word", "paragraphs": ["Hello", "World"]}),
            json!({"kind": "word", "paragraphs": ["Hello", "World"]}),
        ),
        (
            "budget.xlsx",
            folio_ooxml::Kind::Excel,
            json!({"kind": "excel", "cells": [{"sheet": 0, "cell": "B2", "value": "12.5"}]}),
            json!({"kind": "excel", "sheets": [{"name": "Sheet1", "cells": [
                {"ref": "B2", "row": 2, "col": 2, "value": "12.5", "formula": null}]}]}),
        ),
        (
            "deck.pptx",
            folio_ooxml::Kind::PowerPoint,
            json!({"kind": "powerpoint", "shapes": [{"slide": 0, "shape": null, "paragraphs": ["Title"]}]}),
            json!({"kind": "powerpoint", "slides": [{"shapes": [{"name": "TextBox 2", "paragraphs": ["Title"]}]}]}),
        ),
    ];
    for (name, kind, edit, after) in cases {
        {
            let mut state = lock(&s.host);
            state.name = name.into();
            state.content = folio_ooxml::blank(kind);
            state.version = 1;
            state.lock = None;
        }
        s.calls();
        let (status, doc) = s
            .api(
                "api/open",
                json!({"wopisrc": src, "access_token": TOKEN, "mode": "edit"}),
            )
            .await?;
        assert_eq!(status, 200, "{doc}");
        assert_eq!(doc["editable"], true, "{doc}");
        assert!(doc["text"].is_null());
        assert_eq!(doc["office"]["kind"], edit["kind"]);
        let lock_id = doc["lock"].as_str().unwrap_or_default().to_owned();
        assert_eq!(names(&s.calls()), ["CheckFileInfo", "GetFile", "LOCK"]);

        let (status, saved) = s
            .api(
                "api/save",
                json!({"wopisrc": src, "access_token": TOKEN, "lock": lock_id, "office": edit, "version": "1"}),
            )
            .await?;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["version"], "2");
        assert_eq!(saved["office"], after, "{name}");
        assert_eq!(
            names(&s.calls()),
            ["CheckFileInfo", "GetFile", "PutFile", "REFRESH_LOCK"]
        );
        let content = lock(&s.host).content.clone();
        assert_eq!(saved["size"], content.len());
        let read = format!("{:?}", folio_ooxml::edit::read(kind, &content)?);
        assert!(
            ["World", "12.5", "Title"].iter().any(|t| read.contains(t)),
            "the host holds the edited document: {read}"
        );

        // The page still thinks it edits version 1: refused, nothing written.
        let (status, err) = s
            .api(
                "api/save",
                json!({"wopisrc": src, "access_token": TOKEN, "lock": lock_id, "office": edit, "version": "1"}),
            )
            .await?;
        assert_eq!(status, 409, "{err}");
        assert!(
            err["error"]
                .as_str()
                .unwrap_or_default()
                .contains("version 1, now 2"),
            "{err}"
        );
        assert_eq!(names(&s.calls()), ["CheckFileInfo", "GetFile"]);
    }

    // An edit for another kind of document, and an unusable edit, are 400s.
    let (status, err) = s
        .api(
            "api/save",
            json!({"wopisrc": src, "access_token": TOKEN, "office": {"kind": "word", "paragraphs": []}}),
        )
        .await?;
    assert_eq!(
        (status, err["error"].clone()),
        (400, json!("this file is a PowerPoint presentation"))
    );
    let (status, _) = s
        .api(
            "api/save",
            json!({"wopisrc": src, "access_token": TOKEN, "office": {"kind": "powerpoint", "shapes": [{"slide": 3, "shape": null, "paragraphs": ["x"]}]}}),
        )
        .await?;
    assert_eq!(status, 400);
    // An empty file opens as a blank document.
    {
        let mut state = lock(&s.host);
        state.name = "empty.docx".into();
        state.content = Vec::new();
        state.lock = None;
    }
    let (status, doc) = s
        .api(
            "api/open",
            json!({"wopisrc": src, "access_token": TOKEN, "mode": "view"}),
        )
        .await?;
    assert_eq!(status, 200);
    assert_eq!(doc["office"], json!({"kind": "word", "paragraphs": [""]}));
    Ok(())
}
