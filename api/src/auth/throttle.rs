//! Slowing down password guessing without letting anyone lock anyone out.
//!
//! Sign-in attempts are metered by governor's GCRA limiters, keyed by
//! (e-mail, client address) in two tiers — a short burst, then a much slower
//! refill — and by client address alone. A guesser waits longer and longer;
//! the account owner signing in from elsewhere is never affected, because no
//! limiter is keyed by the e-mail alone.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

/// The attempt limits. The defaults suit people; tests may use others.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Quick attempts per (e-mail, address) before the first wait…
    pub account_burst: u32,
    /// …after which one more is allowed per this period,
    pub account_refill: Duration,
    /// until this many attempts in all…
    pub account_long_burst: u32,
    /// …after which one more is allowed per this (much longer) period.
    pub account_long_refill: Duration,
    /// Attempts per address, whatever the e-mail.
    pub address_burst: u32,
    pub address_refill: Duration,
    /// Sign-ups per address: this many at once, then one per `signup_refill`.
    pub signup_burst: u32,
    pub signup_refill: Duration,
}

impl ThrottlePolicy {
    /// The default policy with `per_hour` sign-ups per address.
    pub fn with_signups_per_hour(per_hour: u32) -> Self {
        let per_hour = per_hour.max(1);
        Self {
            signup_burst: per_hour,
            signup_refill: Duration::from_secs(3600) / per_hour,
            ..Self::default()
        }
    }
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_burst: 5,
            account_refill: Duration::from_secs(12),
            account_long_burst: 20,
            account_long_refill: Duration::from_secs(180),
            address_burst: 60,
            address_refill: Duration::from_secs(2),
            signup_burst: 20,
            signup_refill: Duration::from_secs(180),
        }
    }
}

pub struct SignInThrottle {
    account: DefaultKeyedRateLimiter<(String, IpAddr)>,
    account_long: DefaultKeyedRateLimiter<(String, IpAddr)>,
    address: DefaultKeyedRateLimiter<IpAddr>,
    signups: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInThrottle").finish_non_exhaustive()
    }
}

fn quota(burst: u32, refill: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl SignInThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            account: RateLimiter::keyed(quota(policy.account_burst, policy.account_refill)),
            account_long: RateLimiter::keyed(quota(
                policy.account_long_burst,
                policy.account_long_refill,
            )),
            address: RateLimiter::keyed(quota(policy.address_burst, policy.address_refill)),
            signups: RateLimiter::keyed(quota(policy.signup_burst, policy.signup_refill)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; `Err(wait)` when it must be refused, with how long
    /// to wait before the next one has a chance.
    pub fn attempt(&self, email: &str, address: IpAddr) -> Result<(), Duration> {
        let address = network_of(address);
        let key = (email.to_owned(), address);
        let now = self.clock.now();
        // Every tier is charged, so continued guessing during a wait pushes
        // the slower tier further: the delays grow.
        let waits = [
            self.account
                .check_key(&key)
                .err()
                .map(|n| n.wait_time_from(now)),
            self.account_long
                .check_key(&key)
                .err()
                .map(|n| n.wait_time_from(now)),
            self.address
                .check_key(&address)
                .err()
                .map(|n| n.wait_time_from(now)),
        ];
        match waits.into_iter().flatten().max() {
            Some(wait) => Err(wait.max(Duration::from_secs(1))),
            None => Ok(()),
        }
    }

    /// Counts one sign-up from `address`; `Err(wait)` when there were too
    /// many (each costs a password hash and a tenant).
    pub fn sign_up(&self, address: IpAddr) -> Result<(), Duration> {
        let now = self.clock.now();
        self.signups
            .check_key(&network_of(address))
            .map_err(|n| n.wait_time_from(now).max(Duration::from_secs(1)))
    }

    /// Forgets keys whose limits have fully recovered, so memory stays
    /// bounded by recent activity.
    pub fn forget_idle(&self) {
        self.account.retain_recent();
        self.account_long.retain_recent();
        self.address.retain_recent();
        self.signups.retain_recent();
    }
}

/// The key an address is counted under: IPv6 clients by their /64 (one
/// subscriber usually holds a whole /64, so single addresses are free).
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_waits_that_grow_and_other_keys_are_unaffected() {
        let throttle = SignInThrottle::new(ThrottlePolicy {
            account_burst: 3,
            account_refill: Duration::from_secs(10),
            account_long_burst: 5,
            account_long_refill: Duration::from_secs(600),
            address_burst: 100,
            address_refill: Duration::from_secs(1),
            ..ThrottlePolicy::default()
        });
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(throttle.attempt("a@x.io", ip).is_ok());
        }
        let first_wait = throttle.attempt("a@x.io", ip).unwrap_err();
        assert!(first_wait >= Duration::from_secs(5), "{first_wait:?}");
        // Same e-mail from another address, or another e-mail: unaffected.
        assert!(throttle.attempt("a@x.io", [10, 0, 0, 2].into()).is_ok());
        assert!(throttle.attempt("b@x.io", ip).is_ok());
        // Keep guessing: the long tier takes over with a far longer wait.
        let mut last = first_wait;
        for _ in 0..5 {
            last = throttle.attempt("a@x.io", ip).unwrap_err();
        }
        assert!(last > Duration::from_secs(60), "{last:?}");
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_sign_ups_per_address() {
        let throttle = SignInThrottle::new(ThrottlePolicy {
            signup_burst: 2,
            ..ThrottlePolicy::default()
        });
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(throttle.sign_up(a).is_ok());
        assert!(throttle.sign_up(b).is_ok());
        assert!(throttle.sign_up(a).is_err(), "same /64");
        assert!(throttle.sign_up(other).is_ok());
        for _ in 0..5 {
            let _ = throttle.attempt("x@y.io", a);
        }
        assert!(
            throttle.attempt("x@y.io", b).is_err(),
            "same /64 shares the sign-in limit"
        );
    }
}
