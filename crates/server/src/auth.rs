//! Signing in and out, the first-administrator setup, and the extractor that
//! turns a request's cookie into an authenticated principal. The extractor also
//! enforces CSRF on every state-changing request, so handlers cannot forget it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use reach_core::credentials::{self, constant_time_eq, WEB_SESSION_PREFIX};
use reach_core::policy::{authorize, Action, Principal, Resource};
use reach_core::{now_millis, validate};
use reach_proto::access::BuiltinRole;
use reach_proto::api::{ChangePassword, LoginRequest, SetupRequest, SignedIn, UserView};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_store::{ApiToken, User, WebSession};

use crate::audit::{self, Actor, Entry};
use crate::error::ApiFailure;
use crate::{bearer, principal, two_factor, AppState};

/// `__Host-` binds the cookie to this origin: Secure, path `/`, no Domain.
pub const SESSION_COOKIE: &str = "__Host-reach_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How a request proved who it is.
pub enum Credential {
    /// A browser sign-in: the session cookie, with the CSRF header on changes.
    Browser(WebSession),
    /// An API token (`Authorization: Bearer`), accepted on `/api/v1/` only.
    Token(ApiToken),
}

/// A signed-in request.
pub struct Authenticated {
    pub principal: Principal,
    /// The company requires a second factor this user has not set up yet.
    pub two_factor_required: bool,
    /// The account acting; for a company API token, a description of the token.
    pub user: User,
    pub credential: Credential,
    /// The client's address, for the event log.
    pub ip: Option<std::net::IpAddr>,
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| cookie::Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

impl FromRequestParts<Arc<AppState>> for Authenticated {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        // Routers nested under a prefix (SCIM) see their path without it.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(
                || parts.uri.path().to_string(),
                |original| original.path().to_string(),
            );
        if bearer::takes_tokens(&path) {
            let secret = bearer::bearer(&parts.headers).ok_or_else(|| {
                ApiFailure::new(
                    ErrorCode::Unauthenticated,
                    "send an API token: Authorization: Bearer TOKEN",
                )
            })?;
            let (user, principal, token) = bearer::authenticate(state, secret).await?;
            // A user's token is held to the user's sign-in rules; a company token has no user.
            if token.user_id.is_some() && must_enrol_two_factor(state, &user).await? {
                return Err(ApiFailure::new(
                    ErrorCode::TwoFactorEnrollmentRequired,
                    "the token's user must set up two-factor sign-in first",
                ));
            }
            return Ok(Self {
                principal,
                two_factor_required: false,
                user,
                credential: Credential::Token(token),
                ip,
            });
        }
        let token = cookie_token(&parts.headers).ok_or_else(ApiFailure::unauthenticated)?;
        let session = match state
            .store
            .web_session(&credentials::secret_hash(&token), now_millis())
            .await
        {
            Ok(session) => session,
            Err(reach_store::StoreError::NotFound) => return Err(ApiFailure::unauthenticated()),
            Err(err) => return Err(err.into()),
        };
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            if !constant_time_eq(sent, session.csrf_token.as_bytes()) {
                return Err(ApiFailure::new(
                    ErrorCode::CsrfMismatch,
                    "missing or wrong CSRF token",
                ));
            }
        }
        let user = state.store.user(&session.user_id).await?;
        if !may_sign_in(&user) {
            return Err(ApiFailure::unauthenticated());
        }
        let principal = principal::load(state.store.as_ref(), &user).await?;
        let two_factor_required = must_enrol_two_factor(state, &user).await?;
        if two_factor_required && !ENROLMENT_PATHS.contains(&parts.uri.path()) {
            return Err(ApiFailure::new(
                ErrorCode::TwoFactorEnrollmentRequired,
                "your company requires two-factor sign-in: set it up on your account page first",
            ));
        }
        Ok(Self {
            principal,
            two_factor_required,
            user,
            credential: Credential::Browser(session),
            ip,
        })
    }
}

/// What a member who must set up two-factor sign-in may still reach.
const ENROLMENT_PATHS: [&str; 5] = [
    "/api/auth/me",
    "/api/auth/logout",
    "/api/auth/password",
    "/api/auth/two-factor/setup",
    "/api/auth/two-factor/enable",
];

/// Whether the user's company requires a second factor they have not set up.
async fn must_enrol_two_factor(state: &AppState, user: &User) -> Result<bool, ApiFailure> {
    if user.two_factor_enabled {
        return Ok(false);
    }
    let Some(company_id) = &user.company_id else {
        return Ok(false);
    };
    if !state
        .store
        .company(company_id)
        .await?
        .settings
        .require_two_factor
    {
        return Ok(false);
    }
    // Members who can only sign in through their identity provider get their
    // second factor there: a Reach one would never be asked. (The owner and
    // excluded addresses sign in with a password, so it applies to them.)
    Ok(!single_sign_on_required(state, user).await?)
}

impl Authenticated {
    /// The browser sign-in behind the request. Only `/api/v1/` takes tokens,
    /// and no route there needs this, so a token reaching it is a bug: refused.
    pub fn web_session(&self) -> Result<&WebSession, ApiFailure> {
        match &self.credential {
            Credential::Browser(session) => Ok(session),
            Credential::Token(_) => Err(ApiFailure::new(
                ErrorCode::Forbidden,
                "this needs a browser sign-in, not an API token",
            )),
        }
    }

    /// The principal's company, once the policy allows `action` on it as a whole.
    pub fn company_for(&self, action: Action) -> Result<&str, ApiFailure> {
        let company_id = self.company_id()?;
        authorize(&self.principal, action, Resource::Company(company_id))?;
        Ok(company_id)
    }

    /// The company the principal acts in. An operator who belongs to no company
    /// may only manage companies.
    pub fn company_id(&self) -> Result<&str, ApiFailure> {
        self.principal.company_id.as_deref().ok_or_else(|| {
            ApiFailure::new(
                ErrorCode::Forbidden,
                "your account is not a member of any company",
            )
        })
    }
}

/// Whether the account may hold a sign-in: not disabled, and a member of a
/// company unless it operates the server.
pub(crate) fn may_sign_in(user: &User) -> bool {
    !user.disabled && (user.company_id.is_some() || user.operator)
}

/// How often a long-lived console link re-checks that its sign-in is still valid
/// (expiry, a disabled user); sign-outs are seen at once through `AppState::sign_outs`.
const SIGN_IN_RECHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// Sent on `AppState::sign_outs` instead of a token hash when a change may end
/// many sign-ins at once (a company starting to require a second factor): every
/// open link re-checks its own.
pub const RECHECK_ALL_SIGN_INS: &str = "*";

/// Watches the sign-in behind a WebSocket so the link closes when it ends.
pub struct SignInWatch {
    token_hash: String,
    sign_outs: tokio::sync::broadcast::Receiver<String>,
    recheck: tokio::time::Interval,
    /// A re-check was called for and has not completed yet.
    recheck_due: bool,
    state: Arc<AppState>,
}

impl SignInWatch {
    pub fn new(state: &Arc<AppState>, auth: &Authenticated) -> Result<Self, ApiFailure> {
        let session = auth.web_session()?;
        let mut recheck = tokio::time::interval_at(
            tokio::time::Instant::now() + SIGN_IN_RECHECK,
            SIGN_IN_RECHECK,
        );
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ok(Self {
            token_hash: session.token_hash.clone(),
            recheck_due: false,
            sign_outs: state.sign_outs.subscribe(),
            recheck,
            state: Arc::clone(state),
        })
    }

    async fn still_valid(&self) -> bool {
        match self
            .state
            .store
            .web_session(&self.token_hash, now_millis())
            .await
        {
            Ok(session) => match self.state.store.user(&session.user_id).await {
                // A member who must now set up a second factor reaches nothing
                // else over HTTP; their open links close too.
                Ok(user) => {
                    may_sign_in(&user)
                        && !must_enrol_two_factor(&self.state, &user)
                            .await
                            .unwrap_or(false)
                }
                Err(reach_store::StoreError::NotFound) => false,
                Err(_) => true,
            },
            Err(reach_store::StoreError::NotFound) => false,
            // A database hiccup is not a reason to cut a technician off.
            Err(_) => true,
        }
    }

    /// Resolves when the sign-in has ended. Cancel-safe: use it in `select!`. A
    /// notice that calls for a re-check is remembered in `recheck_due` before the
    /// check runs, so a caller's `select!` dropping this future mid-check (another
    /// branch won) loses nothing: the next call checks again.
    pub async fn ended(&mut self) {
        loop {
            if self.recheck_due {
                if !self.still_valid().await {
                    return;
                }
                self.recheck_due = false;
            }
            tokio::select! {
                signed_out = self.sign_outs.recv() => match signed_out {
                    Ok(hash) if hash == self.token_hash => return,
                    Ok(hash) if hash == RECHECK_ALL_SIGN_INS => self.recheck_due = true,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => self.recheck_due = true,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
                },
                _ = self.recheck.tick() => self.recheck_due = true,
            }
        }
    }
}

/// A user as the actor of an event.
pub(crate) fn account(user: &User) -> Actor {
    Actor::User {
        id: user.id.clone(),
        name: user.display_name.clone(),
    }
}

/// The signed-in user as the console sees them, with what they may do company-wide.
pub fn user_view(
    user: &User,
    principal: &Principal,
    two_factor_required: bool,
    owns_sso_domains: bool,
) -> UserView {
    UserView {
        owns_sso_domains,
        two_factor_enabled: user.two_factor_enabled,
        two_factor_required,
        id: user.id.clone(),
        company_id: user.company_id.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        operator: user.operator,
        permissions: principal.company_permissions().into_iter().collect(),
    }
}

/// Signs `user` in: stores a new web session and answers with the console's view
/// of them and the cookie.
async fn start_web_session(state: &AppState, user: &User) -> Result<Response, ApiFailure> {
    let (cookie, signed_in) = new_web_session(state, user).await?;
    let mut response = Json(signed_in).into_response();
    response.headers_mut().insert(SET_COOKIE, cookie);
    Ok(response)
}

/// Stores a new web session for `user`; returns its `Set-Cookie` value and what
/// the console is told about the sign-in.
pub async fn new_web_session(
    state: &AppState,
    user: &User,
) -> Result<(HeaderValue, SignedIn), ApiFailure> {
    let principal = principal::load(state.store.as_ref(), user).await?;
    let two_factor_required = must_enrol_two_factor(state, user).await?;
    let token = credentials::new_secret(WEB_SESSION_PREFIX);
    let csrf_token = credentials::new_secret("");
    let now = now_millis();
    let ttl = state.config.web_session_ttl_secs;
    let session = WebSession {
        token_hash: credentials::secret_hash(&token),
        user_id: user.id.clone(),
        csrf_token: csrf_token.clone(),
        created_at: now,
        expires_at: now.saturating_add(
            i64::try_from(ttl)
                .unwrap_or(i64::MAX / 2)
                .saturating_mul(1000),
        ),
    };
    state.store.create_web_session(&session).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={ttl}"
    );
    let owns_sso_domains = !state.store.owned_sso_domains(&user.id).await?.is_empty();
    let signed_in = SignedIn {
        user: user_view(user, &principal, two_factor_required, owns_sso_domains),
        csrf_token,
    };
    Ok((
        HeaderValue::from_str(&cookie).map_err(ApiFailure::internal)?,
        signed_in,
    ))
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiFailure> {
    let Json(request) = body?;
    let email = request.email.trim().to_lowercase();
    let keys = [format!("account:{email}"), format!("ip:{}", peer.ip())];
    if let Some(wait) = state.throttle.wait_for(&keys) {
        return Err(ApiFailure {
            detail: Some(format!(
                "{email} from {} must wait {}s",
                peer.ip(),
                wait.as_secs()
            )),
            ..ApiFailure::new(
                ErrorCode::Throttled,
                format!(
                    "too many failed sign-ins; try again in {} seconds",
                    wait.as_secs().max(1)
                ),
            )
        });
    }
    let user = match state.store.user_by_email(&email).await {
        Ok(user) => Some(user),
        Err(reach_store::StoreError::NotFound) => None,
        Err(err) => return Err(err.into()),
    };
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| credentials::dummy_password_hash().to_string());
    let password = request.password;
    let matches =
        tokio::task::spawn_blocking(move || credentials::verify_password(&hash, &password))
            .await
            .map_err(ApiFailure::internal)?;
    match user {
        Some(user) if matches && may_sign_in(&user) => {
            if !password_sign_in_allowed(&state, &user).await? {
                let entry = Entry::of(
                    user.company_id.as_deref(),
                    AuditCode::SignInFailed,
                    account(&user),
                )
                .ip(Some(peer.ip()))
                .detail("reason", "password_sign_in_disabled");
                audit::record(&state, entry).await;
                return Err(ApiFailure::new(
                    ErrorCode::PasswordSignInDisabled,
                    "your company signs in with single sign-on, not with a password",
                ));
            }
            if single_sign_on_required(&state, &user).await? {
                let entry = Entry::of(
                    user.company_id.as_deref(),
                    AuditCode::SignInFailed,
                    account(&user),
                )
                .ip(Some(peer.ip()))
                .detail("reason", "single_sign_on_required");
                audit::record(&state, entry).await;
                return Err(ApiFailure::new(
                    ErrorCode::SingleSignOnRequired,
                    "your address signs in through your company's identity provider",
                ));
            }
            let second_factor = match second_factor(&state, &user, request.code.as_deref()).await {
                Ok(proof) => proof,
                Err(refusal) => {
                    if refusal.code == ErrorCode::SecondFactorInvalid {
                        state.throttle.record_failure(&keys);
                        let entry = Entry::of(
                            user.company_id.as_deref(),
                            AuditCode::SignInFailed,
                            account(&user),
                        )
                        .ip(Some(peer.ip()))
                        .detail("reason", "wrong_second_factor");
                        audit::record(&state, entry).await;
                    }
                    return Err(refusal);
                }
            };
            state.throttle.record_success(&keys[0]);
            let mut entry = Entry::of(
                user.company_id.as_deref(),
                AuditCode::SignedIn,
                account(&user),
            )
            .ip(Some(peer.ip()));
            if let Some(proof) = second_factor {
                entry = entry.detail("second_factor", proof.as_str());
            }
            audit::record(&state, entry).await;
            tracing::info!(user_id = %user.id, ip = %peer.ip(), "signed in");
            start_web_session(&state, &user).await
        }
        Some(user) if matches && !user.disabled => {
            // Right password, but removed from its company: say so, it is not a secret
            // to someone who knows the password.
            let entry = Entry::of(None, AuditCode::SignInFailed, account(&user))
                .ip(Some(peer.ip()))
                .detail("reason", "no_company");
            audit::record(&state, entry).await;
            Err(ApiFailure::new(
                ErrorCode::Forbidden,
                "this account is not a member of any company; ask your administrator",
            ))
        }
        _ => {
            state.throttle.record_failure(&keys);
            if let Some(user) = &user {
                let reason = if user.disabled {
                    "account_disabled"
                } else {
                    "wrong_password"
                };
                let entry = Entry::of(
                    user.company_id.as_deref(),
                    AuditCode::SignInFailed,
                    account(user),
                )
                .ip(Some(peer.ip()))
                .detail("reason", reason);
                audit::record(&state, entry).await;
            }
            Err(ApiFailure {
                detail: Some(format!("failed sign-in for {email} from {}", peer.ip())),
                ..ApiFailure::new(ErrorCode::InvalidCredentials, "wrong e-mail or password")
            })
        }
    }
}

/// Whether the company lets this account sign in with a password: always for
/// its owner (so a broken identity provider can't lock the company out) and for
/// an operator without a company.
async fn password_sign_in_allowed(state: &AppState, user: &User) -> Result<bool, ApiFailure> {
    let Some(company_id) = &user.company_id else {
        return Ok(true);
    };
    let company = state.store.company(company_id).await?;
    Ok(company.settings.password_sign_in || company.owner_id.as_deref() == Some(user.id.as_str()))
}

/// Whether single sign-on is in force for this account's address, so a password
/// is not enough. The company's owner always keeps password sign-in: a broken
/// identity provider must not lock out the one who can fix its settings.
async fn single_sign_on_required(state: &AppState, user: &User) -> Result<bool, ApiFailure> {
    let Some((domain, _)) = crate::sso::provider_for(state, &user.email).await? else {
        return Ok(false);
    };
    if user.company_id.as_deref() != Some(domain.company_id.as_str()) {
        return Ok(false);
    }
    let company = state.store.company(&domain.company_id).await?;
    Ok(company.owner_id.as_deref() != Some(user.id.as_str()))
}

/// The second factor of a sign-in whose password was right: nothing for an
/// account without one, else the code must be given and valid.
async fn second_factor(
    state: &AppState,
    user: &User,
    code: Option<&str>,
) -> Result<Option<two_factor::Proof>, ApiFailure> {
    if !user.two_factor_enabled {
        return Ok(None);
    }
    let code = code.map(str::trim).unwrap_or_default();
    if code.is_empty() {
        return Err(ApiFailure::new(
            ErrorCode::SecondFactorRequired,
            "enter the code from your authenticator app",
        ));
    }
    match two_factor::verify(state, user, code).await? {
        Some(proof) => Ok(Some(proof)),
        None => Err(ApiFailure::new(
            ErrorCode::SecondFactorInvalid,
            "the code is wrong or was already used",
        )),
    }
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Response, ApiFailure> {
    state
        .store
        .delete_web_session(&auth.web_session()?.token_hash)
        .await?;
    // Live WebSockets of this sign-in close now rather than at their next check.
    let _ = state.sign_outs.send(auth.web_session()?.token_hash.clone());
    let entry = Entry::of(
        auth.user.company_id.as_deref(),
        AuditCode::SignedOut,
        Actor::user(&auth),
    )
    .ip(auth.ip);
    audit::record(&state, entry).await;
    let mut response = axum::http::StatusCode::NO_CONTENT.into_response();
    let expired =
        format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&expired).map_err(ApiFailure::internal)?,
    );
    Ok(response)
}

pub async fn me(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<SignedIn>, ApiFailure> {
    let owns_sso_domains = !state
        .store
        .owned_sso_domains(&auth.user.id)
        .await?
        .is_empty();
    Ok(Json(SignedIn {
        user: user_view(
            &auth.user,
            &auth.principal,
            auth.two_factor_required,
            owns_sso_domains,
        ),
        csrf_token: auth.web_session()?.csrf_token.clone(),
    }))
}

/// Checks the signed-in user's own password before a sensitive change; wrong
/// answers are throttled like sign-ins, so this is no way to guess it.
pub async fn confirm_password(
    state: &AppState,
    user: &User,
    password: String,
) -> Result<(), ApiFailure> {
    let keys = [format!("account:{}", user.email)];
    if let Some(wait) = state.throttle.wait_for(&keys) {
        return Err(ApiFailure::new(
            ErrorCode::Throttled,
            format!(
                "too many wrong passwords; try again in {} seconds",
                wait.as_secs().max(1)
            ),
        ));
    }
    let stored = user.password_hash.clone();
    let matches =
        tokio::task::spawn_blocking(move || credentials::verify_password(&stored, &password))
            .await
            .map_err(ApiFailure::internal)?;
    if !matches {
        state.throttle.record_failure(&keys);
        return Err(ApiFailure::new(
            ErrorCode::InvalidCredentials,
            "the password is wrong",
        ));
    }
    Ok(())
}

/// `POST /api/auth/password`: the signed-in user changes their password. Every
/// other sign-in of the account ends (and its open links close); this one stays.
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: Result<Json<ChangePassword>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::http::StatusCode, ApiFailure> {
    let Json(request) = body?;
    if request.new_password == request.current_password {
        return Err(ApiFailure::bad_request(
            "the new password must differ from the current one",
        ));
    }
    confirm_password(&state, &auth.user, request.current_password).await?;
    let new_password = request.new_password;
    let hash = tokio::task::spawn_blocking(move || credentials::hash_password(&new_password))
        .await
        .map_err(ApiFailure::internal)??;
    state.store.set_password_hash(&auth.user.id, &hash).await?;
    let signed_out = state
        .store
        .delete_other_web_sessions(&auth.user.id, &auth.web_session()?.token_hash)
        .await?;
    for token_hash in &signed_out {
        let _ = state.sign_outs.send(token_hash.clone());
    }
    let entry = Entry::of(
        auth.user.company_id.as_deref(),
        AuditCode::PasswordChanged,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("user", &auth.user.id, Some(&auth.user.email))
    .detail("other_sign_ins_ended", signed_out.len());
    audit::record(&state, entry).await;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Builds the first administrator of the default company, who also operates the
/// server; store it with [`administrator_role`].
pub async fn new_administrator(
    state: &AppState,
    email: &str,
    display_name: &str,
    password: String,
) -> Result<User, ApiFailure> {
    let email = validate::normalize_email(email)?;
    let display_name = validate::name("display name", display_name, 128)?;
    let password_hash = tokio::task::spawn_blocking(move || credentials::hash_password(&password))
        .await
        .map_err(ApiFailure::internal)??;
    let company = state
        .store
        .ensure_default_company(&state.config.company_name, now_millis())
        .await?;
    Ok(User {
        operator: true,
        ..User::new_member(
            &company.id,
            email,
            display_name,
            password_hash,
            now_millis(),
        )
    })
}

/// The id of the Administrator role of `user`'s company.
pub async fn administrator_role(state: &AppState, user: &User) -> Result<String, ApiFailure> {
    let company_id = user
        .company_id
        .as_deref()
        .ok_or_else(|| ApiFailure::internal("administrator without a company"))?;
    Ok(state
        .store
        .builtin_role(company_id, BuiltinRole::Administrator)
        .await?
        .id)
}

pub async fn setup(
    State(state): State<Arc<AppState>>,
    body: Result<Json<SetupRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiFailure> {
    let Json(request) = body?;
    let admin = new_administrator(
        &state,
        &request.email,
        &request.display_name,
        request.password,
    )
    .await?;
    state
        .store
        .complete_setup(
            &credentials::secret_hash(&request.setup_token),
            now_millis(),
            &admin,
        )
        .await?;
    tracing::info!(user_id = %admin.id, email = %admin.email, "first administrator created through the setup link");
    let entry = Entry::of(
        admin.company_id.as_deref(),
        AuditCode::UserCreated,
        account(&admin),
    )
    .target("user", &admin.id, Some(&admin.email))
    .detail("roles", BuiltinRole::Administrator.display_name())
    .detail("operator", true)
    .detail("through", "setup_link");
    audit::record(&state, entry).await;
    start_web_session(&state, &admin).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; __Host-reach_session=rws_x; b=2"),
        );
        assert_eq!(cookie_token(&headers).as_deref(), Some("rws_x"));
        assert_eq!(cookie_token(&HeaderMap::new()), None);
    }
}
