//! Throwaway PostgreSQL databases for tests. With `REACH_TEST_POSTGRES_URL` set
//! (an administrator URL; `cargo xtask test` starts a cluster and sets it), each call
//! creates a fresh database there. Without it, each call starts its own cluster
//! with `initdb` in a temporary directory, which is slower but needs nothing set up.
//! A missing PostgreSQL installation is an error that says how to install it.

use anyhow::{Context, Result};
use sqlx::Connection;

/// A database that exists until this value is dropped.
pub struct PostgresDatabase {
    /// Connection URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
    _cluster: Option<crate::cluster::Cluster>,
}

/// Creates a new empty database (see the module doc for where).
pub async fn database() -> Result<PostgresDatabase> {
    let (admin_url, cluster) = match std::env::var("REACH_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => (url, None),
        _ => {
            let cluster = crate::cluster::Cluster::start()?;
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
