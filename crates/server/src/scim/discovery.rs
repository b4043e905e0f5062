//! What a SCIM client reads before provisioning (RFC 7644 §4): what this
//! server supports, its resource types and their schemas.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use reach_core::scim::schema::{
    schema_json, GROUP_ATTRIBUTES, GROUP_SCHEMA, USER_ATTRIBUTES, USER_SCHEMA,
};
use serde_json::{json, Value};

use super::{answer, base, company, ScimResult, MAX_RESULTS};
use crate::auth::Authenticated;
use crate::error::{ApiFailure, ScimFailure};
use crate::AppState;

/// `GET /scim/v2/ServiceProviderConfig`.
pub async fn service_provider_config(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
) -> ScimResult {
    company(auth)?;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "API token",
            "description": "A Reach API token with the sso.manage scope: Authorization: Bearer TOKEN",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", base(&state)),
        },
    });
    Ok(answer(StatusCode::OK, &body))
}

fn resource_types_json(state: &AppState) -> Vec<Value> {
    let base = base(state);
    [("User", "/Users", USER_SCHEMA, "People who use Reach"), ("Group", "/Groups", GROUP_SCHEMA, "User groups")]
        .iter()
        .map(|(name, endpoint, schema, description)| {
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                "id": name,
                "name": name,
                "endpoint": endpoint,
                "description": description,
                "schema": schema,
                "schemaExtensions": [],
                "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}")},
            })
        })
        .collect()
}

fn schemas_json(state: &AppState) -> Vec<Value> {
    let base = base(state);
    vec![
        schema_json(
            USER_SCHEMA,
            "User",
            "Users",
            USER_ATTRIBUTES,
            &format!("{base}/Schemas/{USER_SCHEMA}"),
        ),
        schema_json(
            GROUP_SCHEMA,
            "Group",
            "Groups",
            GROUP_ATTRIBUTES,
            &format!("{base}/Schemas/{GROUP_SCHEMA}"),
        ),
    ]
}

/// A ListResponse of everything (discovery lists are neither filtered nor paged).
fn listed(resources: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// `GET /scim/v2/ResourceTypes`.
pub async fn resource_types(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
) -> ScimResult {
    company(auth)?;
    Ok(answer(StatusCode::OK, &listed(resource_types_json(&state))))
}

/// `GET /scim/v2/ResourceTypes/{name}`.
pub async fn resource_type(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Path(name): Path<String>,
) -> ScimResult {
    company(auth)?;
    resource_types_json(&state)
        .into_iter()
        .find(|r| r["id"] == name)
        .map(|r| answer(StatusCode::OK, &r))
        .ok_or_else(|| ScimFailure::not_found("resource type"))
}

/// `GET /scim/v2/Schemas`.
pub async fn schemas(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
) -> ScimResult {
    company(auth)?;
    Ok(answer(StatusCode::OK, &listed(schemas_json(&state))))
}

/// `GET /scim/v2/Schemas/{id}`.
pub async fn schema(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Path(id): Path<String>,
) -> ScimResult {
    company(auth)?;
    schemas_json(&state)
        .into_iter()
        .find(|s| s["id"] == id)
        .map(|s| answer(StatusCode::OK, &s))
        .ok_or_else(|| ScimFailure::not_found("schema"))
}
