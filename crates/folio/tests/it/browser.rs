//! End-to-end tests in real headless Chromium (Debian's chromium + chromedriver, installed by
//! `scripts/test`), driven over WebDriver with fantoccini. Screenshots go to `artifacts/`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::*;

/// A chromedriver process and a WebDriver session on it.
///
/// Every step waits for what it needs — an element present (and clickable, or holding the typed
/// text), a URL, a text, a script condition — polling until `wait_limit()` (60 s by default),
/// and on a timeout fails naming what it waited for, the current URL and the last thing seen, with
/// a screenshot in `artifacts/`. Nothing assumes that a page, a frame or a script is already
/// there when the previous step returns.
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
        Self::start_with_args(&[]).await
    }

    /// A browser with extra Chromium switches (e.g. a dark colour scheme).
    pub async fn start_with_args(extra: &[&str]) -> Browser {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&chromedriver).exists()
                && std::path::Path::new(&chromium).exists(),
            "browser tests need {chromium} and {chromedriver}: run scripts/test (it installs Debian's chromium and chromium-driver)"
        );
        let port = free_port();
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start chromedriver: {e}"));
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!(
            "--user-data-dir={}",
            std::env::temp_dir()
                .join(format!("folio-chrome-{}", rand_suffix()))
                .display()
        ));
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        let caps: serde_json::Map<String, serde_json::Value> =
            serde_json::from_value(serde_json::json!({
                "goog:chromeOptions": { "binary": chromium, "args": args }
            }))
            .unwrap_or_default();
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver is ready when it accepts a session (it starts Chromium for it).
        let limit = wait_limit();
        let started = Instant::now();
        loop {
            let attempt = match ClientBuilder::rustls() {
                Ok(mut b) => b
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match attempt {
                Ok(client) => return Browser { driver, client },
                Err(last) if started.elapsed() >= limit => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    panic!("no WebDriver session from chromedriver within {limit:?}: {last}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(artifacts_dir().join(format!("{name}.png")), png);
        }
    }

    /// Polls `probe` until it returns `Ok`; after `wait_limit()` takes a screenshot and panics
    /// naming `what`, the current URL and the probe's last `Err`.
    pub async fn until<T, F, Fut>(&self, what: &str, mut probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, String>>,
    {
        let limit = wait_limit();
        let started = Instant::now();
        loop {
            match probe().await {
                Ok(v) => return v,
                Err(last) if started.elapsed() >= limit => {
                    let url = self
                        .client
                        .current_url()
                        .await
                        .map_or_else(|e| format!("({e})"), |u| u.to_string());
                    let shot: String = what
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                        .collect();
                    self.screenshot(&format!("timeout-{shot}")).await;
                    panic!(
                        "timed out after {limit:?} waiting for {what} (at {url}); last seen: {last}"
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Waits for an element to be present and returns it.
    pub async fn find(&self, at: Locator<'_>) -> Element {
        self.until(&format!("element {at:?}"), || async move {
            self.client.find(at).await.map_err(|e| e.to_string())
        })
        .await
    }

    /// Waits for an element and clicks it; a click refused because the element is not there
    /// yet, is covered, or is stale (the page was being replaced) is retried. A refused click
    /// never reached the page, so retrying cannot click twice.
    pub async fn click(&self, at: Locator<'_>) {
        self.until(&format!("a click on {at:?}"), || async move {
            let e = self.client.find(at).await.map_err(|e| e.to_string())?;
            e.click().await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// `click` for an element inside the first `scope` element.
    pub async fn click_in(&self, scope: &str, at: Locator<'_>) {
        self.until(&format!("a click on {at:?} in {scope}"), || async move {
            let outer = self
                .client
                .find(Locator::Css(scope))
                .await
                .map_err(|e| e.to_string())?;
            let e = outer.find(at).await.map_err(|e| e.to_string())?;
            e.click().await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// Waits for a field, replaces its value with `text`, and waits until it holds exactly
    /// that (typing is retried from scratch if the page replaced the field meanwhile).
    pub async fn fill(&self, css: &str, text: &str) {
        self.until(&format!("{css} to hold {text:?}"), || async move {
            let e = self
                .client
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            e.clear().await.map_err(|e| e.to_string())?;
            e.send_keys(text).await.map_err(|e| e.to_string())?;
            match e.prop("value").await.map_err(|e| e.to_string())? {
                Some(v) if v == text => Ok(()),
                other => Err(format!("value {other:?}")),
            }
        })
        .await;
    }

    /// Waits for an element's text to satisfy `pred`.
    pub async fn wait_text(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let pred = &pred;
        self.until(&format!("the text of {css}"), || async move {
            let e = self
                .client
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            let t = e.text().await.map_err(|e| e.to_string())?;
            if pred(&t) {
                Ok(t)
            } else {
                Err(format!("{t:?}"))
            }
        })
        .await
    }

    /// Waits for a form field's value to satisfy `pred`.
    pub async fn wait_value(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let pred = &pred;
        self.until(&format!("the value of {css}"), || async move {
            let e = self
                .client
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            let v = e
                .prop("value")
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            if pred(&v) {
                Ok(v)
            } else {
                Err(format!("{v:?}"))
            }
        })
        .await
    }

    /// Waits until the current URL satisfies `pred`.
    pub async fn wait_url(&self, pred: impl Fn(&str) -> bool) -> String {
        let pred = &pred;
        self.until("the URL", || async move {
            let u = self.client.current_url().await.map_err(|e| e.to_string())?;
            if pred(u.as_str()) {
                Ok(u.to_string())
            } else {
                Err(u.to_string())
            }
        })
        .await
    }

    /// Waits until `script`'s return value satisfies `pred`, and returns it.
    pub async fn wait_js(
        &self,
        what: &str,
        script: &str,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let pred = &pred;
        self.until(what, || async move {
            let v = self
                .client
                .execute(script, vec![])
                .await
                .map_err(|e| e.to_string())?;
            if pred(&v) { Ok(v) } else { Err(v.to_string()) }
        })
        .await
    }

    /// Waits for the host page's editor iframe (created by host_page.js) and switches into it.
    pub async fn enter_editor(&self) {
        self.until("the editor frame #office_frame", || async move {
            let frame = self
                .client
                .find(Locator::Css("#office_frame"))
                .await
                .map_err(|e| e.to_string())?;
            frame.enter_frame().await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// Opens the "More" menu of the row `row` (a CSS selector) and clicks its item `text`.
    pub async fn menu_item(&self, row: &str, text: &str) {
        self.click_in(row, Locator::Css("button.more")).await;
        let item = format!(
            "//div[contains(@class,'menu') and not(@hidden)]//*[self::a or self::button][normalize-space()='{text}']"
        );
        self.click(Locator::XPath(&item)).await;
    }

    /// Waits for `script` (returning a list of strings) to return an empty list: each string
    /// names a measured problem (layout checks).
    pub async fn no_problems(&self, what: &str, script: &str) {
        self.wait_js(what, script, |v| v.as_array().is_some_and(|a| a.is_empty()))
            .await;
    }

    pub async fn sign_in(&self, login: &str, password: &str) {
        self.fill("#login", login).await;
        self.fill("#password", password).await;
        self.click(Locator::Css("button[type=submit]")).await;
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// Also after a failed test: no chromedriver is left behind.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
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

    // The host page created the iframe (host_page.js, so only some time after the URL
    // changed) and POSTed the token into it.
    let frame = b.find(Locator::Css("#office_frame")).await;
    let src_has_token = frame
        .attr("src")
        .await?
        .unwrap_or_default()
        .contains("access_token");
    assert!(!src_has_token, "the token is never in the iframe URL");
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(
        b.wait_text("#doc-name", |t| !t.is_empty()).await,
        "notes.txt"
    );
    assert_eq!(b.wait_value("#doc-text", |v| !v.is_empty()).await, "hello");
    b.fill("#doc-text", "hello from the browser").await;
    b.click(Locator::Css("#save-btn")).await;
    b.wait_text("#status", |t| t.contains("Saved version 2"))
        .await;
    c.enter_parent_frame().await?;
    b.screenshot("host-page-dev-editor").await;
    // The host page saw the editor's PostMessages (origin-checked); they arrive asynchronously.
    let seen = b
        .wait_js(
            "the host page to record App_LoadingStatus and Edit_Notification",
            "return window.folioHost.messages",
            |v| {
                let seen = v.to_string();
                seen.contains("App_LoadingStatus") && seen.contains("Edit_Notification")
            },
        )
        .await;
    assert!(seen.is_array(), "{seen}");

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
    b.enter_editor().await;
    b.click(Locator::Css("#close-btn")).await;
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

async fn sign_out(b: &Browser) {
    b.click(Locator::Css("#signout")).await;
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
        b.fill("#new-login", login).await;
        b.fill("#new-name", name).await;
        b.fill("#new-password", &format!("{login} password 1"))
            .await;
        b.click(Locator::Css("#create-user")).await;
        b.wait_text("#notice", |t| t.contains("User created")).await;
        // The notice no longer names the user (message codes): the table shows who was made.
        b.wait_text("#users", |t| t.contains(login)).await;
    }
    b.screenshot("admin").await;
    sign_out(&b).await;

    // Uma signs in, creates a folder and opens it.
    b.sign_in("uma", "uma password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    b.fill("#new-folder-name", "Reports").await;
    b.click(Locator::Css("#new-folder-btn")).await;
    b.wait_text("#notice", |t| t.contains("Folder created"))
        .await;
    b.click(Locator::LinkText("Reports")).await;
    b.wait_text("h1", |t| t == "Reports").await;

    // Upload two files at once; both progress bars finish (an upload that fails ends the test
    // at once, with the page's error).
    let input = b.find(Locator::Css("#upload-input")).await;
    input
        .send_keys(&format!("{}\n{}", small.display(), big.display()))
        .await?;
    b.wait_js(
        "both uploads to finish",
        "return {
           done: document.querySelectorAll('#uploads li[data-state=done]').length,
           failed: Array.from(document.querySelectorAll('#uploads li.failed')).map(l => l.textContent).join('|')
         }",
        |v| {
            assert_eq!(v["failed"], "", "an upload failed: {v}");
            v["done"] == 2
        },
    )
    .await;
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

    // Rename, from the row's menu.
    let minutes = "tr.file-row[data-name='minutes.txt']";
    b.menu_item(minutes, "Rename…").await;
    b.fill("#rename-name", "notes.txt").await;
    b.click(Locator::Css("#rename-btn")).await;
    b.wait_text("#notice", |t| t.contains("File renamed")).await;
    b.find(Locator::Css("tr.file-row[data-name='notes.txt']"))
        .await;

    // Download the big file in the page and compare bytes (SHA-256 of what the server sent).
    b.find(Locator::Css(
        "tr.file-row[data-name='dataset.bin'] a[href$='/download']",
    ))
    .await;
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

    // Edit notes.txt in the dev editor through the host page, save, close.
    b.menu_item("tr.file-row[data-name='notes.txt']", "Open for editing")
        .await;
    b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    b.fill("#doc-text", "minutes, corrected").await;
    b.click(Locator::Css("#save-btn")).await;
    b.wait_text("#status", |t| t.contains("Saved version 2"))
        .await;
    b.click(Locator::Css("#versions-btn")).await;
    b.wait_url(|u| u.contains("/versions")).await;
    let _ = c.enter_parent_frame().await;
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
    b.click(Locator::LinkText("Back to folder")).await;
    b.click(Locator::Css("#new-word")).await;
    b.click(Locator::Css("#new-doc-create")).await;
    b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
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
    b.menu_item("tr.file-row[data-name='notes.txt']", "Share")
        .await;
    b.fill("#share-login", "vic").await;
    b.click(Locator::Css("#share-btn")).await;
    b.wait_text("#notice", |t| t.contains("Shared.")).await;
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

    // The versions screenshot of the README is kept under docs/ when asked to
    // (FOLIO_UPDATE_DOCS=1); the file browser's come from file_browser.rs's layout test.
    if std::env::var_os("FOLIO_UPDATE_DOCS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        std::fs::copy(versions_shot, docs.join("screenshot-versions.png"))?;
    }
    Ok(())
}

/// Issue 10: the host page renews the editor's token before it expires. With a 20 s token the
/// page fetches a fresh one at ~18 s and reloads the dev editor's frame with it; a save after
/// the first token expired then succeeds.
#[tokio::test]
async fn the_host_page_renews_the_dev_editors_token_before_it_expires() -> TestResult {
    let s = TestServer::start_with(Some("token_ttl_secs = 20\n"), &["--dev-editor"]);
    s.add_user_with_password("rita", "correct horse battery");
    let id = s.put_file("rita", "notes.txt", b"hello");
    let b = Browser::start().await;
    let c = &b.client;

    c.goto(&format!("{}/open/{id}?action=edit", s.url)).await?;
    b.wait_url(|u| u.contains("/login")).await;
    b.sign_in("rita", "correct horse battery").await;
    b.wait_url(|u| u.contains(&format!("/open/{id}"))).await;
    let first = b
        .wait_js(
            "the host page to know its token's expiry",
            "return window.folioHost && window.folioHost.firstTtl || 0",
            |v| v.as_i64().unwrap_or(0) > 0,
        )
        .await
        .as_i64()
        .unwrap_or(0);
    let lifetime = first - chrono_now_ms();
    assert!(
        (0..=21_000).contains(&lifetime),
        "a 20 s host page token, got {lifetime} ms"
    );
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    c.enter_parent_frame().await?;

    // Renewed before expiry, and the frame was reloaded with the fresh token.
    let renewed = b
        .wait_js(
            "the host page to renew the token and reload the editor",
            "var h = window.folioHost; return [h.renewals, h.reloads, h.ttl, h.renewError, Date.now()];",
            |v| v[1].as_i64().unwrap_or(0) >= 1,
        )
        .await;
    assert!(renewed[3].is_null(), "no renewal error: {renewed}");
    assert!(
        renewed[2].as_i64().unwrap_or(0) > first,
        "a later expiry: {renewed}"
    );
    assert!(
        renewed[4].as_i64().unwrap_or(i64::MAX) < first,
        "renewed before the first token expired: {renewed}"
    );
    assert!(
        c.find(Locator::Css("#renew_banner")).await.is_err(),
        "no failure banner"
    );

    // Wait (in the browser's clock, bounded) until the first token has expired, then save.
    b.wait_js(
        "the first token to expire",
        &format!("return Date.now() > {first} + 500"),
        |v| v.as_bool() == Some(true),
    )
    .await;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(b.wait_value("#doc-text", |v| !v.is_empty()).await, "hello");
    b.fill("#doc-text", "saved after the first token expired")
        .await;
    b.click(Locator::Css("#save-btn")).await;
    b.wait_text("#status", |t| t.contains("Saved version 2"))
        .await;
    c.enter_parent_frame().await?;
    b.screenshot("host-page-renewed").await;
    b.close().await;
    Ok(())
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
