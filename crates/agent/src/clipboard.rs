//! The shared clipboard on X11, for one session: a worker thread with its own
//! X connection and an unmapped window.
//!
//! Device → technician: XFixes reports every new owner of CLIPBOARD; the worker
//! asks the owner for `UTF8_STRING` (then `STRING`, Latin-1) into a property of
//! its window, reads it (whole, or in INCR chunks), and reports the text, or
//! that it is too large ([`MAX_CLIPBOARD_JSON`]) or not text. Changes the worker
//! made itself are not reported back.
//!
//! Technician → device: the worker takes CLIPBOARD and PRIMARY (so both Ctrl+V
//! and middle-click paste work) with a server timestamp, answers
//! `SelectionRequest`s for `TARGETS`, `UTF8_STRING`, `TEXT` and `STRING` (others
//! get property None), and forgets the text once both selections are taken by
//! someone else. The text stays pasteable while the session lasts: closing the
//! connection gives the selections up.
//!
//! It must not read the clipboard when no session is running (it lives and dies
//! with the session) and must not keep what it read.

use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reach_proto::clipboard::{self, ClipboardEvent, MAX_CLIPBOARD_JSON};
use reach_proto::messages::AgentMessage;
use tokio_tungstenite::tungstenite::Message;
use x11rb::connection::RequestConnection;
use x11rb::protocol::xfixes::{self, ConnectionExt as _, SelectionEventMask};
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, EventMask, PropMode, Property, SelectionNotifyEvent,
    SelectionRequestEvent, Timestamp, SELECTION_NOTIFY_EVENT,
};
use x11rb::protocol::Event;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{CURRENT_TIME, NONE};

use crate::x11_worker::{
    intern, Reporter, Waker, WorkerCommand, WorkerError, WorkerHandle, XWorker,
};

/// How long an owner may take to answer a conversion before the worker gives up
/// on it (a stuck owner must not stop later changes from being reported).
const CONVERT_TIMEOUT: Duration = Duration::from_secs(5);

enum Command {
    Set(String),
    Stop,
}

impl WorkerCommand for Command {
    fn stop() -> Self {
        Self::Stop
    }
}

type Report = Reporter<ClipboardEvent>;

/// The session's side of the clipboard worker; stops it when dropped.
pub struct ClipboardHandle(WorkerHandle<Command>);

impl ClipboardHandle {
    pub fn start(
        channel: u32,
        display: Option<String>,
        out: tokio::sync::mpsc::Sender<Message>,
    ) -> Self {
        Self(WorkerHandle::spawn(move |receiver, waker| {
            let report = Report::new(channel, out, |channel, event| AgentMessage::Clipboard {
                channel,
                event,
            });
            if let Err(err) = run(display.as_deref(), receiver, waker, &report) {
                tracing::warn!(channel, error = %err, "the clipboard is unavailable");
                report.send(ClipboardEvent::Unavailable);
            }
        }))
    }

    /// Makes `text` the device's clipboard (already checked against the limit).
    pub fn set_text(&self, text: String) {
        self.0.send(Command::Set(text));
    }
}

struct Atoms {
    clipboard: Atom,
    targets: Atom,
    utf8: Atom,
    text: Atom,
    incr: Atom,
    /// Where owners put converted text for us.
    property: Atom,
    /// Appended to (with nothing) to learn the server's time.
    stamp: Atom,
}

/// A conversion under way.
enum Fetch {
    Idle,
    Asked {
        target: Atom,
        since: Instant,
    },
    /// An INCR transfer: the chunks so far (kept while under the limit) and
    /// how many bytes came in all.
    Incremental {
        kind: Atom,
        data: Vec<u8>,
        total: usize,
        since: Instant,
    },
}

struct Worker<'a> {
    x: XWorker,
    atoms: Atoms,
    report: &'a Report,
    /// The technician's text while the worker owns a selection, and since when.
    owned: Option<(String, Timestamp)>,
    owns_clipboard: bool,
    owns_primary: bool,
    /// Text waiting for a server timestamp before the worker takes the selections.
    pending: Option<String>,
    fetch: Fetch,
    /// The owner changed again during a conversion: convert once more after it.
    refetch: bool,
}

fn run(
    display: Option<&str>,
    commands: mpsc::Receiver<Command>,
    waker: &OnceLock<Waker>,
    report: &Report,
) -> Result<(), WorkerError> {
    let x = XWorker::connect(display, EventMask::NO_EVENT)?;
    if x.conn
        .extension_information(xfixes::X11_EXTENSION_NAME)?
        .is_none()
    {
        return Err(WorkerError::MissingExtension("XFIXES"));
    }
    x.conn.xfixes_query_version(5, 0)?.reply()?;
    let atoms = Atoms {
        clipboard: intern(&x.conn, "CLIPBOARD")?,
        targets: intern(&x.conn, "TARGETS")?,
        utf8: intern(&x.conn, "UTF8_STRING")?,
        text: intern(&x.conn, "TEXT")?,
        incr: intern(&x.conn, "INCR")?,
        property: intern(&x.conn, "_REACH_CLIPBOARD")?,
        stamp: intern(&x.conn, "_REACH_TIMESTAMP")?,
    };
    x.conn
        .xfixes_select_selection_input(
            x.window,
            atoms.clipboard,
            SelectionEventMask::SET_SELECTION_OWNER,
        )?
        .check()?;
    let _ = waker.set(x.waker());
    let mut worker = Worker {
        x,
        atoms,
        report,
        owned: None,
        owns_clipboard: false,
        owns_primary: false,
        pending: None,
        fetch: Fetch::Idle,
        refetch: false,
    };
    loop {
        for command in commands.try_iter() {
            match command {
                Command::Set(text) => worker.ask_time(text)?,
                Command::Stop => return Ok(()),
            }
        }
        let deadline = match worker.fetch {
            Fetch::Idle => None,
            Fetch::Asked { since, .. } | Fetch::Incremental { since, .. } => {
                Some(since + CONVERT_TIMEOUT)
            }
        };
        match worker.x.next_event(deadline)? {
            None => {
                tracing::info!(
                    "the clipboard owner did not finish a conversion in time; giving up on it"
                );
                worker.fetch_done()?;
            }
            Some(event) if worker.x.is_wake(&event) => {}
            Some(event) => worker.handle(event)?,
        }
    }
}

impl Worker<'_> {
    /// Selection ownership needs a real timestamp (ICCCM): appending nothing to
    /// a property of our window makes the server send one in a PropertyNotify.
    fn ask_time(&mut self, text: String) -> Result<(), WorkerError> {
        self.pending = Some(text);
        self.x.conn.change_property8(
            PropMode::APPEND,
            self.x.window,
            self.atoms.stamp,
            AtomEnum::STRING,
            &[],
        )?;
        Ok(())
    }

    fn handle(&mut self, event: Event) -> Result<(), WorkerError> {
        match event {
            Event::PropertyNotify(notify) if notify.window == self.x.window => {
                if notify.atom == self.atoms.stamp {
                    if let Some(text) = self.pending.take() {
                        self.take_ownership(text, notify.time)?;
                    }
                } else if notify.atom == self.atoms.property
                    && notify.state == Property::NEW_VALUE
                    && matches!(self.fetch, Fetch::Incremental { .. })
                {
                    self.read_chunk()?;
                }
            }
            Event::XfixesSelectionNotify(notify) if notify.selection == self.atoms.clipboard => {
                // Our own ownership, or the clipboard emptied (its owner left).
                if notify.owner == self.x.window || notify.owner == NONE {
                    return Ok(());
                }
                if matches!(self.fetch, Fetch::Idle) {
                    self.convert(self.atoms.utf8, notify.timestamp)?;
                } else {
                    self.refetch = true;
                }
            }
            Event::SelectionNotify(notify) if notify.requestor == self.x.window => {
                self.converted(notify)?;
            }
            Event::SelectionRequest(request) => self.answer(request)?,
            Event::SelectionClear(clear) => {
                if clear.selection == self.atoms.clipboard {
                    self.owns_clipboard = false;
                } else if clear.selection == u32::from(AtomEnum::PRIMARY) {
                    self.owns_primary = false;
                }
                if !self.owns_clipboard && !self.owns_primary {
                    self.owned = None;
                }
            }
            Event::Error(error) => {
                // A requestor that vanished mid-answer, for instance: not fatal.
                tracing::debug!(?error, "X error on the clipboard connection");
            }
            _ => {}
        }
        Ok(())
    }

    fn take_ownership(&mut self, text: String, time: Timestamp) -> Result<(), WorkerError> {
        let conn = &self.x.conn;
        let primary = u32::from(AtomEnum::PRIMARY);
        conn.set_selection_owner(self.x.window, self.atoms.clipboard, time)?;
        conn.set_selection_owner(self.x.window, primary, time)?;
        self.owns_clipboard = conn
            .get_selection_owner(self.atoms.clipboard)?
            .reply()?
            .owner
            == self.x.window;
        self.owns_primary = conn.get_selection_owner(primary)?.reply()?.owner == self.x.window;
        if self.owns_clipboard {
            self.owned = Some((text, time));
            self.report.send(ClipboardEvent::Applied);
        } else {
            // Someone took it with a later timestamp in between: theirs is newer.
            self.owned = None;
            self.report.send(ClipboardEvent::Unavailable);
        }
        Ok(())
    }

    fn convert(&mut self, target: Atom, time: Timestamp) -> Result<(), WorkerError> {
        self.x
            .conn
            .delete_property(self.x.window, self.atoms.property)?;
        self.x.conn.convert_selection(
            self.x.window,
            self.atoms.clipboard,
            target,
            self.atoms.property,
            time,
        )?;
        self.fetch = Fetch::Asked {
            target,
            since: Instant::now(),
        };
        Ok(())
    }

    fn converted(&mut self, notify: SelectionNotifyEvent) -> Result<(), WorkerError> {
        let Fetch::Asked { target, .. } = self.fetch else {
            return Ok(());
        };
        if notify.selection != self.atoms.clipboard {
            return Ok(());
        }
        if notify.property == NONE {
            // The owner has no text in that form: try Latin-1, then give up.
            if target == self.atoms.utf8 {
                return self.convert(AtomEnum::STRING.into(), notify.time);
            }
            self.report.send(ClipboardEvent::DeviceNotText);
            return self.fetch_done();
        }
        // Read one byte more than the limit allows, to tell "too large" apart.
        let words = u32::try_from(MAX_CLIPBOARD_JSON / 4 + 1).unwrap_or(u32::MAX);
        let reply = self
            .x
            .conn
            .get_property(
                true,
                self.x.window,
                self.atoms.property,
                AtomEnum::ANY,
                0,
                words,
            )?
            .reply()?;
        if reply.type_ == self.atoms.incr {
            // The owner sends it in chunks; deleting the property (done by the
            // read) starts the transfer. The value is a lower bound of its size.
            let at_least = reply
                .value32()
                .and_then(|mut values| values.next())
                .unwrap_or(0);
            if usize::try_from(at_least).unwrap_or(usize::MAX) > MAX_CLIPBOARD_JSON {
                // Not started, so the owner gives up on its own.
                self.report_too_large(usize::try_from(at_least).unwrap_or(usize::MAX));
                return self.fetch_done();
            }
            self.fetch = Fetch::Incremental {
                kind: NONE,
                data: Vec::new(),
                total: 0,
                since: Instant::now(),
            };
            return Ok(());
        }
        if reply.bytes_after > 0 {
            self.x
                .conn
                .delete_property(self.x.window, self.atoms.property)?;
            let total = reply.value.len() + usize::try_from(reply.bytes_after).unwrap_or(0);
            self.report_too_large(total);
            return self.fetch_done();
        }
        self.report_text(reply.type_, &reply.value);
        self.fetch_done()
    }

    /// One INCR chunk arrived; an empty one ends the transfer. Once over the
    /// limit the chunks are still read (and dropped) so the owner finishes.
    fn read_chunk(&mut self) -> Result<(), WorkerError> {
        let reply = self
            .x
            .conn
            .get_property(
                true,
                self.x.window,
                self.atoms.property,
                AtomEnum::ANY,
                0,
                u32::MAX / 4,
            )?
            .reply()?;
        let Fetch::Incremental {
            kind,
            data,
            total,
            since,
        } = &mut self.fetch
        else {
            return Ok(());
        };
        *since = Instant::now();
        if reply.value.is_empty() {
            let (kind, data, total) = (*kind, std::mem::take(data), *total);
            if total > MAX_CLIPBOARD_JSON {
                self.report_too_large(total);
            } else {
                self.report_text(kind, &data);
            }
            return self.fetch_done();
        }
        *kind = reply.type_;
        *total = total.saturating_add(reply.value.len());
        if *total <= MAX_CLIPBOARD_JSON {
            data.extend_from_slice(&reply.value);
        } else {
            // Only the size matters now: it is what the technician is told.
            data.clear();
        }
        Ok(())
    }

    fn report_text(&self, kind: Atom, bytes: &[u8]) {
        let text = if kind == u32::from(AtomEnum::STRING) {
            // ICCCM STRING is Latin-1, whose code points are the bytes.
            bytes.iter().map(|b| char::from(*b)).collect()
        } else if kind == self.atoms.utf8 || kind == self.atoms.text {
            String::from_utf8_lossy(bytes).into_owned()
        } else {
            self.report.send(ClipboardEvent::DeviceNotText);
            return;
        };
        match clipboard::check_text(&text) {
            Ok(()) => self.report.send(ClipboardEvent::DeviceText { text }),
            Err(len) => self.report_too_large(len),
        }
    }

    fn report_too_large(&self, bytes: usize) {
        self.report.send(ClipboardEvent::DeviceTooLarge {
            bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
        });
    }

    /// Ends the conversion; if the owner changed meanwhile, asks the new one.
    fn fetch_done(&mut self) -> Result<(), WorkerError> {
        self.fetch = Fetch::Idle;
        if std::mem::take(&mut self.refetch) {
            self.convert(self.atoms.utf8, CURRENT_TIME)?;
        }
        Ok(())
    }

    /// Answers another client asking for our selection's contents.
    fn answer(&self, request: SelectionRequestEvent) -> Result<(), WorkerError> {
        // Obsolete clients name no property: the target doubles as one (ICCCM).
        let property = if request.property == NONE {
            request.target
        } else {
            request.property
        };
        let ours = (request.selection == self.atoms.clipboard && self.owns_clipboard)
            || (request.selection == u32::from(AtomEnum::PRIMARY) && self.owns_primary);
        let text = match &self.owned {
            Some((text, since))
                if ours && (request.time == CURRENT_TIME || request.time >= *since) =>
            {
                Some(text)
            }
            _ => None,
        };
        let conn = &self.x.conn;
        let answered = match text {
            None => false,
            Some(_) if request.target == self.atoms.targets => {
                let targets = [
                    self.atoms.targets,
                    self.atoms.utf8,
                    self.atoms.text,
                    AtomEnum::STRING.into(),
                ];
                conn.change_property32(
                    PropMode::REPLACE,
                    request.requestor,
                    property,
                    AtomEnum::ATOM,
                    &targets,
                )?;
                true
            }
            Some(text)
                if request.target == self.atoms.utf8 || request.target == self.atoms.text =>
            {
                conn.change_property8(
                    PropMode::REPLACE,
                    request.requestor,
                    property,
                    self.atoms.utf8,
                    text.as_bytes(),
                )?;
                true
            }
            Some(text) if request.target == u32::from(AtomEnum::STRING) => {
                // Latin-1: what it cannot hold becomes '?'.
                let latin1: Vec<u8> = text
                    .chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                    .collect();
                conn.change_property8(
                    PropMode::REPLACE,
                    request.requestor,
                    property,
                    AtomEnum::STRING,
                    &latin1,
                )?;
                true
            }
            Some(_) => false,
        };
        let notify = SelectionNotifyEvent {
            response_type: SELECTION_NOTIFY_EVENT,
            sequence: 0,
            time: request.time,
            requestor: request.requestor,
            selection: request.selection,
            target: request.target,
            property: if answered { property } else { NONE },
        };
        conn.send_event(false, request.requestor, EventMask::NO_EVENT, notify)?;
        Ok(())
    }
}
