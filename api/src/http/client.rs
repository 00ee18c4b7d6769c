//! The client's address, seen through trusted reverse proxies.
//!
//! Behind a load balancer every connection comes from the proxy, so the
//! sign-in throttle and the audit trail would see one address for everyone.
//! When the peer is a configured trusted proxy, the client is the nearest
//! address in `X-Forwarded-For` that is not itself a trusted proxy. From
//! anyone else the header is ignored: it is trivially forged.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use crate::config::IpRange;

pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpRange]) -> IpAddr {
    let peer = canonical(peer.ip());
    if !trusted.iter().any(|r| r.contains(peer)) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !trusted.iter().any(|r| r.contains(**ip)))
        .or_else(|| hops.first())
        .copied()
        .unwrap_or(peer)
}

/// IPv4 clients of a dual-stack listener arrive as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpRange> =
            vec!["10.0.0.0/8".parse().unwrap(), "192.0.2.7".parse().unwrap()];
        let proxy: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();

        assert_eq!(
            client_ip(stranger, &headers("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(proxy, &headers("1.2.3.4"), &trusted),
            ip("1.2.3.4")
        );
        // A client-supplied first hop cannot hide the real one.
        assert_eq!(
            client_ip(proxy, &headers("6.6.6.6, 1.2.3.4, 192.0.2.7"), &trusted),
            ip("1.2.3.4")
        );
        assert_eq!(
            client_ip(proxy, &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
        assert_eq!(
            client_ip(proxy, &headers("garbage"), &trusted),
            ip("10.1.2.3")
        );
        let mapped: SocketAddr = "[::ffff:203.0.113.9]:1".parse().unwrap();
        assert_eq!(client_ip(mapped, &HeaderMap::new(), &[]), ip("203.0.113.9"));
    }
}
