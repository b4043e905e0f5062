//! SCIM 2.0 (RFC 7643/7644) pieces that need no network or storage: the schemas
//! Reach serves, filters and PATCH paths parsed from what an identity provider
//! sends and evaluated against resources as JSON, and PATCH applied to them.
//! The server owns the endpoints and the stored users and groups.

pub mod filter;
pub mod patch;
pub mod schema;

pub use filter::{
    parse_filter, parse_patch_path, AttrPath, CompareOp, Filter, FilterError, PatchPath,
};
