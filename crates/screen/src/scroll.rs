//! Scroll and move detection: finds the offsets by which content moved between
//! what the receiver holds and the new frame (vertical for scrolls, in both
//! directions for a dragged window), so the encoder can send changed tiles as
//! COPY of the earlier picture instead of resending them.
//!
//! Owns the row hashing and the vote. It must not decide which tiles to copy
//! (the encoder checks each candidate tile exactly) nor write bytes.
//!
//! Method: the screen is cut into columns one tile wide; in each column that has
//! changed tiles, every row segment of the earlier picture is hashed (xxh3) and
//! indexed, skipping segments that occur more than once (a blank line matches
//! anywhere, so it proves nothing). Each changed row segment of the new frame
//! found in that index votes for the offset between the two rows. The offsets
//! with enough votes are the candidates, most voted first.
//!
//! Moves in two directions ([`candidate_moves`]) cannot use row hashes, whose
//! segments are cut at fixed columns. Instead a few short probes (32 pixels of
//! one row, not of one colour) are taken from the tiles no vertical shift
//! explained, and each is looked for in the earlier picture around where it is
//! now. A probe found at exactly one offset votes for it; a dragged window's
//! probes agree, while text that repeats finds several places and votes for none.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use crate::encoder::TileRect;
use crate::{Frame, BYTES_PER_PIXEL, TILE_SIZE};

/// Rows that must agree on an offset before it is tried.
const MIN_VOTES: usize = 16;
/// Offsets tried per frame.
const MAX_CANDIDATES: usize = 3;

/// Offsets `d` (rows) such that new row `y` may equal earlier row `y + d`:
/// positive when content moved up (scrolling down a page).
pub(crate) fn candidate_shifts(
    previous: &[u8],
    frame: &Frame,
    changed_columns: &[bool],
) -> Vec<i32> {
    let width = usize::from(frame.width);
    let height = usize::from(frame.height);
    let mut votes: HashMap<i32, usize> = HashMap::new();
    let mut index: HashMap<u64, Option<usize>> = HashMap::with_capacity(height);
    for (column, _) in changed_columns.iter().enumerate().filter(|(_, c)| **c) {
        let x = column * usize::from(TILE_SIZE);
        let w = usize::from(TILE_SIZE).min(width - x);
        let segment_len = w * BYTES_PER_PIXEL;
        index.clear();
        for y in 0..height {
            let start = (y * width + x) * BYTES_PER_PIXEL;
            let hash = xxh3_64(&previous[start..start + segment_len]);
            index
                .entry(hash)
                .and_modify(|row| *row = None)
                .or_insert(Some(y));
        }
        for y in 0..height {
            let now = frame.row(
                u16::try_from(x).unwrap_or(0),
                u16::try_from(y).unwrap_or(0),
                u16::try_from(w).unwrap_or(0),
            );
            let start = (y * width + x) * BYTES_PER_PIXEL;
            if now == &previous[start..start + segment_len] {
                continue;
            }
            if let Some(Some(earlier)) = index.get(&xxh3_64(now)) {
                let shift = i32::try_from(*earlier).unwrap_or(0) - i32::try_from(y).unwrap_or(0);
                if shift != 0 {
                    *votes.entry(shift).or_default() += 1;
                }
            }
        }
    }
    let mut ranked: Vec<(i32, usize)> = votes
        .into_iter()
        .filter(|(_, count)| *count >= MIN_VOTES)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.abs().cmp(&b.0.abs())));
    ranked
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(shift, _)| shift)
        .collect()
}

/// How far (pixels, each way) a probe is looked for: a window dragged at 20
/// frames per second moves less than this between two frames.
const MOVE_REACH: i32 = 48;
/// Pixels in one probe.
const PROBE_LEN: u16 = 32;
/// Probes taken per frame: bounds the search to about 200 000 short compares.
const MAX_PROBES: usize = 24;
/// Probes that must agree on a move before it is tried.
const MIN_MOVE_VOTES: usize = 3;

/// Offsets `(dx, dy)`, `dx` not 0, such that pixels of `tiles` in the new frame
/// may equal the earlier picture at `(x + dx, y + dy)`: a window dragged by
/// `(-dx, -dy)`. Most voted first.
pub(crate) fn candidate_moves(
    previous: &[u8],
    frame: &Frame,
    tiles: &[TileRect],
) -> Vec<(i32, i32)> {
    let (width, height) = (i32::from(frame.width), i32::from(frame.height));
    let mut votes: HashMap<(i32, i32), usize> = HashMap::new();
    let step = (tiles.len() * 4 / MAX_PROBES).max(1);
    let probes = tiles
        .iter()
        .step_by(step)
        .filter(|tile| tile.w >= PROBE_LEN + 16)
        .flat_map(|tile| {
            (8..tile.h)
                .step_by(16)
                .map(move |row| (tile.x + 16, tile.y + row))
        })
        .filter(|&(x, y)| !uniform(frame.row(x, y, PROBE_LEN)))
        .take(MAX_PROBES);
    let row_bytes = usize::from(frame.width) * BYTES_PER_PIXEL;
    let probe_bytes = usize::from(PROBE_LEN) * BYTES_PER_PIXEL;
    for (x, y) in probes {
        let probe = frame.row(x, y, PROBE_LEN);
        let mut found = None;
        let mut ambiguous = false;
        'search: for dy in -MOVE_REACH..=MOVE_REACH {
            let src_y = i32::from(y) + dy;
            if !(0..height).contains(&src_y) {
                continue;
            }
            let row_start = usize::try_from(src_y).unwrap_or(0) * row_bytes;
            for dx in -MOVE_REACH..=MOVE_REACH {
                let src_x = i32::from(x) + dx;
                if dx == 0 || src_x < 0 || src_x + i32::from(PROBE_LEN) > width {
                    continue;
                }
                let start = row_start + usize::try_from(src_x).unwrap_or(0) * BYTES_PER_PIXEL;
                if previous.get(start..start + probe_bytes) == Some(probe) {
                    if found.is_some() {
                        ambiguous = true;
                        break 'search;
                    }
                    found = Some((dx, dy));
                }
            }
        }
        if let (Some(offset), false) = (found, ambiguous) {
            *votes.entry(offset).or_default() += 1;
        }
    }
    let mut ranked: Vec<((i32, i32), usize)> = votes
        .into_iter()
        .filter(|(_, count)| *count >= MIN_MOVE_VOTES)
        .collect();
    // Ties go to the smaller move, so the order does not depend on hashing.
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then((a.0 .0.abs() + a.0 .1.abs()).cmp(&(b.0 .0.abs() + b.0 .1.abs())))
    });
    ranked
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(offset, _)| offset)
        .collect()
}

/// Whether every pixel of `pixels` is the same: such a probe matches anywhere.
fn uniform(pixels: &[u8]) -> bool {
    let mut chunks = pixels.chunks_exact(BYTES_PER_PIXEL);
    let first = chunks.next();
    chunks.all(|pixel| Some(pixel) == first)
}
