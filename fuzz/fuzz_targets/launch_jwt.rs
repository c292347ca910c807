//! Signed launch links (`/launch?t=JWT`): `folio_app::integration::verify_launch_jwt`.
//! The first byte picks the mode: even — the rest is the token as sent (headers, algorithms,
//! signatures, base64 and JSON of every shape); odd — the rest is a claims payload signed with
//! the configured HS256 secret, so the claim checks behind the signature are reached. Whatever
//! is accepted satisfies every rule the host page relies on.
#![no_main]
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use folio_app::integration::{LaunchConfig, valid_close_url, verify_launch_jwt};
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use std::sync::OnceLock;

const SECRET: &str = "fuzz-launch-secret";
const EDDSA_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";

/// The real time, fixed for the run: jsonwebtoken checks `exp` against the system clock, so
/// "now" must agree for accepted links to exist at all.
fn now_ms() -> i64 {
    static NOW: OnceLock<i64> = OnceLock::new();
    *NOW.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

fn signed(payload: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()) else {
        return input;
    };
    mac.update(input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{input}.{sig}")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = if mode % 2 == 0 {
        match std::str::from_utf8(rest) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        }
    } else {
        signed(rest)
    };
    let cfg = LaunchConfig {
        hs256_secret: Some(SECRET.to_owned()),
        eddsa_public_pem: Some(EDDSA_PEM.to_owned()),
        audience: "folio".to_owned(),
    };
    if let Ok((claims, _file, can_write)) = verify_launch_jwt(&cfg, &token, now_ms()) {
        assert_eq!(can_write, claims.perm == "edit");
        assert!(claims.perm == "edit" || claims.perm == "view");
        assert!(!claims.jti.is_empty() && claims.jti.len() <= 200);
        assert!(claims.ret.as_deref().is_none_or(valid_close_url));
        assert!(claims.exp.saturating_mul(1000) <= now_ms() + 24 * 3600 * 1000);
    }
});
