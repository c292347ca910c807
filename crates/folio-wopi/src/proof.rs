//! WOPI proof keys: checking that a request really comes from the WOPI client (Office for the
//! web, Collabora, ONLYOFFICE, Folio's development editor) that published the keys in its
//! discovery.
//!
//! The client signs, with RSASSA-PKCS1-v1_5 / SHA-256, the bytes built by [`expected_proof`]
//! from the access token, the upper-cased absolute request URL and the `X-WOPI-TimeStamp`
//! header (.NET ticks). It sends the signature made with its current key in `X-WOPI-Proof` and
//! the one made with its previous key in `X-WOPI-ProofOld`. [`verify_request`] accepts three
//! combinations (current key / `X-WOPI-Proof`, current key / `X-WOPI-ProofOld`, old key /
//! `X-WOPI-Proof`) within a time window; the last two mean that keys were rotated and that the
//! caller should refresh discovery.
//!
//! [`ProofSigner`] is the other side: a private key that makes such signatures, for Folio's
//! development editor and for tests.
//!
//! Pure: no IO, no clock — the current time is an argument.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rsa::sha2::{Digest as _, Sha256};
use rsa::traits::PublicKeyParts as _;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use std::fmt;

/// Timestamps older than this (in milliseconds) are refused.
pub const MAX_AGE_MS: i64 = 20 * 60 * 1000;

/// Timestamps further in the future than this (in milliseconds; clock skew) are refused.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// .NET ticks (100 ns since 0001-01-01T00:00:00Z) at the Unix epoch.
const TICKS_AT_UNIX_EPOCH: i64 = 621_355_968_000_000_000;
/// .NET ticks per millisecond.
const TICKS_PER_MS: i64 = 10_000;

/// Header names, as reported in [`ProofError::MissingHeader`].
const HEADER_PROOF: &str = "X-WOPI-Proof";
const HEADER_TIMESTAMP: &str = "X-WOPI-TimeStamp";

/// CryptoAPI `PUBLICKEYBLOB` constants (spec §3).
const CSP_PUBLICKEYBLOB: u8 = 0x06;
const CSP_BLOB_VERSION: u8 = 0x02;
const CSP_CALG_RSA_KEYX: u32 = 0x0000_A400;
const CSP_CALG_RSA_SIGN: u32 = 0x0000_2400;
const CSP_MAGIC_RSA1: &[u8; 4] = b"RSA1";
const CSP_HEADER_LEN: usize = 20;

/// Why a proof (or a proof key) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// A required header (`X-WOPI-Proof` or `X-WOPI-TimeStamp`) is missing or empty; the name
    /// of the header.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// `X-WOPI-TimeStamp` is not a decimal 64-bit integer.
    #[error("malformed X-WOPI-TimeStamp")]
    MalformedTimestamp,
    /// The timestamp is more than [`MAX_AGE_MS`] in the past.
    #[error("proof timestamp too old")]
    Expired,
    /// The timestamp is more than [`MAX_SKEW_MS`] in the future.
    #[error("proof timestamp in the future")]
    FromFuture,
    /// No accepted key/signature combination verifies.
    #[error("proof signature does not verify")]
    BadSignature,
    /// A key could not be decoded, is unusable, or a private-key operation failed.
    #[error("bad proof key: {0}")]
    BadKey(String),
}

impl ProofError {
    /// A short, fixed name for the failure (a metrics label): `missing_header`,
    /// `malformed_timestamp`, `expired`, `from_future`, `bad_signature`, `bad_key`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::MalformedTimestamp => "malformed_timestamp",
            Self::Expired => "expired",
            Self::FromFuture => "from_future",
            Self::BadSignature => "bad_signature",
            Self::BadKey(_) => "bad_key",
        }
    }
}

/// The result of a successful proof check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofOutcome {
    /// X-WOPI-Proof verified with the current key.
    Valid,
    /// Accepted through X-WOPI-ProofOld with the current key, or X-WOPI-Proof with the old key:
    /// keys were rotated; the caller should refresh discovery.
    ValidRotated,
}

/// Decodes standard base64 (padding optional, surrounding whitespace ignored).
fn decode_b64(text: &str) -> Option<Vec<u8>> {
    STANDARD_PAD_INDIFFERENT.decode(text.trim()).ok()
}

/// Reads a little-endian `u32` at `at`.
fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let chunk: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(chunk))
}

/// `bytes` without leading zero bytes.
fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// An RSA public key from discovery.
///
/// Modulus sizes from 1024 to 8192 bits are accepted; the public exponent must fit in 32 bits
/// (as in a CryptoAPI blob).
#[derive(Clone, PartialEq, Eq)]
pub struct ProofKey {
    key: PublicKey,
}

impl fmt::Debug for ProofKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProofKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

impl ProofKey {
    /// A key from the discovery attributes `modulus` and `exponent` (base64 of big-endian
    /// unsigned integers).
    pub fn from_modulus_exponent(
        modulus_b64: &str,
        exponent_b64: &str,
    ) -> Result<Self, ProofError> {
        let modulus = decode_b64(modulus_b64)
            .ok_or_else(|| ProofError::BadKey("modulus is not valid base64".into()))?;
        let exponent = decode_b64(exponent_b64)
            .ok_or_else(|| ProofError::BadKey("exponent is not valid base64".into()))?;
        Self::from_be_components(&modulus, &exponent)
    }

    /// A key from the discovery attribute `value`: base64 of a CryptoAPI `PUBLICKEYBLOB` as
    /// written by .NET `RSACryptoServiceProvider.ExportCspBlob(false)` (spec §3).
    pub fn from_csp_blob(value_b64: &str) -> Result<Self, ProofError> {
        let blob = decode_b64(value_b64)
            .ok_or_else(|| ProofError::BadKey("CSP blob is not valid base64".into()))?;
        let bad = |what: &str| ProofError::BadKey(format!("CSP blob: {what}"));
        if blob.len() < CSP_HEADER_LEN {
            return Err(bad("too short"));
        }
        if blob.first() != Some(&CSP_PUBLICKEYBLOB) {
            return Err(bad("not a PUBLICKEYBLOB"));
        }
        if blob.get(1) != Some(&CSP_BLOB_VERSION) {
            return Err(bad("unsupported version"));
        }
        let algorithm = le_u32(&blob, 4).ok_or_else(|| bad("too short"))?;
        if algorithm != CSP_CALG_RSA_KEYX && algorithm != CSP_CALG_RSA_SIGN {
            return Err(bad("not an RSA key"));
        }
        if blob.get(8..12) != Some(CSP_MAGIC_RSA1.as_slice()) {
            return Err(bad("missing RSA1 magic"));
        }
        let bit_len = le_u32(&blob, 12).ok_or_else(|| bad("too short"))?;
        let exponent = le_u32(&blob, 16).ok_or_else(|| bad("too short"))?;
        let modulus_len = usize::try_from(bit_len.div_ceil(8)).map_err(|_| bad("too long"))?;
        let modulus_le = blob
            .get(CSP_HEADER_LEN..)
            .filter(|rest| rest.len() == modulus_len)
            .ok_or_else(|| bad("length does not match the bit length"))?;
        let modulus_be: Vec<u8> = modulus_le.iter().rev().copied().collect();
        Self::from_be_components(&modulus_be, &exponent.to_be_bytes())
    }

    /// A key from one set of `<proof-key>` attributes (`value`/`modulus`/`exponent`, or the
    /// `old…` ones). Prefers modulus/exponent when both are non-empty, else the CSP blob;
    /// `Ok(None)` when all are empty (e.g. no old key).
    pub fn from_discovery(
        value: &str,
        modulus: &str,
        exponent: &str,
    ) -> Result<Option<Self>, ProofError> {
        let (value, modulus, exponent) = (value.trim(), modulus.trim(), exponent.trim());
        if !modulus.is_empty() && !exponent.is_empty() {
            return Self::from_modulus_exponent(modulus, exponent).map(Some);
        }
        if !value.is_empty() {
            return Self::from_csp_blob(value).map(Some);
        }
        if modulus.is_empty() && exponent.is_empty() {
            return Ok(None);
        }
        Err(ProofError::BadKey(
            "proof key has a modulus or an exponent but not both".into(),
        ))
    }

    /// A key from big-endian modulus and exponent bytes.
    fn from_be_components(modulus: &[u8], exponent: &[u8]) -> Result<Self, ProofError> {
        let modulus = trim_leading_zeros(modulus);
        let exponent = trim_leading_zeros(exponent);
        if modulus.is_empty() {
            return Err(ProofError::BadKey("empty modulus".into()));
        }
        if exponent.is_empty() {
            return Err(ProofError::BadKey("empty public exponent".into()));
        }
        if exponent.len() > 4 {
            return Err(ProofError::BadKey(
                "public exponent larger than 32 bits".into(),
            ));
        }
        let n = BoxedUint::from_be_slice_vartime(modulus);
        let e = BoxedUint::from_be_slice_vartime(exponent);
        PublicKey::new(n, e)
            .map(|key| Self { key })
            .map_err(|err| ProofError::BadKey(format!("invalid RSA public key: {err}")))
    }

    /// Checks that `key`'s public exponent fits the CryptoAPI blob (32 bits).
    fn check_exponent(key: &PublicKey) -> Result<(), ProofError> {
        if key.e_bytes().len() > 4 {
            return Err(ProofError::BadKey(
                "public exponent larger than 32 bits".into(),
            ));
        }
        Ok(())
    }

    /// The size of the modulus in bits (e.g. 2048).
    pub fn bits(&self) -> u32 {
        self.key.n().bit_width_vartime()
    }

    /// The modulus as base64 of big-endian bytes (discovery attribute `modulus`).
    pub fn modulus_b64(&self) -> String {
        STANDARD.encode(self.key.n_bytes())
    }

    /// The public exponent as base64 of big-endian bytes (discovery attribute `exponent`;
    /// `AQAB` for 65537).
    pub fn exponent_b64(&self) -> String {
        STANDARD.encode(self.key.e_bytes())
    }

    /// The key as a CryptoAPI `PUBLICKEYBLOB` (what `ExportCspBlob(false)` writes).
    pub fn csp_blob(&self) -> Vec<u8> {
        let bit_len = self.bits();
        let modulus_len = usize::try_from(bit_len.div_ceil(8)).unwrap_or(usize::MAX);
        let exponent = self
            .key
            .e_bytes()
            .iter()
            .fold(0u32, |acc, &b| acc.wrapping_shl(8) | u32::from(b));
        let mut blob = Vec::with_capacity(CSP_HEADER_LEN.saturating_add(modulus_len));
        blob.extend_from_slice(&[CSP_PUBLICKEYBLOB, CSP_BLOB_VERSION, 0, 0]);
        blob.extend_from_slice(&CSP_CALG_RSA_KEYX.to_le_bytes());
        blob.extend_from_slice(CSP_MAGIC_RSA1);
        blob.extend_from_slice(&bit_len.to_le_bytes());
        blob.extend_from_slice(&exponent.to_le_bytes());
        let modulus_be = self.key.n_bytes();
        blob.extend(modulus_be.iter().rev());
        blob.resize(CSP_HEADER_LEN.saturating_add(modulus_len), 0);
        blob
    }

    /// [`Self::csp_blob`] as base64 (discovery attribute `value`).
    pub fn csp_blob_b64(&self) -> String {
        STANDARD.encode(self.csp_blob())
    }

    /// Whether `signature_b64` (base64) is a valid RSASSA-PKCS1-v1_5 / SHA-256 signature of
    /// `data` made with this key. Malformed base64 or a signature of the wrong length give
    /// `false`.
    pub fn verify(&self, data: &[u8], signature_b64: &str) -> bool {
        self.verify_digest(&Sha256::digest(data), signature_b64)
    }

    /// [`Self::verify`] with the SHA-256 of the data already computed.
    fn verify_digest(&self, digest: &[u8], signature_b64: &str) -> bool {
        let Some(signature) = decode_b64(signature_b64) else {
            return false;
        };
        self.key
            .pkcs1v15_verify_prehash::<Sha256>(digest, &signature)
            .is_ok()
    }
}

/// The current and (optional) old key of one WOPI client.
#[derive(Clone, Debug, PartialEq)]
pub struct ProofKeys {
    /// The key behind `X-WOPI-Proof` (discovery `value`/`modulus`/`exponent`).
    pub current: ProofKey,
    /// The previous key (discovery `oldvalue`/`oldmodulus`/`oldexponent`), if any.
    pub old: Option<ProofKey>,
}

/// The three headers of a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProofHeaders<'a> {
    /// `X-WOPI-Proof`: signature with the client's current key.
    pub proof: Option<&'a str>,
    /// `X-WOPI-ProofOld`: signature with the client's previous key.
    pub proof_old: Option<&'a str>,
    /// `X-WOPI-TimeStamp`: signing time in .NET ticks, as decimal text.
    pub timestamp: Option<&'a str>,
}

/// .NET ticks (100-ns intervals since 0001-01-01T00:00:00Z) to Unix milliseconds, rounded
/// down. Saturates instead of overflowing.
pub fn ticks_to_unix_ms(ticks: i64) -> i64 {
    ticks
        .saturating_sub(TICKS_AT_UNIX_EPOCH)
        .div_euclid(TICKS_PER_MS)
}

/// Unix milliseconds to .NET ticks. Saturates instead of overflowing.
pub fn unix_ms_to_ticks(ms: i64) -> i64 {
    ms.saturating_mul(TICKS_PER_MS)
        .saturating_add(TICKS_AT_UNIX_EPOCH)
}

/// The bytes that are signed (spec §2): each field preceded by its length as big-endian `u32`
/// — the access token bytes as given, the URL upper-cased with ASCII rules only
/// (`to_ascii_uppercase`, so non-ASCII characters are left alone), and the timestamp as a
/// big-endian `i64`.
pub fn expected_proof(access_token: &str, url: &str, timestamp_ticks: i64) -> Vec<u8> {
    let token = access_token.as_bytes();
    let url = url.to_ascii_uppercase().into_bytes();
    let len_u32 = |len: usize| u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes();
    let mut data = Vec::with_capacity(
        20usize
            .saturating_add(token.len())
            .saturating_add(url.len()),
    );
    data.extend_from_slice(&len_u32(token.len()));
    data.extend_from_slice(token);
    data.extend_from_slice(&len_u32(url.len()));
    data.extend_from_slice(&url);
    data.extend_from_slice(&8u32.to_be_bytes());
    data.extend_from_slice(&timestamp_ticks.to_be_bytes());
    data
}

/// Checks that `timestamp_ticks` lies within [`MAX_AGE_MS`] before and [`MAX_SKEW_MS`] after
/// `now_ms` (Unix milliseconds), bounds included.
pub fn check_timestamp(timestamp_ticks: i64, now_ms: i64) -> Result<(), ProofError> {
    let now_ticks = unix_ms_to_ticks(now_ms);
    if now_ticks.saturating_sub(timestamp_ticks) > MAX_AGE_MS.saturating_mul(TICKS_PER_MS) {
        return Err(ProofError::Expired);
    }
    if timestamp_ticks.saturating_sub(now_ticks) > MAX_SKEW_MS.saturating_mul(TICKS_PER_MS) {
        return Err(ProofError::FromFuture);
    }
    Ok(())
}

/// `value` unless it is absent or blank.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

/// Parses `X-WOPI-TimeStamp` (decimal `i64`, surrounding whitespace ignored).
pub fn parse_timestamp(text: &str) -> Result<i64, ProofError> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| ProofError::MalformedTimestamp)
}

/// Full check at `now_ms` (Unix milliseconds): `X-WOPI-Proof` and `X-WOPI-TimeStamp` present
/// (`X-WOPI-ProofOld` is optional), the timestamp a decimal `i64` within
/// [`now - MAX_AGE_MS`, `now + MAX_SKEW_MS`]; then the three-way check of spec §4 (see
/// [`verify_signatures`]).
///
/// `url` is the absolute public URL of the request, query string included, exactly as sent.
pub fn verify_request(
    keys: &ProofKeys,
    access_token: &str,
    url: &str,
    headers: &ProofHeaders<'_>,
    now_ms: i64,
) -> Result<ProofOutcome, ProofError> {
    let proof = non_empty(headers.proof).ok_or(ProofError::MissingHeader(HEADER_PROOF))?;
    let timestamp_text =
        non_empty(headers.timestamp).ok_or(ProofError::MissingHeader(HEADER_TIMESTAMP))?;
    let timestamp = parse_timestamp(timestamp_text)?;
    check_timestamp(timestamp, now_ms)?;
    verify_signatures(
        keys,
        access_token,
        url,
        timestamp,
        Some(proof),
        headers.proof_old,
    )
}

/// The three-way signature check of spec §4, without the time window (e.g. for Microsoft's
/// 2015 sample vectors): `proof` with the current key gives [`ProofOutcome::Valid`];
/// `proof_old` with the current key, or `proof` with the old key, give
/// [`ProofOutcome::ValidRotated`]. `proof_old` with the old key is *not* accepted. Absent or
/// malformed signatures simply do not verify.
pub fn verify_signatures(
    keys: &ProofKeys,
    access_token: &str,
    url: &str,
    timestamp_ticks: i64,
    proof: Option<&str>,
    proof_old: Option<&str>,
) -> Result<ProofOutcome, ProofError> {
    let digest = Sha256::digest(expected_proof(access_token, url, timestamp_ticks));
    if let Some(proof) = proof
        && keys.current.verify_digest(&digest, proof)
    {
        return Ok(ProofOutcome::Valid);
    }
    if let Some(proof_old) = proof_old
        && keys.current.verify_digest(&digest, proof_old)
    {
        return Ok(ProofOutcome::ValidRotated);
    }
    if let (Some(old), Some(proof)) = (&keys.old, proof)
        && old.verify_digest(&digest, proof)
    {
        return Ok(ProofOutcome::ValidRotated);
    }
    Err(ProofError::BadSignature)
}

/// A private key that signs proofs (development editor, tests).
#[derive(Clone)]
pub struct ProofSigner {
    key: PrivateKey,
}

impl fmt::Debug for ProofSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProofSigner")
            .field("bits", &self.public().bits())
            .finish_non_exhaustive()
    }
}

impl ProofSigner {
    /// A new random key pair of `bits` bits (at least 1024; 2048 is what Office uses) with
    /// public exponent 65537, from the operating system's random number generator.
    pub fn generate(bits: usize) -> Result<Self, ProofError> {
        // `rsa`'s default `getrandom` feature turns on `crypto-common/getrandom`, which
        // re-exports `getrandom::SysRng` (a `rand_core` 0.10 `TryCryptoRng`); reach it through
        // the `sha2` → `digest` → `crypto-common` re-exports rather than another dependency.
        let mut rng = rsa::sha2::digest::common::getrandom::SysRng;
        let key = PrivateKey::new(&mut rng, bits)
            .map_err(|err| ProofError::BadKey(format!("key generation failed: {err}")))?;
        Self::from_private_key(key)
    }

    /// A key pair from PKCS#8 DER (as written by [`Self::to_pkcs8_der`]).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, ProofError> {
        let key = PrivateKey::from_pkcs8_der(der)
            .map_err(|err| ProofError::BadKey(format!("invalid PKCS#8 RSA private key: {err}")))?;
        Self::from_private_key(key)
    }

    /// Wraps `key` after checking that its public half is one [`ProofKey`] accepts.
    fn from_private_key(key: PrivateKey) -> Result<Self, ProofError> {
        let public = key.to_public_key();
        ProofKey::check_exponent(&public)?;
        let bits = public.n().bit_width_vartime();
        if !(1024..=8192).contains(&bits) {
            return Err(ProofError::BadKey(format!("unsupported key size {bits}")));
        }
        Ok(Self { key })
    }

    /// The key pair as PKCS#8 DER, for persisting. Keep it secret.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, ProofError> {
        self.key
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|err| ProofError::BadKey(format!("PKCS#8 encoding failed: {err}")))
    }

    /// The public half.
    pub fn public(&self) -> ProofKey {
        ProofKey {
            key: self.key.to_public_key(),
        }
    }

    /// The modulus for a discovery `<proof-key modulus="…">`.
    pub fn modulus_b64(&self) -> String {
        self.public().modulus_b64()
    }

    /// The public exponent for a discovery `<proof-key exponent="…">`.
    pub fn exponent_b64(&self) -> String {
        self.public().exponent_b64()
    }

    /// The CryptoAPI blob for a discovery `<proof-key value="…">`.
    pub fn csp_blob_b64(&self) -> String {
        self.public().csp_blob_b64()
    }

    /// The base64 RSASSA-PKCS1-v1_5 / SHA-256 signature of `data`, or an error if the private
    /// key operation fails (only when the system random number generator, used for blinding,
    /// fails).
    pub fn try_sign(&self, data: &[u8]) -> Result<String, ProofError> {
        self.key
            .pkcs1v15_sign::<Sha256>(data)
            .map(|signature| STANDARD.encode(signature))
            .map_err(|err| ProofError::BadKey(format!("signing failed: {err}")))
    }

    /// The base64 RSASSA-PKCS1-v1_5 / SHA-256 signature of `data`. Should signing ever fail
    /// (see [`Self::try_sign`]) the result is empty, which verifies against nothing.
    pub fn sign(&self, data: &[u8]) -> String {
        self.try_sign(data).unwrap_or_default()
    }

    /// The value of `X-WOPI-Proof` (or `X-WOPI-ProofOld`) for a request: [`Self::sign`] of
    /// [`expected_proof`].
    pub fn sign_request(&self, access_token: &str, url: &str, timestamp_ticks: i64) -> String {
        self.sign(&expected_proof(access_token, url, timestamp_ticks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which accepted combination verifies a sample vector.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Combo {
        /// `X-WOPI-Proof` with the current key.
        CurrentKeyProof,
        /// `X-WOPI-ProofOld` with the current key.
        CurrentKeyProofOld,
        /// `X-WOPI-Proof` with the old key.
        OldKeyProof,
    }

    /// One of Microsoft's sample vectors (spec §6), with its derived check values.
    struct Vector {
        token: &'static str,
        url: &'static str,
        timestamp: i64,
        proof: &'static str,
        proof_old: &'static str,
        token_len: usize,
        url_len: usize,
        data_len: usize,
        timestamp_hex: &'static str,
        sha256: &'static str,
    }

    const VECTORS: [Vector; 8] = [
        Vector {
            token: "yZhdN1qgywcOQWhyEMVpB6NE3pvBksvcLXsrFKXNtBeDTPW%2fu62g2t%2fOCWSlb3jUGaz1zc%2fzOzbNgAredLdhQI1Q7sPPqUv2owO78olmN74DV%2fv52OZIkBG%2b8jqjwmUobcjXVIC1BG9g%2fynMN0itZklL2x27Z2imCF6xELcQUuGdkoXBj%2bI%2bTlKM",
            url: "https://contoso.com/wopi/files/vHxYyRGM8VfmSGwGYDBMIQPzuE+sSC6kw+zWZw2Nyg?access_token=yZhdN1qgywcOQWhyEMVpB6NE3pvBksvcLXsrFKXNtBeDTPW%2fu62g2t%2fOCWSlb3jUGaz1zc%2fzOzbNgAredLdhQI1Q7sPPqUv2owO78olmN74DV%2fv52OZIkBG%2b8jqjwmUobcjXVIC1BG9g%2fynMN0itZklL2x27Z2imCF6xELcQUuGdkoXBj%2bI%2bTlKM",
            timestamp: 635655897610773532,
            proof: "IflL8OWCOCmws5qnDD5kYMraMGI3o+T+hojoDREbjZSkxbbx7XIS1Av85lohPKjyksocpeVwqEYm9nVWfnq05uhDNGp2MsNyhPO9unZ6w25Rjs1hDFM0dmvYx8wlQBNZ/CFPaz3inCMaaP4PtU85YepaDccAjNc1gikdy3kSMeG1XZuaDixHvMKzF/60DMfLMBIu5xP4Nt8i8Gi2oZs4REuxi6yxOv2vQJQ5+8Wu2Olm8qZvT4FEIQT9oZAXebn/CxyvyQv+RVpoU2gb4BreXAdfKthWF67GpJyhr+ibEVDoIIolUvviycyEtjsaEBpOf6Ne/OLRNu98un7WNDzMTQ==",
            proof_old: "lWBTpWW8q80WC1eJEH5HMnGka4/LUF7zjUPqBwRMO0JzVcnjICvMP2TZPB2lJfy/4ctIstCN6P1t38NCTTbLWlXuE+c4jqL9r2HPAdPPcPYiBAE1Evww93GpxVyOVcGADffshQvfaYFCfwL9vrBRstaQuWI0N5QlBCtWbnObF4dFsFWRRSZVU0X9YcNGhVX1NkVFVfCKG63Q/JkL+TnsJ7zqb7ZQpbS19tYyy4abtlGKWm3Zc1Jq9hPI3XVpoARXEO8cW6lT932QGdZiNr9aW2c15zTC6WiTxVeu7RW2Y0meX+Sfyrfu7GFb5JXDJAq8ZrUEUWABv1BOhHz5vLYHIA==",
            token_len: 200,
            url_len: 287,
            data_len: 507,
            timestamp_hex: "08d24dabc878e41c",
            sha256: "5ba5ba7a205e58d1de521c6f290b484787901e4104409cc9fb28d5803fc48079",
        },
        Vector {
            token: "RLoY%2f3D73%2fjwt6IQqR1wHqCEKDxRf2v0GPDa0ZHTlA6ik1%2fNBHDD6bHCI0BQrvacjNBL8ok%2fZsVPI%2beAIA5mHSOUbhW9ohowwD6Ljlwro2n5PkTBh6GEYi2afuCIQ8mjXAUdvEDg3um2GjJKtA%3d%3d",
            url: "https://contoso.com/wopi/files/JIB9h+LJpZWBDwvoIiQ5p3115zJWDecpGF9aCm1vOa5UMllgC7w?access_token=RLoY%2f3D73%2fjwt6IQqR1wHqCEKDxRf2v0GPDa0ZHTlA6ik1%2fNBHDD6bHCI0BQrvacjNBL8ok%2fZsVPI%2beAIA5mHSOUbhW9ohowwD6Ljlwro2n5PkTBh6GEYi2afuCIQ8mjXAUdvEDg3um2GjJKtA%3d%3d",
            timestamp: 635655897361394523,
            proof: "x0IeSOjUQNH2pvjMPkP4Jotzs5Weeqms4AlPxMQ5CipssUJbyKFjLWnwPg1Ac0XtSTiPD177BmQ1+KtmYvDTWQ1FmBuvpvKZDSKzXoT6Qj4LCYYQ0TxnN/OT231+qd50sOD8zAxhfXP56qND9tj5xqoHMa+lbuvNCqiOBTZw5f/dklSK7Wgdx7ST3Dq6S9xxDUfsLC4Tjq+EsvcdSNIWL/W6NRZdyWqlgRgE6X8t/2iyyMypURdOW2Rztc6w/iYhbuh22Ul6Jfu14KaDo6YkvBr8iHlK4CcQST9i0u044y1Jnh34UK4EPdVRZrvTmeJ/5DFLWOqEwvBlW2bpoYF+9A==",
            proof_old: "etYRI9UT6q8jA6PHMMmuGa8NbyIlbTHMHmJZqaCOh2GCpv7um2q7+7oaDFqAV/UP+2N85yZXvZgt9kTOUCwIdggUQVeJluNCwf1B5NsN/7n2aQF9LnWyYK8kK/3xvQKQrj4n24jk2MnHcX1tk8H/qLxq2DbPzi6ROoSgs2ZK8nmzhSPF74jnLCrwiwGgnVZV6gIhlAKCcUGtdrT60sgD/wpJGQQ0M59VDQhf1aDj5bUotf8RXovY8Gl0lpguvN4+EsEjpbVjdV9hxWs7c03JDdoz7mzFUWErSly9IzYXNfuFZMnSXpF3lGiprVJvW34Bu2gTo/cLq4LQoABkNCmd4g==",
            token_len: 162,
            url_len: 258,
            data_len: 440,
            timestamp_hex: "08d24dabb99bab5b",
            sha256: "4994ac5f500449c12f446baa5b64af0764a112788bbc121bf9388a1e93fae57a",
        },
        Vector {
            token: "zo7pjAbo%2fyof%2bvtUJn5gXpYcSl7TSSx0TbQGJbWJSll9PTjRRsAbG%2fSNL7FM2n5Ei3jQ8UJsW4RidT5R4tl1lrCi1%2bhGjxfWAC9pRRl6J3M1wZk9uFkWEeGzbtGByTkaGJkBqgKV%2ffxg%2bvATAhVr6E3LHCBAN91Wi8UG",
            url: "https://contoso.com/wopi/files/RVQ29k8tf3h8cJ/Endy+aAMPy0iGhLatGNrhvKofPY9p2w?access_token=zo7pjAbo%2fyof%2bvtUJn5gXpYcSl7TSSx0TbQGJbWJSll9PTjRRsAbG%2fSNL7FM2n5Ei3jQ8UJsW4RidT5R4tl1lrCi1%2bhGjxfWAC9pRRl6J3M1wZk9uFkWEeGzbtGByTkaGJkBqgKV%2ffxg%2bvATAhVr6E3LHCBAN91Wi8UG",
            timestamp: 635655898374047766,
            proof: "qQhMjQf9Zohj+S/wvhe+RD6W5TIEqJwDWO3zX9DB85yRe3Ide7EPQDCY9dAZtJpWkIDDzU+8FEwnexF0EhPimfCkmAyoPpkl2YYvQvvwUK2gdlk3WboWOVszm17p4dSDA0TDMPYsjaAGHKM/nPnTyIMzRyArEzoy2vNkLEP6qdBIuMP2aCtGsciwMjYifHYRIRenB7H7I+FkwH0UaoTUCoo2PJkyZjy1nK6OwGVWaWG0G8g7Zy+K3bRYV+7cNaM5SB720ezhmYYJJvsIdRvO7pLsjAuTo4KJhvmVFCipwyCdllVHY83GjuGOsAbHIIohl0Ttq59o0jp4w2wUs8U+mQ==",
            proof_old: "PjKR1BTNNnfOrUzfo27cLIhlrbSiOVZaANadDyHxKij/77ZYId+liyXoawvvQQPgnBH1dW6jqpr6fh5ZxZ9IOtaV+cTSUGnGdRSn7FyKs1ClpApKsZBO/iRBLXw3HDWOLc0jnA2bnxY8yqbEPmH5IBC9taYzxnf7aGjc6AWFHfs6AEQ8lMio6UoASNzjy3VVNzUX+CK+e5Z45coT0X60mjaJmidGfPdWIfyUw8sSuUwxQa1uNXAd8IceRUL7j5s9/kk7EwsihCw1Y3L+XJGG5zMsGhM9bTK5mvxj30UdmZORouNHdywOfdHaB1iOeKOk+yvWFMW3JsYShWbUhZUOEQ==",
            token_len: 176,
            url_len: 267,
            data_len: 463,
            timestamp_hex: "08d24dabf5f78816",
            sha256: "83ae2daaa92018c5f4f256f434338e2ee06cb5298a7fff84b04b640802a4a5f8",
        },
        Vector {
            token: "2rZvm60097vFfXK01cylEhaYU26CbpsoEdVdk%2fDK2JzBjg185nE69CCklY36u2Thrx9DyLdNZGsbRorX12TK%2b6XW8ka%2fKSukXl9N3dkOLlZxe%2bTQhhDlcymhYZ%2fnYx282ZrnI8gdIob0nmlYAIaSDRg0ZVx%2f%2bnSV8X8cHsiMvftBkQQ%2bJgqOU1le3OimjHOiDg%3d%3d",
            url: "https://contoso.com/wopi/files/s/3BPN8mUjJJAQS+aOFtFm6CU+YNpRICIR2M7mQLeQ90BA?access_token=2rZvm60097vFfXK01cylEhaYU26CbpsoEdVdk%2fDK2JzBjg185nE69CCklY36u2Thrx9DyLdNZGsbRorX12TK%2b6XW8ka%2fKSukXl9N3dkOLlZxe%2bTQhhDlcymhYZ%2fnYx282ZrnI8gdIob0nmlYAIaSDRg0ZVx%2f%2bnSV8X8cHsiMvftBkQQ%2bJgqOU1le3OimjHOiDg%3d%3d",
            timestamp: 635655899172093398,
            proof: "nLwR4nbFq8F/RLuAQ0Yby/avSJcpktZh+JlWonkXuVunTw+BZ+F84c3i1+0o7QoPQRkYmy/HEYhFoYVghkhQJzFXf98sYxb52SvDz/pl3G/gTgCcdcqkfRSMtaslkRX1VKC3YX42ksIL0LzM4wiCOJfT70i+2Yr5EQRWi6b2JELrAqPuNkxpuUUZ3DtEXsO9r6a4WkEwJesmqcqaQpMUvQ6cAkShgY7p0gAQeL//GG6wSpDaaA3QqKBcmBgzAatCaqg9NXiPjviZdoHgnbIRjBEhtH/WG00py/tsGMoIh6R9VfnC4jEWWymB5mIiXxW1gBuL63QvQqiL1S8FQ2Xo+g==",
            proof_old: "M7R/iGyWInpWKl1+aAPuB2yVAwWaHTi504c87V0p35PzDyTh+K6fn20ygKmxf9suN9pq+/rMtUXhvM/zCyam0dZFuWpFOI22U0AjQxIJ4ZBH+zT+e/QeNmS7w4ctxUnDJ0zGsJ/DxaC0/DAkiIMOfXgb8FMPA/Z/HY+e1C6rRsoMXy0XGoTwzIDiI6wzPVr6FJpkktwO+eCNMyxnAODhlK+nubIhvmVEzWtenMXX8a2eJ3mFquNC7Le6shiUxZA03MgqknwjasNaGPrdpJYjxCwzH3LnHPOHxVY2HcjjTQTNHO8HEPCoSw9bi5a7XFS2loQM/tm0WknBe9+q4fpMMw==",
            token_len: 216,
            url_len: 307,
            data_len: 543,
            timestamp_hex: "08d24dac2588bdd6",
            sha256: "9355d2280f83ded79e72be1e6aa7ae365298f09c4be59d01efd209b162070dab",
        },
        Vector {
            token: "pbocsujrb9BafFujWh%2fuh7Y6S5nBnonddEzDzV0zEFrBwhiu5lzjXRezXDC9N4acvJeGVB5CWAcxPz6cJ6FzJmwA4ZgGP6FaV%2b6CDkJYID3FJhHFrbw8f2kRfaceRjV1PzXEvFXulnz2K%2fwwv0rF2B4A1wGQrnmwxGIv9cL5PBC4",
            url: "https://contoso.com/wopi/files/DJNj59eQlM6BvwzAHkykiB1vNOWRuxT487+guv3v7HexfA?access_token=pbocsujrb9BafFujWh%2fuh7Y6S5nBnonddEzDzV0zEFrBwhiu5lzjXRezXDC9N4acvJeGVB5CWAcxPz6cJ6FzJmwA4ZgGP6FaV%2b6CDkJYID3FJhHFrbw8f2kRfaceRjV1PzXEvFXulnz2K%2fwwv0rF2B4A1wGQrnmwxGIv9cL5PBC4",
            timestamp: 635655898062751632,
            proof: "qF15pAAnOATqpUTLHIS/Z5K7OYFVjWcgKGbHPa0eHRayXsb6JKTelGQhvs74gEFgg1mIgcCORwAtMzLmEFmOHgrdvkGvRzT3jtVVtwkxEhQt8aQL20N0Nwn4wNah0HeBHskdvmA1G/qcaFp8uTgHpRYFoBaSHEP3AZVNFg5y2jyYR34nNj359gktc2ZyLel3J3j7XtyjpRPHvvYVQfh7RsArLQ0VGp8sL4/BDHdSsUyJ8FXe67TSrz6TMZPwhEUR8dYHYek9qbQjC+wxPpo3G/yusucm1gHo0BjW/l36cI8FRmNs1Fqaeppxqu31FhR8dEl7w5dwefa9wOUKcChF6A==",
            proof_old: "KmYzHJ9tu4SXfoiWzOkUIc0Bh8H3eJrA3OnDSbu2hT68EuLTp2vmvvFcHyHIiO8DuKj7u13MxkpuUER6VSIJp3nYfm91uEE/3g61V3SzaeRXdnkcKUa5x+ulKViECL2n4mpHzNnymxojFW5Y4lKUU4qEGzjE71K1DSFTU/CBkdqycsuy/Oct8G4GhA3O4MynlCf64B9LIhlWe4G+hxZgxIO0pq7w/1SH27nvScWiljVqgOAKr0Oidk/7sEfyBcOlerLgS/A00nJYYJk23DjrKGTKz1YY0CMEsROJCMiW11caxr0aKseOYlfmb6K1RXxtmiDpJ2T4y8jintjEdzEWDA==",
            token_len: 178,
            url_len: 269,
            data_len: 467,
            timestamp_hex: "08d24dabe3698790",
            sha256: "3b7797fd68a35fcf01a3f179f3c22d16e3fb5c89c7f6020a8452953fa16b39af",
        },
        Vector {
            token: "%2foBUJRjT2EVSVaB0Bjl2BCC7bXkN674bwppkzj2H9Elj2G%2bVGl06EzVgv62BqIW17gZZUweK%2fBPCOWN%2bbwoHy2BWES7J4OrDgFpErCsRmRkUr982LaFC2Nxb0%2bH6u6MrWfRMK5dX6w0cltOtRU%2fnsJ9JasAq0J2%2fEzhRbQwIyMQ%3d",
            url: "https://contoso.com/wopi/files/UzfEboK8w9Eal86Vk4xzIkGwUeMAiFaNF14FfQETzQ72LPw?access_token=%2foBUJRjT2EVSVaB0Bjl2BCC7bXkN674bwppkzj2H9Elj2G%2bVGl06EzVgv62BqIW17gZZUweK%2fBPCOWN%2bbwoHy2BWES7J4OrDgFpErCsRmRkUr982LaFC2Nxb0%2bH6u6MrWfRMK5dX6w0cltOtRU%2fnsJ9JasAq0J2%2fEzhRbQwIyMQ%3d",
            timestamp: 635655898147049273,
            proof: "egEcu5FlU9q+u+d5WQ/Z1nYbttR+0iWsLh2BgiyzAq93sQFyvQ5XSCW5i/V7rt9HDewnmvIXsak5ayeoX2aDNgsVM8gSI533tO9dv/33vBM6MAzNLXP3v5rNI/TaTXcfm4Q1bIoE5RFVZUSPH73B3p1Oon0Hhhd1CysFGv6ue00CT1Dgpu/w5cVElQxZmWmguD5hEFgmg9IGKuSJ1CdVeJLcTbdKWhJnTl/G4+SpXfWBnvTBXSzLK+PdtfVCxh/bPO/FJNRWNAg+UgdVAXnLN79faiioG27lXGVrodpVgW8qdANvDkjQbn7z7jXmQmv8ksVQgHfZel963NXRty5pDg==",
            proof_old: "AQUuboqy0JFnMgWfaz8o6V3YDCd6fwQlmkM5cNxCK1ikLK03W4R3xjazBevNja70i3y0JYZ3GvTlJy4ZsEfYf+DRhfzgSuxExpTvNB5RMUvi/kNRTlrMNm6JQrLr2rTY5A+FvQ8YErnKSl5gqh9vb4b47sRdQNvYL5hiVI+Qd4AGAwN9dSq/IJo3jHtivPSGMEfuqozoX3/GQEYfRf5dv58Rjeo5XRiDvuSDhPOacdoL/DFc/ksC0u9vN4qmoTSvt313p/FhFZ9T3NZYi/dv63XP8DJLWs3HMauzGiKFbvKaxDYb2K2llM1CRM2PbKproARMUR6oYYzwNKtg/Q7qIw==",
            token_len: 188,
            url_len: 280,
            data_len: 488,
            timestamp_hex: "08d24dabe86fcf39",
            sha256: "4788fe4303bf40eb1c23c50cd571ae0bef62fff22b15c4f3d6c6edeaa6f11d4c",
        },
        Vector {
            token: "7DHGrfxYtgXxfaXF%2benHF3PTGMrgNlYktkbQB8q%2fn2aQwzYQ6qTmqNJRnJm5QIMXS7WbIxMy0LXaova2h687Md4%2bNTazty3P7HD3j5q9anbCuLsUJHtSXfKANUetLyAjFWq6egtMZJSHzDajO0EaHTeA9M7zJg1j69dEMoLmIbxP03kwAvBrdVQmjFdFryKw",
            url: "https://contoso.com/wopi/files/Dy07US/uXVeOMwgyEqGqeVNnyOoaRxR+es2atR08tZPMatf0gf0?access_token=7DHGrfxYtgXxfaXF%2benHF3PTGMrgNlYktkbQB8q%2fn2aQwzYQ6qTmqNJRnJm5QIMXS7WbIxMy0LXaova2h687Md4%2bNTazty3P7HD3j5q9anbCuLsUJHtSXfKANUetLyAjFWq6egtMZJSHzDajO0EaHTeA9M7zJg1j69dEMoLmIbxP03kwAvBrdVQmjFdFryKw",
            timestamp: 635655899260461032,
            proof: "Y/wVmPuvWJ5Q/Gl/a5mCkTrCKbfHWYiMG6cxmJgD+M/yYFzTsfcgbK2IRAlCR2eqGx3a5wh5bQzlC6Y/sKo2IE9Irz/NHFpV55zYfdwDi5ccwXSd34jWVUgkM3uL1r6KVmHcQH/ew10p54FVatXatuGp2Y+cq9BScYV1a45U8fs9zYoZcTAYvdWeYXmJbRGMOLLxab3fOiulPmbw+gOqpYPbuInc0yut6eGxAUmY1ENxpN7nbUqI3LbJvmE3PuX8Ifgg3RCsaFJEqC6JR36MjG+VqoKaFI6hh/ZWLR4y7FBarSmQBr2VlAHrcWCJIMXoOOKaHdsDfNCb3A24LFvdAQ==",
            proof_old: "Pdbk1FoAB4zhxaDptfVOwTCmrNgWO6zdokoI3VYO8eshE9nJR1Rzr9K2666za29IfT050jJX0EBanIXAawL4rFA6swPHYQAzf3pWJqwvqIbaLYvi4104IBWhm9XdZ7C1jDUmG8DgwbKrXZfg7xxZ/hzPlwEp5Y9ZijD/ReAgRs0Va8/ytWc3AJ+121Q1Ss9U8vD08K5+wg1PVYyNa2YGBpVJbt2ZSt8dvuciWZujFDTzgLvRr6w17kg6+jkiwJyz2ZIL6ytyiUE1oJzsbslIZN3yGHEcmXZZ8Xz5q8fzrLUVmRx1kX6FE2QzRe4+6Q+qNeI8Ct7dj7JBBdbK2Jq+6A==",
            token_len: 198,
            url_len: 294,
            data_len: 512,
            timestamp_hex: "08d24dac2acd1fe8",
            sha256: "118d26a6c78f694cf897d1f3f5b08b9a4fda82b394b0231bbc5454fc6ee015c0",
        },
        Vector {
            token: "itKqYThsIRPrrctbu%2bh7%2fMcYvNZiVKc5Un50ZqjKtvhVwz0XcObcEVm5rghR4PmrUG0P28QnQTYrcQ65%2bLtrIfbTBferY4zhPKt9qKaf6HKEyRU7utszLoIG7P7XIhmdTo0RftsCAO3gLp4ZqZiQi4icNS6mMGYboNZ1pHaNCRmR31oZjmqWgcknWow8",
            url: "https://contoso.com/wopi/files/6XZhdjvt6/cdJvXdBI1bdlIkhIjJPnb9HgWzZX7V2d8?access_token=itKqYThsIRPrrctbu%2bh7%2fMcYvNZiVKc5Un50ZqjKtvhVwz0XcObcEVm5rghR4PmrUG0P28QnQTYrcQ65%2bLtrIfbTBferY4zhPKt9qKaf6HKEyRU7utszLoIG7P7XIhmdTo0RftsCAO3gLp4ZqZiQi4icNS6mMGYboNZ1pHaNCRmR31oZjmqWgcknWow8",
            timestamp: 635655897692506269,
            proof: "Bu+myEy45g0hyKJycD7BYoDH+s10yvuH79Iq3OLz4w/o7gT8orKRrZ4KggJUWMzRPPSgg+CqEf6zdNm6kFrxf/zXCXTqa/bEzmJPNBby+r0jlyz2KFsOkxJ/mzVMKJltG0le56NJim21ZU4AwN0KiB6TZ56ruu/ma014proZWJt/H0qye/pNz5ZyYdyc1khgzKf/8o6sCgh6+VEZx93BjAUyMJr6OS9nYq1B8XGei/sE4xdgbrIGW0Jwjl2hxqBQTn1VL0jyljbjuG+vy83QaeBSB4TGLljHZFgYp6ARCX7v3NHO0MicJtTpLdpsB9dlLkbms/BcJd1gK7m5dDJK1A==",
            proof_old: "CDU9l+cyr82vrUnyhdTh1P4jDwL82c//XrTWU/rPeTyB9Ko6z2aNCs893GEB3jICY7mDZ4t0sA5z/lpN83UyfH1uVqnEB92zCQsJTkXMdNG9dsK64G6RxIVbmhJkV5xiJvERCRnJJTcQg4ymeXQ3cuXAcN9XhStK8FCxBhxGMJsmlY2tahxdTEIHXHVagvdyB1UY0V1rv+OAOnCGaTs0yyBA0Mo5nmTSNF8VnYmqsmbXyyDPJJTsqallyJPxvdrLPeiBq1JHMr3b8dgel1jfweDR4mD9pHn3O9eaHN8b6xlLc+dIpwvcflzyhhEL5JKEUtO6EKbfakZTUeS86BuBZA==",
            token_len: 194,
            url_len: 282,
            data_len: 496,
            timestamp_hex: "08d24dabcd58089d",
            sha256: "b8f057e5c596fe7ae090f2d8bb97cc7697108c1499408969b3358ae5c01d49bf",
        },
    ];

    /// Spec §6: 1–2 via Proof/current, 3–4 via ProofOld/current, 5–6 via Proof/old, 7–8 none.
    const EXPECTED: [Option<Combo>; 8] = [
        Some(Combo::CurrentKeyProof),
        Some(Combo::CurrentKeyProof),
        Some(Combo::CurrentKeyProofOld),
        Some(Combo::CurrentKeyProofOld),
        Some(Combo::OldKeyProof),
        Some(Combo::OldKeyProof),
        None,
        None,
    ];

    // Key material: Microsoft's samples (spec §6), and the test-only key pair of the Python
    // wopi-validator runner (/work/shared/wopi-validator/proof-keys.json: private, hex;
    // discovery.xml: public, base64).
    const VALIDATOR_CURRENT_N: &str = "b28b54b40743710fb039b9f2149f40f500354d4107e10d108c6c1f7b581427e0223932da5d057cc58d5858ad127294c98993c8ed362a1cfa84dcbcfab93bfc23b97a16023ee64a4dad2979b3a28ccabefcc91ba2258d67dc9e36fae796e17faef513595f263c6e806c18a8822653d166afc00f246ed079c232562b6481764dea1bef4fa2f1ad3f62b8ce2dadc2d352dc9e88a145adba796b063771d3baa3a369cc0609686309ddd04d9dc3aaa9e408b6d6e5cba0e7ab69428f7d5cfd838e37c294271bc3fd20fb2c95a661ac78478eee3165a6fa762a2847f88423853de8c0495dd108677e2b15f043afe673605574268c07d345a7b14fd1c04e67616d5ba3ed";
    const VALIDATOR_CURRENT_D: &str = "569fc3fa4e75d9a26f712a76b9aba473d9e482755531cac9671fc44c6f28e449d9c0df9bd33ae8d4de25696c9b012d8ff46857b94328be838b379f96938d77610bc9a068f98478b3641ab5d9c23945dad0c16fdf4511ecbcbca4572a4a6960ae0d689459562f46bb96f685b7138a6213cc9c459c7b0939b1cf0340ad5424865b0966dc5190863493040427d3f868882b9c9c141d0df10df226b2fa2c65d8863ffdde85153c9ed0e6bc12635eff0270fc889e8ec2311666914e6fc6205a966c121fd9ecd51d2e8cf44306a194b492c9f0ec0cdca21c2ced0ac4da2604c9b7f545740c5e12e53254aac314068fc0c47bfddcbe73da3e831a1359ca74271e5f311f";
    const VALIDATOR_CURRENT_P: &str = "e9ca6900c20b377f1cfeae10f07e8ae5d8c0b47b76461adeef3b3e521fdcbdf161c6d50b2dc836def6e78c70d34643b9e7124f9d5780b0f64b59f4d6d1518fcf7cbdb3ba9fe2e2f47c4363fe667bdd8728d22ac72ef80dbb24c5d80a2830a1966774be85c0cea7bd0903b35e45cc6197291e991e79cfcbfbf60b81baa0b72253";
    const VALIDATOR_CURRENT_Q: &str = "c381600eee4da6401aa7e450e4923714d9803713c7adca98c1d6b219aefe7f47c6da099e4295b4dbdbbb940a85bc038bcaddc86bfd0bea2e75e901c773ed2d66e163461fe640a657271e6e19a5fe820d39f8d2fafb4bf8708b4a8f542ade244ca52644a15b28a360a6ef513741131aae544aa34ac650c7209f7fba76ded1d8bf";
    const VALIDATOR_OLD_N: &str = "b105ca05345237c8c8dd36d2b5ab0baa027c1ca45a42435f4290d514eb0181caf1fb6145efe04347ba75fe203a45a522b4141a8cb63fb3dd80d859957d2cc67d4d003c15154033c29f37aa393e0bc93429988cb3f7f10bb5921175ec45299c506b2f79d839ee0db94da5f67c1702bb13c3d0e140124964331446bfb8439fcf68198171036fc833a2494a750dcdf2cdc7d1fd4825ef8363207fcc52df628c9cd070e05a1cc83eac1f48553c8244fb6deba7037cf272d379c6b921b2d6899451e5e4af046a15cfff1168c7681080e6cc65cb38c83fd200c56bc3c62e487f8469a957519b7be270bba8efc29a2f72022e4d5d24cbf8619549456a9193d756f05f09";
    const VALIDATOR_OLD_D: &str = "10b3037ba1f3cb1a2473b4d92404e096ef40d2c960cfdd2fea7543faa3103b74a006f7264c328f5a400163419a49a9623893686d43808728d33fa594cbf00a41f5fe7a8c811a933f6dfa67f31a32adae7f698a056cb37727afe1b88a7b3c49880f127597b3a04cb8613631a6435bf136b43b5b526a5f34c5fa48d1cb71caacbba4b3cd3103c91643d2ed74ac69302b9fe4bc6713c05e45fb1f33d91405b35cb29d3e16592a91e52396d77d57bf8b8b95560d0e0d20d0a205ff9ecacd8e4ef494aa9c24e6df21eb4ffd13253db84050fd3ea09e38bfea7536c304ffbe12e65989e6d42cbc74acac1b850fcbab1f273e322951735124824ec10f301973aa37d201";
    const VALIDATOR_OLD_P: &str = "dbeeed0ba454fae9e6fdcba5d16d4585c8c86f16d9cfe43007e3067fa508eaf4f54f828b1b460e795f202db0608beb14b0e7dfe0b20c932502e19e9815b4270d5d25788b2f5f8e2f9f94b309485a5db2a25d6fcdb71e1929588f5cee86d1639a4363f4e5a1a3e6632f269734ab0038e38f68958ba5dc8e9e34391f3023b40909";
    const VALIDATOR_OLD_Q: &str = "ce0d6b3ff1aa5d581b85841669c3537320339666b0df1ecb515b447b14290d35aaab602c8b8c124f8a2ed2d1f586638e3f9b4137ffb77a5972edf4605c7823b2a8b92b98abb342a0ba6ce5f270868ae2c6254fc95c90c5d485c6e5839f403251a0447074bf53d26c4290da5dee5dcd7ffa215de89b8219dc65ec05e02cfd2601";
    const VALIDATOR_DISCOVERY_VALUE: &str = "BgIAAACkAABSU0ExAAgAAAEAAQDto1ttYWdOwNFPsadF0weMJnRVYHPmr0PwFSt+ZwjRXUnA6D2FI4T4RygqdvqmZTHujkd4rGGmlSz7IP3DGyeUwjeOg/1cfY9CaavnoMvl1rYI5Kmqw51N0N0JY2gJBsxpo6O603E3Bmt5uq1FoYie3FLTwq0tzrhiP63xok/vG+pNdoFkK1YywnnQbiQPwK9m0VMmgqgYbIBuPCZfWRP1rn/hluf6Np7cZ40lohvJ/L7KjKKzeSmtTUrmPgIWerkj/Du5+rzchPocKjbtyJOJyZRyEq1YWI3FfAVd2jI5IuAnFFh7H2yMEA3hB0FNNQD1QJ8U8rk5sA9xQwe0VIuy";
    const VALIDATOR_DISCOVERY_MODULUS: &str = "sotUtAdDcQ+wObnyFJ9A9QA1TUEH4Q0QjGwfe1gUJ+AiOTLaXQV8xY1YWK0ScpTJiZPI7TYqHPqE3Lz6uTv8I7l6FgI+5kpNrSl5s6KMyr78yRuiJY1n3J42+ueW4X+u9RNZXyY8boBsGKiCJlPRZq/ADyRu0HnCMlYrZIF2Teob70+i8a0/YrjOLa3C01LcnoihRa26eWsGN3HTuqOjacwGCWhjCd3QTZ3DqqnkCLbW5cug56tpQo99XP2DjjfClCcbw/0g+yyVpmGseEeO7jFlpvp2KihH+IQjhT3owEld0QhnfisV8EOv5nNgVXQmjAfTRaexT9HATmdhbVuj7Q==";
    const VALIDATOR_DISCOVERY_EXPONENT: &str = "AQAB";
    const VALIDATOR_DISCOVERY_OLDVALUE: &str = "BgIAAACkAABSU0ExAAgAAAEAAQAJX/BW15ORakVJlWH4yyRdTS4Cci+awu+ou3Die5tRV6lphH9ILsbDa8UA0j/IOMtlzOaAEGjHaBH/zxVqBK/k5VGUidayIbnGedNy8nwDp+tt+0SCPFVIH6w+yBxa4HDQnIxi31LMfyBjg+8lSP3Rx83yzQ11SkmiM8hvA3GBGWjPn0O4v0YUM2RJEkDh0MMTuwIXfPalTbkN7jnYeS9rUJwpRex1EZK1C/H3s4yYKTTJCz45qjefwjNAFRU8AE19xix9lVnYgN2zP7aMGhS0IqVFOiD+dbpHQ+DvRWH78cqBAesU1ZBCX0NCWqQcfAKqC6u10jbdyMg3UjQFygWx";
    const VALIDATOR_DISCOVERY_OLDMODULUS: &str = "sQXKBTRSN8jI3TbStasLqgJ8HKRaQkNfQpDVFOsBgcrx+2FF7+BDR7p1/iA6RaUitBQajLY/s92A2FmVfSzGfU0APBUVQDPCnzeqOT4LyTQpmIyz9/ELtZIRdexFKZxQay952DnuDblNpfZ8FwK7E8PQ4UASSWQzFEa/uEOfz2gZgXEDb8gzoklKdQ3N8s3H0f1IJe+DYyB/zFLfYoyc0HDgWhzIPqwfSFU8gkT7beunA3zyctN5xrkhstaJlFHl5K8EahXP/xFox2gQgObMZcs4yD/SAMVrw8YuSH+EaalXUZt74nC7qO/Cmi9yAi5NXSTL+GGVSUVqkZPXVvBfCQ==";
    const VALIDATOR_DISCOVERY_OLDEXPONENT: &str = "AQAB";
    const MS_VALUE: &str = "BgIAAACkAABSU0ExAAgAAAEAAQDFEthb5dkE+fGnJgsmY3IXmoFxj1cOwVYLpLNTEksnVRzbXcPfaSl/kFxn5b4QajhH1sTtXECZY6ZUyiDi1NG5ukFc9Fppgt0ywnuJqNBRWPfvLTOaVZRTtr8X8hqL+dPldOI3qFUW2zF6DEsAO9y74l3s6MqNjawCME5X0jb28TOrbXXsDfIGLEN3VBFO3wyhlRZKOmR9ZiqxQbpOz0Ltgv3HYci9OVN9c8YYV5T+fHI0Wtxg4F9lJHlB6MHPV9seVqr4ieM027NG89LhHm9BJEtceII09JgmkwLFUB/s2YGirUwZewk0efw1GL861PE7Vjdn2bIdmGSCRfFQlnPQ";
    const MS_MODULUS: &str = "0HOWUPFFgmSYHbLZZzdWO/HUOr8YNfx5NAl7GUytooHZ7B9QxQKTJpj0NIJ4XEskQW8e4dLzRrPbNOOJ+KpWHttXz8HoQXkkZV/gYNxaNHJ8/pRXGMZzfVM5vchhx/2C7ULPTrpBsSpmfWQ6ShaVoQzfThFUd0MsBvIN7HVtqzPx9jbSV04wAqyNjcro7F3iu9w7AEsMejHbFlWoN+J05dP5ixryF7+2U5RVmjMt7/dYUdCoiXvCMt2CaVr0XEG6udHU4iDKVKZjmUBc7cTWRzhqEL7lZ1yQfylp38Nd2xxVJ0sSU7OkC1bBDlePcYGaF3JjJgsmp/H5BNnlW9gSxQ==";
    const MS_EXPONENT: &str = "AQAB";
    const MS_OLDVALUE: &str = "BgIAAACkAABSU0ExAAgAAAEAAQClucwAqDjPvK3/nrmf51f8tsDkBeuCQnz8qYn66hftzDfzn2zR8RlGDXfm3wKsTBwDDzL2QXsJm09c9/p8FpPi39lpM31dfO/7KyqbQ4x/lfa9Y6SyPIP2eG/tKrXbkeIoWfyCtuQqeY6HrmijYOKc6IN4WOJWaWl2etVu8FRnk2plvlEHLm0N8x5ytCSCd776XXHmY7UzMiR0p6IGLpVfKM0ulQY65bmCGvDxkZwSOJyDV/hkQDGluMRLqQHrSAbnAn+ZKh3NTNspveigbUkakPIX8wc2I8ztzjvXXOp3KPzNFfQQGjLMo51CILxH6pRUvb4q8+VDijfiWvdvafq7";
    const MS_OLDMODULUS: &str = "u/ppb/da4jeKQ+XzKr69VJTqR7wgQp2jzDIaEPQVzfwod+pc1zvO7cwjNgfzF/KQGkltoOi9KdtMzR0qmX8C5wZI6wGpS8S4pTFAZPhXg5w4EpyR8fAagrnlOgaVLs0oX5UuBqKndCQyM7Vj5nFd+r53giS0ch7zDW0uB1G+ZWqTZ1TwbtV6dmlpVuJYeIPonOJgo2iuh455KuS2gvxZKOKR27Uq7W949oM8sqRjvfaVf4xDmyor++98XX0zadnf4pMWfPr3XE+bCXtB9jIPAxxMrALf5ncNRhnx0Wyf8zfM7Rfq+omp/HxCgusF5MC2/Ffnn7me/628zzioAMy5pQ==";
    const MS_OLDEXPONENT: &str = "AQAB";

    /// `INVALID` in base64, as the validator's ProofKeys tests send it.
    const INVALID: &str = "SU5WQUxJRA==";
    const TOKEN: &str = "4f1c0d2e9a7b4c3d8e5f6a7b8c9d0e1f";
    const URL: &str = "https://folio.example.org/wopi/files/0f3a9c?access_token=4f1c0d2e9a7b4c3d8e5f6a7b8c9d0e1f&access_token_ttl=1750003600000";
    /// 2025-06-15T15:46:40Z.
    const NOW_MS: i64 = 1_750_002_400_000;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(text: &str) -> Vec<u8> {
        assert!(text.len().is_multiple_of(2), "odd hex length");
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_else(|e| panic!("hex: {e}")))
            .collect()
    }

    fn b64(text: &str) -> Vec<u8> {
        STANDARD
            .decode(text)
            .unwrap_or_else(|e| panic!("base64: {e}"))
    }

    fn key(modulus: &str, exponent: &str) -> ProofKey {
        ProofKey::from_modulus_exponent(modulus, exponent).unwrap_or_else(|e| panic!("key: {e}"))
    }

    fn blob_key(value: &str) -> ProofKey {
        ProofKey::from_csp_blob(value).unwrap_or_else(|e| panic!("blob: {e}"))
    }

    fn ms_keys() -> ProofKeys {
        ProofKeys {
            current: key(MS_MODULUS, MS_EXPONENT),
            old: Some(key(MS_OLDMODULUS, MS_OLDEXPONENT)),
        }
    }

    fn validator_keys() -> ProofKeys {
        let current = ProofKey::from_discovery(
            VALIDATOR_DISCOVERY_VALUE,
            VALIDATOR_DISCOVERY_MODULUS,
            VALIDATOR_DISCOVERY_EXPONENT,
        );
        let old = ProofKey::from_discovery(
            VALIDATOR_DISCOVERY_OLDVALUE,
            VALIDATOR_DISCOVERY_OLDMODULUS,
            VALIDATOR_DISCOVERY_OLDEXPONENT,
        );
        let (Ok(Some(current)), Ok(old @ Some(_))) = (current, old) else {
            panic!("validator discovery keys do not load");
        };
        ProofKeys { current, old }
    }

    fn validator_signer(n: &str, d: &str, p: &str, q: &str) -> ProofSigner {
        let big = |h: &str| BoxedUint::from_be_slice_vartime(&unhex(h));
        let key = PrivateKey::from_components(
            big(n),
            BoxedUint::from(65_537u64),
            big(d),
            vec![big(p), big(q)],
        )
        .unwrap_or_else(|e| panic!("validator private key: {e}"));
        ProofSigner::from_private_key(key).unwrap_or_else(|e| panic!("signer: {e}"))
    }

    fn validator_current_signer() -> ProofSigner {
        validator_signer(
            VALIDATOR_CURRENT_N,
            VALIDATOR_CURRENT_D,
            VALIDATOR_CURRENT_P,
            VALIDATOR_CURRENT_Q,
        )
    }

    fn validator_old_signer() -> ProofSigner {
        validator_signer(
            VALIDATOR_OLD_N,
            VALIDATOR_OLD_D,
            VALIDATOR_OLD_P,
            VALIDATOR_OLD_Q,
        )
    }

    fn request(
        keys: &ProofKeys,
        proof: Option<&str>,
        proof_old: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<ProofOutcome, ProofError> {
        let headers = ProofHeaders {
            proof,
            proof_old,
            timestamp,
        };
        verify_request(keys, TOKEN, URL, &headers, NOW_MS)
    }

    #[test]
    fn ticks_conversions() {
        assert_eq!(ticks_to_unix_ms(TICKS_AT_UNIX_EPOCH), 0);
        assert_eq!(unix_ms_to_ticks(0), TICKS_AT_UNIX_EPOCH);
        // Spec §1: 635655897610773532 = 2015-04-25T20:16:01.0773532Z.
        let expected =
            time::macros::datetime!(2015-04-25 20:16:01.077 UTC).unix_timestamp_nanos() / 1_000_000;
        assert_eq!(
            i128::from(ticks_to_unix_ms(635_655_897_610_773_532)),
            expected
        );
        assert_eq!(
            unix_ms_to_ticks(ticks_to_unix_ms(635_655_897_610_773_532)),
            635_655_897_610_770_000
        );
        // Rounds down, also before 1970.
        assert_eq!(ticks_to_unix_ms(TICKS_AT_UNIX_EPOCH - 1), -1);
        assert_eq!(ticks_to_unix_ms(TICKS_AT_UNIX_EPOCH + 9_999), 0);
        // Extreme values saturate instead of panicking.
        assert_eq!(unix_ms_to_ticks(i64::MAX), i64::MAX);
        assert!(ticks_to_unix_ms(i64::MIN) < 0);
        assert!(ticks_to_unix_ms(i64::MAX) > 0);
        assert!(unix_ms_to_ticks(i64::MIN) < 0);
    }

    #[test]
    fn expected_proof_layout() {
        assert_eq!(
            expected_proof("ab", "c", 0x0102_0304_0506_0708),
            [
                0, 0, 0, 2, b'a', b'b', 0, 0, 0, 1, b'C', 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8
            ]
        );
        let data = expected_proof("", "", -1);
        assert_eq!(hex(&data), "000000000000000000000008ffffffffffffffff");
    }

    #[test]
    fn url_upper_casing_is_ascii_only() {
        let token = "tök";
        let url = "https://host/wopi/files/straße?access_token=a%2fb";
        let data = expected_proof(token, url, 1);
        let token_end = 4 + token.len();
        assert_eq!(
            &data[4..token_end],
            token.as_bytes(),
            "token is not upper-cased"
        );
        let url_len = u32::try_from(url.len()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(data[token_end..token_end + 4], url_len.to_be_bytes());
        let url_part = &data[token_end + 4..token_end + 4 + url.len()];
        assert_eq!(
            url_part,
            "HTTPS://HOST/WOPI/FILES/STRAßE?ACCESS_TOKEN=A%2FB".as_bytes()
        );
        assert_eq!(data.len(), 20 + token.len() + url.len());
    }

    #[test]
    fn microsoft_vectors_signed_data() {
        for (i, v) in VECTORS.iter().enumerate() {
            let n = i + 1;
            let data = expected_proof(v.token, v.url, v.timestamp);
            assert_eq!(v.token.len(), v.token_len, "vector {n}: token bytes");
            assert_eq!(v.url.len(), v.url_len, "vector {n}: URL bytes");
            assert_eq!(data.len(), v.data_len, "vector {n}: signed-data length");
            assert_eq!(
                hex(&v.timestamp.to_be_bytes()),
                v.timestamp_hex,
                "vector {n}"
            );
            assert_eq!(
                hex(&data[data.len() - 12..]),
                format!("00000008{}", v.timestamp_hex),
                "vector {n}: timestamp field"
            );
            assert_eq!(hex(&Sha256::digest(&data)), v.sha256, "vector {n}: SHA-256");
        }
        // Spec §2: the byte layout of vector 1.
        let v = &VECTORS[0];
        let data = expected_proof(v.token, v.url, v.timestamp);
        assert!(hex(&data).starts_with("000000c8795a6864"));
        assert!(hex(&data[204..]).starts_with("0000011f48545450533a2f2f"));
        assert!(
            data[208..]
                .starts_with(b"HTTPS://CONTOSO.COM/WOPI/FILES/VHXYYRGM8VFMSGWGYDBMIQPZUE+SS")
        );
        assert!(hex(&data).ends_with("0000000808d24dabc878e41c"));
    }

    #[test]
    fn microsoft_vectors_verify() {
        let keys = ms_keys();
        let Some(old) = keys.old.as_ref() else {
            panic!("no old key");
        };
        for (i, (v, expected)) in VECTORS.iter().zip(EXPECTED).enumerate() {
            let n = i + 1;
            let data = expected_proof(v.token, v.url, v.timestamp);
            let verified: Vec<Combo> = [
                (Combo::CurrentKeyProof, keys.current.verify(&data, v.proof)),
                (
                    Combo::CurrentKeyProofOld,
                    keys.current.verify(&data, v.proof_old),
                ),
                (Combo::OldKeyProof, old.verify(&data, v.proof)),
            ]
            .into_iter()
            .filter_map(|(combo, ok)| ok.then_some(combo))
            .collect();
            assert_eq!(
                verified,
                Vec::from_iter(expected),
                "vector {n}: combinations"
            );

            let want = match expected {
                Some(Combo::CurrentKeyProof) => Ok(ProofOutcome::Valid),
                Some(_) => Ok(ProofOutcome::ValidRotated),
                None => Err(ProofError::BadSignature),
            };
            let outcome = verify_signatures(
                &keys,
                v.token,
                v.url,
                v.timestamp,
                Some(v.proof),
                Some(v.proof_old),
            );
            assert_eq!(outcome, want, "vector {n}");

            // The full check at signing time gives the same; twenty minutes and a second later
            // the timestamp has expired, whatever the signatures.
            let timestamp = v.timestamp.to_string();
            let headers = ProofHeaders {
                proof: Some(v.proof),
                proof_old: Some(v.proof_old),
                timestamp: Some(&timestamp),
            };
            let signed_at = ticks_to_unix_ms(v.timestamp);
            assert_eq!(
                verify_request(&keys, v.token, v.url, &headers, signed_at),
                want,
                "vector {n}: verify_request"
            );
            assert_eq!(
                verify_request(
                    &keys,
                    v.token,
                    v.url,
                    &headers,
                    signed_at + MAX_AGE_MS + 1_000
                ),
                Err(ProofError::Expired),
                "vector {n}: expired"
            );
        }
    }

    #[test]
    fn csp_blob_and_modulus_exponent_agree() {
        let samples = [
            (MS_VALUE, MS_MODULUS, MS_EXPONENT),
            (MS_OLDVALUE, MS_OLDMODULUS, MS_OLDEXPONENT),
            (
                VALIDATOR_DISCOVERY_VALUE,
                VALIDATOR_DISCOVERY_MODULUS,
                VALIDATOR_DISCOVERY_EXPONENT,
            ),
            (
                VALIDATOR_DISCOVERY_OLDVALUE,
                VALIDATOR_DISCOVERY_OLDMODULUS,
                VALIDATOR_DISCOVERY_OLDEXPONENT,
            ),
        ];
        for (value, modulus, exponent) in samples {
            let from_blob = blob_key(value);
            let from_parts = key(modulus, exponent);
            assert_eq!(from_blob, from_parts);
            assert_eq!(from_parts.bits(), 2048);
            assert_eq!(from_parts.csp_blob().len(), 276);
            // Encoding gives back exactly what discovery published.
            assert_eq!(from_parts.modulus_b64(), modulus);
            assert_eq!(from_parts.exponent_b64(), exponent);
            assert_eq!(from_parts.csp_blob_b64(), value);
        }
        assert_ne!(
            key(MS_MODULUS, MS_EXPONENT),
            key(MS_OLDMODULUS, MS_OLDEXPONENT)
        );
    }

    #[test]
    fn from_discovery_choices() {
        let current = key(MS_MODULUS, MS_EXPONENT);
        let old = key(MS_OLDMODULUS, MS_OLDEXPONENT);
        // Modulus/exponent win over the blob when both are there.
        assert_eq!(
            ProofKey::from_discovery(MS_OLDVALUE, MS_MODULUS, MS_EXPONENT),
            Ok(Some(current.clone()))
        );
        assert_eq!(
            ProofKey::from_discovery(&format!(" {MS_VALUE} "), "", ""),
            Ok(Some(current.clone()))
        );
        assert_eq!(
            ProofKey::from_discovery(MS_OLDVALUE, MS_MODULUS, ""),
            Ok(Some(old))
        );
        assert_eq!(ProofKey::from_discovery("", "", ""), Ok(None));
        assert_eq!(ProofKey::from_discovery(" ", "", " "), Ok(None));
        assert!(matches!(
            ProofKey::from_discovery("", MS_MODULUS, ""),
            Err(ProofError::BadKey(_))
        ));
        assert!(matches!(
            ProofKey::from_discovery("", "", MS_EXPONENT),
            Err(ProofError::BadKey(_))
        ));
        assert!(matches!(
            ProofKey::from_discovery("garbage", "", ""),
            Err(ProofError::BadKey(_))
        ));
        // Unpadded base64 is accepted too.
        assert_eq!(
            ProofKey::from_discovery("", MS_MODULUS.trim_end_matches('='), MS_EXPONENT),
            Ok(Some(current))
        );
    }

    #[test]
    fn debug_shows_only_the_size() {
        let shown = format!("{:?}", key(MS_MODULUS, MS_EXPONENT));
        assert_eq!(shown, "ProofKey { bits: 2048, .. }");
        let shown = format!("{:?}", ms_keys());
        assert!(!shown.contains("0HOW"), "{shown}");
        let shown = format!("{:?}", validator_current_signer());
        assert_eq!(shown, "ProofSigner { bits: 2048, .. }");
    }

    #[test]
    fn bad_keys_are_refused() {
        let is_bad_key = |r: Result<ProofKey, ProofError>| matches!(r, Err(ProofError::BadKey(_)));
        // Modulus / exponent.
        assert!(is_bad_key(ProofKey::from_modulus_exponent("!!!", "AQAB")));
        assert!(is_bad_key(ProofKey::from_modulus_exponent(MS_MODULUS, "A")));
        assert!(is_bad_key(ProofKey::from_modulus_exponent("", "AQAB")));
        assert!(is_bad_key(ProofKey::from_modulus_exponent("AAAA", "AQAB")));
        assert!(is_bad_key(ProofKey::from_modulus_exponent(MS_MODULUS, "")));
        assert!(is_bad_key(ProofKey::from_modulus_exponent(
            MS_MODULUS, "AA=="
        )));
        assert!(is_bad_key(ProofKey::from_modulus_exponent(
            MS_MODULUS, "AQ=="
        )));
        assert!(is_bad_key(ProofKey::from_modulus_exponent(
            MS_MODULUS, "AQAAAAAB"
        )));
        let small = STANDARD.encode([0xc5u8; 64]); // 512 bits
        assert!(is_bad_key(ProofKey::from_modulus_exponent(&small, "AQAB")));
        let even = STANDARD.encode([0xc4u8; 256]);
        assert!(is_bad_key(ProofKey::from_modulus_exponent(&even, "AQAB")));
        let huge = STANDARD.encode([0xc5u8; 1025]); // 8200 bits
        assert!(is_bad_key(ProofKey::from_modulus_exponent(&huge, "AQAB")));
        // Leading zero bytes in the modulus are harmless.
        let mut padded = vec![0u8];
        padded.extend(b64(MS_MODULUS));
        assert_eq!(
            ProofKey::from_modulus_exponent(&STANDARD.encode(&padded), "AAEAAQ=="),
            Ok(key(MS_MODULUS, MS_EXPONENT))
        );

        // CSP blobs.
        let blob = b64(MS_VALUE);
        let with = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut bytes = blob.clone();
            edit(&mut bytes);
            ProofKey::from_csp_blob(&STANDARD.encode(&bytes))
        };
        assert!(with(&|_| {}).is_ok());
        assert!(is_bad_key(ProofKey::from_csp_blob("not base64!")));
        assert!(is_bad_key(ProofKey::from_csp_blob("")));
        assert!(is_bad_key(with(&|b| b.truncate(19))));
        assert!(is_bad_key(with(&|b| b.truncate(20))));
        assert!(is_bad_key(with(&|b| b.truncate(275))));
        assert!(is_bad_key(with(&|b| b.push(0))));
        assert!(is_bad_key(with(&|b| b[0] = 0x07))); // PRIVATEKEYBLOB
        assert!(is_bad_key(with(&|b| b[1] = 0x03)));
        assert!(is_bad_key(with(&|b| b[5] = 0x66))); // not CALG_RSA_*
        assert!(is_bad_key(with(&|b| b[11] = b'2'))); // RSA2 = private key
        assert!(is_bad_key(with(&|b| b[13] = 0x04))); // bit length 1024, blob is 2048
        assert!(is_bad_key(with(
            &|b| b[12..16].copy_from_slice(&u32::MAX.to_le_bytes())
        )));
        assert!(is_bad_key(with(
            &|b| b[16..20].copy_from_slice(&[0, 0, 0, 0])
        )));
        // CALG_RSA_SIGN is accepted like CALG_RSA_KEYX.
        assert_eq!(with(&|b| b[5] = 0x24), Ok(key(MS_MODULUS, MS_EXPONENT)));
    }

    #[test]
    fn malformed_signatures_do_not_verify() {
        let keys = ms_keys();
        let v = &VECTORS[0];
        let data = expected_proof(v.token, v.url, v.timestamp);
        assert!(keys.current.verify(&data, v.proof));
        // Padding is optional and surrounding whitespace ignored.
        assert!(keys.current.verify(&data, v.proof.trim_end_matches('=')));
        assert!(keys.current.verify(&data, &format!(" {} ", v.proof)));

        let truncated_text = &v.proof[..v.proof.len() - 4];
        for bad in [
            "",
            "   ",
            "not base64!",
            "%%%%",
            INVALID,
            "IflL8OWC",
            truncated_text,
            &v.proof.replace('+', "-"),
        ] {
            assert!(!keys.current.verify(&data, bad), "{bad:?}");
        }

        let signature = b64(v.proof);
        assert_eq!(signature.len(), 256);
        let truncated = STANDARD.encode(&signature[..255]);
        assert!(!keys.current.verify(&data, &truncated));
        let mut extended = vec![0u8];
        extended.extend_from_slice(&signature);
        assert!(!keys.current.verify(&data, &STANDARD.encode(&extended)));
        for index in [0, 1, 100, 254, 255] {
            let mut flipped = signature.clone();
            flipped[index] ^= 0x01;
            assert!(
                !keys.current.verify(&data, &STANDARD.encode(&flipped)),
                "flipped byte {index}"
            );
        }
        assert!(!keys.current.verify(&data, &STANDARD.encode([0xffu8; 256]))); // ≥ n
        assert!(!keys.current.verify(&data, &STANDARD.encode([0u8; 256])));
        assert!(!keys.current.verify(&data, &STANDARD.encode([0u8; 4096])));

        assert_eq!(
            verify_signatures(&keys, v.token, v.url, v.timestamp, Some("%%%"), Some("")),
            Err(ProofError::BadSignature)
        );
        assert_eq!(
            verify_signatures(&keys, v.token, v.url, v.timestamp, None, None),
            Err(ProofError::BadSignature)
        );
        // Absent X-WOPI-ProofOld does not matter when X-WOPI-Proof verifies.
        assert_eq!(
            verify_signatures(&keys, v.token, v.url, v.timestamp, Some(v.proof), None),
            Ok(ProofOutcome::Valid)
        );
    }

    #[test]
    fn signed_fields_must_match() {
        let keys = ms_keys();
        let v = &VECTORS[0];
        let check = |token: &str, url: &str, timestamp: i64| {
            verify_signatures(
                &keys,
                token,
                url,
                timestamp,
                Some(v.proof),
                Some(v.proof_old),
            )
        };
        assert_eq!(check(v.token, v.url, v.timestamp), Ok(ProofOutcome::Valid));
        // The URL is upper-cased before signing, so its case does not matter...
        assert_eq!(
            check(v.token, &v.url.to_ascii_lowercase(), v.timestamp),
            Ok(ProofOutcome::Valid)
        );
        // ...but the token's does, and so does every other byte.
        let bad = Err(ProofError::BadSignature);
        assert_eq!(
            check(&v.token.to_ascii_uppercase(), v.url, v.timestamp),
            bad
        );
        assert_eq!(check(&v.token[1..], v.url, v.timestamp), bad);
        assert_eq!(
            check(v.token, &v.url.replace("https", "http"), v.timestamp),
            bad
        );
        assert_eq!(check(v.token, &format!("{}&x=1", v.url), v.timestamp), bad);
        assert_eq!(check(v.token, v.url, v.timestamp + 1), bad);
        // The percent-decoded token is not what these samples signed.
        assert_eq!(check(&v.token.replace("%2f", "/"), v.url, v.timestamp), bad);
    }

    #[test]
    fn swapped_and_missing_keys() {
        let ms = ms_keys();
        let Some(old) = ms.old.clone() else {
            panic!("no old key");
        };
        let current = ms.current.clone();
        let run = |keys: &ProofKeys, n: usize| {
            let v = &VECTORS[n - 1];
            verify_signatures(
                keys,
                v.token,
                v.url,
                v.timestamp,
                Some(v.proof),
                Some(v.proof_old),
            )
        };
        let swapped = ProofKeys {
            current: old.clone(),
            old: Some(current.clone()),
        };
        // Vector 1's X-WOPI-Proof now verifies only with the "old" key: a rotation.
        assert_eq!(run(&swapped, 1), Ok(ProofOutcome::ValidRotated));
        assert_eq!(run(&swapped, 2), Ok(ProofOutcome::ValidRotated));
        // Vector 5's X-WOPI-Proof (made with the old key) verifies with the "current" one.
        assert_eq!(run(&swapped, 5), Ok(ProofOutcome::Valid));
        assert_eq!(run(&swapped, 6), Ok(ProofOutcome::Valid));
        // Vector 3's X-WOPI-ProofOld (current key) would need old/ProofOld: refused.
        assert_eq!(run(&swapped, 3), Err(ProofError::BadSignature));
        assert_eq!(run(&swapped, 4), Err(ProofError::BadSignature));
        assert_eq!(run(&swapped, 7), Err(ProofError::BadSignature));

        let no_old = ProofKeys {
            current: current.clone(),
            old: None,
        };
        assert_eq!(run(&no_old, 1), Ok(ProofOutcome::Valid));
        assert_eq!(run(&no_old, 3), Ok(ProofOutcome::ValidRotated));
        assert_eq!(run(&no_old, 5), Err(ProofError::BadSignature));

        let only_old = ProofKeys {
            current: old,
            old: None,
        };
        assert_eq!(run(&only_old, 1), Err(ProofError::BadSignature));
        assert_eq!(run(&only_old, 3), Err(ProofError::BadSignature));
        assert_eq!(run(&only_old, 5), Ok(ProofOutcome::Valid));

        let same_twice = ProofKeys {
            current: current.clone(),
            old: Some(current),
        };
        assert_eq!(run(&same_twice, 1), Ok(ProofOutcome::Valid));
        assert_eq!(run(&same_twice, 5), Err(ProofError::BadSignature));
    }

    #[test]
    fn validator_key_pair_matches_discovery() {
        let keys = validator_keys();
        let Some(old_key) = keys.old.clone() else {
            panic!("no old key");
        };
        let current = validator_current_signer();
        let old = validator_old_signer();
        assert_eq!(current.public(), keys.current);
        assert_eq!(old.public(), old_key);
        assert_eq!(current.modulus_b64(), VALIDATOR_DISCOVERY_MODULUS);
        assert_eq!(current.exponent_b64(), VALIDATOR_DISCOVERY_EXPONENT);
        assert_eq!(current.csp_blob_b64(), VALIDATOR_DISCOVERY_VALUE);
        assert_eq!(old.modulus_b64(), VALIDATOR_DISCOVERY_OLDMODULUS);
        assert_eq!(old.csp_blob_b64(), VALIDATOR_DISCOVERY_OLDVALUE);

        let data = expected_proof(TOKEN, URL, unix_ms_to_ticks(NOW_MS));
        let signature = current.sign(&data);
        assert_eq!(b64(&signature).len(), 256);
        assert!(keys.current.verify(&data, &signature));
        assert!(!old_key.verify(&data, &signature));
        // PKCS#1 v1.5 is deterministic.
        assert_eq!(current.sign(&data), signature);
        assert_eq!(current.try_sign(&data), Ok(signature));
        let old_signature = old.sign(&data);
        assert!(old_key.verify(&data, &old_signature));
        assert!(!keys.current.verify(&data, &old_signature));
    }

    #[test]
    fn validator_proof_key_cases() {
        // Spec §5: the hosted validator's ProofKeys group, with the test key pair.
        let keys = validator_keys();
        let current = validator_current_signer();
        let old = validator_old_signer();
        let now = unix_ms_to_ticks(NOW_MS);
        let now_text = now.to_string();
        let by_current = current.sign_request(TOKEN, URL, now);
        let by_old = old.sign_request(TOKEN, URL, now);
        let cases: [(&str, &str, &str, Result<ProofOutcome, ProofError>); 6] = [
            (
                "CurrentValid.OldValid",
                &by_current,
                &by_old,
                Ok(ProofOutcome::Valid),
            ),
            (
                "CurrentValid.OldInvalid",
                &by_current,
                INVALID,
                Ok(ProofOutcome::Valid),
            ),
            (
                "CurrentInvalid.OldValidSignedWithCurrentKey",
                INVALID,
                &by_current,
                Ok(ProofOutcome::ValidRotated),
            ),
            (
                "CurrentValidSignedWithOldKey.OldInvalid",
                &by_old,
                INVALID,
                Ok(ProofOutcome::ValidRotated),
            ),
            (
                "CurrentInvalid.OldValidSignedWithOldKey",
                INVALID,
                &by_old,
                Err(ProofError::BadSignature),
            ),
            (
                "CurrentInvalid.OldInvalid",
                INVALID,
                INVALID,
                Err(ProofError::BadSignature),
            ),
        ];
        for (name, proof, proof_old, want) in cases {
            assert_eq!(
                request(&keys, Some(proof), Some(proof_old), Some(&now_text)),
                want,
                "{name}"
            );
        }
        // TimestampOlderThan20Min: valid signatures made at 2015-08-17T00:00:00Z.
        let then_ms = time::macros::datetime!(2015-08-17 0:00 UTC).unix_timestamp() * 1000;
        let then = unix_ms_to_ticks(then_ms);
        let proof = current.sign_request(TOKEN, URL, then);
        let proof_old = old.sign_request(TOKEN, URL, then);
        assert_eq!(
            request(
                &keys,
                Some(&proof),
                Some(&proof_old),
                Some(&then.to_string())
            ),
            Err(ProofError::Expired)
        );
        let headers = ProofHeaders {
            proof: Some(&proof),
            proof_old: Some(&proof_old),
            timestamp: Some(&then.to_string()),
        };
        assert_eq!(
            verify_request(&keys, TOKEN, URL, &headers, then_ms),
            Ok(ProofOutcome::Valid)
        );
    }

    #[test]
    fn missing_and_malformed_headers() {
        let keys = validator_keys();
        let signer = validator_current_signer();
        let now = unix_ms_to_ticks(NOW_MS);
        let now_text = now.to_string();
        let proof = signer.sign_request(TOKEN, URL, now);
        let missing_proof = Err(ProofError::MissingHeader("X-WOPI-Proof"));
        let missing_timestamp = Err(ProofError::MissingHeader("X-WOPI-TimeStamp"));

        assert_eq!(
            request(&keys, Some(&proof), None, Some(&now_text)),
            Ok(ProofOutcome::Valid)
        );
        assert_eq!(request(&keys, None, None, None), missing_proof);
        assert_eq!(
            request(&keys, None, Some(&proof), Some(&now_text)),
            missing_proof
        );
        assert_eq!(
            request(&keys, Some(""), None, Some(&now_text)),
            missing_proof
        );
        assert_eq!(
            request(&keys, Some(" "), None, Some(&now_text)),
            missing_proof
        );
        assert_eq!(request(&keys, Some(&proof), None, None), missing_timestamp);
        assert_eq!(
            request(&keys, Some(&proof), None, Some("")),
            missing_timestamp
        );
        assert_eq!(request(&keys, Some(INVALID), None, None), missing_timestamp);

        for bad in [
            "abc",
            "12.5",
            "0x10",
            "1e18",
            "635655897610773532x",
            "99999999999999999999",
            "-",
            "６３５",
        ] {
            assert_eq!(
                request(&keys, Some(&proof), None, Some(bad)),
                Err(ProofError::MalformedTimestamp),
                "{bad:?}"
            );
            // The timestamp is checked before the signatures.
            assert_eq!(
                request(&keys, Some(INVALID), None, Some(bad)),
                Err(ProofError::MalformedTimestamp),
                "{bad:?}"
            );
        }
        assert_eq!(
            request(&keys, Some(&proof), None, Some(&format!(" {now_text}\t"))),
            Ok(ProofOutcome::Valid)
        );
        assert_eq!(
            parse_timestamp("635655897610773532"),
            Ok(635_655_897_610_773_532)
        );
        assert_eq!(parse_timestamp("-5"), Ok(-5));
    }

    #[test]
    fn timestamp_window() {
        let keys = validator_keys();
        let signer = validator_current_signer();
        let at = |offset_ms: i64| {
            let timestamp = unix_ms_to_ticks(NOW_MS + offset_ms);
            let proof = signer.sign_request(TOKEN, URL, timestamp);
            request(&keys, Some(&proof), None, Some(&timestamp.to_string()))
        };
        assert_eq!(at(0), Ok(ProofOutcome::Valid));
        assert_eq!(at(-MAX_AGE_MS), Ok(ProofOutcome::Valid));
        assert_eq!(at(-MAX_AGE_MS - 1), Err(ProofError::Expired));
        assert_eq!(at(MAX_SKEW_MS), Ok(ProofOutcome::Valid));
        assert_eq!(at(MAX_SKEW_MS + 1), Err(ProofError::FromFuture));

        // Tick precision at the bounds, and absurd values.
        let now = unix_ms_to_ticks(NOW_MS);
        let max_age = MAX_AGE_MS * TICKS_PER_MS;
        let max_skew = MAX_SKEW_MS * TICKS_PER_MS;
        assert_eq!(check_timestamp(now - max_age, NOW_MS), Ok(()));
        assert_eq!(
            check_timestamp(now - max_age - 1, NOW_MS),
            Err(ProofError::Expired)
        );
        assert_eq!(check_timestamp(now + max_skew, NOW_MS), Ok(()));
        assert_eq!(
            check_timestamp(now + max_skew + 1, NOW_MS),
            Err(ProofError::FromFuture)
        );
        assert_eq!(check_timestamp(i64::MIN, NOW_MS), Err(ProofError::Expired));
        assert_eq!(check_timestamp(0, NOW_MS), Err(ProofError::Expired));
        assert_eq!(check_timestamp(-1, NOW_MS), Err(ProofError::Expired));
        assert_eq!(
            check_timestamp(i64::MAX, NOW_MS),
            Err(ProofError::FromFuture)
        );
        assert_eq!(check_timestamp(now, i64::MAX), Err(ProofError::Expired));
        assert_eq!(check_timestamp(now, i64::MIN), Err(ProofError::FromFuture));

        // The window is checked before the signatures.
        let old_text = (now - max_age - 1).to_string();
        assert_eq!(
            request(&keys, Some(INVALID), None, Some(&old_text)),
            Err(ProofError::Expired)
        );
        assert_eq!(
            request(&keys, Some(INVALID), None, Some(&now.to_string())),
            Err(ProofError::BadSignature)
        );
    }

    #[test]
    fn generated_key_round_trip() {
        let signer = ProofSigner::generate(2048).unwrap_or_else(|e| panic!("generate: {e}"));
        let public = signer.public();
        assert_eq!(public.bits(), 2048);
        assert_eq!(signer.exponent_b64(), "AQAB");
        assert_eq!(format!("{signer:?}"), "ProofSigner { bits: 2048, .. }");

        let timestamp = unix_ms_to_ticks(NOW_MS);
        let data = expected_proof(TOKEN, URL, timestamp);
        let signature = signer.sign(&data);
        assert!(public.verify(&data, &signature));
        assert!(!public.verify(&expected_proof(TOKEN, URL, timestamp + 1), &signature));
        assert!(!key(MS_MODULUS, MS_EXPONENT).verify(&data, &signature));
        assert_eq!(signer.sign_request(TOKEN, URL, timestamp), signature);

        // What a discovery <proof-key> would publish loads back as the same key.
        assert_eq!(
            ProofKey::from_discovery(
                &signer.csp_blob_b64(),
                &signer.modulus_b64(),
                &signer.exponent_b64()
            ),
            Ok(Some(public.clone()))
        );
        assert_eq!(blob_key(&signer.csp_blob_b64()), public);
        assert_eq!(key(&signer.modulus_b64(), &signer.exponent_b64()), public);

        // Persisting: PKCS#8 round trip.
        let der = signer
            .to_pkcs8_der()
            .unwrap_or_else(|e| panic!("to_pkcs8_der: {e}"));
        let restored =
            ProofSigner::from_pkcs8_der(&der).unwrap_or_else(|e| panic!("from_pkcs8_der: {e}"));
        assert_eq!(restored.public(), public);
        assert_eq!(restored.sign(&data), signature);
        assert_eq!(restored.to_pkcs8_der(), Ok(der));

        let keys = ProofKeys {
            current: public,
            old: None,
        };
        assert_eq!(
            request(&keys, Some(&signature), None, Some(&timestamp.to_string())),
            Ok(ProofOutcome::Valid)
        );
    }

    #[test]
    fn signer_refuses_bad_input() {
        assert!(matches!(
            ProofSigner::generate(512),
            Err(ProofError::BadKey(_))
        ));
        assert!(matches!(
            ProofSigner::from_pkcs8_der(b"not a key"),
            Err(ProofError::BadKey(_))
        ));
        assert!(matches!(
            ProofSigner::from_pkcs8_der(&[]),
            Err(ProofError::BadKey(_))
        ));
        // The validator key survives a PKCS#8 round trip.
        let signer = validator_current_signer();
        let der = signer
            .to_pkcs8_der()
            .unwrap_or_else(|e| panic!("to_pkcs8_der: {e}"));
        let restored =
            ProofSigner::from_pkcs8_der(&der).unwrap_or_else(|e| panic!("from_pkcs8_der: {e}"));
        assert_eq!(restored.modulus_b64(), VALIDATOR_DISCOVERY_MODULUS);
        let truncated = &der[..der.len() - 1];
        assert!(matches!(
            ProofSigner::from_pkcs8_der(truncated),
            Err(ProofError::BadKey(_))
        ));
    }

    #[test]
    fn errors_display() {
        assert_eq!(
            ProofError::MissingHeader("X-WOPI-Proof").to_string(),
            "missing header X-WOPI-Proof"
        );
        assert_eq!(
            ProofError::BadKey("x".into()).to_string(),
            "bad proof key: x"
        );
    }
}
