//! What a connection must do before hyper serves it, so no client holds a
//! slot for free: stay within its address's share of connections, send its
//! first bytes within the header deadline (hyper's own header timeout
//! starts only once a request has begun), and speak HTTP/1.1 unless h2c is
//! switched on (an idle HTTP/2 connection is kept open by acking PINGs).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::net::TcpStream;

/// The HTTP/2 connection preface a client with prior knowledge opens with.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Open connections per client address.
#[derive(Debug, Clone, Default)]
pub struct PerAddress {
    limit: Option<usize>,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection's share; given back when dropped.
#[derive(Debug)]
pub struct AddressPermit {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerAddress {
    /// At most `limit` connections per address (`None`: no bound).
    pub fn new(limit: Option<usize>) -> Self {
        Self {
            limit,
            open: Arc::default(),
        }
    }

    /// A share for a new connection from `ip`, unless it has all of its own.
    pub fn admit(&self, ip: IpAddr) -> Option<AddressPermit> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(ip).or_default();
        if self.limit.is_some_and(|limit| *count >= limit) {
            return None;
        }
        *count += 1;
        Some(AddressPermit {
            ip,
            open: self.open.clone(),
        })
    }
}

impl Drop for AddressPermit {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Why a connection is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing arrived within the deadline, or the client went away.
    Silent,
    /// HTTP/2 with prior knowledge while h2c is off.
    H2c,
}

/// What the client opened with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaks {
    Http1,
    /// HTTP/2 with prior knowledge (only when h2c is on).
    Http2,
}

/// Waits (up to `deadline`) for the client's first bytes without consuming
/// them, and refuses an HTTP/2 preface unless `h2c` is on.
pub async fn first_bytes(
    stream: &TcpStream,
    deadline: Duration,
    h2c: bool,
) -> Result<Speaks, Refusal> {
    let until = Instant::now() + deadline;
    let mut buf = [0u8; 4];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let seen = match tokio::time::timeout(left, stream.peek(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => return Err(Refusal::Silent),
        };
        let start = &buf[..seen];
        if !H2_PREFACE.starts_with(start) {
            return Ok(Speaks::Http1);
        }
        if seen == buf.len() {
            // "PRI " is no HTTP/1 method: this is HTTP/2.
            return if h2c {
                Ok(Speaks::Http2)
            } else {
                Err(Refusal::H2c)
            };
        }
        // A prefix of the preface ("P", "PR", "PRI"): it may still be a
        // POST; look again once more has arrived.
        if left.is_zero() {
            return Err(Refusal::Silent);
        }
        tokio::time::sleep(Duration::from_millis(10).min(left)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_no_more() {
        let limits = PerAddress::new(Some(2));
        let a: IpAddr = "127.0.0.2".parse().unwrap_or(IpAddr::from([127, 0, 0, 2]));
        let b = IpAddr::from([127, 0, 0, 3]);
        let first = limits.admit(a);
        let second = limits.admit(a);
        assert!(first.is_some() && second.is_some());
        assert!(limits.admit(a).is_none(), "a third from the same address");
        assert!(limits.admit(b).is_some(), "another address is not affected");
        drop(first);
        assert!(
            limits.admit(a).is_some(),
            "a closed connection gives its share back"
        );
        assert!(PerAddress::new(None).admit(a).is_some());
    }
}
