//! Devices and device groups: list (only the devices the principal's grants
//! reach), revoke, list and create groups. Online status comes from the hub
//! (live), the rest from the store.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use reach_core::policy::{authorize, Action, Resource};
use reach_core::{now_millis, validate};
use reach_proto::api::DeviceView;
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::{DeviceGroupInput, DeviceGroupView};
use reach_store::{Device, DeviceGroup, StoreError};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::hub::device_view;
use crate::AppState;

/// A device as the policy sees it.
pub fn device_resource(device: &Device) -> Resource<'_> {
    resource_of(
        &device.company_id,
        device.device_group_id.as_deref(),
        device.attended_by.as_deref(),
    )
}

/// The same, from its parts: an attended device (joined with a session key)
/// is its technician's, an enrolled one is in its device group.
pub fn resource_of<'a>(
    company_id: &'a str,
    device_group_id: Option<&'a str>,
    attended_by: Option<&'a str>,
) -> Resource<'a> {
    match attended_by {
        Some(technician_id) => Resource::AttendedDevice {
            company_id,
            technician_id,
        },
        None => Resource::Device {
            company_id,
            device_group_id,
        },
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<DeviceView>>, ApiFailure> {
    let company = auth.company_for(Action::ListDevices)?;
    let devices = state.store.list_devices(company).await?;
    Ok(Json(
        devices
            .iter()
            // An attended device is over once revoked: its session is in the history.
            .filter(|device| device.attended_by.is_none() || device.revoked_at.is_none())
            .filter(|device| {
                authorize(&auth.principal, Action::ViewDevice, device_resource(device)).is_ok()
            })
            .map(|device| device_view(device, state.hub.is_online(&device.id)))
            .collect(),
    ))
}

pub async fn revoke(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DeviceView>, ApiFailure> {
    let company = auth.company_id()?;
    let device = state.store.device_in_company(company, &id).await?;
    authorize(
        &auth.principal,
        Action::ManageDevice,
        device_resource(&device),
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

fn group_view(group: &DeviceGroup) -> DeviceGroupView {
    DeviceGroupView {
        id: group.id.clone(),
        name: group.name.clone(),
        created_at: group.created_at,
    }
}

/// `GET /api/device-groups`: names to show and to scope role grants with.
pub async fn list_groups(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<DeviceGroupView>>, ApiFailure> {
    let company = auth.company_for(Action::ListDevices)?;
    let groups = state.store.list_device_groups(company).await?;
    Ok(Json(groups.iter().map(group_view).collect()))
}

pub async fn create_group(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<DeviceGroupInput>,
) -> Result<Json<DeviceGroupView>, ApiFailure> {
    let Json(input) = body?;
    let company = auth.company_for(Action::ManageEnrollmentTokens)?;
    let group = DeviceGroup {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company.to_string(),
        name: validate::name("device group name", &input.name, 64)?,
        created_at: now_millis(),
    };
    match state.store.create_device_group(&group).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiFailure::new(
                ErrorCode::Conflict,
                "a device group with this name already exists",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    let entry = Entry::new(company, AuditCode::DeviceGroupCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("device_group", &group.id, Some(&group.name));
    audit::record(&state, entry).await;
    Ok(Json(group_view(&group)))
}
