//! The OpenAPI 3 document of the REST API on `/api/v1`, served at
//! `GET /api/v1/openapi.json` (no sign-in needed: it describes, it grants
//! nothing). Schemas are generated from the wire types (`schemars`); the table
//! below names each operation, its body, its answer and the permission it needs.
//! A test keeps the table equal to the routes in `api::resources`.

use std::sync::OnceLock;

use axum::response::{IntoResponse, Response};
use reach_proto::access::Permission;
use reach_proto::api::{
    ApiError, AuditEventView, CreateEnrollmentToken, CreateSession, DeviceView,
    EnrollmentTokenCreated, EnrollmentTokenView, SessionView,
};
use reach_proto::attended::SessionKeyCreated;
use reach_proto::directory::{
    AddSsoDomain, ApiTokenCreated, ApiTokenView, CompanyCreated, CompanySettingsView, CompanyView,
    CreateApiToken, CreateCompany, CreateMember, DeviceGroupInput, DeviceGroupView, GrantInput,
    GrantView, MemberCreated, MemberView, RenameCompany, RoleInput, RoleView, SsoDomainView,
    UpdateMember, UserGroupInput, UserGroupView,
};
use reach_proto::sso::{
    CustomerIdentifierCreated, DomainOwnersView, IdentityProviderInput, OidcProviderInput,
    OidcSettingsView, SamlSettingsView, SetDomainOwners, SsoExclusions,
};
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

type SchemaOf = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// Who may call an operation.
#[derive(Clone, Copy)]
enum Needs {
    Permission(Permission),
    /// Any member of the company (the answer is filtered by permissions).
    Member,
    /// Server operators (API tokens never are).
    Operator,
}

struct Operation {
    method: &'static str,
    /// Under `/api/v1`.
    path: &'static str,
    summary: &'static str,
    needs: Needs,
    request: Option<SchemaOf>,
    /// `None`: 204 No Content.
    response: Option<SchemaOf>,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    needs: Needs,
    request: Option<SchemaOf>,
    response: Option<SchemaOf>,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        needs,
        request,
        response,
    }
}

use Needs::{Member, Operator};
use Permission as P;

fn operations() -> Vec<Operation> {
    let needs = Needs::Permission;
    vec![
        op(
            "get",
            "/devices",
            "Devices the caller may act on",
            Member,
            None,
            Some(schema::<Vec<DeviceView>>),
        ),
        op(
            "post",
            "/devices/{id}/revoke",
            "Revoke a device (its agent is cut off)",
            needs(P::ManageDevices),
            None,
            Some(schema::<DeviceView>),
        ),
        op(
            "get",
            "/device-groups",
            "Device groups",
            Member,
            None,
            Some(schema::<Vec<DeviceGroupView>>),
        ),
        op(
            "post",
            "/device-groups",
            "Create a device group",
            needs(P::ManageDevices),
            Some(schema::<DeviceGroupInput>),
            Some(schema::<DeviceGroupView>),
        ),
        op(
            "get",
            "/enrollment-tokens",
            "Enrollment tokens",
            needs(P::ManageDevices),
            None,
            Some(schema::<Vec<EnrollmentTokenView>>),
        ),
        op(
            "post",
            "/enrollment-tokens",
            "Create an enrollment token (the secret is returned once)",
            needs(P::ManageDevices),
            Some(schema::<CreateEnrollmentToken>),
            Some(schema::<EnrollmentTokenCreated>),
        ),
        op(
            "post",
            "/enrollment-tokens/{id}/revoke",
            "Revoke an enrollment token",
            needs(P::ManageDevices),
            None,
            Some(schema::<EnrollmentTokenView>),
        ),
        op(
            "get",
            "/sessions",
            "Session history: the caller's own, or everyone's with reports.view",
            Member,
            None,
            Some(schema::<Vec<SessionView>>),
        ),
        op(
            "post",
            "/sessions",
            "Start a session on an online device: session.unattended for an enrolled device, \
             session.attended (and being its technician) for one joined with a session key",
            needs(P::StartUnattendedSession),
            Some(schema::<CreateSession>),
            Some(schema::<SessionView>),
        ),
        op(
            "post",
            "/session-keys",
            "Create a session key (9 digits, 15 minutes, single use) and the portal link for an end user",
            needs(P::StartAttendedSession),
            None,
            Some(schema::<SessionKeyCreated>),
        ),
        op(
            "post",
            "/sessions/{id}/end",
            "End one of the caller's sessions",
            Member,
            None,
            Some(schema::<SessionView>),
        ),
        op(
            "get",
            "/audit-events",
            "The event log, newest first (query: limit ≤ 500, before = an event id)",
            needs(P::ViewEventLog),
            None,
            Some(schema::<Vec<AuditEventView>>),
        ),
        op(
            "get",
            "/companies",
            "Companies on the server",
            Operator,
            None,
            Some(schema::<Vec<CompanyView>>),
        ),
        op(
            "post",
            "/companies",
            "Create a company with its first administrator",
            Operator,
            Some(schema::<CreateCompany>),
            Some(schema::<CompanyCreated>),
        ),
        op(
            "patch",
            "/companies/{id}",
            "Rename a company",
            Operator,
            Some(schema::<RenameCompany>),
            Some(schema::<CompanyView>),
        ),
        op(
            "get",
            "/company",
            "The caller's company and its settings",
            needs(P::ManageCompany),
            None,
            Some(schema::<CompanyView>),
        ),
        op(
            "put",
            "/company/settings",
            "Change the company's settings",
            needs(P::ManageCompany),
            Some(schema::<CompanySettingsView>),
            Some(schema::<CompanyView>),
        ),
        op(
            "get",
            "/users",
            "Members of the company",
            needs(P::ManageUsers),
            None,
            Some(schema::<Vec<MemberView>>),
        ),
        op(
            "post",
            "/users",
            "Add a member (role_ids need roles.manage too)",
            needs(P::ManageUsers),
            Some(schema::<CreateMember>),
            Some(schema::<MemberCreated>),
        ),
        op(
            "patch",
            "/users/{id}",
            "Rename, disable or enable a member",
            needs(P::ManageUsers),
            Some(schema::<UpdateMember>),
            Some(schema::<MemberView>),
        ),
        op(
            "delete",
            "/users/{id}",
            "Delete the account (personal data erased, history kept)",
            needs(P::ManageUsers),
            None,
            None,
        ),
        op(
            "post",
            "/users/{id}/remove",
            "Remove from the company (the account stays)",
            needs(P::ManageUsers),
            None,
            None,
        ),
        op(
            "post",
            "/users/{id}/reset-two-factor",
            "Turn off a member's two-factor sign-in",
            needs(P::ManageUsers),
            None,
            None,
        ),
        op(
            "get",
            "/user-groups",
            "User groups",
            needs(P::ManageUsers),
            None,
            Some(schema::<Vec<UserGroupView>>),
        ),
        op(
            "post",
            "/user-groups",
            "Create a user group",
            needs(P::ManageUsers),
            Some(schema::<UserGroupInput>),
            Some(schema::<UserGroupView>),
        ),
        op(
            "put",
            "/user-groups/{id}",
            "Rename a user group and replace its members",
            needs(P::ManageUsers),
            Some(schema::<UserGroupInput>),
            Some(schema::<UserGroupView>),
        ),
        op(
            "delete",
            "/user-groups/{id}",
            "Delete a user group (and its grants)",
            needs(P::ManageUsers),
            None,
            None,
        ),
        op(
            "get",
            "/roles",
            "Roles, built-in first",
            needs(P::ManageRoles),
            None,
            Some(schema::<Vec<RoleView>>),
        ),
        op(
            "post",
            "/roles",
            "Create a role",
            needs(P::ManageRoles),
            Some(schema::<RoleInput>),
            Some(schema::<RoleView>),
        ),
        op(
            "put",
            "/roles/{id}",
            "Replace a role (built-in roles are fixed)",
            needs(P::ManageRoles),
            Some(schema::<RoleInput>),
            Some(schema::<RoleView>),
        ),
        op(
            "delete",
            "/roles/{id}",
            "Delete a role and its grants",
            needs(P::ManageRoles),
            None,
            None,
        ),
        op(
            "get",
            "/role-grants",
            "Role grants",
            needs(P::ManageRoles),
            None,
            Some(schema::<Vec<GrantView>>),
        ),
        op(
            "post",
            "/role-grants",
            "Grant a role to a user or user group, company-wide or on a device group",
            needs(P::ManageRoles),
            Some(schema::<GrantInput>),
            Some(schema::<GrantView>),
        ),
        op(
            "delete",
            "/role-grants/{id}",
            "Take a grant back",
            needs(P::ManageRoles),
            None,
            None,
        ),
        op(
            "get",
            "/sso-domains",
            "Single sign-on domains and their verification",
            needs(P::ManageSso),
            None,
            Some(schema::<Vec<SsoDomainView>>),
        ),
        op(
            "post",
            "/sso-domains",
            "Claim an e-mail domain (then publish its TXT record)",
            needs(P::ManageSso),
            Some(schema::<AddSsoDomain>),
            Some(schema::<SsoDomainView>),
        ),
        op(
            "post",
            "/sso-domains/{id}/verify",
            "Start looking for the TXT record (for 24 hours)",
            needs(P::ManageSso),
            None,
            Some(schema::<SsoDomainView>),
        ),
        op(
            "delete",
            "/sso-domains/{id}",
            "Remove a domain",
            needs(P::ManageSso),
            None,
            None,
        ),
        op(
            "get",
            "/sso-domains/{id}/saml",
            "A domain's SAML settings: what to give the identity provider, the identity provider, exclusions",
            needs(P::ManageSso),
            None,
            Some(schema::<SamlSettingsView>),
        ),
        op(
            "put",
            "/sso-domains/{id}/saml",
            "Set the identity provider from its metadata XML or typed-in values",
            needs(P::ManageSso),
            Some(schema::<IdentityProviderInput>),
            Some(schema::<SamlSettingsView>),
        ),
        op(
            "delete",
            "/sso-domains/{id}/saml",
            "Remove the identity provider (single sign-on stops for the domain)",
            needs(P::ManageSso),
            None,
            None,
        ),
        op(
            "get",
            "/sso-domains/{id}/owners",
            "A domain's owners (they manage its single sign-on from the console)",
            needs(P::ManageSso),
            None,
            Some(schema::<DomainOwnersView>),
        ),
        op(
            "put",
            "/sso-domains/{id}/owners",
            "Set a domain's owners, by address",
            needs(P::ManageSso),
            Some(schema::<SetDomainOwners>),
            Some(schema::<DomainOwnersView>),
        ),
        op(
            "get",
            "/sso-domains/{id}/oidc",
            "A domain's OpenID Connect settings: the redirect URI to register, the provider, exclusions",
            needs(P::ManageSso),
            None,
            Some(schema::<OidcSettingsView>),
        ),
        op(
            "put",
            "/sso-domains/{id}/oidc",
            "Set the OpenID Connect provider (checked by reading its discovery document)",
            needs(P::ManageSso),
            Some(schema::<OidcProviderInput>),
            Some(schema::<OidcSettingsView>),
        ),
        op(
            "delete",
            "/sso-domains/{id}/oidc",
            "Remove the OpenID Connect provider (single sign-on stops for the domain)",
            needs(P::ManageSso),
            None,
            None,
        ),
        op(
            "post",
            "/sso-domains/{id}/saml/customer-identifier",
            "Generate a new customer identifier (returned once)",
            needs(P::ManageSso),
            None,
            Some(schema::<CustomerIdentifierCreated>),
        ),
        op(
            "put",
            "/sso-domains/{id}/exclusions",
            "Set the addresses that keep password sign-in",
            needs(P::ManageSso),
            Some(schema::<SsoExclusions>),
            Some(schema::<SamlSettingsView>),
        ),
        op(
            "get",
            "/api-tokens",
            "API tokens",
            needs(P::ManageApiTokens),
            None,
            Some(schema::<Vec<ApiTokenView>>),
        ),
        op(
            "post",
            "/api-tokens",
            "Create an API token (the secret is returned once)",
            needs(P::ManageApiTokens),
            Some(schema::<CreateApiToken>),
            Some(schema::<ApiTokenCreated>),
        ),
        op(
            "post",
            "/api-tokens/{id}/revoke",
            "Revoke an API token",
            needs(P::ManageApiTokens),
            None,
            Some(schema::<ApiTokenView>),
        ),
    ]
}

fn operation_json(operation: &Operation, generator: &mut SchemaGenerator) -> Value {
    let needs = match operation.needs {
        Needs::Permission(p) => format!("Needs the permission `{}`.", p.as_str()),
        Needs::Member => {
            "Any member of the company; the answer covers what the caller may see.".into()
        }
        Needs::Operator => "Server operators only; API tokens are never operators.".into(),
    };
    let error = json!({"description": "Refused: see `code` (and `request_id` in the server log)",
        "content": {"application/json": {"schema": generator.subschema_for::<ApiError>()}}});
    let mut responses = Map::new();
    match operation.response {
        Some(response) => {
            responses.insert(
                "200".into(),
                json!({"description": "OK", "content": {"application/json": {"schema": response(generator)}}}),
            );
        }
        None => {
            responses.insert("204".into(), json!({"description": "Done"}));
        }
    }
    responses.insert("default".into(), error);
    let mut value = json!({
        "summary": operation.summary,
        "description": needs,
        "operationId": format!("{}{}", operation.method, operation.path.replace(['/', '{', '}', '-'], "_")),
        "responses": responses,
    });
    if operation.path.contains("{id}") {
        value["parameters"] =
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    }
    if let Some(request) = operation.request {
        value["requestBody"] = json!({"required": true,
            "content": {"application/json": {"schema": request(generator)}}});
    }
    value
}

fn build() -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let mut paths = Map::new();
    for operation in operations() {
        let entry = paths
            .entry(operation.path.to_string())
            .or_insert_with(|| json!({}));
        entry[operation.method] = operation_json(&operation, &mut generator);
    }
    let schemas: Map<String, Value> = generator
        .take_definitions()
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or(Value::Null)))
        .collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Reach REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Authenticate with an API token: `Authorization: Bearer rat_...` \
                (create one in the console under API tokens, or with `reach admin api-token create`). \
                A token acts as its user limited to its scopes, or for its company. \
                Errors carry a stable `code`, a message and a `request_id`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
    })
}

/// The document, built once.
pub fn document_json() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

pub async fn document() -> Response {
    axum::Json(document_json()).into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// `(method, path)` of every route `api::resources` adds, read from its source.
    fn resource_routes() -> BTreeSet<(String, String)> {
        let source = include_str!("api/mod.rs");
        let mut routes = BTreeSet::new();
        for chunk in source.split(".route(").skip(1) {
            let Some(path) = chunk.split('"').nth(1) else {
                continue;
            };
            let Some(path) = path.strip_prefix("{prefix}") else {
                continue;
            };
            let path = path.replace("{{id}}", "{id}");
            let end = chunk.find("\n        .route").unwrap_or(chunk.len());
            for method in ["get", "post", "put", "patch", "delete"] {
                if chunk[..end].contains(&format!("{method}(")) {
                    routes.insert((method.to_string(), path.clone()));
                }
            }
        }
        routes
    }

    #[test]
    fn documents_every_resource_route() {
        let routes = resource_routes();
        assert!(routes.len() > 30, "{routes:?}");
        let documented: BTreeSet<(String, String)> = operations()
            .iter()
            .map(|o| (o.method.to_string(), o.path.to_string()))
            .collect();
        assert_eq!(routes, documented);
    }

    #[test]
    fn every_reference_resolves() {
        let document = document_json();
        let text = document.to_string();
        let schemas = &document["components"]["schemas"];
        for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap_or_default();
            assert!(schemas.get(name).is_some(), "unresolved schema {name}");
        }
        assert!(schemas.get("Permission").is_some());
        assert_eq!(
            document["paths"]["/users/{id}"]["delete"]["responses"]["204"]["description"],
            "Done"
        );
    }
}
