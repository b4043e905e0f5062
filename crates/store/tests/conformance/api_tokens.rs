//! Conformance cases for API tokens.

use std::sync::Arc;

use reach_proto::access::Permission;
use reach_store::*;

use super::{unique_id, user, NOW};

fn token(company: &Company, user_id: Option<&str>, hash: &str) -> ApiToken {
    ApiToken {
        id: unique_id(),
        company_id: company.id.clone(),
        user_id: user_id.map(str::to_string),
        name: "CI".into(),
        token_hash: hash.into(),
        scopes: vec![Permission::ManageDevices, Permission::ViewReports],
        expires_at: NOW + 1000,
        created_by: None,
        created_at: NOW,
        last_used_at: None,
        revoked_at: None,
    }
}

pub async fn api_tokens_are_found_by_hash_until_expired_or_revoked(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ann = user(&acme, "ann@example.com");
    let eve = user(&globex, "eve@globex.example");
    store.create_user(&ann, &[], NOW).await.unwrap();
    store.create_user(&eve, &[], NOW).await.unwrap();

    let personal = token(&acme, Some(&ann.id), "h-personal");
    let company = token(&acme, None, "h-company");
    store.create_api_token(&personal).await.unwrap();
    store.create_api_token(&company).await.unwrap();
    assert!(matches!(
        store
            .create_api_token(&token(&acme, Some(&eve.id), "h-foreign"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .create_api_token(&token(&acme, None, "h-company"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.api_token("h-personal", NOW).await.unwrap(), personal);
    assert!(matches!(
        store.api_token("h-personal", NOW + 1000).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_api_tokens(&acme.id).await.unwrap().len(), 2);
    assert!(store.list_api_tokens(&globex.id).await.unwrap().is_empty());

    store.touch_api_token(&company.id, NOW + 5).await.unwrap();
    store.touch_api_token(&company.id, NOW + 10).await.unwrap();
    let touched = store.api_token("h-company", NOW).await.unwrap();
    assert_eq!(touched.last_used_at, Some(NOW + 5), "one write a minute");

    assert!(matches!(
        store.revoke_api_token(&globex.id, &company.id, NOW).await,
        Err(StoreError::NotFound)
    ));
    let revoked = store
        .revoke_api_token(&acme.id, &company.id, NOW + 20)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(NOW + 20));
    assert!(matches!(
        store.api_token("h-company", NOW).await,
        Err(StoreError::NotFound)
    ));

    // A user's tokens go when the user leaves the company.
    store.remove_from_company(&acme.id, &ann.id).await.unwrap();
    assert!(matches!(
        store.api_token("h-personal", NOW).await,
        Err(StoreError::NotFound)
    ));
}
