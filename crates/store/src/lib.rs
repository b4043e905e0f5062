//! Reach storage. One interface ([`Store`], split by capability) with two
//! implementations held to the same conformance suite (`tests/conformance.rs`):
//! SQLite (default, embedded, WAL) and PostgreSQL. Migrations are versioned, embedded
//! and run on open. This crate owns SQL and nothing else: no HTTP, no policy.

mod api_tokens;
mod backend;
mod domains;
mod identity;
pub mod model;
mod oidc;
mod postgres;
mod rows;
mod saml;
mod scim;
mod session_keys;
mod sqlite;
mod two_factor;

use std::sync::Arc;

use async_trait::async_trait;
use reach_core::Millis;
use reach_proto::access::BuiltinRole;
use thiserror::Error;

pub use model::*;

/// Storage failures. Domain outcomes (token expired, e-mail taken) are variants of
/// their own so callers can answer them precisely; everything else is `Database`.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("enrollment token unknown or revoked")]
    EnrollmentTokenInvalid,
    #[error("enrollment token expired")]
    EnrollmentTokenExpired,
    #[error("enrollment token has no uses left")]
    EnrollmentTokenExhausted,
    #[error("setup link unknown, used or expired")]
    SetupTokenInvalid,
    #[error("invalid database location `{0}`: {1}")]
    Location(String, String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[async_trait]
pub trait CompanyStore {
    /// Returns the company to put first users and devices in, creating it (with its
    /// built-in roles) on first start.
    async fn ensure_default_company(&self, name: &str, now: Millis) -> Result<Company>;
    async fn company(&self, id: &str) -> Result<Company>;
    /// Every company, by name.
    async fn list_companies(&self) -> Result<Vec<Company>>;
    /// Creates a company with its built-in roles.
    async fn create_company(&self, id: &str, name: &str, now: Millis) -> Result<Company>;
    async fn rename_company(&self, id: &str, name: &str) -> Result<Company>;
    async fn update_company_settings(
        &self,
        id: &str,
        settings: &CompanySettings,
    ) -> Result<Company>;
}

#[async_trait]
pub trait UserStore {
    async fn count_users(&self) -> Result<i64>;
    /// Creates the account in its company with company-wide grants of `role_ids`
    /// (roles of that company, else `NotFound`), and makes it the company's owner
    /// when the company has none. `Conflict` when the e-mail is taken.
    async fn create_user(&self, user: &User, role_ids: &[String], now: Millis) -> Result<()>;
    async fn user_by_email(&self, email: &str) -> Result<User>;
    async fn user(&self, id: &str) -> Result<User>;
    /// The company's users, by e-mail.
    async fn list_users(&self, company_id: &str) -> Result<Vec<User>>;
    async fn set_password_hash(&self, user_id: &str, password_hash: &str) -> Result<()>;
    async fn update_user(
        &self,
        company_id: &str,
        id: &str,
        display_name: &str,
        disabled: bool,
    ) -> Result<User>;
    /// Takes the account out of the company: its grants, group memberships and
    /// sign-ins go, the account stays. Returns the ended sign-ins' token hashes.
    async fn remove_from_company(&self, company_id: &str, id: &str) -> Result<Vec<String>>;
    /// Deletes the account: personal data is erased, the id stays so history
    /// (sessions, event log) still resolves. Returns the ended sign-ins' hashes.
    async fn delete_account(&self, id: &str, now: Millis) -> Result<Vec<String>>;
}

#[async_trait]
pub trait WebSessionStore {
    async fn create_web_session(&self, session: &WebSession) -> Result<()>;
    /// The unexpired sign-in session with this token hash.
    async fn web_session(&self, token_hash: &str, now: Millis) -> Result<WebSession>;
    async fn delete_web_session(&self, token_hash: &str) -> Result<()>;
    async fn delete_expired_web_sessions(&self, now: Millis) -> Result<u64>;
    /// Signs the user out everywhere but `keep` (a token hash); returns the hashes removed.
    async fn delete_other_web_sessions(&self, user_id: &str, keep: &str) -> Result<Vec<String>>;
}

#[async_trait]
pub trait ApiTokenStore {
    /// A user token's user must be in the token's company (`NotFound` otherwise).
    async fn create_api_token(&self, token: &ApiToken) -> Result<()>;
    /// The company's tokens, newest first, revoked and expired included.
    async fn list_api_tokens(&self, company_id: &str) -> Result<Vec<ApiToken>>;
    async fn revoke_api_token(&self, company_id: &str, id: &str, now: Millis) -> Result<ApiToken>;
    /// The usable token with this hash: not revoked, not expired.
    async fn api_token(&self, token_hash: &str, now: Millis) -> Result<ApiToken>;
    /// Notes a use (written at most once a minute per token).
    async fn touch_api_token(&self, id: &str, now: Millis) -> Result<()>;
}

#[async_trait]
pub trait DomainStore {
    /// Adds a domain as unverified; `Conflict` when the company has it already.
    async fn create_sso_domain(&self, domain: &SsoDomain) -> Result<()>;
    async fn list_sso_domains(&self, company_id: &str) -> Result<Vec<SsoDomain>>;
    async fn sso_domain(&self, company_id: &str, id: &str) -> Result<SsoDomain>;
    /// (Re)starts looking for the TXT record; `Conflict` when already verified.
    async fn start_domain_verification(
        &self,
        company_id: &str,
        id: &str,
        now: Millis,
    ) -> Result<SsoDomain>;
    /// Every domain being verified, in all companies (for the checker).
    async fn domains_being_verified(&self) -> Result<Vec<SsoDomain>>;
    /// Stores the result of a check of a domain still being verified: still
    /// `Verifying` (noting the time), `Verified`, or `Failed` with a reason.
    /// `Conflict` when another company has verified the domain.
    async fn record_domain_check(
        &self,
        domain: &SsoDomain,
        outcome: DomainStatus,
        failure: Option<&str>,
        now: Millis,
    ) -> Result<SsoDomain>;
    async fn delete_sso_domain(&self, company_id: &str, id: &str) -> Result<SsoDomain>;
    /// Replaces the domain's owners. `NotFound` when the domain, or one of the
    /// users, is not the company's.
    async fn set_sso_domain_owners(
        &self,
        company_id: &str,
        domain_id: &str,
        user_ids: &[String],
    ) -> Result<()>;
    /// Sorted user ids.
    async fn sso_domain_owners(&self, company_id: &str, domain_id: &str) -> Result<Vec<String>>;
    /// Ids of the domains `user_id` owns.
    async fn owned_sso_domains(&self, user_id: &str) -> Result<Vec<String>>;
}

/// SAML single sign-on: identity providers of domains, exclusion lists,
/// outstanding requests and used assertion ids. A domain of another company is
/// `NotFound` (or absent) everywhere.
#[async_trait]
pub trait SamlStore {
    /// Sets the identity provider of `provider.domain_id`, keeping a customer
    /// identifier generated earlier when `provider` has none. `NotFound` when the
    /// domain is not the company's, `Conflict("oidc_provider")` when it has an
    /// OpenID Connect one.
    async fn put_saml_provider(&self, provider: &SamlProvider) -> Result<()>;
    async fn saml_provider(
        &self,
        company_id: &str,
        domain_id: &str,
    ) -> Result<Option<SamlProvider>>;
    /// `NotFound` when the domain had none.
    async fn delete_saml_provider(&self, company_id: &str, domain_id: &str) -> Result<()>;
    /// `NotFound` when the domain has no identity provider.
    async fn set_customer_identifier_hash(
        &self,
        company_id: &str,
        domain_id: &str,
        hash: &str,
        now: Millis,
    ) -> Result<SamlProvider>;
    /// The identity provider of the verified domain named `domain` (at most one
    /// company has verified it).
    async fn active_saml_provider(&self, domain: &str)
        -> Result<Option<(SsoDomain, SamlProvider)>>;
    /// Every identity provider with this entity id on a verified domain (several
    /// companies may use one IdP), for sign-ins the IdP starts.
    async fn saml_providers_by_issuer(
        &self,
        idp_entity_id: &str,
    ) -> Result<Vec<(SsoDomain, SamlProvider)>>;
    /// Replaces the addresses of the domain that keep password sign-in (stored
    /// trimmed and lower-cased, once each). `NotFound` when the domain is not the company's.
    async fn set_sso_exclusions(
        &self,
        company_id: &str,
        domain_id: &str,
        emails: &[String],
    ) -> Result<()>;
    /// Sorted.
    async fn sso_exclusions(&self, company_id: &str, domain_id: &str) -> Result<Vec<String>>;
    /// Replaces the user groups of the domain whose members keep password
    /// sign-in. `NotFound` when the domain, or one of the groups, is not the company's.
    async fn set_sso_excluded_groups(
        &self,
        company_id: &str,
        domain_id: &str,
        group_ids: &[String],
    ) -> Result<()>;
    /// Sorted ids.
    async fn sso_excluded_groups(&self, company_id: &str, domain_id: &str) -> Result<Vec<String>>;
    /// Whether the user belongs to one of the domain's excluded groups.
    async fn in_sso_excluded_group(&self, domain_id: &str, user_id: &str) -> Result<bool>;
    async fn create_saml_request(&self, request: &SamlRequest) -> Result<()>;
    /// Removes and returns the request, unless missing or expired at `now` (an
    /// expired one is removed too): each request is answered once.
    async fn take_saml_request(&self, id: &str, now: Millis) -> Result<Option<SamlRequest>>;
    /// Records that an assertion was used; false when it was already (a replay).
    async fn remember_assertion(
        &self,
        issuer: &str,
        assertion_id: &str,
        expires_at: Millis,
    ) -> Result<bool>;
    /// Deletes expired requests and remembered assertions; returns how many.
    async fn purge_saml(&self, now: Millis) -> Result<u64>;
}

/// OpenID Connect single sign-on: providers of domains and outstanding
/// authorization requests. A domain signs in through SAML or OpenID Connect, not
/// both: setting one while the other is set is `Conflict`.
#[async_trait]
pub trait OidcStore {
    /// Sets the provider of `provider.domain_id`. `NotFound` when the domain is
    /// not the company's, `Conflict("saml_provider")` when it has a SAML one.
    async fn put_oidc_provider(&self, provider: &OidcProvider) -> Result<()>;
    async fn oidc_provider(
        &self,
        company_id: &str,
        domain_id: &str,
    ) -> Result<Option<OidcProvider>>;
    /// `NotFound` when the domain had none.
    async fn delete_oidc_provider(&self, company_id: &str, domain_id: &str) -> Result<()>;
    /// The provider of the verified domain named `domain`.
    async fn active_oidc_provider(&self, domain: &str)
        -> Result<Option<(SsoDomain, OidcProvider)>>;
    /// Every provider with this issuer on a verified domain (several companies
    /// may use one provider), for sign-ins the provider starts.
    async fn oidc_providers_by_issuer(
        &self,
        issuer: &str,
    ) -> Result<Vec<(SsoDomain, OidcProvider)>>;
    async fn create_oidc_request(&self, request: &OidcRequest) -> Result<()>;
    /// Removes and returns the request, unless missing or expired at `now`.
    async fn take_oidc_request(&self, state: &str, now: Millis) -> Result<Option<OidcRequest>>;
    /// Deletes expired requests; returns how many.
    async fn purge_oidc(&self, now: Millis) -> Result<u64>;
}

/// SCIM provisioning's own state: the attributes an identity provider set on
/// users (accounts and groups themselves live in their usual tables, changed
/// together with these in one transaction).
#[async_trait]
pub trait ScimStore {
    /// Every provisioned user of the company.
    async fn scim_users(&self, company_id: &str) -> Result<Vec<ScimUser>>;
    /// Creates the account and its SCIM attributes together.
    /// `Conflict("a user with this e-mail")` or `Conflict("a user with this userName")`.
    async fn create_scim_user(&self, user: &User, scim: &ScimUser) -> Result<()>;
    /// Changes the account's address, name and state and sets its SCIM
    /// attributes, together. `NotFound` outside the company; `Conflict` as above.
    async fn update_scim_user(
        &self,
        company_id: &str,
        email: &str,
        display_name: &str,
        disabled: bool,
        scim: &ScimUser,
    ) -> Result<User>;
    /// Renames the group, sets its external id and replaces its members, together.
    /// `NotFound` outside the company (or for a member who is not in it),
    /// `Conflict("a group with this name")`.
    async fn update_scim_group(
        &self,
        company_id: &str,
        id: &str,
        name: &str,
        external_id: Option<&str>,
        member_ids: &[String],
    ) -> Result<UserGroup>;
}

#[async_trait]
pub trait TwoFactorStore {
    async fn two_factor(&self, user_id: &str) -> Result<TwoFactor>;
    /// Keeps a sealed secret being set up until a code confirms it.
    async fn set_pending_totp(&self, user_id: &str, sealed: &str) -> Result<()>;
    /// Turns two-factor sign-in on with `sealed_secret`, the step of the code that
    /// confirmed it (so that code is spent), and new recovery codes (hashes),
    /// replacing any old ones.
    async fn enable_totp(
        &self,
        user_id: &str,
        sealed_secret: &str,
        step: i64,
        recovery_hashes: &[String],
        now: Millis,
    ) -> Result<()>;
    /// Turns it off and forgets the secret and recovery codes.
    async fn disable_totp(&self, user_id: &str) -> Result<()>;
    /// Spends the code of `step`: true only if no code of this or a later step
    /// was accepted before. Atomic, so a code signs in once.
    async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool>;
    /// Spends an unused recovery code (its hash); false when unknown or used.
    async fn use_recovery_code(&self, user_id: &str, code_hash: &str, now: Millis) -> Result<bool>;
}

#[async_trait]
pub trait AccessStore {
    /// The company's roles, built-in first, then by name.
    async fn list_roles(&self, company_id: &str) -> Result<Vec<Role>>;
    async fn role(&self, company_id: &str, id: &str) -> Result<Role>;
    async fn builtin_role(&self, company_id: &str, builtin: BuiltinRole) -> Result<Role>;
    /// `Conflict` when the name is taken in the company.
    async fn create_role(&self, role: &Role) -> Result<()>;
    /// Replaces a company-defined role's name, description, permissions and
    /// restrictions; built-in roles are `NotFound` here.
    async fn update_role(&self, role: &Role) -> Result<Role>;
    /// Deletes a company-defined role and its grants.
    async fn delete_role(&self, company_id: &str, id: &str) -> Result<Role>;

    async fn list_user_groups(&self, company_id: &str) -> Result<Vec<UserGroup>>;
    async fn user_group(&self, company_id: &str, id: &str) -> Result<UserGroup>;
    /// Members must be users of the company (`NotFound` otherwise).
    async fn create_user_group(&self, group: &UserGroup) -> Result<()>;
    /// Renames the group and, when given, replaces its members.
    async fn update_user_group(
        &self,
        company_id: &str,
        id: &str,
        name: &str,
        member_ids: Option<&[String]>,
    ) -> Result<UserGroup>;
    async fn delete_user_group(&self, company_id: &str, id: &str) -> Result<UserGroup>;

    async fn list_grants(&self, company_id: &str) -> Result<Vec<RoleGrant>>;
    /// Role, grantee and device group must all belong to the grant's company
    /// (`NotFound` otherwise); `Conflict` for a duplicate.
    async fn create_grant(&self, grant: &RoleGrant) -> Result<()>;
    async fn delete_grant(&self, company_id: &str, id: &str) -> Result<RoleGrant>;
    /// The roles that apply to the user in their current company, directly or
    /// through their groups, with each grant's scope.
    async fn effective_grants(&self, user_id: &str) -> Result<Vec<EffectiveGrant>>;
}

#[async_trait]
pub trait SetupStore {
    async fn create_setup_token(
        &self,
        token_hash: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()>;
    /// Uses the setup link and creates the first administrator in one transaction;
    /// refuses when the link is unknown, used or expired, or any user already exists.
    /// The first administrator becomes the default company's owner and the
    /// server's operator.
    async fn complete_setup(&self, token_hash: &str, now: Millis, admin: &User) -> Result<()>;
}

#[async_trait]
pub trait EnrollmentStore {
    /// Stores a new token; `device_group` is created in the company if missing.
    async fn create_enrollment_token(&self, token: &NewEnrollmentToken) -> Result<EnrollmentToken>;
    async fn list_enrollment_tokens(&self, company_id: &str) -> Result<Vec<EnrollmentToken>>;
    async fn revoke_enrollment_token(
        &self,
        company_id: &str,
        id: &str,
        now: Millis,
    ) -> Result<EnrollmentToken>;
    /// Spends one use of the token and registers the device, atomically: a token
    /// with one use left enrolls exactly one device however many try at once.
    async fn enroll_device(&self, token_hash: &str, device: &NewDevice) -> Result<Device>;
}

/// Session keys: a technician invites an end user for one attended session.
#[async_trait]
pub trait SessionKeyStore {
    /// `Conflict` when a usable key already has these digits (the caller draws again).
    async fn create_session_key(&self, key: &NewSessionKey) -> Result<()>;
    /// The key with this hash if it is unused, unexpired and its technician may
    /// still sign in to its company; else `NotFound`.
    async fn usable_session_key(&self, key_hash: &str, now: Millis) -> Result<SessionKey>;
    /// Gives the key a join ticket bound to `user_id`, replacing any earlier one.
    async fn issue_join_ticket(
        &self,
        key_id: &str,
        user_id: &str,
        ticket_hash: &str,
        expires_at: Millis,
        now: Millis,
    ) -> Result<()>;
    /// Spends the key and creates the attended device, atomically. `NotFound`
    /// when the key was spent or expired meanwhile, or the ticket does not match.
    async fn join_with_session_key(&self, join: &JoinWithKey) -> Result<Device>;
}

#[async_trait]
pub trait DeviceStore {
    async fn list_devices(&self, company_id: &str) -> Result<Vec<Device>>;
    /// Any company's device: the agent link knows only the device id.
    async fn device(&self, id: &str) -> Result<Device>;
    async fn device_in_company(&self, company_id: &str, id: &str) -> Result<Device>;
    /// Records what the agent reported on connecting.
    async fn update_device_system(
        &self,
        id: &str,
        system: &DeviceSystem,
        now: Millis,
    ) -> Result<()>;
    async fn touch_device(&self, id: &str, now: Millis) -> Result<()>;
    async fn list_device_groups(&self, company_id: &str) -> Result<Vec<DeviceGroup>>;
    /// `Conflict` when the name is taken in the company.
    async fn create_device_group(&self, group: &DeviceGroup) -> Result<()>;
    async fn revoke_device(&self, company_id: &str, id: &str, now: Millis) -> Result<Device>;
}

#[async_trait]
pub trait SessionStore {
    async fn create_session(&self, session: &SessionRecord) -> Result<()>;
    /// Ends an open session; `NotFound` when it does not exist or already ended.
    async fn end_session(&self, id: &str, ended_at: Millis, reason: &str) -> Result<SessionRecord>;
    async fn session(&self, company_id: &str, id: &str) -> Result<SessionRecord>;
    /// The company's sessions, newest first; only `technician_id`'s when given.
    async fn list_sessions(
        &self,
        company_id: &str,
        technician_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SessionRecord>>;
    /// Closes sessions a previous run left open (crash, kill) with `reason`.
    async fn end_open_sessions(&self, ended_at: Millis, reason: &str) -> Result<u64>;
}

#[async_trait]
pub trait AuditStore {
    /// Appends an event (its `id` is ignored) and returns it with the id assigned.
    async fn record_audit(&self, event: &AuditEvent) -> Result<AuditEvent>;
    /// The company's events, newest first, older than `before` (an event id) if given.
    async fn list_audit(
        &self,
        company_id: &str,
        limit: i64,
        before: Option<i64>,
    ) -> Result<Vec<AuditEvent>>;
}

/// Everything the server stores.
pub trait Store:
    CompanyStore
    + UserStore
    + WebSessionStore
    + AccessStore
    + TwoFactorStore
    + ApiTokenStore
    + DomainStore
    + SamlStore
    + OidcStore
    + ScimStore
    + SetupStore
    + EnrollmentStore
    + SessionKeyStore
    + DeviceStore
    + SessionStore
    + AuditStore
    + Send
    + Sync
{
    /// "sqlite" or "postgres", for logs.
    fn backend(&self) -> &'static str;
}

/// Opens (creating if needed) and migrates the database at `location`: a
/// `postgres://` or `postgresql://` URL, a `sqlite:` URL, or a path to a SQLite file.
pub async fn open(location: &str) -> Result<Arc<dyn Store>> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStore::open(location).await?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::open(location).await?))
    }
}
