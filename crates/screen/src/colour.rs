//! Colour modes: the technician's choice of how many colours the screen is sent
//! with, and the reduction of a captured frame to those colours.
//!
//! Owns the reductions (black and white, 6×6×6 colours, RGB 5-6-5). It must not
//! encode or diff: the encoder reduces a frame here first, then diffs and encodes
//! the reduced frame like any other, so unchanged tiles, SOLID fills and scroll
//! COPY work in every mode, and what the encoder remembers is exactly what the
//! receiver holds.
//!
//! A reduction is a pure function of each 64×64 tile's own pixels (black and white
//! chooses its threshold per tile), so a tile that did not change reduces to the
//! same pixels again and is not resent.

use crate::encoder::TileRect;
use crate::{Frame, BYTES_PER_PIXEL, TILE_SIZE};

/// How many colours the screen is sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourMode {
    /// One bit per pixel after a luminance threshold: the least bandwidth.
    BlackAndWhite,
    /// The 216 colours of a 6×6×6 cube (levels 0, 51, …, 255 per channel).
    FewColours,
    /// RGB 5-6-5 (65 536 colours): gradients band, text and UI look right.
    MoreColours,
    /// The captured colours, unchanged (photo-like regions may go JPEG).
    #[default]
    AllColours,
}

/// Luminance that splits black from white when a tile has both dark and light
/// pixels (the middle of the 0..=255 range).
const MID_LUMA: u8 = 128;
/// A tile whose pixels are all light (or all dark) but differ at least this much
/// in luminance is split at its own middle, so grey text on white (#999 and
/// lighter placeholders), white on a yellow or orange button, or dark grey on
/// black stays readable instead of vanishing into the background. Below it the
/// tile is split at mid-grey: a light grey panel (#c0c0c0) beside white stays
/// white rather than turning black in the tiles that touch white, which would
/// show the tile grid.
const MIN_TILE_CONTRAST: u8 = 80;

impl ColourMode {
    /// Whether frames are reduced before encoding.
    pub fn reduces(self) -> bool {
        self != Self::AllColours
    }

    /// `frame` as a receiver sees it in this mode (what tests and benchmarks
    /// compare a decoded picture with). Errors if the frame is malformed.
    pub fn reduce(self, frame: &Frame) -> Result<Frame, crate::EncodeError> {
        frame.validate()?;
        let mut out = Frame::default();
        reduce(frame, self, &mut out);
        Ok(out)
    }
}

/// Writes `frame` reduced to `mode`'s colours into `out` (resized to the frame,
/// tightly packed, padding bytes 0). `frame` must be valid (see `Frame::validate`).
pub(crate) fn reduce(frame: &Frame, mode: ColourMode, out: &mut Frame) {
    let row_len = usize::from(frame.width) * BYTES_PER_PIXEL;
    out.width = frame.width;
    out.height = frame.height;
    out.stride = row_len;
    out.data.resize(row_len * usize::from(frame.height), 0);
    let levels = levels_of(mode);
    for_each_tile(frame, |x, y, w, h| {
        reduce_tile(frame, mode, levels.as_ref(), out, TileRect { x, y, w, h })
    });
}

/// Calls `each(x, y, w, h)` for every 64×64 tile of `frame` (smaller at the
/// right and bottom edges), row by row.
fn for_each_tile(frame: &Frame, mut each: impl FnMut(u16, u16, u16, u16)) {
    let mut y = 0;
    while y < frame.height {
        let h = TILE_SIZE.min(frame.height - y);
        let mut x = 0;
        while x < frame.width {
            let w = TILE_SIZE.min(frame.width - x);
            each(x, y, w, h);
            x += w;
        }
        y += h;
    }
}

/// The per-channel table of a mode that maps each channel on its own.
fn levels_of(mode: ColourMode) -> Option<Levels> {
    match mode {
        ColourMode::FewColours => Some(cube_levels()),
        ColourMode::MoreColours => Some(rgb565_levels()),
        ColourMode::BlackAndWhite | ColourMode::AllColours => None,
    }
}

/// Reduces successive frames, redoing only the 64×64 tiles whose captured
/// pixels changed: typing changes a few tiles, so most of a 1080p frame is
/// neither reduced nor copied again.
#[derive(Debug, Default)]
pub(crate) struct Reducer {
    mode: Option<ColourMode>,
    /// The captured pixels last reduced, tightly packed.
    source: Vec<u8>,
    /// Their reduction: what the encoder diffs.
    pub out: Frame,
}

impl Reducer {
    /// Brings `self.out` up to date with `frame` (valid) in `mode`.
    pub fn update(&mut self, frame: &Frame, mode: ColourMode) {
        let row_len = usize::from(frame.width) * BYTES_PER_PIXEL;
        let same_stream = self.mode == Some(mode)
            && (self.out.width, self.out.height) == (frame.width, frame.height);
        if !same_stream {
            reduce(frame, mode, &mut self.out);
            self.source.clear();
            for y in 0..frame.height {
                self.source.extend_from_slice(frame.row(0, y, frame.width));
            }
            self.mode = Some(mode);
            return;
        }
        let levels = levels_of(mode);
        let (source, out) = (&mut self.source, &mut self.out);
        for_each_tile(frame, |x, y, w, h| {
            let start = usize::from(x) * BYTES_PER_PIXEL;
            let len = usize::from(w) * BYTES_PER_PIXEL;
            let changed = (y..y + h).any(|row| {
                let at = usize::from(row) * row_len + start;
                frame.row(x, row, w) != &source[at..at + len]
            });
            if changed {
                for row in y..y + h {
                    let at = usize::from(row) * row_len + start;
                    source[at..at + len].copy_from_slice(frame.row(x, row, w));
                }
                reduce_tile(frame, mode, levels.as_ref(), out, TileRect { x, y, w, h });
            }
        });
    }
}

/// Reduces one tile of `frame` into the same place of `out` (already sized).
fn reduce_tile(
    frame: &Frame,
    mode: ColourMode,
    levels: Option<&Levels>,
    out: &mut Frame,
    tile: TileRect,
) {
    let TileRect { x, y, w, h } = tile;
    let threshold = match mode {
        ColourMode::BlackAndWhite => tile_threshold(frame, x, y, w, h),
        _ => MID_LUMA,
    };
    let stride = out.stride;
    for row in y..y + h {
        let start = usize::from(row) * stride + usize::from(x) * BYTES_PER_PIXEL;
        let dst_row = &mut out.data[start..start + usize::from(w) * BYTES_PER_PIXEL];
        let src_row = frame.row(x, row, w);
        for (dst, src) in dst_row
            .chunks_exact_mut(BYTES_PER_PIXEL)
            .zip(src_row.chunks_exact(BYTES_PER_PIXEL))
        {
            match (levels, mode) {
                (Some(levels), _) => {
                    dst[0] = levels[0][usize::from(src[0])];
                    dst[1] = levels[1][usize::from(src[1])];
                    dst[2] = levels[2][usize::from(src[2])];
                    dst[3] = 0;
                }
                (None, ColourMode::BlackAndWhite) => {
                    let v = if luma(src) >= threshold { 255 } else { 0 };
                    dst.copy_from_slice(&[v, v, v, 0]);
                }
                (None, _) => dst.copy_from_slice(&[src[0], src[1], src[2], 0]),
            }
        }
    }
}

/// Per channel: the value each input level becomes. Index 0 is blue, 1 green,
/// 2 red (the BGRX byte order).
type Levels = [[u8; 256]; 3];

/// Six levels per channel, each value rounded to the nearest.
fn cube_levels() -> Levels {
    let channel: [u8; 256] =
        std::array::from_fn(|v| (((v as u32 * 5 + 127) / 255) * 51).min(255) as u8);
    [channel; 3]
}

/// 5 bits for red and blue, 6 for green, rounded to the nearest level and
/// stretched back to 0..=255 so white stays white.
fn rgb565_levels() -> Levels {
    let bits = |count: u32| -> [u8; 256] {
        let max = (1u32 << count) - 1;
        std::array::from_fn(|v| {
            let level = (v as u32 * max + 127) / 255;
            ((level * 255 + max / 2) / max).min(255) as u8
        })
    };
    let five = bits(5);
    [five, bits(6), five]
}

/// Rec. 601 luma in 8 bits, from B, G, R.
fn luma(px: &[u8]) -> u8 {
    ((u32::from(px[2]) * 77 + u32::from(px[1]) * 150 + u32::from(px[0]) * 29) >> 8) as u8
}

/// The luminance at or above which a pixel of this tile becomes white.
fn tile_threshold(frame: &Frame, x: u16, y: u16, w: u16, h: u16) -> u8 {
    let (mut min, mut max) = (u8::MAX, u8::MIN);
    for row in y..y + h {
        for px in frame.row(x, row, w).chunks_exact(BYTES_PER_PIXEL) {
            let l = luma(px);
            min = min.min(l);
            max = max.max(l);
        }
    }
    let one_sided = min >= MID_LUMA || max < MID_LUMA;
    if one_sided && max - min >= MIN_TILE_CONTRAST {
        // The midpoint rounds up so the darker side never reaches it.
        ((u16::from(min) + u16::from(max)).div_ceil(2)) as u8
    } else {
        MID_LUMA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduced(frame: &Frame, mode: ColourMode) -> Frame {
        let mut out = Frame::default();
        reduce(frame, mode, &mut out);
        out
    }

    #[test]
    fn levels_keep_black_and_white_and_round_to_the_nearest() {
        for levels in [cube_levels(), rgb565_levels()] {
            for channel in levels {
                assert_eq!((channel[0], channel[255]), (0, 255));
                assert!(channel.windows(2).all(|w| w[0] <= w[1]), "monotonic");
            }
        }
        let cube = cube_levels()[0];
        assert_eq!(
            (cube[25], cube[26], cube[100], cube[128]),
            (0, 51, 102, 153)
        );
        let mut distinct = cube.to_vec();
        distinct.dedup();
        assert_eq!(distinct, vec![0, 51, 102, 153, 204, 255]);
        let [blue, green, _] = rgb565_levels();
        let count = |c: [u8; 256]| {
            let mut v = c.to_vec();
            v.dedup();
            v.len()
        };
        assert_eq!((count(blue), count(green)), (32, 64));
    }

    #[test]
    fn black_and_white_keeps_text_readable_on_any_background() {
        // (text, background) pairs that a fixed threshold would lose or keep.
        let cases = [
            ([0, 0, 0], [255, 255, 255]),
            ([255, 255, 255], [0, 0, 96]),
            ([160, 160, 160], [255, 255, 255]),
            ([90, 90, 90], [0, 0, 0]),
            ([255, 255, 255], [245, 158, 11]),
            ([200, 40, 40], [250, 250, 250]),
        ];
        for (text, background) in cases {
            let mut frame = Frame::new(64, 8);
            for y in 0..8 {
                for x in 0..64 {
                    let on = (3..5).contains(&y) && x % 4 == 0;
                    frame.set_rgb(x, y, if on { text } else { background });
                }
            }
            let out = reduced(&frame, ColourMode::BlackAndWhite);
            let glyph = out.rgb_at(4, 3).unwrap();
            let paper = out.rgb_at(5, 3).unwrap();
            assert_ne!(glyph, paper, "text {text:?} on {background:?} vanished");
            for px in [glyph, paper] {
                assert!(px == [0, 0, 0] || px == [255, 255, 255], "{px:?}");
            }
        }
    }

    #[test]
    fn a_flat_or_faint_tile_is_split_at_mid_grey() {
        let mut frame = Frame::new(134, 10);
        for y in 0..10 {
            for x in 0..134 {
                // Light grey with faint noise in the first tile, dark grey in
                // the second, a light grey panel beside white in the third.
                let v = match x {
                    0..64 => 200 + (x % 3) as u8,
                    64..128 => 100,
                    _ if y < 5 => 192,
                    _ => 255,
                };
                frame.set_rgb(x, y, [v, v, v]);
            }
        }
        let out = reduced(&frame, ColourMode::BlackAndWhite);
        assert_eq!(out.rgb_at(0, 0), Some([255, 255, 255]));
        assert_eq!(out.rgb_at(2, 0), Some([255, 255, 255]));
        assert_eq!(out.rgb_at(65, 5), Some([0, 0, 0]));
        assert_eq!(out.rgb_at(130, 0), Some([255, 255, 255]), "the panel");
    }

    #[test]
    fn the_reducer_redoes_only_changed_tiles_and_matches_a_full_reduction() {
        let mut frame = Frame::new(150, 70);
        for y in 0..70 {
            for x in 0..150 {
                frame.set_rgb(x, y, [(x * 3) as u8, (y * 5) as u8, ((x + y) * 2) as u8]);
            }
        }
        for mode in [
            ColourMode::BlackAndWhite,
            ColourMode::FewColours,
            ColourMode::MoreColours,
            ColourMode::AllColours,
        ] {
            let mut reducer = Reducer::default();
            reducer.update(&frame, mode);
            assert_eq!(reducer.out, reduced(&frame, mode), "{mode:?}");
            let mut next = frame.clone();
            // A dark mark in the second tile changes its black and white threshold.
            for x in 70..80 {
                next.set_rgb(x, 10, [0, 0, 0]);
            }
            next.set_rgb(149, 69, [255, 255, 255]);
            reducer.update(&next, mode);
            assert_eq!(reducer.out, reduced(&next, mode), "{mode:?} after a change");
        }
    }

    #[test]
    fn reductions_handle_padded_strides_and_partial_tiles() {
        let mut frame = Frame::new(67, 3);
        frame.stride = 67 * 4 + 12;
        frame.data = vec![0xee; frame.stride * 3];
        frame.set_rgb(66, 2, [10, 130, 250]);
        let few = reduced(&frame, ColourMode::FewColours);
        assert_eq!(few.stride, 67 * 4);
        assert_eq!(few.rgb_at(66, 2), Some([0, 153, 255]));
        assert_eq!(few.data[3], 0, "padding is zeroed");
        let more = reduced(&frame, ColourMode::MoreColours);
        assert_eq!(more.rgb_at(66, 2), Some([8, 130, 247]));
        let all = reduced(&frame, ColourMode::AllColours);
        assert_eq!(all.rgb_at(66, 2), Some([10, 130, 250]));
        assert_eq!(all.rgb_at(0, 0), frame.rgb_at(0, 0));
    }
}
