//! Staff sign-in on the fleet routes: HTTP Basic, which every phone browser can answer with its
//! own sign-in box, with no page script and no session to steal. Failures are limited per client
//! address and logged by name (never the password); a kiosk credential opens nothing here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use maud::html;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::passwords;
use crate::config::CentralConfig;
use crate::http::error::ErrorBody;
use crate::http::failure_limit::FailureLimiter;
use crate::http::{AppState, blocking};

/// What a 401 asks the browser for.
pub const STAFF_CHALLENGE: &str = "Basic realm=\"motcua\", charset=\"UTF-8\"";
/// A correct sign-in is remembered this long, so a staff phone reloading the fleet page does not
/// cost an Argon2 verification (tens of milliseconds of CPU, on purpose) every time.
const VERIFIED_FOR: Duration = Duration::from_secs(300);
/// Most remembered sign-ins; past this the memory is emptied (staff are a handful of people).
const VERIFIED_MAX: usize = 256;
/// Longer `Authorization` values are not decoded at all.
const MAX_HEADER_BYTES: usize = 1024;

/// The staff account a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAuth {
    pub staff: String,
}

/// Shared by all staff requests: the failure limit and the recently verified sign-ins.
pub struct StaffGuard {
    failures: FailureLimiter,
    /// Keyed by a SHA-256 over a random per-process key, the name, the password and the stored
    /// hash: changing the password or removing the account ends the memory at once, and the keys
    /// are of no use outside this process.
    verified: Mutex<HashMap<[u8; 32], Instant>>,
    key: [u8; 32],
}

impl StaffGuard {
    pub fn new(config: &CentralConfig) -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill(&mut key);
        Self {
            failures: FailureLimiter::new(
                config.staff_auth_max_failures.get(),
                Duration::from_secs(config.staff_auth_window_secs.get()),
            ),
            verified: Mutex::new(HashMap::new()),
            key,
        }
    }

    fn memo_key(&self, name: &str, password: &str, stored: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        for part in [name, password, stored] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.finalize().into()
    }

    fn remembered(&self, key: &[u8; 32]) -> bool {
        let verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        verified
            .get(key)
            .is_some_and(|at| at.elapsed() < VERIFIED_FOR)
    }

    fn remember(&self, key: [u8; 32]) {
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_MAX {
            verified.retain(|_, at| at.elapsed() < VERIFIED_FOR);
            if verified.len() >= VERIFIED_MAX {
                verified.clear();
            }
        }
        verified.insert(key, Instant::now());
    }
}

/// Why a staff route refused a request.
#[derive(Debug, thiserror::Error)]
pub enum StaffRejection {
    #[error("staff sign-in required: send HTTP Basic credentials of a staff account")]
    Missing { html: bool },
    #[error("unknown staff name or wrong password")]
    Wrong { html: bool },
    #[error("too many failed sign-ins from this address; retry after {seconds} seconds")]
    TooMany { html: bool, seconds: u64 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl IntoResponse for StaffRejection {
    fn into_response(self) -> Response {
        let (status, html) = match &self {
            Self::Missing { html } | Self::Wrong { html } => (StatusCode::UNAUTHORIZED, *html),
            Self::TooMany { html, .. } => (StatusCode::TOO_MANY_REQUESTS, *html),
            Self::Internal(detail) => {
                tracing::error!(%detail, "staff sign-in failed on our side");
                (StatusCode::INTERNAL_SERVER_ERROR, false)
            }
        };
        let mut response = if html {
            let (title, text) = match &self {
                Self::TooMany { seconds, .. } => (
                    "Quá nhiều lần đăng nhập sai",
                    format!("Vui lòng đợi {} phút rồi thử lại.", seconds.div_ceil(60)),
                ),
                _ => (
                    "Cần đăng nhập",
                    "Trang này dành cho cán bộ quản lý kiosk: đăng nhập bằng tài khoản cán bộ."
                        .to_owned(),
                ),
            };
            let body = html! { div.notfound { h1 { (title) } p { (text) } } };
            let mut page = crate::pages::staff_page(title, body);
            *page.status_mut() = status;
            page
        } else {
            let error = match &self {
                Self::Internal(_) => "internal server error".to_owned(),
                other => other.to_string(),
            };
            (status, axum::Json(ErrorBody { error })).into_response()
        };
        let headers = response.headers_mut();
        match self {
            Self::Missing { .. } | Self::Wrong { .. } => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(STAFF_CHALLENGE));
            }
            Self::TooMany { seconds, .. } => {
                headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
            }
            Self::Internal(_) => {}
        }
        response
    }
}

/// `(name, password)` from `Authorization: Basic base64(name:password)`.
fn basic_credentials(parts: &Parts) -> Option<(String, String)> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    if value.len() > MAX_HEADER_BYTES {
        return None;
    }
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (name, password) = text.split_once(':')?;
    Some((name.to_owned(), password.to_owned()))
}

/// A client-chosen name as it may appear in a log line: short, control characters escaped by
/// the `?` formatting of the caller.
fn loggable(name: &str) -> String {
    name.chars().take(64).collect()
}

fn client_of(parts: &Parts, state: &AppState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    state.status_limiter.client_address(&parts.headers, peer)
}

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, StaffRejection> {
        let html = !parts.uri.path().starts_with("/api/");
        let client = client_of(parts, state);
        let guard = state.staff_guard.clone();
        // No credentials (a browser's first request, or a kiosk's bearer credential) is not a
        // guess: it is answered with the challenge and not counted, even while this address is
        // locked out, as the challenge tells nothing.
        let Some((name, password)) = basic_credentials(parts) else {
            return Err(StaffRejection::Missing { html });
        };
        if let Err(wait) = guard.failures.check(client) {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(StaffRejection::TooMany {
                html,
                seconds: seconds.max(1),
            });
        }
        let lookup_name = name.clone();
        let stored = blocking(&state.operations, move |store| {
            Ok(store.staff_password_hash(&lookup_name)?)
        })
        .await
        .map_err(|e| StaffRejection::Internal(e.to_string()))?;
        let verifier = guard.clone();
        let verified_name = name.clone();
        let ok = tokio::task::spawn_blocking(move || match stored {
            Some(stored) => {
                let key = verifier.memo_key(&verified_name, &password, &stored);
                if verifier.remembered(&key) {
                    return true;
                }
                let ok = passwords::verify(&password, &stored);
                if ok {
                    verifier.remember(key);
                }
                ok
            }
            None => {
                passwords::verify_nobody(&password);
                false
            }
        })
        .await
        .map_err(|e| StaffRejection::Internal(e.to_string()))?;
        if ok {
            Ok(Self { staff: name })
        } else {
            guard.failures.record_failure(client);
            tracing::warn!(staff = ?loggable(&name), %client, "staff sign-in failed");
            Err(StaffRejection::Wrong { html })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(authorization: Option<&str>) -> Parts {
        let mut request = axum::http::Request::builder().uri("/fleet");
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn basic_credentials_are_decoded_strictly() {
        let encoded = STANDARD.encode("an:mật:khẩu");
        assert_eq!(
            basic_credentials(&parts(Some(&format!("Basic {encoded}")))),
            Some(("an".into(), "mật:khẩu".into())),
            "the password keeps its colons"
        );
        assert_eq!(
            basic_credentials(&parts(Some(&format!("basic  {encoded}")))),
            Some(("an".into(), "mật:khẩu".into()))
        );
        for bad in [
            None,
            Some("Bearer mk_0123"),
            Some("Basic !!!"),
            Some("Basic"),
            Some(&*format!("Basic {}", STANDARD.encode("no-colon"))),
        ] {
            assert_eq!(basic_credentials(&parts(bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn remembered_sign_ins_depend_on_the_stored_hash() {
        let guard = StaffGuard::new(&CentralConfig::default());
        let key = guard.memo_key("an", "pw", "$argon2id$one");
        assert!(!guard.remembered(&key));
        guard.remember(key);
        assert!(guard.remembered(&key));
        assert!(!guard.remembered(&guard.memo_key("an", "pw", "$argon2id$two")));
        assert!(!guard.remembered(&guard.memo_key("an", "pw2", "$argon2id$one")));
        // Name and password boundaries cannot be shifted to make the same key.
        assert_ne!(
            guard.memo_key("a", "npw", "$h"),
            guard.memo_key("an", "pw", "$h")
        );
    }
}
