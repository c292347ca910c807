//! End-to-end tests in real headless Chromium (Debian's chromium + chromedriver, installed by
//! `scripts/test`), driven over WebDriver with fantoccini. Screenshots go to `artifacts/`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::*;

/// A chromedriver process and a WebDriver session on it.
pub struct Browser {
    driver: Child,
    pub client: Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

impl Browser {
    pub async fn start() -> Browser {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&chromedriver).exists()
                && std::path::Path::new(&chromium).exists(),
            "browser tests need {chromium} and {chromedriver}: run scripts/test (it installs Debian's chromium and chromium-driver)"
        );
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start chromedriver: {e}"));
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                         "--window-size=1280,900",
                         format!("--user-data-dir={}", std::env::temp_dir().join(format!("folio-chrome-{}", rand_suffix())).display())]
            }
        }))
        .unwrap_or_default();
        let url = format!("http://127.0.0.1:{port}");
        let mut last = String::new();
        for _ in 0..100 {
            match ClientBuilder::rustls() {
                Ok(mut b) => match b.capabilities(caps.clone()).connect(&url).await {
                    Ok(client) => return Browser { driver, client },
                    Err(e) => last = e.to_string(),
                },
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot connect to chromedriver: {last}");
    }

    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(artifacts_dir().join(format!("{name}.png")), png);
        }
    }

    /// Waits for an element's text to satisfy `pred`.
    pub async fn wait_text(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        for _ in 0..150 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if pred(&t) {
                    return t;
                }
                last = t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}: text never matched; last {last:?}");
    }

    /// Waits until the current URL satisfies `pred`.
    pub async fn wait_url(&self, pred: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        for _ in 0..150 {
            if let Ok(u) = self.client.current_url().await {
                if pred(u.as_str()) {
                    return u.to_string();
                }
                last = u.to_string();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("URL never matched; last {last}");
    }

    pub async fn sign_in(&self, login: &str, password: &str) {
        let c = &self.client;
        let f = c
            .find(Locator::Css("#login"))
            .await
            .unwrap_or_else(|e| panic!("login field: {e}"));
        let _ = f.send_keys(login).await;
        let p = c
            .find(Locator::Css("#password"))
            .await
            .unwrap_or_else(|e| panic!("password field: {e}"));
        let _ = p.send_keys(password).await;
        let b = c
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap_or_else(|e| panic!("submit: {e}"));
        let _ = b.click().await;
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn click(b: &Browser, css: &str) {
    let e = b
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test]
async fn edit_a_document_in_the_dev_editor_through_the_host_page() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    s.add_user_with_password("sam", "correct horse battery");
    let id = s.put_file("sam", "notes.txt", b"hello");
    let b = Browser::start().await;
    let c = &b.client;

    c.goto(&format!("{}/open/{id}?action=edit", s.url)).await?;
    b.wait_url(|u| u.contains("/login")).await;
    b.screenshot("login").await;
    b.sign_in("sam", "correct horse battery").await;
    b.wait_url(|u| u.contains(&format!("/open/{id}"))).await;

    // The host page created the iframe and POSTed the token into it.
    let frame = c.find(Locator::Css("#office_frame")).await?;
    let src_has_token = frame
        .attr("src")
        .await?
        .unwrap_or_default()
        .contains("access_token");
    assert!(!src_has_token, "the token is never in the iframe URL");
    frame.enter_frame().await?;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(
        b.wait_text("#doc-name", |t| !t.is_empty()).await,
        "notes.txt"
    );
    let text = c.find(Locator::Css("#doc-text")).await?;
    assert_eq!(text.prop("value").await?.unwrap_or_default(), "hello");
    text.clear().await?;
    text.send_keys("hello from the browser").await?;
    click(&b, "#save-btn").await;
    b.wait_text("#status", |t| t.contains("Saved version 2"))
        .await;
    b.client.enter_parent_frame().await?;
    b.screenshot("host-page-dev-editor").await;
    // The host page saw the editor's PostMessages (origin-checked).
    let seen = c
        .execute("return window.folioHost.messages", vec![])
        .await?;
    let seen = serde_json::to_string(&seen)?;
    assert!(
        seen.contains("App_LoadingStatus") && seen.contains("Edit_Notification"),
        "{seen}"
    );

    // The save is a new version with the new bytes (read back through the signed dev editor).
    let m = s.token("sam", &id, &["--view"]);
    assert_eq!(
        client().get(m.contents_url()).send().await?.status(),
        500,
        "unsigned requests are refused"
    );
    let r = client()
        .post(format!("{}/dev-editor/api/open", s.url))
        .json(&serde_json::json!({"wopisrc": m.wopi_src, "access_token": m.token, "mode": "view"}))
        .send()
        .await?;
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["text"], "hello from the browser");
    assert_eq!(v["version"], "2");

    // Close: the editor unlocks and posts UI_Close; the host page returns to the folder.
    c.find(Locator::Css("#office_frame"))
        .await?
        .enter_frame()
        .await?;
    click(&b, "#close-btn").await;
    let url = b.wait_url(|u| u.contains("/folders/")).await;
    assert!(url.starts_with(&s.url));
    let _ = c.enter_parent_frame().await;
    b.wait_text("table.files", |t| t.contains("notes.txt"))
        .await;
    b.screenshot("folder-after-close").await;

    // The version list shows both versions and which editor saved the second.
    c.goto(&format!("{}/files/{id}/versions", s.url)).await?;
    let table = b
        .wait_text("table.files", |t| t.contains("2 (current)"))
        .await;
    assert!(table.contains("dev"), "{table}");
    b.screenshot("versions").await;
    b.close().await;
    Ok(())
}

async fn fill(b: &Browser, css: &str, text: &str) {
    let e = b
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    let _ = e.clear().await;
    e.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

async fn sign_out(b: &Browser) {
    click(b, "#signout").await;
    b.wait_url(|u| u.contains("/login")).await;
}

/// The web application end to end, as a person uses it.
#[tokio::test]
async fn people_manage_share_and_edit_files_in_the_browser() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    let out = s.cli_stdin(
        &[
            "users",
            "add",
            "ada",
            "--name",
            "Ada Admin",
            "--admin",
            "--password-stdin",
        ],
        "ada admin password\n",
    );
    assert!(out.status.success());
    let dir = tempfile::tempdir()?;
    let small = dir.path().join("minutes.txt");
    std::fs::write(&small, b"minutes of the meeting")?;
    let big = dir.path().join("dataset.bin");
    let big_bytes: Vec<u8> = (0..50u32 * 1024 * 1024)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    std::fs::write(&big, &big_bytes)?;
    let big_sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&big_bytes))
    };
    drop(big_bytes);

    let b = Browser::start().await;
    let c = &b.client;
    // The admin signs in and creates two users.
    c.goto(&format!("{}/", s.url)).await?;
    b.wait_url(|u| u.contains("/login")).await;
    b.sign_in("ada", "ada admin password").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.goto(&format!("{}/admin", s.url)).await?;
    for (login, name) in [("uma", "Uma"), ("vic", "Vic")] {
        fill(&b, "#new-login", login).await;
        fill(&b, "#new-name", name).await;
        fill(&b, "#new-password", &format!("{login} password 1")).await;
        click(&b, "#create-user").await;
        b.wait_text("#notice", |t| t.contains(&format!("User {login} created")))
            .await;
    }
    b.screenshot("admin").await;
    sign_out(&b).await;

    // Uma signs in, creates a folder and opens it.
    b.sign_in("uma", "uma password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    fill(&b, "#new-folder-name", "Reports").await;
    click(&b, "#new-folder-btn").await;
    b.wait_text("#notice", |t| t.contains("Reports")).await;
    c.find(Locator::LinkText("Reports")).await?.click().await?;
    b.wait_text("h1", |t| t == "Reports").await;

    // Upload two files at once; both progress bars finish.
    let input = c.find(Locator::Css("#upload-input")).await?;
    input
        .send_keys(&format!("{}\n{}", small.display(), big.display()))
        .await?;
    for _ in 0..600 {
        let done = c
            .execute(
                "return document.querySelectorAll('#uploads li[data-state=done]').length",
                vec![],
            )
            .await?;
        if done.as_u64() == Some(2) {
            break;
        }
        let failed = c.execute("return Array.from(document.querySelectorAll('#uploads li.failed')).map(l => l.textContent).join('|')", vec![]).await?;
        assert_eq!(failed.as_str(), Some(""), "an upload failed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bars = c
        .execute(
            "return Array.from(document.querySelectorAll('#uploads progress')).map(p => p.value)",
            vec![],
        )
        .await?;
    assert_eq!(
        bars,
        serde_json::json!([100, 100]),
        "both progress bars finished"
    );
    b.screenshot("uploads").await;
    c.refresh().await?;
    b.wait_text("table.files", |t| {
        t.contains("minutes.txt") && t.contains("dataset.bin")
    })
    .await;

    // Rename.
    let row = c
        .find(Locator::Css("tr.file-row[data-name='minutes.txt']"))
        .await?;
    row.find(Locator::Css("summary")).await?.click().await?;
    let field = row.find(Locator::Css("input[name=name]")).await?;
    field.clear().await?;
    field.send_keys("notes.txt").await?;
    row.find(Locator::Css("form[action$='/rename'] button"))
        .await?
        .click()
        .await?;
    b.wait_text("#notice", |t| t.contains("Renamed to notes.txt"))
        .await;

    // Download the big file in the page and compare bytes (SHA-256 of what the server sent).
    let sha = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const a = document.querySelector(\"tr.file-row[data-name='dataset.bin'] a[href$='/download']\");
             fetch(a.href).then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))
               .then(h => done(Array.from(new Uint8Array(h)).map(x => x.toString(16).padStart(2, '0')).join('')))
               .catch(e => done('error: ' + e));",
            vec![],
        )
        .await?;
    assert_eq!(
        sha.as_str(),
        Some(big_sha.as_str()),
        "downloaded bytes equal the uploaded file"
    );
    b.screenshot("file-browser").await;
    let browser_shot = artifacts_dir().join("file-browser.png");

    // Edit notes.txt in the dev editor through the host page, save, close.
    let row = c
        .find(Locator::Css("tr.file-row[data-name='notes.txt']"))
        .await?;
    row.find(Locator::LinkText("Open for editing"))
        .await?
        .click()
        .await?;
    b.wait_url(|u| u.contains("/open/")).await;
    c.find(Locator::Css("#office_frame"))
        .await?
        .enter_frame()
        .await?;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    fill(&b, "#doc-text", "minutes, corrected").await;
    click(&b, "#save-btn").await;
    b.wait_text("#status", |t| t.contains("Saved version 2"))
        .await;
    click(&b, "#versions-btn").await;
    let _ = c.enter_parent_frame().await;
    b.wait_url(|u| u.contains("/versions")).await;
    let table = b
        .wait_text("#versions", |t| t.contains("2 (current)"))
        .await;
    assert!(
        table.contains("Uma") && table.contains("dev") && table.contains("upload"),
        "{table}"
    );
    b.screenshot("versions").await;
    let versions_shot = artifacts_dir().join("versions.png");

    // A new Word document opens in the host page.
    c.find(Locator::LinkText("Back to folder"))
        .await?
        .click()
        .await?;
    click(&b, "#new-word").await;
    b.wait_url(|u| u.contains("/open/")).await;
    c.find(Locator::Css("#office_frame"))
        .await?
        .enter_frame()
        .await?;
    assert_eq!(
        b.wait_text("#doc-name", |t| t.ends_with(".docx")).await,
        "New document.docx"
    );
    let _ = c.enter_parent_frame().await;
    b.screenshot("new-word-document").await;

    // Share notes.txt with Vic, who then sees it under Shared with me.
    c.back().await?;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.refresh().await?;
    let row = c
        .find(Locator::Css("tr.file-row[data-name='notes.txt']"))
        .await?;
    row.find(Locator::LinkText("Share")).await?.click().await?;
    fill(&b, "#share-login", "vic").await;
    click(&b, "#share-btn").await;
    b.wait_text("#notice", |t| t.contains("Shared with vic"))
        .await;
    sign_out(&b).await;
    b.sign_in("vic", "vic password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.goto(&format!("{}/shared", s.url)).await?;
    b.wait_text("#shared", |t| {
        t.contains("notes.txt") && t.contains("Can view")
    })
    .await;
    b.screenshot("shared-with-me").await;
    sign_out(&b).await;
    b.close().await;

    // The two README screenshots are kept under docs/ when asked to (FOLIO_UPDATE_DOCS=1).
    if std::env::var_os("FOLIO_UPDATE_DOCS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        std::fs::copy(browser_shot, docs.join("screenshot-file-browser.png"))?;
        std::fs::copy(versions_shot, docs.join("screenshot-versions.png"))?;
    }
    Ok(())
}
