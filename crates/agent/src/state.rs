//! The agent's state directory: `agent.toml` (server URL, device id, pinned
//! fingerprint) and `device.key` (the Ed25519 secret, mode 0600). Written once by
//! enrollment, read by every run.

use std::path::{Path, PathBuf};

use base64::Engine;
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::AgentError;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    server_url: String,
    device_id: String,
    company_id: String,
    nickname: String,
    server_fingerprint: String,
}

/// Everything a run needs.
pub struct AgentState {
    pub server_url: String,
    pub device_id: String,
    pub nickname: String,
    pub fingerprint: [u8; 32],
    pub signing_key: SigningKey,
}

/// `/var/lib/reach-agent` for root, else `$XDG_DATA_HOME/reach-agent` or `~/.local/share/reach-agent`.
pub fn default_dir() -> PathBuf {
    if rustix::process::geteuid().is_root() {
        return PathBuf::from("/var/lib/reach-agent");
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(data).join("reach-agent");
    }
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".local/share/reach-agent"))
        .unwrap_or_else(|| PathBuf::from("reach-agent"))
}

fn state_error(path: &Path, what: impl std::fmt::Display) -> AgentError {
    AgentError::State(format!("{}: {what}", path.display()))
}

impl AgentState {
    pub fn load(dir: &Path) -> Result<Self, AgentError> {
        let file_path = dir.join("agent.toml");
        let text = std::fs::read_to_string(&file_path).map_err(|err| {
            state_error(
                &file_path,
                format!("{err} (enroll first: reach agent enroll --help)"),
            )
        })?;
        let file: StateFile = toml::from_str(&text).map_err(|err| state_error(&file_path, err))?;
        let fingerprint = reach_core::fingerprint::parse(&file.server_fingerprint)
            .map_err(|err| state_error(&file_path, err))?;
        let key_path = dir.join("device.key");
        let key_text =
            std::fs::read_to_string(&key_path).map_err(|err| state_error(&key_path, err))?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(key_text.trim())
            .map_err(|err| state_error(&key_path, err))?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| state_error(&key_path, "not a 32-byte key"))?;
        Ok(Self {
            server_url: file.server_url,
            device_id: file.device_id,
            nickname: file.nickname,
            fingerprint,
            signing_key: SigningKey::from_bytes(&key),
        })
    }

    /// Writes the state after a successful enrollment.
    pub fn save(&self, dir: &Path, company_id: &str) -> Result<(), AgentError> {
        std::fs::create_dir_all(dir).map_err(|err| state_error(dir, err))?;
        let key_path = dir.join("device.key");
        let key = base64::engine::general_purpose::STANDARD.encode(self.signing_key.to_bytes());
        write_private(&key_path, key.as_bytes())?;
        let file = StateFile {
            server_url: self.server_url.clone(),
            device_id: self.device_id.clone(),
            company_id: company_id.to_string(),
            nickname: self.nickname.clone(),
            server_fingerprint: reach_core::fingerprint::to_hex(&self.fingerprint),
        };
        let text = toml::to_string(&file).map_err(|err| state_error(dir, err))?;
        let file_path = dir.join("agent.toml");
        std::fs::write(&file_path, text).map_err(|err| state_error(&file_path, err))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AgentError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|err| state_error(path, err))?;
    file.write_all(bytes)
        .map_err(|err| state_error(path, err))?;
    file.sync_all().map_err(|err| state_error(path, err))
}
