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
        }
    }
}

pub struct SignInThrottle {
    account: DefaultKeyedRateLimiter<(String, IpAddr)>,
    account_long: DefaultKeyedRateLimiter<(String, IpAddr)>,
    address: DefaultKeyedRateLimiter<IpAddr>,
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
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; `Err(wait)` when it must be refused, with how long
    /// to wait before the next one has a chance.
    pub fn attempt(&self, email: &str, address: IpAddr) -> Result<(), Duration> {
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

    /// Forgets keys whose limits have fully recovered, so memory stays
    /// bounded by recent activity.
    pub fn forget_idle(&self) {
        self.account.retain_recent();
        self.account_long.retain_recent();
        self.address.retain_recent();
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
}
