//! Reading untrusted SAML XML: parsing without any DTD (so no entity expansion or
//! external entities) under a node limit, and finding children by namespace.

use roxmltree::{Document, Node, ParsingOptions};

use super::SamlError;

/// Parses `xml`, refusing any DTD; other parse errors become `malformed(reason)`.
pub fn parse_untrusted(
    xml: &str,
    nodes_limit: u32,
    malformed: fn(String) -> SamlError,
) -> Result<Document<'_>, SamlError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(xml, options).map_err(|err| match err {
        roxmltree::Error::DtdDetected => SamlError::Dtd,
        other => malformed(other.to_string()),
    })
}

/// The children of `node` named `name` in namespace `ns`.
pub fn children<'a, 'input>(
    node: Node<'a, 'input>,
    ns: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children()
        .filter(move |child| child.has_tag_name((ns, name)))
}

/// The one child of `node` named `name` in `ns`; why not, when there is none or several.
pub fn only_child<'a, 'input>(
    node: Node<'a, 'input>,
    ns: &'static str,
    name: &'static str,
) -> Result<Node<'a, 'input>, String> {
    let mut found = children(node, ns, name);
    match (found.next(), found.next()) {
        (Some(only), None) => Ok(only),
        (None, _) => Err(format!("no {name}")),
        (Some(_), Some(_)) => Err(format!("two {name} elements")),
    }
}
