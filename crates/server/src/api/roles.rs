//! Roles (named permission sets with restrictions) and role grants (a role given
//! to a user or user group, company-wide or on one device group). Built-in roles
//! are read-only, and the owner's company-wide Administrator grant can't be taken
//! back, so no edit here can lock a company out.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use reach_core::policy::{valid_allowed_path, Action};
use reach_core::{now_millis, validate};
use reach_proto::access::{BuiltinRole, Permission};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::{GrantInput, GrantView, RoleInput, RoleView};
use reach_store::{Grantee, Role, RoleGrant, StoreError};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// Most entries in one path allow-list.
const MAX_ALLOWED_PATHS: usize = 64;

pub fn role_view(role: &Role) -> RoleView {
    RoleView {
        id: role.id.clone(),
        name: role.name.clone(),
        description: role.description.clone(),
        builtin: role.builtin,
        permissions: role.effective_permissions(),
        view_only: role.view_only,
        upload_paths: role.upload_paths.clone(),
        download_paths: role.download_paths.clone(),
        created_at: role.created_at,
    }
}

fn grant_view(grant: &RoleGrant) -> GrantView {
    let (user_id, group_id) = match &grant.grantee {
        Grantee::User(id) => (Some(id.clone()), None),
        Grantee::Group(id) => (None, Some(id.clone())),
    };
    GrantView {
        id: grant.id.clone(),
        role_id: grant.role_id.clone(),
        user_id,
        group_id,
        device_group_id: grant.device_group_id.clone(),
        created_at: grant.created_at,
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<RoleView>>, ApiFailure> {
    let company_id = auth.company_for(Action::ManageRoles)?;
    let roles = state.store.list_roles(company_id).await?;
    Ok(Json(roles.iter().map(role_view).collect()))
}

fn allowed_paths(
    field: &str,
    paths: Option<Vec<String>>,
) -> Result<Option<Vec<String>>, ApiFailure> {
    let Some(paths) = paths else {
        return Ok(None);
    };
    if paths.len() > MAX_ALLOWED_PATHS {
        return Err(ApiFailure::bad_request(format!(
            "{field} may list at most {MAX_ALLOWED_PATHS} paths"
        )));
    }
    let mut cleaned = Vec::with_capacity(paths.len());
    for path in paths {
        let path = path.trim().to_string();
        if path.len() > 1024 || !valid_allowed_path(&path) {
            return Err(ApiFailure::bad_request(format!(
                "{field}: `{path}` is not an absolute path without `..`"
            )));
        }
        if !cleaned.contains(&path) {
            cleaned.push(path);
        }
    }
    Ok(Some(cleaned))
}

/// Checks and normalizes a role as submitted.
fn role_from_input(input: RoleInput, id: String, company_id: &str) -> Result<Role, ApiFailure> {
    let name = validate::name("role name", &input.name, 64)?;
    let description = input.description.trim().to_string();
    if description.chars().count() > 500 {
        return Err(ApiFailure::bad_request(
            "the description may have at most 500 characters",
        ));
    }
    let permissions: BTreeSet<Permission> = input.permissions.into_iter().collect();
    Ok(Role {
        id,
        company_id: company_id.to_string(),
        name,
        description,
        builtin: None,
        permissions: permissions.into_iter().collect(),
        view_only: input.view_only,
        upload_paths: allowed_paths("upload_paths", input.upload_paths)?,
        download_paths: allowed_paths("download_paths", input.download_paths)?,
        created_at: now_millis(),
    })
}

fn permission_names(role: &Role) -> String {
    role.effective_permissions()
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn paths_text(paths: &Option<Vec<String>>) -> String {
    match paths {
        Some(paths) => paths.join(", "),
        None => "anywhere".into(),
    }
}

fn name_conflict(err: StoreError) -> ApiFailure {
    match err {
        StoreError::Conflict(_) => {
            ApiFailure::new(ErrorCode::Conflict, "a role with this name already exists")
        }
        other => other.into(),
    }
}

fn builtin_refused() -> ApiFailure {
    ApiFailure::new(
        ErrorCode::BuiltinRole,
        "built-in roles can't be changed or deleted; create a role of your own instead",
    )
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<RoleInput>,
) -> Result<Json<RoleView>, ApiFailure> {
    let Json(input) = body?;
    let company_id = auth.company_for(Action::ManageRoles)?;
    let role = role_from_input(input, uuid::Uuid::new_v4().to_string(), company_id)?;
    state
        .store
        .create_role(&role)
        .await
        .map_err(name_conflict)?;
    let entry = Entry::new(company_id, AuditCode::RoleCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("role", &role.id, Some(&role.name))
        .detail("permissions", permission_names(&role))
        .detail("view_only", role.view_only)
        .detail("upload_paths", paths_text(&role.upload_paths))
        .detail("download_paths", paths_text(&role.download_paths));
    audit::record(&state, entry).await;
    Ok(Json(role_view(&role)))
}

pub async fn update(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<RoleInput>,
) -> Result<Json<RoleView>, ApiFailure> {
    let Json(input) = body?;
    let company_id = auth.company_for(Action::ManageRoles)?;
    let before = state.store.role(company_id, &id).await?;
    if before.builtin.is_some() {
        return Err(builtin_refused());
    }
    let mut role = role_from_input(input, id, company_id)?;
    role.created_at = before.created_at;
    let after = state
        .store
        .update_role(&role)
        .await
        .map_err(name_conflict)?;
    let entry = Entry::new(company_id, AuditCode::RoleUpdated, Actor::user(&auth))
        .ip(auth.ip)
        .target("role", &after.id, Some(&after.name))
        .detail("name_before", &before.name)
        .detail("permissions_before", permission_names(&before))
        .detail("permissions_after", permission_names(&after))
        .detail("view_only_before", before.view_only)
        .detail("view_only_after", after.view_only)
        .detail("upload_paths_after", paths_text(&after.upload_paths))
        .detail("download_paths_after", paths_text(&after.download_paths));
    audit::record(&state, entry).await;
    Ok(Json(role_view(&after)))
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let company_id = auth.company_for(Action::ManageRoles)?;
    if state.store.role(company_id, &id).await?.builtin.is_some() {
        return Err(builtin_refused());
    }
    let role = state.store.delete_role(company_id, &id).await?;
    let entry = Entry::new(company_id, AuditCode::RoleDeleted, Actor::user(&auth))
        .ip(auth.ip)
        .target("role", &role.id, Some(&role.name))
        .detail("permissions", permission_names(&role));
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_grants(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<GrantView>>, ApiFailure> {
    let company_id = auth.company_for(Action::ManageRoles)?;
    let grants = state.store.list_grants(company_id).await?;
    Ok(Json(grants.iter().map(grant_view).collect()))
}

/// Describes a grant for the event log: role, grantee and scope by name.
async fn grant_entry(
    state: &AppState,
    auth: &Authenticated,
    code: AuditCode,
    grant: &RoleGrant,
) -> Result<Entry, ApiFailure> {
    let company_id = &grant.company_id;
    let role = state.store.role(company_id, &grant.role_id).await?;
    let grantee = match &grant.grantee {
        Grantee::User(id) => ("user", state.store.user(id).await?.email),
        Grantee::Group(id) => ("group", state.store.user_group(company_id, id).await?.name),
    };
    let device_group = match &grant.device_group_id {
        Some(id) => Some(
            state
                .store
                .list_device_groups(company_id)
                .await?
                .into_iter()
                .find(|g| &g.id == id)
                .map_or_else(|| id.clone(), |g| g.name),
        ),
        None => None,
    };
    let entry = Entry::new(company_id, code, Actor::user(auth))
        .ip(auth.ip)
        .target("role", &role.id, Some(&role.name))
        .detail("grant_id", &grant.id)
        .detail(grantee.0, grantee.1);
    // The scope as a key the console translates, and the group's name apart.
    Ok(match device_group {
        Some(name) => entry
            .detail("scope", "device_group")
            .detail("device_group", name),
        None => entry.detail("scope", "company"),
    })
}

pub async fn create_grant(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<GrantInput>,
) -> Result<Json<GrantView>, ApiFailure> {
    let Json(input) = body?;
    let company_id = auth.company_for(Action::ManageRoles)?;
    let grantee = match (input.user_id, input.group_id) {
        (Some(user), None) => Grantee::User(user),
        (None, Some(group)) => Grantee::Group(group),
        _ => {
            return Err(ApiFailure::bad_request(
                "grant a role to exactly one of a user or a user group",
            ))
        }
    };
    let grant = RoleGrant {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company_id.to_string(),
        role_id: input.role_id,
        grantee,
        device_group_id: input.device_group_id,
        created_at: now_millis(),
    };
    match state.store.create_grant(&grant).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiFailure::new(
                ErrorCode::Conflict,
                "this role is already granted there",
            ))
        }
        Err(StoreError::NotFound) => {
            return Err(ApiFailure::new(
                ErrorCode::NotFound,
                "unknown role, user, user group or device group",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    let entry = grant_entry(&state, &auth, AuditCode::RoleGranted, &grant).await?;
    audit::record(&state, entry).await;
    Ok(Json(grant_view(&grant)))
}

pub async fn delete_grant(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let company_id = auth.company_for(Action::ManageRoles)?;
    let grant = state
        .store
        .list_grants(company_id)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(ApiFailure::not_found)?;
    let owner = state.store.company(company_id).await?.owner_id;
    let role = state.store.role(company_id, &grant.role_id).await?;
    let owners_admin_grant = role.builtin == Some(BuiltinRole::Administrator)
        && grant.device_group_id.is_none()
        && matches!(&grant.grantee, Grantee::User(user) if Some(user) == owner.as_ref());
    if owners_admin_grant {
        return Err(ApiFailure::new(
            ErrorCode::OwnerProtected,
            "the company's owner keeps the Administrator role",
        ));
    }
    // Describe it before it goes: the entry names the grantee and scope.
    let entry = grant_entry(&state, &auth, AuditCode::RoleGrantRevoked, &grant).await?;
    state.store.delete_grant(company_id, &id).await?;
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}
