//! `cargo xtask`: the project's build and test driver. It builds the web console,
//! regenerates the TypeScript wire types, installs test prerequisites and runs every
//! check. It is the only place that calls npm; build scripts stay offline.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

// Shared with the test kit by path, so this driver stays quick to compile.
#[path = "../../crates/testkit/src/cluster.rs"]
mod cluster;
mod prerequisites;

const USAGE: &str = "\
cargo xtask <command>

Commands:
  run [ARGS...]   build the web console and the release binary, then `reach server ARGS`
  test            install test prerequisites and run every check (fmt, clippy, tsc,
                  Rust tests on SQLite and PostgreSQL, browser end-to-end tests)
  web             build the web console into web/dist
  codegen         regenerate web/src/gen/proto.ts from crates/proto
  dist            build the release binary with the console embedded (target/release/reach)
";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    // `cargo xtask run -- --listen ...` passes the `--` through; it is not an argument.
    let rest: Vec<String> = args.skip_while(|arg| arg == "--").collect();
    match command.as_str() {
        "run" => run(&rest),
        "test" => test(),
        "web" => build_web(),
        "codegen" => codegen(),
        "dist" => dist(),
        _ => {
            eprint!("{USAGE}");
            if command.is_empty() || command == "help" || command == "--help" {
                Ok(())
            } else {
                bail!("unknown xtask command `{command}`")
            }
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command in `dir`, failing with the command line when it fails.
pub(crate) fn sh(dir: &Path, program: &str, args: &[&str]) -> Result<()> {
    eprintln!("xtask: {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .with_context(|| format!("could not start `{program}`: is it installed?"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn codegen() -> Result<()> {
    let path = root().join("web/src/gen/proto.ts");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, reach_proto::typescript::declarations())
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

fn npm_install(web: &Path) -> Result<()> {
    if web.join("node_modules/.package-lock.json").exists() {
        return Ok(());
    }
    sh(web, "npm", &["ci", "--no-audit", "--no-fund"])
}

fn build_web() -> Result<()> {
    prerequisites::require_node()?;
    codegen()?;
    let web = root().join("web");
    npm_install(&web)?;
    sh(&web, "npm", &["run", "build"])
}

fn dist() -> Result<()> {
    build_web()?;
    sh(
        &root(),
        "cargo",
        &["build", "--release", "--package", "reach"],
    )
}

fn run(server_args: &[String]) -> Result<()> {
    dist()?;
    let binary = target_dir().join("release/reach");
    let status = Command::new(&binary)
        .arg("server")
        .args(server_args)
        .status()
        .with_context(|| format!("starting {}", binary.display()))?;
    if !status.success() {
        bail!("reach server exited with {status}");
    }
    Ok(())
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn test() -> Result<()> {
    let root = root();
    let web = root.join("web");
    prerequisites::install_for_tests()?;
    check_codegen()?;
    build_web()?;
    sh(&root, "cargo", &["fmt", "--all", "--check"])?;
    sh(&web, "npm", &["run", "typecheck"])?;
    sh(&web, "npm", &["test"])?;
    sh(
        &root,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // One PostgreSQL cluster for the whole run; each test creates its own database in it.
    let _cluster = match std::env::var("REACH_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => None,
        _ => {
            let cluster = cluster::Cluster::start()?;
            std::env::set_var("REACH_TEST_POSTGRES_URL", cluster.admin_url());
            Some(cluster)
        }
    };
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let scim_python = prerequisites::scim_tester(&target_dir)?;
    std::env::set_var("REACH_SCIM_PYTHON", &scim_python);
    sh(&root, "cargo", &["build", "--workspace", "--all-targets"])?;
    sh(
        &root,
        "cargo",
        &["nextest", "run", "--workspace", "--no-fail-fast"],
    )?;
    sh(
        &root,
        "cargo",
        &[
            "build",
            "--release",
            "--package",
            "reach",
            "--package",
            "reach-testkit",
        ],
    )?;
    sh(&web, "npm", &["run", "e2e"])
}

/// Fails when web/src/gen/proto.ts is not what crates/proto generates.
fn check_codegen() -> Result<()> {
    let path = root().join("web/src/gen/proto.ts");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != reach_proto::typescript::declarations() {
        bail!(
            "{} is stale: run `cargo xtask codegen` and commit the result",
            path.display()
        );
    }
    Ok(())
}
