//! E-mail domains a company proves it owns before single sign-on applies to
//! them: how a domain is written, and the DNS TXT record that proves ownership.
//! The record goes on the domain itself (like other services' verification
//! records) and carries a random token shown in the console.

use thiserror::Error;

/// How long verification keeps looking for the record once started.
pub const VERIFICATION_WINDOW_MS: i64 = 24 * 3600 * 1000;

/// The prefix of the TXT value; the token follows it.
const VALUE_PREFIX: &str = "reach-domain-verification=";

#[derive(Debug, Error, PartialEq, Eq)]
#[error("`{0}` is not a domain name like example.com")]
pub struct InvalidDomain(pub String);

/// Lowercases and checks a domain: dot-separated labels of letters, digits and
/// inner hyphens, at least two labels, 253 characters at most. A trailing dot
/// and an `@` prefix (someone pasting `@example.com`) are tolerated.
pub fn normalize(domain: &str) -> Result<String, InvalidDomain> {
    let trimmed = domain.trim();
    let cleaned = trimmed
        .trim_start_matches('@')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let labels: Vec<&str> = cleaned.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let top_ok = labels
        .last()
        .is_some_and(|top| top.bytes().any(|b| b.is_ascii_alphabetic()));
    if cleaned.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && top_ok {
        Ok(cleaned)
    } else {
        Err(InvalidDomain(trimmed.to_string()))
    }
}

/// The TXT value that proves ownership for `token`.
pub fn txt_value(token: &str) -> String {
    format!("{VALUE_PREFIX}{token}")
}

/// Whether any of a domain's TXT values is the proof for `token`.
pub fn proves(values: &[String], token: &str) -> bool {
    let expected = txt_value(token);
    values.iter().any(|value| value.trim() == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(normalize(" Example.COM. ").as_deref(), Ok("example.com"));
        assert_eq!(
            normalize("@corp.example.org").as_deref(),
            Ok("corp.example.org")
        );
        assert_eq!(
            normalize("xn--bcher-kva.example").as_deref(),
            Ok("xn--bcher-kva.example")
        );
        for bad in [
            "",
            "localhost",
            "exa mple.com",
            "-a.com",
            "a-.com",
            "a..com",
            "1.2.3.4",
            "ex_ample.com",
        ] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
        assert!(normalize(&format!("{}.com", "a".repeat(64))).is_err());
    }

    #[test]
    fn proof() {
        let values = vec!["v=spf1 -all".to_string(), format!(" {} ", txt_value("t0k"))];
        assert!(proves(&values, "t0k"));
        assert!(!proves(&values, "other"));
        assert!(!proves(&[], "t0k"));
    }
}
