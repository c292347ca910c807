//! The command line is a contract: flags, environment variables, output, exit codes.

use std::process::Command;

use crate::support::*;

fn folio(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .env_remove("FOLIO_DATA")
        .env_remove("FOLIO_CONFIG")
        .env_remove("FOLIO_PUBLIC_URL")
        .env_remove("FOLIO_LISTEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn users_files_and_token_commands_work_on_a_fresh_data_dir() -> TestResult {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("d");
    let d = data.to_string_lossy().to_string();
    let out = folio(
        &[
            "users",
            "add",
            "zoe",
            "--name",
            "Zoë",
            "--email",
            "z@example.com",
            "--admin",
        ],
        &[("FOLIO_DATA", &d)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let local = dir.path().join("Budget.xlsx");
    std::fs::write(&local, b"xlsx")?;
    let out = folio(
        &[
            "--data",
            &d,
            "files",
            "put",
            &local.to_string_lossy(),
            "--owner",
            "zoe",
            "--folder",
            "Finance/2026",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout)?.trim().to_owned();
    assert!(
        id.len() >= 16 && id.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{id}"
    );
    // The same name again in the same folder is refused.
    let out = folio(
        &[
            "--data",
            &d,
            "files",
            "put",
            &local.to_string_lossy(),
            "--owner",
            "zoe",
            "--folder",
            "Finance/2026",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));

    let out = folio(
        &["token", "--user", "zoe", "--file", &id, "--ttl", "60"],
        &[
            ("FOLIO_DATA", &d),
            ("FOLIO_PUBLIC_URL", "https://docs.example.com/"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(
        v["wopi_src"],
        format!("https://docs.example.com/wopi/files/{id}")
    );
    let token = v["access_token"].as_str().unwrap_or_default();
    assert_eq!(token.len(), 32);
    let ttl = v["access_token_ttl"].as_i64().unwrap_or_default();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    assert!(
        (ttl - now_ms - 60_000).abs() < 10_000,
        "ttl is ms since the epoch: {ttl}"
    );
    let action_url_len = v["wopi_src"].as_str().unwrap_or("").len() + token.len() + 200;
    assert!(action_url_len < 2000);
    Ok(())
}

#[test]
fn bad_configuration_exits_2_and_writes_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("never-created");
    let d = data.to_string_lossy().to_string();
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["serve", "--listen", "not-an-address"],
            vec![],
            "listen address",
        ),
        (
            vec!["serve"],
            vec![("FOLIO_LISTEN", "1.2.3.4")],
            "listen address",
        ),
        (
            vec!["serve", "--public-url", "ftp://x"],
            vec![],
            "public URL",
        ),
        (
            vec!["users", "add", "x"],
            vec![("FOLIO_PUBLIC_URL", "nope")],
            "public URL",
        ),
        (
            vec!["serve", "--config", "/nonexistent/folio.toml"],
            vec![],
            "config file",
        ),
        (
            vec!["token", "--user", "u", "--file", "bad/id"],
            vec![],
            "not a file id",
        ),
        (
            vec!["token", "--user", "u", "--file", "abc"],
            vec![],
            "no Folio data",
        ),
        (
            vec!["files", "put", "/nonexistent", "--owner", "u"],
            vec![],
            "cannot read",
        ),
        (vec!["users", "add", "has space"], vec![], "login"),
        (vec!["no-such-command"], vec![], "unrecognized"),
        (
            vec!["serve", "--database-url", "mysql://x/y"],
            vec![],
            "unknown scheme",
        ),
        (
            vec!["serve"],
            vec![("FOLIO_BLOB_URL", "gs://bucket")],
            "unknown scheme",
        ),
        (
            vec!["migrate", "--blob-url", "s3://"],
            vec![],
            "needs a bucket",
        ),
    ];
    for (args, env, needle) in cases {
        let mut all_env = env.clone();
        all_env.push(("FOLIO_DATA", &d));
        let out = folio(&args, &all_env);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: message {err:?} should mention {needle:?}"
        );
        assert!(!data.exists(), "{args:?} wrote to the data dir");
    }
    // Unknown keys in the config file are errors too.
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nmystery = 1\n")?;
    let out = folio(
        &["serve", "--config", &cfg.to_string_lossy()],
        &[("FOLIO_DATA", &d)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mystery"));
    assert!(!data.exists());
    Ok(())
}

#[tokio::test]
async fn cli_commands_work_while_the_server_runs_and_sigterm_stops_it_cleanly() -> TestResult {
    let mut s = TestServer::start();
    // CLI writes while the server holds the database open.
    let m = s.file_with_token("liz", "live.docx", b"live");
    let r = client().get(m.file_url()).send().await?;
    assert_eq!(r.status(), 200);
    let r = client().get(format!("{}/readyz", s.url)).send().await?;
    assert_eq!(r.status(), 200);
    let status = s.terminate().ok_or("no exit status")?;
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    Ok(())
}
