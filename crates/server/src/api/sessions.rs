//! Sessions: start one on an online device, end it, list the history (one's
//! own, or everyone's with the reports permission).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use reach_core::now_millis;
use reach_core::policy::{authorize, Action, Resource};
use reach_proto::api::{CreateSession, SessionView};
use reach_proto::audit::AuditCode;
use reach_proto::codes::{EndReason, ErrorCode};
use reach_store::SessionRecord;

use super::devices::device_resource;
use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::hub::{session_view, HubError};
use crate::AppState;

/// A session as the policy sees it.
pub fn session_resource(record: &SessionRecord) -> Resource<'_> {
    Resource::Session {
        company_id: &record.company_id,
        owner_id: &record.technician_id,
        device_group_id: record.device_group_id.as_deref(),
    }
}

/// How many sessions the history returns.
const HISTORY_LIMIT: i64 = 200;

pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<CreateSession>,
) -> Result<Json<SessionView>, ApiFailure> {
    let Json(request) = body?;
    let company = auth.company_id()?;
    let device = state
        .store
        .device_in_company(company, &request.device_id)
        .await?;
    // An end user waiting on an attended device is the attended case; every
    // enrolled device is reached unattended.
    let action = if device.attended_by.is_some() {
        Action::StartAttendedSession
    } else {
        Action::StartUnattendedSession
    };
    authorize(&auth.principal, action, device_resource(&device))?;
    if device.revoked_at.is_some() {
        return Err(ApiFailure::new(
            ErrorCode::DeviceRevoked,
            "this device was revoked",
        ));
    }
    if !state.hub.is_online(&device.id) {
        return Err(ApiFailure::new(
            ErrorCode::DeviceOffline,
            "the device is offline",
        ));
    }
    let record = SessionRecord {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company.to_string(),
        device_id: device.id.clone(),
        technician_id: auth.user.id.clone(),
        started_at: now_millis(),
        ended_at: None,
        end_reason: None,
        device_group_id: device.device_group_id.clone(),
        device_nickname: device.nickname.clone(),
        technician_name: auth.user.display_name.clone(),
        attended: device.attended_by.is_some(),
        end_user: device.end_user.clone(),
    };
    state.store.create_session(&record).await?;
    if let Err(HubError::DeviceOffline | HubError::SessionEnded) =
        state.hub.open_session(record.clone())
    {
        // The agent left between the check and now: record the session as over.
        let _ = state
            .store
            .end_session(
                &record.id,
                now_millis(),
                EndReason::AgentDisconnected.as_str(),
            )
            .await;
        return Err(ApiFailure::new(
            ErrorCode::DeviceOffline,
            "the device is offline",
        ));
    }
    tracing::info!(session_id = %record.id, device_id = %device.id, technician = %auth.user.id, "session started");
    let entry = Entry::new(company, AuditCode::SessionStarted, Actor::user(&auth))
        .ip(auth.ip)
        .target("session", &record.id, Some(&device.nickname))
        .detail("device_id", &device.id);
    let entry = match (&device.attended_by, &device.end_user) {
        (Some(_), Some(end_user)) => entry.detail("end_user", end_user),
        (Some(_), None) => entry.detail("end_user", "anonymous"),
        (None, _) => entry,
    };
    audit::record(&state, entry).await;
    state.hub.publish_session(&record);
    Ok(Json(session_view(&record)))
}

pub async fn end(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiFailure> {
    let record = state.store.session(auth.company_id()?, &id).await?;
    authorize(
        &auth.principal,
        Action::UseSession,
        session_resource(&record),
    )?;
    match state.hub.end_session(&id, EndReason::TechnicianEnded).await {
        Some(ended) => Ok(Json(session_view(&ended))),
        None => Err(ApiFailure::new(
            ErrorCode::SessionEnded,
            "the session has already ended",
        )),
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<SessionView>>, ApiFailure> {
    let company = auth.company_for(Action::ListOwnSessions)?;
    // Everyone's sessions with the reports permission, else one's own.
    let technician = match authorize(
        &auth.principal,
        Action::ViewReports,
        Resource::Company(company),
    ) {
        Ok(()) => None,
        Err(_) => Some(auth.user.id.as_str()),
    };
    let sessions = state
        .store
        .list_sessions(company, technician, HISTORY_LIMIT)
        .await?;
    Ok(Json(sessions.iter().map(session_view).collect()))
}
