//! `reach bench`: measurements that back docs/BENCHMARKS.md. `session` runs the
//! real parts (Xvfb, xterm, a `reach server` process, a `reach agent` process)
//! and drives them as a technician's console would, over the network protocol.
//! `vnc` runs the same workload against x11vnc for a side-by-side comparison.
//! `latency` times key event to painted pixel in the console (Chromium).

mod browser;
mod corpus;
mod ffmpeg;
mod latency;
mod meshcentral;
mod screen;
mod vnc;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reach_proto::api::{
    CreateEnrollmentToken, CreateSession, DeviceView, EnrollmentTokenCreated, SessionView,
};
use reach_proto::messages::{ConsoleMessage, InputEvent, ServerToConsole};
use reach_testkit::console::{Console, LinkEvent, SessionLink};
use reach_testkit::process::{cpu_time, rss_kib, ServerProcess};
use reach_testkit::xvfb::Xvfb;
use serde::Serialize;

/// The display and typing workload both benchmarks run.
#[derive(clap::Args, Clone, Copy)]
pub struct Workload {
    /// Screen width of the Xvfb display
    #[arg(long, default_value_t = 1920)]
    width: u16,
    /// Screen height of the Xvfb display
    #[arg(long, default_value_t = 1080)]
    height: u16,
    /// How long the typing workload runs, in seconds
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Characters typed per second by the workload
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=1000))]
    typing_rate: u32,
    /// Print the results as JSON instead of a table
    #[arg(long)]
    json: bool,
}

impl Workload {
    fn typing(&self) -> Duration {
        Duration::from_secs(self.seconds)
    }
}

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Time to first frame, frame rate and bandwidth while typing in an xterm,
    /// and server memory per idle agent. Needs Xvfb and xterm.
    Session {
        #[command(flatten)]
        workload: Workload,
        /// Idle agents connected to measure the server's memory per agent
        #[arg(long, default_value_t = 200)]
        idle_agents: usize,
    },
    /// Record a screen corpus: real applications under Xvfb (xterm typing, `man`
    /// scrolling, Chromium scrolling, a window drag, a video), captured into
    /// NAME.raw (BGRx frames) + NAME.json. Needs Xvfb, xterm, man-db, chromium
    /// and ffmpeg.
    Corpus(corpus::CorpusArgs),
    /// Encode a corpus with Reach and the approaches users would otherwise pick,
    /// on the same frames and one core: encode time, bytes and PSNR per frame.
    Screen(screen::ScreenArgs),
    /// Input-to-pixel latency on loopback: a key event in the console (Chromium,
    /// driven by Playwright from web/) until the changed pixels are painted on its
    /// canvas. Needs Xvfb, Chromium and `npm ci` in web/.
    Latency(latency::LatencyArgs),
    /// The `session` workload against x11vnc (a VNC server), read by a minimal
    /// RFB client that negotiates ZRLE. Needs Xvfb, xterm and x11vnc.
    Vnc {
        #[command(flatten)]
        workload: Workload,
    },
}

/// What both benchmarks measure of the screen stream.
#[derive(Serialize)]
struct StreamMeasures {
    screen: String,
    connect_to_first_frame_ms: f64,
    connect_to_full_frame_ms: f64,
    first_frame_bytes: usize,
    typing_seconds: f64,
    typing_rate: u32,
    frames_per_second: f64,
    bytes_per_second: f64,
}

impl StreamMeasures {
    fn print(&self) {
        println!(
            "  Connect → first frame painted:  {:>8.1} ms ({} bytes)",
            self.connect_to_first_frame_ms, self.first_frame_bytes
        );
        println!(
            "  Connect → whole screen painted: {:>8.1} ms",
            self.connect_to_full_frame_ms
        );
        println!(
            "  Typing {} chars/s for {:.0} s:",
            self.typing_rate, self.typing_seconds
        );
        println!(
            "    frames per second:            {:>8.1}",
            self.frames_per_second
        );
        println!(
            "    bytes per second:             {:>8.0}",
            self.bytes_per_second
        );
    }
}

const EMAIL: &str = "bench@reach.invalid";
const TEXT: &str = "echo The quick brown fox jumps over the lazy dog 0123456789";

#[derive(Serialize)]
struct SessionReport {
    #[serde(flatten)]
    stream: StreamMeasures,
    agent_cpu_percent: f64,
    server_cpu_percent: f64,
    agent_cpu_percent_still_screen: f64,
    idle_agents: usize,
    server_rss_per_idle_agent_kib: f64,
}

pub async fn run(command: BenchCommand) -> Result<()> {
    let (workload, idle_agents) = match command {
        BenchCommand::Session {
            workload,
            idle_agents,
        } => (workload, idle_agents),
        BenchCommand::Vnc { workload } => return vnc::run(workload).await,
        BenchCommand::Corpus(args) => return corpus::run(args),
        BenchCommand::Screen(args) => return screen::run(args).await,
        BenchCommand::Latency(args) => return latency::run(args).await,
    };
    let report = session(workload, idle_agents).await?;
    if workload.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("reach bench session ({})", report.stream.screen);
    report.stream.print();
    println!(
        "    agent CPU:                    {:>8.1} %",
        report.agent_cpu_percent
    );
    println!(
        "    server CPU:                   {:>8.1} %",
        report.server_cpu_percent
    );
    println!(
        "  Agent CPU, session open, still screen: {:>6.1} %",
        report.agent_cpu_percent_still_screen
    );
    println!(
        "  Server memory per idle agent:   {:>8.1} KiB ({} agents)",
        report.server_rss_per_idle_agent_kib, report.idle_agents
    );
    Ok(())
}

fn random_password() -> String {
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

/// The `n`th key the typist presses: [`TEXT`] then Enter, over and over.
fn typed_key(n: u32) -> u32 {
    let len = TEXT.chars().count() + 1;
    TEXT.chars()
        .nth(n as usize % len)
        .map_or(0xff0d, |c| c as u32)
}

/// The typist of the workload: [`TEXT`] then Enter, repeated, at a fixed rate.
struct Typist {
    typed: u32,
    interval: Duration,
    next: Instant,
}

impl Typist {
    fn new(chars_per_second: u32) -> Self {
        Self {
            typed: 0,
            interval: Duration::from_secs_f64(1.0 / f64::from(chars_per_second.max(1))),
            next: Instant::now(),
        }
    }

    /// How long until the next key is due.
    fn wait(&self) -> Duration {
        self.next.saturating_duration_since(Instant::now())
    }

    /// The keysym to type now; schedules the one after.
    fn key(&mut self) -> u32 {
        self.next += self.interval;
        self.typed = self.typed.wrapping_add(1);
        typed_key(self.typed - 1)
    }
}

/// Starts the xterm the workload types into, on `display`.
fn start_xterm(display: &str) -> Result<Child> {
    Ok(Child(
        std::process::Command::new("xterm")
            .args([
                "-geometry",
                "160x50+0+0",
                "-fa",
                "DejaVu Sans Mono",
                "-fs",
                "11",
                "-e",
                "sh",
            ])
            .env("DISPLAY", display)
            .spawn()
            .context("starting xterm (Debian package xterm)")?,
    ))
}

/// A child process killed on drop.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn session(workload: Workload, idle_agents: usize) -> Result<SessionReport> {
    let Workload {
        width,
        height,
        typing_rate,
        ..
    } = workload;
    let typing = workload.typing();
    let reach = std::env::current_exe()?;
    let xvfb = Xvfb::start(width, height)?;
    let _xterm = start_xterm(&xvfb.display)?;
    let BenchDevice {
        agent,
        console,
        device,
        token,
        scratch,
        server,
        ..
    } = BenchDevice::start(&reach, &xvfb.display, "bench-device", idle_agents).await?;
    // Let xterm finish drawing its prompt so the first frame is the steady screen.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let connect = Instant::now();
    let session: SessionView = console
        .post(
            "/api/sessions",
            &CreateSession {
                device_id: device.id.clone(),
            },
        )
        .await?;
    let mut link = console.open_session(&session.id).await?;
    let mut painter = Painter::default();
    let mut first_frame = None;
    let full_frame = loop {
        let Some(bytes) = painter.next_batch(&mut link).await? else {
            continue;
        };
        first_frame.get_or_insert((connect.elapsed(), bytes));
        if painter.covers_screen() {
            break connect.elapsed();
        }
    };
    let (first_frame, first_frame_bytes) = first_frame.context("no frame")?;

    // Typing workload: keystrokes go through the session, as a technician's would.
    let agent_pid = agent.0.id();
    let server_pid = server.pid();
    let (agent_cpu_start, server_cpu_start) = (cpu_time(agent_pid)?, cpu_time(server_pid)?);
    let started = Instant::now();
    let mut typist = Typist::new(typing_rate);
    let (mut frames, mut bytes) = (0usize, 0usize);
    while started.elapsed() < typing {
        let wait = typist.wait();
        // Only cancel-safe futures are raced; the work happens in the branch bodies.
        tokio::select! {
            event = link.next() => {
                if let Some(size) = painter.paint(&mut link, event?).await? {
                    frames += 1;
                    bytes += size;
                }
            }
            () = tokio::time::sleep(wait) => {
                let keysym = typist.key();
                for pressed in [true, false] {
                    link.send(&ConsoleMessage::Input { event: InputEvent::Key { keysym, pressed } }).await?;
                }
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let agent_cpu = (cpu_time(agent_pid)? - agent_cpu_start).as_secs_f64() / elapsed * 100.0;
    let server_cpu = (cpu_time(server_pid)? - server_cpu_start).as_secs_f64() / elapsed * 100.0;

    // The session stays open on a still screen: what does watching cost the device?
    keep_painting(&mut painter, &mut link, Duration::from_secs(2)).await?;
    let still_start = cpu_time(agent_pid)?;
    let still = Duration::from_secs(3);
    keep_painting(&mut painter, &mut link, still).await?;
    let agent_cpu_still =
        (cpu_time(agent_pid)? - still_start).as_secs_f64() / still.as_secs_f64() * 100.0;
    link.send(&ConsoleMessage::End).await?;

    let per_agent = idle_memory(&server, &token, scratch.path(), idle_agents).await?;
    drop(agent);
    Ok(SessionReport {
        stream: StreamMeasures {
            screen: format!("{width}x{height}"),
            connect_to_first_frame_ms: first_frame.as_secs_f64() * 1000.0,
            connect_to_full_frame_ms: full_frame.as_secs_f64() * 1000.0,
            first_frame_bytes,
            typing_seconds: elapsed,
            typing_rate,
            frames_per_second: frames as f64 / elapsed,
            bytes_per_second: bytes as f64 / elapsed,
        },
        agent_cpu_percent: agent_cpu,
        server_cpu_percent: server_cpu,
        agent_cpu_percent_still_screen: agent_cpu_still,
        idle_agents,
        server_rss_per_idle_agent_kib: per_agent,
    })
}

/// Paints whatever arrives for `duration`.
async fn keep_painting(
    painter: &mut Painter,
    link: &mut SessionLink,
    duration: Duration,
) -> Result<()> {
    let until = tokio::time::Instant::now() + duration;
    while let Ok(event) = tokio::time::timeout_at(until, link.next()).await {
        painter.paint(link, event?).await?;
    }
    Ok(())
}

/// A `reach server` process with the bench's console signed in, and one device
/// whose `reach agent` process shows an X display, online.
struct BenchDevice {
    agent: Child,
    console: Console,
    device: DeviceView,
    /// The enrollment token, with uses left for more agents.
    token: String,
    /// Holds the agent's state directory.
    scratch: tempfile::TempDir,
    server: ServerProcess,
    /// The console's password, for a browser to sign in too.
    password: String,
}

impl BenchDevice {
    /// Starts the server, enrolls a device named `nickname` whose agent shows
    /// `display`, and waits until it is online; the token keeps `spare_uses`.
    async fn start(
        reach: &std::path::Path,
        display: &str,
        nickname: &str,
        spare_uses: usize,
    ) -> Result<Self> {
        let password = random_password();
        let server = ServerProcess::start(reach, EMAIL, &password)?;
        let console =
            Console::sign_in(&server.base_url, server.fingerprint, EMAIL, &password).await?;
        let created: EnrollmentTokenCreated = console
            .post(
                "/api/enrollment-tokens",
                &CreateEnrollmentToken {
                    max_uses: u32::try_from(spare_uses + 1)?,
                    expires_in_secs: 3600,
                    device_group: None,
                },
            )
            .await?;
        let scratch = tempfile::tempdir()?;
        let agent_dir = scratch.path().join("agent");
        enroll(&server, &created.token, nickname, &agent_dir).await?;
        let agent = Child(
            std::process::Command::new(reach)
                .args(["agent", "run", "--state-dir"])
                .arg(&agent_dir)
                .args(["--display", display])
                .env("RUST_LOG", "warn")
                .spawn()
                .context("starting the agent")?,
        );
        let device = wait_online(&console, nickname).await?;
        Ok(Self {
            agent,
            console,
            device,
            token: created.token,
            scratch,
            server,
            password,
        })
    }
}

async fn enroll(
    server: &ServerProcess,
    token: &str,
    name: &str,
    dir: &std::path::Path,
) -> Result<()> {
    reach_agent::enroll::enroll(reach_agent::enroll::EnrollOptions {
        server_url: &server.base_url,
        token,
        nickname: name,
        fingerprint: Some(server.fingerprint),
        state_dir: dir,
    })
    .await?;
    Ok(())
}

async fn wait_online(console: &Console, nickname: &str) -> Result<DeviceView> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let devices: Vec<DeviceView> = console.get("/api/devices").await?;
        if let Some(device) = devices
            .into_iter()
            .find(|d| d.nickname == nickname && d.online)
        {
            return Ok(device);
        }
        if Instant::now() > deadline {
            bail!("the agent did not come online within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Decodes and paints batches as the console does, acknowledging each.
#[derive(Default)]
struct Painter {
    canvas: Vec<u8>,
    size: (u16, u16),
    painted_tiles: HashSet<(u16, u16)>,
}

impl Painter {
    /// Reads the next event, paints it if it is a batch, and acknowledges it.
    /// Returns the batch size; `None` for a control message.
    async fn next_batch(&mut self, link: &mut SessionLink) -> Result<Option<usize>> {
        let event = link.next().await?;
        self.paint(link, event).await
    }

    /// Handles one event already read from the link (so callers can read with
    /// `select!` without losing half-handled batches).
    async fn paint(&mut self, link: &mut SessionLink, event: LinkEvent) -> Result<Option<usize>> {
        match event {
            LinkEvent::Batch(payload) => {
                let batch = reach_screen::batch::decode(&payload)?;
                batch.paint(&mut self.canvas);
                for tile in &batch.tiles {
                    self.painted_tiles.insert((tile.x, tile.y));
                }
                link.send(&ConsoleMessage::FrameAck { seq: batch.seq })
                    .await?;
                Ok(Some(payload.len()))
            }
            LinkEvent::Control(ServerToConsole::ScreenInfo { width, height }) => {
                self.size = (width, height);
                self.painted_tiles.clear();
                Ok(None)
            }
            LinkEvent::Control(ServerToConsole::Ended { reason }) => {
                bail!("the session ended: {reason:?}")
            }
            LinkEvent::Control(ServerToConsole::Error { code, message }) => {
                bail!("session error {code}: {message}")
            }
            LinkEvent::Control(ServerToConsole::Refused { code, message }) => {
                bail!("the server refused {code}: {message}")
            }
            // Readiness, the pointer and other news do not change the picture.
            LinkEvent::Control(_) => Ok(None),
            LinkEvent::Closed => bail!("the session link closed"),
        }
    }

    fn covers_screen(&self) -> bool {
        let tile = usize::from(reach_screen::TILE_SIZE);
        let columns = usize::from(self.size.0).div_ceil(tile);
        let rows = usize::from(self.size.1).div_ceil(tile);
        columns * rows > 0 && self.painted_tiles.len() >= columns * rows
    }
}

/// Connects `count` enrolled agents that stay idle and returns the server's
/// resident memory growth per agent.
async fn idle_memory(
    server: &ServerProcess,
    token: &str,
    scratch: &std::path::Path,
    count: usize,
) -> Result<f64> {
    if count == 0 {
        return Ok(0.0);
    }
    let mut states = Vec::with_capacity(count);
    for i in 0..count {
        let dir: PathBuf = scratch.join(format!("idle-{i}"));
        enroll(server, token, &format!("idle-{i}"), &dir).await?;
        states.push(reach_agent::state::AgentState::load(&dir)?);
    }
    // Settle allocator caches touched by enrollment before the baseline.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(server.pid())?;
    let mut links = Vec::with_capacity(count);
    for state in &states {
        links.push(reach_agent::transport::connect(state).await?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(server.pid())?;
    drop(links);
    Ok(after.saturating_sub(before) as f64 / count as f64)
}
