//! `folio doctor`: checks a configuration the way an editor will see it. Each check is a small
//! pure decision (table-tested below) over what [`gather`] observed — the blob store written,
//! the database opened, the public URL fetched, each editor's discovery loaded — and gives, for
//! every failure, the setting to change. docs/OPERATIONS.md ("Troubleshooting") lists the same
//! checks.

use std::sync::Arc;
use std::time::Duration;

use folio_app::editors::{EditorConfig, EditorKind, Editors};
use folio_app::folio_store::{BlobKey, BlobStore, ByteStream};
use folio_store_postgres::PostgresStore;
use folio_store_sqlite::SqliteStore;
use folio_wopi::proof::{MAX_AGE_MS, MAX_SKEW_MS};

use crate::config::{DatabaseConfig, Settings};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Fine.
    Pass,
    /// Works, but worth a look.
    Warn,
    /// Editors (or Folio) will fail: fix it.
    Fail,
}

/// One check's result: what was checked, what was seen, and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
    /// What to change (the config key or flag); empty when there is nothing to do.
    pub advice: String,
}

impl Check {
    fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: Status::Pass,
            detail: detail.into(),
            advice: String::new(),
        }
    }

    fn warn(name: impl Into<String>, detail: impl Into<String>, advice: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: Status::Warn,
            detail: detail.into(),
            advice: advice.into(),
        }
    }

    fn fail(name: impl Into<String>, detail: impl Into<String>, advice: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: Status::Fail,
            detail: detail.into(),
            advice: advice.into(),
        }
    }
}

/// The report: `PASS|WARN|FAIL name: detail`, then `  → advice` when there is some.
pub fn render(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        let s = match c.status {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        };
        out.push_str(&format!("{s} {}: {}\n", c.name, c.detail));
        if !c.advice.is_empty() {
            out.push_str(&format!("  → {}\n", c.advice));
        }
    }
    out
}

/// Blob storage: a probe blob was written, read back and deleted (`Err`: the first step that
/// failed).
pub fn storage_check(blobs: &str, probe: Result<(), String>) -> Check {
    match probe {
        Ok(()) => Check::pass(
            "storage",
            format!("{blobs} is writable (probe blob written, read back, deleted)"),
        ),
        Err(e) => Check::fail(
            "storage",
            format!("{blobs}: {e}"),
            "make the blob storage writable by Folio's user, or point `blob_url` / --blob-url \
             (FOLIO_BLOB_URL; default: the --data directory) at a writable directory or S3 bucket",
        ),
    }
}

/// The metadata database could be opened.
pub fn database_check(database: &str, opened: Result<(), String>) -> Check {
    match opened {
        Ok(()) => Check::pass("database", format!("{database} answers")),
        Err(e) => Check::fail(
            "database",
            format!("{database}: {e}"),
            "check `database_url` / --database-url (FOLIO_DATABASE_URL) or --data; a new SQLite \
             database is created by `folio migrate` or `folio users add`",
        ),
    }
}

/// Every migration embedded in this build is applied (and the database is not newer).
pub fn migration_check(applied: &[i64], embedded: &[i64]) -> Check {
    let pending: Vec<i64> = embedded
        .iter()
        .filter(|v| !applied.contains(v))
        .copied()
        .collect();
    let unknown: Vec<i64> = applied
        .iter()
        .filter(|v| !embedded.contains(v))
        .copied()
        .collect();
    if !pending.is_empty() {
        Check::fail(
            "migrations",
            format!(
                "{} of {} migrations pending ({pending:?})",
                pending.len(),
                embedded.len()
            ),
            "run `folio migrate` (or `folio serve --migrate`) with the same --database-url",
        )
    } else if !unknown.is_empty() {
        Check::warn(
            "migrations",
            format!("the database has migrations this build does not know ({unknown:?})"),
            "a newer Folio migrated this database: run that version (or restore a backup)",
        )
    } else {
        Check::pass(
            "migrations",
            format!("all {} migrations applied", embedded.len()),
        )
    }
}

/// `GET {public_url}/healthz` answered (status and body) or could not be sent.
pub fn public_url_check(public_url: &str, answered: Result<(u16, String), String>) -> Check {
    let advice = format!(
        "set `public_url` / --public-url (FOLIO_PUBLIC_URL) to the origin editors and browsers \
         reach this Folio at (now {public_url}); WOPISrc is built from it"
    );
    match answered {
        Ok((200, body)) if body.trim() == "ok" => Check::pass(
            "public URL",
            format!("{public_url}/healthz answers (this is the origin in WOPISrc)"),
        ),
        Ok((200, _)) => Check::fail(
            "public URL",
            format!("{public_url}/healthz answers 200 but not as Folio does (another service?)"),
            advice,
        ),
        Ok((status, _)) => Check::fail(
            "public URL",
            format!("{public_url}/healthz answered {status}"),
            advice,
        ),
        Err(e) => Check::fail(
            "public URL",
            format!("{public_url}/healthz: {e}"),
            format!("start `folio serve`, or {advice}"),
        ),
    }
}

/// The host of an http(s) URL (without port or brackets), lower-cased.
fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    Some(host.to_ascii_lowercase())
}

fn is_loopback(url: &str) -> bool {
    host_of(url).is_some_and(|h| {
        h == "localhost" || h.ends_with(".localhost") || h == "::1" || h.starts_with("127.")
    })
}

/// TLS where it must be: an editor on https (and Microsoft 365 always) calls back a host on
/// https; only a loopback public URL may stay on http (development). `editors`: (name,
/// discovery source, kind).
pub fn tls_check(public_url: &str, editors: &[(String, String, EditorKind)]) -> Check {
    if public_url.starts_with("https://") {
        return Check::pass("TLS", format!("the public URL {public_url} is https"));
    }
    let needing: Vec<&str> = editors
        .iter()
        .filter(|(_, d, k)| *k == EditorKind::Microsoft || d.starts_with("https://"))
        .map(|(n, _, _)| n.as_str())
        .collect();
    let advice = "put Folio behind TLS and set `public_url` / --public-url to its https:// origin \
                  (docs/OPERATIONS.md, reverse proxy)";
    if needing.is_empty() {
        Check::warn(
            "TLS",
            format!("the public URL {public_url} is http (fine for editors on http only)"),
            advice,
        )
    } else if is_loopback(public_url) {
        Check::warn(
            "TLS",
            format!(
                "the public URL {public_url} is http on loopback; editors {needing:?} expect https (development only)"
            ),
            advice,
        )
    } else {
        Check::fail(
            "TLS",
            format!(
                "the public URL {public_url} is http but editors {needing:?} are on https or Microsoft 365, which call back only over TLS"
            ),
            advice,
        )
    }
}

/// An editor's discovery (and its proof keys) loaded: `Err` is the loading error.
/// `keys_enforced`: it publishes proof keys and they are checked; `enforce_configured`: the
/// configuration asks for them to be checked.
pub fn editor_check(
    name: &str,
    discovery: &str,
    loaded: Result<(), String>,
    keys_enforced: bool,
    enforce_configured: bool,
) -> Check {
    let check = format!("editor {name}");
    let where_ = if discovery.starts_with("http://") || discovery.starts_with("https://") {
        "the editor's discovery URL"
    } else {
        "the discovery file"
    };
    match loaded {
        Ok(()) if keys_enforced => Check::pass(
            check,
            format!("discovery {discovery} loads; its proof keys parse (enforced)"),
        ),
        Ok(()) if !enforce_configured => Check::warn(
            check,
            format!("discovery {discovery} loads; proof keys are not verified"),
            format!(
                "set `enforce_proof_keys = true` in editor {name}'s [[editors]] entry (and drop \
                 --no-proof-keys)"
            ),
        ),
        Ok(()) => Check::pass(
            check,
            format!("discovery {discovery} loads (it publishes no proof keys)"),
        ),
        Err(e) if e.contains("proof-key") => Check::fail(
            check,
            format!("discovery {discovery}: {e}"),
            format!(
                "editor {name}'s discovery publishes a proof key that does not parse: fix the \
                 editor's key configuration, or point its `discovery` ([[editors]] / --discovery) \
                 at {where_} of a working editor"
            ),
        ),
        Err(e) => Check::fail(
            check,
            format!("discovery {discovery}: {e}"),
            format!(
                "fix editor {name}'s discovery: `discovery` in its [[editors]] entry (or \
                 --discovery / FOLIO_DISCOVERY) must be {where_} that answers, usually \
                 https://EDITOR/hosting/discovery"
            ),
        ),
    }
}

/// Clock skew: the editor's clock (its `Date` header) minus ours, in milliseconds. Proofs are
/// refused when the editor's clock is more than [`MAX_SKEW_MS`] ahead or more than
/// [`MAX_AGE_MS`] behind.
pub fn clock_check(source: &str, skew_ms: i64) -> Check {
    let name = format!("clock ({source})");
    let secs = skew_ms / 1000;
    let advice = "synchronise the clocks of Folio's host and the editor's (NTP: chrony or \
                  systemd-timesyncd)";
    if !(-MAX_AGE_MS..=MAX_SKEW_MS).contains(&skew_ms) {
        Check::fail(
            name,
            format!(
                "{secs:+} s from ours: outside the proof window (+{} s / -{} s); every signed request will be refused",
                MAX_SKEW_MS / 1000,
                MAX_AGE_MS / 1000
            ),
            advice,
        )
    } else if skew_ms.abs() > 60_000 {
        Check::warn(
            name,
            format!("{secs:+} s from ours (inside the proof window)"),
            advice,
        )
    } else {
        Check::pass(name, format!("{secs:+} s from ours"))
    }
}

/// The signed round trip: a CheckEcosystem request signed with the development editor's proof
/// key, sent to the ecosystem URL Folio builds from its public URL (`url`, without the token),
/// answered with (status, `X-WOPI-ServerError`) or not at all. `enforced`: the server verifies
/// proof keys (no --no-proof-keys).
pub fn round_trip_check(
    url: &str,
    answered: Result<(u16, Option<String>), String>,
    enforced: bool,
) -> Check {
    let name = "signed round trip";
    let same_data = "run `folio doctor` with the same --data / --database-url (or config file) as                      `folio serve`";
    match answered {
        Ok((200, _)) if enforced => Check::pass(
            name,
            format!(
                "{url} accepted a request signed with the development editor's proof key                  (public URL, signed URL and clock agree)"
            ),
        ),
        Ok((200, _)) => Check::warn(
            name,
            format!("{url} answered, but proof keys are not verified (--no-proof-keys)"),
            "drop --no-proof-keys (`no_proof_keys`) so that signatures are checked",
        ),
        Ok((500, Some(e))) if e.contains("proof") => Check::fail(
            name,
            format!("{url} refused the development editor's signature ({e})"),
            format!(
                "Folio checks a signature against `public_url` plus the path and query it                  receives: set `public_url` / --public-url to exactly the origin (scheme, host,                  port, path prefix) editors call, make a reverse proxy pass the path and query                  unchanged, and keep the clocks in sync; {same_data} (it signs with the keys in                  DATA/dev-editor-keys.json)"
            ),
        ),
        Ok((401, _)) => Check::fail(
            name,
            format!("{url} did not know a token minted in this database (401)"),
            format!(
                "the public URL reaches another Folio (or one with other data): point                  `public_url` at this one, or {same_data}"
            ),
        ),
        Ok((404, _)) => Check::fail(
            name,
            format!("{url} answered 404: /wopi/ does not reach Folio"),
            "make the reverse proxy forward /wopi/ (with its query) to Folio unchanged",
        ),
        Ok((status, e)) => Check::fail(
            name,
            format!(
                "{url} answered {status}{}",
                e.map(|e| format!(" ({e})")).unwrap_or_default()
            ),
            "see Folio's log for the request (its X-Correlation-Id)",
        ),
        Err(e) => Check::fail(
            name,
            format!("{url}: {e}"),
            "fix the public URL check above first",
        ),
    }
}

/// Mints a short-lived read-only ecosystem token for an (admin, if any) user, signs a
/// CheckEcosystem with the development editor's key from the data directory, sends it to the
/// public URL, and revokes the token.
async fn signed_round_trip(settings: &Settings, http: &reqwest::Client) -> Check {
    let name = "signed round trip";
    let key_file = settings.data.join("dev-editor-keys.json");
    if !key_file.exists() {
        return Check::fail(
            name,
            format!("no development editor keys at {}", key_file.display()),
            "start `folio serve --dev-editor` with the same --data first (it creates them), and              run `folio doctor --dev-editor` with that --data",
        );
    }
    let app = match crate::open_app(settings, false).await {
        Ok(a) => a,
        Err(f) => {
            return Check::fail(
                name,
                format!("cannot open Folio's data: {}", f.message),
                "fix the storage and database checks above first",
            );
        }
    };
    let users = match app.admin_users().await {
        Ok(u) => u,
        Err(e) => {
            return Check::fail(
                name,
                format!("cannot list users: {e}"),
                "fix the database check above",
            );
        }
    };
    let Some(user) = users
        .iter()
        .filter(|u| !u.disabled)
        .max_by_key(|u| u.is_admin)
    else {
        return Check::warn(
            name,
            "no user yet: nothing to sign a request for",
            "create the first administrator (the setup URL `folio serve` prints, or `folio users              add`), then run the doctor again",
        );
    };
    let minted = match app
        .mint_probe_token(&user.id, "dev", app.now() + 120_000)
        .await
    {
        Ok(m) => m,
        Err(e) => {
            return Check::fail(
                name,
                format!("cannot mint a probe token: {e}"),
                "fix the database check above",
            );
        }
    };
    let dev = match folio_dev_editor::DevEditor::open(settings.public_url.clone(), key_file).await {
        Ok(d) => d,
        Err(e) => {
            let _ = app.revoke_token(&minted.access_token).await;
            return Check::fail(
                name,
                format!("cannot read the development editor's keys: {e}"),
                "delete DATA/dev-editor-keys.json and restart `folio serve --dev-editor`",
            );
        }
    };
    let url = minted.url();
    let mut req = http.get(&url);
    for (k, v) in dev.proof_headers(&minted.access_token, &url) {
        req = req.header(k, v);
    }
    let answered = match req.send().await {
        Ok(r) => Ok((
            r.status().as_u16(),
            r.headers()
                .get("x-wopi-servererror")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        )),
        // Never print the URL: it carries the token.
        Err(e) => Err(format!("no answer ({})", error_chain(&e.without_url()))),
    };
    let _ = app.revoke_token(&minted.access_token).await;
    round_trip_check(&minted.wopi_src, answered, !settings.no_proof_keys)
}

/// An error with its sources ("error sending request: … : Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(&format!(": {s}"));
        source = s.source();
    }
    out
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The skew (ms) of a response's `Date` header from our clock (the midpoint of the request).
fn skew_of(r: &reqwest::Response, sent_ms: i64) -> Option<i64> {
    let date = r.headers().get(reqwest::header::DATE)?.to_str().ok()?;
    let t = httpdate::parse_http_date(date).ok()?;
    let theirs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as i64;
    let ours = (sent_ms + now_ms()) / 2;
    // Date has a one-second resolution: round toward zero by up to a second.
    let d = theirs - ours;
    Some(if d.abs() <= 1000 { 0 } else { d })
}

async fn probe_blobs(blobs: &dyn BlobStore) -> Result<(), String> {
    let key = BlobKey::generate();
    let body = bytes::Bytes::from_static(b"folio doctor probe");
    let stream: ByteStream = Box::pin(futures::stream::once(async move {
        Ok::<_, std::io::Error>(body)
    }));
    blobs
        .put(&key, stream, 1024)
        .await
        .map_err(|e| format!("cannot write a probe blob: {e}"))?;
    let read = async {
        use futures::TryStreamExt;
        let s = blobs.get(&key).await.map_err(|e| e.to_string())?;
        let chunks: Vec<bytes::Bytes> = s.try_collect().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(chunks.concat())
    }
    .await;
    let deleted = blobs.delete(&key).await;
    match read {
        Ok(b) if b == b"folio doctor probe" => {}
        Ok(_) => return Err("the probe blob read back different bytes".into()),
        Err(e) => return Err(format!("cannot read the probe blob back: {e}")),
    }
    deleted.map_err(|e| format!("cannot delete the probe blob: {e}"))
}

async fn database_checks(settings: &Settings) -> Vec<Check> {
    let name = settings.database.redacted();
    match &settings.database {
        DatabaseConfig::Sqlite(path) => {
            if !path.exists() {
                return vec![database_check(&name, Err("no database file there".into()))];
            }
            match SqliteStore::open(path).await {
                // SQLite migrates on open (as `serve` does).
                Ok(_) => vec![
                    database_check(&name, Ok(())),
                    Check::pass("migrations", "SQLite migrates on open: all applied"),
                ],
                Err(e) => vec![database_check(&name, Err(e.to_string()))],
            }
        }
        DatabaseConfig::Postgres(url) => match PostgresStore::connect(url, 1).await {
            Ok(store) => {
                let mut out = vec![database_check(&name, Ok(()))];
                match store.migration_versions().await {
                    Ok((applied, embedded)) => out.push(migration_check(&applied, &embedded)),
                    Err(e) => out.push(Check::fail(
                        "migrations",
                        format!("cannot read the applied migrations: {e}"),
                        "run `folio migrate` with the same --database-url",
                    )),
                }
                out
            }
            Err(e) => vec![database_check(&name, Err(e.to_string()))],
        },
    }
}

/// Runs every check against `settings` (plus the development editor when `dev_editor`).
pub async fn gather(settings: &Settings, dev_editor: bool) -> Vec<Check> {
    let mut checks = Vec::new();

    // (1) Storage.
    let blobs_name = match &settings.blobs {
        crate::config::BlobConfig::Local(d) => d.display().to_string(),
        crate::config::BlobConfig::S3(u) => u.clone(),
    };
    let probe = match crate::open_blobs(settings).await {
        Ok(b) => probe_blobs(&*b).await,
        Err(f) => Err(f.message),
    };
    checks.push(storage_check(&blobs_name, probe));

    // (2) Database and migrations.
    checks.extend(database_checks(settings).await);

    // (3) Public URL.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let public_url = settings.public_url.trim_end_matches('/').to_owned();
    let answered = match http.get(format!("{public_url}/healthz")).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            Ok((status, r.text().await.unwrap_or_default()))
        }
        Err(e) => Err(format!("no answer ({})", error_chain(&e))),
    };
    checks.push(public_url_check(&public_url, answered));

    // (4) Editors: the loading code `serve` uses, on a throw-away cache directory.
    let mut configs = settings.editors.clone();
    if dev_editor {
        configs.insert(
            0,
            EditorConfig {
                name: "dev".into(),
                discovery: format!(
                    "{public_url}{}/hosting/discovery",
                    folio_dev_editor::MOUNT_PATH
                ),
                enforce_proof_keys: !settings.no_proof_keys,
                kind: Some(EditorKind::Dev),
                cspp_plus: None,
            },
        );
    }
    let cache = std::env::temp_dir().join(format!("folio-doctor-{}", std::process::id()));
    let editors = Arc::new(Editors::new(configs.clone(), cache.clone()).await);
    editors.refresh_all().await;
    let status = editors.status().await;
    let _ = tokio::fs::remove_dir_all(&cache).await;
    if configs.is_empty() {
        checks.push(Check::warn(
            "editors",
            "no editor is configured",
            "add an [[editors]] entry with its `discovery` (or --discovery URL)",
        ));
    }
    let mut kinds = Vec::new();
    for s in &status {
        let loaded = match &s.last_error {
            Some(e) => Err(e.clone()),
            None if !s.loaded => Err("not loaded".into()),
            None => Ok(()),
        };
        let enforce = configs
            .iter()
            .find(|c| c.name == s.name)
            .is_some_and(|c| c.enforce_proof_keys);
        checks.push(editor_check(
            &s.name,
            &s.discovery,
            loaded,
            s.proof_keys_enforced,
            enforce,
        ));
        kinds.push((s.name.clone(), s.discovery.clone(), s.kind));
    }

    // (5) TLS.
    checks.push(tls_check(&public_url, &kinds));

    // (6) Clocks: each reachable editor's Date header.
    for c in &configs {
        if !(c.discovery.starts_with("http://") || c.discovery.starts_with("https://")) {
            continue;
        }
        let sent = now_ms();
        if let Ok(r) = http.get(&c.discovery).send().await
            && let Some(skew) = skew_of(&r, sent)
        {
            checks.push(clock_check(&format!("editor {}", c.name), skew));
        }
    }
    // (7) A signed request through the public URL, as the development editor makes it.
    if dev_editor {
        checks.push(signed_round_trip(settings, &http).await);
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_decisions() {
        let u = "https://folio.example.com";
        type Answer = Result<(u16, String), String>;
        let cases: Vec<(Answer, Status)> = vec![
            (Ok((200, "ok\n".into())), Status::Pass),
            (Ok((200, "<html>".into())), Status::Fail),
            (Ok((404, String::new())), Status::Fail),
            (Ok((502, String::new())), Status::Fail),
            (Err("connection refused".into()), Status::Fail),
        ];
        for (answer, want) in cases {
            let c = public_url_check(u, answer.clone());
            assert_eq!(c.status, want, "{answer:?}");
            if want == Status::Fail {
                assert!(c.advice.contains("public_url"), "{}", c.advice);
            }
        }
    }

    #[test]
    fn tls_decisions() {
        let ms = (
            "ms".to_owned(),
            "https://onenote.officeapps.live.com/hosting/discovery".to_owned(),
            EditorKind::Microsoft,
        );
        let https = (
            "code".to_owned(),
            "https://code.example.com/hosting/discovery".to_owned(),
            EditorKind::Collabora,
        );
        let http = (
            "dev".to_owned(),
            "http://127.0.0.1:1/dev-editor/hosting/discovery".to_owned(),
            EditorKind::Dev,
        );
        let cases = [
            ("https://folio.example.com", vec![ms.clone()], Status::Pass),
            ("http://folio.example.com", vec![ms.clone()], Status::Fail),
            (
                "http://folio.example.com",
                vec![https.clone()],
                Status::Fail,
            ),
            ("http://folio.example.com", vec![http.clone()], Status::Warn),
            ("http://localhost:8080", vec![https.clone()], Status::Warn),
            ("http://127.0.0.1:8080", vec![ms.clone()], Status::Warn),
            ("http://[::1]:8080", vec![ms], Status::Warn),
            ("http://folio.example.com", vec![], Status::Warn),
        ];
        for (url, editors, want) in cases {
            let c = tls_check(url, &editors);
            assert_eq!(c.status, want, "{url} {editors:?}");
            if want != Status::Pass {
                assert!(c.advice.contains("public_url"));
            }
        }
    }

    #[test]
    fn clock_decisions() {
        let cases = [
            (0, Status::Pass),
            (59_000, Status::Pass),
            (-59_000, Status::Pass),
            (120_000, Status::Warn),
            (-600_000, Status::Warn),
            (MAX_SKEW_MS, Status::Warn),
            (MAX_SKEW_MS + 1, Status::Fail),
            (-MAX_AGE_MS, Status::Warn),
            (-MAX_AGE_MS - 1, Status::Fail),
        ];
        for (skew, want) in cases {
            assert_eq!(clock_check("editor x", skew).status, want, "{skew}");
        }
        assert!(clock_check("editor x", 3_600_000).advice.contains("NTP"));
    }

    #[test]
    fn migration_decisions() {
        let cases: [(&[i64], &[i64], Status); 5] = [
            (&[1, 2, 3], &[1, 2, 3], Status::Pass),
            (&[], &[], Status::Pass),
            (&[1, 2], &[1, 2, 3], Status::Fail),
            (&[], &[1], Status::Fail),
            (&[1, 2, 3, 4], &[1, 2, 3], Status::Warn),
        ];
        for (applied, embedded, want) in cases {
            let c = migration_check(applied, embedded);
            assert_eq!(c.status, want, "{applied:?} {embedded:?}");
            if want == Status::Fail {
                assert!(c.advice.contains("folio migrate"));
            }
        }
    }

    #[test]
    fn storage_database_and_editor_decisions() {
        assert_eq!(storage_check("/d", Ok(())).status, Status::Pass);
        let c = storage_check("/d", Err("cannot write".into()));
        assert_eq!(c.status, Status::Fail);
        assert!(c.advice.contains("blob_url"));
        assert_eq!(database_check("sqlite", Ok(())).status, Status::Pass);
        assert!(
            database_check("sqlite", Err("x".into()))
                .advice
                .contains("database_url")
        );
        let d = "https://code.example.com/hosting/discovery";
        assert_eq!(
            editor_check("code", d, Ok(()), true, true).status,
            Status::Pass
        );
        assert_eq!(
            editor_check("code", d, Ok(()), false, true).status,
            Status::Pass
        );
        assert_eq!(
            editor_check("code", d, Ok(()), false, false).status,
            Status::Warn
        );
        let c = editor_check("code", d, Err("proof-key: bad modulus".into()), true, true);
        assert_eq!(c.status, Status::Fail);
        assert!(c.advice.contains("proof key") && c.advice.contains("code"));
        let c = editor_check("code", d, Err(format!("{d} answered 404")), true, true);
        assert_eq!(c.status, Status::Fail);
        assert!(c.advice.contains("editor code's discovery"));
    }

    #[test]
    fn round_trip_decisions() {
        let u = "https://folio.example.com/wopi/ecosystem";
        let proof = Some("proof key verification failed".to_owned());
        type Answer = Result<(u16, Option<String>), String>;
        let cases: Vec<(Answer, bool, Status, &str)> = vec![
            (Ok((200, None)), true, Status::Pass, ""),
            (Ok((200, None)), false, Status::Warn, "--no-proof-keys"),
            (Ok((500, proof.clone())), true, Status::Fail, "`public_url`"),
            (Ok((500, None)), true, Status::Fail, "X-Correlation-Id"),
            (Ok((401, None)), true, Status::Fail, "same --data"),
            (Ok((404, None)), true, Status::Fail, "forward /wopi/"),
            (
                Err("refused".into()),
                true,
                Status::Fail,
                "public URL check",
            ),
        ];
        for (answer, enforced, want, advice) in cases {
            let c = round_trip_check(u, answer.clone(), enforced);
            assert_eq!(c.status, want, "{answer:?}");
            assert!(c.advice.contains(advice), "{answer:?}: {}", c.advice);
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("http://[::1]:80/x").as_deref(), Some("::1"));
        assert_eq!(
            host_of("https://u@Folio.Example.com:8443/").as_deref(),
            Some("folio.example.com")
        );
        assert!(is_loopback("http://localhost"));
        assert!(!is_loopback("http://localhost.example.com"));
        assert!(!is_loopback("ftp://localhost"));
    }
}
