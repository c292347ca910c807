//! WOPI clients (editors) Folio can open documents in: their discovery documents, cached in
//! memory and persisted on disk (so a restart works while an editor is unreachable), refreshed
//! on a schedule and — rate-limited — when a proof-key check fails or needs the old key; the
//! choice of editor/action per file; and proof-key verification of WOPI requests.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use folio_wopi::discovery::{self, Discovery};
use folio_wopi::proof::{self, ProofHeaders, ProofKey, ProofKeys, ProofOutcome};
use tokio::sync::{Mutex, RwLock};

use crate::metrics::Metrics;

/// What kind of editor a client is; CheckFileInfo and the host page differ slightly per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorKind {
    /// Microsoft 365 for the web.
    Microsoft,
    /// Collabora Online / CODE.
    Collabora,
    /// ONLYOFFICE Docs.
    OnlyOffice,
    /// Folio's development editor.
    Dev,
    /// Anything else speaking WOPI (e.g. the validator's WopiTest app).
    Other,
}

impl EditorKind {
    /// Lower-case name for logs and the status page.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Microsoft => "microsoft",
            Self::Collabora => "collabora",
            Self::OnlyOffice => "onlyoffice",
            Self::Dev => "dev",
            Self::Other => "other",
        }
    }
}

/// One configured editor.
#[derive(Debug, Clone)]
pub struct EditorConfig {
    /// Short name (unique), e.g. "collabora".
    pub name: String,
    /// Discovery URL (`http(s)://…/hosting/discovery`) or a local file path.
    pub discovery: String,
    /// Verify proof keys on WOPI requests when the discovery publishes them (default true).
    pub enforce_proof_keys: bool,
    /// Forced kind; detected from the discovery document when `None`.
    pub kind: Option<EditorKind>,
    /// The editor is enrolled in CSPP Plus (Microsoft 365 desktop co-authoring): its tokens get
    /// the CSPP Plus CheckFileInfo. `None` for every other editor.
    pub cspp_plus: Option<CsppPlusConfig>,
}

/// An editor's CSPP Plus settings (spec/cspp-plus.md §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsppPlusConfig {
    /// `OfficeCollaborationServiceEndpointUrl`; `None`: the `collab` action of the editor's
    /// discovery.
    pub collaboration_url: Option<String>,
    /// `RealTimeChannelEndpointUrl`; `None`: the discovery's `rtc` action.
    pub realtime_url: Option<String>,
    /// `FileGeoLocationCode`, as assigned by Microsoft's CSPP Plus onboarding.
    pub geo_location_code: String,
}

/// An enrolled editor's CSPP Plus values, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsppPlusEndpoints {
    /// `OfficeCollaborationServiceEndpointUrl`.
    pub collaboration_url: String,
    /// `RealTimeChannelEndpointUrl`.
    pub realtime_url: String,
    /// `FileGeoLocationCode`.
    pub geo_location_code: String,
}

/// The state of one editor's discovery, for the status endpoint.
#[derive(Debug, Clone)]
pub struct EditorStatus {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: EditorKind,
    /// Discovery source.
    pub discovery: String,
    /// A discovery document is loaded.
    pub loaded: bool,
    /// It came from the persisted copy (the editor has not been reached since start).
    pub from_persisted_copy: bool,
    /// Unix ms of the last successful fetch.
    pub fetched_at: Option<i64>,
    /// The last refresh error, if the last attempt failed.
    pub last_error: Option<String>,
    /// Proof keys published and enforced.
    pub proof_keys_enforced: bool,
    /// Extensions it handles.
    pub extensions: Vec<String>,
}

struct Loaded {
    discovery: Arc<Discovery>,
    keys: Option<ProofKeys>,
    kind: EditorKind,
    fetched_at: Option<i64>,
    /// When a persisted copy was written (its file's mtime, Unix ms).
    written_at: Option<i64>,
    persisted: bool,
}

struct Editor {
    config: EditorConfig,
    state: RwLock<Option<Loaded>>,
    last_error: RwLock<Option<String>>,
    /// Serializes refreshes and rate-limits proof-triggered ones.
    refresh_gate: Mutex<Option<Instant>>,
}

/// A choice of editor for a file.
#[derive(Debug, Clone)]
pub struct EditorChoice {
    /// Editor name.
    pub editor: String,
    /// Editor kind.
    pub kind: EditorKind,
    /// App name in discovery (Word, Excel, a MIME type…).
    pub app: String,
    /// Favicon from discovery.
    pub favicon: Option<String>,
    /// Action name (view, edit, editnew…).
    pub action: String,
    /// The urlsrc template.
    pub urlsrc: String,
    /// The editor's origin (PostMessage checks).
    pub origin: String,
}

/// Why a proof check refused a request: the message for logs, and the reason for metrics
/// ([`ProofError::reason`](folio_wopi::proof::ProofError::reason), or `no_keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofFailure(pub String, pub &'static str);

/// All configured editors.
pub struct Editors {
    editors: Vec<Editor>,
    http: reqwest::Client,
    cache_dir: PathBuf,
    /// The process's metrics (proof failures, discovery refreshes); shared with `App`.
    metrics: Arc<Metrics>,
}

/// Minimum time between two proof-triggered refreshes of one editor's discovery.
pub const PROOF_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

fn detect_kind(source: &str, d: &Discovery) -> EditorKind {
    let urls: Vec<&str> = d
        .apps
        .iter()
        .flat_map(|a| a.actions.iter().map(|x| x.urlsrc.as_str()))
        .collect();
    let any = |needle: &str| source.contains(needle) || urls.iter().any(|u| u.contains(needle));
    if any("officeapps.live.com") || any("officeapps-df.live.com") {
        EditorKind::Microsoft
    } else if any("cool.html") || any("loleaflet") || any("/browser/") {
        EditorKind::Collabora
    } else if any("/hosting/wopi/") || d.apps.iter().any(|a| a.name.contains("onlyoffice")) {
        EditorKind::OnlyOffice
    } else if any("/dev-editor/") {
        EditorKind::Dev
    } else {
        EditorKind::Other
    }
}

fn keys_of(d: &Discovery) -> Result<Option<ProofKeys>, String> {
    let Some(raw) = &d.proof_key else {
        return Ok(None);
    };
    let current = ProofKey::from_discovery(&raw.value, &raw.modulus, &raw.exponent)
        .map_err(|e| format!("proof-key: {e}"))?;
    let old = ProofKey::from_discovery(&raw.old_value, &raw.old_modulus, &raw.old_exponent)
        .map_err(|e| format!("old proof-key: {e}"))?;
    Ok(current.map(|current| ProofKeys { current, old }))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Editors {
    /// Sets up the editors: loads persisted discovery copies from `cache_dir` (no network).
    /// Call `refresh_all` afterwards (e.g. once the server listens).
    pub async fn new(configs: Vec<EditorConfig>, cache_dir: PathBuf) -> Self {
        Self::with_metrics(configs, cache_dir, Arc::new(Metrics::new())).await
    }

    /// [`Editors::new`] counting into `metrics` (the process's one registry, which the `App`
    /// built on these editors shares).
    pub async fn with_metrics(
        configs: Vec<EditorConfig>,
        cache_dir: PathBuf,
        metrics: Arc<Metrics>,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        let mut editors = Vec::new();
        for config in configs {
            let e = Editor {
                config,
                state: RwLock::new(None),
                last_error: RwLock::new(None),
                refresh_gate: Mutex::new(None),
            };
            let is_url = e.config.discovery.starts_with("http://")
                || e.config.discovery.starts_with("https://");
            if !is_url {
                // A local discovery file is read right away: nothing to wait for.
                match tokio::fs::read_to_string(&e.config.discovery).await {
                    Ok(xml) => match Self::load(&e.config, &xml, Some(now_ms()), false) {
                        Ok(l) => *e.state.write().await = Some(l),
                        Err(err) => *e.last_error.write().await = Some(err),
                    },
                    Err(err) => {
                        *e.last_error.write().await =
                            Some(format!("cannot read {}: {err}", e.config.discovery))
                    }
                }
                editors.push(e);
                continue;
            }
            let path = cache_dir.join(format!("{}.xml", e.config.name));
            if let Ok(xml) = tokio::fs::read_to_string(&path).await {
                match Self::load(&e.config, &xml, None, true) {
                    Ok(mut l) => {
                        l.written_at = tokio::fs::metadata(&path)
                            .await
                            .and_then(|m| m.modified())
                            .ok()
                            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                            .map(|d| d.as_millis() as i64);
                        *e.state.write().await = Some(l)
                    }
                    Err(err) => {
                        tracing::warn!(editor = %e.config.name, error = %err, "persisted discovery unusable")
                    }
                }
            }
            editors.push(e);
        }
        Self {
            editors,
            http,
            cache_dir,
            metrics,
        }
    }

    fn load(
        config: &EditorConfig,
        xml: &str,
        fetched_at: Option<i64>,
        persisted: bool,
    ) -> Result<Loaded, String> {
        let d = discovery::parse(xml).map_err(|e| format!("discovery: {e}"))?;
        let keys = keys_of(&d)?;
        let kind = config
            .kind
            .unwrap_or_else(|| detect_kind(&config.discovery, &d));
        Ok(Loaded {
            discovery: Arc::new(d),
            keys,
            kind,
            fetched_at,
            written_at: None,
            persisted,
        })
    }

    async fn fetch(&self, source: &str) -> Result<String, String> {
        if source.starts_with("http://") || source.starts_with("https://") {
            let r = self
                .http
                .get(source)
                .send()
                .await
                .map_err(|e| format!("cannot fetch {source}: {e}"))?;
            if !r.status().is_success() {
                return Err(format!("{source} answered {}", r.status()));
            }
            r.text()
                .await
                .map_err(|e| format!("cannot read {source}: {e}"))
        } else {
            tokio::fs::read_to_string(source)
                .await
                .map_err(|e| format!("cannot read {source}: {e}"))
        }
    }

    async fn refresh_one(&self, e: &Editor) -> Result<(), String> {
        self.metrics.discovery_refresh();
        let result = async {
            let xml = self.fetch(&e.config.discovery).await?;
            let loaded = Self::load(&e.config, &xml, Some(now_ms()), false)?;
            // Persist the last good copy (temp + rename) so a restart works offline.
            if tokio::fs::create_dir_all(&self.cache_dir).await.is_ok() {
                let path = self.cache_dir.join(format!("{}.xml", e.config.name));
                let tmp = path.with_extension("xml.tmp");
                if tokio::fs::write(&tmp, &xml).await.is_ok() {
                    let _ = tokio::fs::rename(&tmp, &path).await;
                }
            }
            Ok::<_, String>(loaded)
        }
        .await;
        match result {
            Ok(loaded) => {
                *e.state.write().await = Some(loaded);
                *e.last_error.write().await = None;
                tracing::info!(editor = %e.config.name, "discovery refreshed");
                Ok(())
            }
            Err(err) => {
                // A failing refresh never drops the last good copy.
                tracing::warn!(editor = %e.config.name, error = %err, "discovery refresh failed");
                *e.last_error.write().await = Some(err.clone());
                Err(err)
            }
        }
    }

    /// Refreshes every editor's discovery; failures are logged and kept for the status page.
    pub async fn refresh_all(&self) {
        for e in &self.editors {
            // Serialized with proof-triggered refreshes, but does not count against their rate
            // limit (that limit only stops forged requests from causing fetch storms).
            let _gate = e.refresh_gate.lock().await;
            let _ = self.refresh_one(e).await;
        }
    }

    /// Whether any editor is configured.
    pub fn is_empty(&self) -> bool {
        self.editors.is_empty()
    }

    /// The process's metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Each editor's name and the age of its loaded discovery at `now` (Unix ms): since it was
    /// fetched, or since its persisted copy was written; `None` while none is loaded.
    pub async fn discovery_ages(&self, now: i64) -> Vec<(String, Option<Duration>)> {
        let mut out = Vec::new();
        for e in &self.editors {
            let age = e.state.read().await.as_ref().map(|l| {
                let since = l.fetched_at.or(l.written_at).unwrap_or(now);
                Duration::from_millis(u64::try_from(now.saturating_sub(since)).unwrap_or(0))
            });
            out.push((e.config.name.clone(), age));
        }
        out
    }

    /// Status of every editor.
    pub async fn status(&self) -> Vec<EditorStatus> {
        let mut out = Vec::new();
        for e in &self.editors {
            let state = e.state.read().await;
            let mut extensions: Vec<String> = state
                .as_ref()
                .map(|l| {
                    l.discovery
                        .apps
                        .iter()
                        .flat_map(|a| a.actions.iter().filter_map(|x| x.ext.clone()))
                        .collect()
                })
                .unwrap_or_default();
            extensions.sort();
            extensions.dedup();
            out.push(EditorStatus {
                name: e.config.name.clone(),
                kind: state.as_ref().map_or(EditorKind::Other, |l| l.kind),
                discovery: e.config.discovery.clone(),
                loaded: state.is_some(),
                from_persisted_copy: state.as_ref().is_some_and(|l| l.persisted),
                fetched_at: state.as_ref().and_then(|l| l.fetched_at),
                last_error: e.last_error.read().await.clone(),
                proof_keys_enforced: e.config.enforce_proof_keys
                    && state.as_ref().is_some_and(|l| l.keys.is_some()),
                extensions,
            });
        }
        out
    }

    /// Picks an editor and action for a file extension. `action`: the wanted action (`view`,
    /// `edit`, `editnew`, …; `None` → the default action); `editor`: a preferred editor name.
    /// Editors are tried in configuration order.
    pub async fn choose(
        &self,
        ext: &str,
        action: Option<&str>,
        editor: Option<&str>,
    ) -> Option<EditorChoice> {
        for e in &self.editors {
            if editor.is_some_and(|name| name != e.config.name) {
                continue;
            }
            let state = e.state.read().await;
            let Some(l) = state.as_ref() else { continue };
            let found = match action {
                Some(a) => l.discovery.find(ext, a),
                None => l.discovery.default_action(ext),
            };
            if let Some((app, act)) = found {
                return Some(EditorChoice {
                    editor: e.config.name.clone(),
                    kind: l.kind,
                    app: app.name.clone(),
                    favicon: app.fav_icon_url.clone(),
                    action: act.name.clone(),
                    urlsrc: act.urlsrc.clone(),
                    origin: l.discovery.origin().unwrap_or_default(),
                });
            }
        }
        None
    }

    /// Every action some editor offers for an extension.
    pub async fn actions_for(&self, ext: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.editors {
            if let Some(l) = e.state.read().await.as_ref() {
                for a in l.discovery.actions_for(ext) {
                    if !out.iter().any(|x: &String| x == a) {
                        out.push(a.to_owned());
                    }
                }
            }
        }
        out
    }

    /// The kind of a named editor.
    /// Whether an editor of that name is configured.
    pub fn has(&self, name: &str) -> bool {
        self.editors.iter().any(|e| e.config.name == name)
    }

    /// The CSPP Plus endpoints of the editor named `name`, if it is enrolled and both URLs are
    /// known (configured, or the `collab`/`rtc` actions of its loaded discovery): without them
    /// the editor gets the classic CheckFileInfo (CSPP Plus properties are all or none).
    pub async fn cspp_plus_of(&self, name: &str) -> Option<CsppPlusEndpoints> {
        let e = self.editors.iter().find(|e| e.config.name == name)?;
        let plus = e.config.cspp_plus.as_ref()?;
        let discovery = e.state.read().await.as_ref().map(|l| l.discovery.clone());
        let from_discovery = |action: &str| discovery.as_ref().and_then(|d| d.service_url(action));
        let collaboration_url = match &plus.collaboration_url {
            Some(u) => u.clone(),
            None => from_discovery("collab")?,
        };
        let realtime_url = match &plus.realtime_url {
            Some(u) => u.clone(),
            None => from_discovery("rtc")?,
        };
        Some(CsppPlusEndpoints {
            collaboration_url,
            realtime_url,
            geo_location_code: plus.geo_location_code.clone(),
        })
    }

    /// The detected (or forced) kind of the editor named `name`, once its discovery loaded.
    pub async fn kind_of(&self, name: &str) -> Option<EditorKind> {
        for e in &self.editors {
            if e.config.name == name {
                return e.state.read().await.as_ref().map(|l| l.kind);
            }
        }
        None
    }

    /// Whether Microsoft 365 for the web is among the configured editors.
    pub async fn has_microsoft(&self) -> bool {
        for e in &self.editors {
            if e.state
                .read()
                .await
                .as_ref()
                .is_some_and(|l| l.kind == EditorKind::Microsoft)
            {
                return true;
            }
        }
        false
    }

    /// The keys of every loaded editor with enforcement on, and whether verification is
    /// required at all: it is when some enforcing editor publishes keys, or has never loaded its
    /// discovery (its keys are unknown, so nothing unsigned may pass).
    async fn enforcing_keys(&self, client: Option<&str>) -> (bool, Vec<(usize, ProofKeys)>) {
        let mut required = false;
        let mut out = Vec::new();
        // A token minted for one editor is checked against that editor's keys only (when the
        // editor is still configured); other tokens against every enforcing editor.
        let only = client.filter(|c| self.editors.iter().any(|e| e.config.name == *c));
        for (i, e) in self.editors.iter().enumerate() {
            if !e.config.enforce_proof_keys || only.is_some_and(|c| c != e.config.name) {
                continue;
            }
            match e.state.read().await.as_ref() {
                None => required = true,
                Some(l) => {
                    if let Some(keys) = &l.keys {
                        required = true;
                        out.push((i, keys.clone()));
                    }
                }
            }
        }
        (required, out)
    }

    fn check(
        keys: &[(usize, ProofKeys)],
        token: &str,
        url: &str,
        h: &ProofHeaders<'_>,
        now: i64,
    ) -> Result<(usize, ProofOutcome), ProofFailure> {
        let mut last = ProofFailure("no proof keys".into(), "no_keys");
        for (i, k) in keys {
            match proof::verify_request(k, token, url, h, now) {
                Ok(outcome) => return Ok((*i, outcome)),
                Err(e) => last = ProofFailure(e.to_string(), e.reason()),
            }
        }
        Err(last)
    }

    /// Refreshes one editor unless it was refreshed less than `PROOF_REFRESH_INTERVAL` ago.
    /// Returns whether a refresh succeeded.
    async fn refresh_rate_limited(&self, i: usize) -> bool {
        let Some(e) = self.editors.get(i) else {
            return false;
        };
        let mut gate = e.refresh_gate.lock().await;
        if gate.is_some_and(|t| t.elapsed() < PROOF_REFRESH_INTERVAL) {
            return false;
        }
        *gate = Some(Instant::now());
        self.refresh_one(e).await.is_ok()
    }

    /// Verifies the proof headers of a WOPI request against the editor the token was minted for
    /// (`client`), or — for tokens minted without one — every editor that publishes proof keys
    /// with enforcement on. No such editor → accepted. `url` is the absolute URL the client
    /// requested (public origin + path + query). On failure, or success with the old key, the
    /// discovery is re-fetched (rate-limited); after a failure the check is retried once.
    pub async fn verify_proof(
        &self,
        client: Option<&str>,
        token: &str,
        url: &str,
        h: &ProofHeaders<'_>,
        now: i64,
    ) -> Result<(), ProofFailure> {
        let (required, keys) = self.enforcing_keys(client).await;
        if !required {
            return Ok(());
        }
        match Self::check(&keys, token, url, h, now) {
            Ok((_, ProofOutcome::Valid)) => Ok(()),
            Ok((i, ProofOutcome::ValidRotated)) => {
                tracing::info!("proof verified with a rotated key; refreshing discovery");
                self.refresh_rate_limited(i).await;
                Ok(())
            }
            Err(first) => {
                let mut refreshed = false;
                for (i, _) in &keys {
                    refreshed |= self.refresh_rate_limited(*i).await;
                }
                if keys.is_empty() {
                    // Keys never loaded: try to load them now.
                    for (i, e) in self.editors.iter().enumerate() {
                        if e.config.enforce_proof_keys && client.is_none_or(|c| c == e.config.name)
                        {
                            refreshed |= self.refresh_rate_limited(i).await;
                        }
                    }
                }
                if refreshed {
                    let (_, keys) = self.enforcing_keys(client).await;
                    if Self::check(&keys, token, url, h, now).is_ok() {
                        return Ok(());
                    }
                }
                self.metrics.proof_failure(first.1);
                Err(first)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_wopi::proof::{ProofSigner, expected_proof, unix_ms_to_ticks};

    fn discovery_xml(origin: &str, key: &ProofSigner) -> String {
        format!(
            r#"<wopi-discovery><net-zone name="external-https"><app name="Word">
<action name="edit" ext="docx" urlsrc="{origin}/edit?&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
</app></net-zone><proof-key value="{}" modulus="{}" exponent="{}" oldvalue="" oldmodulus="" oldexponent="" /></wopi-discovery>"#,
            key.csp_blob_b64(),
            key.modulus_b64(),
            key.exponent_b64()
        )
    }

    fn sign(key: &ProofSigner, token: &str, url: &str, now: i64) -> (String, String) {
        let ticks = unix_ms_to_ticks(now);
        (
            key.sign(&expected_proof(token, url, ticks)),
            ticks.to_string(),
        )
    }

    #[tokio::test]
    async fn a_token_minted_for_one_editor_only_accepts_that_editors_signatures() {
        let dir = std::env::temp_dir().join(format!("folio-editors-{}", folio_store::random_id(8)));
        let _ = std::fs::create_dir_all(&dir);
        let (Ok(a), Ok(b)) = (ProofSigner::generate(2048), ProofSigner::generate(2048)) else {
            panic!("key generation failed");
        };
        let mut configs = Vec::new();
        for (name, key) in [("alpha", &a), ("beta", &b)] {
            let path = dir.join(format!("{name}.xml"));
            let _ = std::fs::write(
                &path,
                discovery_xml(&format!("https://{name}.example"), key),
            );
            configs.push(EditorConfig {
                cspp_plus: None,
                name: name.into(),
                discovery: path.to_string_lossy().into_owned(),
                enforce_proof_keys: true,
                kind: None,
            });
        }
        let editors = Editors::new(configs, dir.join("cache")).await;
        let now = 1_800_000_000_000;
        let url = "https://folio.example/wopi/files/F?access_token=T";
        let (pa, ta) = sign(&a, "T", url, now);
        let (pb, tb) = sign(&b, "T", url, now);
        let ha = ProofHeaders {
            proof: Some(&pa),
            proof_old: None,
            timestamp: Some(&ta),
        };
        let hb = ProofHeaders {
            proof: Some(&pb),
            proof_old: None,
            timestamp: Some(&tb),
        };
        assert!(
            editors
                .verify_proof(Some("alpha"), "T", url, &ha, now)
                .await
                .is_ok()
        );
        assert!(
            editors
                .verify_proof(Some("alpha"), "T", url, &hb, now)
                .await
                .is_err(),
            "beta's key may not sign for alpha's token"
        );
        assert!(
            editors
                .verify_proof(Some("beta"), "T", url, &hb, now)
                .await
                .is_ok()
        );
        assert!(
            editors.verify_proof(None, "T", url, &hb, now).await.is_ok(),
            "unbound tokens accept any enforcing editor"
        );
        assert!(
            editors
                .verify_proof(None, "T", url, &ProofHeaders::default(), now)
                .await
                .is_err(),
            "unsigned is refused"
        );
        assert!(
            editors
                .verify_proof(Some("gone"), "T", url, &ha, now)
                .await
                .is_ok(),
            "an editor no longer configured falls back to all"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
