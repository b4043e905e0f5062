//! Conformance cases for SAML single sign-on storage.

use std::sync::Arc;

use reach_store::*;

use super::domains::claim;
use super::{unique_id, NOW};

/// A domain of `company`, verified when `verified`.
pub async fn domain(
    store: &Arc<dyn Store>,
    company: &Company,
    name: &str,
    verified: bool,
) -> SsoDomain {
    let domain = claim(company, name);
    store.create_sso_domain(&domain).await.unwrap();
    if !verified {
        return domain;
    }
    let started = store
        .start_domain_verification(&company.id, &domain.id, NOW)
        .await
        .unwrap();
    store
        .record_domain_check(&started, DomainStatus::Verified, None, NOW)
        .await
        .unwrap()
}

pub fn provider(domain: &SsoDomain, entity_id: &str) -> SamlProvider {
    SamlProvider {
        domain_id: domain.id.clone(),
        company_id: domain.company_id.clone(),
        idp_entity_id: entity_id.into(),
        sso_url: "https://idp.example/sso".into(),
        binding: reach_core::saml::RequestBinding::Redirect,
        certificates: vec!["Y2VydC1vbmU=".into(), "Y2VydC10d28=".into()],
        metadata_url: None,
        customer_identifier_hash: None,
        updated_at: NOW,
    }
}

pub async fn identity_providers_belong_to_their_domain_and_company(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ours = domain(&store, &acme, "acme.example", true).await;
    let saml = provider(&ours, "https://idp.acme.example");
    store.put_saml_provider(&saml).await.unwrap();
    assert_eq!(
        store.saml_provider(&acme.id, &ours.id).await.unwrap(),
        Some(saml.clone())
    );

    // A customer identifier survives a change of the provider's settings.
    let with_hash = store
        .set_customer_identifier_hash(&acme.id, &ours.id, "abc123", NOW + 1)
        .await
        .unwrap();
    assert_eq!(
        with_hash.customer_identifier_hash.as_deref(),
        Some("abc123")
    );
    let changed = SamlProvider {
        sso_url: "https://idp.acme.example/sso2".into(),
        binding: reach_core::saml::RequestBinding::Post,
        certificates: vec!["Y2VydC10aHJlZQ==".into()],
        updated_at: NOW + 2,
        ..saml.clone()
    };
    store.put_saml_provider(&changed).await.unwrap();
    let stored = store
        .saml_provider(&acme.id, &ours.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.sso_url, "https://idp.acme.example/sso2");
    assert_eq!(stored.binding, reach_core::saml::RequestBinding::Post);
    assert_eq!(stored.certificates, vec!["Y2VydC10aHJlZQ==".to_string()]);
    assert_eq!(stored.customer_identifier_hash.as_deref(), Some("abc123"));

    // Another company can neither see nor change it.
    assert_eq!(
        store.saml_provider(&globex.id, &ours.id).await.unwrap(),
        None
    );
    let hijack = SamlProvider {
        company_id: globex.id.clone(),
        ..saml.clone()
    };
    assert!(matches!(
        store.put_saml_provider(&hijack).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_customer_identifier_hash(&globex.id, &ours.id, "x", NOW)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_saml_provider(&globex.id, &ours.id).await,
        Err(StoreError::NotFound)
    ));

    store
        .delete_saml_provider(&acme.id, &ours.id)
        .await
        .unwrap();
    assert_eq!(store.saml_provider(&acme.id, &ours.id).await.unwrap(), None);
    assert!(matches!(
        store.delete_saml_provider(&acme.id, &ours.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_customer_identifier_hash(&acme.id, &ours.id, "x", NOW)
            .await,
        Err(StoreError::NotFound)
    ));
}

pub async fn only_verified_domains_sign_in(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let pending = domain(&store, &acme, "pending.example", false).await;
    store
        .put_saml_provider(&provider(&pending, "https://idp.shared"))
        .await
        .unwrap();
    assert_eq!(
        store.active_saml_provider("pending.example").await.unwrap(),
        None
    );

    let acme_domain = domain(&store, &acme, "acme.example", true).await;
    let globex_domain = domain(&store, &globex, "globex.example", true).await;
    store
        .put_saml_provider(&provider(&acme_domain, "https://idp.shared"))
        .await
        .unwrap();
    store
        .put_saml_provider(&provider(&globex_domain, "https://idp.shared"))
        .await
        .unwrap();
    let (found, found_provider) = store
        .active_saml_provider("acme.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id.as_str(), found_provider.domain_id.as_str()),
        (acme_domain.id.as_str(), acme_domain.id.as_str())
    );
    assert_eq!(
        store.active_saml_provider("nobody.example").await.unwrap(),
        None
    );

    // Both companies use the same IdP; the unverified domain is left out.
    let mut by_issuer: Vec<String> = store
        .saml_providers_by_issuer("https://idp.shared")
        .await
        .unwrap()
        .into_iter()
        .map(|(domain, _)| domain.domain)
        .collect();
    by_issuer.sort();
    assert_eq!(
        by_issuer,
        vec!["acme.example".to_string(), "globex.example".to_string()]
    );
    assert!(store
        .saml_providers_by_issuer("https://other")
        .await
        .unwrap()
        .is_empty());
}

pub async fn exclusion_lists_are_normalized_and_replaced(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ours = domain(&store, &acme, "acme.example", false).await;
    store
        .set_sso_exclusions(
            &acme.id,
            &ours.id,
            &[
                " Ada@Acme.EXAMPLE ".into(),
                "ada@acme.example".into(),
                "bob@acme.example".into(),
                "  ".into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        store.sso_exclusions(&acme.id, &ours.id).await.unwrap(),
        vec![
            "ada@acme.example".to_string(),
            "bob@acme.example".to_string()
        ]
    );
    store
        .set_sso_exclusions(&acme.id, &ours.id, &["carol@acme.example".into()])
        .await
        .unwrap();
    assert_eq!(
        store.sso_exclusions(&acme.id, &ours.id).await.unwrap(),
        vec!["carol@acme.example".to_string()]
    );
    assert!(matches!(
        store.set_sso_exclusions(&globex.id, &ours.id, &[]).await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .sso_exclusions(&globex.id, &ours.id)
        .await
        .unwrap()
        .is_empty());
}

pub async fn requests_are_answered_once_and_assertions_used_once(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let ours = domain(&store, &acme, "acme.example", true).await;
    let request = |id: &str, expires_at| SamlRequest {
        id: id.into(),
        company_id: acme.id.clone(),
        domain_id: ours.id.clone(),
        relay_state: Some("console".into()),
        created_at: NOW,
        expires_at,
    };
    store
        .create_saml_request(&request("_one", NOW + 600))
        .await
        .unwrap();
    store
        .create_saml_request(&request("_late", NOW + 10))
        .await
        .unwrap();
    assert_eq!(
        store.take_saml_request("_one", NOW + 1).await.unwrap(),
        Some(request("_one", NOW + 600))
    );
    assert_eq!(
        store.take_saml_request("_one", NOW + 1).await.unwrap(),
        None
    );
    assert_eq!(
        store.take_saml_request("_late", NOW + 10).await.unwrap(),
        None
    );
    assert_eq!(store.take_saml_request("_never", NOW).await.unwrap(), None);

    assert!(store
        .remember_assertion("https://idp", "_a1", NOW + 100)
        .await
        .unwrap());
    assert!(!store
        .remember_assertion("https://idp", "_a1", NOW + 100)
        .await
        .unwrap());
    assert!(store
        .remember_assertion("https://other-idp", "_a1", NOW + 5)
        .await
        .unwrap());

    // Purging removes what expired, and nothing else: the replay is still refused.
    store
        .create_saml_request(&request("_stale", NOW + 5))
        .await
        .unwrap();
    store
        .create_saml_request(&request("_fresh", NOW + 600))
        .await
        .unwrap();
    assert_eq!(store.purge_saml(NOW + 50).await.unwrap(), 2);
    assert!(!store
        .remember_assertion("https://idp", "_a1", NOW + 100)
        .await
        .unwrap());
    assert!(store
        .take_saml_request("_fresh", NOW + 51)
        .await
        .unwrap()
        .is_some());
}

pub async fn deleting_a_domain_takes_its_single_sign_on_with_it(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let ours = domain(&store, &acme, "acme.example", true).await;
    store
        .put_saml_provider(&provider(&ours, "https://idp.acme"))
        .await
        .unwrap();
    store
        .set_sso_exclusions(&acme.id, &ours.id, &["ada@acme.example".into()])
        .await
        .unwrap();
    store
        .create_saml_request(&SamlRequest {
            id: "_pending".into(),
            company_id: acme.id.clone(),
            domain_id: ours.id.clone(),
            relay_state: None,
            created_at: NOW,
            expires_at: NOW + 600,
        })
        .await
        .unwrap();
    store.delete_sso_domain(&acme.id, &ours.id).await.unwrap();
    assert_eq!(store.saml_provider(&acme.id, &ours.id).await.unwrap(), None);
    assert!(store
        .sso_exclusions(&acme.id, &ours.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.take_saml_request("_pending", NOW).await.unwrap(),
        None
    );
    assert!(store
        .saml_providers_by_issuer("https://idp.acme")
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_replayed_assertion_racing_itself_passes_once(store: Arc<dyn Store>) {
    // Ten copies of one assertion posted at once: exactly one is the first use.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .remember_assertion("https://idp.race", "_same", NOW + 600)
                .await
        }));
    }
    let mut first_uses = 0;
    for task in tasks {
        if task.await.unwrap().unwrap() {
            first_uses += 1;
        }
    }
    assert_eq!(first_uses, 1);
}

fn group(company: &Company, name: &str, member_ids: Vec<String>) -> UserGroup {
    UserGroup {
        id: unique_id(),
        company_id: company.id.clone(),
        name: name.into(),
        external_id: None,
        member_ids,
        created_at: NOW,
    }
}

pub async fn excluded_groups_are_the_company_s_and_leave_with_the_group(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ours = domain(&store, &acme, "acme.example", true).await;
    let ada = super::user(&acme, "ada@acme.example");
    let bob = super::user(&acme, "bob@acme.example");
    store.create_user(&ada, &[], NOW).await.unwrap();
    store.create_user(&bob, &[], NOW).await.unwrap();
    let admins = group(&acme, "Admins", vec![ada.id.clone()]);
    let helpdesk = group(&acme, "Helpdesk", vec![]);
    let foreign = group(&globex, "Globex admins", vec![]);
    for g in [&admins, &helpdesk, &foreign] {
        store.create_user_group(g).await.unwrap();
    }

    store
        .set_sso_excluded_groups(
            &acme.id,
            &ours.id,
            &[admins.id.clone(), helpdesk.id.clone(), admins.id.clone()],
        )
        .await
        .unwrap();
    let mut expected = vec![admins.id.clone(), helpdesk.id.clone()];
    expected.sort();
    assert_eq!(
        store.sso_excluded_groups(&acme.id, &ours.id).await.unwrap(),
        expected
    );
    assert!(store
        .in_sso_excluded_group(&ours.id, &ada.id)
        .await
        .unwrap());
    assert!(!store
        .in_sso_excluded_group(&ours.id, &bob.id)
        .await
        .unwrap());

    // Another company's group, or another company's domain: not found, nothing changed.
    assert!(matches!(
        store
            .set_sso_excluded_groups(&acme.id, &ours.id, std::slice::from_ref(&foreign.id))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_sso_excluded_groups(&globex.id, &ours.id, &[])
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.sso_excluded_groups(&acme.id, &ours.id).await.unwrap(),
        expected
    );
    assert!(store
        .sso_excluded_groups(&globex.id, &ours.id)
        .await
        .unwrap()
        .is_empty());

    // A deleted group leaves the list.
    store.delete_user_group(&acme.id, &admins.id).await.unwrap();
    assert_eq!(
        store.sso_excluded_groups(&acme.id, &ours.id).await.unwrap(),
        vec![helpdesk.id.clone()]
    );
    assert!(!store
        .in_sso_excluded_group(&ours.id, &ada.id)
        .await
        .unwrap());
}
