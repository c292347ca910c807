//! Folders of issue 13, in real headless Chromium: rename and move folders; the move dialog
//! browses to any folder, however deep; never a folder into itself; drag and drop of files and
//! folders onto folder rows and breadcrumbs; multi-select with bulk move, delete (to the trash,
//! with Undo) and download as a zip streamed by the server, checked with Python's `zipfile`;
//! "Select all N items in this folder" across pages (and a phone's "Select all" button).

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;
use crate::trash::{
    accept_confirms, new_folder, page, post_form, row_id, signed_in, upload, wait_notice, wait_row,
};

async fn start(b: &Browser, s: &TestServer, login: &str, password: &str) {
    b.client
        .goto(&format!("{}/", s.url))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    b.sign_in(login, password).await;
    b.wait_url(|u| u.contains("/folders/")).await;
}

/// Clicks the picker's button for `name` (a subfolder) and waits until the picker shows it.
async fn pick(b: &Browser, name: &str) {
    let xpath = format!("//ul[@id='picker']//button[normalize-space()='{name}']");
    b.click(Locator::XPath(&xpath)).await;
    b.wait_text("#picker-here", |t| t == name).await;
}

#[tokio::test]
async fn folders_rename_and_move_through_a_dialog_that_reaches_a_deep_folder() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("mo", "mo password 1");
    let (mc, home, csrf) = signed_in(&s, "mo", "mo password 1").await;
    let archive = new_folder(&s, &mc, &csrf, &home, "Archive").await;
    let y2025 = new_folder(&s, &mc, &csrf, &archive, "2025").await;
    let q4 = new_folder(&s, &mc, &csrf, &y2025, "Q4").await;
    let reports = new_folder(&s, &mc, &csrf, &q4, "Reports").await;
    let drafts = new_folder(&s, &mc, &csrf, &home, "Drafts").await;
    let memo = upload(&s, &mc, &drafts, &csrf, "memo.txt", b"memo").await;

    let b = Browser::start().await;
    start(&b, &s, "mo", "mo password 1").await;
    // Rename.
    let row = "tr.folder-row[data-name='Drafts']";
    wait_row(&b, row, true).await;
    b.menu_item(row, "Rename…").await;
    b.fill("#folder-rename-name", "Working").await;
    b.click(Locator::Css("#folder-rename-btn")).await;
    wait_notice(&b, "Folder renamed").await;
    let row = "tr.folder-row[data-name='Working']";
    wait_row(&b, row, true).await;

    // Move, browsing down four levels in the dialog; the folder itself is not offered.
    b.menu_item(row, "Move…").await;
    b.wait_text("#picker-here", |t| t == "My files").await;
    let offered = b
        .wait_js(
            "the picker's folders",
            "return Array.from(document.querySelectorAll('#picker button')).map(function (x) { return x.textContent; });",
            |v| v.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;
    assert_eq!(offered, serde_json::json!(["Archive"]), "not into itself");
    pick(&b, "Archive").await;
    pick(&b, "2025").await;
    pick(&b, "Q4").await;
    // Keyboard: the folder buttons take focus and Enter.
    b.wait_js(
        "focus on the picker",
        "var x = document.querySelector('#picker button'); if (x) { x.focus(); } return document.activeElement && document.activeElement.textContent;",
        |v| v == "Reports",
    )
    .await;
    b.client
        .active_element()
        .await?
        .send_keys("\u{E007}")
        .await?;
    b.wait_text("#picker-here", |t| t == "Reports").await;
    b.wait_text("#picker-path", |t| {
        t.contains("Archive") && t.contains("Q4")
    })
    .await;
    b.screenshot("move-dialog").await;
    b.click(Locator::Css("#move-btn")).await;
    wait_notice(&b, "Folder moved").await;
    wait_row(&b, row, false).await;
    let inside = page(&s, &mc, &format!("/folders/{reports}")).await;
    assert_eq!(
        row_id(&inside, "folder-row", "Working").as_deref(),
        Some(drafts.as_str())
    );
    let inside = page(&s, &mc, &format!("/folders/{drafts}")).await;
    assert_eq!(
        row_id(&inside, "file-row", "memo.txt").as_deref(),
        Some(memo.as_str())
    );
    // The breadcrumbs follow.
    b.client
        .goto(&format!("{}/folders/{drafts}", s.url))
        .await?;
    b.wait_text("nav.crumbs", |t| {
        t.contains("Archive / 2025 / Q4 / Reports")
    })
    .await;

    // Never into itself or below itself.
    let to = post_form(
        &s,
        &mc,
        &format!("/folders/{archive}/move"),
        &[("csrf", &csrf), ("folder", &q4)],
    )
    .await;
    assert!(to.contains("error=move-into-itself"), "{to}");
    let to = post_form(
        &s,
        &mc,
        &format!("/folders/{archive}/move"),
        &[("csrf", &csrf), ("folder", &archive)],
    )
    .await;
    assert!(to.contains("error=move-into-itself"), "{to}");
    // A taken name in the target.
    new_folder(&s, &mc, &csrf, &home, "Q4").await;
    let to = post_form(
        &s,
        &mc,
        &format!("/folders/{q4}/move"),
        &[("csrf", &csrf), ("folder", &home)],
    )
    .await;
    assert!(to.contains("error=name-taken-in-target"), "{to}");
    b.close().await;
    Ok(())
}

/// Drags `from` onto `to` (CSS selectors) with script-dispatched HTML5 drag events: Chromium
/// does not turn WebDriver pointer actions into HTML5 drag and drop (`dragstart`/`drop` never
/// fire for them), so the test dispatches the same `DragEvent`s, with a `DataTransfer`, that a
/// person's drag makes the browser send.
async fn drag(b: &Browser, from: &str, to: &str) {
    let script = format!(
        "var src = document.querySelector({from}); var dst = document.querySelector({to});
         if (!src || !dst) {{ return false; }}
         var dt = new DataTransfer();
         function fire(el, type) {{ el.dispatchEvent(new DragEvent(type, {{ bubbles: true, cancelable: true, dataTransfer: dt }})); }}
         fire(src, 'dragstart'); fire(dst, 'dragenter'); fire(dst, 'dragover'); fire(dst, 'drop'); fire(src, 'dragend');
         return true;",
        from = serde_json::Value::from(from),
        to = serde_json::Value::from(to),
    );
    b.wait_js(&format!("a drag of {from} onto {to}"), &script, |v| {
        v.as_bool() == Some(true)
    })
    .await;
}

#[tokio::test]
async fn files_and_folders_drag_onto_folders_and_breadcrumbs() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("dee", "dee password 1");
    let (dc, home, csrf) = signed_in(&s, "dee", "dee password 1").await;
    let target = new_folder(&s, &dc, &csrf, &home, "Target").await;
    new_folder(&s, &dc, &csrf, &home, "Sub").await;
    let a = upload(&s, &dc, &home, &csrf, "a.txt", b"a").await;
    upload(&s, &dc, &home, &csrf, "b.txt", b"b").await;
    upload(&s, &dc, &home, &csrf, "c.txt", b"c").await;

    let b = Browser::start().await;
    start(&b, &s, "dee", "dee password 1").await;
    let target_row = "tr.folder-row[data-name='Target']";
    wait_row(&b, "tr.file-row[data-name='a.txt']", true).await;
    drag(&b, "tr.file-row[data-name='a.txt']", target_row).await;
    wait_notice(&b, "Moved").await;
    wait_row(&b, "tr.file-row[data-name='a.txt']", false).await;
    let inside = page(&s, &dc, &format!("/folders/{target}")).await;
    assert_eq!(
        row_id(&inside, "file-row", "a.txt").as_deref(),
        Some(a.as_str())
    );

    // A folder onto a folder.
    drag(&b, "tr.folder-row[data-name='Sub']", target_row).await;
    wait_notice(&b, "Moved").await;
    wait_row(&b, "tr.folder-row[data-name='Sub']", false).await;
    // The selection goes together when one of its rows is dragged.
    b.click(Locator::Css("tr.file-row[data-name='b.txt'] input.pick"))
        .await;
    b.click(Locator::Css("tr.file-row[data-name='c.txt'] input.pick"))
        .await;
    b.wait_text("#bulk-count", |t| t == "2 selected").await;
    drag(&b, "tr.file-row[data-name='c.txt']", target_row).await;
    wait_notice(&b, "Moved").await;
    wait_row(&b, "tr.file-row", false).await;

    // From inside Target, onto the "My files" breadcrumb.
    b.client
        .goto(&format!("{}/folders/{target}", s.url))
        .await?;
    wait_row(&b, "tr.file-row[data-name='a.txt']", true).await;
    drag(
        &b,
        "tr.file-row[data-name='a.txt']",
        &format!("nav.crumbs a[data-drop='{home}']"),
    )
    .await;
    wait_notice(&b, "Moved").await;
    let html = page(&s, &dc, &format!("/folders/{home}")).await;
    assert!(row_id(&html, "file-row", "a.txt").is_some(), "back home");
    // A folder is never dropped onto itself.
    b.client.goto(&format!("{}/folders/{home}", s.url)).await?;
    wait_row(&b, target_row, true).await;
    let refused = b
        .wait_js(
            "a drop of a folder onto itself to be refused",
            "var r = document.querySelector(\"tr.folder-row[data-name='Target']\"); var dt = new DataTransfer();
             r.dispatchEvent(new DragEvent('dragstart', { bubbles: true, cancelable: true, dataTransfer: dt }));
             var over = new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt });
             r.dispatchEvent(over);
             r.dispatchEvent(new DragEvent('dragend', { bubbles: true, cancelable: true, dataTransfer: dt }));
             return over.defaultPrevented;",
            |v| v.is_boolean(),
        )
        .await;
    assert_eq!(refused, false, "not a drop target for itself");
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn selected_items_move_delete_and_download_as_a_streamed_zip() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("zed", "zed password 1");
    let (zc, home, csrf) = signed_in(&s, "zed", "zed password 1").await;
    let docs = new_folder(&s, &zc, &csrf, &home, "Docs").await;
    new_folder(&s, &zc, &csrf, &docs, "Empty").await;
    upload(&s, &zc, &docs, &csrf, "inner é.txt", b"inside docs").await;
    let binary: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    upload(&s, &zc, &home, &csrf, "one.txt", b"first file").await;
    upload(&s, &zc, &home, &csrf, "two.bin", &binary).await;
    new_folder(&s, &zc, &csrf, &home, "Dest").await;

    let b = Browser::start().await;
    start(&b, &s, "zed", "zed password 1").await;
    wait_row(&b, "tr.file-row[data-name='two.bin']", true).await;
    // Select all, then none.
    b.click(Locator::Css("#select-all")).await;
    b.wait_text("#bulk-count", |t| t == "4 selected").await;
    b.click(Locator::Css("#select-all")).await;
    b.wait_js(
        "the bulk bar to hide with nothing selected",
        "return document.getElementById('bulk-form').hidden && document.getElementById('bulk-count').textContent;",
        |v| v == "Nothing selected",
    )
    .await;

    // Download one file, one binary file and a folder with a subfolder: a zip.
    for name in ["one.txt", "two.bin"] {
        b.click(Locator::Css(&format!(
            "tr.file-row[data-name='{name}'] input.pick"
        )))
        .await;
    }
    b.click(Locator::Css("tr.folder-row[data-name='Docs'] input.pick"))
        .await;
    b.wait_text("#bulk-count", |t| t == "3 selected").await;
    // The page's own form, sent as the Download button sends it; the answer read as hex.
    let got = b
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1];
             var f = document.getElementById('bulk-form');
             var body = new URLSearchParams(new FormData(f)); body.append('op', 'download');
             fetch(f.getAttribute('action'), { method: 'POST', body: body, credentials: 'same-origin' })
               .then(function (r) {
                 var meta = [r.status, r.headers.get('content-type'), r.headers.get('content-length'), r.headers.get('content-disposition')];
                 return r.arrayBuffer().then(function (buf) {
                   var hex = Array.from(new Uint8Array(buf)).map(function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
                   done(meta.concat([hex]));
                 });
               }, function (e) { done(['failed', String(e)]); });",
            vec![],
        )
        .await?;
    assert_eq!(got[0], 200, "{}", got[1]);
    assert_eq!(got[1], "application/zip");
    assert!(got[2].is_null(), "streamed: no Content-Length ({})", got[2]);
    assert!(
        got[3].as_str().is_some_and(|d| d.contains("My files.zip")),
        "{}",
        got[3]
    );
    let zip = hex::decode(got[4].as_str().unwrap_or_default())?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("download.zip");
    std::fs::write(&path, &zip)?;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import json, sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             assert z.testzip() is None\n\
             print(json.dumps([[i.filename, z.read(i.filename).hex(), i.is_dir()] for i in z.infolist()]))",
        )
        .arg(&path)
        .output()?;
    assert!(
        out.status.success(),
        "Python's zipfile opens it: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let want = serde_json::json!([
        ["one.txt", hex::encode(b"first file"), false],
        ["two.bin", hex::encode(&binary), false],
        ["Docs/", "", true],
        ["Docs/inner é.txt", hex::encode(b"inside docs"), false],
        ["Docs/Empty/", "", true],
    ]);
    // The order of the selection is the page's (folders first).
    let mut got: Vec<serde_json::Value> = entries.as_array().cloned().unwrap_or_default();
    let mut want: Vec<serde_json::Value> = want.as_array().cloned().unwrap_or_default();
    let key = |v: &serde_json::Value| v[0].as_str().unwrap_or_default().to_owned();
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got, want);

    // Bulk move through the dialog.
    b.click(Locator::Css("tr.folder-row[data-name='Docs'] input.pick"))
        .await;
    b.wait_text("#bulk-count", |t| t == "2 selected").await;
    b.click(Locator::Css("#bulk-move")).await;
    b.wait_text("#picker-here", |t| t == "My files").await;
    pick(&b, "Dest").await;
    b.click(Locator::Css("#move-btn")).await;
    wait_notice(&b, "Moved").await;
    wait_row(&b, "tr.file-row", false).await;
    let dest = row_id(
        &page(&s, &zc, &format!("/folders/{home}")).await,
        "folder-row",
        "Dest",
    )
    .unwrap_or_default();
    let inside = page(&s, &zc, &format!("/folders/{dest}")).await;
    assert!(
        row_id(&inside, "file-row", "one.txt").is_some()
            && row_id(&inside, "file-row", "two.bin").is_some()
    );

    // Bulk delete: both folders to the trash, then Undo brings both back.
    b.click(Locator::Css("#select-all")).await;
    b.wait_text("#bulk-count", |t| t == "2 selected").await;
    accept_confirms(&b).await;
    b.click(Locator::Css("#bulk-delete")).await;
    wait_notice(&b, "Moved to the trash").await;
    wait_row(&b, "tr.folder-row", false).await;
    b.click(Locator::Css("#undo-btn")).await;
    wait_notice(&b, "Undone").await;
    wait_row(&b, "tr.folder-row[data-name='Docs']", true).await;
    wait_row(&b, "tr.folder-row[data-name='Dest']", true).await;
    b.close().await;
    Ok(())
}

/// Folder pages are keyset pages of 100: with every row of a page selected, "Select all N
/// items in this folder" makes the bulk action the whole folder's, done by the server (the zip
/// holds everything; someone without access to the folder gets nothing); on a phone, where the
/// table head is hidden, a 44 px "Select all" button does what its checkbox does.
#[tokio::test]
async fn select_all_reaches_every_page_of_a_folder() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("zed", "zed password 1");
    s.add_user_with_password("eve", "eve password 1");
    let (zc, home, csrf) = signed_in(&s, "zed", "zed password 1").await;
    let big = new_folder(&s, &zc, &csrf, &home, "Big").await;
    for i in 0..104 {
        // As upload.js does (the helper looks the id up on the first page only).
        let r = zc
            .post(format!(
                "{}/folders/{big}/upload?name=f%20{i:03}.txt",
                s.url
            ))
            .header("X-CSRF-Token", &csrf)
            .header("Accept", "application/json")
            .body("x")
            .send()
            .await?;
        assert_eq!(r.status(), 200, "upload {i}");
    }
    let sub = new_folder(&s, &zc, &csrf, &big, "Sub").await;
    upload(&s, &zc, &sub, &csrf, "inside.txt", b"in").await;

    // The server side: a zip of the whole folder, streamed; nothing for someone else.
    let r = zc
        .post(format!("{}/folders/{big}/bulk", s.url))
        .form(&[("csrf", csrf.as_str()), ("op", "download"), ("all", "1")])
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let zip = r.bytes().await?;
    let entries = zip.windows(4).filter(|w| w == b"PK\x03\x04").count();
    assert_eq!(entries, 104 + 2, "every file, Sub/ and Sub/inside.txt");
    let (ec, _, ecsrf) = signed_in(&s, "eve", "eve password 1").await;
    let r = ec
        .post(format!("{}/folders/{big}/bulk", s.url))
        .form(&[("csrf", ecsrf.as_str()), ("op", "delete"), ("all", "1")])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    assert!(
        header(&r, "location")
            .unwrap_or_default()
            .contains("error=not-found")
    );
    assert!(
        row_id(
            &page(&s, &zc, &format!("/folders/{big}")).await,
            "folder-row",
            "Sub"
        )
        .is_some()
    );

    // Desktop: the head's checkbox selects the page, then the offer of the whole folder.
    let b = Browser::start().await;
    let c = &b.client;
    start(&b, &s, "zed", "zed password 1").await;
    c.goto(&format!("{}/folders/{big}", s.url)).await?;
    b.wait_text("#page-range", |t| t == "1–100 of 105").await;
    b.click(Locator::Css("#select-all")).await;
    b.wait_text("#bulk-count", |t| t == "100 selected").await;
    b.wait_text("#select-every", |t| {
        t == "Select all 105 items in this folder"
    })
    .await;
    b.click(Locator::Css("#select-all")).await;
    b.wait_js(
        "the offer to go with the selection",
        "return document.getElementById('select-every').hidden;",
        |v| v == &serde_json::json!(true),
    )
    .await;

    // A phone: no table head, a visible 44 px "Select all".
    c.set_window_size(390, 844).await?;
    let size = b
        .wait_js(
            "Select all to show on a phone",
            "var r = document.getElementById('select-page').getBoundingClientRect(); return [r.width, r.height];",
            |v| v[1].as_f64().is_some_and(|h| h >= 44.0),
        )
        .await;
    assert!(size[0].as_f64().is_some_and(|w| w >= 44.0), "{size}");
    b.click(Locator::Css("#select-page")).await;
    b.wait_text("#bulk-count", |t| t == "100 selected").await;
    b.click(Locator::Css("#select-every")).await;
    b.wait_text("#bulk-count", |t| {
        t == "All 105 items in this folder selected"
    })
    .await;
    // Unselecting one row leaves the whole-folder mode.
    b.click(Locator::Css(
        "tr.file-row[data-name='f 050.txt'] input.pick",
    ))
    .await;
    b.wait_text("#bulk-count", |t| t == "99 selected").await;
    b.click(Locator::Css(
        "tr.file-row[data-name='f 050.txt'] input.pick",
    ))
    .await;
    b.click(Locator::Css("#select-every")).await;
    b.wait_text("#bulk-count", |t| t.starts_with("All 105"))
        .await;
    accept_confirms(&b).await;
    b.click(Locator::Css("#bulk-delete")).await;
    wait_notice(&b, "Moved to the trash").await;
    b.wait_js(
        "the folder to be empty",
        "return document.querySelectorAll('#listing tbody tr.file-row, #listing tbody tr.folder-row').length;",
        |v| v == &serde_json::json!(0),
    )
    .await;
    let trash = page(&s, &zc, "/trash").await;
    assert_eq!(
        trash.matches("class=\"trash-row\"").count(),
        105,
        "all of it"
    );
    b.close().await;
    Ok(())
}
