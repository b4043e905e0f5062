//! ZRLE (RFC 6143 §7.7.6) for `reach bench vnc`: inflating a rectangle's share
//! of the connection's zlib stream and decoding its 64×64 tiles (raw, solid,
//! packed palette, plain RLE, palette RLE) for a 32 bpp depth-24 pixel format,
//! where a CPIXEL is 3 bytes. Decoding is bounded by the rectangle's size and
//! fails with an error, never a panic, on malformed data.

use anyhow::{bail, ensure, Context, Result};
use flate2::{Decompress, FlushDecompress};

use super::rfb::{Canvas, Rect};

pub(super) const ZRLE_TILE: usize = 64;

/// The most bytes a well-formed ZRLE rectangle of `w`×`h` inflates to: every
/// tile with a full palette, every pixel a run of one in plain RLE.
pub(super) fn zrle_limit(w: usize, h: usize) -> usize {
    let tiles = w.div_ceil(ZRLE_TILE) * h.div_ceil(ZRLE_TILE);
    tiles * (1 + 127 * 3) + w * h * 4
}

/// Inflates one rectangle's share of the connection's zlib stream into `out`,
/// refusing to produce more than `limit` bytes.
pub(super) fn inflate(
    zlib: &mut Decompress,
    mut input: &[u8],
    limit: usize,
    out: &mut Vec<u8>,
) -> Result<()> {
    out.clear();
    out.reserve(limit + 1);
    while !input.is_empty() {
        let (read, written) = (zlib.total_in(), out.len());
        zlib.decompress_vec(input, out, FlushDecompress::Sync)
            .context("the VNC server sent a corrupt ZRLE zlib stream")?;
        ensure!(
            out.len() <= limit,
            "ZRLE data inflates beyond {limit} bytes"
        );
        let used = usize::try_from(zlib.total_in() - read)?;
        ensure!(
            used > 0 || out.len() > written,
            "the ZRLE zlib stream stopped"
        );
        input = input.get(used..).unwrap_or_default();
    }
    Ok(())
}

/// Unread ZRLE tile data.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        ensure!(len <= self.0.len(), "ZRLE data ends inside a tile");
        let (head, tail) = self.0.split_at(len);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// A 3-byte compressed pixel: B, G, R for our pixel format.
    fn cpixel(&mut self) -> Result<u32> {
        let p = self.take(3)?;
        Ok(u32::from(p[0]) | u32::from(p[1]) << 8 | u32::from(p[2]) << 16)
    }

    fn palette(&mut self, size: u8) -> Result<Vec<u32>> {
        (0..size).map(|_| self.cpixel()).collect()
    }

    /// A run length: bytes summed while they are 255, plus one.
    fn run_length(&mut self) -> Result<usize> {
        let mut len = 1;
        loop {
            let byte = self.u8()?;
            len += usize::from(byte);
            if byte != 255 {
                return Ok(len);
            }
        }
    }
}

/// Paints the inflated ZRLE data of `rect`: 64×64 tiles, row after row.
pub(super) fn paint_zrle(
    data: &[u8],
    rect: Rect,
    tile: &mut Vec<u32>,
    canvas: &mut Canvas,
) -> Result<()> {
    let mut input = Bytes(data);
    for ty in (0..rect.h).step_by(ZRLE_TILE) {
        for tx in (0..rect.w).step_by(ZRLE_TILE) {
            let (w, h) = (ZRLE_TILE.min(rect.w - tx), ZRLE_TILE.min(rect.h - ty));
            decode_tile(&mut input, w, h, tile)?;
            let (x, y) = (rect.x + tx, rect.y + ty);
            canvas.put(Rect { x, y, w, h }, tile);
        }
    }
    ensure!(
        input.0.is_empty(),
        "{} bytes follow the last ZRLE tile",
        input.0.len()
    );
    Ok(())
}

fn decode_tile(input: &mut Bytes, w: usize, h: usize, out: &mut Vec<u32>) -> Result<()> {
    let area = w * h;
    out.clear();
    let push_run = |out: &mut Vec<u32>, pixel: u32, run: usize| -> Result<()> {
        ensure!(run <= area - out.len(), "a ZRLE run overflows its tile");
        out.resize(out.len() + run, pixel);
        Ok(())
    };
    match input.u8()? {
        0 => {
            for _ in 0..area {
                out.push(input.cpixel()?);
            }
        }
        1 => out.resize(area, input.cpixel()?),
        size @ 2..=16 => {
            let palette = input.palette(size)?;
            let bits = match size {
                2 => 1,
                3 | 4 => 2,
                _ => 4,
            };
            for _ in 0..h {
                let row = input.take((w * bits).div_ceil(8))?;
                for x in 0..w {
                    let bit = x * bits;
                    let index = (row[bit / 8] >> (8 - bits - bit % 8)) & ((1 << bits) - 1);
                    out.push(palette_entry(&palette, index)?);
                }
            }
        }
        128 => {
            while out.len() < area {
                let pixel = input.cpixel()?;
                push_run(out, pixel, input.run_length()?)?;
            }
        }
        sub @ 130..=255 => {
            let palette = input.palette(sub - 128)?;
            while out.len() < area {
                let byte = input.u8()?;
                let pixel = palette_entry(&palette, byte & 0x7f)?;
                let run = if byte & 0x80 == 0 {
                    1
                } else {
                    input.run_length()?
                };
                push_run(out, pixel, run)?;
            }
        }
        other => bail!("ZRLE tile subencoding {other} is not defined"),
    }
    Ok(())
}

fn palette_entry(palette: &[u32], index: u8) -> Result<u32> {
    palette
        .get(usize::from(index))
        .copied()
        .with_context(|| format!("ZRLE palette index {index} of {}", palette.len()))
}

#[cfg(test)]
mod tests {
    use flate2::{Compress, Compression, FlushCompress};

    use super::*;

    const RED: u32 = 0xff0000;
    const GREEN: u32 = 0x00ff00;
    const BLUE: u32 = 0x0000ff;
    const GREY: u32 = 0x808080;

    /// A CPIXEL for the bench's pixel format: B, G, R.
    fn cpixel(pixel: u32) -> [u8; 3] {
        let [b, g, r, _] = pixel.to_le_bytes();
        [b, g, r]
    }

    /// A ZRLE run length: 255s while they last, then the rest, for `len - 1`.
    fn run(len: usize) -> Vec<u8> {
        let mut left = len - 1;
        let mut bytes = vec![255; left / 255];
        left %= 255;
        bytes.push(u8::try_from(left).unwrap());
        bytes
    }

    fn compress(zlib: &mut Compress, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() + 1024);
        zlib.compress_vec(data, &mut out, FlushCompress::Sync)
            .unwrap();
        out
    }

    fn decode(
        zlib: &mut Decompress,
        compressed: &[u8],
        rect: Rect,
        canvas: &mut Canvas,
    ) -> Result<()> {
        let mut inflated = Vec::new();
        inflate(zlib, compressed, zrle_limit(rect.w, rect.h), &mut inflated)?;
        paint_zrle(&inflated, rect, &mut Vec::new(), canvas)
    }

    fn rect(x: usize, y: usize, w: usize, h: usize) -> Rect {
        Rect { x, y, w, h }
    }

    #[test]
    fn decodes_every_subencoding_across_one_zlib_stream() {
        // 130x2 at the origin: a 64x2 solid tile, a 64x2 palette RLE tile, a 2x2 raw tile.
        let mut first = vec![1];
        first.extend(cpixel(RED));
        first.push(130);
        first.extend(cpixel(GREEN));
        first.extend(cpixel(BLUE));
        first.push(0x80); // green, a run of 100
        first.extend(run(100));
        first.push(1); // blue, a single pixel
        first.push(0x81); // blue, a run of 27: 128 pixels in all
        first.extend(run(27));
        first.push(0);
        for pixel in [RED, GREEN, BLUE, GREY] {
            first.extend(cpixel(pixel));
        }
        // 70x6 below it: a 64x6 plain RLE tile (runs longer than 255), a 6x6
        // packed palette tile of 2 colours, one bit per pixel, rows padded to a byte.
        let mut second = vec![128];
        second.extend(cpixel(GREY));
        second.extend(run(300));
        second.extend(cpixel(RED));
        second.extend(run(84));
        second.push(2);
        second.extend(cpixel(RED));
        second.extend(cpixel(BLUE));
        second.extend([0b1010_1000; 6]);

        let mut canvas = Canvas::new(130, 8).unwrap();
        let (mut deflater, mut zlib) = (
            Compress::new(Compression::default(), true),
            Decompress::new(true),
        );
        let compressed = compress(&mut deflater, &first);
        decode(&mut zlib, &compressed, rect(0, 0, 130, 2), &mut canvas).unwrap();
        // The second rectangle continues the same zlib stream.
        let compressed = compress(&mut deflater, &second);
        decode(&mut zlib, &compressed, rect(0, 2, 70, 6), &mut canvas).unwrap();

        let at = |x: usize, y: usize| canvas.pixels[y * 130 + x];
        assert!((0..64).all(|x| at(x, 0) == RED && at(x, 1) == RED));
        assert!((64..128).all(|x| at(x, 0) == GREEN));
        assert_eq!(at(64 + 35, 1), GREEN); // the 100th pixel of the tile
        assert!((64 + 36..128).all(|x| at(x, 1) == BLUE));
        assert_eq!(
            [at(128, 0), at(129, 0), at(128, 1), at(129, 1)],
            [RED, GREEN, BLUE, GREY]
        );
        let tile: Vec<u32> = (2..8)
            .flat_map(|y| (0..64).map(move |x| (x, y)))
            .map(|(x, y)| at(x, y))
            .collect();
        assert!(tile[..300].iter().all(|&p| p == GREY));
        assert!(tile[300..].iter().all(|&p| p == RED));
        for y in 2..8 {
            let row: Vec<u32> = (64..70).map(|x| at(x, y)).collect();
            assert_eq!(row, [BLUE, RED, BLUE, RED, BLUE, RED]);
        }
        assert!((70..130).all(|x| at(x, 2) == 0), "outside both rectangles");
    }

    #[test]
    fn malformed_tiles_are_errors() {
        let mut overflowing = vec![130];
        overflowing.extend(cpixel(RED));
        overflowing.extend(cpixel(BLUE));
        overflowing.push(0x80);
        overflowing.extend(run(5)); // a 2x2 tile holds 4
        let mut bad_index = vec![130];
        bad_index.extend(cpixel(RED));
        bad_index.extend(cpixel(BLUE));
        bad_index.push(2);
        let mut left_over = vec![1];
        left_over.extend(cpixel(RED));
        left_over.push(0);
        let cases: [(&[u8], &str); 5] = [
            (&overflowing, "overflows its tile"),
            (&bad_index, "palette index 2 of 2"),
            (&[17], "subencoding 17 is not defined"),
            (&[0, 1, 2, 3], "ends inside a tile"),
            (&left_over, "1 bytes follow the last ZRLE tile"),
        ];
        for (data, expected) in cases {
            let mut canvas = Canvas::new(2, 2).unwrap();
            let error =
                paint_zrle(data, rect(0, 0, 2, 2), &mut Vec::new(), &mut canvas).unwrap_err();
            assert!(
                error.to_string().contains(expected),
                "{error} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn inflating_stops_at_the_limit_and_on_garbage() {
        let mut deflater = Compress::new(Compression::default(), true);
        let bomb = compress(&mut deflater, &[0; 100_000]);
        let mut out = Vec::new();
        let error = inflate(
            &mut Decompress::new(true),
            &bomb,
            zrle_limit(2, 2),
            &mut out,
        )
        .unwrap_err();
        assert!(error.to_string().contains("inflates beyond"), "{error}");
        assert!(out.capacity() < 100_000);
        let error = inflate(&mut Decompress::new(true), b"not zlib", 100, &mut out).unwrap_err();
        assert!(
            error.to_string().contains("corrupt ZRLE zlib stream"),
            "{error}"
        );
    }
}
