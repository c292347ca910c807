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
