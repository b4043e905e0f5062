//! XML Signature (XML-DSig) verification of one enveloped signature, restricted to
//! what SAML identity providers use: exclusive canonicalization, RSA-SHA256, a
//! SHA-256 digest, one reference to the signed element's `ID`.
//!
//! The key comes from the configuration, never from the signature's own
//! `KeyInfo`. What verification returns is the canonical form of the signed
//! element: the exact bytes that were digested, for the caller to read its data
//! from, so nothing outside the signature (a wrapped copy, a sibling) can be read
//! by mistake.

use base64::Engine;
use roxmltree::Node;
use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};

use super::c14n::canonicalize;
use super::{xml, SamlError};

pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// The one child of `parent` named `name` in the XML-DSig namespace.
fn only_child<'a, 'input>(
    parent: Node<'a, 'input>,
    name: &'static str,
) -> Result<Node<'a, 'input>, SamlError> {
    xml::only_child(parent, DSIG_NS, name).map_err(SamlError::SignatureMalformed)
}

fn algorithm<'a>(node: Node<'a, '_>) -> &'a str {
    node.attribute("Algorithm").unwrap_or("")
}

/// The InclusiveNamespaces prefix list under a canonicalization method or transform.
fn inclusive_prefixes(method: Node<'_, '_>) -> Vec<String> {
    method
        .children()
        .find(|child| child.has_tag_name((EXC_C14N, "InclusiveNamespaces")))
        .and_then(|list| list.attribute("PrefixList"))
        .map(|list| list.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn base64_content(node: Node<'_, '_>) -> Result<Vec<u8>, SamlError> {
    let text: String = node
        .text()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| {
            SamlError::SignatureMalformed(format!("{} is not Base64", node.tag_name().name()))
        })
}

/// Whether `element` carries a signature as a direct child.
pub fn has_signature(element: Node<'_, '_>) -> bool {
    element
        .children()
        .any(|child| child.has_tag_name((DSIG_NS, "Signature")))
}

/// Verifies the signature enveloped in `element` with one of `certificates` and
/// returns the canonical form of `element` without it (what was signed).
pub fn verify_enveloped(
    element: Node<'_, '_>,
    certificates: &[CertificateDer<'_>],
) -> Result<String, SamlError> {
    let signature = only_child(element, "Signature").map_err(|_| SamlError::NotSigned)?;
    let signed_info = only_child(signature, "SignedInfo")?;

    let c14n_method = only_child(signed_info, "CanonicalizationMethod")?;
    if algorithm(c14n_method) != EXC_C14N {
        return Err(SamlError::UnsupportedAlgorithm(
            algorithm(c14n_method).to_string(),
        ));
    }
    let signature_method = only_child(signed_info, "SignatureMethod")?;
    if algorithm(signature_method) != RSA_SHA256 {
        return Err(SamlError::UnsupportedAlgorithm(
            algorithm(signature_method).to_string(),
        ));
    }

    // Exactly one reference, and to this element: a signature over something else
    // (another copy of it, a sibling) proves nothing about what we are reading.
    let reference = only_child(signed_info, "Reference")?;
    let id = element
        .attribute("ID")
        .ok_or(SamlError::SignatureMalformed(
            "the signed element has no ID".into(),
        ))?;
    if reference.attribute("URI") != Some(&format!("#{id}")) {
        return Err(SamlError::SignatureMalformed(
            "the signature refers to another element".into(),
        ));
    }
    if element
        .document()
        .descendants()
        .filter(|node| node.attribute("ID") == Some(id))
        .count()
        != 1
    {
        return Err(SamlError::SignatureMalformed(format!(
            "the ID {id} appears twice"
        )));
    }

    let transforms = only_child(reference, "Transforms")?;
    let mut enveloped = false;
    let mut digest_prefixes = None;
    for transform in transforms.children().filter(Node::is_element) {
        match algorithm(transform) {
            ENVELOPED if !enveloped && digest_prefixes.is_none() => enveloped = true,
            EXC_C14N if digest_prefixes.is_none() => {
                digest_prefixes = Some(inclusive_prefixes(transform))
            }
            other => return Err(SamlError::UnsupportedAlgorithm(other.to_string())),
        }
    }
    let Some(digest_prefixes) = digest_prefixes.filter(|_| enveloped) else {
        return Err(SamlError::SignatureMalformed(
            "the reference must use the enveloped-signature and exclusive c14n transforms".into(),
        ));
    };
    let digest_method = only_child(reference, "DigestMethod")?;
    if algorithm(digest_method) != SHA256 {
        return Err(SamlError::UnsupportedAlgorithm(
            algorithm(digest_method).to_string(),
        ));
    }
    let expected_digest = base64_content(only_child(reference, "DigestValue")?)?;

    let signed = canonicalize(element, Some(signature.id()), &digest_prefixes);
    if Sha256::digest(signed.as_bytes()).as_slice() != expected_digest.as_slice() {
        return Err(SamlError::DigestMismatch);
    }

    let signature_value = base64_content(only_child(signature, "SignatureValue")?)?;
    let signed_info_bytes = canonicalize(signed_info, None, &inclusive_prefixes(c14n_method));
    let verified = certificates.iter().any(|der| {
        webpki::EndEntityCert::try_from(der).is_ok_and(|cert| {
            cert.verify_signature(
                webpki::ring::RSA_PKCS1_2048_8192_SHA256,
                signed_info_bytes.as_bytes(),
                &signature_value,
            )
            .is_ok()
        })
    });
    if !verified {
        return Err(SamlError::BadSignature);
    }
    Ok(signed)
}
