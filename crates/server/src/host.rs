//! The names the door answers to: the `Host` of a request must be one of this machine's own
//! addresses (its network interfaces', the loopback), `localhost`, or a name the server was
//! told to answer to ([`crate::ServerOptions::host_names`]). A page from another name that
//! resolves to this machine (DNS rebinding) is refused before anything else of its request is
//! read.

use axum::http::{header, HeaderMap, StatusCode};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the list of this machine's addresses is kept before it is read again (addresses
/// change when a network comes or goes).
const ADDRESSES_FOR: Duration = Duration::from_secs(10);

/// The names and addresses one server answers to.
pub(crate) struct Hosts {
    names: Vec<String>,
    addresses: Mutex<(Instant, Vec<IpAddr>)>,
}

impl Hosts {
    /// This machine's addresses and `names` (compared without case).
    pub fn new(names: &[String]) -> Self {
        Self {
            names: names.iter().map(|n| n.to_ascii_lowercase()).collect(),
            addresses: Mutex::new((Instant::now(), own_addresses())),
        }
    }

    /// Refuses a request whose `Host` is missing or names something else.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), (StatusCode, &'static str)> {
        let refused = (
            StatusCode::MISDIRECTED_REQUEST,
            "This server answers only to its own addresses: open the address it shows.",
        );
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .ok_or(refused)?;
        let name = without_port(host).ok_or(refused)?.to_ascii_lowercase();
        if name == "localhost" || self.names.contains(&name) {
            return Ok(());
        }
        let ip: IpAddr = name.parse().map_err(|_| refused)?;
        if ip.is_loopback() || self.is_own(ip) {
            Ok(())
        } else {
            Err(refused)
        }
    }

    fn is_own(&self, ip: IpAddr) -> bool {
        let mut addresses = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        if addresses.0.elapsed() > ADDRESSES_FOR {
            *addresses = (Instant::now(), own_addresses());
        }
        addresses.1.contains(&ip)
    }
}

/// The addresses of this machine's network interfaces.
fn own_addresses() -> Vec<IpAddr> {
    if_addrs::get_if_addrs()
        .map(|all| all.iter().map(|i| i.ip()).collect())
        .unwrap_or_default()
}

/// `host` without its port: `name`, `1.2.3.4`, or an IPv6 address without its brackets.
fn without_port(host: &str) -> Option<&str> {
    if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        return (after.is_empty() || after.starts_with(':')).then_some(inside);
    }
    let name = host.split(':').next()?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn host(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn only_own_addresses_and_given_names_are_answered() {
        let hosts = Hosts::new(&["Scorer.Example.org".into()]);
        for ok in [
            "127.0.0.1:8765",
            "127.0.0.2",
            "localhost:8765",
            "[::1]:8765",
            "scorer.example.org",
            "SCORER.example.org:443",
        ] {
            assert!(hosts.check(&host(ok)).is_ok(), "{ok}");
        }
        for own in own_addresses() {
            let spelled = match own {
                IpAddr::V4(v4) => format!("{v4}:8765"),
                IpAddr::V6(v6) => format!("[{v6}]:8765"),
            };
            assert!(hosts.check(&host(&spelled)).is_ok(), "{spelled}");
        }
        for refused in [
            "evil.example:8765",
            "rebind.attacker.example",
            "8.8.8.8:8765",
            "localhost.evil.example",
            "",
            "[::1",
        ] {
            assert_eq!(
                hosts.check(&host(refused)).unwrap_err().0,
                StatusCode::MISDIRECTED_REQUEST,
                "{refused}"
            );
        }
        assert!(hosts.check(&HeaderMap::new()).is_err(), "no Host");
    }
}
