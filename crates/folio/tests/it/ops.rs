//! Operating Folio: first-run setup in the browser, `folio backup` under concurrent saves and
//! `folio restore` into a fresh directory.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;

/// Fresh data directory → the setup URL from the server's output → the first administrator
/// created in Chromium → signed in on their files. Then the setup link is dead (410), the
/// sign-in page stops pointing to it, and a wrong code was a 404 all along.
#[tokio::test]
async fn first_run_setup_creates_the_first_administrator_in_the_browser() -> TestResult {
    let (s, setup_url) = TestServer::start_fresh(&[]);
    assert!(
        setup_url.starts_with(&format!("{}/setup?code=", s.url)),
        "{setup_url}"
    );
    let c = client();
    let login = c
        .get(format!("{}/login", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        login.contains("one-time setup URL"),
        "the sign-in page says where the setup URL is: {login}"
    );
    let wrong = c
        .get(format!(
            "{}/setup?code=WRONGwrongWRONGwrongWRONGwrong12",
            s.url
        ))
        .send()
        .await?;
    assert_eq!(wrong.status(), 404, "a wrong code");

    let b = Browser::start().await;
    b.client.goto(&setup_url).await?;
    b.fill("#login", "ada").await;
    b.fill("#name", "Ada Lovelace").await;
    b.fill("#password", "analytical engine").await;
    b.fill("#password_again", "analytical engine").await;
    b.click(Locator::Css("button[type=submit]")).await;
    b.wait_url(|u| u.contains("/folders/")).await;
    b.wait_text(".who", |t| t == "Ada Lovelace").await;
    b.find(Locator::Css("a[href='/admin']")).await;
    b.screenshot("setup-done").await;
    // The audit trail page: the administrator's creation and first sign-in, by setup; the
    // filter narrows it to sign-ins.
    b.click(Locator::Css("a[href='/admin']")).await;
    b.click(Locator::Css("a[href='/admin/audit']")).await;
    b.wait_text("tr.audit-row[data-action='admin.user_create']", |t| {
        t.contains("ada") && t.contains("first-run setup")
    })
    .await;
    b.fill("#f-action", "auth.").await;
    b.click(Locator::Css("#apply-filter")).await;
    b.wait_url(|u| u.contains("action=auth.")).await;
    b.wait_text("tr.audit-row[data-action='auth.sign_in']", |t| {
        t.contains("ada") && t.contains("first-run setup") && t.contains("127.0.0.1")
    })
    .await;
    let kinds = b
        .wait_js(
            "the filtered rows",
            "return Array.from(document.querySelectorAll('tr.audit-row')).map(r => r.dataset.action).join(',')",
            |v| v.as_str().is_some_and(|s| !s.is_empty()),
        )
        .await;
    assert!(
        kinds
            .as_str()
            .unwrap_or("")
            .split(',')
            .all(|a| a.starts_with("auth.")),
        "only sign-ins after filtering: {kinds}"
    );
    b.screenshot("audit-trail").await;
    b.close().await;

    let users = s.cli_ok(&["users", "list"]);
    assert_eq!(users.lines().count(), 1, "{users}");
    assert!(
        users.contains("\"login\":\"ada\"") && users.contains("\"admin\":true"),
        "{users}"
    );
    let again = c.get(&setup_url).send().await?;
    assert_eq!(again.status(), 410, "the setup link works once");
    let login = c
        .get(format!("{}/login", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(!login.contains("one-time setup URL"), "{login}");
    // The password set in the browser signs in.
    web_client(&s, "ada", "analytical engine").await;
    assert!(
        !s.server_log()
            .contains(setup_url.rsplit('=').next().unwrap_or("-")),
        "the code never reaches the log"
    );
    Ok(())
}

/// Two browsers racing through setup with the same code get one administrator; the other is
/// told setup is done. A form with mismatched passwords is shown again (400), creating nobody.
#[tokio::test]
async fn racing_setups_create_one_administrator() -> TestResult {
    let (s, setup_url) = TestServer::start_fresh(&[]);
    let code = setup_url.rsplit('=').next().unwrap_or_default().to_owned();
    let mut forms = Vec::new();
    for _ in 0..2 {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let page = c.get(&setup_url).send().await?.text().await?;
        forms.push((c, form_value(&page, "csrf")));
    }
    let (c0, csrf0) = &forms[0];
    let mismatch = c0
        .post(format!("{}/setup", s.url))
        .form(&[
            ("code", code.as_str()),
            ("csrf", csrf0.as_str()),
            ("login", "x"),
            ("password", "long enough 1"),
            ("password_again", "long enough 2"),
        ])
        .send()
        .await?;
    assert_eq!(mismatch.status(), 400);
    assert!(mismatch.text().await?.contains("two passwords differ"));
    assert_eq!(s.cli_ok(&["users", "list"]), "", "nobody was created");

    let posts = forms.iter().enumerate().map(|(i, (c, _))| {
        let url = format!("{}/setup", s.url);
        let code = code.clone();
        let c = c.clone();
        async move {
            // Each client's CSRF value is the one its own cookie holds.
            let page = c
                .get(format!(
                    "{}/setup?code={code}",
                    url.trim_end_matches("/setup")
                ))
                .send()
                .await;
            let csrf = match page {
                Ok(p) => form_value(&p.text().await.unwrap_or_default(), "csrf"),
                Err(_) => String::new(),
            };
            let login = format!("admin{i}");
            c.post(url)
                .form(&[
                    ("code", code.as_str()),
                    ("csrf", csrf.as_str()),
                    ("login", login.as_str()),
                    ("password", "racing password"),
                    ("password_again", "racing password"),
                ])
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    });
    let mut statuses = futures::future::join_all(posts).await;
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        vec![303, 410],
        "one wins, the other is told setup is done"
    );
    let users = s.cli_ok(&["users", "list"]);
    assert_eq!(users.lines().count(), 1, "{users}");
    Ok(())
}

/// One acknowledged save: the version Folio answered and the bytes sent.
struct Ack {
    file: usize,
    version: i64,
    body: Vec<u8>,
    /// Acknowledged before `folio backup` was started.
    before_backup: bool,
}

/// Writers save continuously (WOPI PutFile under a lock) while `folio backup` runs; the backup
/// restored into a fresh directory and served holds every save acknowledged before the backup
/// started, byte for byte as its version, and any later save it holds is byte-identical too.
#[tokio::test]
async fn backup_under_concurrent_saves_restores_every_acknowledged_save() -> TestResult {
    const FILES: usize = 4;
    let s = TestServer::start();
    let dest = s.dir.path().join("backup");
    let dest_s = dest.to_string_lossy().to_string();
    if postgres_s3() {
        let out = s.cli(&["backup", &dest_s]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("docs/OPERATIONS.md"), "{err}");
        return Ok(());
    }
    s.add_user_with_password("bea", "backup password");
    let mut files = Vec::new();
    for i in 0..FILES {
        let id = s.put_file(
            "bea",
            &format!("doc{i}.txt"),
            format!("initial {i}").as_bytes(),
        );
        let m = s.token("bea", &id, &[]);
        let r = client()
            .post(m.file_url())
            .header("X-WOPI-Override", "LOCK")
            .header("X-WOPI-Lock", format!("L{i}"))
            .send()
            .await?;
        assert_eq!(r.status(), 200);
        files.push((id, m));
    }
    let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let backup_started = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for (i, (_, m)) in files.iter().enumerate() {
        let url = m.contents_url();
        let (acks, backup_started, stop) = (acks.clone(), backup_started.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let c = client();
            let mut n = 0usize;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let mut body = format!("file {i} save {n}\n").into_bytes();
                body.extend(std::iter::repeat_n(
                    b'a' + (n % 26) as u8,
                    (n * 977) % 40_000,
                ));
                let Ok(r) = c
                    .post(&url)
                    .header("X-WOPI-Override", "PUT")
                    .header("X-WOPI-Lock", format!("L{i}"))
                    .body(body.clone())
                    .send()
                    .await
                else {
                    continue;
                };
                if r.status() != 200 {
                    continue;
                }
                let version = header(&r, "X-WOPI-ItemVersion")
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(-1);
                // Read after the 200 arrived: false means the backup had not been started.
                let before_backup = !backup_started.load(Ordering::SeqCst);
                if let Ok(mut a) = acks.lock() {
                    a.push(Ack {
                        file: i,
                        version,
                        body,
                        before_backup,
                    });
                }
            }
        }));
    }
    let count = |acks: &Arc<Mutex<Vec<Ack>>>, file: usize| {
        acks.lock()
            .map_or(0, |a| a.iter().filter(|x| x.file == file).count())
    };
    wait_for("three saves of every file before the backup", || {
        let acks = acks.clone();
        async move {
            let least = (0..FILES).map(|f| count(&acks, f)).min().unwrap_or(0);
            if least >= 3 {
                Ok(())
            } else {
                Err(format!("{least}"))
            }
        }
    })
    .await;
    backup_started.store(true, Ordering::SeqCst);
    let data = s.data.clone();
    let (dest_c, data_c) = (dest_s.clone(), data.clone());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(bin())
            .args(["backup", &dest_c])
            .env("FOLIO_DATA", &data_c)
            .env_remove("FOLIO_CONFIG")
            .env_remove("FOLIO_DATABASE_URL")
            .env_remove("FOLIO_BLOB_URL")
            .output()
    })
    .await??;
    assert!(
        out.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let during = acks
        .lock()
        .map_or(0, |a| a.iter().filter(|x| !x.before_backup).count());
    // Keep writing after the backup; then stop.
    let after_backup: Vec<usize> = (0..FILES).map(|f| count(&acks, f)).collect();
    wait_for("two more saves of every file after the backup", || {
        let (acks, after_backup) = (acks.clone(), after_backup.clone());
        async move {
            let behind = (0..FILES)
                .filter(|&f| count(&acks, f) < after_backup[f] + 2)
                .count();
            if behind == 0 {
                Ok(())
            } else {
                Err(format!("{behind} files behind"))
            }
        }
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await?;
    }
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let acks = std::mem::take(&mut *acks.lock().map_err(|e| e.to_string())?);
    let before = acks.iter().filter(|a| a.before_backup).count();
    assert!(
        summary["versions"].as_u64().unwrap_or(0) >= (before + FILES) as u64,
        "the backup holds at least the imports and the saves acknowledged before it: {summary} ({before} before, {during} while it ran)"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dest.join("manifest.json"))?)?;
    assert_eq!(manifest["format"], 1);

    // Restore into a fresh directory and serve it.
    let mut r = TestServer::unstarted(None, &[]);
    let restored = r.cli_ok(&["restore", &dest_s]);
    assert!(restored.contains("\"restored\""), "{restored}");
    // A second restore into the now non-empty directory is refused without --force.
    let again = r.cli(&["restore", &dest_s]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    r.spawn(&[]);
    let web = web_client(&r, "bea", "backup password").await;
    let mut present_later = 0;
    for a in &acks {
        let id = &files[a.file].0;
        let resp = web
            .get(format!(
                "{}/files/{id}/download?version={}",
                r.url, a.version
            ))
            .send()
            .await?;
        let status = resp.status().as_u16();
        if status == 200 {
            let got = resp.bytes().await?;
            assert!(
                got[..] == a.body[..],
                "file {} version {} restored with other bytes",
                a.file,
                a.version
            );
            if !a.before_backup {
                present_later += 1;
            }
        } else {
            assert!(
                !a.before_backup,
                "file {} version {} was acknowledged before the backup but is missing ({status})",
                a.file, a.version
            );
            assert_eq!(status, 404, "a later save not in the backup");
        }
    }
    eprintln!(
        "backup test: {} acknowledged saves, {before} before the backup, {during} while it ran, {present_later} later ones in it",
        acks.len()
    );

    // Damage one blob in the backup: restore refuses it before writing anything.
    let blob = manifest["blobs"][0]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let blob_path = dest.join("blobs").join(&blob[..2]).join(&blob);
    let mut bytes = std::fs::read(&blob_path)?;
    bytes.push(b'!');
    std::fs::write(&blob_path, bytes)?;
    let fresh = TestServer::unstarted(None, &[]);
    let bad = fresh.cli(&["restore", &dest_s]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("damaged backup"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(!fresh.data.join("folio.db").exists(), "nothing restored");
    Ok(())
}
