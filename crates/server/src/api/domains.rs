//! Single sign-on domains: a company claims an e-mail domain and proves it owns
//! it with a DNS TXT record. Verification, once started, is retried by
//! [`check_domains`] until the record is found or 24 hours have passed; a domain
//! proven by one company can't be proven by another.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use reach_core::domains::{self, VERIFICATION_WINDOW_MS};
use reach_core::policy::{authorize, Action, Resource};
use reach_core::{credentials, Millis};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::{AddSsoDomain, DomainStatus, SsoDomainView};
use reach_proto::messages::ConsoleEvent;
use reach_proto::sso::{DomainOwnerView, DomainOwnersView, SetDomainOwners};
use reach_store::{SsoDomain, StoreError};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::{Authenticated, Credential};
use crate::error::ApiFailure;
use crate::hub::EventSubject;
use crate::AppState;

/// `failure` values, for the console to translate.
const NOT_FOUND_IN_TIME: &str = "not_found_in_time";
const TAKEN: &str = "verified_by_another_company";

fn domain_view(domain: &SsoDomain) -> SsoDomainView {
    SsoDomainView {
        id: domain.id.clone(),
        domain: domain.domain.clone(),
        status: domain.status,
        failure: domain.failure.clone(),
        txt_name: domain.domain.clone(),
        txt_value: domains::txt_value(&domain.token),
        started_at: domain.started_at,
        checked_at: domain.checked_at,
        verification_ends_at: match domain.status {
            DomainStatus::Verifying => domain
                .started_at
                .map(|at| at.saturating_add(VERIFICATION_WINDOW_MS)),
            _ => None,
        },
        verified_at: domain.verified_at,
        created_at: domain.created_at,
    }
}

fn publish(state: &AppState, domain: &SsoDomain, removed: bool) {
    state.hub.publish(
        &domain.company_id,
        EventSubject::Administration(Action::ManageSso),
        ConsoleEvent::SsoDomainChanged {
            domain: domain_view(domain),
            removed,
        },
    );
}

/// The owners a request brings to the policy: a console sign-in's; a token
/// acts by its scopes alone.
async fn owners_for(
    state: &AppState,
    auth: &Authenticated,
    company_id: &str,
    domain_id: &str,
) -> Result<Vec<String>, ApiFailure> {
    match auth.credential {
        Credential::Browser(_) => Ok(state.store.sso_domain_owners(company_id, domain_id).await?),
        Credential::Token(_) => Ok(Vec::new()),
    }
}

/// The caller's company and its domain `id`, once the caller may manage the
/// domain's single sign-on: with `sso.manage`, or as one of its owners.
pub async fn managed(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> Result<(String, SsoDomain), ApiFailure> {
    let company_id = auth.company_id()?.to_string();
    let owner_ids = owners_for(state, auth, &company_id, id).await?;
    authorize(
        &auth.principal,
        Action::ManageSso,
        Resource::SsoDomain {
            company_id: &company_id,
            owner_ids: &owner_ids,
        },
    )?;
    let domain = state.store.sso_domain(&company_id, id).await?;
    Ok((company_id, domain))
}

/// `GET /api/sso-domains`: every domain with `sso.manage`; else the ones the
/// caller owns (refused when none).
pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<SsoDomainView>>, ApiFailure> {
    let company_id = auth.company_id()?;
    let domains = state.store.list_sso_domains(company_id).await?;
    if auth.company_for(Action::ManageSso).is_ok() {
        return Ok(Json(domains.iter().map(domain_view).collect()));
    }
    let owned = match auth.credential {
        Credential::Browser(_) => state.store.owned_sso_domains(&auth.user.id).await?,
        Credential::Token(_) => Vec::new(),
    };
    if owned.is_empty() {
        // The refusal the company-wide check gives.
        auth.company_for(Action::ManageSso)?;
    }
    Ok(Json(
        domains
            .iter()
            .filter(|d| owned.contains(&d.id))
            .map(domain_view)
            .collect(),
    ))
}

pub async fn add(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<AddSsoDomain>,
) -> Result<Json<SsoDomainView>, ApiFailure> {
    let Json(request) = body?;
    let company_id = auth.company_for(Action::ManageSso)?;
    let name = domains::normalize(&request.domain)
        .map_err(|err| ApiFailure::new(ErrorCode::InvalidDomain, err.to_string()))?;
    let domain = SsoDomain {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company_id.to_string(),
        domain: name,
        token: credentials::new_secret(""),
        status: DomainStatus::Unverified,
        failure: None,
        started_at: None,
        checked_at: None,
        verified_at: None,
        created_at: state.clock.now(),
    };
    match state.store.create_sso_domain(&domain).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiFailure::new(
                ErrorCode::DomainAlreadyAdded,
                "your company has added this domain already",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    // The one who adds a domain owns it (a company token owns nothing).
    if matches!(auth.credential, Credential::Browser(_)) {
        state
            .store
            .set_sso_domain_owners(company_id, &domain.id, std::slice::from_ref(&auth.user.id))
            .await?;
    }
    let entry = Entry::new(company_id, AuditCode::SsoDomainAdded, Actor::user(&auth))
        .ip(auth.ip)
        .target("sso_domain", &domain.id, Some(&domain.domain));
    audit::record(&state, entry).await;
    publish(&state, &domain, false);
    Ok(Json(domain_view(&domain)))
}

/// `POST /api/sso-domains/{id}/verify`: starts (or restarts after a failure)
/// looking for the TXT record, and looks once right away.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<SsoDomainView>, ApiFailure> {
    let (company_id, _) = managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    let started = match state
        .store
        .start_domain_verification(company_id, &id, state.clock.now())
        .await
    {
        Ok(domain) => domain,
        Err(StoreError::Conflict(_)) => {
            return Err(ApiFailure::new(
                ErrorCode::Conflict,
                "this domain is verified already",
            ))
        }
        Err(err) => return Err(err.into()),
    };
    let entry = Entry::new(
        company_id,
        AuditCode::DomainVerificationStarted,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("sso_domain", &started.id, Some(&started.domain));
    audit::record(&state, entry).await;
    let checked = check_one(&state, started, state.clock.now()).await?;
    publish(&state, &checked, false);
    Ok(Json(domain_view(&checked)))
}

pub async fn remove(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let (company_id, _) = managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    let domain = state.store.delete_sso_domain(company_id, &id).await?;
    let entry = Entry::new(company_id, AuditCode::SsoDomainRemoved, Actor::user(&auth))
        .ip(auth.ip)
        .target("sso_domain", &domain.id, Some(&domain.domain))
        .detail("status", domain.status.as_str());
    audit::record(&state, entry).await;
    publish(&state, &domain, true);
    Ok(StatusCode::NO_CONTENT)
}

/// Looks for one domain's record and stores the outcome. A DNS failure is not a
/// verdict: the domain stays `verifying` until the window closes.
async fn check_one(
    state: &AppState,
    domain: SsoDomain,
    now: Millis,
) -> Result<SsoDomain, ApiFailure> {
    let started = domain.started_at.unwrap_or(now);
    let found = match state.dns.txt(&domain.domain).await {
        Ok(values) => domains::proves(&values, &domain.token),
        Err(err) => {
            tracing::info!(domain = %domain.domain, error = %err, "domain verification lookup failed");
            false
        }
    };
    let (outcome, failure) = if found {
        (DomainStatus::Verified, None)
    } else if now.saturating_sub(started) >= VERIFICATION_WINDOW_MS {
        (DomainStatus::Failed, Some(NOT_FOUND_IN_TIME))
    } else {
        (DomainStatus::Verifying, None)
    };
    let checked = match state
        .store
        .record_domain_check(&domain, outcome, failure, now)
        .await
    {
        Ok(checked) => checked,
        Err(StoreError::Conflict(_)) => {
            state
                .store
                .record_domain_check(&domain, DomainStatus::Failed, Some(TAKEN), now)
                .await?
        }
        Err(err) => return Err(err.into()),
    };
    let code = match checked.status {
        DomainStatus::Verified => Some(AuditCode::DomainVerified),
        DomainStatus::Failed => Some(AuditCode::DomainVerificationFailed),
        DomainStatus::Verifying | DomainStatus::Unverified => None,
    };
    if let Some(code) = code {
        let mut entry = Entry::new(&checked.company_id, code, Actor::System).target(
            "sso_domain",
            &checked.id,
            Some(&checked.domain),
        );
        if let Some(failure) = &checked.failure {
            entry = entry.detail("reason", failure);
        }
        audit::record(state, entry).await;
    }
    Ok(checked)
}

/// Checks every domain being verified, in every company: run periodically.
pub async fn check_domains(state: &AppState) {
    let domains = match state.store.domains_being_verified().await {
        Ok(domains) => domains,
        Err(err) => {
            tracing::warn!(error = %err, "could not list domains being verified");
            return;
        }
    };
    for domain in domains {
        let before = domain.status;
        match check_one(state, domain, state.clock.now()).await {
            Ok(checked) if checked.status != before => publish(state, &checked, false),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = ?err.detail, "could not record a domain check"),
        }
    }
}

/// Most owners a domain has.
const MAX_OWNERS: usize = 50;

async fn owners_view(
    state: &AppState,
    company_id: &str,
    domain_id: &str,
) -> Result<DomainOwnersView, ApiFailure> {
    let ids = state.store.sso_domain_owners(company_id, domain_id).await?;
    let members = state.store.list_users(company_id).await?;
    Ok(DomainOwnersView {
        owners: members
            .iter()
            .filter(|u| ids.contains(&u.id))
            .map(|u| DomainOwnerView {
                id: u.id.clone(),
                email: u.email.clone(),
                display_name: u.display_name.clone(),
            })
            .collect(),
    })
}

/// `GET /api/sso-domains/{id}/owners`.
pub async fn owners(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DomainOwnersView>, ApiFailure> {
    let (company_id, _) = managed(&state, &auth, &id).await?;
    Ok(Json(owners_view(&state, &company_id, &id).await?))
}

/// `PUT /api/sso-domains/{id}/owners`: the owners, by address.
pub async fn set_owners(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<SetDomainOwners>,
) -> Result<Json<DomainOwnersView>, ApiFailure> {
    let Json(request) = body?;
    let (company_id, domain) = managed(&state, &auth, &id).await?;
    if request.emails.len() > MAX_OWNERS {
        return Err(ApiFailure::bad_request(format!(
            "a domain has at most {MAX_OWNERS} owners"
        )));
    }
    let members = state.store.list_users(&company_id).await?;
    let mut ids = Vec::with_capacity(request.emails.len());
    for email in &request.emails {
        let email = reach_core::validate::normalize_email(email)?;
        let member = members.iter().find(|u| u.email == email).ok_or_else(|| {
            ApiFailure::bad_request(format!("{email} is not a member of this company"))
        })?;
        ids.push(member.id.clone());
    }
    let before = owners_view(&state, &company_id, &id).await?;
    state
        .store
        .set_sso_domain_owners(&company_id, &id, &ids)
        .await?;
    let after = owners_view(&state, &company_id, &id).await?;
    let emails = |view: &DomainOwnersView| {
        view.owners
            .iter()
            .map(|o| o.email.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let entry = Entry::new(
        &company_id,
        AuditCode::SsoDomainOwnersChanged,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("sso_domain", &domain.id, Some(&domain.domain))
    .detail("owners_before", emails(&before))
    .detail("owners_after", emails(&after));
    audit::record(&state, entry).await;
    Ok(Json(after))
}
