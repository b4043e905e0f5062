//! Installs what the test suite needs on a fresh Debian machine: Xvfb and X
//! clients, Chromium, PostgreSQL's server binaries, dnsmasq, xmlsec1, pysaml2.
//! Uses apt-get when running as root; otherwise fails with the list of packages
//! to install.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Result};

/// Debian packages the tests need, each with a program that proves it is installed.
const PACKAGES: &[(&str, &str)] = &[
    ("xvfb", "Xvfb"),
    ("xterm", "xterm"),
    ("x11-utils", "xdpyinfo"),
    ("chromium", "chromium"),
    ("postgresql", "/usr/lib/postgresql"),
    ("fonts-dejavu-core", "/usr/share/fonts/truetype/dejavu"),
    ("x11vnc", "x11vnc"),
    ("dnsmasq-base", "dnsmasq"),
    // An independent XML-DSig implementation: signs the SAML responses our verifier must accept.
    ("xmlsec1", "xmlsec1"),
    ("openssl", "openssl"),
    // A real SAML identity provider for the end-to-end tests (web/e2e/idp/idp.py).
    ("python3-pysaml2", "/usr/lib/python3/dist-packages/saml2"),
];

fn present(probe: &str) -> bool {
    if probe.starts_with('/') {
        return Path::new(probe).exists();
    }
    Command::new("sh")
        .args(["-c", &format!("command -v {probe}")])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false)
}

/// Fails with an install hint when Node.js or npm is missing.
pub fn require_node() -> Result<()> {
    for tool in ["node", "npm"] {
        if !present(tool) {
            bail!("`{tool}` not found: install Node.js 20 or newer (Debian: apt-get install nodejs npm)");
        }
    }
    Ok(())
}

/// Installs missing system packages with apt-get (as root) or explains what to install.
pub fn install_for_tests() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(_, probe)| !present(probe))
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !crate::cluster::is_root() {
        bail!(
            "missing test prerequisites; install them with:\n  sudo apt-get install -y {}",
            missing.join(" ")
        );
    }
    let root = Path::new("/");
    crate::sh(root, "apt-get", &["update", "-qq"])?;
    let mut args = vec![
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
    ];
    args.extend(missing.iter());
    crate::sh(root, "env", &args)
}
