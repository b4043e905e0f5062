//! Our authentication requests, sent with the HTTP-Redirect binding: the
//! `AuthnRequest`, deflated, Base64-encoded and put in the IdP's URL.

use std::io::Write;

use base64::Engine;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use rand::RngCore;

use super::metadata::escape;
use super::SamlError;

/// A fresh request id: an XML ID (must not start with a digit), unguessable.
pub fn new_request_id() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("_{}", hex::encode(bytes))
}

/// An `xs:dateTime` in UTC with seconds, as SAML wants it.
pub fn format_instant(millis: crate::Millis) -> String {
    let seconds = millis.div_euclid(1000);
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|at| {
            at.format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// The `AuthnRequest` asking `destination` to sign someone in and post the answer
/// to `acs_url`. `hint` (the e-mail typed on our sign-in page) saves retyping it.
pub fn authn_request(
    id: &str,
    issue_instant: crate::Millis,
    sp_entity_id: &str,
    acs_url: &str,
    destination: &str,
    hint: Option<&str>,
) -> String {
    let subject = hint
        .map(|email| {
            format!(
                "<saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">{}</saml:NameID></saml:Subject>",
                escape(email)
            )
        })
        .unwrap_or_default();
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{instant}\" Destination=\"{destination}\" AssertionConsumerServiceURL=\"{acs}\" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"><saml:Issuer>{issuer}</saml:Issuer>{subject}<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\" AllowCreate=\"true\"/></samlp:AuthnRequest>",
        id = escape(id),
        instant = format_instant(issue_instant),
        destination = escape(destination),
        acs = escape(acs_url),
        issuer = escape(sp_entity_id),
    )
}

/// The `SAMLRequest` field of the HTTP-POST binding: the request in Base64, not deflated.
pub fn post_field(request: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(request)
}

/// `sso_url` with the request (deflated, Base64) and the relay state in its query.
pub fn redirect_url(
    sso_url: &str,
    request: &str,
    relay_state: Option<&str>,
) -> Result<String, SamlError> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(request.as_bytes())
        .and_then(|()| encoder.finish())
        .map(|deflated| base64::engine::general_purpose::STANDARD.encode(deflated))
        .map_err(|err| SamlError::Malformed(format!("deflating the request: {err}")))
        .and_then(|encoded| {
            let mut url = url::Url::parse(sso_url)
                .map_err(|_| SamlError::Metadata(format!("{sso_url} is not a URL")))?;
            url.query_pairs_mut().append_pair("SAMLRequest", &encoded);
            if let Some(relay_state) = relay_state {
                url.query_pairs_mut().append_pair("RelayState", relay_state);
            }
            Ok(url.to_string())
        })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn request_ids_are_xml_ids_and_unique() {
        let (a, b) = (new_request_id(), new_request_id());
        assert!(a.starts_with('_') && a.len() == 41);
        assert_ne!(a, b);
    }

    #[test]
    fn the_redirect_carries_the_deflated_request_and_relay_state() {
        let request = authn_request(
            "_r1",
            1_795_000_000_000,
            "https://sp/metadata",
            "https://sp/acs",
            "https://idp/sso?tenant=1",
            Some("a&b@example.test"),
        );
        let url = redirect_url("https://idp/sso?tenant=1", &request, Some("console")).unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("tenant".into(), "1".into()));
        assert_eq!(pairs[2], ("RelayState".into(), "console".into()));
        let deflated = base64::engine::general_purpose::STANDARD
            .decode(&pairs[1].1)
            .unwrap();
        let mut inflated = String::new();
        flate2::read::DeflateDecoder::new(deflated.as_slice())
            .read_to_string(&mut inflated)
            .unwrap();
        assert_eq!(inflated, request);
        let document = roxmltree::Document::parse(&inflated).unwrap();
        let root = document.root_element();
        assert_eq!(root.attribute("ID"), Some("_r1"));
        assert_eq!(root.attribute("IssueInstant"), Some("2026-11-18T11:06:40Z"));
        assert!(inflated.contains("a&amp;b@example.test"));
    }
}
