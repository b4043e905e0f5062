//! Reach domain rules that need no I/O: credentials and secrets, the single
//! authorization policy, input validation. Storage, HTTP and the network live
//! elsewhere and call into this crate; it must never call out.

pub mod credentials;
pub mod domains;
pub mod fingerprint;
pub mod policy;
pub mod saml;
pub mod scim;
pub mod sealed;
pub mod totp;
pub mod validate;

/// Milliseconds since the Unix epoch; every stored time uses this unit.
pub type Millis = i64;

/// The current time in Unix milliseconds.
pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
