//! Stored records, as the rest of the server sees them.

use reach_core::Millis;
use reach_proto::access::{BuiltinRole, Permission};

/// A company's own rules for its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanySettings {
    /// Members must sign in with a second factor.
    pub require_two_factor: bool,
    /// Members may sign in with a password (single sign-on is the alternative).
    pub password_sign_in: bool,
    /// End users must be members of the company to receive help; otherwise
    /// anonymous end users may join with a session key.
    pub tenant_only: bool,
    /// A first single sign-on of an address in a verified domain creates the user.
    pub just_in_time: bool,
}

impl Default for CompanySettings {
    fn default() -> Self {
        Self {
            require_two_factor: false,
            password_sign_in: true,
            tenant_only: true,
            just_in_time: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub created_at: Millis,
    /// The first administrator: can't be removed, disabled or stripped of the
    /// Administrator role, so a company can't lock itself out.
    pub owner_id: Option<String>,
    pub settings: CompanySettings,
}

/// An account. E-mail addresses are unique on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    /// `None` once removed from its company: the account remains, with no rights.
    pub company_id: Option<String>,
    /// Normalized (trimmed, lowercase).
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    /// Manages the server's companies.
    pub operator: bool,
    pub disabled: bool,
    pub created_at: Millis,
    /// Signs in with a second factor (set by the two-factor store, ignored on insert).
    pub two_factor_enabled: bool,
}

impl User {
    /// A new, enabled member of `company_id` with a fresh id, no second factor and
    /// not an operator (`email` and `display_name` already validated).
    pub fn new_member(
        company_id: &str,
        email: String,
        display_name: String,
        password_hash: String,
        now: Millis,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            company_id: Some(company_id.to_string()),
            email,
            display_name,
            password_hash,
            operator: false,
            disabled: false,
            created_at: now,
            two_factor_enabled: false,
        }
    }
}

/// An account's two-factor state; secrets are sealed (see `reach_core::sealed`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TwoFactor {
    pub secret: Option<String>,
    /// A secret being set up, not yet confirmed with a code.
    pub pending: Option<String>,
    /// The last time step whose code was accepted.
    pub last_step: Option<i64>,
    pub recovery_codes_left: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// A named set of permissions. Built-in roles take their permissions from
/// `reach_proto::access::BuiltinRole`, not from the stored list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub description: String,
    pub builtin: Option<BuiltinRole>,
    pub permissions: Vec<Permission>,
    pub view_only: bool,
    pub upload_paths: Option<Vec<String>>,
    pub download_paths: Option<Vec<String>>,
    pub created_at: Millis,
}

impl Role {
    /// What the role allows: the built-in definition or the stored list.
    pub fn effective_permissions(&self) -> Vec<Permission> {
        match self.builtin {
            Some(builtin) => builtin.permissions(),
            None => self.permissions.clone(),
        }
    }
}

/// A set of users that roles can be granted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    pub id: String,
    pub company_id: String,
    pub name: String,
    /// The identity provider's id, for groups provisioned through SCIM.
    pub external_id: Option<String>,
    pub member_ids: Vec<String>,
    pub created_at: Millis,
}

/// Who a role is granted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grantee {
    User(String),
    Group(String),
}

/// A role granted to a user or group, company-wide or on one device group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub id: String,
    pub company_id: String,
    pub role_id: String,
    pub grantee: Grantee,
    /// `None` for company-wide.
    pub device_group_id: Option<String>,
    pub created_at: Millis,
}

/// A role as it applies to one user: through which grant scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveGrant {
    pub role: Role,
    pub device_group_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceGroup {
    pub id: String,
    pub company_id: String,
    pub name: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrollmentToken {
    pub id: String,
    pub company_id: String,
    pub token_hash: String,
    pub device_group: Option<String>,
    pub max_uses: i64,
    pub expires_at: Millis,
    pub created_by: Option<String>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentToken {
    pub id: String,
    pub company_id: String,
    pub device_group: Option<String>,
    pub max_uses: i64,
    pub uses: i64,
    pub expires_at: Millis,
    pub created_by: Option<String>,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

/// What the agent reports about its machine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceSystem {
    pub hostname: String,
    pub os: String,
    pub ip_addresses: Vec<String>,
    pub agent_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub id: String,
    pub nickname: String,
    pub public_key: String,
    pub system: DeviceSystem,
    pub enrolled_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub company_id: String,
    pub device_group_id: Option<String>,
    pub device_group: Option<String>,
    pub nickname: String,
    pub system: DeviceSystem,
    pub public_key: String,
    pub enrolled_at: Millis,
    pub last_seen: Option<Millis>,
    pub revoked_at: Option<Millis>,
    /// Joined with a session key (attended): the key's technician.
    pub attended_by: Option<String>,
    /// The signed-in end user who joined it (tenant-only help): id and address.
    pub end_user_id: Option<String>,
    pub end_user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: String,
    pub company_id: String,
    pub device_id: String,
    pub technician_id: String,
    pub started_at: Millis,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<String>,
    /// Filled in by reads: the device's group, for the session's permissions.
    pub device_group_id: Option<String>,
    /// Filled in by reads: the device's nickname and technician's display name.
    pub device_nickname: String,
    pub technician_name: String,
    /// Filled in by reads: the device joined with a session key, and the
    /// signed-in end user's address if any.
    pub attended: bool,
    pub end_user: Option<String>,
}

/// A session key as created by a technician; `key_hash` hashes its digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionKey {
    pub id: String,
    pub company_id: String,
    pub technician_id: String,
    pub key_hash: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// A usable session key, with what the portal shows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    pub id: String,
    pub company_id: String,
    pub company_name: String,
    pub technician_id: String,
    pub technician_name: String,
    pub expires_at: Millis,
    /// The company's tenant-only help setting, read with the key.
    pub tenant_only: bool,
}

/// Spends a session key on a joining device: `ticket_hash`, when given, must be
/// the key's current join ticket, unexpired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinWithKey {
    pub key_id: String,
    pub ticket_hash: Option<String>,
    pub device: NewDevice,
}

/// One entry of the append-only event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Assigned by the store, increasing: the log's order.
    pub id: i64,
    pub company_id: String,
    /// A `reach_proto::audit::AuditCode` code, e.g. `R1000I`.
    pub code: String,
    pub at: Millis,
    /// A `reach_proto::audit::ActorKind` name.
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    /// Key/value pairs describing the change.
    pub details: Vec<(String, String)>,
}

/// A bearer token for the REST API; the secret is kept only as `token_hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub company_id: String,
    /// The user it acts as; `None` for a company token.
    pub user_id: Option<String>,
    pub name: String,
    pub token_hash: String,
    pub scopes: Vec<Permission>,
    pub expires_at: Millis,
    pub created_by: Option<String>,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

pub use reach_proto::directory::DomainStatus;

/// An e-mail domain claimed by a company for single sign-on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoDomain {
    pub id: String,
    pub company_id: String,
    /// Normalized (lowercase, no trailing dot).
    pub domain: String,
    /// Random; the TXT record must carry it.
    pub token: String,
    pub status: DomainStatus,
    pub failure: Option<String>,
    pub started_at: Option<Millis>,
    pub checked_at: Option<Millis>,
    pub verified_at: Option<Millis>,
    pub created_at: Millis,
}

/// A verified domain's SAML identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlProvider {
    pub domain_id: String,
    pub company_id: String,
    pub idp_entity_id: String,
    pub sso_url: String,
    /// How our requests reach `sso_url`.
    pub binding: reach_core::saml::RequestBinding,
    /// Standard-Base64 DER certificates; any one may sign.
    pub certificates: Vec<String>,
    pub metadata_url: Option<String>,
    /// Hex SHA-256 of the customer identifier; None until one is generated.
    pub customer_identifier_hash: Option<String>,
    pub updated_at: Millis,
}

/// A verified domain's OpenID Connect provider, the alternative to SAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    pub domain_id: String,
    pub company_id: String,
    /// The issuer identifier; its discovery document is
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// The client secret sealed for the domain id; None for a public client
    /// (PKCE alone).
    pub client_secret_sealed: Option<String>,
    pub updated_at: Millis,
}

/// An authorization request we sent and expect one answer to, found by its
/// `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcRequest {
    pub state: String,
    pub company_id: String,
    pub domain_id: String,
    /// Must come back in the ID token.
    pub nonce: String,
    /// The PKCE code verifier, sealed for `state`.
    pub pkce_verifier_sealed: String,
    pub relay_state: Option<String>,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// An authentication request we sent and expect an answer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlRequest {
    pub id: String,
    pub company_id: String,
    pub domain_id: String,
    pub relay_state: Option<String>,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// What SCIM provisioning said about a user beyond the account itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimUser {
    pub user_id: String,
    /// Unique in the company, compared without regard to case.
    pub user_name: String,
    /// The resource's stored attributes, as JSON text.
    pub attributes: String,
    pub updated_at: Millis,
}
