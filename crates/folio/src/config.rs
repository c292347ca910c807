//! Configuration: command-line flags, `FOLIO_*` environment variables (through clap), and an
//! optional TOML file, merged in that order of precedence into a validated `Settings`. Every
//! problem is reported before anything is written or bound.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use folio_app::editors::{EditorConfig, EditorKind};
use folio_app::integration::{IntegrationConfig, LaunchConfig, WebhookConfig};
use serde::Deserialize;

/// SQLite read-only connections by default: enough for the requests two cores serve at once;
/// more only add threads to wake (bench/run.sh, issue 15).
const SQLITE_READERS: u32 = 4;

/// The TOML file, as written by an operator. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Address to listen on (default 127.0.0.1:8080).
    pub listen: Option<String>,
    /// Data directory (default ./folio-data).
    pub data: Option<PathBuf>,
    /// Origin WOPI clients and browsers see (default http://<listen>).
    pub public_url: Option<String>,
    /// Access-token lifetime in seconds (default 36000 = 10 h).
    pub token_ttl_secs: Option<u64>,
    /// Largest accepted file in bytes (default 2 GiB).
    pub max_file_size: Option<u64>,
    /// Log filter, e.g. "info" or "folio=debug" (default "info"; RUST_LOG overrides).
    pub log: Option<String>,
    /// Log line format: "text" (default) or "json" (docs/LOGGING.md).
    pub log_format: Option<String>,
    /// WOPI clients (editors), tried in this order when opening a file.
    #[serde(default)]
    pub editors: Vec<RawEditor>,
    /// Webhook receivers (integration API).
    #[serde(default)]
    pub webhooks: Vec<RawWebhook>,
    /// Signed launch links (integration API).
    pub launch: Option<RawLaunch>,
    /// First retry delay of a failed webhook delivery, ms (default 10000; doubles up to 1 h).
    pub webhook_retry_base_ms: Option<i64>,
    /// Metadata database: `sqlite://PATH` or `postgres://…` (default: SQLite in the data dir).
    pub database_url: Option<String>,
    /// Blob storage: a local directory or `s3://bucket/prefix` (default: the data dir).
    pub blob_url: Option<String>,
    /// PostgreSQL pool size per process (default 16).
    pub database_pool_size: Option<u32>,
    /// SQLite read-only connections (default 4; each is a thread of its own).
    pub sqlite_readers: Option<u32>,
    /// Seconds a client may take to send a request's headers (default 15).
    pub header_read_timeout_secs: Option<u64>,
    /// Longest silence, in seconds, inside a request body before the request fails (default 60).
    pub body_idle_timeout_secs: Option<u64>,
    /// Connections served at once; more wait to be accepted (default 4096).
    pub max_connections: Option<usize>,
    /// Seconds in-flight requests may go on after SIGTERM before they are dropped (default 30).
    pub shutdown_grace_secs: Option<u64>,
    /// Longest access-token lifetime `folio token --ttl` may ask for, seconds (default 86400).
    pub max_token_ttl_secs: Option<u64>,
    /// Seconds to wait on the object store (response headers, or a pause in a body) before a
    /// request fails with 503 (default 20; S3 blob storage only).
    pub s3_read_timeout_secs: Option<u64>,
    /// Office mobile: the bootstrapper and its OAuth authorization server.
    pub mobile: Option<RawMobile>,
    /// The audit trail.
    pub audit: Option<RawAudit>,
    /// Days a deleted file or folder stays in its owner's trash before the periodic sweep
    /// deletes it for good (default 30; 0 keeps it until the owner empties the trash; at most
    /// 36500).
    pub trash_retention_days: Option<u32>,
    /// Days a public link is kept once revoked or expired before the periodic sweep deletes it
    /// (default 30; 0 keeps it for ever; at most 36500). A guest's versions keep their
    /// attribution until then.
    pub link_retention_days: Option<u32>,
    /// Version retention: how old autosaves are thinned.
    pub versions: Option<RawVersions>,
    /// OpenTelemetry: send a span per request to this OTLP/HTTP collector (e.g.
    /// `http://otel-collector:4318`; default: none, or `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub otlp_endpoint: Option<String>,
}

/// `[audit]`: the audit trail of file access, sign-ins and administrators' actions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    /// Days a row is kept before the periodic sweep deletes it (default 365; 0 keeps rows for
    /// ever; at most 36500).
    pub retention_days: Option<u32>,
}

/// `[versions]`: version retention. Every version is kept for `keep_all_hours`; after that,
/// autosaves are thinned to one an hour, and after `hourly_days` to one a day. A person's saves,
/// uploads, exit saves, restores and the current version are never dropped.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVersions {
    /// Thin autosaves at all (default true; false keeps every version).
    pub thin_autosaves: Option<bool>,
    /// Hours every version is kept (default 24; 1..=8760).
    pub keep_all_hours: Option<u32>,
    /// Days autosaves keep one an hour before one a day (default 30; at least the keep-all
    /// window; at most 3650).
    pub hourly_days: Option<u32>,
}

/// `[mobile]`: Office for iOS/Android (`/wopibootstrapper`, `/oauth2/authorize`, `/oauth2/token`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMobile {
    /// The providerId Microsoft assigns at onboarding (e.g. "TP_FOLIO"), sent in the
    /// bootstrapper's `WWW-Authenticate` challenge; letters, digits, `_` and `-` (default: none).
    pub provider_id: Option<String>,
    /// Lifetime of an OAuth access token in seconds (default 3600; 60..=86400).
    pub access_token_ttl_secs: Option<u64>,
    /// Lifetime of a refresh token in seconds (default 2592000 = 30 days; 0 turns refresh off).
    pub refresh_token_ttl_secs: Option<u64>,
    /// The configured editor (by name) that WOPI tokens issued through the bootstrapper are
    /// minted for: its proof keys, its CheckFileInfo shape (CSPP Plus when it is enrolled,
    /// which also adds `EndPoints` to GET_NEW_ACCESS_TOKEN). Default: none.
    pub editor: Option<String>,
}

/// Where metadata lives. Every backend is listed even when unusable, so "unknown" and
/// "not available" are different errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseConfig {
    /// SQLite file.
    Sqlite(PathBuf),
    /// PostgreSQL URL.
    Postgres(String),
}

/// Where blobs live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobConfig {
    /// A local directory.
    Local(PathBuf),
    /// `s3://bucket/prefix`; endpoint and credentials from AWS_* variables.
    S3(String),
}

impl DatabaseConfig {
    fn parse(url: &str) -> Result<Self, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(
                    "database URL sqlite:// needs a path, e.g. sqlite:///var/lib/folio/folio.db"
                        .into(),
                );
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            Err(format!(
                "database URL {:?} has an unknown scheme: use sqlite://PATH or postgres://…",
                url.split("://").next().unwrap_or(url)
            ))
        }
    }

    /// The URL without its password, for logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(a), Some(b)) if b > a => {
                    let creds = &u[a + 3..b];
                    let user = creds.split(':').next().unwrap_or("");
                    format!("{}://{user}:***@{}", &u[..a], &u[b + 1..])
                }
                _ => u.clone(),
            },
        }
    }
}

impl BlobConfig {
    fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("s3://") {
            if url
                .trim_start_matches("s3://")
                .split('/')
                .next()
                .unwrap_or("")
                .is_empty()
            {
                return Err("blob URL s3:// needs a bucket: s3://bucket[/prefix]".into());
            }
            Ok(Self::S3(url.to_owned()))
        } else if url.contains("://") {
            Err(format!(
                "blob URL {:?} has an unknown scheme: use a local path or s3://bucket/prefix",
                url.split("://").next().unwrap_or(url)
            ))
        } else {
            Ok(Self::Local(PathBuf::from(url)))
        }
    }
}

/// One `[[webhooks]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    /// Where events are POSTed.
    pub url: String,
    /// HMAC-SHA256 key for `Folio-Signature` (or `secret_file`).
    pub secret: Option<String>,
    /// A file holding the secret.
    pub secret_file: Option<PathBuf>,
}

/// The `[launch]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLaunch {
    /// HS256 shared secret (or `hs256_secret_file`).
    pub hs256_secret: Option<String>,
    /// A file holding the HS256 secret.
    pub hs256_secret_file: Option<PathBuf>,
    /// PEM file with an Ed25519 public key (EdDSA).
    pub eddsa_public_key_file: Option<PathBuf>,
    /// Expected `aud` claim (default "folio").
    pub audience: Option<String>,
}

/// One `[[editors]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEditor {
    /// Short unique name (default: derived from the discovery URL's host or the file name).
    pub name: Option<String>,
    /// Discovery URL (`https://…/hosting/discovery`) or a local discovery XML file.
    pub discovery: String,
    /// `"enforce"` (default: verify proof keys when published) or `"off"` (development only).
    pub proof_keys: Option<String>,
    /// Force the editor kind: microsoft, collabora, onlyoffice, dev, other (default: detected).
    pub kind: Option<String>,
    /// CSPP Plus (Microsoft 365 desktop co-authoring) for this editor's tokens; needs the three
    /// values below, which Microsoft's CSPP Plus onboarding provides.
    pub cspp_plus: Option<bool>,
    /// CSPP Plus `OfficeCollaborationServiceEndpointUrl` (the discovery's `collab` action).
    pub collaboration_url: Option<String>,
    /// CSPP Plus `RealTimeChannelEndpointUrl` (the discovery's `rtc` action).
    pub realtime_channel_url: Option<String>,
    /// CSPP Plus `FileGeoLocationCode`.
    pub file_geo_location_code: Option<String>,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address.
    pub listen: SocketAddr,
    /// Data directory.
    pub data: PathBuf,
    /// Public origin without trailing slash.
    pub public_url: String,
    /// The public URL was not configured and is derived from the listen address (so `serve`
    /// re-derives it from the address actually bound, e.g. with port 0).
    pub public_url_from_listen: bool,
    /// Token lifetime in ms.
    pub token_ttl_ms: i64,
    /// Largest accepted file.
    pub max_file_size: u64,
    /// Log filter.
    pub log: String,
    /// Log line format.
    pub log_format: LogFormat,
    /// Configured editors (without the development editor, which `serve` adds).
    pub editors: Vec<EditorConfig>,
    /// Serve the development editor at /dev-editor and use it as an editor.
    pub dev_editor: bool,
    /// Webhooks and launch links.
    pub integration: IntegrationConfig,
    /// `--no-proof-keys`: proof keys are not enforced for any editor (development).
    pub no_proof_keys: bool,
    /// Metadata backend.
    pub database: DatabaseConfig,
    /// Blob backend.
    pub blobs: BlobConfig,
    /// PostgreSQL pool size.
    pub database_pool_size: u32,
    /// SQLite read-only connections.
    pub sqlite_readers: u32,
    /// Connection-loop limits (timeouts, connection cap, shutdown deadline).
    pub serve: folio_http::ServeOptions,
    /// Cap on `folio token --ttl`, ms.
    pub max_token_ttl_ms: i64,
    /// Object-store timeouts (S3 blob storage).
    pub s3: folio_store_s3::S3Timeouts,
    /// Office mobile's OAuth settings.
    pub oauth: folio_app::OAuthConfig,
    /// `[audit] retention_days` (0: for ever).
    pub audit_retention_days: u32,
    /// `trash_retention_days` (0: until the owner empties the trash).
    pub trash_retention_days: u32,
    /// `link_retention_days` (0: revoked and expired public links are kept for ever).
    pub link_retention_days: u32,
    /// `[versions]`: version retention.
    pub retention: folio_app::retention::RetentionPolicy,
    /// The OTLP/HTTP collector traces go to, if any.
    pub otlp_endpoint: Option<String>,
}

/// Values from flags/env (highest precedence).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--config` / `FOLIO_CONFIG`.
    pub config: Option<PathBuf>,
    /// `--data` / `FOLIO_DATA`.
    pub data: Option<PathBuf>,
    /// `--listen` / `FOLIO_LISTEN`.
    pub listen: Option<String>,
    /// `--public-url` / `FOLIO_PUBLIC_URL`.
    pub public_url: Option<String>,
    /// `--discovery` (repeatable) / `FOLIO_DISCOVERY` (comma-separated).
    pub discovery: Vec<String>,
    /// `--no-proof-keys`: turn proof-key enforcement off for every editor (development).
    pub no_proof_keys: bool,
    /// `--dev-editor`.
    pub dev_editor: bool,
    /// `--database-url` / `FOLIO_DATABASE_URL`.
    pub database_url: Option<String>,
    /// `--blob-url` / `FOLIO_BLOB_URL`.
    pub blob_url: Option<String>,
    /// `--log-format` / `FOLIO_LOG_FORMAT`.
    pub log_format: Option<String>,
    /// `--otlp-endpoint` / `FOLIO_OTLP_ENDPOINT` (then `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub otlp_endpoint: Option<String>,
    /// `--trash-retention-days` / `FOLIO_TRASH_RETENTION_DAYS`.
    pub trash_retention_days: Option<u32>,
}

/// How log lines are written (stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines (tracing's default format).
    #[default]
    Text,
    /// One JSON object per line, span fields flattened in (docs/LOGGING.md).
    Json,
}

fn derive_name(source: &str) -> String {
    let base = if let Some(rest) = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
    {
        rest.split(['/', ':']).next().unwrap_or("editor").to_owned()
    } else {
        Path::new(source)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("editor")
            .to_owned()
    };
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if clean.is_empty() {
        "editor".to_owned()
    } else {
        clean
    }
}

fn parse_kind(k: &str) -> Option<EditorKind> {
    match k {
        "microsoft" => Some(EditorKind::Microsoft),
        "collabora" => Some(EditorKind::Collabora),
        "onlyoffice" => Some(EditorKind::OnlyOffice),
        "dev" => Some(EditorKind::Dev),
        "other" => Some(EditorKind::Other),
        _ => None,
    }
}

fn read_file(path: &Path) -> Result<RawConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("config file {}: {}", path.display(), e.message()))
}

fn validate_public_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| format!("public URL {url:?} must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(format!(
            "public URL {url:?} must be an origin like https://folio.example.com (an optional path prefix is allowed; no query)"
        ));
    }
    Ok(trimmed.to_owned())
}

impl Settings {
    /// Merges flags/env over the config file over defaults, and validates. Errors name every
    /// problem found.
    pub fn load(o: &Overrides) -> Result<Settings, String> {
        let raw = match &o.config {
            Some(p) => read_file(p)?,
            None => RawConfig::default(),
        };
        let mut problems = Vec::new();
        let listen_text = o
            .listen
            .clone()
            .or(raw.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen = match listen_text.parse::<SocketAddr>() {
            Ok(a) => Some(a),
            Err(_) => {
                problems.push(format!("listen address {listen_text:?} is not IP:PORT"));
                None
            }
        };
        let data = o
            .data
            .clone()
            .or(raw.data)
            .unwrap_or_else(|| PathBuf::from("folio-data"));
        if data.as_os_str().is_empty() {
            problems.push("data directory is empty".to_owned());
        }
        let explicit = o.public_url.clone().or(raw.public_url);
        let public_url_from_listen = explicit.is_none();
        let public_url = match explicit {
            Some(u) => match validate_public_url(&u) {
                Ok(u) => Some(u),
                Err(e) => {
                    problems.push(e);
                    None
                }
            },
            None => listen.map(|a| format!("http://{a}")),
        };
        let ttl = raw.token_ttl_secs.unwrap_or(36_000);
        if ttl == 0 || ttl > 7 * 24 * 3600 {
            problems.push(format!("token_ttl_secs {ttl} must be between 1 and 604800"));
        }
        let max_file_size = raw.max_file_size.unwrap_or(2 << 30);
        let log_format = match o.log_format.as_deref().or(raw.log_format.as_deref()) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                problems.push(format!("log_format {other:?} is not one of text, json"));
                LogFormat::Text
            }
        };
        if max_file_size == 0 {
            problems.push("max_file_size must be positive".to_owned());
        }
        let otlp_endpoint = o
            .otlp_endpoint
            .clone()
            .or(raw.otlp_endpoint.clone())
            .filter(|e| !e.trim().is_empty());
        if let Some(e) = &otlp_endpoint
            && !(e.starts_with("http://") || e.starts_with("https://"))
        {
            problems.push(format!(
                "otlp_endpoint {e:?} must be an http:// or https:// URL (an OTLP/HTTP collector, e.g. http://collector:4318)"
            ));
        }
        let mut editors: Vec<EditorConfig> = Vec::new();
        let mut raw_editors = raw.editors;
        for d in &o.discovery {
            if !d.trim().is_empty() {
                raw_editors.push(RawEditor {
                    discovery: d.trim().to_owned(),
                    ..Default::default()
                });
            }
        }
        for e in raw_editors {
            let is_url = e.discovery.starts_with("http://") || e.discovery.starts_with("https://");
            if !is_url && !Path::new(&e.discovery).is_file() {
                problems.push(format!(
                    "discovery {:?} is neither an http(s) URL nor an existing file",
                    e.discovery
                ));
                continue;
            }
            let enforce = match e.proof_keys.as_deref() {
                None | Some("enforce") => !o.no_proof_keys,
                Some("off") => false,
                Some(other) => {
                    problems.push(format!(
                        "editor proof_keys {other:?} must be \"enforce\" or \"off\""
                    ));
                    continue;
                }
            };
            let kind = match e.kind.as_deref() {
                None => None,
                Some(k) => match parse_kind(k) {
                    Some(k) => Some(k),
                    None => {
                        problems.push(format!("editor kind {k:?} is not one of microsoft, collabora, onlyoffice, dev, other"));
                        continue;
                    }
                },
            };
            let mut name = e.name.unwrap_or_else(|| derive_name(&e.discovery));
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            {
                problems.push(format!("editor name {name:?} is not usable"));
                continue;
            }
            let base = name.clone();
            let mut n = 2;
            while editors.iter().any(|x| x.name == name) || (o.dev_editor && name == "dev") {
                name = format!("{base}-{n}");
                n += 1;
            }
            let cspp_plus = if e.cspp_plus == Some(true) {
                // Absent (`Some(None)`): taken from the discovery's collab / rtc action.
                let absolute = |v: &Option<String>, what: &str, problems: &mut Vec<String>| match v
                    .as_deref()
                    .map(str::trim)
                {
                    None => Some(None),
                    Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                        Some(Some(u.to_owned()))
                    }
                    Some(_) => {
                        problems.push(format!("editor {name:?}: {what} must be an absolute URL"));
                        None
                    }
                };
                let collaboration_url =
                    absolute(&e.collaboration_url, "collaboration_url", &mut problems);
                let realtime_url = absolute(
                    &e.realtime_channel_url,
                    "realtime_channel_url",
                    &mut problems,
                );
                let geo = e
                    .file_geo_location_code
                    .as_deref()
                    .map(str::trim)
                    .filter(|g| !g.is_empty());
                if geo.is_none() {
                    problems.push(format!(
                        "editor {name:?}: cspp_plus needs file_geo_location_code"
                    ));
                }
                match (collaboration_url, realtime_url, geo) {
                    (Some(collaboration_url), Some(realtime_url), Some(geo)) => {
                        Some(folio_app::editors::CsppPlusConfig {
                            collaboration_url,
                            realtime_url,
                            geo_location_code: geo.to_owned(),
                        })
                    }
                    _ => continue,
                }
            } else {
                None
            };
            editors.push(EditorConfig {
                name,
                discovery: e.discovery,
                enforce_proof_keys: enforce,
                kind,
                cspp_plus,
            });
        }
        let read_secret = |inline: &Option<String>,
                           file: &Option<PathBuf>,
                           what: &str,
                           problems: &mut Vec<String>|
         -> Option<String> {
            match (inline, file) {
                (Some(s), None) if !s.is_empty() => Some(s.clone()),
                (None, Some(p)) => match std::fs::read_to_string(p) {
                    Ok(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    _ => {
                        problems.push(format!("{what}: cannot read a secret from {}", p.display()));
                        None
                    }
                },
                (Some(_), Some(_)) => {
                    problems.push(format!(
                        "{what}: give the secret inline or as a file, not both"
                    ));
                    None
                }
                _ => None,
            }
        };
        let mut integration = IntegrationConfig {
            retry_base_ms: raw
                .webhook_retry_base_ms
                .unwrap_or(10_000)
                .clamp(100, 3_600_000),
            ..Default::default()
        };
        for w in &raw.webhooks {
            if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
                problems.push(format!("webhook url {:?} must be http(s)", w.url));
                continue;
            }
            match read_secret(&w.secret, &w.secret_file, "webhook", &mut problems) {
                Some(secret) => integration.webhooks.push(WebhookConfig {
                    url: w.url.clone(),
                    secret,
                }),
                None => problems.push(format!("webhook {:?} needs a secret", w.url)),
            }
        }
        if let Some(l) = &raw.launch {
            let hs = read_secret(
                &l.hs256_secret,
                &l.hs256_secret_file,
                "launch",
                &mut problems,
            );
            if hs.as_ref().is_some_and(|s| s.len() < 32) {
                problems.push("launch hs256_secret must be at least 32 characters".to_owned());
            }
            let ed = match &l.eddsa_public_key_file {
                Some(p) => match std::fs::read_to_string(p) {
                    Ok(pem) => Some(pem),
                    Err(e) => {
                        problems.push(format!("launch eddsa_public_key_file {}: {e}", p.display()));
                        None
                    }
                },
                None => None,
            };
            if hs.is_none() && ed.is_none() {
                problems
                    .push("[launch] needs hs256_secret(_file) or eddsa_public_key_file".to_owned());
            }
            integration.launch = Some(LaunchConfig {
                hs256_secret: hs,
                eddsa_public_pem: ed,
                audience: l.audience.clone().unwrap_or_else(|| "folio".to_owned()),
            });
        }
        let database = match o.database_url.clone().or(raw.database_url) {
            None => Some(DatabaseConfig::Sqlite(data.join("folio.db"))),
            Some(u) => match DatabaseConfig::parse(&u) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(e);
                    None
                }
            },
        };
        let blobs = match o.blob_url.clone().or(raw.blob_url) {
            None => Some(BlobConfig::Local(data.clone())),
            Some(u) => match BlobConfig::parse(&u) {
                Ok(b) => Some(b),
                Err(e) => {
                    problems.push(e);
                    None
                }
            },
        };
        let database_pool_size = raw.database_pool_size.unwrap_or(16);
        if database_pool_size == 0 || database_pool_size > 1000 {
            problems.push("database_pool_size must be between 1 and 1000".to_owned());
        }
        let sqlite_readers = raw.sqlite_readers.unwrap_or(SQLITE_READERS);
        if sqlite_readers == 0 || sqlite_readers > 64 {
            problems.push("sqlite_readers must be between 1 and 64".to_owned());
        }
        let mut bounded = |name: &str, value: Option<u64>, default: u64, max: u64| -> u64 {
            let v = value.unwrap_or(default);
            if v == 0 || v > max {
                problems.push(format!("{name} {v} must be between 1 and {max}"));
            }
            v
        };
        let serve = folio_http::ServeOptions {
            header_read_timeout: std::time::Duration::from_secs(bounded(
                "header_read_timeout_secs",
                raw.header_read_timeout_secs,
                15,
                3600,
            )),
            body_idle_timeout: std::time::Duration::from_secs(bounded(
                "body_idle_timeout_secs",
                raw.body_idle_timeout_secs,
                60,
                3600,
            )),
            max_connections: usize::try_from(bounded(
                "max_connections",
                raw.max_connections.map(|n| n as u64),
                4096,
                1_000_000,
            ))
            .unwrap_or(4096),
            shutdown_grace: std::time::Duration::from_secs(bounded(
                "shutdown_grace_secs",
                raw.shutdown_grace_secs,
                30,
                3600,
            )),
        };
        let max_token_ttl = bounded(
            "max_token_ttl_secs",
            raw.max_token_ttl_secs,
            86_400,
            7 * 24 * 3600,
        );
        let s3 = folio_store_s3::S3Timeouts {
            read: std::time::Duration::from_secs(bounded(
                "s3_read_timeout_secs",
                raw.s3_read_timeout_secs,
                20,
                3600,
            )),
        };
        let mobile = raw.mobile.unwrap_or_default();
        let provider_id = mobile.provider_id.filter(|p| !p.is_empty());
        if let Some(p) = &provider_id
            && (p.len() > 64
                || !p
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        {
            problems.push(format!(
                "mobile.provider_id {p:?} must be 1-64 letters, digits, '_' or '-'"
            ));
        }
        let oauth_access = mobile.access_token_ttl_secs.unwrap_or(3600);
        if !(60..=86_400).contains(&oauth_access) {
            problems.push(format!(
                "mobile.access_token_ttl_secs {oauth_access} must be between 60 and 86400"
            ));
        }
        let oauth_refresh = mobile.refresh_token_ttl_secs.unwrap_or(30 * 24 * 3600);
        if oauth_refresh > 365 * 24 * 3600 {
            problems.push(format!(
                "mobile.refresh_token_ttl_secs {oauth_refresh} must be at most 31536000 (0 turns refresh off)"
            ));
        }
        let token_client = mobile.editor.filter(|e| !e.is_empty());
        if let Some(e) = &token_client
            && !editors.iter().any(|x| x.name == *e)
        {
            problems.push(format!("mobile.editor {e:?} is not a configured editor"));
        }
        let oauth = folio_app::OAuthConfig {
            provider_id,
            token_client,
            access_token_ttl_ms: oauth_access as i64 * 1000,
            refresh_token_ttl_ms: oauth_refresh as i64 * 1000,
            ..Default::default()
        };
        let audit_retention_days = raw
            .audit
            .as_ref()
            .and_then(|a| a.retention_days)
            .unwrap_or(365);
        if audit_retention_days > 36_500 {
            problems.push(format!(
                "audit.retention_days {audit_retention_days} must be at most 36500 (0 keeps rows for ever)"
            ));
        }
        let trash_retention_days = o
            .trash_retention_days
            .or(raw.trash_retention_days)
            .unwrap_or(30);
        if trash_retention_days > 36_500 {
            problems.push(format!(
                "trash_retention_days {trash_retention_days} must be at most 36500 (0 keeps the trash until it is emptied)"
            ));
        }
        let link_retention_days = raw.link_retention_days.unwrap_or(30);
        if link_retention_days > 36_500 {
            problems.push(format!(
                "link_retention_days {link_retention_days} must be at most 36500 (0 keeps revoked and expired links)"
            ));
        }
        let versions = raw.versions.unwrap_or_default();
        let keep_all_hours = versions.keep_all_hours.unwrap_or(24);
        let hourly_days = versions.hourly_days.unwrap_or(30);
        if !(1..=8760).contains(&keep_all_hours) {
            problems.push(format!(
                "versions.keep_all_hours {keep_all_hours} must be between 1 and 8760"
            ));
        }
        if hourly_days > 3650 || i64::from(hourly_days) * 24 < i64::from(keep_all_hours) {
            problems.push(format!(
                "versions.hourly_days {hourly_days} must be at most 3650 and cover versions.keep_all_hours ({keep_all_hours} h)"
            ));
        }
        let retention = folio_app::retention::RetentionPolicy {
            enabled: versions.thin_autosaves.unwrap_or(true),
            keep_all_ms: i64::from(keep_all_hours) * 3_600_000,
            hourly_ms: i64::from(hourly_days) * 86_400_000,
        };
        let (Some(database), Some(blobs)) = (database, blobs) else {
            return Err(problems.join("; "));
        };
        match (listen, public_url, problems.is_empty()) {
            (Some(listen), Some(public_url), true) => Ok(Settings {
                listen,
                data,
                public_url,
                public_url_from_listen,
                token_ttl_ms: ttl as i64 * 1000,
                max_file_size,
                log: raw.log.unwrap_or_else(|| "info".to_owned()),
                log_format,
                editors,
                dev_editor: o.dev_editor,
                integration,
                no_proof_keys: o.no_proof_keys,
                database,
                blobs,
                database_pool_size,
                sqlite_readers,
                serve,
                max_token_ttl_ms: max_token_ttl as i64 * 1000,
                s3,
                oauth,
                audit_retention_days,
                trash_retention_days,
                link_retention_days,
                retention,
                otlp_endpoint,
            }),
            _ => Err(problems.join("; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_precedence() {
        let s = Settings::load(&Overrides::default());
        let s = s.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.data, PathBuf::from("folio-data"));
        assert_eq!(s.token_ttl_ms, 36_000_000);

        let o = Overrides {
            listen: Some("0.0.0.0:9000".into()),
            public_url: Some("https://docs.example.com/".into()),
            ..Default::default()
        };
        let s = Settings::load(&o).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.public_url, "https://docs.example.com");
    }

    #[test]
    fn trash_retention() {
        let dir = tempfile_dir();
        let load = |toml: &str| {
            let path = dir.join("t.toml");
            let _ = std::fs::write(&path, toml);
            Settings::load(&Overrides {
                config: Some(path),
                ..Default::default()
            })
        };
        assert_eq!(load("").ok().map(|s| s.trash_retention_days), Some(30));
        assert_eq!(
            load("trash_retention_days = 0\n")
                .ok()
                .map(|s| s.trash_retention_days),
            Some(0)
        );
        let e = load("trash_retention_days = 40000\n")
            .err()
            .unwrap_or_default();
        assert!(e.contains("trash_retention_days"), "{e}");
        let flag = Overrides {
            trash_retention_days: Some(7),
            ..Default::default()
        };
        assert_eq!(
            Settings::load(&flag).ok().map(|s| s.trash_retention_days),
            Some(7)
        );
        assert_eq!(load("").ok().map(|s| s.link_retention_days), Some(30));
        assert_eq!(
            load("link_retention_days = 0\n")
                .ok()
                .map(|s| s.link_retention_days),
            Some(0)
        );
        let e = load("link_retention_days = 40000\n")
            .err()
            .unwrap_or_default();
        assert!(e.contains("link_retention_days"), "{e}");
    }

    #[test]
    fn version_retention() {
        let dir = tempfile_dir();
        let load = |toml: &str| {
            let path = dir.join("v.toml");
            let _ = std::fs::write(&path, toml);
            Settings::load(&Overrides {
                config: Some(path),
                ..Default::default()
            })
        };
        let d = load("").map(|s| s.retention).ok();
        assert_eq!(d, Some(folio_app::retention::RetentionPolicy::default()));
        let s = load("[versions]\nkeep_all_hours = 48\nhourly_days = 7\nthin_autosaves = false\n")
            .map(|s| s.retention)
            .ok();
        assert_eq!(
            s,
            Some(folio_app::retention::RetentionPolicy {
                enabled: false,
                keep_all_ms: 48 * 3_600_000,
                hourly_ms: 7 * 86_400_000,
            })
        );
        for bad in [
            "[versions]\nkeep_all_hours = 0\n",
            "[versions]\nhourly_days = 5000\n",
            "[versions]\nkeep_all_hours = 100\nhourly_days = 2\n",
            "[versions]\nkeep = 1\n",
        ] {
            assert!(load(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn audit_retention() {
        let dir = tempfile_dir();
        let load = |toml: &str| {
            let path = dir.join("c.toml");
            let _ = std::fs::write(&path, toml);
            Settings::load(&Overrides {
                config: Some(path),
                ..Default::default()
            })
        };
        assert_eq!(load("").ok().map(|s| s.audit_retention_days), Some(365));
        assert_eq!(
            load("[audit]\nretention_days = 0\n")
                .ok()
                .map(|s| s.audit_retention_days),
            Some(0)
        );
        let e = load("[audit]\nretention_days = 40000\n")
            .err()
            .unwrap_or_default();
        assert!(e.contains("audit.retention_days"), "{e}");
        assert!(load("[audit]\nretention = 3\n").is_err());
    }

    #[test]
    fn every_problem_is_reported() {
        let o = Overrides {
            listen: Some("nope".into()),
            public_url: Some("ftp://x".into()),
            ..Default::default()
        };
        let e = Settings::load(&o).err().unwrap_or_default();
        assert!(
            e.contains("listen address") && e.contains("public URL"),
            "{e}"
        );
    }

    #[test]
    fn mobile_settings() {
        let dir = tempfile_dir();
        let write = |text: &str| {
            let p = dir.join("folio.toml");
            std::fs::write(&p, text).unwrap_or_default();
            Overrides {
                config: Some(p),
                ..Default::default()
            }
        };
        let s = Settings::load(&write(
            "[mobile]\nprovider_id = \"TP_FOLIO\"\nrefresh_token_ttl_secs = 0\n",
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.oauth.provider_id.as_deref(), Some("TP_FOLIO"));
        assert_eq!(s.oauth.refresh_token_ttl_ms, 0);
        assert_eq!(s.oauth.access_token_ttl_ms, 3_600_000);
        let e = Settings::load(&write(
            "[mobile]\nprovider_id = \"a\\\"b\"\naccess_token_ttl_secs = 1\n",
        ))
        .err()
        .unwrap_or_default();
        assert!(
            e.contains("provider_id") && e.contains("access_token_ttl_secs"),
            "{e}"
        );
        let s = Settings::load(&Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.oauth.provider_id, None);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("folio-config-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    }
}
