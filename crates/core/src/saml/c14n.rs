//! Exclusive XML Canonicalization 1.0 without comments (W3C `xml-exc-c14n`) of one
//! element's subtree, minus an excluded descendant (the enveloped signature).
//!
//! Hand-written on top of roxmltree because no maintained, widely used pure-Rust
//! implementation exists (the candidates bind libxml2 or are young all-in-one
//! security stacks). SAML needs only this subset: an element apex, no comments, an
//! optional InclusiveNamespaces prefix list. The tests check it against signatures
//! made by xmlsec1 (`crates/core/tests/saml.rs`).

use std::collections::BTreeMap;

use roxmltree::{Node, NodeId};

/// The canonical bytes of `apex` and its descendants, leaving out `excluded` (and
/// everything under it). `inclusive` lists prefixes treated as in inclusive
/// canonicalization (`#default` is the default namespace).
pub fn canonicalize(apex: Node<'_, '_>, excluded: Option<NodeId>, inclusive: &[String]) -> String {
    let mut out = String::new();
    write_element(apex, excluded, inclusive, &BTreeMap::new(), &mut out);
    out
}

/// The qualified name an element was written with, from the source text.
fn element_qname<'a>(node: Node<'a, '_>) -> &'a str {
    let source = node.document().input_text();
    let start = node.range().start + 1;
    let rest = &source[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    &rest[..end]
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(prefix, _)| prefix)
}

fn write_element(
    node: Node<'_, '_>,
    excluded: Option<NodeId>,
    inclusive: &[String],
    rendered: &BTreeMap<String, String>,
    out: &mut String,
) {
    let source = node.document().input_text();
    let qname = element_qname(node);
    let attributes: Vec<(&str, &str, &str, &str)> = node
        .attributes()
        .map(|attribute| {
            (
                attribute.namespace().unwrap_or(""),
                attribute.name(),
                &source[attribute.range_qname()],
                attribute.value(),
            )
        })
        .collect();

    // The prefixes this element visibly uses: its own, and its attributes'.
    let mut utilized: Vec<&str> = vec![prefix_of(qname)];
    for (_, _, attribute_qname, _) in &attributes {
        let prefix = prefix_of(attribute_qname);
        if !prefix.is_empty() {
            utilized.push(prefix);
        }
    }
    let wanted = |prefix: &str| {
        utilized.contains(&prefix)
            || inclusive
                .iter()
                .any(|p| p == prefix || (prefix.is_empty() && p == "#default"))
    };

    // Namespace declarations to write: in scope, wanted, and not already written
    // the same way by an output ancestor. Sorted by prefix, default first.
    let mut declarations: BTreeMap<String, String> = BTreeMap::new();
    for namespace in node.namespaces() {
        let prefix = namespace.name().unwrap_or("");
        if prefix == "xml" || !wanted(prefix) {
            continue;
        }
        if rendered.get(prefix).map(String::as_str) != Some(namespace.uri()) {
            declarations.insert(prefix.to_string(), namespace.uri().to_string());
        }
    }
    // An unprefixed element outside any default namespace undoes an ancestor's.
    if prefix_of(qname).is_empty()
        && node.lookup_namespace_uri(None).is_none()
        && rendered.get("").is_some_and(|uri| !uri.is_empty())
    {
        declarations.insert(String::new(), String::new());
    }

    out.push('<');
    out.push_str(qname);
    for (prefix, uri) in &declarations {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attribute(uri, out);
        out.push('"');
    }
    let mut sorted = attributes;
    sorted.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, attribute_qname, value) in &sorted {
        out.push(' ');
        out.push_str(attribute_qname);
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
    out.push('>');

    let mut inherited = rendered.clone();
    inherited.extend(declarations);
    for child in node.children() {
        if Some(child.id()) == excluded {
            continue;
        }
        if child.is_element() {
            write_element(child, excluded, inclusive, &inherited, out);
        } else if child.is_text() {
            escape_text(child.text().unwrap_or(""), out);
        } else if let Some(pi) = child.pi() {
            out.push_str("<?");
            out.push_str(pi.target);
            if let Some(value) = pi.value {
                out.push(' ');
                out.push_str(value);
            }
            out.push_str("?>");
        }
    }
    out.push_str("</");
    out.push_str(qname);
    out.push('>');
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(xml: &str, inclusive: &[&str]) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let inclusive: Vec<String> = inclusive.iter().map(|s| s.to_string()).collect();
        canonicalize(doc.root_element(), None, &inclusive)
    }

    fn canonical_child(xml: &str, name: &str) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let node = doc
            .descendants()
            .find(|n| n.tag_name().name() == name)
            .unwrap();
        canonicalize(node, None, &[])
    }

    #[test]
    fn sorts_attributes_expands_empty_elements_and_escapes() {
        assert_eq!(
            canonical(
                "<r b='2' a=\"x&quot;&amp;&lt;\"><e/>a &gt; b &amp; c<![CDATA[<x>]]></r>",
                &[]
            ),
            "<r a=\"x&quot;&amp;&lt;\" b=\"2\"><e></e>a &gt; b &amp; c&lt;x&gt;</r>"
        );
    }

    #[test]
    fn drops_comments_and_the_xml_declaration() {
        assert_eq!(
            canonical("<?xml version='1.0'?><r><!-- no --><a>t</a></r>", &[]),
            "<r><a>t</a></r>"
        );
    }

    #[test]
    fn keeps_only_visibly_used_namespaces_from_the_context() {
        // The apex inherits declarations from outside the subtree, but only the ones
        // it or its attributes use are written (the W3C exclusive c14n example).
        let xml = "<n0:pdu xmlns:n0='http://a.example'><n1:elem1 xmlns:n1='http://b.example' xmlns:n2='http://c.example'><n1:sub n2:at='1'/></n1:elem1></n0:pdu>";
        assert_eq!(
            canonical_child(xml, "elem1"),
            "<n1:elem1 xmlns:n1=\"http://b.example\"><n1:sub xmlns:n2=\"http://c.example\" n2:at=\"1\"></n1:sub></n1:elem1>"
        );
    }

    #[test]
    fn writes_a_declaration_once_down_the_output_tree() {
        let xml = "<a:r xmlns:a='urn:a'><a:s><a:t xmlns:a='urn:a'/></a:s></a:r>";
        assert_eq!(
            canonical(xml, &[]),
            "<a:r xmlns:a=\"urn:a\"><a:s><a:t></a:t></a:s></a:r>"
        );
    }

    #[test]
    fn inclusive_prefixes_are_written_even_when_unused() {
        let xml = "<r xmlns:xs='urn:xs' xmlns:z='urn:z'><c/></r>";
        assert_eq!(
            canonical(xml, &["xs"]),
            "<r xmlns:xs=\"urn:xs\"><c></c></r>"
        );
    }

    #[test]
    fn an_unqualified_child_of_a_default_namespace_undoes_it() {
        let xml = "<r xmlns='urn:d'><c xmlns=''/></r>";
        assert_eq!(
            canonical(xml, &[]),
            "<r xmlns=\"urn:d\"><c xmlns=\"\"></c></r>"
        );
    }

    #[test]
    fn leaves_out_the_excluded_node() {
        let doc = roxmltree::Document::parse("<r><keep/><drop><x/></drop>t</r>").unwrap();
        let drop = doc.descendants().find(|n| n.has_tag_name("drop")).unwrap();
        assert_eq!(
            canonicalize(doc.root_element(), Some(drop.id()), &[]),
            "<r><keep></keep>t</r>"
        );
    }
}
