//! Writes the event log. Handlers describe what happened with an [`Entry`];
//! this module stamps it, stores it, and publishes it on the live feed (where
//! only those allowed to read the log receive it). It also serves the log.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use reach_core::now_millis;
use reach_core::policy::Action;
use reach_proto::api::AuditEventView;
use reach_proto::audit::{ActorKind, AuditCode};
use reach_proto::messages::ConsoleEvent;
use reach_store::{AuditEvent, Store};
use serde::Deserialize;

use crate::auth::{Authenticated, Credential};
use crate::error::ApiFailure;
use crate::hub::Hub;
use crate::AppState;

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    User { id: String, name: String },
    Device { id: String, name: String },
    ApiToken { id: String, name: String },
    System,
}

impl Actor {
    /// Whoever made the request: the user, or a company API token.
    pub fn user(auth: &Authenticated) -> Self {
        match &auth.credential {
            Credential::Token(token) if token.user_id.is_none() => Self::ApiToken {
                id: token.id.clone(),
                name: token.name.clone(),
            },
            _ => Self::User {
                id: auth.user.id.clone(),
                name: auth.user.display_name.clone(),
            },
        }
    }
}

/// What it was done to.
pub struct Target {
    pub kind: &'static str,
    pub id: String,
    pub name: Option<String>,
}

/// One thing that happened in a company (or, for an operator who belongs to
/// none, on the server: such entries go to the server log only).
pub struct Entry {
    pub company_id: Option<String>,
    pub code: AuditCode,
    pub actor: Actor,
    pub ip: Option<IpAddr>,
    pub target: Option<Target>,
    pub details: Vec<(String, String)>,
}

impl Entry {
    pub fn new(company_id: &str, code: AuditCode, actor: Actor) -> Self {
        Self::of(Some(company_id), code, actor)
    }

    pub fn of(company_id: Option<&str>, code: AuditCode, actor: Actor) -> Self {
        Self {
            company_id: company_id.map(str::to_string),
            code,
            actor,
            ip: None,
            target: None,
            details: Vec::new(),
        }
    }

    pub fn ip(mut self, ip: Option<IpAddr>) -> Self {
        self.ip = ip;
        self
    }

    pub fn target(mut self, kind: &'static str, id: &str, name: Option<&str>) -> Self {
        self.target = Some(Target {
            kind,
            id: id.to_string(),
            name: name.map(str::to_string),
        });
        self
    }

    pub fn detail(mut self, key: &str, value: impl ToString) -> Self {
        self.details.push((key.to_string(), value.to_string()));
        self
    }
}

/// Stores `entry` and publishes it on the live feed.
pub async fn record(state: &AppState, entry: Entry) {
    write(state.store.as_ref(), Some(&state.hub), entry).await;
}

/// Stores `entry` and, with a hub, publishes it. A failure to store is logged,
/// not returned: the action it describes has already happened.
pub async fn write(store: &dyn Store, hub: Option<&Hub>, entry: Entry) {
    let (actor_kind, actor_id, actor_name) = match entry.actor {
        Actor::User { id, name } => (ActorKind::User, Some(id), name),
        Actor::Device { id, name } => (ActorKind::Device, Some(id), name),
        Actor::ApiToken { id, name } => (ActorKind::ApiToken, Some(id), name),
        Actor::System => (ActorKind::System, None, "system".to_string()),
    };
    let Some(company_id) = entry.company_id else {
        tracing::info!(code = entry.code.as_str(), actor = %actor_name, details = ?entry.details, "event outside any company");
        return;
    };
    let event = AuditEvent {
        id: 0,
        company_id,
        code: entry.code.as_str().to_string(),
        at: now_millis(),
        actor_kind: actor_kind.as_str().to_string(),
        actor_id,
        actor_name,
        ip: entry.ip.map(|ip| ip.to_string()),
        target_kind: entry.target.as_ref().map(|t| t.kind.to_string()),
        target_id: entry.target.as_ref().map(|t| t.id.clone()),
        target_name: entry.target.and_then(|t| t.name),
        details: entry.details,
    };
    match store.record_audit(&event).await {
        Ok(stored) => {
            if let (Some(hub), Some(view)) = (hub, view(&stored)) {
                hub.publish(
                    &stored.company_id,
                    crate::hub::EventSubject::EventLog,
                    ConsoleEvent::AuditRecorded { event: view },
                );
            }
        }
        Err(err) => {
            tracing::error!(code = %event.code, error = %err, "could not write an audit event")
        }
    }
}

/// The wire form of a stored event; `None` for a code or actor this build does not know.
pub fn view(event: &AuditEvent) -> Option<AuditEventView> {
    Some(AuditEventView {
        id: event.id,
        code: AuditCode::parse(&event.code)?,
        at: event.at,
        actor_kind: ActorKind::parse(&event.actor_kind)?,
        actor_id: event.actor_id.clone(),
        actor_name: event.actor_name.clone(),
        ip: event.ip.clone(),
        target_kind: event.target_kind.clone(),
        target_id: event.target_id.clone(),
        target_name: event.target_name.clone(),
        details: event.details.clone(),
    })
}

/// Most events one request returns.
const MAX_PAGE: i64 = 500;

#[derive(Deserialize)]
pub struct Page {
    limit: Option<i64>,
    /// Return events older than this id (the last id of the previous page).
    before: Option<i64>,
}

/// `GET /api/audit-events?limit=N&before=ID`: the company's log, newest first.
pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AuditEventView>>, ApiFailure> {
    let Query(page) = page.map_err(|err| ApiFailure::bad_request(err.body_text()))?;
    let company = auth.company_for(Action::ViewEventLog)?;
    let limit = page.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let events = state.store.list_audit(company, limit, page.before).await?;
    Ok(Json(events.iter().filter_map(view).collect()))
}
