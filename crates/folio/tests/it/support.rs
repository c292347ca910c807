//! `TestServer`: the real binary on port 0 with a temporary data directory, plus CLI helpers.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_folio")
}

/// A running `folio serve`.
pub struct TestServer {
    child: Option<Child>,
    pub url: String,
    pub data: PathBuf,
    pub dir: tempfile::TempDir,
    config: Option<PathBuf>,
    pub log: PathBuf,
    serve_args: Vec<String>,
    /// FOLIO_DATABASE_URL / FOLIO_BLOB_URL for this server (empty: SQLite + local disk).
    backend_env: Vec<(String, String)>,
    pg_database: Option<String>,
}

/// The backend the integration suite runs against: `FOLIO_TEST_BACKEND=postgres-s3` switches
/// from the default SQLite + local disk to PostgreSQL (the server named by `FOLIO_TEST_PG`) plus
/// the S3 server named by the AWS_* variables (scripts/test starts s3s-fs).
pub fn postgres_s3() -> bool {
    std::env::var("FOLIO_TEST_BACKEND").is_ok_and(|v| v == "postgres-s3")
}

/// The test PostgreSQL server, from `FOLIO_TEST_PG` — the one variable every test and script
/// reads: a server URL without a database name (a `?query` is kept), default
/// `postgres://postgres@127.0.0.1:5432`. Each test creates and drops its own database on it.
pub struct PgServer {
    /// `postgres://user@` (everything before the host).
    prefix: String,
    /// `host:port` (port 5432 when the URL names none).
    pub host_port: String,
    /// `?…` or empty.
    query: String,
}

impl PgServer {
    pub fn from_env() -> PgServer {
        let url = std::env::var("FOLIO_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b.to_owned(), format!("?{q}")),
            None => (url.clone(), String::new()),
        };
        let base = base.trim_end_matches('/');
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        let host_start = base[after_scheme..]
            .rfind('@')
            .map_or(after_scheme, |i| after_scheme + i + 1);
        let host = &base[host_start..];
        assert!(
            !host.is_empty() && !host.contains('/'),
            "FOLIO_TEST_PG must be a server URL without a database name, e.g. \
             postgres://postgres@127.0.0.1:5432; got {url:?}"
        );
        let host_port = if host.contains(':') {
            host.to_owned()
        } else {
            format!("{host}:5432")
        };
        PgServer {
            prefix: base[..host_start].to_owned(),
            host_port,
            query,
        }
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        self.url_via(&self.host_port, db)
    }

    /// The URL of database `db` reached through `host_port` instead (e.g. a cuttable proxy).
    pub fn url_via(&self, host_port: &str, db: &str) -> String {
        format!("{}{host_port}/{db}{}", self.prefix, self.query)
    }
}

pub fn psql(sql: &str) {
    let out = Command::new("psql")
        .arg(PgServer::from_env().url("postgres"))
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .unwrap_or_else(|e| panic!("psql: {e}"));
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How long a test waits for a condition before it fails: 60 s, or `FOLIO_TEST_WAIT_SECS`.
/// Conditions are met in well under a second on an idle machine; the margin is for a loaded one
/// (the suite must pass with every core busy), and a real failure still ends the test.
pub fn wait_limit() -> Duration {
    std::env::var("FOLIO_TEST_WAIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

/// Polls `probe` every 50 ms until it returns `Ok(value)` and returns the value; after
/// `wait_limit()` panics naming `what` and the last thing the probe saw (its `Err`).
pub async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let limit = wait_limit();
    let start = Instant::now();
    loop {
        match probe().await {
            Ok(v) => return v,
            Err(last) if start.elapsed() >= limit => {
                panic!("timed out after {limit:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

pub struct Minted {
    pub wopi_src: String,
    pub token: String,
    pub ttl: i64,
}

impl Minted {
    pub fn file_url(&self) -> String {
        format!("{}?access_token={}", self.wopi_src, self.token)
    }
    pub fn contents_url(&self) -> String {
        format!("{}/contents?access_token={}", self.wopi_src, self.token)
    }
}

impl TestServer {
    pub fn start() -> Self {
        Self::start_with_config(None)
    }

    /// Starts with a TOML config file holding `config`.
    pub fn start_with_config(config: Option<&str>) -> Self {
        Self::start_with(config, &[])
    }

    /// Starts with a config file and extra `serve` arguments (e.g. `--dev-editor`).
    pub fn start_with(config: Option<&str>, serve_args: &[&str]) -> Self {
        let mut s = Self::unstarted(config, serve_args);
        // Create the database first so the CLI helpers and the server share it.
        s.cli_ok(&["users", "add", "root-admin", "--admin"]);
        s.spawn(&[]);
        s
    }

    /// Starts on a fresh data directory with no users (first-run setup); returns the server
    /// and the setup URL it printed on stdout after its banner.
    pub fn start_fresh(serve_args: &[&str]) -> (Self, String) {
        let mut s = Self::unstarted(None, serve_args);
        let lines = s.spawn_reading(&[], 1);
        let url = lines
            .first()
            .and_then(|l| l.strip_prefix("folio setup: open "))
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no setup line after the banner: {lines:?}"))
            .to_owned();
        (s, url)
    }

    /// A server on a fresh data directory (and database, on PostgreSQL), not yet spawned.
    pub fn unstarted(config: Option<&str>, serve_args: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let data = dir.path().join("data");
        let config = config.map(|c| {
            let p = dir.path().join("folio.toml");
            std::fs::write(&p, c).unwrap_or_else(|e| panic!("write config: {e}"));
            p
        });
        let log = dir.path().join("server.log");
        let mut backend_env = Vec::new();
        let mut pg_database = None;
        if postgres_s3() {
            let db = format!("folio_it_{}", rand_suffix().replace('-', "_"));
            psql(&format!("CREATE DATABASE {db}"));
            backend_env.push((
                "FOLIO_DATABASE_URL".to_owned(),
                PgServer::from_env().url(&db),
            ));
            backend_env.push((
                "FOLIO_BLOB_URL".to_owned(),
                format!("s3://folio/it-{}", rand_suffix()),
            ));
            pg_database = Some(db);
        }
        let s = Self {
            child: None,
            url: String::new(),
            data,
            dir,
            config,
            log,
            serve_args: serve_args.iter().map(|s| s.to_string()).collect(),
            backend_env,
            pg_database,
        };
        if s.pg_database.is_some() {
            s.cli_ok(&["migrate"]);
        }
        s
    }

    /// (Re)starts the server process on a new port with extra environment variables.
    pub fn spawn(&mut self, env: &[(&str, &str)]) {
        self.spawn_reading(env, 0);
    }

    /// As `spawn`, and returns the `extra` stdout lines the server prints after its banner.
    pub fn spawn_reading(&mut self, env: &[(&str, &str)], extra: usize) -> Vec<String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap_or_else(|e| panic!("log file: {e}"));
        let mut cmd = Command::new(bin());
        cmd.arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .env("FOLIO_DATA", &self.data)
            .env_remove("FOLIO_PUBLIC_URL")
            .env_remove("FOLIO_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if let Some(c) = &self.config {
            cmd.arg("--config").arg(c);
        }
        cmd.args(&self.serve_args);
        for (k, v) in &self.backend_env {
            cmd.env(k, v);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn folio: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("read banner: {e}"));
        let mut lines = Vec::new();
        for _ in 0..extra {
            let mut l = String::new();
            reader
                .read_line(&mut l)
                .unwrap_or_else(|e| panic!("read stdout: {e}"));
            lines.push(l.trim_end().to_owned());
        }
        let url = line
            .strip_prefix("folio listening on ")
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| {
                panic!(
                    "unexpected banner {line:?}; log: {}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                )
            })
            .to_owned();
        self.url = url;
        self.child = Some(child);
        lines
    }

    /// SIGKILL, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then wait; returns the exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let mut c = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        c.wait().ok()
    }

    pub fn cli(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env("FOLIO_DATA", &self.data)
            .env("FOLIO_PUBLIC_URL", self.url_or_default())
            .env_remove("FOLIO_CONFIG")
            .envs(
                self.backend_env
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            );
        if let Some(c) = &self.config {
            cmd.arg("--config").arg(c);
        }
        cmd.output()
            .unwrap_or_else(|e| panic!("run folio {args:?}: {e}"))
    }

    fn url_or_default(&self) -> String {
        if self.url.is_empty() {
            "http://127.0.0.1:8080".to_owned()
        } else {
            self.url.clone()
        }
    }

    /// Runs the CLI with `input` on stdin.
    pub fn cli_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env("FOLIO_DATA", &self.data)
            .env_remove("FOLIO_CONFIG")
            .envs(
                self.backend_env
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input.as_bytes());
        }
        child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait: {e}"))
    }

    /// Adds a user who can sign in with `password`.
    pub fn add_user_with_password(&self, login: &str, password: &str) {
        let out = self.cli_stdin(
            &[
                "users",
                "add",
                login,
                "--name",
                &format!("User {login}"),
                "--password-stdin",
            ],
            &format!("{password}\n"),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Polls `cond` every 50 ms until it holds or `wait_limit()` has passed; returns whether it
    /// held — for background work such as a discovery fetch or a webhook delivery. Use it inside
    /// `assert!(…, "what was awaited")`.
    pub async fn eventually<F, Fut>(mut cond: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + wait_limit();
        loop {
            if cond().await {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GET /status/editors as JSON.
    pub async fn editors_status(&self) -> serde_json::Value {
        match client()
            .get(format!("{}/status/editors", self.url))
            .send()
            .await
        {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    }

    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "folio {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn add_user(&self, login: &str) {
        self.cli_ok(&["users", "add", login, "--name", &format!("User {login}")]);
    }

    /// Imports `content` as `name` for `owner`; returns the file id.
    pub fn put_file(&self, owner: &str, name: &str, content: &[u8]) -> String {
        let local = self.dir.path().join(format!("upload-{}", rand_suffix()));
        std::fs::write(&local, content).unwrap_or_else(|e| panic!("write: {e}"));
        let path = local.to_string_lossy().to_string();
        let id = self.cli_ok(&["files", "put", &path, "--owner", owner, "--name", name]);
        let _ = std::fs::remove_file(&local);
        id
    }

    pub fn token(&self, user: &str, file: &str, extra: &[&str]) -> Minted {
        let mut args = vec!["token", "--user", user, "--file", file];
        args.extend_from_slice(extra);
        let out = self.cli_ok(&args);
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("token JSON {out:?}: {e}"));
        Minted {
            wopi_src: v["wopi_src"].as_str().unwrap_or_default().to_owned(),
            token: v["access_token"].as_str().unwrap_or_default().to_owned(),
            ttl: v["access_token_ttl"].as_i64().unwrap_or_default(),
        }
    }

    /// A user, a file with `content`, and a token for it.
    pub fn file_with_token(&self, user: &str, name: &str, content: &[u8]) -> Minted {
        self.add_user(user);
        let id = self.put_file(user, name, content);
        self.token(user, &id, &[])
    }

    pub fn server_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl TestServer {
    /// Blobs are files under the data directory (so tests can inspect or damage them).
    pub fn local_blobs(&self) -> bool {
        self.backend_env.is_empty()
    }

    /// The environment that points a second process at this server's backends.
    pub fn backend_env(&self) -> Vec<(String, String)> {
        self.backend_env.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
        if let Some(db) = &self.pg_database {
            let _ = Command::new("psql")
                .arg(PgServer::from_env().url("postgres"))
                .args([
                    "-q",
                    "-c",
                    &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                ])
                .output();
        }
    }
}

/// The directory test artifacts (screenshots, reports) go to.
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("FOLIO_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// Files under `dir` (recursively).
pub fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let p = e.path();
            if p.is_dir() { count_files(&p) } else { 1 }
        })
        .sum()
}

pub fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A browser-like HTTP client (cookie store) signed in as `login`.
pub async fn web_client(s: &TestServer, login: &str, password: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let r = sign_in(s, &c, login, password).await;
    assert_eq!(r.status(), 303, "sign-in redirects");
    c
}

/// One sign-in through the form, as a browser does it: GET /login for the CSRF value, then POST
/// the credentials with `next=/`. Returns the POST's response (not followed).
pub async fn sign_in(
    s: &TestServer,
    c: &reqwest::Client,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let page = c
        .get(format!("{}/login", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("login page: {e}"))
        .text()
        .await
        .unwrap_or_default();
    let csrf = form_value(&page, "csrf");
    c.post(format!("{}/login", s.url))
        .form(&[
            ("login", login),
            ("password", password),
            ("csrf", csrf.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("login: {e}"))
}

/// The value of `<input name="NAME" value="…">` in a page.
pub fn form_value(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    html.split_once(&needle)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}
