//! Server and agent end to end, in one process: a real server (SQLite or
//! PostgreSQL), real agents enrolled through the API, a real Xvfb with the
//! `reach-test-pattern` client, and WebSocket clients speaking the console's
//! protocol. The first test walks a whole remote session; the others feed the
//! server every kind of bad input and check that each gets a clear error and
//! changes nothing else.
//!
//! Needs Xvfb, PostgreSQL's server binaries (or `REACH_TEST_POSTGRES_URL`) and
//! `reach-test-pattern` (`cargo build -p reach-testkit`); `cargo xtask test`
//! provides all three.
//!
//! One test binary; this file holds only `on_both_backends!` and the module
//! list. The tests are grouped by what they exercise, and `support` holds the
//! helpers they share.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Runs each named test function once per storage backend.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($crate::support::Backend::Sqlite).await
            })*
        }
        mod on_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($crate::support::Backend::Postgres).await
            })*
        }
    };
}

mod support;

mod access;
mod admin_cli;
mod api_tokens;
mod attended;
mod audit;
mod authorization;
mod clipboard;
mod display_faults;
mod domains;
mod enrollment;
mod input_block;
mod malformed;
mod monitors;
mod oidc;
mod permissions;
mod privileges;
mod saml;
mod scim;
mod screen_modes;
mod screen_tools;
mod screen_video;
mod session;
mod sign_in;
mod trust;
mod two_factor;
mod viewers;
