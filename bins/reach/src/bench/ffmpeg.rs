//! Video codecs in the screen benchmark, run through Debian's ffmpeg on the same
//! corpus frames: RustDesk's default (libvpx VP9 in real-time mode with screen
//! content tuning at its 1080p base bitrate of about 2 Mbit/s) and x264
//! ultrafast/zerolatency. ffmpeg encodes with one thread and reports its CPU
//! time (`-benchmark`); ffprobe lists each frame's size; ffmpeg decodes the
//! stream back and the frames are compared with the source.
//!
//! Only the mean encode time per frame is known this way (ffmpeg does not time
//! frames one by one), so these rows have no p99.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use super::corpus::CorpusInfo;
use super::screen::{psnr, rgb_of_packed, Measured, EXACT_DB};

/// One video codec configuration.
pub struct VideoCodec {
    pub name: &'static str,
    /// ffmpeg output options (codec and its settings).
    args: fn(&CorpusInfo) -> Vec<String>,
}

pub const CODECS: [VideoCodec; 2] = [
    VideoCodec {
        name: "rustdesk-vp9",
        args: |info| {
            // RustDesk's base bitrate for 1080p, scaled with the pixel count.
            let pixels = f64::from(info.width) * f64::from(info.height);
            let kbps = (2000.0 * pixels / (1920.0 * 1080.0)).round().max(100.0);
            [
                "-c:v",
                "libvpx-vp9",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-tune-content",
                "screen",
                "-lag-in-frames",
                "0",
                "-row-mt",
                "0",
                "-b:v",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain([format!("{kbps}k")])
            .collect()
        },
    },
    VideoCodec {
        name: "x264-ultrafast",
        args: |_| {
            [
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-pix_fmt",
                "yuv420p",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        },
    },
];

/// Whether ffmpeg and ffprobe are installed (the comparison is skipped, and
/// said so, when they are not).
pub fn available() -> bool {
    ["ffmpeg", "ffprobe"].iter().all(|tool| {
        Command::new(tool)
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}

pub fn measure(
    codec: &VideoCodec,
    raw: &Path,
    name: &str,
    info: &CorpusInfo,
    frames: u32,
) -> Result<Measured> {
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let stream = scratch.path().join("stream.mkv");
    let size = format!("{}x{}", info.width, info.height);
    let encoded = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-benchmark", "-threads", "1"])
        .args(["-f", "rawvideo", "-pix_fmt", "bgr0", "-s", &size])
        .args(["-r", &info.fps.to_string(), "-i"])
        .arg(raw)
        .args(["-frames:v", &frames.to_string(), "-threads", "1"])
        .args((codec.args)(info))
        .args(["-f", "matroska", "-y"])
        .arg(&stream)
        .stdout(Stdio::null())
        .output()
        .context("running ffmpeg (Debian package ffmpeg)")?;
    let log = String::from_utf8_lossy(&encoded.stderr);
    if !encoded.status.success() {
        bail!("ffmpeg could not encode {name} with {}: {log}", codec.name);
    }
    let cpu_seconds = benchmark_cpu(&log)
        .with_context(|| format!("no `bench: utime=` line in ffmpeg's output: {log}"))?;
    let sizes = packet_sizes(&stream)?;
    let mut decoder = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-i"])
        .arg(&stream)
        .args(["-f", "rawvideo", "-pix_fmt", "bgr0", "-"])
        .stdout(Stdio::piped())
        .spawn()
        .context("running ffmpeg to decode")?;
    let mut decoded = decoder.stdout.take().context("ffmpeg's output")?;
    let mut source = std::io::BufReader::new(
        std::fs::File::open(raw).with_context(|| format!("opening {}", raw.display()))?,
    );
    let frame_len = usize::from(info.width) * usize::from(info.height) * 4;
    let (mut source_frame, mut seen_frame) = (vec![0; frame_len], vec![0; frame_len]);
    let (mut source_rgb, mut seen_rgb) = (Vec::new(), Vec::new());
    let (mut psnr_sum, mut psnr_min, mut compared) = (0.0, None::<f64>, 0u32);
    for _ in 0..frames {
        source.read_exact(&mut source_frame)?;
        decoded
            .read_exact(&mut seen_frame)
            .context("ffmpeg decoded fewer frames than it encoded")?;
        rgb_of_packed(&source_frame, &mut source_rgb);
        rgb_of_packed(&seen_frame, &mut seen_rgb);
        let db = psnr(&source_rgb, &seen_rgb).unwrap_or(EXACT_DB);
        psnr_sum += db;
        psnr_min = Some(psnr_min.map_or(db, |min| min.min(db)));
        compared += 1;
    }
    let _ = decoder.wait();
    let per_frame_ms = cpu_seconds * 1000.0 / f64::from(frames.max(1));
    Ok(Measured {
        workload: name.to_string(),
        approach: codec.name.to_string(),
        frames,
        encode_ms_p50: per_frame_ms,
        encode_ms_p99: None,
        bytes_per_frame: sizes.iter().sum::<u64>() as f64 / f64::from(frames.max(1)),
        psnr_db_mean: Some(psnr_sum / f64::from(compared.max(1))),
        psnr_db_min: psnr_min,
        ..Measured::default()
    })
}

/// User plus system CPU seconds from ffmpeg's `-benchmark` line
/// (`bench: utime=1.234s stime=0.056s rtime=1.300s`).
fn benchmark_cpu(log: &str) -> Option<f64> {
    let line = log
        .lines()
        .rev()
        .find(|line| line.contains("bench: utime="))?;
    let field = |key: &str| -> Option<f64> {
        let start = line.find(key)? + key.len();
        let value = &line[start..];
        let end = value.find('s')?;
        value[..end].parse().ok()
    };
    Some(field("utime=")? + field("stime=")?)
}

/// Each video packet's size in bytes, in order.
fn packet_sizes(stream: &Path) -> Result<Vec<u64>> {
    let probed = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(["-show_entries", "packet=size", "-of", "csv=p=0"])
        .arg(stream)
        .output()
        .context("running ffprobe (Debian package ffmpeg)")?;
    if !probed.status.success() {
        bail!(
            "ffprobe could not read {}: {}",
            stream.display(),
            String::from_utf8_lossy(&probed.stderr)
        );
    }
    String::from_utf8_lossy(&probed.stdout)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            line.trim()
                .parse()
                .with_context(|| format!("ffprobe printed `{line}` as a packet size"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ffmpeg_benchmark_lines() {
        let log = "frame=  10 fps=0.0\nbench: utime=1.250s stime=0.050s rtime=1.400s\n";
        let cpu = benchmark_cpu(log).unwrap_or_default();
        assert!((cpu - 1.3).abs() < 1e-9, "{cpu}");
        assert_eq!(benchmark_cpu("no such line"), None);
    }
}
