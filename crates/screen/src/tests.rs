//! Encoder and batch tests: round trips through [`batch::decode`] and what each
//! call chooses to send.

use crate::batch::{self, DecodeError, TileEncoding};
use crate::{Frame, TileEncoder, TILE_SIZE};

/// Deterministic noise so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A frame with a noisy left part, a gradient in the middle and a solid strip,
/// so PNG and SOLID tiles both occur and edge tiles are partial.
fn synthetic_frame(width: u16, height: u16, seed: u64) -> Frame {
    let mut rng = XorShift(seed);
    let mut frame = Frame::new(width, height);
    for y in 0..height {
        for x in 0..width {
            let rgb = if x < width / 3 {
                let n = rng.next().to_le_bytes();
                [n[0], n[1], n[2]]
            } else if x < 2 * width / 3 {
                [(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]
            } else {
                [0, 0x80, 0xff]
            };
            frame.set_rgb(x, y, rgb);
        }
    }
    frame
}

/// An encoder that never sends JPEG: these tests check exact pictures.
fn lossless() -> TileEncoder {
    TileEncoder::new().with_lossy_quality(None)
}

/// The frame as RGB, row by row (what a receiver paints).
pub(crate) fn frame_rgb(frame: &Frame) -> Vec<u8> {
    let mut rgb = Vec::new();
    for y in 0..frame.height {
        for x in 0..frame.width {
            rgb.extend_from_slice(&frame.rgb_at(x, y).unwrap());
        }
    }
    rgb
}

fn encode(
    encoder: &mut TileEncoder,
    frame: &Frame,
    force_full: bool,
    seq: u32,
) -> (crate::EncodeOutcome, Vec<u8>) {
    let mut out = Vec::new();
    let outcome = encoder.encode(frame, force_full, seq, &mut out).unwrap();
    (outcome, out)
}

fn tile_count(width: u16, height: u16) -> usize {
    usize::from(width.div_ceil(TILE_SIZE)) * usize::from(height.div_ceil(TILE_SIZE))
}

#[test]
fn round_trip_is_exact_and_appends_after_the_callers_header() {
    let frame = synthetic_frame(150, 100, 1);
    let mut encoder = lossless();
    let mut out = vec![1, 0, 0, 0, 7];
    let outcome = encoder.encode(&frame, false, 42, &mut out).unwrap();
    assert_eq!(&out[..5], &[1, 0, 0, 0, 7]);
    assert_eq!(outcome.tiles, tile_count(150, 100));
    assert!(!outcome.pending);

    let decoded = batch::decode(&out[5..]).unwrap();
    assert_eq!((decoded.seq, decoded.width, decoded.height), (42, 150, 100));
    assert_eq!(decoded.tiles.len(), outcome.tiles);
    let mut canvas = Vec::new();
    decoded.paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&frame));
}

#[test]
fn padded_stride_and_padding_bytes_are_handled() {
    let packed = synthetic_frame(70, 65, 2);
    let mut padded = Frame {
        width: 70,
        height: 65,
        stride: 70 * 4 + 24,
        data: vec![0xee; (70 * 4 + 24) * 65],
    };
    for y in 0..65 {
        for x in 0..70 {
            padded.set_rgb(x, y, packed.rgb_at(x, y).unwrap());
        }
    }
    let (_, out) = encode(&mut lossless(), &padded, false, 0);
    let mut canvas = Vec::new();
    batch::decode(&out).unwrap().paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&packed));
}

#[test]
fn only_changed_tiles_are_resent() {
    let mut frame = synthetic_frame(200, 130, 3);
    let mut encoder = lossless();
    encode(&mut encoder, &frame, false, 1);

    let (outcome, out) = encode(&mut encoder, &frame, false, 2);
    assert_eq!(outcome.tiles, 0);
    assert!(out.is_empty(), "an unchanged frame appends nothing");

    frame.set_rgb(70, 10, [1, 2, 3]);
    frame.set_rgb(199, 129, [4, 5, 6]);
    let (outcome, out) = encode(&mut encoder, &frame, false, 3);
    assert_eq!(outcome.tiles, 2);
    let decoded = batch::decode(&out).unwrap();
    let places: Vec<_> = decoded
        .tiles
        .iter()
        .map(|t| (t.x, t.y, t.width, t.height))
        .collect();
    // Only the changed pixels of each tile travel.
    assert_eq!(places, vec![(70, 10, 1, 1), (199, 129, 1, 1)]);
    assert_eq!(decoded.tiles[0].rgb, vec![1, 2, 3]);
    assert_eq!(decoded.tiles[1].rgb, vec![4, 5, 6]);
}

#[test]
fn a_patch_covers_every_change_in_its_tile() {
    let mut frame = synthetic_frame(200, 130, 5);
    let mut encoder = lossless();
    let (_, first) = encode(&mut encoder, &frame, false, 1);
    let mut canvas = Vec::new();
    batch::decode(&first).unwrap().paint(&mut canvas);
    // Two changes in one tile, at opposite corners of a rectangle.
    frame.set_rgb(10, 20, [9, 9, 9]);
    frame.set_rgb(40, 5, [8, 8, 8]);
    let (outcome, out) = encode(&mut encoder, &frame, false, 2);
    assert_eq!(outcome.tiles, 1);
    let decoded = batch::decode(&out).unwrap();
    let tile = &decoded.tiles[0];
    assert_eq!((tile.x, tile.y, tile.width, tile.height), (10, 5, 31, 16));
    decoded.paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&frame));
}

#[test]
fn force_full_resends_every_tile() {
    let frame = synthetic_frame(130, 70, 4);
    let mut encoder = lossless();
    encode(&mut encoder, &frame, false, 1);
    let (outcome, out) = encode(&mut encoder, &frame, true, 2);
    assert_eq!(outcome.tiles, tile_count(130, 70));
    assert_eq!(batch::decode(&out).unwrap().tiles.len(), outcome.tiles);
}

#[test]
fn uniform_tiles_are_sent_solid_whatever_the_padding_byte() {
    let mut frame = Frame::new(100, 64);
    for y in 0..64 {
        for x in 0..100 {
            frame.set_rgb(x, y, [0x12, 0x34, 0x56]);
        }
    }
    // The X byte is undefined in captures; it must not defeat SOLID.
    frame.data[3] = 0xff;
    let (outcome, out) = encode(&mut lossless(), &frame, false, 0);
    assert_eq!(outcome.tiles, 2);
    let decoded = batch::decode(&out).unwrap();
    for tile in &decoded.tiles {
        assert_eq!(tile.encoding, TileEncoding::Solid);
    }
    assert_eq!(
        out.len(),
        batch::BATCH_HEADER_LEN + 2 * (batch::TILE_HEADER_LEN + 3)
    );
    let mut canvas = Vec::new();
    decoded.paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&frame));
}

#[test]
fn size_change_resends_everything_at_the_new_size() {
    let mut encoder = lossless();
    encode(&mut encoder, &synthetic_frame(128, 128, 5), false, 1);
    let smaller = synthetic_frame(100, 60, 5);
    let (outcome, out) = encode(&mut encoder, &smaller, false, 2);
    assert_eq!(outcome.tiles, tile_count(100, 60));
    let decoded = batch::decode(&out).unwrap();
    assert_eq!((decoded.width, decoded.height), (100, 60));
    let mut canvas = Vec::new();
    decoded.paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&smaller));
}

#[test]
fn capped_batches_leave_the_rest_pending_until_all_is_sent() {
    let cap = crate::MIN_MAX_BATCH_BYTES;
    let mut frame = Frame::new(320, 256);
    let mut rng = XorShift(6);
    for byte in frame.data.iter_mut() {
        *byte = rng.next() as u8;
    }
    let mut encoder = TileEncoder::with_max_batch_bytes(cap).with_lossy_quality(None);
    let mut canvas = Vec::new();
    let mut sent = 0;
    let mut calls = 0;
    loop {
        let (outcome, out) = encode(&mut encoder, &frame, false, calls);
        calls += 1;
        assert!(
            out.len() <= cap,
            "batch of {} bytes exceeds the cap",
            out.len()
        );
        let decoded = batch::decode(&out).unwrap();
        decoded.paint(&mut canvas);
        sent += outcome.tiles;
        if !outcome.pending {
            break;
        }
        assert!(outcome.tiles > 0, "a capped call must still make progress");
    }
    assert!(calls > 1, "noise this large must need several batches");
    assert_eq!(sent, tile_count(320, 256));
    assert_eq!(canvas, frame_rgb(&frame));
    assert_eq!(encode(&mut encoder, &frame, false, 99).0.tiles, 0);
}

#[test]
fn capped_batches_do_not_starve_later_tiles() {
    let cap = crate::MIN_MAX_BATCH_BYTES;
    let mut rng = XorShift(7);
    let mut frame = Frame::new(640, 128);
    let mut encoder = TileEncoder::with_max_batch_bytes(cap).with_lossy_quality(None);
    let mut seen = vec![false; tile_count(640, 128)];
    // Everything changes on every call, yet each tile gets its turn.
    for seq in 0..20 {
        for byte in frame.data.iter_mut() {
            *byte = rng.next() as u8;
        }
        let (_, out) = encode(&mut encoder, &frame, false, seq);
        for tile in batch::decode(&out).unwrap().tiles {
            let index = usize::from(tile.y / TILE_SIZE) * 10 + usize::from(tile.x / TILE_SIZE);
            seen[index] = true;
        }
    }
    assert!(seen.iter().all(|s| *s));
}

#[test]
fn invalid_frames_are_refused_and_leave_out_untouched() {
    let mut frame = Frame::new(10, 10);
    frame.data.truncate(10);
    let mut out = vec![9];
    assert!(lossless().encode(&frame, false, 0, &mut out).is_err());
    assert_eq!(out, vec![9]);
}

fn valid_batch() -> Vec<u8> {
    let mut frame = synthetic_frame(130, 70, 8);
    for y in 0..64 {
        for x in 64..128 {
            frame.set_rgb(x, y, [9, 9, 9]);
        }
    }
    let (_, out) = encode(&mut lossless(), &frame, false, 5);
    let decoded = batch::decode(&out).unwrap();
    assert!(decoded
        .tiles
        .iter()
        .any(|t| t.encoding == TileEncoding::Solid));
    assert!(decoded
        .tiles
        .iter()
        .any(|t| t.encoding == TileEncoding::Png));
    out
}

#[test]
fn every_truncation_is_an_error() {
    let batch = valid_batch();
    for len in 0..batch.len() {
        assert!(
            batch::decode(&batch[..len]).is_err(),
            "prefix of {len} bytes decoded"
        );
    }
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut batch = valid_batch();
    batch.push(0);
    assert!(matches!(
        batch::decode(&batch),
        Err(DecodeError::TrailingBytes(1))
    ));
}

/// A one-tile batch with the given rectangle, encoding and data.
fn one_tile(rect: [u16; 4], encoding: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&1u32.to_be_bytes());
    out.push(0);
    out.extend_from_slice(&100u16.to_be_bytes());
    out.extend_from_slice(&100u16.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    for v in rect {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.push(encoding);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn bad_tiles_are_errors() {
    assert!(batch::decode(&one_tile([0, 0, 10, 10], 2, &[1, 2, 3])).is_ok());
    assert!(matches!(
        batch::decode(&one_tile([0, 0, 10, 10], 7, &[1, 2, 3])),
        Err(DecodeError::UnknownEncoding(7))
    ));
    for rect in [
        [95, 0, 10, 10],
        [0, 99, 1, 2],
        [0, 0, 0, 5],
        [0, 0, 65, 1],
        [65535, 0, 2, 2],
    ] {
        assert!(
            matches!(
                batch::decode(&one_tile(rect, 2, &[1, 2, 3])),
                Err(DecodeError::BadTileRect { .. })
            ),
            "{rect:?}"
        );
    }
    assert!(matches!(
        batch::decode(&one_tile([0, 0, 10, 10], 2, &[1, 2])),
        Err(DecodeError::BadSolidLength(2))
    ));
    assert!(matches!(
        batch::decode(&one_tile([0, 0, 10, 10], 1, b"not a png")),
        Err(DecodeError::Png(_))
    ));
}

#[test]
fn png_of_the_wrong_size_is_an_error() {
    let (_, good) = encode(&mut lossless(), &synthetic_frame(20, 20, 9), false, 0);
    let png = &good[batch::BATCH_HEADER_LEN + batch::TILE_HEADER_LEN..];
    assert!(matches!(
        batch::decode(&one_tile([0, 0, 20, 19], 1, png)),
        Err(DecodeError::PngFormat { .. })
    ));
}

#[test]
fn corrupted_batches_never_panic() {
    let batch = valid_batch();
    let mut rng = XorShift(10);
    for _ in 0..2000 {
        let mut bad = batch.clone();
        for _ in 0..1 + rng.next() % 4 {
            let at = (rng.next() as usize) % bad.len();
            bad[at] = rng.next() as u8;
        }
        // Any result is fine; reaching here without a panic is the test.
        let _ = batch::decode(&bad);
    }
}

/// Rows of "text": each row a different noisy pattern, so any row is found
/// in one place only, as lines of a page are.
fn page_row(line: u32, width: u16) -> Vec<[u8; 3]> {
    let mut rng = XorShift(u64::from(line) * 7919 + 1);
    (0..width)
        .map(|_| {
            let n = rng.next().to_le_bytes();
            [n[0] | 0x80, n[1] | 0x80, n[2]]
        })
        .collect()
}

/// A screen showing page lines `first..` (one pixel row per line).
fn page(width: u16, height: u16, first: u32) -> Frame {
    let mut frame = Frame::new(width, height);
    for y in 0..height {
        for (x, rgb) in (0u16..).zip(page_row(first + u32::from(y), width)) {
            frame.set_rgb(x, y, rgb);
        }
    }
    frame
}

#[test]
fn a_scroll_is_sent_as_copies_of_the_earlier_picture() {
    let (width, height) = (256, 256);
    let mut encoder = lossless();
    let mut canvas = Vec::new();
    let (_, first) = encode(&mut encoder, &page(width, height, 0), false, 1);
    batch::decode(&first).unwrap().paint(&mut canvas);
    // Scrolled down by 24 lines: content moves up, 24 new lines at the bottom.
    let scrolled = page(width, height, 24);
    let (_, second) = encode(&mut encoder, &scrolled, false, 2);
    let decoded = batch::decode(&second).unwrap();
    let copies = decoded
        .tiles
        .iter()
        .filter(|t| t.encoding == TileEncoding::Copy)
        .count();
    // Every tile is a copy, the bottom ones for their first 40 rows; only the
    // 24 new lines at the bottom are sent as pixels.
    assert_eq!(copies, 16);
    let sent: Vec<(u16, u16)> = decoded
        .tiles
        .iter()
        .filter(|t| t.encoding != TileEncoding::Copy)
        .map(|t| (t.y, t.height))
        .collect();
    assert_eq!(sent, vec![(232, 24); 4]);
    assert!(
        second.len() * 3 < first.len(),
        "a scroll costs {} bytes against {} for the whole screen",
        second.len(),
        first.len()
    );
    decoded.paint(&mut canvas);
    assert_eq!(
        canvas,
        frame_rgb(&scrolled),
        "the receiver's picture is the new frame"
    );
}

#[test]
fn copies_read_the_picture_from_before_the_batch() {
    // Scrolling up (content moves down): a copy's source is a tile that the same
    // batch overwrites, so a receiver copying from its updated picture would fail.
    let (width, height) = (128, 256);
    let mut encoder = lossless();
    let mut canvas = Vec::new();
    let (_, first) = encode(&mut encoder, &page(width, height, 100), false, 1);
    batch::decode(&first).unwrap().paint(&mut canvas);
    let scrolled = page(width, height, 70);
    let (_, second) = encode(&mut encoder, &scrolled, false, 2);
    let decoded = batch::decode(&second).unwrap();
    assert!(decoded
        .tiles
        .iter()
        .any(|t| t.encoding == TileEncoding::Copy));
    decoded.paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&scrolled));
}

#[test]
fn copy_tiles_with_a_bad_source_are_refused() {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&7u32.to_be_bytes());
    bytes.push(0);
    bytes.extend_from_slice(&100u16.to_be_bytes());
    bytes.extend_from_slice(&100u16.to_be_bytes());
    bytes.extend_from_slice(&1u16.to_be_bytes());
    for value in [0u16, 0, 64, 64] {
        bytes.extend_from_slice(&value.to_be_bytes());
    }
    bytes.push(TileEncoding::Copy as u8);
    let valid_header_len = bytes.len();
    // A source reaching past the screen's edge.
    bytes.extend_from_slice(&4u32.to_be_bytes());
    bytes.extend_from_slice(&50u16.to_be_bytes());
    bytes.extend_from_slice(&0u16.to_be_bytes());
    assert!(matches!(
        batch::decode(&bytes),
        Err(DecodeError::BadCopySource(4))
    ));
    // A source of the wrong length.
    bytes.truncate(valid_header_len);
    bytes.extend_from_slice(&2u32.to_be_bytes());
    bytes.extend_from_slice(&[0, 0]);
    assert!(matches!(
        batch::decode(&bytes),
        Err(DecodeError::BadCopySource(2))
    ));
}

/// PSNR in dB of `seen` against `want` (RGB), for checking lossy tiles.
fn psnr(want: &[u8], seen: &[u8]) -> f64 {
    let squared: u64 = want
        .iter()
        .zip(seen)
        .map(|(a, b)| u64::from(a.abs_diff(*b)).pow(2))
        .sum();
    if squared == 0 {
        return f64::INFINITY;
    }
    10.0 * (255.0f64 * 255.0 / (squared as f64 / want.len() as f64)).log10()
}

/// A photo-like picture: smooth colour ramps with grain, `phase` moving them.
fn photo(width: u16, height: u16, phase: u32) -> Frame {
    let mut rng = XorShift(u64::from(phase) + 99);
    let mut frame = Frame::new(width, height);
    for y in 0..height {
        for x in 0..width {
            let grain = (rng.next() % 4) as u32;
            let r = (u32::from(x) + phase + grain).min(255);
            let g = (u32::from(y) + phase * 2 + grain).min(255);
            let b = ((u32::from(x) + u32::from(y)) / 2 + grain).min(255);
            frame.set_rgb(x, y, [r as u8, g as u8, b as u8]);
        }
    }
    frame
}

fn encodings(batch: &[u8]) -> Vec<TileEncoding> {
    batch::decode(batch)
        .unwrap()
        .tiles
        .iter()
        .map(|t| t.encoding)
        .collect()
}

#[test]
fn a_photo_that_keeps_changing_goes_lossy_and_is_refined_once_still() {
    let mut encoder = TileEncoder::new();
    let mut canvas = Vec::new();
    // First sight (a still photo may never move): exact.
    let (_, first) = encode(&mut encoder, &photo(128, 128, 0), false, 1);
    assert!(encodings(&first).iter().all(|e| *e == TileEncoding::Png));
    batch::decode(&first).unwrap().paint(&mut canvas);
    // It changes again: video. JPEG, close to the source but not exact, as one
    // strip per row of tiles (JPEG headers cost more than one tile's pixels).
    let moving = photo(128, 128, 5);
    let (_, second) = encode(&mut encoder, &moving, false, 2);
    let strips: Vec<(TileEncoding, u16, u16)> = batch::decode(&second)
        .unwrap()
        .tiles
        .iter()
        .map(|t| (t.encoding, t.width, t.height))
        .collect();
    assert_eq!(strips, vec![(TileEncoding::Jpeg, 128, 64); 2]);
    assert!(
        second.len() * 2 < first.len(),
        "{} against {}",
        second.len(),
        first.len()
    );
    batch::decode(&second).unwrap().paint(&mut canvas);
    let quality = psnr(&frame_rgb(&moving), &canvas);
    assert!((30.0..f64::INFINITY).contains(&quality), "{quality} dB");
    // Still: nothing for a while, then the exact picture.
    let mut refined = None;
    for seq in 3..30 {
        let (_, batch) = encode(&mut encoder, &moving, false, seq);
        if !batch.is_empty() {
            refined = Some((seq, batch));
            break;
        }
    }
    let (seq, batch) = refined.expect("the lossy tiles are refined");
    assert!(seq > 10, "refined after {seq} encodes, not at once");
    assert!(encodings(&batch).iter().all(|e| *e == TileEncoding::Png));
    batch::decode(&batch).unwrap().paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&moving), "exact once refined");
    // And then nothing more.
    assert!(encode(&mut encoder, &moving, false, 40).1.is_empty());
}

#[test]
fn text_and_ui_are_never_lossy() {
    // Few colours, changing every time (a terminal being typed in): PNG only.
    let mut encoder = TileEncoder::new();
    for seq in 0..5u32 {
        let mut frame = Frame::new(128, 64);
        for y in 0..64u16 {
            for x in 0..128u16 {
                let on = (x + y * 3 + seq as u16 * 7) % 11 < 3;
                frame.set_rgb(x, y, if on { [20, 20, 20] } else { [250, 250, 250] });
            }
        }
        let (_, batch) = encode(&mut encoder, &frame, false, seq);
        assert!(
            !encodings(&batch).contains(&TileEncoding::Jpeg),
            "encode {seq}"
        );
    }
}

#[test]
fn a_broken_jpeg_tile_is_refused() {
    let mut encoder = TileEncoder::new();
    encode(&mut encoder, &photo(64, 64, 0), false, 1);
    let (_, mut batch) = encode(&mut encoder, &photo(64, 64, 9), false, 2);
    assert_eq!(encodings(&batch), vec![TileEncoding::Jpeg]);
    // Not a JPEG any more: its start-of-image marker is gone.
    let data = batch::BATCH_HEADER_LEN + batch::TILE_HEADER_LEN;
    batch[data..data + 2].fill(0);
    assert!(matches!(batch::decode(&batch), Err(DecodeError::Jpeg(_))));
}

#[test]
fn full_pictures_are_flagged_from_key_start_to_key_end() {
    use reach_proto::frame::screen_flags::{KEY_END, KEY_START};
    let frame = synthetic_frame(130, 70, 11);
    let mut encoder = lossless();
    let (_, first) = encode(&mut encoder, &frame, false, 1);
    assert_eq!(batch::decode(&first).unwrap().flags, KEY_START | KEY_END);
    let mut changed = frame.clone();
    changed.set_rgb(3, 3, [1, 2, 3]);
    let (_, delta) = encode(&mut encoder, &changed, false, 2);
    assert_eq!(batch::decode(&delta).unwrap().flags, 0);
    let (_, forced) = encode(&mut encoder, &changed, true, 3);
    assert_eq!(batch::decode(&forced).unwrap().flags, KEY_START | KEY_END);

    // A full picture cut by the size cap: start, continuations, end.
    let mut noise = Frame::new(320, 256);
    let mut rng = XorShift(12);
    for byte in noise.data.iter_mut() {
        *byte = rng.next() as u8;
    }
    let mut capped =
        TileEncoder::with_max_batch_bytes(crate::MIN_MAX_BATCH_BYTES).with_lossy_quality(None);
    let mut flags = Vec::new();
    loop {
        let (outcome, out) = encode(&mut capped, &noise, false, 1);
        flags.push(batch::decode(&out).unwrap().flags);
        if !outcome.pending {
            break;
        }
    }
    assert!(flags.len() > 2);
    assert_eq!(flags.first(), Some(&KEY_START));
    assert_eq!(flags.last(), Some(&KEY_END));
    assert!(flags[1..flags.len() - 1].iter().all(|f| *f == 0));
}

#[test]
fn a_replay_rebuilds_the_picture_of_those_who_kept_up_and_changes_nothing_for_them() {
    use reach_proto::frame::screen_flags::{KEY_END, KEY_START, REPLAY};
    let mut encoder = lossless();
    let mut kept_up = Vec::new();
    // A page, then the page scrolled (copies), then a changed corner.
    let first = page(256, 192, 0);
    let scrolled = page(256, 192, 3);
    for (seq, frame) in [(1, &first), (2, &scrolled)] {
        let (_, out) = encode(&mut encoder, frame, false, seq);
        batch::decode(&out).unwrap().paint(&mut kept_up);
    }
    let parts = encoder
        .encode_replay(7, || vec![0xAB])
        .expect("replay encodes");
    assert_eq!(parts.len(), 1);
    assert_eq!(
        parts[0][0], 0xAB,
        "each part starts with the caller's header"
    );
    let replay = batch::decode(&parts[0][1..]).unwrap();
    assert_eq!(replay.seq, 7);
    assert_eq!(replay.flags, REPLAY | KEY_START | KEY_END);
    assert_eq!(replay.tiles.len(), tile_count(256, 192));
    assert!(replay.tiles.iter().all(|t| t.copy_from.is_none()));
    let mut late = Vec::new();
    replay.paint(&mut late);
    assert_eq!(late, kept_up);

    // The next change applies to both receivers alike.
    let mut next = scrolled.clone();
    next.set_rgb(200, 150, [250, 0, 0]);
    let (_, out) = encode(&mut encoder, &next, false, 8);
    let delta = batch::decode(&out).unwrap();
    assert_eq!(delta.flags, 0);
    delta.paint(&mut kept_up);
    delta.paint(&mut late);
    assert_eq!(late, frame_rgb(&next));
    assert_eq!(kept_up, late);
}

#[test]
fn large_replays_are_cut_into_flagged_parts_under_the_cap() {
    use reach_proto::frame::screen_flags::{KEY_END, KEY_START, REPLAY};
    let cap = crate::MIN_MAX_BATCH_BYTES;
    let mut noise = Frame::new(320, 256);
    let mut rng = XorShift(13);
    for byte in noise.data.iter_mut() {
        *byte = rng.next() as u8;
    }
    let mut encoder = TileEncoder::with_max_batch_bytes(cap).with_lossy_quality(None);
    let mut kept_up = Vec::new();
    loop {
        let (outcome, out) = encode(&mut encoder, &noise, false, 1);
        batch::decode(&out).unwrap().paint(&mut kept_up);
        if !outcome.pending {
            break;
        }
    }
    let parts = encoder.encode_replay(2, Vec::new).unwrap();
    assert!(parts.len() > 1);
    let mut late = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        assert!(part.len() <= cap);
        let decoded = batch::decode(part).unwrap();
        let mut want = REPLAY;
        if index == 0 {
            want |= KEY_START;
        }
        if index == parts.len() - 1 {
            want |= KEY_END;
        }
        assert_eq!(decoded.flags, want);
        decoded.paint(&mut late);
    }
    assert_eq!(late, kept_up);
}

#[test]
fn a_replay_before_any_picture_is_empty() {
    assert!(lossless().encode_replay(1, Vec::new).unwrap().is_empty());
}

#[test]
fn unknown_flags_are_refused() {
    let mut batch = one_tile([0, 0, 10, 10], 2, &[1, 2, 3]);
    batch[4] = 0x80;
    assert!(matches!(
        batch::decode(&batch),
        Err(DecodeError::UnknownFlags(0x80))
    ));
}

#[test]
fn damage_limits_what_is_compared_and_nothing_means_nothing() {
    use crate::Damage;
    let first = synthetic_frame(256, 128, 21);
    let mut encoder = lossless();
    let mut canvas = Vec::new();
    let (_, out) = encode(&mut encoder, &first, false, 1);
    batch::decode(&out).unwrap().paint(&mut canvas);
    let mut next = first.clone();
    next.set_rgb(10, 10, [1, 1, 1]);
    next.set_rgb(200, 100, [2, 2, 2]);
    // Only the first change is inside the damage: only it is sent.
    let within = Damage::Within {
        x: 0,
        y: 0,
        width: 64,
        height: 64,
    };
    let mut out = Vec::new();
    let outcome = encoder
        .encode_damaged(&next, within, false, 2, &mut out)
        .unwrap();
    assert_eq!(outcome.tiles, 1);
    let mut out = Vec::new();
    let outcome = encoder
        .encode_damaged(&next, Damage::Nothing, false, 3, &mut out)
        .unwrap();
    assert_eq!(outcome.tiles, 0);
    // Unknown damage compares everything again and finds the other change.
    let (outcome, out) = encode(&mut encoder, &next, false, 4);
    assert_eq!(outcome.tiles, 1);
    let decoded = batch::decode(&out).unwrap();
    assert_eq!((decoded.tiles[0].x, decoded.tiles[0].y), (200, 100));
}

#[test]
fn tiles_the_cap_left_out_are_sent_whatever_the_next_damage_says() {
    use crate::Damage;
    let cap = crate::MIN_MAX_BATCH_BYTES;
    let mut frame = Frame::new(320, 256);
    let mut encoder = TileEncoder::with_max_batch_bytes(cap).with_lossy_quality(None);
    let mut canvas = Vec::new();
    let (_, out) = encode(&mut encoder, &frame, false, 0);
    batch::decode(&out).unwrap().paint(&mut canvas);
    let mut rng = XorShift(22);
    for byte in frame.data.iter_mut() {
        *byte = rng.next() as u8;
    }
    let mut damage = Damage::Unknown;
    for seq in 1..100 {
        let mut out = Vec::new();
        let outcome = encoder
            .encode_damaged(&frame, damage, false, seq, &mut out)
            .unwrap();
        if outcome.tiles > 0 {
            batch::decode(&out).unwrap().paint(&mut canvas);
        }
        if !outcome.pending {
            break;
        }
        // The screen did not change again: the capture reports no damage.
        damage = Damage::Nothing;
    }
    assert_eq!(canvas, frame_rgb(&frame));
}
