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

use crate::adapt::{self, Adaptation};
use crate::capture::{CursorUpdate, MonitorChoice, PointerAt, ScreenCapture, X11Capture};
use crate::clipboard::ClipboardHandle;
use crate::input::{InputInjector, X11Input};
use crate::input_block::InputBlockHandle;
use crate::screen_mode::{ModeCell, ScreenEncoder};

/// Batches sent but not yet painted by the console.
pub const MAX_IN_FLIGHT: u32 = 2;
/// Capture interval once the screen has been still for [`ACTIVE_FOR`]: polling a
/// still screen costs a full-screen compare each time.
const IDLE_INTERVAL: Duration = Duration::from_millis(50);
const ACTIVE_FOR: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Flow {
    acked: AtomicU32,
    /// Acknowledgements with when they arrived, for measuring round trips.
    ack_log: std::sync::Mutex<Vec<(u32, Instant)>>,
    /// Set by input; the capture loop treats it as activity.
    input_seen: AtomicBool,
    refresh: AtomicBool,
    /// Screen sharing is paused: no capture, no encode, until it is cleared.
    paused: AtomicBool,
    stop: AtomicBool,
    mode: ModeCell,
    /// A monitor the technician chose, not yet taken by the capture loop.
    monitor: std::sync::Mutex<Option<MonitorChoice>>,
    /// Where the shown picture's top-left pixel is on the display, packed as
    /// `x << 16 | y`: the technician's pointer positions are relative to it.
    origin: AtomicU32,
    wake: Notify,
}

pub struct SessionHandle {
    flow: Arc<Flow>,
    input: std::sync::mpsc::Sender<InputEvent>,
    clipboard: ClipboardHandle,
    block: InputBlockHandle,
}

impl SessionHandle {
    pub fn start(channel: u32, display: Option<String>, out: mpsc::Sender<Message>) -> Self {
        let flow = Arc::new(Flow::default());
        let (input, input_rx) = std::sync::mpsc::channel();
        let input_display = display.clone();
        let input_flow = flow.clone();
        std::thread::spawn(move || replay_input(channel, input_display, input_rx, &input_flow));
        let clipboard = ClipboardHandle::start(channel, display.clone(), out.clone());
        let block = InputBlockHandle::start(channel, display.clone(), out.clone());
        tokio::spawn(stream(channel, display, out, flow.clone()));
        Self {
            flow,
            input,
            clipboard,
            block,
        }
    }

    pub fn clipboard(&self, text: String) {
        self.clipboard.set_text(text);
    }

    pub fn block_input(&self, blocked: bool) {
        self.block.set(blocked);
    }

    pub fn input(&self, event: InputEvent) {
        self.flow.input_seen.store(true, Ordering::SeqCst);
        let _ = self.input.send(event);
    }

    pub fn ack(&self, seq: u32) {
        self.flow.acked.fetch_max(seq, Ordering::SeqCst);
        if let Ok(mut log) = self.flow.ack_log.lock() {
            // Drained on every capture; the bound only matters if capture stalls.
            if log.len() < 1024 {
                log.push((seq, Instant::now()));
            }
        }
        self.flow.wake.notify_one();
    }

    /// Pauses or resumes the stream. Resuming sends a full frame: the console's
    /// picture is as old as the pause.
    pub fn set_paused(&self, paused: bool) {
        if !paused {
            self.flow.refresh.store(true, Ordering::SeqCst);
        }
        self.flow.paused.store(paused, Ordering::SeqCst);
        self.flow.wake.notify_one();
    }

    pub fn refresh(&self) {
        self.flow.refresh.store(true, Ordering::SeqCst);
        self.flow.wake.notify_one();
    }

    /// Shows `choice` (a monitor, or all of them) from the next frame on.
    pub fn select_monitor(&self, choice: MonitorChoice) {
        if let Ok(mut pending) = self.flow.monitor.lock() {
            *pending = Some(choice);
        }
        self.flow.wake.notify_one();
    }

    /// Sends the screen in `mode` from the next frame on (a full picture first).
    pub fn set_mode(&self, mode: reach_proto::screen::ScreenMode) {
        self.flow.mode.set(mode);
        // The next encode sees the change and sends the whole screen in the
        // new mode, to every viewer.
        self.flow.wake.notify_one();
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
    if let Some(encoder) = &mut encoder {
        encoder.set_lossy_quality(adapt::LEVELS[0].lossy_quality);
    }
    let mut adaptation = Adaptation::new();
    let mut seq: u32 = 0;
    let mut size = (0u16, 0u16);
    let mut last_activity = Instant::now();
    while !flow.stop.load(Ordering::SeqCst) {
        if flow.paused.load(Ordering::SeqCst) {
            // Asleep until resumed or stopped: a paused session costs no CPU.
            flow.wake.notified().await;
            continue;
        }
        if let Some(level) = adapt_to_acks(&flow, &mut adaptation) {
            if let Some(encoder) = &mut encoder {
                encoder.set_lossy_quality(level.lossy_quality);
            }
            let adapted = AgentMessage::StreamAdapted {
                channel,
                level: u8::try_from(adaptation.level()).unwrap_or(u8::MAX),
                frames_per_second: u8::try_from(1000 / level.interval.as_millis().max(1))
                    .unwrap_or(u8::MAX),
                lossy_quality: level.lossy_quality,
            };
            tracing::info!(channel, ?level, "adapting the stream to the link");
            if let Some(message) = control(&adapted) {
                if out.send(message).await.is_err() {
                    return;
                }
            }
        }
        // A viewer lost the picture: it gets a replay of what the others hold,
        // whatever is in flight, and the stream goes on from there for all.
        if flow.refresh.swap(false, Ordering::SeqCst) {
            let Some(mut enc) = encoder.take() else {
                return;
            };
            let replay = tokio::task::spawn_blocking(move || {
                let parts = enc.replay(channel, seq);
                (enc, parts)
            })
            .await;
            let parts = match replay {
                Ok((enc, parts)) => {
                    encoder = Some(enc);
                    parts
                }
                Err(err) => {
                    return end_with(&out, channel, format!("screen encoding failed: {err}")).await
                }
            };
            match parts {
                Ok(parts) => {
                    for part in parts {
                        if out.send(Message::Binary(part.into())).await.is_err() {
                            return;
                        }
                    }
                }
                Err(err) => tracing::warn!(channel, error = %err, "could not replay the screen"),
            }
        }
        if seq.wrapping_sub(flow.acked.load(Ordering::SeqCst)) >= MAX_IN_FLIGHT {
            let _ = tokio::time::timeout(Duration::from_secs(1), flow.wake.notified()).await;
            continue;
        }
        let started = Instant::now();
        let next_seq = seq.wrapping_add(1);
        let (Some(mut cap), Some(mut enc)) = (capture.take(), encoder.take()) else {
            return;
        };
        let mode = flow.mode.get();
        let monitor = flow
            .monitor
            .lock()
            .ok()
            .and_then(|mut pending| pending.take());
        let work = tokio::task::spawn_blocking(move || {
            let mut frame_bytes = Vec::new();
            if let Some(choice) = monitor {
                cap.show_monitor(choice);
            }
            let grabbed = cap.grab_damaged().map_err(|err| err.to_string());
            let result = grabbed.and_then(|(frame, damage)| {
                let frame_size = (frame.width, frame.height);
                enc.encode(
                    mode,
                    frame,
                    damage,
                    false,
                    channel,
                    next_seq,
                    &mut frame_bytes,
                )
                .map(|outcome| (frame_size, outcome))
            });
            let pointer = cap.cursor().unwrap_or_else(|err| {
                tracing::debug!(error = %err, "could not read the pointer");
                CursorUpdate::default()
            });
            let layout = cap.monitor_layout();
            (cap, enc, frame_bytes, result, pointer, layout)
        })
        .await;
        let (cap, enc, frame_bytes, result, pointer, layout) = match work {
            Ok(done) => done,
            Err(err) => {
                return end_with(&out, channel, format!("screen capture failed: {err}")).await
            }
        };
        let (origin_x, origin_y) = cap.origin();
        flow.origin.store(
            u32::from(origin_x) << 16 | u32::from(origin_y),
            Ordering::SeqCst,
        );
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
        if let Some(layout) = layout {
            if let Some(message) = control(&AgentMessage::Monitors { channel, layout }) {
                if out.send(message).await.is_err() {
                    return;
                }
            }
        }
        for message in pointer_messages(channel, pointer) {
            if out.send(message).await.is_err() {
                return;
            }
        }
        if outcome.tiles > 0 {
            if out.send(Message::Binary(frame_bytes.into())).await.is_err() {
                return;
            }
            seq = next_seq;
            adaptation.sent(seq, Instant::now());
        }
        if outcome.tiles > 0 || flow.input_seen.swap(false, Ordering::SeqCst) {
            last_activity = Instant::now();
        }
        if !outcome.pending {
            let interval = if last_activity.elapsed() < ACTIVE_FOR {
                adaptation.current().interval
            } else {
                IDLE_INTERVAL.max(adaptation.current().interval)
            };
            let elapsed = started.elapsed();
            if elapsed < interval {
                let _ = tokio::time::timeout(interval - elapsed, wait_for_refresh(&flow)).await;
            }
        }
    }
}

/// Feeds the acknowledgements received since the last call to the adaptation;
/// the new level when it changed.
fn adapt_to_acks(flow: &Flow, adaptation: &mut Adaptation) -> Option<adapt::Level> {
    let acks = match flow.ack_log.lock() {
        Ok(mut log) => std::mem::take(&mut *log),
        Err(_) => return None,
    };
    let mut changed = false;
    for (seq, at) in acks {
        changed |= adaptation.acked(seq, at).is_some();
    }
    changed.then(|| adaptation.current())
}

/// The control messages that tell the console about the pointer.
fn pointer_messages(channel: u32, pointer: CursorUpdate) -> impl Iterator<Item = Message> {
    let shape = pointer
        .shape
        .map(|shape| AgentMessage::CursorShape { channel, shape });
    let moved = pointer.position.map(|at| match at {
        PointerAt::At(x, y) => AgentMessage::CursorMoved { channel, x, y },
        PointerAt::OffScreen => AgentMessage::CursorOffScreen { channel },
    });
    shape
        .into_iter()
        .chain(moved)
        .filter_map(|message| control(&message))
}

/// Returns early when a refresh, pause or stop is requested, so they are not delayed a frame.
async fn wait_for_refresh(flow: &Flow) {
    loop {
        flow.wake.notified().await;
        if flow.refresh.load(Ordering::SeqCst)
            || flow.paused.load(Ordering::SeqCst)
            || flow.stop.load(Ordering::SeqCst)
        {
            return;
        }
    }
}

fn replay_input(
    channel: u32,
    display: Option<String>,
    events: std::sync::mpsc::Receiver<InputEvent>,
    flow: &Flow,
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
        let origin = flow.origin.load(Ordering::SeqCst);
        let event = on_display(event, (origin >> 16) as u16, origin as u16);
        if let Err(err) = injector.inject(&event) {
            tracing::warn!(channel, error = %err, ?event, "could not replay input");
        }
    }
}

/// `event` with its position moved from the shown picture onto the display,
/// whose pixel (`x`, `y`) is the picture's top-left one.
fn on_display(event: InputEvent, x: u16, y: u16) -> InputEvent {
    let moved = |at_x: u16, at_y: u16| (at_x.saturating_add(x), at_y.saturating_add(y));
    match event {
        InputEvent::PointerMove { x: at_x, y: at_y } => {
            let (x, y) = moved(at_x, at_y);
            InputEvent::PointerMove { x, y }
        }
        InputEvent::PointerButton {
            x: at_x,
            y: at_y,
            button,
            pressed,
        } => {
            let (x, y) = moved(at_x, at_y);
            InputEvent::PointerButton {
                x,
                y,
                button,
                pressed,
            }
        }
        InputEvent::Wheel {
            x: at_x,
            y: at_y,
            delta_x,
            delta_y,
        } => {
            let (x, y) = moved(at_x, at_y);
            InputEvent::Wheel {
                x,
                y,
                delta_x,
                delta_y,
            }
        }
        InputEvent::Key { .. } | InputEvent::ReleaseAll => event,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_input_lands_on_the_shown_monitor() {
        assert_eq!(
            on_display(InputEvent::PointerMove { x: 10, y: 20 }, 640, 0),
            InputEvent::PointerMove { x: 650, y: 20 }
        );
        let click = InputEvent::PointerButton {
            x: 1,
            y: 2,
            button: 1,
            pressed: true,
        };
        assert_eq!(
            on_display(click, 0, 480),
            InputEvent::PointerButton {
                x: 1,
                y: 482,
                button: 1,
                pressed: true
            }
        );
        let key = InputEvent::Key {
            keysym: 0x61,
            pressed: true,
        };
        assert_eq!(on_display(key, 640, 480), key);
        assert_eq!(
            on_display(InputEvent::PointerMove { x: u16::MAX, y: 0 }, 640, 0),
            InputEvent::PointerMove { x: u16::MAX, y: 0 }
        );
    }
}
