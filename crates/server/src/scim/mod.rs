//! SCIM 2.0 provisioning (RFC 7643, RFC 7644) at `/scim/v2`: an identity
//! provider creates, changes and removes a company's users and groups. The
//! caller is an API token (user or company) with `sso.manage`; the token's
//! company is the only one it sees, so ids of another company are not found.
//!
//! Resources are built as JSON from the store, then filtered, sorted, paged and
//! projected in memory: a company's directory is small enough (tens of
//! thousands at most), and one code path serves every filter the RFC allows.
//! PATCH is applied to the JSON of the resource and the result checked as a
//! replacement would be (`reach_core::scim::patch`).

mod discovery;
mod groups;
mod resource;
mod users;

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use reach_core::policy::Action;
use reach_core::scim::filter::{parse_filter, Filter};
use reach_core::scim::schema::{self, Attribute};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::auth::Authenticated;
use crate::error::{ApiFailure, ScimFailure};
use crate::AppState;
use groups::Groups;
use users::Users;

/// Where SCIM lives; bearer tokens are taken on it (see `auth.rs`).
pub const PREFIX: &str = "/scim/v2";
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Most resources one page holds (announced in ServiceProviderConfig).
pub const MAX_RESULTS: usize = 200;

pub type ScimResult = Result<Response, ScimFailure>;

/// The SCIM routes, relative to [`PREFIX`] (nested there by the server).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{name}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/Users", get(resource::list::<Users>).post(users::create))
        .route("/Users/.search", post(resource::search::<Users>))
        .route(
            "/Users/{id}",
            get(resource::get::<Users>)
                .put(resource::replace::<Users>)
                .patch(resource::patch::<Users>)
                .delete(users::delete),
        )
        .route(
            "/Groups",
            get(resource::list::<Groups>).post(groups::create),
        )
        .route("/Groups/.search", post(resource::search::<Groups>))
        .route(
            "/Groups/{id}",
            get(resource::get::<Groups>)
                .put(resource::replace::<Groups>)
                .patch(resource::patch::<Groups>)
                .delete(groups::delete),
        )
        .route("/.search", post(search_everything))
        .fallback(unknown)
}

/// `POST /scim/v2/.search`: searching Users and Groups at once is optional
/// (RFC 7644 §3.4.3) and not offered; search each resource type instead.
async fn search_everything() -> ScimFailure {
    ScimFailure::new(
        StatusCode::NOT_IMPLEMENTED,
        None,
        "search Users and Groups separately (POST /Users/.search, /Groups/.search)",
    )
}

/// Anything else under `/scim/v2`: a SCIM 404.
async fn unknown() -> ScimFailure {
    ScimFailure::not_found("this SCIM endpoint")
}

/// The caller's company, once the token may provision it.
fn company(
    auth: Result<Authenticated, ApiFailure>,
) -> Result<(Authenticated, String), ScimFailure> {
    let auth = auth?;
    let company_id = auth.company_for(Action::ManageSso)?.to_string();
    Ok((auth, company_id))
}

/// `{base}/scim/v2`.
fn base(state: &AppState) -> String {
    format!("{}{PREFIX}", state.base_url)
}

/// A SCIM JSON answer.
fn answer(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, SCIM_CONTENT_TYPE)],
        body.to_string(),
    )
        .into_response()
}

/// 201 with the new resource and its location.
fn created(body: &Value) -> Response {
    let mut response = answer(StatusCode::CREATED, body);
    if let Some(location) = body["meta"]["location"]
        .as_str()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        response.headers_mut().insert(LOCATION, location);
    }
    response
}

/// A request body: JSON, whatever the content type says (`application/scim+json`
/// or `application/json`).
fn body_json(bytes: &Bytes) -> Result<Value, ScimFailure> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|err| ScimFailure::bad("invalidSyntax", format!("the body is not JSON: {err}")))?;
    if !value.is_object() {
        return Err(ScimFailure::bad(
            "invalidSyntax",
            "the body must be a JSON object",
        ));
    }
    Ok(value)
}

/// A resource's `schemas`, when sent, must include its core schema.
fn check_schemas(body: &Value, schema_id: &str) -> Result<(), ScimFailure> {
    match body.get("schemas") {
        None => Ok(()),
        Some(Value::Array(schemas))
            if schemas.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(schema_id))
            }) =>
        {
            Ok(())
        }
        Some(_) => Err(ScimFailure::bad(
            "invalidSyntax",
            format!("`schemas` must include {schema_id}"),
        )),
    }
}

/// The query of a list (RFC 7644 §3.4.2).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    filter: Option<String>,
    start_index: Option<i64>,
    count: Option<i64>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// `POST .../.search` (RFC 7644 §3.4.3): a list query in a body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchRequest {
    #[serde(default)]
    schemas: Vec<String>,
    filter: Option<String>,
    start_index: Option<i64>,
    count: Option<i64>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    attributes: Option<Vec<String>>,
    excluded_attributes: Option<Vec<String>>,
}

/// The list query a `.search` body stands for.
fn search_query(body: &Bytes) -> Result<ListQuery, ScimFailure> {
    let request: SearchRequest = serde_json::from_value(body_json(body)?)
        .map_err(|err| ScimFailure::bad("invalidSyntax", format!("not a SearchRequest: {err}")))?;
    if !request.schemas.iter().any(|s| s == SEARCH_REQUEST) {
        return Err(ScimFailure::bad(
            "invalidSyntax",
            format!("`schemas` must name {SEARCH_REQUEST}"),
        ));
    }
    Ok(ListQuery {
        filter: request.filter,
        start_index: request.start_index,
        count: request.count,
        sort_by: request.sort_by,
        sort_order: request.sort_order,
        attributes: request.attributes.map(|a| a.join(",")),
        excluded_attributes: request.excluded_attributes.map(|a| a.join(",")),
    })
}

/// Which attributes to return (RFC 7644 §3.4.2.5).
pub struct Projection {
    attributes: Vec<(String, Option<String>)>,
    excluded: Vec<(String, Option<String>)>,
}

fn attribute_list(text: Option<&str>, schema_id: &str) -> Vec<(String, Option<String>)> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            // `urn:...:User:name.givenName` names the same as `name.givenName`.
            let a = a
                .strip_prefix(schema_id)
                .and_then(|rest| rest.strip_prefix(':'))
                .unwrap_or(a);
            match a.split_once('.') {
                Some((name, sub)) => (name.to_string(), Some(sub.to_string())),
                None => (a.to_string(), None),
            }
        })
        .collect()
}

impl Projection {
    pub fn new(attributes: Option<&str>, excluded: Option<&str>, schema_id: &str) -> Self {
        Self {
            attributes: attribute_list(attributes, schema_id),
            excluded: attribute_list(excluded, schema_id),
        }
    }

    /// `resource` with only what was asked for: `id` and `schemas` always.
    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(mut object) = resource else {
            return resource;
        };
        if !self.attributes.is_empty() {
            let mut kept = Map::new();
            for (key, value) in &object {
                let always = key == "id" || key == "schemas";
                let asked: Vec<&Option<String>> = self
                    .attributes
                    .iter()
                    .filter(|(name, _)| name.eq_ignore_ascii_case(key))
                    .map(|(_, sub)| sub)
                    .collect();
                if always || asked.iter().any(|sub| sub.is_none()) {
                    kept.insert(key.clone(), value.clone());
                } else if !asked.is_empty() {
                    let subs: Vec<&str> = asked.iter().filter_map(|s| s.as_deref()).collect();
                    kept.insert(key.clone(), only_subs(value, &subs));
                }
            }
            object = kept;
        }
        for (name, sub) in &self.excluded {
            let Some(key) = object
                .keys()
                .find(|k| k.eq_ignore_ascii_case(name))
                .cloned()
            else {
                continue;
            };
            if key == "id" || key == "schemas" {
                continue;
            }
            match sub {
                None => {
                    object.remove(&key);
                }
                Some(sub) => {
                    if let Some(value) = object.get_mut(&key) {
                        drop_sub(value, sub);
                    }
                }
            }
        }
        Value::Object(object)
    }
}

fn only_subs(value: &Value, subs: &[&str]) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| only_subs(item, subs)).collect())
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(k, _)| subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn drop_sub(value: &mut Value, sub: &str) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| drop_sub(item, sub)),
        Value::Object(object) => {
            object.retain(|k, _| !k.eq_ignore_ascii_case(sub));
        }
        _ => {}
    }
}

/// The value `path` (`attr` or `attr.sub`) sorts by: for a multi-valued
/// attribute, its primary element's (else the first).
fn sort_key(resource: &Value, path: &str) -> Option<Value> {
    let (name, sub) = match path.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (path, None),
    };
    let get = |value: &Value, key: &str| -> Option<Value> {
        value
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    let mut value = get(resource, name)?;
    if let Value::Array(items) = &value {
        let chosen = items
            .iter()
            .find(|item| item.get("primary") == Some(&Value::Bool(true)))
            .or_else(|| items.first())?;
        value = chosen.clone();
        if sub.is_none() {
            value = get(&value, "value").unwrap_or(value);
        }
    }
    match sub {
        Some(sub) => get(&value, sub),
        None => Some(value),
    }
}

fn compare_keys(a: &Option<Value>, b: &Option<Value>, case_exact: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        // Resources without the attribute go last (RFC 7644 §3.4.2.3).
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::String(x)), Some(Value::String(y))) if !case_exact => {
            x.to_lowercase().cmp(&y.to_lowercase())
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}

/// Filters, sorts, pages and projects `resources` as `query` asks; the
/// ListResponse.
fn list_response(
    resources: Vec<Value>,
    query: &ListQuery,
    schema_id: &str,
    attributes: &[Attribute],
) -> Result<Value, ScimFailure> {
    let case_exact = |name: &str, sub: Option<&str>| schema::case_exact(attributes, name, sub);
    let mut resources = match query
        .filter
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        Some(text) => {
            let filter: Filter = parse_filter(text)
                .map_err(|err| ScimFailure::bad("invalidFilter", err.to_string()))?;
            resources
                .into_iter()
                .filter(|resource| filter.matches(resource, &case_exact))
                .collect()
        }
        None => resources,
    };
    if let Some(path) = query
        .sort_by
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let path = path
            .strip_prefix(schema_id)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(path);
        let (name, sub) = match path.split_once('.') {
            Some((name, sub)) => (name, Some(sub)),
            None => (path, None),
        };
        let exact = schema::case_exact(attributes, name, sub);
        let descending = query
            .sort_order
            .as_deref()
            .is_some_and(|order| order.eq_ignore_ascii_case("descending"));
        let mut keyed: Vec<(Option<Value>, Value)> = resources
            .into_iter()
            .map(|resource| (sort_key(&resource, path), resource))
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            let order = compare_keys(a, b, exact);
            // Missing values stay last either way.
            if descending && a.is_some() && b.is_some() {
                order.reverse()
            } else {
                order
            }
        });
        resources = keyed.into_iter().map(|(_, resource)| resource).collect();
    }
    let total = resources.len();
    let start = query.start_index.unwrap_or(1).max(1);
    let count = query
        .count
        .unwrap_or(MAX_RESULTS as i64)
        .clamp(0, MAX_RESULTS as i64);
    let projection = Projection::new(
        query.attributes.as_deref(),
        query.excluded_attributes.as_deref(),
        schema_id,
    );
    let page: Vec<Value> = resources
        .into_iter()
        .skip(usize::try_from(start - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(0))
        .map(|resource| projection.apply(resource))
        .collect();
    Ok(json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": page.len(),
        "Resources": page,
    }))
}

/// `?attributes=&excludedAttributes=` on a single resource.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceQuery {
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

impl ResourceQuery {
    fn projection(&self, schema_id: &str) -> Projection {
        Projection::new(
            self.attributes.as_deref(),
            self.excluded_attributes.as_deref(),
            schema_id,
        )
    }
}

/// The `meta` of a resource.
fn meta(resource_type: &str, location: String, created: i64, modified: i64) -> Value {
    json!({
        "resourceType": resource_type,
        "created": reach_core::saml::format_instant(created),
        "lastModified": reach_core::saml::format_instant(modified),
        "location": location,
    })
}

/// A string attribute of `body`, trimmed; `None` when absent or null.
fn string_attribute(body: &Value, name: &str) -> Result<Option<String>, ScimFailure> {
    match find(body, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.trim().to_string())),
        Some(_) => Err(ScimFailure::bad(
            "invalidValue",
            format!("{name} must be a string"),
        )),
    }
}

/// The attribute `name` of an object, found without regard to case.
fn find<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    body.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use reach_core::scim::schema::{USER_ATTRIBUTES, USER_SCHEMA};

    fn people() -> Vec<Value> {
        vec![
            json!({"id": "1", "userName": "bob", "name": {"givenName": "Bob"}}),
            json!({"id": "2", "userName": "Ada", "emails": [{"value": "z@x", "primary": true}]}),
            json!({"id": "3", "userName": "carol"}),
        ]
    }

    fn ids(list: &Value) -> Vec<&str> {
        list["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn lists_are_filtered_sorted_paged_and_projected() {
        let query = ListQuery {
            sort_by: Some("userName".into()),
            ..ListQuery::default()
        };
        let list = list_response(people(), &query, USER_SCHEMA, USER_ATTRIBUTES).unwrap();
        assert_eq!(
            ids(&list),
            ["2", "1", "3"],
            "case-insensitive userName order"
        );
        let query = ListQuery {
            sort_by: Some("name.givenName".into()),
            sort_order: Some("descending".into()),
            start_index: Some(1),
            count: Some(2),
            ..ListQuery::default()
        };
        let list = list_response(people(), &query, USER_SCHEMA, USER_ATTRIBUTES).unwrap();
        assert_eq!(
            ids(&list),
            ["1", "2"],
            "missing values last, even descending"
        );
        assert_eq!(
            (list["totalResults"].as_u64(), list["itemsPerPage"].as_u64()),
            (Some(3), Some(2))
        );
        let query = ListQuery {
            filter: Some("userName eq \"ADA\"".into()),
            attributes: Some("emails.value".into()),
            ..ListQuery::default()
        };
        let list = list_response(people(), &query, USER_SCHEMA, USER_ATTRIBUTES).unwrap();
        assert_eq!(
            list["Resources"],
            json!([{"id": "2", "emails": [{"value": "z@x"}]}])
        );
        let query = ListQuery {
            filter: Some("userName xx \"a\"".into()),
            ..ListQuery::default()
        };
        let err = list_response(people(), &query, USER_SCHEMA, USER_ATTRIBUTES).unwrap_err();
        assert_eq!(err.scim_type, Some("invalidFilter"));
    }

    #[test]
    fn excluded_attributes_never_drop_the_id() {
        let projection = Projection::new(None, Some("name.givenName,id,emails"), USER_SCHEMA);
        let shown = projection
            .apply(json!({"id": "1", "name": {"givenName": "A", "familyName": "B"}, "emails": []}));
        assert_eq!(shown, json!({"id": "1", "name": {"familyName": "B"}}));
    }
}
