//! The INDEXED tile codec: a PNG with a palette (colour type 3) holding only the
//! colours the tile uses, at 1, 2, 4 or 8 bits per pixel. Every tile of at most
//! 256 colours is sent this way, in every mode: it is lossless, and text and UI
//! tiles (a few dozen colours of anti-aliasing) take a third to a half of an RGB
//! PNG's bytes. The reduced colour modes make most tiles qualify (black and
//! white is 1 bit per pixel). Browsers decode it natively with `createImageBitmap`.
//!
//! Owns building the palette, packing the indices and checking a received tile
//! strictly. It must not choose when to use it (that is [`crate::codec`]).

use crate::batch::DecodeError;
use crate::encoder::TileRect;
use crate::{Frame, BYTES_PER_PIXEL};

/// Most colours a palette holds (8 bits per index).
pub const MAX_PALETTE: usize = 256;

/// Slots of the colour table: four times [`MAX_PALETTE`] keeps probe runs short.
const TABLE_SLOTS: usize = 1024;
/// Marks a used slot (colours are 24 bits).
const USED: u32 = 1 << 24;

/// Compression of the deflate stream: zlib level 3 (flate2). Measured on the
/// 1920×1080 corpus (docs/BENCHMARKS.md): fdeflate (the RGB tiles' compressor,
/// tuned for filtered 8-bit RGB rows) gains nothing on packed indices (typing
/// 1 541 bytes per frame against 1 543 as RGB PNG), while level 3 takes typing
/// to 752, man-scroll from 28 257 to 17 258 and browser from 44 187 to 19 620.
/// Level 6 is 1 % smaller and slower; level 1 is 3 % larger and no faster where
/// it matters (a whole new screen, where the palette scan costs as much).
const COMPRESSION: png::DeflateCompression = png::DeflateCompression::Level(3);

/// Reusable state for building one tile's palette and indices.
#[derive(Debug)]
pub(crate) struct Palette {
    /// Open-addressing table: colour | USED, or 0 when free.
    keys: Vec<u32>,
    values: Vec<u8>,
    /// The palette, R, G, B per entry, in order of first use.
    pub rgb: Vec<u8>,
    /// One index per pixel, row by row.
    pub indices: Vec<u8>,
}

impl Default for Palette {
    fn default() -> Self {
        Self {
            keys: vec![0; TABLE_SLOTS],
            values: vec![0; TABLE_SLOTS],
            rgb: Vec::with_capacity(MAX_PALETTE * 3),
            indices: Vec::new(),
        }
    }
}

impl Palette {
    /// Builds the palette and indices of `rect` of `frame`; false when the
    /// tile has more than [`MAX_PALETTE`] colours.
    pub fn build(&mut self, frame: &Frame, rect: TileRect) -> bool {
        self.keys.fill(0);
        self.rgb.clear();
        self.indices.clear();
        let mut last = (u32::MAX, 0u8);
        for y in rect.y..rect.y + rect.h {
            for px in frame.row(rect.x, y, rect.w).chunks_exact(BYTES_PER_PIXEL) {
                let colour = u32::from(px[2]) << 16 | u32::from(px[1]) << 8 | u32::from(px[0]);
                if colour != last.0 {
                    let Some(index) = self.index_of(colour) else {
                        return false;
                    };
                    last = (colour, index);
                }
                self.indices.push(last.1);
            }
        }
        true
    }

    fn index_of(&mut self, colour: u32) -> Option<u8> {
        let key = colour | USED;
        let mut slot = (colour.wrapping_mul(0x9E37_79B1) >> 22) as usize % TABLE_SLOTS;
        loop {
            match self.keys[slot] {
                0 => {
                    let count = self.rgb.len() / 3;
                    if count == MAX_PALETTE {
                        return None;
                    }
                    self.keys[slot] = key;
                    // count < 256 here.
                    self.values[slot] = count as u8;
                    self.rgb.extend_from_slice(&[
                        (colour >> 16) as u8,
                        (colour >> 8) as u8,
                        colour as u8,
                    ]);
                    return Some(self.values[slot]);
                }
                used if used == key => return Some(self.values[slot]),
                _ => slot = (slot + 1) % TABLE_SLOTS,
            }
        }
    }

    /// Appends the PNG of the palette and indices built for `rect`.
    pub fn write_png(&self, out: &mut Vec<u8>, rect: TileRect) -> Result<(), png::EncodingError> {
        let colours = self.rgb.len() / 3;
        let (depth, bits) = match colours {
            0..=2 => (png::BitDepth::One, 1),
            3..=4 => (png::BitDepth::Two, 2),
            5..=16 => (png::BitDepth::Four, 4),
            _ => (png::BitDepth::Eight, 8),
        };
        let mut encoder = png::Encoder::new(out, u32::from(rect.w), u32::from(rect.h));
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(depth);
        encoder.set_palette(self.rgb.as_slice());
        encoder.set_deflate_compression(COMPRESSION);
        // Filters predict smooth gradients; indices are not ordered by colour.
        encoder.set_filter(png::Filter::NoFilter);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pack(&self.indices, usize::from(rect.w), bits))?;
        writer.finish()
    }
}

/// Packs one index per byte into rows of `bits`-bit indices, most significant
/// bits first, each row starting on a byte (the PNG layout).
fn pack(indices: &[u8], width: usize, bits: usize) -> Vec<u8> {
    if bits == 8 {
        return indices.to_vec();
    }
    let per_byte = 8 / bits;
    let row_bytes = width.div_ceil(per_byte);
    let mut packed = Vec::with_capacity(row_bytes * indices.len() / width.max(1));
    for row in indices.chunks(width.max(1)) {
        for group in row.chunks(per_byte) {
            let mut byte = 0u8;
            for (slot, index) in group.iter().enumerate() {
                byte |= index << (8 - bits * (slot + 1));
            }
            packed.push(byte);
        }
    }
    packed
}

/// Decodes an INDEXED tile body into `w * h` RGB pixels. Refuses anything but a
/// non-interlaced palette PNG of exactly that size, without transparency, whose
/// every index names an entry of its palette.
pub(crate) fn decode(data: &[u8], w: u16, h: u16) -> Result<Vec<u8>, DecodeError> {
    let pixels = usize::from(w) * usize::from(h);
    let limits = png::Limits {
        bytes: pixels + 256 * 1024,
    };
    let mut decoder = png::Decoder::new_with_limits(std::io::Cursor::new(data), limits);
    // Raw indices: the palette lookup is done here, with a bounds check.
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info()?;
    let info = reader.info();
    let bits = match info.bit_depth {
        png::BitDepth::One => 1,
        png::BitDepth::Two => 2,
        png::BitDepth::Four => 4,
        png::BitDepth::Eight => 8,
        png::BitDepth::Sixteen => 16,
    };
    let (width, height) = (info.width, info.height);
    let palette = info.palette.as_deref().unwrap_or_default().to_vec();
    if info.width != u32::from(w)
        || info.height != u32::from(h)
        || info.color_type != png::ColorType::Indexed
        || bits == 16
        || info.interlaced
        || info.trns.is_some()
        || palette.is_empty()
    {
        return Err(DecodeError::IndexedFormat {
            width: info.width,
            height: info.height,
        });
    }
    let size = reader
        .output_buffer_size()
        .ok_or(DecodeError::IndexedFormat { width, height })?;
    let mut packed = vec![0; size];
    let frame = reader.next_frame(&mut packed)?;
    let row_bytes = frame.line_size;
    let colours = palette.len() / 3;
    let mut rgb = Vec::with_capacity(pixels * 3);
    for row in packed.chunks(row_bytes).take(usize::from(h)) {
        for x in 0..usize::from(w) {
            let bit = x * bits;
            let byte = row.get(bit / 8).copied().unwrap_or(0);
            let index = usize::from((byte >> (8 - bits - bit % 8)) & ((1u16 << bits) - 1) as u8);
            if index >= colours {
                return Err(DecodeError::PaletteIndex { index, colours });
            }
            rgb.extend_from_slice(&palette[index * 3..index * 3 + 3]);
        }
    }
    if rgb.len() != pixels * 3 {
        return Err(DecodeError::IndexedFormat { width, height });
    }
    Ok(rgb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(w: u16, h: u16) -> TileRect {
        TileRect { x: 0, y: 0, w, h }
    }

    /// A frame using `colours` distinct colours, in stripes of varying width.
    fn frame_with(colours: u32, w: u16, h: u16) -> Frame {
        let mut frame = Frame::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let c = (u32::from(x) * 7 + u32::from(y) * 3) % colours;
                frame.set_rgb(x, y, [(c * 37) as u8, (c * 91 % 256) as u8, (c / 3) as u8]);
            }
        }
        frame
    }

    #[test]
    fn round_trips_at_every_depth_and_odd_widths() {
        for (colours, depth_byte) in [(2, 1), (3, 2), (4, 2), (9, 4), (16, 4), (17, 8), (256, 8)] {
            for (w, h) in [(64, 64), (13, 5), (1, 1), (63, 2)] {
                let frame = frame_with(colours, w, h);
                let mut palette = Palette::default();
                assert!(palette.build(&frame, rect(w, h)));
                let mut png = Vec::new();
                palette.write_png(&mut png, rect(w, h)).unwrap();
                if w * h >= 256 {
                    assert_eq!(png[24], depth_byte, "{colours} colours");
                    assert_eq!(png[25], 3, "colour type 3");
                }
                let rgb = decode(&png, w, h).unwrap();
                let mut want = Vec::new();
                for y in 0..h {
                    for x in 0..w {
                        want.extend_from_slice(&frame.rgb_at(x, y).unwrap());
                    }
                }
                assert_eq!(rgb, want, "{colours} colours at {w}x{h}");
            }
        }
    }

    #[test]
    fn more_than_256_colours_do_not_fit() {
        let frame = frame_with(257, 64, 64);
        assert!(!Palette::default().build(&frame, rect(64, 64)));
    }

    #[test]
    fn hostile_pngs_are_refused() {
        let frame = frame_with(3, 8, 8);
        let mut palette = Palette::default();
        palette.build(&frame, rect(8, 8));
        let mut png = Vec::new();
        palette.write_png(&mut png, rect(8, 8)).unwrap();
        assert!(matches!(
            decode(&png, 8, 9),
            Err(DecodeError::IndexedFormat { .. })
        ));
        assert!(decode(&png[..png.len() - 20], 8, 8).is_err());
        assert!(decode(b"not a png", 8, 8).is_err());

        // An index past the palette: 2 entries, every index 3.
        let mut short = Vec::new();
        let mut encoder = png::Encoder::new(&mut short, 8, 8);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Two);
        encoder.set_palette(vec![0u8, 0, 0, 255, 255, 255]);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&[0xff; 16])
            .unwrap();
        assert!(matches!(
            decode(&short, 8, 8),
            Err(DecodeError::PaletteIndex {
                index: 3,
                colours: 2
            })
        ));

        // An RGB PNG is not an indexed tile.
        let mut rgb_png = Vec::new();
        let mut encoder = png::Encoder::new(&mut rgb_png, 8, 8);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&[0; 8 * 8 * 3])
            .unwrap();
        assert!(matches!(
            decode(&rgb_png, 8, 8),
            Err(DecodeError::IndexedFormat { .. })
        ));

        // Transparency is not part of the format.
        let mut with_trns = Vec::new();
        let mut encoder = png::Encoder::new(&mut with_trns, 8, 8);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(vec![0u8, 0, 0]);
        encoder.set_trns(vec![0u8]);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&[0; 64])
            .unwrap();
        assert!(matches!(
            decode(&with_trns, 8, 8),
            Err(DecodeError::IndexedFormat { .. })
        ));
    }
}
