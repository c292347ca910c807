//! Editors: discovery persisted across editor outages, proof keys enforced, key rotation picked
//! up without a restart. The development editor (`serve --dev-editor`) plays the WOPI client.

use crate::support::*;

async fn loaded(s: &TestServer, name: &str) -> bool {
    let v = s.editors_status().await;
    v["editors"]
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e["name"] == name && e["loaded"] == true))
}

fn file_id(m: &Minted) -> String {
    m.wopi_src.rsplit('/').next().unwrap_or_default().to_owned()
}

async fn metric(s: &TestServer, name: &str) -> u64 {
    let text = match client().get(format!("{}/metrics", s.url)).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    // The sum over the series' labels (proof failures are counted by reason; a labelled family
    // with no series yet exports no sample, so that is 0 — the first test checks the name
    // counts).
    text.lines()
        .filter(|l| l.starts_with(&format!("{name} ")) || l.starts_with(&format!("{name}{{")))
        .filter_map(|l| l.rsplit(' ').next()?.trim().parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn wopi_requests_need_valid_proofs_once_an_editor_publishes_keys() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    assert!(
        TestServer::eventually(|| loaded(&s, "dev")).await,
        "dev editor discovery loads"
    );
    let m = s.file_with_token("pat", "notes.txt", b"hello");
    // Unsigned: refused with 500 (the WOPI rule for proof failures) and counted.
    let r = client().get(m.file_url()).send().await?;
    assert_eq!(r.status(), 500);
    assert_eq!(metric(&s, "folio_proof_key_failures_total").await, 1);
    // Forged signature: refused.
    let r = client()
        .get(m.file_url())
        .header("X-WOPI-Proof", "SU5WQUxJRA==")
        .header("X-WOPI-TimeStamp", "635655897610773532")
        .send()
        .await?;
    assert_eq!(r.status(), 500);
    // Through the development editor, which signs every call: accepted.
    let r = client()
        .post(format!("{}/dev-editor/api/open", s.url))
        .json(&serde_json::json!({"wopisrc": m.wopi_src, "access_token": m.token, "mode": "view"}))
        .send()
        .await?;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let log = s.server_log();
    assert!(!log.contains(&m.token), "the token never reaches the log");
    Ok(())
}

#[tokio::test]
async fn editor_key_rotation_is_picked_up_without_a_restart() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    assert!(TestServer::eventually(|| loaded(&s, "dev")).await);
    let m = s.file_with_token("quinn", "notes.txt", b"v1");
    let open = || {
        client()
            .post(format!("{}/dev-editor/api/open", s.url))
            .json(&serde_json::json!({"wopisrc": m.wopi_src, "access_token": m.token, "mode": "view"}))
            .send()
    };
    assert_eq!(open().await?.status(), 200);
    let refreshes_before = metric(&s, "folio_discovery_refreshes_total").await;
    // Rotate twice: Folio's cached keys now match neither the new current nor the new old key,
    // so the first signed request fails verification, Folio re-fetches discovery and retries.
    for _ in 0..2 {
        let r = client()
            .post(format!("{}/dev-editor/rotate-keys", s.url))
            .header("x-folio-dev", "1")
            .send()
            .await?;
        assert_eq!(r.status(), 200);
    }
    let r = open().await?;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    assert!(metric(&s, "folio_discovery_refreshes_total").await > refreshes_before);
    assert_eq!(
        metric(&s, "folio_proof_key_failures_total").await,
        0,
        "no request was refused"
    );
    Ok(())
}

#[tokio::test]
async fn a_persisted_discovery_copy_serves_while_the_editor_is_down() -> TestResult {
    // Editor: another Folio serving the development editor's discovery.
    let mut editor = TestServer::start_with(None, &["--dev-editor"]);
    let discovery = format!("{}/dev-editor/hosting/discovery", editor.url);
    let config = format!("[[editors]]\nname = \"remote\"\ndiscovery = \"{discovery}\"\n");
    let mut host = TestServer::start_with(Some(&config), &[]);
    assert!(
        TestServer::eventually(|| loaded(&host, "remote")).await,
        "first fetch works"
    );
    let status = host.editors_status().await;
    assert_eq!(status["editors"][0]["from_persisted_copy"], false);
    assert_eq!(status["editors"][0]["proof_keys_enforced"], true);

    // The editor goes away; Folio restarts.
    editor.kill();
    host.kill();
    host.spawn(&[]);
    let status = host.editors_status().await;
    assert_eq!(
        status["editors"][0]["loaded"], true,
        "persisted copy loaded at start: {status}"
    );
    assert_eq!(status["editors"][0]["from_persisted_copy"], true);
    assert!(
        TestServer::eventually(|| async {
            !host.editors_status().await["editors"][0]["last_error"].is_null()
        })
        .await,
        "the failed refresh is visible on the status endpoint"
    );
    let status = host.editors_status().await;
    assert_eq!(
        status["editors"][0]["loaded"], true,
        "a failed refresh keeps the last good copy"
    );
    assert!(
        status["editors"][0]["extensions"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x == "txt"))
    );
    // Proof keys from the persisted copy are still enforced.
    let m = host.file_with_token("rae", "a.txt", b"x");
    assert_eq!(client().get(m.file_url()).send().await?.status(), 500);
    let _ = file_id(&m);
    Ok(())
}
