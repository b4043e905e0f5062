//! X11 input injection with XTEST `FakeInput`.
//!
//! Owns one X connection used only for input, the cached keyboard mapping and
//! the record of what this injector holds down. It must not capture the screen
//! and must not leave the device's keymap changed after it is dropped.
//!
//! Keys: a keysym is looked up in the device's first keyboard group; a keysym
//! found only at the Shift level is wrapped in a Shift press/release unless the
//! technician already holds Shift, and a printable keysym at the plain level
//! has a held Shift lifted around it so it is not turned into another
//! character. A keysym the layout lacks is bound to a spare keycode (one with
//! no keysyms) with `ChangeKeyboardMapping`, then pressed; spare keycodes are
//! used round-robin so a client still reading an earlier event does not see
//! its keycode change meaning, and they are cleared again on drop. The mapping
//! is cached and dropped on every keyboard `MappingNotify`.

use reach_proto::messages::InputEvent;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{
    ConnectionExt as _, Keycode, Keysym, Mapping, Window, BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT,
    KEY_PRESS_EVENT, KEY_RELEASE_EVENT, MOTION_NOTIFY_EVENT,
};
use x11rb::protocol::xtest::{self, ConnectionExt as _};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::CURRENT_TIME;

use super::keysym::{is_printable, KeyPosition, Keymap, SHIFT_L, SHIFT_R};
use super::{InputError, InputInjector};

/// Wheel notches replayed for one event at most, so a hostile or buggy delta
/// cannot queue tens of thousands of clicks.
const MAX_WHEEL_NOTCHES: u16 = 50;

/// Injects input into an X display with XTEST.
pub struct X11Input {
    conn: RustConnection,
    root: Window,
    /// `None` until fetched, and again after the server announces a change.
    keymap: Option<Keymap>,
    /// Keys pressed and not released: the keysym asked for and the keycode used.
    held_keys: Vec<(Keysym, Keycode)>,
    held_buttons: Vec<u8>,
    /// Spare keycodes this injector bound, least recently bound first.
    bound: Vec<Keycode>,
}

impl X11Input {
    /// Connects to `display` (`None`: $DISPLAY) and checks for XTEST.
    pub fn connect(display: Option<&str>) -> Result<Self, InputError> {
        let (conn, screen_num) = x11rb::connect(display)?;
        let root = conn
            .setup()
            .roots
            .get(screen_num)
            .map(|screen| screen.root)
            .ok_or(InputError::NoScreen(screen_num))?;
        if conn
            .extension_information(xtest::X11_EXTENSION_NAME)?
            .is_none()
        {
            return Err(InputError::NoXtest);
        }
        conn.xtest_get_version(2, 2)?.reply()?;
        Ok(Self {
            conn,
            root,
            keymap: None,
            held_keys: Vec::new(),
            held_buttons: Vec::new(),
            bound: Vec::new(),
        })
    }

    fn fake(&self, kind: u8, detail: u8, x: i16, y: i16) -> Result<(), InputError> {
        self.conn
            .xtest_fake_input(kind, detail, CURRENT_TIME, self.root, x, y, 0)?;
        Ok(())
    }

    fn motion(&self, x: u16, y: u16) -> Result<(), InputError> {
        let clamp = |v: u16| i16::try_from(v).unwrap_or(i16::MAX);
        // Detail 0 makes the coordinates absolute on the root window.
        self.fake(MOTION_NOTIFY_EVENT, 0, clamp(x), clamp(y))
    }

    fn button(&mut self, button: u8, pressed: bool) -> Result<(), InputError> {
        if pressed {
            self.fake(BUTTON_PRESS_EVENT, button, 0, 0)?;
            if !self.held_buttons.contains(&button) {
                self.held_buttons.push(button);
            }
        } else if let Some(at) = self.held_buttons.iter().position(|b| *b == button) {
            self.held_buttons.remove(at);
            self.fake(BUTTON_RELEASE_EVENT, button, 0, 0)?;
        }
        Ok(())
    }

    /// One click of `negative` or `positive` per notch of `delta`.
    fn scroll(&self, delta: i16, negative: u8, positive: u8) -> Result<(), InputError> {
        let button = if delta > 0 { positive } else { negative };
        for _ in 0..delta.unsigned_abs().min(MAX_WHEEL_NOTCHES) {
            self.fake(BUTTON_PRESS_EVENT, button, 0, 0)?;
            self.fake(BUTTON_RELEASE_EVENT, button, 0, 0)?;
        }
        Ok(())
    }

    fn keymap(&mut self) -> Result<&mut Keymap, InputError> {
        let keymap = match self.keymap.take() {
            Some(keymap) => keymap,
            None => {
                let setup = self.conn.setup();
                let (min, max) = (setup.min_keycode, setup.max_keycode);
                let count = max.saturating_sub(min).saturating_add(1);
                let reply = self.conn.get_keyboard_mapping(min, count)?.reply()?;
                Keymap::new(min, reply.keysyms_per_keycode, reply.keysyms)
            }
        };
        Ok(self.keymap.insert(keymap))
    }

    fn held_shift_keycodes(&self) -> Vec<Keycode> {
        self.held_keys
            .iter()
            .filter(|(sym, _)| *sym == SHIFT_L || *sym == SHIFT_R)
            .map(|(_, keycode)| *keycode)
            .collect()
    }

    fn press_key(&mut self, keysym: Keysym) -> Result<(), InputError> {
        let found = self.keymap()?.find(keysym);
        let position = match found {
            Some(position) => position,
            None => KeyPosition {
                keycode: self.bind_spare(keysym)?,
                level: 0,
            },
        };
        let keycode = position.keycode;
        let held_shifts = self.held_shift_keycodes();
        let keymap = self.keymap()?;
        let shift_key = keymap.find(SHIFT_L).filter(|shift| shift.level == 0);
        let shift_changes_it = keymap.keysym_at(keycode, 1) != keysym;

        if position.level == 1 && held_shifts.is_empty() {
            if let Some(shift) = shift_key {
                self.fake(KEY_PRESS_EVENT, shift.keycode, 0, 0)?;
                self.fake(KEY_PRESS_EVENT, keycode, 0, 0)?;
                self.fake(KEY_RELEASE_EVENT, shift.keycode, 0, 0)?;
            } else {
                // A layout without Shift cannot do better than the plain key.
                self.fake(KEY_PRESS_EVENT, keycode, 0, 0)?;
            }
        } else if position.level == 0
            && !held_shifts.is_empty()
            && is_printable(keysym)
            && shift_changes_it
        {
            for shift in &held_shifts {
                self.fake(KEY_RELEASE_EVENT, *shift, 0, 0)?;
            }
            self.fake(KEY_PRESS_EVENT, keycode, 0, 0)?;
            for shift in &held_shifts {
                self.fake(KEY_PRESS_EVENT, *shift, 0, 0)?;
            }
        } else {
            self.fake(KEY_PRESS_EVENT, keycode, 0, 0)?;
        }
        if !self.held_keys.contains(&(keysym, keycode)) {
            self.held_keys.push((keysym, keycode));
        }
        Ok(())
    }

    /// Releases the keycode used when `keysym` was pressed. A release without
    /// a press (the press went to another window) is ignored.
    fn release_key(&mut self, keysym: Keysym) -> Result<(), InputError> {
        if let Some(at) = self.held_keys.iter().position(|(sym, _)| *sym == keysym) {
            let (_, keycode) = self.held_keys.remove(at);
            self.fake(KEY_RELEASE_EVENT, keycode, 0, 0)?;
        }
        Ok(())
    }

    /// Binds `keysym` at both levels of a spare keycode and returns it.
    fn bind_spare(&mut self, keysym: Keysym) -> Result<Keycode, InputError> {
        let held: Vec<Keycode> = self.held_keys.iter().map(|(_, keycode)| *keycode).collect();
        let keymap = self.keymap()?;
        let spare = keymap
            .spare_keycodes()
            .into_iter()
            .find(|k| !held.contains(k));
        let per_keycode = keymap.keysyms_per_keycode();
        let keycode = spare
            .or_else(|| self.bound.iter().copied().find(|k| !held.contains(k)))
            .ok_or(InputError::NoSpareKeycode(keysym))?;
        let mut keysyms = vec![0; usize::from(per_keycode)];
        for slot in keysyms.iter_mut().take(2) {
            *slot = keysym;
        }
        self.conn
            .change_keyboard_mapping(1, keycode, per_keycode, &keysyms)?
            .check()?;
        self.keymap()?.bind(keycode, &keysyms);
        self.bound.retain(|k| *k != keycode);
        self.bound.push(keycode);
        Ok(keycode)
    }

    fn release_all(&mut self) -> Result<(), InputError> {
        while let Some((_, keycode)) = self.held_keys.pop() {
            self.fake(KEY_RELEASE_EVENT, keycode, 0, 0)?;
        }
        while let Some(button) = self.held_buttons.pop() {
            self.fake(BUTTON_RELEASE_EVENT, button, 0, 0)?;
        }
        Ok(())
    }

    /// Drops the cached keymap when the server announces a keyboard mapping
    /// change, and surfaces errors of earlier unchecked requests.
    fn handle_events(&mut self) -> Result<(), InputError> {
        while let Some(event) = self.conn.poll_for_event()? {
            match event {
                Event::MappingNotify(notify) if notify.request == Mapping::KEYBOARD => {
                    self.keymap = None;
                }
                Event::Error(error) => return Err(ReplyError::X11Error(error).into()),
                _ => {}
            }
        }
        Ok(())
    }

    fn replay(&mut self, event: &InputEvent) -> Result<(), InputError> {
        match *event {
            InputEvent::PointerMove { x, y } => self.motion(x, y),
            InputEvent::PointerButton {
                x,
                y,
                button,
                pressed,
            } => {
                if button == 0 {
                    return Err(InputError::InvalidButton(button));
                }
                self.motion(x, y)?;
                self.button(button, pressed)
            }
            InputEvent::Wheel {
                x,
                y,
                delta_x,
                delta_y,
            } => {
                self.motion(x, y)?;
                // X11 convention: 4 up, 5 down, 6 left, 7 right.
                self.scroll(delta_y, 4, 5)?;
                self.scroll(delta_x, 6, 7)
            }
            InputEvent::Key { keysym, pressed } => {
                if pressed {
                    self.press_key(keysym)
                } else {
                    self.release_key(keysym)
                }
            }
            InputEvent::ReleaseAll => self.release_all(),
        }
    }
}

impl InputInjector for X11Input {
    fn inject(&mut self, event: &InputEvent) -> Result<(), InputError> {
        self.handle_events()?;
        self.replay(event)?;
        // A round trip, so the event has happened when inject returns and any
        // error it caused is reported with it.
        self.conn.sync()?;
        self.handle_events()
    }
}

impl Drop for X11Input {
    fn drop(&mut self) {
        // Best effort: if the connection is gone there is nothing left to undo.
        let _ = self.release_all();
        if !self.bound.is_empty() {
            if let Ok(per_keycode) = self.keymap().map(|keymap| keymap.keysyms_per_keycode()) {
                let empty = vec![0; usize::from(per_keycode)];
                for keycode in &self.bound {
                    let _ = self
                        .conn
                        .change_keyboard_mapping(1, *keycode, per_keycode, &empty);
                }
            }
        }
        let _ = self.conn.sync();
    }
}
