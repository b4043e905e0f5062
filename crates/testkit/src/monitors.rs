//! Several monitors on one Xvfb display, as a dual-head desktop has them: RandR
//! 1.5 monitors (what `xrandr --setmonitor` makes) over one wide X screen.
//!
//! Owns parsing monitor specifications and setting them. The first monitor
//! takes Xvfb's one output, which replaces the monitor Xvfb makes of it; the
//! others have no output, as virtual monitors of a split screen do. Monitors
//! outlive this client because test displays run with `-noreset`.

use anyhow::{bail, Context, Result};
use x11rb::connection::Connection;
use x11rb::protocol::randr::{ConnectionExt as _, MonitorInfo};
use x11rb::protocol::xproto::ConnectionExt as _;

/// One monitor: `NAME:WIDTHxHEIGHT+X+Y`, with a trailing `*` for the primary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMonitor {
    pub name: String,
    pub primary: bool,
    pub x: i16,
    pub y: i16,
    pub width: u16,
    pub height: u16,
}

impl std::str::FromStr for TestMonitor {
    type Err = anyhow::Error;

    fn from_str(spec: &str) -> Result<Self> {
        let usage =
            || format!("{spec:?} is not NAME:WIDTHxHEIGHT+X+Y (with * after for the primary)");
        let (spec_body, primary) = match spec.strip_suffix('*') {
            Some(body) => (body, true),
            None => (spec, false),
        };
        let (name, geometry) = spec_body.split_once(':').with_context(usage)?;
        let (size, position) = geometry.split_once('+').with_context(usage)?;
        let (width, height) = size.split_once('x').with_context(usage)?;
        let (x, y) = position.split_once('+').with_context(usage)?;
        if name.is_empty() {
            bail!(usage());
        }
        Ok(Self {
            name: name.to_string(),
            primary,
            x: x.parse().with_context(usage)?,
            y: y.parse().with_context(usage)?,
            width: width.parse().with_context(usage)?,
            height: height.parse().with_context(usage)?,
        })
    }
}

/// Replaces the monitors of `display` (e.g. `:3`) with `monitors`; the first
/// takes the display's output.
pub fn set_monitors(display: &str, monitors: &[TestMonitor]) -> Result<()> {
    let (conn, screen) = x11rb::connect(Some(display))
        .with_context(|| format!("connecting to the X display {display}"))?;
    let root = conn
        .setup()
        .roots
        .get(screen)
        .context("the display has no such screen")?
        .root;
    let version = conn.randr_query_version(1, 5)?.reply()?;
    if (version.major_version, version.minor_version) < (1, 5) {
        bail!("the X server's RandR is older than 1.5: it has no monitors");
    }
    let output = conn
        .randr_get_screen_resources(root)?
        .reply()?
        .outputs
        .first()
        .copied()
        .context("the X server has no RandR output")?;
    // Replace, not add: the monitors set earlier go first (a monitor unplugged).
    for earlier in conn.randr_get_monitors(root, false)?.reply()?.monitors {
        if !earlier.automatic {
            conn.randr_delete_monitor(root, earlier.name)?
                .check()
                .context("deleting an earlier monitor")?;
        }
    }
    for (index, monitor) in monitors.iter().enumerate() {
        let name = conn
            .intern_atom(false, monitor.name.as_bytes())?
            .reply()?
            .atom;
        let info = MonitorInfo {
            name,
            primary: monitor.primary,
            automatic: false,
            x: monitor.x,
            y: monitor.y,
            width: monitor.width,
            height: monitor.height,
            // About 96 dpi; only their ratio matters to anyone.
            width_in_millimeters: u32::from(monitor.width) * 254 / 960,
            height_in_millimeters: u32::from(monitor.height) * 254 / 960,
            outputs: if index == 0 { vec![output] } else { Vec::new() },
        };
        conn.randr_set_monitor(root, info)?
            .check()
            .with_context(|| format!("setting monitor {}", monitor.name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let left: TestMonitor = "LEFT:640x480+0+0".parse().unwrap();
        assert_eq!(
            left,
            TestMonitor {
                name: "LEFT".into(),
                primary: false,
                x: 0,
                y: 0,
                width: 640,
                height: 480
            }
        );
        let right: TestMonitor = "RIGHT:800x600+640+0*".parse().unwrap();
        assert!(right.primary && right.x == 640 && right.width == 800);
        for bad in ["", "LEFT", ":640x480+0+0", "LEFT:640x480", "LEFT:axb+0+0"] {
            assert!(bad.parse::<TestMonitor>().is_err(), "{bad}");
        }
    }
}
