//! Version retention (issue 13), end to end: a history seeded with past timestamps through the
//! hidden CLI (`folio files put-version --at`), a restore in Chromium, then `folio sweep`: old
//! autosaves are thinned (one an hour after a day, one a day after 30 days), explicit saves,
//! restores and the current version stay, a blob a restore shares survives; the versions page
//! shows each version's kind and the policy, the admin page what retention freed, and the audit
//! trail has one row for the sweep.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const MIN: i64 = 60_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn add_admin(s: &TestServer, login: &str, password: &str) {
    let out = s.cli_stdin(
        &["users", "add", login, "--admin", "--password-stdin"],
        &format!("{password}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The versions page's rows as "version:kind", newest first.
const ROWS: &str = "return Array.from(document.querySelectorAll('#versions tr[data-version]'))
    .map(function (r) { return r.getAttribute('data-version') + ':' + r.getAttribute('data-kind'); });";

#[tokio::test]
async fn the_sweep_thins_old_autosaves_and_keeps_saves_restores_and_the_current_version()
-> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("rita", "rita password 1");
    add_admin(&s, "boss", "boss password 1");
    let id = s.put_file("rita", "plan.txt", b"content of version 1");
    let now = now_ms();
    let day40 = (now - 40 * DAY).div_euclid(DAY) * DAY;
    let hour5 = (now - 5 * DAY).div_euclid(HOUR) * HOUR;
    let seeds: [(i64, &str, i64); 11] = [
        (2, "autosave", day40 + HOUR),
        (3, "autosave", day40 + 2 * HOUR),
        (4, "autosave", day40 + 3 * HOUR),
        (5, "save", day40 + 4 * HOUR),
        (6, "autosave", hour5 + 5 * MIN),
        (7, "autosave", hour5 + 15 * MIN),
        (8, "autosave", hour5 + 25 * MIN),
        (9, "restore", hour5 + 2 * HOUR),
        (10, "autosave", now - 2 * HOUR),
        (11, "autosave", now - 110 * MIN),
        (12, "autosave", now - 100 * MIN),
    ];
    for (n, kind, at) in seeds {
        let local = s.dir.path().join(format!("v{n}"));
        std::fs::write(&local, format!("content of version {n}"))?;
        let path = local.to_string_lossy().to_string();
        let version = s.cli_ok(&[
            "files",
            "put-version",
            &path,
            "--file",
            &id,
            "--kind",
            kind,
            "--at",
            &at.to_string(),
        ]);
        assert_eq!(version, n.to_string());
    }

    // Rita restores version 2 (an old autosave) in the browser: version 13 shares its blob.
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("rita", "rita password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.goto(&format!("{}/files/{id}/versions", s.url)).await?;
    let before = b
        .wait_js("the 12 versions", ROWS, |v| {
            v.as_array().is_some_and(|a| a.len() == 12)
        })
        .await;
    assert_eq!(before[0], "12:autosave");
    assert_eq!(before[11], "1:upload");
    b.click(Locator::Css("tr[data-version='2'] form button"))
        .await;
    b.wait_js("the restore", ROWS, |v| v[0] == "13:restore")
        .await;
    let blobs_before = s.local_blobs().then(|| count_files(&s.data.join("blobs")));

    // The sweep (grace 0: the blobs were written just now).
    let out = s.cli_ok(&["sweep", "--grace", "0"]);
    let report: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(report["dropped_versions"], 4, "{report}");
    assert_eq!(
        report["freed_bytes"], 60,
        "versions 3, 6 and 7; not 2's blob: {report}"
    );
    if let Some(n) = blobs_before {
        assert_eq!(
            count_files(&s.data.join("blobs")),
            n - 3,
            "three blobs deleted"
        );
    }
    // A second sweep has nothing left to drop.
    let again: serde_json::Value = serde_json::from_str(&s.cli_ok(&["sweep", "--grace", "0"]))?;
    assert_eq!(again["dropped_versions"], 0, "{again}");

    c.refresh().await?;
    let after = b
        .wait_js("the thinned history", ROWS, |v| {
            v.as_array().is_some_and(|a| a.len() == 9)
        })
        .await;
    assert_eq!(
        after,
        serde_json::json!([
            "13:restore",
            "12:autosave",
            "11:autosave",
            "10:autosave",
            "9:restore",
            "8:autosave",
            "5:save",
            "4:autosave",
            "1:upload"
        ])
    );
    let kinds = b.wait_text("#versions", |t| t.contains("Restored")).await;
    assert!(kinds.contains("Autosave") && kinds.contains("Saved") && kinds.contains("Uploaded"));
    let policy = b.wait_text("#retention-policy", |t| !t.is_empty()).await;
    assert!(
        policy.contains("kept for a day") && policy.contains("after 30 days"),
        "{policy}"
    );
    b.screenshot("versions-retention").await;

    // The restored version still has version 2's bytes.
    let web = web_client(&s, "rita", "rita password 1").await;
    let body = web
        .get(format!("{}/files/{id}/download?version=13", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(body, "content of version 2");

    // The admin page: what retention freed, in total and in the last sweep.
    c.delete_all_cookies().await?;
    c.goto(&format!("{}/login", s.url)).await?;
    b.sign_in("boss", "boss password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.goto(&format!("{}/admin", s.url)).await?;
    let freed = b.wait_text("#retention-freed", |t| !t.is_empty()).await;
    assert_eq!(freed, "60 B (4 versions)");
    let last = b.wait_text("#retention-last", |t| !t.is_empty()).await;
    assert!(
        last.ends_with(": 0 versions, 0 B"),
        "the last sweep dropped nothing: {last}"
    );
    b.screenshot("admin-retention").await;
    b.close().await;

    // One audit row, for the sweep that dropped something.
    let key: serde_json::Value =
        serde_json::from_str(&s.cli_ok(&["api-keys", "create", "auditor", "--scope", "admin"]))?;
    let trail: serde_json::Value = client()
        .get(format!(
            "{}/api/v1/audit?action=system.version_retention",
            s.url
        ))
        .bearer_auth(key["key"].as_str().unwrap_or_default())
        .send()
        .await?
        .json()
        .await?;
    let events = trail["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), 1, "{trail}");
    assert!(
        events[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("dropped 4") && d.contains("60 bytes")),
        "{trail}"
    );
    Ok(())
}
