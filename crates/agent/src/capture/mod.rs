//! Screen capture: the platform seam that produces [`reach_screen::Frame`]s.
//!
//! Owns the [`ScreenCapture`] trait and its implementations (X11 today;
//! Wayland, Windows and macOS later behind the same trait). It must not encode,
//! diff or send frames (that is `reach_screen` and the session loop) and must
//! not inject input.

mod cursor;
mod damage;
mod monitors;
mod x11;

pub use cursor::{CursorUpdate, PointerAt};
pub use monitors::MonitorChoice;
pub use x11::{CaptureMethod, X11Capture};

use reach_screen::Damage;
use thiserror::Error;

/// A source of screen frames.
pub trait ScreenCapture: Send {
    /// Captures the whole screen now. The frame is owned by the capturer and
    /// overwritten by the next call; its size follows screen resizes.
    fn grab(&mut self) -> Result<&reach_screen::Frame, CaptureError> {
        self.grab_damaged().map(|(frame, _)| frame)
    }

    /// Like [`ScreenCapture::grab`], also saying where the frame may differ
    /// from the previous one (only that part was read).
    fn grab_damaged(&mut self) -> Result<(&reach_screen::Frame, Damage), CaptureError>;

    /// What changed about the pointer (image, position) since the last call.
    fn cursor(&mut self) -> Result<CursorUpdate, CaptureError>;
}

/// Why the screen could not be captured.
#[derive(Debug, Error)]
pub enum CaptureError {
    /// The display could not be opened ($DISPLAY unset, server gone, no access).
    #[error("cannot connect to the X display: {0}")]
    Connect(#[from] x11rb::errors::ConnectError),
    /// The connection to the display broke.
    #[error("X11 connection failed: {0}")]
    Connection(#[from] x11rb::errors::ConnectionError),
    /// The X server refused a request.
    #[error("X11 request failed: {0}")]
    Request(#[from] x11rb::errors::ReplyError),
    /// The X server refused a request, or ran out of resource IDs.
    #[error("X11 request failed: {0}")]
    RequestOrId(#[from] x11rb::errors::ReplyOrIdError),
    /// The screen's pixel format is not one the encoder understands.
    #[error("unsupported screen format: {0}")]
    Unsupported(String),
    /// The shared memory segment could not be mapped.
    #[error("mapping the shared-memory segment failed: {0}")]
    SharedMemory(#[source] std::io::Error),
    /// The X server sent an image of an unexpected size.
    #[error("the X server returned {got} image bytes, expected {expected}")]
    ImageSize { expected: usize, got: usize },
}
