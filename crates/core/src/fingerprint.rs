//! The server key fingerprint agents pin: SHA-256 of the certificate's
//! SubjectPublicKeyInfo. Pinning the key rather than the certificate lets an
//! operator renew the certificate without re-enrolling every device.

use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FingerprintError {
    #[error("the certificate could not be parsed: {0}")]
    Certificate(String),
    #[error("`{0}` is not a SHA-256 fingerprint (64 hexadecimal digits, colons allowed)")]
    Format(String),
}

/// SHA-256 of the SubjectPublicKeyInfo of a DER certificate.
pub fn of_certificate(der: &[u8]) -> Result<[u8; 32], FingerprintError> {
    let der = CertificateDer::from(der);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|err| FingerprintError::Certificate(format!("{err:?}")))?;
    Ok(Sha256::digest(cert.subject_public_key_info().as_ref()).into())
}

/// Lowercase hex, as printed by the server and accepted by `--fingerprint`.
pub fn to_hex(fingerprint: &[u8; 32]) -> String {
    fingerprint.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses a fingerprint written as hex, with or without colons, any case,
/// optionally prefixed with `sha256:`.
pub fn parse(text: &str) -> Result<[u8; 32], FingerprintError> {
    let trimmed = text.trim();
    let body = trimmed
        .strip_prefix("sha256:")
        .or_else(|| trimmed.strip_prefix("SHA256:"))
        .unwrap_or(trimmed);
    let hex: String = body.chars().filter(|c| *c != ':').collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(FingerprintError::Format(text.to_string()));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16)
            .map_err(|_| FingerprintError::Format(text.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_spellings() {
        let hex = "ab".repeat(32);
        let expected = [0xab; 32];
        assert_eq!(parse(&hex), Ok(expected));
        assert_eq!(parse(&hex.to_uppercase()), Ok(expected));
        let colons: Vec<String> = (0..32).map(|_| "AB".to_string()).collect();
        assert_eq!(parse(&colons.join(":")), Ok(expected));
        assert_eq!(parse(&format!("sha256:{hex}")), Ok(expected));
        assert_eq!(to_hex(&expected), hex);
        assert!(parse("abc").is_err());
        assert!(parse(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn rejects_garbage_certificates() {
        assert!(of_certificate(b"not a certificate").is_err());
    }
}
