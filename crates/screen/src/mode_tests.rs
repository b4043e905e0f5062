//! Colour mode tests: what the encoder sends in each reduced mode, decoded
//! through [`batch::decode`] as a receiver would.

use std::collections::HashSet;

use crate::batch::{self, TileEncoding};
use crate::{ColourMode, Frame, TileEncoder};

const REDUCED: [ColourMode; 3] = [
    ColourMode::BlackAndWhite,
    ColourMode::FewColours,
    ColourMode::MoreColours,
];

/// A desktop-like frame: a smooth photo on the left (thousands of colours),
/// dark text on a light page on the right (scrolled by `first_line` rows), a
/// solid bar at the bottom.
fn desktop(width: u16, height: u16, first_line: u16) -> Frame {
    let mut frame = Frame::new(width, height);
    for y in 0..height {
        for x in 0..width {
            let rgb = if y + 40 >= height {
                [30, 60, 200]
            } else if x < width / 2 {
                [
                    (x * 3 % 256) as u8,
                    (y * 2 % 256) as u8,
                    ((x + y) % 256) as u8,
                ]
            } else {
                // "Glyphs": every page row differs, as lines of text do.
                let row = u32::from(y + first_line);
                let mix = (u32::from(x).wrapping_mul(0x9E37_79B1) ^ row.wrapping_mul(0x85EB_CA77))
                    .wrapping_mul(0xC2B2_AE35);
                let ink = mix >> 29 < 2;
                if ink {
                    [20, 20, 20]
                } else {
                    [240, 240, 235]
                }
            };
            frame.set_rgb(x, y, rgb);
        }
    }
    frame
}

fn encode(encoder: &mut TileEncoder, frame: &Frame, seq: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let outcome = encoder.encode(frame, false, seq, &mut out).unwrap();
    assert!(!outcome.pending);
    out
}

fn colours(canvas: &[u8]) -> HashSet<[u8; 3]> {
    canvas
        .chunks_exact(3)
        .map(|px| [px[0], px[1], px[2]])
        .collect()
}

/// The frame as the mode reduces it, as RGB.
fn reduced_rgb(frame: &Frame, mode: ColourMode) -> Vec<u8> {
    let mut out = Frame::default();
    crate::colour::reduce(frame, mode, &mut out);
    crate::tests::frame_rgb(&out)
}

#[test]
fn each_reduced_mode_sends_exactly_its_reduced_picture() {
    let frame = desktop(200, 150, 0);
    for mode in REDUCED {
        let mut encoder = TileEncoder::new();
        encoder.set_mode(mode);
        let bytes = encode(&mut encoder, &frame, 1);
        let decoded = batch::decode(&bytes).unwrap();
        let mut canvas = Vec::new();
        decoded.paint(&mut canvas);
        assert_eq!(canvas, reduced_rgb(&frame, mode), "{mode:?}");
        let used = colours(&canvas);
        match mode {
            ColourMode::BlackAndWhite => {
                assert!(used.is_subset(&HashSet::from([[0, 0, 0], [255, 255, 255]])));
            }
            ColourMode::FewColours => {
                let levels = [0, 51, 102, 153, 204, 255];
                assert!(
                    used.iter().flatten().all(|v| levels.contains(v)),
                    "{used:?}"
                );
            }
            _ => assert!(used.len() > 256, "5-6-5 keeps many colours"),
        }
        for tile in &decoded.tiles {
            assert!(
                matches!(
                    tile.encoding,
                    TileEncoding::Indexed | TileEncoding::Solid | TileEncoding::Png
                ),
                "{mode:?}: {:?}",
                tile.encoding
            );
        }
        let indexed = decoded
            .tiles
            .iter()
            .filter(|t| t.encoding == TileEncoding::Indexed)
            .count();
        assert!(indexed > 0, "{mode:?} sends palette tiles");
        assert!(
            decoded
                .tiles
                .iter()
                .any(|t| t.encoding == TileEncoding::Solid),
            "{mode:?} keeps SOLID fills"
        );
    }
}

#[test]
fn fewer_colours_cost_fewer_bytes() {
    let frame = desktop(256, 192, 0);
    let size = |mode| {
        let mut encoder = TileEncoder::new();
        encoder.set_mode(mode);
        encode(&mut encoder, &frame, 1).len()
    };
    let (bw, few, more, all) = (
        size(ColourMode::BlackAndWhite),
        size(ColourMode::FewColours),
        size(ColourMode::MoreColours),
        size(ColourMode::AllColours),
    );
    assert!(
        bw < few && few < more && more < all,
        "{bw} {few} {more} {all}"
    );
}

#[test]
fn switching_mode_resends_the_whole_screen_in_the_new_colours() {
    let frame = desktop(130, 70, 0);
    let mut encoder = TileEncoder::new();
    let mut canvas = Vec::new();
    batch::decode(&encode(&mut encoder, &frame, 1))
        .unwrap()
        .paint(&mut canvas);
    assert!(
        encode(&mut encoder, &frame, 2).is_empty(),
        "nothing changed"
    );
    for (seq, mode) in (3..).zip(REDUCED.into_iter().chain([ColourMode::AllColours])) {
        encoder.set_mode(mode);
        assert_eq!(encoder.mode(), mode);
        let decoded = batch::decode(&encode(&mut encoder, &frame, seq)).unwrap();
        assert_eq!(decoded.tiles.len(), 3 * 2, "every tile again in {mode:?}");
        decoded.paint(&mut canvas);
        assert_eq!(canvas, reduced_rgb(&frame, mode));
        // Setting the same mode again changes nothing.
        encoder.set_mode(mode);
        assert!(encode(&mut encoder, &frame, seq + 100).is_empty());
    }
}

#[test]
fn a_scroll_is_still_sent_as_copies_in_reduced_modes() {
    let (width, height) = (256, 256);
    for mode in REDUCED {
        let mut encoder = TileEncoder::new();
        encoder.set_mode(mode);
        let mut canvas = Vec::new();
        let first = encode(&mut encoder, &desktop(width, height, 0), 1);
        batch::decode(&first).unwrap().paint(&mut canvas);
        let scrolled = desktop(width, height, 24);
        let second = encode(&mut encoder, &scrolled, 2);
        let decoded = batch::decode(&second).unwrap();
        assert!(
            decoded
                .tiles
                .iter()
                .any(|t| t.encoding == TileEncoding::Copy),
            "{mode:?} scrolls by copies"
        );
        decoded.paint(&mut canvas);
        assert_eq!(canvas, reduced_rgb(&scrolled, mode), "{mode:?}");
    }
}

#[test]
fn unchanged_source_pixels_send_nothing_in_reduced_modes() {
    let frame = desktop(200, 100, 0);
    for mode in REDUCED {
        let mut encoder = TileEncoder::new();
        encoder.set_mode(mode);
        encode(&mut encoder, &frame, 1);
        assert!(encode(&mut encoder, &frame, 2).is_empty(), "{mode:?}");
        // A change the reduction hides (one level of grey on the page) costs nothing.
        let x = (100..200)
            .find(|&x| frame.rgb_at(x, 3) == Some([240, 240, 235]))
            .unwrap();
        let mut faint = frame.clone();
        faint.set_rgb(x, 3, [241, 240, 235]);
        assert!(encode(&mut encoder, &faint, 3).is_empty(), "{mode:?}");
    }
}
