//! Throwaway Xvfb displays for tests, and the test pattern that the
//! `reach-test-pattern` client paints on them.
//!
//! Owns starting and stopping one Xvfb server per call on a free display number
//! (chosen by Xvfb itself through `-displayfd`, so parallel tests never collide).
//! It must not skip when Xvfb is missing: that is an error saying how to install
//! it.
//!
//! The test pattern, for a window of `W`×`H` pixels at the root origin:
//! - rows `0 .. H/2`: 8 vertical bars, bar `i` covering columns
//!   `i*W/8 .. (i+1)*W/8`, coloured white (255,255,255), yellow (255,255,0),
//!   cyan (0,255,255), green (0,255,0), magenta (255,0,255), red (255,0,0),
//!   blue (0,0,255), black (0,0,0) from left to right ([`PATTERN_BARS`]);
//! - rows `H/2 .. H`: mid-grey (128,128,128) ([`PATTERN_GREY`]).

use std::io::{BufRead, BufReader, Read, Seek};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rustix::process::{kill_process, Pid, Signal};

/// Colours (R, G, B) of the 8 bars in the top half of the test pattern, left
/// to right.
pub const PATTERN_BARS: [(u8, u8, u8); 8] = [
    (255, 255, 255),
    (255, 255, 0),
    (0, 255, 255),
    (0, 255, 0),
    (255, 0, 255),
    (255, 0, 0),
    (0, 0, 255),
    (0, 0, 0),
];

/// Colour (R, G, B) of the bottom half of the test pattern.
pub const PATTERN_GREY: (u8, u8, u8) = (128, 128, 128);

/// How long Xvfb may take to announce its display and accept a client.
const START_TIMEOUT: Duration = Duration::from_secs(20);

const XVFB_MISSING: &str = "Xvfb not found: install Debian package xvfb (apt-get install xvfb), \
     or run `cargo xtask test`, which installs it";

/// A running Xvfb server, stopped when dropped.
pub struct Xvfb {
    /// The display name for `DISPLAY` or `x11rb::connect`, e.g. `:3`.
    pub display: String,
    child: Child,
    /// Kept open: Xvfb must never hit a closed pipe.
    _stdout: ChildStdout,
}

impl Xvfb {
    /// Starts Xvfb with one 24-bit screen of `width`×`height` and MIT-SHM, and
    /// returns once a client can connect.
    pub fn start(width: u16, height: u16) -> Result<Xvfb> {
        let mut log = tempfile::tempfile().context("creating the Xvfb log file")?;
        let spawned = Command::new("Xvfb")
            // Xvfb picks a free display and writes its number to fd 1 once it
            // accepts connections.
            .args(["-displayfd", "1", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            // -noreset: without it Xvfb resets when its last client leaves (our readiness
            // probe), and a client connecting during the reset is refused.
            .args(["-nolisten", "tcp", "-noreset", "+extension", "MIT-SHM"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log.try_clone().context("sharing the Xvfb log file")?)
            .spawn();
        let mut child = match spawned {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(XVFB_MISSING),
            other => other.context("starting Xvfb")?,
        };
        let Some(stdout) = child.stdout.take() else {
            stop(&mut child);
            bail!("Xvfb was started without a stdout pipe");
        };
        let (number, stdout) = match read_display_number(stdout) {
            Ok(read) => read,
            Err(error) => {
                stop(&mut child);
                return Err(error.context(format!(
                    "Xvfb did not start; its log:\n{}",
                    read_log(&mut log)
                )));
            }
        };
        let xvfb = Xvfb {
            display: format!(":{number}"),
            child,
            _stdout: stdout,
        };
        xvfb.wait_for_client()?;
        Ok(xvfb)
    }

    fn wait_for_client(&self) -> Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match x11rb::connect(Some(&self.display)) {
                Ok(_) => return Ok(()),
                Err(error) if Instant::now() >= deadline => {
                    return Err(error)
                        .with_context(|| format!("connecting to Xvfb on {}", self.display))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Reads the display number Xvfb writes to its stdout, with a deadline, and
/// hands the pipe back so it stays open.
fn read_display_number(stdout: ChildStdout) -> Result<(u32, ChildStdout)> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let read = reader.read_line(&mut line);
        let _ = sender.send(read.map(|_| (line, reader.into_inner())));
    });
    let (line, stdout) = receiver
        .recv_timeout(START_TIMEOUT)
        .context("Xvfb did not report its display number in time")?
        .context("reading Xvfb's display number")?;
    let number = line
        .trim()
        .parse()
        .with_context(|| format!("Xvfb reported display {line:?}"))?;
    Ok((number, stdout))
}

/// Asks Xvfb to exit (so it removes its lock file and socket), then kills it
/// if it lingers.
fn stop(child: &mut Child) {
    let _ = kill_process(Pid::from_child(child), Signal::TERM);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn read_log(log: &mut std::fs::File) -> String {
    let mut text = String::new();
    if log.rewind().is_ok() && log.read_to_string(&mut text).is_ok() {
        text
    } else {
        "(unreadable)".into()
    }
}
