//! Real `reach` processes: starts `reach server` on a free port with a fresh data
//! directory and reads the console URL and fingerprint it prints; reads a
//! process's memory and CPU time from /proc for benchmarks.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// A `reach server` child process, killed on drop.
pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    pub fingerprint: [u8; 32],
    pub data_dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts `reach server` with the first administrator `email` / `password`.
    pub fn start(reach: &Path, email: &str, password: &str) -> Result<Self> {
        let data_dir = tempfile::Builder::new().prefix("reach-server-").tempdir()?;
        let mut child = Command::new(reach)
            .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir.path())
            .env("REACH_ADMIN_EMAIL", email)
            .env("REACH_ADMIN_PASSWORD", password)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", reach.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (lines, received) = mpsc::channel();
        // Keep draining stdout for the life of the process so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut base_url = None;
        let mut fingerprint = None;
        while base_url.is_none() || fingerprint.is_none() {
            let line = received.recv_timeout(Duration::from_secs(30)).context(
                "reach server did not print its console URL and fingerprint within 30 s",
            )?;
            if let Some(url) = line.trim().strip_prefix("Console:") {
                base_url = Some(url.trim().trim_end_matches("/console").to_string());
            }
            if let Some(hex) = line.trim().strip_prefix("Fingerprint:") {
                fingerprint = Some(reach_core::fingerprint::parse(hex)?);
            }
        }
        let (Some(base_url), Some(fingerprint)) = (base_url, fingerprint) else {
            bail!("unreachable: loop exits only with both values");
        };
        Ok(Self {
            child,
            base_url,
            fingerprint,
            data_dir,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, in KiB.
pub fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .context("no VmRSS in /proc/PID/status")
}

/// CPU time (user + system) a process has used so far.
pub fn cpu_time(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may contain spaces: fields start after its closing parenthesis.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| -> Result<u64> {
        fields
            .get(index)
            .and_then(|v| v.parse().ok())
            .context("malformed /proc/PID/stat")
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let total = ticks(11)? + ticks(12)?;
    let per_second = rustix::param::clock_ticks_per_second();
    Ok(Duration::from_secs_f64(total as f64 / per_second as f64))
}
