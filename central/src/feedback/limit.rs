//! The per-kiosk limit on new ratings and feedback: a kiosk is trusted to send what visitors
//! confirmed, but a broken or stolen one must not fill the database. Keyed by kiosk name (only
//! authenticated names are ever keys, so the map stays as small as the fleet). Ratings and
//! feedback share one budget per kiosk.

use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::CentralConfig;

pub struct KioskLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl KioskLimiter {
    pub fn new(config: &CentralConfig) -> Self {
        Self::with_quota(
            config.feedback_per_kiosk_per_hour,
            config.feedback_per_kiosk_burst,
        )
    }

    pub fn with_quota(per_hour: std::num::NonZeroU32, burst: std::num::NonZeroU32) -> Self {
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_hour(per_hour).allow_burst(burst)),
        }
    }

    /// `Err(wait)` when `kiosk` must wait before its next new rating or feedback is accepted.
    pub fn check(&self, kiosk: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&kiosk.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    #[test]
    fn each_kiosk_has_its_own_burst_then_waits() {
        let nz = |n| NonZeroU32::new(n).unwrap();
        let limiter = KioskLimiter::with_quota(nz(60), nz(2));
        assert!(limiter.check("quay-1").is_ok());
        assert!(limiter.check("quay-1").is_ok());
        let wait = limiter.check("quay-1").unwrap_err();
        // 60 an hour: one a minute.
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(limiter.check("quay-2").is_ok());
    }
}
