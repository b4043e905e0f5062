//! Two-factor sign-in end to end, with codes computed by the RFC 6238 algorithm
//! as an authenticator app would: setting it up (a wrong code refused), signing
//! in with and without the code, a code refused the second time, recovery codes
//! used once, the secret sealed in the database and still working after a
//! restart, company enforcement (a member who must enrol reaches nothing else
//! until they do, and can't turn it off), an administrator's reset, and turning
//! it off with the password.

use reach_core::totp;
use reach_proto::api::{SignedIn, TwoFactorEnabled, TwoFactorSetup};
use reach_proto::codes::ErrorCode;
use serde_json::json;

use crate::support::*;

fn now_secs() -> u64 {
    u64::try_from(reach_core::now_millis() / 1000).unwrap()
}

/// The authenticator's code `offset_steps` steps from now.
fn code(secret: &[u8], offset_steps: i64) -> String {
    let at = i64::try_from(now_secs()).unwrap() + offset_steps * 30;
    totp::code_at(secret, u64::try_from(at).unwrap(), totp::DIGITS).unwrap()
}

/// Sets up two-factor sign-in for `api`'s user; returns the secret, the recovery
/// codes and the code that confirmed the setup.
pub(crate) async fn enrol(api: &Api) -> (Vec<u8>, Vec<String>, String) {
    let setup: TwoFactorSetup = serde_json::from_value(
        api.post("/api/auth/two-factor/setup", json!({}))
            .await
            .ok("start the setup"),
    )
    .unwrap();
    assert!(setup.otpauth_url.starts_with("otpauth://totp/Reach:"));
    assert!(setup.otpauth_url.contains(&setup.secret));
    let secret = totp::secret_from_base32(&setup.secret).expect("the secret is Base32");
    api.post("/api/auth/two-factor/enable", json!({"code": "000000"}))
        .await
        .refused(
            "a wrong confirmation code",
            401,
            ErrorCode::SecondFactorInvalid,
        );
    // The code of the step before the current one: a slow typist's code still counts.
    let confirming = code(&secret, -1);
    let enabled: TwoFactorEnabled = serde_json::from_value(
        api.post("/api/auth/two-factor/enable", json!({"code": confirming}))
            .await
            .ok("confirm the setup"),
    )
    .unwrap();
    assert_eq!(enabled.recovery_codes.len(), 10);
    (secret, enabled.recovery_codes, confirming)
}

async fn login_with(
    server: &TestServer,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> (Api, Answer) {
    let mut api = server.api();
    let answer = api.login_with_code(email, password, code).await;
    (api, answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_codes_and_recovery_codes() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let (secret, recovery, confirming) = enrol(&admin).await;
    let state: SignedIn = serde_json::from_value(admin.get("/api/auth/me").await.ok("me")).unwrap();
    assert!(state.user.two_factor_enabled);
    admin
        .post("/api/auth/two-factor/setup", json!({}))
        .await
        .refused("a second setup while on", 409, ErrorCode::Conflict);

    // The secret is sealed in the database: neither its bytes nor its Base32 show.
    let store = server.open_store().await;
    let stored = store.two_factor(&me.user.id).await.unwrap();
    let sealed = stored.secret.expect("a stored secret");
    assert!(sealed.starts_with("v1:"));
    assert!(!sealed.contains(&totp::secret_base32(&secret)));
    drop(store);

    let password = ADMIN_PASSWORD;
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, None).await;
    answer.refused(
        "a sign-in without the code",
        401,
        ErrorCode::SecondFactorRequired,
    );
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, Some("123456")).await;
    answer.refused("a wrong code", 401, ErrorCode::SecondFactorInvalid);
    // The confirming code was spent; the next step's code works once.
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, Some(&confirming)).await;
    answer.refused(
        "the confirming code again",
        401,
        ErrorCode::SecondFactorInvalid,
    );
    let next = code(&secret, 1);
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, Some(&next)).await;
    answer.ok("a fresh code");
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, Some(&next)).await;
    answer.refused("the same code twice", 401, ErrorCode::SecondFactorInvalid);
    // A wrong password with a right code is still a wrong password.
    let (_, answer) = login_with(
        &server,
        ADMIN_EMAIL,
        "wrong password!!",
        Some(&code(&secret, 0)),
    )
    .await;
    answer.refused("a wrong password", 401, ErrorCode::InvalidCredentials);

    // A recovery code, typed in capitals, works once.
    let typed = recovery[0].to_uppercase();
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, Some(&typed)).await;
    answer.ok("a recovery code");
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, Some(&typed)).await;
    answer.refused("a recovery code twice", 401, ErrorCode::SecondFactorInvalid);

    // The sealing key survives a restart, so the second factor still works.
    let server = server.restart().await;
    let (_, answer) = login_with(&server, ADMIN_EMAIL, password, Some(&recovery[1])).await;
    let mut admin = server.api();
    answer.ok("a recovery code after a restart");
    admin
        .login_with_code(ADMIN_EMAIL, password, Some(&recovery[2]))
        .await
        .ok("sign in again");
    let log = admin
        .get("/api/audit-events")
        .await
        .ok("event log")
        .to_string();
    for needle in ["R1008I", "wrong_second_factor", "recovery_code"] {
        assert!(
            log.contains(needle),
            "{needle} missing from the event log: {log}"
        );
    }

    // Off with the password (the company does not require it).
    admin
        .post(
            "/api/auth/two-factor/disable",
            json!({"password": "not the password"}),
        )
        .await
        .refused(
            "turning it off with a wrong password",
            401,
            ErrorCode::InvalidCredentials,
        );
    admin
        .post(
            "/api/auth/two-factor/disable",
            json!({"password": password}),
        )
        .await
        .ok("turn it off");
    server.api().sign_in_admin().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_can_require_two_factor_sign_in() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let mut tech = add_technician(&server, &me.user.company_id, "tech@reach.test").await;
    // The administrator enrols first, so turning the requirement on locks nobody out.
    enrol(&admin).await;
    let mut tech_feed = EventFeed::open(&server, &tech).await;
    admin
        .put(
            "/api/company/settings",
            json!({"require_two_factor": true, "password_sign_in": true}),
        )
        .await
        .ok("require two-factor sign-in");

    // The technician's open live feed closes at once...
    tech_feed.closed().await;
    // ...and signed in already or anew, they reach only their sign-in settings.
    for attempt in ["already signed in", "signed in again"] {
        if attempt == "signed in again" {
            tech = server.api();
            tech.login("tech@reach.test", "another long password")
                .await
                .ok("the technician signs in");
        }
        let state: SignedIn =
            serde_json::from_value(tech.get("/api/auth/me").await.ok("me")).unwrap();
        assert!(state.user.two_factor_required, "{attempt}");
        tech.get("/api/devices").await.refused(
            &format!("devices before enrolling ({attempt})"),
            403,
            ErrorCode::TwoFactorEnrollmentRequired,
        );
    }
    let (secret, _, _) = enrol(&tech).await;
    tech.get("/api/devices").await.ok("devices once enrolled");
    tech.post(
        "/api/auth/two-factor/disable",
        json!({"password": "another long password"}),
    )
    .await
    .refused(
        "turning it off when required",
        409,
        ErrorCode::TwoFactorRequiredByCompany,
    );

    // An administrator resets a lost authenticator; the technician must enrol again.
    let users = admin.get("/api/users").await.ok("users");
    let tech_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "tech@reach.test")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == tech_id.as_str())
            .unwrap()["two_factor_enabled"],
        true
    );
    admin
        .post(
            &format!("/api/users/{}/reset-two-factor", me.user.id),
            json!({}),
        )
        .await
        .refused(
            "resetting one's own second factor",
            409,
            ErrorCode::NotOnYourself,
        );
    admin
        .post(&format!("/api/users/{tech_id}/reset-two-factor"), json!({}))
        .await
        .ok("reset the technician's second factor");
    tech.get("/api/devices").await.refused(
        "devices after a reset",
        403,
        ErrorCode::TwoFactorEnrollmentRequired,
    );
    // The old authenticator is useless now.
    let mut again = server.api();
    again
        .login_with_code(
            "tech@reach.test",
            "another long password",
            Some(&code(&secret, 1)),
        )
        .await
        .ok("password sign-in (the code is ignored without a second factor)");
    let log = admin
        .get("/api/audit-events")
        .await
        .ok("event log")
        .to_string();
    assert!(
        log.contains("R1009I") && log.contains("administrator"),
        "{log}"
    );
    assert!(
        log.contains("R1302I") && log.contains("require_two_factor_after"),
        "{log}"
    );
}
