//! `reach bench corpus`: records real desktop activity under Xvfb into a screen
//! corpus for `reach bench screen`. Each workload runs real applications (xterm,
//! man, Chromium, ffplay), drives them through XTEST like a person would, and
//! captures the screen with the agent's own MIT-SHM capture at a fixed rate.
//!
//! Format (anyone's recording in it is a corpus too): `NAME.raw` holds packed
//! 32-bit BGRx frames back to back, what `ffmpeg -f x11grab -pix_fmt bgr0 -f
//! rawvideo` writes, and `NAME.json` beside it at least `width`, `height`, `fps`
//! and `frames`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reach_agent::capture::{ScreenCapture, X11Capture};
use reach_agent::input::{InputInjector, X11Input};
use reach_proto::messages::InputEvent;
use reach_testkit::xvfb::Xvfb;
use serde::{Deserialize, Serialize};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConfigureWindowAux, ConnectionExt as _};

use super::Child;

/// What `NAME.json` says about `NAME.raw`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CorpusInfo {
    pub width: u16,
    pub height: u16,
    pub fps: u32,
    pub frames: u32,
    /// What was recorded, for people reading the corpus.
    #[serde(default)]
    pub description: String,
}

#[derive(clap::Args)]
pub struct CorpusArgs {
    /// Directory to write NAME.raw and NAME.json into (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Screen width of the Xvfb display
    #[arg(long, default_value_t = 1920)]
    width: u16,
    /// Screen height of the Xvfb display
    #[arg(long, default_value_t = 1080)]
    height: u16,
    /// Frames captured per second
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=60))]
    fps: u32,
    /// Seconds recorded per workload (a 1080p frame is 8 MB: 5 s at 20 fps is 830 MB)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=120))]
    seconds: u64,
    /// Record only these workloads (typing, man-scroll, browser, drag, video)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    only: Vec<String>,
}

/// The desktop activities of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    Typing,
    ManScroll,
    Browser,
    Drag,
    Video,
}

impl Activity {
    const ALL: [Self; 5] = [
        Self::Typing,
        Self::ManScroll,
        Self::Browser,
        Self::Drag,
        Self::Video,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Typing => "typing",
            Self::ManScroll => "man-scroll",
            Self::Browser => "browser",
            Self::Drag => "drag",
            Self::Video => "video",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::Typing => {
                "typing a shell command line in xterm (DejaVu Sans Mono 11), 40 characters/s"
            }
            Self::ManScroll => "xterm showing `man bash`, scrolled down one line per frame",
            Self::Browser => {
                "Chromium rendering a long article page, scrolled with the mouse wheel"
            }
            Self::Drag => "an xterm window with text dragged across a plain desktop",
            Self::Video => {
                "ffplay showing a 960x540 moving test picture (ffmpeg testsrc2) in a window"
            }
        }
    }
}

/// The plain desktop behind the windows (a dark slate, as many desktop themes).
const DESKTOP_RGB: u32 = 0x2e_34_40;

pub fn run(args: CorpusArgs) -> Result<()> {
    let activities: Vec<Activity> = if args.only.is_empty() {
        Activity::ALL.to_vec()
    } else {
        args.only
            .iter()
            .map(|name| {
                Activity::ALL
                    .into_iter()
                    .find(|a| a.name() == name)
                    .with_context(|| {
                        format!(
                            "unknown workload `{name}` (typing, man-scroll, browser, drag, video)"
                        )
                    })
            })
            .collect::<Result<_>>()?
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    for activity in activities {
        let started = Instant::now();
        let info = record(&args, activity)?;
        println!(
            "{:<11} {} frames of {}x{} in {:.1} s → {}",
            activity.name(),
            info.frames,
            info.width,
            info.height,
            started.elapsed().as_secs_f64(),
            args.out.join(format!("{}.raw", activity.name())).display()
        );
    }
    Ok(())
}

fn record(args: &CorpusArgs, activity: Activity) -> Result<CorpusInfo> {
    let xvfb = Xvfb::start(args.width, args.height)?;
    paint_desktop(&xvfb.display)?;
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let mut actor = Actor::start(activity, &xvfb.display, scratch.path())?;
    let mut capture = X11Capture::connect(Some(&xvfb.display))
        .with_context(|| format!("capturing display {}", xvfb.display))?;
    let raw_path = args.out.join(format!("{}.raw", activity.name()));
    let mut raw = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&raw_path)
            .with_context(|| format!("creating {}", raw_path.display()))?,
    );
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.fps));
    let total = u32::try_from(args.seconds * u64::from(args.fps)).unwrap_or(u32::MAX);
    let mut due = Instant::now();
    let mut late = 0u32;
    for index in 0..total {
        actor.act(index, args.fps)?;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let frame = capture.grab().context("capturing a frame")?;
        write_packed(&mut raw, frame)?;
        due += interval;
        if Instant::now() > due + interval {
            // Writing fell behind (slow disk): keep the rate, note the gap.
            late += 1;
            due = Instant::now();
        }
    }
    raw.flush()
        .with_context(|| format!("writing {}", raw_path.display()))?;
    if late > 0 {
        eprintln!(
            "{}: {late} of {total} frames were captured late (the disk or the machine was slow)",
            activity.name()
        );
    }
    let info = CorpusInfo {
        width: args.width,
        height: args.height,
        fps: args.fps,
        frames: total,
        description: activity.description().to_string(),
    };
    let json_path = args.out.join(format!("{}.json", activity.name()));
    std::fs::write(&json_path, serde_json::to_string_pretty(&info)?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    Ok(info)
}

/// Writes the frame's rows without their padding.
fn write_packed(out: &mut impl Write, frame: &reach_screen::Frame) -> Result<()> {
    let row = usize::from(frame.width) * reach_screen::BYTES_PER_PIXEL;
    for y in 0..usize::from(frame.height) {
        let start = y * frame.stride;
        out.write_all(&frame.data[start..start + row])
            .context("writing a frame")?;
    }
    Ok(())
}

/// Gives the root window a plain colour instead of Xvfb's black-and-white weave.
fn paint_desktop(display: &str) -> Result<()> {
    let (conn, screen) = x11rb::connect(Some(display)).context("connecting to Xvfb")?;
    let root = conn.setup().roots[screen].root;
    conn.change_window_attributes(
        root,
        &ChangeWindowAttributesAux::new().background_pixel(DESKTOP_RGB),
    )?;
    conn.clear_area(false, root, 0, 0, 0, 0)?;
    // A round trip: the server has applied both before this connection closes.
    conn.get_input_focus()?.reply()?;
    Ok(())
}

/// The applications of one workload and what it does to them each frame.
struct Actor {
    activity: Activity,
    input: X11Input,
    _apps: Vec<Child>,
    /// The window the drag moves, with its X connection.
    dragged: Option<(x11rb::rust_connection::RustConnection, u32)>,
    typed: u32,
}

impl Actor {
    fn start(activity: Activity, display: &str, scratch: &Path) -> Result<Self> {
        let mut dragged = None;
        let apps = match activity {
            Activity::Typing => vec![xterm(display, "160x50+40+40", &["-e", "sh"])?],
            Activity::ManScroll => {
                let found = std::process::Command::new("man")
                    .args(["-w", "bash"])
                    .output();
                if !found.is_ok_and(|out| out.status.success()) {
                    bail!("`man bash` is not available: install Debian packages man-db and bash's manual (apt-get install man-db)");
                }
                vec![xterm(display, "160x50+40+40", &["-e", "man", "bash"])?]
            }
            Activity::Browser => vec![chromium(display, scratch)?],
            Activity::Drag => {
                let app = xterm(
                    display,
                    "100x30+40+40",
                    &[
                        "-e",
                        "sh",
                        "-c",
                        "ls -l /usr/bin | head -n 28; exec sleep 600",
                    ],
                )?;
                dragged = Some(find_window(display, "reach-bench-xterm")?);
                vec![app]
            }
            Activity::Video => vec![ffplay(display)?],
        };
        // Let the applications draw their first screen before recording.
        std::thread::sleep(match activity {
            Activity::Browser => Duration::from_secs(5),
            _ => Duration::from_secs(2),
        });
        Ok(Self {
            activity,
            input: X11Input::connect(Some(display)).context("XTEST input")?,
            _apps: apps,
            dragged,
            typed: 0,
        })
    }

    /// What happens before frame `index` is captured.
    fn act(&mut self, index: u32, fps: u32) -> Result<()> {
        match self.activity {
            Activity::Typing => {
                // 40 characters per second, whatever the frame rate.
                let due = (u64::from(index) + 1) * 40 / u64::from(fps);
                while u64::from(self.typed) < due {
                    let keysym = super::typed_key(self.typed);
                    self.key(keysym)?;
                    self.typed += 1;
                }
            }
            Activity::ManScroll => self.key(0xff54)?, // Down
            Activity::Browser => {
                if index.is_multiple_of(2) {
                    self.input
                        .inject(&InputEvent::PointerMove { x: 960, y: 540 })?;
                    for pressed in [true, false] {
                        self.input.inject(&InputEvent::PointerButton {
                            x: 960,
                            y: 540,
                            button: 5,
                            pressed,
                        })?;
                    }
                }
            }
            Activity::Drag => {
                if let Some((conn, window)) = &self.dragged {
                    // Across and down the screen, like a hand-held drag.
                    let x = 40 + i32::try_from(index).unwrap_or(0) * 12;
                    let y = 40 + i32::try_from(index).unwrap_or(0) * 5;
                    conn.configure_window(*window, &ConfigureWindowAux::new().x(x).y(y))?;
                    conn.flush()?;
                }
            }
            Activity::Video => {}
        }
        Ok(())
    }

    fn key(&mut self, keysym: u32) -> Result<()> {
        for pressed in [true, false] {
            self.input.inject(&InputEvent::Key { keysym, pressed })?;
        }
        Ok(())
    }
}

fn xterm(display: &str, geometry: &str, command: &[&str]) -> Result<Child> {
    Ok(Child(
        std::process::Command::new("xterm")
            .args([
                "-geometry",
                geometry,
                "-fa",
                "DejaVu Sans Mono",
                "-fs",
                "11",
            ])
            .args(["-title", "reach-bench-xterm"])
            .args(command)
            .env("DISPLAY", display)
            .env("MANPAGER", "less")
            .env("MANWIDTH", "150")
            .spawn()
            .context("starting xterm (Debian packages xterm and fonts-dejavu-core)")?,
    ))
}

fn chromium(display: &str, scratch: &Path) -> Result<Child> {
    let page = scratch.join("article.html");
    std::fs::write(&page, article()).context("writing the browser page")?;
    let profile = scratch.join("chromium-profile");
    Ok(Child(
        std::process::Command::new("chromium")
            .args([
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // No "unsupported command-line flag" bar over the page.
                "--test-type",
                "--window-position=0,0",
                "--window-size=1920,1080",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--app=file://{}", page.display()))
            .env("DISPLAY", display)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("starting Chromium (Debian package chromium)")?,
    ))
}

fn ffplay(display: &str) -> Result<Child> {
    Ok(Child(
        std::process::Command::new("ffplay")
            .args(["-hide_banner", "-loglevel", "error", "-an", "-noborder"])
            .args(["-left", "480", "-top", "270", "-x", "960", "-y", "540"])
            // Photo-like content made on the spot (no footage can be downloaded
            // here): smooth moving gradients with film-grain noise.
            .args([
                "-f",
                "lavfi",
                "-i",
                "gradients=size=960x540:rate=30:speed=0.02:nb_colors=4:c0=0x2050a0:c1=0xe0a040:c2=0x40c070:c3=0xc03050,format=yuv420p,noise=alls=10:allf=t+u",
            ])
            .env("DISPLAY", display)
            .env("SDL_VIDEODRIVER", "x11")
            .stdin(std::process::Stdio::null())
            .spawn()
            .context("starting ffplay (Debian package ffmpeg)")?,
    ))
}

/// The top-level window titled `title`, once it is mapped (no window manager:
/// it is a child of the root).
fn find_window(
    display: &str,
    title: &str,
) -> Result<(x11rb::rust_connection::RustConnection, u32)> {
    let (conn, screen) = x11rb::connect(Some(display)).context("connecting to Xvfb")?;
    let root = conn.setup().roots[screen].root;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let children = conn.query_tree(root)?.reply()?.children;
        for child in children {
            let name = conn
                .get_property(
                    false,
                    child,
                    x11rb::protocol::xproto::AtomEnum::WM_NAME,
                    x11rb::protocol::xproto::AtomEnum::STRING,
                    0,
                    256,
                )?
                .reply()?;
            if name.value == title.as_bytes() {
                return Ok((conn, child));
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("no window titled {title} appeared on {display}")
}

/// A long page that looks like documentation: headings, paragraphs, a table,
/// code, coloured callouts and a chart, so scrolling shows text and graphics.
fn article() -> String {
    let words = [
        "remote",
        "support",
        "technicians",
        "screen",
        "session",
        "device",
        "agent",
        "console",
        "company",
        "policy",
        "keyboard",
        "latency",
        "bandwidth",
        "quality",
        "text",
        "colour",
    ];
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><title>Article</title><style>\
         body{font:16px/1.5 'DejaVu Sans',sans-serif;margin:40px auto;max-width:1100px;color:#222}\
         h2{color:#1a4d8f}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px 10px}\
         pre{background:#f4f4f4;padding:10px}.note{background:#fff4d6;border-left:6px solid #e0a800;padding:8px 14px}\
         </style><h1>Reach benchmark article</h1>",
    );
    for section in 0..40 {
        html.push_str(&format!("<h2>Section {}</h2>", section + 1));
        for paragraph in 0..3 {
            html.push_str("<p>");
            for word in 0..70 {
                html.push_str(words[(section * 7 + paragraph * 13 + word * 3) % words.len()]);
                html.push(' ');
            }
            html.push_str("</p>");
        }
        match section % 4 {
            0 => {
                html.push_str("<table><tr><th>Mode</th><th>Bytes</th><th>Time</th></tr>");
                for row in 0..6 {
                    html.push_str(&format!(
                        "<tr><td>mode {row}</td><td>{}</td><td>{}.{} ms</td></tr>",
                        1000 + row * 317,
                        row + 2,
                        row * 3
                    ));
                }
                html.push_str("</table>");
            }
            1 => html.push_str(
                "<pre>fn main() {\n    let frame = capture.grab()?;\n    encoder.encode(frame)?;\n}</pre>",
            ),
            2 => html.push_str("<p class=note>Note: colours and gradients below are part of the page.</p>\
                 <div style='height:120px;background:linear-gradient(90deg,#e66465,#9198e5)'></div>"),
            _ => {
                html.push_str("<svg width=600 height=160>");
                for bar in 0..12 {
                    html.push_str(&format!(
                        "<rect x={} y={} width=36 height={} fill='hsl({},60%,50%)'/>",
                        bar * 48,
                        150 - (bar * 37 + section * 11) % 140,
                        (bar * 37 + section * 11) % 140,
                        bar * 30
                    ));
                }
                html.push_str("</svg>");
            }
        }
    }
    html
}
