//! The console's built files (web/dist), embedded in the binary at compile time
//! so deployment is one file. `cargo xtask` builds them before compiling; a binary
//! built without them serves a page that says how to build them.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

const MISSING: &str =
    "The Reach console was not built into this binary. Build it with `cargo xtask run` \
     (or `cargo xtask dist`), which builds the web console first.";

/// Serves `/console/...`: hashed assets with long caching, anything else is the app shell.
pub async fn console(uri: Uri) -> Response {
    let path = uri
        .path()
        .trim_start_matches("/console")
        .trim_start_matches('/');
    if !path.is_empty() {
        if let Some(file) = Assets::get(path) {
            let cache = if path.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            return (
                [
                    (header::CONTENT_TYPE, file.metadata.mimetype().to_string()),
                    (header::CACHE_CONTROL, cache.to_string()),
                ],
                file.data,
            )
                .into_response();
        }
        if path.starts_with("assets/") {
            return StatusCode::NOT_FOUND.into_response();
        }
    }
    match Assets::get("index.html") {
        Some(file) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            file.data,
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, MISSING).into_response(),
    }
}

/// True when the console was embedded (the CLI warns otherwise).
pub fn embedded() -> bool {
    Assets::get("index.html").is_some()
}
