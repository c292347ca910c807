//! `folio doctor`: a healthy server passes every check; each broken setting gets its check's
//! FAIL line and advice naming the setting to change.

use crate::support::*;

/// Runs `folio ARGS…` against the server's settings (its data, public URL and backends);
/// returns (exit code, stdout).
fn doctor(s: &TestServer, args: &[&str]) -> (i32, String) {
    let out = s.cli(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The status line of the check whose name starts with `name`, and its advice line (if any).
fn check<'a>(out: &'a str, name: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| {
            l.split_once(' ')
                .is_some_and(|(_, rest)| rest.starts_with(name))
        })
        .unwrap_or_else(|| panic!("no {name:?} check in:\n{out}"));
    let advice = lines
        .get(i + 1)
        .and_then(|l| l.trim_start().strip_prefix("→ "))
        .unwrap_or("");
    (lines[i], advice)
}

#[tokio::test]
async fn a_healthy_server_passes_every_check() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    let (code, out) = doctor(&s, &["doctor", "--dev-editor"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("FAIL"), "{out}");
    for name in [
        "storage",
        "database",
        "migrations",
        "public URL",
        "editor dev",
        "clock (editor dev)",
        "signed round trip",
    ] {
        let (line, _) = check(&out, name);
        assert!(line.starts_with("PASS "), "{line}\n{out}");
    }
    // The probe token is never printed (and is revoked).
    assert!(!out.contains("access_token"), "{out}");
    // http on loopback is development: a warning, not a failure.
    let (line, advice) = check(&out, "TLS");
    assert!(line.starts_with("WARN "), "{out}");
    assert!(advice.contains("public_url"), "{out}");
    Ok(())
}

#[tokio::test]
async fn a_public_url_nobody_answers_at_is_reported_with_public_url_advice() -> TestResult {
    let s = TestServer::start();
    let (code, out) = doctor(&s, &["--public-url", "http://127.0.0.1:1", "doctor"]);
    assert_eq!(code, 1, "{out}");
    let (line, advice) = check(&out, "public URL");
    assert!(line.starts_with("FAIL "), "{out}");
    assert!(advice.contains("`public_url` / --public-url"), "{out}");
    // The other checks still ran and passed.
    assert!(check(&out, "storage").0.starts_with("PASS "), "{out}");
    Ok(())
}

#[tokio::test]
async fn a_discovery_url_that_404s_is_reported_for_that_editor() -> TestResult {
    let s = TestServer::start();
    let bad = format!("{}/nope/hosting/discovery", s.url);
    let (code, out) = doctor(&s, &["doctor", "--discovery", &bad]);
    assert_eq!(code, 1, "{out}");
    let (line, advice) = check(&out, "editor ");
    assert!(line.starts_with("FAIL ") && line.contains("404"), "{out}");
    assert!(advice.contains("discovery"), "{out}");
    assert!(advice.contains("hosting/discovery"), "{out}");
    Ok(())
}

#[tokio::test]
async fn a_discovery_with_a_malformed_proof_key_is_reported() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    let xml = client()
        .get(format!("{}/dev-editor/hosting/discovery", s.url))
        .send()
        .await?
        .text()
        .await?;
    // Break the current key's modulus.
    let at = xml.find(" modulus=\"").ok_or("no modulus")? + " modulus=\"".len();
    let end = at + xml[at..].find('"').ok_or("unterminated modulus")?;
    let broken = format!("{}not*base64{}", &xml[..at], &xml[end..]);
    let path = s.dir.path().join("broken-discovery.xml");
    std::fs::write(&path, broken)?;
    let cfg = s.dir.path().join("broken.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[editors]]\nname = \"broken\"\ndiscovery = {:?}\n",
            path.to_string_lossy()
        ),
    )?;
    let (code, out) = doctor(&s, &["--config", &cfg.to_string_lossy(), "doctor"]);
    assert_eq!(code, 1, "{out}");
    let (line, advice) = check(&out, "editor broken");
    assert!(
        line.starts_with("FAIL ") && line.contains("proof-key"),
        "{out}"
    );
    assert!(
        advice.contains("editor broken's discovery publishes a proof key that does not parse"),
        "{out}"
    );
    Ok(())
}

#[tokio::test]
async fn unwritable_blob_storage_is_reported_with_blob_url_advice() -> TestResult {
    let s = TestServer::start();
    // Tests run as root, which ignores permissions: a directory under a regular file can never
    // be created.
    let file = s.dir.path().join("a-file");
    std::fs::write(&file, b"not a directory")?;
    let blobs = file.join("blobs");
    let (code, out) = doctor(&s, &["--blob-url", &blobs.to_string_lossy(), "doctor"]);
    assert_eq!(code, 1, "{out}");
    let (line, advice) = check(&out, "storage");
    assert!(line.starts_with("FAIL "), "{out}");
    assert!(advice.contains("`blob_url` / --blob-url"), "{out}");
    Ok(())
}

#[tokio::test]
async fn a_missing_database_is_reported_with_database_url_advice() -> TestResult {
    let s = TestServer::start();
    let db = format!(
        "sqlite://{}",
        s.dir.path().join("nowhere").join("folio.db").display()
    );
    let (code, out) = doctor(&s, &["--database-url", &db, "doctor"]);
    assert_eq!(code, 1, "{out}");
    let (line, advice) = check(&out, "database");
    assert!(line.starts_with("FAIL "), "{out}");
    assert!(advice.contains("`database_url` / --database-url"), "{out}");
    Ok(())
}

#[tokio::test]
async fn an_http_public_url_with_an_https_editor_gets_tls_advice() -> TestResult {
    let s = TestServer::start();
    let (code, out) = doctor(
        &s,
        &[
            "--public-url",
            "http://folio.invalid",
            "doctor",
            "--discovery",
            "https://127.0.0.1:1/hosting/discovery",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let (line, advice) = check(&out, "TLS");
    assert!(line.starts_with("FAIL "), "{out}");
    assert!(
        advice.contains("https://") && advice.contains("public_url"),
        "{out}"
    );
    // The same editor on an https public URL: TLS passes.
    let (_, out) = doctor(
        &s,
        &[
            "--public-url",
            "https://folio.invalid",
            "doctor",
            "--discovery",
            "https://127.0.0.1:1/hosting/discovery",
        ],
    );
    assert!(check(&out, "TLS").0.starts_with("PASS "), "{out}");
    Ok(())
}

/// Drops the PostgreSQL database a test created, however the test ends.
struct DropDb(String);

impl Drop for DropDb {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .arg(PgServer::from_env().url("postgres"))
            .args([
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0),
            ])
            .output();
    }
}

#[tokio::test]
async fn an_unmigrated_postgres_database_gets_migrate_advice() -> TestResult {
    let s = TestServer::start();
    let db = format!("folio_doctor_{}", rand_suffix().replace('-', "_"));
    psql(&format!("CREATE DATABASE {db}"));
    let _guard = DropDb(db.clone());
    let url = PgServer::from_env().url(&db);
    let (code, out) = doctor(&s, &["--database-url", &url, "doctor"]);
    assert_eq!(code, 1, "{out}");
    assert!(check(&out, "database").0.starts_with("PASS "), "{out}");
    let (line, advice) = check(&out, "migrations");
    assert!(
        line.starts_with("FAIL ") && line.contains("pending"),
        "{out}"
    );
    assert!(advice.contains("folio migrate"), "{out}");
    // After `folio migrate`: every migration applied.
    let m = s.cli(&["--database-url", &url, "migrate"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let (_, out) = doctor(&s, &["--database-url", &url, "doctor"]);
    let (line, _) = check(&out, "migrations");
    assert!(
        line.starts_with("PASS ") && line.contains("applied"),
        "{out}"
    );
    Ok(())
}

#[tokio::test]
async fn a_public_url_other_than_the_one_folio_checks_signatures_against_fails_the_round_trip()
-> TestResult {
    // The server signs and checks against http://127.0.0.1:PORT; an editor (here, the doctor)
    // that calls it as http://localhost:PORT — what a proxy with another Host does — has its
    // signature refused.
    let s = TestServer::start_with(None, &["--dev-editor"]);
    let other = s.url.replace("127.0.0.1", "localhost");
    let (code, out) = doctor(&s, &["--public-url", &other, "doctor", "--dev-editor"]);
    assert_eq!(code, 1, "{out}");
    assert!(check(&out, "public URL").0.starts_with("PASS "), "{out}");
    let (line, advice) = check(&out, "signed round trip");
    assert!(
        line.starts_with("FAIL ") && line.contains("proof key verification failed"),
        "{out}"
    );
    assert!(advice.contains("`public_url` / --public-url"), "{out}");
    assert!(!out.contains("access_token"), "{out}");
    Ok(())
}

#[tokio::test]
async fn a_public_url_reaching_a_folio_with_other_data_fails_the_round_trip() -> TestResult {
    // Two servers; the doctor runs with the second one's data but the first one's public URL:
    // the first does not know the token minted in the second's database.
    let s1 = TestServer::start_with(None, &["--dev-editor"]);
    let s2 = TestServer::start_with(None, &["--dev-editor"]);
    let (code, out) = doctor(&s2, &["--public-url", &s1.url, "doctor", "--dev-editor"]);
    assert_eq!(code, 1, "{out}");
    let (line, advice) = check(&out, "signed round trip");
    assert!(line.starts_with("FAIL ") && line.contains("401"), "{out}");
    assert!(advice.contains("same --data"), "{out}");
    Ok(())
}
