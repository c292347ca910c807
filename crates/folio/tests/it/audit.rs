//! The audit trail and the admin view of now, black-box: sign-ins, an editor launch, GetFile,
//! PutFile, RenameFile, a share, an administrator's action and DeleteFile all leave rows that
//! `GET /api/v1/audit` finds by user, file, action and time, page by page; no secret is ever
//! in a row. The admin page shows who holds a lock and for how long and who is editing now;
//! its force-release makes the editor's next PutFile, Unlock and RefreshLock with the old
//! lock fail with a reason that says an administrator released it.

use crate::support::*;

const ROOT_PW: &str = "root password 1";
const ANN_PW: &str = "ann password 1";
const BOB_PW: &str = "bob password 1";

/// A server with the development editor (proof keys off, so the test's own WOPI calls need no
/// signature) and three users; returns the users' ids.
fn server() -> (TestServer, String, String, String) {
    let s = TestServer::start_with(None, &["--dev-editor", "--no-proof-keys"]);
    let add = |login: &str, pw: &str, admin: bool| {
        let mut args = vec!["users", "add", login, "--name", login, "--password-stdin"];
        if admin {
            args.push("--admin");
        }
        let out = s.cli_stdin(&args, &format!("{pw}\n"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let root = add("root", ROOT_PW, true);
    let ann = add("ann", ANN_PW, false);
    let bob = add("bob", BOB_PW, false);
    (s, root, ann, bob)
}

fn api_key(s: &TestServer, scopes: &[&str]) -> String {
    let mut args = vec!["api-keys", "create", "auditor"];
    for sc in scopes {
        args.push("--scope");
        args.push(sc);
    }
    let out = s.cli_ok(&args);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    v["key"].as_str().unwrap_or_default().to_owned()
}

async fn audit(s: &TestServer, key: &str, query: &str) -> (u16, serde_json::Value) {
    let r = client()
        .get(format!("{}/api/v1/audit?{query}", s.url))
        .bearer_auth(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("audit: {e}"));
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

fn actions(v: &serde_json::Value) -> Vec<String> {
    v["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn event<'a>(v: &'a serde_json::Value, action: &str) -> &'a serde_json::Value {
    v["events"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["action"] == action))
        .unwrap_or_else(|| panic!("no {action} in {v}"))
}

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET: {e}"));
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// Opens the host page (once the development editor's discovery is loaded, in the background
/// at start-up) and returns the token it minted for the editor.
async fn open_in_editor(s: &TestServer, c: &reqwest::Client, id: &str) -> Minted {
    let url = format!("{}/open/{id}?action=edit", s.url);
    let html = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let opened = TestServer::eventually(|| {
        let c = c.clone();
        let url = url.clone();
        let html = html.clone();
        async move {
            let (status, body) = page(&c, url).await;
            if let Ok(mut h) = html.lock() {
                *h = body;
            }
            status == 200
        }
    })
    .await;
    assert!(opened, "the host page opens");
    let html = html.lock().map(|h| h.clone()).unwrap_or_default();
    let token = form_value(&html, "access_token");
    assert!(
        !token.is_empty(),
        "the host page carries the editor's token"
    );
    Minted {
        wopi_src: format!("{}/wopi/files/{id}", s.url),
        token,
        ttl: 0,
    }
}

#[tokio::test]
async fn every_access_and_change_is_on_the_trail_and_the_api_filters_it() -> TestResult {
    let (s, _root_id, ann_id, bob_id) = server();
    let key = api_key(&s, &["admin"]);
    let files_key = api_key(&s, &["files"]);
    let started = chrono_now_ms();

    // Sign-ins: ann's succeeds, a wrong password for bob is refused.
    let ann = web_client(&s, "ann", ANN_PW).await;
    let browser = reqwest::Client::builder()
        .user_agent(format!("AuditTest/1.0 {}", "x".repeat(300)))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let refused = sign_in(&s, &browser, "bob", "not bob's password").await;
    assert_ne!(refused.status(), 303);

    // ann opens her file in the editor (a token minted for it), then the editor reads,
    // locks, saves and renames it.
    let id = s.put_file("ann", "report.docx", b"first");
    let t = open_in_editor(&s, &ann, &id).await;
    let c = client();
    assert_eq!(c.get(t.contents_url()).send().await?.status(), 200);
    let r = c
        .post(t.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "L1")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let r = c
        .post(t.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "L1")
        .body("second")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let r = c
        .post(t.file_url())
        .header("X-WOPI-Override", "RENAME_FILE")
        .header("X-WOPI-Lock", "L1")
        .header("X-WOPI-RequestedName", "final")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let r = c
        .post(t.file_url())
        .header("X-WOPI-Override", "UNLOCK")
        .header("X-WOPI-Lock", "L1")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    // The editor saves a copy next to it (PutRelativeFile): a new file, created by ann
    // through the editor.
    let r = c
        .post(t.file_url())
        .header("X-WOPI-Override", "PUT_RELATIVE")
        .header("X-WOPI-SuggestedTarget", ".pdf")
        .header("X-WOPI-Size", "4")
        .body("copy")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    let copy_id = v["Url"]
        .as_str()
        .and_then(|u| u.split("/wopi/files/").nth(1))
        .and_then(|r| r.split('?').next())
        .unwrap_or_default()
        .to_owned();
    assert!(!copy_id.is_empty(), "{v}");
    // ann uploads a file from the web page.
    let loc = ann
        .get(format!("{}/", s.url))
        .send()
        .await?
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (_, home) = page(&ann, format!("{}{loc}", s.url)).await;
    let r = ann
        .post(format!("{}{loc}/upload?name=notes.txt", s.url))
        .header("X-CSRF-Token", form_value(&home, "csrf"))
        .body("notes")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let uploaded: serde_json::Value = r.json().await?;
    let upload_id = uploaded["id"].as_str().unwrap_or_default().to_owned();

    // ann shares it with bob from the web page.
    let (_, share_page) = page(&ann, format!("{}/files/{id}/share", s.url)).await;
    let csrf = form_value(&share_page, "csrf");
    let r = ann
        .post(format!("{}/files/{id}/share", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "bob"),
            ("role", "editor"),
        ])
        .send()
        .await?;
    assert_eq!(r.status(), 303);

    // An administrator's action: root disables bob.
    let root = web_client(&s, "root", ROOT_PW).await;
    let (_, admin_page) = page(&root, format!("{}/admin", s.url)).await;
    let root_csrf = form_value(&admin_page, "csrf");
    let r = root
        .post(format!("{}/admin/users/{bob_id}/disable", s.url))
        .form(&[("csrf", root_csrf.as_str())])
        .send()
        .await?;
    assert_eq!(r.status(), 303);

    // The editor deletes the file.
    let r = c
        .post(t.file_url())
        .header("X-WOPI-Override", "DELETE")
        .send()
        .await?;
    assert_eq!(r.status(), 200);

    // The file's trail, newest first.
    let (status, by_file) = audit(&s, &key, &format!("file={id}")).await;
    assert_eq!(status, 200, "{by_file}");
    assert_eq!(
        actions(&by_file),
        vec![
            "file.delete",
            "file.share",
            "file.rename",
            "file.save",
            "file.download",
            "file.open",
            "file.create"
        ]
    );
    // Created on the command line (`folio files put`), by its owner.
    let e = event(&by_file, "file.create");
    assert_eq!(
        (e["via"].as_str(), e["user"]["login"].as_str()),
        (Some("cli"), Some("ann")),
        "{e}"
    );
    // The copy the editor made, and the web upload.
    let (_, copy) = audit(&s, &key, &format!("file={copy_id}")).await;
    assert_eq!(actions(&copy), vec!["file.create"], "{copy}");
    let e = event(&copy, "file.create");
    assert_eq!(
        (
            e["via"].as_str(),
            e["via_id"].as_str(),
            e["user"]["login"].as_str(),
            e["file"]["name"].as_str()
        ),
        (Some("editor"), Some("dev"), Some("ann"), Some("final.pdf")),
        "{e}"
    );
    let (_, up) = audit(&s, &key, &format!("file={upload_id}")).await;
    let e = event(&up, "file.create");
    assert_eq!(
        (
            e["via"].as_str(),
            e["user"]["login"].as_str(),
            e["ip"].as_str()
        ),
        (Some("web"), Some("ann"), Some("127.0.0.1")),
        "{e}"
    );
    let open = event(&by_file, "file.open");
    assert_eq!(open["user"]["id"], ann_id.as_str());
    assert_eq!(open["via"], "web");
    assert!(
        open["detail"].as_str().unwrap_or("").contains("dev"),
        "the editor is named: {open}"
    );
    assert_eq!(open["ip"], "127.0.0.1");
    for a in ["file.download", "file.save", "file.rename", "file.delete"] {
        let e = event(&by_file, a);
        assert_eq!(
            (
                e["via"].as_str(),
                e["via_id"].as_str(),
                e["user"]["login"].as_str()
            ),
            (Some("editor"), Some("dev"), Some("ann")),
            "{e}"
        );
    }
    assert_eq!(event(&by_file, "file.rename")["file"]["name"], "final.docx");
    assert_eq!(event(&by_file, "file.rename")["detail"], "from report.docx");
    assert_eq!(event(&by_file, "file.save")["detail"], "version 2");
    assert!(
        event(&by_file, "file.share")["detail"]
            .as_str()
            .unwrap_or("")
            .contains("bob")
    );

    // By user and action family: sign-ins (with where from), and the refused one by login.
    let (_, signins) = audit(&s, &key, "user=ann&action=auth.").await;
    assert_eq!(actions(&signins), vec!["auth.sign_in"]);
    let e = event(&signins, "auth.sign_in");
    assert_eq!(
        (e["ip"].as_str(), e["via"].as_str()),
        (Some("127.0.0.1"), Some("web"))
    );
    let (_, failed) = audit(&s, &key, "action=auth.sign_in_failed").await;
    let e = event(&failed, "auth.sign_in_failed");
    assert_eq!(
        (e["user"]["id"].is_null(), e["user"]["login"].as_str()),
        (true, Some("bob"))
    );
    // The user agent, truncated.
    let ua = e["user_agent"].as_str().unwrap_or("");
    assert!(
        ua.starts_with("AuditTest/1.0 xxx") && ua.len() == 200,
        "{ua}"
    );

    // The administrator's action, by the administrator's login.
    let (_, admin) = audit(&s, &key, "user=root&action=admin.").await;
    let e = event(&admin, "admin.user_disable");
    assert_eq!(e["detail"], "user bob");
    assert_eq!(e["via"], "web");
    // API keys created on the command line, named by id only.
    let (_, keys) = audit(&s, &key, "action=admin.api_key_create").await;
    assert_eq!(actions(&keys).len(), 2);
    assert_eq!(event(&keys, "admin.api_key_create")["via"], "cli");

    // Time range: nothing before the test started, everything since.
    let (_, none) = audit(&s, &key, &format!("file={id}&until={started}")).await;
    assert!(actions(&none).is_empty(), "{none}");
    let (_, since) = audit(&s, &key, &format!("file={id}&since={started}")).await;
    assert_eq!(actions(&since).len(), 7);
    let (status, _) = audit(&s, &key, "since=yesterday").await;
    assert_eq!(status, 400);
    let (status, _) = audit(&s, &key, "cursor=not-a-cursor").await;
    assert_eq!(status, 400);
    let (status, _) = audit(&s, &key, "colour=blue").await;
    assert_eq!(status, 400, "unknown parameters are refused");

    // Pages of two, followed by cursor, give the same rows in the same order.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let (status, p) = audit(&s, &key, &format!("file={id}&limit=2&cursor={cursor}")).await;
        assert_eq!(status, 200);
        paged.extend(actions(&p));
        match p["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(paged, actions(&by_file));

    // Administrators only.
    let (status, _) = audit(&s, &files_key, "").await;
    assert_eq!(status, 403);

    // No secret anywhere in the trail: tokens, API keys, passwords.
    let (_, all) = audit(&s, &key, "limit=500").await;
    let text = all.to_string();
    assert!(actions(&all).len() >= 10, "{text}");
    for secret in [
        t.token.as_str(),
        key.as_str(),
        files_key.as_str(),
        ROOT_PW,
        ANN_PW,
        BOB_PW,
        "not bob's password",
    ] {
        assert!(!text.contains(secret), "a secret is in the audit trail");
    }
    Ok(())
}

/// Milliseconds since the epoch, now.
fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[tokio::test]
async fn the_admin_page_shows_who_edits_and_a_forced_release_is_explained() -> TestResult {
    let (s, _root_id, _ann_id, _bob_id) = server();
    let key = api_key(&s, &["admin"]);
    let id = s.put_file("ann", "held.docx", b"held");
    let ann = web_client(&s, "ann", ANN_PW).await;
    let t = open_in_editor(&s, &ann, &id).await;
    let c = client();
    let r = c
        .post(t.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "HELD")
        .send()
        .await?;
    assert_eq!(r.status(), 200);

    // The admin page: the lock with its holder and age, and ann editing now.
    let root = web_client(&s, "root", ROOT_PW).await;
    let (status, html) = page(&root, format!("{}/admin", s.url)).await;
    assert_eq!(status, 200);
    let locks = html
        .split_once("id=\"locks\"")
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(t, _)| t.to_owned())
        .unwrap_or_default();
    assert!(
        locks.contains("held.docx") && locks.contains("HELD") && locks.contains("ann (ann)"),
        "lock with holder: {locks}"
    );
    assert!(
        locks.contains(" s</td>") || locks.contains(" min</td>"),
        "lock age: {locks}"
    );
    let sessions = html
        .split_once("id=\"sessions\"")
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(t, _)| t.to_owned())
        .unwrap_or_default();
    assert!(
        sessions.contains("held.docx")
            && sessions.contains("<td>ann</td>")
            && sessions.contains("<td>dev</td>"),
        "ann is editing now: {sessions}"
    );
    assert!(sessions.contains(" ago</td>"), "last activity: {sessions}");

    // Force release from the admin page.
    let csrf = form_value(&html, "csrf");
    let r = root
        .post(format!("{}/admin/locks/{id}/release", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert!(header(&r, "location").unwrap_or("").contains("notice="));

    // The editor's next save, unlock and refresh with the old lock learn what happened.
    let put = c
        .post(t.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "HELD")
        .body("lost edit")
        .send()
        .await?;
    assert_eq!(put.status(), 409);
    assert_eq!(header(&put, "x-wopi-lock"), Some(""));
    let reason = header(&put, "x-wopi-lockfailurereason")
        .unwrap_or("")
        .to_owned();
    assert!(
        reason.starts_with("lock released by an administrator at 20"),
        "{reason}"
    );
    for op in ["UNLOCK", "REFRESH_LOCK"] {
        let r = c
            .post(t.file_url())
            .header("X-WOPI-Override", op)
            .header("X-WOPI-Lock", "HELD")
            .send()
            .await?;
        assert_eq!(r.status(), 409, "{op}");
        assert_eq!(
            header(&r, "x-wopi-lockfailurereason"),
            Some(reason.as_str()),
            "{op}"
        );
    }
    // Another lock id gets the ordinary answer; the content did not change.
    let other = c
        .post(t.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "OTHER")
        .body("x")
        .send()
        .await?;
    assert_eq!(other.status(), 409);
    assert!(
        !header(&other, "x-wopi-lockfailurereason")
            .unwrap_or("")
            .contains("administrator")
    );
    assert_eq!(c.get(t.contents_url()).send().await?.text().await?, "held");

    // The release is on the trail, by root, with the lock id.
    let (_, v) = audit(&s, &key, &format!("file={id}&action=admin.lock_release")).await;
    let e = event(&v, "admin.lock_release");
    assert_eq!(
        (
            e["user"]["login"].as_str(),
            e["detail"].as_str(),
            e["via"].as_str()
        ),
        (Some("root"), Some("lock HELD"), Some("web"))
    );

    // Taking a new lock forgets the release: the editor can carry on.
    let r = c
        .post(t.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "HELD")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let r = c
        .post(t.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "HELD")
        .body("saved again")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    Ok(())
}
