//! The file browser's regressions of issue 13, in real headless Chromium: an expired session
//! during uploads and forms, recipients' navigation, the layout at desktop and phone size
//! (measured with getBoundingClientRect), and pagination.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;

/// A web client signed in as `login`, and the folder id and CSRF token of its home page.
pub(crate) async fn signed_in(
    s: &TestServer,
    login: &str,
    password: &str,
) -> (reqwest::Client, String, String) {
    let c = web_client(s, login, password).await;
    let r = c
        .get(format!("{}/", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let folder = header(&r, "location")
        .unwrap_or_default()
        .trim_start_matches("/folders/")
        .to_owned();
    let html = c
        .get(format!("{}/folders/{folder}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let csrf = form_value(&html, "csrf");
    (c, folder, csrf)
}

pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Uploads through the page's upload endpoint (as upload.js does).
pub(crate) async fn upload(
    s: &TestServer,
    c: &reqwest::Client,
    folder: &str,
    csrf: &str,
    name: &str,
    body: &[u8],
) {
    let r = c
        .post(format!(
            "{}/folders/{folder}/upload?name={}",
            s.url,
            url_encode(name)
        ))
        .header("X-CSRF-Token", csrf)
        .header("Accept", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"));
    assert_eq!(r.status(), 200, "upload {name}");
}

/// The names listed on a folder page (as the server renders it).
pub(crate) async fn listed(s: &TestServer, c: &reqwest::Client, folder: &str) -> String {
    c.get(format!("{}/folders/{folder}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default()
}

/// Ends the browser's session on the server, leaving its cookie in the browser: what an
/// expired session looks like to the page (the cookie names a session Folio no longer has).
pub(crate) async fn end_session_behind_the_browsers_back(b: &Browser, s: &TestServer) {
    let cookie = b
        .client
        .get_named_cookie("folio_session")
        .await
        .unwrap_or_else(|e| panic!("the session cookie: {e}"));
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let jar = format!("folio_session={}", cookie.value());
    let html = c
        .get(format!("{}/shared", s.url))
        .header("Cookie", &jar)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let csrf = form_value(&html, "csrf");
    let r = c
        .post(format!("{}/logout", s.url))
        .header("Cookie", &jar)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 303, "the session was ended");
    let r = c
        .get(format!("{}/shared", s.url))
        .header("Cookie", &jar)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 303, "the cookie no longer signs in");
}

/// Issue 13: an upload sent after the session expired was redirected to the sign-in page, which
/// upload.js took for success ("Uploaded.") while nothing was stored. Now it fails on that file,
/// offers sign-in in a new tab, and "Retry failed uploads" sends the same file again once signed
/// in — after which the listing refreshes by itself.
#[tokio::test]
async fn an_upload_after_the_session_expired_fails_on_the_file_and_retries_after_signing_in()
-> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("una", "una password 1");
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("report.txt");
    std::fs::write(&file, b"quarterly report")?;
    // A large file too: refused before its body is read, its connection may be reset mid-send.
    let big = dir.path().join("scans.bin");
    std::fs::write(&big, vec![42u8; 40 * 1024 * 1024])?;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("una", "una password 1").await;
    let folder_url = b.wait_url(|u| u.contains("/folders/")).await;
    b.find(Locator::Css("#upload-input")).await;

    end_session_behind_the_browsers_back(&b, &s).await;
    let input = b.find(Locator::Css("#upload-input")).await;
    input
        .send_keys(&format!("{}\n{}", file.display(), big.display()))
        .await?;
    let failed = b
        .wait_js(
            "the upload to fail on its row",
            "var li = document.querySelector('#uploads li[data-name=\"report.txt\"]');
             return li ? [li.getAttribute('data-state'), li.querySelector('.upload-status').textContent] : null;",
            |v| v[0] == "error" || v[0] == "done",
        )
        .await;
    assert_eq!(failed[0], "error", "never shown as uploaded: {failed}");
    assert!(
        failed[1].as_str().unwrap_or("").contains("signed out"),
        "{failed}"
    );
    let big_failed = b
        .wait_js(
            "the large upload to fail as signed out",
            "var li = document.querySelector('#uploads li[data-name=\"scans.bin\"]');
             return li ? [li.getAttribute('data-state'), li.querySelector('.upload-status').textContent] : null;",
            |v| v[0] == "done" || v[1].as_str().is_some_and(|t| t.contains("signed out")),
        )
        .await;
    assert_eq!(big_failed[0], "error", "{big_failed}");
    let (probe, folder, _) = signed_in(&s, "una", "una password 1").await;
    assert!(
        !listed(&s, &probe, &folder).await.contains("report.txt"),
        "nothing was stored"
    );
    b.screenshot("upload-signed-out").await;

    // Sign in in a new tab (the link opens one), come back, retry: the same file is sent again.
    let first = c.window().await?;
    b.click(Locator::Css("#uploads-signin")).await;
    let other = b
        .until("the sign-in tab", || async {
            let all = c.windows().await.map_err(|e| e.to_string())?;
            all.into_iter()
                .find(|w| *w != first)
                .ok_or_else(|| "one window".to_owned())
        })
        .await;
    c.switch_to_window(other).await?;
    b.sign_in("una", "una password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.close_window().await?;
    c.switch_to_window(first).await?;
    assert_eq!(
        c.current_url().await?.as_str(),
        folder_url,
        "the page was never left"
    );
    b.click(Locator::Css("#uploads-retry")).await;
    b.wait_js(
        "both retried uploads to finish",
        "return Array.from(document.querySelectorAll('#uploads li')).map(function (li) { return li.getAttribute('data-state'); })",
        |v| v == &serde_json::json!(["done", "done"]),
    )
    .await;
    b.wait_js(
        "the listing to refresh after the upload",
        "return window.folioUploads.refreshes > 0 && !!document.querySelector('#listing tr.file-row[data-name=\"report.txt\"]') && !!document.querySelector('#listing tr.file-row[data-name=\"scans.bin\"]')",
        |v| v.as_bool() == Some(true),
    )
    .await;
    assert!(listed(&s, &probe, &folder).await.contains("report.txt"));

    // A stale CSRF token (403) is a failure on the file too, and Retry fetches a fresh one.
    let second = dir.path().join("annex.txt");
    std::fs::write(&second, b"annex")?;
    c.execute(
        "document.getElementById('dropzone').setAttribute('data-csrf', 'stale')",
        vec![],
    )
    .await?;
    let input = b.find(Locator::Css("#upload-input")).await;
    input.send_keys(&second.display().to_string()).await?;
    let state = b
        .wait_js(
            "the stale-token upload to fail",
            "var li = document.querySelector('#uploads li[data-name=\"annex.txt\"]');
             return li ? [li.getAttribute('data-state'), li.querySelector('.upload-status').textContent] : null;",
            |v| v[0] == "error" || v[0] == "done",
        )
        .await;
    assert_eq!(state[0], "error", "{state}");
    assert!(!listed(&s, &probe, &folder).await.contains("annex.txt"));
    b.click(Locator::Css("#uploads-retry")).await;
    b.wait_js(
        "the retried annex upload to finish",
        "var li = document.querySelector('#uploads li[data-name=\"annex.txt\"]'); return li && li.getAttribute('data-state');",
        |v| v == "done",
    )
    .await;
    assert!(listed(&s, &probe, &folder).await.contains("annex.txt"));
    b.close().await;
    Ok(())
}

/// Issue 13: a form sent after the session expired ended on a blank 405 page after signing in,
/// its input gone. Now the sign-in page (401) returns to the page the form was on, with the
/// input back in the form, ready to send again.
#[tokio::test]
async fn a_form_sent_after_the_session_expired_comes_back_with_its_input_after_signing_in()
-> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("fay", "fay password 1");
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("fay", "fay password 1").await;
    let folder_url = b.wait_url(|u| u.contains("/folders/")).await;
    b.fill("#new-folder-name", "Budget 2027").await;
    end_session_behind_the_browsers_back(&b, &s).await;
    b.click(Locator::Css("#new-folder-btn")).await;
    let said = b.wait_text("#signin", |t| t.contains("signed out")).await;
    assert!(said.contains("Sign in"), "{said}");
    b.sign_in("fay", "fay password 1").await;
    b.wait_url(|u| u == folder_url).await;
    assert_eq!(
        b.wait_value("#new-folder-name", |v| !v.is_empty()).await,
        "Budget 2027",
        "the input is back"
    );
    b.wait_js(
        "the restored-input notice",
        "var n = document.getElementById('restored'); return !!n && !n.hidden",
        |v| v.as_bool() == Some(true),
    )
    .await;
    b.click(Locator::Css("#new-folder-btn")).await;
    b.wait_text("#notice", |t| t.contains("Folder created"))
        .await;
    b.find(Locator::Css("tr.folder-row[data-name='Budget 2027']"))
        .await;
    // Sent once: nothing is restored after a form that went through.
    c.refresh().await?;
    b.wait_js(
        "no restore notice after a successful send",
        "var n = document.getElementById('restored'); return !!n && n.hidden",
        |v| v.as_bool() == Some(true),
    )
    .await;

    // A dialog's form (rename, from the row menu) comes back open, with what was typed.
    let (web, root, csrf) = signed_in(&s, "fay", "fay password 1").await;
    upload(&s, &web, &root, &csrf, "draft.txt", b"draft").await;
    c.refresh().await?;
    b.menu_item("tr.file-row[data-name='draft.txt']", "Rename…")
        .await;
    b.fill("#rename-name", "final.txt").await;
    end_session_behind_the_browsers_back(&b, &s).await;
    b.click(Locator::Css("#rename-btn")).await;
    b.wait_text("#signin", |t| t.contains("signed out")).await;
    b.sign_in("fay", "fay password 1").await;
    b.wait_url(|u| u == folder_url).await;
    assert_eq!(
        b.wait_value("#rename-name", |v| v != "draft.txt" && !v.is_empty())
            .await,
        "final.txt"
    );
    b.click(Locator::Css("#rename-btn")).await;
    b.wait_text("#notice", |t| t.contains("File renamed")).await;
    b.find(Locator::Css("tr.file-row[data-name='final.txt']"))
        .await;
    b.close().await;
    Ok(())
}

/// Issue 13: a user a file is shared with was sent to the owner's folder (Not found) when
/// closing the editor or clicking "Back to folder" on the versions page. They now return to
/// "Shared with me"; a file in a folder shared with them returns to that folder.
#[tokio::test]
async fn recipients_return_to_what_they_can_see() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    s.add_user_with_password("owen", "owen password 1");
    s.add_user_with_password("rae", "rae password 1");
    let (owner, root, csrf) = signed_in(&s, "owen", "owen password 1").await;
    upload(&s, &owner, &root, &csrf, "plan.txt", b"the plan").await;
    let html = listed(&s, &owner, &root).await;
    let id = html
        .split("data-id=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let r = owner
        .post(format!("{}/files/{id}/share", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "rae"),
            ("role", "editor"),
        ])
        .send()
        .await?;
    assert_eq!(r.status(), 303);

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/shared", s.url)).await?;
    b.sign_in("rae", "rae password 1").await;
    b.wait_url(|u| u.ends_with("/shared")).await;
    b.click(Locator::LinkText("Open for editing")).await;
    b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    b.click(Locator::Css("#close-btn")).await;
    b.wait_url(|u| u.ends_with("/shared")).await;
    let _ = c.enter_parent_frame().await;
    b.wait_text("h1", |t| t == "Shared with me").await;

    c.goto(&format!("{}/files/{id}/versions", s.url)).await?;
    let back = b.wait_text("#back", |t| !t.is_empty()).await;
    assert_eq!(back, "Back to Shared with me");
    b.click(Locator::Css("#back")).await;
    b.wait_url(|u| u.ends_with("/shared")).await;
    b.wait_text("#shared", |t| t.contains("plan.txt")).await;
    b.close().await;

    // The owner still goes back to the folder.
    let html = owner
        .get(format!("{}/files/{id}/versions", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        html.contains(&format!(
            "href=\"/folders/{root}\" id=\"back\">Back to folder"
        )),
        "{html}"
    );
    Ok(())
}

/// The layout checks, each a list of problems found with getBoundingClientRect (empty = fine).
const TABLE_HEIGHT: &str =
    "return document.querySelector('#listing table.files').getBoundingClientRect().height";
const NAMES_INSIDE: &str = "var out = []; var w = document.documentElement.clientWidth;
  document.querySelectorAll('#listing td.name').forEach(function (td) {
    var r = td.getBoundingClientRect(); var a = td.querySelector('a');
    if (r.right > w + 0.5) { out.push('name cell ends at ' + r.right + ' > ' + w); }
    if (a && a.getBoundingClientRect().right > r.right + 0.5) { out.push('name runs out of its cell: ' + a.title); }
    if (a && a.title !== td.closest('tr').getAttribute('data-name')) { out.push('no full name in title: ' + a.title); }
  });
  if (document.documentElement.scrollWidth > w + 0.5) { out.push('page scrolls sideways: ' + document.documentElement.scrollWidth); }
  return out;";
const UPLOAD_ROWS_APART: &str = "var out = [];
  document.querySelectorAll('#uploads li').forEach(function (li) {
    var parts = [li.querySelector('.upload-name'), li.querySelector('progress'), li.querySelector('.upload-status')]
      .map(function (e) { return e.getBoundingClientRect(); });
    for (var i = 0; i < 3; i++) for (var j = i + 1; j < 3; j++) {
      var a = parts[i], b = parts[j];
      if (a.width && b.width && a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
        out.push(li.getAttribute('data-name').slice(0, 20) + ': parts ' + i + ' and ' + j + ' overlap');
      }
    }
    if (li.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5) { out.push('upload row overflows'); }
  });
  return out;";
const SMALL_TAP_TARGETS: &str = "var out = [];
  document.querySelectorAll('a, button, input:not([type=hidden]), select, summary, label[for=upload-input]').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || e.closest('[hidden]') || getComputedStyle(e).visibility === 'hidden') { return; }
    if (e.classList.contains('sr') || e.closest('.sr')) { return; }
    if (e.type === 'file') { return; }
    if (r.height < 44) { out.push((e.id || e.textContent.trim().slice(0, 24) || e.tagName) + ': ' + Math.round(r.height) + ' px'); }
  });
  return out;";

/// Issue 13: the row menu expanded inside the table, the upload list's bar overlapped its text,
/// long names ran off the page, and on a phone the toolbar filled the first screen with 18–19 px
/// tap targets. Measured at 1280×900 and 390×844.
#[tokio::test]
async fn the_file_browser_layout_holds_at_desktop_and_phone_size() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    s.add_user_with_password("lee", "lee password 1");
    let long = format!("{} end.docx", "A very long name of a report ".repeat(8));
    let (web, root, csrf) = signed_in(&s, "lee", "lee password 1").await;
    for (name, body) in [
        ("Budget.xlsx", &b"xlsx"[..]),
        ("Minutes.txt", b"minutes"),
        ("Slides.pptx", b"pptx"),
        (long.as_str(), b"long"),
    ] {
        upload(&s, &web, &root, &csrf, name, body).await;
    }
    let r = web
        .post(format!("{}/folders/{root}/new-folder", s.url))
        .form(&[("csrf", csrf.as_str()), ("name", "Projects")])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let dir = tempfile::tempdir()?;
    let up = dir.path().join(format!(
        "{} upload.txt",
        "Another rather long file name ".repeat(5)
    ));
    std::fs::write(&up, vec![7u8; 3 * 1024 * 1024])?;

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("lee", "lee password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    b.find(Locator::Css("tr.file-row[data-name='Minutes.txt']"))
        .await;

    // The row menu is a popover: the table keeps its height, the menu lies over the rows.
    let before = c.execute(TABLE_HEIGHT, vec![]).await?;
    b.click_in(
        "tr.file-row[data-name='Budget.xlsx']",
        Locator::Css("button.more"),
    )
    .await;
    let menu = b
        .wait_js(
            "the row menu to open",
            "var m = document.getElementById('file-menu'); var r = m.getBoundingClientRect();
             var t = document.querySelector('#listing table.files').getBoundingClientRect();
             return m.hidden ? null : { menu_top: r.top, menu_height: r.height, table_bottom: t.bottom,
               position: getComputedStyle(m).position, in_table: !!m.closest('table') };",
            |v| !v.is_null(),
        )
        .await;
    assert_eq!(
        c.execute(TABLE_HEIGHT, vec![]).await?,
        before,
        "the menu does not change the table's height: {menu}"
    );
    assert_eq!(menu["position"], "absolute", "{menu}");
    assert_eq!(menu["in_table"], false, "{menu}");
    assert!(
        menu["menu_height"].as_f64().unwrap_or(0.0) > 100.0,
        "{menu}"
    );
    b.screenshot("file-browser-menu").await;
    // Escape closes it.
    c.active_element().await?.send_keys("\u{e00c}").await?;
    b.wait_js(
        "the menu to close, focus back on its button",
        "return document.getElementById('file-menu').hidden && document.activeElement.classList.contains('more')
           && document.activeElement.closest('tr').getAttribute('data-name') === 'Budget.xlsx'",
        |v| v.as_bool() == Some(true),
    )
    .await;

    // Long names end in an ellipsis inside the page, with the full name in the title.
    b.no_problems("names to fit the page", NAMES_INSIDE).await;

    // An upload with a long name: name, bar and status side by side, never on top of each other;
    // the list refreshes when it is done.
    b.find(Locator::Css("#upload-input"))
        .await
        .send_keys(&up.display().to_string())
        .await?;
    b.wait_js(
        "the upload to finish and the list to refresh",
        "return window.folioUploads.refreshes > 0 && document.querySelectorAll('#listing tr.file-row').length === 5",
        |v| v.as_bool() == Some(true),
    )
    .await;
    b.no_problems("the upload row's parts to stay apart", UPLOAD_ROWS_APART)
        .await;
    b.no_problems("names to fit the page after the refresh", NAMES_INSIDE)
        .await;
    b.screenshot("file-browser-desktop").await;

    // A phone: one "+ New" button, a toolbar that leaves the screen to the files, 44 px targets.
    c.set_window_size(390, 844).await?;
    c.refresh().await?;
    b.wait_js(
        "the phone layout",
        "return window.innerWidth <= 400 && getComputedStyle(document.getElementById('new-toggle')).display !== 'none'",
        |v| v.as_bool() == Some(true),
    )
    .await;
    let heights = c
        .execute(
            "var h = window.innerHeight; var t = document.getElementById('toolbar').getBoundingClientRect().height;
             var first = document.querySelector('#listing tr.folder-row, #listing tr.file-row').getBoundingClientRect().top;
             return { toolbar: t, first_row: first, viewport: h };",
            vec![],
        )
        .await?;
    assert_eq!(
        heights["toolbar"].as_f64(),
        Some(0.0),
        "the toolbar is behind + New: {heights}"
    );
    assert!(
        heights["first_row"].as_f64().unwrap_or(f64::MAX)
            < 0.4 * heights["viewport"].as_f64().unwrap_or(0.0),
        "the files start in the top 40 % of the screen: {heights}"
    );
    b.no_problems("tap targets of at least 44 px", SMALL_TAP_TARGETS)
        .await;
    b.no_problems("names to fit the phone", NAMES_INSIDE).await;
    b.screenshot("file-browser-phone").await;
    b.click(Locator::Css("#new-toggle")).await;
    b.wait_js(
        "the toolbar to open",
        "return document.getElementById('toolbar').getBoundingClientRect().height",
        |v| v.as_f64().unwrap_or(0.0) > 0.0,
    )
    .await;
    b.no_problems("tap targets of the open toolbar", SMALL_TAP_TARGETS)
        .await;
    b.click_in(
        "tr.file-row[data-name='Minutes.txt']",
        Locator::Css("button.more"),
    )
    .await;
    b.wait_js(
        "the row menu on the phone",
        "return !document.getElementById('file-menu').hidden",
        |v| v.as_bool() == Some(true),
    )
    .await;
    b.no_problems("tap targets of the row menu", SMALL_TAP_TARGETS)
        .await;
    b.no_problems("the menu to stay on screen", "var r = document.getElementById('file-menu').getBoundingClientRect();
       return r.left >= 0 && r.right <= document.documentElement.clientWidth ? [] : ['menu at ' + r.left + '..' + r.right];").await;
    b.screenshot("file-browser-phone-menu").await;
    b.close().await;

    if std::env::var_os("FOLIO_UPDATE_DOCS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        std::fs::copy(
            artifacts_dir().join("file-browser-desktop.png"),
            docs.join("screenshot-file-browser.png"),
        )?;
        std::fs::copy(
            artifacts_dir().join("file-browser-phone.png"),
            docs.join("screenshot-file-browser-phone.png"),
        )?;
    }
    Ok(())
}

/// Issue 13: a folder of 500 files was one page of 948 KB. Pages hold 100 entries, folders
/// first, by name; Next and Previous walk them with stable order, and the sort is kept.
#[tokio::test]
async fn a_large_folder_is_shown_in_pages_of_a_hundred() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("pia", "pia password 1");
    let (web, root, csrf) = signed_in(&s, "pia", "pia password 1").await;
    for i in 0..230 {
        upload(
            &s,
            &web,
            &root,
            &csrf,
            &format!("file {i:03}.txt"),
            format!("{i}").as_bytes(),
        )
        .await;
    }
    for name in ["Archive", "Zoo"] {
        let r = web
            .post(format!("{}/folders/{root}/new-folder", s.url))
            .form(&[("csrf", csrf.as_str()), ("name", name)])
            .send()
            .await?;
        assert_eq!(r.status(), 303);
    }
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("pia", "pia password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    const ROWS: &str = "return Array.from(document.querySelectorAll('#listing tbody tr')).map(function (r) { return r.getAttribute('data-name'); })";
    let page = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let want: Vec<String> = ["Archive".to_owned(), "Zoo".to_owned()]
        .into_iter()
        .chain((0..230).map(|i| format!("file {i:03}.txt")))
        .collect();
    let first = page(
        &b.wait_js("page 1", ROWS, |v| {
            v.as_array().is_some_and(|a| a.len() == 100)
        })
        .await,
    );
    assert_eq!(first, want[..100]);
    assert_eq!(
        b.wait_text("#page-range", |t| !t.is_empty()).await,
        "1–100 of 232"
    );
    assert!(
        c.find(Locator::Css("#page-prev")).await.is_err(),
        "no previous on page 1"
    );
    b.click(Locator::Css("#page-next")).await;
    b.wait_text("#page-range", |t| t == "101–200 of 232").await;
    assert_eq!(page(&c.execute(ROWS, vec![]).await?), want[100..200]);
    b.click(Locator::Css("#page-next")).await;
    b.wait_text("#page-range", |t| t == "201–232 of 232").await;
    assert_eq!(page(&c.execute(ROWS, vec![]).await?), want[200..]);
    assert!(
        c.find(Locator::Css("#page-next")).await.is_err(),
        "no next on the last page"
    );
    b.click(Locator::Css("#page-prev")).await;
    b.wait_text("#page-range", |t| t == "101–200 of 232").await;
    assert_eq!(page(&c.execute(ROWS, vec![]).await?), want[100..200]);

    // Descending by name, from the column heading: folders stay first, files reversed.
    c.goto(&format!("{}/folders/{root}", s.url)).await?;
    b.click(Locator::LinkText("Name")).await;
    b.wait_url(|u| u.contains("dir=desc")).await;
    let desc = page(
        &b.wait_js("page 1, descending", ROWS, |v| {
            v.as_array().is_some_and(|a| a.len() == 100)
        })
        .await,
    );
    assert_eq!(desc[..2], ["Zoo".to_owned(), "Archive".to_owned()]);
    assert_eq!(desc[2], "file 229.txt");
    b.click(Locator::Css("#page-next")).await;
    b.wait_text("#page-range", |t| t == "101–200 of 232").await;
    let second = page(&c.execute(ROWS, vec![]).await?);
    assert_eq!(second[0], "file 131.txt", "the sort is kept across pages");
    // Rows are light: the whole page stays far below the old 2 KB a row.
    let size = c
        .execute("return document.documentElement.outerHTML.length", vec![])
        .await?;
    assert!(
        size.as_u64().unwrap_or(u64::MAX) < 100 * 1024,
        "a page of 100 rows is {size} bytes"
    );
    b.close().await;
    Ok(())
}
