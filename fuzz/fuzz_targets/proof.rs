//! Proof-key headers and discovery key material: arbitrary X-WOPI-Proof / ProofOld / TimeStamp
//! values never verify and never panic; arbitrary CSP blobs and modulus/exponent pairs parse or
//! are refused.
#![no_main]
use folio_wopi::proof::{self, ProofHeaders, ProofKey, ProofKeys, ProofSigner};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static Option<ProofKeys> {
    static KEYS: OnceLock<Option<ProofKeys>> = OnceLock::new();
    KEYS.get_or_init(|| {
        ProofSigner::generate(1024).ok().map(|s| ProofKeys {
            current: s.public(),
            old: None,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let proof_value = parts.next();
    let old = parts.next();
    let ts = parts.next();
    if let Some(keys) = keys() {
        let headers = ProofHeaders {
            proof: proof_value,
            proof_old: old,
            timestamp: ts,
        };
        assert!(
            proof::verify_request(keys, "tok", "https://h/wopi/files/x", &headers, 1_700_000_000_000)
                .is_err()
        );
    }
    let _ = ProofKey::from_csp_blob(text);
    let _ = ProofKey::from_modulus_exponent(proof_value.unwrap_or(""), old.unwrap_or(""));
    let _ = proof::parse_timestamp(text);
});
