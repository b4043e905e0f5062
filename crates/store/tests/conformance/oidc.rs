//! Conformance cases for OpenID Connect single sign-on storage.

use std::sync::Arc;

use reach_store::*;

use super::saml::{domain, provider as saml_provider};
use super::{unique_id, NOW};

fn provider(domain: &SsoDomain, issuer: &str) -> OidcProvider {
    OidcProvider {
        domain_id: domain.id.clone(),
        company_id: domain.company_id.clone(),
        issuer: issuer.into(),
        client_id: "reach".into(),
        client_secret_sealed: Some("v1:sealed".into()),
        updated_at: NOW,
    }
}

fn request(domain: &SsoDomain, state: &str, expires_at: i64) -> OidcRequest {
    OidcRequest {
        state: state.into(),
        company_id: domain.company_id.clone(),
        domain_id: domain.id.clone(),
        nonce: "nonce".into(),
        pkce_verifier_sealed: "v1:verifier".into(),
        relay_state: Some("console".into()),
        created_at: NOW,
        expires_at,
    }
}

pub async fn oidc_providers_belong_to_their_domain_and_company(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ours = domain(&store, &acme, "acme.example", true).await;
    let mut oidc = provider(&ours, "https://login.acme.example");
    store.put_oidc_provider(&oidc).await.unwrap();
    assert_eq!(
        store.oidc_provider(&acme.id, &ours.id).await.unwrap(),
        Some(oidc.clone())
    );

    // Replacing it changes every field, a public client has no secret.
    oidc.issuer = "https://login2.acme.example".into();
    oidc.client_secret_sealed = None;
    oidc.updated_at = NOW + 1;
    store.put_oidc_provider(&oidc).await.unwrap();
    assert_eq!(
        store.oidc_provider(&acme.id, &ours.id).await.unwrap(),
        Some(oidc.clone())
    );

    // Another company sees nothing and can change nothing.
    assert_eq!(
        store.oidc_provider(&globex.id, &ours.id).await.unwrap(),
        None
    );
    let mut foreign = oidc.clone();
    foreign.company_id = globex.id.clone();
    assert!(matches!(
        store.put_oidc_provider(&foreign).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_oidc_provider(&globex.id, &ours.id).await,
        Err(StoreError::NotFound)
    ));

    store
        .delete_oidc_provider(&acme.id, &ours.id)
        .await
        .unwrap();
    assert_eq!(store.oidc_provider(&acme.id, &ours.id).await.unwrap(), None);
    assert!(matches!(
        store.delete_oidc_provider(&acme.id, &ours.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn a_domain_signs_in_through_one_protocol(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let ours = domain(&store, &acme, "acme.example", true).await;
    store
        .put_saml_provider(&saml_provider(&ours, "https://idp.acme"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .put_oidc_provider(&provider(&ours, "https://login.acme"))
            .await,
        Err(StoreError::Conflict("saml_provider"))
    ));
    assert_eq!(store.oidc_provider(&acme.id, &ours.id).await.unwrap(), None);

    store
        .delete_saml_provider(&acme.id, &ours.id)
        .await
        .unwrap();
    store
        .put_oidc_provider(&provider(&ours, "https://login.acme"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .put_saml_provider(&saml_provider(&ours, "https://idp.acme"))
            .await,
        Err(StoreError::Conflict("oidc_provider"))
    ));
    assert_eq!(store.saml_provider(&acme.id, &ours.id).await.unwrap(), None);
}

pub async fn only_verified_domains_sign_in_with_oidc(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let pending = domain(&store, &acme, "pending.example", false).await;
    store
        .put_oidc_provider(&provider(&pending, "https://login.pending"))
        .await
        .unwrap();
    assert_eq!(
        store.active_oidc_provider("pending.example").await.unwrap(),
        None
    );
    let verified = domain(&store, &acme, "acme.example", true).await;
    assert_eq!(
        store.active_oidc_provider("acme.example").await.unwrap(),
        None
    );
    let oidc = provider(&verified, "https://login.acme");
    store.put_oidc_provider(&oidc).await.unwrap();
    assert_eq!(
        store.active_oidc_provider("acme.example").await.unwrap(),
        Some((verified.clone(), oidc.clone()))
    );
    // By issuer: the verified domain's only (the pending one has the same issuer).
    let pending_same = provider(
        &domain(&store, &acme, "later.example", false).await,
        "https://login.acme",
    );
    store.put_oidc_provider(&pending_same).await.unwrap();
    assert_eq!(
        store
            .oidc_providers_by_issuer("https://login.acme")
            .await
            .unwrap(),
        vec![(verified, oidc)]
    );
    assert!(store
        .oidc_providers_by_issuer("https://elsewhere")
        .await
        .unwrap()
        .is_empty());
}

pub async fn oidc_requests_are_answered_once(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let ours = domain(&store, &acme, "acme.example", true).await;
    let live = request(&ours, "state-live", NOW + 600);
    store.create_oidc_request(&live).await.unwrap();
    store
        .create_oidc_request(&request(&ours, "state-old", NOW))
        .await
        .unwrap();
    store
        .create_oidc_request(&request(&ours, "state-purged", NOW - 1))
        .await
        .unwrap();
    // The same state twice is refused: states are random and used once.
    assert!(store.create_oidc_request(&live).await.is_err());

    assert_eq!(
        store.take_oidc_request("state-live", NOW).await.unwrap(),
        Some(live)
    );
    assert_eq!(
        store.take_oidc_request("state-live", NOW).await.unwrap(),
        None
    );
    // Expired at `now`: refused, and gone.
    assert_eq!(
        store.take_oidc_request("state-old", NOW).await.unwrap(),
        None
    );
    assert_eq!(store.purge_oidc(NOW).await.unwrap(), 1);
    assert_eq!(
        store
            .take_oidc_request("state-purged", NOW - 10)
            .await
            .unwrap(),
        None
    );

    // Deleting the domain takes its outstanding requests and provider.
    store
        .create_oidc_request(&request(&ours, "state-domain", NOW + 600))
        .await
        .unwrap();
    store
        .put_oidc_provider(&provider(&ours, "https://login.acme"))
        .await
        .unwrap();
    store.delete_sso_domain(&acme.id, &ours.id).await.unwrap();
    assert_eq!(
        store.take_oidc_request("state-domain", NOW).await.unwrap(),
        None
    );
    assert_eq!(store.oidc_provider(&acme.id, &ours.id).await.unwrap(), None);
}
