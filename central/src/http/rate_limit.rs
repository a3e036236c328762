//! Per-client rate limiting for the public status page (and kiosk enrollment): status tokens are
//! unguessable, but a client hammering `/ho-so/...` is either broken or guessing, and either way
//! should slow down. Keyed by client address; `Retry-After` says when to come back.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use maud::html;

use super::AppState;
use super::error::ErrorBody;
use crate::config::CentralConfig;
use crate::pages::{Lang, page_shell_anywhere};

/// Stale keys are dropped this often, so a scan from many addresses cannot grow memory for ever.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct ClientLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    trust_forwarded_for: bool,
    last_sweep: Mutex<Instant>,
}

impl ClientLimiter {
    pub fn new(config: &CentralConfig) -> Self {
        Self::with_quota(
            config.status_page_per_minute,
            config.status_page_burst,
            config.trust_forwarded_for,
        )
    }

    pub fn with_quota(
        per_minute: NonZeroU32,
        burst: NonZeroU32,
        trust_forwarded_for: bool,
    ) -> Self {
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            ),
            trust_forwarded_for,
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// `Err(wait)` when the client must wait before its next request is allowed.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.sweep_if_due();
        self.limiter
            .check_key(&client_key(client))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Addresses currently tracked.
    pub fn tracked(&self) -> usize {
        self.limiter.len()
    }

    fn sweep_if_due(&self) {
        let Ok(mut last) = self.last_sweep.try_lock() else {
            return; // another request is sweeping
        };
        if last.elapsed() >= SWEEP_EVERY {
            *last = Instant::now();
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }

    /// Who sent the request: the TCP peer, or with `trust_forwarded_for` the first address of
    /// `X-Forwarded-For` (the client as the reverse proxy saw it). Without connection information
    /// (a router driven in-process by tests) the client is taken to be loopback.
    pub fn client_address(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let forwarded = self
            .trust_forwarded_for
            .then(|| first_forwarded_for(headers))
            .flatten();
        forwarded
            .or(peer.map(|p| p.ip()))
            .unwrap_or(IpAddr::from([127, 0, 0, 1]))
    }
}

fn first_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let value = headers.get("x-forwarded-for")?.to_str().ok()?;
    let first = value.split(',').next()?.trim();
    first
        .parse::<IpAddr>()
        .ok()
        .or_else(|| first.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// One key per IPv4 address, but per /64 for IPv6: one household or phone holds a whole /64 and
/// could otherwise rotate through addresses for free.
pub(crate) fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

pub async fn limit_by_client(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let limiter = &state.status_limiter;
    let client = limiter.client_address(request.headers(), peer);
    match limiter.check(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(wait, request.uri().path().starts_with("/api/")),
    }
}

fn too_many_requests(wait: Duration, api: bool) -> Response {
    // Whole seconds, rounded up: "0" would invite an immediate retry that fails again.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut response = if api {
        (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(ErrorBody {
                error: format!("too many requests; retry after {seconds} seconds"),
            }),
        )
            .into_response()
    } else {
        let body = html! { div.notfound {
            h1 { "Quá nhiều yêu cầu" }
            p { "Vui lòng đợi " (seconds) " giây rồi thử lại." }
            p.meta { "Too many requests. Please wait " (seconds) " seconds and try again." }
        } };
        (
            StatusCode::TOO_MANY_REQUESTS,
            page_shell_anywhere(Lang::Vi, "Quá nhiều yêu cầu / Too many requests", body),
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn burst_then_refused_with_a_wait_and_per_client() {
        let limiter = ClientLimiter::with_quota(nz(60), nz(3), false);
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "203.0.113.8".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(a).is_ok());
        }
        let wait = limiter.check(a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limiter.check(b).is_ok());
        assert_eq!(limiter.tracked(), 2);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_prefix() {
        let limiter = ClientLimiter::with_quota(nz(60), nz(1), false);
        assert!(limiter.check("2001:db8:1:2::1".parse().unwrap()).is_ok());
        assert!(
            limiter
                .check("2001:db8:1:2::ffff".parse().unwrap())
                .is_err()
        );
        assert!(limiter.check("2001:db8:1:3::1".parse().unwrap()).is_ok());
        // An IPv4 client seen through a dual-stack socket is the same client.
        assert!(limiter.check("192.0.2.1".parse().unwrap()).is_ok());
        assert!(limiter.check("::ffff:192.0.2.1".parse().unwrap()).is_err());
    }

    #[test]
    fn forwarded_for_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.4, 10.0.0.1"),
        );
        let peer = Some(SocketAddr::from(([10, 0, 0, 1], 5000)));
        let trusting = ClientLimiter::with_quota(nz(60), nz(1), true);
        let wary = ClientLimiter::with_quota(nz(60), nz(1), false);
        assert_eq!(
            trusting.client_address(&headers, peer),
            "198.51.100.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            wary.client_address(&headers, peer),
            IpAddr::from([10, 0, 0, 1])
        );
        assert_eq!(
            trusting.client_address(&HeaderMap::new(), None),
            IpAddr::from([127, 0, 0, 1])
        );
        headers.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(
            trusting.client_address(&headers, peer),
            IpAddr::from([10, 0, 0, 1])
        );
    }
}
