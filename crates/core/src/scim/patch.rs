//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON: `add`, `remove`
//! and `replace`, with or without a path, including value filters on
//! multi-valued attributes (`members[value eq "..."]`). The caller turns the
//! patched JSON back into its model and checks it as it would a replacement,
//! so PATCH and PUT can't disagree on what is valid.
//!
//! Also accepted, because widespread clients send them: operation names in any
//! case (`Replace`), and `remove` on a multi-valued attribute with the elements
//! to take out in `value` instead of a filter.

use serde_json::{Map, Value};

use super::filter::{parse_patch_path, Filter, PatchPath};
use super::schema::{self, Attribute, Kind, Mutability};

/// Why a PATCH was refused, with the RFC 7644 §3.12 `scimType`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("{0}")]
    InvalidSyntax(String),
    #[error("{0}")]
    InvalidPath(String),
    #[error("{0}")]
    NoTarget(String),
    #[error("{0}")]
    InvalidValue(String),
    #[error("{0}")]
    Mutability(String),
}

impl PatchError {
    pub fn scim_type(&self) -> &'static str {
        match self {
            Self::InvalidSyntax(_) => "invalidSyntax",
            Self::InvalidPath(_) => "invalidPath",
            Self::NoTarget(_) => "noTarget",
            Self::InvalidValue(_) => "invalidValue",
            Self::Mutability(_) => "mutability",
        }
    }
}

pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Most operations one request may carry.
pub const MAX_OPERATIONS: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Replace,
}

/// Applies the PatchOp message `body` to `resource`, whose schema is
/// `schema_id` with `attributes`.
pub fn apply(
    resource: &mut Value,
    body: &Value,
    schema_id: &str,
    attributes: &[Attribute],
) -> Result<(), PatchError> {
    let syntax = |why: &str| PatchError::InvalidSyntax(why.to_string());
    let schemas = body
        .get("schemas")
        .and_then(Value::as_array)
        .ok_or_else(|| syntax("a PatchOp message needs `schemas`"))?;
    if !schemas.iter().any(|s| s == PATCH_OP_SCHEMA) {
        return Err(syntax("`schemas` must name the PatchOp message"));
    }
    let operations = body
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| syntax("a PatchOp message needs `Operations`"))?;
    if operations.is_empty() || operations.len() > MAX_OPERATIONS {
        return Err(syntax("a PatchOp message holds 1 to 1000 operations"));
    }
    for operation in operations {
        let op = match operation.get("op").and_then(Value::as_str) {
            Some(name) if name.eq_ignore_ascii_case("add") => Op::Add,
            Some(name) if name.eq_ignore_ascii_case("remove") => Op::Remove,
            Some(name) if name.eq_ignore_ascii_case("replace") => Op::Replace,
            _ => return Err(syntax("`op` must be add, remove or replace")),
        };
        let value = operation.get("value");
        match operation.get("path") {
            None | Some(Value::Null) => {
                if op == Op::Remove {
                    return Err(PatchError::NoTarget("remove needs a path".into()));
                }
                let object = value.and_then(Value::as_object).ok_or_else(|| {
                    PatchError::InvalidValue(
                        "without a path, the value must be an object of attributes".into(),
                    )
                })?;
                for (key, item) in object {
                    if key.eq_ignore_ascii_case(schema_id) {
                        // The core schema's attributes, nested under its URN.
                        let nested = item.as_object().ok_or_else(|| {
                            PatchError::InvalidValue(format!("{key} must hold an object"))
                        })?;
                        for (inner, item) in nested {
                            at_path(resource, op, inner, Some(item), schema_id, attributes)?;
                        }
                    } else if key == "schemas" {
                        continue;
                    } else {
                        at_path(resource, op, key, Some(item), schema_id, attributes)?;
                    }
                }
            }
            Some(Value::String(path)) => at_path(resource, op, path, value, schema_id, attributes)?,
            Some(_) => return Err(PatchError::InvalidPath("`path` must be a string".into())),
        }
    }
    Ok(())
}

fn at_path(
    resource: &mut Value,
    op: Op,
    path: &str,
    value: Option<&Value>,
    schema_id: &str,
    attributes: &[Attribute],
) -> Result<(), PatchError> {
    let parsed: PatchPath =
        parse_patch_path(path).map_err(|err| PatchError::InvalidPath(format!("{path}: {err}")))?;
    if let Some(urn) = &parsed.attr.urn {
        if !urn.eq_ignore_ascii_case(schema_id) {
            return Err(PatchError::InvalidPath(format!(
                "{path}: unknown schema {urn}"
            )));
        }
    }
    // `name.givenName` parses as attribute `name`, sub-attribute `givenName`;
    // after a filter the sub-attribute is `parsed.sub`.
    let name = parsed.attr.name.as_str();
    let sub = parsed.attr.sub.as_deref().or(parsed.sub.as_deref());
    if name.eq_ignore_ascii_case("meta") || name.eq_ignore_ascii_case("id") {
        return Err(PatchError::Mutability(format!("{name} is read-only")));
    }
    let attribute = schema::find(attributes, name, None)
        .ok_or_else(|| PatchError::InvalidPath(format!("{path}: no attribute {name}")))?;
    let sub_attribute = match sub {
        Some(sub) => Some(schema::find(attributes, name, Some(sub)).ok_or_else(|| {
            PatchError::InvalidPath(format!("{path}: {name} has no sub-attribute {sub}"))
        })?),
        None => None,
    };
    let target = sub_attribute.unwrap_or(attribute);
    if attribute.mutability == Mutability::ReadOnly || target.mutability == Mutability::ReadOnly {
        return Err(PatchError::Mutability(format!("{path} is read-only")));
    }
    let object = resource
        .as_object_mut()
        .ok_or_else(|| PatchError::InvalidValue("the resource is not an object".into()))?;
    let key = existing_key(object, attribute.name);
    let need_value = || {
        value.filter(|v| !v.is_null()).ok_or_else(|| {
            PatchError::InvalidValue(format!(
                "{op_name} on {path} needs a value",
                op_name = op_name(op)
            ))
        })
    };
    let case_exact =
        |n: &str, s: Option<&str>| schema::case_exact(sub_attributes(&attribute), n, s);

    match (&parsed.value_filter, sub_attribute) {
        // attr[filter] or attr[filter].sub: the matching elements of a multi-valued attribute.
        (Some(filter), _) => {
            if !attribute.multi_valued {
                return Err(PatchError::InvalidPath(format!(
                    "{path}: {name} is not multi-valued"
                )));
            }
            let elements = object.get_mut(&key).and_then(Value::as_array_mut);
            let Some(elements) = elements else {
                return no_match(op, path);
            };
            let matching = |element: &Value| filter_matches(filter, element, &case_exact);
            match op {
                Op::Remove => {
                    let before = elements.len();
                    match sub_attribute {
                        Some(sub) => {
                            for element in elements.iter_mut().filter(|e| matching(e)) {
                                remove_key(element, sub.name);
                            }
                        }
                        None => elements.retain(|e| !matching(e)),
                    }
                    let now_empty = elements.is_empty();
                    if sub_attribute.is_none() && elements.len() == before {
                        return no_match(op, path);
                    }
                    if now_empty {
                        object.remove(&key);
                    }
                }
                Op::Add | Op::Replace => {
                    let value = need_value()?;
                    let mut found = false;
                    for element in elements.iter_mut().filter(|e| matching(e)) {
                        found = true;
                        match sub_attribute {
                            Some(sub) => set_key(element, sub.name, value.clone()),
                            None => merge(element, value)?,
                        }
                    }
                    if !found {
                        return no_match(op, path);
                    }
                }
            }
        }
        // attr.sub without a filter.
        (None, Some(sub)) => match object.get_mut(&key) {
            Some(Value::Array(elements)) => match op {
                Op::Remove => elements.iter_mut().for_each(|e| remove_key(e, sub.name)),
                _ => {
                    return Err(PatchError::InvalidPath(format!(
                        "{path}: say which {name} element to change with a filter"
                    )))
                }
            },
            Some(existing @ Value::Object(_)) => match op {
                Op::Remove => remove_key(existing, sub.name),
                _ => set_key(existing, sub.name, need_value()?.clone()),
            },
            _ => match op {
                Op::Remove => {}
                _ => {
                    let mut fresh = Value::Object(Map::new());
                    set_key(&mut fresh, sub.name, need_value()?.clone());
                    object.insert(attribute.name.to_string(), fresh);
                }
            },
        },
        // The whole attribute.
        (None, None) => match op {
            Op::Remove => match (value, object.get_mut(&key)) {
                // The elements to take out, given as values.
                (Some(Value::Array(gone)), Some(Value::Array(elements)))
                    if attribute.multi_valued =>
                {
                    elements.retain(|element| !gone.iter().any(|g| same_element(g, element)));
                    if elements.is_empty() {
                        object.remove(&key);
                    }
                }
                _ => {
                    object.remove(&key);
                }
            },
            Op::Add if attribute.multi_valued => {
                let value = need_value()?;
                let additions = match value {
                    Value::Array(items) => items.clone(),
                    single => vec![single.clone()],
                };
                let entry = object
                    .entry(attribute.name.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !entry.is_array() {
                    *entry = Value::Array(Vec::new());
                }
                if let Value::Array(elements) = entry {
                    for item in additions {
                        if !elements.iter().any(|e| same_element(&item, e)) {
                            elements.push(item);
                        }
                    }
                }
                if key != attribute.name {
                    let moved = object.remove(&key);
                    if let Some(moved) = moved {
                        object.insert(attribute.name.to_string(), moved);
                    }
                }
            }
            Op::Add | Op::Replace => {
                let value = need_value()?.clone();
                let merged = match (
                    matches!(attribute.kind, Kind::Complex(_)) && !attribute.multi_valued,
                    object.get_mut(&key),
                ) {
                    (true, Some(existing @ Value::Object(_))) => {
                        merge(existing, &value)?;
                        true
                    }
                    _ => false,
                };
                if !merged {
                    object.remove(&key);
                    object.insert(attribute.name.to_string(), value);
                }
            }
        },
    }
    Ok(())
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Add => "add",
        Op::Remove => "remove",
        Op::Replace => "replace",
    }
}

fn no_match(op: Op, path: &str) -> Result<(), PatchError> {
    Err(PatchError::NoTarget(format!(
        "{}: no value matches {path}",
        op_name(op)
    )))
}

fn sub_attributes(attribute: &Attribute) -> &'static [Attribute] {
    match attribute.kind {
        Kind::Complex(parts) => parts,
        _ => &[],
    }
}

fn filter_matches(
    filter: &Filter,
    element: &Value,
    case_exact: &dyn Fn(&str, Option<&str>) -> bool,
) -> bool {
    filter.matches(element, case_exact)
}

/// The key of `name` in `object` as stored (any case), else `name` itself.
fn existing_key(object: &Map<String, Value>, name: &str) -> String {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

fn set_key(target: &mut Value, name: &str, value: Value) {
    if let Value::Object(object) = target {
        let key = existing_key(object, name);
        object.remove(&key);
        object.insert(name.to_string(), value);
    }
}

fn remove_key(target: &mut Value, name: &str) {
    if let Value::Object(object) = target {
        let key = existing_key(object, name);
        object.remove(&key);
    }
}

/// Sets each sub-attribute of `value` on `target`, leaving the others.
fn merge(target: &mut Value, value: &Value) -> Result<(), PatchError> {
    let parts = value
        .as_object()
        .ok_or_else(|| PatchError::InvalidValue("a complex attribute takes an object".into()))?;
    for (name, item) in parts {
        set_key(target, name, item.clone());
    }
    Ok(())
}

/// Two elements of a multi-valued attribute are the same element when their
/// `value`s are (complex elements), or when they are equal.
fn same_element(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::schema::{GROUP_ATTRIBUTES, GROUP_SCHEMA, USER_ATTRIBUTES, USER_SCHEMA};

    fn patch(operations: Value) -> Value {
        json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
    }

    fn user() -> Value {
        json!({
            "userName": "ada",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "active": true,
            "emails": [
                {"value": "ada@example.com", "type": "work", "primary": true},
                {"value": "ada@home.example", "type": "home"}
            ]
        })
    }

    fn on_user(operations: Value) -> Result<Value, PatchError> {
        let mut resource = user();
        apply(
            &mut resource,
            &patch(operations),
            USER_SCHEMA,
            USER_ATTRIBUTES,
        )?;
        Ok(resource)
    }

    #[test]
    fn replace_without_path_sets_each_attribute_and_merges_complex_ones() {
        let patched = on_user(json!([{"op": "Replace", "value": {"active": false, "name": {"givenName": "Augusta"}}}])).unwrap();
        assert_eq!(patched["active"], false);
        assert_eq!(
            patched["name"],
            json!({"givenName": "Augusta", "familyName": "Lovelace"})
        );
        // Under the schema's URN, as some clients send it.
        let patched =
            on_user(json!([{"op": "replace", "value": {USER_SCHEMA: {"displayName": "A. L."}}}]))
                .unwrap();
        assert_eq!(patched["displayName"], "A. L.");
    }

    #[test]
    fn paths_reach_sub_attributes_and_filtered_elements() {
        let patched = on_user(json!([
            {"op": "replace", "path": "name.familyName", "value": "King"},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@work.example"},
            {"op": "remove", "path": "emails[type eq \"home\"]"},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:displayName", "value": "Ada"}
        ]))
        .unwrap();
        assert_eq!(patched["name"]["familyName"], "King");
        assert_eq!(
            patched["emails"],
            json!([{"value": "ada@work.example", "type": "work", "primary": true}])
        );
        assert_eq!(patched["displayName"], "Ada");
    }

    #[test]
    fn group_members_are_added_once_and_removed_by_filter_or_value() {
        let mut group = json!({"displayName": "Ops", "members": [{"value": "a"}]});
        let body = patch(json!([
            {"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}, {"value": "c"}]},
            {"op": "remove", "path": "members[value eq \"b\"]"},
            {"op": "remove", "path": "members", "value": [{"value": "c"}]}
        ]));
        apply(&mut group, &body, GROUP_SCHEMA, GROUP_ATTRIBUTES).unwrap();
        assert_eq!(group["members"], json!([{"value": "a"}]));
        let body = patch(json!([{"op": "remove", "path": "members"}]));
        apply(&mut group, &body, GROUP_SCHEMA, GROUP_ATTRIBUTES).unwrap();
        assert!(group.get("members").is_none());
    }

    #[test]
    fn refusals_say_why_in_scim_terms() {
        let cases = [
            (json!([{"op": "remove"}]), "noTarget"),
            (
                json!([{"op": "replace", "path": "nickName", "value": "x"}]),
                "invalidPath",
            ),
            (
                json!([{"op": "replace", "path": "groups", "value": []}]),
                "mutability",
            ),
            (
                json!([{"op": "replace", "path": "id", "value": "x"}]),
                "mutability",
            ),
            (
                json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x"}]),
                "noTarget",
            ),
            (
                json!([{"op": "replace", "path": "emails[type eq ", "value": "x"}]),
                "invalidPath",
            ),
            (json!([{"op": "move", "path": "userName"}]), "invalidSyntax"),
            (
                json!([{"op": "add", "path": "displayName"}]),
                "invalidValue",
            ),
            (
                json!([{"op": "replace", "path": "emails.value", "value": "x"}]),
                "invalidPath",
            ),
        ];
        for (operations, scim_type) in cases {
            let err = on_user(operations.clone()).unwrap_err();
            assert_eq!(err.scim_type(), scim_type, "{operations}: {err}");
        }
        let mut resource = user();
        let not_patch = json!({"schemas": ["urn:x"], "Operations": []});
        assert_eq!(
            apply(&mut resource, &not_patch, USER_SCHEMA, USER_ATTRIBUTES)
                .unwrap_err()
                .scim_type(),
            "invalidSyntax"
        );
        assert_eq!(
            resource,
            user(),
            "a refused PATCH changes nothing it was given"
        );
    }
}
