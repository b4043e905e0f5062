//! A real DNS server for tests: dnsmasq on 127.0.0.1, authoritative for the TXT
//! records a test gives it and for nothing else (no upstream, no hosts file).
//! Records change by restarting it on the same port. A missing dnsmasq is an
//! error saying how to install it, never a skip.

use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

pub struct DnsServer {
    pub addr: SocketAddr,
    child: Option<Child>,
}

/// A free port on loopback for UDP and TCP, picked at random below the
/// ephemeral range (32768 and up on Linux): ports the system hands out to other
/// tests never land on it, so restarting dnsmasq on it (to change records)
/// finds it still free.
fn free_port() -> Result<u16> {
    for _ in 0..100 {
        let random = u16::from_le_bytes([
            uuid::Uuid::new_v4().as_bytes()[0],
            uuid::Uuid::new_v4().as_bytes()[1],
        ]);
        let port = 20_000 + random % 12_000;
        let udp = UdpSocket::bind(("127.0.0.1", port));
        let tcp = std::net::TcpListener::bind(("127.0.0.1", port));
        if udp.is_ok() && tcp.is_ok() {
            return Ok(port);
        }
    }
    bail!("no free port for dnsmasq between 20000 and 32000")
}

impl DnsServer {
    /// Starts a server answering `records` (name, TXT value). The port is picked
    /// free for UDP; when its TCP side turns out taken (tests run in parallel),
    /// another port is tried.
    pub fn start(records: &[(&str, &str)]) -> Result<Self> {
        let mut last_error = None;
        for _ in 0..5 {
            let mut server = Self {
                addr: SocketAddr::from(([127, 0, 0, 1], free_port()?)),
                child: None,
            };
            match server.serve(records) {
                Ok(()) => return Ok(server),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("dnsmasq did not start")))
    }

    /// Replaces the records (restarts dnsmasq on the same port).
    pub fn set_records(&mut self, records: &[(&str, &str)]) -> Result<()> {
        self.stop();
        self.serve(records)
    }

    fn serve(&mut self, records: &[(&str, &str)]) -> Result<()> {
        let mut command = Command::new("dnsmasq");
        command
            .arg("--keep-in-foreground")
            .arg("--conf-file=/dev/null")
            .arg("--no-resolv")
            .arg("--no-hosts")
            .arg("--no-poll")
            .arg("--bind-interfaces")
            .arg("--listen-address=127.0.0.1")
            .arg(format!("--port={}", self.addr.port()))
            .arg("--pid-file=")
            .arg("--user=")
            .arg("--log-facility=-")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in records {
            command.arg(format!("--txt-record={name},{value}"));
        }
        let mut child = command.spawn().map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                anyhow::anyhow!(
                    "dnsmasq not found: install Debian package dnsmasq-base (apt-get install dnsmasq-base), or run `cargo xtask test`, which installs it"
                )
            } else {
                anyhow::anyhow!("starting dnsmasq: {err}")
            }
        })?;
        // Ready when it answers on TCP (it binds UDP and TCP together).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait()? {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    use std::io::Read;
                    let _ = pipe.read_to_string(&mut stderr);
                }
                bail!("dnsmasq exited ({status}): {stderr}");
            }
            if std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(100)).is_ok()
            {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("dnsmasq did not listen on {} within 10 s", self.addr);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop();
    }
}
