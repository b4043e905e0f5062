//! The screen mode of one session on the agent: the server's choice, held where
//! the capture loop reads it before each frame.
//!
//! Owns the mapping from the wire's [`ScreenMode`] to the encoder's
//! [`ColourMode`]. It must not encode: the loop hands the mode to its encoder,
//! which starts over with a full picture when it changes.

use std::sync::atomic::{AtomicU8, Ordering};

use reach_proto::screen::ScreenMode;
use reach_screen::ColourMode;

/// The mode the server last asked for (all colours until it asks).
#[derive(Debug)]
pub(crate) struct ModeCell(AtomicU8);

impl Default for ModeCell {
    fn default() -> Self {
        Self(AtomicU8::new(index(ScreenMode::default())))
    }
}

impl ModeCell {
    pub fn set(&self, mode: ScreenMode) {
        self.0.store(index(mode), Ordering::SeqCst);
    }

    pub fn get(&self) -> ScreenMode {
        ScreenMode::ALL
            .get(usize::from(self.0.load(Ordering::SeqCst)))
            .copied()
            .unwrap_or_default()
    }
}

fn index(mode: ScreenMode) -> u8 {
    // ALL lists every mode; four fit a u8.
    ScreenMode::ALL
        .iter()
        .position(|m| *m == mode)
        .unwrap_or_default() as u8
}

/// How the tile encoder renders `mode`.
pub(crate) fn colour_mode(mode: ScreenMode) -> ColourMode {
    match mode {
        ScreenMode::BlackAndWhite => ColourMode::BlackAndWhite,
        ScreenMode::FewColours => ColourMode::FewColours,
        ScreenMode::MoreColours => ColourMode::MoreColours,
        ScreenMode::AllColours => ColourMode::AllColours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cell_holds_every_mode() {
        let cell = ModeCell::default();
        assert_eq!(cell.get(), ScreenMode::AllColours);
        for mode in ScreenMode::ALL {
            cell.set(mode);
            assert_eq!(cell.get(), mode);
        }
        assert_eq!(
            colour_mode(ScreenMode::BlackAndWhite),
            ColourMode::BlackAndWhite
        );
    }
}
