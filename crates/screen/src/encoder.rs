//! Tile diffing: decides which 64×64 tiles of a frame the receiver has not seen
//! yet and appends them, encoded, as one batch.
//!
//! Owns the copy of what the receiver was last sent and the batch size cap. It
//! must not choose codecs (that is [`crate::codec`]) or define the wire layout
//! (that is [`crate::batch`]), and it never writes anything but one batch.

use thiserror::Error;

use reach_proto::frame::screen_flags;

use crate::batch::TileEncoding;
use crate::indexed::Palette;
use crate::{batch, codec, colour, scroll, ColourMode, Damage, Frame, BYTES_PER_PIXEL};

/// Side of a square tile in pixels; tiles on the right and bottom edges are
/// smaller when the screen size is not a multiple of it.
pub const TILE_SIZE: u16 = reach_proto::frame::MAX_TILE_SIDE;

/// Default cap on one batch: leaves room under the 4 MiB bulk frame limit for
/// the frame header, and keeps one message short enough that input and other
/// channels are not stuck behind it for long on a slow link.
pub const DEFAULT_MAX_BATCH_BYTES: usize = 3 * 1024 * 1024;

/// The smallest accepted cap: the batch header plus one worst-case PNG tile
/// (64×64×3 stored bytes and PNG framing) fit with room to spare, so every call
/// makes progress.
pub const MIN_MAX_BATCH_BYTES: usize = 64 * 1024;

/// Why a frame could not be encoded. The encoder's state is reset so that the
/// next call sends every tile again.
#[derive(Debug, Error)]
pub enum EncodeError {
    /// The frame has no pixels.
    #[error("frame is {width}x{height}; a screen frame needs at least one pixel")]
    EmptyFrame { width: u16, height: u16 },
    /// Rows overlap.
    #[error("frame stride {stride} is shorter than a row of {row} bytes")]
    StrideTooSmall { stride: usize, row: usize },
    /// The buffer ends before the last row does.
    #[error("frame buffer holds {actual} bytes but its size needs {needed}")]
    BufferTooSmall { actual: usize, needed: usize },
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    /// The JPEG encoder failed.
    #[error("JPEG encoding failed: {0}")]
    Jpeg(String),
    /// A tile's encoded length does not fit the u32 length field.
    #[error("encoded tile of {0} bytes does not fit a batch")]
    TileTooLarge(usize),
}

/// What one [`TileEncoder::encode`] call appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EncodeOutcome {
    /// Tiles in the appended batch; 0 means nothing was appended.
    pub tiles: usize,
    /// Changed tiles were left out because of the size cap: call again (with a
    /// fresh frame or the same one) to send them.
    pub pending: bool,
}

/// A tile's position and size in screen pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TileRect {
    pub x: u16,
    pub y: u16,
    pub w: u16,
    pub h: u16,
}

/// JPEG quality for photo-like regions that keep changing (video, animations).
pub const DEFAULT_LOSSY_QUALITY: u8 = 70;
/// Encodes a tile must have changed in a row before it may be sent lossy: a
/// photo that appears once is sent losslessly; one that keeps moving is video.
const LOSSY_AFTER_CHANGES: u8 = 2;
/// Unchanged encodes after which a lossy tile is sent again losslessly (the
/// agent encodes every 16–50 ms, so a quarter to half a second).
const REFINE_AFTER_STILL: u16 = 10;

/// Changed tiles below which scroll detection is not worth its hashing.
const MIN_TILES_FOR_COPIES: usize = 4;
/// Rows a copy must cover to be worth its 17 bytes.
const MIN_COPY_ROWS: u16 = 4;

/// Encodes successive frames of one screen as batches of changed tiles.
#[derive(Debug)]
pub struct TileEncoder {
    max_batch_bytes: usize,
    width: u16,
    height: u16,
    /// What the receiver holds, tightly packed BGRX rows of `width` pixels.
    previous: Vec<u8>,
    /// Per tile: `previous` holds exactly what was sent for it. False after a
    /// resize, a forced refresh or an error, until the tile is sent again.
    in_sync: Vec<bool>,
    /// Tile index where the next scan starts. After a capped batch it points at
    /// the first tile left out, so a region that changes on every frame cannot
    /// starve the tiles after it.
    resume_at: usize,
    /// Scratch RGB buffer reused for every PNG tile.
    rgb: Vec<u8>,
    /// JPEG quality for photo-like regions that keep changing; None: lossless only.
    lossy_quality: Option<u8>,
    /// Per tile: consecutive encodes in which it changed.
    changing: Vec<u8>,
    /// Per tile: consecutive encodes in which it did not change.
    still: Vec<u16>,
    /// Per tile: the receiver holds exactly the source (false after JPEG, until
    /// the tile is sent again losslessly).
    exact: Vec<bool>,
    /// Per tile, during one encode: it is being sent again losslessly.
    refining: Vec<bool>,
    /// The colours frames are sent with.
    mode: ColourMode,
    /// The frame reduced to `mode`'s colours, kept between encodes.
    reducer: colour::Reducer,
    /// Scratch palette for INDEXED tiles.
    palette: Palette,
    /// Where a full picture (after a resize, a forced refresh or an error) is.
    key: KeyProgress,
    /// Where the frame being encoded may differ from the previous one.
    damage: Damage,
    /// The last batch left changed tiles out (the size cap).
    left_out: bool,
}

/// Progress of a full picture that may span several batches (see
/// [`crate::batch`]: KEY_START … KEY_END).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyProgress {
    /// Batches carry changes only.
    Idle,
    /// The next batch starts a full picture.
    Starting,
    /// A full picture was cut by the size cap; the next batch continues it.
    Continuing,
}

impl Default for TileEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl TileEncoder {
    /// An encoder with the [`DEFAULT_MAX_BATCH_BYTES`] cap.
    pub fn new() -> Self {
        Self::with_max_batch_bytes(DEFAULT_MAX_BATCH_BYTES)
    }

    /// An encoder whose batches never exceed `max_batch_bytes` (raised to
    /// [`MIN_MAX_BATCH_BYTES`] if smaller).
    pub fn with_max_batch_bytes(max_batch_bytes: usize) -> Self {
        Self {
            max_batch_bytes: max_batch_bytes.max(MIN_MAX_BATCH_BYTES),
            width: 0,
            height: 0,
            previous: Vec::new(),
            in_sync: Vec::new(),
            resume_at: 0,
            rgb: Vec::with_capacity(usize::from(TILE_SIZE) * usize::from(TILE_SIZE) * 3),
            lossy_quality: Some(DEFAULT_LOSSY_QUALITY),
            changing: Vec::new(),
            still: Vec::new(),
            exact: Vec::new(),
            refining: Vec::new(),
            key: KeyProgress::Idle,
            damage: Damage::Unknown,
            left_out: false,
            mode: ColourMode::AllColours,
            reducer: colour::Reducer::default(),
            palette: Palette::default(),
        }
    }

    /// The same encoder with another JPEG quality for changing photo-like
    /// regions (1..=100), or `None` to send everything losslessly.
    pub fn with_lossy_quality(mut self, quality: Option<u8>) -> Self {
        self.set_lossy_quality(quality);
        self
    }

    /// Changes the JPEG quality from the next batch on (the link got slower or
    /// faster); what was sent stays as it is until it changes or is refined.
    pub fn set_lossy_quality(&mut self, quality: Option<u8>) {
        self.lossy_quality = quality.map(|q| q.clamp(1, 100));
    }

    /// The colours frames are sent with.
    pub fn mode(&self) -> ColourMode {
        self.mode
    }

    /// Sends the next frames in `mode`'s colours. A change starts over: the next
    /// encode sends the whole screen in the new mode.
    pub fn set_mode(&mut self, mode: ColourMode) {
        if mode != self.mode {
            self.mode = mode;
            // The receiver's picture is in the old colours: nothing is in sync.
            self.width = 0;
            self.height = 0;
        }
    }

    /// Appends to `out` a batch (see [`crate::batch`]) holding the tiles of
    /// `frame` that differ from what this encoder sent before, or every tile
    /// when `force_full` is set or the frame size changed. Appends nothing when
    /// no tile changed. On error `out` is left as it was.
    pub fn encode(
        &mut self,
        frame: &Frame,
        force_full: bool,
        seq: u32,
        out: &mut Vec<u8>,
    ) -> Result<EncodeOutcome, EncodeError> {
        self.encode_damaged(frame, Damage::Unknown, force_full, seq, out)
    }

    /// Like [`TileEncoder::encode`], trusting `damage` to say where `frame` may
    /// differ from the frame of the previous call: tiles outside it are taken as
    /// unchanged without comparing them. Tiles the receiver does not hold yet are
    /// sent whatever `damage` says.
    pub fn encode_damaged(
        &mut self,
        frame: &Frame,
        damage: Damage,
        force_full: bool,
        seq: u32,
        out: &mut Vec<u8>,
    ) -> Result<EncodeOutcome, EncodeError> {
        frame.validate()?;
        // Tiles the size cap left out last time changed before this damage.
        self.damage = if self.left_out {
            Damage::Unknown
        } else {
            damage
        };
        if (frame.width, frame.height) != (self.width, self.height) {
            self.reset(frame.width, frame.height);
            self.key = KeyProgress::Starting;
        } else if force_full {
            self.in_sync.fill(false);
            self.key = KeyProgress::Starting;
        }
        let batch_start = out.len();
        // The reducer is taken out of `self` for the call, which borrows `self`
        // mutably, and put back after.
        let mut reducer = std::mem::take(&mut self.reducer);
        let source = if self.mode.reduces() {
            reducer.update(frame, self.mode);
            &reducer.out
        } else {
            frame
        };
        let result = self.append_changed(source, seq, out, batch_start);
        self.reducer = reducer;
        self.left_out = result.as_ref().is_ok_and(|outcome| outcome.pending);
        match &result {
            Err(_) => {
                out.truncate(batch_start);
                // Some tiles were recorded as sent although the batch is dropped.
                self.in_sync.fill(false);
                self.key = KeyProgress::Starting;
            }
            Ok(outcome) if outcome.tiles > 0 && self.key != KeyProgress::Idle => {
                if outcome.pending {
                    self.key = KeyProgress::Continuing;
                } else {
                    batch::add_flags(out, batch_start, screen_flags::KEY_END);
                    self.key = KeyProgress::Idle;
                }
            }
            Ok(_) => {}
        }
        result
    }

    /// A full picture of what the receivers of this encoder's batches hold now,
    /// for a receiver that lost it (a late viewer, one that fell behind or
    /// dropped a corrupt batch), as batches flagged REPLAY from KEY_START to
    /// KEY_END, each at most the batch cap and each started with `start()` (the
    /// caller's bulk frame header). Receivers that kept up skip them, so the
    /// encoder's state does not change: the next [`TileEncoder::encode`]
    /// continues from the same picture for everyone. Regions last sent lossy
    /// are sent lossy again. Empty before the first encode.
    pub fn encode_replay(
        &mut self,
        seq: u32,
        mut start: impl FnMut() -> Vec<u8>,
    ) -> Result<Vec<Vec<u8>>, EncodeError> {
        if self.in_sync.is_empty() {
            return Ok(Vec::new());
        }
        let picture = Frame {
            width: self.width,
            height: self.height,
            stride: usize::from(self.width) * BYTES_PER_PIXEL,
            data: std::mem::take(&mut self.previous),
        };
        let result = self.write_replay(&picture, seq, &mut start);
        self.previous = picture.data;
        result
    }

    fn write_replay(
        &mut self,
        picture: &Frame,
        seq: u32,
        start: &mut impl FnMut() -> Vec<u8>,
    ) -> Result<Vec<Vec<u8>>, EncodeError> {
        let mut parts = Vec::new();
        let mut part = start();
        let mut part_start = part.len();
        let first_flags = screen_flags::REPLAY | screen_flags::KEY_START;
        batch::write_header(&mut part, seq, first_flags, self.width, self.height);
        let mut tiles: u16 = 0;
        for index in 0..self.in_sync.len() {
            let rect = self.tile_rect(index);
            let lossy = self.lossy_quality.filter(|_| !self.exact[index]);
            let tile_start = part.len();
            codec::write_tile(
                &mut part,
                picture,
                rect,
                &mut self.rgb,
                lossy,
                &mut self.palette,
            )?;
            let over = part.len() - part_start > self.max_batch_bytes || tiles == u16::MAX;
            if over && tiles > 0 {
                let record = part.split_off(tile_start);
                batch::set_tile_count(&mut part, part_start, tiles);
                parts.push(std::mem::replace(&mut part, start()));
                part_start = part.len();
                batch::write_header(
                    &mut part,
                    seq,
                    screen_flags::REPLAY,
                    self.width,
                    self.height,
                );
                part.extend_from_slice(&record);
                tiles = 0;
            }
            tiles += 1;
        }
        batch::set_tile_count(&mut part, part_start, tiles);
        batch::add_flags(&mut part, part_start, screen_flags::KEY_END);
        parts.push(part);
        Ok(parts)
    }

    fn append_changed(
        &mut self,
        frame: &Frame,
        seq: u32,
        out: &mut Vec<u8>,
        batch_start: usize,
    ) -> Result<EncodeOutcome, EncodeError> {
        let count = self.in_sync.len();
        let mut outcome = EncodeOutcome::default();
        // A tile the console holds is patched with just the changed rectangle
        // inside it (a typed character is a few pixels, not 64×64).
        let mut parts: Vec<Option<TileRect>> = (0..count)
            .map(|index| {
                let tile = self.tile_rect(index);
                if self.in_sync[index] {
                    if self.damage.touches(tile.x, tile.y, tile.w, tile.h) {
                        self.changed_part(frame, tile)
                    } else {
                        None
                    }
                } else {
                    Some(tile)
                }
            })
            .collect();
        self.refining.clear();
        self.refining.resize(count, false);
        for (index, part) in parts.iter_mut().enumerate() {
            if part.is_some() {
                self.changing[index] = self.changing[index].saturating_add(1);
                self.still[index] = 0;
            } else {
                self.changing[index] = 0;
                self.still[index] = self.still[index].saturating_add(1);
                // A lossy tile that stopped changing is sent again, exactly.
                if !self.exact[index] && self.still[index] >= REFINE_AFTER_STILL {
                    *part = Some(self.tile_rect(index));
                    self.refining[index] = true;
                }
            }
        }
        let copies = self.find_copies(frame, &parts);
        if !copies.is_empty() {
            batch::write_header(out, seq, self.start_flags(), self.width, self.height);
            for (_, rect, (src_x, src_y)) in &copies {
                codec::write_copy(out, *rect, *src_x, *src_y);
            }
            // A copy of lossy pixels is lossy too (and refined later).
            let inexact: Vec<usize> = copies
                .iter()
                .filter(|(_, rect, (src_x, src_y))| !self.exact_source(*src_x, *src_y, rect))
                .map(|(index, _, _)| *index)
                .collect();
            for index in inexact {
                self.exact[index] = false;
            }
            // Only now: every copy reads the picture from before this batch.
            for (_, rect, _) in &copies {
                self.remember(frame, *rect);
                outcome.tiles += 1;
            }
            // What the copies left of each tile (a new line below the scrolled
            // text, the desktop above a window's edge) goes as usual.
            for (index, _, _) in copies {
                parts[index] = self.changed_part(frame, self.tile_rect(index));
            }
        }
        self.append_strips(frame, &mut parts, seq, out, batch_start, &mut outcome)?;
        let mut next_resume = 0;
        for step in 0..count {
            let index = (self.resume_at + step) % count;
            let Some(rect) = parts[index] else {
                continue;
            };
            if outcome.tiles == 0 {
                batch::write_header(out, seq, self.start_flags(), self.width, self.height);
            }
            if outcome.tiles == usize::from(u16::MAX) {
                outcome.pending = true;
                next_resume = index;
                break;
            }
            let tile_start = out.len();
            let lossy = self
                .lossy_quality
                .filter(|_| !self.refining[index] && self.changing[index] >= LOSSY_AFTER_CHANGES);
            let encoding =
                codec::write_tile(out, frame, rect, &mut self.rgb, lossy, &mut self.palette)?;
            if out.len() - batch_start > self.max_batch_bytes {
                out.truncate(tile_start);
                outcome.pending = true;
                next_resume = index;
                break;
            }
            self.remember(frame, rect);
            self.in_sync[index] = true;
            if encoding == TileEncoding::Jpeg {
                self.exact[index] = false;
                self.still[index] = 0;
            } else if rect == self.tile_rect(index) {
                self.exact[index] = true;
            }
            outcome.tiles += 1;
        }
        self.resume_at = next_resume;
        if outcome.tiles == 0 {
            out.truncate(batch_start);
        } else {
            // The cap above keeps the count within u16.
            let tiles = u16::try_from(outcome.tiles).unwrap_or(u16::MAX);
            batch::set_tile_count(out, batch_start, tiles);
        }
        Ok(outcome)
    }

    /// Parts of changed tiles the receiver already holds elsewhere (a scroll, a
    /// dragged window): `(tile index, rect, source x and y)`, at most one rect
    /// per tile, the longest run of rows that moved. Each is checked pixel for
    /// pixel against the picture before this batch. Moves in two directions
    /// are looked for only when vertical shifts leave most changed tiles
    /// unexplained: scrolling, the common case, does not pay for the search.
    fn find_copies(
        &self,
        frame: &Frame,
        parts: &[Option<TileRect>],
    ) -> Vec<(usize, TileRect, (u16, u16))> {
        let tiles_x = usize::from(self.width.div_ceil(TILE_SIZE));
        // A tile being refined did not change: it is sent again, not moved.
        let changed: Vec<usize> = (0..parts.len())
            .filter(|&index| self.in_sync[index] && parts[index].is_some() && !self.refining[index])
            .collect();
        // A full picture copies nothing: its receiver may have no earlier one.
        if changed.len() < MIN_TILES_FOR_COPIES || self.key != KeyProgress::Idle {
            return Vec::new();
        }
        let mut columns = vec![false; tiles_x];
        for &index in &changed {
            columns[index % tiles_x] = true;
        }
        let shifts: Vec<(i32, i32)> = scroll::candidate_shifts(&self.previous, frame, &columns)
            .into_iter()
            .map(|shift| (0, shift))
            .collect();
        let mut copies = self.copies_for(frame, &changed, &shifts);
        if copies.len() * 2 < changed.len() {
            let unexplained: Vec<TileRect> = changed
                .iter()
                .filter(|index| !copies.iter().any(|(copied, _, _)| copied == *index))
                .map(|&index| self.tile_rect(index))
                .collect();
            let moves = scroll::candidate_moves(&self.previous, frame, &unexplained);
            if !moves.is_empty() {
                // Per tile, the longer of its vertical and its 2-D copy (the
                // 2-D one on a tie), without checking the vertical shifts again.
                let mut moved = self.copies_for(frame, &changed, &moves);
                moved.retain(|(index, rect, _)| {
                    copies
                        .iter()
                        .find(|(copied, _, _)| copied == index)
                        .is_none_or(|(_, vertical, _)| rect.h >= vertical.h)
                });
                copies.retain(|(index, _, _)| !moved.iter().any(|(m, _, _)| m == index));
                copies.extend(moved);
                copies.sort_by_key(|(index, _, _)| *index);
            }
        }
        copies
    }

    /// For each of the `changed` tiles, the longest run of rows that one of the
    /// `offsets` explains.
    fn copies_for(
        &self,
        frame: &Frame,
        changed: &[usize],
        offsets: &[(i32, i32)],
    ) -> Vec<(usize, TileRect, (u16, u16))> {
        let mut copies = Vec::new();
        for &index in changed {
            let tile = self.tile_rect(index);
            let best = offsets
                .iter()
                .filter_map(|&offset| self.moved_rows(frame, tile, offset))
                .max_by_key(|(rect, _)| rect.h);
            if let Some((rect, source)) = best {
                copies.push((index, rect, source));
            }
        }
        copies
    }

    /// The longest run of rows of `tile` that equal the picture before this
    /// batch `dx` pixels right and `dy` rows lower, if it is worth a copy;
    /// with where that run comes from.
    fn moved_rows(
        &self,
        frame: &Frame,
        tile: TileRect,
        (dx, dy): (i32, i32),
    ) -> Option<(TileRect, (u16, u16))> {
        let src_x = u16::try_from(i32::from(tile.x) + dx).ok()?;
        if u32::from(src_x) + u32::from(tile.w) > u32::from(self.width) {
            return None;
        }
        let source = TileRect { x: src_x, ..tile };
        let mut best: Option<(u16, u16)> = None;
        let mut run_start = None;
        for row in 0..=tile.h {
            let y = tile.y + row;
            let src_y = i32::from(y) + dy;
            let same = row < tile.h
                && src_y >= 0
                && src_y < i32::from(self.height)
                && u16::try_from(src_y).is_ok_and(|src_y| {
                    frame.row(tile.x, y, tile.w) == &self.previous[self.previous_row(source, src_y)]
                });
            match (same, run_start) {
                (true, None) => run_start = Some(row),
                (false, Some(start)) => {
                    if best.is_none_or(|(from, to)| to - from < row - start) {
                        best = Some((start, row));
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
        let (from, to) = best.filter(|(from, to)| to - from >= MIN_COPY_ROWS)?;
        let y = tile.y + from;
        let src_y = u16::try_from(i32::from(y) + dy).ok()?;
        Some((
            TileRect {
                x: tile.x,
                y,
                w: tile.w,
                h: to - from,
            },
            (src_x, src_y),
        ))
    }

    /// Sends runs of side-by-side whole tiles that go lossy (video) as JPEG
    /// strips of up to 16 tiles: one JPEG's headers are worth more than the
    /// pixels of one 64×64 tile. Single tiles are left to the main loop.
    fn append_strips(
        &mut self,
        frame: &Frame,
        parts: &mut [Option<TileRect>],
        seq: u32,
        out: &mut Vec<u8>,
        batch_start: usize,
        outcome: &mut EncodeOutcome,
    ) -> Result<(), EncodeError> {
        let Some(quality) = self.lossy_quality else {
            return Ok(());
        };
        let tiles_x = usize::from(self.width.div_ceil(TILE_SIZE));
        let max_run = usize::from(reach_proto::frame::MAX_STRIP_WIDTH / TILE_SIZE);
        let mut lossy = vec![false; parts.len()];
        for (index, wanted) in lossy.iter_mut().enumerate() {
            let tile = self.tile_rect(index);
            *wanted = parts[index] == Some(tile)
                && !self.refining[index]
                && self.changing[index] >= LOSSY_AFTER_CHANGES
                && codec::photo_like_at(frame, tile, &mut self.rgb);
        }
        let mut index = 0;
        while index < parts.len() {
            let row_end = (index / tiles_x + 1) * tiles_x;
            let mut end = index;
            while end < row_end && end - index < max_run && lossy[end] {
                end += 1;
            }
            if end - index < 2 {
                index = end.max(index + 1);
                continue;
            }
            let first = self.tile_rect(index);
            let last = self.tile_rect(end - 1);
            let strip = TileRect {
                x: first.x,
                y: first.y,
                w: last.x + last.w - first.x,
                h: first.h,
            };
            if outcome.tiles == 0 {
                batch::write_header(out, seq, self.start_flags(), self.width, self.height);
            }
            let strip_start = out.len();
            codec::write_jpeg_record(out, frame, strip, &mut self.rgb, quality)?;
            if out.len() - batch_start > self.max_batch_bytes
                || outcome.tiles == usize::from(u16::MAX)
            {
                // The rest goes tile by tile below, or in the next batch.
                out.truncate(strip_start);
                if outcome.tiles == 0 {
                    out.truncate(batch_start);
                }
                return Ok(());
            }
            self.remember(frame, strip);
            self.in_sync[index..end].fill(true);
            self.exact[index..end].fill(false);
            self.still[index..end].fill(0);
            parts[index..end].fill(None);
            outcome.tiles += 1;
            index = end;
        }
        Ok(())
    }

    /// Whether the receiver holds exact pixels in every tile under the source
    /// of a copy of `rect` from (`x`, `y`).
    fn exact_source(&self, x: u16, y: u16, rect: &TileRect) -> bool {
        let tiles_x = usize::from(self.width.div_ceil(TILE_SIZE));
        let columns = usize::from(x / TILE_SIZE)..=usize::from((x + rect.w - 1) / TILE_SIZE);
        let first = usize::from(y / TILE_SIZE);
        let last = usize::from((y + rect.h - 1) / TILE_SIZE);
        (first..=last).all(|row| {
            columns.clone().all(|column| {
                self.exact
                    .get(row * tiles_x + column)
                    .copied()
                    .unwrap_or(false)
            })
        })
    }

    fn reset(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        self.previous.clear();
        self.previous.resize(
            usize::from(width) * usize::from(height) * BYTES_PER_PIXEL,
            0,
        );
        let tiles_x = usize::from(width.div_ceil(TILE_SIZE));
        let tiles_y = usize::from(height.div_ceil(TILE_SIZE));
        self.in_sync.clear();
        self.in_sync.resize(tiles_x * tiles_y, false);
        self.changing.clear();
        self.changing.resize(tiles_x * tiles_y, 0);
        self.still.clear();
        self.still.resize(tiles_x * tiles_y, 0);
        self.exact.clear();
        self.exact.resize(tiles_x * tiles_y, true);
        self.resume_at = 0;
    }

    /// Flags of the next batch's header (KEY_END is added once it is known).
    fn start_flags(&self) -> u8 {
        if self.key == KeyProgress::Starting {
            screen_flags::KEY_START
        } else {
            0
        }
    }

    fn tile_rect(&self, index: usize) -> TileRect {
        let tiles_x = usize::from(self.width.div_ceil(TILE_SIZE));
        // Both quotients are below the u16 tile count of a u16-sized screen.
        let tx = u16::try_from(index % tiles_x).unwrap_or(0);
        let ty = u16::try_from(index / tiles_x).unwrap_or(0);
        let x = tx * TILE_SIZE;
        let y = ty * TILE_SIZE;
        TileRect {
            x,
            y,
            w: TILE_SIZE.min(self.width - x),
            h: TILE_SIZE.min(self.height - y),
        }
    }

    fn previous_row(&self, rect: TileRect, y: u16) -> std::ops::Range<usize> {
        let start =
            (usize::from(y) * usize::from(self.width) + usize::from(rect.x)) * BYTES_PER_PIXEL;
        start..start + usize::from(rect.w) * BYTES_PER_PIXEL
    }

    /// The smallest rectangle of `tile` holding every pixel that differs from
    /// what was sent, or `None` when nothing changed. Compares bytes including the
    /// undefined X byte: a spurious difference there costs a few resent pixels,
    /// while masking it would slow every compare.
    fn changed_part(&self, frame: &Frame, tile: TileRect) -> Option<TileRect> {
        let mut rows = None::<(u16, u16)>;
        let mut columns = None::<(usize, usize)>;
        for y in tile.y..tile.y + tile.h {
            let now = frame.row(tile.x, y, tile.w);
            let before = &self.previous[self.previous_row(tile, y)];
            if now == before {
                continue;
            }
            let differs = |(a, b): (&[u8], &[u8])| a != b;
            let pixels = now
                .chunks_exact(BYTES_PER_PIXEL)
                .zip(before.chunks_exact(BYTES_PER_PIXEL));
            let first = pixels.clone().position(differs).unwrap_or(0);
            let last = pixels
                .rev()
                .position(differs)
                .map_or(first, |from_end| usize::from(tile.w) - 1 - from_end);
            rows = Some(rows.map_or((y, y), |(top, _)| (top, y)));
            columns = Some(columns.map_or((first, last), |(left, right)| {
                (left.min(first), right.max(last))
            }));
        }
        let ((top, bottom), (left, right)) = (rows?, columns?);
        // Column offsets are below the tile width, itself a u16.
        let left = u16::try_from(left).unwrap_or(0);
        let right = u16::try_from(right).unwrap_or(tile.w - 1);
        Some(TileRect {
            x: tile.x + left,
            y: top,
            w: right - left + 1,
            h: bottom - top + 1,
        })
    }

    fn remember(&mut self, frame: &Frame, rect: TileRect) {
        for y in rect.y..rect.y + rect.h {
            let range = self.previous_row(rect, y);
            self.previous[range].copy_from_slice(frame.row(rect.x, y, rect.w));
        }
    }
}
