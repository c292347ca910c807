//! `folio`: the composition root. Parses the command line, loads and validates settings, picks
//! the storage backends, and runs a subcommand. The only crate that reads files and environment
//! variables for configuration.

mod backup;
mod config;
mod doctor;
mod logging;
mod otlp;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use folio_app::editors::{EditorConfig, EditorKind, Editors};
use folio_app::folio_store::local::LocalBlobStore;
use folio_app::folio_store::{ByteStream, NewUser};
use folio_app::{App, AppConfig, AppError};
use folio_store_sqlite::SqliteStore;
use folio_wopi::clock::SystemClock;
use folio_wopi::{FileId, WopiError};

use crate::config::{BlobConfig, DatabaseConfig, LogFormat, Overrides, Settings};
use folio_app::folio_store::{BlobStore, MetadataStore};
use folio_store_postgres::PostgresStore;
use folio_store_s3::S3BlobStore;

/// Folio: a WOPI host for Microsoft 365 for the web, Collabora Online and ONLYOFFICE.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about)]
struct Cli {
    /// Data directory (metadata database and blobs).
    #[arg(long, global = true, env = "FOLIO_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long, global = true, env = "FOLIO_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The origin WOPI clients and browsers see (used in WOPISrc and every returned URL).
    #[arg(long, global = true, env = "FOLIO_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Metadata database: sqlite://PATH (default: <data>/folio.db) or postgres://….
    #[arg(long, global = true, env = "FOLIO_DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
    /// Blob storage: a local directory (default: <data>) or s3://bucket/prefix (AWS_* env).
    #[arg(long, global = true, env = "FOLIO_BLOB_URL", value_name = "URL")]
    blob_url: Option<String>,
    /// Log line format: text (default) or json (one object per line; docs/LOGGING.md).
    #[arg(long, global = true, env = "FOLIO_LOG_FORMAT", value_name = "FORMAT")]
    log_format: Option<String>,
    /// Send a trace span per request to this OpenTelemetry collector (OTLP/HTTP, JSON), e.g.
    /// http://otel-collector:4318 (`serve` only).
    #[arg(long, global = true, env = "FOLIO_OTLP_ENDPOINT", value_name = "URL")]
    otlp_endpoint: Option<String>,
    /// Days a deleted item stays in the trash before the sweep deletes it for good (default
    /// 30; 0: until its owner empties the trash).
    #[arg(
        long,
        global = true,
        env = "FOLIO_TRASH_RETENTION_DAYS",
        value_name = "DAYS"
    )]
    trash_retention_days: Option<u32>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "FOLIO_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        /// A WOPI client's discovery URL or a local discovery file (repeatable).
        #[arg(
            long,
            env = "FOLIO_DISCOVERY",
            value_delimiter = ',',
            value_name = "URL_OR_PATH"
        )]
        discovery: Vec<String>,
        /// Do not verify proof keys (development only; every WOPI request is then trusted).
        #[arg(long)]
        no_proof_keys: bool,
        /// Serve the development editor at /dev-editor and use it as an editor.
        #[arg(long, env = "FOLIO_DEV_EDITOR")]
        dev_editor: bool,
        /// Run pending database migrations before serving (PostgreSQL; SQLite always does).
        #[arg(long)]
        migrate: bool,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Manage users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Manage files.
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// Mint a WOPI access token for a user and a file; prints JSON.
    Token {
        /// The user's login.
        #[arg(long)]
        user: String,
        /// The file id.
        #[arg(long)]
        file: String,
        /// Lifetime in seconds (default: the configured token lifetime; at most
        /// `max_token_ttl_secs`, default 86400).
        #[arg(long, value_name = "SECONDS")]
        ttl: Option<u64>,
        /// Read-only token.
        #[arg(long)]
        view: bool,
        /// Bind the token to this configured editor (its proof keys and CheckFileInfo shape,
        /// e.g. CSPP Plus).
        #[arg(long, value_name = "EDITOR")]
        client: Option<String>,
    },
    /// Manage integration API keys.
    ApiKeys {
        #[command(subcommand)]
        command: ApiKeysCommand,
    },
    /// Manage the OAuth clients of Office mobile's bootstrapper (Microsoft's Identity Service).
    OauthClients {
        #[command(subcommand)]
        command: OAuthClientsCommand,
    },
    /// Copy the database (SQLite, consistent, while Folio runs) and every blob it references
    /// into DEST, with a manifest; prints a JSON summary.
    Backup {
        /// A new or empty directory.
        dest: PathBuf,
    },
    /// Bring a backup back into an empty data directory (--data, --database-url, --blob-url).
    Restore {
        /// A directory written by `folio backup`.
        src: PathBuf,
        /// Overwrite a data directory that is not empty (stop Folio first).
        #[arg(long)]
        force: bool,
    },
    /// Check the configuration the way an editor sees it (storage, database, public URL, each
    /// editor's discovery and proof keys, TLS, clocks); prints one line per check with what to
    /// change, and exits 1 when a check fails. Takes `serve`'s settings.
    Doctor {
        /// A WOPI client's discovery URL or a local discovery file (repeatable), as for `serve`.
        #[arg(
            long,
            env = "FOLIO_DISCOVERY",
            value_delimiter = ',',
            value_name = "URL_OR_PATH"
        )]
        discovery: Vec<String>,
        /// As for `serve`: proof keys are not verified.
        #[arg(long)]
        no_proof_keys: bool,
        /// The server runs the development editor (`serve --dev-editor`): check it too.
        #[arg(long, env = "FOLIO_DEV_EDITOR")]
        dev_editor: bool,
    },
    /// Benchmark only (bench/run.sh --size): fills the database with generated users,
    /// folders and metadata-only files, many thousand rows a transaction; prints JSON.
    #[command(hide = true)]
    BenchFill {
        /// Users.
        #[arg(long, default_value_t = 10_000)]
        users: usize,
        /// Folders (spread over the users' roots).
        #[arg(long, default_value_t = 100_000)]
        folders: usize,
        /// Files.
        #[arg(long, default_value_t = 1_000_000)]
        files: usize,
        /// Files in each folder `big`.
        #[arg(long, default_value_t = 10_000)]
        big_folder: usize,
        /// An existing user (login or external id) who gets a folder `big` (repeatable).
        #[arg(long = "big-owner", value_name = "LOGIN")]
        big_owners: Vec<String>,
    },
    /// Delete orphaned blobs, interrupted uploads and expired tokens now.
    Sweep {
        /// Only collect items older than this many seconds.
        #[arg(long, default_value_t = 3600)]
        grace: u64,
        /// Sweep as if the clock read this Unix time in ms (retention checks; not for normal
        /// use).
        #[arg(long, hide = true, value_name = "MS")]
        now_ms: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
enum ApiKeysCommand {
    /// Create a key; prints it once as JSON {"id","key","scopes"}.
    Create {
        /// A name for the key (e.g. the application's).
        name: String,
        /// Scopes: files, sessions, admin (repeatable; default files + sessions).
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id.
    Revoke {
        /// The key id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum OAuthClientsCommand {
    /// Register a client; prints it once as JSON {"client_id","client_secret"}.
    Add {
        /// A name for people (shown on the consent page), e.g. "Office".
        name: String,
        /// A redirect URI, compared byte for byte (repeatable; at least one), e.g.
        /// https://localhost.
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
    },
    /// List clients, one JSON object a line (never their secrets).
    List,
    /// Remove a client with every grant and token it was given.
    Remove {
        /// The client id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create a user.
    Add(UsersAdd),
    /// List users, one JSON object a line (login, name, email, admin, disabled, external).
    List,
    /// Disable a user for good: ends its sign-in sessions, access tokens and editing sessions.
    Disable {
        /// Sign-in name.
        login: String,
    },
    /// Re-enable a user (nothing issued before the disable comes back).
    Enable {
        /// Sign-in name.
        login: String,
    },
    /// Set a user's password (ends its sign-in sessions).
    SetPassword {
        /// Sign-in name.
        login: String,
        /// Read the password from standard input (first line); required.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Forget a user's failed sign-ins (lifts the sign-in throttling for every source).
    Unlock {
        /// Sign-in name.
        login: String,
    },
}

/// Reads a password from the first line of standard input (at least 8 characters) and hashes it.
fn password_from_stdin() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let pw = line.trim_end_matches(['\r', '\n']);
    if pw.len() < 8 {
        return Err(Failure::usage("password must be at least 8 characters"));
    }
    folio_app::tokens::hash_password(pw).map_err(Failure::usage)
}

#[derive(Debug, Args)]
struct UsersAdd {
    /// Sign-in name.
    login: String,
    /// Display name (default: the login).
    #[arg(long)]
    name: Option<String>,
    /// E-mail address.
    #[arg(long)]
    email: Option<String>,
    /// Make the user an administrator.
    #[arg(long)]
    admin: bool,
    /// Read a password from standard input (first line).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
enum FilesCommand {
    /// Import a local file; prints the new file id.
    Put {
        /// The file to import.
        local_path: PathBuf,
        /// Owner's login.
        #[arg(long)]
        owner: String,
        /// Folder path under the owner's root, e.g. "Projects/2026" (created if missing).
        #[arg(long)]
        folder: Option<String>,
        /// Name in Folio (default: the local file name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Add a version to an existing file as if saved at `--at` (Unix ms) with `--kind`
    /// (autosave, save, exit, upload, restore): seeds histories for version-retention tests
    /// and for imports from another system. Prints the new version number.
    #[command(hide = true)]
    PutVersion {
        /// The content.
        local_path: PathBuf,
        /// The file id.
        #[arg(long)]
        file: String,
        /// How it was saved.
        #[arg(long, default_value = "autosave")]
        kind: String,
        /// When (Unix ms; default now).
        #[arg(long)]
        at: Option<i64>,
    },
}

/// A failure with the exit code it deserves: 2 for bad input (nothing was written), 1 otherwise.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self {
            code: 1,
            message: format!("{e:#}"),
        }
    }
}

fn app_failure(e: AppError, what: &str) -> Failure {
    match e {
        AppError::Wopi(WopiError::BadRequest(m)) => Failure::usage(format!("{what}: {m}")),
        AppError::Wopi(WopiError::FileNotFound) => {
            Failure::usage(format!("{what}: no such file, or the user cannot see it"))
        }
        AppError::Wopi(WopiError::NameExists { .. }) => Failure::usage(format!(
            "{what}: a file with that name already exists there"
        )),
        AppError::Wopi(WopiError::InvalidName { reason, .. }) => {
            Failure::usage(format!("{what}: invalid name: {reason}"))
        }
        AppError::Store(folio_app::folio_store::StoreError::AlreadyExists) => {
            Failure::usage(format!("{what}: already exists"))
        }
        other => Failure {
            code: 1,
            message: format!("{what}: {other}"),
        },
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        config: cli.config.clone(),
        data: cli.data.clone(),
        listen: None,
        public_url: cli.public_url.clone(),
        database_url: cli.database_url.clone(),
        blob_url: cli.blob_url.clone(),
        log_format: cli.log_format.clone(),
        trash_retention_days: cli.trash_retention_days,
        otlp_endpoint: cli
            .otlp_endpoint
            .clone()
            .or_else(|| std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT").ok()),
        ..Default::default()
    };
    let mut overrides = overrides;
    if let Command::Serve {
        listen,
        discovery,
        no_proof_keys,
        dev_editor,
        ..
    } = &cli.command
    {
        overrides.listen = listen.clone();
        overrides.discovery = discovery.clone();
        overrides.no_proof_keys = *no_proof_keys;
        overrides.dev_editor = *dev_editor;
    }
    if let Command::Doctor {
        discovery,
        no_proof_keys,
        dev_editor,
    } = &cli.command
    {
        overrides.discovery = discovery.clone();
        overrides.no_proof_keys = *no_proof_keys;
        overrides.dev_editor = *dev_editor;
    }
    let settings = match Settings::load(&overrides) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("folio: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let otlp = init_logging(&settings, matches!(cli.command, Command::Serve { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("folio: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let flusher = otlp.map(|(exporter, flusher)| {
        runtime.spawn(exporter.run());
        flusher
    });
    let result = runtime.block_on(run(cli.command, settings));
    if let Some(f) = flusher {
        // The spans of the last requests before shutdown.
        runtime.block_on(f.flush(std::time::Duration::from_secs(3)));
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("folio: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Logging to stderr (text or JSON), plus — when serving with `otlp_endpoint` — the OTLP span
/// layer, whose exporter is returned to be run on the runtime. The log filter applies to the
/// log lines only: the span layer always sees the request events.
fn init_logging(settings: &Settings, serving: bool) -> Option<(otlp::Exporter, otlp::Flusher)> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer};
    let default = if serving {
        settings.log.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = match settings.log_format {
        LogFormat::Text => fmt.with_filter(filter).boxed(),
        LogFormat::Json => fmt
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(logging::FlatJson)
            .with_filter(filter)
            .boxed(),
    };
    let (span_layer, exporter) = match settings.otlp_endpoint.as_deref().filter(|_| serving) {
        Some(endpoint) => {
            let (layer, exporter, flusher) = otlp::layer(endpoint);
            let only_requests = tracing_subscriber::filter::Targets::new()
                .with_target("folio_http::middleware", tracing::Level::INFO);
            (
                Some(layer.with_filter(only_requests)),
                Some((exporter, flusher)),
            )
        }
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(fmt)
        .with(span_layer)
        .init();
    exporter
}

async fn open_app(settings: &Settings, create: bool) -> Result<App, Failure> {
    open_app_with(settings, create, Vec::new()).await
}

async fn open_stores(
    settings: &Settings,
    create: bool,
    migrate: bool,
) -> Result<(Arc<dyn MetadataStore>, Arc<dyn BlobStore>), Failure> {
    let meta: Arc<dyn MetadataStore> = match &settings.database {
        DatabaseConfig::Sqlite(path) => {
            if !create && !path.exists() {
                return Err(Failure::usage(format!(
                    "no Folio data in {} (create a user first with `folio users add`, or pass --data)",
                    settings.data.display()
                )));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            Arc::new(
                SqliteStore::open_with(path, settings.sqlite_readers)
                    .await
                    .context("cannot open the SQLite metadata database")?,
            )
        }
        DatabaseConfig::Postgres(url) => {
            let store = PostgresStore::connect(url, settings.database_pool_size)
                .await
                .map_err(|e| {
                    Failure::from(anyhow::anyhow!(
                        "cannot connect to PostgreSQL at {}: {e}",
                        settings.database.redacted()
                    ))
                })?;
            if migrate {
                store
                    .migrate()
                    .await
                    .map_err(|e| Failure::from(anyhow::anyhow!("migration failed: {e}")))?;
            }
            Arc::new(store)
        }
    };
    let blobs = open_blobs(settings).await?;
    Ok((meta, blobs))
}

async fn open_blobs(settings: &Settings) -> Result<Arc<dyn BlobStore>, Failure> {
    Ok(match &settings.blobs {
        BlobConfig::Local(dir) => Arc::new(
            LocalBlobStore::open(dir)
                .await
                .context("cannot open the blob directory")?,
        ),
        BlobConfig::S3(url) => Arc::new(S3BlobStore::from_url_with(url, settings.s3).map_err(|e| {
            Failure::usage(format!("blob storage {url}: {e} (set AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"))
        })?),
    })
}

/// The SQLite database file, or the usage error of a command that handles SQLite only.
fn sqlite_path<'a>(settings: &'a Settings, what: &str) -> Result<&'a std::path::Path, Failure> {
    match &settings.database {
        DatabaseConfig::Sqlite(p) => Ok(p),
        DatabaseConfig::Postgres(_) => Err(Failure::usage(format!(
            "{what} handles SQLite databases; for PostgreSQL follow docs/OPERATIONS.md (pg_dump first, then copy the blobs)"
        ))),
    }
}

/// `folio bench-fill`: the size runs' generator (`folio_store::sql::bulk`), on the concrete
/// store (the generator is not a `MetadataStore` method).
async fn bench_fill(
    settings: &Settings,
    spec: &folio_app::folio_store::sql::bulk::FillSpec,
) -> Result<(), Failure> {
    use folio_app::folio_store::sql::bulk;
    let started = std::time::Instant::now();
    let report = match &settings.database {
        DatabaseConfig::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let store = SqliteStore::open(path)
                .await
                .context("cannot open the SQLite metadata database")?;
            let r = bulk::fill(&store, spec, now_ms()).await;
            store.close().await;
            r
        }
        DatabaseConfig::Postgres(url) => {
            let store = PostgresStore::connect(url, settings.database_pool_size)
                .await
                .map_err(|e| Failure::from(anyhow::anyhow!("cannot connect to PostgreSQL: {e}")))?;
            bulk::fill(&store, spec, now_ms()).await
        }
    }
    .map_err(|e| Failure::from(anyhow::anyhow!("bench-fill failed: {e}")))?;
    for big in &report {
        println!(
            "{{\"owner\":\"{}\",\"big_folder\":\"{}\",\"big_file\":\"{}\"}}",
            big.owner, big.folder_id, big.file_id
        );
    }
    eprintln!(
        "bench-fill: {} users, {} folders, {} files in {:.1} s",
        spec.users,
        spec.folders,
        spec.files,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

async fn open_app_with(
    settings: &Settings,
    create: bool,
    editors: Vec<EditorConfig>,
) -> Result<App, Failure> {
    open_app_migrating(settings, create, editors, false, Arc::new(SystemClock)).await
}

async fn open_app_migrating(
    settings: &Settings,
    create: bool,
    editors: Vec<EditorConfig>,
    migrate: bool,
    clock: Arc<dyn folio_wopi::clock::Clock>,
) -> Result<App, Failure> {
    let (meta, blobs) = open_stores(settings, create, migrate).await?;
    std::fs::create_dir_all(&settings.data)
        .with_context(|| format!("cannot create data directory {}", settings.data.display()))?;
    let config = AppConfig {
        public_url: settings.public_url.clone(),
        token_ttl_ms: settings.token_ttl_ms,
        max_file_size: settings.max_file_size,
        integration: settings.integration.clone(),
        oauth: settings.oauth.clone(),
        spool_dir: settings.data.join("spool"),
        audit_retention_days: settings.audit_retention_days,
        trash_retention_days: settings.trash_retention_days,
        link_retention_days: settings.link_retention_days,
        retention: settings.retention,
        ..AppConfig::default()
    };
    // The process's one metrics registry: the editors count into it and the App shares it.
    let metrics = Arc::new(folio_app::metrics::Metrics::new());
    let editors =
        Arc::new(Editors::with_metrics(editors, settings.data.join("discovery"), metrics).await);
    App::new(meta, blobs, clock, config, editors)
        .await
        .map_err(|e| app_failure(e, "cannot start"))
}

async fn run(command: Command, settings: Settings) -> Result<(), Failure> {
    // Every command but `serve` acts through the command line (the audit trail says so);
    // `serve`'s requests get their own context from the HTTP layer.
    let via = match command {
        Command::Serve { .. } => folio_app::audit::Via::System,
        _ => folio_app::audit::Via::Cli,
    };
    folio_app::audit::scope(
        folio_app::audit::Origin::default(),
        via,
        run_command(command, settings),
    )
    .await
}

async fn run_command(command: Command, mut settings: Settings) -> Result<(), Failure> {
    match command {
        Command::Serve { migrate, .. } => serve(settings, migrate).await,
        Command::BenchFill {
            users,
            folders,
            files,
            big_folder,
            big_owners,
        } => {
            let spec = folio_app::folio_store::sql::bulk::FillSpec {
                users,
                folders,
                files,
                big_folder,
                big_owners,
            };
            bench_fill(&settings, &spec).await
        }
        Command::Migrate => {
            match &settings.database {
                DatabaseConfig::Sqlite(_) => {
                    open_app(&settings, true).await?;
                    println!(
                        "SQLite migrations applied ({})",
                        settings.database.redacted()
                    );
                }
                DatabaseConfig::Postgres(_) => {
                    open_stores(&settings, true, true).await?;
                    println!(
                        "PostgreSQL migrations applied ({})",
                        settings.database.redacted()
                    );
                }
            }
            Ok(())
        }
        Command::Users {
            command: UsersCommand::Add(add),
        } => {
            if !folio_app::integration::valid_local_login(&add.login) {
                return Err(Failure::usage(
                    "login must be 1-64 characters without spaces or control characters, \
                     not starting with \"ext:\" (reserved for external users)",
                ));
            }
            let password_hash = if add.password_stdin {
                Some(password_from_stdin()?)
            } else {
                None
            };
            let app = open_app(&settings, true).await?;
            let user = app
                .create_user(NewUser {
                    name: add.name.unwrap_or_else(|| add.login.clone()),
                    login: add.login,
                    email: add.email.unwrap_or_default(),
                    is_admin: add.admin,
                    password_hash,
                })
                .await
                .map_err(|e| app_failure(e, "cannot add user"))?;
            println!("{}", user.id);
            Ok(())
        }
        Command::Users {
            command: UsersCommand::List,
        } => {
            let app = open_app(&settings, false).await?;
            let users = app
                .admin_users()
                .await
                .map_err(|e| app_failure(e, "cannot list users"))?;
            for u in users {
                println!(
                    "{}",
                    serde_json::json!({
                        "id": u.id,
                        "login": u.login,
                        "name": u.name,
                        "email": u.email,
                        "admin": u.is_admin,
                        "disabled": u.disabled,
                        "external": u.login.starts_with(folio_app::integration::EXTERNAL_LOGIN_PREFIX),
                    })
                );
            }
            Ok(())
        }
        Command::Users {
            command: UsersCommand::Disable { login },
        } => {
            let app = open_app(&settings, false).await?;
            app.disable_login(&login)
                .await
                .map_err(|e| app_failure(e, &format!("cannot disable {login:?}")))?;
            println!("disabled {login}");
            Ok(())
        }
        Command::Users {
            command: UsersCommand::Enable { login },
        } => {
            let app = open_app(&settings, false).await?;
            app.enable_login(&login)
                .await
                .map_err(|e| app_failure(e, &format!("cannot enable {login:?}")))?;
            println!("enabled {login}");
            Ok(())
        }
        Command::Users {
            command:
                UsersCommand::SetPassword {
                    login,
                    password_stdin,
                },
        } => {
            if !password_stdin {
                return Err(Failure::usage(
                    "pass --password-stdin and the new password on standard input",
                ));
            }
            let hash = password_from_stdin()?;
            let app = open_app(&settings, false).await?;
            app.set_password_hash_for_login(&login, &hash)
                .await
                .map_err(|e| app_failure(e, &format!("cannot set the password of {login:?}")))?;
            println!("password set for {login}");
            Ok(())
        }
        Command::Users {
            command: UsersCommand::Unlock { login },
        } => {
            let app = open_app(&settings, false).await?;
            let n = app
                .unlock_login(&login)
                .await
                .map_err(|e| app_failure(e, &format!("cannot unlock {login:?}")))?;
            println!("unlocked {login} ({n} failed sign-ins forgotten)");
            Ok(())
        }
        Command::Files {
            command:
                FilesCommand::Put {
                    local_path,
                    owner,
                    folder,
                    name,
                },
        } => {
            let meta = std::fs::metadata(&local_path).map_err(|e| {
                Failure::usage(format!("cannot read {}: {e}", local_path.display()))
            })?;
            if !meta.is_file() {
                return Err(Failure::usage(format!(
                    "{} is not a file",
                    local_path.display()
                )));
            }
            let name = match name {
                Some(n) => n,
                None => local_path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        Failure::usage("the local file name is not UTF-8; pass --name")
                    })?,
            };
            let folder: Vec<String> = folder
                .unwrap_or_default()
                .split('/')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
            let app = open_app(&settings, false).await?;
            let file = tokio::fs::File::open(&local_path)
                .await
                .with_context(|| format!("cannot open {}", local_path.display()))?;
            let body: ByteStream = Box::pin(tokio_util_stream(file));
            let record = app
                .import_file(&owner, &folder, &name, body)
                .await
                .map_err(|e| app_failure(e, "cannot import file"))?;
            println!("{}", record.id);
            Ok(())
        }
        Command::Files {
            command:
                FilesCommand::PutVersion {
                    local_path,
                    file,
                    kind,
                    at,
                },
        } => {
            let id = FileId::parse(&file)
                .map_err(|_| Failure::usage(format!("{file:?} is not a file id")))?;
            let kind = match kind.as_str() {
                "autosave" | "save" | "exit" | "upload" | "restore" => {
                    folio_app::folio_store::VersionKind::parse(&kind)
                }
                other => {
                    return Err(Failure::usage(format!(
                        "--kind {other:?} is not one of autosave, save, exit, upload, restore"
                    )));
                }
            };
            let app = open_app(&settings, false).await?;
            let f = tokio::fs::File::open(&local_path)
                .await
                .with_context(|| format!("cannot open {}", local_path.display()))?;
            let body: ByteStream = Box::pin(tokio_util_stream(f));
            let record = app
                .import_version(&id, body, kind, at)
                .await
                .map_err(|e| app_failure(e, "cannot add the version"))?;
            println!("{}", record.version);
            Ok(())
        }
        Command::Token {
            user,
            file,
            ttl,
            view,
            client,
        } => {
            let file_id = FileId::parse(&file)
                .map_err(|_| Failure::usage(format!("{file:?} is not a file id")))?;
            if ttl == Some(0) {
                return Err(Failure::usage("--ttl must be positive"));
            }
            if let Some(t) = ttl
                && i64::try_from(t)
                    .map_or(true, |t| t.saturating_mul(1000) > settings.max_token_ttl_ms)
            {
                return Err(Failure::usage(format!(
                    "--ttl {t} is longer than max_token_ttl_secs ({} s)",
                    settings.max_token_ttl_ms / 1000
                )));
            }
            // The configured editors, so that --client names one of them.
            let app = open_app_with(&settings, false, settings.editors.clone()).await?;
            let minted = app
                .mint_token_for_login(
                    &user,
                    &file_id,
                    view,
                    ttl.map(|s| s as i64 * 1000),
                    client.as_deref(),
                )
                .await
                .map_err(|e| app_failure(e, "cannot mint token"))?;
            let out = serde_json::json!({
                "wopi_src": minted.wopi_src,
                "access_token": minted.access_token,
                "access_token_ttl": minted.access_token_ttl,
            });
            println!("{out}");
            Ok(())
        }
        Command::ApiKeys { command } => {
            let app = open_app(&settings, true).await?;
            match command {
                ApiKeysCommand::Create { name, scopes } => {
                    let k = app
                        .create_api_key(&name, &scopes)
                        .await
                        .map_err(|e| app_failure(e, "cannot create API key"))?;
                    println!(
                        "{}",
                        serde_json::json!({"id": k.key.id, "name": k.key.name, "key": k.secret, "scopes": k.key.scopes})
                    );
                }
                ApiKeysCommand::List => {
                    let keys = app
                        .list_api_keys()
                        .await
                        .map_err(|e| app_failure(e, "cannot list API keys"))?;
                    for k in keys {
                        println!(
                            "{}",
                            serde_json::json!({"id": k.id, "name": k.name, "scopes": k.scopes, "revoked": k.revoked_at.is_some()})
                        );
                    }
                }
                ApiKeysCommand::Revoke { id } => {
                    let done = app
                        .revoke_api_key(&id)
                        .await
                        .map_err(|e| app_failure(e, "cannot revoke API key"))?;
                    if !done {
                        return Err(Failure::usage(format!("no live API key {id:?}")));
                    }
                    println!("revoked {id}");
                }
            }
            Ok(())
        }
        Command::OauthClients { command } => {
            let app = open_app(&settings, true).await?;
            match command {
                OAuthClientsCommand::Add {
                    name,
                    redirect_uris,
                } => {
                    if redirect_uris.is_empty() {
                        return Err(Failure::usage(
                            "give at least one --redirect-uri (e.g. https://localhost)",
                        ));
                    }
                    let c = app
                        .add_oauth_client(&name, &redirect_uris)
                        .await
                        .map_err(|e| app_failure(e, "cannot add OAuth client"))?;
                    println!(
                        "{}",
                        serde_json::json!({"client_id": c.client.id, "client_secret": c.secret})
                    );
                }
                OAuthClientsCommand::List => {
                    let clients = app
                        .list_oauth_clients()
                        .await
                        .map_err(|e| app_failure(e, "cannot list OAuth clients"))?;
                    for c in clients {
                        println!(
                            "{}",
                            serde_json::json!({"client_id": c.id, "name": c.name, "redirect_uris": c.redirect_uris, "created_at": c.created_at})
                        );
                    }
                }
                OAuthClientsCommand::Remove { id } => {
                    let done = app
                        .remove_oauth_client(&id)
                        .await
                        .map_err(|e| app_failure(e, "cannot remove OAuth client"))?;
                    if !done {
                        return Err(Failure::usage(format!("no OAuth client {id:?}")));
                    }
                    println!("removed {id}");
                }
            }
            Ok(())
        }
        Command::Backup { dest } => {
            let db = sqlite_path(&settings, "folio backup")?;
            let blobs = open_blobs(&settings).await?;
            let m = backup::backup(db, &*blobs, &dest, now_ms()).await?;
            println!(
                "{}",
                serde_json::json!({"backup": dest.display().to_string(), "versions": m.versions, "blobs": m.blob_count, "bytes": m.blob_bytes})
            );
            Ok(())
        }
        Command::Restore { src, force } => {
            let db = sqlite_path(&settings, "folio restore")?.to_owned();
            let data = settings.data.clone();
            // Check emptiness before the blob store creates its directories.
            if !force && backup::data_in_use(&data, &db)? {
                return Err(Failure::usage(format!(
                    "{} is not empty: restore into an empty data directory, or pass --force to overwrite (stop Folio first)",
                    data.display()
                )));
            }
            let manifest = backup::verify(&src).await?;
            let blobs = open_blobs(&settings).await?;
            let m = backup::restore(&src, manifest, &db, &*blobs).await?;
            println!(
                "{}",
                serde_json::json!({"restored": src.display().to_string(), "versions": m.versions, "blobs": m.blob_count, "bytes": m.blob_bytes})
            );
            Ok(())
        }
        Command::Doctor { dev_editor, .. } => {
            let checks = doctor::gather(&settings, dev_editor).await;
            print!("{}", doctor::render(&checks));
            if checks.iter().any(|c| c.status == doctor::Status::Fail) {
                return Err(Failure {
                    code: 1,
                    message: "some checks failed (see the advice above)".into(),
                });
            }
            Ok(())
        }
        Command::Sweep { grace, now_ms } => {
            settings.public_url_from_listen = false;
            let clock: Arc<dyn folio_wopi::clock::Clock> = match now_ms {
                Some(ms) => Arc::new(folio_wopi::clock::FixedClock::new(ms)),
                None => Arc::new(SystemClock),
            };
            let app = open_app_migrating(&settings, false, Vec::new(), false, clock).await?;
            let r = app
                .sweep(grace as i64 * 1000)
                .await
                .map_err(|e| app_failure(e, "sweep failed"))?;
            println!(
                "{{\"orphan_blobs\":{},\"incomplete_uploads\":{},\"expired_tokens\":{},\"expired_oauth\":{},\"purged_audit\":{},\"purged_trash\":{},\"purged_links\":{},\"dropped_versions\":{},\"freed_bytes\":{}}}",
                r.orphan_blobs,
                r.incomplete_uploads,
                r.expired_tokens,
                r.expired_oauth,
                r.purged_audit,
                r.purged_trash,
                r.purged_links,
                r.dropped_versions,
                r.freed_bytes
            );
            Ok(())
        }
    }
}

fn tokio_util_stream(
    file: tokio::fs::File,
) -> impl futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send {
    tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024)
}

async fn serve(mut settings: Settings, migrate: bool) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", settings.listen)))?;
    let bound = listener
        .local_addr()
        .context("cannot read the bound address")?;
    if settings.public_url_from_listen {
        settings.public_url = format!("http://{bound}");
    }
    let mut editors = settings.editors.clone();
    let dev_editor = if settings.dev_editor {
        std::fs::create_dir_all(&settings.data)
            .with_context(|| format!("cannot create data directory {}", settings.data.display()))?;
        let dev = folio_dev_editor::DevEditor::open(
            settings.public_url.clone(),
            settings.data.join("dev-editor-keys.json"),
        )
        .await
        .map_err(|e| Failure::from(anyhow::anyhow!("cannot start the development editor: {e}")))?;
        editors.insert(
            0,
            EditorConfig {
                name: "dev".into(),
                discovery: dev.discovery_url(),
                enforce_proof_keys: !settings.no_proof_keys,
                kind: Some(EditorKind::Dev),
                cspp_plus: None,
            },
        );
        Some(dev)
    } else {
        None
    };
    let app = Arc::new(
        open_app_migrating(&settings, true, editors, migrate, Arc::new(SystemClock)).await?,
    );

    // Discovery: fetch now (in the background, so an unreachable editor never blocks start-up;
    // the persisted copies are already loaded) and every 12 hours.
    let refresher = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(12 * 3600));
        loop {
            tick.tick().await;
            refresher.editors().refresh_all().await;
        }
    });

    // Background sweep: orphan blobs and interrupted uploads older than an hour, expired tokens.
    let sweeper = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match sweeper.sweep(3600 * 1000).await {
                Ok(r) => tracing::info!(
                    sweep.orphan_blobs = r.orphan_blobs,
                    sweep.incomplete_uploads = r.incomplete_uploads,
                    sweep.expired_tokens = r.expired_tokens,
                    sweep.purged_audit = r.purged_audit,
                    sweep.purged_trash = r.purged_trash,
                    sweep.purged_links = r.purged_links,
                    sweep.dropped_versions = r.dropped_versions,
                    sweep.freed_bytes = r.freed_bytes,
                    "sweep done"
                ),
                Err(e) => tracing::warn!(error = %e, "sweep failed"),
            }
        }
    });

    // Webhook deliveries from the outbox, and expired locks reported as lock.expired.
    let deliverer = app.clone();
    tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            n += 1;
            if let Err(e) = deliverer.deliver_due(&http).await {
                tracing::warn!(error = %e, "webhook delivery round failed");
            }
            if n.is_multiple_of(20)
                && let Err(e) = deliverer.expire_locks().await
            {
                tracing::warn!(error = %e, "lock expiry round failed");
            }
        }
    });

    if dev_editor.is_some() {
        tracing::warn!("development editor enabled at /dev-editor (not for production)");
    }
    let nested = dev_editor
        .as_ref()
        .map(|dev| (folio_dev_editor::MOUNT_PATH, dev.router()));
    // First-run setup: no users yet → a one-time code, in memory, printed once (a secret, but
    // printing it to whoever runs the server is its purpose).
    let setup = app
        .open_setup()
        .await
        .map_err(|e| app_failure(e, "cannot check for users"))?;
    let router = folio_http::router_with(folio_http::AppState { app }, nested);
    // The first line on stdout is the contract for scripts and tests that start Folio on port 0;
    // the setup line (if any) follows in the same write, so a reader that stops after the
    // banner never makes a later write fail.
    let mut banner = format!(
        "folio listening on http://{bound} (public URL {})\n",
        settings.public_url
    );
    if let Some(code) = &setup {
        banner.push_str(&format!(
            "folio setup: open {}/setup?code={code} to create the first administrator (works once, until a restart)\n",
            settings.public_url
        ));
    }
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes());
        let _ = out.flush();
    }
    if setup.is_some() {
        tracing::warn!(
            "no users yet: the one-time setup URL is on standard output (or run `folio users add LOGIN --admin --password-stdin`)"
        );
    }
    tracing::info!(listen = %bound, public_url = %settings.public_url, data = %settings.data.display(), database = %settings.database.redacted(), "folio started");
    if settings.no_proof_keys {
        tracing::warn!("proof keys are NOT verified (--no-proof-keys): development only");
    }
    if !settings.public_url.starts_with("https://") {
        tracing::warn!(
            public_url = %settings.public_url,
            "the public URL is not https: Microsoft 365 (and Office mobile's bootstrapper, /wopibootstrapper) require TLS; serving over http for development"
        );
    }
    folio_http::serve_with(listener, router, shutdown_signal(), settings.serve)
        .await
        .context("server error")?;
    tracing::info!("folio stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
