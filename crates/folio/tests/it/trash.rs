//! The trash of issue 13, in real headless Chromium: a deleted file or folder (with everything
//! in it) leaves every listing, its WOPI token is refused, and it comes back from the trash with
//! its versions and shares — in place, or in "My files" when its folder is gone, under a
//! numbered name when its own is taken; "Undo" right after a delete (also for an editor who
//! deleted in a folder shared with them; the owner's trash says who deleted what); "Delete
//! forever", "Empty trash", and the retention sweep that deletes for good and frees the blobs.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;

/// A web client signed in as `login`, its home folder id and CSRF token.
pub async fn signed_in(
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
    let html = page(s, &c, &format!("/folders/{folder}")).await;
    let csrf = form_value(&html, "csrf");
    (c, folder, csrf)
}

/// The HTML of a page.
pub async fn page(s: &TestServer, c: &reqwest::Client, path: &str) -> String {
    c.get(format!("{}{path}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
        .text()
        .await
        .unwrap_or_default()
}

/// POSTs a form; returns the redirect's location.
pub async fn post_form(
    s: &TestServer,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> String {
    let r = c
        .post(format!("{}{path}", s.url))
        .form(fields)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    assert_eq!(r.status(), 303, "POST {path} redirects");
    header(&r, "location").unwrap_or_default().to_owned()
}

/// Creates folder `name` in `parent` through the page's form; returns its id.
pub async fn new_folder(
    s: &TestServer,
    c: &reqwest::Client,
    csrf: &str,
    parent: &str,
    name: &str,
) -> String {
    let to = post_form(
        s,
        c,
        &format!("/folders/{parent}/new-folder"),
        &[("csrf", csrf), ("name", name)],
    )
    .await;
    assert!(to.contains("notice=folder-created"), "{to}");
    row_id(
        &page(s, c, &format!("/folders/{parent}")).await,
        "folder-row",
        name,
    )
    .unwrap_or_else(|| panic!("folder {name} is listed"))
}

/// The `data-id` of the row `class` named `name` on a folder page.
pub fn row_id(html: &str, class: &str, name: &str) -> Option<String> {
    let needle = format!("<tr class=\"{class}\" data-id=\"");
    html.split(&needle).skip(1).find_map(|rest| {
        let (id, rest) = rest.split_once('"')?;
        rest.starts_with(&format!(" data-name=\"{name}\""))
            .then(|| id.to_owned())
    })
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Uploads through the page's upload endpoint (as upload.js does); returns the file id.
pub async fn upload(
    s: &TestServer,
    c: &reqwest::Client,
    folder: &str,
    csrf: &str,
    name: &str,
    body: &[u8],
) -> String {
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
    row_id(
        &page(s, c, &format!("/folders/{folder}")).await,
        "file-row",
        name,
    )
    .unwrap_or_else(|| panic!("{name} is listed"))
}

/// Says yes to the page's `confirm()` questions (until the next navigation).
pub async fn accept_confirms(b: &Browser) {
    b.client
        .execute("window.confirm = function () { return true; };", vec![])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Waits for the page's notice to contain `words`.
pub async fn wait_notice(b: &Browser, words: &str) -> String {
    b.wait_text("#notice", |t| t.contains(words)).await
}

/// Waits until the listing has (or lacks) the row `css`.
pub async fn wait_row(b: &Browser, css: &str, present: bool) {
    let script = format!(
        "return !!document.querySelector({});",
        serde_json::Value::from(css)
    );
    b.wait_js(
        &format!("{css} to be {}", if present { "listed" } else { "gone" }),
        &script,
        |v| v.as_bool() == Some(present),
    )
    .await;
}

/// The actions of the audit rows `query` (`/api/v1/audit`) finds, through an admin API key.
pub async fn audit_actions(s: &TestServer, query: &str) -> Vec<String> {
    let out = s.cli_ok(&["api-keys", "create", "auditor", "--scope", "admin"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let key = v["key"].as_str().unwrap_or_default().to_owned();
    let v: serde_json::Value = client()
        .get(format!("{}/api/v1/audit?{query}", s.url))
        .bearer_auth(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("audit: {e}"))
        .json()
        .await
        .unwrap_or_default();
    v["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn check_file_info(m: &Minted) -> reqwest::StatusCode {
    client()
        .get(m.file_url())
        .send()
        .await
        .unwrap_or_else(|e| panic!("CheckFileInfo: {e}"))
        .status()
}

#[tokio::test]
async fn a_deleted_file_goes_to_the_trash_and_comes_back_with_its_versions_and_shares() -> TestResult
{
    let s = TestServer::start();
    s.add_user_with_password("tina", "tina password 1");
    s.add_user_with_password("rita", "rita password 1");
    let id = s.put_file("tina", "report.txt", b"");
    let m = s.token("tina", &id, &[]);
    // A second version, through WOPI PutFile (an empty file needs no lock).
    let r = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .body("second version")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let (tc, _, tcsrf) = signed_in(&s, "tina", "tina password 1").await;
    post_form(
        &s,
        &tc,
        &format!("/files/{id}/share"),
        &[("csrf", &tcsrf), ("login", "rita"), ("role", "editor")],
    )
    .await;
    let (rc, _, _) = signed_in(&s, "rita", "rita password 1").await;
    assert!(page(&s, &rc, "/shared").await.contains("report.txt"));

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("tina", "tina password 1").await;
    let row = "tr.file-row[data-name='report.txt']";
    wait_row(&b, row, true).await;
    accept_confirms(&b).await;
    b.menu_item(row, "Delete").await;
    wait_notice(&b, "moved to the trash").await;
    wait_row(&b, row, false).await;
    // Gone everywhere: the owner's listing, the recipient's, the WOPI token.
    assert_eq!(
        check_file_info(&m).await,
        404,
        "a trashed file's token is refused"
    );
    assert!(!page(&s, &rc, "/shared").await.contains("report.txt"));
    assert_eq!(
        tc.get(format!("{}/files/{id}/download", s.url))
            .send()
            .await?
            .status(),
        404
    );

    // Undo, right away.
    b.click(Locator::Css("#undo-btn")).await;
    wait_notice(&b, "Undone").await;
    wait_row(&b, row, true).await;
    assert_eq!(check_file_info(&m).await, 200);

    // Delete again, then restore from the trash page.
    accept_confirms(&b).await;
    b.menu_item(row, "Delete").await;
    wait_notice(&b, "moved to the trash").await;
    b.click(Locator::Css("#nav-trash")).await;
    let trashed = "tr.trash-row[data-name='report.txt']";
    wait_row(&b, trashed, true).await;
    let from = b
        .wait_text(&format!("{trashed} td.from"), |t| !t.is_empty())
        .await;
    assert_eq!(from, "My files");
    b.screenshot("trash").await;
    b.click_in(trashed, Locator::Css("button.restore")).await;
    wait_notice(&b, "Restored to where it was").await;
    b.wait_text("#trash td.empty", |t| t.contains("empty"))
        .await;

    // Versions and shares came back with it.
    c.goto(&format!("{}/files/{id}/versions", s.url)).await?;
    let versions = b
        .wait_js(
            "the versions of the restored file",
            "return document.querySelectorAll('tbody tr').length;",
            |v| v.as_i64().is_some_and(|n| n > 0),
        )
        .await;
    assert_eq!(versions, 2, "both versions are kept");
    assert!(page(&s, &rc, "/shared").await.contains("report.txt"));
    assert_eq!(check_file_info(&m).await, 200);

    // The audit trail has the delete and the restore.
    let actions = audit_actions(&s, &format!("file={id}")).await;
    assert!(
        actions.iter().any(|a| a == "file.delete") && actions.iter().any(|a| a == "file.restore"),
        "{actions:?}"
    );
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn a_deleted_folder_takes_its_contents_and_comes_back_home_under_a_free_name() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("fred", "fred password 1");
    let (fc, home, csrf) = signed_in(&s, "fred", "fred password 1").await;
    let projects = new_folder(&s, &fc, &csrf, &home, "Projects").await;
    let alpha = new_folder(&s, &fc, &csrf, &projects, "Alpha").await;
    let plan = upload(&s, &fc, &alpha, &csrf, "plan.txt", b"the plan").await;
    let notes = upload(&s, &fc, &projects, &csrf, "notes.txt", b"notes").await;

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("fred", "fred password 1").await;
    c.goto(&format!("{}/folders/{projects}", s.url)).await?;
    // A non-empty folder goes to the trash with what is in it.
    let alpha_row = "tr.folder-row[data-name='Alpha']";
    wait_row(&b, alpha_row, true).await;
    accept_confirms(&b).await;
    b.menu_item(alpha_row, "Delete").await;
    wait_notice(&b, "Folder moved to the trash").await;
    wait_row(&b, alpha_row, false).await;
    assert_eq!(
        fc.get(format!("{}/files/{plan}/download", s.url))
            .send()
            .await?
            .status(),
        404,
        "a file inside a trashed folder is gone too"
    );
    assert_eq!(
        fc.get(format!("{}/folders/{alpha}", s.url))
            .send()
            .await?
            .status(),
        404
    );
    // Then its parent.
    c.goto(&format!("{}/folders/{home}", s.url)).await?;
    let projects_row = "tr.folder-row[data-name='Projects']";
    wait_row(&b, projects_row, true).await;
    accept_confirms(&b).await;
    b.menu_item(projects_row, "Delete").await;
    wait_notice(&b, "Folder moved to the trash").await;
    // A new "Alpha" takes the name at home meanwhile.
    new_folder(&s, &fc, &csrf, &home, "Alpha").await;

    b.click(Locator::Css("#nav-trash")).await;
    let names = b
        .wait_js(
            "both folders in the trash",
            "return Array.from(document.querySelectorAll('tr.trash-row')).map(function (r) { return r.getAttribute('data-name'); });",
            |v| v.as_array().is_some_and(|a| a.len() == 2),
        )
        .await;
    assert_eq!(
        names,
        serde_json::json!(["Projects", "Alpha"]),
        "newest first"
    );
    let projects_files = b
        .wait_text("tr.trash-row[data-name='Projects'] td.name", |t| {
            !t.is_empty()
        })
        .await;
    assert!(projects_files.contains("1 file"), "{projects_files}");
    // Alpha's folder is in the trash: it comes back home, numbered.
    b.click_in(
        "tr.trash-row[data-name='Alpha']",
        Locator::Css("button.restore"),
    )
    .await;
    wait_notice(&b, "Restored to My files").await;
    let html = page(&s, &fc, &format!("/folders/{home}")).await;
    assert_eq!(
        row_id(&html, "folder-row", "Alpha (1)").as_deref(),
        Some(alpha.as_str())
    );
    let inside = page(&s, &fc, &format!("/folders/{alpha}")).await;
    assert!(
        row_id(&inside, "file-row", "plan.txt").is_some(),
        "its file came back with it"
    );
    // Projects comes back in place with its own file (Alpha is no longer in it).
    b.click_in(
        "tr.trash-row[data-name='Projects']",
        Locator::Css("button.restore"),
    )
    .await;
    wait_notice(&b, "Restored to where it was").await;
    let inside = page(&s, &fc, &format!("/folders/{projects}")).await;
    assert!(row_id(&inside, "file-row", "notes.txt").is_some());
    assert!(row_id(&inside, "folder-row", "Alpha").is_none());
    assert_eq!(
        fc.get(format!("{}/files/{notes}/download", s.url))
            .send()
            .await?
            .status(),
        200
    );
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn delete_forever_empty_trash_and_the_retention_sweep_free_the_blobs() -> TestResult {
    let s = TestServer::start_with_config(Some("trash_retention_days = 2\n"));
    s.add_user_with_password("pia", "pia password 1");
    let (pc, home, csrf) = signed_in(&s, "pia", "pia password 1").await;
    let keep = upload(&s, &pc, &home, &csrf, "keep.txt", b"kept").await;
    let old = upload(&s, &pc, &home, &csrf, "old.txt", b"old bytes").await;
    let one = upload(&s, &pc, &home, &csrf, "one.txt", b"one").await;
    let two = upload(&s, &pc, &home, &csrf, "two.txt", b"two").await;
    for id in [&old, &one, &two] {
        let to = post_form(&s, &pc, &format!("/files/{id}/delete"), &[("csrf", &csrf)]).await;
        assert!(to.contains("undo=f:"), "{to}");
    }
    let sweep = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["sweep", "--grace", "0"];
        args.extend_from_slice(extra);
        serde_json::from_str(&s.cli_ok(&args)).unwrap_or_else(|e| panic!("sweep JSON: {e}"))
    };
    // Within the retention, the sweep keeps the trash and its blobs.
    let r = sweep(&[]);
    assert_eq!(r["purged_trash"], 0, "{r}");
    assert_eq!(r["orphan_blobs"], 0, "{r}");

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("pia", "pia password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.goto(&format!("{}/trash", s.url)).await?;
    b.wait_text("#trash-retention", |t| t.contains("2 days"))
        .await;
    // Delete forever: one entry.
    let row = "tr.trash-row[data-name='one.txt']";
    wait_row(&b, row, true).await;
    accept_confirms(&b).await;
    b.click_in(row, Locator::Css("button.purge")).await;
    wait_notice(&b, "Deleted for good").await;
    wait_row(&b, row, false).await;
    let r = sweep(&[]);
    assert_eq!(r["orphan_blobs"], 1, "its blob goes in the next sweep: {r}");
    // Nothing can bring it back.
    let to = post_form(
        &s,
        &pc,
        &format!("/trash/{one}/restore"),
        &[("csrf", &csrf)],
    )
    .await;
    assert!(to.contains("error=not-found"), "{to}");

    // The retention sweep, three days on (the sweep's clock is moved, no waiting).
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64
        + 3 * 86_400_000;
    let r = sweep(&["--now-ms", &later.to_string()]);
    assert_eq!(r["purged_trash"], 2, "old.txt and two.txt: {r}");
    assert_eq!(r["orphan_blobs"], 2, "{r}");
    c.refresh().await?;
    b.wait_text("#trash td.empty", |t| t.contains("empty"))
        .await;
    assert_eq!(
        pc.get(format!("{}/files/{keep}/download", s.url))
            .send()
            .await?
            .text()
            .await?,
        "kept",
        "what was not deleted is untouched"
    );

    // Empty trash: everything at once.
    for id in [&keep] {
        post_form(&s, &pc, &format!("/files/{id}/delete"), &[("csrf", &csrf)]).await;
    }
    c.refresh().await?;
    wait_row(&b, "tr.trash-row[data-name='keep.txt']", true).await;
    accept_confirms(&b).await;
    b.click(Locator::Css("#empty-trash")).await;
    wait_notice(&b, "Trash emptied").await;
    b.wait_text("#trash td.empty", |t| t.contains("empty"))
        .await;
    assert_eq!(sweep(&[])["orphan_blobs"], 1);
    let actions = audit_actions(&s, "action=trash.").await;
    assert!(
        actions.iter().filter(|a| *a == "trash.purge").count() >= 3,
        "{actions:?}"
    );
    b.close().await;
    Ok(())
}

/// Only the owner sees and acts on their trash; nobody moves, zips or browses what they cannot
/// see; a crafted Undo link restores nothing of someone else's.
#[tokio::test]
async fn the_trash_and_the_bulk_actions_hold_permissions() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("owen", "owen password 1");
    s.add_user_with_password("eve", "eve password 1");
    let (oc, ohome, ocsrf) = signed_in(&s, "owen", "owen password 1").await;
    let (ec, ehome, ecsrf) = signed_in(&s, "eve", "eve password 1").await;
    let secret = upload(&s, &oc, &ohome, &ocsrf, "secret.txt", b"owen's").await;
    let private = new_folder(&s, &oc, &ocsrf, &ohome, "Private").await;
    post_form(
        &s,
        &oc,
        &format!("/files/{secret}/delete"),
        &[("csrf", &ocsrf)],
    )
    .await;
    // Eve's trash is hers: Owen's entry is not there, and she cannot restore or purge it.
    assert!(!page(&s, &ec, "/trash").await.contains("secret.txt"));
    assert!(page(&s, &oc, "/trash").await.contains("secret.txt"));
    let to = post_form(
        &s,
        &ec,
        &format!("/trash/{secret}/restore"),
        &[("csrf", &ecsrf)],
    )
    .await;
    assert!(to.contains("error=not-found"), "{to}");
    let to = post_form(
        &s,
        &ec,
        &format!("/trash/{secret}/delete"),
        &[("csrf", &ecsrf)],
    )
    .await;
    assert!(to.contains("error=not-found"), "{to}");
    let to = post_form(
        &s,
        &ec,
        "/trash/undo",
        &[
            ("csrf", &ecsrf),
            ("back", &ehome),
            ("item", &format!("f:{secret}")),
        ],
    )
    .await;
    assert!(to.contains("error=not-found"), "{to}");
    assert!(
        page(&s, &oc, "/trash").await.contains("secret.txt"),
        "still there"
    );
    // A form without the CSRF token is refused.
    let r = ec
        .post(format!("{}/trash/empty", s.url))
        .form(&[("csrf", "nope")])
        .send()
        .await?;
    assert_eq!(r.status(), 403);
    // Someone else's folder: no picker, no zip, no move, no delete.
    let r = ec
        .get(format!("{}/folders/{private}/picker", s.url))
        .header("Accept", "application/json")
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    let item = format!("d:{private}");
    let r = ec
        .post(format!("{}/folders/{ehome}/bulk", s.url))
        .form(&[
            ("csrf", ecsrf.as_str()),
            ("op", "download"),
            ("item", &item),
        ])
        .send()
        .await?;
    assert_eq!(r.status(), 303, "refused before any byte");
    assert!(
        header(&r, "location")
            .unwrap_or_default()
            .contains("error=not-found")
    );
    for op in ["move", "delete"] {
        let to = post_form(
            &s,
            &ec,
            &format!("/folders/{ehome}/bulk"),
            &[
                ("csrf", &ecsrf),
                ("op", op),
                ("item", &item),
                ("folder", &ehome),
            ],
        )
        .await;
        assert!(to.contains("error=not-found"), "{op}: {to}");
    }
    assert!(
        row_id(
            &page(&s, &oc, &format!("/folders/{ohome}")).await,
            "folder-row",
            "Private"
        )
        .is_some()
    );
    // Nothing selected, and a signed-out script, are answered plainly.
    let to = post_form(
        &s,
        &ec,
        &format!("/folders/{ehome}/bulk"),
        &[("csrf", &ecsrf), ("op", "delete")],
    )
    .await;
    assert!(to.contains("error=nothing-selected"), "{to}");
    let r = client()
        .get(format!("{}/folders/{ehome}/picker", s.url))
        .header("Accept", "application/json")
        .send()
        .await?;
    assert_eq!(r.status(), 401, "JSON 401, not a redirect");
    Ok(())
}

#[tokio::test]
async fn an_editor_of_a_shared_folder_can_undo_their_delete_and_the_owner_sees_who() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("owen", "owen password 1");
    s.add_user_with_password("eve", "eve password 1");
    s.add_user_with_password("vic", "vic password 1");
    let (oc, ohome, ocsrf) = signed_in(&s, "owen", "owen password 1").await;
    let team = new_folder(&s, &oc, &ocsrf, &ohome, "Team").await;
    let brief = upload(&s, &oc, &team, &ocsrf, "brief.txt", b"the brief").await;
    let plan = upload(&s, &oc, &team, &ocsrf, "plan.txt", b"the plan").await;
    let drafts = new_folder(&s, &oc, &ocsrf, &team, "Drafts").await;
    for (login, role) in [("eve", "editor"), ("vic", "editor")] {
        post_form(
            &s,
            &oc,
            &format!("/folders/{team}/share"),
            &[("csrf", &ocsrf), ("login", login), ("role", role)],
        )
        .await;
    }

    // Eve deletes a file in Owen's folder and undoes it from the notice.
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("eve", "eve password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.goto(&format!("{}/folders/{team}", s.url)).await?;
    let brief_row = "tr.file-row[data-name='brief.txt']";
    wait_row(&b, brief_row, true).await;
    accept_confirms(&b).await;
    b.menu_item(brief_row, "Delete").await;
    wait_notice(&b, "File moved to the trash").await;
    wait_row(&b, brief_row, false).await;
    b.click(Locator::Css("#undo-btn")).await;
    wait_notice(&b, "Undone").await;
    wait_row(&b, brief_row, true).await;
    assert!(b.wait_url(|u| u.contains(&team)).await.contains(&team));
    assert_eq!(
        oc.get(format!("{}/files/{brief}/download", s.url))
            .send()
            .await?
            .text()
            .await?,
        "the brief",
        "back where it was, for the owner too"
    );

    // A folder too.
    let drafts_row = "tr.folder-row[data-name='Drafts']";
    wait_row(&b, drafts_row, true).await;
    accept_confirms(&b).await;
    b.menu_item(drafts_row, "Delete").await;
    wait_notice(&b, "Folder moved to the trash").await;
    wait_row(&b, drafts_row, false).await;
    b.click(Locator::Css("#undo-btn")).await;
    wait_notice(&b, "Undone").await;
    wait_row(&b, drafts_row, true).await;
    assert_eq!(
        row_id(
            &page(&s, &oc, &format!("/folders/{team}")).await,
            "folder-row",
            "Drafts"
        ),
        Some(drafts.clone())
    );

    // Deleted by Eve and not undone: it is in Owen's trash, saying who; Vic (another editor)
    // cannot restore it, Eve still can right after.
    accept_confirms(&b).await;
    let plan_row = "tr.file-row[data-name='plan.txt']";
    b.menu_item(plan_row, "Delete").await;
    wait_notice(&b, "File moved to the trash").await;
    assert!(
        !b.find(Locator::Css("#notice"))
            .await
            .text()
            .await?
            .contains("Trash"),
        "no link to a trash that is not hers"
    );
    let (vc, _, vcsrf) = signed_in(&s, "vic", "vic password 1").await;
    let item = format!("f:{plan}");
    let to = post_form(
        &s,
        &vc,
        "/trash/undo",
        &[("csrf", &vcsrf), ("back", &team), ("item", &item)],
    )
    .await;
    assert!(to.contains("error=not-found"), "{to}");
    let to = post_form(
        &s,
        &vc,
        &format!("/trash/{plan}/restore"),
        &[("csrf", &vcsrf)],
    )
    .await;
    assert!(to.contains("error=not-found"), "{to}");
    let owners = page(&s, &oc, "/trash").await;
    assert!(owners.contains("plan.txt"), "in the owner's trash");
    assert!(owners.contains(" by User eve"), "{owners}");
    assert!(!page(&s, &vc, "/trash").await.contains("plan.txt"));
    assert!(
        !page(&s, &oc, "/trash").await.contains("brief.txt"),
        "undone"
    );

    // Eve still can, right after (the window itself is `may_undo`'s unit test).
    let ec = web_client(&s, "eve", "eve password 1").await;
    let ecsrf = form_value(&page(&s, &ec, &format!("/folders/{team}")).await, "csrf");
    let to = post_form(
        &s,
        &ec,
        "/trash/undo",
        &[("csrf", &ecsrf), ("back", &team), ("item", &item)],
    )
    .await;
    assert!(to.contains("notice=undone"), "{to}");
    assert!(!page(&s, &oc, "/trash").await.contains("plan.txt"));
    b.close().await;
    Ok(())
}
