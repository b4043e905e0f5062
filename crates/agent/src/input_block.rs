//! Blocking the end user's keyboard and mouse on X11 while the technician
//! works, for one session: a worker thread with its own X connection.
//!
//! Blocking grabs (XInput 2 `XIGrabDevice`) every slave device except the XTEST
//! devices of the master the agent's injector types through. The X server
//! detaches a grabbed slave from its master for the grab's duration, so the
//! end user's keyboards and mice reach only this worker, while the technician's
//! XTEST input still flows through the master. Devices that appear while
//! blocked (XI2 hierarchy events) are grabbed too.
//!
//! The end user takes control back by pressing Escape three times within two
//! seconds ([`TAKE_BACK_PRESSES`], [`TAKE_BACK_WINDOW_MS`]); the worker sees those
//! presses because it holds the grabs. Grabs are the X server's to undo: if the
//! agent dies, its connection closes and every device works again, and ending
//! the session (or losing the server) drops this worker, which releases them.
//!
//! While blocked, a notice at the top of the screen tells the end user how to
//! take control back (`block_notice.rs`).
//!
//! It must not change devices in a way that outlives the connection (no
//! disabling, no hierarchy changes).

use std::collections::{BTreeSet, VecDeque};
use std::sync::mpsc;
use std::sync::OnceLock;

use reach_proto::input_block::{InputBlockState, TAKE_BACK_PRESSES, TAKE_BACK_WINDOW_MS};
use reach_proto::messages::AgentMessage;
use tokio_tungstenite::tungstenite::Message;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::xinput::{
    self, ConnectionExt as _, DeviceType, GrabOwner, HierarchyMask, KeyEventFlags, XIDeviceInfo,
    XIEventMask,
};
use x11rb::protocol::xproto::{Atom, ConnectionExt as _, EventMask, GrabMode, GrabStatus, Keycode};
use x11rb::protocol::Event;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{CURRENT_TIME, NONE};

use crate::block_notice::BlockNotice;
use crate::x11_worker::{
    intern, Reporter, Waker, WorkerCommand, WorkerError, WorkerHandle, XWorker,
};

/// The Escape keysym.
const ESCAPE: u32 = 0xff1b;
/// XInput's "all devices" id.
const ALL_DEVICES: u16 = 0;

enum Command {
    Block(bool),
    Stop,
}

impl WorkerCommand for Command {
    fn stop() -> Self {
        Self::Stop
    }
}

type Report = Reporter<InputBlockState>;

/// The session's side of the input-block worker; stops it (and so unblocks)
/// when dropped.
pub struct InputBlockHandle(WorkerHandle<Command>);

impl InputBlockHandle {
    pub fn start(
        channel: u32,
        display: Option<String>,
        out: tokio::sync::mpsc::Sender<Message>,
    ) -> Self {
        Self(WorkerHandle::spawn(move |receiver, waker| {
            let report = Report::new(channel, out, |channel, state| AgentMessage::InputBlock {
                channel,
                state,
            });
            let receiver = match run(display.as_deref(), receiver, waker, &report) {
                Ok(()) => return,
                Err((err, receiver)) => {
                    tracing::warn!(channel, error = %err, "blocking the end user's input is unavailable");
                    receiver
                }
            };
            // Without X there is nothing to release: refuse each request.
            for command in receiver {
                match command {
                    Command::Block(true) => report.send(InputBlockState::Unavailable),
                    Command::Block(false) => report.send(InputBlockState::Unblocked),
                    Command::Stop => return,
                }
            }
        }))
    }

    pub fn set(&self, blocked: bool) {
        self.0.send(Command::Block(blocked));
    }
}

struct Blocker<'a> {
    x: XWorker,
    report: &'a Report,
    /// The "XTEST Device" device property, which the X server puts on XTEST devices.
    xtest: Atom,
    blocked: bool,
    grabbed: BTreeSet<u16>,
    /// Keycodes that type Escape, read when blocking starts.
    escape: Vec<Keycode>,
    take_back: TakeBack,
    notice: Option<BlockNotice>,
}

/// The end user's take-back combination: [`TAKE_BACK_PRESSES`] presses of
/// Escape within [`TAKE_BACK_WINDOW_MS`], timed by the X server's clock (which
/// wraps around every 49 days).
#[derive(Default)]
struct TakeBack {
    /// Server times (ms) of the recent presses.
    presses: VecDeque<u32>,
}

impl TakeBack {
    /// Records a press at `time`; true once enough came close together.
    fn press(&mut self, time: u32) -> bool {
        self.presses.push_back(time);
        while let Some(first) = self.presses.front() {
            if u64::from(time.wrapping_sub(*first)) > TAKE_BACK_WINDOW_MS {
                self.presses.pop_front();
            } else {
                break;
            }
        }
        self.presses.len() >= TAKE_BACK_PRESSES
    }

    fn clear(&mut self) {
        self.presses.clear();
    }
}

type Failed = (WorkerError, mpsc::Receiver<Command>);

fn run(
    display: Option<&str>,
    commands: mpsc::Receiver<Command>,
    waker: &OnceLock<Waker>,
    report: &Report,
) -> Result<(), Failed> {
    let mut blocker = match Blocker::connect(display, report) {
        Ok(blocker) => blocker,
        Err(err) => return Err((err, commands)),
    };
    let _ = waker.set(blocker.x.waker());
    let outcome = blocker.serve(&commands);
    // Best effort: a broken connection has released the grabs already.
    let _ = blocker.release();
    let _ = blocker.x.conn.flush();
    outcome.map_err(|err| (err, commands))
}

impl<'a> Blocker<'a> {
    fn connect(display: Option<&str>, report: &'a Report) -> Result<Self, WorkerError> {
        let x = XWorker::connect(display, EventMask::NO_EVENT)?;
        if x.conn
            .extension_information(xinput::X11_EXTENSION_NAME)?
            .is_none()
        {
            return Err(WorkerError::MissingExtension("XInputExtension"));
        }
        let version = x.conn.xinput_xi_query_version(2, 2)?.reply()?;
        if version.major_version < 2 {
            return Err(WorkerError::MissingExtension("XInputExtension 2"));
        }
        x.conn
            .xinput_xi_select_events(
                x.root,
                &[xinput::EventMask {
                    deviceid: ALL_DEVICES,
                    mask: vec![XIEventMask::HIERARCHY],
                }],
            )?
            .check()?;
        let xtest = intern(&x.conn, "XTEST Device")?;
        Ok(Self {
            x,
            report,
            xtest,
            blocked: false,
            grabbed: BTreeSet::new(),
            escape: Vec::new(),
            take_back: TakeBack::default(),
            notice: None,
        })
    }

    fn serve(&mut self, commands: &mpsc::Receiver<Command>) -> Result<(), WorkerError> {
        loop {
            for command in commands.try_iter() {
                match command {
                    Command::Block(true) if !self.blocked => self.block()?,
                    Command::Block(false) if self.blocked => {
                        self.release()?;
                        self.report.send(InputBlockState::Unblocked);
                    }
                    // Already in that state: say so, so the console shows the truth.
                    Command::Block(true) => self.report.send(InputBlockState::Blocked),
                    Command::Block(false) => self.report.send(InputBlockState::Unblocked),
                    Command::Stop => return Ok(()),
                }
            }
            let Some(event) = self.x.next_event(None)? else {
                continue;
            };
            match event {
                Event::XinputKeyPress(press) if self.blocked => {
                    let repeat = u32::from(press.flags) & u32::from(KeyEventFlags::KEY_REPEAT) != 0;
                    let escape = u8::try_from(press.detail)
                        .is_ok_and(|keycode| self.escape.contains(&keycode));
                    if escape && !repeat && self.take_back.press(press.time) {
                        tracing::info!("the end user took back their keyboard and mouse");
                        self.release()?;
                        self.report.send(InputBlockState::TakenBack);
                    }
                }
                Event::XinputHierarchy(change) if self.blocked => {
                    let added = u32::from(HierarchyMask::SLAVE_ADDED)
                        | u32::from(HierarchyMask::DEVICE_ENABLED)
                        | u32::from(HierarchyMask::SLAVE_ATTACHED);
                    for info in &change.infos {
                        if u32::from(info.flags) & u32::from(HierarchyMask::SLAVE_REMOVED) != 0 {
                            self.grabbed.remove(&info.deviceid);
                        }
                    }
                    if u32::from(change.flags) & added != 0 && !self.grab_all()? {
                        tracing::warn!("a device added while blocked could not be grabbed");
                    }
                }
                Event::Expose(expose) if expose.count == 0 => {
                    if let Some(notice) =
                        self.notice.as_ref().filter(|n| n.window() == expose.window)
                    {
                        notice.paint(&self.x.conn)?;
                    }
                }
                _ => {}
            }
        }
    }

    fn block(&mut self) -> Result<(), WorkerError> {
        self.escape = self.keycodes_of(ESCAPE)?;
        self.take_back.clear();
        self.blocked = true;
        if self.grab_all()? {
            tracing::info!(devices = ?self.grabbed, "the end user's input is blocked");
            // The block works without it (the console tells the technician what to say).
            match BlockNotice::show(&self.x.conn, self.x.screen_num) {
                Ok(notice) => self.notice = Some(notice),
                Err(err) => {
                    tracing::warn!(error = %err, "cannot show the end user the block notice")
                }
            }
            self.report.send(InputBlockState::Blocked);
        } else {
            // Half a block would mislead the technician: undo it.
            self.release()?;
            self.report.send(InputBlockState::Unavailable);
        }
        Ok(())
    }

    /// Grabs every slave device not grabbed yet, except the injector's XTEST
    /// devices; false if one could not be grabbed.
    fn grab_all(&mut self) -> Result<bool, WorkerError> {
        let devices = self
            .x
            .conn
            .xinput_xi_query_device(ALL_DEVICES)?
            .reply()?
            .infos;
        let keep = injector_masters(&self.x, &devices)?;
        let mut complete = true;
        for device in &devices {
            let slave = [
                DeviceType::SLAVE_POINTER,
                DeviceType::SLAVE_KEYBOARD,
                DeviceType::FLOATING_SLAVE,
            ]
            .contains(&device.type_);
            if !slave || !device.enabled || self.grabbed.contains(&device.deviceid) {
                continue;
            }
            if keep.contains(&device.attachment) && self.is_xtest(device.deviceid)? {
                continue;
            }
            let status = self
                .x
                .conn
                .xinput_xi_grab_device(
                    self.x.root,
                    CURRENT_TIME,
                    NONE,
                    device.deviceid,
                    GrabMode::ASYNC,
                    GrabMode::ASYNC,
                    GrabOwner::NO_OWNER,
                    &[u32::from(XIEventMask::KEY_PRESS)],
                )?
                .reply()?
                .status;
            if status == GrabStatus::SUCCESS {
                self.grabbed.insert(device.deviceid);
            } else {
                tracing::warn!(device = %String::from_utf8_lossy(&device.name), ?status, "could not grab a device");
                complete = false;
            }
        }
        Ok(complete)
    }

    fn is_xtest(&self, device: u16) -> Result<bool, WorkerError> {
        let reply = self
            .x
            .conn
            .xinput_xi_get_property(device, false, self.xtest, 0u32, 0, 1)?
            .reply()?;
        Ok(reply.type_ != NONE)
    }

    fn release(&mut self) -> Result<(), WorkerError> {
        self.blocked = false;
        if let Some(notice) = self.notice.take() {
            notice.hide(&self.x.conn)?;
        }
        for device in std::mem::take(&mut self.grabbed) {
            self.x.conn.xinput_xi_ungrab_device(CURRENT_TIME, device)?;
        }
        self.x.conn.sync()?;
        Ok(())
    }

    fn keycodes_of(&self, keysym: u32) -> Result<Vec<Keycode>, WorkerError> {
        let setup = self.x.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let count = max.saturating_sub(min).saturating_add(1);
        let reply = self.x.conn.get_keyboard_mapping(min, count)?.reply()?;
        let per = usize::from(reply.keysyms_per_keycode.max(1));
        Ok(reply
            .keysyms
            .chunks(per)
            .zip(min..=max)
            .filter(|(syms, _)| syms.contains(&keysym))
            .map(|(_, keycode)| keycode)
            .collect())
    }
}

/// The master pointer and keyboard the agent's injector uses: the client
/// pointer X picks for a client that set none (the first master pointer), and
/// the keyboard paired with it.
fn injector_masters(x: &XWorker, devices: &[XIDeviceInfo]) -> Result<[u16; 2], WorkerError> {
    let chosen = x.conn.xinput_xi_get_client_pointer(NONE)?.reply()?;
    let pointer = if chosen.set {
        devices.iter().find(|d| d.deviceid == chosen.deviceid)
    } else {
        devices
            .iter()
            .find(|d| d.type_ == DeviceType::MASTER_POINTER)
    };
    Ok(match pointer {
        Some(pointer) => [pointer.deviceid, pointer.attachment],
        None => [0, 0],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_escapes_within_two_seconds_take_back() {
        let mut take_back = TakeBack::default();
        assert!(!take_back.press(1000));
        assert!(!take_back.press(1500));
        assert!(take_back.press(2900));
    }

    #[test]
    fn slow_presses_do_not() {
        let mut take_back = TakeBack::default();
        assert!(!take_back.press(0));
        assert!(!take_back.press(1500));
        assert!(!take_back.press(2100));
        assert!(!take_back.press(3700));
        assert!(take_back.press(3800));
    }

    #[test]
    fn the_server_clock_may_wrap() {
        let mut take_back = TakeBack::default();
        assert!(!take_back.press(u32::MAX - 500));
        assert!(!take_back.press(u32::MAX));
        assert!(take_back.press(400));
    }
}
