//! What the agent's X11 worker threads (the clipboard and the input block)
//! share: the thread with its command channel ([`WorkerHandle`]), their own X
//! connection with a small unmapped window, a [`Waker`] that other threads use
//! to interrupt the worker's wait for X events, that wait itself, with a
//! deadline, and the [`Reporter`] that sends their news to the server.
//!
//! Each worker owns its connection, so whatever it holds on the X server
//! (selection ownership, device grabs) ends when the connection closes, even if
//! the agent is killed. This module must not hold any feature's logic.

use std::sync::{mpsc, Arc, OnceLock};
use std::time::{Duration, Instant};

use reach_proto::messages::AgentMessage;
use tokio_tungstenite::tungstenite::Message;

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::COPY_FROM_PARENT;

/// Why a worker could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("cannot connect to the X display: {0}")]
    Connect(#[from] x11rb::errors::ConnectError),
    #[error("X11 connection failed: {0}")]
    Connection(#[from] x11rb::errors::ConnectionError),
    #[error("X11 request failed: {0}")]
    Reply(#[from] x11rb::errors::ReplyError),
    #[error("X11 request failed: {0}")]
    ReplyOrId(#[from] x11rb::errors::ReplyOrIdError),
    #[error("the X display has no screen {0}")]
    NoScreen(usize),
    #[error("the X server lacks the {0} extension")]
    MissingExtension(&'static str),
    #[error("waiting for X events failed: {0}")]
    Wait(#[from] std::io::Error),
}

/// A worker's X connection and its window.
pub struct XWorker {
    pub conn: Arc<RustConnection>,
    pub screen_num: usize,
    pub root: Window,
    /// Unmapped and input-only: it receives properties and events, shows nothing.
    pub window: Window,
    wake: Atom,
}

impl XWorker {
    /// Connects to `display` (`None`: $DISPLAY) and creates the window, which
    /// reports its property changes (`events` adds more).
    pub fn connect(display: Option<&str>, events: EventMask) -> Result<Self, WorkerError> {
        let (conn, screen_num) = x11rb::connect(display)?;
        let root = conn
            .setup()
            .roots
            .get(screen_num)
            .map(|screen| screen.root)
            .ok_or(WorkerError::NoScreen(screen_num))?;
        let window = conn.generate_id()?;
        conn.create_window(
            0,
            window,
            root,
            -1,
            -1,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            COPY_FROM_PARENT,
            &CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE | events),
        )?
        .check()?;
        let wake = intern(&conn, "_REACH_WAKE")?;
        Ok(Self {
            conn: Arc::new(conn),
            screen_num,
            root,
            window,
            wake,
        })
    }

    pub fn waker(&self) -> Waker {
        Waker {
            conn: Arc::clone(&self.conn),
            window: self.window,
            atom: self.wake,
        }
    }

    /// Whether `event` is only a [`Waker::wake`].
    pub fn is_wake(&self, event: &Event) -> bool {
        matches!(event, Event::ClientMessage(message) if message.window == self.window && message.type_ == self.wake)
    }

    /// The next X event, or `None` once `deadline` passes.
    pub fn next_event(&self, deadline: Option<Instant>) -> Result<Option<Event>, WorkerError> {
        loop {
            if let Some(event) = self.conn.poll_for_event()? {
                return Ok(Some(event));
            }
            self.conn.flush()?;
            let timeout = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(None);
                    }
                    Some(timespec(left))
                }
                None => None,
            };
            let mut fds = [PollFd::new(self.conn.stream(), PollFlags::IN)];
            match poll(&mut fds, timeout.as_ref()) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(err) => return Err(std::io::Error::from(err).into()),
            }
        }
    }
}

fn timespec(duration: Duration) -> Timespec {
    Timespec {
        tv_sec: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(duration.subsec_nanos()),
    }
}

/// Interrupts a worker waiting in [`XWorker::next_event`] (it then reads its
/// commands). Sent through the worker's own connection, which x11rb lets
/// several threads share.
pub struct Waker {
    conn: Arc<RustConnection>,
    window: Window,
    atom: Atom,
}

impl Waker {
    pub fn wake(&self) {
        let event = ClientMessageEvent::new(32, self.window, self.atom, [0u32; 5]);
        // If the connection is gone the worker has stopped: nothing to wake.
        let _ = self
            .conn
            .send_event(false, self.window, EventMask::NO_EVENT, event);
        let _ = self.conn.flush();
    }
}

pub fn intern(conn: &RustConnection, name: &str) -> Result<Atom, WorkerError> {
    Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom)
}

/// A command to a worker thread; every worker understands "stop".
pub trait WorkerCommand: Send + 'static {
    fn stop() -> Self;
}

/// The session's side of a worker thread: its commands, and the waker that
/// interrupts its wait for X events so it reads them. Stops the worker when
/// dropped.
pub struct WorkerHandle<C: WorkerCommand> {
    commands: mpsc::Sender<C>,
    waker: Arc<OnceLock<Waker>>,
}

impl<C: WorkerCommand> WorkerHandle<C> {
    /// Runs `body` on its own thread with the commands and the cell where it
    /// puts its [`Waker`] once connected (commands sent before wait in the
    /// channel).
    pub fn spawn(body: impl FnOnce(mpsc::Receiver<C>, &OnceLock<Waker>) + Send + 'static) -> Self {
        let (commands, receiver) = mpsc::channel();
        let waker = Arc::new(OnceLock::new());
        let worker_waker = Arc::clone(&waker);
        std::thread::spawn(move || body(receiver, &worker_waker));
        Self { commands, waker }
    }

    pub fn send(&self, command: C) {
        // A stopped worker has already reported why.
        let _ = self.commands.send(command);
        if let Some(waker) = self.waker.get() {
            waker.wake();
        }
    }
}

impl<C: WorkerCommand> Drop for WorkerHandle<C> {
    fn drop(&mut self) {
        self.send(C::stop());
    }
}

/// Sends a worker's news about one session channel to the server, as the
/// agent message `wrap` makes of it.
pub struct Reporter<E> {
    channel: u32,
    out: tokio::sync::mpsc::Sender<Message>,
    wrap: fn(u32, E) -> AgentMessage,
}

impl<E> Reporter<E> {
    pub fn new(
        channel: u32,
        out: tokio::sync::mpsc::Sender<Message>,
        wrap: fn(u32, E) -> AgentMessage,
    ) -> Self {
        Self { channel, out, wrap }
    }

    /// Sends from the worker thread, waiting while the link's queue is full.
    pub fn send(&self, news: E) {
        let message = (self.wrap)(self.channel, news);
        if let Ok(text) = serde_json::to_string(&message) {
            let _ = self.out.blocking_send(Message::Text(text.into()));
        }
    }
}
