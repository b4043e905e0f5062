//! The remote screen: an Xvfb display (started off the async runtime) and the
//! `reach-test-pattern` X client that paints the test pattern on it and reports
//! the input it receives.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use reach_testkit::xvfb::Xvfb;
use serde_json::Value;

use super::wait::{DEADLINE, POLL};

/// Starts an Xvfb display of `width`×`height`.
pub async fn start_xvfb(width: u16, height: u16) -> Xvfb {
    tokio::task::spawn_blocking(move || Xvfb::start(width, height))
        .await
        .unwrap()
        .expect("Xvfb starts")
}

/// Where cargo put `reach-test-pattern` (built by `cargo build -p reach-testkit`).
pub fn test_pattern_binary() -> PathBuf {
    testkit_binary("reach-test-pattern")
}

/// Where cargo put the testkit's X client `name` (built by `cargo build -p reach-testkit`).
pub fn testkit_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<this test> → target/<profile>/<name>
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join(name))
        .unwrap();
    assert!(
        path.exists(),
        "{} does not exist: run `cargo build -p reach-testkit` first",
        path.display()
    );
    path
}

/// The `reach-test-noise` X client (a region that never stops changing),
/// killed when dropped.
pub struct NoiseClient {
    child: Child,
}

impl NoiseClient {
    /// Starts it on `display` over (`x`, `y`, `width`, `height`) and waits
    /// until it has painted once.
    pub async fn start(display: &str, x: u16, y: u16, width: u16, height: u16) -> Self {
        let mut child = Command::new(testkit_binary("reach-test-noise"))
            .args([x, y, width, height].map(|n| n.to_string()))
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("reach-test-noise starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let ready = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
                .map(|_| line)
        });
        let line = tokio::time::timeout(DEADLINE, ready)
            .await
            .expect("reach-test-noise paints in time")
            .unwrap()
            .expect("reach-test-noise reports");
        assert!(line.contains("ready"), "reach-test-noise said {line:?}");
        Self { child }
    }
}

impl Drop for NoiseClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `reach-test-pattern` X client, killed when dropped.
pub struct TestPattern {
    child: Child,
    events: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestPattern {
    /// Starts the client on `display` and waits until it has painted.
    pub async fn start(display: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.jsonl");
        let child = Command::new(test_pattern_binary())
            .arg("--events-out")
            .arg(&events)
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .spawn()
            .expect("reach-test-pattern starts");
        let mut pattern = Self {
            child,
            events,
            _dir: dir,
        };
        pattern.wait_for("ready", |e| e["event"] == "ready").await;
        pattern
    }

    fn lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.events)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Whether the client has reported an event matching `wanted` so far.
    pub fn has_seen(&self, wanted: impl Fn(&Value) -> bool) -> bool {
        self.lines().iter().any(wanted)
    }

    /// Waits until the client has reported an event matching `wanted`.
    pub async fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let lines = self.lines();
            if let Some(line) = lines.iter().find(|line| wanted(line)) {
                return line.clone();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("reach-test-pattern exited ({status}) before {what}; it reported {lines:?}");
            }
            assert!(
                Instant::now() < deadline,
                "the test pattern did not report {what}; it reported {lines:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for TestPattern {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
