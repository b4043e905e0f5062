//! The screen mode of one session on the agent: the server's choice, held where
//! the capture loop reads it before each frame, and the encoder that serves it.
//!
//! Owns switching between the tile encoder (in a colour mode) and the video
//! encoder, and which bulk kind each writes. It must not capture or pace
//! frames: the session loop does, by the console's acks, whatever the mode.

use std::sync::atomic::{AtomicU8, Ordering};

use reach_proto::frame::{start_bulk_frame, BulkKind};
use reach_proto::screen::ScreenMode;
use reach_screen::video::VideoEncoder;
use reach_screen::{ColourMode, Damage, EncodeOutcome, Frame, TileEncoder};

/// The mode the server last asked for (all colours until it asks).
#[derive(Debug)]
pub(crate) struct ModeCell(AtomicU8);

impl Default for ModeCell {
    fn default() -> Self {
        Self(AtomicU8::new(index(ScreenMode::default())))
    }
}

impl ModeCell {
    pub fn set(&self, mode: ScreenMode) {
        self.0.store(index(mode), Ordering::SeqCst);
    }

    pub fn get(&self) -> ScreenMode {
        ScreenMode::ALL
            .get(usize::from(self.0.load(Ordering::SeqCst)))
            .copied()
            .unwrap_or_default()
    }
}

fn index(mode: ScreenMode) -> u8 {
    // ALL lists every mode; five fit a u8.
    ScreenMode::ALL
        .iter()
        .position(|m| *m == mode)
        .unwrap_or_default() as u8
}

/// How the tile encoder renders `mode`, or None for video.
fn colour_mode(mode: ScreenMode) -> Option<ColourMode> {
    match mode {
        ScreenMode::BlackAndWhite => Some(ColourMode::BlackAndWhite),
        ScreenMode::FewColours => Some(ColourMode::FewColours),
        ScreenMode::MoreColours => Some(ColourMode::MoreColours),
        ScreenMode::AllColours => Some(ColourMode::AllColours),
        ScreenMode::Video => None,
    }
}

/// Encodes a session's frames in its current mode.
#[derive(Debug, Default)]
pub(crate) struct ScreenEncoder {
    tiles: TileEncoder,
    /// Created on the first video frame: most sessions never use it.
    video: Option<VideoEncoder>,
    last: ScreenMode,
}

impl ScreenEncoder {
    /// Encodes `frame` in `mode` as one bulk frame for `channel` in `out`
    /// (cleared first); `tiles == 0` in the outcome means nothing to send. A
    /// change of mode sends the whole screen (a key frame for video).
    #[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
    pub fn encode(
        &mut self,
        mode: ScreenMode,
        frame: &Frame,
        damage: Damage,
        force_full: bool,
        channel: u32,
        seq: u32,
        out: &mut Vec<u8>,
    ) -> Result<EncodeOutcome, String> {
        // The console's picture came from the other encoder: start over.
        let full = force_full || mode != self.last;
        self.last = mode;
        match colour_mode(mode) {
            Some(colour) => {
                *out = start_bulk_frame(BulkKind::ScreenTiles, channel, 64 * 1024);
                self.tiles.set_mode(colour);
                self.tiles
                    .encode_damaged(frame, damage, full, seq, out)
                    .map_err(|err| err.to_string())
            }
            None => {
                *out = start_bulk_frame(BulkKind::ScreenVideo, channel, 256 * 1024);
                let video = self.video.get_or_insert_with(VideoEncoder::new);
                if full {
                    video.request_key_frame();
                }
                let sent = video
                    .encode(frame, seq, out)
                    .map_err(|err| err.to_string())?;
                if out.len() > reach_proto::MAX_BULK_FRAME {
                    // The server would close the link over it: skip the frame
                    // and start again from a key frame.
                    tracing::warn!(
                        bytes = out.len(),
                        "video frame over the bulk frame limit, skipped"
                    );
                    video.request_key_frame();
                    return Ok(EncodeOutcome::default());
                }
                Ok(EncodeOutcome {
                    tiles: usize::from(sent),
                    pending: false,
                })
            }
        }
    }
}

impl ScreenEncoder {
    /// JPEG quality of changing photo-like regions in tile modes (the stream's
    /// adaptation to the link sets it).
    pub fn set_lossy_quality(&mut self, quality: u8) {
        self.tiles.set_lossy_quality(Some(quality));
    }

    /// What a viewer that lost its picture needs: in tile modes, a replay of
    /// the picture the others hold (see `TileEncoder::encode_replay`); in video,
    /// nothing now, and the next frame is a key frame, which every viewer's
    /// decoder takes.
    pub fn replay(&mut self, channel: u32, seq: u32) -> Result<Vec<Vec<u8>>, String> {
        if colour_mode(self.last).is_none() {
            if let Some(video) = &mut self.video {
                video.request_key_frame();
            }
            return Ok(Vec::new());
        }
        self.tiles
            .encode_replay(seq, || {
                start_bulk_frame(BulkKind::ScreenTiles, channel, 256 * 1024)
            })
            .map_err(|err| err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reach_proto::frame::BulkFrame;

    #[test]
    fn the_cell_holds_every_mode() {
        let cell = ModeCell::default();
        assert_eq!(cell.get(), ScreenMode::AllColours);
        for mode in ScreenMode::ALL {
            cell.set(mode);
            assert_eq!(cell.get(), mode);
        }
    }

    #[test]
    fn each_mode_writes_its_bulk_kind_and_a_switch_sends_everything() {
        let mut frame = Frame::new(96, 64);
        frame.set_rgb(5, 5, [200, 10, 10]);
        let mut encoder = ScreenEncoder::default();
        let mut out = Vec::new();
        let outcome = encoder
            .encode(
                ScreenMode::AllColours,
                &frame,
                Damage::Unknown,
                false,
                3,
                1,
                &mut out,
            )
            .unwrap();
        assert!(outcome.tiles > 0);
        assert_eq!(BulkFrame::parse(&out).unwrap().kind, BulkKind::ScreenTiles);
        let same = encoder
            .encode(
                ScreenMode::AllColours,
                &frame,
                Damage::Unknown,
                false,
                3,
                2,
                &mut out,
            )
            .unwrap();
        assert_eq!(same.tiles, 0, "nothing changed");

        let video = encoder
            .encode(
                ScreenMode::Video,
                &frame,
                Damage::Unknown,
                false,
                3,
                2,
                &mut out,
            )
            .unwrap();
        assert_eq!(video.tiles, 1);
        let parsed = BulkFrame::parse(&out).unwrap();
        assert_eq!((parsed.kind, parsed.channel), (BulkKind::ScreenVideo, 3));
        let (header, _) = reach_screen::video::parse(parsed.payload).unwrap();
        assert!(header.key, "video starts with a key frame");

        // Back to tiles: the whole screen again, although it did not change.
        let back = encoder
            .encode(
                ScreenMode::AllColours,
                &frame,
                Damage::Unknown,
                false,
                3,
                3,
                &mut out,
            )
            .unwrap();
        assert_eq!(back.tiles, 2);
    }
}
