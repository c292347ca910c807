//! Accounts (issue 12, bugs 1, 5 and 9): disabling is final and signs in like a wrong password,
//! the `folio users` subcommands, external logins that cannot collide with local ones, and
//! sign-in throttling per (source, login) with an administrator's unlock.

use std::net::{IpAddr, Ipv4Addr};

use crate::support::*;

/// A cookie-keeping client whose connections come from `source` (a loopback address).
fn client_from(source: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(source))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// One sign-in attempt: (status, whether a session cookie was set, body).
async fn try_sign_in(
    s: &TestServer,
    c: &reqwest::Client,
    login: &str,
    password: &str,
) -> (u16, bool, String) {
    let r = sign_in(s, c, login, password).await;
    let status = r.status().as_u16();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("folio_session=") && !v.starts_with("folio_session=;"));
    let body = r.text().await.unwrap_or_default();
    (status, session, body)
}

/// The sign-in page with its per-request CSRF value removed (to compare two answers).
fn without_csrf(html: &str) -> String {
    let csrf = form_value(html, "csrf");
    if csrf.is_empty() {
        html.to_owned()
    } else {
        html.replace(&csrf, "")
    }
}

#[tokio::test]
async fn disabled_user_signs_in_like_a_wrong_password_and_disabling_is_final() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("ada", "ada password 1");
    let file_id = s.put_file("ada", "a.docx", b"hello");
    let t = s.token("ada", &file_id, &[]);
    let web = web_client(&s, "ada", "ada password 1").await;
    assert_eq!(
        web.get(format!("{}/shared", s.url)).send().await?.status(),
        200
    );

    s.cli_ok(&["users", "disable", "ada"]);
    assert_eq!(
        web.get(format!("{}/shared", s.url)).send().await?.status(),
        303,
        "the sign-in session ended"
    );
    assert_eq!(client().get(t.file_url()).send().await?.status(), 401);

    // The right password answers exactly like a wrong one: no session, same status and page.
    let right = try_sign_in(
        &s,
        &client_from(Ipv4Addr::LOCALHOST),
        "ada",
        "ada password 1",
    )
    .await;
    let wrong = try_sign_in(
        &s,
        &client_from(Ipv4Addr::LOCALHOST),
        "ada",
        "not it at all",
    )
    .await;
    assert_eq!(right.0, 401, "{}", right.2);
    assert!(!right.1, "no session cookie for a disabled account");
    assert_eq!(right.0, wrong.0);
    assert_eq!(without_csrf(&right.2), without_csrf(&wrong.2));

    // `folio token` refuses a disabled user (usage/refusal exit code 2).
    let out = s.cli(&["token", "--user", "ada", "--file", &file_id]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("disabled"));

    // Re-enabling revives nothing issued before the disable.
    s.cli_ok(&["users", "enable", "ada"]);
    assert_eq!(
        client().get(t.file_url()).send().await?.status(),
        401,
        "a token issued before the disable stays dead"
    );
    assert_eq!(
        web.get(format!("{}/shared", s.url)).send().await?.status(),
        303,
        "so does the old session"
    );
    let again = try_sign_in(
        &s,
        &client_from(Ipv4Addr::LOCALHOST),
        "ada",
        "ada password 1",
    )
    .await;
    assert_eq!(again.0, 303, "re-enabled: signs in again");
    assert!(again.1);
    let fresh = s.token("ada", &file_id, &[]);
    assert_eq!(client().get(fresh.file_url()).send().await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn users_cli_lists_sets_passwords_and_refuses_bad_input() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("bea", "bea password 1");
    let list = s.cli_ok(&["users", "list"]);
    let users: Vec<serde_json::Value> = list
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert!(
        users
            .iter()
            .any(|u| u["login"] == "bea" && u["disabled"] == false && u["admin"] == false),
        "{list}"
    );

    // Bad input: exit 2, nothing written.
    for (args, input) in [
        (
            vec!["users", "set-password", "bea", "--password-stdin"],
            "short\n",
        ),
        (
            vec!["users", "set-password", "bea"],
            "long enough password\n",
        ),
        (
            vec!["users", "set-password", "nobody", "--password-stdin"],
            "long enough password\n",
        ),
    ] {
        let out = s.cli_stdin(&args, input);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
    for cmd in ["disable", "enable", "unlock"] {
        let out = s.cli(&["users", cmd, "nobody"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no such user"),
            "{cmd}: {out:?}"
        );
    }
    let c = client_from(Ipv4Addr::LOCALHOST);
    assert_eq!(try_sign_in(&s, &c, "bea", "bea password 1").await.0, 303);

    let out = s.cli_stdin(
        &["users", "set-password", "bea", "--password-stdin"],
        "bea new password\n",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(try_sign_in(&s, &c, "bea", "bea password 1").await.0, 401);
    assert_eq!(try_sign_in(&s, &c, "bea", "bea new password").await.0, 303);

    // Local logins may not use the external users' prefix.
    let out = s.cli(&["users", "add", "ext:crm-1"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    Ok(())
}

#[tokio::test]
async fn external_id_whose_login_a_local_user_holds_is_a_conflict() -> TestResult {
    let s = TestServer::start();
    s.add_user("local");
    let key = {
        let out = s.cli_ok(&["api-keys", "create", "crm"]);
        let v: serde_json::Value = serde_json::from_str(&out)?;
        v["key"].as_str().unwrap_or_default().to_owned()
    };
    // A local user that took the login before `ext:` was reserved (written directly).
    // (SQLite only: the sqlite3 shell writes it; PostgreSQL runs skip this half.)
    let db = s.data.join("folio.db");
    if s.backend_env().is_empty() {
        assert!(db.exists(), "{}", db.display());
        let out = std::process::Command::new("sqlite3")
            .arg(&db)
            .arg("UPDATE users SET login = 'ext:crm-7' WHERE login = 'local'")
            .output();
        let sqlite3_present = out.as_ref().is_ok();
        if let Ok(out) = out {
            assert!(out.status.success(), "{out:?}");
        }
        if sqlite3_present {
            let r = client()
                .put(format!("{}/api/v1/users/crm-7", s.url))
                .bearer_auth(&key)
                .json(&serde_json::json!({"display_name": "Seven"}))
                .send()
                .await?;
            assert_eq!(r.status(), 409);
            let body: serde_json::Value = r.json().await?;
            assert_eq!(body["error"]["code"], "name_taken", "{body}");
            // An editing session for that external user: the same conflict, nothing created.
            let r = client()
                .post(format!("{}/api/v1/sessions", s.url))
                .bearer_auth(&key)
                .json(&serde_json::json!({
                    "file_id": "AAAAAAAAAAAAAAAAAAAAAA",
                    "permission": "edit",
                    "user": {"id": "crm-7", "display_name": "Seven"}
                }))
                .send()
                .await?;
            assert_eq!(r.status(), 409);
        }
    }
    // Any other external id maps without trouble.
    let r = client()
        .put(format!("{}/api/v1/users/crm-8", s.url))
        .bearer_auth(&key)
        .json(&serde_json::json!({"display_name": "Eight"}))
        .send()
        .await?;
    assert!(r.status().is_success(), "{}", r.status());
    Ok(())
}

#[tokio::test]
async fn sign_in_throttling_is_per_source_and_an_admin_can_unlock() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("cy", "cy password 12");
    let stranger = client_from(Ipv4Addr::new(127, 0, 0, 2));
    let owner = client_from(Ipv4Addr::LOCALHOST);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(try_sign_in(&s, &stranger, "cy", "guess").await.0);
    }
    assert_eq!(statuses[..5], [401; 5], "{statuses:?}");
    assert_eq!(statuses[5], 429, "the stranger is throttled: {statuses:?}");
    assert_eq!(
        try_sign_in(&s, &stranger, "cy", "cy password 12").await.0,
        429,
        "even with the right password, from the throttled source"
    );
    // The stranger's failures do not refuse the right password from elsewhere.
    let (status, session, _) = try_sign_in(&s, &owner, "cy", "cy password 12").await;
    assert_eq!(status, 303);
    assert!(session);
    // An administrator's unlock lifts the throttle.
    let out = s.cli_ok(&["users", "unlock", "cy"]);
    assert!(out.contains("unlocked cy"), "{out}");
    assert_eq!(
        try_sign_in(&s, &stranger, "cy", "cy password 12").await.0,
        303,
        "unlocked"
    );

    // The admin page's unlock does the same.
    let out = s.cli_stdin(
        &["users", "add", "root", "--admin", "--password-stdin"],
        "root password 1\n",
    );
    assert!(out.status.success(), "{out:?}");
    let list = s.cli_ok(&["users", "list"]);
    let cy_id = list
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|u| u["login"] == "cy")
        .and_then(|u| u["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    assert!(!cy_id.is_empty(), "{list}");
    let mut last = 0;
    for _ in 0..6 {
        last = try_sign_in(&s, &stranger, "cy", "guess").await.0;
    }
    assert_eq!(last, 429);
    let root = web_client(&s, "root", "root password 1").await;
    let html = root
        .get(format!("{}/admin", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(html.contains(&format!("/admin/users/{cy_id}/unlock")));
    let csrf = form_value(&html, "csrf");
    let r = root
        .post(format!("{}/admin/users/{cy_id}/unlock", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert!(
        header(&r, "location").unwrap_or("").contains("notice="),
        "{:?}",
        header(&r, "location")
    );
    assert_eq!(
        try_sign_in(&s, &stranger, "cy", "cy password 12").await.0,
        303,
        "unlocked from the admin page"
    );
    Ok(())
}
