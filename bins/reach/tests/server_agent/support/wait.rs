//! Waiting without sleeping for long: the one deadline every wait shares, the
//! polling interval, and the two ways to wait (poll a condition, await a future).

use std::future::Future;
use std::time::{Duration, Instant};

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);
/// How often polled conditions are checked.
pub const POLL: Duration = Duration::from_millis(50);

/// Polls `check` every [`POLL`] until it returns `Some`, failing after [`DEADLINE`]
/// with `what` and the last state `check` described.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// Awaits `future`, failing after [`DEADLINE`] with `what`.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(DEADLINE, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}
