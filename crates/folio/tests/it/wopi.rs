//! The WOPI files endpoints over real HTTP.

use crate::support::*;

async fn post(m: &Minted, op: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = client().post(m.file_url()).header("X-WOPI-Override", op);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap_or_else(|e| panic!("{op}: {e}"))
}

async fn put(m: &Minted, lock: Option<&str>, body: &'static [u8]) -> reqwest::Response {
    let mut req = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .body(body);
    if let Some(l) = lock {
        req = req.header("X-WOPI-Lock", l);
    }
    req.send().await.unwrap_or_else(|e| panic!("PutFile: {e}"))
}

async fn cfi(m: &Minted) -> serde_json::Value {
    let r = client()
        .get(m.file_url())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 200);
    r.json().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn check_file_info_reports_file_user_and_capabilities() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("ada", "Report.docx", b"hello");
    let r = client().get(m.file_url()).send().await?;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["BaseFileName"], "Report.docx");
    assert_eq!(v["Size"], 5);
    assert_eq!(v["Version"], "1");
    assert_eq!(v["FileExtension"], ".docx");
    assert_eq!(v["UserFriendlyName"], "User ada");
    assert_eq!(v["OwnerId"], v["UserId"]);
    // Base64 SHA-256 of "hello".
    assert_eq!(v["SHA256"], "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
    assert_eq!(v["UserCanWrite"], true);
    assert_eq!(v["SupportsLocks"], true);
    assert_eq!(v["SupportsExtendedLockLength"], true);
    assert!(v["LastModifiedTime"].as_str().unwrap_or("").ends_with('Z'));
    assert!(v["HostEditUrl"].as_str().unwrap_or("").starts_with(&s.url));
    let text = serde_json::to_string(&v)?;
    assert!(
        !text.contains("null"),
        "CheckFileInfo never sends null: {text}"
    );
    // A view token: no write rights anywhere.
    let id = m.wopi_src.rsplit('/').next().unwrap_or_default().to_owned();
    let view = s.token("ada", &id, &["--view"]);
    let v = cfi(&view).await;
    assert_eq!(v["UserCanWrite"], false);
    assert_eq!(v["UserCanNotWriteRelative"], true);
    assert_eq!(v["ReadOnly"], true);
    let r = post(&view, "LOCK", &[("X-WOPI-Lock", "L")]).await;
    assert_eq!(r.status(), 404, "a view token cannot lock");
    Ok(())
}

#[tokio::test]
async fn tokens_are_bound_to_one_file_and_checked_on_every_request() -> TestResult {
    let s = TestServer::start();
    let a = s.file_with_token("bob", "a.docx", b"A");
    let b_id = s.put_file("bob", "b.docx", b"B");
    let b = s.token("bob", &b_id, &[]);
    let c = client();
    // Token for A on file B → 401.
    let r = c
        .get(format!("{}?access_token={}", b.wopi_src, a.token))
        .send()
        .await?;
    assert_eq!(r.status(), 401);
    // Missing, malformed, unknown tokens → 401.
    for url in [
        b.wopi_src.clone(),
        format!("{}?access_token=INVALID", b.wopi_src),
        format!("{}?access_token={}", b.wopi_src, "A".repeat(32)),
    ] {
        assert_eq!(c.get(&url).send().await?.status(), 401, "{url}");
    }
    // Authorization: Bearer works as a fallback.
    let r = c.get(&b.wopi_src).bearer_auth(&b.token).send().await?;
    assert_eq!(r.status(), 200);
    // Unknown file → 404 (with a syntactically fine id).
    let r = c
        .get(format!(
            "{}/wopi/files/doesnotexist?access_token={}",
            s.url, a.token
        ))
        .send()
        .await?;
    assert!(r.status() == 401 || r.status() == 404);
    // Another user cannot mint a token for a file they cannot see.
    s.add_user("mallory");
    let out = s.cli(&["token", "--user", "mallory", "--file", &b_id]);
    assert_eq!(out.status.code(), Some(2));
    // Expired tokens are refused.
    // A token works until its `access_token_ttl` and is refused from then on. Each request is
    // judged by the clock read around it (not by a sleep of the right length), so a slow
    // machine cannot fail this; the loop ends once the expiry has passed.
    let short = s.token("bob", &b_id, &["--ttl", "5"]);
    let mut accepted_before_expiry = 0;
    loop {
        let before = now_ms();
        let status = c.get(short.file_url()).send().await?.status();
        let after = now_ms();
        if after < short.ttl {
            assert_eq!(status, 200, "a token is valid before its expiry");
            accepted_before_expiry += 1;
        } else if before >= short.ttl {
            assert_eq!(status, 401, "expired token");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        accepted_before_expiry > 0,
        "no request finished within the token's 5 s lifetime"
    );
    Ok(())
}

#[tokio::test]
async fn edit_flow_versions_and_item_version_headers() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("carol", "doc.docx", b"v1");
    assert!(m.ttl > 0, "access_token_ttl is an absolute time");
    let r = client().get(m.contents_url()).send().await?;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-itemversion"), Some("1"));
    assert_eq!(r.bytes().await?.as_ref(), b"v1");

    let r = post(&m, "LOCK", &[("X-WOPI-Lock", "L1")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-itemversion"), Some("1"));
    assert!(
        header(&r, "x-wopi-lock").is_none(),
        "no X-WOPI-Lock on a 200"
    );
    let r = put(&m, Some("L1"), b"v2").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-itemversion"), Some("2"));
    // Same bytes again: still a new version.
    let r = put(&m, Some("L1"), b"v2").await;
    assert_eq!(header(&r, "x-wopi-itemversion"), Some("3"));
    // Wrong lock → 409 with the current lock.
    let r = put(&m, Some("other"), b"x").await;
    assert_eq!(r.status(), 409);
    assert_eq!(header(&r, "x-wopi-lock"), Some("L1"));
    let r = post(&m, "GET_LOCK", &[]).await;
    assert_eq!(header(&r, "x-wopi-lock"), Some("L1"));
    let r = post(&m, "UNLOCK", &[("X-WOPI-Lock", "L1")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-itemversion"), Some("3"));
    let r = post(&m, "GET_LOCK", &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(&r, "x-wopi-lock"),
        Some(""),
        "empty lock header when unlocked"
    );
    // Unlocked, non-empty: PutFile refused with an empty lock header.
    let r = put(&m, None, b"x").await;
    assert_eq!(r.status(), 409);
    assert_eq!(header(&r, "x-wopi-lock"), Some(""));
    let v = cfi(&m).await;
    assert_eq!(v["Version"], "3");
    assert_eq!(v["Size"], 2);
    Ok(())
}

#[tokio::test]
async fn empty_files_accept_an_unlocked_put_once() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("dan", "new.xlsx", b"");
    assert_eq!(put(&m, None, b"content").await.status(), 200);
    assert_eq!(put(&m, None, b"again").await.status(), 409);
    let body = client().get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(body.as_ref(), b"content");
    Ok(())
}

#[tokio::test]
async fn malformed_requests_get_clear_statuses() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("eve", "x.docx", b"12345");
    assert_eq!(
        post(&m, "LOCK", &[]).await.status(),
        400,
        "missing lock header"
    );
    assert_eq!(post(&m, "LOCK", &[("X-WOPI-Lock", "")]).await.status(), 400);
    assert_eq!(post(&m, "UNLOCK", &[]).await.status(), 400);
    let long = "x".repeat(1025);
    assert_eq!(
        post(&m, "LOCK", &[("X-WOPI-Lock", &long)]).await.status(),
        400
    );
    assert_eq!(post(&m, "NOT_AN_OPERATION", &[]).await.status(), 501);
    assert_eq!(post(&m, "COBALT", &[]).await.status(), 501);
    let r = client().post(m.file_url()).send().await?;
    assert_eq!(r.status(), 501, "POST without override");
    assert_eq!(
        post(&m, "GET_SHARE_URL", &[("X-WOPI-UrlType", "Nope")])
            .await
            .status(),
        501
    );
    let r = post(&m, "GET_SHARE_URL", &[("X-WOPI-UrlType", "ReadOnly")]).await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    assert!(v["ShareUrl"].as_str().unwrap_or("").starts_with(&s.url));
    let r = client()
        .get(m.contents_url())
        .header("X-WOPI-MaxExpectedSize", "4")
        .send()
        .await?;
    assert_eq!(r.status(), 412, "larger than X-WOPI-MaxExpectedSize");
    let r = client()
        .get(m.contents_url())
        .header("X-WOPI-MaxExpectedSize", "lots")
        .send()
        .await?;
    assert_eq!(r.status(), 400);
    let r = client()
        .get(format!(
            "{}/wopi/folders/abc?access_token={}",
            s.url, m.token
        ))
        .send()
        .await?;
    assert_eq!(
        r.status(),
        501,
        "the deprecated folders endpoint is not implemented"
    );
    let r = client()
        .get(format!(
            "{}/wopi/containers/abc?access_token={}",
            s.url, m.token
        ))
        .send()
        .await?;
    assert_eq!(r.status(), 401, "a file token is no container token");
    Ok(())
}

#[tokio::test]
async fn max_file_size_is_enforced_with_413_and_nothing_changes() -> TestResult {
    let s = TestServer::start_with_config(Some("max_file_size = 1000\n"));
    let m = s.file_with_token("fay", "small.docx", b"");
    let big = vec![b'x'; 2000];
    let r = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .body(big.clone())
        .send()
        .await?;
    assert_eq!(r.status(), 413);
    // A chunked body without Content-Length is cut off while streaming.
    let stream = futures::stream::iter((0..20).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 100])));
    let r = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await?;
    assert_eq!(r.status(), 413);
    assert_eq!(cfi(&m).await["Version"], "1");
    assert_eq!(
        count_files(&s.data.join("tmp")),
        0,
        "no partial upload left behind"
    );
    Ok(())
}

#[tokio::test]
async fn put_relative_file_rename_and_delete() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("gus", "Plan.docx", b"plan");
    // Suggested extension.
    let r = post(&m, "PUT_RELATIVE", &[("X-WOPI-SuggestedTarget", ".pdf")]).await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["Name"], "Plan.pdf");
    let url = v["Url"].as_str().unwrap_or_default().to_owned();
    assert!(url.contains("access_token="));
    assert_eq!(
        client().get(&url).send().await?.status(),
        200,
        "the returned Url is usable"
    );
    // Suggested again: a new name, never 409.
    let r = post(&m, "PUT_RELATIVE", &[("X-WOPI-SuggestedTarget", ".pdf")]).await;
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["Name"], "Plan (1).pdf");
    // Relative, exact name, existing, no overwrite → 409 with a valid alternative (UTF-7).
    let r = post(&m, "PUT_RELATIVE", &[("X-WOPI-RelativeTarget", "Plan.pdf")]).await;
    assert_eq!(r.status(), 409);
    assert!(header(&r, "x-wopi-validrelativetarget").is_some());
    // UTF-7 name.
    let r = post(
        &m,
        "PUT_RELATIVE",
        &[("X-WOPI-RelativeTarget", "+ZeVnLIqe-.xlsx")],
    )
    .await;
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["Name"], "日本語.xlsx");
    // Illegal name → 400.
    let r = post(&m, "PUT_RELATIVE", &[("X-WOPI-RelativeTarget", "a:b.docx")]).await;
    assert_eq!(r.status(), 400);
    // Both headers → 501.
    let r = post(
        &m,
        "PUT_RELATIVE",
        &[
            ("X-WOPI-RelativeTarget", "x.docx"),
            ("X-WOPI-SuggestedTarget", ".docx"),
        ],
    )
    .await;
    assert_eq!(r.status(), 501);

    // RenameFile keeps the id and extension.
    let r = post(
        &m,
        "RENAME_FILE",
        &[("X-WOPI-RequestedName", "Plan+AF8-v2")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["Name"], "Plan_v2");
    assert_eq!(cfi(&m).await["BaseFileName"], "Plan_v2.docx");
    let r = post(&m, "RENAME_FILE", &[("X-WOPI-RequestedName", "bad|name")]).await;
    assert_eq!(r.status(), 400);
    assert!(header(&r, "x-wopi-invalidfilenameerror").is_some());
    // Locked: rename needs the lock, delete is refused.
    assert_eq!(
        post(&m, "LOCK", &[("X-WOPI-Lock", "K")]).await.status(),
        200
    );
    let r = post(&m, "RENAME_FILE", &[("X-WOPI-RequestedName", "Other")]).await;
    assert_eq!(r.status(), 409);
    assert_eq!(header(&r, "x-wopi-lock"), Some("K"));
    let r = post(&m, "DELETE", &[]).await;
    assert_eq!(r.status(), 409);
    assert_eq!(header(&r, "x-wopi-lock"), Some("K"));
    assert_eq!(
        post(&m, "UNLOCK", &[("X-WOPI-Lock", "K")]).await.status(),
        200
    );
    assert_eq!(post(&m, "DELETE", &[]).await.status(), 200);
    assert_eq!(client().get(m.file_url()).send().await?.status(), 404);
    Ok(())
}

#[tokio::test]
async fn put_user_info_is_stored_per_user() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("hal", "a.docx", b"a");
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "PUT_USER_INFO")
        .body("subscription=ok")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let other = s.put_file("hal", "b.docx", b"b");
    let t = s.token("hal", &other, &[]);
    assert_eq!(
        cfi(&t).await["UserInfo"],
        "subscription=ok",
        "UserInfo follows the user"
    );
    Ok(())
}

#[tokio::test]
async fn thirty_two_racing_locks_have_exactly_one_winner() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("ivy", "race.docx", b"r");
    let mut tasks = Vec::new();
    for i in 0..32 {
        let url = m.file_url();
        tasks.push(tokio::spawn(async move {
            client()
                .post(url)
                .header("X-WOPI-Override", "LOCK")
                .header("X-WOPI-Lock", format!("lock-{i}"))
                .send()
                .await
                .map(|r| {
                    (
                        r.status().as_u16(),
                        header(&r, "x-wopi-lock").map(str::to_owned),
                    )
                })
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = Vec::new();
    for t in tasks {
        let (status, lock) = t.await??;
        match status {
            200 => winners.push(status),
            409 => conflicts.push(lock),
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one Lock wins");
    assert_eq!(conflicts.len(), 31);
    let holder = post(&m, "GET_LOCK", &[]).await;
    let holder = header(&holder, "x-wopi-lock")
        .unwrap_or_default()
        .to_owned();
    assert!(holder.starts_with("lock-"));
    assert!(
        conflicts
            .iter()
            .all(|l| l.as_deref() == Some(holder.as_str())),
        "every loser is told the winner's lock"
    );
    Ok(())
}

#[tokio::test]
async fn file_url_serves_current_bytes_without_a_token_and_rejects_tampering() -> TestResult {
    let s = TestServer::start();
    let m = s.file_with_token("jo", "f.docx", b"old");
    let url = cfi(&m).await["FileUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !url.contains(&m.token),
        "FileUrl never carries the access token"
    );
    post(&m, "LOCK", &[("X-WOPI-Lock", "F")]).await;
    put(&m, Some("F"), b"new").await;
    let r = client().get(&url).send().await?;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await?.as_ref(), b"new");
    let tampered = url.replace("&s=", "&s=0");
    assert_eq!(client().get(&tampered).send().await?.status(), 401);
    Ok(())
}

#[tokio::test]
async fn access_tokens_never_reach_the_log() -> TestResult {
    let mut s = TestServer::start();
    s.kill();
    s.spawn(&[("RUST_LOG", "trace")]);
    let m = s.file_with_token("kim", "secret.docx", b"s");
    let m = s.token(
        "kim",
        m.wopi_src.rsplit('/').next().unwrap_or_default(),
        &[],
    );
    cfi(&m).await;
    client()
        .get(&m.wopi_src)
        .bearer_auth(&m.token)
        .send()
        .await?;
    post(&m, "LOCK", &[("X-WOPI-Lock", "zz")]).await;
    client()
        .get(format!("{}?access_token={}", s.url, m.token))
        .send()
        .await?;
    s.terminate();
    let log = s.server_log();
    assert!(
        log.contains("/wopi/files/"),
        "requests are logged (trace level)"
    );
    assert!(!log.contains(&m.token), "token leaked into the log");
    Ok(())
}

#[tokio::test]
async fn collabora_save_conflicts_get_1010_and_save_flags_are_recorded() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("cora", "cora's password");
    let id = s.put_file("cora", "c.odt", b"one");
    let m = s.token("cora", &id, &[]);
    post(&m, "LOCK", &[("X-WOPI-Lock", "cool")]).await;
    let seen = cfi(&m).await["LastModifiedTime"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // A save based on what the client saw: accepted; the reply carries the new time.
    let r = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "cool")
        .header("X-COOL-WOPI-Timestamp", &seen)
        .header("X-COOL-WOPI-IsAutosave", "true")
        .header("X-COOL-WOPI-IsModifiedByUser", "true")
        .body("two")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    let after = v["LastModifiedTime"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(after.ends_with('Z'));
    assert_eq!(cfi(&m).await["LastModifiedTime"], after.as_str());
    // A save based on the old time: the file changed underneath → 409 with COOLStatusCode 1010.
    let r = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "cool")
        .header("X-LOOL-WOPI-Timestamp", "2001-01-01T00:00:00.0000000Z")
        .body("stale")
        .send()
        .await?;
    assert_eq!(r.status(), 409);
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["COOLStatusCode"], 1010);
    assert_eq!(v["LOOLStatusCode"], 1010);
    assert_eq!(
        cfi(&m).await["Version"],
        "2",
        "the stale save changed nothing"
    );
    // Overwrite (no timestamp header) after the user chose to: accepted.
    assert_eq!(put(&m, Some("cool"), b"three").await.status(), 200);
    // The version list records how each version was saved.
    let web = web_client(&s, "cora", "cora's password").await;
    let page = web
        .get(format!("{}/files/{id}/versions", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("wopi (autosave)"), "{page}");
    assert!(page.contains("3 (current)"), "{page}");
    Ok(())
}

/// Unix milliseconds, the unit of `access_token_ttl`.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
