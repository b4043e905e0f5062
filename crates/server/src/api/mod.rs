//! JSON API handlers by domain. Each handler authenticates with the
//! [`crate::auth::Authenticated`] extractor and asks [`reach_core::policy::authorize`]
//! before acting; none compares roles or companies itself.

pub mod attended;
pub mod companies;
pub mod devices;
pub mod domains;
pub mod enrollment;
pub mod exclusions;
pub mod groups;
pub mod members;
pub mod oidc;
pub mod roles;
pub mod saml;
pub mod sessions;
pub mod tokens;

/// Parses a JSON body, turning axum's rejection into our error shape.
pub type JsonBody<T> = Result<axum::Json<T>, axum::extract::rejection::JsonRejection>;

/// Adds the resource routes (everything an integration may call) under `prefix`:
/// `/api` for the console, `/api/v1` for API tokens. The same handlers serve
/// both; the extractor decides which credential each prefix takes.
pub fn resources(
    router: axum::Router<std::sync::Arc<crate::AppState>>,
    prefix: &str,
) -> axum::Router<std::sync::Arc<crate::AppState>> {
    use axum::routing::{delete, get, patch, post, put};
    router
        .route(&format!("{prefix}/devices"), get(devices::list))
        .route(
            &format!("{prefix}/devices/{{id}}/revoke"),
            post(devices::revoke),
        )
        .route(
            &format!("{prefix}/enrollment-tokens"),
            get(enrollment::list).post(enrollment::create),
        )
        .route(
            &format!("{prefix}/enrollment-tokens/{{id}}/revoke"),
            post(enrollment::revoke),
        )
        .route(
            &format!("{prefix}/sessions"),
            get(sessions::list).post(sessions::create),
        )
        .route(
            &format!("{prefix}/sessions/{{id}}/end"),
            post(sessions::end),
        )
        .route(&format!("{prefix}/session-keys"), post(attended::create))
        .route(&format!("{prefix}/audit-events"), get(crate::audit::list))
        .route(
            &format!("{prefix}/companies"),
            get(companies::list).post(companies::create),
        )
        .route(
            &format!("{prefix}/companies/{{id}}"),
            patch(companies::rename),
        )
        .route(&format!("{prefix}/company"), get(companies::own))
        .route(
            &format!("{prefix}/company/settings"),
            put(companies::update_settings),
        )
        .route(
            &format!("{prefix}/users"),
            get(members::list).post(members::create),
        )
        .route(
            &format!("{prefix}/users/{{id}}"),
            patch(members::update).delete(members::delete),
        )
        .route(
            &format!("{prefix}/users/{{id}}/remove"),
            post(members::remove),
        )
        .route(
            &format!("{prefix}/users/{{id}}/reset-two-factor"),
            post(members::reset_two_factor),
        )
        .route(
            &format!("{prefix}/user-groups"),
            get(groups::list).post(groups::create),
        )
        .route(
            &format!("{prefix}/user-groups/{{id}}"),
            put(groups::update).delete(groups::delete),
        )
        .route(
            &format!("{prefix}/roles"),
            get(roles::list).post(roles::create),
        )
        .route(
            &format!("{prefix}/roles/{{id}}"),
            put(roles::update).delete(roles::delete),
        )
        .route(
            &format!("{prefix}/role-grants"),
            get(roles::list_grants).post(roles::create_grant),
        )
        .route(
            &format!("{prefix}/role-grants/{{id}}"),
            delete(roles::delete_grant),
        )
        .route(
            &format!("{prefix}/device-groups"),
            get(devices::list_groups).post(devices::create_group),
        )
        .route(
            &format!("{prefix}/sso-domains"),
            get(domains::list).post(domains::add),
        )
        .route(
            &format!("{prefix}/sso-domains/{{id}}/verify"),
            post(domains::verify),
        )
        .route(
            &format!("{prefix}/sso-domains/{{id}}"),
            delete(domains::remove),
        )
        .route(
            &format!("{prefix}/sso-domains/{{id}}/saml"),
            get(saml::get_settings)
                .put(saml::put_provider)
                .delete(saml::remove_provider),
        )
        .route(
            &format!("{prefix}/sso-domains/{{id}}/owners"),
            get(domains::owners).put(domains::set_owners),
        )
        .route(
            &format!("{prefix}/sso-domains/{{id}}/oidc"),
            get(oidc::get_settings)
                .put(oidc::put_provider)
                .delete(oidc::remove_provider),
        )
        .route(
            &format!("{prefix}/sso-domains/{{id}}/saml/customer-identifier"),
            post(saml::new_customer_identifier),
        )
        .route(
            &format!("{prefix}/sso-domains/{{id}}/exclusions"),
            put(exclusions::put_exclusions),
        )
        .route(
            &format!("{prefix}/api-tokens"),
            get(tokens::list).post(tokens::create),
        )
        .route(
            &format!("{prefix}/api-tokens/{{id}}/revoke"),
            post(tokens::revoke),
        )
}
