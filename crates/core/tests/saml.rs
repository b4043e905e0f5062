//! SAML response verification against signatures made by an independent XML-DSig
//! implementation: xmlsec1 (Debian package `xmlsec1`, installed by `cargo xtask
//! test`), with RSA keys made by openssl. A response signed by it must verify; each
//! way of forging or bending one must be refused for the right reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine;
use reach_core::saml::{parse_instant, verify_response, Expected, SamlError};
use rustls_pki_types::CertificateDer;

const IDP: &str = "https://idp.example.test/metadata";
const SP: &str = "https://reach.example.test/saml/metadata";
const ACS: &str = "https://reach.example.test/saml/acs";
const REQUEST: &str = "_req-4f1c";
const CUSTOMER: &str = "cust-2b7d9e";
/// 2026-11-22T10:00:00Z.
const NOW: &str = "2026-11-22T10:00:00Z";

struct Key {
    key: PathBuf,
    cert: PathBuf,
    der: Vec<u8>,
}

struct Keys {
    _dir: tempfile::TempDir,
    idp: Key,
    other: Key,
}

fn need(program: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found,
        "{program} not found: install Debian package {package} (apt-get install {package}), or run `cargo xtask test`, which installs it"
    );
}

fn make_key(dir: &Path, name: &str) -> Key {
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.crt"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj",
        ])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(
        status.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pem = std::fs::read_to_string(&cert).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    Key { key, cert, der }
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        need("openssl", "openssl");
        need("xmlsec1", "xmlsec1");
        let dir = tempfile::tempdir().unwrap();
        let idp = make_key(dir.path(), "idp");
        let other = make_key(dir.path(), "other");
        Keys {
            _dir: dir,
            idp,
            other,
        }
    })
}

fn signature_template(reference: &str) -> String {
    format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{reference}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"/></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"##
    )
}

/// The parts of a response a test may change.
struct Response {
    assertion_id: &'static str,
    destination: &'static str,
    recipient: &'static str,
    audience: &'static str,
    issuer: &'static str,
    in_response_to: Option<&'static str>,
    not_before: &'static str,
    not_on_or_after: &'static str,
    customer: Option<&'static str>,
    email: &'static str,
    /// Signature template in the assertion.
    sign_assertion: bool,
}

impl Default for Response {
    fn default() -> Self {
        Self {
            assertion_id: "_a1b2c3",
            destination: ACS,
            recipient: ACS,
            audience: SP,
            issuer: IDP,
            in_response_to: Some(REQUEST),
            not_before: "2026-11-22T09:59:00Z",
            not_on_or_after: "2026-11-22T10:05:00Z",
            customer: Some(CUSTOMER),
            email: "Ada.Lovelace@Example.TEST",
            sign_assertion: true,
        }
    }
}

impl Response {
    fn assertion(&self) -> String {
        let in_response_to = self
            .in_response_to
            .map(|id| format!(r#" InResponseTo="{id}""#))
            .unwrap_or_default();
        let customer = self
            .customer
            .map(|value| {
                format!(
                    r#"<saml:Attribute Name="customeridentifier"><saml:AttributeValue xsi:type="xs:string">{value}</saml:AttributeValue></saml:Attribute>"#
                )
            })
            .unwrap_or_default();
        let signature = if self.sign_assertion {
            signature_template(self.assertion_id)
        } else {
            String::new()
        };
        format!(
            r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{id}" Version="2.0" IssueInstant="2026-11-22T10:00:00Z"><saml:Issuer>{issuer}</saml:Issuer>{signature}<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">ada</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData Recipient="{recipient}" NotOnOrAfter="{nooa}"{in_response_to}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{nb}" NotOnOrAfter="{nooa}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="2026-11-22T10:00:00Z"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">{email}</saml:AttributeValue></saml:Attribute>{customer}</saml:AttributeStatement></saml:Assertion>"#,
            id = self.assertion_id,
            issuer = self.issuer,
            recipient = self.recipient,
            nooa = self.not_on_or_after,
            nb = self.not_before,
            audience = self.audience,
            email = self.email,
        )
    }

    fn document(&self, assertion: &str) -> String {
        let in_response_to = self
            .in_response_to
            .map(|id| format!(r#" InResponseTo="{id}""#))
            .unwrap_or_default();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r9x8" Version="2.0" IssueInstant="2026-11-22T10:00:00Z" Destination="{destination}"{in_response_to}><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{assertion}</samlp:Response>"#,
            destination = self.destination,
            issuer = self.issuer,
        )
    }

    /// The response, its assertion signed by `key` with xmlsec1.
    fn signed_by(&self, key: &Key) -> String {
        let unsigned = self.document(&self.assertion());
        if !self.sign_assertion {
            return unsigned;
        }
        sign(
            &unsigned,
            key,
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        )
    }

    fn signed(&self) -> String {
        self.signed_by(&keys().idp)
    }
}

/// Signs the first signature template in `xml` with xmlsec1.
fn sign(xml: &str, key: &Key, id_node: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.xml");
    let out = dir.path().join("signed.xml");
    std::fs::write(&template, xml).unwrap();
    let result = Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-pem")
        .arg(format!("{},{}", key.key.display(), key.cert.display()))
        .arg("--id-attr:ID")
        .arg(id_node)
        .arg("--output")
        .arg(&out)
        .arg(&template)
        .output()
        .expect("run xmlsec1");
    assert!(
        result.status.success(),
        "xmlsec1: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

fn check(xml: &str) -> Result<reach_core::saml::VerifiedAssertion, SamlError> {
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
            customer_identifier: CUSTOMER,
            now: parse_instant(NOW).unwrap(),
        },
    )
}

#[test]
fn a_response_signed_by_xmlsec1_verifies_and_names_the_user() {
    let verified = check(&Response::default().signed()).expect("a genuine response");
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
    let response = Response {
        email: "ada&#x2B;support@example.test",
        ..Response::default()
    };
    let indented = response
        .document(&response.assertion())
        .replace("><saml:", ">\n    <saml:")
        .replace("><samlp:", ">\r\n  <samlp:")
        .replace("<saml:Subject>", "<saml:Subject><!-- who -->");
    let signed = sign(
        &indented,
        &keys().idp,
        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
    );
    let verified = check(&signed).expect("an indented response");
    assert_eq!(verified.email, "ada+support@example.test");
}

#[test]
fn idp_initiated_sign_in_answers_no_request() {
    let response = Response {
        in_response_to: None,
        ..Response::default()
    }
    .signed();
    assert!(check_with(&response, None).is_ok());
    // ...and an answer to a request is not taken as IdP-initiated, nor the reverse.
    assert_eq!(
        check_with(&Response::default().signed(), None),
        Err(SamlError::WrongRequest)
    );
    assert_eq!(check(&response), Err(SamlError::WrongRequest));
}

#[test]
fn a_signed_response_around_the_signed_assertion_verifies_too() {
    let response = Response::default();
    let assertion_signed = response.signed();
    // Add a response signature template right after the response's Issuer, then sign it.
    let with_template = assertion_signed.replacen(
        "</saml:Issuer><samlp:Status>",
        &format!(
            "</saml:Issuer>{}<samlp:Status>",
            signature_template("_r9x8")
        ),
        1,
    );
    let both = sign(
        &with_template,
        &keys().idp,
        "urn:oasis:names:tc:SAML:2.0:protocol:Response",
    );
    assert!(check(&both).is_ok(), "{:?}", check(&both));
    // A response signature by another key fails the whole response.
    let other = sign(
        &with_template,
        &keys().other,
        "urn:oasis:names:tc:SAML:2.0:protocol:Response",
    );
    assert_eq!(check(&other), Err(SamlError::BadSignature));
}

#[test]
fn an_unsigned_assertion_is_refused() {
    let response = Response {
        sign_assertion: false,
        ..Response::default()
    }
    .signed();
    assert_eq!(check(&response), Err(SamlError::NotSigned));
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let response = Response::default().signed_by(&keys().other);
    assert_eq!(check(&response), Err(SamlError::BadSignature));
}

#[test]
fn content_changed_after_signing_is_refused() {
    let response = Response::default().signed();
    let tampered = response.replace("Ada.Lovelace@Example.TEST", "root@example.test");
    assert_ne!(tampered, response);
    assert_eq!(check(&tampered), Err(SamlError::DigestMismatch));
}

#[test]
fn signature_wrapping_is_refused() {
    let genuine = Response::default().signed();
    let start = genuine.find("<saml:Assertion").unwrap();
    let end = genuine.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let signed_assertion = &genuine[start..end];
    let evil = Response {
        email: "mallory@example.test",
        sign_assertion: false,
        ..Response::default()
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
    let expired = Response {
        not_on_or_after: "2026-11-22T09:50:00Z",
        not_before: "2026-11-22T09:40:00Z",
        ..Response::default()
    };
    assert_eq!(check(&expired.signed()), Err(SamlError::Expired));
    let early = Response {
        not_before: "2026-11-22T10:30:00Z",
        not_on_or_after: "2026-11-22T10:40:00Z",
        ..Response::default()
    };
    assert_eq!(check(&early.signed()), Err(SamlError::NotYetValid));
    // Within the allowed clock skew (3 minutes), both still pass.
    let skewed = Response {
        not_before: "2026-11-22T10:02:00Z",
        ..Response::default()
    };
    assert!(check(&skewed.signed()).is_ok());
}

#[test]
fn wrong_audience_destination_or_recipient_is_refused() {
    let audience = Response {
        audience: "https://other.example.test/sp",
        ..Response::default()
    };
    assert_eq!(check(&audience.signed()), Err(SamlError::WrongAudience));
    let destination = Response {
        destination: "https://other.example.test/acs",
        ..Response::default()
    };
    assert_eq!(
        check(&destination.signed()),
        Err(SamlError::WrongDestination)
    );
    let recipient = Response {
        recipient: "https://other.example.test/acs",
        ..Response::default()
    };
    assert_eq!(check(&recipient.signed()), Err(SamlError::WrongDestination));
    let issuer = Response {
        issuer: "https://evil.example.test/idp",
        ..Response::default()
    };
    assert!(matches!(
        check(&issuer.signed()),
        Err(SamlError::WrongIssuer(_))
    ));
}

#[test]
fn a_wrong_or_missing_customer_identifier_is_refused() {
    let wrong = Response {
        customer: Some("cust-someone-else"),
        ..Response::default()
    };
    assert_eq!(
        check(&wrong.signed()),
        Err(SamlError::WrongCustomerIdentifier)
    );
    let missing = Response {
        customer: None,
        ..Response::default()
    };
    assert_eq!(
        check(&missing.signed()),
        Err(SamlError::MissingCustomerIdentifier)
    );
}

#[test]
fn a_dtd_or_external_entity_is_refused_before_anything_else() {
    let genuine = Response::default().signed();
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
