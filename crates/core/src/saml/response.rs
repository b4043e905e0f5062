//! Checking a SAML 2.0 `Response` posted to our assertion consumer service, and
//! reading who signed in from it.
//!
//! The assertion must be signed (the response may be too, and then that signature
//! must verify as well). Everything about the user and the conditions is read from
//! the canonical bytes the assertion signature covers, parsed again on their own:
//! a second assertion, a wrapped copy or an edited attribute outside those bytes
//! can't be what we read.

use roxmltree::{Document, Node};
use rustls_pki_types::CertificateDer;

use super::dsig::{has_signature, verify_enveloped};
use super::xml::{children, only_child, parse_untrusted};
use super::{parse_instant, SamlError};
use crate::credentials::{constant_time_eq, secret_hash};
use crate::Millis;

pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// The attribute carrying the customer identifier we generate per domain.
pub const CUSTOMER_IDENTIFIER: &str = "customeridentifier";

/// Attribute names identity providers use for the e-mail address, compared
/// case-insensitively (Entra ID, Okta, Google, ADFS, LDAP-style `mail`).
const EMAIL_ATTRIBUTES: &[&str] = &[
    "email",
    "emailaddress",
    "mail",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
];

/// How far apart our clock and the identity provider's may be.
pub const CLOCK_SKEW_MS: Millis = 3 * 60 * 1000;

/// Largest response accepted, before any parsing.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// What a response must match.
pub struct Expected<'a> {
    /// The identity provider's entity id (the assertion's `Issuer`).
    pub idp_entity_id: &'a str,
    /// Its signing certificates (DER); any one may have signed.
    pub idp_certificates: &'a [CertificateDer<'a>],
    /// Our entity id: the assertion's audience.
    pub sp_entity_id: &'a str,
    /// Our assertion consumer service URL: destination and recipient.
    pub acs_url: &'a str,
    /// The id of the request this answers; `None` for IdP-initiated sign-in,
    /// which must then answer no request.
    pub request_id: Option<&'a str>,
    /// Hex SHA-256 ([`crate::credentials::secret_hash`]) of the
    /// `customeridentifier` value the assertion must carry: we keep only its hash.
    pub customer_identifier_hash: &'a str,
    pub now: Millis,
}

/// Who signed in, from a response that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// Remembered until `not_on_or_after` so a replay is refused.
    pub assertion_id: String,
    pub name_id: String,
    /// Lower-cased.
    pub email: String,
    /// Until when the assertion may be presented (the earliest of its limits).
    pub not_on_or_after: Millis,
}

/// Parses a response: size and node limits, no DTD, a SAML `Response` at the root.
fn parse_response(xml: &str) -> Result<Document<'_>, SamlError> {
    if xml.len() > MAX_RESPONSE_BYTES {
        return Err(SamlError::Malformed("the response is too large".into()));
    }
    let document = parse_untrusted(xml, 20_000, SamlError::Malformed)?;
    if !document
        .root_element()
        .has_tag_name((PROTOCOL_NS, "Response"))
    {
        return Err(SamlError::Malformed("not a SAML Response".into()));
    }
    Ok(document)
}

fn one<'a, 'input>(
    node: Node<'a, 'input>,
    ns: &'static str,
    name: &'static str,
) -> Result<Node<'a, 'input>, SamlError> {
    only_child(node, ns, name).map_err(SamlError::Malformed)
}

fn time_attribute(node: Node<'_, '_>, name: &str) -> Result<Option<Millis>, SamlError> {
    node.attribute(name).map(parse_instant).transpose()
}

/// What a response says about itself before any check, used only to choose the
/// settings to check it against: nothing here is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    pub issuer: String,
    pub in_response_to: Option<String>,
}

/// Reads the issuer and the request a response claims to answer.
pub fn peek(xml: &str) -> Result<Unverified, SamlError> {
    let document = parse_response(xml)?;
    let response = document.root_element();
    let issuer = one(response, ASSERTION_NS, "Issuer")
        .ok()
        .or_else(|| {
            children(response, ASSERTION_NS, "Assertion")
                .next()
                .and_then(|assertion| one(assertion, ASSERTION_NS, "Issuer").ok())
        })
        .and_then(|issuer| issuer.text())
        .unwrap_or("")
        .trim()
        .to_string();
    Ok(Unverified {
        issuer,
        in_response_to: response.attribute("InResponseTo").map(str::to_string),
    })
}

/// Checks `xml` (the decoded `SAMLResponse`) against `expected`.
pub fn verify_response(xml: &str, expected: &Expected<'_>) -> Result<VerifiedAssertion, SamlError> {
    let document = parse_response(xml)?;
    let response = document.root_element();
    if let Some(destination) = response.attribute("Destination") {
        if destination != expected.acs_url {
            return Err(SamlError::WrongDestination);
        }
    }
    let status = one(
        one(response, PROTOCOL_NS, "Status")?,
        PROTOCOL_NS,
        "StatusCode",
    )?;
    if status.attribute("Value") != Some(SUCCESS) {
        return Err(SamlError::IdpRefused(
            status.attribute("Value").unwrap_or("").to_string(),
        ));
    }
    if response
        .descendants()
        .any(|n| n.has_tag_name((ASSERTION_NS, "EncryptedAssertion")))
    {
        return Err(SamlError::Malformed(
            "encrypted assertions are not supported".into(),
        ));
    }
    // One assertion in the whole document, directly in the response: a second one
    // anywhere (in an extension, inside the signature) is a wrapping attempt.
    let assertions: Vec<Node> = response
        .descendants()
        .filter(|n| n.has_tag_name((ASSERTION_NS, "Assertion")))
        .collect();
    let [assertion] = assertions.as_slice() else {
        return Err(SamlError::Malformed(format!(
            "{} assertions",
            assertions.len()
        )));
    };
    if assertion.parent() != Some(response) {
        return Err(SamlError::Malformed(
            "the assertion is not in the response".into(),
        ));
    }
    if has_signature(response) {
        verify_enveloped(response, expected.idp_certificates)?;
    }
    let signed = verify_enveloped(*assertion, expected.idp_certificates)?;
    read_assertion(&signed, expected)
}

/// Reads and checks the signed assertion, from its canonical bytes alone.
fn read_assertion(signed: &str, expected: &Expected<'_>) -> Result<VerifiedAssertion, SamlError> {
    let document = parse_untrusted(signed, 20_000, SamlError::Malformed)?;
    let assertion = document.root_element();
    let assertion_id = assertion
        .attribute("ID")
        .ok_or(SamlError::Malformed("the assertion has no ID".into()))?
        .to_string();
    let issuer = one(assertion, ASSERTION_NS, "Issuer")?
        .text()
        .unwrap_or("")
        .trim();
    if issuer != expected.idp_entity_id {
        return Err(SamlError::WrongIssuer(issuer.to_string()));
    }

    let now = expected.now;
    let conditions = one(assertion, ASSERTION_NS, "Conditions")?;
    if let Some(not_before) = time_attribute(conditions, "NotBefore")? {
        if now + CLOCK_SKEW_MS < not_before {
            return Err(SamlError::NotYetValid);
        }
    }
    let mut not_on_or_after = time_attribute(conditions, "NotOnOrAfter")?;
    if not_on_or_after.is_some_and(|limit| now - CLOCK_SKEW_MS >= limit) {
        return Err(SamlError::Expired);
    }
    let audiences: Vec<&str> = children(conditions, ASSERTION_NS, "AudienceRestriction")
        .flat_map(|restriction| children(restriction, ASSERTION_NS, "Audience"))
        .map(|audience| audience.text().unwrap_or("").trim())
        .collect();
    if !audiences.contains(&expected.sp_entity_id) {
        return Err(SamlError::WrongAudience);
    }

    let subject = one(assertion, ASSERTION_NS, "Subject")?;
    let name_id = one(subject, ASSERTION_NS, "NameID")?
        .text()
        .unwrap_or("")
        .trim()
        .to_string();
    // A bearer confirmation addressed to us, answering our request (or none).
    let confirmation = children(subject, ASSERTION_NS, "SubjectConfirmation")
        .find(|c| c.attribute("Method") == Some(BEARER))
        .ok_or(SamlError::Malformed(
            "no bearer subject confirmation".into(),
        ))?;
    let data = one(confirmation, ASSERTION_NS, "SubjectConfirmationData")?;
    if data.attribute("Recipient") != Some(expected.acs_url) {
        return Err(SamlError::WrongDestination);
    }
    if data.attribute("InResponseTo") != expected.request_id {
        return Err(SamlError::WrongRequest);
    }
    match time_attribute(data, "NotOnOrAfter")? {
        Some(limit) if now - CLOCK_SKEW_MS >= limit => return Err(SamlError::Expired),
        Some(limit) => not_on_or_after = Some(not_on_or_after.map_or(limit, |l| l.min(limit))),
        None => {
            return Err(SamlError::Malformed(
                "the confirmation has no NotOnOrAfter".into(),
            ))
        }
    }
    if time_attribute(data, "NotBefore")?.is_some_and(|nb| now + CLOCK_SKEW_MS < nb) {
        return Err(SamlError::NotYetValid);
    }

    let attribute_values = |wanted: &dyn Fn(&str) -> bool| -> Vec<String> {
        children(assertion, ASSERTION_NS, "AttributeStatement")
            .flat_map(|statement| children(statement, ASSERTION_NS, "Attribute"))
            .filter(|attribute| attribute.attribute("Name").is_some_and(wanted))
            .flat_map(|attribute| children(attribute, ASSERTION_NS, "AttributeValue"))
            .map(|value| value.text().unwrap_or("").trim().to_string())
            .collect()
    };
    let customer = attribute_values(&|name| name.eq_ignore_ascii_case(CUSTOMER_IDENTIFIER));
    match customer.as_slice() {
        [] => return Err(SamlError::MissingCustomerIdentifier),
        [value]
            if constant_time_eq(
                secret_hash(value).as_bytes(),
                expected.customer_identifier_hash.as_bytes(),
            ) => {}
        _ => return Err(SamlError::WrongCustomerIdentifier),
    }
    let emails = attribute_values(&|name| {
        EMAIL_ATTRIBUTES
            .iter()
            .any(|e| name.eq_ignore_ascii_case(e))
    });
    let email = match emails.first() {
        Some(email) => email.clone(),
        // NameID is "unspecified": used only when it reads as an address.
        None if name_id.contains('@') => name_id.clone(),
        None => return Err(SamlError::MissingEmail),
    };
    Ok(VerifiedAssertion {
        assertion_id,
        name_id,
        email: email.to_lowercase(),
        not_on_or_after: not_on_or_after.unwrap_or(expected.now),
    })
}
