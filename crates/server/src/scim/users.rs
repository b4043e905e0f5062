//! SCIM Users: a company's members. What Reach uses of a user (the address it
//! signs in with, the name it shows, whether it may sign in) lives in the
//! account; what else the identity provider set (userName, name parts,
//! addresses, externalId) is kept as it was sent. Deactivating (`active:
//! false`) disables the account and ends its sign-ins at once; DELETE deletes
//! the account. The company's owner can be neither.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use reach_core::scim::schema::{Attribute, USER_ATTRIBUTES, USER_SCHEMA};
use reach_core::validate;
use reach_proto::audit::AuditCode;
use reach_store::{ScimUser, StoreError, User, UserGroup};
use serde_json::{json, Map, Value};

use super::resource::Resource;
use super::{
    answer, base, body_json, check_schemas, company, created, find, meta, string_attribute,
    ScimResult,
};
use crate::api::members::end_sign_ins;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::{ApiFailure, ScimFailure};
use crate::AppState;

/// Attributes kept as sent. `displayName` and `active` are shown as the
/// account has them, when the client set them at all.
const KEPT: &[&str] = &[
    "userName",
    "name",
    "displayName",
    "active",
    "emails",
    "externalId",
];

/// The domain of the address an account gets while its identity provider has
/// sent none (RFC 2606 reserves `.invalid`): the account exists but can't sign
/// in until an address arrives.
const NO_ADDRESS_DOMAIN: &str = "provisioned.invalid";

/// A user as SCIM shows it.
fn user_json(base: &str, user: &User, scim: Option<&ScimUser>, groups: &[UserGroup]) -> Value {
    let mut object = scim
        .and_then(|s| serde_json::from_str::<Map<String, Value>>(&s.attributes).ok())
        .unwrap_or_default();
    if scim.is_none() {
        // A member the console made: shown with what the account has.
        object.insert("userName".into(), json!(user.email));
        object.insert(
            "emails".into(),
            json!([{"value": user.email, "type": "work", "primary": true}]),
        );
        object.insert("displayName".into(), json!(user.display_name));
        object.insert("active".into(), json!(!user.disabled));
    }
    // The account is the truth for these (an administrator may have changed them).
    if object.contains_key("displayName") {
        object.insert("displayName".into(), json!(user.display_name));
    }
    if object.contains_key("active") || user.disabled {
        object.insert("active".into(), json!(!user.disabled));
    }
    object.insert("schemas".into(), json!([USER_SCHEMA]));
    object.insert("id".into(), json!(user.id));
    let member_of: Vec<Value> = groups
        .iter()
        .filter(|g| g.member_ids.contains(&user.id))
        .map(|g| json!({"value": g.id, "$ref": format!("{base}/Groups/{}", g.id), "display": g.name}))
        .collect();
    if !member_of.is_empty() {
        object.insert("groups".into(), Value::Array(member_of));
    }
    let modified = scim.map_or(user.created_at, |s| s.updated_at.max(user.created_at));
    object.insert(
        "meta".into(),
        meta(
            "User",
            format!("{base}/Users/{}", user.id),
            user.created_at,
            modified,
        ),
    );
    Value::Object(object)
}

/// What a request says a user is.
pub(super) struct UserInput {
    user_name: String,
    /// None when neither emails nor userName hold an address.
    email: Option<String>,
    display_name: String,
    active: bool,
    /// The kept attributes, as JSON.
    kept: Value,
}

fn invalid(detail: impl Into<String>) -> ScimFailure {
    ScimFailure::bad("invalidValue", detail)
}

/// Reads a User resource (for create, replace, or a patched one), checking
/// what Reach relies on. Read-only and unknown attributes are ignored.
fn user_input(body: &Value) -> Result<UserInput, ScimFailure> {
    check_schemas(body, USER_SCHEMA)?;
    let user_name = string_attribute(body, "userName")?
        .filter(|u| !u.is_empty())
        .ok_or_else(|| invalid("userName is required"))?;
    if user_name.chars().count() > 256 {
        return Err(invalid("userName is longer than 256 characters"));
    }
    let mut kept = Map::new();
    for name in KEPT {
        if let Some(value) = find(body, name).filter(|v| !v.is_null()) {
            kept.insert((*name).to_string(), value.clone());
        }
    }
    if let Some(external) = kept.get("externalId") {
        if !external.is_string() {
            return Err(invalid("externalId must be a string"));
        }
    }
    let name = match kept.get("name") {
        None => None,
        Some(Value::Object(parts)) => {
            if parts.values().any(|v| !v.is_string() && !v.is_null()) {
                return Err(invalid("the parts of name must be strings"));
            }
            Some(parts.clone())
        }
        Some(_) => return Err(invalid("name must be an object")),
    };
    let emails = match kept.get("emails") {
        None => Vec::new(),
        Some(Value::Array(emails)) => emails.clone(),
        Some(_) => return Err(invalid("emails must be a list")),
    };
    let mut addresses = Vec::new();
    for email in &emails {
        let value = email
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("each of emails needs a string value"))?;
        let primary = match email.get("primary") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(primary)) => *primary,
            Some(_) => return Err(invalid("emails.primary must be a boolean")),
        };
        addresses.push((value.to_string(), primary));
    }
    if addresses.iter().filter(|(_, primary)| *primary).count() > 1 {
        return Err(invalid("at most one of emails may be primary"));
    }
    // The address Reach signs the user in with: the primary one, else the
    // first, else userName when it is an address.
    let email = match addresses
        .iter()
        .find(|(_, primary)| *primary)
        .or_else(|| addresses.first())
    {
        Some((chosen, _)) => Some(
            validate::normalize_email(chosen)
                .map_err(|_| invalid(format!("{chosen} is not an e-mail address")))?,
        ),
        None => validate::normalize_email(&user_name).ok(),
    };
    if email
        .as_deref()
        .is_some_and(|e| e.ends_with(&format!("@{NO_ADDRESS_DOMAIN}")))
    {
        return Err(invalid(format!(
            "addresses @{NO_ADDRESS_DOMAIN} are reserved"
        )));
    }
    let part = |key: &str| {
        name.as_ref()
            .and_then(|n| n.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
            .and_then(|(_, v)| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let from_parts = match (part("givenName"), part("familyName")) {
        (Some(given), Some(family)) => Some(format!("{given} {family}")),
        (given, family) => given.or(family),
    };
    let display_name = string_attribute(body, "displayName")?
        .filter(|d| !d.is_empty())
        .or_else(|| part("formatted"))
        .or(from_parts)
        .unwrap_or_else(|| user_name.clone());
    let display_name: String = display_name.chars().take(128).collect();
    let display_name = validate::name("displayName", &display_name, 128)
        .map_err(|err| invalid(err.to_string()))?;
    let active = match find(body, "active") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(active)) => *active,
        // Some clients send booleans as strings.
        Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => true,
        Some(Value::String(text)) if text.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(invalid("active must be a boolean")),
    };
    Ok(UserInput {
        user_name,
        email,
        display_name,
        active,
        kept: Value::Object(kept),
    })
}

/// The company's users with their SCIM attributes, by id.
async fn directory(
    state: &AppState,
    company_id: &str,
) -> Result<(Vec<User>, HashMap<String, ScimUser>, Vec<UserGroup>), ScimFailure> {
    let users = state.store.list_users(company_id).await?;
    let scim = state
        .store
        .scim_users(company_id)
        .await?
        .into_iter()
        .map(|s| (s.user_id.clone(), s))
        .collect();
    let groups = state.store.list_user_groups(company_id).await?;
    Ok((users, scim, groups))
}

/// One user of the company, as SCIM shows it.
async fn current(
    state: &AppState,
    company_id: &str,
    id: &str,
) -> Result<(User, Value), ScimFailure> {
    let (users, scim, groups) = directory(state, company_id).await?;
    let user = users
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| ScimFailure::not_found("user"))?;
    let json = user_json(&base(state), &user, scim.get(&user.id), &groups);
    Ok((user, json))
}

/// SCIM Users, for the handlers shared with Groups.
pub(super) struct Users;

impl Resource for Users {
    type Record = User;
    type Input = UserInput;
    const SCHEMA: &'static str = USER_SCHEMA;
    const ATTRIBUTES: &'static [Attribute] = USER_ATTRIBUTES;

    async fn all(state: &AppState, company_id: &str) -> Result<Vec<Value>, ScimFailure> {
        let (users, scim, groups) = directory(state, company_id).await?;
        let base = base(state);
        Ok(users
            .iter()
            .map(|u| user_json(&base, u, scim.get(&u.id), &groups))
            .collect())
    }

    async fn current(
        state: &AppState,
        company_id: &str,
        id: &str,
    ) -> Result<(User, Value), ScimFailure> {
        current(state, company_id, id).await
    }

    fn input(body: &Value) -> Result<UserInput, ScimFailure> {
        user_input(body)
    }

    async fn save(
        state: &AppState,
        auth: &Authenticated,
        company_id: &str,
        before: &User,
        input: UserInput,
    ) -> ScimResult {
        save(state, auth, company_id, before, &input).await
    }
}

/// The account's address: the one sent, or a placeholder no one can sign in with.
fn account_email(input: &UserInput, user_id: &str) -> String {
    input
        .email
        .clone()
        .unwrap_or_else(|| format!("{user_id}@{NO_ADDRESS_DOMAIN}"))
}

fn scim_record(user_id: &str, input: &UserInput, now: i64) -> ScimUser {
    ScimUser {
        user_id: user_id.to_string(),
        user_name: input.user_name.clone(),
        attributes: input.kept.to_string(),
        updated_at: now,
    }
}

/// `POST /scim/v2/Users`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    body: Bytes,
) -> ScimResult {
    let (auth, company_id) = company(auth)?;
    let input = user_input(&body_json(&body)?)?;
    let now = state.clock.now();
    let password_hash = crate::sso::unusable_password_hash()
        .await
        .map_err(|err| ScimFailure::from(ApiFailure::internal(err)))?;
    let mut user = User::new_member(
        &company_id,
        String::new(),
        input.display_name.clone(),
        password_hash,
        now,
    );
    user.email = account_email(&input, &user.id);
    user.disabled = !input.active;
    state
        .store
        .create_scim_user(&user, &scim_record(&user.id, &input, now))
        .await?;
    let entry = Entry::new(&company_id, AuditCode::UserCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("user", &user.id, Some(&user.email))
        .detail("through", "scim")
        .detail("user_name", &input.user_name);
    audit::record(&state, entry).await;
    let (_, json) = current(&state, &company_id, &user.id).await?;
    Ok(created(&json))
}

/// Sets the user to `input`: the account and its SCIM attributes together,
/// ending its sign-ins when it is deactivated.
async fn save(
    state: &AppState,
    auth: &Authenticated,
    company_id: &str,
    before: &User,
    input: &UserInput,
) -> ScimResult {
    let company = state.store.company(company_id).await?;
    let owner = company.owner_id.as_deref() == Some(before.id.as_str());
    if owner && !input.active {
        return Err(ScimFailure::bad(
            "mutability",
            "the company's owner can't be deactivated",
        ));
    }
    let now = state.clock.now();
    let after = state
        .store
        .update_scim_user(
            company_id,
            &account_email(input, &before.id),
            &input.display_name,
            !input.active,
            &scim_record(&before.id, input, now),
        )
        .await?;
    if after.disabled && !before.disabled {
        let ended = state.store.delete_other_web_sessions(&after.id, "").await?;
        end_sign_ins(state, &ended);
    }
    let mut entry = Entry::new(company_id, AuditCode::UserUpdated, Actor::user(auth))
        .ip(auth.ip)
        .target("user", &after.id, Some(&after.email))
        .detail("through", "scim");
    for (what, old, new) in [
        ("email", before.email.as_str(), after.email.as_str()),
        (
            "display_name",
            before.display_name.as_str(),
            after.display_name.as_str(),
        ),
    ] {
        if old != new {
            entry = entry
                .detail(&format!("{what}_before"), old)
                .detail(&format!("{what}_after"), new);
        }
    }
    if before.disabled != after.disabled {
        entry = entry
            .detail("disabled_before", before.disabled)
            .detail("disabled_after", after.disabled);
    }
    audit::record(state, entry).await;
    let (_, json) = current(state, company_id, &after.id).await?;
    Ok(answer(StatusCode::OK, &json))
}

/// `DELETE /scim/v2/Users/{id}`: deletes the account.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Path(id): Path<String>,
) -> Result<StatusCode, ScimFailure> {
    let (auth, company_id) = company(auth)?;
    let (user, _) = current(&state, &company_id, &id).await?;
    let company = state.store.company(&company_id).await?;
    if company.owner_id.as_deref() == Some(user.id.as_str()) || user.operator {
        return Err(ScimFailure::bad(
            "mutability",
            "the company's owner and server operators can't be deleted through SCIM",
        ));
    }
    let ended = match state.store.delete_account(&id, state.clock.now()).await {
        Ok(ended) => ended,
        Err(StoreError::NotFound) => return Err(ScimFailure::not_found("user")),
        Err(err) => return Err(err.into()),
    };
    end_sign_ins(&state, &ended);
    let entry = Entry::new(&company_id, AuditCode::AccountDeleted, Actor::user(&auth))
        .ip(auth.ip)
        .target("user", &id, Some(&user.email))
        .detail("through", "scim")
        .detail("display_name", &user.display_name);
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}
