//! A PostgreSQL server of our own, started with `initdb` and `pg_ctl` in a
//! temporary directory and listening on a Unix socket only. Depends on the
//! standard library, `anyhow` and `tempfile` alone, because `cargo xtask test`
//! compiles this file too (by path) to start one cluster for a whole test run.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// A PostgreSQL server of our own, in a temporary directory, on a Unix socket only.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    run_as: Option<String>,
}

impl Cluster {
    /// Runs initdb and starts the server; it stops when the value is dropped.
    pub fn start() -> Result<Self> {
        let bin = postgres_bin_dir()?;
        let dir = tempfile::Builder::new().prefix("reach-pg-").tempdir()?;
        // PostgreSQL refuses to run as root; the Debian package provides a `postgres` user.
        let run_as = if is_root() {
            Some("postgres".to_string())
        } else {
            None
        };
        if let Some(user) = &run_as {
            let status = Command::new("chown")
                .args(["-R", user])
                .arg(dir.path())
                .status()?;
            if !status.success() {
                bail!("could not hand {} to user {user}", dir.path().display());
            }
        }
        let cluster = Self { dir, bin, run_as };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let socket_dir = cluster.socket_dir();
        let options =
            format!("-c listen_addresses='' -k {socket_dir} -c fsync=off -c max_connections=200");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-o",
                &options,
                "-l",
                &format!("{}/log", cluster.dir.path().display()),
                "-w",
                "start",
            ],
        )?;
        Ok(cluster)
    }

    /// A URL for the `postgres` database as the `postgres` superuser.
    pub fn admin_url(&self) -> String {
        format!(
            "postgres://postgres@localhost/postgres?host={}",
            self.socket_dir()
        )
    }

    fn data_dir(&self) -> String {
        format!("{}/data", self.dir.path().display())
    }

    fn socket_dir(&self) -> String {
        self.dir.path().display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<()> {
        let program = self.bin.join(tool);
        let output = match &self.run_as {
            Some(user) => Command::new("runuser")
                .args(["-u", user, "--"])
                .arg(&program)
                .args(args)
                .output(),
            None => Command::new(&program).args(args).output(),
        }
        .with_context(|| format!("running {}", program.display()))?;
        if !output.status.success() {
            bail!(
                "{} failed: {}{}",
                program.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Finds PostgreSQL's server binaries (initdb, pg_ctl).
pub fn postgres_bin_dir() -> Result<PathBuf> {
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .find(|dir| Path::new(dir).join("initdb").exists())
        .context(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian package `postgresql` \
             (apt-get install postgresql), set REACH_TEST_POSTGRES_URL to an administrator URL, \
             or run `cargo xtask test`, which does both",
        )
}
