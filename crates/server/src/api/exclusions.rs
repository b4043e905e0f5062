//! Who keeps password sign-in on a single sign-on domain, whichever protocol
//! it uses: addresses, and members of user groups.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use reach_proto::audit::AuditCode;
use reach_proto::sso::{SamlSettingsView, SsoExclusions};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// Most addresses (and most groups) an exclusion list holds.
const MAX_EXCLUSIONS: usize = 200;

/// The domain's excluded addresses and user group ids.
pub async fn excluded(
    state: &AppState,
    company_id: &str,
    domain_id: &str,
) -> Result<(Vec<String>, Vec<String>), ApiFailure> {
    let emails = state.store.sso_exclusions(company_id, domain_id).await?;
    let group_ids = state
        .store
        .sso_excluded_groups(company_id, domain_id)
        .await?;
    Ok((emails, group_ids))
}

/// `PUT /api/sso-domains/{id}/exclusions`: the addresses, and the user groups,
/// that keep password sign-in. Shared by both protocols.
pub async fn put_exclusions(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<SsoExclusions>,
) -> Result<Json<SamlSettingsView>, ApiFailure> {
    let Json(request) = body?;
    let (company_id, domain) = super::domains::managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    let groups_asked = request.group_ids.as_deref().unwrap_or_default().len();
    if request.emails.len() > MAX_EXCLUSIONS || groups_asked > MAX_EXCLUSIONS {
        return Err(ApiFailure::bad_request(format!(
            "an exclusion list holds at most {MAX_EXCLUSIONS} addresses and {MAX_EXCLUSIONS} groups"
        )));
    }
    let mut emails = Vec::with_capacity(request.emails.len());
    for email in &request.emails {
        emails.push(reach_core::validate::normalize_email(email)?);
    }
    let groups = state.store.list_user_groups(company_id).await?;
    let group_name = |id: &String| {
        groups
            .iter()
            .find(|g| &g.id == id)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| id.clone())
    };
    if let Some(unknown) = request
        .group_ids
        .iter()
        .flatten()
        .find(|id| !groups.iter().any(|g| &g.id == *id))
    {
        return Err(ApiFailure::bad_request(format!(
            "there is no user group {unknown} in this company"
        )));
    }
    let before = state.store.sso_exclusions(company_id, &id).await?;
    let groups_before = state.store.sso_excluded_groups(company_id, &id).await?;
    // Groups first: they are what can still be refused (a group deleted meanwhile).
    if let Some(group_ids) = &request.group_ids {
        state
            .store
            .set_sso_excluded_groups(company_id, &id, group_ids)
            .await?;
    }
    state
        .store
        .set_sso_exclusions(company_id, &id, &emails)
        .await?;
    let after = state.store.sso_exclusions(company_id, &id).await?;
    let groups_after = state.store.sso_excluded_groups(company_id, &id).await?;
    let names = |ids: &[String]| ids.iter().map(group_name).collect::<Vec<_>>().join(", ");
    let entry = Entry::new(
        company_id,
        AuditCode::SsoExclusionsChanged,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("sso_domain", &domain.id, Some(&domain.domain))
    .detail("excluded_before", before.join(", "))
    .detail("excluded_after", after.join(", "))
    .detail("excluded_groups_before", names(&groups_before))
    .detail("excluded_groups_after", names(&groups_after));
    audit::record(&state, entry).await;
    Ok(Json(
        super::saml::settings_view(&state, company_id, &id).await?,
    ))
}
