//! SAML metadata: reading an identity provider's (uploaded or entered by hand) and
//! writing ours, the service provider's, for administrators to give their IdP.

use base64::Engine;
use roxmltree::Node;
use rustls_pki_types::CertificateDer;

use super::dsig::DSIG_NS;
use super::xml::{children, parse_untrusted};
use super::SamlError;

const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
pub const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
pub const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

/// Largest metadata document accepted.
pub const MAX_METADATA_BYTES: usize = 512 * 1024;

/// How our authentication requests reach the identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBinding {
    /// In the query of a redirect (preferred: no page of ours in between).
    Redirect,
    /// In a form the browser posts, for identity providers without the redirect binding.
    Post,
}

impl RequestBinding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Redirect => "redirect",
            Self::Post => "post",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Redirect, Self::Post]
            .into_iter()
            .find(|binding| binding.as_str() == text)
    }
}

/// What we need of an identity provider to send people there and check its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpSettings {
    pub entity_id: String,
    /// Where authentication requests go.
    pub sso_url: String,
    pub binding: RequestBinding,
    /// Standard-Base64 DER signing certificates; any one may sign.
    pub certificates: Vec<String>,
}

impl IdpSettings {
    /// Settings typed in by hand: each checked as metadata would be.
    pub fn manual(
        entity_id: &str,
        sso_url: &str,
        binding: RequestBinding,
        certificate: &str,
    ) -> Result<Self, SamlError> {
        let settings = Self {
            entity_id: entity_id.trim().to_string(),
            sso_url: sso_url.trim().to_string(),
            binding,
            certificates: vec![normalize_certificate(certificate)?],
        };
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), SamlError> {
        if self.entity_id.is_empty() || self.entity_id.len() > 1024 {
            return Err(SamlError::Metadata(
                "the entity id is missing or too long".into(),
            ));
        }
        check_url(&self.sso_url)?;
        if self.certificates.is_empty() {
            return Err(SamlError::Metadata("no signing certificate".into()));
        }
        Ok(())
    }

    /// The certificates in DER, for signature checks.
    pub fn certificates_der(&self) -> Vec<CertificateDer<'static>> {
        certificates_der(&self.certificates)
    }
}

/// Decodes stored Base64 certificates (ones that don't decode are skipped: they
/// were checked when stored).
pub fn certificates_der(certificates: &[String]) -> Vec<CertificateDer<'static>> {
    certificates
        .iter()
        .filter_map(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
        .map(CertificateDer::from)
        .collect()
}

/// An `https` URL (or `http` on a loopback host, for an IdP on the same machine).
fn check_url(url: &str) -> Result<(), SamlError> {
    let parsed =
        url::Url::parse(url).map_err(|_| SamlError::Metadata(format!("{url} is not a URL")))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(SamlError::Metadata(format!("{url} must use https"))),
    }
}

/// A certificate as PEM or bare Base64, back to bare Base64 of its DER, after
/// checking it is an X.509 certificate.
pub fn normalize_certificate(text: &str) -> Result<String, SamlError> {
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .flat_map(|line| line.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(&body)
        .map_err(|_| SamlError::Metadata("the certificate is not Base64".into()))?;
    let certificate = CertificateDer::from(der.as_slice());
    webpki::EndEntityCert::try_from(&certificate)
        .map_err(|err| SamlError::Metadata(format!("the certificate can't be read: {err:?}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(der))
}

/// The SAML 2.0 identity provider role of an entity, if it has one.
fn idp_descriptor<'a, 'input>(entity: Node<'a, 'input>) -> Option<Node<'a, 'input>> {
    children(entity, METADATA_NS, "IDPSSODescriptor").find(|descriptor| {
        descriptor
            .attribute("protocolSupportEnumeration")
            .is_some_and(|protocols| protocols.split_whitespace().any(|p| p == PROTOCOL_NS))
    })
}

/// Reads an identity provider's metadata (an `EntityDescriptor`, or the first
/// identity provider in an `EntitiesDescriptor`).
pub fn parse_idp_metadata(xml: &str) -> Result<IdpSettings, SamlError> {
    if xml.len() > MAX_METADATA_BYTES {
        return Err(SamlError::Metadata("the metadata is too large".into()));
    }
    let document = parse_untrusted(xml, 50_000, |reason| {
        SamlError::Metadata(format!("not XML: {reason}"))
    })?;
    let (entity, descriptor) = document
        .descendants()
        .filter(|node| node.has_tag_name((METADATA_NS, "EntityDescriptor")))
        .find_map(|entity| idp_descriptor(entity).map(|descriptor| (entity, descriptor)))
        .ok_or(SamlError::Metadata(
            "no SAML 2.0 identity provider in this metadata".into(),
        ))?;
    let entity_id = entity.attribute("entityID").unwrap_or("").to_string();
    // The redirect binding when offered, else the POST one.
    let service = |binding: &str| {
        children(descriptor, METADATA_NS, "SingleSignOnService")
            .find(|service| service.attribute("Binding") == Some(binding))
            .and_then(|service| service.attribute("Location"))
    };
    let (sso_url, binding) = match (service(REDIRECT_BINDING), service(POST_BINDING)) {
        (Some(url), _) => (url, RequestBinding::Redirect),
        (None, Some(url)) => (url, RequestBinding::Post),
        (None, None) => {
            return Err(SamlError::Metadata(
                "no single sign-on service with the HTTP-Redirect or HTTP-POST binding".into(),
            ))
        }
    };
    let sso_url = sso_url.to_string();
    let mut certificates = Vec::new();
    for key in children(descriptor, METADATA_NS, "KeyDescriptor") {
        // Keys marked for encryption only are not signing keys.
        if key.attribute("use").is_some_and(|usage| usage != "signing") {
            continue;
        }
        for certificate in key
            .descendants()
            .filter(|node| node.has_tag_name((DSIG_NS, "X509Certificate")))
        {
            let normalized = normalize_certificate(certificate.text().unwrap_or(""))?;
            if !certificates.contains(&normalized) {
                certificates.push(normalized);
            }
        }
    }
    let settings = IdpSettings {
        entity_id,
        sso_url,
        binding,
        certificates,
    };
    settings.check()?;
    Ok(settings)
}

/// `text` safe inside XML (or HTML) text and double-quoted attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Our metadata: the entity id, the assertion consumer service (HTTP-POST), and
/// that we want signed assertions and an unspecified NameID.
pub fn sp_metadata(entity_id: &str, acs_url: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="{METADATA_NS}" entityID="{entity_id}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="{PROTOCOL_NS}">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:AssertionConsumerService Binding="{POST_BINDING}" Location="{acs_url}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"#,
        entity_id = escape(entity_id),
        acs_url = escape(acs_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real self-signed certificate (made with rcgen for this test).
    fn certificate() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["idp.example.test".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        base64::engine::general_purpose::STANDARD.encode(cert.der())
    }

    fn metadata(certificate: &str, binding: &str) -> String {
        format!(
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.test/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{certificate}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgY2VydA==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="{binding}" Location="https://idp.example.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
        )
    }

    #[test]
    fn reads_entity_id_redirect_location_and_signing_certificates() {
        let certificate = certificate();
        let settings = parse_idp_metadata(&metadata(&certificate, REDIRECT_BINDING)).unwrap();
        assert_eq!(settings.entity_id, "https://idp.example.test/saml");
        assert_eq!(settings.sso_url, "https://idp.example.test/sso");
        assert_eq!(settings.binding, RequestBinding::Redirect);
        let post_only = parse_idp_metadata(&metadata(&certificate, POST_BINDING)).unwrap();
        assert_eq!(post_only.binding, RequestBinding::Post);
        assert_eq!(settings.certificates, vec![certificate]);
    }

    #[test]
    fn refuses_metadata_without_what_we_need() {
        let certificate = certificate();
        assert!(matches!(
            parse_idp_metadata(&metadata(
                &certificate,
                "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
            )),
            Err(SamlError::Metadata(_))
        ));
        assert!(matches!(
            parse_idp_metadata(&metadata("bm90IGEgY2VydA==", REDIRECT_BINDING)),
            Err(SamlError::Metadata(_))
        ));
        assert!(matches!(
            parse_idp_metadata("<a/>"),
            Err(SamlError::Metadata(_))
        ));
        assert_eq!(
            parse_idp_metadata("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"),
            Err(SamlError::Dtd)
        );
    }

    #[test]
    fn manual_settings_are_checked_like_metadata() {
        let certificate = certificate();
        let pem =
            format!("-----BEGIN CERTIFICATE-----\n{certificate}\n-----END CERTIFICATE-----\n");
        let settings = IdpSettings::manual(
            " https://idp.example.test/saml ",
            "https://idp.example.test/sso",
            RequestBinding::Post,
            &pem,
        )
        .unwrap();
        assert_eq!(settings.certificates, vec![certificate.clone()]);
        assert_eq!(settings.binding, RequestBinding::Post);
        assert_eq!(settings.certificates_der().len(), 1);
        assert!(IdpSettings::manual(
            "idp",
            "http://idp.example.test/sso",
            RequestBinding::Redirect,
            &certificate
        )
        .is_err());
        assert!(IdpSettings::manual(
            "idp",
            "http://127.0.0.1:8080/sso",
            RequestBinding::Redirect,
            &certificate
        )
        .is_ok());
        assert!(IdpSettings::manual(
            "",
            "https://idp.example.test/sso",
            RequestBinding::Redirect,
            &certificate
        )
        .is_err());
        assert!(IdpSettings::manual(
            "idp",
            "https://idp.example.test/sso",
            RequestBinding::Redirect,
            "not base64!"
        )
        .is_err());
    }

    #[test]
    fn our_metadata_names_the_acs_and_escapes() {
        let xml = sp_metadata(
            "https://reach.example.test/saml/metadata",
            "https://reach.example.test/saml/acs?a=1&b=2",
        );
        let document = roxmltree::Document::parse(&xml).unwrap();
        let acs = document
            .descendants()
            .find(|node| node.has_tag_name((METADATA_NS, "AssertionConsumerService")))
            .unwrap();
        assert_eq!(
            acs.attribute("Location"),
            Some("https://reach.example.test/saml/acs?a=1&b=2")
        );
        assert_eq!(acs.attribute("Binding"), Some(POST_BINDING));
    }
}
