//! Throwaway PostgreSQL databases for tests. With `REACH_TEST_POSTGRES_URL` set
//! (an administrator URL; `cargo xtask test` starts a cluster and sets it), each call
//! creates a fresh database there. Without it, each call starts its own cluster
//! with `initdb` in a temporary directory, which is slower but needs nothing set up.
//! A missing PostgreSQL installation is an error that says how to install it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sqlx::Connection;

/// A database that exists until this value is dropped.
pub struct PostgresDatabase {
    /// Connection URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
    _cluster: Option<Cluster>,
}

/// Creates a new empty database (see the module doc for where).
pub async fn database() -> Result<PostgresDatabase> {
    let (admin_url, cluster) = match std::env::var("REACH_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => (url, None),
        _ => {
            let cluster = Cluster::start()?;
            (cluster.admin_url(), Some(cluster))
        }
    };
    let name = format!("reach_test_{}", uuid_like());
    let mut admin = connect_with_retry(&admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .with_context(|| format!("creating database {name} via {admin_url}"))?;
    admin.close().await.ok();
    Ok(PostgresDatabase {
        url: with_database(&admin_url, &name),
        admin_url,
        name,
        _cluster: cluster,
    })
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        if self._cluster.is_some() {
            // The whole cluster goes away with its directory.
            return;
        }
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside any runtime guarantee, so use a short-lived one.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join();
    }
}

async fn connect_with_retry(url: &str) -> Result<sqlx::PgConnection> {
    let mut last_error = None;
    for _ in 0..50 {
        match sqlx::PgConnection::connect(url).await {
            Ok(conn) => return Ok(conn),
            Err(err) => last_error = Some(err),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(anyhow::anyhow!(
        "could not connect to PostgreSQL at {url}: {}",
        last_error.map(|e| e.to_string()).unwrap_or_default()
    ))
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}_{:x}", std::process::id(), nanos)
}

/// Replaces the database name in a `postgres://` URL, keeping query parameters.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

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

fn is_root() -> bool {
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

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_database_name() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?host=/tmp", "x"),
            "postgres://u@h/x?host=/tmp"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
