//! The SCIM schemas Reach serves (RFC 7643 §4, §7): the attributes of Users and
//! Groups it stores, with their types, mutability and case rules. One
//! definition feeds the `/Schemas` endpoint, filter matching (`caseExact`),
//! PATCH (which attributes are multi-valued) and the checks on what a client
//! sends (read-only attributes are ignored, unknown ones refused).

use serde_json::{json, Value};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Boolean,
    DateTime,
    Reference(&'static [&'static str]),
    Complex(&'static [Attribute]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    pub name: &'static str,
    pub kind: Kind,
    pub multi_valued: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    /// Unique within the company.
    pub unique: bool,
    pub canonical: &'static [&'static str],
    pub description: &'static str,
}

const fn attribute(name: &'static str, kind: Kind, description: &'static str) -> Attribute {
    Attribute {
        name,
        kind,
        multi_valued: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        unique: false,
        canonical: &[],
        description,
    }
}

const fn multi(mut attribute: Attribute) -> Attribute {
    attribute.multi_valued = true;
    attribute
}

const fn read_only(mut attribute: Attribute) -> Attribute {
    attribute.mutability = Mutability::ReadOnly;
    attribute
}

const fn immutable(mut attribute: Attribute) -> Attribute {
    attribute.mutability = Mutability::Immutable;
    attribute
}

const fn required(mut attribute: Attribute) -> Attribute {
    attribute.required = true;
    attribute
}

const fn unique(mut attribute: Attribute) -> Attribute {
    attribute.unique = true;
    attribute
}

const fn exact(mut attribute: Attribute) -> Attribute {
    attribute.case_exact = true;
    attribute
}

const fn canonical(mut attribute: Attribute, values: &'static [&'static str]) -> Attribute {
    attribute.canonical = values;
    attribute
}

const NAME_PARTS: &[Attribute] = &[
    attribute(
        "formatted",
        Kind::String,
        "The full name, formatted for display.",
    ),
    attribute("familyName", Kind::String, "The family name."),
    attribute("givenName", Kind::String, "The given name."),
];

const EMAIL_PARTS: &[Attribute] = &[
    attribute("value", Kind::String, "An e-mail address."),
    canonical(
        attribute("type", Kind::String, "What the address is for."),
        &["work", "home", "other"],
    ),
    attribute(
        "primary",
        Kind::Boolean,
        "The address Reach signs the user in with (else the first one, else userName).",
    ),
];

const USER_GROUP_PARTS: &[Attribute] = &[
    read_only(exact(attribute("value", Kind::String, "The group's id."))),
    read_only(exact(attribute(
        "$ref",
        Kind::Reference(&["Group"]),
        "The group's URI.",
    ))),
    read_only(attribute("display", Kind::String, "The group's name.")),
];

const MEMBER_PARTS: &[Attribute] = &[
    immutable(exact(attribute("value", Kind::String, "The member's id."))),
    immutable(exact(attribute(
        "$ref",
        Kind::Reference(&["User"]),
        "The member's URI.",
    ))),
];

pub const USER_ATTRIBUTES: &[Attribute] = &[
    unique(required(attribute(
        "userName",
        Kind::String,
        "Unique in the company. Reach signs the user in with their primary e-mail address, or with userName when it is one.",
    ))),
    attribute("name", Kind::Complex(NAME_PARTS), "The user's name."),
    attribute("displayName", Kind::String, "The name Reach shows."),
    attribute(
        "active",
        Kind::Boolean,
        "False disables the account and ends its sign-ins at once.",
    ),
    multi(attribute(
        "emails",
        Kind::Complex(EMAIL_PARTS),
        "E-mail addresses.",
    )),
    read_only(multi(attribute(
        "groups",
        Kind::Complex(USER_GROUP_PARTS),
        "The groups the user belongs to (set through Groups).",
    ))),
];

pub const GROUP_ATTRIBUTES: &[Attribute] = &[
    unique(required(attribute(
        "displayName",
        Kind::String,
        "The group's name, unique in the company.",
    ))),
    multi(attribute(
        "members",
        Kind::Complex(MEMBER_PARTS),
        "The users in the group.",
    )),
];

/// The attributes every resource has (RFC 7643 §3.1), found by name like the
/// schema's own.
const COMMON_ATTRIBUTES: &[Attribute] = &[
    read_only(exact(attribute("id", Kind::String, "Assigned by Reach."))),
    exact(attribute(
        "externalId",
        Kind::String,
        "The provisioning client's own id.",
    )),
];

/// `name` (or `name.sub`) among `attributes` and the common ones, without regard to case.
pub fn find(attributes: &[Attribute], name: &str, sub: Option<&str>) -> Option<Attribute> {
    let top = attributes
        .iter()
        .chain(COMMON_ATTRIBUTES)
        .find(|a| a.name.eq_ignore_ascii_case(name))?;
    match (sub, top.kind) {
        (None, _) => Some(*top),
        (Some(sub), Kind::Complex(parts)) => parts
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(sub))
            .copied(),
        (Some(_), _) => None,
    }
}

/// Whether string comparisons on `name.sub` are case-sensitive. `meta.*` and
/// unknown attributes compare exactly.
pub fn case_exact(attributes: &[Attribute], name: &str, sub: Option<&str>) -> bool {
    find(attributes, name, sub).is_none_or(|a| a.case_exact)
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "string",
        Kind::Boolean => "boolean",
        Kind::DateTime => "dateTime",
        Kind::Reference(_) => "reference",
        Kind::Complex(_) => "complex",
    }
}

fn attribute_json(attribute: &Attribute) -> Value {
    let mut value = json!({
        "name": attribute.name,
        "type": kind_name(attribute.kind),
        "multiValued": attribute.multi_valued,
        "description": attribute.description,
        "required": attribute.required,
        "caseExact": attribute.case_exact,
        "mutability": match attribute.mutability {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
        },
        "returned": "default",
        "uniqueness": if attribute.unique { "server" } else { "none" },
    });
    if !attribute.canonical.is_empty() {
        value["canonicalValues"] = json!(attribute.canonical);
    }
    match attribute.kind {
        Kind::Reference(types) => value["referenceTypes"] = json!(types),
        Kind::Complex(parts) => {
            value["subAttributes"] = parts.iter().map(attribute_json).collect();
        }
        _ => {}
    }
    value
}

/// The `/Schemas/{id}` resource for one schema.
pub fn schema_json(
    id: &str,
    name: &str,
    description: &str,
    attributes: &[Attribute],
    location: &str,
) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes.iter().map(attribute_json).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": location},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_found_without_regard_to_case() {
        let user_name = find(USER_ATTRIBUTES, "USERNAME", None);
        assert_eq!(user_name.map(|a| a.name), Some("userName"));
        assert_eq!(
            find(USER_ATTRIBUTES, "name", Some("GIVENNAME")).map(|a| a.name),
            Some("givenName")
        );
        assert_eq!(find(USER_ATTRIBUTES, "nickName", None), None);
        assert!(!case_exact(USER_ATTRIBUTES, "userName", None));
        assert!(case_exact(USER_ATTRIBUTES, "id", None));
        assert!(case_exact(GROUP_ATTRIBUTES, "members", Some("value")));
    }

    #[test]
    fn schemas_describe_sub_attributes_and_references() {
        let schema = schema_json(USER_SCHEMA, "User", "Users", USER_ATTRIBUTES, "/x");
        let emails = &schema["attributes"][4];
        assert_eq!(emails["name"], "emails");
        assert_eq!(emails["multiValued"], true);
        assert_eq!(emails["subAttributes"][1]["canonicalValues"][0], "work");
        let groups = &schema["attributes"][5];
        assert_eq!(groups["mutability"], "readOnly");
        assert_eq!(groups["subAttributes"][1]["referenceTypes"][0], "Group");
    }
}
