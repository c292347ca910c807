//! Access tokens: 32 random letters and digits (≈190 bits), handed out once and stored only as
//! their SHA-256, so a copy of the database cannot be replayed. Letters and digits only: the
//! token needs no percent-encoding anywhere (validator and proof-key URL rules).

use sha2::{Digest, Sha256};

/// Length of an access token in characters.
pub const TOKEN_LEN: usize = 32;

/// A fresh token secret.
pub fn generate() -> String {
    folio_store::random_id(TOKEN_LEN)
}

/// The storage key of a token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether a presented string can be a token at all (checked before any lookup).
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Length of OAuth secrets (authorization codes, OAuth access and refresh tokens, client
/// secrets): 43 letters and digits (≈256 bits). A different length from WOPI access tokens, so
/// neither kind can be mistaken for the other before any lookup (and each is looked up only in
/// its own table).
pub const OAUTH_SECRET_LEN: usize = 43;

/// A fresh OAuth secret (code, access or refresh token, client secret).
pub fn generate_oauth() -> String {
    folio_store::random_id(OAUTH_SECRET_LEN)
}

/// Whether a presented string can be an OAuth secret at all.
pub fn oauth_well_formed(secret: &str) -> bool {
    secret.len() == OAUTH_SECRET_LEN && secret.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Hashes a password with Argon2id and a fresh salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Compares two secrets in time that depends only on their lengths.
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_alphanumeric_and_distinct() {
        let a = generate();
        let b = generate();
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(a, b);
        assert_ne!(hash(&a), hash(&b));
        assert!(!well_formed("INVALID"));
        assert!(!well_formed(&format!("{}-", &a[1..])));
        let o = generate_oauth();
        assert!(oauth_well_formed(&o) && !well_formed(&o));
        assert!(!oauth_well_formed(&a));
    }

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("correct horse").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
