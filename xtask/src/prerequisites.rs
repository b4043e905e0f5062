//! Installs what the test suite needs on a fresh Debian machine: Xvfb and X
//! clients, Chromium, PostgreSQL's server binaries, dnsmasq, xmlsec1, pysaml2,
//! and (from PyPI, in a virtual environment beside the build) the SCIM
//! conformance checker scim2-tester. Uses apt-get when running as root;
//! otherwise fails with the list of packages to install.

use std::path::{Path, PathBuf};
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

/// The SCIM conformance checker and the HTTP client it drives, pinned.
const SCIM_TESTER: &[&str] = &["scim2-tester==0.5.2", "scim2-client[httpx2]==0.13.2"];

/// A Python with scim2-tester, in `<target dir>/scim-venv` (made on first use);
/// returns its interpreter, which the SCIM tests read from `REACH_SCIM_PYTHON`.
pub fn scim_tester(target_dir: &Path) -> Result<PathBuf> {
    let venv = target_dir.join("scim-venv");
    let python = venv.join("bin").join("python");
    let ready = Command::new(&python)
        .args(["-c", "import scim2_tester, scim2_client.engines.httpx2"])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false);
    if ready {
        return Ok(python);
    }
    let venv_arg = venv.to_string_lossy().into_owned();
    crate::sh(Path::new("/"), "python3", &["-m", "venv", &venv_arg]).map_err(|err| {
        anyhow::anyhow!("{err}\nPython 3.11+ with venv is needed for the SCIM conformance checker (Debian: apt-get install python3-venv)")
    })?;
    let pip = venv.join("bin").join("pip").to_string_lossy().into_owned();
    let mut args = vec!["install", "--quiet", "--disable-pip-version-check"];
    args.extend(SCIM_TESTER);
    crate::sh(Path::new("/"), &pip, &args)?;
    Ok(python)
}
