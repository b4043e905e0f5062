//! Companies: server operators list, create (with the first administrator, who
//! becomes the owner) and rename them; a company's administrators read and
//! change its settings. An operator gains no right inside a company by this.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use reach_core::policy::{authorize, Action, Resource};
use reach_core::{now_millis, validate};
use reach_proto::access::BuiltinRole;
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::{
    CompanyCreated, CompanySettingsView, CompanyView, CreateCompany, RenameCompany,
};
use reach_store::{Company, CompanySettings, StoreError, User};

use super::members::{member_view, password_hash};
use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// The wire form of a company, with its owner's address looked up.
async fn company_view(state: &AppState, company: &Company) -> Result<CompanyView, ApiFailure> {
    let owner_email = match &company.owner_id {
        Some(id) => match state.store.user(id).await {
            Ok(owner) => Some(owner.email),
            Err(StoreError::NotFound) => None,
            Err(err) => return Err(err.into()),
        },
        None => None,
    };
    Ok(CompanyView {
        owner_email,
        id: company.id.clone(),
        name: company.name.clone(),
        owner_id: company.owner_id.clone(),
        settings: CompanySettingsView {
            require_two_factor: company.settings.require_two_factor,
            password_sign_in: company.settings.password_sign_in,
            just_in_time: company.settings.just_in_time,
            tenant_only: company.settings.tenant_only,
        },
        created_at: company.created_at,
    })
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<CompanyView>>, ApiFailure> {
    authorize(&auth.principal, Action::ManageCompanies, Resource::Server)?;
    let companies = state.store.list_companies().await?;
    let mut views = Vec::with_capacity(companies.len());
    for company in &companies {
        views.push(company_view(&state, company).await?);
    }
    Ok(Json(views))
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<CreateCompany>,
) -> Result<Json<CompanyCreated>, ApiFailure> {
    let Json(request) = body?;
    authorize(&auth.principal, Action::ManageCompanies, Resource::Server)?;
    let name = validate::name("company name", &request.name, 128)?;
    let admin = request.administrator;
    let email = validate::normalize_email(&admin.email)?;
    let display_name = validate::name("display name", &admin.display_name, 128)?;
    match state.store.user_by_email(&email).await {
        Ok(_) => {
            return Err(ApiFailure::new(
                ErrorCode::Conflict,
                "an account with this e-mail address already exists",
            ))
        }
        Err(StoreError::NotFound) => {}
        Err(err) => return Err(err.into()),
    }
    let (password_hash, generated_password) = password_hash(admin.password).await?;
    let now = now_millis();
    let company = state
        .store
        .create_company(&uuid::Uuid::new_v4().to_string(), &name, now)
        .await?;
    let administrator = User::new_member(&company.id, email, display_name, password_hash, now);
    let role = state
        .store
        .builtin_role(&company.id, BuiltinRole::Administrator)
        .await?;
    match state
        .store
        .create_user(&administrator, &[role.id], now)
        .await
    {
        Ok(()) => {}
        // Taken between the check and now: the company stays, ownerless, for
        // the operator to retry with another address.
        Err(StoreError::Conflict(_)) => {
            return Err(ApiFailure::new(
                ErrorCode::Conflict,
                "an account with this e-mail address already exists",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    let company = state.store.company(&company.id).await?;
    let created = Entry::new(&company.id, AuditCode::CompanyCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("company", &company.id, Some(&company.name))
        .detail("owner", &administrator.email);
    audit::record(&state, created).await;
    let user_created = Entry::new(&company.id, AuditCode::UserCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("user", &administrator.id, Some(&administrator.email))
        .detail("roles", BuiltinRole::Administrator.display_name());
    audit::record(&state, user_created).await;
    tracing::info!(company_id = %company.id, by = %auth.user.id, "company created");
    Ok(Json(CompanyCreated {
        administrator: member_view(&administrator, &company, &[]),
        company: company_view(&state, &company).await?,
        generated_password,
    }))
}

pub async fn rename(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<RenameCompany>,
) -> Result<Json<CompanyView>, ApiFailure> {
    let Json(request) = body?;
    authorize(&auth.principal, Action::ManageCompanies, Resource::Server)?;
    let name = validate::name("company name", &request.name, 128)?;
    let before = state.store.company(&id).await?;
    let after = state.store.rename_company(&id, &name).await?;
    let entry = Entry::new(&id, AuditCode::CompanyRenamed, Actor::user(&auth))
        .ip(auth.ip)
        .target("company", &id, Some(&after.name))
        .detail("name_before", &before.name)
        .detail("name_after", &after.name);
    audit::record(&state, entry).await;
    Ok(Json(company_view(&state, &after).await?))
}

/// `GET /api/company`: the caller's company and its settings.
pub async fn own(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<CompanyView>, ApiFailure> {
    let company_id = auth.company_for(Action::ManageCompanySettings)?;
    let company = state.store.company(company_id).await?;
    Ok(Json(company_view(&state, &company).await?))
}

/// `PUT /api/company/settings`.
pub async fn update_settings(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<CompanySettingsView>,
) -> Result<Json<CompanyView>, ApiFailure> {
    let Json(request) = body?;
    let company_id = auth.company_for(Action::ManageCompanySettings)?;
    let before = state.store.company(company_id).await?;
    let settings = CompanySettings {
        require_two_factor: request.require_two_factor,
        password_sign_in: request.password_sign_in,
        just_in_time: request.just_in_time,
        tenant_only: request.tenant_only,
    };
    let after = state
        .store
        .update_company_settings(company_id, &settings)
        .await?;
    let mut entry = Entry::new(
        company_id,
        AuditCode::CompanySettingsChanged,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("company", company_id, Some(&after.name));
    for (key, was, is) in [
        (
            "require_two_factor",
            before.settings.require_two_factor,
            after.settings.require_two_factor,
        ),
        (
            "password_sign_in",
            before.settings.password_sign_in,
            after.settings.password_sign_in,
        ),
        (
            "just_in_time",
            before.settings.just_in_time,
            after.settings.just_in_time,
        ),
        (
            "tenant_only",
            before.settings.tenant_only,
            after.settings.tenant_only,
        ),
    ] {
        if was != is {
            entry = entry
                .detail(&format!("{key}_before"), was)
                .detail(&format!("{key}_after"), is);
        }
    }
    audit::record(&state, entry).await;
    if after.settings.require_two_factor && !before.settings.require_two_factor {
        // Open links of members without a second factor close now, not at their next check.
        let _ = state
            .sign_outs
            .send(crate::auth::RECHECK_ALL_SIGN_INS.to_string());
    }
    Ok(Json(company_view(&state, &after).await?))
}
