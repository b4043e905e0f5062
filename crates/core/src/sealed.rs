//! Secrets the server must read back (two-factor secrets) are stored sealed:
//! ChaCha20-Poly1305 with the server's 32-byte sealing key, a random nonce per
//! value, and the owner's id as associated data, so a sealed value copied onto
//! another account does not open. The key lives outside the database (see
//! `reach_server::keys`), so a stolen database alone reveals no secret.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use thiserror::Error;

/// Prefix of the stored form, so the format can change later.
const VERSION: &str = "v1:";
const NONCE_BYTES: usize = 12;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value does not open with this key for this owner")]
    WrongKeyOrOwner,
}

/// A sealing key.
pub struct SealingKey(Key);

impl SealingKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Key::from(bytes))
    }

    /// A new random key.
    pub fn generate() -> [u8; 32] {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes
    }

    /// Seals `secret` for `owner` (a stable id): `v1:` + base64(nonce ‖ ciphertext).
    pub fn seal(&self, owner: &str, secret: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let cipher = ChaCha20Poly1305::new(&self.0);
        // Encryption with a fresh nonce and an in-memory buffer cannot fail.
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: owner.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!(
            "{VERSION}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    /// Opens a value sealed for `owner`.
    pub fn open(&self, owner: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        let encoded = sealed.strip_prefix(VERSION).ok_or(SealError::Malformed)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| SealError::Malformed)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        ChaCha20Poly1305::new(&self.0)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: owner.as_bytes(),
                },
            )
            .map_err(|_| SealError::WrongKeyOrOwner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_the_key_for_the_owner() {
        let key = SealingKey::from_bytes(SealingKey::generate());
        let sealed = key.seal("user-1", b"secret bytes");
        assert!(!sealed.contains("secret"));
        assert_ne!(sealed, key.seal("user-1", b"secret bytes"), "nonces differ");
        assert_eq!(key.open("user-1", &sealed), Ok(b"secret bytes".to_vec()));
        assert_eq!(key.open("user-2", &sealed), Err(SealError::WrongKeyOrOwner));
        let other = SealingKey::from_bytes(SealingKey::generate());
        assert_eq!(
            other.open("user-1", &sealed),
            Err(SealError::WrongKeyOrOwner)
        );
        for bad in ["", "v1:", "v1:!!", "v2:AAAA", "v1:AAAA"] {
            assert_eq!(key.open("user-1", bad), Err(SealError::Malformed), "{bad}");
        }
    }
}
