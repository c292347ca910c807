//! Issue 13's sharing flows in real headless Chromium: the share dialog (the people picker
//! operated with the keyboard, changing a role, removing access), the owner's "Shared" marks,
//! "Shared with me" browsed like a folder, and public links — a view link opening the editor
//! for a signed-out browser, a save through an edit link becoming a version attributed to the
//! link, revoked and expired links refused (a revoked link's open editor too), a password
//! link that asks first and rejects a wrong password, and the sweep's purge of old revoked
//! links, after which their URL, pass cookie and guest editor stay refused.

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::browser::Browser;
use crate::support::*;

/// Adds a user with a display name and a password.
fn add_person(s: &TestServer, login: &str, name: &str, password: &str) {
    let out = s.cli_stdin(
        &["users", "add", login, "--name", name, "--password-stdin"],
        &format!("{password}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The CSRF token of a signed-in page.
async fn csrf_of(s: &TestServer, c: &reqwest::Client, path: &str) -> String {
    let html = c
        .get(format!("{}{path}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .text()
        .await
        .unwrap_or_default();
    form_value(&html, "csrf")
}

/// Makes a public link through the share dialog's form (as the page does without script) and
/// returns its URL, read from the page that shows it once.
async fn make_link(
    s: &TestServer,
    c: &reqwest::Client,
    file: &str,
    fields: &[(&str, &str)],
) -> String {
    let csrf = csrf_of(s, c, &format!("/files/{file}/share")).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = c
        .post(format!("{}/files/{file}/links", s.url))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create link: {e}"));
    assert_eq!(r.status(), 200, "the dialog with the new link");
    let html = r.text().await.unwrap_or_default();
    let url = html
        .split_once("id=\"link-url\" value=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.replace("&#x2f;", "/").replace("&#47;", "/"))
        .unwrap_or_else(|| panic!("no link in {html}"));
    assert!(url.starts_with(&format!("{}/s/", s.url)), "{url}");
    url
}

/// Revokes every live link of a file through the dialog's forms.
async fn revoke_links(s: &TestServer, c: &reqwest::Client, file: &str) {
    let html = c
        .get(format!("{}/files/{file}/share", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let csrf = form_value(&html, "csrf");
    for part in html.split("data-link=\"").skip(1) {
        let id = part.split('"').next().unwrap_or_default();
        let r = c
            .post(format!("{}/files/{file}/links/{id}/revoke", s.url))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap_or_else(|e| panic!("revoke: {e}"));
        assert_eq!(r.status(), 303);
    }
}

#[tokio::test]
async fn the_share_dialog_finds_people_by_name_changes_roles_and_removes_access() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    add_person(&s, "owen", "Owen Marsh", "owen password 1");
    add_person(&s, "rl", "Rae Lindqvist", "rae password 1");
    add_person(&s, "sam", "Sam Okafor", "sam password 1");
    let id = s.put_file("owen", "plan.txt", b"the plan");
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/files/{id}/share", s.url)).await?;
    b.sign_in("owen", "owen password 1").await;
    b.wait_url(|u| u.ends_with(&format!("/files/{id}/share")))
        .await;
    b.wait_text("#people", |t| t.contains("Only you have access"))
        .await;

    // The picker: part of a surname, then the keyboard only.
    let input = b.find(Locator::Css("#share-login")).await;
    input.send_keys("lindq").await?;
    b.wait_js(
        "the picker to suggest Rae",
        "var o = document.querySelectorAll('#share-options [role=option]'); \
         return !document.getElementById('share-options').hidden && o.length === 1 \
           && document.getElementById('share-login').getAttribute('aria-expanded') === 'true' \
           ? o[0].textContent : ''",
        |v| v.as_str().is_some_and(|t| t.contains("Rae Lindqvist")),
    )
    .await;
    input.send_keys(&Key::Down).await?;
    b.wait_js(
        "the first suggestion to be the active one",
        "var i = document.getElementById('share-login'); \
         var a = i.getAttribute('aria-activedescendant'); \
         return a && document.getElementById(a).getAttribute('aria-selected') === 'true'",
        |v| v == &serde_json::json!(true),
    )
    .await;
    input.send_keys(&Key::Enter).await?;
    b.wait_value("#share-login", |v| v == "Rae Lindqvist").await;
    let chosen = b
        .wait_js(
            "the picker to hold Rae's id",
            "return document.getElementById('share-user').value",
            |v| v.as_str().is_some_and(|t| !t.is_empty()),
        )
        .await;
    b.find(Locator::Css("#share-role"))
        .await
        .select_by_value("editor")
        .await?;
    // Enter again submits the form (the list is closed).
    input.send_keys(&Key::Enter).await?;
    b.wait_text("#notice", |t| t == "Shared.").await;
    let row = format!(
        "#people tr[data-user='{}']",
        chosen.as_str().unwrap_or_default()
    );
    b.wait_text(&row, |t| t.contains("Rae Lindqvist") && t.contains("rl"))
        .await;
    b.wait_value(&format!("{row} select"), |v| v == "editor")
        .await;
    b.screenshot("share-dialog").await;

    // Changing the role: chosen from the list, sent at once (the Change button is hidden).
    b.find(Locator::Css(&format!("{row} select")))
        .await
        .select_by_value("viewer")
        .await?;
    b.wait_text("#notice", |t| t == "Permission changed.").await;
    b.wait_value(&format!("{row} select"), |v| v == "viewer")
        .await;

    // The owner's folder marks the file as shared.
    b.click(Locator::Css("#share-back")).await;
    b.wait_text("#listing", |t| t.contains("plan.txt")).await;
    let mark = b
        .wait_text(&format!("tr[data-id='{id}'] .badge.shared"), |t| {
            !t.is_empty()
        })
        .await;
    assert_eq!(mark, "Shared");

    // Removing access: Rae's token from before stops working at her next CheckFileInfo.
    let rae = web_client(&s, "rl", "rae password 1").await;
    let host = rae
        .get(format!("{}/open/{id}?action=view", s.url))
        .send()
        .await?
        .text()
        .await?;
    let token = form_value(&host, "access_token");
    assert!(!token.is_empty(), "{host}");
    let wopi_src = format!("{}/wopi/files/{id}", s.url);
    let check = |token: String| {
        let wopi_src = wopi_src.clone();
        let url = s.url.clone();
        async move {
            client()
                .post(format!("{url}/dev-editor/api/open"))
                .json(&serde_json::json!({"wopisrc": wopi_src, "access_token": token, "mode": "view"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    assert_eq!(check(token.clone()).await, 200, "Rae can read it");
    c.goto(&format!("{}/files/{id}/share", s.url)).await?;
    b.click_in(&row, Locator::Css("button.remove")).await;
    b.wait_text("#notice", |t| t == "Access removed.").await;
    b.wait_text("#people", |t| t.contains("Only you have access"))
        .await;
    assert_ne!(
        check(token).await,
        200,
        "a removed person's next CheckFileInfo is refused"
    );
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn shared_with_me_opens_shared_folders_like_folders() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    add_person(&s, "owen", "Owen Marsh", "owen password 1");
    add_person(&s, "rl", "Rae Lindqvist", "rae password 1");
    let owner = web_client(&s, "owen", "owen password 1").await;
    let home = header(&owner.get(format!("{}/", s.url)).send().await?, "location")
        .unwrap_or_default()
        .trim_start_matches("/folders/")
        .to_owned();
    let csrf = csrf_of(&s, &owner, &format!("/folders/{home}")).await;
    let r = owner
        .post(format!("{}/folders/{home}/new-folder", s.url))
        .form(&[("csrf", csrf.as_str()), ("name", "Team")])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let listing = owner
        .get(format!("{}/folders/{home}", s.url))
        .send()
        .await?
        .text()
        .await?;
    let team = listing
        .split("class=\"folder-row\" data-id=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let r = owner
        .post(format!("{}/folders/{team}/upload?name=brief.txt", s.url))
        .header("X-CSRF-Token", &csrf)
        .header("Accept", "application/json")
        .body("the brief")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let r = owner
        .post(format!("{}/folders/{team}/share", s.url))
        .form(&[("csrf", csrf.as_str()), ("login", "rl"), ("role", "editor")])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let listing = owner
        .get(format!("{}/folders/{home}", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        listing.contains("badge shared"),
        "the folder is marked shared"
    );

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/shared", s.url)).await?;
    b.sign_in("rl", "rae password 1").await;
    b.wait_url(|u| u.ends_with("/shared")).await;
    b.wait_text("#shared", |t| {
        t.contains("Team") && t.contains("Owen Marsh")
    })
    .await;
    b.click(Locator::LinkText("Team")).await;
    b.wait_url(|u| u.ends_with(&format!("/folders/{team}")))
        .await;
    b.wait_text("h1", |t| t == "Team").await;
    b.click(Locator::LinkText("brief.txt")).await;
    b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(
        b.wait_value("#doc-text", |v| !v.is_empty()).await,
        "the brief"
    );
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn public_links_open_the_editor_signed_out_and_saves_are_versions_of_the_link() -> TestResult
{
    let s = TestServer::start_with(None, &["--dev-editor"]);
    add_person(&s, "owen", "Owen Marsh", "owen password 1");
    let id = s.put_file("owen", "notes.txt", b"hello");
    let b = Browser::start().await;
    let c = &b.client;

    // The owner makes both links in the dialog.
    c.goto(&format!("{}/files/{id}/share", s.url)).await?;
    b.sign_in("owen", "owen password 1").await;
    b.wait_url(|u| u.ends_with("/share")).await;
    b.fill("#link-name", "Review").await;
    b.click(Locator::Css("#link-btn")).await;
    let view = b.wait_value("#link-url", |v| v.contains("/s/")).await;
    b.wait_text("#links", |t| t.contains("Review") && t.contains("Can view"))
        .await;
    b.fill("#link-name", "Agency").await;
    b.find(Locator::Css("#link-access"))
        .await
        .select_by_value("edit")
        .await?;
    b.click(Locator::Css("#link-btn")).await;
    let edit = b
        .wait_value("#link-url", |v| v.contains("/s/") && v != view)
        .await;
    b.wait_text("#links", |t| t.contains("Agency") && t.contains("Can edit"))
        .await;
    b.screenshot("share-dialog-links").await;

    // A signed-out browser: the view link reaches the editor, read-only.
    c.delete_all_cookies().await?;
    c.goto(&view).await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(b.wait_value("#doc-text", |v| !v.is_empty()).await, "hello");
    b.wait_js(
        "the view link's text to be read-only",
        "return document.getElementById('doc-text').readOnly",
        |v| v == &serde_json::json!(true),
    )
    .await;
    c.enter_parent_frame().await?;

    // The edit link: the guest edits and saves.
    c.goto(&edit).await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    b.fill("#doc-text", "hello from a guest").await;
    b.click(Locator::Css("#save-btn")).await;
    b.wait_text("#status", |t| t.contains("Saved version 2"))
        .await;
    b.click(Locator::Css("#close-btn")).await;
    b.wait_url(|u| u.ends_with("/s/closed")).await;
    let _ = c.enter_parent_frame().await;
    b.wait_text("h1", |t| t == "The document is closed").await;

    // The owner sees the guest's save as a version by the link.
    c.goto(&format!("{}/files/{id}/versions", s.url)).await?;
    b.sign_in("owen", "owen password 1").await;
    let table = b
        .wait_text("table.files", |t| t.contains("2 (current)"))
        .await;
    assert!(table.contains("Guest (Agency)"), "{table}");
    b.screenshot("versions-guest").await;
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn revoked_and_expired_links_are_refused() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    add_person(&s, "owen", "Owen Marsh", "owen password 1");
    let id = s.put_file("owen", "notes.txt", b"hello");
    let owner = web_client(&s, "owen", "owen password 1").await;
    let edit = make_link(&s, &owner, &id, &[("name", "Agency"), ("access", "edit")]).await;

    // A guest has the editor open when the owner revokes the link: the next save is refused,
    // and the link no longer opens.
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&edit).await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    revoke_links(&s, &owner, &id).await;
    b.fill("#doc-text", "too late").await;
    b.click(Locator::Css("#save-btn")).await;
    let status = b
        .wait_text("#status", |t| t.contains("failed") || t.contains("Saved"))
        .await;
    assert!(status.contains("failed"), "{status}");
    let _ = c.enter_parent_frame().await;
    c.goto(&edit).await?;
    b.wait_text("h1", |t| t == "This link no longer works")
        .await;

    // A link that expires in ten seconds opens now, and is refused once the time has passed.
    let expires =
        chrono_free_utc(std::time::SystemTime::now() + std::time::Duration::from_secs(10));
    let short = make_link(
        &s,
        &owner,
        &id,
        &[
            ("name", "Short"),
            ("expires", expires.as_str()),
            ("tz", "0"),
        ],
    )
    .await;
    let status = client().get(&short).send().await?.status();
    assert_eq!(status, 200, "open before its expiry");
    let gone = TestServer::eventually(|| {
        let short = short.clone();
        async move {
            client()
                .get(&short)
                .send()
                .await
                .is_ok_and(|r| r.status() == 404)
        }
    })
    .await;
    assert!(gone, "the link expired");
    c.goto(&short).await?;
    b.wait_text("h1", |t| t == "This link no longer works")
        .await;
    b.close().await;
    // The page never learns the link's secret from anything but its own URL.
    assert!(
        !s.server_log()
            .contains(short.rsplit('/').next().unwrap_or("?"))
    );
    Ok(())
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC.
fn chrono_free_utc(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[tokio::test]
async fn a_password_link_asks_for_its_password_and_rejects_a_wrong_one() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    add_person(&s, "owen", "Owen Marsh", "owen password 1");
    let id = s.put_file("owen", "notes.txt", b"hello");
    let owner = web_client(&s, "owen", "owen password 1").await;
    let url = make_link(
        &s,
        &owner,
        &id,
        &[("name", "Locked"), ("password", "open sesame")],
    )
    .await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&url).await?;
    b.wait_text("h1", |t| t == "This link needs a password")
        .await;
    b.fill("#link-pass", "not the password").await;
    b.click(Locator::Css("#link-pass-btn")).await;
    b.wait_text("#error", |t| t == "Wrong password.").await;
    b.screenshot("link-password-wrong").await;
    b.fill("#link-pass", "open sesame").await;
    b.click(Locator::Css("#link-pass-btn")).await;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(b.wait_value("#doc-text", |v| !v.is_empty()).await, "hello");
    b.close().await;
    assert!(
        !s.server_log().contains("open sesame"),
        "the password is never logged"
    );
    Ok(())
}

#[tokio::test]
async fn the_sweep_purges_old_revoked_links_and_they_stay_refused() -> TestResult {
    let s = TestServer::start_with(Some("link_retention_days = 1\n"), &["--dev-editor"]);
    add_person(&s, "owen", "Owen Marsh", "owen password 1");
    let id = s.put_file("owen", "notes.txt", b"hello");
    let owner = web_client(&s, "owen", "owen password 1").await;
    let edit = make_link(
        &s,
        &owner,
        &id,
        &[
            ("name", "Agency"),
            ("access", "edit"),
            ("password", "open sesame"),
        ],
    )
    .await;

    // A guest gives the password (a pass cookie), saves a version and keeps the editor open.
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&edit).await?;
    b.wait_text("h1", |t| t == "This link needs a password")
        .await;
    b.fill("#link-pass", "open sesame").await;
    b.click(Locator::Css("#link-pass-btn")).await;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    b.fill("#doc-text", "hello from a guest").await;
    b.click(Locator::Css("#save-btn")).await;
    b.wait_text("#status", |t| t.contains("Saved version 2"))
        .await;
    revoke_links(&s, &owner, &id).await;
    let view = make_link(&s, &owner, &id, &[("name", "Kept")]).await;

    let sweep = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["sweep", "--grace", "0"];
        args.extend_from_slice(extra);
        serde_json::from_str(&s.cli_ok(&args)).unwrap_or_else(|e| panic!("sweep JSON: {e}"))
    };
    let r = sweep(&[]);
    assert_eq!(r["purged_links"], 0, "within the retention: {r}");
    // Two days on (the sweep's clock is moved, no waiting): the revoked link goes, the live
    // one stays.
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64
        + 2 * 86_400_000;
    let r = sweep(&["--now-ms", &later.to_string()]);
    assert_eq!(r["purged_links"], 1, "{r}");
    let r = sweep(&["--now-ms", &later.to_string()]);
    assert_eq!(r["purged_links"], 0, "nothing left to purge: {r}");

    // The guest's open editor is refused, and so is the link with its pass cookie.
    b.fill("#doc-text", "after the purge").await;
    b.click(Locator::Css("#save-btn")).await;
    let status = b
        .wait_text("#status", |t| {
            t.contains("failed") || t.contains("Saved version 3")
        })
        .await;
    assert!(status.contains("failed"), "{status}");
    let _ = c.enter_parent_frame().await;
    c.goto(&edit).await?;
    b.wait_text("h1", |t| t == "This link no longer works")
        .await;
    assert_eq!(client().get(&edit).send().await?.status(), 404);
    assert_eq!(client().get(&view).send().await?.status(), 200, "kept");

    // The guest's version stays in the history.
    c.goto(&format!("{}/files/{id}/versions", s.url)).await?;
    b.sign_in("owen", "owen password 1").await;
    let table = b
        .wait_text("table.files", |t| t.contains("2 (current)"))
        .await;
    assert!(table.contains("Guest ("), "{table}");
    b.close().await;
    Ok(())
}
