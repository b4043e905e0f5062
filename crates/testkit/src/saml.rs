//! A SAML identity provider's signing side for tests: RSA keys and certificates
//! made by openssl, responses signed by xmlsec1 (an XML-DSig implementation
//! independent of ours). Tests build a response, change what they test, and
//! sign it. Missing tools fail with how to install them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

pub const ASSERTION_NODE: &str = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion";
pub const RESPONSE_NODE: &str = "urn:oasis:names:tc:SAML:2.0:protocol:Response";

fn need(program: &str, package: &str) -> Result<()> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        bail!("{program} not found: install Debian package {package} (apt-get install {package}), or run `cargo xtask test`, which installs it");
    }
    Ok(())
}

/// A signing key and its self-signed certificate.
pub struct IdpKey {
    pub key: PathBuf,
    pub cert: PathBuf,
    /// The certificate in DER.
    pub der: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl IdpKey {
    pub fn generate(name: &str) -> Result<Self> {
        need("openssl", "openssl")?;
        need("xmlsec1", "xmlsec1")?;
        let dir = tempfile::tempdir()?;
        let key = dir.path().join(format!("{name}.key"));
        let cert = dir.path().join(format!("{name}.crt"));
        let out = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj",
            ])
            .arg(format!("/CN={name}"))
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .context("running openssl")?;
        if !out.status.success() {
            bail!("openssl: {}", String::from_utf8_lossy(&out.stderr));
        }
        let der = base64_decode(&std::fs::read_to_string(&cert)?)?;
        Ok(Self {
            key,
            cert,
            der,
            _dir: dir,
        })
    }

    /// The certificate as the identity provider's settings take it.
    pub fn certificate_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.der)
    }

    /// Signs the first signature template in `xml`, which refers to the `ID` of
    /// an element named `id_node` (`namespace:LocalName`).
    pub fn sign(&self, xml: &str, id_node: &str) -> Result<String> {
        sign_with(xml, &self.key, &self.cert, id_node)
    }
}

fn base64_decode(pem: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    Ok(base64::engine::general_purpose::STANDARD.decode(body)?)
}

fn sign_with(xml: &str, key: &Path, cert: &Path, id_node: &str) -> Result<String> {
    let dir = tempfile::tempdir()?;
    let template = dir.path().join("template.xml");
    let out = dir.path().join("signed.xml");
    std::fs::write(&template, xml)?;
    let result = Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-pem")
        .arg(format!("{},{}", key.display(), cert.display()))
        .arg("--id-attr:ID")
        .arg(id_node)
        .arg("--output")
        .arg(&out)
        .arg(&template)
        .output()
        .context("running xmlsec1")?;
    if !result.status.success() {
        bail!("xmlsec1: {}", String::from_utf8_lossy(&result.stderr));
    }
    Ok(std::fs::read_to_string(out)?)
}

/// An enveloped signature template (exclusive c14n, RSA-SHA256, SHA-256) over the
/// element whose `ID` is `reference`, for xmlsec1 to fill in.
pub fn signature_template(reference: &str) -> String {
    format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{reference}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"/></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"##
    )
}

/// The parts of a SAML response a test may change.
#[derive(Debug, Clone)]
pub struct ResponseSpec {
    pub response_id: String,
    pub assertion_id: String,
    pub issuer: String,
    pub destination: String,
    pub recipient: String,
    pub audience: String,
    pub in_response_to: Option<String>,
    pub issue_instant: String,
    pub not_before: String,
    pub not_on_or_after: String,
    pub customer_identifier: Option<String>,
    pub email: String,
    /// Put a signature template in the assertion (sign with [`ResponseSpec::signed_by`]).
    pub sign_assertion: bool,
}

impl ResponseSpec {
    /// A response from `issuer` for the service provider `audience` posting to
    /// `acs`, valid from `not_before` to `not_on_or_after` (`xs:dateTime`).
    pub fn new(
        issuer: &str,
        audience: &str,
        acs: &str,
        not_before: &str,
        not_on_or_after: &str,
    ) -> Self {
        Self {
            response_id: "_r9x8".into(),
            assertion_id: "_a1b2c3".into(),
            issuer: issuer.into(),
            destination: acs.into(),
            recipient: acs.into(),
            audience: audience.into(),
            in_response_to: None,
            issue_instant: not_before.into(),
            not_before: not_before.into(),
            not_on_or_after: not_on_or_after.into(),
            customer_identifier: None,
            email: String::new(),
            sign_assertion: true,
        }
    }

    pub fn assertion(&self) -> String {
        let in_response_to = self
            .in_response_to
            .as_ref()
            .map(|id| format!(r#" InResponseTo="{id}""#))
            .unwrap_or_default();
        let customer = self
            .customer_identifier
            .as_ref()
            .map(|value| {
                format!(
                    r#"<saml:Attribute Name="customeridentifier"><saml:AttributeValue xsi:type="xs:string">{value}</saml:AttributeValue></saml:Attribute>"#
                )
            })
            .unwrap_or_default();
        let signature = if self.sign_assertion {
            signature_template(&self.assertion_id)
        } else {
            String::new()
        };
        format!(
            r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{id}" Version="2.0" IssueInstant="{instant}"><saml:Issuer>{issuer}</saml:Issuer>{signature}<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">ada</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData Recipient="{recipient}" NotOnOrAfter="{nooa}"{in_response_to}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{nb}" NotOnOrAfter="{nooa}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{instant}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">{email}</saml:AttributeValue></saml:Attribute>{customer}</saml:AttributeStatement></saml:Assertion>"#,
            id = self.assertion_id,
            instant = self.issue_instant,
            issuer = self.issuer,
            recipient = self.recipient,
            nooa = self.not_on_or_after,
            nb = self.not_before,
            audience = self.audience,
            email = self.email,
        )
    }

    /// The response document around `assertion`.
    pub fn document(&self, assertion: &str) -> String {
        let in_response_to = self
            .in_response_to
            .as_ref()
            .map(|id| format!(r#" InResponseTo="{id}""#))
            .unwrap_or_default();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{destination}"{in_response_to}><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{assertion}</samlp:Response>"#,
            id = self.response_id,
            instant = self.issue_instant,
            destination = self.destination,
            issuer = self.issuer,
        )
    }

    /// The response, its assertion signed by `key` (unsigned when `sign_assertion` is off).
    pub fn signed_by(&self, key: &IdpKey) -> Result<String> {
        let unsigned = self.document(&self.assertion());
        if !self.sign_assertion {
            return Ok(unsigned);
        }
        key.sign(&unsigned, ASSERTION_NODE)
    }
}
