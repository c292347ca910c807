//! Office mobile against the real binary: the bootstrapper (`/wopibootstrapper`) and Folio's
//! OAuth 2.0 authorization server (`/oauth2/authorize`, `/oauth2/token`).
//!
//! `office_mobile_simulator` plays the whole sequence of spec/mobile-oauth.md §1 — the sign-in
//! and consent in headless Chromium, the code exchange and refresh with the `oauth2` crate (an
//! independent client, as Microsoft's Identity Service would be), the WOPI calls over HTTP — and
//! the hostile tests check each refusal's status. Every test finally greps the server log for
//! the secrets and tokens it handled.

use std::io::{Read, Write};

use fantoccini::Locator;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, RedirectUrl,
    RefreshToken, Scope, TokenResponse, TokenUrl,
};
use serde_json::Value;

use crate::browser::Browser;
use crate::support::*;

const PASSWORD: &str = "correct horse battery";
const CONFIG: &str = "[mobile]\nprovider_id = \"TP_FOLIO\"\n";

/// The `oauth2` crate's HTTP client: one reqwest request (no redirects).
async fn o2_http(req: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = req.into_parts();
    let r = client()
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut out = http::Response::new(Vec::new());
    *out.status_mut() = r.status();
    *out.headers_mut() = r.headers().clone();
    *out.body_mut() = r.bytes().await?.to_vec();
    Ok(out)
}

/// A local redirect target that answers 200 to anything (the browser stops there).
fn callback_server() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = l.local_addr().map(|a| a.port()).unwrap_or_default();
    std::thread::spawn(move || {
        for mut c in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = c.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            );
        }
    });
    format!("http://127.0.0.1:{port}/callback")
}

/// A server with the mobile settings, a user with a password and a file, and a registered
/// client; returns (server, client_id, client_secret).
fn setup(redirects: &[&str]) -> (TestServer, String, String) {
    let s = TestServer::start_with_config(Some(CONFIG));
    s.add_user_with_password("mia", PASSWORD);
    let mut args = vec!["oauth-clients", "add", "Office"];
    for r in redirects {
        args.push("--redirect-uri");
        args.push(r);
    }
    let out = s.cli_ok(&args);
    let v: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("client JSON {out:?}: {e}"));
    assert_eq!(
        v.as_object().map(|o| o.len()),
        Some(2),
        "exactly client_id and client_secret: {v}"
    );
    let id = v["client_id"].as_str().unwrap_or_default().to_owned();
    let secret = v["client_secret"].as_str().unwrap_or_default().to_owned();
    assert!(!id.is_empty() && !secret.is_empty());
    (s, id, secret)
}

fn bootstrapper(s: &TestServer) -> String {
    format!("{}/wopibootstrapper", s.url)
}

/// The strict grammar of spec/mobile-oauth.md §3.1:
/// `^Bearer (?:[A-Za-z_]+="[^"]*")(?:,[A-Za-z_]+="[^"]*")*$`; returns the (name, value) pairs.
fn strict_challenge(h: &str) -> Option<Vec<(String, String)>> {
    let mut rest = h.strip_prefix("Bearer ")?;
    let mut out = Vec::new();
    loop {
        let eq = rest.find("=\"")?;
        let name = &rest[..eq];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
            return None;
        }
        let after = &rest[eq + 2..];
        let close = after.find('"')?;
        out.push((name.to_owned(), after[..close].to_owned()));
        rest = &after[close + 1..];
        if rest.is_empty() {
            return Some(out);
        }
        rest = rest.strip_prefix(',')?;
    }
}

/// Asserts a 401 with exactly one Bearer challenge naming Folio's two endpoints and providerId.
fn assert_challenge(s: &TestServer, r: &reqwest::Response, what: &str) {
    assert_eq!(r.status(), 401, "{what}");
    let all: Vec<&str> = r
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let bearer: Vec<&&str> = all.iter().filter(|v| v.starts_with("Bearer")).collect();
    assert_eq!(bearer.len(), 1, "{what}: one Bearer challenge in {all:?}");
    let pairs = strict_challenge(bearer[0]).unwrap_or_else(|| panic!("{what}: {all:?}"));
    let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["authorization_uri", "tokenIssuance_uri", "providerId"],
        "{what}"
    );
    assert_eq!(pairs[0].1, format!("{}/oauth2/authorize", s.url));
    assert_eq!(pairs[1].1, format!("{}/oauth2/token", s.url));
    assert_eq!(pairs[2].1, "TP_FOLIO");
}

async fn bootstrap(s: &TestServer, auth: Option<&str>) -> reqwest::Response {
    let mut r = client().get(bootstrapper(s));
    if let Some(a) = auth {
        r = r.header("Authorization", a);
    }
    r.send().await.unwrap_or_else(|e| panic!("bootstrap: {e}"))
}

async fn shortcut(s: &TestServer, token: &str, op: &str, src: Option<&str>) -> reqwest::Response {
    let mut r = client()
        .post(bootstrapper(s))
        .header("Authorization", format!("Bearer {token}"))
        .header("X-WOPI-EcosystemOperation", op);
    if let Some(src) = src {
        r = r.header("X-WOPI-WopiSrc", src);
    }
    r.send().await.unwrap_or_else(|e| panic!("{op}: {e}"))
}

async fn json(r: reqwest::Response, what: &str) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"))
}

/// `url` (`…?access_token=t`) with `suffix` added to its path.
fn sub(url: &str, suffix: &str) -> String {
    match url.split_once('?') {
        Some((path, q)) => format!("{path}{suffix}?{q}"),
        None => format!("{url}{suffix}"),
    }
}

async fn wopi_post(
    url: &str,
    op: &str,
    lock: Option<&str>,
    body: &'static [u8],
) -> reqwest::Response {
    let mut r = client().post(url).header("X-WOPI-Override", op).body(body);
    if let Some(l) = lock {
        r = r.header("X-WOPI-Lock", l);
    }
    r.send().await.unwrap_or_else(|e| panic!("{op}: {e}"))
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| {
            v.replace("%2D", "-")
                .replace("%5F", "_")
                .replace("%7E", "~")
        })
    })
}

fn assert_log_clean(s: &TestServer, secrets: &[&str]) {
    let log = s.server_log();
    assert!(!log.is_empty(), "the server log was captured");
    for secret in secrets.iter().filter(|t| t.len() >= 16) {
        assert!(
            !log.contains(secret),
            "a secret or token reached the log: {secret}"
        );
    }
}

#[tokio::test]
async fn office_mobile_simulator() {
    let cb = callback_server();
    let (s, client_id, secret) = setup(&["https://localhost", &cb]);
    let file_id = s.put_file("mia", "report.docx", b"first");

    // 1. Bootstrap without a token: 401 with the challenge.
    let r = bootstrap(&s, None).await;
    assert_challenge(&s, &r, "Bootstrap without a token");

    // 2. The authorize URL in a web view: Folio's sign-in page, then consent, then the code.
    let o2 = BasicClient::new(ClientId::new(client_id.clone()))
        .set_client_secret(ClientSecret::new(secret.clone()))
        .set_auth_uri(
            AuthUrl::new(format!("{}/oauth2/authorize", s.url)).unwrap_or_else(|e| panic!("{e}")),
        )
        .set_token_uri(
            TokenUrl::new(format!("{}/oauth2/token", s.url)).unwrap_or_else(|e| panic!("{e}")),
        )
        .set_redirect_uri(RedirectUrl::new(cb.clone()).unwrap_or_else(|e| panic!("{e}")));
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state) = o2
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("wopi".into()))
        .set_pkce_challenge(challenge)
        .url();
    // Office's own extra parameters, capitalised as apptoapp writes them.
    let auth_url = format!("{auth_url}&rs=en-US&Build=16.0.1234&Platform=iOS");
    let b = Browser::start().await;
    b.client
        .goto(&auth_url)
        .await
        .unwrap_or_else(|e| panic!("goto: {e}"));
    b.wait_url(|u| u.contains("/login")).await;
    b.sign_in("mia", PASSWORD).await;
    b.wait_text("h1", |t| t.contains("Allow Office")).await;
    b.click(Locator::Css("#allow")).await;
    let landed = b.wait_url(|u| u.starts_with(&cb)).await;
    let code = query_param(&landed, "code").unwrap_or_else(|| panic!("no code in {landed}"));
    assert_eq!(
        query_param(&landed, "state").as_deref(),
        Some(state.secret().as_str())
    );

    // 3-4. The code exchanged with the secret by HTTP Basic (the oauth2 crate's default).
    let tokens = o2
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&o2_http)
        .await
        .unwrap_or_else(|e| panic!("code exchange: {e:?}"));
    let access = tokens.access_token().secret().clone();
    let refresh = tokens
        .refresh_token()
        .map(|r| r.secret().clone())
        .unwrap_or_else(|| panic!("a refresh token"));
    assert!(tokens.expires_in().is_some_and(|d| d.as_secs() > 0));

    // 5. Bootstrap with the bearer token (both header forms).
    let r = bootstrap(&s, Some(&format!("Bearer {access}"))).await;
    assert_eq!(r.headers()["content-type"], "application/json");
    let boot = json(r, "Bootstrap").await;
    let again = json(
        bootstrap(&s, Some(&format!("Bearer: {access}"))).await,
        "Bearer:",
    )
    .await;
    assert_eq!(again["Bootstrap"]["UserId"], boot["Bootstrap"]["UserId"]);
    assert_eq!(boot["Bootstrap"]["SignInName"], "mia");
    assert_eq!(boot["Bootstrap"]["UserFriendlyName"], "User mia");
    let eco = boot["Bootstrap"]["EcosystemUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        eco.starts_with(&format!("{}/wopi/ecosystem?access_token=", s.url)),
        "{eco}"
    );
    let check_eco = json(
        client()
            .get(&eco)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        "CheckEcosystem",
    )
    .await;
    assert_eq!(check_eco["SupportsContainers"], true);

    // 7-9. GetRootContainer → EnumerateChildren → CheckFileInfo → GetLock → Lock → GetFile →
    // PutFile → Unlock.
    let root = json(
        shortcut(&s, &access, "GET_ROOT_CONTAINER", None).await,
        "GET_ROOT_CONTAINER",
    )
    .await;
    assert_eq!(root["Bootstrap"]["UserId"], boot["Bootstrap"]["UserId"]);
    let root_url = root["RootContainerInfo"]["ContainerPointer"]["Url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let children = json(
        client()
            .get(sub(&root_url, "/children"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        "EnumerateChildren",
    )
    .await;
    let file_url = children["ChildFiles"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["Name"] == "report.docx"))
        .and_then(|f| f["Url"].as_str())
        .unwrap_or_else(|| panic!("report.docx in {children}"))
        .to_owned();
    let info = json(
        client()
            .get(&file_url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        "CheckFileInfo",
    )
    .await;
    assert_eq!(
        info["UserId"], boot["Bootstrap"]["UserId"],
        "UserId equals CheckFileInfo's"
    );
    assert_eq!(
        info["UserFriendlyName"],
        boot["Bootstrap"]["UserFriendlyName"]
    );
    let r = wopi_post(&file_url, "GET_LOCK", None, b"").await;
    assert_eq!(
        (r.status().as_u16(), header(&r, "x-wopi-lock")),
        (200, Some(""))
    );
    assert_eq!(
        wopi_post(&file_url, "LOCK", Some("L-mobile"), b"")
            .await
            .status(),
        200
    );
    let got = client()
        .get(sub(&file_url, "/contents"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.bytes().await.unwrap_or_default().as_ref(), b"first");
    let put = wopi_post(
        &sub(&file_url, "/contents"),
        "PUT",
        Some("L-mobile"),
        b"second",
    )
    .await;
    assert_eq!(put.status(), 200);
    assert_eq!(
        wopi_post(&file_url, "UNLOCK", Some("L-mobile"), b"")
            .await
            .status(),
        200
    );

    // 10. GET_NEW_ACCESS_TOKEN for an expired WOPI token.
    let short = s.token("mia", &file_id, &["--ttl", "1"]);
    wait_for("the one-second WOPI token to expire", || async {
        let r = client()
            .get(short.file_url())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status() == 401 {
            Ok(())
        } else {
            Err(r.status().to_string())
        }
    })
    .await;
    let before = now_ms();
    let fresh = json(
        shortcut(&s, &access, "GET_NEW_ACCESS_TOKEN", Some(&short.wopi_src)).await,
        "GET_NEW_ACCESS_TOKEN",
    )
    .await;
    let new_token = fresh["AccessTokenInfo"]["AccessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let expiry = fresh["AccessTokenInfo"]["AccessTokenExpiry"]
        .as_i64()
        .unwrap_or_default();
    assert!(
        expiry > before && expiry <= now_ms() + 10 * 3600 * 1000,
        "AccessTokenExpiry is in milliseconds: {expiry}"
    );
    let r = client()
        .get(format!("{}?access_token={new_token}", short.wopi_src))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 200, "the new token opens the file");

    // 11. Refresh (old refresh token refused afterwards — checked below, after revocation).
    let refreshed = o2
        .exchange_refresh_token(&RefreshToken::new(refresh.clone()))
        .request_async(&o2_http)
        .await
        .unwrap_or_else(|e| panic!("refresh: {e:?}"));
    let access2 = refreshed.access_token().secret().clone();
    let refresh2 = refreshed
        .refresh_token()
        .map(|r| r.secret().clone())
        .unwrap_or_default();
    assert_ne!(access2, access);
    assert_eq!(
        bootstrap(&s, Some(&format!("Bearer {access}")))
            .await
            .status(),
        401,
        "the old access token ends"
    );
    assert_eq!(
        bootstrap(&s, Some(&format!("Bearer {access2}")))
            .await
            .status(),
        200
    );

    // Revocation from the web UI → Bootstrap 401.
    b.client
        .goto(&format!("{}/connected-apps", s.url))
        .await
        .unwrap_or_else(|e| panic!("goto: {e}"));
    b.wait_text("#connected-apps", |t| t.contains("Office"))
        .await;
    b.click(Locator::Css("#connected-apps button.revoke")).await;
    b.wait_text("#notice", |t| t.contains("disconnected")).await;
    b.close().await;
    let r = bootstrap(&s, Some(&format!("Bearer {access2}"))).await;
    assert_challenge(&s, &r, "Bootstrap after revocation");
    for old in [&refresh, &refresh2] {
        let e = o2
            .exchange_refresh_token(&RefreshToken::new(old.clone()))
            .request_async(&o2_http)
            .await;
        assert!(e.is_err(), "a used or revoked refresh token is refused");
    }
    assert_log_clean(
        &s,
        &[
            &secret, &code, &access, &access2, &refresh, &refresh2, &new_token,
        ],
    );
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Authorizes over plain HTTP as a signed-in browser would (GET the consent page, POST Allow);
/// returns the `Location` of the answer.
async fn authorize_http(s: &TestServer, web: &reqwest::Client, query: &str) -> String {
    let page = web
        .get(format!("{}/oauth2/authorize?{query}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("authorize: {e}"));
    assert_eq!(page.status(), 200, "the consent page");
    let html = page.text().await.unwrap_or_default();
    let mut form: Vec<(String, String)> = [
        "csrf",
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
    ]
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
        .unwrap_or_else(|e| panic!("consent: {e}"));
    assert_eq!(r.status(), 302, "consent answers a redirect");
    header(&r, "location").unwrap_or_default().to_owned()
}

async fn token_request(
    s: &TestServer,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut r = client().post(format!("{}/oauth2/token", s.url)).form(form);
    if let Some((id, secret)) = basic {
        r = r.basic_auth(id, Some(secret));
    }
    r.send().await.unwrap_or_else(|e| panic!("token: {e}"))
}

async fn oauth_error(r: reqwest::Response) -> (u16, String, Option<String>) {
    let status = r.status().as_u16();
    assert_eq!(header(&r, "cache-control"), Some("no-store"));
    let www = header(&r, "www-authenticate").map(str::to_owned);
    let v: Value = r.json().await.unwrap_or_default();
    (
        status,
        v["error"].as_str().unwrap_or_default().to_owned(),
        www,
    )
}

#[tokio::test]
async fn hostile_oauth_and_bootstrapper_requests() {
    let (s, id, secret) = setup(&["https://localhost"]);
    s.add_user_with_password("otto", PASSWORD);
    let ottos = s.put_file("otto", "private.docx", b"x");
    let mias = s.put_file("mia", "mine.docx", b"y");
    let web = web_client(&s, "mia", PASSWORD).await;
    let q =
        format!("client_id={id}&redirect_uri=https%3A%2F%2Flocalhost&response_type=code&state=s1");

    // Unknown client and unregistered redirect URI: an error page, never a redirect.
    for bad in [
        "client_id=nobody&redirect_uri=https%3A%2F%2Flocalhost&response_type=code".to_owned(),
        format!("client_id={id}&redirect_uri=https%3A%2F%2Fevil.example&response_type=code"),
        format!("client_id={id}&redirect_uri=https%3A%2F%2Flocalhost%2F&response_type=code"),
    ] {
        let r = web
            .get(format!("{}/oauth2/authorize?{bad}", s.url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), 400, "{bad}");
        assert!(header(&r, "location").is_none(), "{bad}");
    }
    // A bad response_type goes back with the error and state.
    let r = web
        .get(format!("{}/oauth2/authorize?client_id={id}&redirect_uri=https%3A%2F%2Flocalhost&response_type=token&state=", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 302);
    assert_eq!(
        header(&r, "location"),
        Some("https://localhost?error=unsupported_response_type&state=")
    );

    // Deny → access_denied with state.
    let page = web
        .get(format!("{}/oauth2/authorize?{q}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = form_value(&page.text().await.unwrap_or_default(), "csrf");
    let r = web
        .post(format!("{}/oauth2/authorize", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("client_id", &id),
            ("redirect_uri", "https://localhost"),
            ("response_type", "code"),
            ("state", "s1"),
            ("decision", "deny"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header(&r, "location"),
        Some("https://localhost?error=access_denied&state=s1")
    );
    // Consent without the CSRF token is refused.
    let r = web
        .post(format!("{}/oauth2/authorize", s.url))
        .form(&[
            ("client_id", id.as_str()),
            ("redirect_uri", "https://localhost"),
            ("response_type", "code"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 403);

    // A code exchanged in the form body (client_id + client_secret).
    let loc = authorize_http(&s, &web, &q).await;
    let code = query_param(&loc, "code").unwrap_or_else(|| panic!("{loc}"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("s1"));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://localhost"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let r = token_request(&s, None, &form).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "cache-control"), Some("no-store"));
    assert_eq!(header(&r, "pragma"), Some("no-cache"));
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    let t: Value = r.json().await.unwrap_or_default();
    assert_eq!(t["token_type"], "bearer");
    assert!(t["expires_in"].is_u64(), "expires_in is a number: {t}");
    let access = t["access_token"].as_str().unwrap_or_default().to_owned();
    let refresh = t["refresh_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        bootstrap(&s, Some(&format!("Bearer {access}")))
            .await
            .status(),
        200
    );

    // Reused code: invalid_grant, and what it issued is revoked.
    assert_eq!(
        oauth_error(token_request(&s, None, &form).await).await.1,
        "invalid_grant"
    );
    let r = bootstrap(&s, Some(&format!("Bearer {access}"))).await;
    assert_challenge(&s, &r, "the access token of a reused code");

    // Wrong redirect URI at the token endpoint; wrong and missing secrets.
    let loc = authorize_http(&s, &web, &q).await;
    let code2 = query_param(&loc, "code").unwrap_or_default();
    let (st, err, _) = oauth_error(
        token_request(
            &s,
            Some((&id, &secret)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code2),
                ("redirect_uri", "https://localhost/other"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, err.as_str()),
        (400, "invalid_grant"),
        "wrong redirect_uri"
    );
    let loc = authorize_http(&s, &web, &q).await;
    let code3 = query_param(&loc, "code").unwrap_or_default();
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code3.as_str()),
        ("redirect_uri", "https://localhost"),
    ];
    let (st, err, www) =
        oauth_error(token_request(&s, Some((&id, "wrong-secret")), &exchange).await).await;
    assert_eq!(
        (st, err.as_str(), www.as_deref()),
        (401, "invalid_client", Some("Basic realm=\"folio\""))
    );
    let (st, err, _) = oauth_error(token_request(&s, None, &exchange).await).await;
    assert_eq!(
        (st, err.as_str()),
        (401, "invalid_client"),
        "no client authentication"
    );
    let (st, err, _) = oauth_error(
        token_request(
            &s,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code3),
                ("client_id", &id),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        (st, err.as_str()),
        (401, "invalid_client"),
        "client_id without a secret"
    );
    let (st, err, _) =
        oauth_error(token_request(&s, Some((&id, &secret)), &[("grant_type", "password")]).await)
            .await;
    assert_eq!((st, err.as_str()), (400, "unsupported_grant_type"));
    let (st, err, _) =
        oauth_error(token_request(&s, Some((&id, &secret)), &[("code", "x")]).await).await;
    assert_eq!((st, err.as_str()), (400, "invalid_request"));
    // The code survived the failed client authentications and is still good once.
    let r = token_request(&s, Some((&id, &secret)), &exchange).await;
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap_or_default();
    let access3 = t["access_token"].as_str().unwrap_or_default().to_owned();
    let refresh3 = t["refresh_token"].as_str().unwrap_or_default().to_owned();

    // Refresh rotation: the used refresh token is refused, and its reuse ends the grant.
    let r = token_request(
        &s,
        Some((&id, &secret)),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh3),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap_or_default();
    let access4 = t["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        bootstrap(&s, Some(&format!("Bearer {access4}")))
            .await
            .status(),
        200
    );
    let (st, err, _) = oauth_error(
        token_request(
            &s,
            Some((&id, &secret)),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh3),
            ],
        )
        .await,
    )
    .await;
    assert_eq!((st, err.as_str()), (400, "invalid_grant"));
    assert_eq!(
        bootstrap(&s, Some(&format!("Bearer {access4}")))
            .await
            .status(),
        401,
        "reuse revoked the grant"
    );
    let _ = refresh;

    // WOPI token as OAuth token, and the reverse.
    let loc = authorize_http(&s, &web, &q).await;
    let code5 = query_param(&loc, "code").unwrap_or_default();
    let t: Value = token_request(
        &s,
        Some((&id, &secret)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code5),
            ("redirect_uri", "https://localhost"),
        ],
    )
    .await
    .json()
    .await
    .unwrap_or_default();
    let access5 = t["access_token"].as_str().unwrap_or_default().to_owned();
    let wopi = s.token("mia", &mias, &[]);
    let r = bootstrap(&s, Some(&format!("Bearer {}", wopi.token))).await;
    assert_challenge(&s, &r, "a WOPI token presented as OAuth token");
    for garbage in ["Bearer", "Bearer ", "Bearer garbage", "Basic abc"] {
        let r = bootstrap(&s, Some(garbage)).await;
        assert_challenge(&s, &r, garbage);
    }
    let r = client()
        .get(format!("{}?access_token={access5}", wopi.wopi_src))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 401, "an OAuth token presented as WOPI token");
    let r = client()
        .get(&wopi.wopi_src)
        .header("Authorization", format!("Bearer {access5}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 401, "an OAuth token as WOPI bearer");

    // GET_NEW_ACCESS_TOKEN: foreign, malformed and other users' WopiSrcs are 404.
    let own = format!("{}/wopi/files/{mias}", s.url);
    let port = s.url.rsplit(':').next().unwrap_or_default();
    for (src, status) in [
        (Some(own.clone()), 200),
        (None, 404),
        (Some(String::new()), 404),
        (Some(format!("https://evil.example/wopi/files/{mias}")), 404),
        (
            Some(format!("http://localhost:{port}/wopi/files/{mias}")),
            404,
        ),
        (Some(format!("{}/wopi/files/{mias}/contents", s.url)), 404),
        (Some(format!("{}/wopi/files/{ottos}", s.url)), 404),
        (
            Some(format!("{}/wopi/files/AAAAAAAAAAAAAAAAAAAAAA", s.url)),
            404,
        ),
        (Some(format!("/wopi/files/{mias}")), 404),
    ] {
        let r = shortcut(&s, &access5, "GET_NEW_ACCESS_TOKEN", src.as_deref()).await;
        assert_eq!(r.status(), status, "{src:?}");
    }
    // An unknown shortcut answers like Bootstrap.
    let v = json(
        shortcut(&s, &access5, "SOMETHING_NEW", None).await,
        "unknown shortcut",
    )
    .await;
    assert_eq!(v["Bootstrap"]["SignInName"], "mia");
    assert!(v.get("AccessTokenInfo").is_none());

    // Changing the password ends the grants.
    let out = s.cli_stdin(
        &["users", "set-password", "mia", "--password-stdin"],
        "another password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        bootstrap(&s, Some(&format!("Bearer {access5}")))
            .await
            .status(),
        401
    );

    assert_log_clean(
        &s,
        &[
            &secret,
            &code,
            &code2,
            &code3,
            &code5,
            &access,
            &access3,
            &access4,
            &access5,
            &refresh3,
            &wopi.token,
        ],
    );
}

#[tokio::test]
async fn disabling_a_user_ends_their_oauth_grants_and_the_admin_sees_them() {
    let (s, id, secret) = setup(&["https://localhost"]);
    let web = web_client(&s, "mia", PASSWORD).await;
    let q = format!("client_id={id}&response_type=code");
    let loc = authorize_http(&s, &web, &q).await;
    assert!(
        loc.starts_with("https://localhost?code="),
        "the only registered URI: {loc}"
    );
    assert!(
        query_param(&loc, "state").is_none(),
        "no state sent, none echoed"
    );
    let code = query_param(&loc, "code").unwrap_or_default();
    let t: Value = token_request(
        &s,
        Some((&id, &secret)),
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await
    .json()
    .await
    .unwrap_or_default();
    let access = t["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        bootstrap(&s, Some(&format!("Bearer {access}")))
            .await
            .status(),
        200
    );
    // The user's page lists it.
    let page = web
        .get(format!("{}/connected-apps", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(page.text().await.unwrap_or_default().contains("Office"));
    // The grant is on the audit trail: who, through which OAuth client; never the code.
    let key: Value =
        serde_json::from_str(&s.cli_ok(&["api-keys", "create", "auditor", "--scope", "admin"]))
            .unwrap_or_default();
    let trail: Value = client()
        .get(format!(
            "{}/api/v1/audit?action=auth.oauth_authorize",
            s.url
        ))
        .bearer_auth(key["key"].as_str().unwrap_or_default())
        .send()
        .await
        .unwrap_or_else(|e| panic!("audit: {e}"))
        .json()
        .await
        .unwrap_or_default();
    let e = &trail["events"][0];
    assert_eq!(
        (
            e["user"]["login"].as_str(),
            e["via"].as_str(),
            e["via_id"].as_str()
        ),
        (Some("mia"), Some("oauth"), Some(id.as_str())),
        "{trail}"
    );
    let text = trail.to_string();
    assert!(!text.contains(&code) && !text.contains(&access) && !text.contains(&secret));
    s.cli_ok(&["users", "disable", "mia"]);
    let r = bootstrap(&s, Some(&format!("Bearer {access}"))).await;
    assert_challenge(&s, &r, "a disabled user's token");
    assert_log_clean(&s, &[&secret, &code, &access]);
}

#[test]
fn oauth_clients_cli() {
    let s = TestServer::start();
    let out = s.cli(&["oauth-clients", "add", "Office"]);
    assert_eq!(out.status.code(), Some(2), "no --redirect-uri");
    let out = s.cli(&[
        "oauth-clients",
        "add",
        "Office",
        "--redirect-uri",
        "not a uri",
    ]);
    assert_eq!(out.status.code(), Some(2), "a bad redirect URI");
    let v: Value = serde_json::from_str(&s.cli_ok(&[
        "oauth-clients",
        "add",
        "Office",
        "--redirect-uri",
        "https://localhost",
        "--redirect-uri",
        "https://localhost/?x=1",
    ]))
    .unwrap_or_default();
    let id = v["client_id"].as_str().unwrap_or_default().to_owned();
    let listed = s.cli_ok(&["oauth-clients", "list"]);
    let row: Value = serde_json::from_str(listed.lines().next().unwrap_or("")).unwrap_or_default();
    assert_eq!(row["client_id"], id.as_str());
    assert_eq!(
        row["redirect_uris"],
        serde_json::json!(["https://localhost", "https://localhost/?x=1"])
    );
    assert!(
        !listed.contains(v["client_secret"].as_str().unwrap_or("-")),
        "never the secret"
    );
    s.cli_ok(&["oauth-clients", "remove", &id]);
    assert_eq!(
        s.cli(&["oauth-clients", "remove", &id]).status.code(),
        Some(2)
    );
    assert!(s.cli_ok(&["oauth-clients", "list"]).trim().is_empty());
}
