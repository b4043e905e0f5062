//! The one place errors become HTTP responses. Clients get a stable code, a
//! safe message and a request id; the log gets the detail under the same id.
//! Handlers return `Result<_, ApiFailure>` and never build error responses by hand.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use reach_proto::api::ApiError;
use reach_proto::codes::ErrorCode;
use reach_store::StoreError;

#[derive(Debug)]
pub struct ApiFailure {
    pub code: ErrorCode,
    pub message: String,
    /// Logged, never sent.
    pub detail: Option<String>,
}

impl ApiFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: "internal error".into(),
            detail: Some(detail.to_string()),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "not found")
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "you are not allowed to do this")
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "sign in first")
    }
}

/// HTTP status for each code: the only such table.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadRequest
        | ErrorCode::InvalidDomain
        | ErrorCode::InvalidIdentityProvider
        | ErrorCode::ProtocolViolation
        | ErrorCode::ProtocolVersion => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthenticated
        | ErrorCode::InvalidCredentials
        | ErrorCode::SecondFactorRequired
        | ErrorCode::SecondFactorInvalid
        | ErrorCode::UnknownAgentKey
        | ErrorCode::AgentAuthFailed => StatusCode::UNAUTHORIZED,
        ErrorCode::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::ClipboardTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Forbidden
        | ErrorCode::CsrfMismatch
        | ErrorCode::DeviceRevoked
        | ErrorCode::PasswordSignInDisabled
        | ErrorCode::SingleSignOnRequired
        | ErrorCode::TwoFactorEnrollmentRequired => StatusCode::FORBIDDEN,
        ErrorCode::NotFound | ErrorCode::SessionKeyInvalid => StatusCode::NOT_FOUND,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::Conflict
        | ErrorCode::DomainAlreadyAdded
        | ErrorCode::DeviceOffline
        | ErrorCode::SessionEnded
        | ErrorCode::OwnerProtected
        | ErrorCode::NotOnYourself
        | ErrorCode::BuiltinRole
        | ErrorCode::TwoFactorRequiredByCompany => StatusCode::CONFLICT,
        ErrorCode::EnrollmentTokenInvalid
        | ErrorCode::EnrollmentTokenExpired
        | ErrorCode::EnrollmentTokenExhausted
        | ErrorCode::SetupTokenInvalid
        | ErrorCode::JoinTicketRequired => StatusCode::FORBIDDEN,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let status = status_of(self.code);
        if status.is_server_error() {
            tracing::error!(%request_id, code = %self.code, detail = ?self.detail, "request failed");
        } else {
            tracing::info!(%request_id, code = %self.code, detail = ?self.detail, message = %self.message, "request refused");
        }
        let body = ApiError {
            code: self.code,
            message: self.message,
            request_id,
        };
        (status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiFailure {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict(what) => {
                Self::new(ErrorCode::Conflict, format!("{what} already exists"))
            }
            StoreError::EnrollmentTokenInvalid => Self::new(
                ErrorCode::EnrollmentTokenInvalid,
                "the enrollment token is unknown or was revoked",
            ),
            StoreError::EnrollmentTokenExpired => Self::new(
                ErrorCode::EnrollmentTokenExpired,
                "the enrollment token has expired",
            ),
            StoreError::EnrollmentTokenExhausted => Self::new(
                ErrorCode::EnrollmentTokenExhausted,
                "the enrollment token has no uses left",
            ),
            StoreError::SetupTokenInvalid => Self::new(
                ErrorCode::SetupTokenInvalid,
                "the setup link was already used or has expired",
            ),
            other => Self::internal(other),
        }
    }
}

impl From<reach_core::policy::Denied> for ApiFailure {
    fn from(denied: reach_core::policy::Denied) -> Self {
        // Another company's things are "not found": their ids are not confirmed.
        let base = match denied {
            reach_core::policy::Denied::OtherCompany => Self::not_found(),
            _ => Self::forbidden(),
        };
        Self {
            detail: Some(denied.to_string()),
            ..base
        }
    }
}

impl From<reach_core::validate::ValidationError> for ApiFailure {
    fn from(err: reach_core::validate::ValidationError) -> Self {
        Self::bad_request(err.to_string())
    }
}

impl From<reach_core::credentials::CredentialError> for ApiFailure {
    fn from(err: reach_core::credentials::CredentialError) -> Self {
        match err {
            reach_core::credentials::CredentialError::Hashing(_) => Self::internal(err),
            other => Self::bad_request(other.to_string()),
        }
    }
}

/// Rejections of axum's JSON extractor, reworded as our bad-request error.
impl From<axum::extract::rejection::JsonRejection> for ApiFailure {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

/// Sorts a WebSocket read error: `Ok(reason)` when the peer broke the protocol
/// (oversized or malformed frames), `Err(reason)` when the connection just broke.
pub fn websocket_violation(err: axum::Error) -> Result<String, String> {
    use tokio_tungstenite::tungstenite::Error;
    match err.into_inner().downcast::<Error>() {
        Ok(err) => match *err {
            Error::Capacity(_) | Error::Protocol(_) | Error::Utf8(_) | Error::AttackAttempt => {
                Ok(err.to_string())
            }
            other => Err(other.to_string()),
        },
        Err(other) => Err(other.to_string()),
    }
}

/// The failures of `/scim/v2`, in SCIM's shape (RFC 7644 §3.12): the status as
/// a string and the `scimType` provisioning clients act on.
#[derive(Debug)]
pub struct ScimFailure {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimFailure {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, format!("{what} not found"))
    }
}

impl From<ApiFailure> for ScimFailure {
    fn from(failure: ApiFailure) -> Self {
        let status = status_of(failure.code);
        if status.is_server_error() {
            tracing::error!(code = %failure.code, detail = ?failure.detail, "SCIM request failed");
        }
        let scim_type = match failure.code {
            ErrorCode::Conflict => Some("uniqueness"),
            ErrorCode::BadRequest => Some("invalidValue"),
            _ => None,
        };
        Self::new(status, scim_type, failure.message)
    }
}

impl From<StoreError> for ScimFailure {
    fn from(err: StoreError) -> Self {
        ApiFailure::from(err).into()
    }
}

impl From<reach_core::policy::Denied> for ScimFailure {
    fn from(denied: reach_core::policy::Denied) -> Self {
        ApiFailure::from(denied).into()
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        tracing::info!(status = %self.status, scim_type = ?self.scim_type, detail = %self.detail, "SCIM request refused");
        let mut body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = scim_type.into();
        }
        (
            self.status,
            [(
                axum::http::header::CONTENT_TYPE,
                crate::scim::SCIM_CONTENT_TYPE,
            )],
            body.to_string(),
        )
            .into_response()
    }
}
