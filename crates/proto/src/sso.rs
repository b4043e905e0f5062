//! JSON bodies of single sign-on: a verified domain's SAML 2.0 identity provider
//! (with its customer identifier) or OpenID Connect provider, its exclusion
//! list, and what the sign-in page asks before sending someone to their
//! identity provider.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What an administrator gives their identity provider about Reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ServiceProviderView {
    /// Entity id, also the audience of assertions.
    pub entity_id: String,
    /// Assertion consumer service (HTTP-POST binding).
    pub acs_url: String,
    /// Our metadata XML, to download or give the identity provider by URL.
    pub metadata_url: String,
}

/// How our authentication requests reach the identity provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestBindingView {
    /// HTTP-Redirect: the request in the URL.
    #[default]
    Redirect,
    /// HTTP-POST: the request in a form the browser posts.
    Post,
}

/// One signing certificate of an identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CertificateView {
    /// Hex SHA-256 of the DER certificate, to compare with the IdP's console.
    pub sha256: String,
}

/// A domain's identity provider as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct IdentityProviderView {
    pub entity_id: String,
    /// Where people are sent to sign in.
    pub sso_url: String,
    pub binding: RequestBindingView,
    pub certificates: Vec<CertificateView>,
    /// Where the settings were fetched from, when given by URL.
    pub metadata_url: Option<String>,
    /// Whether a customer identifier was generated (it is shown once, then only
    /// its hash is kept).
    pub customer_identifier_set: bool,
    pub updated_at: i64,
}

/// `GET /api/sso-domains/{id}/saml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SamlSettingsView {
    pub service_provider: ServiceProviderView,
    /// None until configured.
    pub identity_provider: Option<IdentityProviderView>,
    /// E-mail addresses that keep signing in with a password (lower-cased).
    pub excluded_emails: Vec<String>,
    /// User groups whose members keep signing in with a password.
    pub excluded_group_ids: Vec<String>,
    /// Single sign-on is in force for the domain: verified, identity provider
    /// configured, customer identifier generated.
    pub active: bool,
}

/// `PUT /api/sso-domains/{id}/saml`: the identity provider, from its metadata XML
/// or typed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum IdentityProviderInput {
    /// The identity provider's metadata document.
    MetadataXml { xml: String },
    /// Where the identity provider publishes its metadata (https); fetched now.
    MetadataUrl { url: String },
    /// Entity id, single sign-on URL and the signing certificate (Base64 or PEM).
    Manual {
        entity_id: String,
        sso_url: String,
        /// How requests reach `sso_url`; HTTP-Redirect when left out.
        #[serde(default)]
        binding: RequestBindingView,
        certificate: String,
    },
}

/// `POST /api/sso-domains/{id}/saml/customer-identifier`: shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CustomerIdentifierCreated {
    /// Configure the identity provider to send it as the `customeridentifier`
    /// attribute of every assertion.
    pub customer_identifier: String,
}

/// `PUT /api/sso-domains/{id}/exclusions`: who keeps password sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoExclusions {
    pub emails: Vec<String>,
    /// Ids of user groups whose members keep password sign-in; unchanged when
    /// left out.
    #[serde(default)]
    #[ts(optional)]
    pub group_ids: Option<Vec<String>>,
}

/// A domain's OpenID Connect provider as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct OidcProviderView {
    /// The issuer identifier (its discovery document is
    /// `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    /// Whether a client secret is kept (sealed; never shown again). Without
    /// one, Reach is a public client and proves itself with PKCE alone.
    pub client_secret_set: bool,
    pub updated_at: i64,
}

/// `GET /api/sso-domains/{id}/oidc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct OidcSettingsView {
    /// The redirect URI to register with the provider.
    pub redirect_uri: String,
    /// The login initiation URI, for providers that start sign-ins from their
    /// own portal.
    pub initiate_login_uri: String,
    /// None until configured.
    pub provider: Option<OidcProviderView>,
    /// E-mail addresses that keep signing in with a password (lower-cased).
    pub excluded_emails: Vec<String>,
    /// User groups whose members keep signing in with a password.
    pub excluded_group_ids: Vec<String>,
    /// Single sign-on is in force for the domain: verified and a provider configured.
    pub active: bool,
}

/// `PUT /api/sso-domains/{id}/oidc`: the provider, checked by reading its
/// discovery document before it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderInput {
    /// An https URL.
    pub issuer: String,
    pub client_id: String,
    /// Left out: keep the current secret (a new provider then has none: a
    /// public client).
    #[serde(default)]
    #[ts(optional)]
    pub client_secret: Option<String>,
}

/// How an address signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    Password,
    /// Through the SAML identity provider: go to `/saml/login?email=...`.
    Saml,
    /// Through the OpenID Connect provider: go to `/oidc/login?email=...`.
    Oidc,
}

/// `GET /api/auth/sign-in-method?email=...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SignInMethodView {
    pub method: SignInMethod,
}

/// One owner of a single sign-on domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DomainOwnerView {
    pub id: String,
    pub email: String,
    pub display_name: String,
}

/// `GET /api/sso-domains/{id}/owners`: members who manage the domain's single
/// sign-on from the console even without the company-wide permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DomainOwnersView {
    pub owners: Vec<DomainOwnerView>,
}

/// `PUT /api/sso-domains/{id}/owners`: the owners, by address (members of the company).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetDomainOwners {
    pub emails: Vec<String>,
}
