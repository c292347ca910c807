#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod api;
pub mod discovery;
mod keys;
mod office;
mod page;
mod util;
mod wopi;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use folio_wopi::proof::{ProofError, expected_proof, unix_ms_to_ticks};
use keys::KeyStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Timeout of every WOPI call the editor makes.
pub const WOPI_TIMEOUT: Duration = Duration::from_secs(30);

/// The path under which Folio mounts [`DevEditor::router`].
pub const MOUNT_PATH: &str = "/dev-editor";

/// `X-Folio-Dev`: must be `1` on `POST rotate-keys`. A cross-site form cannot set a header, and
/// a cross-origin script that does needs a CORS preflight, which the editor never grants.
pub const DEV_REQUEST_HEADER: &str = "x-folio-dev";

/// Why the development editor could not start or rotate its keys.
#[derive(Debug, thiserror::Error)]
pub enum DevEditorError {
    /// The public URL is not an absolute `http://` or `https://` URL.
    #[error("invalid public URL {0:?}: expected http(s)://host[:port][/path]")]
    InvalidPublicUrl(String),
    /// The key file could not be read or written.
    #[error("key file {}: {source}", path.display())]
    Io {
        /// The key file (or its directory).
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The key file exists but does not hold usable keys.
    #[error("key file {}: {message}", path.display())]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Key generation, encoding or decoding failed.
    #[error("proof key: {0}")]
    Proof(#[from] ProofError),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    /// An unexpected internal failure (a background task panicked, …).
    #[error("{0}")]
    Internal(String),
}

/// Folio's development WOPI client: a discovery document with its own proof keys, an editor page
/// for plain-text files, and a server side that makes signed WOPI calls to Folio.
///
/// Cheap to clone (the state is shared).
#[derive(Clone, Debug)]
pub struct DevEditor {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Folio's public origin (and optional path prefix), without a trailing slash.
    public_url: String,
    /// `{public_url}/dev-editor`.
    base: String,
    keys: KeyStore,
    http: reqwest::Client,
}

impl DevEditor {
    /// Starts the editor for a Folio reachable at `public_url` (e.g. `http://127.0.0.1:8080`; a
    /// trailing slash is ignored); the editor lives at `{public_url}/dev-editor`.
    ///
    /// `key_file` persists the proof key pair (JSON with the base64 PKCS#8 DER of the `current`
    /// and optional `old` key); a 2048-bit key is generated and saved on first use.
    pub async fn open(public_url: String, key_file: PathBuf) -> Result<Self, DevEditorError> {
        let public_url = normalize_public_url(&public_url)?;
        let keys = KeyStore::open(key_file).await?;
        Self::with_store(public_url, keys)
    }

    /// An editor using `keys` as they are (tests).
    fn with_store(public_url: String, keys: KeyStore) -> Result<Self, DevEditorError> {
        let http = reqwest::Client::builder()
            .timeout(WOPI_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("FolioDevEditor/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let base = format!("{public_url}{MOUNT_PATH}");
        Ok(Self {
            inner: Arc::new(Inner {
                public_url,
                base,
                keys,
                http,
            }),
        })
    }

    /// The discovery URL to configure in Folio: `{public_url}/dev-editor/hosting/discovery`.
    pub fn discovery_url(&self) -> String {
        format!("{}/hosting/discovery", self.inner.base)
    }

    /// The discovery XML currently published (what `GET /dev-editor/hosting/discovery` returns).
    pub fn discovery_xml(&self) -> String {
        discovery::discovery_xml(&self.inner.base, &self.inner.keys.snapshot())
    }

    /// The editor's routes, with their state applied, to be nested by Folio at
    /// [`MOUNT_PATH`]: `Router::new().nest("/dev-editor", dev.router())`.
    ///
    /// | Route | Purpose |
    /// |---|---|
    /// | `GET /hosting/discovery` | WOPI discovery (`application/xml`) |
    /// | `GET /favicon.svg`, `/editor.js`, `/editor.css` | static assets |
    /// | `POST /view`, `POST /edit` | the editor page (form POST from Folio's host page) |
    /// | `POST /api/open`, `/api/save`, `/api/close` | JSON API of the page; makes the WOPI calls |
    /// | `POST /rotate-keys` | development aid: the current key becomes the old one, a new one is generated; needs `X-Folio-Dev: 1` and a same-origin `Origin` if any (else 403) |
    pub fn router(&self) -> Router {
        Router::new()
            .route("/hosting/discovery", get(discovery_handler))
            .route("/favicon.svg", get(favicon))
            .route("/editor.js", get(script))
            .route("/editor.css", get(stylesheet))
            .route("/view", post(page::view_page))
            .route("/edit", post(page::edit_page))
            .route("/api/open", post(api::open))
            .route("/api/save", post(api::save))
            .route("/api/close", post(api::close))
            .route("/rotate-keys", post(api::rotate_keys))
            .with_state(self.clone())
    }

    /// The proof headers for a WOPI request to `url` (the complete URL as sent, including
    /// `?access_token=…`) made with `token`, signed now: `X-WOPI-TimeStamp`, `X-WOPI-Proof`
    /// (current key) and, when there is an old key, `X-WOPI-ProofOld`.
    pub fn proof_headers(&self, token: &str, url: &str) -> Vec<(&'static str, String)> {
        self.proof_headers_at(token, url, unix_ms_to_ticks(util::now_ms()))
    }

    /// [`Self::proof_headers`] for the timestamp `ticks` (.NET ticks).
    fn proof_headers_at(&self, token: &str, url: &str, ticks: i64) -> Vec<(&'static str, String)> {
        let keys = self.inner.keys.snapshot();
        let data = expected_proof(token, url, ticks);
        let mut headers = vec![
            ("X-WOPI-TimeStamp", ticks.to_string()),
            ("X-WOPI-Proof", keys.current.sign(&data)),
        ];
        if let Some(old) = &keys.old {
            headers.push(("X-WOPI-ProofOld", old.sign(&data)));
        }
        headers
    }

    /// Makes the current key the old one and generates, persists and starts using a new current
    /// key (what `POST /dev-editor/rotate-keys` does).
    pub async fn rotate_keys(&self) -> Result<(), DevEditorError> {
        self.inner.keys.rotate().await?;
        tracing::info!("development editor proof keys rotated");
        Ok(())
    }
}

/// Checks `url` and removes trailing slashes.
fn normalize_public_url(url: &str) -> Result<String, DevEditorError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"));
    let valid = rest.is_some_and(|rest| {
        let host = rest.split('/').next().unwrap_or_default();
        !host.is_empty()
            && !rest.contains(['?', '#'])
            && !rest.contains(|c: char| c.is_whitespace() || c.is_control())
    });
    if valid {
        Ok(trimmed.to_owned())
    } else {
        Err(DevEditorError::InvalidPublicUrl(url.to_owned()))
    }
}

/// `GET /hosting/discovery`.
async fn discovery_handler(
    axum::extract::State(dev): axum::extract::State<DevEditor>,
) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        dev.discovery_xml(),
    )
}

/// A static asset response.
fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
}

/// `GET /favicon.svg`.
async fn favicon() -> impl IntoResponse {
    asset("image/svg+xml", include_str!("../assets/favicon.svg"))
}

/// `GET /editor.js`.
async fn script() -> impl IntoResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/editor.js"),
    )
}

/// `GET /editor.css`.
async fn stylesheet() -> impl IntoResponse {
    asset(
        "text/css; charset=utf-8",
        include_str!("../assets/editor.css"),
    )
}

#[cfg(test)]
pub(crate) mod test_keys {
    use folio_wopi::proof::ProofSigner;
    use std::sync::OnceLock;

    /// Two 1024-bit keys shared by the unit tests (key generation is slow).
    pub(crate) fn test_keys() -> &'static (ProofSigner, ProofSigner) {
        static KEYS: OnceLock<(ProofSigner, ProofSigner)> = OnceLock::new();
        KEYS.get_or_init(|| {
            let generate =
                || ProofSigner::generate(1024).unwrap_or_else(|e| panic!("generate: {e}"));
            (generate(), generate())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyPair;
    use folio_wopi::proof::{ProofKey, ProofSigner};

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!("folio-dev-editor-test-{}", util::random_hex(8)))
            .join(name)
    }

    fn editor(current: &ProofSigner, old: Option<&ProofSigner>) -> DevEditor {
        let pair = KeyPair {
            current: current.clone(),
            old: old.cloned(),
        };
        let store = KeyStore::with_pair(temp_path("unused.json"), pair);
        DevEditor::with_store("http://127.0.0.1:8080".into(), store)
            .unwrap_or_else(|e| panic!("editor: {e}"))
    }

    fn header<'a>(headers: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn public_url_normalisation() {
        let ok = |u: &str| normalize_public_url(u).ok();
        assert_eq!(
            ok("http://127.0.0.1:8080"),
            Some("http://127.0.0.1:8080".into())
        );
        assert_eq!(ok("https://h.example/"), Some("https://h.example".into()));
        assert_eq!(
            ok("https://h.example/folio//"),
            Some("https://h.example/folio".into())
        );
        for bad in [
            "",
            "127.0.0.1:8080",
            "ftp://h",
            "http://",
            "http:///x",
            "http://h/?a",
            "http://h x",
        ] {
            assert!(ok(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn urls() {
        let (current, _) = test_keys::test_keys();
        let dev = editor(current, None);
        assert_eq!(
            dev.discovery_url(),
            "http://127.0.0.1:8080/dev-editor/hosting/discovery"
        );
        assert!(
            dev.discovery_xml()
                .contains("http://127.0.0.1:8080/dev-editor/edit?")
        );
    }

    #[test]
    fn signed_headers_verify() {
        let (current, old) = test_keys::test_keys();
        let token = "abcDEF123";
        let url = "http://127.0.0.1:8080/wopi/files/F1/contents?access_token=abcDEF123";
        let current_key =
            ProofKey::from_modulus_exponent(&current.modulus_b64(), &current.exponent_b64())
                .unwrap_or_else(|e| panic!("key: {e}"));
        let old_key = ProofKey::from_modulus_exponent(&old.modulus_b64(), &old.exponent_b64())
            .unwrap_or_else(|e| panic!("key: {e}"));

        // Without an old key: timestamp + proof only.
        let dev = editor(current, None);
        let before = unix_ms_to_ticks(util::now_ms());
        let headers = dev.proof_headers(token, url);
        let after = unix_ms_to_ticks(util::now_ms());
        assert_eq!(headers.len(), 2);
        let ticks: i64 = header(&headers, "X-WOPI-TimeStamp")
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("no timestamp"));
        assert!((before..=after).contains(&ticks));
        let Some(proof) = header(&headers, "X-WOPI-Proof") else {
            panic!("no proof");
        };
        let data = expected_proof(token, url, ticks);
        assert!(current_key.verify(&data, proof));
        assert!(!old_key.verify(&data, proof));
        assert!(!current_key.verify(&expected_proof(token, url, ticks + 1), proof));
        assert!(!current_key.verify(&expected_proof("other", url, ticks), proof));
        assert!(header(&headers, "X-WOPI-ProofOld").is_none());

        // With an old key: X-WOPI-ProofOld is signed with it.
        let dev = editor(current, Some(old));
        let headers = dev.proof_headers_at(token, url, 635_655_897_610_773_532);
        assert_eq!(
            header(&headers, "X-WOPI-TimeStamp"),
            Some("635655897610773532")
        );
        let data = expected_proof(token, url, 635_655_897_610_773_532);
        let (Some(proof), Some(proof_old)) = (
            header(&headers, "X-WOPI-Proof"),
            header(&headers, "X-WOPI-ProofOld"),
        ) else {
            panic!("missing proof headers: {headers:?}");
        };
        assert!(current_key.verify(&data, proof));
        assert!(old_key.verify(&data, proof_old));
        assert!(!current_key.verify(&data, proof_old));
        // The URL is compared upper-cased, so its case does not matter.
        assert!(current_key.verify(
            &expected_proof(token, &url.to_ascii_uppercase(), 635_655_897_610_773_532),
            proof
        ));
    }

    #[tokio::test]
    async fn key_persistence_and_rotation() {
        let path = temp_path("keys/dev-editor-keys.json");
        let dir = path
            .parent()
            .and_then(|p| p.parent())
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("no parent"));
        let result = async {
            // First use: a 2048-bit key is generated and saved, with no old key.
            let dev = DevEditor::open("http://127.0.0.1:9/".into(), path.clone()).await?;
            assert_eq!(
                dev.discovery_url(),
                "http://127.0.0.1:9/dev-editor/hosting/discovery"
            );
            let first = dev.inner.keys.snapshot();
            assert_eq!(first.current.public().bits(), 2048);
            assert!(first.old.is_none());
            assert!(path.exists());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = std::fs::metadata(&path)
                    .map_err(|e| DevEditorError::Io {
                        path: path.clone(),
                        source: e,
                    })?
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            let text = std::fs::read_to_string(&path).map_err(|e| DevEditorError::Io {
                path: path.clone(),
                source: e,
            })?;
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| DevEditorError::Internal(e.to_string()))?;
            assert!(json["current"].is_string());
            assert!(json["old"].is_null());

            // Reopening loads the same key.
            let again = DevEditor::open("http://127.0.0.1:9".into(), path.clone()).await?;
            let loaded = again.inner.keys.snapshot();
            assert_eq!(loaded.current.public(), first.current.public());
            assert!(loaded.old.is_none());
            assert_eq!(again.discovery_xml(), dev.discovery_xml());

            // Rotation: old = previous current, a new current; persisted.
            again.rotate_keys().await?;
            let rotated = again.inner.keys.snapshot();
            assert_eq!(
                rotated.old.as_ref().map(ProofSigner::public),
                Some(first.current.public())
            );
            assert_ne!(rotated.current.public(), first.current.public());
            let d = folio_wopi::discovery::parse(&again.discovery_xml())
                .map_err(|e| DevEditorError::Internal(e.to_string()))?;
            let raw = d.proof_key.unwrap_or_default();
            assert_eq!(raw.modulus, rotated.current.modulus_b64());
            assert_eq!(raw.old_modulus, first.current.modulus_b64());
            // The other instance still has its keys until restarted.
            assert!(dev.inner.keys.snapshot().old.is_none());

            let reopened = DevEditor::open("http://127.0.0.1:9".into(), path.clone()).await?;
            let reloaded = reopened.inner.keys.snapshot();
            assert_eq!(reloaded.current.public(), rotated.current.public());
            assert_eq!(
                reloaded.old.as_ref().map(ProofSigner::public),
                Some(first.current.public())
            );
            // No temporary files are left behind.
            let entries = std::fs::read_dir(path.parent().unwrap_or(&dir))
                .map_err(|e| DevEditorError::Io {
                    path: path.clone(),
                    source: e,
                })?
                .count();
            assert_eq!(entries, 1);
            Ok::<_, DevEditorError>(())
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        result.unwrap_or_else(|e| panic!("{e}"));
    }

    #[tokio::test]
    async fn bad_key_file_and_url() {
        let path = temp_path("keys.json");
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let result = async {
            std::fs::create_dir_all(&dir).map_err(|e| DevEditorError::Io {
                path: dir.clone(),
                source: e,
            })?;
            std::fs::write(&path, "{\"current\": \"bm90IGEga2V5\"}").map_err(|e| {
                DevEditorError::Io {
                    path: path.clone(),
                    source: e,
                }
            })?;
            let err = DevEditor::open("http://127.0.0.1:9".into(), path.clone())
                .await
                .err();
            assert!(
                matches!(err, Some(DevEditorError::KeyFile { .. })),
                "{err:?}"
            );
            std::fs::write(&path, "not json").map_err(|e| DevEditorError::Io {
                path: path.clone(),
                source: e,
            })?;
            let err = DevEditor::open("http://127.0.0.1:9".into(), path.clone())
                .await
                .err();
            assert!(
                matches!(err, Some(DevEditorError::KeyFile { .. })),
                "{err:?}"
            );
            let err = DevEditor::open("localhost:8080".into(), path.clone())
                .await
                .err();
            assert!(
                matches!(err, Some(DevEditorError::InvalidPublicUrl(_))),
                "{err:?}"
            );
            Ok::<_, DevEditorError>(())
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        result.unwrap_or_else(|e| panic!("{e}"));
    }
}
