//! Turns an account into the policy's [`Principal`]: its company, whether it
//! operates the server, and its role grants (direct and through user groups)
//! converted to the policy's terms. Loaded per request, so a changed role or
//! membership applies at the next request; this module decides nothing itself.

use reach_core::policy::{Grant, Principal, Restrictions, Scope};
use reach_store::{EffectiveGrant, Store, StoreError, User};

/// The principal `user` acts as right now.
pub async fn load(store: &dyn Store, user: &User) -> Result<Principal, StoreError> {
    let grants = match &user.company_id {
        Some(_) => store
            .effective_grants(&user.id)
            .await?
            .into_iter()
            .map(grant)
            .collect(),
        None => Vec::new(),
    };
    Ok(Principal {
        user_id: user.id.clone(),
        company_id: user.company_id.clone(),
        operator: user.operator,
        grants,
    })
}

fn grant(effective: EffectiveGrant) -> Grant {
    let role = effective.role;
    Grant {
        permissions: role.effective_permissions().into_iter().collect(),
        restrictions: Restrictions {
            view_only: role.view_only,
            upload_paths: role.upload_paths,
            download_paths: role.download_paths,
        },
        scope: match effective.device_group_id {
            Some(group) => Scope::DeviceGroup(group),
            None => Scope::Company,
        },
    }
}
