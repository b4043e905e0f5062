//! Conformance cases for two-factor sign-in state.

use std::sync::Arc;

use reach_store::*;

use super::{user, NOW};

pub async fn two_factor_codes_are_spent_once(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let ann = user(&company, "ann@example.com");
    store.create_user(&ann, &[], NOW).await.unwrap();
    assert_eq!(
        store.two_factor(&ann.id).await.unwrap(),
        TwoFactor::default()
    );
    assert!(
        !store.use_totp_step(&ann.id, 1).await.unwrap(),
        "no secret yet"
    );

    store.set_pending_totp(&ann.id, "v1:pending").await.unwrap();
    assert_eq!(
        store.two_factor(&ann.id).await.unwrap().pending.as_deref(),
        Some("v1:pending")
    );
    assert!(!store.user(&ann.id).await.unwrap().two_factor_enabled);
    let hashes = vec!["h1".to_string(), "h2".to_string()];
    store
        .enable_totp(&ann.id, "v1:secret", 100, &hashes, NOW)
        .await
        .unwrap();
    let state = store.two_factor(&ann.id).await.unwrap();
    assert_eq!(
        state,
        TwoFactor {
            secret: Some("v1:secret".into()),
            pending: None,
            last_step: Some(100),
            recovery_codes_left: 2,
        }
    );
    assert!(store.user(&ann.id).await.unwrap().two_factor_enabled);
    assert!(
        store
            .user_by_email("ann@example.com")
            .await
            .unwrap()
            .two_factor_enabled
    );

    // The confirming step is spent; so is any earlier one; a later one once.
    for (step, accepted) in [
        (100, false),
        (99, false),
        (101, true),
        (101, false),
        (103, true),
    ] {
        assert_eq!(
            store.use_totp_step(&ann.id, step).await.unwrap(),
            accepted,
            "step {step}"
        );
    }
    assert!(store.use_recovery_code(&ann.id, "h1", NOW).await.unwrap());
    assert!(!store.use_recovery_code(&ann.id, "h1", NOW).await.unwrap());
    assert!(!store.use_recovery_code(&ann.id, "nope", NOW).await.unwrap());
    assert_eq!(
        store.two_factor(&ann.id).await.unwrap().recovery_codes_left,
        1
    );

    store.disable_totp(&ann.id).await.unwrap();
    assert_eq!(
        store.two_factor(&ann.id).await.unwrap(),
        TwoFactor::default()
    );
    assert!(!store.user(&ann.id).await.unwrap().two_factor_enabled);
    assert!(matches!(
        store.disable_totp("nobody").await,
        Err(StoreError::NotFound)
    ));

    // Deleting the account forgets its second factor too.
    store
        .enable_totp(&ann.id, "v1:secret", 5, &hashes, NOW)
        .await
        .unwrap();
    store.delete_account(&ann.id, NOW).await.unwrap();
    assert_eq!(
        store.two_factor(&ann.id).await.unwrap(),
        TwoFactor::default()
    );
}
