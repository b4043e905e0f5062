//! The RFB 3.8 client side used by `reach bench vnc` (RFC 6143): the handshake
//! with security type None, the client messages the bench sends, and a viewer
//! that parses server messages and paints Raw, CopyRect and ZRLE rectangles on
//! its copy of the screen. Everything the server sends is checked against the
//! framebuffer size before anything is allocated; it never panics on bad input.

use anyhow::{bail, ensure, Context, Result};
use flate2::Decompress;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

use super::zrle::{inflate, paint_zrle, zrle_limit, ZRLE_TILE};

const SECURITY_NONE: u8 = 1;
pub(super) const ENCODING_RAW: i32 = 0;
pub(super) const ENCODING_COPY_RECT: i32 = 1;
pub(super) const ENCODING_ZRLE: i32 = 16;
/// Largest framebuffer the client allocates (8192×8192 pixels, 256 MiB).
const MAX_PIXELS: usize = 8192 * 8192;
/// Longest reason or desktop name the client reads.
const MAX_TEXT: usize = 64 * 1024;

/// SetPixelFormat: 32 bits per pixel, depth 24, little-endian true colour with
/// red, green, blue in bits 16, 8, 0, so a ZRLE CPIXEL is 3 bytes B, G, R.
pub(super) fn set_pixel_format() -> [u8; 20] {
    [
        0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0,
    ]
}

pub(super) fn set_encodings(encodings: &[i32]) -> Vec<u8> {
    let count = u16::try_from(encodings.len()).unwrap_or(u16::MAX);
    let mut message = vec![2, 0];
    message.extend(count.to_be_bytes());
    for encoding in encodings.iter().take(usize::from(count)) {
        message.extend(encoding.to_be_bytes());
    }
    message
}

pub(super) fn update_request(incremental: bool, width: u16, height: u16) -> [u8; 10] {
    let [w0, w1] = width.to_be_bytes();
    let [h0, h1] = height.to_be_bytes();
    [3, u8::from(incremental), 0, 0, 0, 0, w0, w1, h0, h1]
}

pub(super) fn key_event(keysym: u32, down: bool) -> [u8; 8] {
    let [k0, k1, k2, k3] = keysym.to_be_bytes();
    [4, u8::from(down), 0, 0, k0, k1, k2, k3]
}

#[derive(Debug, PartialEq)]
pub(super) enum ServerMessage {
    Update {
        rectangles: u16,
    },
    /// Bell or ServerCutText, read and ignored.
    Other,
}

#[derive(Clone, Copy)]
pub(super) struct Rect {
    pub(super) x: usize,
    pub(super) y: usize,
    pub(super) w: usize,
    pub(super) h: usize,
}

/// The viewer's copy of the remote screen, as 0x00RRGGBB pixels.
#[derive(Default)]
pub(super) struct Canvas {
    pub(super) width: usize,
    pub(super) height: usize,
    pub(super) pixels: Vec<u32>,
    /// Which pixels have been painted, until all have (then it is freed).
    painted: Vec<bool>,
    pub(super) unpainted: usize,
}

impl Canvas {
    pub(super) fn new(width: usize, height: usize) -> Result<Canvas> {
        let area = width * height;
        ensure!(
            area > 0 && area <= MAX_PIXELS,
            "the server announces a {width}x{height} framebuffer (at most {MAX_PIXELS} pixels)"
        );
        Ok(Canvas {
            width,
            height,
            pixels: vec![0; area],
            painted: vec![false; area],
            unpainted: area,
        })
    }

    /// Paints `pixels` (row after row, `rect.w` each) at `rect`, already
    /// checked to lie inside the canvas.
    pub(super) fn put(&mut self, rect: Rect, pixels: &[u32]) {
        if rect.w == 0 {
            return;
        }
        for (row, line) in pixels.chunks_exact(rect.w).take(rect.h).enumerate() {
            let start = (rect.y + row) * self.width + rect.x;
            self.pixels[start..start + rect.w].copy_from_slice(line);
            if self.unpainted > 0 {
                for seen in &mut self.painted[start..start + rect.w] {
                    self.unpainted -= usize::from(!*seen);
                    *seen = true;
                }
            }
        }
        if self.unpainted == 0 {
            self.painted = Vec::new();
        }
    }
}

/// The receiving side of an RFB connection: parses server messages, paints
/// updates and counts every byte received.
pub(super) struct Viewer<R> {
    input: BufReader<R>,
    pub(super) received: usize,
    pub(super) canvas: Canvas,
    /// ZRLE's zlib stream, which runs across all rectangles of a connection.
    zlib: Decompress,
    inflated: Vec<u8>,
    tile: Vec<u32>,
}

impl<R: AsyncRead + Unpin> Viewer<R> {
    pub(super) fn new(input: R) -> Viewer<R> {
        Viewer {
            input: BufReader::with_capacity(64 * 1024, input),
            received: 0,
            canvas: Canvas::default(),
            zlib: Decompress::new(true),
            inflated: Vec::new(),
            tile: Vec::with_capacity(ZRLE_TILE * ZRLE_TILE),
        }
    }

    async fn read(&mut self, buf: &mut [u8]) -> Result<()> {
        self.input
            .read_exact(buf)
            .await
            .context("reading from the VNC server")?;
        self.received += buf.len();
        Ok(())
    }

    async fn u8(&mut self) -> Result<u8> {
        let mut buf = [0; 1];
        self.read(&mut buf).await?;
        Ok(buf[0])
    }

    async fn u16(&mut self) -> Result<u16> {
        let mut buf = [0; 2];
        self.read(&mut buf).await?;
        Ok(u16::from_be_bytes(buf))
    }

    async fn u32(&mut self) -> Result<u32> {
        let mut buf = [0; 4];
        self.read(&mut buf).await?;
        Ok(u32::from_be_bytes(buf))
    }

    async fn bytes(&mut self, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0; len];
        self.read(&mut buf).await?;
        Ok(buf)
    }

    /// A u32 length then that many bytes of text.
    async fn text(&mut self, what: &str) -> Result<String> {
        let len = usize::try_from(self.u32().await?)?;
        ensure!(len <= MAX_TEXT, "{what} is {len} bytes long");
        Ok(String::from_utf8_lossy(&self.bytes(len).await?).into_owned())
    }

    /// RFB 3.8 up to ServerInit with security type None and a shared session;
    /// sets up the canvas and returns the desktop name.
    pub(super) async fn handshake<W: AsyncWrite + Unpin>(
        &mut self,
        output: &mut W,
    ) -> Result<String> {
        let mut version = [0; 12];
        self.read(&mut version).await?;
        let (major, minor) = parse_version(&version)?;
        ensure!(
            (major, minor) >= (3, 8),
            "the server speaks RFB {major}.{minor}; this client needs 3.8"
        );
        output.write_all(b"RFB 003.008\n").await?;
        let count = self.u8().await?;
        if count == 0 {
            let reason = self.text("the refusal reason").await?;
            bail!("the VNC server refused the connection: {reason}");
        }
        let types = self.bytes(usize::from(count)).await?;
        ensure!(
            types.contains(&SECURITY_NONE),
            "the VNC server offers security types {types:?}, not None (1)"
        );
        output.write_all(&[SECURITY_NONE]).await?;
        match self.u32().await? {
            0 => {}
            1 => {
                let reason = self.text("the failure reason").await?;
                bail!("the VNC server rejected security type None: {reason}");
            }
            other => bail!("the VNC server sent SecurityResult {other}"),
        }
        // ClientInit: share the desktop with other clients.
        output.write_all(&[1]).await?;
        output.flush().await?;
        let width = usize::from(self.u16().await?);
        let height = usize::from(self.u16().await?);
        // The server's pixel format; SetPixelFormat replaces it.
        self.read(&mut [0; 16]).await?;
        let name = self.text("the desktop name").await?;
        self.canvas = Canvas::new(width, height)?;
        Ok(name)
    }

    /// Reads one server message, painting it if it is a FramebufferUpdate.
    pub(super) async fn message(&mut self) -> Result<ServerMessage> {
        match self.u8().await? {
            0 => {
                self.u8().await?;
                let rectangles = self.u16().await?;
                for _ in 0..rectangles {
                    self.rectangle().await?;
                }
                Ok(ServerMessage::Update { rectangles })
            }
            1 => bail!("the VNC server sent a colour map, but the pixel format is true colour"),
            2 => Ok(ServerMessage::Other),
            3 => {
                self.read(&mut [0; 3]).await?;
                let mut left = u64::from(self.u32().await?);
                let mut chunk = [0; 4096];
                while left > 0 {
                    let len = chunk.len().min(usize::try_from(left)?);
                    self.read(&mut chunk[..len]).await?;
                    left -= len as u64;
                }
                Ok(ServerMessage::Other)
            }
            other => bail!("the VNC server sent unknown message type {other}"),
        }
    }

    async fn rectangle(&mut self) -> Result<()> {
        let x = usize::from(self.u16().await?);
        let y = usize::from(self.u16().await?);
        let w = usize::from(self.u16().await?);
        let h = usize::from(self.u16().await?);
        let encoding = i32::from_be_bytes(self.u32().await?.to_be_bytes());
        let (width, height) = (self.canvas.width, self.canvas.height);
        ensure!(
            x + w <= width && y + h <= height,
            "the VNC server sent rectangle {w}x{h}+{x}+{y} outside its {width}x{height} screen"
        );
        let rect = Rect { x, y, w, h };
        match encoding {
            ENCODING_RAW => {
                let data = self.bytes(w * h * 4).await?;
                let pixels: Vec<u32> = data
                    .chunks_exact(4)
                    .map(|p| u32::from_le_bytes([p[0], p[1], p[2], 0]))
                    .collect();
                self.canvas.put(rect, &pixels);
            }
            ENCODING_COPY_RECT => {
                let sx = usize::from(self.u16().await?);
                let sy = usize::from(self.u16().await?);
                ensure!(
                    sx + w <= width && sy + h <= height,
                    "the VNC server copies from {w}x{h}+{sx}+{sy}, outside its screen"
                );
                let mut pixels = Vec::with_capacity(w * h);
                for row in sy..sy + h {
                    pixels.extend_from_slice(&self.canvas.pixels[row * width + sx..][..w]);
                }
                self.canvas.put(rect, &pixels);
            }
            ENCODING_ZRLE => {
                let len = usize::try_from(self.u32().await?)?;
                let limit = zrle_limit(w, h);
                ensure!(
                    len <= limit + limit / 64 + 1024,
                    "the VNC server sent {len} bytes of ZRLE for a {w}x{h} rectangle"
                );
                let compressed = self.bytes(len).await?;
                inflate(&mut self.zlib, &compressed, limit, &mut self.inflated)?;
                paint_zrle(&self.inflated, rect, &mut self.tile, &mut self.canvas)?;
            }
            other => bail!("the VNC server used encoding {other}, which was not negotiated"),
        }
        Ok(())
    }
}

/// Parses a ProtocolVersion message, `RFB xxx.yyy\n`.
fn parse_version(message: &[u8; 12]) -> Result<(u32, u32)> {
    std::str::from_utf8(message)
        .ok()
        .and_then(|text| text.strip_prefix("RFB ")?.strip_suffix('\n'))
        .and_then(|numbers| numbers.split_once('.'))
        .and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)))
        .with_context(|| format!("not an RFB server: it greeted with {message:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_init(width: u16, height: u16, name: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
        bytes.extend(u32::try_from(name.len()).unwrap().to_be_bytes());
        bytes.extend(name);
        bytes
    }

    async fn handshake(server: &[u8]) -> (Result<String>, Viewer<&[u8]>, Vec<u8>) {
        let mut viewer = Viewer::new(server);
        let mut sent = Vec::new();
        let result = viewer.handshake(&mut sent).await;
        (result, viewer, sent)
    }

    #[tokio::test]
    async fn handshake_picks_none_and_reads_server_init() {
        let mut server = b"RFB 003.008\n".to_vec();
        server.extend([2, 2, SECURITY_NONE]); // VNC authentication, None
        server.extend(0u32.to_be_bytes()); // SecurityResult: OK
        server.extend(server_init(4, 2, b"xterm desk"));
        let (name, viewer, sent) = handshake(&server).await;
        assert_eq!(name.unwrap(), "xterm desk");
        assert_eq!((viewer.canvas.width, viewer.canvas.height), (4, 2));
        assert_eq!(viewer.canvas.unpainted, 8);
        assert_eq!(viewer.received, server.len());
        // Version, security type None, ClientInit with shared = 1.
        assert_eq!(sent, b"RFB 003.008\n\x01\x01");
    }

    #[tokio::test]
    async fn handshake_errors_are_clear() {
        let mut refused = b"RFB 003.008\n\x00".to_vec();
        refused.extend(12u32.to_be_bytes());
        refused.extend(b"too many VNC");
        let mut password_only = b"RFB 003.008\n\x01\x02".to_vec();
        password_only.extend(0u32.to_be_bytes());
        let mut huge = b"RFB 003.008\n\x01\x01".to_vec();
        huge.extend(0u32.to_be_bytes());
        huge.extend(server_init(65535, 65535, b""));
        let cases: [(&[u8], &str); 6] = [
            (b"RFB 003.003\n", "speaks RFB 3.3"),
            (b"HTTP/1.1 200", "not an RFB server"),
            (&refused, "refused the connection: too many VNC"),
            (&password_only, "offers security types [2], not None"),
            (&huge, "65535x65535 framebuffer"),
            (b"RFB 003.008\n\x01", "reading from the VNC server"),
        ];
        for (server, expected) in cases {
            let (result, _, _) = handshake(server).await;
            let error = format!("{:#}", result.unwrap_err());
            assert!(error.contains(expected), "{error:?} lacks {expected:?}");
        }
    }

    /// A FramebufferUpdate of rectangles: x, y, width, height; encoding; body.
    fn update(rectangles: &[([u16; 4], i32, &[u8])]) -> Vec<u8> {
        let mut bytes = vec![0, 0];
        bytes.extend(u16::try_from(rectangles.len()).unwrap().to_be_bytes());
        for (geometry, encoding, body) in rectangles {
            for field in geometry {
                bytes.extend(field.to_be_bytes());
            }
            bytes.extend(encoding.to_be_bytes());
            bytes.extend(*body);
        }
        bytes
    }

    async fn paint(message: &[u8]) -> (Result<ServerMessage>, Viewer<&[u8]>) {
        let mut viewer = Viewer::new(message);
        viewer.canvas = Canvas::new(4, 2).unwrap();
        (viewer.message().await, viewer)
    }

    #[tokio::test]
    async fn paints_raw_and_copy_rect() {
        // Two raw pixels, 0x00RRGGBB 0x112233 and 0x445566 as B, G, R, X.
        let raw = [0x33, 0x22, 0x11, 0xff, 0x66, 0x55, 0x44, 0xff];
        let copy = [0, 0, 0, 0]; // from (0, 0)
        let message = update(&[
            ([0, 0, 2, 1], ENCODING_RAW, &raw),
            ([2, 1, 2, 1], ENCODING_COPY_RECT, &copy),
        ]);
        let (result, viewer) = paint(&message).await;
        assert_eq!(result.unwrap(), ServerMessage::Update { rectangles: 2 });
        let pixels = &viewer.canvas.pixels;
        assert_eq!(
            pixels,
            &[0x112233, 0x445566, 0, 0, 0, 0, 0x112233, 0x445566]
        );
        assert_eq!(viewer.canvas.unpainted, 4);
        assert_eq!(viewer.received, message.len());
    }

    #[tokio::test]
    async fn bad_server_messages_are_errors() {
        let outside = update(&[([3, 0, 2, 1], ENCODING_RAW, &[0; 8])]);
        let copy_outside = update(&[([0, 0, 1, 1], ENCODING_COPY_RECT, &[0, 4, 0, 0])]);
        let hextile = update(&[([0, 0, 1, 1], 5, &[0; 8])]);
        let zrle_too_long = update(&[([0, 0, 1, 1], ENCODING_ZRLE, &[0x7f, 0xff, 0xff, 0xff])]);
        let cases: [(&[u8], &str); 6] = [
            (&outside, "rectangle 2x1+3+0 outside its 4x2 screen"),
            (&copy_outside, "copies from 1x1+4+0"),
            (&hextile, "encoding 5, which was not negotiated"),
            (&zrle_too_long, "bytes of ZRLE for a 1x1 rectangle"),
            (&[1, 0, 0, 0, 0, 0], "colour map"),
            (&[9], "unknown message type 9"),
        ];
        for (message, expected) in cases {
            let (result, _) = paint(message).await;
            let error = format!("{:#}", result.unwrap_err());
            assert!(error.contains(expected), "{error:?} lacks {expected:?}");
        }
    }

    #[tokio::test]
    async fn skips_bell_and_cut_text() {
        let mut messages = vec![2, 3, 0, 0, 0];
        messages.extend(5u32.to_be_bytes());
        messages.extend(b"hello");
        let mut viewer = Viewer::new(messages.as_slice());
        assert_eq!(viewer.message().await.unwrap(), ServerMessage::Other);
        assert_eq!(viewer.message().await.unwrap(), ServerMessage::Other);
        assert_eq!(viewer.received, messages.len());
    }

    #[test]
    fn client_messages_follow_rfc_6143() {
        assert_eq!(
            update_request(true, 1920, 1080),
            [3, 1, 0, 0, 0, 0, 7, 128, 4, 56]
        );
        assert_eq!(key_event(0xff0d, true), [4, 1, 0, 0, 0, 0, 0xff, 0x0d]);
        assert_eq!(
            set_encodings(&[16, 1, 0]),
            [2, 0, 0, 3, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0]
        );
        assert_eq!(set_pixel_format()[..4], [0, 0, 0, 0]);
    }
}
