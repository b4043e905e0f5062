//! The MeshCentral approach to screens, rebuilt for the side-by-side benchmark:
//! the screen cut into 32×32 tiles, a tile skipped when its CRC-32 equals the
//! previous frame's, and the changed tiles of each tile row merged into runs,
//! each run sent as one JPEG at quality 50 (MeshCentral's default; its agent
//! uses libjpeg with 4:2:0 chroma, as `jpeg-encoder` does by default).
//!
//! Output layout (bench-internal): per run `x, y, w, h: u16`, `len: u32`, then
//! `len` bytes of JPEG, all big-endian.

use anyhow::{bail, Context, Result};
use jpeg_encoder::{ColorType, Encoder};
use reach_screen::Frame;

use super::screen::Approach;

const TILE: usize = 32;

pub struct JpegTiles {
    quality: u8,
    /// CRC-32 of each tile of the previous frame, row by row (None: never sent).
    crcs: Vec<Option<u32>>,
    size: (u16, u16),
    rgb: Vec<u8>,
}

impl JpegTiles {
    pub fn new(quality: u8) -> Self {
        Self {
            quality,
            crcs: Vec::new(),
            size: (0, 0),
            rgb: Vec::new(),
        }
    }
}

impl Approach for JpegTiles {
    fn name(&self) -> &'static str {
        "meshcentral"
    }

    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> Result<()> {
        let (width, height) = (usize::from(frame.width), usize::from(frame.height));
        let (cols, rows) = (width.div_ceil(TILE), height.div_ceil(TILE));
        if self.size != (frame.width, frame.height) {
            self.size = (frame.width, frame.height);
            // The first frame (and a resize) sends every tile.
            self.crcs = vec![None; cols * rows];
        }
        for row in 0..rows {
            let mut run_start: Option<usize> = None;
            for col in 0..=cols {
                let changed = col < cols && {
                    let crc = tile_crc(frame, col, row);
                    let slot = &mut self.crcs[row * cols + col];
                    let changed = *slot != Some(crc);
                    *slot = Some(crc);
                    changed
                };
                match (changed, run_start) {
                    (true, None) => run_start = Some(col),
                    (false, Some(start)) => {
                        self.write_run(frame, start, col, row, out)?;
                        run_start = None;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn paint(&mut self, mut bytes: &[u8], picture: &mut Vec<u8>) -> Result<()> {
        let (width, height) = (usize::from(self.size.0), usize::from(self.size.1));
        picture.resize(width * height * 3, 0);
        while !bytes.is_empty() {
            let header = bytes.get(..12).context("truncated run header")?;
            let field = |i: usize| usize::from(u16::from_be_bytes([header[i], header[i + 1]]));
            let (x, y, w, h) = (field(0), field(2), field(4), field(6));
            let len = u32::from_be_bytes([header[8], header[9], header[10], header[11]]) as usize;
            let jpeg = bytes.get(12..12 + len).context("truncated JPEG")?;
            let mut decoder = zune_jpeg::JpegDecoder::new(jpeg);
            let pixels = decoder.decode().context("decoding a JPEG run")?;
            if pixels.len() != w * h * 3 || x + w > width || y + h > height {
                bail!("a JPEG run of the wrong size");
            }
            for (line, src) in pixels.chunks_exact(w * 3).enumerate() {
                let at = ((y + line) * width + x) * 3;
                picture[at..at + w * 3].copy_from_slice(src);
            }
            bytes = &bytes[12 + len..];
        }
        Ok(())
    }
}

impl JpegTiles {
    /// Encodes tiles `start..end` of tile row `row` as one JPEG.
    fn write_run(
        &mut self,
        frame: &Frame,
        start: usize,
        end: usize,
        row: usize,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let (width, height) = (usize::from(frame.width), usize::from(frame.height));
        let x = start * TILE;
        let y = row * TILE;
        let w = (end * TILE).min(width) - x;
        let h = TILE.min(height - y);
        self.rgb.clear();
        for line in y..y + h {
            let offset = line * frame.stride + x * 4;
            for px in frame.data[offset..offset + w * 4].chunks_exact(4) {
                self.rgb.extend_from_slice(&[px[2], px[1], px[0]]);
            }
        }
        let mut jpeg = Vec::new();
        let to_u16 = |v: usize| u16::try_from(v).context("a run outside u16");
        Encoder::new(&mut jpeg, self.quality)
            .encode(&self.rgb, to_u16(w)?, to_u16(h)?, ColorType::Rgb)
            .context("encoding a JPEG run")?;
        for value in [x, y, w, h] {
            out.extend_from_slice(&to_u16(value)?.to_be_bytes());
        }
        out.extend_from_slice(&u32::try_from(jpeg.len())?.to_be_bytes());
        out.extend_from_slice(&jpeg);
        Ok(())
    }
}

/// CRC-32 of one 32×32 tile's pixels (the padding byte included, as MeshCentral
/// hashes the captured buffer).
fn tile_crc(frame: &Frame, col: usize, row: usize) -> u32 {
    let (width, height) = (usize::from(frame.width), usize::from(frame.height));
    let x = col * TILE;
    let y = row * TILE;
    let w = TILE.min(width.saturating_sub(x));
    let h = TILE.min(height.saturating_sub(y));
    let mut hasher = crc32fast::Hasher::new();
    for line in y..y + h {
        let offset = line * frame.stride + x * 4;
        hasher.update(&frame.data[offset..offset + w * 4]);
    }
    hasher.finalize()
}
