//! Screen encoding: turns captured frames into "screen tiles" batches that the
//! agent sends and the console paints.
//!
//! Owns the [`Frame`] pixel layout shared with the capture code, tile diffing
//! ([`TileEncoder`]), scroll detection (changed tiles sent as COPY of the earlier
//! picture), the colour modes ([`ColourMode`]: frames reduced before encoding),
//! the tile codecs (PNG, SOLID, JPEG, INDEXED), the batch wire format
//! ([`batch`]) and video mode (whole-screen H.264, [`video`]). It must not capture screens, do I/O or know about sessions and
//! channels: the caller writes the bulk frame header and sends the bytes.
//!
//! The encoder is deliberately stateful and frame-in/bytes-out so that a later
//! damage-driven capture (a hint of which rectangles changed) or a video codec can
//! sit behind the same call without the agent's send loop changing shape.

pub mod batch;
mod codec;
mod colour;
mod encoder;
mod indexed;
#[cfg(test)]
mod mode_tests;
#[cfg(test)]
mod move_tests;
mod scroll;
#[cfg(test)]
mod tests;
pub mod video;

pub use colour::ColourMode;
pub use encoder::{
    EncodeError, EncodeOutcome, TileEncoder, DEFAULT_LOSSY_QUALITY, DEFAULT_MAX_BATCH_BYTES,
    MIN_MAX_BATCH_BYTES, TILE_SIZE,
};

/// What the capture knows about where a frame differs from the one before it.
/// The encoder compares only the tiles that may have changed: with X DAMAGE a
/// still screen costs no comparison and a typed character costs one tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// Anything may have changed (no damage tracking, or the first frame).
    Unknown,
    /// Nothing changed.
    Nothing,
    /// Changes, if any, lie inside this rectangle.
    Within {
        x: u16,
        y: u16,
        width: u16,
        height: u16,
    },
}

impl Damage {
    /// Whether the rectangle may hold a change.
    pub(crate) fn touches(&self, x: u16, y: u16, width: u16, height: u16) -> bool {
        match *self {
            Damage::Unknown => true,
            Damage::Nothing => false,
            Damage::Within {
                x: dx,
                y: dy,
                width: dw,
                height: dh,
            } => {
                let (left, top) = (u32::from(x), u32::from(y));
                let (right, bottom) = (left + u32::from(width), top + u32::from(height));
                let (d_left, d_top) = (u32::from(dx), u32::from(dy));
                let (d_right, d_bottom) = (d_left + u32::from(dw), d_top + u32::from(dh));
                left < d_right && d_left < right && top < d_bottom && d_top < bottom
            }
        }
    }
}

/// Bytes per pixel in a [`Frame`].
pub const BYTES_PER_PIXEL: usize = 4;

/// One captured screen image.
///
/// Pixels are 32 bits in the X11 ZPixmap little-endian layout of a 24/32-bit
/// TrueColor visual: bytes B, G, R, X, where X is padding whose value is
/// undefined. Rows are `stride` bytes apart, which may exceed `width * 4`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    pub width: u16,
    pub height: u16,
    pub stride: usize,
    pub data: Vec<u8>,
}

impl Frame {
    /// A black frame of the given size with tightly packed rows.
    pub fn new(width: u16, height: u16) -> Self {
        let stride = usize::from(width) * BYTES_PER_PIXEL;
        Self {
            width,
            height,
            stride,
            data: vec![0; stride * usize::from(height)],
        }
    }

    /// The (R, G, B) colour at `(x, y)`, or `None` outside the frame or buffer.
    pub fn rgb_at(&self, x: u16, y: u16) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let at = usize::from(y) * self.stride + usize::from(x) * BYTES_PER_PIXEL;
        let px = self.data.get(at..at + 3)?;
        Some([px[2], px[1], px[0]])
    }

    /// Sets the pixel at `(x, y)` to `rgb`; does nothing outside the frame.
    pub fn set_rgb(&mut self, x: u16, y: u16, rgb: [u8; 3]) {
        if x >= self.width || y >= self.height {
            return;
        }
        let at = usize::from(y) * self.stride + usize::from(x) * BYTES_PER_PIXEL;
        if let Some(px) = self.data.get_mut(at..at + BYTES_PER_PIXEL) {
            px.copy_from_slice(&[rgb[2], rgb[1], rgb[0], 0]);
        }
    }

    /// Checks that the size, stride and buffer agree, so the encoder can index
    /// rows without bounds surprises.
    pub(crate) fn validate(&self) -> Result<(), EncodeError> {
        if self.width == 0 || self.height == 0 {
            return Err(EncodeError::EmptyFrame {
                width: self.width,
                height: self.height,
            });
        }
        let row = usize::from(self.width) * BYTES_PER_PIXEL;
        if self.stride < row {
            return Err(EncodeError::StrideTooSmall {
                stride: self.stride,
                row,
            });
        }
        // The last row needs only its pixels, not a full stride.
        let needed = self.stride * (usize::from(self.height) - 1) + row;
        if self.data.len() < needed {
            return Err(EncodeError::BufferTooSmall {
                actual: self.data.len(),
                needed,
            });
        }
        Ok(())
    }

    /// The bytes of row `y` from column `x`, `w` pixels long. Callers pass
    /// rectangles inside a validated frame.
    pub(crate) fn row(&self, x: u16, y: u16, w: u16) -> &[u8] {
        let start = usize::from(y) * self.stride + usize::from(x) * BYTES_PER_PIXEL;
        &self.data[start..start + usize::from(w) * BYTES_PER_PIXEL]
    }
}

#[cfg(test)]
mod frame_tests {
    use super::*;

    #[test]
    fn validate_rejects_inconsistent_frames() {
        let mut frame = Frame::new(10, 10);
        assert!(frame.validate().is_ok());
        frame.stride = 39;
        assert!(matches!(
            frame.validate(),
            Err(EncodeError::StrideTooSmall { .. })
        ));
        frame.stride = 40;
        frame.data.truncate(399);
        assert!(matches!(
            frame.validate(),
            Err(EncodeError::BufferTooSmall { .. })
        ));
        assert!(matches!(
            Frame::new(0, 5).validate(),
            Err(EncodeError::EmptyFrame { .. })
        ));
    }

    #[test]
    fn pixel_accessors_use_bgrx_layout() {
        let mut frame = Frame::new(2, 2);
        frame.set_rgb(1, 1, [10, 20, 30]);
        assert_eq!(&frame.data[12..16], &[30, 20, 10, 0]);
        assert_eq!(frame.rgb_at(1, 1), Some([10, 20, 30]));
        assert_eq!(frame.rgb_at(2, 0), None);
    }
}
