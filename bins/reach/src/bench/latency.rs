//! `reach bench latency`: input-to-pixel latency on loopback, in Chromium. Runs
//! the real parts: Xvfb with a small X client that flips the colour of a square
//! on every key press, a `reach server` process, a `reach agent` process, and
//! the console in Debian's Chromium, driven by Playwright (web/bench/latency.spec.ts).
//! The page stamps each key event with `event.timeStamp` and reads the console's
//! canvas every animation frame until the square shows its new colour; this
//! module starts the parts, runs the spec, and summarises the latencies it wrote.
//! It must not reach into the console: the page sees only what a user would.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reach_testkit::process::ServerProcess;
use reach_testkit::xclient::{open_window_on, TestWindow};
use reach_testkit::xvfb::Xvfb;
use serde::{Deserialize, Serialize};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ChangeGCAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, InputFocus, Rectangle,
};
use x11rb::protocol::Event;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::CURRENT_TIME;

use super::{BenchDevice, EMAIL};

#[derive(clap::Args)]
pub struct LatencyArgs {
    /// Key presses to time
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    presses: u32,
    /// Screen width of the Xvfb display
    #[arg(long, default_value_t = 1920)]
    width: u16,
    /// Screen height of the Xvfb display
    #[arg(long, default_value_t = 1080)]
    height: u16,
    /// The screen mode, chosen in the console's mode menu before timing
    #[arg(long, default_value = "all_colours", value_parser = ["black_and_white", "few_colours", "more_colours", "all_colours", "video"])]
    mode: String,
    /// The repository's web/ directory (with `npm ci` done: Playwright drives Chromium)
    #[arg(long, value_name = "DIR", default_value = "web")]
    web: PathBuf,
    /// Also write the results as JSON to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

/// The square the X client flips: its side, and its two colours (0xRRGGBB).
const SQUARE: u16 = 24;
const COLOURS: [u32; 2] = [0x20_30_40, 0xe0_c0_50];
const BACKGROUND: u32 = 0x70_80_90;

/// What the spec writes (REACH_BENCH_OUT).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpecOutput {
    /// Key event to changed pixel, per press, in ms.
    latencies_ms: Vec<f64>,
    /// Presses whose change was not seen (timed out).
    missed: u32,
    /// Presses before which the canvas had lost the focus and was given it again.
    #[serde(default)]
    refocuses: u32,
}

#[derive(Serialize)]
struct LatencyReport {
    screen: String,
    mode: String,
    presses: u32,
    measured: usize,
    missed: u32,
    refocuses: u32,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_ms: f64,
}

pub async fn run(args: LatencyArgs) -> Result<()> {
    let cli = args
        .web
        .join("node_modules/@playwright/test/cli.js")
        .canonicalize()
        .with_context(|| {
            format!(
                "Playwright is not installed under {}: run `cd web && npm ci` (or pass --web DIR)",
                args.web.display()
            )
        })?;
    let web = args.web.canonicalize()?;
    let reach = std::env::current_exe()?;
    let xvfb = Xvfb::start(args.width, args.height)?;
    let probe = (args.width / 2, args.height / 2);
    let flipper = start_flipper(&xvfb.display, probe)?;
    let BenchDevice {
        server,
        password,
        scratch,
        agent: _agent,
        ..
    } = BenchDevice::start(&reach, &xvfb.display, "latency-device", 0).await?;

    let out = scratch.path().join("latency.json");
    let spec = run_spec(&cli, &web, &server, &password, &args, probe, &out).await?;
    drop(flipper);
    let report = summarise(&spec, &args)?;
    println!(
        "reach bench latency ({}, {}, {} presses, loopback)",
        report.screen, report.mode, report.presses
    );
    println!(
        "  key event → changed pixel painted: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, mean {:.1} ms",
        report.p50_ms, report.p99_ms, report.max_ms, report.mean_ms
    );
    if report.missed > 0 {
        println!("  {} presses showed no change within 2 s", report.missed);
    }
    if report.refocuses > 0 {
        println!(
            "  the canvas had lost the focus before {} presses (given back)",
            report.refocuses
        );
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Runs web/bench/latency.spec.ts against the server; returns what it wrote.
async fn run_spec(
    cli: &Path,
    web: &Path,
    server: &ServerProcess,
    password: &str,
    args: &LatencyArgs,
    probe: (u16, u16),
    out: &Path,
) -> Result<SpecOutput> {
    let colours = COLOURS.map(|c| format!("{c:06x}")).join(",");
    let status = tokio::process::Command::new("node")
        .arg(cli)
        .args(["test", "--config", "bench/playwright.config.ts"])
        .current_dir(web)
        .env("REACH_BENCH_ORIGIN", &server.base_url)
        .env("REACH_BENCH_EMAIL", EMAIL)
        .env("REACH_BENCH_PASSWORD", password)
        .env("REACH_BENCH_DEVICE", "latency-device")
        .env("REACH_BENCH_PRESSES", args.presses.to_string())
        .env("REACH_BENCH_MODE", &args.mode)
        .env("REACH_BENCH_PROBE", format!("{},{}", probe.0, probe.1))
        .env("REACH_BENCH_COLOURS", colours)
        .env("REACH_BENCH_OUT", out)
        .kill_on_drop(true)
        .status()
        .await
        .context("running Playwright (node)")?;
    if !status.success() {
        bail!("the latency spec failed ({status}); its output is above");
    }
    let text = std::fs::read_to_string(out)
        .with_context(|| format!("reading the spec's results {}", out.display()))?;
    serde_json::from_str(&text).context("the spec's results")
}

fn summarise(spec: &SpecOutput, args: &LatencyArgs) -> Result<LatencyReport> {
    let mut sorted = spec.latencies_ms.clone();
    if sorted.is_empty() {
        bail!("no press was seen on the console's canvas");
    }
    sorted.sort_by(f64::total_cmp);
    let at = |pct: usize| {
        sorted[((sorted.len() - 1) * pct)
            .div_ceil(100)
            .min(sorted.len() - 1)]
    };
    Ok(LatencyReport {
        screen: format!("{}x{}", args.width, args.height),
        mode: args.mode.clone(),
        presses: args.presses,
        measured: sorted.len(),
        missed: spec.missed,
        refocuses: spec.refocuses,
        p50_ms: at(50),
        p99_ms: at(99),
        max_ms: at(100),
        mean_ms: sorted.iter().sum::<f64>() / sorted.len() as f64,
    })
}

/// The X client the latency is measured against, on its own thread: a
/// full-screen override-redirect window holding the keyboard focus, with a
/// square centred on `probe` that takes the other colour on every key press.
/// Its thread ends when the X connection closes, with Xvfb.
struct Flipper {
    _thread: std::thread::JoinHandle<()>,
}

fn start_flipper(display: &str, probe: (u16, u16)) -> Result<Flipper> {
    let TestWindow {
        conn, window, gc, ..
    } = open_window_on(
        Some(display),
        0,
        0,
        None,
        CreateWindowAux::new()
            .background_pixel(BACKGROUND)
            .event_mask(EventMask::EXPOSURE | EventMask::KEY_PRESS),
        &CreateGCAux::new().foreground(COLOURS[0]),
    )?;
    let square = Rectangle {
        x: i16::try_from(probe.0.saturating_sub(SQUARE / 2))?,
        y: i16::try_from(probe.1.saturating_sub(SQUARE / 2))?,
        width: SQUARE,
        height: SQUARE,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    // Focus can be set only once the window is viewable: wait for its first Expose.
    loop {
        if let Some(Event::Expose(_)) = conn.poll_for_event()? {
            break;
        }
        if Instant::now() > deadline {
            bail!("the latency window was not shown within 10 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    conn.set_input_focus(InputFocus::POINTER_ROOT, window, CURRENT_TIME)?;
    conn.poly_fill_rectangle(window, gc, &[square])?;
    conn.sync()?;
    let thread = std::thread::spawn(move || {
        let mut shown = 0;
        while let Ok(event) = conn.wait_for_event() {
            match event {
                Event::KeyPress(_) => shown = (shown + 1) % COLOURS.len(),
                Event::Expose(e) if e.count == 0 => {}
                _ => continue,
            }
            let painted = conn
                .change_gc(gc, &ChangeGCAux::new().foreground(COLOURS[shown]))
                .and_then(|_| conn.poly_fill_rectangle(window, gc, &[square]))
                .map(|_| ())
                .and_then(|()| conn.flush());
            if painted.is_err() {
                return;
            }
        }
    });
    Ok(Flipper { _thread: thread })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The X client the latency is timed against flips its square on each key
    /// press (XTEST, as the agent types), and only then.
    #[test]
    fn the_square_flips_on_every_key_press() {
        use x11rb::protocol::xproto::{ImageFormat, KEY_PRESS_EVENT, KEY_RELEASE_EVENT};
        use x11rb::protocol::xtest::ConnectionExt as _;

        let xvfb = Xvfb::start(64, 48).expect("Xvfb");
        let _flipper = start_flipper(&xvfb.display, (32, 24)).expect("the X client");
        let (conn, screen_num) = x11rb::connect(Some(&xvfb.display)).expect("connecting");
        let root = conn.setup().roots[screen_num].root;
        let keycode = conn.setup().min_keycode + 30;
        let pixel = || -> u32 {
            let image = conn
                .get_image(ImageFormat::Z_PIXMAP, root, 32, 24, 1, 1, !0)
                .expect("GetImage")
                .reply()
                .expect("the pixel");
            // 32 bits per pixel, little-endian: blue, green, red, unused.
            u32::from_le_bytes([image.data[0], image.data[1], image.data[2], 0])
        };
        assert_eq!(pixel(), COLOURS[0]);
        for want in [COLOURS[1], COLOURS[0]] {
            for kind in [KEY_PRESS_EVENT, KEY_RELEASE_EVENT] {
                conn.xtest_fake_input(kind, keycode, CURRENT_TIME, root, 0, 0, 0)
                    .expect("a key event");
            }
            conn.flush().expect("flushing");
            let deadline = Instant::now() + Duration::from_secs(5);
            while pixel() != want {
                assert!(
                    Instant::now() < deadline,
                    "the square did not turn {want:06x}"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    #[test]
    fn the_spec_output_is_summarised() {
        let spec: SpecOutput =
            serde_json::from_str(r#"{"latenciesMs": [30, 10, 20, 40, 1000], "missed": 1}"#)
                .expect("the spec's output");
        let args = LatencyArgs {
            presses: 6,
            mode: "all_colours".into(),
            width: 8,
            height: 8,
            web: PathBuf::from("web"),
            json: None,
        };
        let report = summarise(&spec, &args).expect("a summary");
        assert_eq!(
            (report.p50_ms, report.max_ms, report.measured, report.missed),
            (30.0, 1000.0, 5, 1)
        );
        assert!((report.mean_ms - 220.0).abs() < 1e-9);
        let none = SpecOutput {
            latencies_ms: Vec::new(),
            missed: 6,
            refocuses: 0,
        };
        assert!(summarise(&none, &args).is_err());
    }
}
