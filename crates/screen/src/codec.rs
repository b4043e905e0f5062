//! Tile codecs: turns the pixels of one tile into the bytes of one tile record
//! and back.
//!
//! Owns the choice between SOLID, PNG, INDEXED and JPEG, and their settings. It must not know
//! about diffing or batch limits (that is the encoder) nor parse batches (that is
//! [`crate::batch`]).

use crate::batch::{TileEncoding, TILE_HEADER_LEN};
use crate::encoder::{EncodeError, TileRect};
use crate::indexed::Palette;
use crate::Frame;

/// PNG row filter. Measured on the 510 tiles of 1920×1080 xterm screens with
/// fast (fdeflate) compression, Up beat Sub on both time and size (dense
/// antialiased text: 9.1 ms / 2.30 MB against 9.9 ms / 2.80 MB; bitmap-font
/// listing: 3.6 ms / 298 kB against 4.1 ms / 323 kB), while the adaptive
/// heuristic, which tries every filter on every row, was 14% smaller but 55%
/// slower. Text repeats vertically (glyph columns, indentation) more than it
/// continues horizontally.
const PNG_FILTER: png::Filter = png::Filter::Up;

/// Appends a COPY tile record: `rect` is painted from (`src_x`, `src_y`) of the
/// picture the receiver held before the batch.
pub(crate) fn write_copy(out: &mut Vec<u8>, rect: TileRect, src_x: u16, src_y: u16) {
    for value in [rect.x, rect.y, rect.w, rect.h] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    out.push(TileEncoding::Copy as u8);
    out.extend_from_slice(&4u32.to_be_bytes());
    out.extend_from_slice(&src_x.to_be_bytes());
    out.extend_from_slice(&src_y.to_be_bytes());
}

/// Appends one tile record (header and data) for `rect` of `frame` to `out`:
/// SOLID for one colour, else INDEXED when the tile has at most 256 colours
/// (text and UI: lossless, and a third to a half of PNG's bytes on text),
/// else PNG, or JPEG at `lossy_quality` when given and the pixels look like a
/// photo. Returns the encoding chosen.
/// `rgb` and `palette` are scratch space reused between tiles.
pub(crate) fn write_tile(
    out: &mut Vec<u8>,
    frame: &Frame,
    rect: TileRect,
    rgb: &mut Vec<u8>,
    lossy_quality: Option<u8>,
    palette: &mut Palette,
) -> Result<TileEncoding, EncodeError> {
    let header_at = out.len();
    out.extend_from_slice(&rect.x.to_be_bytes());
    out.extend_from_slice(&rect.y.to_be_bytes());
    out.extend_from_slice(&rect.w.to_be_bytes());
    out.extend_from_slice(&rect.h.to_be_bytes());
    let encoding_at = out.len();
    out.push(0);
    let len_at = out.len();
    out.extend_from_slice(&[0; 4]);
    debug_assert_eq!(out.len() - header_at, TILE_HEADER_LEN);

    let encoding = if let Some(colour) = solid_colour(frame, rect) {
        out.extend_from_slice(&colour);
        TileEncoding::Solid
    } else if palette.build(frame, rect) {
        palette.write_png(out, rect)?;
        TileEncoding::Indexed
    } else {
        bgrx_to_rgb(frame, rect, rgb);
        match lossy_quality.filter(|_| photo_like(rect, rgb)) {
            Some(quality) => {
                write_jpeg(out, rect, rgb, quality)?;
                TileEncoding::Jpeg
            }
            None => {
                write_png(out, rect, rgb)?;
                TileEncoding::Png
            }
        }
    };
    out[encoding_at] = encoding as u8;
    let len = out.len() - len_at - 4;
    let len = u32::try_from(len).map_err(|_| EncodeError::TileTooLarge(len))?;
    out[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
    Ok(encoding)
}

/// Appends a JPEG tile record for `rect` of `frame` (a strip of several tiles).
pub(crate) fn write_jpeg_record(
    out: &mut Vec<u8>,
    frame: &Frame,
    rect: TileRect,
    rgb: &mut Vec<u8>,
    quality: u8,
) -> Result<(), EncodeError> {
    for value in [rect.x, rect.y, rect.w, rect.h] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    out.push(TileEncoding::Jpeg as u8);
    let len_at = out.len();
    out.extend_from_slice(&[0; 4]);
    bgrx_to_rgb(frame, rect, rgb);
    write_jpeg(out, rect, rgb, quality)?;
    let len = out.len() - len_at - 4;
    let len = u32::try_from(len).map_err(|_| EncodeError::TileTooLarge(len))?;
    out[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

fn write_jpeg(
    out: &mut Vec<u8>,
    rect: TileRect,
    rgb: &[u8],
    quality: u8,
) -> Result<(), EncodeError> {
    jpeg_encoder::Encoder::new(out, quality)
        .encode(rgb, rect.w, rect.h, jpeg_encoder::ColorType::Rgb)
        .map_err(|err| EncodeError::Jpeg(err.to_string()))
}

/// Whether `rect` of `frame` looks like a photo (`rgb` is scratch space).
pub(crate) fn photo_like_at(frame: &Frame, rect: TileRect, rgb: &mut Vec<u8>) -> bool {
    bgrx_to_rgb(frame, rect, rgb);
    photo_like(rect, rgb)
}

/// Distinct colours above which a region looks like a photo or video rather
/// than text and UI (anti-aliased text has a few dozen shades per tile).
const PHOTO_COLOURS: usize = 256;
/// Regions smaller than this (pixels) stay lossless: JPEG's headers cost more.
const MIN_LOSSY_PIXELS: usize = 32 * 32;

/// Whether `rgb` (the pixels of `rect`) has many colours, as photos do.
fn photo_like(rect: TileRect, rgb: &[u8]) -> bool {
    if usize::from(rect.w) * usize::from(rect.h) < MIN_LOSSY_PIXELS {
        return false;
    }
    let mut seen = std::collections::HashSet::with_capacity(PHOTO_COLOURS + 1);
    rgb.chunks_exact(3).any(|px| {
        seen.insert([px[0], px[1], px[2]]);
        seen.len() > PHOTO_COLOURS
    })
}

/// The tile's colour as (R, G, B) when every pixel has it. The X padding byte
/// is ignored: its value is undefined in captured images.
fn solid_colour(frame: &Frame, rect: TileRect) -> Option<[u8; 3]> {
    let first = frame.row(rect.x, rect.y, 1);
    let (b, g, r) = (first[0], first[1], first[2]);
    for y in rect.y..rect.y + rect.h {
        let same = frame
            .row(rect.x, y, rect.w)
            .chunks_exact(4)
            .all(|px| px[0] == b && px[1] == g && px[2] == r);
        if !same {
            return None;
        }
    }
    Some([r, g, b])
}

fn bgrx_to_rgb(frame: &Frame, rect: TileRect, rgb: &mut Vec<u8>) {
    let row_len = usize::from(rect.w) * 3;
    // Every byte is overwritten below; sizing first lets the loop index
    // fixed-size chunks, which the compiler vectorises.
    rgb.resize(row_len * usize::from(rect.h), 0);
    for (y, dst_row) in (rect.y..).zip(rgb.chunks_exact_mut(row_len)) {
        let src_row = frame.row(rect.x, y, rect.w);
        for (dst, src) in dst_row.chunks_exact_mut(3).zip(src_row.chunks_exact(4)) {
            dst[0] = src[2];
            dst[1] = src[1];
            dst[2] = src[0];
        }
    }
}

fn write_png(out: &mut Vec<u8>, rect: TileRect, rgb: &[u8]) -> Result<(), png::EncodingError> {
    let mut encoder = png::Encoder::new(out, u32::from(rect.w), u32::from(rect.h));
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_deflate_compression(png::DeflateCompression::FdeflateUltraFast);
    encoder.set_filter(PNG_FILTER);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()
}

/// Decodes a PNG tile body into `w * h` RGB pixels, refusing anything that is
/// not exactly an 8-bit RGB image of the announced size.
pub(crate) fn decode_png(
    data: &[u8],
    w: u16,
    h: u16,
) -> Result<Vec<u8>, crate::batch::DecodeError> {
    use crate::batch::DecodeError;
    let expected = usize::from(w) * usize::from(h) * 3;
    // Bounds what a hostile PNG can make the decoder allocate: the pixels plus
    // room for the inflate window and row buffers.
    let limits = png::Limits {
        bytes: expected + 256 * 1024,
    };
    let decoder = png::Decoder::new_with_limits(std::io::Cursor::new(data), limits);
    let mut reader = decoder.read_info()?;
    let info = reader.info();
    if info.width != u32::from(w)
        || info.height != u32::from(h)
        || info.color_type != png::ColorType::Rgb
        || info.bit_depth != png::BitDepth::Eight
        || info.interlaced
    {
        return Err(DecodeError::PngFormat {
            width: info.width,
            height: info.height,
        });
    }
    let size = reader.output_buffer_size().ok_or(DecodeError::PngFormat {
        width: u32::from(w),
        height: u32::from(h),
    })?;
    let mut rgb = vec![0; size];
    reader.next_frame(&mut rgb)?;
    rgb.truncate(expected);
    Ok(rgb)
}

/// Decodes a JPEG tile body into `w * h` RGB pixels, refusing any other size.
pub(crate) fn decode_jpeg(
    data: &[u8],
    w: u16,
    h: u16,
) -> Result<Vec<u8>, crate::batch::DecodeError> {
    use crate::batch::DecodeError;
    let options = zune_jpeg::zune_core::options::DecoderOptions::default()
        .jpeg_set_out_colorspace(zune_jpeg::zune_core::colorspace::ColorSpace::RGB)
        .set_max_width(usize::from(w))
        .set_max_height(usize::from(h));
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(data, options);
    let rgb = decoder
        .decode()
        .map_err(|err| DecodeError::Jpeg(err.to_string()))?;
    if rgb.len() != usize::from(w) * usize::from(h) * 3 {
        return Err(DecodeError::Jpeg(format!(
            "{} bytes of pixels for a {w}x{h} tile",
            rgb.len()
        )));
    }
    Ok(rgb)
}
