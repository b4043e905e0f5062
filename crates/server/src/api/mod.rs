//! JSON API handlers by domain. Each handler authenticates with the
//! [`crate::auth::Authenticated`] extractor and asks [`reach_core::policy::authorize`]
//! before acting; none compares roles or companies itself.

pub mod companies;
pub mod devices;
pub mod enrollment;
pub mod groups;
pub mod members;
pub mod roles;
pub mod sessions;

/// Parses a JSON body, turning axum's rejection into our error shape.
pub type JsonBody<T> = Result<axum::Json<T>, axum::extract::rejection::JsonRejection>;
