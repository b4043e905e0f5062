//! Move detection tests: a window dragged in two directions is sent as COPY
//! of the earlier picture, decoded through [`batch::decode`] as a receiver would.

use crate::batch::{self, TileEncoding};
use crate::tests::frame_rgb as rgb;
use crate::{Frame, TileEncoder};

const DESKTOP: [u8; 3] = [40, 60, 90];

/// A plain desktop with a 160×128 "window" of varied, non-repeating pixels
/// (a directory listing's worth of detail) at (`x`, `y`).
fn desktop_with_window(x: u16, y: u16) -> Frame {
    let (width, height) = (512, 384);
    let mut frame = Frame::new(width, height);
    for row in 0..height {
        for column in 0..width {
            frame.set_rgb(column, row, DESKTOP);
        }
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for row in 0..128 {
        for column in 0..160 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = seed.to_le_bytes();
            frame.set_rgb(x + column, y + row, [n[0] | 0x80, n[1], n[2] | 0x40]);
        }
    }
    frame
}

#[test]
fn a_window_dragged_sideways_and_down_is_sent_as_copies() {
    let mut encoder = TileEncoder::new().with_lossy_quality(None);
    let mut canvas = Vec::new();
    let before = desktop_with_window(100, 80);
    let mut first = Vec::new();
    encoder.encode(&before, false, 1, &mut first).unwrap();
    batch::decode(&first).unwrap().paint(&mut canvas);

    // Dragged 12 pixels right and 5 down, as the corpus's drag workload does.
    let after = desktop_with_window(112, 85);
    let mut second = Vec::new();
    encoder.encode(&after, false, 2, &mut second).unwrap();
    let decoded = batch::decode(&second).unwrap();
    let copies: Vec<(u16, u16)> = decoded
        .tiles
        .iter()
        .filter(|tile| tile.encoding == TileEncoding::Copy)
        .filter_map(|tile| {
            let (src_x, src_y) = tile.copy_from?;
            Some((tile.x - src_x, tile.y - src_y))
        })
        .collect();
    assert!(!copies.is_empty(), "no copy in {:?}", decoded.tiles.len());
    assert!(
        copies.iter().all(|&offset| offset == (12, 5)),
        "copies moved by {copies:?}"
    );
    decoded.paint(&mut canvas);
    assert_eq!(
        canvas,
        rgb(&after),
        "the receiver's picture is the new frame"
    );

    // Without move detection the window's noise would be sent again whole.
    let mut fresh = TileEncoder::new().with_lossy_quality(None);
    let mut whole = Vec::new();
    fresh.encode(&after, false, 1, &mut whole).unwrap();
    assert!(
        second.len() * 2 < whole.len(),
        "a drag costs {} bytes against {} for the window sent again",
        second.len(),
        whole.len()
    );
}

#[test]
fn repeating_content_votes_for_no_move() {
    // A screen of one repeated 8-pixel pattern matches itself at many offsets:
    // no probe is unambiguous, so no copy is made from a guess.
    let (width, height) = (256, 256);
    let striped = |phase: u16| {
        let mut frame = Frame::new(width, height);
        for y in 0..height {
            for x in 0..width {
                let on = (x + phase) % 8 < 4;
                frame.set_rgb(x, y, if on { [255, 255, 255] } else { [0, 0, 0] });
            }
        }
        frame
    };
    let mut encoder = TileEncoder::new().with_lossy_quality(None);
    let mut canvas = Vec::new();
    let mut out = Vec::new();
    encoder.encode(&striped(0), false, 1, &mut out).unwrap();
    batch::decode(&out).unwrap().paint(&mut canvas);
    out.clear();
    encoder.encode(&striped(3), false, 2, &mut out).unwrap();
    let decoded = batch::decode(&out).unwrap();
    decoded.paint(&mut canvas);
    assert_eq!(canvas, rgb(&striped(3)));
}
