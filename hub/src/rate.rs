//! How often each certificate may call the hub: a generous rate for any honest device (a
//! phone's whole backlog syncs at full speed), a ceiling for one that floods. Keyed by the
//! certificate a request proved it holds — never by anything the request merely says.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hotline_core::sync::SyncError;

pub(crate) struct RateLimits {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl RateLimits {
    pub(crate) fn new(per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(per_second);
        RateLimits {
            limiter: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            clock: DefaultClock::default(),
        }
    }

    /// One more request by `cert`, or how long it must wait.
    pub(crate) fn check(&self, cert: &str) -> Result<(), SyncError> {
        self.limiter
            .check_key(&cert.to_string())
            .map_err(|not_until| SyncError::RateLimited {
                retry_after_s: not_until.wait_time_from(self.clock.now()).as_secs() + 1,
            })
    }

    /// A request that costs `n` ordinary ones (a public listing that reads every order's index
    /// row): it waits until the key has `n` to spend; more than the burst is never allowed.
    pub(crate) fn check_n(&self, key: &str, n: u32) -> Result<(), SyncError> {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        match self.limiter.check_key_n(&key.to_string(), n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(SyncError::RateLimited {
                retry_after_s: not_until.wait_time_from(self.clock.now()).as_secs() + 1,
            }),
            Err(_) => Err(SyncError::RateLimited { retry_after_s: 1 }),
        }
    }

    /// Forgets certificates that have been quiet long enough to be back at a full burst.
    pub(crate) fn forget_quiet(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}
