//! Screen settings the technician chooses during a session and that console,
//! server and agent share.
//!
//! Owns their names on the wire. It must not say how a mode is encoded (that is
//! `reach-screen`) or who may change it (that is the server's policy check).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the agent sends the screen. The technician picks it live; the server
/// keeps the session's current mode and tells every console of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScreenMode {
    /// One bit per pixel: the least bandwidth; text stays readable.
    BlackAndWhite,
    /// 216 colours (6 levels per channel).
    FewColours,
    /// 65 536 colours (RGB 5-6-5).
    MoreColours,
    /// Every colour; changing photo-like regions go lossy, then are refined.
    #[default]
    AllColours,
    /// The whole screen as H.264 video, decoded by the browser (WebCodecs):
    /// smooth moving pictures, softer text. A console that cannot decode it
    /// asks for `AllColours` instead.
    Video,
}

impl ScreenMode {
    /// Every mode, from the least bandwidth to the most faithful.
    pub const ALL: [ScreenMode; 5] = [
        Self::BlackAndWhite,
        Self::FewColours,
        Self::MoreColours,
        Self::AllColours,
        Self::Video,
    ];
}

/// Longest monitor name accepted from an agent or a console, in bytes. RandR
/// names are output or user names such as `DP-1` or `HDMI-A-0`.
pub const MAX_MONITOR_NAME: usize = 64;

/// Most monitors an agent reports; a list beyond this is refused as corrupt.
pub const MAX_MONITORS: usize = 16;

/// One monitor of the device's display (RandR 1.5), in the pixels of the whole
/// display: the X screen spans every monitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Monitor {
    /// The name the device gives it (`DP-1`, `HDMI-1`, ...), unique on the device.
    pub name: String,
    /// The monitor the device's desktop treats as its main one.
    pub primary: bool,
    pub x: i16,
    pub y: i16,
    pub width: u16,
    pub height: u16,
}

/// The monitors of a device and which of them the stream shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MonitorLayout {
    /// Primary first, then in the device's order; empty when the device cannot
    /// tell (no RandR 1.5): the whole display is shown.
    pub monitors: Vec<Monitor>,
    /// The name of the monitor shown, or `None` when the stream shows every
    /// monitor (the whole display).
    pub shown: Option<String>,
}

impl MonitorLayout {
    /// Checks what an agent sent before the server passes it on.
    pub fn validate(&self) -> Result<(), String> {
        if self.monitors.len() > MAX_MONITORS {
            return Err(format!(
                "{} monitors reported; at most {MAX_MONITORS} are accepted",
                self.monitors.len()
            ));
        }
        for (index, monitor) in self.monitors.iter().enumerate() {
            check_monitor_name(&monitor.name)?;
            if monitor.width == 0 || monitor.height == 0 {
                return Err(format!("monitor {:?} has no area", monitor.name));
            }
            if self.monitors[..index]
                .iter()
                .any(|other| other.name == monitor.name)
            {
                return Err(format!("monitor {:?} is reported twice", monitor.name));
            }
        }
        if let Some(shown) = &self.shown {
            if !self.monitors.iter().any(|monitor| &monitor.name == shown) {
                return Err(format!("the shown monitor {shown:?} is not in the list"));
            }
        }
        Ok(())
    }

    /// Whether `choice` (a monitor name, or `None` for all) can be shown.
    pub fn offers(&self, choice: Option<&str>) -> bool {
        match choice {
            None => true,
            Some(name) => self.monitors.iter().any(|monitor| monitor.name == name),
        }
    }
}

/// Checks a monitor name's length and characters (printable, no controls).
pub fn check_monitor_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_MONITOR_NAME {
        return Err(format!(
            "a monitor name must have 1 to {MAX_MONITOR_NAME} bytes"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("a monitor name must not contain control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_use_snake_case_names() {
        let names: Vec<String> = ScreenMode::ALL
            .iter()
            .map(|mode| serde_json::to_string(mode).unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "\"black_and_white\"",
                "\"few_colours\"",
                "\"more_colours\"",
                "\"all_colours\"",
                "\"video\""
            ]
        );
        assert!(serde_json::from_str::<ScreenMode>("\"sepia\"").is_err());
    }

    fn monitor(name: &str, primary: bool) -> Monitor {
        Monitor {
            name: name.into(),
            primary,
            x: 0,
            y: 0,
            width: 640,
            height: 480,
        }
    }

    #[test]
    fn layouts_are_checked() {
        let layout = MonitorLayout {
            monitors: vec![monitor("DP-1", true), monitor("HDMI-1", false)],
            shown: Some("DP-1".into()),
        };
        assert_eq!(layout.validate(), Ok(()));
        assert!(layout.offers(Some("HDMI-1")) && layout.offers(None));
        assert!(!layout.offers(Some("VGA-1")));

        let unknown_shown = MonitorLayout {
            shown: Some("VGA-1".into()),
            ..layout.clone()
        };
        assert!(unknown_shown.validate().is_err());
        let twice = MonitorLayout {
            monitors: vec![monitor("DP-1", true), monitor("DP-1", false)],
            shown: None,
        };
        assert!(twice.validate().is_err());
        let empty_area = MonitorLayout {
            monitors: vec![Monitor {
                width: 0,
                ..monitor("DP-1", true)
            }],
            shown: None,
        };
        assert!(empty_area.validate().is_err());
        let too_many = MonitorLayout {
            monitors: (0..=MAX_MONITORS)
                .map(|n| monitor(&format!("M{n}"), false))
                .collect(),
            shown: None,
        };
        assert!(too_many.validate().is_err());
    }

    #[test]
    fn monitor_names_are_bounded() {
        assert!(check_monitor_name("DP-1").is_ok());
        assert!(check_monitor_name("").is_err());
        assert!(check_monitor_name(&"x".repeat(MAX_MONITOR_NAME + 1)).is_err());
        assert!(check_monitor_name("DP\n1").is_err());
    }
}
