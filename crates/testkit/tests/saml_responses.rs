//! SAML response verification against signatures made by an independent XML-DSig
//! implementation: xmlsec1 (Debian package `xmlsec1`, installed by `cargo xtask
//! test`), with RSA keys made by openssl (see `reach_testkit::saml`). A response
//! signed by it must verify; each way of forging or bending one must be refused
//! for the right reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use reach_core::credentials::secret_hash;
use reach_core::saml::{
    parse_instant, peek, verify_response, Expected, SamlError, VerifiedAssertion,
};
use reach_testkit::saml::{
    signature_template, IdpKey, ResponseSpec, ASSERTION_NODE, RESPONSE_NODE,
};
use rustls_pki_types::CertificateDer;

const IDP: &str = "https://idp.example.test/metadata";
const SP: &str = "https://reach.example.test/saml/metadata";
const ACS: &str = "https://reach.example.test/saml/acs";
const REQUEST: &str = "_req-4f1c";
const CUSTOMER: &str = "cust-2b7d9e";
const NOW: &str = "2026-11-22T10:00:00Z";

struct Keys {
    idp: IdpKey,
    other: IdpKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        idp: IdpKey::generate("idp").expect("an IdP key"),
        other: IdpKey::generate("other").expect("another key"),
    })
}

/// A genuine response answering REQUEST, valid around NOW.
fn response() -> ResponseSpec {
    ResponseSpec {
        in_response_to: Some(REQUEST.into()),
        customer_identifier: Some(CUSTOMER.into()),
        email: "Ada.Lovelace@Example.TEST".into(),
        issue_instant: NOW.into(),
        ..ResponseSpec::new(IDP, SP, ACS, "2026-11-22T09:59:00Z", "2026-11-22T10:05:00Z")
    }
}

fn signed(spec: &ResponseSpec) -> String {
    spec.signed_by(&keys().idp).unwrap()
}

fn check(xml: &str) -> Result<VerifiedAssertion, SamlError> {
    check_with(xml, Some(REQUEST))
}

fn check_with(
    xml: &str,
    request_id: Option<&str>,
) -> Result<reach_core::saml::VerifiedAssertion, SamlError> {
    let certificates = [CertificateDer::from(keys().idp.der.clone())];
    verify_response(
        xml,
        &Expected {
            idp_entity_id: IDP,
            idp_certificates: &certificates,
            sp_entity_id: SP,
            acs_url: ACS,
            request_id,
            customer_identifier_hash: &secret_hash(CUSTOMER),
            now: parse_instant(NOW).unwrap(),
        },
    )
}

#[test]
fn a_response_signed_by_xmlsec1_verifies_and_names_the_user() {
    let verified = check(&signed(&response())).expect("a genuine response");
    assert_eq!(verified.email, "ada.lovelace@example.test");
    assert_eq!(verified.name_id, "ada");
    assert_eq!(verified.assertion_id, "_a1b2c3");
    assert_eq!(
        verified.not_on_or_after,
        parse_instant("2026-11-22T10:05:00Z").unwrap()
    );
}

#[test]
fn indented_responses_with_comments_and_entities_verify_too() {
    // Identity providers pretty-print; whitespace, comments and character
    // references must canonicalize exactly as the signer's did.
    let response = ResponseSpec {
        email: "ada&#x2B;support@example.test".into(),
        ..response()
    };
    let indented = response
        .document(&response.assertion())
        .replace("><saml:", ">\n    <saml:")
        .replace("><samlp:", ">\r\n  <samlp:")
        .replace("<saml:Subject>", "<saml:Subject><!-- who -->");
    let signed = keys().idp.sign(&indented, ASSERTION_NODE).unwrap();
    let verified = check(&signed).expect("an indented response");
    assert_eq!(verified.email, "ada+support@example.test");
}

#[test]
fn idp_initiated_sign_in_answers_no_request() {
    let unsolicited = signed(&ResponseSpec {
        in_response_to: None,
        ..response()
    });
    assert!(check_with(&unsolicited, None).is_ok());
    // ...and an answer to a request is not taken as IdP-initiated, nor the reverse.
    assert_eq!(
        check_with(&signed(&response()), None),
        Err(SamlError::WrongRequest)
    );
    assert_eq!(check(&unsolicited), Err(SamlError::WrongRequest));
}

#[test]
fn a_signed_response_around_the_signed_assertion_verifies_too() {
    let assertion_signed = signed(&response());
    // Add a response signature template right after the response's Issuer, then sign it.
    let with_template = assertion_signed.replacen(
        "</saml:Issuer><samlp:Status>",
        &format!(
            "</saml:Issuer>{}<samlp:Status>",
            signature_template("_r9x8")
        ),
        1,
    );
    let both = keys().idp.sign(&with_template, RESPONSE_NODE).unwrap();
    assert!(check(&both).is_ok(), "{:?}", check(&both));
    // A response signature by another key fails the whole response.
    let other = keys().other.sign(&with_template, RESPONSE_NODE).unwrap();
    assert_eq!(check(&other), Err(SamlError::BadSignature));
}

#[test]
fn an_unsigned_assertion_is_refused() {
    let response = signed(&ResponseSpec {
        sign_assertion: false,
        ..response()
    });
    assert_eq!(check(&response), Err(SamlError::NotSigned));
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let response = response().signed_by(&keys().other).unwrap();
    assert_eq!(check(&response), Err(SamlError::BadSignature));
}

#[test]
fn content_changed_after_signing_is_refused() {
    let response = signed(&response());
    let tampered = response.replace("Ada.Lovelace@Example.TEST", "root@example.test");
    assert_ne!(tampered, response);
    assert_eq!(check(&tampered), Err(SamlError::DigestMismatch));
}

#[test]
fn signature_wrapping_is_refused() {
    let genuine = signed(&response());
    let start = genuine.find("<saml:Assertion").unwrap();
    let end = genuine.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let signed_assertion = &genuine[start..end];
    let evil = ResponseSpec {
        email: "mallory@example.test".into(),
        sign_assertion: false,
        ..response()
    }
    .assertion();

    // 1. The signed assertion hidden in an extension, an evil one where it is read.
    let hidden = genuine.replacen(
        signed_assertion,
        &format!("<samlp:Extensions>{signed_assertion}</samlp:Extensions>{evil}"),
        1,
    );
    assert!(check(&hidden).is_err());
    assert!(matches!(check(&hidden), Err(SamlError::Malformed(_))));

    // 2. The evil assertion carrying the genuine signature, under the same ID, with
    //    the original tucked inside the signature's Object.
    let signature_start = signed_assertion.find("<ds:Signature").unwrap();
    let signature_end = signed_assertion.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let signature = &signed_assertion[signature_start..signature_end];
    let wrapped_signature = signature.replacen(
        "</ds:Signature>",
        &format!("<ds:Object>{signed_assertion}</ds:Object></ds:Signature>"),
        1,
    );
    let evil_signed = evil.replacen(
        "</saml:Issuer>",
        &format!("</saml:Issuer>{wrapped_signature}"),
        1,
    );
    let wrapped = genuine.replacen(signed_assertion, &evil_signed, 1);
    assert!(matches!(check(&wrapped), Err(SamlError::Malformed(_))));

    // 3. The genuine signature moved onto an evil assertion with the same ID.
    let moved = genuine.replacen(
        signed_assertion,
        &evil.replacen("</saml:Issuer>", &format!("</saml:Issuer>{signature}"), 1),
        1,
    );
    assert_eq!(check(&moved), Err(SamlError::DigestMismatch));

    // 4. A reference to another element than the one carrying the signature.
    let elsewhere = genuine.replacen(r##"URI="#_a1b2c3""##, r##"URI="#_r9x8""##, 1);
    assert!(matches!(
        check(&elsewhere),
        Err(SamlError::SignatureMalformed(_))
    ));
}

#[test]
fn expired_and_not_yet_valid_assertions_are_refused() {
    let expired = ResponseSpec {
        not_on_or_after: "2026-11-22T09:50:00Z".into(),
        not_before: "2026-11-22T09:40:00Z".into(),
        ..response()
    };
    assert_eq!(check(&signed(&expired)), Err(SamlError::Expired));
    let early = ResponseSpec {
        not_before: "2026-11-22T10:30:00Z".into(),
        not_on_or_after: "2026-11-22T10:40:00Z".into(),
        ..response()
    };
    assert_eq!(check(&signed(&early)), Err(SamlError::NotYetValid));
    // Within the allowed clock skew (3 minutes), both still pass.
    let skewed = ResponseSpec {
        not_before: "2026-11-22T10:02:00Z".into(),
        ..response()
    };
    assert!(check(&signed(&skewed)).is_ok());
}

#[test]
fn wrong_audience_destination_or_recipient_is_refused() {
    let audience = ResponseSpec {
        audience: "https://other.example.test/sp".into(),
        ..response()
    };
    assert_eq!(check(&signed(&audience)), Err(SamlError::WrongAudience));
    let destination = ResponseSpec {
        destination: "https://other.example.test/acs".into(),
        ..response()
    };
    assert_eq!(
        check(&signed(&destination)),
        Err(SamlError::WrongDestination)
    );
    let recipient = ResponseSpec {
        recipient: "https://other.example.test/acs".into(),
        ..response()
    };
    assert_eq!(check(&signed(&recipient)), Err(SamlError::WrongDestination));
    let issuer = ResponseSpec {
        issuer: "https://evil.example.test/idp".into(),
        ..response()
    };
    assert!(matches!(
        check(&signed(&issuer)),
        Err(SamlError::WrongIssuer(_))
    ));
}

#[test]
fn a_wrong_or_missing_customer_identifier_is_refused() {
    let wrong = ResponseSpec {
        customer_identifier: Some("cust-someone-else".into()),
        ..response()
    };
    assert_eq!(
        check(&signed(&wrong)),
        Err(SamlError::WrongCustomerIdentifier)
    );
    let missing = ResponseSpec {
        customer_identifier: None,
        ..response()
    };
    assert_eq!(
        check(&signed(&missing)),
        Err(SamlError::MissingCustomerIdentifier)
    );
}

#[test]
fn a_dtd_or_external_entity_is_refused_before_anything_else() {
    let genuine = signed(&response());
    let body = genuine.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let external = format!(
        r#"<?xml version="1.0"?><!DOCTYPE samlp:Response [<!ENTITY x SYSTEM "file:///etc/passwd">]>{}"#,
        body.replacen("ada</saml:NameID>", "&x;</saml:NameID>", 1)
    );
    assert_eq!(check(&external), Err(SamlError::Dtd));
    let laughs =
        format!(r#"<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>{body}"#);
    assert_eq!(check(&laughs), Err(SamlError::Dtd));
}

#[test]
fn garbage_is_refused_with_a_clear_error() {
    for bad in [
        "",
        "not xml",
        "<samlp:Response",
        "<a/>",
        &"<a>".repeat(100_000),
    ] {
        assert!(check(bad).is_err(), "{bad:.40}");
    }
}

#[test]
fn peek_reads_the_claimed_issuer_and_request_without_trusting_them() {
    let claimed = peek(&signed(&response())).unwrap();
    assert_eq!(claimed.issuer, IDP);
    assert_eq!(claimed.in_response_to.as_deref(), Some(REQUEST));
    assert!(peek("<a/>").is_err());
}
