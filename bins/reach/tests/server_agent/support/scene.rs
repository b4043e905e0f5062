//! The scene most screen tests start from: a server (SQLite) with its admin
//! signed in, a device enrolled whose agent shows a given X display, online,
//! and a session started on it. The test owns the display and what runs on it.

use super::{enroll_device, Api, Backend, Console, EnrolledDevice, RunningAgent, TestServer};

/// A live session on a device that shows one X display.
pub struct DeviceSession {
    pub server: TestServer,
    /// Signed in as the admin, who started the session.
    pub api: Api,
    pub device: EnrolledDevice,
    /// Runs until the scene is dropped.
    pub _agent: RunningAgent,
    pub session_id: String,
}

impl DeviceSession {
    /// Enrolls a device named `nickname` whose agent shows `display`, waits
    /// until it is online and starts a session on it.
    pub async fn start(display: &str, nickname: &str) -> Self {
        let server = TestServer::start(Backend::Sqlite).await;
        let mut api = server.api();
        api.sign_in_admin().await;
        let device = enroll_device(&server, &api, nickname).await;
        let agent = RunningAgent::spawn(&device, Some(display.to_string()));
        api.wait_online(&device.id).await;
        let session = api.start_session(&device.id).await;
        Self {
            server,
            api,
            device,
            _agent: agent,
            session_id: session.id,
        }
    }

    /// Opens a console on the session, in control.
    pub async fn console(&self) -> Console {
        Console::open(&self.server, &self.api, &self.session_id).await
    }
}
