//! `reach bench screen`: encodes a recorded corpus (see `corpus.rs`) with each
//! approach, on the same frames and one core, and reports encode time per frame
//! (p50/p99), bytes per frame and quality (PSNR of what a viewer would paint,
//! decoded here, against the source frame).
//!
//! Approaches: Reach's tile encoder in each colour mode (the reduced modes'
//! PSNR is low by design: it measures the colours they leave out), Reach's
//! video mode (H.264 through OpenH264), the
//! MeshCentral approach (32×32 tiles,
//! unchanged tiles skipped by CRC, JPEG quality 50; `meshcentral.rs`), and, when
//! ffmpeg is installed, RustDesk's VP9 and x264 (`ffmpeg.rs`).
//!
//! Unless `--no-browser`, the bytes of every Reach mode are then decoded and
//! painted by the console's own code in Chromium (`browser.rs`): decode time per
//! frame in the console, and a check of the picture it painted.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reach_proto::frame::{start_bulk_frame, BulkKind};
use reach_screen::{ColourMode, Frame, TileEncoder, BYTES_PER_PIXEL};
use serde::Serialize;

use super::browser;
use super::corpus::CorpusInfo;
use super::ffmpeg;
use super::meshcentral::JpegTiles;

#[derive(clap::Args)]
pub struct ScreenArgs {
    /// Directory of NAME.raw + NAME.json workloads (`reach bench corpus` makes one)
    #[arg(long, value_name = "DIR")]
    corpus: PathBuf,
    /// Also write the results as JSON to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Use at most this many frames of each workload
    #[arg(long, value_name = "N")]
    max_frames: Option<u32>,
    /// Skip the console decode times (Chromium); the other columns are measured
    #[arg(long)]
    no_browser: bool,
    /// The Chromium that runs the console's decoder
    #[arg(long, value_name = "PATH", default_value_os_t = browser::default_chromium())]
    chromium: PathBuf,
}

/// One screen codec under test: frames in, bytes out, and the picture a viewer
/// would paint from those bytes.
pub trait Approach {
    fn name(&self) -> &'static str;
    /// Encodes `frame` (the next frame of the stream) into `out`; empty when
    /// nothing changed.
    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> Result<()>;
    /// Paints `bytes` onto `picture` (RGB, 3 bytes per pixel, no padding).
    fn paint(&mut self, bytes: &[u8], picture: &mut Vec<u8>) -> Result<()>;
    /// `bytes` (from the last `encode`) as the session-link messages the console
    /// receives; None for approaches the console cannot show.
    fn console_messages(&self, _bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        None
    }
}

/// A payload with the bulk header the session link puts before it.
fn link_message(kind: BulkKind, payload: &[u8]) -> Vec<u8> {
    let mut message = start_bulk_frame(kind, 1, payload.len());
    message.extend_from_slice(payload);
    message
}

/// Reach's tile encoder as the agent runs it, in one colour mode.
struct ReachTiles {
    encoder: TileEncoder,
    seq: u32,
    /// Where each batch of the last `encode` ends in its output.
    batch_ends: Vec<usize>,
}

impl ReachTiles {
    fn new(mode: ColourMode) -> Self {
        let mut encoder = TileEncoder::new();
        encoder.set_mode(mode);
        Self {
            encoder,
            seq: 0,
            batch_ends: Vec::new(),
        }
    }
}

impl Approach for ReachTiles {
    fn name(&self) -> &'static str {
        match self.encoder.mode() {
            ColourMode::BlackAndWhite => "reach-bw",
            ColourMode::FewColours => "reach-few",
            ColourMode::MoreColours => "reach-more",
            ColourMode::AllColours => "reach-tiles",
        }
    }

    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> Result<()> {
        // A batch may hold only part of the changes (size cap): the agent then
        // encodes again at once; all of it counts for this frame.
        self.batch_ends.clear();
        loop {
            self.seq = self.seq.wrapping_add(1);
            let outcome = self.encoder.encode(frame, false, self.seq, out)?;
            if outcome.tiles > 0 {
                self.batch_ends.push(out.len());
            }
            if !outcome.pending {
                return Ok(());
            }
        }
    }

    fn paint(&mut self, bytes: &[u8], picture: &mut Vec<u8>) -> Result<()> {
        let mut start = 0;
        for &end in &self.batch_ends {
            let batch = bytes
                .get(start..end)
                .context("a batch outside the output")?;
            reach_screen::batch::decode(batch)?.paint(picture);
            start = end;
        }
        Ok(())
    }

    fn console_messages(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        let mut start = 0;
        let mut messages = Vec::with_capacity(self.batch_ends.len());
        for &end in &self.batch_ends {
            messages.push(link_message(BulkKind::ScreenTiles, bytes.get(start..end)?));
            start = end;
        }
        Some(messages)
    }
}

/// Reach's video mode: the whole screen as H.264 (OpenH264 at the agent's
/// bit rate), decoded with OpenH264 as the console's WebCodecs would.
struct ReachVideo {
    encoder: reach_screen::video::VideoEncoder,
    decoder: reach_screen::video::VideoDecoder,
    seq: u32,
}

impl ReachVideo {
    fn new() -> Result<Self> {
        Ok(Self {
            encoder: reach_screen::video::VideoEncoder::new(),
            decoder: reach_screen::video::VideoDecoder::new()?,
            seq: 0,
        })
    }
}

impl Approach for ReachVideo {
    fn name(&self) -> &'static str {
        "reach-video"
    }

    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> Result<()> {
        self.seq = self.seq.wrapping_add(1);
        self.encoder.encode(frame, self.seq, out)?;
        Ok(())
    }

    fn paint(&mut self, bytes: &[u8], picture: &mut Vec<u8>) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if let (_, Some(rgb)) = self.decoder.decode(bytes)? {
            *picture = rgb;
        }
        Ok(())
    }

    fn console_messages(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        Some(if bytes.is_empty() {
            Vec::new()
        } else {
            vec![link_message(BulkKind::ScreenVideo, bytes)]
        })
    }
}

/// What one approach did on one workload.
#[derive(Serialize, Default)]
pub struct Measured {
    pub workload: String,
    pub approach: String,
    pub frames: u32,
    /// The median encode time of the frames after the first (the mean of every
    /// frame for codecs run through ffmpeg).
    pub encode_ms_p50: f64,
    /// The same, 99th percentile. None for codecs run through ffmpeg, which
    /// does not time single frames.
    pub encode_ms_p99: Option<f64>,
    /// The first frame's encode time alone: the whole screen, paid once when a
    /// console connects (and on a whole-screen change); it would otherwise be
    /// every approach's p99 over 100 frames.
    pub encode_first_ms: Option<f64>,
    pub bytes_per_frame: f64,
    /// Mean PSNR over frames in dB; None when every frame was reproduced exactly.
    pub psnr_db_mean: Option<f64>,
    /// The worst frame's PSNR; None when it was exact.
    pub psnr_db_min: Option<f64>,
    /// Decode + paint time per frame in the console (Chromium), frames after
    /// the first that carried data; None when not measured (see `console_note`).
    pub console_decode_ms_p50: Option<f64>,
    pub console_decode_ms_p99: Option<f64>,
    /// The first frame's time alone: the whole screen, what a console pays on connecting.
    pub console_first_frame_ms: Option<f64>,
    /// Frames the console painted, the first included.
    pub console_frames: Option<u32>,
    /// PSNR of the console's final picture against this bench's own decode of
    /// the same bytes (EXACT_DB when identical): proof it painted the picture.
    pub console_picture_psnr_db: Option<f64>,
    /// Why there is no console time: skipped, unsupported, failed, or not a Reach mode.
    pub console_note: Option<String>,
}

/// An approach's bytes as the console receives them, and the picture this
/// bench decoded from them, kept for the browser run.
struct Kept {
    frames: Vec<Vec<Vec<u8>>>,
    picture: Vec<u8>,
}

/// How long Chromium may take over one workload's streams.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(900);

pub async fn run(args: ScreenArgs) -> Result<()> {
    let workloads = list_workloads(&args.corpus)?;
    if workloads.is_empty() {
        bail!(
            "no NAME.json + NAME.raw workloads in {}: record some with `reach bench corpus --out {}`",
            args.corpus.display(),
            args.corpus.display()
        );
    }
    if !args.no_browser {
        browser::check(&args.chromium)?;
    }
    let mut results = Vec::new();
    let video = ffmpeg::available();
    println!(
        "{:<11} {:<14} {:>6} {:>10} {:>10} {:>10} {:>12} {:>9} {:>9} {:>11} {:>11}",
        "workload",
        "approach",
        "frames",
        "enc first",
        "enc p50",
        "enc p99",
        "bytes/frame",
        "PSNR",
        "PSNR min",
        "console p50",
        "console p99"
    );
    for (name, info) in &workloads {
        let approaches: Vec<Box<dyn Approach>> = vec![
            Box::new(ReachTiles::new(ColourMode::AllColours)),
            Box::new(ReachTiles::new(ColourMode::MoreColours)),
            Box::new(ReachTiles::new(ColourMode::FewColours)),
            Box::new(ReachTiles::new(ColourMode::BlackAndWhite)),
            Box::new(ReachVideo::new()?),
            Box::new(JpegTiles::new(50)),
        ];
        let mut rows = Vec::new();
        let mut kept = Vec::new();
        for approach in approaches {
            let (measured, stream) = measure(&args, name, info, approach, !args.no_browser)?;
            if let Some(stream) = stream {
                kept.push((rows.len(), stream));
            }
            rows.push(measured);
        }
        if video {
            let raw = args.corpus.join(format!("{name}.raw"));
            let frames = args
                .max_frames
                .map_or(info.frames, |max| max.min(info.frames));
            for codec in &ffmpeg::CODECS {
                rows.push(ffmpeg::measure(codec, &raw, name, info, frames)?);
            }
        }
        if args.no_browser {
            for row in &mut rows {
                row.console_note = Some("skipped: --no-browser".into());
            }
        } else {
            in_console(&args.chromium, info, &mut rows, kept).await?;
        }
        for row in rows {
            print_row(&row);
            results.push(row);
        }
    }
    if !video {
        println!("(ffmpeg and ffprobe are not installed: the VP9 and x264 rows are left out; apt-get install ffmpeg)");
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&results)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Decodes the kept streams with the console's code in Chromium and fills in
/// the console columns of `rows` (kept: row index and stream).
async fn in_console(
    chromium: &Path,
    info: &CorpusInfo,
    rows: &mut [Measured],
    kept: Vec<(usize, Kept)>,
) -> Result<()> {
    let mut pictures = Vec::with_capacity(kept.len());
    let mut jobs = Vec::with_capacity(kept.len());
    for (row, stream) in kept {
        jobs.push(browser::Job {
            workload: rows[row].workload.clone(),
            approach: rows[row].approach.clone(),
            width: info.width,
            height: info.height,
            frames: stream.frames,
        });
        pictures.push((row, stream.picture));
    }
    let outcomes = browser::run(&jobs, chromium, BROWSER_TIMEOUT).await?;
    drop(jobs);
    for ((row, picture), outcome) in pictures.into_iter().zip(outcomes) {
        let row = &mut rows[row];
        let result = outcome.result;
        if let Some(why) = result.unsupported {
            row.console_note = Some(format!("unsupported: {why}"));
            continue;
        }
        if let Some(error) = result.error {
            row.console_note = Some(format!("failed: {error}"));
        }
        row.console_first_frame_ms = result.frame_ms.first().copied();
        let mut times: Vec<Duration> = result
            .frame_ms
            .iter()
            .skip(usize::from(result.frame_ms.len() > 1))
            .map(|ms| Duration::from_secs_f64(ms.max(0.0) / 1000.0))
            .collect();
        times.sort();
        if !times.is_empty() {
            row.console_decode_ms_p50 = Some(millis(percentile(&times, 50)));
            row.console_decode_ms_p99 = Some(millis(percentile(&times, 99)));
        }
        row.console_frames = Some(u32::try_from(result.frame_ms.len())?);
        if let Some(png) = outcome.snapshot {
            let (width, height, seen) = browser::snapshot_rgb(&png)?;
            if (width, height) != (u32::from(info.width), u32::from(info.height)) {
                bail!(
                    "{} {}: the console painted {width}×{height}, not {}×{}",
                    row.workload,
                    row.approach,
                    info.width,
                    info.height
                );
            }
            row.console_picture_psnr_db = Some(psnr(&picture, &seen).unwrap_or(EXACT_DB));
        }
    }
    for row in rows.iter_mut() {
        if row.console_decode_ms_p50.is_none() && row.console_note.is_none() {
            row.console_note = Some("not a Reach mode: not decoded in the console".into());
        }
    }
    Ok(())
}

fn print_row(measured: &Measured) {
    let console = |ms: Option<f64>| ms.map_or_else(|| "-".to_string(), |ms| format!("{ms:.2} ms"));
    let first = console(measured.console_first_frame_ms);
    println!(
        "{:<11} {:<14} {:>6} {:>10} {:>7.2} ms {:>10} {:>12.0} {:>9} {:>9} {:>11} {:>11}{}",
        measured.workload,
        measured.approach,
        measured.frames,
        measured
            .encode_first_ms
            .map_or_else(|| "—".to_string(), |ms| format!("{ms:.2} ms")),
        measured.encode_ms_p50,
        measured
            .encode_ms_p99
            .map_or_else(|| "—".to_string(), |ms| format!("{ms:.2} ms")),
        measured.bytes_per_frame,
        db(measured.psnr_db_mean),
        db(measured.psnr_db_min),
        console(measured.console_decode_ms_p50),
        console(measured.console_decode_ms_p99),
        match (&measured.console_note, measured.console_picture_psnr_db) {
            (Some(note), _) => format!("  ({note})"),
            (None, Some(db)) if db >= EXACT_DB =>
                format!("  (console: first frame {first}, picture exact)"),
            (None, Some(db)) =>
                format!("  (console: first frame {first}, picture {db:.1} dB from ours)"),
            (None, None) => String::new(),
        }
    );
}

fn db(value: Option<f64>) -> String {
    value.map_or_else(|| "exact".to_string(), |db| format!("{db:.2} dB"))
}

/// The corpus's workloads, by name, with their descriptions checked against the data.
fn list_workloads(dir: &Path) -> Result<Vec<(String, CorpusInfo)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("a workload name that is not UTF-8")?
            .to_string();
        let info: CorpusInfo = serde_json::from_str(
            &std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
        )
        .with_context(|| format!("{}: not a corpus description", path.display()))?;
        if info.width == 0 || info.height == 0 || info.frames == 0 {
            bail!(
                "{}: width, height and frames must be positive",
                path.display()
            );
        }
        let raw = path.with_extension("raw");
        let want = frame_bytes(&info) as u64 * u64::from(info.frames);
        let have = std::fs::metadata(&raw)
            .with_context(|| format!("{} (beside {})", raw.display(), path.display()))?
            .len();
        if have < want {
            bail!(
                "{}: {have} bytes, but {} frames of {}x{} BGRx need {want}",
                raw.display(),
                info.frames,
                info.width,
                info.height
            );
        }
        found.push((name, info));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

fn frame_bytes(info: &CorpusInfo) -> usize {
    usize::from(info.width) * usize::from(info.height) * BYTES_PER_PIXEL
}

/// Encodes a workload with `approach`; with `keep`, also returns its stream as
/// the console would receive it (for approaches the console shows).
fn measure(
    args: &ScreenArgs,
    name: &str,
    info: &CorpusInfo,
    mut approach: Box<dyn Approach>,
    keep: bool,
) -> Result<(Measured, Option<Kept>)> {
    let raw = args.corpus.join(format!("{name}.raw"));
    let mut reader = std::io::BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(&raw).with_context(|| format!("opening {}", raw.display()))?,
    );
    let frames = args
        .max_frames
        .map_or(info.frames, |max| max.min(info.frames));
    let mut frame = Frame::new(info.width, info.height);
    let mut picture = Vec::new();
    let mut source_rgb = Vec::new();
    let mut encode_times = Vec::with_capacity(frames as usize);
    let mut bytes_total = 0usize;
    let mut psnr_sum = 0.0;
    let mut psnr_min: Option<f64> = None;
    let mut inexact = 0u32;
    let mut out = Vec::new();
    let mut kept_frames = Vec::new();
    let mut console = keep;
    for _ in 0..frames {
        reader
            .read_exact(&mut frame.data)
            .with_context(|| format!("reading a frame of {}", raw.display()))?;
        out.clear();
        let started = Instant::now();
        approach.encode(&frame, &mut out)?;
        encode_times.push(started.elapsed());
        bytes_total += out.len();
        if console {
            match approach.console_messages(&out) {
                Some(messages) => kept_frames.push(messages),
                None => console = false,
            }
        }
        approach.paint(&out, &mut picture)?;
        rgb_of(&frame, &mut source_rgb);
        if let Some(db) = psnr(&source_rgb, &picture) {
            inexact += 1;
            psnr_sum += db;
            psnr_min = Some(psnr_min.map_or(db, |min: f64| min.min(db)));
        }
    }
    let first = encode_times.first().copied();
    // The first frame is the whole screen: reported on its own, not in p50/p99.
    let mut encode_times = encode_times.split_off(usize::from(encode_times.len() > 1));
    encode_times.sort();
    let kept = console.then_some(Kept {
        frames: kept_frames,
        picture,
    });
    let measured = Measured {
        workload: name.to_string(),
        approach: approach.name().to_string(),
        frames,
        encode_ms_p50: millis(percentile(&encode_times, 50)),
        encode_ms_p99: Some(millis(percentile(&encode_times, 99))),
        encode_first_ms: first.map(millis),
        bytes_per_frame: bytes_total as f64 / f64::from(frames.max(1)),
        // Exact frames count as the cap of 99 dB so one blurry frame is not hidden.
        psnr_db_mean: (inexact > 0)
            .then(|| (psnr_sum + f64::from(frames - inexact) * EXACT_DB) / f64::from(frames)),
        psnr_db_min: psnr_min,
        ..Measured::default()
    };
    Ok((measured, kept))
}

/// The PSNR an exact frame counts as in the mean.
pub const EXACT_DB: f64 = 99.0;

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) * pct).div_ceil(100);
    sorted[index.min(sorted.len() - 1)]
}

/// The frame as a viewer's RGB picture.
fn rgb_of(frame: &Frame, rgb: &mut Vec<u8>) {
    rgb.clear();
    let row = usize::from(frame.width) * BYTES_PER_PIXEL;
    for y in 0..usize::from(frame.height) {
        push_rgb(&frame.data[y * frame.stride..y * frame.stride + row], rgb);
    }
}

/// Packed BGRx pixels (a corpus frame) as RGB.
pub fn rgb_of_packed(bgrx: &[u8], rgb: &mut Vec<u8>) {
    rgb.clear();
    push_rgb(bgrx, rgb);
}

fn push_rgb(bgrx: &[u8], rgb: &mut Vec<u8>) {
    for px in bgrx.chunks_exact(BYTES_PER_PIXEL) {
        rgb.extend_from_slice(&[px[2], px[1], px[0]]);
    }
}

/// PSNR in dB of `seen` against `source` (both RGB); None when identical.
pub fn psnr(source: &[u8], seen: &[u8]) -> Option<f64> {
    if source.len() != seen.len() {
        return Some(0.0);
    }
    let squared: u64 = source
        .iter()
        .zip(seen)
        .map(|(a, b)| {
            let d = u64::from(a.abs_diff(*b));
            d * d
        })
        .sum();
    if squared == 0 {
        return None;
    }
    let mse = squared as f64 / source.len() as f64;
    Some(10.0 * (255.0 * 255.0 / mse).log10())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psnr_of_known_errors() {
        assert_eq!(psnr(&[1, 2, 3], &[1, 2, 3]), None);
        // Every byte off by 1: MSE 1, PSNR 20·log10(255) ≈ 48.13 dB.
        let db = psnr(&[10; 300], &[11; 300]).unwrap_or_default();
        assert!((db - 48.13).abs() < 0.01, "{db}");
    }

    /// A corpus of `frames` frames of a 100×70 picture whose bottom half changes.
    fn tiny_corpus(frames: u32) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let info = CorpusInfo {
            width: 100,
            height: 70,
            fps: 10,
            frames,
            description: "test".into(),
        };
        let mut raw = Vec::new();
        for index in 0..frames {
            for y in 0..70u32 {
                for x in 0..100u32 {
                    let moving = if y >= 35 { index * 40 } else { 0 };
                    let v = ((x * 7 + y * 3 + moving) % 256) as u8;
                    raw.extend_from_slice(&[v, v / 2, 255 - v, 0]);
                }
            }
        }
        std::fs::write(dir.path().join("tiny.raw"), raw).expect("writing the corpus");
        std::fs::write(
            dir.path().join("tiny.json"),
            serde_json::to_string(&info).expect("json"),
        )
        .expect("writing the corpus description");
        dir
    }

    fn args(dir: &Path) -> ScreenArgs {
        ScreenArgs {
            corpus: dir.to_path_buf(),
            json: None,
            max_frames: None,
            no_browser: true,
            chromium: browser::default_chromium(),
        }
    }

    #[test]
    fn every_approach_runs_on_a_corpus() {
        let dir = tiny_corpus(3);
        let workloads = list_workloads(dir.path()).expect("the corpus is read");
        let (name, info) = &workloads[0];
        let reach = measure(
            &args(dir.path()),
            name,
            info,
            Box::new(ReachTiles::new(ColourMode::AllColours)),
            false,
        )
        .expect("reach tiles")
        .0;
        assert_eq!((reach.frames, reach.psnr_db_mean), (3, None), "lossless");
        assert!(reach.bytes_per_frame > 0.0);
        // Each reduced mode costs fewer bytes and loses more colour than the one above it.
        let mut previous = reach;
        for mode in [
            ColourMode::MoreColours,
            ColourMode::FewColours,
            ColourMode::BlackAndWhite,
        ] {
            let reduced = measure(
                &args(dir.path()),
                name,
                info,
                Box::new(ReachTiles::new(mode)),
                false,
            )
            .expect("a reduced mode")
            .0;
            let psnr = reduced.psnr_db_mean.expect("reduced modes are lossy");
            assert!(psnr < previous.psnr_db_mean.unwrap_or(EXACT_DB), "{mode:?}");
            assert!(
                reduced.bytes_per_frame < previous.bytes_per_frame,
                "{mode:?}: {} bytes against {}",
                reduced.bytes_per_frame,
                previous.bytes_per_frame
            );
            previous = reduced;
        }
        let video = measure(
            &args(dir.path()),
            name,
            info,
            Box::new(ReachVideo::new().expect("an H.264 decoder")),
            false,
        )
        .expect("reach video")
        .0;
        let psnr = video.psnr_db_mean.expect("H.264 is lossy");
        assert!((20.0..EXACT_DB).contains(&psnr), "{psnr}");
        assert!(video.bytes_per_frame > 0.0);
        let jpeg = measure(
            &args(dir.path()),
            name,
            info,
            Box::new(JpegTiles::new(50)),
            false,
        )
        .expect("JPEG tiles")
        .0;
        let psnr = jpeg.psnr_db_mean.expect("JPEG is lossy");
        assert!((10.0..EXACT_DB).contains(&psnr), "{psnr}");
        assert!(jpeg.bytes_per_frame > 0.0);
    }

    /// The console's own decoder, in Chromium, paints every Reach mode's stream
    /// (video when this Chromium decodes H.264) and the picture matches ours.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_reach_mode_is_decoded_in_the_console() {
        let dir = tiny_corpus(3);
        let workloads = list_workloads(dir.path()).expect("the corpus is read");
        let (name, info) = &workloads[0];
        let approaches: Vec<Box<dyn Approach>> = vec![
            Box::new(ReachTiles::new(ColourMode::AllColours)),
            Box::new(ReachTiles::new(ColourMode::MoreColours)),
            Box::new(ReachTiles::new(ColourMode::FewColours)),
            Box::new(ReachTiles::new(ColourMode::BlackAndWhite)),
            Box::new(ReachVideo::new().expect("an H.264 decoder")),
            Box::new(JpegTiles::new(50)),
        ];
        let (mut rows, mut kept) = (Vec::new(), Vec::new());
        for approach in approaches {
            let (measured, stream) =
                measure(&args(dir.path()), name, info, approach, true).expect("encoded");
            if let Some(stream) = stream {
                kept.push((rows.len(), stream));
            }
            rows.push(measured);
        }
        assert_eq!(kept.len(), 5, "every Reach mode goes to the console");
        in_console(&browser::default_chromium(), info, &mut rows, kept)
            .await
            .expect("the console decodes the streams");
        for row in &rows[..4] {
            assert_eq!(row.console_note, None, "{}", row.approach);
            // Black and white may see no change after the first frame.
            let frames = row.console_frames.unwrap_or_default();
            assert!((1..=3).contains(&frames), "{}: {frames}", row.approach);
            assert!(row.console_decode_ms_p99.is_some(), "{}", row.approach);
            // PNG, palette PNG, solid and copy tiles are exact; JPEG cells
            // decode a little differently in each decoder.
            let db = row.console_picture_psnr_db.unwrap_or_default();
            assert!(db >= 40.0, "{}: {db} dB", row.approach);
        }
        let video = &rows[4];
        match &video.console_note {
            Some(note) => assert!(note.starts_with("unsupported"), "{note}"),
            None => {
                assert_eq!(video.console_frames, Some(3));
                let db = video.console_picture_psnr_db.unwrap_or_default();
                assert!(db >= 30.0, "video: {db} dB");
            }
        }
        let jpeg = rows[5].console_note.as_deref().unwrap_or_default();
        assert!(jpeg.starts_with("not a Reach mode"), "{jpeg}");
    }

    #[test]
    fn a_truncated_or_malformed_corpus_is_refused_clearly() {
        let dir = tiny_corpus(2);
        let raw = dir.path().join("tiny.raw");
        let bytes = std::fs::read(&raw).expect("the corpus");
        std::fs::write(&raw, &bytes[..bytes.len() - 1]).expect("truncating");
        let error = list_workloads(dir.path())
            .expect_err("truncated")
            .to_string();
        assert!(error.contains("need"), "{error}");
        std::fs::write(
            dir.path().join("tiny.json"),
            r#"{"width": 0, "height": 1, "fps": 1, "frames": 1}"#,
        )
        .expect("writing");
        let error = list_workloads(dir.path())
            .expect_err("zero width")
            .to_string();
        assert!(error.contains("must be positive"), "{error}");
        std::fs::write(dir.path().join("tiny.json"), "not json").expect("writing");
        let error = format!("{:#}", list_workloads(dir.path()).expect_err("not json"));
        assert!(error.contains("not a corpus description"), "{error}");
    }

    #[test]
    fn percentiles_pick_from_the_sorted_times() {
        let times: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&times, 50), Duration::from_millis(51));
        assert_eq!(percentile(&times, 99), Duration::from_millis(100));
        assert_eq!(percentile(&[], 99), Duration::ZERO);
    }
}
