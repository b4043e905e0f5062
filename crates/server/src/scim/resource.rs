//! The handlers Users and Groups share: list, search, read, replace and patch
//! are the same steps over a different resource type, so they are written once
//! here over [`Resource`]. Creation and deletion differ (accounts and their
//! owner rules, group members) and stay in `users.rs` and `groups.rs`.

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use reach_core::scim::patch;
use reach_core::scim::schema::Attribute;
use serde_json::Value;

use super::{
    answer, body_json, company, list_response, search_query, ListQuery, ResourceQuery, ScimResult,
};
use crate::auth::Authenticated;
use crate::error::{ApiFailure, ScimFailure};
use crate::AppState;

/// A SCIM resource type of the company directory.
pub(super) trait Resource: Send + Sync + 'static {
    /// The stored record behind one resource.
    type Record: Send;
    /// What a request body says the resource should become.
    type Input: Send;
    const SCHEMA: &'static str;
    const ATTRIBUTES: &'static [Attribute];

    /// Every resource of the company, as SCIM shows them.
    fn all(
        state: &AppState,
        company_id: &str,
    ) -> impl Future<Output = Result<Vec<Value>, ScimFailure>> + Send;
    /// One resource and its SCIM view; not found in another company.
    fn current(
        state: &AppState,
        company_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<(Self::Record, Value), ScimFailure>> + Send;
    /// Reads and checks a full resource body.
    fn input(body: &Value) -> Result<Self::Input, ScimFailure>;
    /// Makes `before` what `input` says, audited, and answers with the result.
    fn save(
        state: &AppState,
        auth: &Authenticated,
        company_id: &str,
        before: &Self::Record,
        input: Self::Input,
    ) -> impl Future<Output = ScimResult> + Send;
}

/// The resources `query` asks for, as a ListResponse.
async fn listed<R: Resource>(state: &AppState, company_id: &str, query: &ListQuery) -> ScimResult {
    let resources = R::all(state, company_id).await?;
    let body = list_response(resources, query, R::SCHEMA, R::ATTRIBUTES)?;
    Ok(answer(StatusCode::OK, &body))
}

/// `GET /scim/v2/{type}`.
pub(super) async fn list<R: Resource>(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Query(query): Query<ListQuery>,
) -> ScimResult {
    let (_, company_id) = company(auth)?;
    listed::<R>(&state, &company_id, &query).await
}

/// `POST /scim/v2/{type}/.search`.
pub(super) async fn search<R: Resource>(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    body: Bytes,
) -> ScimResult {
    let (_, company_id) = company(auth)?;
    listed::<R>(&state, &company_id, &search_query(&body)?).await
}

/// `GET /scim/v2/{type}/{id}`.
pub(super) async fn get<R: Resource>(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Path(id): Path<String>,
    Query(query): Query<ResourceQuery>,
) -> ScimResult {
    let (_, company_id) = company(auth)?;
    let (_, json) = R::current(&state, &company_id, &id).await?;
    Ok(answer(
        StatusCode::OK,
        &query.projection(R::SCHEMA).apply(json),
    ))
}

/// `PUT /scim/v2/{type}/{id}`: the body is the whole new resource.
pub(super) async fn replace<R: Resource>(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    let (auth, company_id) = company(auth)?;
    let (before, _) = R::current(&state, &company_id, &id).await?;
    let input = R::input(&body_json(&body)?)?;
    R::save(&state, &auth, &company_id, &before, input).await
}

/// `PATCH /scim/v2/{type}/{id}`: the operations apply to the current SCIM
/// view, which is then saved like a replacement.
pub(super) async fn patch<R: Resource>(
    State(state): State<Arc<AppState>>,
    auth: Result<Authenticated, ApiFailure>,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    let (auth, company_id) = company(auth)?;
    let (before, mut json) = R::current(&state, &company_id, &id).await?;
    patch::apply(&mut json, &body_json(&body)?, R::SCHEMA, R::ATTRIBUTES)
        .map_err(|err| ScimFailure::bad(err.scim_type(), err.to_string()))?;
    let input = R::input(&json)?;
    R::save(&state, &auth, &company_id, &before, input).await
}
