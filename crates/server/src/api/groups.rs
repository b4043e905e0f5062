//! User groups: named sets of a company's users that roles are granted to.
//! Managed with the "manage users" permission.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use reach_core::policy::Action;
use reach_core::{now_millis, validate};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::{UserGroupInput, UserGroupView};
use reach_store::{Grantee, StoreError, UserGroup};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// Most members one request may set.
const MAX_MEMBERS: usize = 10_000;

fn group_view(group: &UserGroup) -> UserGroupView {
    UserGroupView {
        id: group.id.clone(),
        name: group.name.clone(),
        member_ids: group.member_ids.clone(),
        external_id: group.external_id.clone(),
        created_at: group.created_at,
    }
}

fn checked(input: &UserGroupInput) -> Result<String, ApiFailure> {
    if input.member_ids.len() > MAX_MEMBERS {
        return Err(ApiFailure::bad_request(format!(
            "a group may have at most {MAX_MEMBERS} members per request"
        )));
    }
    Ok(validate::name("group name", &input.name, 64)?)
}

fn store_failure(err: StoreError) -> ApiFailure {
    match err {
        StoreError::Conflict(_) => {
            ApiFailure::new(ErrorCode::Conflict, "a group with this name already exists")
        }
        StoreError::NotFound => ApiFailure::new(
            ErrorCode::NotFound,
            "unknown group, or a member who is not a user of this company",
        ),
        other => other.into(),
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<UserGroupView>>, ApiFailure> {
    let company_id = auth.company_for(Action::ManageUsers)?;
    let groups = state.store.list_user_groups(company_id).await?;
    Ok(Json(groups.iter().map(group_view).collect()))
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<UserGroupInput>,
) -> Result<Json<UserGroupView>, ApiFailure> {
    let Json(input) = body?;
    let company_id = auth.company_for(Action::ManageUsers)?;
    let name = checked(&input)?;
    let group = UserGroup {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company_id.to_string(),
        name,
        external_id: None,
        member_ids: input.member_ids,
        created_at: now_millis(),
    };
    state
        .store
        .create_user_group(&group)
        .await
        .map_err(store_failure)?;
    let stored = state.store.user_group(company_id, &group.id).await?;
    let entry = Entry::new(company_id, AuditCode::UserGroupCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("user_group", &stored.id, Some(&stored.name))
        .detail("members", stored.member_ids.len());
    audit::record(&state, entry).await;
    Ok(Json(group_view(&stored)))
}

pub async fn update(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<UserGroupInput>,
) -> Result<Json<UserGroupView>, ApiFailure> {
    let Json(input) = body?;
    let company_id = auth.company_for(Action::ManageUsers)?;
    let name = checked(&input)?;
    let before = state.store.user_group(company_id, &id).await?;
    let members_change = {
        let wanted: std::collections::BTreeSet<&String> = input.member_ids.iter().collect();
        let current: std::collections::BTreeSet<&String> = before.member_ids.iter().collect();
        wanted != current
    };
    if members_change {
        // A group's roles reach its members: changing who is in a group that
        // holds roles is handing out roles, which needs roles.manage too.
        let holds_roles = state
            .store
            .list_grants(company_id)
            .await?
            .iter()
            .any(|g| g.grantee == Grantee::Group(id.clone()));
        if holds_roles {
            auth.company_for(Action::ManageRoles)?;
        }
    }
    let after = state
        .store
        .update_user_group(company_id, &id, &name, Some(&input.member_ids))
        .await
        .map_err(store_failure)?;
    let added: Vec<&String> = after
        .member_ids
        .iter()
        .filter(|m| !before.member_ids.contains(m))
        .collect();
    let removed: Vec<&String> = before
        .member_ids
        .iter()
        .filter(|m| !after.member_ids.contains(m))
        .collect();
    let mut entry = Entry::new(company_id, AuditCode::UserGroupUpdated, Actor::user(&auth))
        .ip(auth.ip)
        .target("user_group", &after.id, Some(&after.name));
    if before.name != after.name {
        entry = entry.detail("name_before", &before.name);
    }
    // Members by address: ids mean nothing to someone reading the log.
    let users = state.store.list_users(company_id).await?;
    let ids = |list: Vec<&String>| {
        list.into_iter()
            .map(|id| {
                users
                    .iter()
                    .find(|u| &u.id == id)
                    .map_or(id.as_str(), |u| u.email.as_str())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !added.is_empty() {
        entry = entry.detail("members_added", ids(added));
    }
    if !removed.is_empty() {
        entry = entry.detail("members_removed", ids(removed));
    }
    audit::record(&state, entry).await;
    Ok(Json(group_view(&after)))
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let company_id = auth.company_for(Action::ManageUsers)?;
    let group = state.store.delete_user_group(company_id, &id).await?;
    let entry = Entry::new(company_id, AuditCode::UserGroupDeleted, Actor::user(&auth))
        .ip(auth.ip)
        .target("user_group", &group.id, Some(&group.name))
        .detail("members", group.member_ids.len());
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}
