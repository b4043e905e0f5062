//! The viewers of one live session: the consoles attached to it, and how one
//! stream of screen updates from the agent reaches each of them.
//!
//! The agent captures and encodes once per session. Every viewer has a bounded
//! queue (in messages and in bytes); a viewer that cannot keep up is never
//! waited for: its updates are dropped, it is marked as having lost the picture,
//! and once its queue has drained it gets a replay of the whole picture (which
//! viewers who kept up skip, see `reach_proto::frame::screen_flags`), then the
//! common stream again. A viewer who joins late starts the same way. So a slow
//! viewer costs the server one bounded queue and never slows the agent or the
//! other viewers.
//!
//! Owns the per-viewer synchronisation state and the fan-out decision. It must not
//! talk to the agent (the hub does, from the [`Fanout`] it returns) or know about
//! authorization.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use reach_proto::frame::screen_flags;
use reach_proto::messages::ServerToConsole;
use tokio::sync::mpsc;

use super::ToConsole;

/// Screen bytes queued towards one viewer beyond which its updates are dropped
/// (it gets a replay once it has drained). A few full 1080p pictures.
pub const VIEWER_BYTE_BUDGET: usize = 12 * 1024 * 1024;

/// What the hub and a console link share about one viewer.
#[derive(Debug, Default)]
pub struct ViewerLink {
    /// Screen bytes in the queue, not yet written to the socket.
    queued_bytes: AtomicUsize,
    /// The viewer lost the picture and waits for a replay: the link tells the
    /// hub when its queue is empty so the replay can be asked for.
    waiting: AtomicBool,
}

impl ViewerLink {
    /// The console link wrote `bytes` of screen update to its socket.
    pub fn sent(&self, bytes: usize) {
        // Saturating: a count cannot go below zero even if calls interleave oddly.
        let _ = self
            .queued_bytes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |queued| {
                Some(queued.saturating_sub(bytes))
            });
    }

    /// Whether the viewer waits for a replay (the link then reports when it drained).
    pub fn waiting(&self) -> bool {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Screen bytes queued towards the viewer.
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes.load(Ordering::SeqCst)
    }
}

/// Where a viewer's picture stands against the common stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Picture {
    /// It holds what the stream's updates apply to.
    Current,
    /// It lost the picture; `asked`: a replay has been asked of the agent.
    Lost { asked: bool },
    /// It is receiving a full picture (from KEY_START to KEY_END).
    Rebuilding,
}

/// One console attached to a session.
#[derive(Debug)]
pub struct Viewer {
    pub connection: u64,
    pub tx: mpsc::Sender<ToConsole>,
    pub link: Arc<ViewerLink>,
    picture: Picture,
}

/// What a fan-out of one screen update decided.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fanout {
    /// Viewers that received the update.
    pub delivered: usize,
    /// A viewer waits for a replay and nobody has asked the agent for one yet.
    pub ask_replay: bool,
}

impl Viewer {
    /// A new viewer: it has no picture yet. `asked`: the full picture it needs
    /// is already coming (the agent's first update is one).
    pub fn new(connection: u64, tx: mpsc::Sender<ToConsole>, asked: bool) -> Self {
        let link = Arc::new(ViewerLink::default());
        link.waiting.store(true, Ordering::SeqCst);
        Self {
            connection,
            tx,
            link,
            picture: Picture::Lost { asked },
        }
    }

    /// The viewer's picture is broken (a corrupt update): it needs a replay.
    /// One already asked for is not asked again, so repeated refreshes cannot
    /// make the agent encode replay after replay.
    pub fn lost_picture(&mut self) {
        if self.picture != (Picture::Lost { asked: true }) {
            self.picture = Picture::Lost { asked: false };
        }
        self.link.waiting.store(true, Ordering::SeqCst);
    }

    /// Sends a control message; a full queue means the viewer fell behind.
    pub fn control(&mut self, message: ServerToConsole) {
        if self.tx.try_send(ToConsole::Control(message)).is_err() {
            self.fell_behind();
        }
    }

    /// Sends a control message that the next one supersedes (the pointer's
    /// position): when the queue is full it is skipped, not a reason to replay.
    pub fn control_superseded(&self, message: ServerToConsole) {
        let _ = self.tx.try_send(ToConsole::Control(message));
    }

    fn fell_behind(&mut self) {
        if !matches!(self.picture, Picture::Lost { .. }) {
            tracing::info!(
                connection = self.connection,
                "a viewer fell behind: dropping its updates until it drains, then replaying"
            );
        }
        self.picture = Picture::Lost { asked: false };
        self.link.waiting.store(true, Ordering::SeqCst);
    }

    /// Whether a replay should be asked for this viewer now: it lost the picture,
    /// nobody asked yet, and its queue has drained (asking earlier would only
    /// have the replay dropped too).
    fn wants_replay(&self) -> bool {
        self.picture == Picture::Lost { asked: false } && self.link.queued_bytes() == 0
    }
}

/// Marks the viewers that want a replay as having asked; true if any did.
pub fn ask_replays(viewers: &mut [Viewer]) -> bool {
    let mut any = false;
    for viewer in viewers.iter_mut().filter(|viewer| viewer.wants_replay()) {
        viewer.picture = Picture::Lost { asked: true };
        any = true;
    }
    any
}

/// Offers one screen update (a whole bulk frame, `seq` and `flags` read from its
/// payload) to every viewer, each according to where its picture stands.
pub fn fan_out(viewers: &mut [Viewer], frame: &[u8], flags: u8) -> Fanout {
    let key_start = flags & screen_flags::KEY_START != 0;
    let key_end = flags & screen_flags::KEY_END != 0;
    let replay = flags & screen_flags::REPLAY != 0;
    let mut fanout = Fanout::default();
    for viewer in viewers.iter_mut() {
        let wanted = match viewer.picture {
            Picture::Current => !replay,
            Picture::Lost { .. } => key_start,
            Picture::Rebuilding => true,
        };
        if !wanted {
            continue;
        }
        let queued = viewer.link.queued_bytes();
        let fits = queued + frame.len() <= VIEWER_BYTE_BUDGET || queued == 0;
        if !fits || viewer.tx.try_send(ToConsole::Bulk(frame.to_vec())).is_err() {
            viewer.fell_behind();
            continue;
        }
        viewer
            .link
            .queued_bytes
            .fetch_add(frame.len(), Ordering::SeqCst);
        fanout.delivered += 1;
        if key_start && matches!(viewer.picture, Picture::Lost { .. }) {
            viewer.picture = Picture::Rebuilding;
        }
        if key_end && viewer.picture == Picture::Rebuilding {
            viewer.picture = Picture::Current;
            viewer.link.waiting.store(false, Ordering::SeqCst);
        }
    }
    fanout.ask_replay = ask_replays(viewers);
    fanout
}

#[cfg(test)]
mod tests {
    use super::*;
    use reach_proto::frame::screen_flags::{KEY_END, KEY_START, REPLAY};

    fn viewer(connection: u64, capacity: usize) -> (Viewer, mpsc::Receiver<ToConsole>) {
        let (tx, rx) = mpsc::channel(capacity);
        (Viewer::new(connection, tx, false), rx)
    }

    /// Drains a viewer's queue the way its console link does; returns the frames.
    fn drain(viewer: &Viewer, rx: &mut mpsc::Receiver<ToConsole>) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        while let Ok(message) = rx.try_recv() {
            if let ToConsole::Bulk(frame) = message {
                viewer.link.sent(frame.len());
                frames.push(frame);
            }
        }
        frames
    }

    #[test]
    fn a_new_viewer_waits_for_a_full_picture_then_follows_the_stream() {
        let (mut v, mut rx) = viewer(1, 8);
        let mut viewers = [v];
        let out = fan_out(&mut viewers, b"delta", 0);
        assert_eq!(out.delivered, 0);
        assert!(out.ask_replay, "a late viewer asks for a replay at once");
        let out = fan_out(&mut viewers, b"delta2", 0);
        assert!(!out.ask_replay, "it asked already");
        assert_eq!(
            fan_out(&mut viewers, b"replay", REPLAY | KEY_START).delivered,
            1
        );
        assert_eq!(
            fan_out(&mut viewers, b"replay2", REPLAY | KEY_END).delivered,
            1
        );
        assert_eq!(fan_out(&mut viewers, b"delta3", 0).delivered, 1);
        v = viewers.into_iter().next().unwrap();
        assert!(!v.link.waiting());
        assert_eq!(
            drain(&v, &mut rx),
            vec![b"replay".to_vec(), b"replay2".to_vec(), b"delta3".to_vec()]
        );
        assert_eq!(v.link.queued_bytes(), 0);
    }

    #[test]
    fn viewers_who_kept_up_skip_replays_but_not_new_full_pictures() {
        let (mut current, mut rx) = viewer(1, 8);
        current.picture = Picture::Current;
        let mut viewers = [current];
        assert_eq!(
            fan_out(&mut viewers, b"r", REPLAY | KEY_START | KEY_END).delivered,
            0
        );
        assert_eq!(
            fan_out(&mut viewers, b"resized", KEY_START | KEY_END).delivered,
            1
        );
        assert_eq!(drain(&viewers[0], &mut rx), vec![b"resized".to_vec()]);
    }

    #[test]
    fn a_viewer_that_stops_reading_is_dropped_and_replayed_once_drained() {
        let (mut slow, mut slow_rx) = viewer(1, 1000);
        slow.picture = Picture::Current;
        let (mut fast, mut fast_rx) = viewer(2, 1000);
        fast.picture = Picture::Current;
        let mut viewers = [slow, fast];
        let update = vec![7u8; 1024 * 1024];
        let mut asked = 0;
        for _ in 0..100 {
            let out = fan_out(&mut viewers, &update, 0);
            asked += usize::from(out.ask_replay);
            drain(&viewers[1], &mut fast_rx);
        }
        // The slow viewer holds at most its budget; the fast one got everything.
        assert!(viewers[0].link.queued_bytes() <= VIEWER_BYTE_BUDGET);
        assert_eq!(asked, 0, "no replay while its queue is full");
        assert!(viewers[0].link.waiting());
        let held = drain(&viewers[0], &mut slow_rx);
        assert_eq!(held.len(), VIEWER_BYTE_BUDGET / update.len());
        // Drained: the next chance asks for a replay, which it alone receives.
        assert!(ask_replays(&mut viewers));
        assert_eq!(
            fan_out(&mut viewers, b"replay", REPLAY | KEY_START | KEY_END).delivered,
            1
        );
        assert!(!viewers[0].link.waiting());
        assert_eq!(drain(&viewers[0], &mut slow_rx), vec![b"replay".to_vec()]);
        assert!(drain(&viewers[1], &mut fast_rx).is_empty());
    }

    #[test]
    fn a_full_queue_in_messages_counts_as_falling_behind() {
        let (mut v, _rx) = viewer(1, 1);
        v.picture = Picture::Current;
        let mut viewers = [v];
        assert_eq!(fan_out(&mut viewers, b"a", 0).delivered, 1);
        assert_eq!(fan_out(&mut viewers, b"b", 0).delivered, 0);
        assert!(viewers[0].link.waiting());
    }

    #[test]
    fn a_viewer_rebuilding_that_overflows_starts_over() {
        let (v, mut rx) = viewer(1, 2);
        let mut viewers = [v];
        fan_out(&mut viewers, b"k1", REPLAY | KEY_START);
        fan_out(&mut viewers, b"k2", REPLAY);
        // The queue (2 messages) is full: the end of the picture is dropped.
        let out = fan_out(&mut viewers, b"k3", REPLAY | KEY_END);
        assert_eq!(out.delivered, 0);
        assert!(!out.ask_replay, "not before it drained");
        drain(&viewers[0], &mut rx);
        assert!(ask_replays(&mut viewers));
        // A continuation without KEY_START does not take it back.
        assert_eq!(fan_out(&mut viewers, b"k4", REPLAY | KEY_END).delivered, 0);
    }
}
