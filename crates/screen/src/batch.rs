//! The "screen tiles" batch: the payload of a `ScreenTiles` bulk frame.
//!
//! Owns the byte layout and its parser. It must not decide which tiles to send
//! (that is the encoder) and must never panic or allocate without bound on
//! hostile input: every length is checked against the bytes actually present.
//!
//! Layout, all integers big-endian:
//!
//! ```text
//! seq: u32          frame sequence number, echoed by the console's FrameAck
//! flags: u8         reach_proto::frame::screen_flags: KEY_START, KEY_END, REPLAY
//! width: u16        full screen width in pixels
//! height: u16       full screen height in pixels
//! tile_count: u16
//! tile_count times:
//!   x: u16, y: u16  top-left corner of the tile on the screen
//!   w: u16, h: u16  tile size, each 1..=64 (JPEG: w up to 1024, a strip of
//!                   tiles), the tile lying inside the screen
//!   encoding: u8    1 = PNG, 2 = SOLID, 3 = COPY, 4 = JPEG
//!   len: u32        byte length of data
//!   data: [u8; len]
//! ```
//!
//! Encodings:
//! - `1` PNG: a complete PNG file, 8-bit RGB (no alpha), not interlaced, of
//!   exactly `w`×`h` pixels.
//! - `2` SOLID: 3 bytes R, G, B; every pixel of the tile has that colour.
//! - `3` COPY: `src_x: u16, src_y: u16`; the tile's pixels are the `w`×`h`
//!   pixels at (src_x, src_y) of the picture *as it was before this batch*
//!   (what a scroll or a moved window reuses). The source lies inside the screen.
//!   The encoder puts copies first, but receivers must copy from the earlier
//!   picture whatever the order.
//! - `4` JPEG: a baseline JPEG file of exactly `w`×`h` pixels, for regions that
//!   look like a photo or video and keep changing; the encoder sends them again
//!   losslessly once they are still.
//!
//! A batch with a new `width`/`height` means the screen was resized: the
//! receiver resizes its picture, and the batch starts a full picture.
//!
//! Full pictures: the batches from one marked `KEY_START` to the one marked
//! `KEY_END` (often the same batch) hold every cell and copy nothing from an
//! earlier picture, so a receiver that has no picture (it joined late, fell
//! behind, or dropped a corrupt batch) can start from them. `REPLAY` marks a full
//! picture that repeats what the encoder sent before, for such receivers only.

use thiserror::Error;

use reach_proto::frame::screen_flags;

use crate::{codec, TILE_SIZE};

/// Bytes before the first tile record.
pub const BATCH_HEADER_LEN: usize = 11;
/// Bytes of a tile record before its data.
pub const TILE_HEADER_LEN: usize = 13;

/// How a tile's data is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum TileEncoding {
    /// A PNG file, 8-bit RGB.
    Png = 1,
    /// One colour, 3 bytes R, G, B.
    Solid = 2,
    /// Pixels of the previous picture, from 2 × u16 source coordinates.
    Copy = 3,
    /// A JPEG file (lossy), for photo-like regions that keep changing.
    Jpeg = 4,
}

impl TileEncoding {
    /// The encoding for a wire byte, if known.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::Png),
            2 => Some(Self::Solid),
            3 => Some(Self::Copy),
            4 => Some(Self::Jpeg),
            _ => None,
        }
    }
}

/// A batch that failed to parse or decode.
#[derive(Debug, Error)]
pub enum DecodeError {
    /// The payload ends inside a field.
    #[error("batch truncated: {needed} bytes needed at offset {offset}, {available} left")]
    Truncated {
        offset: usize,
        needed: usize,
        available: usize,
    },
    /// The flags byte has bits this version does not define.
    #[error("unknown batch flags {0:#04x}")]
    UnknownFlags(u8),
    /// Bytes remain after the last tile.
    #[error("{0} unexpected bytes after the last tile")]
    TrailingBytes(usize),
    /// The encoding byte is not one this version knows.
    #[error("unknown tile encoding {0}")]
    UnknownEncoding(u8),
    /// The tile is empty, larger than a tile may be, or not inside the screen.
    #[error("tile {w}x{h} at ({x},{y}) does not fit a {screen_w}x{screen_h} screen")]
    BadTileRect {
        x: u16,
        y: u16,
        w: u16,
        h: u16,
        screen_w: u16,
        screen_h: u16,
    },
    /// A SOLID tile whose data is not 3 bytes.
    #[error("solid tile data is {0} bytes, expected 3")]
    BadSolidLength(usize),
    /// A COPY tile whose data is not 4 bytes, or whose source leaves the screen.
    #[error("copy tile source is {0} bytes or lies outside the screen")]
    BadCopySource(usize),
    /// The PNG data is not a valid PNG.
    #[error("tile PNG is invalid: {0}")]
    Png(#[from] png::DecodingError),
    /// The JPEG data is invalid or not of the tile's size.
    #[error("tile JPEG is invalid: {0}")]
    Jpeg(String),
    /// The PNG is valid but not the 8-bit RGB image of the tile's size.
    #[error("tile PNG is {width}x{height} or not 8-bit RGB")]
    PngFormat { width: u32, height: u32 },
}

/// A parsed batch with its tiles decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBatch {
    pub seq: u32,
    /// `reach_proto::frame::screen_flags` bits.
    pub flags: u8,
    pub width: u16,
    pub height: u16,
    pub tiles: Vec<DecodedTile>,
}

/// One decoded tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedTile {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
    pub encoding: TileEncoding,
    /// `width * height` pixels, 3 bytes R, G, B each, row by row; empty for COPY.
    pub rgb: Vec<u8>,
    /// For COPY: where the pixels come from in the picture before the batch.
    pub copy_from: Option<(u16, u16)>,
}

impl DecodedBatch {
    /// Paints the tiles onto `canvas`, an RGB picture of the whole screen (3
    /// bytes per pixel, no padding). A canvas of another size is first resized
    /// and cleared to black, as a receiver does when the screen size changes.
    pub fn paint(&self, canvas: &mut Vec<u8>) {
        let screen_w = usize::from(self.width);
        let size = screen_w * usize::from(self.height) * 3;
        if canvas.len() != size {
            canvas.clear();
            canvas.resize(size, 0);
        }
        // Copies read the picture as it was before this batch.
        let before = self
            .tiles
            .iter()
            .any(|tile| tile.copy_from.is_some())
            .then(|| canvas.clone());
        for tile in &self.tiles {
            let row_len = usize::from(tile.width) * 3;
            if let (Some((src_x, src_y)), Some(before)) = (tile.copy_from, &before) {
                for row in 0..usize::from(tile.height) {
                    let from = ((usize::from(src_y) + row) * screen_w + usize::from(src_x)) * 3;
                    let to = ((usize::from(tile.y) + row) * screen_w + usize::from(tile.x)) * 3;
                    if let (Some(src), Some(dst)) = (
                        before.get(from..from + row_len),
                        canvas.get_mut(to..to + row_len),
                    ) {
                        dst.copy_from_slice(src);
                    }
                }
                continue;
            }
            for (row, src) in tile.rgb.chunks_exact(row_len).enumerate() {
                let start = ((usize::from(tile.y) + row) * screen_w + usize::from(tile.x)) * 3;
                // Fields are public, so a hand-built tile may not fit: skip it
                // rather than panic.
                if let Some(dst) = canvas.get_mut(start..start + row_len) {
                    dst.copy_from_slice(src);
                }
            }
        }
    }
}

/// Parses `payload` (the bulk frame payload, without its header) and decodes
/// every tile.
pub fn decode(payload: &[u8]) -> Result<DecodedBatch, DecodeError> {
    let mut reader = Reader {
        bytes: payload,
        offset: 0,
    };
    let seq = reader.u32()?;
    let flags = reader.u8()?;
    if flags & !screen_flags::ALL != 0 {
        return Err(DecodeError::UnknownFlags(flags));
    }
    let width = reader.u16()?;
    let height = reader.u16()?;
    let count = reader.u16()?;
    let mut tiles = Vec::with_capacity(usize::from(count).min(payload.len() / TILE_HEADER_LEN));
    for _ in 0..count {
        let (x, y, w, h) = (reader.u16()?, reader.u16()?, reader.u16()?, reader.u16()?);
        let encoding_byte = reader.u8()?;
        let len = reader.u32()?;
        let data = reader.take(usize::try_from(len).unwrap_or(usize::MAX))?;
        let encoding = TileEncoding::from_byte(encoding_byte)
            .ok_or(DecodeError::UnknownEncoding(encoding_byte))?;
        let max_w = if encoding == TileEncoding::Jpeg {
            reach_proto::frame::MAX_STRIP_WIDTH
        } else {
            TILE_SIZE
        };
        let inside = u32::from(x) + u32::from(w) <= u32::from(width)
            && u32::from(y) + u32::from(h) <= u32::from(height);
        if w == 0 || h == 0 || w > max_w || h > TILE_SIZE || !inside {
            return Err(DecodeError::BadTileRect {
                x,
                y,
                w,
                h,
                screen_w: width,
                screen_h: height,
            });
        }
        let mut copy_from = None;
        let rgb = match encoding {
            TileEncoding::Png => codec::decode_png(data, w, h)?,
            TileEncoding::Jpeg => codec::decode_jpeg(data, w, h)?,
            TileEncoding::Solid => {
                let colour: [u8; 3] = data
                    .try_into()
                    .map_err(|_| DecodeError::BadSolidLength(data.len()))?;
                colour.repeat(usize::from(w) * usize::from(h))
            }
            TileEncoding::Copy => {
                let source: [u8; 4] = data
                    .try_into()
                    .map_err(|_| DecodeError::BadCopySource(data.len()))?;
                let src_x = u16::from_be_bytes([source[0], source[1]]);
                let src_y = u16::from_be_bytes([source[2], source[3]]);
                if u32::from(src_x) + u32::from(w) > u32::from(width)
                    || u32::from(src_y) + u32::from(h) > u32::from(height)
                {
                    return Err(DecodeError::BadCopySource(data.len()));
                }
                copy_from = Some((src_x, src_y));
                Vec::new()
            }
        };
        tiles.push(DecodedTile {
            x,
            y,
            width: w,
            height: h,
            encoding,
            rgb,
            copy_from,
        });
    }
    if reader.offset != payload.len() {
        return Err(DecodeError::TrailingBytes(payload.len() - reader.offset));
    }
    Ok(DecodedBatch {
        seq,
        flags,
        width,
        height,
        tiles,
    })
}

/// Appends a batch header with a tile count of 0, patched by
/// [`set_tile_count`] once the tiles are known.
pub(crate) fn write_header(out: &mut Vec<u8>, seq: u32, flags: u8, width: u16, height: u16) {
    out.extend_from_slice(&seq.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
}

/// Adds `flags` to those of the batch whose header starts at `batch_start`.
pub(crate) fn add_flags(out: &mut [u8], batch_start: usize, flags: u8) {
    out[batch_start + 4] |= flags;
}

/// Sets the tile count of the batch whose header starts at `batch_start`.
pub(crate) fn set_tile_count(out: &mut [u8], batch_start: usize, count: u16) {
    let at = batch_start + 9;
    out[at..at + 2].copy_from_slice(&count.to_be_bytes());
}

/// A bounds-checked cursor over the payload.
struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, needed: usize) -> Result<&'a [u8], DecodeError> {
        let available = self.bytes.len() - self.offset;
        if needed > available {
            return Err(DecodeError::Truncated {
                offset: self.offset,
                needed,
                available,
            });
        }
        let slice = &self.bytes[self.offset..self.offset + needed];
        self.offset += needed;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
}
