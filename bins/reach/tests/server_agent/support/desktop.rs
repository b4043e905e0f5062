//! Other programs on the device's desktop, for the clipboard and input-block
//! tests: `reach-test-clipboard` (an application reading or owning CLIPBOARD)
//! and `reach-test-end-user` (the end user's own keyboard, as a second XInput 2
//! master device typing through its own XTEST slave).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;

use serde_json::Value;

use super::display::testkit_binary;
use super::wait::DEADLINE;

/// Reads CLIPBOARD as an X application pasting would: `None` when nobody owns
/// it or the owner refuses.
pub async fn read_x_clipboard(display: &str) -> Option<String> {
    read_x_selection(display, "CLIPBOARD", "UTF8_STRING")
        .await
        .map(|(text, _)| text)
}

/// Asks the owner of `selection` for `target`: the text and its type, `None`
/// when nobody owns it or the owner refuses.
pub async fn read_x_selection(
    display: &str,
    selection: &str,
    target: &str,
) -> Option<(String, String)> {
    let display = display.to_string();
    let args = ["get", "--selection", selection, "--target", target].map(str::to_string);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(testkit_binary("reach-test-clipboard"))
            .args(args)
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .output()
            .expect("reach-test-clipboard runs")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "reach-test-clipboard get failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line: Value = serde_json::from_slice(&output.stdout).expect("a JSON line");
    let text = line["text"].as_str()?.to_string();
    Some((text, line["type"].as_str().unwrap_or_default().to_string()))
}

/// A long-running testkit X client whose JSON lines are read on a thread.
struct Lines {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<Value>,
    name: &'static str,
}

impl Lines {
    fn spawn(name: &'static str, display: &str, args: &[&str]) -> Self {
        let mut child = Command::new(testkit_binary(name))
            .args(args)
            .env("DISPLAY", display)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("{name} starts: {err}"));
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str(&line) {
                    if sender.send(value).is_err() {
                        return;
                    }
                }
            }
        });
        Self {
            stdin: child.stdin.take(),
            child,
            lines,
            name,
        }
    }

    fn write(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|err| panic!("writing to {}: {err}", self.name));
    }

    /// Waits (off the runtime) for a line matching `wanted`.
    async fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + DEADLINE;
        loop {
            match self.lines.try_recv() {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => continue,
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    let status = self.child.wait();
                    panic!("{} exited ({status:?}) before {what}", self.name);
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} did not report {what}",
                self.name
            );
            tokio::time::sleep(super::wait::POLL).await;
        }
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An X application that copied something: owns CLIPBOARD until dropped.
pub struct ClipboardOwner(Lines);

impl ClipboardOwner {
    /// Owns CLIPBOARD with `text`, served as UTF8_STRING (in INCR chunks with
    /// `incr`), or only as `target` when given.
    pub async fn start(display: &str, text: &str, incr: bool, target: Option<&str>) -> Self {
        let mut args = vec!["set"];
        if incr {
            args.push("--incr");
        }
        if let Some(target) = target {
            args.extend(["--target", target]);
        }
        let mut lines = Lines::spawn("reach-test-clipboard", display, &args);
        let mut stdin = lines.stdin.take().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
        drop(stdin);
        lines
            .wait_for("owning the clipboard", |l| l["event"] == "owned")
            .await;
        Self(lines)
    }

    /// Waits until the owner has handed its text to a client that asked.
    pub async fn served(&mut self) {
        self.0
            .wait_for("handing out its text", |l| {
                l["event"] == "served" && l["answered"] == true
            })
            .await;
    }

    /// Waits until another client took the clipboard.
    pub async fn lost(&mut self) {
        self.0
            .wait_for("losing the clipboard", |l| l["event"] == "lost")
            .await;
    }
}

/// The end user's own keyboard: a second master device typing with XTEST.
pub struct EndUser(Lines);

impl EndUser {
    pub async fn start(display: &str) -> Self {
        let mut lines = Lines::spawn("reach-test-end-user", display, &[]);
        lines
            .wait_for("its master device", |l| l["event"] == "ready")
            .await;
        Self(lines)
    }

    /// Presses and releases the key of `keysym` on the end user's keyboard.
    pub async fn type_key(&mut self, keysym: u32) {
        self.0.write(&format!("key {keysym}"));
        self.0
            .wait_for("typing", |l| l["event"] == "typed" && l["keysym"] == keysym)
            .await;
    }

    /// Waits until the agent has grabbed this keyboard's devices.
    pub async fn grabbed(&mut self) {
        self.0.write("await-grab");
        self.0
            .wait_for("the grab", |l| l["event"] == "grabbed")
            .await;
    }

    /// Plugs in another keyboard (a new master device), which types from now on.
    pub async fn plug_in_keyboard(&mut self, name: &str) {
        self.0.write(&format!("add-master {name}"));
        self.0
            .wait_for("the new master device", |l| l["event"] == "ready")
            .await;
    }
}

/// Whether a window titled `title` is mapped on `display` (the agent's notice to
/// the end user, for one).
pub async fn window_shown(display: &str, title: &str) -> bool {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, MapState};
    let display = display.to_string();
    let title = title.as_bytes().to_vec();
    tokio::task::spawn_blocking(move || {
        let (conn, screen_num) = x11rb::connect(Some(&display)).expect("the display answers");
        let root = conn.setup().roots[screen_num].root;
        let children = conn.query_tree(root).unwrap().reply().unwrap().children;
        children.into_iter().any(|window| {
            let name = conn
                .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 64)
                .ok()
                .and_then(|cookie| cookie.reply().ok());
            let viewable = conn
                .get_window_attributes(window)
                .ok()
                .and_then(|cookie| cookie.reply().ok())
                .is_some_and(|attributes| attributes.map_state == MapState::VIEWABLE);
            viewable && name.is_some_and(|name| name.value == title)
        })
    })
    .await
    .unwrap()
}
