//! Scroll and move detection: finds the vertical offsets by which content moved
//! between what the receiver holds and the new frame, so the encoder can send
//! changed tiles as COPY of the earlier picture instead of resending them.
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

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

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
