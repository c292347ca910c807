//! The web application over HTTP: sessions, CSRF, permissions, uploads, file operations.

use crate::support::*;

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    match c.get(url).send().await {
        Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
        Err(e) => panic!("GET: {e}"),
    }
}

fn root_of(html: &str) -> String {
    // The folder id the file browser redirected to, from a form action.
    html.split("/folders/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_default()
        .to_owned()
}

async fn home(s: &TestServer, c: &reqwest::Client) -> (String, String) {
    let r = c
        .get(format!("{}/", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let loc = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (_, html) = page(c, format!("{}{loc}", s.url)).await;
    let folder = loc.trim_start_matches("/folders/").to_owned();
    (folder, html)
}

#[tokio::test]
async fn sessions_csrf_and_rate_limits() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("wes", "wes password 1");
    // Not signed in: pages redirect to the sign-in page.
    let r = client().get(format!("{}/", s.url)).send().await?;
    assert_eq!(r.status(), 303);
    assert!(header(&r, "location").unwrap_or("").starts_with("/login"));
    let c = web_client(&s, "wes", "wes password 1").await;
    let (folder, html) = home(&s, &c).await;
    assert!(html.contains("My files"));
    let csrf = form_value(&html, "csrf");
    assert!(!csrf.is_empty());
    // A state-changing form without (or with a wrong) CSRF token is refused and changes nothing.
    for token in ["", "wrong"] {
        let r = c
            .post(format!("{}/folders/{folder}/new-folder", s.url))
            .form(&[("csrf", token), ("name", "Sneaky")])
            .send()
            .await?;
        assert_eq!(r.status(), 403, "csrf {token:?}");
    }
    let r = c
        .post(format!("{}/folders/{folder}/upload?name=x.txt", s.url))
        .body("data")
        .send()
        .await?;
    assert_eq!(r.status(), 403, "uploads need the CSRF header too");
    let (_, html) = page(&c, format!("{}/folders/{folder}", s.url)).await;
    assert!(!html.contains("Sneaky") && !html.contains("x.txt"));
    // With the token: works.
    let r = c
        .post(format!("{}/folders/{folder}/new-folder", s.url))
        .form(&[("csrf", csrf.as_str()), ("name", "Projects")])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let (_, html) = page(&c, format!("{}/folders/{folder}", s.url)).await;
    assert!(html.contains("Projects"));
    // Sign-out ends the session.
    let r = c
        .post(format!("{}/logout", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let r = c.get(format!("{}/folders/{folder}", s.url)).send().await?;
    assert_eq!(r.status(), 303, "signed out");
    // Sign-in is rate-limited per login.
    let anon = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut last = 0;
    for _ in 0..6 {
        let (_, login_page) = page(&anon, format!("{}/login", s.url)).await;
        let csrf = form_value(&login_page, "csrf");
        let r = anon
            .post(format!("{}/login", s.url))
            .form(&[
                ("login", "wes"),
                ("password", "wrong"),
                ("csrf", csrf.as_str()),
            ])
            .send()
            .await?;
        last = r.status().as_u16();
    }
    assert_eq!(last, 429, "the 6th failed sign-in is refused");
    let (_, login_page) = page(&anon, format!("{}/login", s.url)).await;
    let csrf = form_value(&login_page, "csrf");
    let r = anon
        .post(format!("{}/login", s.url))
        .form(&[
            ("login", "wes"),
            ("password", "wes password 1"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await?;
    assert_eq!(
        r.status(),
        429,
        "even the right password waits out the window"
    );
    Ok(())
}

#[tokio::test]
async fn users_only_reach_what_is_theirs_or_shared_and_viewers_cannot_save() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("amy", "amy password 1");
    s.add_user_with_password("ben", "ben password 1");
    let secret = s.put_file("amy", "secret.txt", b"amy's secret");
    let shared = s.put_file("amy", "shared.txt", b"for ben");
    let amy = web_client(&s, "amy", "amy password 1").await;
    let ben = web_client(&s, "ben", "ben password 1").await;
    let (amy_root, html) = home(&s, &amy).await;
    let amy_csrf = form_value(&html, "csrf");
    let (_, ben_html) = home(&s, &ben).await;
    let ben_csrf = form_value(&ben_html, "csrf");

    // Ben cannot list, download, open, share or see versions of Amy's unshared file: 404.
    for url in [
        format!("{}/folders/{amy_root}", s.url),
        format!("{}/files/{secret}/download", s.url),
        format!("{}/open/{secret}?action=view", s.url),
        format!("{}/files/{secret}/versions", s.url),
    ] {
        let (status, body) = page(&ben, url.clone()).await;
        assert_eq!(status, 404, "{url}");
        assert!(!body.contains("amy's secret"));
    }
    let out = s.cli(&["token", "--user", "ben", "--file", &secret]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no token for a file ben cannot see"
    );
    let r = ben
        .post(format!("{}/files/{secret}/delete", s.url))
        .form(&[("csrf", ben_csrf.as_str())])
        .send()
        .await?;
    assert!(r.status() == 303 || r.status() == 404);
    assert_eq!(
        page(&amy, format!("{}/files/{secret}/download", s.url))
            .await
            .1,
        "amy's secret",
        "nothing was deleted"
    );

    // Amy shares one file with Ben as a viewer: he sees it under Shared with me and can read it.
    let r = amy
        .post(format!("{}/files/{shared}/share", s.url))
        .form(&[
            ("csrf", amy_csrf.as_str()),
            ("login", "ben"),
            ("role", "viewer"),
        ])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    let (_, list) = page(&ben, format!("{}/shared", s.url)).await;
    assert!(
        list.contains("shared.txt") && !list.contains("secret.txt"),
        "{list}"
    );
    assert_eq!(
        page(&ben, format!("{}/files/{shared}/download", s.url))
            .await
            .1,
        "for ben"
    );
    // The file id is the same for everyone (one editing session).
    assert!(list.contains(&format!("/open/{shared}")));
    // A viewer cannot save: his token is read-only and PutFile is refused.
    let t = s.token("ben", &shared, &[]);
    let v: serde_json::Value = client().get(t.file_url()).send().await?.json().await?;
    assert_eq!(v["UserCanWrite"], false);
    assert_eq!(v["ReadOnly"], true);
    let r = client()
        .post(t.contents_url())
        .header("X-WOPI-Override", "PUT")
        .body("ben was here")
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    let r = ben
        .post(format!("{}/files/{shared}/rename", s.url))
        .form(&[("csrf", ben_csrf.as_str()), ("name", "mine.txt")])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    assert!(
        header(&r, "location").unwrap_or("").contains("error="),
        "rename refused"
    );
    assert_eq!(
        page(&amy, format!("{}/files/{shared}/download", s.url))
            .await
            .1,
        "for ben"
    );
    // As an editor he can save.
    amy.post(format!("{}/files/{shared}/share", s.url))
        .form(&[
            ("csrf", amy_csrf.as_str()),
            ("login", "ben"),
            ("role", "editor"),
        ])
        .send()
        .await?;
    let t = s.token("ben", &shared, &[]);
    let v: serde_json::Value = client().get(t.file_url()).send().await?.json().await?;
    assert_eq!(v["UserCanWrite"], true);
    Ok(())
}

#[tokio::test]
async fn uploads_stream_and_report_clear_errors_and_files_can_be_renamed_moved_deleted_restored()
-> TestResult {
    let s = TestServer::start_with_config(Some("max_file_size = 3000000\n"));
    s.add_user_with_password("cal", "cal password 1");
    let c = web_client(&s, "cal", "cal password 1").await;
    let (root, html) = home(&s, &c).await;
    let csrf = form_value(&html, "csrf");
    let up = |name: &str, body: Vec<u8>| {
        c.post(format!("{}/folders/{root}/upload?name={name}", s.url))
            .header("X-CSRF-Token", csrf.as_str())
            .body(body)
            .send()
    };
    let big: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
    let r = up("big.bin", big.clone()).await?;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(v["size"], 2_500_000);
    let r = up("big.bin", vec![1, 2, 3]).await?;
    assert_eq!(r.status(), 409);
    let v: serde_json::Value = r.json().await?;
    assert!(
        v["error"].as_str().unwrap_or("").contains("already exists"),
        "{v}"
    );
    let r = up("too-big.bin", vec![0; 3_000_001]).await?;
    assert_eq!(r.status(), 413);
    let r = up("bad%2Fname", vec![1]).await?;
    assert_eq!(r.status(), 400);
    assert_eq!(count_files(&s.data.join("tmp")), 0);
    // Download gives the same bytes.
    let got = c
        .get(format!("{}/files/{id}/download", s.url))
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(got.as_ref(), big.as_slice());

    // Rename, move into a new folder, restore a version, delete.
    let r = c
        .post(format!("{}/files/{id}/rename", s.url))
        .form(&[("csrf", csrf.as_str()), ("name", "data.bin")])
        .send()
        .await?;
    assert!(header(&r, "location").unwrap_or("").contains("notice="));
    c.post(format!("{}/folders/{root}/new-folder", s.url))
        .form(&[("csrf", csrf.as_str()), ("name", "Archive")])
        .send()
        .await?;
    let (_, html) = page(&c, format!("{}/folders/{root}", s.url)).await;
    let archive = html
        .split("<tr class=\"folder-row\" data-id=\"")
        .find_map(|p| {
            p.split_once("\" data-name=\"Archive\"")
                .map(|(id, _)| id.to_owned())
        })
        .unwrap_or_default();
    assert!(!archive.is_empty(), "{html}");
    let r = c
        .post(format!("{}/files/{id}/move", s.url))
        .form(&[("csrf", csrf.as_str()), ("folder", archive.as_str())])
        .send()
        .await?;
    assert!(header(&r, "location").unwrap_or("").contains("notice="));
    let (_, html) = page(&c, format!("{}/folders/{archive}", s.url)).await;
    assert!(html.contains("data.bin"));
    // A new version via WOPI, then restore version 1.
    let t = s.token("cal", &id, &[]);
    client()
        .post(t.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "L")
        .send()
        .await?;
    client()
        .post(t.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "L")
        .body("v2")
        .send()
        .await?;
    let r = c
        .post(format!("{}/files/{id}/versions/1/restore", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert!(
        header(&r, "location").unwrap_or("").contains("error="),
        "locked files cannot be restored"
    );
    client()
        .post(t.file_url())
        .header("X-WOPI-Override", "UNLOCK")
        .header("X-WOPI-Lock", "L")
        .send()
        .await?;
    c.post(format!("{}/files/{id}/versions/1/restore", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    let (_, versions) = page(&c, format!("{}/files/{id}/versions", s.url)).await;
    assert!(
        versions.contains("3 (current)") && versions.contains("restored from version 1"),
        "{versions}"
    );
    let got = c
        .get(format!("{}/files/{id}/download", s.url))
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(got.len(), big.len());
    let got = c
        .get(format!("{}/files/{id}/download?version=2", s.url))
        .send()
        .await?
        .bytes()
        .await?;
    assert_eq!(got.as_ref(), b"v2");
    let r = c
        .post(format!("{}/files/{id}/delete", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert!(header(&r, "location").unwrap_or("").contains("notice="));
    assert_eq!(
        page(&c, format!("{}/files/{id}/download", s.url)).await.0,
        404
    );
    let _ = root_of("");
    Ok(())
}

#[tokio::test]
async fn admins_manage_users_and_release_stuck_locks_others_cannot() -> TestResult {
    let s = TestServer::start();
    let out = s.cli_stdin(
        &["users", "add", "root", "--admin", "--password-stdin"],
        "root password 1\n",
    );
    assert!(out.status.success());
    let out = s.cli_stdin(
        &["users", "add", "dee", "--password-stdin"],
        "dee password 1\n",
    );
    let dee_user_id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let id = s.put_file("dee", "stuck.docx", b"s");
    let t = s.token("dee", &id, &[]);
    client()
        .post(t.file_url())
        .header("X-WOPI-Override", "LOCK")
        .header("X-WOPI-Lock", "stuck-lock")
        .send()
        .await?;

    // Not an admin: 403.
    let dee = web_client(&s, "dee", "dee password 1").await;
    assert_eq!(page(&dee, format!("{}/admin", s.url)).await.0, 403);
    // The admin sees the lock, the editing-session-free state, and releases the lock.
    let root = web_client(&s, "root", "root password 1").await;
    let (status, html) = page(&root, format!("{}/admin", s.url)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("stuck.docx") && html.contains("stuck-lock"),
        "lock listed"
    );
    let csrf = form_value(&html, "csrf");
    let r = root
        .post(format!("{}/admin/locks/{id}/release", s.url))
        .form(&[("csrf", "")])
        .send()
        .await?;
    assert_eq!(r.status(), 403, "CSRF checked on admin forms too");
    let r = root
        .post(format!("{}/admin/locks/{id}/release", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert!(header(&r, "location").unwrap_or("").contains("notice="));
    let r = client()
        .post(t.file_url())
        .header("X-WOPI-Override", "GET_LOCK")
        .send()
        .await?;
    assert_eq!(header(&r, "x-wopi-lock"), Some(""), "the lock is gone");
    // Disable a user: their session ends and they cannot sign in; re-enable; reset password.
    let dee_id = dee_user_id;
    assert!(!dee_id.is_empty(), "users add prints the new user's id");
    let r = root
        .post(format!("{}/admin/users/{dee_id}/disable", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert!(header(&r, "location").unwrap_or("").contains("notice="));
    assert_eq!(
        dee.get(format!("{}/", s.url)).send().await?.status(),
        303,
        "disabled: signed out"
    );
    assert_eq!(
        client().get(t.file_url()).send().await?.status(),
        401,
        "disabled: tokens refused"
    );
    root.post(format!("{}/admin/users/{dee_id}/enable", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    root.post(format!("{}/admin/users/{dee_id}/password", s.url))
        .form(&[("csrf", csrf.as_str()), ("password", "dee new password")])
        .send()
        .await?;
    let again = web_client(&s, "dee", "dee new password").await;
    assert_eq!(page(&again, format!("{}/shared", s.url)).await.0, 200);
    Ok(())
}
