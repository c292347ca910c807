//! Finding things and upload conflicts (issue 13), in real headless Chromium: search across what
//! a user can see (a shared folder's files, never another user's unshared file), Recent,
//! Favourites, the details panel with the lock's holder, and uploads whose name is taken —
//! Replace (a new version; a locked file refuses), Keep both (a numbered name), "apply to all" —
//! with at most three uploads at a time and the panel's summary.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::file_browser::{listed, signed_in, upload};
use crate::support::*;

/// The id of the row named `name` (a `tr` of `class`) in a folder page's HTML.
fn row_id(html: &str, class: &str, name: &str) -> String {
    let needle = format!("data-name=\"{name}\"");
    html.split(&format!("<tr class=\"{class}\" data-id=\""))
        .skip(1)
        .find(|rest| {
            rest.split('>')
                .next()
                .is_some_and(|tag| tag.contains(&needle))
        })
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {class} {name}"))
        .to_owned()
}

async fn post_form(
    s: &TestServer,
    c: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(format!("{}{path}", s.url))
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

async fn get_text(s: &TestServer, c: &reqwest::Client, path: &str) -> (u16, String) {
    let r = c
        .get(format!("{}{path}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// Takes a WOPI lock on `file` as `user` (a token from the CLI, as an editor would hold).
async fn lock_as(s: &TestServer, user: &str, file: &str, lock: &str) {
    let m = s.token(user, file, &[]);
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", lock)
        .send()
        .await
        .unwrap_or_else(|e| panic!("LOCK: {e}"));
    assert_eq!(r.status(), 200, "the lock was taken");
}

/// The rows of the search results: [name, location].
const RESULTS: &str =
    "return Array.from(document.querySelectorAll('#results tr.hit')).map(function (tr) {
    return [tr.getAttribute('data-name'), tr.querySelector('td.where').textContent.trim()]; })";

/// Search finds, case-insensitively, the user's own files, files in a folder shared with them
/// (with its path), and a file shared on its own — never another user's unshared file, whatever
/// the query (wildcards are literal).
#[tokio::test]
async fn search_finds_what_is_shared_and_never_what_is_not() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("ann", "ann password 1");
    s.add_user_with_password("bob", "bob password 1");
    let (bob, bob_root, bob_csrf) = signed_in(&s, "bob", "bob password 1").await;
    let r = post_form(
        &s,
        &bob,
        &format!("/folders/{bob_root}/new-folder"),
        &[("csrf", &bob_csrf), ("name", "Team")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let team = row_id(&listed(&s, &bob, &bob_root).await, "folder-row", "Team");
    upload(&s, &bob, &team, &bob_csrf, "Budget REPORT.txt", b"numbers").await;
    upload(
        &s,
        &bob,
        &bob_root,
        &bob_csrf,
        "secret report.txt",
        b"private",
    )
    .await;
    upload(
        &s,
        &bob,
        &bob_root,
        &bob_csrf,
        "100% report.txt",
        b"private",
    )
    .await;
    let r = post_form(
        &s,
        &bob,
        &format!("/folders/{team}/share"),
        &[("csrf", &bob_csrf), ("login", "ann"), ("role", "viewer")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (ann, ann_root, ann_csrf) = signed_in(&s, "ann", "ann password 1").await;
    upload(&s, &ann, &ann_root, &ann_csrf, "my report.txt", b"mine").await;

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("ann", "ann password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    b.fill("#search-q", "rEpOrT").await;
    b.click(Locator::Css("#search-go")).await;
    b.wait_url(|u| u.contains("/search?q=rEpOrT")).await;
    let rows = b
        .wait_js("the search results", RESULTS, |v| {
            v.as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    assert_eq!(
        rows,
        serde_json::json!([
            ["Budget REPORT.txt", "Shared with me / Team"],
            ["my report.txt", "My files"]
        ]),
        "own and shared files, never bob's unshared ones"
    );
    b.screenshot("search-results").await;
    // The location links to the folder it names.
    b.click(Locator::LinkText("Shared with me / Team")).await;
    b.wait_url(|u| u.ends_with(&format!("/folders/{team}")))
        .await;
    b.find(Locator::Css("tr.file-row[data-name='Budget REPORT.txt']"))
        .await;

    // Whatever the query, bob's unshared files never appear; `%` and `_` are literal.
    for q in ["secret", "%", "_", "100%25", "report"] {
        let (status, html) = get_text(&s, &ann, &format!("/search?q={q}")).await;
        assert_eq!(status, 200, "{q}");
        assert!(
            !html.contains("secret report.txt") && !html.contains("100% report.txt"),
            "{q}: {html}"
        );
    }
    let (_, html) = get_text(&s, &ann, "/search?q=%25").await;
    assert!(html.contains("Nothing found."), "{html}");
    // Results come in pages of 50, the next named by a cursor.
    for i in 0..51 {
        upload(
            &s,
            &ann,
            &ann_root,
            &ann_csrf,
            &format!("page-{i:02}.txt"),
            b"p",
        )
        .await;
    }
    let (_, first) = get_text(&s, &ann, "/search?q=page-").await;
    assert_eq!(first.matches("<tr class=\"hit\"").count(), 50);
    assert!(first.contains("data-name=\"page-49.txt\""));
    let more = first
        .split("<a href=\"")
        .find_map(|r| {
            r.split_once("\" id=\"search-more\"")
                .map(|(h, _)| h.to_owned())
        })
        .unwrap_or_else(|| panic!("a More results link: {first}"))
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let (_, second) = get_text(&s, &ann, &more).await;
    assert_eq!(second.matches("<tr class=\"hit\"").count(), 1, "{second}");
    assert!(second.contains("data-name=\"page-50.txt\""));
    assert!(!second.contains("id=\"search-more\""));
    // The owner finds their own.
    let (_, html) = get_text(&s, &bob, "/search?q=100%25").await;
    assert!(html.contains("100% report.txt"), "{html}");
    b.close().await;
    Ok(())
}

/// Recent lists what the user opened and saved; Favourites stars and unstars from the row menu;
/// the details panel shows size, type, versions, who has access and who holds the lock since
/// when. Nothing of another user's appears in any of them.
#[tokio::test]
async fn recent_favourites_and_the_details_panel_with_the_lock_holder() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    s.add_user_with_password("cat", "cat password 1");
    s.add_user_with_password("dan", "dan password 1");
    let (cat, root, csrf) = signed_in(&s, "cat", "cat password 1").await;
    upload(&s, &cat, &root, &csrf, "notes.txt", b"some notes").await;
    upload(&s, &cat, &root, &csrf, "plan.txt", b"the plan").await;
    let html = listed(&s, &cat, &root).await;
    let notes = row_id(&html, "file-row", "notes.txt");
    let plan = row_id(&html, "file-row", "plan.txt");
    let r = post_form(
        &s,
        &cat,
        &format!("/files/{notes}/share"),
        &[("csrf", &csrf), ("login", "dan"), ("role", "editor")],
    )
    .await;
    assert_eq!(r.status(), 303);

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("cat", "cat password 1").await;
    let folder_url = b.wait_url(|u| u.contains("/folders/")).await;

    // Open notes.txt in the editor: it is then the most recent, before plan.txt (uploaded).
    c.goto(&format!("{}/open/{notes}?action=view", s.url))
        .await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    let _ = c.enter_parent_frame().await;
    c.goto(&folder_url).await?;
    b.click(Locator::Css("#nav-recent")).await;
    let recent = b
        .wait_js(
            "the recent files",
            "return Array.from(document.querySelectorAll('#recent tr.file-row')).map(function (tr) { return tr.getAttribute('data-name'); })",
            |v| v.as_array().is_some_and(|a| a.len() >= 2),
        )
        .await;
    assert_eq!(recent, serde_json::json!(["notes.txt", "plan.txt"]));

    // Favourites: star plan.txt from its row menu; the row shows it; the page lists it.
    c.goto(&folder_url).await?;
    b.menu_item("tr.file-row[data-name='plan.txt']", "Add to favourites")
        .await;
    b.find(Locator::Css(
        "tr.file-row[data-name='plan.txt'][data-starred] .starred",
    ))
    .await;
    b.click(Locator::Css("#nav-favourites")).await;
    b.wait_text("#favourites", |t| t.contains("plan.txt")).await;
    assert!(
        !b.wait_text("#favourites", |_| true)
            .await
            .contains("notes.txt")
    );
    // Unstar from the Favourites page.
    b.click(Locator::Css("tr.fav[data-name='plan.txt'] button.star"))
        .await;
    b.wait_text("#favourites", |t| t.contains("No favourites yet"))
        .await;

    // The details panel: the lock of notes.txt, open for editing in another tab, shows who
    // holds it and since when.
    let first = c.window().await?;
    let tab = c.new_window(true).await?;
    c.switch_to_window(tab.handle).await?;
    c.goto(&format!("{}/open/{notes}?action=edit", s.url))
        .await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    let _ = c.enter_parent_frame().await;
    c.switch_to_window(first).await?;
    c.goto(&folder_url).await?;
    b.menu_item("tr.file-row[data-name='notes.txt']", "Details")
        .await;
    let lock = b
        .wait_text("#details-panel #d-lock", |t| t.contains("Being edited"))
        .await;
    assert!(
        lock.starts_with("Being edited by User cat since 20"),
        "{lock}"
    );
    assert!(lock.ends_with("UTC"), "{lock}");
    assert_eq!(
        b.wait_text("#details-panel #d-size", |t| !t.is_empty())
            .await,
        "10 B"
    );
    assert_eq!(
        b.wait_text("#details-panel #d-type", |t| !t.is_empty())
            .await,
        "Text (.txt)"
    );
    assert_eq!(
        b.wait_text("#details-panel #d-versions", |t| !t.is_empty())
            .await,
        "1 version"
    );
    let access = b
        .wait_text("#details-panel #d-access", |t| !t.is_empty())
        .await;
    assert!(access.contains("User cat — owner"), "{access}");
    assert!(access.contains("User dan — can edit"), "{access}");
    let activity = b
        .wait_text("#details-panel #d-activity", |t| !t.is_empty())
        .await;
    assert!(activity.contains("cat opened it"), "{activity}");
    b.screenshot("details-panel").await;
    b.click(Locator::Css("#details-close")).await;
    b.wait_js(
        "the panel to close",
        "return document.getElementById('details-panel').hidden",
        |v| v.as_bool() == Some(true),
    )
    .await;
    // The versions link of the panel leads to the versions page.
    let (status, page) = get_text(&s, &cat, &format!("/files/{notes}/details")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/files/{notes}/versions\"")));

    // Authorization: dan sees notes.txt (shared) but nothing of plan.txt anywhere.
    let (dan, _, dan_csrf) = signed_in(&s, "dan", "dan password 1").await;
    let (status, _) = get_text(&s, &dan, &format!("/files/{plan}/details")).await;
    assert_eq!(status, 404, "details of a file dan cannot see");
    let r = post_form(
        &s,
        &dan,
        &format!("/files/{plan}/favourite"),
        &[("csrf", &dan_csrf), ("on", "1"), ("back", "/favourites")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(
        header(&r, "location").is_some_and(|l| l.contains("error=")),
        "starring what one cannot see is refused"
    );
    let (_, favs) = get_text(&s, &dan, "/favourites").await;
    assert!(!favs.contains("plan.txt"), "{favs}");
    let (_, recent) = get_text(&s, &dan, "/recent").await;
    assert!(!recent.contains("plan.txt"), "{recent}");
    let (_, found) = get_text(&s, &dan, "/search?q=.txt").await;
    assert!(
        found.contains("notes.txt") && !found.contains("plan.txt"),
        "{found}"
    );
    // A recipient sees the details of what is shared with them, lock included.
    let (status, d) = get_text(&s, &dan, &format!("/files/{notes}/details")).await;
    assert_eq!(status, 200);
    assert!(d.contains("Being edited by User cat"), "{d}");
    b.close().await;
    Ok(())
}

/// The per-file rows of the upload panel: [name, state, status text].
const UPLOAD_ROWS: &str = "return Array.from(document.querySelectorAll('#uploads li')).map(function (li) {
    return [li.getAttribute('data-name'), li.getAttribute('data-state'), li.querySelector('.upload-status').textContent]; })";

/// An upload whose name is taken asks: Replace makes a new version of the existing file, Keep
/// both a numbered copy, and "Do this for every name that is taken" answers the rest of the
/// batch. A locked file refuses the replacement with a clear message. Uploads run at most three
/// at a time, and the panel sums up.
#[tokio::test]
async fn upload_conflicts_replace_keep_both_and_a_locked_file_refuses() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("eve", "eve password 1");
    let (eve, root, csrf) = signed_in(&s, "eve", "eve password 1").await;
    upload(&s, &eve, &root, &csrf, "report.txt", b"version one").await;
    upload(&s, &eve, &root, &csrf, "memo.txt", b"old memo").await;
    upload(&s, &eve, &root, &csrf, "list.txt", b"old list").await;
    let html = listed(&s, &eve, &root).await;
    let report = row_id(&html, "file-row", "report.txt");

    let dir = tempfile::tempdir()?;
    let path = |name: &str, body: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap_or_else(|e| panic!("{e}"));
        p.display().to_string()
    };
    let files = [
        path("report.txt", b"version two"),
        path("memo.txt", b"new memo"),
        path("list.txt", b"new list"),
        path("fresh.txt", b"fresh"),
    ];

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("eve", "eve password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;

    // One file whose name is taken: Replace, for this file.
    let input = b.find(Locator::Css("#upload-input")).await;
    input.send_keys(&files[0]).await?;
    let asked = b
        .wait_text("#conflict-text", |t| t.contains("There is already"))
        .await;
    assert!(asked.contains("“report.txt”"), "{asked}");
    b.screenshot("upload-conflict").await;
    b.click(Locator::Css("#conflict-replace")).await;
    b.wait_text("#uploads-summary", |t| t == "1 of 1 uploaded, 0 failed.")
        .await;
    let rows = c.execute(UPLOAD_ROWS, vec![]).await?;
    assert!(
        rows[0][2]
            .as_str()
            .is_some_and(|t| t.starts_with("Replaced")),
        "{rows}"
    );
    // report.txt has a second version with the new content.
    let (_, details) = get_text(&s, &eve, &format!("/files/{report}/details")).await;
    assert!(details.contains("2 versions"), "{details}");
    let body = eve
        .get(format!("{}/files/{report}/download", s.url))
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(body.as_ref(), b"version two");

    // Three more, two of them taken: Keep both, for every conflict of this batch — asked once.
    let input = b.find(Locator::Css("#upload-input")).await;
    input.send_keys(&files[1..].join("\n")).await?;
    b.wait_js(
        "the conflict dialog",
        "var d = document.getElementById('conflict-dialog'); return d.open",
        |v| v.as_bool() == Some(true),
    )
    .await;
    b.click(Locator::Css("#conflict-all")).await;
    b.click(Locator::Css("#conflict-keep")).await;
    b.wait_text("#uploads-summary", |t| t == "4 of 4 uploaded, 0 failed.")
        .await;
    let open = c
        .execute(
            "return document.getElementById('conflict-dialog').open",
            vec![],
        )
        .await?;
    assert_eq!(open, serde_json::json!(false), "asked once for the batch");
    let rows = c.execute(UPLOAD_ROWS, vec![]).await?;
    let listing = listed(&s, &eve, &root).await;
    for (i, copy) in [(1, "memo (1).txt"), (2, "list (1).txt")] {
        let status = rows[i][2].as_str().unwrap_or_default();
        assert_eq!(status, format!("Uploaded as {copy}."), "{rows}");
        assert!(listing.contains(&format!("data-name=\"{copy}\"")), "{copy}");
    }
    assert!(listing.contains("data-name=\"fresh.txt\""));
    b.wait_js(
        "the listing to refresh",
        "return window.folioUploads.refreshes > 0 && !!document.querySelector('#listing tr.file-row[data-name=\"memo (1).txt\"]')",
        |v| v.as_bool() == Some(true),
    )
    .await;

    // A locked file refuses to be replaced, with a clear message, and the panel counts it.
    lock_as(&s, "eve", &report, "editor-lock").await;
    let input = b.find(Locator::Css("#upload-input")).await;
    input
        .send_keys(&path("report.txt", b"version three"))
        .await?;
    // The earlier "for every conflict" was for that batch only: this one is asked.
    b.wait_text("#conflict-text", |t| t.contains("“report.txt”"))
        .await;
    b.click(Locator::Css("#conflict-replace")).await;
    b.wait_js("the locked replacement to fail", UPLOAD_ROWS, |v| {
        v.as_array()
            .is_some_and(|a| a.len() == 5 && a[4][1] == "error")
    })
    .await;
    let rows = c.execute(UPLOAD_ROWS, vec![]).await?;
    let message = rows[4][2].as_str().unwrap_or_default();
    assert!(message.contains("locked"), "{message}");
    assert_eq!(
        b.wait_text("#uploads-summary", |t| t.contains("failed"))
            .await,
        "4 of 5 uploaded, 1 failed."
    );
    let (_, details) = get_text(&s, &eve, &format!("/files/{report}/details")).await;
    assert!(
        details.contains("2 versions"),
        "nothing was replaced: {details}"
    );

    // Many files at once: never more than three in flight, every one uploaded.
    let many: Vec<String> = (0..8)
        .map(|i| path(&format!("batch {i}.txt"), format!("batch {i}").as_bytes()))
        .collect();
    let input = b.find(Locator::Css("#upload-input")).await;
    input.send_keys(&many.join("\n")).await?;
    b.wait_text("#uploads-summary", |t| t == "12 of 13 uploaded, 1 failed.")
        .await;
    let most = c
        .execute("return window.folioUploads.maxRunning", vec![])
        .await?;
    assert!(
        most.as_u64().is_some_and(|n| (1..=3).contains(&n)),
        "at most three uploads at a time: {most}"
    );
    b.close().await;
    Ok(())
}
