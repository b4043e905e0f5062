//! Video mode: the whole screen as H.264 (OpenH264, built from source), for a
//! technician who watches moving pictures. The payload of a `ScreenVideo` bulk
//! frame is one encoded frame behind a small header.
//!
//! Owns the frame layout, its parser, the encoder settings (screen content,
//! constant bit rate, key frames only on demand) and, for tests and the
//! benchmark, a decoder. It must not decide when video is used (the technician
//! does) nor pace frames (the agent does, by acks, as for tiles).
//!
//! Layout, all integers big-endian:
//!
//! ```text
//! seq: u32       frame sequence number, echoed by the console's FrameAck
//! flags: u8      reach_proto::frame::screen_flags: a key frame (decodable
//!                alone) is KEY_START | KEY_END, other frames 0; REPLAY is
//!                never set (a new key frame changes every viewer's decoder)
//! width: u16     screen width in pixels
//! height: u16    screen height in pixels
//! data: [u8]     H.264 Annex B (start codes), constrained baseline; a key
//!                frame starts with SPS and PPS. The picture is the screen
//!                padded to even sizes by repeating its last column and row.
//! ```

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, FrameType, Level, Profile,
    RateControlMode, UsageType, VuiConfig,
};
use openh264::formats::YUVSource;
use openh264::OpenH264API;
use reach_proto::frame::screen_flags;
use thiserror::Error;

use crate::{Frame, BYTES_PER_PIXEL};

/// Bytes before the H.264 data.
pub const VIDEO_HEADER_LEN: usize = 9;
/// The flags of a key frame: it starts and ends a full picture.
pub const KEY_FRAME: u8 = screen_flags::KEY_START | screen_flags::KEY_END;
/// Bit rate at 1920×1080; other sizes scale with their pixel count.
pub const BITS_PER_SECOND_1080P: u32 = 3_000_000;
/// The lowest bit rate, whatever the size (small screens still need legible text).
pub const MIN_BITS_PER_SECOND: u32 = 500_000;
/// Frames per second the rate control plans for (the agent's acks pace the real rate).
const PLANNED_FPS: f32 = 30.0;

/// Why a video frame could not be encoded, parsed or decoded.
#[derive(Debug, Error)]
pub enum VideoError {
    #[error("video payload of {0} bytes is shorter than its {VIDEO_HEADER_LEN}-byte header")]
    Truncated(usize),
    #[error("video frame has unknown flags {0:#04x}")]
    UnknownFlags(u8),
    #[error("video frame is {width}x{height}; a screen needs at least one pixel")]
    EmptyScreen { width: u16, height: u16 },
    #[error("video frame carries no picture data")]
    NoData,
    #[error("the frame is malformed: {0}")]
    Frame(#[from] crate::EncodeError),
    #[error("H.264: {0}")]
    Codec(String),
    #[error("the decoded picture is {got_w}x{got_h}, the header says {want_w}x{want_h}")]
    SizeMismatch {
        got_w: usize,
        got_h: usize,
        want_w: u16,
        want_h: u16,
    },
}

fn codec(err: openh264::Error) -> VideoError {
    VideoError::Codec(err.to_string())
}

/// A parsed video frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoHeader {
    pub seq: u32,
    pub width: u16,
    pub height: u16,
    pub key: bool,
}

/// Splits a `ScreenVideo` payload into its header and H.264 data, refusing
/// short payloads, unknown flags, empty screens and empty data.
pub fn parse(payload: &[u8]) -> Result<(VideoHeader, &[u8]), VideoError> {
    let (header, data) = payload
        .split_first_chunk::<VIDEO_HEADER_LEN>()
        .ok_or(VideoError::Truncated(payload.len()))?;
    let seq = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let flags = header[4];
    let width = u16::from_be_bytes([header[5], header[6]]);
    let height = u16::from_be_bytes([header[7], header[8]]);
    if flags != 0 && flags != KEY_FRAME {
        return Err(VideoError::UnknownFlags(flags));
    }
    if width == 0 || height == 0 {
        return Err(VideoError::EmptyScreen { width, height });
    }
    if data.is_empty() {
        return Err(VideoError::NoData);
    }
    Ok((
        VideoHeader {
            seq,
            width,
            height,
            key: flags == KEY_FRAME,
        },
        data,
    ))
}

/// The bit rate for a screen of `width`×`height`.
pub fn bit_rate_for(width: u16, height: u16) -> u32 {
    let pixels = u64::from(width) * u64::from(height);
    let scaled = u64::from(BITS_PER_SECOND_1080P) * pixels / (1920 * 1080);
    u32::try_from(scaled)
        .unwrap_or(u32::MAX)
        .max(MIN_BITS_PER_SECOND)
}

/// Encodes successive frames of one screen as H.264.
pub struct VideoEncoder {
    encoder: Option<Encoder>,
    /// The screen size the encoder was set up for.
    size: (u16, u16),
    yuv: I420,
    /// The last frame encoded (packed BGRX), to skip frames where nothing changed.
    previous: Vec<u8>,
    key_wanted: bool,
}

impl std::fmt::Debug for VideoEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoEncoder")
            .field("size", &self.size)
            .field("key_wanted", &self.key_wanted)
            .finish_non_exhaustive()
    }
}

impl Default for VideoEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl VideoEncoder {
    pub fn new() -> Self {
        Self {
            encoder: None,
            size: (0, 0),
            yuv: I420::default(),
            previous: Vec::new(),
            key_wanted: true,
        }
    }

    /// The next frame is a key frame, sent even if nothing changed (the
    /// console lost its picture, or its decoder was reset).
    pub fn request_key_frame(&mut self) {
        self.key_wanted = true;
    }

    /// Appends a video payload for `frame` to `out`, unless nothing changed
    /// since the last frame and no key frame is wanted (or the rate control
    /// skipped it): then appends nothing and returns false.
    pub fn encode(
        &mut self,
        frame: &Frame,
        seq: u32,
        out: &mut Vec<u8>,
    ) -> Result<bool, VideoError> {
        frame.validate()?;
        if (frame.width, frame.height) != self.size || self.encoder.is_none() {
            self.start(frame.width, frame.height)?;
        }
        let row = usize::from(frame.width) * BYTES_PER_PIXEL;
        let unchanged = (0..usize::from(frame.height)).all(|y| {
            frame.data[y * frame.stride..y * frame.stride + row]
                == self.previous[y * row..(y + 1) * row]
        });
        if unchanged && !self.key_wanted {
            return Ok(false);
        }
        for y in 0..usize::from(frame.height) {
            self.previous[y * row..(y + 1) * row]
                .copy_from_slice(&frame.data[y * frame.stride..y * frame.stride + row]);
        }
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(VideoError::Codec("the encoder is not set up".into()));
        };
        self.yuv.fill(frame);
        if self.key_wanted {
            encoder.force_intra_frame();
        }
        let bits = encoder.encode(&self.yuv).map_err(codec)?;
        let frame_type = bits.frame_type();
        let start = out.len();
        let key = matches!(frame_type, FrameType::IDR | FrameType::I);
        out.extend_from_slice(&seq.to_be_bytes());
        out.push(if key { KEY_FRAME } else { 0 });
        out.extend_from_slice(&frame.width.to_be_bytes());
        out.extend_from_slice(&frame.height.to_be_bytes());
        bits.write_vec(out);
        if out.len() == start + VIDEO_HEADER_LEN {
            // Skipped by the rate control: the next frame is encoded instead.
            out.truncate(start);
            return Ok(false);
        }
        if key {
            self.key_wanted = false;
        }
        Ok(true)
    }

    fn start(&mut self, width: u16, height: u16) -> Result<(), VideoError> {
        let config = EncoderConfig::new()
            .usage_type(UsageType::ScreenContentRealTime)
            .rate_control_mode(RateControlMode::Bitrate)
            .bitrate(BitRate::from_bps(bit_rate_for(width, height)))
            .max_frame_rate(FrameRate::from_hz(PLANNED_FPS))
            .profile(Profile::Baseline)
            .level(Level::Level_5_1)
            .complexity(Complexity::Low)
            // The agent asks for a key frame when a console needs one; the
            // rate control may drop frames under a burst rather than lag.
            .skip_frames(true)
            // BT.601 limited range, as `I420::fill` converts, so the browser
            // converts back with the same matrix.
            .vui(VuiConfig::bt601());
        let encoder =
            Encoder::with_api_config(OpenH264API::from_source(), config).map_err(codec)?;
        self.encoder = Some(encoder);
        self.size = (width, height);
        self.previous = vec![0; usize::from(width) * usize::from(height) * BYTES_PER_PIXEL];
        self.key_wanted = true;
        Ok(())
    }
}

/// BT.601 limited-range luma and chroma of a BGRX pixel.
fn yuv_of(px: &[u8]) -> (i32, i32, i32) {
    let (b, g, r) = (i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
    let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
    let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
    let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
    (y, u, v)
}

/// One picture in I420 (planar Y, then U and V at half resolution), sized to
/// the screen rounded up to even sides.
#[derive(Default)]
struct I420 {
    width: usize,
    height: usize,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

impl I420 {
    /// Converts `frame`, padding odd sides by repeating the last column and
    /// row; chroma is the mean of each 2×2 block.
    fn fill(&mut self, frame: &Frame) {
        let (w, h) = (usize::from(frame.width), usize::from(frame.height));
        self.width = w.next_multiple_of(2);
        self.height = h.next_multiple_of(2);
        let half_w = self.width / 2;
        self.y.resize(self.width * self.height, 0);
        self.u.resize(half_w * (self.height / 2), 0);
        self.v.resize(half_w * (self.height / 2), 0);
        let row_len = w * BYTES_PER_PIXEL;
        let mut u_sum = vec![0i32; half_w];
        let mut v_sum = vec![0i32; half_w];
        for pair in 0..self.height / 2 {
            // The last row repeats when the height is odd.
            let (top, bottom) = (2 * pair, (2 * pair + 1).min(h - 1));
            let rows =
                [top, bottom].map(|y| &frame.data[y * frame.stride..y * frame.stride + row_len]);
            u_sum.fill(0);
            v_sum.fill(0);
            for (dy, row) in rows.iter().enumerate() {
                let y_row =
                    &mut self.y[(2 * pair + dy) * self.width..(2 * pair + dy + 1) * self.width];
                for (x, px) in row.chunks_exact(BYTES_PER_PIXEL).enumerate() {
                    let (luma, u, v) = yuv_of(px);
                    y_row[x] = luma.clamp(0, 255) as u8;
                    u_sum[x / 2] += u;
                    v_sum[x / 2] += v;
                }
                if w % 2 == 1 {
                    // The last column repeats when the width is odd.
                    let (luma, u, v) = yuv_of(&row[row_len - BYTES_PER_PIXEL..]);
                    y_row[w] = luma.clamp(0, 255) as u8;
                    u_sum[w / 2] += u;
                    v_sum[w / 2] += v;
                }
            }
            let at = pair * half_w;
            for (x, (u, v)) in u_sum.iter().zip(&v_sum).enumerate() {
                self.u[at + x] = ((u + 2) / 4).clamp(0, 255) as u8;
                self.v[at + x] = ((v + 2) / 4).clamp(0, 255) as u8;
            }
        }
    }
}

impl YUVSource for I420 {
    fn dimensions(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    fn strides(&self) -> (usize, usize, usize) {
        (self.width, self.width / 2, self.width / 2)
    }

    fn y(&self) -> &[u8] {
        &self.y
    }

    fn u(&self) -> &[u8] {
        &self.u
    }

    fn v(&self) -> &[u8] {
        &self.v
    }
}

/// Decodes video payloads back into pictures (tests and the benchmark; the
/// console uses the browser's decoder).
pub struct VideoDecoder {
    decoder: openh264::decoder::Decoder,
}

impl VideoDecoder {
    pub fn new() -> Result<Self, VideoError> {
        let decoder = openh264::decoder::Decoder::with_api_config(
            OpenH264API::from_source(),
            openh264::decoder::DecoderConfig::default(),
        )
        .map_err(codec)?;
        Ok(Self { decoder })
    }

    /// Decodes one payload; returns its header and, when a picture came out,
    /// the screen as RGB rows (`width * height * 3` bytes).
    pub fn decode(&mut self, payload: &[u8]) -> Result<(VideoHeader, Option<Vec<u8>>), VideoError> {
        let (header, data) = parse(payload)?;
        let Some(picture) = self.decoder.decode(data).map_err(codec)? else {
            return Ok((header, None));
        };
        let (got_w, got_h) = picture.dimensions();
        let (want_w, want_h) = (usize::from(header.width), usize::from(header.height));
        if got_w != want_w.next_multiple_of(2) || got_h != want_h.next_multiple_of(2) {
            return Err(VideoError::SizeMismatch {
                got_w,
                got_h,
                want_w: header.width,
                want_h: header.height,
            });
        }
        let mut padded = vec![0; got_w * got_h * 3];
        picture.write_rgb8(&mut padded);
        let mut rgb = Vec::with_capacity(want_w * want_h * 3);
        for row in padded.chunks_exact(got_w * 3).take(want_h) {
            rgb.extend_from_slice(&row[..want_w * 3]);
        }
        Ok((header, Some(rgb)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coloured bars over a grey half, with a moving white square.
    fn picture(width: u16, height: u16, square_at: u16) -> Frame {
        let bars = [
            [255, 255, 255],
            [255, 255, 0],
            [0, 255, 255],
            [0, 255, 0],
            [255, 0, 255],
            [255, 0, 0],
            [0, 0, 255],
            [0, 0, 0],
        ];
        let mut frame = Frame::new(width, height);
        for y in 0..height {
            for x in 0..width {
                let rgb = if (square_at..square_at + 16).contains(&x)
                    && (height / 2..height / 2 + 16).contains(&y)
                {
                    [255, 255, 255]
                } else if y < height / 2 {
                    bars[usize::from(x) * 8 / usize::from(width)]
                } else {
                    [128, 128, 128]
                };
                frame.set_rgb(x, y, rgb);
            }
        }
        frame
    }

    fn rgb_of(frame: &Frame) -> Vec<u8> {
        let mut rgb = Vec::new();
        for y in 0..frame.height {
            for x in 0..frame.width {
                rgb.extend_from_slice(&frame.rgb_at(x, y).unwrap_or_default());
            }
        }
        rgb
    }

    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let squared: u64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| u64::from(x.abs_diff(*y)).pow(2))
            .sum();
        10.0 * (255.0f64 * 255.0 / (squared as f64 / a.len() as f64).max(1e-9)).log10()
    }

    #[test]
    fn frames_round_trip_through_openh264() {
        for (width, height) in [(320, 240), (640, 360)] {
            let mut encoder = VideoEncoder::new();
            let mut decoder = VideoDecoder::new().unwrap();
            for (seq, square) in (1..).zip([0u16, 8, 16, 24]) {
                let frame = picture(width, height, square);
                let mut out = vec![2, 0, 0, 0, 7];
                assert!(encoder.encode(&frame, seq, &mut out).unwrap());
                let (header, rgb) = decoder.decode(&out[5..]).unwrap();
                assert_eq!(
                    (header.seq, header.width, header.height, header.key),
                    (seq, width, height, seq == 1),
                    "only the first frame is a key frame"
                );
                let rgb = rgb.expect("a picture per frame");
                let db = psnr(&rgb_of(&frame), &rgb);
                assert!(db > 30.0, "{width}x{height} frame {seq}: {db:.1} dB");
            }
        }
    }

    #[test]
    fn odd_sizes_are_padded_not_shifted() {
        for (w, h) in [(161u16, 99u16), (160, 99), (161, 98)] {
            let mut frame = Frame::new(w, h);
            for y in 0..h {
                for x in 0..w {
                    frame.set_rgb(x, y, if x < w / 2 { [255, 0, 0] } else { [0, 0, 255] });
                }
            }
            let mut out = Vec::new();
            VideoEncoder::new().encode(&frame, 1, &mut out).unwrap();
            let (_, rgb) = VideoDecoder::new().unwrap().decode(&out).unwrap();
            let rgb = rgb.unwrap();
            assert_eq!(rgb.len(), usize::from(w) * usize::from(h) * 3);
            let (w, h) = (usize::from(w), usize::from(h));
            for (x, y, want) in [
                (2, 2, [255, 0, 0]),
                (w - 2, 2, [0, 0, 255]),
                (2, h - 1, [255, 0, 0]),
                (w - 1, h - 1, [0, 0, 255]),
            ] {
                let at = (y * w + x) * 3;
                let got = &rgb[at..at + 3];
                assert!(
                    got.iter().zip(want).all(|(g, c)| g.abs_diff(c) <= 16),
                    "{w}x{h} at ({x},{y}): {got:?}"
                );
            }
        }
    }

    #[test]
    fn unchanged_frames_are_skipped_until_a_key_frame_is_asked_for() {
        let mut encoder = VideoEncoder::new();
        let frame = picture(128, 96, 0);
        let mut out = Vec::new();
        assert!(encoder.encode(&frame, 1, &mut out).unwrap());
        let first = out.len();
        assert!(!encoder.encode(&frame, 2, &mut out).unwrap());
        assert_eq!(out.len(), first, "nothing appended");
        encoder.request_key_frame();
        let mut key = Vec::new();
        assert!(encoder.encode(&frame, 2, &mut key).unwrap());
        let (header, _) = parse(&key).unwrap();
        assert!(header.key);
        // A new size starts over with a key frame.
        let mut resized = Vec::new();
        assert!(encoder
            .encode(&picture(64, 64, 0), 3, &mut resized)
            .unwrap());
        assert_eq!(
            parse(&resized).unwrap().0,
            VideoHeader {
                seq: 3,
                width: 64,
                height: 64,
                key: true
            }
        );
    }

    #[test]
    fn bad_payloads_are_refused_without_panicking() {
        assert!(matches!(parse(&[0; 8]), Err(VideoError::Truncated(8))));
        let mut header = vec![0, 0, 0, 1, 0, 0, 64, 0, 64];
        assert!(matches!(parse(&header), Err(VideoError::NoData)));
        header.push(0);
        assert!(parse(&header).is_ok());
        header[4] = 1;
        assert!(matches!(parse(&header), Err(VideoError::UnknownFlags(1))));
        header[4] = KEY_FRAME;
        header[5..7].copy_from_slice(&[0, 0]);
        assert!(matches!(
            parse(&header),
            Err(VideoError::EmptyScreen { .. })
        ));

        // Garbage after a valid header is an error or no picture, never a panic.
        let mut decoder = VideoDecoder::new().unwrap();
        let mut seed = 7u32;
        for _ in 0..20 {
            let mut payload = vec![0, 0, 0, 1, KEY_FRAME, 0, 64, 0, 64, 0, 0, 0, 1, 0x67];
            for _ in 0..200 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                payload.push((seed >> 16) as u8);
            }
            let _ = decoder.decode(&payload);
        }
        // A real frame announced at another size is refused.
        let mut encoder = VideoEncoder::new();
        let mut out = Vec::new();
        encoder.encode(&picture(64, 48, 0), 1, &mut out).unwrap();
        out[5..7].copy_from_slice(&100u16.to_be_bytes());
        let mut decoder = VideoDecoder::new().unwrap();
        assert!(matches!(
            decoder.decode(&out),
            Err(VideoError::SizeMismatch { .. })
        ));
    }

    #[test]
    fn the_bit_rate_scales_with_the_screen() {
        assert_eq!(bit_rate_for(1920, 1080), BITS_PER_SECOND_1080P);
        assert_eq!(bit_rate_for(3840, 2160), 4 * BITS_PER_SECOND_1080P);
        assert_eq!(bit_rate_for(320, 240), MIN_BITS_PER_SECOND);
    }
}
