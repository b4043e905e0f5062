//! Bulk (binary) frame header. Control messages travel as WebSocket text frames
//! holding JSON; bulk data (screen updates, later file chunks and shell bytes)
//! travels as binary frames that start with this fixed header, so a relay can
//! route them without parsing the payload.
//!
//! Layout: `kind: u8`, `channel: u32 big-endian`, then the payload. Screen
//! updates start their payload with `seq: u32` and flags (see [`screen_flags`]).

use thiserror::Error;

/// Size of the bulk frame header in bytes.
pub const HEADER_LEN: usize = 5;

/// Largest width and height of one screen tile; decoders refuse larger ones so a
/// hostile batch cannot make them allocate much.
pub const MAX_TILE_SIDE: u16 = 64;

/// Largest width of a JPEG tile: lossy regions go as strips of up to 16 tiles
/// side by side (one JPEG's headers are about 600 bytes: per 64×64 tile they
/// would cost more than the pixels). Heights stay within [`MAX_TILE_SIDE`].
pub const MAX_STRIP_WIDTH: u16 = 16 * MAX_TILE_SIDE;

/// Flags of a screen update, the byte after its `seq` (see [`screen_update_header`]).
/// A relay uses them to bring a viewer that lost the picture (it joined late, fell
/// behind or received a corrupt update) back with a full one, without making the
/// viewers who kept up receive it too.
pub mod screen_flags {
    /// This update starts a full picture: it and the updates up to the one marked
    /// [`KEY_END`] hold every cell, and none of them copies from an earlier picture
    /// that the receiver might not have. A viewer waiting for a picture starts here.
    pub const KEY_START: u8 = 1;
    /// This update ends a full picture.
    pub const KEY_END: u8 = 2;
    /// The full picture repeats what was already sent (a viewer asked for it): viewers
    /// who kept up skip it.
    pub const REPLAY: u8 = 4;
    /// Every flag this version defines; receivers refuse others.
    pub const ALL: u8 = KEY_START | KEY_END | REPLAY;
}

/// Bytes at the start of every screen update payload: `seq: u32` then `flags: u8`.
pub const SCREEN_UPDATE_PREFIX: usize = 5;

/// The `seq` and flags that start a screen update's payload, if it is long enough.
pub fn screen_update_header(payload: &[u8]) -> Option<(u32, u8)> {
    let prefix = payload.get(..SCREEN_UPDATE_PREFIX)?;
    let seq = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
    Some((seq, prefix[4]))
}

/// What a bulk frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum BulkKind {
    /// A batch of screen tiles (payload format: `reach_screen::batch`).
    ScreenTiles = 1,
}

impl BulkKind {
    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::ScreenTiles),
            _ => None,
        }
    }
}

/// A bulk frame that failed to parse.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FrameError {
    /// Shorter than the header.
    #[error("bulk frame of {0} bytes is shorter than its {HEADER_LEN}-byte header")]
    Truncated(usize),
    /// Unknown kind byte.
    #[error("unknown bulk frame kind {0}")]
    UnknownKind(u8),
    /// Larger than [`crate::MAX_BULK_FRAME`].
    #[error("bulk frame of {0} bytes exceeds the limit")]
    Oversized(usize),
}

/// A parsed view of a bulk frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkFrame<'a> {
    /// What the payload is.
    pub kind: BulkKind,
    /// The session channel it belongs to on this connection.
    pub channel: u32,
    /// The payload after the header.
    pub payload: &'a [u8],
}

impl<'a> BulkFrame<'a> {
    /// Parses a binary WebSocket message.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, FrameError> {
        if bytes.len() > crate::MAX_BULK_FRAME {
            return Err(FrameError::Oversized(bytes.len()));
        }
        let (header, payload) = bytes
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(FrameError::Truncated(bytes.len()))?;
        let kind = BulkKind::from_byte(header[0]).ok_or(FrameError::UnknownKind(header[0]))?;
        let channel = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
        Ok(Self {
            kind,
            channel,
            payload,
        })
    }
}

/// Writes a bulk frame header for `kind` and `channel` at the start of a new buffer
/// with room for `payload_capacity` more bytes.
pub fn start_bulk_frame(kind: BulkKind, channel: u32, payload_capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload_capacity);
    out.push(kind as u8);
    out.extend_from_slice(&channel.to_be_bytes());
    out
}

/// Rewrites the channel of an encoded bulk frame in place (the relay maps the
/// agent's channel number to the browser's).
pub fn set_channel(frame: &mut [u8], channel: u32) {
    if let Some(slot) = frame.get_mut(1..HEADER_LEN) {
        slot.copy_from_slice(&channel.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut frame = start_bulk_frame(BulkKind::ScreenTiles, 7, 3);
        frame.extend_from_slice(b"abc");
        let parsed = BulkFrame::parse(&frame);
        assert_eq!(
            parsed,
            Ok(BulkFrame {
                kind: BulkKind::ScreenTiles,
                channel: 7,
                payload: b"abc"
            })
        );
        set_channel(&mut frame, 9);
        assert_eq!(BulkFrame::parse(&frame).map(|f| f.channel), Ok(9));
    }

    #[test]
    fn rejects_bad_frames() {
        assert_eq!(BulkFrame::parse(&[1, 0]), Err(FrameError::Truncated(2)));
        assert_eq!(
            BulkFrame::parse(&[99, 0, 0, 0, 1]),
            Err(FrameError::UnknownKind(99))
        );
        let huge = vec![1u8; crate::MAX_BULK_FRAME + 1];
        assert_eq!(
            BulkFrame::parse(&huge),
            Err(FrameError::Oversized(crate::MAX_BULK_FRAME + 1))
        );
    }
}
