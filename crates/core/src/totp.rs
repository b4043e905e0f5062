//! Time-based one-time passwords (RFC 6238) as authenticator apps compute them:
//! HMAC-SHA1, 6 digits, 30-second steps, with one step of clock drift allowed
//! either way. The arithmetic is the `totp-rs` crate's; this module fixes the
//! parameters, generates secrets and recovery codes, and says which time step a
//! code matched so the caller can refuse the same code twice.

use rand::RngCore;
use thiserror::Error;
use totp_rs::{Algorithm, TOTP};

/// Seconds per step.
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Bytes of a new secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued at once.
pub const RECOVERY_CODES: usize = 10;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TotpError {
    #[error("the two-factor secret is unusable: {0}")]
    Secret(String),
}

fn totp(secret: &[u8], digits: usize, issuer: &str, account: &str) -> Result<TOTP, TotpError> {
    TOTP::new(
        Algorithm::SHA1,
        digits,
        1,
        STEP_SECS,
        secret.to_vec(),
        Some(issuer.to_string()),
        account.to_string(),
    )
    .map_err(|err| TotpError::Secret(err.to_string()))
}

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret as people type it into an authenticator (Base32, no padding).
pub fn secret_base32(secret: &[u8]) -> String {
    totp_rs::Secret::Raw(secret.to_vec())
        .to_encoded()
        .to_string()
}

/// The secret back from its Base32 form; `None` when it is not Base32.
pub fn secret_from_base32(text: &str) -> Option<Vec<u8>> {
    totp_rs::Secret::Encoded(text.trim().to_uppercase())
        .to_bytes()
        .ok()
}

/// The `otpauth://` URL an authenticator app reads from a QR code.
pub fn otpauth_url(secret: &[u8], issuer: &str, account: &str) -> Result<String, TotpError> {
    Ok(totp(secret, DIGITS, issuer, account)?.get_url())
}

/// The code for `unix_secs`, with `digits` digits (the RFC's vectors use 8).
pub fn code_at(secret: &[u8], unix_secs: u64, digits: usize) -> Result<String, TotpError> {
    Ok(totp(secret, digits, "Reach", "test")?.generate(unix_secs))
}

/// The step `code` belongs to, when it is the code of the current step or of
/// the one just before or after it; `None` otherwise. Compared in constant time.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Result<Option<i64>, TotpError> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let generator = totp(secret, DIGITS, "Reach", "account")?;
    let current = unix_secs / STEP_SECS;
    let mut matched = None;
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = generator.generate(step * STEP_SECS);
        if crate::credentials::constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            matched = i64::try_from(step).ok();
        }
    }
    Ok(matched)
}

/// New recovery codes: 10 of them, each 12 lowercase letters and digits grouped
/// in threes of four (about 62 bits each), shown to the user once.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 12];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            chars
                .chunks(4)
                .map(|group| group.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed, normalized for lookup: lowercase, dashes and spaces
/// removed; `None` when it can't be one.
pub fn normalize_recovery_code(code: &str) -> Option<String> {
    let cleaned: String = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (cleaned.len() == 12 && cleaned.chars().all(|c| c.is_ascii_alphanumeric())).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows.
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(secret, time, 8).as_deref(), Ok(code), "at {time}");
        }
    }

    #[test]
    fn accepts_one_step_of_drift_and_says_which() {
        let secret = new_secret();
        let now = 1_700_000_015;
        let step = i64::try_from(now / STEP_SECS).unwrap_or_default();
        for (offset, expected) in [(0i64, step), (-30, step - 1), (30, step + 1)] {
            let at =
                u64::try_from(i64::try_from(now).unwrap_or_default() + offset).unwrap_or_default();
            let code = code_at(&secret, at, DIGITS).unwrap_or_default();
            assert_eq!(matching_step(&secret, &code, now), Ok(Some(expected)));
        }
        let stale = code_at(&secret, now - 90, DIGITS).unwrap_or_default();
        assert_eq!(matching_step(&secret, &stale, now), Ok(None));
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(matching_step(&secret, bad, now), Ok(None));
        }
    }

    #[test]
    fn urls_and_recovery_codes() {
        let secret = new_secret();
        let url = otpauth_url(&secret, "Reach", "ann@example.com").unwrap_or_default();
        assert!(
            url.starts_with("otpauth://totp/Reach:ann%40example.com?secret="),
            "{url}"
        );
        assert!(url.contains(&secret_base32(&secret)));
        assert_eq!(
            secret_from_base32(&secret_base32(&secret)),
            Some(secret.clone())
        );
        assert_eq!(secret_from_base32("not base32!"), None);
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 14, "{code}");
            assert_eq!(
                normalize_recovery_code(&code.to_uppercase()).map(|c| c.len()),
                Some(12)
            );
        }
        assert_eq!(normalize_recovery_code("short"), None);
    }
}
