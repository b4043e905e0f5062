//! `reach-test-monitors NAME:WIDTHxHEIGHT+X+Y[*] ...`: gives the display in
//! $DISPLAY those RandR monitors (a trailing `*` marks the primary one), as a
//! dual-head desktop has them, then exits. For the browser tests of choosing a
//! monitor; see `reach_testkit::monitors`.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use reach_testkit::monitors::{set_monitors, TestMonitor};
use reach_testkit::xclient::main_with;

fn main() -> ExitCode {
    main_with("reach-test-monitors", run)
}

fn run() -> Result<()> {
    let monitors = std::env::args()
        .skip(1)
        .map(|spec| spec.parse::<TestMonitor>())
        .collect::<Result<Vec<_>>>()?;
    if monitors.is_empty() {
        bail!("usage: reach-test-monitors NAME:WIDTHxHEIGHT+X+Y[*] ...");
    }
    let display = std::env::var("DISPLAY").context("DISPLAY is not set")?;
    set_monitors(&display, &monitors)?;
    println!("{{\"event\":\"ready\"}}");
    Ok(())
}
