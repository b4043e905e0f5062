//! A company's members (users): list, create with company-wide roles, change name
//! and disabled state, remove from the company (the account stays), delete the
//! account. The owner and the caller's own account are protected from the
//! operations that could lock a company out.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use reach_core::policy::{authorize, Action, Resource};
use reach_core::{credentials, now_millis, validate};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::{CreateMember, MemberCreated, MemberView, UpdateMember};
use reach_store::{Company, StoreError, User, UserGroup};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

pub fn member_view(user: &User, company: &Company, groups: &[UserGroup]) -> MemberView {
    MemberView {
        id: user.id.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        disabled: user.disabled,
        owner: company.owner_id.as_deref() == Some(user.id.as_str()),
        operator: user.operator,
        two_factor_enabled: user.two_factor_enabled,
        group_ids: groups
            .iter()
            .filter(|g| g.member_ids.contains(&user.id))
            .map(|g| g.id.clone())
            .collect(),
        created_at: user.created_at,
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<MemberView>>, ApiFailure> {
    let company_id = auth.company_for(Action::ManageUsers)?;
    let company = state.store.company(company_id).await?;
    let groups = state.store.list_user_groups(company_id).await?;
    let users = state.store.list_users(company_id).await?;
    Ok(Json(
        users
            .iter()
            .map(|u| member_view(u, &company, &groups))
            .collect(),
    ))
}

/// Hashes `password`, or generates one when none was given (returned to show once).
pub async fn password_hash(
    password: Option<String>,
) -> Result<(String, Option<String>), ApiFailure> {
    let (password, generated) = match password {
        Some(password) => (password, None),
        None => {
            let password = credentials::generate_password();
            (password.clone(), Some(password))
        }
    };
    let hash = tokio::task::spawn_blocking(move || credentials::hash_password(&password))
        .await
        .map_err(ApiFailure::internal)??;
    Ok((hash, generated))
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<CreateMember>,
) -> Result<Json<MemberCreated>, ApiFailure> {
    let Json(request) = body?;
    let company_id = auth.company_for(Action::ManageUsers)?;
    if !request.role_ids.is_empty() {
        // Handing out roles is managing roles: without it, a user manager could
        // create an administrator.
        authorize(
            &auth.principal,
            Action::ManageRoles,
            Resource::Company(company_id),
        )?;
    }
    let email = validate::normalize_email(&request.email)?;
    let display_name = validate::name("display name", &request.display_name, 128)?;
    let (password_hash, generated_password) = password_hash(request.password).await?;
    let user = User::new_member(company_id, email, display_name, password_hash, now_millis());
    match state
        .store
        .create_user(&user, &request.role_ids, now_millis())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiFailure::new(
                ErrorCode::Conflict,
                "an account with this e-mail address already exists",
            ))
        }
        Err(StoreError::NotFound) => {
            return Err(ApiFailure::bad_request("unknown role"));
        }
        Err(err) => return Err(err.into()),
    }
    let roles = role_names(&state, company_id, &request.role_ids).await?;
    let entry = Entry::new(company_id, AuditCode::UserCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("user", &user.id, Some(&user.email))
        .detail("display_name", &user.display_name)
        .detail("roles", roles.join(", "));
    audit::record(&state, entry).await;
    let company = state.store.company(company_id).await?;
    Ok(Json(MemberCreated {
        member: member_view(&user, &company, &[]),
        generated_password,
    }))
}

async fn role_names(
    state: &AppState,
    company_id: &str,
    role_ids: &[String],
) -> Result<Vec<String>, ApiFailure> {
    let roles = state.store.list_roles(company_id).await?;
    Ok(roles
        .into_iter()
        .filter(|r| role_ids.contains(&r.id))
        .map(|r| r.name)
        .collect())
}

/// The member `id`, if the principal may manage the users of its company.
/// Accounts of other companies (or of none) are not found.
async fn managed_member(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> Result<(User, Company), ApiFailure> {
    let user = state.store.user(id).await?;
    let company_id = user.company_id.clone().unwrap_or_default();
    authorize(
        &auth.principal,
        Action::ManageUsers,
        Resource::Company(&company_id),
    )?;
    let company = state.store.company(&company_id).await?;
    Ok((user, company))
}

fn protect(user: &User, company: &Company, auth: &Authenticated) -> Result<(), ApiFailure> {
    if company.owner_id.as_deref() == Some(user.id.as_str()) {
        return Err(ApiFailure::new(
            ErrorCode::OwnerProtected,
            "the company's owner can't be disabled, removed or deleted",
        ));
    }
    if user.id == auth.user.id {
        return Err(ApiFailure::new(
            ErrorCode::NotOnYourself,
            "you can't do this to your own account; ask another administrator",
        ));
    }
    Ok(())
}

/// Ends every sign-in in `token_hashes` and closes their open links.
pub(crate) fn end_sign_ins(state: &AppState, token_hashes: &[String]) {
    for token_hash in token_hashes {
        let _ = state.sign_outs.send(token_hash.clone());
    }
}

pub async fn update(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<UpdateMember>,
) -> Result<Json<MemberView>, ApiFailure> {
    let Json(request) = body?;
    let (user, company) = managed_member(&state, &auth, &id).await?;
    let display_name = validate::name("display name", &request.display_name, 128)?;
    if request.disabled && !user.disabled {
        protect(&user, &company, &auth)?;
    }
    let updated = state
        .store
        .update_user(&company.id, &id, &display_name, request.disabled)
        .await?;
    if updated.disabled {
        let ended = state.store.delete_other_web_sessions(&id, "").await?;
        end_sign_ins(&state, &ended);
    }
    let mut entry = Entry::new(&company.id, AuditCode::UserUpdated, Actor::user(&auth))
        .ip(auth.ip)
        .target("user", &id, Some(&user.email));
    if user.display_name != updated.display_name {
        entry = entry
            .detail("display_name_before", &user.display_name)
            .detail("display_name_after", &updated.display_name);
    }
    if user.disabled != updated.disabled {
        entry = entry
            .detail("disabled_before", user.disabled)
            .detail("disabled_after", updated.disabled);
    }
    audit::record(&state, entry).await;
    let groups = state.store.list_user_groups(&company.id).await?;
    Ok(Json(member_view(&updated, &company, &groups)))
}

/// `POST /api/users/{id}/remove`: takes the user out of the company. The
/// account remains and can sign in again only once it is in a company.
pub async fn remove(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let (user, company) = managed_member(&state, &auth, &id).await?;
    protect(&user, &company, &auth)?;
    let ended = state.store.remove_from_company(&company.id, &id).await?;
    end_sign_ins(&state, &ended);
    let entry = Entry::new(
        &company.id,
        AuditCode::UserRemovedFromCompany,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("user", &id, Some(&user.email))
    .detail("sign_ins_ended", ended.len());
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/users/{id}`: deletes the account itself. Its personal data is
/// erased; sessions and the event log keep its id.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let (user, company) = managed_member(&state, &auth, &id).await?;
    protect(&user, &company, &auth)?;
    if user.operator {
        return Err(ApiFailure::new(
            ErrorCode::Forbidden,
            "a server operator's account can't be deleted by a company administrator",
        ));
    }
    let ended = state.store.delete_account(&id, now_millis()).await?;
    end_sign_ins(&state, &ended);
    let entry = Entry::new(&company.id, AuditCode::AccountDeleted, Actor::user(&auth))
        .ip(auth.ip)
        .target("user", &id, Some(&user.email))
        .detail("display_name", &user.display_name);
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/users/{id}/reset-two-factor`: for a member who lost their
/// authenticator and recovery codes. They set it up again at their next sign-in
/// if the company requires it.
pub async fn reset_two_factor(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let (user, company) = managed_member(&state, &auth, &id).await?;
    if user.id == auth.user.id {
        return Err(ApiFailure::new(
            ErrorCode::NotOnYourself,
            "turn off your own two-factor sign-in from your account page",
        ));
    }
    // Someone who knows the owner's password must not get to enrol their own
    // authenticator on the owner's account: only the server machine may.
    if company.owner_id.as_deref() == Some(user.id.as_str()) {
        return Err(ApiFailure::new(
            ErrorCode::OwnerProtected,
            "the owner's second factor is reset on the server machine: reach admin user reset-two-factor",
        ));
    }
    state.store.disable_totp(&id).await?;
    if company.settings.require_two_factor {
        // They must enrol again before anything else, open links included.
        let _ = state
            .sign_outs
            .send(crate::auth::RECHECK_ALL_SIGN_INS.to_string());
    }
    let entry = Entry::new(
        &company.id,
        AuditCode::TwoFactorDisabled,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("user", &id, Some(&user.email))
    .detail("by", "administrator");
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}
