//! `reach bench vnc`: the `reach bench session` workload (Xvfb, the same xterm,
//! the same typing) served by x11vnc instead of Reach, read by a minimal RFB 3.8
//! client (RFC 6143, in `rfb` and `zrle`). The client negotiates ZRLE as most
//! viewers do and inflates and paints every update before asking for the next,
//! so the numbers count what a viewer pays. Owns the x11vnc process and the
//! measurement; it must not touch the session measurement in `mod.rs`.

mod rfb;
mod zrle;

use std::io::{Read, Seek};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use reach_testkit::process::cpu_time;
use reach_testkit::xvfb::Xvfb;
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use self::rfb::{
    key_event, set_encodings, set_pixel_format, update_request, ServerMessage, Viewer,
    ENCODING_COPY_RECT, ENCODING_RAW, ENCODING_ZRLE,
};
use super::{start_xterm, Child, StreamMeasures, Typist, Workload};

/// x11vnc's flags besides `-display` and `-rfbport`: loopback only, no password
/// (this client speaks security type None), keep serving across clients. The
/// rest stays at the defaults a deployment has: XDAMAGE hints plus polling,
/// `-defer 20`, `-wait 20`, scroll detection, MIT-SHM reads.
const X11VNC_FLAGS: [&str; 4] = ["-localhost", "-nopw", "-forever", "-shared"];
const START_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Serialize)]
struct VncReport {
    server: String,
    server_command: String,
    encoding: &'static str,
    #[serde(flatten)]
    stream: StreamMeasures,
    server_cpu_percent: f64,
}

pub async fn run(workload: Workload) -> Result<()> {
    let report = measure(workload).await?;
    if workload.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "reach bench vnc ({}, {}, {})",
        report.stream.screen, report.server, report.encoding
    );
    println!("  Server: {}", report.server_command);
    report.stream.print();
    println!(
        "    x11vnc CPU:                   {:>8.1} %",
        report.server_cpu_percent
    );
    Ok(())
}

async fn measure(workload: Workload) -> Result<VncReport> {
    let Workload {
        width,
        height,
        typing_rate: rate,
        ..
    } = workload;
    let typing = workload.typing();
    let xvfb = Xvfb::start(width, height)?;
    let _xterm = start_xterm(&xvfb.display)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut args = vec!["-display".to_owned(), xvfb.display.clone()];
    args.extend(["-rfbport".to_owned(), port.to_string()]);
    args.extend(X11VNC_FLAGS.map(String::from));
    let mut log = tempfile::tempfile()?;
    let mut x11vnc = Child(
        std::process::Command::new("x11vnc")
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log.try_clone()?)
            .spawn()
            .context("starting x11vnc (Debian package x11vnc)")?,
    );
    wait_listening(&mut x11vnc, port, &mut log).await?;
    // Let xterm finish drawing its prompt so the first frame is the steady screen.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let connect = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (input, mut output) = stream.into_split();
    let mut viewer = Viewer::new(input);
    viewer.handshake(&mut output).await?;
    let (w, h) = (viewer.canvas.width, viewer.canvas.height);
    ensure!(
        (w, h) == (usize::from(width), usize::from(height)),
        "x11vnc serves a {w}x{h} framebuffer for a {width}x{height} display"
    );
    output.write_all(&set_pixel_format()).await?;
    output
        .write_all(&set_encodings(&[
            ENCODING_ZRLE,
            ENCODING_COPY_RECT,
            ENCODING_RAW,
        ]))
        .await?;
    output
        .write_all(&update_request(false, width, height))
        .await?;
    let mut first_frame = None;
    let full_frame = loop {
        let before = viewer.received;
        if let ServerMessage::Update { .. } = viewer.message().await? {
            first_frame.get_or_insert((connect.elapsed(), viewer.received - before));
            if viewer.canvas.unpainted == 0 {
                break connect.elapsed();
            }
            output
                .write_all(&update_request(false, width, height))
                .await?;
        }
    };
    let (first_frame, first_frame_bytes) = first_frame.context("no frame")?;

    // The reader paints in its own task so that reading stays cancel-safe; the
    // next incremental request goes out once an update is painted, as viewers do.
    let (painted, mut updates) = tokio::sync::mpsc::channel(4);
    let reader = tokio::spawn(async move {
        loop {
            let before = viewer.received;
            let message = viewer.message().await?;
            if painted
                .send((message, viewer.received - before))
                .await
                .is_err()
            {
                return anyhow::Ok(());
            }
        }
    });
    let pid = x11vnc.0.id();
    let cpu_start = cpu_time(pid)?;
    output
        .write_all(&update_request(true, width, height))
        .await?;
    let started = Instant::now();
    let mut typist = Typist::new(rate);
    let (mut frames, mut bytes) = (0usize, 0usize);
    while started.elapsed() < typing {
        let wait = typist.wait();
        tokio::select! {
            update = updates.recv() => {
                let Some((message, size)) = update else {
                    return Err(reader.await?.err().unwrap_or_else(|| anyhow::anyhow!("the reader stopped")));
                };
                bytes += size;
                if let ServerMessage::Update { rectangles } = message {
                    frames += usize::from(rectangles > 0);
                    output.write_all(&update_request(true, width, height)).await?;
                }
            }
            () = tokio::time::sleep(wait) => {
                let keysym = typist.key();
                output.write_all(&key_event(keysym, true)).await?;
                output.write_all(&key_event(keysym, false)).await?;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server_cpu = (cpu_time(pid)? - cpu_start).as_secs_f64() / elapsed * 100.0;
    reader.abort();
    let version = std::process::Command::new("x11vnc")
        .arg("-version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    Ok(VncReport {
        server: version,
        server_command: format!("x11vnc {}", args.join(" ")),
        encoding: "ZRLE",
        stream: StreamMeasures {
            screen: format!("{width}x{height}"),
            connect_to_first_frame_ms: first_frame.as_secs_f64() * 1000.0,
            connect_to_full_frame_ms: full_frame.as_secs_f64() * 1000.0,
            first_frame_bytes,
            typing_seconds: elapsed,
            typing_rate: rate,
            frames_per_second: frames as f64 / elapsed,
            bytes_per_second: bytes as f64 / elapsed,
        },
        server_cpu_percent: server_cpu,
    })
}

/// Waits until x11vnc accepts connections on `port` (the probe connection is
/// dropped before the RFB handshake), failing with its log if it exits.
async fn wait_listening(x11vnc: &mut Child, port: u16, log: &mut std::fs::File) -> Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = x11vnc.0.try_wait()? {
            let mut text = String::new();
            log.rewind()?;
            log.read_to_string(&mut text)?;
            bail!("x11vnc exited ({status}); its log:\n{text}");
        }
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("x11vnc did not listen on port {port} within {START_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
