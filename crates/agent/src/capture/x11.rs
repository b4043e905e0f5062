//! X11 capture of the root window.
//!
//! Owns one X connection used only for capture, the MIT-SHM segment and the
//! frame buffer. It must not inject input or keep more than the current frame.
//!
//! MIT-SHM: the server creates the segment (SHM 1.2 `CreateSegment`) and passes
//! its file descriptor over the socket; we map it and, after each `ShmGetImage`,
//! copy the pixels out of the mapping into the frame (1920×1080 on Xvfb: about
//! 1.4 ms, against 3.5–6.5 ms for core `GetImage`). Servers without SHM 1.2 or
//! fd passing fall back to core `GetImage`, whose reply buffer becomes the
//! frame without a copy. Only requests are bound by the maximum request length;
//! an 8 MB `GetImage` reply needs neither BIG-REQUESTS nor strips.
//!
//! Resizes: RandR `ScreenChangeNotify` marks the geometry stale; without RandR
//! the geometry is queried on every grab. A `Match` error (the root shrank
//! before the notify arrived) re-queries the geometry and retries once.
//!
//! Monitors: the frame is the *view*, the rectangle of the root window the
//! stream shows (one monitor, or all of them; see `monitors.rs`). The monitors
//! are listed again with every whole read, so one plugged in or rearranged is
//! seen within [`WHOLE_READ_INTERVAL`].

use std::fs::File;
use std::time::{Duration, Instant};

use memmap2::{Mmap, MmapOptions};
use reach_screen::{Damage, Frame, BYTES_PER_PIXEL};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::ReplyError;
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::shm::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    ConnectionExt as _, ImageFormat, ImageOrder, Screen, Setup, VisualClass, Window,
};
use x11rb::protocol::{ErrorKind, Event};
use x11rb::rust_connection::RustConnection;

use super::cursor::{CursorUpdate, CursorWatch, PointerAt};
use super::damage::DamageWatch;
use super::monitors::{self, MonitorChoice, MonitorList, View};
use super::{CaptureError, ScreenCapture};

/// How pixels travel from the X server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMethod {
    /// MIT-SHM: the server writes into shared memory; only a small reply
    /// crosses the socket.
    Shm,
    /// Core `GetImage`: the whole image crosses the socket.
    GetImage,
}

/// A server-created shared memory segment attached to our connection.
struct Segment {
    id: shm::Seg,
    map: Mmap,
}

/// Captures the root window of an X display.
pub struct X11Capture {
    conn: RustConnection,
    root: Window,
    frame: Frame,
    /// Whether to use MIT-SHM; cleared for good when a segment cannot be made.
    shm_enabled: bool,
    segment: Option<Segment>,
    /// RandR reports resizes; without it the geometry is queried every grab.
    randr: bool,
    geometry_stale: bool,
    /// The pointer's image and position; `None` without XFixes.
    cursor: Option<CursorWatch>,
    /// Where the pointer was last reported, in the view.
    pointer_sent: Option<PointerAt>,
    /// The display's monitors; `None` without RandR 1.5.
    monitor_list: Option<MonitorList>,
    monitors: Vec<reach_proto::screen::Monitor>,
    choice: MonitorChoice,
    /// The rectangle of the root window the frame shows.
    view: View,
    shown: Option<String>,
    /// The monitors or the one shown changed since [`X11Capture::monitor_layout`].
    layout_changed: bool,
    /// Where the screen changed; `None` without DAMAGE (every grab reads all).
    damage: Option<DamageWatch>,
    /// The frame's pixels are not all current (new, or resized): read it whole.
    whole_read_needed: bool,
    /// When the whole screen was last read. Damage is a hint, not a promise:
    /// some drawing (seen: a newly mapped window's background) reaches the
    /// screen without being reported to a damage object on the root, so the
    /// whole screen is read again every [`WHOLE_READ_INTERVAL`].
    last_whole_read: Instant,
}

/// Longest time a change that damage did not report can stay unseen.
const WHOLE_READ_INTERVAL: Duration = Duration::from_millis(500);

impl X11Capture {
    /// Connects to `display` (`None`: $DISPLAY) and captures with MIT-SHM when
    /// the server supports it, core `GetImage` otherwise.
    pub fn connect(display: Option<&str>) -> Result<Self, CaptureError> {
        Self::connect_with(display, CaptureMethod::Shm)
    }

    /// Like [`X11Capture::connect`], but `CaptureMethod::GetImage` never tries
    /// MIT-SHM (for measurements, and servers whose SHM is broken).
    pub fn connect_with(
        display: Option<&str>,
        preferred: CaptureMethod,
    ) -> Result<Self, CaptureError> {
        let (conn, screen_num) = x11rb::connect(display)?;
        let screen = conn.setup().roots.get(screen_num).ok_or_else(|| {
            CaptureError::Unsupported(format!("the display has no screen {screen_num}"))
        })?;
        check_format(conn.setup(), screen)?;
        let root = screen.root;
        let randr = select_resize_events(&conn, root)?;
        let shm_enabled = preferred == CaptureMethod::Shm && shm_segments_supported(&conn)?;
        let damage = match DamageWatch::start(&conn, root) {
            Ok(damage) => damage,
            Err(error) => {
                tracing::warn!(%error, "screen damage unavailable; reading the whole screen each time");
                None
            }
        };
        let monitor_list = match MonitorList::start(&conn, root) {
            Ok(list) => list,
            Err(error) => {
                tracing::warn!(%error, "monitors unavailable; showing the whole display");
                None
            }
        };
        let cursor = match CursorWatch::start(&conn, root) {
            Ok(cursor) => cursor,
            Err(error) => {
                tracing::warn!(%error, "the pointer cannot be followed; the console shows its own");
                None
            }
        };
        let mut capture = Self {
            conn,
            root,
            frame: Frame::default(),
            shm_enabled,
            segment: None,
            randr,
            geometry_stale: true,
            cursor,
            pointer_sent: None,
            monitor_list,
            monitors: Vec::new(),
            choice: MonitorChoice::default(),
            view: View::default(),
            shown: None,
            layout_changed: true,
            damage,
            whole_read_needed: true,
            last_whole_read: Instant::now(),
        };
        capture.refresh_geometry()?;
        Ok(capture)
    }

    /// The method in use now.
    pub fn method(&self) -> CaptureMethod {
        if self.segment.is_some() {
            CaptureMethod::Shm
        } else {
            CaptureMethod::GetImage
        }
    }

    fn drain_events(&mut self) -> Result<(), CaptureError> {
        while let Some(event) = self.conn.poll_for_event()? {
            match event {
                Event::RandrScreenChangeNotify(_) => self.geometry_stale = true,
                Event::XfixesCursorNotify(_) => {
                    if let Some(cursor) = &mut self.cursor {
                        cursor.shape_changed();
                    }
                }
                // Only unchecked requests (segment detach) can produce these.
                Event::Error(error) => {
                    tracing::debug!(?error, "X11 error on the capture connection")
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Shows `choice` from the next grab on.
    pub fn show_monitor(&mut self, choice: MonitorChoice) {
        self.choice = choice;
        self.geometry_stale = true;
    }

    /// The monitors and the one shown, when they changed since the last call.
    pub fn monitor_layout(&mut self) -> Option<reach_proto::screen::MonitorLayout> {
        std::mem::take(&mut self.layout_changed)
            .then(|| monitors::layout(&self.monitors, self.shown.clone()))
    }

    /// Where the frame's top-left pixel lies on the root window: the
    /// technician's pointer positions are relative to it.
    pub fn origin(&self) -> (u16, u16) {
        (self.view.x, self.view.y)
    }

    /// Reads the root's size and the monitors, and chooses the view.
    fn refresh_geometry(&mut self) -> Result<(), CaptureError> {
        let geometry = self.conn.get_geometry(self.root)?.reply()?;
        if let Some(list) = &mut self.monitor_list {
            let monitors = list.list(&self.conn)?;
            if monitors != self.monitors {
                self.monitors = monitors;
                self.layout_changed = true;
            }
        }
        let (view, shown) = monitors::choose_view(
            &self.choice,
            &self.monitors,
            geometry.width,
            geometry.height,
        );
        if shown != self.shown {
            self.shown = shown;
            self.layout_changed = true;
        }
        if view != self.view {
            self.view = view;
            self.whole_read_needed = true;
        }
        if (view.width, view.height) != (self.frame.width, self.frame.height) {
            self.frame = Frame::new(view.width, view.height);
            self.whole_read_needed = true;
            if self.shm_enabled {
                self.ensure_segment(self.frame.data.len())?;
            }
        }
        self.geometry_stale = false;
        Ok(())
    }

    fn ensure_segment(&mut self, size: usize) -> Result<(), CaptureError> {
        if matches!(&self.segment, Some(segment) if segment.map.len() >= size) {
            return Ok(());
        }
        if let Some(old) = self.segment.take() {
            // Unchecked: a failure only leaks server memory until disconnect.
            self.conn.shm_detach(old.id)?;
        }
        match create_segment(&self.conn, size) {
            Ok(segment) => self.segment = Some(segment),
            Err(error) => {
                tracing::warn!(%error, "MIT-SHM segment unavailable; capturing with GetImage");
                self.shm_enabled = false;
            }
        }
        Ok(())
    }

    /// Reads the `width`×`height` rectangle at (`x`, `y`) of the view into the
    /// frame; the rest of the frame keeps its pixels.
    fn fetch(&mut self, x: u16, y: u16, width: u16, height: u16) -> Result<(), CaptureError> {
        let whole = (x, y, width, height) == (0, 0, self.frame.width, self.frame.height);
        let expected = usize::from(width) * usize::from(height) * BYTES_PER_PIXEL;
        let (x16, y16) = (
            self.view.x.saturating_add(x).try_into().unwrap_or(i16::MAX),
            self.view.y.saturating_add(y).try_into().unwrap_or(i16::MAX),
        );
        if let Some(segment) = &self.segment {
            let format = ImageFormat::Z_PIXMAP.into();
            let reply = self
                .conn
                .shm_get_image(
                    self.root, x16, y16, width, height, !0, format, segment.id, 0,
                )?
                .reply()?;
            let got = usize::try_from(reply.size).unwrap_or(usize::MAX);
            if got != expected {
                return Err(CaptureError::ImageSize { expected, got });
            }
            let pixels = segment.map.get(..expected).ok_or(CaptureError::ImageSize {
                expected,
                got: segment.map.len(),
            })?;
            copy_rect(&mut self.frame, x, y, width, pixels);
        } else {
            let reply = self
                .conn
                .get_image(
                    ImageFormat::Z_PIXMAP,
                    self.root,
                    x16,
                    y16,
                    width,
                    height,
                    !0,
                )?
                .reply()?;
            if reply.data.len() != expected {
                return Err(CaptureError::ImageSize {
                    expected,
                    got: reply.data.len(),
                });
            }
            if whole {
                // The reply's buffer becomes the frame: no copy.
                self.frame.data = reply.data;
            } else {
                copy_rect(&mut self.frame, x, y, width, &reply.data);
            }
        }
        Ok(())
    }

    /// Takes what changed since the last grab and reads it.
    fn read_changes(&mut self) -> Result<Damage, CaptureError> {
        let (width, height) = (self.frame.width, self.frame.height);
        if self.last_whole_read.elapsed() >= WHOLE_READ_INTERVAL {
            self.whole_read_needed = true;
        }
        if self.whole_read_needed {
            self.last_whole_read = Instant::now();
        }
        let (root_width, root_height) = (
            self.view.x.saturating_add(width),
            self.view.y.saturating_add(height),
        );
        let damage = match (&mut self.damage, self.whole_read_needed) {
            (Some(watch), false) => {
                self.view
                    .clip(watch.take(&self.conn, root_width, root_height)?)
            }
            (Some(watch), true) => {
                watch.clear(&self.conn)?;
                Damage::Unknown
            }
            (None, _) => Damage::Unknown,
        };
        match damage {
            Damage::Nothing => {}
            Damage::Unknown => self.fetch(0, 0, width, height)?,
            Damage::Within {
                x,
                y,
                width,
                height,
            } => self.fetch(x, y, width, height)?,
        }
        self.whole_read_needed = false;
        Ok(damage)
    }
}

/// Copies packed rows of `width` pixels into `frame` at (`x`, `y`).
fn copy_rect(frame: &mut Frame, x: u16, y: u16, width: u16, pixels: &[u8]) {
    let row_bytes = usize::from(width) * BYTES_PER_PIXEL;
    if row_bytes == 0 {
        return;
    }
    for (row, source) in pixels.chunks_exact(row_bytes).enumerate() {
        let start = (usize::from(y) + row) * frame.stride + usize::from(x) * BYTES_PER_PIXEL;
        if let Some(target) = frame.data.get_mut(start..start + row_bytes) {
            target.copy_from_slice(source);
        }
    }
}

impl ScreenCapture for X11Capture {
    fn grab_damaged(&mut self) -> Result<(&Frame, Damage), CaptureError> {
        self.drain_events()?;
        let monitors_due =
            self.monitor_list.is_some() && self.last_whole_read.elapsed() >= WHOLE_READ_INTERVAL;
        if self.geometry_stale || !self.randr || monitors_due {
            self.refresh_geometry()?;
        }
        let damage = match self.read_changes() {
            Err(CaptureError::Request(ReplyError::X11Error(error)))
                if error.error_kind == ErrorKind::Match =>
            {
                tracing::debug!("root window shrank during capture; retrying at the new size");
                self.refresh_geometry()?;
                self.whole_read_needed = true;
                self.read_changes()?
            }
            other => other?,
        };
        Ok((&self.frame, damage))
    }

    fn cursor(&mut self) -> Result<CursorUpdate, CaptureError> {
        self.drain_events()?;
        let Some(cursor) = &mut self.cursor else {
            return Ok(CursorUpdate::default());
        };
        let (shape, (x, y)) = cursor.read(&self.conn, self.root)?;
        let at = match self.view.locate(x, y) {
            Some((x, y)) => PointerAt::At(x, y),
            None => PointerAt::OffScreen,
        };
        let position = (self.pointer_sent != Some(at)).then_some(at);
        self.pointer_sent = Some(at);
        Ok(CursorUpdate { shape, position })
    }
}

/// Refuses screens whose pixels are not 32-bit little-endian B, G, R, X, the
/// only layout [`Frame`] describes.
fn check_format(setup: &Setup, screen: &Screen) -> Result<(), CaptureError> {
    let depth = screen.root_depth;
    if depth != 24 && depth != 32 {
        return Err(CaptureError::Unsupported(format!(
            "root window depth {depth}; only 24 and 32-bit colour are supported"
        )));
    }
    if setup.image_byte_order != ImageOrder::LSB_FIRST {
        return Err(CaptureError::Unsupported(
            "MSB-first image byte order".into(),
        ));
    }
    let bits_per_pixel = setup
        .pixmap_formats
        .iter()
        .find(|format| format.depth == depth)
        .map(|format| format.bits_per_pixel);
    if bits_per_pixel != Some(32) {
        return Err(CaptureError::Unsupported(format!(
            "depth {depth} stored with {bits_per_pixel:?} bits per pixel; 32 is required"
        )));
    }
    let visual = screen
        .allowed_depths
        .iter()
        .filter(|allowed| allowed.depth == depth)
        .flat_map(|allowed| &allowed.visuals)
        .find(|visual| visual.visual_id == screen.root_visual)
        .ok_or_else(|| {
            CaptureError::Unsupported("the root visual is not listed by the server".into())
        })?;
    let rgb_masks =
        (visual.red_mask, visual.green_mask, visual.blue_mask) == (0xff_0000, 0xff00, 0xff);
    if visual.class != VisualClass::TRUE_COLOR || !rgb_masks {
        return Err(CaptureError::Unsupported(format!(
            "root visual {:?} with masks {:#x}/{:#x}/{:#x}; 8-bit-per-channel TrueColor is required",
            visual.class, visual.red_mask, visual.green_mask, visual.blue_mask
        )));
    }
    Ok(())
}

/// Asks RandR for screen size changes on `root`; false when RandR is missing.
fn select_resize_events(conn: &RustConnection, root: Window) -> Result<bool, CaptureError> {
    if conn
        .extension_information(randr::X11_EXTENSION_NAME)?
        .is_none()
    {
        return Ok(false);
    }
    // RandR requires the version handshake before any other request.
    conn.randr_query_version(1, 2)?.reply()?;
    conn.randr_select_input(root, randr::NotifyMask::SCREEN_CHANGE)?
        .check()?;
    Ok(true)
}

/// True when the server can create segments and pass their fds (SHM ≥ 1.2).
fn shm_segments_supported(conn: &RustConnection) -> Result<bool, CaptureError> {
    if conn
        .extension_information(shm::X11_EXTENSION_NAME)?
        .is_none()
    {
        return Ok(false);
    }
    let version = conn.shm_query_version()?.reply()?;
    Ok((version.major_version, version.minor_version) >= (1, 2))
}

fn create_segment(conn: &RustConnection, size: usize) -> Result<Segment, CaptureError> {
    let wire_size = u32::try_from(size).map_err(|_| {
        CaptureError::Unsupported(format!("a {size}-byte frame is too large for MIT-SHM"))
    })?;
    let id = conn.generate_id()?;
    let reply = conn.shm_create_segment(id, wire_size, false)?.reply()?;
    let file = File::from(reply.shm_fd);
    // SAFETY: the segment is shared only with the X server, which writes to it
    // only while it handles our `ShmGetImage`; we read it after the reply, when
    // that write is over, and nobody truncates the file while it is mapped.
    let map = match unsafe { MmapOptions::new().len(size).map(&file) } {
        Ok(map) => map,
        Err(error) => {
            // Unchecked: a failed detach only leaks until disconnect.
            conn.shm_detach(id)?;
            return Err(CaptureError::SharedMemory(error));
        }
    };
    Ok(Segment { id, map })
}
