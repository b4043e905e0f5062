//! Input injection: the platform seam that replays the technician's pointer and
//! keyboard events on the device.
//!
//! Owns the [`InputInjector`] trait and its implementations (X11 XTEST today;
//! other platforms later behind the same trait). It must not decide whether an
//! event is allowed (the server's policy did) nor capture the screen.
//!
//! Keys arrive as X11 keysyms, which the console computes from the browser's
//! `KeyboardEvent.key` (the character or named key the technician's layout
//! produced) with `KeyboardEvent.code` only to tell left from right modifiers.
//! The injector maps each keysym to a keycode of the *device's* current layout,
//! so a technician with an AZERTY keyboard types the same characters on a QWERTY
//! device. Modifier keysyms are ordinary keys, so Ctrl+C arrives as
//! Control_L down, c down, c up, Control_L up.

mod keysym;
mod x11;

pub use x11::X11Input;

use thiserror::Error;

/// Something that can replay input events on the device.
pub trait InputInjector: Send {
    /// Replays one event and waits until the server has processed it.
    fn inject(&mut self, event: &reach_proto::messages::InputEvent) -> Result<(), InputError>;
}

/// Why an input event could not be replayed.
#[derive(Debug, Error)]
pub enum InputError {
    /// The display could not be opened ($DISPLAY unset, server gone, no access).
    #[error("cannot connect to the X display: {0}")]
    Connect(#[from] x11rb::errors::ConnectError),
    /// The connection to the display broke.
    #[error("X11 connection failed: {0}")]
    Connection(#[from] x11rb::errors::ConnectionError),
    /// The X server refused a request.
    #[error("X11 request failed: {0}")]
    Request(#[from] x11rb::errors::ReplyError),
    /// The display reported no screen for its default screen number.
    #[error("the X display has no screen {0}")]
    NoScreen(usize),
    /// The X server lacks the XTEST extension, so input cannot be faked.
    #[error("the X server does not support the XTEST extension")]
    NoXtest,
    /// The event names a button X11 does not have.
    #[error("pointer button {0} is not valid; X11 buttons are 1 to 255")]
    InvalidButton(u8),
    /// The keysym is not on the keyboard and no spare keycode is free to bind it.
    #[error("keysym {0:#x} cannot be typed: no spare keycode is free")]
    NoSpareKeycode(u32),
}
