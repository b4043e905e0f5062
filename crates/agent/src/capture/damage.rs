//! Where the screen changed (X DAMAGE), so the capture reads only that part and
//! the encoder compares only the tiles it touches. A still screen then costs one
//! round trip per capture instead of reading and comparing 8 MB.
//!
//! Owns the damage object and the XFixes region it is emptied into. Each call
//! takes the damage accumulated since the previous one (`DamageSubtract`) and
//! returns its bounding box: Xvfb reports one box per drawing request anyway,
//! and one read of the box is cheaper than several of its parts. Reading the
//! pixels *after* emptying the damage means nothing drawn in between is lost:
//! it is reported again next time.

use reach_screen::Damage;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::damage::{self, ConnectionExt as _, ReportLevel};
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::Window;
use x11rb::rust_connection::RustConnection;
use x11rb::NONE;

use super::CaptureError;

pub(super) struct DamageWatch {
    damage: damage::Damage,
    region: xfixes::Region,
}

impl DamageWatch {
    /// Starts following damage to `root` and everything drawn on it; `None`
    /// when the server lacks DAMAGE 1.1 or XFixes 2 (then every capture reads
    /// the whole screen).
    pub(super) fn start(conn: &RustConnection, root: Window) -> Result<Option<Self>, CaptureError> {
        for name in [damage::X11_EXTENSION_NAME, xfixes::X11_EXTENSION_NAME] {
            if conn.extension_information(name)?.is_none() {
                return Ok(None);
            }
        }
        // Both extensions require their version handshake first.
        let fixes = conn.xfixes_query_version(4, 0)?.reply()?;
        let version = conn.damage_query_version(1, 1)?.reply()?;
        if fixes.major_version < 2 || (version.major_version, version.minor_version) < (1, 1) {
            return Ok(None);
        }
        let region = conn.generate_id()?;
        conn.xfixes_create_region(region, &[])?.check()?;
        let damage = conn.generate_id()?;
        // NonEmpty: at most one event per emptying; the events themselves are
        // not needed (each capture asks), the capture connection drops them.
        conn.damage_create(damage, root, ReportLevel::NON_EMPTY)?
            .check()?;
        Ok(Some(Self { damage, region }))
    }

    /// Takes the damage since the last call, clipped to a `width`×`height` screen.
    pub(super) fn take(
        &mut self,
        conn: &RustConnection,
        width: u16,
        height: u16,
    ) -> Result<Damage, CaptureError> {
        conn.damage_subtract(self.damage, NONE, self.region)?;
        let fetched = conn.xfixes_fetch_region(self.region)?.reply()?;
        if fetched.rectangles.is_empty() {
            return Ok(Damage::Nothing);
        }
        let extents = fetched.extents;
        let left = extents.x.max(0).unsigned_abs();
        let top = extents.y.max(0).unsigned_abs();
        let right = u16::try_from(i32::from(extents.x) + i32::from(extents.width))
            .unwrap_or(u16::MAX)
            .min(width);
        let bottom = u16::try_from(i32::from(extents.y) + i32::from(extents.height))
            .unwrap_or(u16::MAX)
            .min(height);
        if left >= right || top >= bottom {
            return Ok(Damage::Nothing);
        }
        Ok(Damage::Within {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        })
    }

    /// Forgets the damage so far (the caller reads the whole screen anyway).
    pub(super) fn clear(&mut self, conn: &RustConnection) -> Result<(), CaptureError> {
        conn.damage_subtract(self.damage, NONE, NONE)?;
        Ok(())
    }
}
