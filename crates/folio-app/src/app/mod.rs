//! The use cases. Every WOPI operation starts with `authorize`, which turns an access token and
//! the file id of the URL into a `Principal` (user, file, role) or a 401/404 condition.

use std::sync::Arc;

use base64::Engine;
use folio_store::metadata::WriteCheck;
use folio_store::*;
use folio_wopi::clock::Clock;
use folio_wopi::coauth::{CoauthLockType, CoauthRequest};
use folio_wopi::lock::{self, LockOptions, LockRequest, LockState};
use folio_wopi::operation::{Permission, WopiOperation};
use folio_wopi::proof::ProofHeaders;
use folio_wopi::wire::{self, CheckFileInfo};
use folio_wopi::{FileId, LockId, WopiError, naming};
use hmac::{KeyInit, Mac};

use crate::editors::{EditorKind, Editors};
use crate::error::AppError;
use crate::tokens;

mod access;
mod activities;
mod admin;
mod bootstrap;
mod chunked;
mod coauth;
mod containers;
mod contents;
mod file_info;
mod files;
mod locks;
mod oauth;
mod relative;

pub use access::*;
pub use admin::*;
pub use bootstrap::*;
pub use chunked::*;
pub use coauth::*;
pub use containers::*;
pub use contents::*;
pub use file_info::Licensing;
pub use oauth::*;
pub use relative::*;

/// Settings the use cases need (validated by the binary).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The origin WOPI clients and browsers see, without a trailing slash
    /// (e.g. `https://folio.example.com`). Every URL Folio returns starts with it.
    pub public_url: String,
    /// Lifetime of an access token minted from a primary login, in ms (default 10 h).
    pub token_ttl_ms: i64,
    /// Largest file content accepted, in bytes.
    pub max_file_size: u64,
    /// How long a `FileUrl` stays valid, in ms.
    pub file_url_ttl_ms: i64,
    /// Integration API settings (webhooks, launch links).
    pub integration: crate::integration::IntegrationConfig,
    /// The OAuth authorization server of Office mobile's bootstrapper.
    pub oauth: OAuthConfig,
    /// Where CSPP Plus transfers spool chunks (on disk, beside the data: a 300 MB document
    /// must not land in a RAM-backed /tmp). Created on demand; leftovers are swept.
    pub spool_dir: std::path::PathBuf,
    /// How many days audit rows are kept (`[audit] retention_days`; 0: for ever).
    pub audit_retention_days: u32,
    /// How many days a trash entry is kept before the sweep deletes it for good
    /// (`trash_retention_days`; 0: until its owner empties the trash).
    pub trash_retention_days: u32,
    /// How many days a public link is kept once revoked or expired before the sweep deletes
    /// it (`link_retention_days`; 0: kept for ever). A guest's versions then name the link
    /// by its id.
    pub link_retention_days: u32,
    /// How old autosaves are thinned (`[versions]`).
    pub retention: crate::retention::RetentionPolicy,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            token_ttl_ms: 10 * 3600 * 1000,
            max_file_size: 2 << 30,
            file_url_ttl_ms: 10 * 60 * 1000,
            integration: Default::default(),
            oauth: Default::default(),
            spool_dir: std::env::temp_dir().join("folio-spool"),
            audit_retention_days: 365,
            trash_retention_days: 30,
            link_retention_days: 30,
            retention: Default::default(),
        }
    }
}

/// The application: stores, clock, settings.
pub struct App {
    editors: Arc<Editors>,
    meta: Arc<dyn MetadataStore>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    /// HMAC-SHA256 keyed with the host secret that signs `FileUrl`s, ready to clone (the key
    /// schedule is computed once, not per CheckFileInfo). `None` only if the key were unusable.
    file_url_mac: Option<HmacSha256>,
    /// Which token uses this process has recorded lately (`audit::TouchThrottle`).
    pub(crate) touched: crate::audit::TouchThrottle,
    /// The first-run setup code (`crate::web::setup`): in memory only, set at start while
    /// there are no users, taken by the one setup that succeeds.
    pub(crate) setup_code: std::sync::Mutex<Option<String>>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

impl App {
    /// Builds the app. Loads (or creates) the host secret that signs `FileUrl`s.
    pub async fn new(
        meta: Arc<dyn MetadataStore>,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        config: AppConfig,
        editors: Arc<Editors>,
    ) -> Result<Self, AppError> {
        let fresh = random_id(48);
        let file_url_key = meta.secret("file-url-key", fresh.as_bytes()).await?;
        let file_url_mac = HmacSha256::new_from_slice(&file_url_key).ok();
        Ok(Self {
            editors,
            meta,
            blobs,
            clock,
            config,
            file_url_mac,
            touched: Default::default(),
            setup_code: std::sync::Mutex::new(None),
        })
    }

    /// The settings.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Now, from the app's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The configured editors (WOPI clients).
    pub fn editors(&self) -> &Arc<Editors> {
        &self.editors
    }

    /// The process's metrics (the registry the editors were given).
    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        self.editors.metrics()
    }

    /// The `/metrics` exposition: the scrape-time gauges are read first (the store's counts —
    /// a store that does not answer leaves them as they were —, the pools, each editor's
    /// discovery age), then every series is encoded.
    pub async fn metrics_text(&self) -> String {
        let m = self.metrics();
        let now = self.now();
        match self.meta.ops_figures(now).await {
            Ok(f) => m.set_store_figures(&f),
            Err(e) => tracing::warn!(error = %e, "metrics: store counts unavailable"),
        }
        m.set_pool_figures(&self.meta.pool_figures());
        for (editor, age) in self.editors.discovery_ages(now).await {
            m.set_discovery(&editor, age);
        }
        m.encode()
    }

    /// The page of a folder (where the editor's Close leads).
    pub fn folder_url(&self, folder_id: &str) -> String {
        [self.config.public_url.as_str(), "/folders/", folder_id].concat()
    }

    /// The version list page of a file.
    pub fn versions_url(&self, id: &FileId) -> String {
        [
            self.config.public_url.as_str(),
            "/files/",
            id.as_str(),
            "/versions",
        ]
        .concat()
    }

    /// The sharing page of a file (for its owner).
    pub fn share_url_page(&self, id: &FileId) -> String {
        [
            self.config.public_url.as_str(),
            "/files/",
            id.as_str(),
            "/share",
        ]
        .concat()
    }

    /// The download link of a file (for signed-in users).
    pub fn download_url(&self, id: &FileId) -> String {
        [
            self.config.public_url.as_str(),
            "/files/",
            id.as_str(),
            "/download",
        ]
        .concat()
    }

    /// The origin part of the public URL (`scheme://host[:port]`), for PostMessageOrigin.
    pub fn public_origin(&self) -> String {
        let u = &self.config.public_url;
        let after_scheme = u.find("://").map_or(0, |i| i + 3);
        match u[after_scheme..].find('/') {
            Some(i) => u[..after_scheme + i].to_owned(),
            None => u.clone(),
        }
    }

    /// The blob store.
    pub(crate) fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    /// The metadata store (for the use cases in this crate).
    pub(crate) fn meta(&self) -> &Arc<dyn MetadataStore> {
        &self.meta
    }

    /// The WOPISrc of a file.
    pub fn wopi_src(&self, id: &FileId) -> String {
        format!("{}/wopi/files/{}", self.config.public_url, id)
    }

    /// Host page URL of a file for an action (`view`, `edit`).
    pub fn host_page_url(&self, id: &FileId, action: &str) -> String {
        [
            self.config.public_url.as_str(),
            "/open/",
            id.as_str(),
            "?action=",
            action,
        ]
        .concat()
    }

    /// Checks both stores.
    pub async fn ready(&self) -> Result<(), AppError> {
        self.meta.ping().await?;
        self.blobs.ping().await?;
        Ok(())
    }
}
