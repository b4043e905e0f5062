//! Test helpers that start real parts: throwaway PostgreSQL databases, Xvfb
//! displays, whole Reach servers and agents. Every end-to-end test is a few lines
//! on top of these. A missing prerequisite fails loudly with how to install it.

pub mod cluster;
pub mod console;
pub mod dns;
pub mod https;
pub mod monitors;
pub mod oidc;
pub mod postgres;
pub mod process;
pub mod saml;
pub mod xclient;
pub mod xvfb;
