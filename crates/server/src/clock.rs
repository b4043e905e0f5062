//! The server's idea of "now" for long-running rules (a domain's 24-hour
//! verification window, session keys' and join tickets' expiry). Passed in, so tests move time forward instead of
//! waiting a day; everything else uses the wall clock directly.

use std::sync::atomic::{AtomicI64, Ordering};

use reach_core::Millis;

pub trait Clock: Send + Sync {
    fn now(&self) -> Millis;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        reach_core::now_millis()
    }
}

/// A clock that starts at the wall clock's time and moves only when told to.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new() -> Self {
        Self(AtomicI64::new(reach_core::now_millis()))
    }

    pub fn advance(&self, by: std::time::Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}
