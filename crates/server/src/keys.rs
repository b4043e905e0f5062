//! The sealing key: 32 random bytes that seal secrets the server must read back
//! (two-factor secrets) before they reach the database. It is kept in a file,
//! not in the database, so a database dump or backup alone reveals nothing; by
//! default `sealing.key` in the data directory (owner-only permissions),
//! generated on first start. Several servers sharing one PostgreSQL database
//! must be given the same file (`sealing_key_file`). Losing the key means users
//! must set up two-factor sign-in again; it never means a plaintext fallback.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use reach_core::sealed::SealingKey;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the sealing key {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("the sealing key {0} is not 32 bytes of base64 (as `reach server` writes it)")]
    Malformed(PathBuf),
}

/// Writes a file readable by its owner only; with `create_new`, fails if it exists.
pub(crate) fn write_private(path: &Path, bytes: &[u8], create_new: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Loads the key at `path`, creating it when `create` and it does not exist.
pub fn load_or_create(path: &Path, create: bool) -> Result<SealingKey, KeyError> {
    let io = |err| KeyError::Io(path.to_path_buf(), err);
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && create => {
            let bytes = SealingKey::generate();
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            match write_private(path, format!("{text}\n").as_bytes(), true) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "generated the sealing key; back it up with the database");
                    Ok(SealingKey::from_bytes(bytes))
                }
                // Another process created it first: use theirs.
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(path).map_err(io)?;
                    parse(path, &text)
                }
                Err(err) => Err(io(err)),
            }
        }
        Err(err) => Err(io(err)),
    }
}

fn parse(path: &Path, text: &str) -> Result<SealingKey, KeyError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| KeyError::Malformed(path.to_path_buf()))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| KeyError::Malformed(path.to_path_buf()))?;
    Ok(SealingKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealing.key");
        let first = load_or_create(&path, true).unwrap();
        let sealed = first.seal("u", b"x");
        let again = load_or_create(&path, true).unwrap();
        assert_eq!(again.open("u", &sealed), Ok(b"x".to_vec()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn missing_or_bad_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.key");
        assert!(matches!(
            load_or_create(&path, false),
            Err(KeyError::Io(..))
        ));
        std::fs::write(&path, "not base64!").unwrap();
        assert!(matches!(
            load_or_create(&path, true),
            Err(KeyError::Malformed(_))
        ));
        std::fs::write(&path, "AAAA").unwrap();
        assert!(matches!(
            load_or_create(&path, true),
            Err(KeyError::Malformed(_))
        ));
    }
}
