//! Conformance cases for single sign-on domains.

use std::sync::Arc;

use reach_store::*;

use super::{unique_id, NOW};

pub fn claim(company: &Company, domain: &str) -> SsoDomain {
    SsoDomain {
        id: unique_id(),
        company_id: company.id.clone(),
        domain: domain.into(),
        token: unique_id(),
        status: DomainStatus::Unverified,
        failure: None,
        started_at: None,
        checked_at: None,
        verified_at: None,
        created_at: NOW,
    }
}

pub async fn a_domain_is_proven_by_one_company(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let squatter = store
        .create_company(&unique_id(), "Squatter", NOW)
        .await
        .unwrap();
    let ours = claim(&acme, "acme.example");
    let theirs = claim(&squatter, "acme.example");
    store.create_sso_domain(&ours).await.unwrap();
    store.create_sso_domain(&theirs).await.unwrap();
    assert!(matches!(
        store.create_sso_domain(&claim(&acme, "acme.example")).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.list_sso_domains(&acme.id).await.unwrap(),
        vec![ours.clone()]
    );
    assert!(matches!(
        store.sso_domain(&squatter.id, &ours.id).await,
        Err(StoreError::NotFound)
    ));

    let started = store
        .start_domain_verification(&acme.id, &ours.id, NOW + 1)
        .await
        .unwrap();
    assert_eq!(started.status, DomainStatus::Verifying);
    assert_eq!(started.started_at, Some(NOW + 1));
    store
        .start_domain_verification(&squatter.id, &theirs.id, NOW + 1)
        .await
        .unwrap();
    assert_eq!(store.domains_being_verified().await.unwrap().len(), 2);

    let still = store
        .record_domain_check(&started, DomainStatus::Verifying, None, NOW + 2)
        .await
        .unwrap();
    assert_eq!(
        (still.status, still.checked_at),
        (DomainStatus::Verifying, Some(NOW + 2))
    );
    let verified = store
        .record_domain_check(&still, DomainStatus::Verified, None, NOW + 3)
        .await
        .unwrap();
    assert_eq!(
        (verified.status, verified.verified_at),
        (DomainStatus::Verified, Some(NOW + 3))
    );
    // The other company can't prove it too.
    let their_state = store.sso_domain(&squatter.id, &theirs.id).await.unwrap();
    assert!(matches!(
        store
            .record_domain_check(&their_state, DomainStatus::Verified, None, NOW + 4)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let failed = store
        .record_domain_check(&their_state, DomainStatus::Failed, Some("taken"), NOW + 4)
        .await
        .unwrap();
    assert_eq!(
        (failed.status, failed.failure.as_deref()),
        (DomainStatus::Failed, Some("taken"))
    );
    // A verified domain is done; a failed one can start again.
    assert!(matches!(
        store
            .start_domain_verification(&acme.id, &ours.id, NOW + 5)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let again = store
        .start_domain_verification(&squatter.id, &theirs.id, NOW + 5)
        .await
        .unwrap();
    assert_eq!(
        (again.status, again.failure),
        (DomainStatus::Verifying, None)
    );
    assert!(store.domains_being_verified().await.unwrap().len() == 1);
    store
        .delete_sso_domain(&squatter.id, &theirs.id)
        .await
        .unwrap();
    assert!(store
        .list_sso_domains(&squatter.id)
        .await
        .unwrap()
        .is_empty());
}

pub async fn domain_owners_are_members_of_its_company(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let domain = claim(&acme, "acme.example");
    store.create_sso_domain(&domain).await.unwrap();
    let ada = crate::user(&acme, "ada@acme.example");
    let bob = crate::user(&acme, "bob@acme.example");
    let gus = crate::user(&globex, "gus@globex.example");
    for user in [&ada, &bob, &gus] {
        store.create_user(user, &[], NOW).await.unwrap();
    }
    store
        .set_sso_domain_owners(
            &acme.id,
            &domain.id,
            &[bob.id.clone(), ada.id.clone(), bob.id.clone()],
        )
        .await
        .unwrap();
    let mut expected = vec![ada.id.clone(), bob.id.clone()];
    expected.sort();
    assert_eq!(
        store.sso_domain_owners(&acme.id, &domain.id).await.unwrap(),
        expected
    );
    assert_eq!(
        store.owned_sso_domains(&ada.id).await.unwrap(),
        vec![domain.id.clone()]
    );
    // Another company's user, or from another company: not found, nothing changed.
    assert!(matches!(
        store
            .set_sso_domain_owners(&acme.id, &domain.id, std::slice::from_ref(&gus.id))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_sso_domain_owners(&globex.id, &domain.id, &[])
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .sso_domain_owners(&globex.id, &domain.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.sso_domain_owners(&acme.id, &domain.id).await.unwrap(),
        expected
    );
    // Out of the company, no longer an owner; the domain gone, no one is.
    store.remove_from_company(&acme.id, &ada.id).await.unwrap();
    assert!(store.owned_sso_domains(&ada.id).await.unwrap().is_empty());
    store.delete_sso_domain(&acme.id, &domain.id).await.unwrap();
    assert!(store.owned_sso_domains(&bob.id).await.unwrap().is_empty());
}
