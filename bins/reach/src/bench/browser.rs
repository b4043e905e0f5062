//! The console half of `reach bench screen`: serves the bench page (web/dist-bench,
//! built by `npm run build` and embedded at compile time) and the bytes Reach's
//! encoder produced on a loopback HTTP port, runs Debian's Chromium headless on
//! it, and collects what the page posts back: per-frame decode+paint times of the
//! console's own decoding worker, and a PNG of its final picture. It must not
//! decode screen data itself beyond checking that final picture: the point is to
//! time the console's code, in the browser that runs it.
//!
//! Protocol: see web/src/bench/decode-page.ts.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use reach_proto::frame::BulkKind;
use rust_embed::Embed;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

#[derive(Embed)]
#[folder = "../../web/dist-bench"]
#[allow_missing = true]
struct Page;

const PAGE: &str = "bench/decode.html";

/// The flags of the project's browser measurements (no sandbox: the bench may
/// run as root; no GPU, background traffic or updates), headless; the profile
/// is a throw-away directory.
const CHROMIUM_FLAGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// One approach's encoded stream for the page to decode.
pub struct Job {
    pub workload: String,
    pub approach: String,
    pub width: u16,
    pub height: u16,
    /// Per corpus frame, the session-link binary messages (bulk header included).
    pub frames: Vec<Vec<Vec<u8>>>,
}

impl Job {
    fn video(&self) -> bool {
        self.frames
            .iter()
            .flatten()
            .any(|message| message.first() == Some(&(BulkKind::ScreenVideo as u8)))
    }

    /// The /frames body: per frame a u32 message count, then per message a u32
    /// length and the message (big-endian, as the page reads them).
    fn body(&self) -> Result<Vec<u8>> {
        let size = self
            .frames
            .iter()
            .flatten()
            .map(|m| m.len() + 4)
            .sum::<usize>();
        let mut body = Vec::with_capacity(size + 4 * self.frames.len());
        for frame in &self.frames {
            body.extend_from_slice(&u32::try_from(frame.len())?.to_be_bytes());
            for message in frame {
                body.extend_from_slice(&u32::try_from(message.len())?.to_be_bytes());
                body.extend_from_slice(message);
            }
        }
        Ok(body)
    }
}

#[derive(Serialize)]
struct PlanJob<'a> {
    id: usize,
    workload: &'a str,
    approach: &'a str,
    video: bool,
    width: u16,
    height: u16,
}

/// What the page reports for one job.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    pub id: usize,
    /// Decode + paint time of each frame that carried data, in ms.
    pub frame_ms: Vec<f64>,
    pub error: Option<String>,
    /// Why the browser cannot decode this stream (video without H.264 support).
    pub unsupported: Option<String>,
}

/// The page's one POST /results.
#[derive(Deserialize, Debug, PartialEq)]
pub struct Results {
    pub results: Vec<JobResult>,
    /// A failure outside any job (the plan could not be read).
    pub error: Option<String>,
}

/// A job's result with the page's final picture (PNG), when it sent one.
pub struct Outcome {
    pub result: JobResult,
    pub snapshot: Option<Vec<u8>>,
}

struct Shared {
    plan: String,
    bodies: Vec<Vec<u8>>,
    snapshots: Mutex<Vec<Option<Vec<u8>>>>,
    results: Mutex<Option<oneshot::Sender<Results>>>,
}

/// Checks that the bench page was built into this binary and that Chromium
/// is where it is expected, before any long work starts.
pub fn check(chromium: &Path) -> Result<()> {
    if Page::get(PAGE).is_none() {
        bail!(
            "the bench page was not built into this binary: run `cd web && npm ci && npm run build`, \
             then build reach again (or pass --no-browser to skip the console decode times)"
        );
    }
    if !chromium.is_file() {
        bail!(
            "Chromium not found at {}: install it with `apt-get install -y chromium` \
             (or pass --chromium PATH, or --no-browser to skip the console decode times)",
            chromium.display()
        );
    }
    Ok(())
}

/// Runs `jobs` through the console's decoder in Chromium; one outcome per job, in order.
pub async fn run(jobs: &[Job], chromium: &Path, timeout: Duration) -> Result<Vec<Outcome>> {
    check(chromium)?;
    let plan: Vec<PlanJob> = jobs
        .iter()
        .enumerate()
        .map(|(id, job)| PlanJob {
            id,
            workload: &job.workload,
            approach: &job.approach,
            video: job.video(),
            width: job.width,
            height: job.height,
        })
        .collect();
    let (results_tx, results_rx) = oneshot::channel();
    let shared = Arc::new(Shared {
        plan: serde_json::to_string(&serde_json::json!({ "jobs": plan }))?,
        bodies: jobs.iter().map(Job::body).collect::<Result<_>>()?,
        snapshots: Mutex::new(vec![None; jobs.len()]),
        results: Mutex::new(Some(results_tx)),
    });
    let app = Router::new()
        .route("/plan", get(plan_json))
        .route("/frames/{id}", get(frames))
        .route("/snapshot/{id}", post(snapshot))
        .route("/results", post(results))
        .fallback(page_file)
        // A 4K RGBA snapshot of noise is about 33 MB as PNG.
        .layer(DefaultBodyLimit::max(64 << 20))
        .layer(axum::middleware::map_response(isolated))
        .with_state(Arc::clone(&shared));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding a loopback port for the bench page")?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let profile = tempfile::tempdir().context("creating a Chromium profile directory")?;
    let mut browser = tokio::process::Command::new(chromium)
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("http://{address}/{PAGE}"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", chromium.display()))?;
    let finished = tokio::select! {
        results = results_rx => results.context("the bench page's server stopped"),
        status = browser.wait() => Err(anyhow::anyhow!("Chromium exited before the page reported: {:?}", status?)),
        () = tokio::time::sleep(timeout) => Err(anyhow::anyhow!("the bench page did not report within {} s", timeout.as_secs())),
    };
    let _ = browser.kill().await;
    server.abort();
    let results = finished?;
    if let Some(error) = results.error {
        bail!("the bench page failed: {error}");
    }
    let mut snapshots = std::mem::take(
        &mut *shared
            .snapshots
            .lock()
            .map_err(|_| anyhow::anyhow!("a poisoned lock"))?,
    );
    let mut outcomes = Vec::with_capacity(jobs.len());
    for result in results.results {
        let snapshot = snapshots.get_mut(result.id).and_then(Option::take);
        outcomes.push(Outcome { result, snapshot });
    }
    if outcomes.len() != jobs.len() || outcomes.iter().enumerate().any(|(i, o)| o.result.id != i) {
        bail!("the bench page reported other jobs than it was given");
    }
    Ok(outcomes)
}

/// Cross-origin isolation: without it Chromium coarsens `performance.now()` to
/// 100 µs, too coarse for frames that decode in well under a millisecond.
async fn isolated(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        "cross-origin-opener-policy",
        header::HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-embedder-policy",
        header::HeaderValue::from_static("require-corp"),
    );
    response
}

async fn plan_json(State(shared): State<Arc<Shared>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        shared.plan.clone(),
    )
        .into_response()
}

async fn frames(State(shared): State<Arc<Shared>>, UrlPath(id): UrlPath<usize>) -> Response {
    match shared.bodies.get(id) {
        Some(body) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            body.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn snapshot(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<usize>,
    body: Bytes,
) -> StatusCode {
    let Ok(mut snapshots) = shared.snapshots.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    match snapshots.get_mut(id) {
        Some(slot) => {
            *slot = Some(body.to_vec());
            StatusCode::NO_CONTENT
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn results(State(shared): State<Arc<Shared>>, Json(results): Json<Results>) -> StatusCode {
    let sender = shared.results.lock().ok().and_then(|mut slot| slot.take());
    match sender {
        Some(sender) => {
            let _ = sender.send(results);
            StatusCode::NO_CONTENT
        }
        None => StatusCode::CONFLICT,
    }
}

async fn page_file(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    match Page::get(path) {
        Some(file) => (
            [(header::CONTENT_TYPE, file.metadata.mimetype().to_string())],
            file.data,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The page's final picture (a PNG from the canvas) as RGB, 3 bytes per pixel.
pub fn snapshot_rgb(png_bytes: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder
        .read_info()
        .context("the page's snapshot is not a PNG")?;
    let size = reader
        .output_buffer_size()
        .context("the page's snapshot is too large")?;
    let mut buffer = vec![0; size];
    let info = reader.next_frame(&mut buffer)?;
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => bail!("the page's snapshot has colour type {other:?}"),
    };
    if info.bit_depth != png::BitDepth::Eight {
        bail!(
            "the page's snapshot has {:?} bits per sample",
            info.bit_depth
        );
    }
    let rgb = buffer[..info.buffer_size()]
        .chunks_exact(channels)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    Ok((info.width, info.height, rgb))
}

/// Where Debian installs Chromium.
pub fn default_chromium() -> PathBuf {
    PathBuf::from("/usr/bin/chromium")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_results_parse() {
        let results: Results = serde_json::from_str(
            r#"{"results":[{"id":0,"frameMs":[1.5,2.25],"error":null,"unsupported":null},
                {"id":1,"frameMs":[],"error":null,"unsupported":"no H.264"}],"error":null}"#,
        )
        .expect("the page's results");
        assert_eq!(results.results[0].frame_ms, vec![1.5, 2.25]);
        assert_eq!(results.results[1].unsupported.as_deref(), Some("no H.264"));
        assert!(serde_json::from_str::<Results>(r#"{"results":[{"id":0}]}"#).is_err());
    }

    #[test]
    fn the_frames_body_holds_counts_and_lengths() {
        let job = Job {
            workload: "w".into(),
            approach: "a".into(),
            width: 1,
            height: 1,
            frames: vec![vec![vec![1, 2], vec![3]], vec![]],
        };
        assert_eq!(
            job.body().expect("a body"),
            [0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 0, 0, 0, 1, 3, 0, 0, 0, 0]
        );
        assert!(!job.video());
    }
}
