//! Row shapes as both backends return them, their conversion to the model, and
//! the column lists and error mappings the shared SQL uses.

use reach_core::Millis;
use sqlx::FromRow;

use reach_proto::access::{BuiltinRole, Permission};

use crate::model::*;
use crate::StoreError;

#[derive(FromRow)]
pub(crate) struct CompanyRow {
    id: String,
    name: String,
    created_at: i64,
    owner_id: Option<String>,
    require_two_factor: bool,
    password_sign_in: bool,
    tenant_only: bool,
    just_in_time: bool,
}

impl From<CompanyRow> for Company {
    fn from(row: CompanyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            owner_id: row.owner_id,
            settings: CompanySettings {
                require_two_factor: row.require_two_factor,
                password_sign_in: row.password_sign_in,
                tenant_only: row.tenant_only,
                just_in_time: row.just_in_time,
            },
        }
    }
}

pub(crate) const COMPANY_COLUMNS: &str = "id, name, created_at, owner_id, require_two_factor, \
     password_sign_in, tenant_only, just_in_time";

#[derive(FromRow)]
pub(crate) struct UserRow {
    id: String,
    company_id: Option<String>,
    email: String,
    display_name: String,
    password_hash: String,
    operator: bool,
    disabled: bool,
    created_at: i64,
    two_factor_enabled: bool,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            company_id: row.company_id,
            email: row.email,
            display_name: row.display_name,
            password_hash: row.password_hash,
            operator: row.operator,
            disabled: row.disabled,
            created_at: row.created_at,
            two_factor_enabled: row.two_factor_enabled,
        }
    }
}

/// What reads of an account return (the stored columns and what follows from them).
pub(crate) const USER_FIELDS: &str =
    "id, company_id, email, display_name, password_hash, operator, \
     disabled, created_at, (totp_enabled_at IS NOT NULL) AS two_factor_enabled";

/// The columns an account is inserted with.
pub(crate) const USER_COLUMNS: &str =
    "id, company_id, email, display_name, password_hash, operator, disabled, created_at";

#[derive(FromRow)]
pub(crate) struct WebSessionRow {
    token_hash: String,
    user_id: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
}

impl From<WebSessionRow> for WebSession {
    fn from(row: WebSessionRow) -> Self {
        Self {
            token_hash: row.token_hash,
            user_id: row.user_id,
            csrf_token: row.csrf_token,
            created_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct RoleRow {
    id: String,
    company_id: String,
    name: String,
    description: String,
    builtin: Option<String>,
    permissions: String,
    view_only: bool,
    upload_paths: Option<String>,
    download_paths: Option<String>,
    created_at: i64,
}

impl TryFrom<RoleRow> for Role {
    type Error = StoreError;

    fn try_from(row: RoleRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str, detail: String| {
            StoreError::Corrupt(format!("role {} {what}: {detail}", row.id))
        };
        let names: Vec<String> = serde_json::from_str(&row.permissions)
            .map_err(|err| corrupt("permissions", err.to_string()))?;
        let permissions = names
            .iter()
            .map(|name| Permission::parse(name).ok_or_else(|| corrupt("permission", name.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let builtin = match &row.builtin {
            Some(name) => {
                Some(BuiltinRole::parse(name).ok_or_else(|| corrupt("builtin", name.clone()))?)
            }
            None => None,
        };
        let paths =
            |column: &Option<String>, what: &str| -> Result<Option<Vec<String>>, StoreError> {
                column
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|err| corrupt(what, err.to_string()))
            };
        Ok(Self {
            upload_paths: paths(&row.upload_paths, "upload_paths")?,
            download_paths: paths(&row.download_paths, "download_paths")?,
            id: row.id,
            company_id: row.company_id,
            name: row.name,
            description: row.description,
            builtin,
            permissions,
            view_only: row.view_only,
            created_at: row.created_at,
        })
    }
}

/// A role with the scope of the grant that brought it.
#[derive(FromRow)]
pub(crate) struct EffectiveGrantRow {
    #[sqlx(flatten)]
    role: RoleRow,
    device_group_id: Option<String>,
}

impl TryFrom<EffectiveGrantRow> for EffectiveGrant {
    type Error = StoreError;

    fn try_from(row: EffectiveGrantRow) -> Result<Self, StoreError> {
        Ok(Self {
            role: row.role.try_into()?,
            device_group_id: row.device_group_id,
        })
    }
}

pub(crate) const ROLE_COLUMNS: &str = "id, company_id, name, description, builtin, permissions, \
     view_only, upload_paths, download_paths, created_at";

/// A role's stored permission list.
pub(crate) fn permissions_json(permissions: &[Permission]) -> String {
    let names: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_string())
}

/// A role's stored path allow-list (`NULL` for no restriction).
pub(crate) fn paths_json(paths: &Option<Vec<String>>) -> Option<String> {
    paths
        .as_ref()
        .map(|p| serde_json::to_string(p).unwrap_or_else(|_| "[]".to_string()))
}

#[derive(FromRow)]
pub(crate) struct GrantRow {
    id: String,
    company_id: String,
    role_id: String,
    user_id: Option<String>,
    group_id: Option<String>,
    device_group_id: Option<String>,
    created_at: i64,
}

impl TryFrom<GrantRow> for RoleGrant {
    type Error = StoreError;

    fn try_from(row: GrantRow) -> Result<Self, StoreError> {
        let grantee = match (row.user_id, row.group_id) {
            (Some(user), None) => Grantee::User(user),
            (None, Some(group)) => Grantee::Group(group),
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "grant {} has no single grantee",
                    row.id
                )))
            }
        };
        Ok(Self {
            id: row.id,
            company_id: row.company_id,
            role_id: row.role_id,
            grantee,
            device_group_id: row.device_group_id,
            created_at: row.created_at,
        })
    }
}

pub(crate) const GRANT_COLUMNS: &str =
    "id, company_id, role_id, user_id, group_id, device_group_id, created_at";

#[derive(FromRow)]
pub(crate) struct DeviceGroupRow {
    id: String,
    company_id: String,
    name: String,
    created_at: i64,
}

impl From<DeviceGroupRow> for DeviceGroup {
    fn from(row: DeviceGroupRow) -> Self {
        Self {
            id: row.id,
            company_id: row.company_id,
            name: row.name,
            created_at: row.created_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct EnrollmentTokenRow {
    id: String,
    company_id: String,
    device_group: Option<String>,
    max_uses: i64,
    uses: i64,
    expires_at: i64,
    created_by: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl From<EnrollmentTokenRow> for EnrollmentToken {
    fn from(row: EnrollmentTokenRow) -> Self {
        Self {
            id: row.id,
            company_id: row.company_id,
            device_group: row.device_group,
            max_uses: row.max_uses,
            uses: row.uses,
            expires_at: row.expires_at,
            created_by: row.created_by,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// Token columns with the group's name joined in.
pub(crate) const TOKEN_SELECT: &str =
    "SELECT t.id, t.company_id, g.name AS device_group, t.max_uses, t.uses, \
     t.expires_at, t.created_by, t.created_at, t.revoked_at \
     FROM enrollment_tokens t LEFT JOIN device_groups g ON g.id = t.device_group_id";

#[derive(FromRow)]
pub(crate) struct DeviceRow {
    id: String,
    company_id: String,
    device_group_id: Option<String>,
    device_group: Option<String>,
    nickname: String,
    hostname: String,
    os: String,
    ip_addresses: String,
    agent_version: String,
    public_key: String,
    enrolled_at: i64,
    last_seen: Option<i64>,
    revoked_at: Option<i64>,
    attended_by: Option<String>,
    end_user_id: Option<String>,
    end_user: Option<String>,
}

impl TryFrom<DeviceRow> for Device {
    type Error = StoreError;

    fn try_from(row: DeviceRow) -> Result<Self, StoreError> {
        let ip_addresses = serde_json::from_str(&row.ip_addresses)
            .map_err(|err| StoreError::Corrupt(format!("device {} ip_addresses: {err}", row.id)))?;
        Ok(Self {
            id: row.id,
            company_id: row.company_id,
            device_group_id: row.device_group_id,
            device_group: row.device_group,
            nickname: row.nickname,
            system: DeviceSystem {
                hostname: row.hostname,
                os: row.os,
                ip_addresses,
                agent_version: row.agent_version,
            },
            public_key: row.public_key,
            enrolled_at: row.enrolled_at,
            last_seen: row.last_seen,
            revoked_at: row.revoked_at,
            attended_by: row.attended_by,
            end_user_id: row.end_user_id,
            end_user: row.end_user,
        })
    }
}

pub(crate) const DEVICE_SELECT: &str =
    "SELECT d.id, d.company_id, d.device_group_id, g.name AS device_group, d.nickname, d.hostname, \
     d.os, d.ip_addresses, d.agent_version, d.public_key, d.enrolled_at, d.last_seen, d.revoked_at, \
     d.attended_by, d.end_user_id, eu.email AS end_user \
     FROM devices d LEFT JOIN device_groups g ON g.id = d.device_group_id \
     LEFT JOIN users eu ON eu.id = d.end_user_id";

pub(crate) fn ip_addresses_json(addresses: &[String]) -> String {
    serde_json::to_string(addresses).unwrap_or_else(|_| "[]".to_string())
}

#[derive(FromRow)]
pub(crate) struct SessionRow {
    id: String,
    company_id: String,
    device_id: String,
    technician_id: String,
    started_at: i64,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    device_group_id: Option<String>,
    device_nickname: String,
    technician_name: String,
    attended_by: Option<String>,
    end_user: Option<String>,
}

impl From<SessionRow> for SessionRecord {
    fn from(row: SessionRow) -> Self {
        Self {
            id: row.id,
            company_id: row.company_id,
            device_id: row.device_id,
            technician_id: row.technician_id,
            started_at: row.started_at,
            ended_at: row.ended_at,
            end_reason: row.end_reason,
            device_group_id: row.device_group_id,
            device_nickname: row.device_nickname,
            technician_name: row.technician_name,
            attended: row.attended_by.is_some(),
            end_user: row.end_user,
        }
    }
}

pub(crate) const SESSION_SELECT: &str =
    "SELECT s.id, s.company_id, s.device_id, s.technician_id, s.started_at, \
     s.ended_at, s.end_reason, d.device_group_id, d.nickname AS device_nickname, u.display_name AS technician_name, \
     d.attended_by, eu.email AS end_user \
     FROM sessions s JOIN devices d ON d.id = s.device_id JOIN users u ON u.id = s.technician_id \
     LEFT JOIN users eu ON eu.id = d.end_user_id";

#[derive(FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    company_id: String,
    code: String,
    at: i64,
    actor_kind: String,
    actor_id: Option<String>,
    actor_name: String,
    ip: Option<String>,
    target_kind: Option<String>,
    target_id: Option<String>,
    target_name: Option<String>,
    details: String,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = StoreError;

    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        let details = serde_json::from_str(&row.details)
            .map_err(|err| StoreError::Corrupt(format!("audit event {} details: {err}", row.id)))?;
        Ok(Self {
            id: row.id,
            company_id: row.company_id,
            code: row.code,
            at: row.at,
            actor_kind: row.actor_kind,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            ip: row.ip,
            target_kind: row.target_kind,
            target_id: row.target_id,
            target_name: row.target_name,
            details,
        })
    }
}

pub(crate) const AUDIT_COLUMNS: &str =
    "id, company_id, code, at, actor_kind, actor_id, actor_name, ip, \
     target_kind, target_id, target_name, details";

/// Maps a unique-constraint violation to `Conflict`, anything else to `Database`.
pub(crate) fn conflict_or(err: sqlx::Error, what: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(err),
    }
}

/// Why an enrollment token cannot be used right now.
pub(crate) fn token_refusal(
    uses: i64,
    max_uses: i64,
    expires_at: Millis,
    revoked: bool,
    now: Millis,
) -> StoreError {
    if revoked {
        StoreError::EnrollmentTokenInvalid
    } else if expires_at <= now {
        StoreError::EnrollmentTokenExpired
    } else if uses >= max_uses {
        StoreError::EnrollmentTokenExhausted
    } else {
        StoreError::EnrollmentTokenInvalid
    }
}

#[derive(FromRow)]
pub(crate) struct ApiTokenRow {
    id: String,
    company_id: String,
    user_id: Option<String>,
    name: String,
    token_hash: String,
    scopes: String,
    expires_at: i64,
    created_by: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<ApiTokenRow> for ApiToken {
    type Error = StoreError;

    fn try_from(row: ApiTokenRow) -> Result<Self, StoreError> {
        let names: Vec<String> = serde_json::from_str(&row.scopes)
            .map_err(|err| StoreError::Corrupt(format!("api token {} scopes: {err}", row.id)))?;
        let scopes = names
            .iter()
            .map(|name| {
                Permission::parse(name).ok_or_else(|| {
                    StoreError::Corrupt(format!("api token {} scope {name}", row.id))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            id: row.id,
            company_id: row.company_id,
            user_id: row.user_id,
            name: row.name,
            token_hash: row.token_hash,
            scopes,
            expires_at: row.expires_at,
            created_by: row.created_by,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        })
    }
}

pub(crate) const API_TOKEN_COLUMNS: &str = "id, company_id, user_id, name, token_hash, scopes, \
     expires_at, created_by, created_at, last_used_at, revoked_at";

#[derive(FromRow)]
pub(crate) struct SsoDomainRow {
    id: String,
    company_id: String,
    domain: String,
    token: String,
    status: String,
    failure: Option<String>,
    started_at: Option<i64>,
    checked_at: Option<i64>,
    verified_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<SsoDomainRow> for SsoDomain {
    type Error = StoreError;

    fn try_from(row: SsoDomainRow) -> Result<Self, StoreError> {
        let status = DomainStatus::parse(&row.status).ok_or_else(|| {
            StoreError::Corrupt(format!("domain {} status {}", row.id, row.status))
        })?;
        Ok(Self {
            id: row.id,
            company_id: row.company_id,
            domain: row.domain,
            token: row.token,
            status,
            failure: row.failure,
            started_at: row.started_at,
            checked_at: row.checked_at,
            verified_at: row.verified_at,
            created_at: row.created_at,
        })
    }
}

pub(crate) const SSO_DOMAIN_COLUMNS: &str = "id, company_id, domain, token, status, failure, \
     started_at, checked_at, verified_at, created_at";

#[derive(FromRow)]
pub(crate) struct SamlProviderRow {
    domain_id: String,
    company_id: String,
    idp_entity_id: String,
    sso_url: String,
    sso_binding: String,
    certificates: String,
    metadata_url: Option<String>,
    customer_identifier_hash: Option<String>,
    updated_at: i64,
}

impl TryFrom<SamlProviderRow> for SamlProvider {
    type Error = StoreError;

    fn try_from(row: SamlProviderRow) -> Result<Self, StoreError> {
        let binding =
            reach_core::saml::RequestBinding::parse(&row.sso_binding).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "identity provider of {} binding {}",
                    row.domain_id, row.sso_binding
                ))
            })?;
        Ok(Self {
            domain_id: row.domain_id,
            company_id: row.company_id,
            idp_entity_id: row.idp_entity_id,
            sso_url: row.sso_url,
            binding,
            certificates: row
                .certificates
                .split('\n')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            metadata_url: row.metadata_url,
            customer_identifier_hash: row.customer_identifier_hash,
            updated_at: row.updated_at,
        })
    }
}

pub(crate) const SAML_PROVIDER_COLUMNS: &str = "domain_id, company_id, idp_entity_id, sso_url, \
     sso_binding, certificates, metadata_url, customer_identifier_hash, updated_at";

#[derive(FromRow)]
pub(crate) struct SamlRequestRow {
    id: String,
    company_id: String,
    domain_id: String,
    relay_state: Option<String>,
    created_at: i64,
    expires_at: i64,
}

impl From<SamlRequestRow> for SamlRequest {
    fn from(row: SamlRequestRow) -> Self {
        Self {
            id: row.id,
            company_id: row.company_id,
            domain_id: row.domain_id,
            relay_state: row.relay_state,
            created_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct OidcProviderRow {
    domain_id: String,
    company_id: String,
    issuer: String,
    client_id: String,
    client_secret_sealed: Option<String>,
    updated_at: i64,
}

impl From<OidcProviderRow> for OidcProvider {
    fn from(row: OidcProviderRow) -> Self {
        Self {
            domain_id: row.domain_id,
            company_id: row.company_id,
            issuer: row.issuer,
            client_id: row.client_id,
            client_secret_sealed: row.client_secret_sealed,
            updated_at: row.updated_at,
        }
    }
}

pub(crate) const OIDC_PROVIDER_COLUMNS: &str =
    "domain_id, company_id, issuer, client_id, client_secret_sealed, updated_at";

#[derive(FromRow)]
pub(crate) struct OidcRequestRow {
    state: String,
    company_id: String,
    domain_id: String,
    nonce: String,
    pkce_verifier_sealed: String,
    relay_state: Option<String>,
    created_at: i64,
    expires_at: i64,
}

impl From<OidcRequestRow> for OidcRequest {
    fn from(row: OidcRequestRow) -> Self {
        Self {
            state: row.state,
            company_id: row.company_id,
            domain_id: row.domain_id,
            nonce: row.nonce,
            pkce_verifier_sealed: row.pkce_verifier_sealed,
            relay_state: row.relay_state,
            created_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

pub(crate) const OIDC_REQUEST_COLUMNS: &str =
    "state, company_id, domain_id, nonce, pkce_verifier_sealed, relay_state, created_at, expires_at";
