//! Limits failed attempts (staff sign-ins) per client address: after `max_failures` within a
//! window the client is refused until that window ends, whether its next guess is right or not.
//! The status page limiter counts every request; this one counts only failures, so staff who
//! sign in correctly are never slowed down, while guessing a password gets a handful of tries
//! per window.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::rate_limit::client_key;

/// Past this many tracked addresses, expired ones are dropped, so a scan from many addresses
/// cannot grow memory for ever.
const SWEEP_ABOVE: usize = 4096;

pub struct FailureLimiter {
    max_failures: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// When the first failure of the current window happened.
    since: Instant,
}

impl FailureLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when `client` has used up its failures and must wait before trying again.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.check_at(client, Instant::now())
    }

    pub fn record_failure(&self, client: IpAddr) {
        self.record_failure_at(client, Instant::now());
    }

    fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        match clients.get(&client_key(client)) {
            Some(f) if f.count >= self.max_failures => {
                let elapsed = now.saturating_duration_since(f.since);
                if elapsed < self.window {
                    Err(self.window - elapsed)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    fn record_failure_at(&self, client: IpAddr, now: Instant) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() > SWEEP_ABOVE {
            let window = self.window;
            clients.retain(|_, f| now.saturating_duration_since(f.since) < window);
        }
        let entry = clients.entry(client_key(client)).or_insert(Failures {
            count: 0,
            since: now,
        });
        if now.saturating_duration_since(entry.since) >= self.window {
            *entry = Failures {
                count: 0,
                since: now,
            };
        }
        entry.count = entry.count.saturating_add(1);
    }

    /// Addresses currently tracked.
    pub fn tracked(&self) -> usize {
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_after_the_failures_until_the_window_ends_and_per_client() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "203.0.113.8".parse().unwrap();
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(limiter.check_at(a, t0).is_ok(), "failure {i}");
            limiter.record_failure_at(a, t0 + Duration::from_secs(i));
        }
        let wait = limiter
            .check_at(a, t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limiter.check_at(b, t0).is_ok());
        // The window ends: a fresh one starts with the next failure.
        let later = t0 + Duration::from_secs(60);
        assert!(limiter.check_at(a, later).is_ok());
        limiter.record_failure_at(a, later);
        assert!(limiter.check_at(a, later).is_ok());
        // IPv6 neighbours in one /64 share their failures.
        let c: IpAddr = "2001:db8::1".parse().unwrap();
        let d: IpAddr = "2001:db8::2".parse().unwrap();
        for _ in 0..3 {
            limiter.record_failure_at(c, t0);
        }
        assert!(limiter.check_at(d, t0).is_err());
        assert_eq!(limiter.tracked(), 2);
    }
}
