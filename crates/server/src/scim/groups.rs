//! SCIM Groups: a company's user groups, their names, external ids and
//! members (users of the same company; groups in groups are not supported).
//! Roles granted to a group apply to whoever the identity provider puts in it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use reach_core::scim::schema::{Attribute, GROUP_ATTRIBUTES, GROUP_SCHEMA};
use reach_core::validate;
use reach_proto::audit::AuditCode;
use reach_store::{StoreError, User, UserGroup};
use serde_json::{json, Value};

use super::resource::Resource;
use super::{
    answer, base, body_json, check_schemas, company, created, find, meta, string_attribute,
    ScimResult,
};
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::{ApiFailure, ScimFailure};
use crate::AppState;

/// Most members one group may have through SCIM.
const MAX_MEMBERS: usize = 10_000;

fn group_json(base: &str, group: &UserGroup, users: &HashMap<&str, &User>) -> Value {
    let members: Vec<Value> = group
        .member_ids
        .iter()
        .filter(|id| users.contains_key(id.as_str()))
        .map(|id| json!({"value": id, "$ref": format!("{base}/Users/{id}")}))
        .collect();
    let mut object = json!({
        "schemas": [GROUP_SCHEMA],
        "id": group.id,
        "displayName": group.name,
        "meta": meta("Group", format!("{base}/Groups/{}", group.id), group.created_at, group.created_at),
    });
    if let Some(external_id) = &group.external_id {
        object["externalId"] = json!(external_id);
    }
    if !members.is_empty() {
        object["members"] = Value::Array(members);
    }
    object
}

pub(super) struct GroupInput {
    name: String,
    external_id: Option<String>,
    member_ids: Vec<String>,
}

fn invalid(detail: impl Into<String>) -> ScimFailure {
    ScimFailure::bad("invalidValue", detail)
}

fn group_input(body: &Value) -> Result<GroupInput, ScimFailure> {
    check_schemas(body, GROUP_SCHEMA)?;
    let name = string_attribute(body, "displayName")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("displayName is required"))?;
    let name = validate::name("displayName", &name, 128).map_err(|err| invalid(err.to_string()))?;
    let external_id = string_attribute(body, "externalId")?.filter(|e| !e.is_empty());
    let members = match find(body, "members") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(members)) => members.clone(),
        Some(_) => return Err(invalid("members must be a list")),
    };
    if members.len() > MAX_MEMBERS {
        return Err(invalid(format!(
            "a group holds at most {MAX_MEMBERS} members"
        )));
    }
    let mut member_ids = Vec::with_capacity(members.len());
    for member in &members {
        let id = member
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("each member needs a string value (the user's id)"))?;
        if member
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|kind| !kind.eq_ignore_ascii_case("User"))
        {
            return Err(invalid("only users can be members of a group"));
        }
        if !member_ids.iter().any(|known| known == id) {
            member_ids.push(id.to_string());
        }
    }
    Ok(GroupInput {
        name,
        external_id,
        member_ids,
    })
}

/// A store refusal of a group's members, in words.
fn refused_members(err: StoreError) -> ScimFailure {
    match err {
        StoreError::NotFound => invalid("a member is not a user of this company"),
        other => other.into(),
    }
}

async fn directory(
    state: &AppState,
    company_id: &str,
) -> Result<(Vec<UserGroup>, Vec<User>), ScimFailure> {
    let groups = state.store.list_user_groups(company_id).await?;
    let users = state.store.list_users(company_id).await?;
    Ok((groups, users))
}

async fn current(
    state: &AppState,
    company_id: &str,
    id: &str,
) -> Result<(UserGroup, Value), ScimFailure> {
    let (groups, users) = directory(state, company_id).await?;
    let by_id: HashMap<&str, &User> = users.iter().map(|u| (u.id.as_str(), u)).collect();
    let group = groups
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| ScimFailure::not_found("group"))?;
    let json = group_json(&base(state), &group, &by_id);
    Ok((group, json))
}

/// SCIM Groups, for the handlers shared with Users.
pub(super) struct Groups;

impl Resource for Groups {
    type Record = UserGroup;
    type Input = GroupInput;
    const SCHEMA: &'static str = GROUP_SCHEMA;
    const ATTRIBUTES: &'static [Attribute] = GROUP_ATTRIBUTES;

    async fn all(state: &AppState, company_id: &str) -> Result<Vec<Value>, ScimFailure> {
        let (groups, users) = directory(state, company_id).await?;
        let by_id: HashMap<&str, &User> = users.iter().map(|u| (u.id.as_str(), u)).collect();
        let base = base(state);
        Ok(groups
            .iter()
            .map(|g| group_json(&base, g, &by_id))
            .collect())
    }

    async fn current(
        state: &AppState,
        company_id: &str,
        id: &str,
    ) -> Result<(UserGroup, Value), ScimFailure> {
        current(state, company_id, id).await
    }

    fn input(body: &Value) -> Result<GroupInput, ScimFailure> {
        group_input(body)
    }

    async fn save(
        state: &AppState,
        auth: &Authenticated,
        company_id: &str,
        before: &UserGroup,
        input: GroupInput,
    ) -> ScimResult {
        save(state, auth, company_id, before, input).await
    }
}

/// `POST /scim/v2/Groups`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    body: Bytes,
) -> ScimResult {
    let (auth, company_id) = company(auth)?;
    let input = group_input(&body_json(&body)?)?;
    let group = UserGroup {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company_id.clone(),
        name: input.name,
        external_id: input.external_id,
        member_ids: input.member_ids,
        created_at: state.clock.now(),
    };
    state
        .store
        .create_user_group(&group)
        .await
        .map_err(refused_members)?;
    let entry = Entry::new(&company_id, AuditCode::UserGroupCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("user_group", &group.id, Some(&group.name))
        .detail("through", "scim")
        .detail("members", group.member_ids.len());
    audit::record(&state, entry).await;
    let (_, json) = current(&state, &company_id, &group.id).await?;
    Ok(created(&json))
}

async fn save(
    state: &AppState,
    auth: &Authenticated,
    company_id: &str,
    before: &UserGroup,
    input: GroupInput,
) -> ScimResult {
    let after = state
        .store
        .update_scim_group(
            company_id,
            &before.id,
            &input.name,
            input.external_id.as_deref(),
            &input.member_ids,
        )
        .await
        .map_err(refused_members)?;
    let added = after
        .member_ids
        .iter()
        .filter(|id| !before.member_ids.contains(id))
        .count();
    let removed = before
        .member_ids
        .iter()
        .filter(|id| !after.member_ids.contains(id))
        .count();
    let mut entry = Entry::new(company_id, AuditCode::UserGroupUpdated, Actor::user(auth))
        .ip(auth.ip)
        .target("user_group", &after.id, Some(&after.name))
        .detail("through", "scim")
        .detail("members_added", added)
        .detail("members_removed", removed);
    if before.name != after.name {
        entry = entry
            .detail("name_before", &before.name)
            .detail("name_after", &after.name);
    }
    audit::record(state, entry).await;
    let (_, json) = current(state, company_id, &after.id).await?;
    Ok(answer(StatusCode::OK, &json))
}

/// `DELETE /scim/v2/Groups/{id}`.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Path(id): Path<String>,
) -> Result<StatusCode, ScimFailure> {
    let (auth, company_id) = company(auth)?;
    let group = match state.store.delete_user_group(&company_id, &id).await {
        Ok(group) => group,
        Err(StoreError::NotFound) => return Err(ScimFailure::not_found("group")),
        Err(err) => return Err(err.into()),
    };
    let entry = Entry::new(&company_id, AuditCode::UserGroupDeleted, Actor::user(&auth))
        .ip(auth.ip)
        .target("user_group", &group.id, Some(&group.name))
        .detail("through", "scim");
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}
