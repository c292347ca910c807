//! The account page (issue 13), in Chromium: reached from the navigation; changing the password
//! needs the current one, then the old password stops working, the new one works, this browser
//! stays signed in and every other session is signed out; "Sign out other sessions" ends another
//! client's session; a connected app (an OAuth grant of Office mobile) is listed and revoked.

use fantoccini::Locator;
use serde_json::Value;

use crate::browser::Browser;
use crate::support::*;

const OLD: &str = "pam password 1";
const NEW: &str = "pam new password 2";

/// Whether a cookie-holding client is still signed in (its home page is not the sign-in page).
async fn signed_in(s: &TestServer, c: &reqwest::Client) -> bool {
    let r = c
        .get(format!("{}/account", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    r.status() == 200
}

/// Accepts the `data-confirm` question the page asks.
async fn accept_confirm(b: &Browser) {
    b.until("the confirmation", || async move {
        b.client.accept_alert().await.map_err(|e| e.to_string())
    })
    .await;
}

#[tokio::test]
async fn the_account_page_changes_the_password_and_signs_out_other_sessions() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("pam", OLD);
    let other = web_client(&s, "pam", OLD).await;
    assert!(signed_in(&s, &other).await);

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("pam", OLD).await;
    b.wait_url(|u| u.contains("/folders/")).await;
    b.click(Locator::Css("#nav-account")).await;
    b.wait_url(|u| u.ends_with("/account")).await;
    let sessions = b
        .wait_js(
            "two sessions",
            "return document.querySelectorAll('#account-sessions tbody tr').length",
            |v| v == 2,
        )
        .await;
    assert_eq!(sessions, 2);
    let table = b
        .wait_text("#account-sessions", |t| t.contains("This browser"))
        .await;
    assert_eq!(table.matches("This browser").count(), 1, "{table}");
    b.screenshot("account").await;

    // Sign out the other session: the other client is signed out, this browser is not.
    b.click(Locator::Css("#sign-out-others")).await;
    accept_confirm(&b).await;
    b.wait_text("#notice", |t| t.contains("other sessions were signed out"))
        .await;
    b.find(Locator::Css("#no-other-sessions")).await;
    assert!(
        !signed_in(&s, &other).await,
        "the other client was signed out"
    );

    // A wrong current password changes nothing.
    let other = web_client(&s, "pam", OLD).await;
    b.fill("#current-password", "not my password").await;
    b.fill("#new-password", NEW).await;
    b.fill("#new-password-again", NEW).await;
    b.click(Locator::Css("#change-password")).await;
    b.wait_text("#error", |t| t.contains("current password is wrong"))
        .await;
    assert!(signed_in(&s, &other).await);
    // The two new passwords must agree, and follow the policy.
    b.fill("#current-password", OLD).await;
    b.fill("#new-password", NEW).await;
    b.fill("#new-password-again", "something else 3").await;
    b.click(Locator::Css("#change-password")).await;
    b.wait_text("#error", |t| t.contains("differ")).await;

    b.fill("#current-password", OLD).await;
    b.fill("#new-password", NEW).await;
    b.fill("#new-password-again", NEW).await;
    b.click(Locator::Css("#change-password")).await;
    b.wait_text("#notice", |t| t.contains("Password changed"))
        .await;
    // This browser stays signed in (a new session); the other client is signed out.
    c.refresh().await?;
    b.wait_text("#account-login", |t| t == "pam").await;
    assert!(
        !signed_in(&s, &other).await,
        "other sessions end with the change"
    );
    // The old password no longer signs in; the new one does.
    let probe = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    assert_eq!(sign_in(&s, &probe, "pam", OLD).await.status(), 401);
    assert_eq!(sign_in(&s, &probe, "pam", NEW).await.status(), 303);
    b.close().await;
    assert!(
        !s.server_log().contains(NEW) && !s.server_log().contains(OLD),
        "no password in the log"
    );
    Ok(())
}

/// Authorizes Office (an OAuth client) as `web`'s user and exchanges the code; returns the
/// access token.
async fn connect_office(s: &TestServer, web: &reqwest::Client) -> String {
    let out = s.cli_ok(&[
        "oauth-clients",
        "add",
        "Office",
        "--redirect-uri",
        "https://localhost",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out}: {e}"));
    let (id, secret) = (
        v["client_id"].as_str().unwrap_or_default().to_owned(),
        v["client_secret"].as_str().unwrap_or_default().to_owned(),
    );
    let html = web
        .get(format!(
            "{}/oauth2/authorize?client_id={id}&response_type=code",
            s.url
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let mut form: Vec<(String, String)> = ["csrf", "client_id", "redirect_uri", "response_type"]
        .iter()
        .filter(|n| html.contains(&format!("name=\"{n}\"")))
        .map(|n| (n.to_string(), form_value(&html, n)))
        .collect();
    form.push(("decision".into(), "allow".into()));
    let r = web
        .post(format!("{}/oauth2/authorize", s.url))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let loc = header(&r, "location").unwrap_or_default().to_owned();
    let code = loc
        .split_once("code=")
        .map(|(_, c)| c.split('&').next().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("a code: {loc}"));
    let t: Value = client()
        .post(format!("{}/oauth2/token", s.url))
        .basic_auth(&id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    t["access_token"].as_str().unwrap_or_default().to_owned()
}

async fn bootstrap_status(s: &TestServer, token: &str) -> u16 {
    client()
        .get(format!("{}/wopibootstrapper", s.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .status()
        .as_u16()
}

#[tokio::test]
async fn connected_apps_are_listed_and_revoked_on_the_account_page() -> TestResult {
    let s = TestServer::start_with_config(Some("[mobile]\nprovider_id = \"TP_FOLIO\"\n"));
    s.add_user_with_password("pam", OLD);
    let web = web_client(&s, "pam", OLD).await;
    let access = connect_office(&s, &web).await;
    assert_eq!(bootstrap_status(&s, &access).await, 200, "the app works");

    let b = Browser::start().await;
    b.client.goto(&format!("{}/", s.url)).await?;
    b.sign_in("pam", OLD).await;
    b.wait_url(|u| u.contains("/folders/")).await;
    b.click(Locator::Css("#nav-account")).await;
    b.wait_text("#account-apps", |t| t.contains("Office")).await;
    b.click(Locator::Css("#account-apps button.revoke")).await;
    b.wait_text("#notice", |t| t.contains("disconnected")).await;
    b.wait_text("#account-apps", |t| t.contains("No connected apps."))
        .await;
    b.close().await;
    assert_eq!(
        bootstrap_status(&s, &access).await,
        401,
        "signed out at once"
    );
    Ok(())
}
