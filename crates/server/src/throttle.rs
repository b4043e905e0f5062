//! Sign-in throttling. Passwords and codes, per account and per client IP:
//! after a few failures the key must wait, and the wait doubles with each
//! further failure (capped), so guessing is slow without locking a real user
//! out for long. Single sign-on starts, per client IP: each stores a request,
//! so their rate is limited (governor).
//!
//! The failure throttle is hand-written because rate limiters (governor & co.)
//! limit request rates; it counts *failures* and forgets them on success, which
//! they do not model. State is in memory: a restart forgets it, which only
//! helps an attacker once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

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

/// Single sign-on starts (`/saml/login`, `/oidc/login`) one client address may
/// make in a burst; then one more every [`SSO_START_EVERY`]. A person needs a
/// few; a script storing requests by the thousand is stopped.
pub const SSO_START_BURST: u32 = 20;
pub const SSO_START_EVERY: Duration = Duration::from_secs(3);

pub struct SsoStartLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for SsoStartLimiter {
    fn default() -> Self {
        let burst = NonZeroU32::new(SSO_START_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(SSO_START_EVERY)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::keyed(quota),
        }
    }
}

impl SsoStartLimiter {
    /// Whether `ip` may start one more single sign-on now (counting it).
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.limiter.check_key(&ip).is_ok()
    }

    /// Forgets addresses whose allowance is full again (bounds memory).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
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
    fn single_sign_on_starts_are_limited_per_address() {
        let limiter = SsoStartLimiter::default();
        let busy: IpAddr = [192, 0, 2, 1].into();
        let other: IpAddr = [192, 0, 2, 2].into();
        for _ in 0..SSO_START_BURST {
            assert!(limiter.allow(busy));
        }
        assert!(!limiter.allow(busy));
        assert!(limiter.allow(other), "another address is not slowed");
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
