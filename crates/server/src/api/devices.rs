//! Devices: list and revoke. Online status comes from the hub (live), the rest
//! from the store.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use reach_core::now_millis;
use reach_core::policy::{authorize, Action, Resource};
use reach_proto::api::DeviceView;
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;

use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::hub::device_view;
use crate::AppState;

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<DeviceView>>, ApiFailure> {
    let company = &auth.principal.company_id;
    authorize(
        &auth.principal,
        Action::ListDevices,
        Resource::company(company),
    )?;
    let devices = state.store.list_devices(company).await?;
    Ok(Json(
        devices
            .iter()
            .map(|device| device_view(device, state.hub.is_online(&device.id)))
            .collect(),
    ))
}

pub async fn revoke(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DeviceView>, ApiFailure> {
    let company = &auth.principal.company_id;
    authorize(
        &auth.principal,
        Action::RevokeDevice,
        Resource::company(company),
    )?;
    let device = state
        .store
        .revoke_device(company, &id, now_millis())
        .await?;
    tracing::info!(device_id = %id, by = %auth.user.id, "device revoked");
    let entry = Entry::new(company, AuditCode::DeviceRevoked, Actor::user(&auth))
        .ip(auth.ip)
        .target("device", &device.id, Some(&device.nickname));
    audit::record(&state, entry).await;
    state.hub.disconnect_agent(
        &id,
        ErrorCode::DeviceRevoked,
        "this device was revoked by an administrator",
    );
    // Closing the link ends the device's sessions with reason `device_revoked`.
    state.hub.publish_device(&device, false);
    Ok(Json(device_view(&device, false)))
}
