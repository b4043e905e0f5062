//! PostgreSQL backend, for installations that run several servers or already
//! operate PostgreSQL. Same SQL as SQLite (see `backend`), its own migrations.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

pub(crate) struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub(crate) async fn open(url: &str) -> crate::Result<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|err| crate::StoreError::Location(url.to_string(), err.to_string()))?;
        // One direct connection first: a wrong URL or a stopped server fails at once
        // with the driver's own words instead of after the pool's acquire timeout.
        PgConnection::connect_with(&options).await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

crate::backend::impl_store!(PostgresStore, sqlx::Postgres, "postgres");
