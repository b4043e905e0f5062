//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238): setting it up
//! (a secret sealed until a code confirms it), turning it off with the password,
//! and the check at sign-in, where a code is accepted once and a recovery code
//! stands in for a lost phone. Company enforcement lives in the sign-in
//! extractor (`auth.rs`), which lets a member who must enrol reach only this.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use reach_core::{credentials, now_millis, totp};
use reach_proto::api::{DisableTwoFactor, EnableTwoFactor, TwoFactorEnabled, TwoFactorSetup};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_store::User;

use crate::api::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// The name authenticator apps show next to the account.
const ISSUER: &str = "Reach";

fn unix_secs() -> u64 {
    u64::try_from(now_millis() / 1000).unwrap_or_default()
}

/// Opens a sealed secret of `user`; failing means the sealing key changed.
fn open(state: &AppState, user_id: &str, sealed: &str) -> Result<Vec<u8>, ApiFailure> {
    state.sealing.open(user_id, sealed).map_err(|err| {
        ApiFailure::internal(format!(
            "two-factor secret of {user_id}: {err} (was the sealing key replaced?)"
        ))
    })
}

/// How a second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Code,
    RecoveryCode,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "authenticator_code",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

/// Checks and spends a second factor of `user` at sign-in: an authenticator
/// code not used before, or an unused recovery code. `None` when wrong.
pub async fn verify(
    state: &AppState,
    user: &User,
    code: &str,
) -> Result<Option<Proof>, ApiFailure> {
    let stored = state.store.two_factor(&user.id).await?;
    let Some(sealed) = stored.secret else {
        return Ok(None);
    };
    let secret = open(state, &user.id, &sealed)?;
    if let Some(step) =
        totp::matching_step(&secret, code, unix_secs()).map_err(ApiFailure::internal)?
    {
        let fresh = state.store.use_totp_step(&user.id, step).await?;
        return Ok(fresh.then_some(Proof::Code));
    }
    let Some(recovery) = totp::normalize_recovery_code(code) else {
        return Ok(None);
    };
    let spent = state
        .store
        .use_recovery_code(&user.id, &credentials::secret_hash(&recovery), now_millis())
        .await?;
    Ok(spent.then_some(Proof::RecoveryCode))
}

/// `POST /api/auth/two-factor/setup`.
pub async fn setup(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<TwoFactorSetup>, ApiFailure> {
    if auth.user.two_factor_enabled {
        return Err(ApiFailure::new(
            ErrorCode::Conflict,
            "two-factor sign-in is already on; turn it off first to use another authenticator",
        ));
    }
    let secret = totp::new_secret();
    let sealed = state.sealing.seal(&auth.user.id, &secret);
    state.store.set_pending_totp(&auth.user.id, &sealed).await?;
    Ok(Json(TwoFactorSetup {
        secret: totp::secret_base32(&secret),
        otpauth_url: totp::otpauth_url(&secret, ISSUER, &auth.user.email)
            .map_err(ApiFailure::internal)?,
    }))
}

/// `POST /api/auth/two-factor/enable`: a code from the new secret turns it on.
pub async fn enable(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<EnableTwoFactor>,
) -> Result<Json<TwoFactorEnabled>, ApiFailure> {
    let Json(request) = body?;
    // Its own throttle: typos while setting up must not lock the account's sign-in.
    let keys = [format!("two-factor-setup:{}", auth.user.email)];
    if let Some(wait) = state.throttle.wait_for(&keys) {
        return Err(ApiFailure::new(
            ErrorCode::Throttled,
            format!(
                "too many wrong codes; try again in {} seconds",
                wait.as_secs().max(1)
            ),
        ));
    }
    let stored = state.store.two_factor(&auth.user.id).await?;
    let Some(pending) = stored.pending else {
        return Err(ApiFailure::bad_request("start the two-factor setup first"));
    };
    let secret = open(&state, &auth.user.id, &pending)?;
    let Some(step) =
        totp::matching_step(&secret, &request.code, unix_secs()).map_err(ApiFailure::internal)?
    else {
        state.throttle.record_failure(&keys);
        return Err(ApiFailure::new(
            ErrorCode::SecondFactorInvalid,
            "the code does not match; check the authenticator's clock and try the current code",
        ));
    };
    let recovery_codes = totp::new_recovery_codes();
    let hashes: Vec<String> = recovery_codes
        .iter()
        .filter_map(|code| totp::normalize_recovery_code(code))
        .map(|code| credentials::secret_hash(&code))
        .collect();
    state
        .store
        .enable_totp(&auth.user.id, &pending, step, &hashes, now_millis())
        .await?;
    let entry = Entry::of(
        auth.user.company_id.as_deref(),
        AuditCode::TwoFactorEnabled,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("user", &auth.user.id, Some(&auth.user.email));
    audit::record(&state, entry).await;
    Ok(Json(TwoFactorEnabled { recovery_codes }))
}

/// `POST /api/auth/two-factor/disable`: the account's password turns it off,
/// unless the company requires it.
pub async fn disable(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<DisableTwoFactor>,
) -> Result<StatusCode, ApiFailure> {
    let Json(request) = body?;
    if let Some(company_id) = &auth.user.company_id {
        if state
            .store
            .company(company_id)
            .await?
            .settings
            .require_two_factor
        {
            return Err(ApiFailure::new(
                ErrorCode::TwoFactorRequiredByCompany,
                "your company requires two-factor sign-in",
            ));
        }
    }
    crate::auth::confirm_password(&state, &auth.user, request.password).await?;
    state.store.disable_totp(&auth.user.id).await?;
    let entry = Entry::of(
        auth.user.company_id.as_deref(),
        AuditCode::TwoFactorDisabled,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("user", &auth.user.id, Some(&auth.user.email))
    .detail("by", "self");
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}
