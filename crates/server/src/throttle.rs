//! Sign-in throttling, per account and per client IP. After a few failures the
//! key must wait, and the wait doubles with each further failure (capped), so
//! password guessing is slow without locking a real user out for long.
//!
//! Hand-written because rate limiters (governor & co.) limit request rates; this
//! counts *failures* and forgets them on success, which they do not model.
//! State is in memory: a restart forgets it, which only helps an attacker once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before waiting starts.
const FREE_FAILURES: u32 = 5;
const BASE_DELAY: Duration = Duration::from_secs(1);
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Entries untouched this long are dropped.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// Bound on remembered keys so a flood of distinct keys cannot grow memory.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until: Instant,
    last: Instant,
}

#[derive(Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
}

impl LoginThrottle {
    /// How long the caller must still wait before `keys` may try again, if at all.
    pub fn wait_for(&self, keys: &[String]) -> Option<Duration> {
        let now = Instant::now();
        let entries = self.entries.lock().ok()?;
        keys.iter()
            .filter_map(|key| entries.get(key))
            .filter(|entry| entry.blocked_until > now)
            .map(|entry| entry.blocked_until - now)
            .max()
    }

    pub fn record_failure(&self, keys: &[String]) {
        let now = Instant::now();
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, entry| now.duration_since(entry.last) < FORGET_AFTER);
        }
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                blocked_until: now,
                last: now,
            });
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
            if entry.failures >= FREE_FAILURES {
                let doublings = (entry.failures - FREE_FAILURES).min(20);
                let delay = BASE_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY);
                entry.blocked_until = now + delay;
            }
        }
    }

    /// A success clears the account's record (not the IP's: one good password
    /// must not unlock guessing at other accounts from the same address).
    pub fn record_success(&self, account_key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(account_key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_free_failures_and_success_clears_account() {
        let throttle = LoginThrottle::default();
        let keys = vec!["account:a".to_string(), "ip:1".to_string()];
        for _ in 0..FREE_FAILURES - 1 {
            throttle.record_failure(&keys);
            assert_eq!(throttle.wait_for(&keys), None);
        }
        throttle.record_failure(&keys);
        assert!(throttle.wait_for(&keys).is_some());
        throttle.record_success("account:a");
        assert!(throttle.wait_for(&["account:a".to_string()]).is_none());
        assert!(throttle.wait_for(&["ip:1".to_string()]).is_some());
    }

    #[test]
    fn delay_grows_and_is_capped() {
        let throttle = LoginThrottle::default();
        let keys = vec!["k".to_string()];
        for _ in 0..60 {
            throttle.record_failure(&keys);
        }
        let wait = throttle.wait_for(&keys).unwrap();
        assert!(wait <= MAX_DELAY && wait > MAX_DELAY / 2);
    }
}
