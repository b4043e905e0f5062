//! JSON bodies of the administration API: companies and their settings, members
//! (users), user groups, roles, role grants and device groups. Times are Unix
//! milliseconds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::{BuiltinRole, Permission};

/// The company settings that are in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanySettingsView {
    /// Members must sign in with a second factor.
    pub require_two_factor: bool,
    /// Members may sign in with a password. When off, only the company's owner
    /// still may, so a broken identity provider can't lock the company out.
    pub password_sign_in: bool,
    /// A first single sign-on of an address in a verified domain creates its
    /// account (with no roles). Off when left out.
    #[serde(default)]
    pub just_in_time: bool,
    /// End users must sign in as members of the company to join a session with
    /// a session key; when off, anyone with the key may. On when left out.
    #[serde(default = "on")]
    pub tenant_only: bool,
}

fn on() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CompanyView {
    pub id: String,
    pub name: String,
    pub owner_id: Option<String>,
    /// The owner's address, for operators (who can't list a company's users).
    pub owner_email: Option<String>,
    pub settings: CompanySettingsView,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/companies` (operators): a company and its first administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCompany {
    pub name: String,
    pub administrator: NewMemberAccount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CompanyCreated {
    pub company: CompanyView,
    pub administrator: MemberView,
    /// Set when no password was given: shown this once only.
    pub generated_password: Option<String>,
}

/// `PATCH /api/companies/{id}` (operators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameCompany {
    pub name: String,
}

/// The account part of a new member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberAccount {
    pub email: String,
    pub display_name: String,
    /// Left out, the server generates one and returns it once.
    #[serde(default)]
    pub password: Option<String>,
}

/// A user of the company, as administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct MemberView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub disabled: bool,
    /// The company's owner can't be removed, disabled or lose the Administrator role.
    pub owner: bool,
    pub operator: bool,
    pub two_factor_enabled: bool,
    pub group_ids: Vec<String>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/users`: a new member, with company-wide roles to grant at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMember {
    pub email: String,
    pub display_name: String,
    /// Left out, the server generates one and returns it once.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub role_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct MemberCreated {
    pub member: MemberView,
    /// Set when no password was given: shown this once only.
    pub generated_password: Option<String>,
}

/// `PATCH /api/users/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    pub display_name: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct RoleView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Built-in roles can't be changed or deleted.
    pub builtin: Option<BuiltinRole>,
    pub permissions: Vec<Permission>,
    pub view_only: bool,
    pub upload_paths: Option<Vec<String>>,
    pub download_paths: Option<Vec<String>>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/roles` and `PUT /api/roles/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub view_only: bool,
    /// Absolute paths uploads may go into; `null` for anywhere.
    #[serde(default)]
    pub upload_paths: Option<Vec<String>>,
    /// Absolute paths downloads may come from; `null` for anywhere.
    #[serde(default)]
    pub download_paths: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UserGroupView {
    pub id: String,
    pub name: String,
    pub member_ids: Vec<String>,
    /// The identity provider's id, for groups provisioned through SCIM.
    pub external_id: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/user-groups` and `PUT /api/user-groups/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserGroupInput {
    pub name: String,
    #[serde(default)]
    pub member_ids: Vec<String>,
}

/// A role granted to exactly one of a user or a user group, company-wide or on
/// one device group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct GrantView {
    pub id: String,
    pub role_id: String,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
    /// `None` for company-wide.
    pub device_group_id: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/role-grants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub role_id: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub device_group_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceGroupView {
    pub id: String,
    pub name: String,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/device-groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceGroupInput {
    pub name: String,
}

/// An API token as administrators see it (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ApiTokenView {
    pub id: String,
    pub name: String,
    /// The user it acts as; `None` for a company token.
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    /// What it may do: never more than its user (or its creator, for a company token) may.
    pub scopes: Vec<Permission>,
    #[ts(type = "number")]
    pub expires_at: i64,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

/// `POST /api/api-tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    pub name: String,
    pub scopes: Vec<Permission>,
    /// Lifetime in seconds, from one hour to one year.
    #[ts(type = "number")]
    pub expires_in_secs: u64,
    /// A company token acts for the company itself; otherwise the token acts as
    /// its creator, limited to `scopes`.
    #[serde(default)]
    pub company_token: bool,
}

/// Answer to creating a token: the secret is shown this once only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ApiTokenCreated {
    /// Send as `Authorization: Bearer TOKEN` to `/api/v1/...`.
    pub token: String,
    pub view: ApiTokenView,
}

/// Where a domain's ownership proof stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    /// Added; verification not started.
    Unverified,
    /// Looking for the TXT record, for 24 hours from the start.
    Verifying,
    Verified,
    /// Not found in time, or proven by another company first (`failure` says which).
    Failed,
}

impl DomainStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Verifying => "verifying",
            Self::Verified => "verified",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Unverified,
            Self::Verifying,
            Self::Verified,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// An e-mail domain a company claims for single sign-on, and how to prove it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SsoDomainView {
    pub id: String,
    pub domain: String,
    pub status: DomainStatus,
    /// Why verification failed: `not_found_in_time` or `verified_by_another_company`.
    pub failure: Option<String>,
    /// Create a TXT record on this name...
    pub txt_name: String,
    /// ...with this value.
    pub txt_value: String,
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    #[ts(type = "number | null")]
    pub checked_at: Option<i64>,
    /// While verifying: when it gives up.
    #[ts(type = "number | null")]
    pub verification_ends_at: Option<i64>,
    #[ts(type = "number | null")]
    pub verified_at: Option<i64>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/sso-domains`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSsoDomain {
    pub domain: String,
}
