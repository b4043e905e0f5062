//! SAML 2.0 service provider rules without I/O: canonicalization, signature
//! verification and the checks a `Response` must pass before anyone is signed in.
//! The server stores requests and used assertion ids and does the HTTP.

mod c14n;
mod dsig;
mod metadata;
mod request;
mod response;
mod xml;

pub use metadata::{
    certificates_der, escape, normalize_certificate, parse_idp_metadata, sp_metadata, IdpSettings,
    RequestBinding, MAX_METADATA_BYTES,
};
pub use request::{authn_request, format_instant, new_request_id, post_field, redirect_url};
pub use response::{
    peek, verify_response, Expected, Unverified, VerifiedAssertion, CLOCK_SKEW_MS,
    CUSTOMER_IDENTIFIER, MAX_RESPONSE_BYTES,
};

use crate::Millis;

/// Why a response was refused. Each is logged; the person signing in is told only
/// that single sign-on failed and to contact their administrator.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SamlError {
    #[error("the response is not well-formed XML or not SAML: {0}")]
    Malformed(String),
    #[error("the response declares a DTD (refused: entity expansion and external entities)")]
    Dtd,
    #[error("the assertion is not signed")]
    NotSigned,
    #[error("the signature is malformed: {0}")]
    SignatureMalformed(String),
    #[error("unsupported algorithm {0} (only exclusive c14n, RSA-SHA256 and SHA-256)")]
    UnsupportedAlgorithm(String),
    #[error("the signed content was changed after signing (digest mismatch)")]
    DigestMismatch,
    #[error("the signature does not verify with the identity provider's certificate")]
    BadSignature,
    #[error("the assertion was issued by {0}, not the configured identity provider")]
    WrongIssuer(String),
    #[error("the assertion is not meant for this service (audience)")]
    WrongAudience,
    #[error("the response is addressed to another URL (destination or recipient)")]
    WrongDestination,
    #[error("the response does not answer our request (InResponseTo)")]
    WrongRequest,
    #[error("the assertion is not valid yet")]
    NotYetValid,
    #[error("the assertion has expired")]
    Expired,
    #[error("the identity provider refused the sign-in: {0}")]
    IdpRefused(String),
    #[error("the assertion has no customeridentifier attribute")]
    MissingCustomerIdentifier,
    #[error("the customeridentifier attribute does not match this domain's")]
    WrongCustomerIdentifier,
    #[error("the assertion carries no e-mail address")]
    MissingEmail,
    #[error("the assertion was used already")]
    Replayed,
    #[error("identity provider settings: {0}")]
    Metadata(String),
    #[error("bad timestamp {0}")]
    BadTime(String),
}

/// Reads an `xs:dateTime` in UTC (`2026-11-22T10:00:00Z`, fractions allowed).
pub fn parse_instant(text: &str) -> Result<Millis, SamlError> {
    let parsed =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .map_err(|_| SamlError::BadTime(text.to_string()))?;
    i64::try_from(parsed.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| SamlError::BadTime(text.to_string()))
}
