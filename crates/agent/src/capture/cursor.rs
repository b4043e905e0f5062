//! The pointer, apart from the screen (XFixes): its image when it changes and
//! its position, so the console draws the pointer itself and moving it costs no
//! screen bytes. Neither Xvfb nor real X servers put the pointer in the pictures
//! `GetImage` returns, so without this the technician would see no pointer at all.
//!
//! Owns turning XFixes cursor images into [`CursorShape`]s. It must not capture
//! the screen or send anything.

use base64::Engine as _;
use reach_proto::messages::{CursorShape, MAX_CURSOR_SIDE};
use x11rb::connection::RequestConnection;
use x11rb::protocol::xfixes::{self, ConnectionExt as _, CursorNotifyMask};
use x11rb::protocol::xproto::{ConnectionExt as _, Window};
use x11rb::rust_connection::RustConnection;

use super::CaptureError;

/// Largest PNG (before base64) sent for a pointer image: the message carrying
/// it must stay well inside a control message. Real pointers are a few KB.
const MAX_CURSOR_PNG: usize = 40 * 1024;

/// What changed about the pointer since the last call.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CursorUpdate {
    /// A new image, when it changed.
    pub shape: Option<CursorShape>,
    /// Where the hotspot is now, when that changed (and at first).
    pub position: Option<PointerAt>,
}

/// Where the pointer is, as the stream shows the display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointerAt {
    /// On the shown picture, in its pixels.
    At(u16, u16),
    /// On a monitor the stream does not show.
    OffScreen,
}

/// Follows the pointer of one X connection's root window.
pub(super) struct CursorWatch {
    /// The image changed since it was last read (XFixes `CursorNotify`).
    stale: bool,
    serial: Option<u32>,
}

impl CursorWatch {
    /// Asks XFixes for pointer image changes on `root`; `None` when the server
    /// has no XFixes 2 (the console then shows its own pointer only).
    pub(super) fn start(conn: &RustConnection, root: Window) -> Result<Option<Self>, CaptureError> {
        if conn
            .extension_information(xfixes::X11_EXTENSION_NAME)?
            .is_none()
        {
            return Ok(None);
        }
        // XFixes requires the version handshake before any other request.
        let version = conn.xfixes_query_version(4, 0)?.reply()?;
        if version.major_version < 2 {
            return Ok(None);
        }
        conn.xfixes_select_cursor_input(root, CursorNotifyMask::DISPLAY_CURSOR)?
            .check()?;
        Ok(Some(Self {
            stale: true,
            serial: None,
        }))
    }

    /// The image changed (a `CursorNotify` event arrived).
    pub(super) fn shape_changed(&mut self) {
        self.stale = true;
    }

    /// Reads the image when it changed (after a notify) and the hotspot's
    /// position on the root window, every call.
    pub(super) fn read(
        &mut self,
        conn: &RustConnection,
        root: Window,
    ) -> Result<(Option<CursorShape>, (i32, i32)), CaptureError> {
        let mut shape = None;
        if self.stale {
            self.stale = false;
            let image = conn.xfixes_get_cursor_image()?.reply()?;
            if self.serial != Some(image.cursor_serial) {
                self.serial = Some(image.cursor_serial);
                match shape_of(&image) {
                    Ok(changed) => shape = Some(changed),
                    Err(reason) => tracing::debug!(reason, "pointer image not sent"),
                }
            }
        }
        let pointer = conn.query_pointer(root)?.reply()?;
        Ok((
            shape,
            (i32::from(pointer.root_x), i32::from(pointer.root_y)),
        ))
    }
}

/// Turns an XFixes image (premultiplied ARGB, one u32 per pixel) into a PNG
/// shape, or says why it cannot be sent.
fn shape_of(image: &xfixes::GetCursorImageReply) -> Result<CursorShape, String> {
    let (width, height) = (image.width, image.height);
    if width == 0 || height == 0 || width > MAX_CURSOR_SIDE || height > MAX_CURSOR_SIDE {
        return Err(format!("{width}x{height} pointer image"));
    }
    let pixels = usize::from(width) * usize::from(height);
    if image.cursor_image.len() != pixels {
        return Err("pointer image of the wrong length".into());
    }
    let mut rgba = Vec::with_capacity(pixels * 4);
    for &argb in &image.cursor_image {
        let [b, g, r, a] = argb.to_le_bytes();
        // XFixes pixels are premultiplied by alpha; PNG wants them straight.
        let straight = |c: u8| -> u8 {
            if a == 0 {
                0
            } else {
                u8::try_from((u32::from(c) * 255 + u32::from(a) / 2) / u32::from(a))
                    .unwrap_or(u8::MAX)
            }
        };
        rgba.extend_from_slice(&[straight(r), straight(g), straight(b), a]);
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, u32::from(width), u32::from(height));
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|err| err.to_string())?;
        writer
            .write_image_data(&rgba)
            .map_err(|err| err.to_string())?;
    }
    if png_bytes.len() > MAX_CURSOR_PNG {
        return Err(format!("a {} byte pointer image", png_bytes.len()));
    }
    Ok(CursorShape {
        width,
        height,
        hot_x: image.xhot.min(width - 1),
        hot_y: image.yhot.min(height - 1),
        png: base64::engine::general_purpose::STANDARD.encode(png_bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(width: u16, height: u16, pixels: Vec<u32>) -> xfixes::GetCursorImageReply {
        xfixes::GetCursorImageReply {
            sequence: 0,
            length: 0,
            x: 0,
            y: 0,
            width,
            height,
            xhot: 1,
            yhot: 1,
            cursor_serial: 1,
            cursor_image: pixels,
        }
    }

    #[test]
    fn premultiplied_pixels_become_a_valid_straight_rgba_png() {
        // Half-transparent pure red, premultiplied: A=0x80, R=0x80.
        let shape = shape_of(&image(2, 2, vec![0x8080_0000, 0, 0xff00_ff00, 0xff00_00ff]))
            .expect("a shape");
        shape.validate().expect("the shape validates");
        let png = base64::engine::general_purpose::STANDARD
            .decode(&shape.png)
            .unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut rgba = vec![0; reader.output_buffer_size().expect("a buffer size")];
        reader.next_frame(&mut rgba).unwrap();
        assert_eq!(&rgba[..4], &[255, 0, 0, 0x80]);
        assert_eq!(&rgba[4..8], &[0, 0, 0, 0]);
        assert_eq!(&rgba[8..12], &[0, 255, 0, 255]);
        assert_eq!(&rgba[12..16], &[0, 0, 255, 255]);
    }

    #[test]
    fn oversized_or_inconsistent_images_are_not_sent() {
        assert!(shape_of(&image(0, 4, vec![])).is_err());
        assert!(shape_of(&image(MAX_CURSOR_SIDE + 1, 1, vec![0; 257])).is_err());
        assert!(shape_of(&image(2, 2, vec![0; 3])).is_err());
    }
}
