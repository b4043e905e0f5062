//! Validation of user-supplied names and addresses, shared by API and CLI so both
//! refuse the same input with the same words.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ValidationError {
    #[error("`{0}` is not a valid e-mail address")]
    Email(String),
    #[error("{field} must be 1 to {max} characters without control characters")]
    Name { field: &'static str, max: usize },
    #[error("{0}")]
    Other(String),
}

/// Trims and lowercases an e-mail address; accounts match case-insensitively.
pub fn normalize_email(email: &str) -> Result<String, ValidationError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(ValidationError::Email(email))
    }
}

/// Trims a display name, nickname or group name and checks its length.
pub fn name(field: &'static str, value: &str, max: usize) -> Result<String, ValidationError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(ValidationError::Name { field, max });
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email(" Ann@Example.COM ").as_deref(),
            Ok("ann@example.com")
        );
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@example",
            "a n@example.com",
            "ann@.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(name("nickname", "  pc-1 ", 64).as_deref(), Ok("pc-1"));
        assert!(name("nickname", "", 64).is_err());
        assert!(name("nickname", "a\u{7}b", 64).is_err());
        assert!(name("nickname", &"x".repeat(65), 64).is_err());
    }
}
