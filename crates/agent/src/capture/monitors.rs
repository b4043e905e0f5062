//! The display's monitors (RandR 1.5) and the part of the display the stream
//! shows: one monitor (the primary one until the technician chooses) or all of
//! them. An X screen spans every monitor, so showing one is reading and sending
//! only its rectangle of the root window.
//!
//! Owns listing the monitors and choosing the rectangle (the view). It must not
//! read pixels or move the pointer: the capture reads the view, and the input
//! thread adds the view's origin to the technician's coordinates.

use std::collections::HashMap;

use reach_proto::screen::{check_monitor_name, Monitor, MonitorLayout, MAX_MONITORS};
use reach_screen::Damage;
use x11rb::connection::RequestConnection;
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{Atom, ConnectionExt as _, Window};
use x11rb::rust_connection::RustConnection;

use super::CaptureError;

/// Which monitor the technician wants to see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MonitorChoice {
    /// The primary monitor (the first one when none is marked primary): what a
    /// session starts with, as the end user's main work is there.
    #[default]
    Primary,
    /// The whole display: every monitor side by side.
    All,
    /// The monitor of that name; the primary one if the device has no such
    /// monitor (it was unplugged).
    Named(String),
}

impl MonitorChoice {
    /// The choice a server message carries (`None`: all monitors).
    pub fn from_wire(monitor: Option<String>) -> Self {
        monitor.map_or(Self::All, Self::Named)
    }
}

/// A rectangle of the root window, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct View {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl View {
    /// Where `damage` (in root pixels) falls in this view, in view pixels.
    pub fn clip(&self, damage: Damage) -> Damage {
        let Damage::Within {
            x,
            y,
            width,
            height,
        } = damage
        else {
            return damage;
        };
        let left = x.max(self.x);
        let top = y.max(self.y);
        let right = x
            .saturating_add(width)
            .min(self.x.saturating_add(self.width));
        let bottom = y
            .saturating_add(height)
            .min(self.y.saturating_add(self.height));
        if left >= right || top >= bottom {
            return Damage::Nothing;
        }
        Damage::Within {
            x: left - self.x,
            y: top - self.y,
            width: right - left,
            height: bottom - top,
        }
    }

    /// The root position (`x`, `y`) in view pixels, or `None` outside the view.
    pub fn locate(&self, x: i32, y: i32) -> Option<(u16, u16)> {
        let within_x = x - i32::from(self.x);
        let within_y = y - i32::from(self.y);
        if (0..i32::from(self.width)).contains(&within_x)
            && (0..i32::from(self.height)).contains(&within_y)
        {
            Some((u16::try_from(within_x).ok()?, u16::try_from(within_y).ok()?))
        } else {
            None
        }
    }
}

/// The rectangle `choice` shows on a `root_width`×`root_height` display with
/// `monitors`, and the name of the monitor it is (`None`: the whole display).
pub fn choose_view(
    choice: &MonitorChoice,
    monitors: &[Monitor],
    root_width: u16,
    root_height: u16,
) -> (View, Option<String>) {
    let whole = View {
        x: 0,
        y: 0,
        width: root_width,
        height: root_height,
    };
    let primary = || {
        monitors
            .iter()
            .find(|monitor| monitor.primary)
            .or(monitors.first())
    };
    let monitor = match choice {
        MonitorChoice::All => None,
        MonitorChoice::Primary => primary(),
        MonitorChoice::Named(name) => monitors
            .iter()
            .find(|monitor| &monitor.name == name)
            .or_else(primary),
    };
    let Some(monitor) = monitor else {
        return (whole, None);
    };
    // A monitor may hang over the root's edge (RandR allows it); only what
    // lies on the root can be read.
    let left = monitor.x.max(0).unsigned_abs().min(root_width);
    let top = monitor.y.max(0).unsigned_abs().min(root_height);
    let right = (i32::from(monitor.x) + i32::from(monitor.width)).clamp(0, i32::from(root_width));
    let bottom =
        (i32::from(monitor.y) + i32::from(monitor.height)).clamp(0, i32::from(root_height));
    let (right, bottom) = (
        u16::try_from(right).unwrap_or(root_width),
        u16::try_from(bottom).unwrap_or(root_height),
    );
    if left >= right || top >= bottom {
        return (whole, None);
    }
    let view = View {
        x: left,
        y: top,
        width: right - left,
        height: bottom - top,
    };
    (view, Some(monitor.name.clone()))
}

/// Lists the monitors of one X connection's screen.
pub(super) struct MonitorList {
    root: Window,
    /// Monitor names are atoms; their text does not change, so each is asked once.
    names: HashMap<Atom, String>,
}

impl MonitorList {
    /// `None` when the server has no RandR 1.5 (the whole display is shown).
    pub(super) fn start(conn: &RustConnection, root: Window) -> Result<Option<Self>, CaptureError> {
        if conn
            .extension_information(randr::X11_EXTENSION_NAME)?
            .is_none()
        {
            return Ok(None);
        }
        let version = conn.randr_query_version(1, 5)?.reply()?;
        if (version.major_version, version.minor_version) < (1, 5) {
            return Ok(None);
        }
        Ok(Some(Self {
            root,
            names: HashMap::new(),
        }))
    }

    /// The active monitors, primary first (the server's order), at most
    /// [`MAX_MONITORS`]; monitors whose name cannot be sent are left out.
    pub(super) fn list(&mut self, conn: &RustConnection) -> Result<Vec<Monitor>, CaptureError> {
        let reply = conn.randr_get_monitors(self.root, true)?.reply()?;
        let mut monitors = Vec::with_capacity(reply.monitors.len());
        for info in reply.monitors.iter().take(MAX_MONITORS) {
            let name = match self.names.get(&info.name) {
                Some(name) => name.clone(),
                None => {
                    let reply = conn.get_atom_name(info.name)?.reply()?;
                    let name = String::from_utf8_lossy(&reply.name).into_owned();
                    self.names.insert(info.name, name.clone());
                    name
                }
            };
            if let Err(reason) = check_monitor_name(&name) {
                tracing::debug!(name, reason, "monitor left out");
                continue;
            }
            if info.width == 0
                || info.height == 0
                || monitors.iter().any(|m: &Monitor| m.name == name)
            {
                continue;
            }
            monitors.push(Monitor {
                name,
                primary: info.primary,
                x: info.x,
                y: info.y,
                width: info.width,
                height: info.height,
            });
        }
        Ok(monitors)
    }
}

/// The layout the console is told about.
pub fn layout(monitors: &[Monitor], shown: Option<String>) -> MonitorLayout {
    MonitorLayout {
        monitors: monitors.to_vec(),
        shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(name: &str, primary: bool, x: i16, width: u16) -> Monitor {
        Monitor {
            name: name.into(),
            primary,
            x,
            y: 0,
            width,
            height: 480,
        }
    }

    #[test]
    fn the_primary_monitor_is_shown_first() {
        let monitors = [
            monitor("LEFT", false, 0, 640),
            monitor("RIGHT", true, 640, 800),
        ];
        let (view, shown) = choose_view(&MonitorChoice::Primary, &monitors, 1440, 480);
        assert_eq!(
            view,
            View {
                x: 640,
                y: 0,
                width: 800,
                height: 480
            }
        );
        assert_eq!(shown.as_deref(), Some("RIGHT"));
        // No primary: the first one.
        let unmarked = [monitor("A", false, 0, 640), monitor("B", false, 640, 640)];
        let (_, shown) = choose_view(&MonitorChoice::Primary, &unmarked, 1280, 480);
        assert_eq!(shown.as_deref(), Some("A"));
    }

    #[test]
    fn all_monitors_and_unknown_names() {
        let monitors = [
            monitor("LEFT", true, 0, 640),
            monitor("RIGHT", false, 640, 640),
        ];
        let (view, shown) = choose_view(&MonitorChoice::All, &monitors, 1280, 480);
        assert_eq!((view.width, view.height, shown), (1280, 480, None));
        let (view, shown) =
            choose_view(&MonitorChoice::Named("RIGHT".into()), &monitors, 1280, 480);
        assert_eq!((view.x, shown.as_deref()), (640, Some("RIGHT")));
        // An unplugged monitor: back to the primary.
        let (view, shown) = choose_view(&MonitorChoice::Named("GONE".into()), &monitors, 1280, 480);
        assert_eq!((view.x, shown.as_deref()), (0, Some("LEFT")));
        // No RandR 1.5: the whole display.
        let (view, shown) = choose_view(&MonitorChoice::Primary, &[], 1024, 768);
        assert_eq!((view.width, view.height, shown), (1024, 768, None));
    }

    #[test]
    fn monitors_are_clipped_to_the_display() {
        let hanging = [monitor("WIDE", true, -100, 800)];
        let (view, _) = choose_view(&MonitorChoice::Primary, &hanging, 640, 480);
        assert_eq!(
            view,
            View {
                x: 0,
                y: 0,
                width: 640,
                height: 480
            }
        );
        let outside = [monitor("OFF", true, 2000, 640)];
        let (view, shown) = choose_view(&MonitorChoice::Primary, &outside, 640, 480);
        assert_eq!((view.width, shown), (640, None));
    }

    #[test]
    fn damage_and_pointer_follow_the_view() {
        let view = View {
            x: 640,
            y: 0,
            width: 640,
            height: 480,
        };
        let within = |x, y, width, height| Damage::Within {
            x,
            y,
            width,
            height,
        };
        assert_eq!(view.clip(within(600, 10, 100, 20)), within(0, 10, 60, 20));
        assert_eq!(view.clip(within(0, 0, 100, 100)), Damage::Nothing);
        assert_eq!(view.clip(Damage::Unknown), Damage::Unknown);
        assert_eq!(view.locate(700, 5), Some((60, 5)));
        assert_eq!(view.locate(100, 5), None);
        assert_eq!(view.locate(1280, 5), None);
    }
}
