//! The device's core keyboard mapping, searched by keysym.
//!
//! Owns the keycode ↔ keysym table fetched with `GetKeyboardMapping` and the
//! rules for reading it. It must not talk to the X server: the injector fetches
//! and refreshes the table.

use x11rb::protocol::xproto::{Keycode, Keysym};

/// Keysym of the left Shift key.
pub const SHIFT_L: Keysym = 0xffe1;
/// Keysym of the right Shift key.
pub const SHIFT_R: Keysym = 0xffe2;
/// The empty keysym.
const NO_SYMBOL: Keysym = 0;

/// Where a keysym sits: the keycode, and the shift level (0 plain, 1 Shift).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPosition {
    pub keycode: Keycode,
    pub level: u8,
}

/// A copy of the server's core keyboard mapping.
#[derive(Debug, Clone)]
pub struct Keymap {
    min_keycode: Keycode,
    per_keycode: usize,
    keysyms: Vec<Keysym>,
}

impl Keymap {
    /// Wraps a `GetKeyboardMapping` reply that starts at `min_keycode`.
    pub fn new(min_keycode: Keycode, keysyms_per_keycode: u8, keysyms: Vec<Keysym>) -> Self {
        Self {
            min_keycode,
            per_keycode: usize::from(keysyms_per_keycode),
            keysyms,
        }
    }

    /// Keysyms per keycode, as the server reported.
    pub fn keysyms_per_keycode(&self) -> u8 {
        u8::try_from(self.per_keycode).unwrap_or(u8::MAX)
    }

    fn rows(&self) -> impl Iterator<Item = (Keycode, &[Keysym])> {
        let per = self.per_keycode.max(1);
        self.keysyms
            .chunks_exact(per)
            .zip(self.min_keycode..=Keycode::MAX)
            .map(|(row, keycode)| (keycode, row))
    }

    /// The keysym a keycode produces at `level` in the first group, applying
    /// the core protocol rule that a lone lowercase letter implies its
    /// uppercase form at level 1.
    pub fn keysym_at(&self, keycode: Keycode, level: u8) -> Keysym {
        let Some((_, row)) = self.rows().find(|(code, _)| *code == keycode) else {
            return NO_SYMBOL;
        };
        level_keysym(row, level)
    }

    /// The keycode and level producing `keysym` in the first group, preferring
    /// a plain key over a shifted one, then the lowest keycode. Other groups
    /// and levels (AltGr) are not used: reaching them needs modifier state the
    /// technician did not ask for, so such keysyms take the spare-key path.
    pub fn find(&self, keysym: Keysym) -> Option<KeyPosition> {
        if keysym == NO_SYMBOL {
            return None;
        }
        (0..2u8).find_map(|level| {
            self.rows()
                .find(|(_, row)| level_keysym(row, level) == keysym)
                .map(|(keycode, _)| KeyPosition { keycode, level })
        })
    }

    /// Keycodes that produce nothing, available for temporary bindings.
    pub fn spare_keycodes(&self) -> Vec<Keycode> {
        self.rows()
            .filter(|(_, row)| row.iter().all(|sym| *sym == NO_SYMBOL))
            .map(|(keycode, _)| keycode)
            .collect()
    }

    /// Records a binding made with `ChangeKeyboardMapping` before the server's
    /// MappingNotify arrives, so the keysym is found straight away.
    pub fn bind(&mut self, keycode: Keycode, keysyms: &[Keysym]) {
        let Some(index) = keycode.checked_sub(self.min_keycode) else {
            return;
        };
        let start = usize::from(index) * self.per_keycode;
        if let Some(row) = self.keysyms.get_mut(start..start + self.per_keycode) {
            for (slot, sym) in row
                .iter_mut()
                .zip(keysyms.iter().chain(std::iter::repeat(&NO_SYMBOL)))
            {
                *slot = *sym;
            }
        }
    }
}

fn level_keysym(row: &[Keysym], level: u8) -> Keysym {
    let plain = row.first().copied().unwrap_or(NO_SYMBOL);
    if level == 0 {
        return plain;
    }
    match row.get(1).copied().unwrap_or(NO_SYMBOL) {
        NO_SYMBOL => latin1_upper(plain).unwrap_or(NO_SYMBOL),
        shifted => shifted,
    }
}

/// The uppercase keysym of a Latin-1 lowercase letter keysym.
fn latin1_upper(keysym: Keysym) -> Option<Keysym> {
    match keysym {
        0x61..=0x7a | 0xe0..=0xf6 | 0xf8..=0xfe => Some(keysym - 0x20),
        _ => None,
    }
}

/// Whether a keysym types a character (so a held Shift would change it), as
/// opposed to a function key, where Shift is part of the combination.
pub fn is_printable(keysym: Keysym) -> bool {
    matches!(keysym, 0x20..=0x7e | 0xa0..=0xff) || (0x0100_0000..=0x0110_ffff).contains(&keysym)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us_like() -> Keymap {
        // keycodes 8..=12: 'a A', '1 !', Shift_L, empty, 'b' alone.
        Keymap::new(
            8,
            2,
            vec![0x61, 0x41, 0x31, 0x21, SHIFT_L, 0, 0, 0, 0x62, 0],
        )
    }

    #[test]
    fn finds_plain_then_shifted_positions() {
        let map = us_like();
        assert_eq!(
            map.find(0x61),
            Some(KeyPosition {
                keycode: 8,
                level: 0
            })
        );
        assert_eq!(
            map.find(0x41),
            Some(KeyPosition {
                keycode: 8,
                level: 1
            })
        );
        assert_eq!(
            map.find(0x21),
            Some(KeyPosition {
                keycode: 9,
                level: 1
            })
        );
        assert_eq!(
            map.find(SHIFT_L),
            Some(KeyPosition {
                keycode: 10,
                level: 0
            })
        );
        assert_eq!(map.find(0x20ac), None);
        assert_eq!(map.find(0), None);
    }

    #[test]
    fn lone_lowercase_letter_implies_uppercase() {
        let map = us_like();
        assert_eq!(
            map.find(0x42),
            Some(KeyPosition {
                keycode: 12,
                level: 1
            })
        );
        assert_eq!(map.keysym_at(12, 1), 0x42);
    }

    #[test]
    fn spare_keycodes_and_bindings() {
        let mut map = us_like();
        assert_eq!(map.spare_keycodes(), vec![11]);
        map.bind(11, &[0x20ac, 0x20ac]);
        assert_eq!(
            map.find(0x20ac),
            Some(KeyPosition {
                keycode: 11,
                level: 0
            })
        );
        assert!(map.spare_keycodes().is_empty());
        map.bind(7, &[1]);
        map.bind(200, &[1]);
    }

    #[test]
    fn printable_keysyms() {
        assert!(is_printable(0x61));
        assert!(is_printable(0x0100_20ac));
        assert!(!is_printable(0xff09));
        assert!(!is_printable(SHIFT_L));
    }
}
