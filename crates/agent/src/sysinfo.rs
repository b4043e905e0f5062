//! What the agent reports about its machine: hostname, OS, addresses.

use reach_proto::messages::SystemInfo;

pub fn collect() -> SystemInfo {
    let hostname = hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut ip_addresses: Vec<String> = if_addrs::get_if_addrs()
        .map(|addrs| {
            addrs
                .into_iter()
                .filter(|iface| !iface.is_loopback())
                .map(|iface| iface.ip().to_string())
                .collect()
        })
        .unwrap_or_default();
    ip_addresses.sort();
    ip_addresses.dedup();
    SystemInfo {
        hostname,
        os: os_name(),
        ip_addresses,
        agent_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

fn os_name() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|value| value.trim_matches('"').to_string())
        });
    pretty.unwrap_or_else(|| std::env::consts::OS.to_string())
}
