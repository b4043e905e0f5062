//! Blocking the end user's keyboard and mouse while the technician works: the
//! states the agent reports. The end user can always take control back on the
//! device (three presses of Escape within [`TAKE_BACK_WINDOW_MS`]); this module
//! owns the shapes and that rule's numbers, and must not do I/O.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Escape presses that give the end user their input back...
pub const TAKE_BACK_PRESSES: usize = 3;
/// ...within this many milliseconds.
pub const TAKE_BACK_WINDOW_MS: u64 = 2000;

/// Whether the end user's own keyboard and mouse work, as the agent reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InputBlockState {
    /// The device's keyboards and mice do nothing; the technician's input works.
    Blocked,
    /// The technician gave the end user their input back.
    Unblocked,
    /// The end user took their input back on the device (pressed Escape three times).
    TakenBack,
    /// Blocking is not possible on this device (no XInput 2, or another program
    /// holds a device); nothing was changed.
    Unavailable,
}
