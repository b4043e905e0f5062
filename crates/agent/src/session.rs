//! One session on the agent: a task that captures and encodes the screen and
//! streams it on the session's channel, paced by the console's acknowledgements
//! (at most [`MAX_IN_FLIGHT`] batches unacknowledged), and a thread that replays
//! the technician's input. Both stop when the handle is stopped or dropped.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reach_proto::messages::{AgentMessage, InputEvent};
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::Message;

use crate::capture::{ScreenCapture, X11Capture};
use crate::input::{InputInjector, X11Input};
use crate::screen_mode::{ModeCell, ScreenEncoder};

/// Batches sent but not yet painted by the console.
pub const MAX_IN_FLIGHT: u32 = 2;
/// Capture interval while the screen is changing or the technician is acting
/// (about 60 captures per second), so no state is coalesced away.
const ACTIVE_INTERVAL: Duration = Duration::from_millis(16);
/// Capture interval once the screen has been still for [`ACTIVE_FOR`]: polling a
/// still screen costs a full-screen compare each time.
const IDLE_INTERVAL: Duration = Duration::from_millis(50);
const ACTIVE_FOR: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Flow {
    acked: AtomicU32,
    /// Set by input; the capture loop treats it as activity.
    input_seen: AtomicBool,
    refresh: AtomicBool,
    stop: AtomicBool,
    mode: ModeCell,
    wake: Notify,
}

pub struct SessionHandle {
    flow: Arc<Flow>,
    input: std::sync::mpsc::Sender<InputEvent>,
}

impl SessionHandle {
    pub fn start(channel: u32, display: Option<String>, out: mpsc::Sender<Message>) -> Self {
        let flow = Arc::new(Flow::default());
        let (input, input_rx) = std::sync::mpsc::channel();
        let input_display = display.clone();
        std::thread::spawn(move || replay_input(channel, input_display, input_rx));
        tokio::spawn(stream(channel, display, out, flow.clone()));
        Self { flow, input }
    }

    pub fn input(&self, event: InputEvent) {
        self.flow.input_seen.store(true, Ordering::SeqCst);
        let _ = self.input.send(event);
    }

    pub fn ack(&self, seq: u32) {
        self.flow.acked.fetch_max(seq, Ordering::SeqCst);
        self.flow.wake.notify_one();
    }

    pub fn refresh(&self) {
        self.flow.refresh.store(true, Ordering::SeqCst);
        self.flow.wake.notify_one();
    }

    /// Sends the screen in `mode` from the next frame on (a full picture first).
    pub fn set_mode(&self, mode: reach_proto::screen::ScreenMode) {
        self.flow.mode.set(mode);
        self.refresh();
    }
}

impl Drop for SessionHandle {
    fn drop(&mut self) {
        let _ = self.input.send(InputEvent::ReleaseAll);
        self.flow.stop.store(true, Ordering::SeqCst);
        self.flow.wake.notify_one();
    }
}

fn control(message: &AgentMessage) -> Option<Message> {
    serde_json::to_string(message)
        .ok()
        .map(|text| Message::Text(text.into()))
}

async fn end_with(out: &mpsc::Sender<Message>, channel: u32, message: String) {
    tracing::warn!(channel, message, "ending the session");
    if let Some(message) = control(&AgentMessage::SessionEnded { channel, message }) {
        let _ = out.send(message).await;
    }
}

async fn stream(
    channel: u32,
    display: Option<String>,
    out: mpsc::Sender<Message>,
    flow: Arc<Flow>,
) {
    let connect_display = display.clone();
    let capture =
        match tokio::task::spawn_blocking(move || X11Capture::connect(connect_display.as_deref()))
            .await
        {
            Ok(Ok(capture)) => capture,
            Ok(Err(err)) => {
                return end_with(&out, channel, format!("screen capture unavailable: {err}")).await
            }
            Err(err) => {
                return end_with(&out, channel, format!("screen capture failed: {err}")).await
            }
        };
    let mut capture = Some(capture);
    let mut encoder = Some(ScreenEncoder::default());
    let mut seq: u32 = 0;
    let mut size = (0u16, 0u16);
    let mut last_activity = Instant::now();
    while !flow.stop.load(Ordering::SeqCst) {
        if seq.wrapping_sub(flow.acked.load(Ordering::SeqCst)) >= MAX_IN_FLIGHT {
            let _ = tokio::time::timeout(Duration::from_secs(1), flow.wake.notified()).await;
            continue;
        }
        let started = Instant::now();
        let force_full = flow.refresh.swap(false, Ordering::SeqCst);
        let next_seq = seq.wrapping_add(1);
        let (Some(mut cap), Some(mut enc)) = (capture.take(), encoder.take()) else {
            return;
        };
        let mode = flow.mode.get();
        let work = tokio::task::spawn_blocking(move || {
            let mut frame_bytes = Vec::new();
            let result = cap.grab().map_err(|err| err.to_string()).and_then(|frame| {
                let frame_size = (frame.width, frame.height);
                enc.encode(mode, frame, force_full, channel, next_seq, &mut frame_bytes)
                    .map(|outcome| (frame_size, outcome))
            });
            (cap, enc, frame_bytes, result)
        })
        .await;
        let (cap, enc, frame_bytes, result) = match work {
            Ok(done) => done,
            Err(err) => {
                return end_with(&out, channel, format!("screen capture failed: {err}")).await
            }
        };
        capture = Some(cap);
        encoder = Some(enc);
        let (frame_size, outcome) = match result {
            Ok(done) => done,
            Err(err) => {
                return end_with(&out, channel, format!("screen capture failed: {err}")).await
            }
        };
        if frame_size != size {
            size = frame_size;
            let info = AgentMessage::ScreenInfo {
                channel,
                width: size.0,
                height: size.1,
            };
            if let Some(message) = control(&info) {
                if out.send(message).await.is_err() {
                    return;
                }
            }
        }
        if outcome.tiles > 0 {
            if out.send(Message::Binary(frame_bytes.into())).await.is_err() {
                return;
            }
            seq = next_seq;
        }
        if outcome.tiles > 0 || flow.input_seen.swap(false, Ordering::SeqCst) {
            last_activity = Instant::now();
        }
        if !outcome.pending {
            let interval = if last_activity.elapsed() < ACTIVE_FOR {
                ACTIVE_INTERVAL
            } else {
                IDLE_INTERVAL
            };
            let elapsed = started.elapsed();
            if elapsed < interval {
                let _ = tokio::time::timeout(interval - elapsed, wait_for_refresh(&flow)).await;
            }
        }
    }
}

/// Returns early when a refresh or stop is requested, so they are not delayed a frame.
async fn wait_for_refresh(flow: &Flow) {
    loop {
        flow.wake.notified().await;
        if flow.refresh.load(Ordering::SeqCst) || flow.stop.load(Ordering::SeqCst) {
            return;
        }
    }
}

fn replay_input(
    channel: u32,
    display: Option<String>,
    events: std::sync::mpsc::Receiver<InputEvent>,
) {
    let mut injector = match X11Input::connect(display.as_deref()) {
        Ok(injector) => injector,
        Err(err) => {
            tracing::warn!(channel, error = %err, "input unavailable: the session is view-only");
            // Drain so senders never block on a full channel.
            for _ in events {}
            return;
        }
    };
    for event in events {
        if let Err(err) = injector.inject(&event) {
            tracing::warn!(channel, error = %err, ?event, "could not replay input");
        }
    }
}
