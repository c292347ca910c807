//! The editor's proof key pair: loading, first-use generation, persistence and rotation.
//!
//! The key file is JSON: `{"current": "<base64 PKCS#8 DER>", "old": "<base64 PKCS#8 DER>" | null}`.
//! It is written atomically (temporary file + rename) and, on Unix, readable by the owner only.

use crate::DevEditorError;
use crate::util::random_hex;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use folio_wopi::proof::ProofSigner;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

/// Size of generated keys (what Office uses).
pub(crate) const KEY_BITS: usize = 2048;

/// The current key and, after a rotation, the previous one.
#[derive(Clone, Debug)]
pub(crate) struct KeyPair {
    /// Signs `X-WOPI-Proof`; published as `value`/`modulus`/`exponent`.
    pub(crate) current: ProofSigner,
    /// Signs `X-WOPI-ProofOld`; published as `oldvalue`/`oldmodulus`/`oldexponent`.
    pub(crate) old: Option<ProofSigner>,
}

/// The on-disk form of a [`KeyPair`].
#[derive(Serialize, Deserialize)]
struct KeyFile {
    current: String,
    #[serde(default)]
    old: Option<String>,
}

/// The key pair in memory, backed by the key file.
#[derive(Debug)]
pub(crate) struct KeyStore {
    path: PathBuf,
    pair: RwLock<Arc<KeyPair>>,
    /// Serialises rotations (generate + persist + swap).
    rotation: tokio::sync::Mutex<()>,
}

impl KeyStore {
    /// Loads the key file, or generates a key and writes the file when it does not exist.
    pub(crate) async fn open(path: PathBuf) -> Result<Self, DevEditorError> {
        let load_path = path.clone();
        let pair = blocking(move || load_or_create(&load_path)).await??;
        Ok(Self::with_pair(path, pair))
    }

    /// A store holding `pair` (nothing is read or written).
    pub(crate) fn with_pair(path: PathBuf, pair: KeyPair) -> Self {
        Self {
            path,
            pair: RwLock::new(Arc::new(pair)),
            rotation: tokio::sync::Mutex::new(()),
        }
    }

    /// The keys in use right now.
    pub(crate) fn snapshot(&self) -> Arc<KeyPair> {
        Arc::clone(&self.pair.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes the current key the old one and generates a new current key; persists before
    /// switching, so a failure leaves both the file and the keys in use unchanged.
    pub(crate) async fn rotate(&self) -> Result<(), DevEditorError> {
        let _guard = self.rotation.lock().await;
        let previous = self.snapshot().current.clone();
        let path = self.path.clone();
        let pair = blocking(move || {
            let pair = KeyPair {
                current: ProofSigner::generate(KEY_BITS)?,
                old: Some(previous),
            };
            save(&path, &pair)?;
            Ok::<_, DevEditorError>(pair)
        })
        .await??;
        *self.pair.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(pair);
        Ok(())
    }
}

/// Runs slow or blocking work (key generation, file IO) off the async worker threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DevEditorError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| DevEditorError::Internal(format!("key task failed: {err}")))
}

/// Reads the key file at `path`; generates and saves a new key if there is none.
pub(crate) fn load_or_create(path: &Path) -> Result<KeyPair, DevEditorError> {
    match std::fs::read(path) {
        Ok(bytes) => parse(path, &bytes),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let pair = KeyPair {
                current: ProofSigner::generate(KEY_BITS)?,
                old: None,
            };
            save(path, &pair)?;
            tracing::info!(path = %path.display(), "generated a new development editor proof key");
            Ok(pair)
        }
        Err(source) => Err(DevEditorError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Decodes the key file contents.
fn parse(path: &Path, bytes: &[u8]) -> Result<KeyPair, DevEditorError> {
    let bad = |message: String| DevEditorError::KeyFile {
        path: path.to_owned(),
        message,
    };
    let file: KeyFile =
        serde_json::from_slice(bytes).map_err(|err| bad(format!("not valid JSON: {err}")))?;
    let signer = |name: &str, b64: &str| {
        let der = STANDARD
            .decode(b64.trim())
            .map_err(|err| bad(format!("\"{name}\" is not base64: {err}")))?;
        ProofSigner::from_pkcs8_der(&der).map_err(|err| bad(format!("\"{name}\": {err}")))
    };
    let current = signer("current", &file.current)?;
    let old = match file.old.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b64) => Some(signer("old", b64)?),
    };
    Ok(KeyPair { current, old })
}

/// Writes `pair` to `path` atomically (temporary file in the same directory, then rename),
/// creating the parent directory if needed.
pub(crate) fn save(path: &Path, pair: &KeyPair) -> Result<(), DevEditorError> {
    let io = |source: std::io::Error| DevEditorError::Io {
        path: path.to_owned(),
        source,
    };
    let encode = |signer: &ProofSigner| signer.to_pkcs8_der().map(|der| STANDARD.encode(der));
    let file = KeyFile {
        current: encode(&pair.current)?,
        old: pair.old.as_ref().map(encode).transpose()?,
    };
    let json = serde_json::to_vec_pretty(&file)
        .map_err(|err| DevEditorError::Internal(format!("key file encoding failed: {err}")))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", random_hex(8)));
    let tmp = path.with_file_name(tmp_name);
    let written = write_private(&tmp, &json).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        // Best effort: do not leave a half-written private key behind.
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(io)
}

/// Creates `path` (owner read/write only on Unix), writes `bytes` and syncs.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
