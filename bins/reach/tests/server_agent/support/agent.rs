//! Agents: enrolling a device through the API ([`EnrolledDevice`]), the
//! reconnecting agent run ([`RunningAgent`]), and a single never-retried agent
//! link ([`AgentLink`]) that tells a test whether it survived.

use std::path::Path;

use reach_agent::enroll::{enroll, EnrollOptions};
use reach_agent::state::AgentState;
use reach_agent::AgentError;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::api::Api;
use super::server::TestServer;
use super::wait::within;

/// An enrolled device's state directory.
pub struct EnrolledDevice {
    pub id: String,
    pub dir: tempfile::TempDir,
}

impl EnrolledDevice {
    pub fn state(&self) -> AgentState {
        AgentState::load(self.dir.path()).expect("the agent state loads")
    }
}

/// Enrolls a device with `token`, pinning the server's fingerprint.
pub async fn try_enroll(
    server_url: &str,
    token: &str,
    nickname: &str,
    fingerprint: [u8; 32],
    dir: &Path,
) -> Result<String, AgentError> {
    enroll(EnrollOptions {
        server_url,
        token,
        nickname,
        fingerprint: Some(fingerprint),
        state_dir: dir,
    })
    .await
    .map(|enrolled| {
        assert_eq!(enrolled.fingerprint, fingerprint);
        assert!(!enrolled.trusted_on_first_use);
        enrolled.device_id
    })
}

/// Creates a one-use token through the API and enrolls a device with it.
pub async fn enroll_device(server: &TestServer, api: &Api, nickname: &str) -> EnrolledDevice {
    let token = api.create_token(1, 600).await;
    assert_eq!(token.server_fingerprint, server.fingerprint_hex);
    let dir = tempfile::tempdir().unwrap();
    let id = try_enroll(
        &server.base_url,
        &token.token,
        nickname,
        server.fingerprint,
        dir.path(),
    )
    .await
    .expect("enrollment succeeds");
    EnrolledDevice { id, dir }
}

/// `reach agent run` in a task: reconnects until stopped or refused for good.
pub struct RunningAgent {
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), AgentError>>,
}

impl RunningAgent {
    pub fn spawn(device: &EnrolledDevice, display: Option<String>) -> Self {
        let state = device.state();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            reach_agent::run::run(&state, display, async move {
                let _ = stopped.await;
            })
            .await
        });
        Self {
            shutdown: Some(shutdown),
            task,
        }
    }

    /// Stops the agent and returns how its run ended.
    pub async fn stop(mut self) -> Result<(), AgentError> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        within("the agent to stop", &mut self.task)
            .await
            .expect("the agent task did not panic")
    }

    /// Waits for the run to end by itself (a permanent refusal).
    pub async fn finished(mut self) -> Result<(), AgentError> {
        within("the agent run to end", &mut self.task)
            .await
            .expect("the agent task did not panic")
    }
}

impl Drop for RunningAgent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One agent connection (`run::serve_once`), never retried: if the server drops
/// it, the task ends, so a test can tell that this very link survived.
pub struct AgentLink {
    task: JoinHandle<Result<String, AgentError>>,
}

impl AgentLink {
    pub fn spawn(device: &EnrolledDevice, display: Option<String>) -> Self {
        let state = device.state();
        let task = tokio::spawn(async move { reach_agent::run::serve_once(&state, display).await });
        Self { task }
    }

    /// Fails if the link has ended.
    pub async fn assert_up(&mut self) {
        if self.task.is_finished() {
            let outcome = (&mut self.task).await;
            panic!("the agent's link ended: {outcome:?}");
        }
    }
}

impl Drop for AgentLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}
