//! Outgoing URLs must not reach our own network: a destination on a
//! private, loopback or link-local address (or a name that resolves to one)
//! is refused unless the operator allows it. Checked when a destination is
//! saved and again at send time, on the addresses the name resolves to
//! then, so a name re-pointed at an internal address after it was saved
//! (DNS rebinding) reaches nothing.

use std::{net::SocketAddr, sync::Arc};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::services::campaigns::input::{is_internal, is_internal_ip};

/// Why a destination address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the destination is a private, loopback or link-local address")]
pub struct Internal;

/// Whether `url`'s host may be reached under `allow_private`, judging the
/// URL alone (an IP literal or an internal-looking name).
pub fn check_url(url: &url::Url, allow_private: bool) -> Result<(), Internal> {
    match url.host() {
        Some(_) if allow_private => Ok(()),
        Some(host) if !is_internal(host.clone()) => Ok(()),
        _ => Err(Internal),
    }
}

/// The addresses of `found` that may be reached; refused when none is left.
pub fn reachable(
    found: impl IntoIterator<Item = SocketAddr>,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, Internal> {
    let kept: Vec<SocketAddr> = found
        .into_iter()
        .filter(|a| allow_private || !is_internal_ip(a.ip()))
        .collect();
    if kept.is_empty() {
        Err(Internal)
    } else {
        Ok(kept)
    }
}

/// The resolver of the delivery client: the system's, with internal
/// addresses removed from every answer (unless allowed).
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let kept = reachable(found, allow_private)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// The resolver as the client builder takes it.
pub fn resolver(allow_private: bool) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { allow_private })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_answers_are_dropped_at_send_time() {
        let rebound = [addr("127.0.0.1:0"), addr("[::1]:0"), addr("10.1.2.3:0")];
        assert_eq!(reachable(rebound, false), Err(Internal));
        assert_eq!(reachable(rebound, true).unwrap().len(), 3);
        let mixed = [addr("169.254.169.254:0"), addr("93.184.216.34:0")];
        assert_eq!(
            reachable(mixed, false).unwrap(),
            vec![addr("93.184.216.34:0")]
        );
        assert_eq!(
            reachable([addr("[::ffff:192.168.1.1]:0")], false),
            Err(Internal)
        );
    }

    #[test]
    fn urls_naming_internal_hosts_are_refused_unless_allowed() {
        for raw in [
            "http://127.0.0.1:9000/hook",
            "https://localhost/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest",
            "https://0x7f.1/hook",
        ] {
            let url = url::Url::parse(raw).unwrap();
            assert_eq!(check_url(&url, false), Err(Internal), "{raw}");
            assert_eq!(check_url(&url, true), Ok(()), "{raw}");
        }
        let public = url::Url::parse("https://hooks.example.com/leads").unwrap();
        assert_eq!(check_url(&public, false), Ok(()));
    }
}
