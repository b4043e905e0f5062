//! Passwords and bearer secrets. Passwords are hashed with Argon2id; bearer
//! secrets (sign-in cookies, enrollment tokens, setup links) are 256-bit random
//! values stored only as their SHA-256, so a database leak reveals none of them.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_PASSWORD_LEN: usize = 256;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CredentialError {
    #[error("the password must be at least {MIN_PASSWORD_LEN} characters")]
    PasswordTooShort,
    #[error("the password must be at most {MAX_PASSWORD_LEN} characters")]
    PasswordTooLong,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Checks the password rules, then hashes with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, CredentialError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Err(CredentialError::PasswordTooShort);
    }
    if chars > MAX_PASSWORD_LEN {
        return Err(CredentialError::PasswordTooLong);
    }
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| CredentialError::Hashing(err.to_string()))
}

/// True when `password` matches the stored Argon2 hash.
pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    if password.len() > MAX_PASSWORD_LEN * 4 {
        return false;
    }
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a fixed password, to verify against when the account does not exist,
/// so sign-in takes as long for unknown e-mails as for known ones.
pub fn dummy_password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("reach-dummy-password-for-timing").unwrap_or_default())
}

/// A new bearer secret: 32 random bytes, base64url, with a short prefix that says
/// what it is (e.g. `ret_` for an enrollment token) so a leaked one is recognisable.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A password for a new account when none was chosen: 20 letters and digits
/// (about 119 bits), shown once to whoever creates the account.
pub fn generate_password() -> String {
    use rand::Rng;
    rand::rngs::OsRng
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// Compares two secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How a bearer secret is stored and looked up: lowercase hex SHA-256.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Prefix of enrollment tokens.
pub const ENROLLMENT_TOKEN_PREFIX: &str = "ret_";
/// Prefix of sign-in cookies.
pub const WEB_SESSION_PREFIX: &str = "rws_";
/// Prefix of API tokens.
pub const API_TOKEN_PREFIX: &str = "rat_";
/// Prefix of the one-time join tickets the portal gives signed-in end users.
pub const JOIN_TICKET_PREFIX: &str = "rjt_";
/// Prefix of one-time setup links.
pub const SETUP_TOKEN_PREFIX: &str = "rsu_";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_in_constant_time() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn hashes_and_verifies() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery!"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn enforces_length() {
        assert_eq!(
            hash_password("short"),
            Err(CredentialError::PasswordTooShort)
        );
        assert_eq!(
            hash_password(&"x".repeat(MAX_PASSWORD_LEN + 1)),
            Err(CredentialError::PasswordTooLong)
        );
    }

    #[test]
    fn secrets_are_unique_and_hashed() {
        let a = new_secret(ENROLLMENT_TOKEN_PREFIX);
        let b = new_secret(ENROLLMENT_TOKEN_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with("ret_"));
        assert_eq!(secret_hash(&a).len(), 64);
        assert_eq!(secret_hash(&a), secret_hash(&a));
    }
}
