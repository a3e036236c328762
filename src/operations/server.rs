//! Requests to the central server as this kiosk: its address and, when enrolled, its credential
//! sent as a bearer token; and which certificate authority it trusts for that server.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::header::AUTHORIZATION;

/// The central server closes a connection that sits idle for its `header_read_timeout_secs` (30 s
/// by default). A kiosk keeping one longer could send its next request into a socket the server
/// has just closed and show the visitor a failure that is not true, so it lets them go sooner.
const IDLE_CONNECTIONS_KEPT: Duration = Duration::from_secs(20);

/// Where every HTTP client of the kiosk starts: its name, how long it keeps idle connections and,
/// when `server_ca_file` pins the central server's CA ([`pin_server_ca`]), that CA as the only
/// one trusted, over https only.
pub fn client_builder() -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .user_agent(concat!("motcua-kiosk/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(IDLE_CONNECTIONS_KEPT);
    match PINNED_CA.get() {
        Some(ca) => ca.apply(builder),
        None => builder,
    }
}

/// The CA pinned for the whole process, set once at start-up before any client is built.
///
/// A process-wide setting rather than a parameter: every client of the kiosk (catalog sync,
/// heartbeats, enrollment, status lookups, phone uploads, delivery) is built by
/// [`client_builder`], from the screen as well as from the command line, and none of them may
/// ever trust anything else once the configuration pins a CA. Threading the CA through each
/// constructor would make forgetting it in the next one possible; here it cannot be forgotten.
/// The configuration's `server_ca_file` cannot change while the kiosk runs (neither staff nor
/// remote settings may set it), so set-once is exactly its lifetime.
static PINNED_CA: OnceLock<PinnedCa> = OnceLock::new();

/// The certificates of `server_ca_file`: the only roots trusted for the central server.
#[derive(Clone)]
pub struct PinnedCa {
    path: PathBuf,
    certificates: Vec<reqwest::Certificate>,
}

impl std::fmt::Debug for PinnedCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinnedCa")
            .field("path", &self.path)
            .field("certificates", &self.certificates.len())
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("server_ca_file {path}: cannot read it: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "server_ca_file {path}: {reason} (expected the central server's CA certificate in PEM, \
         -----BEGIN CERTIFICATE-----, one or more)"
    )]
    Invalid { path: String, reason: String },
    #[error("server_ca_file: the kiosk already trusts only {pinned}, it cannot switch to {path}")]
    AlreadyPinned { pinned: String, path: String },
}

impl PinnedCa {
    /// Reads and checks `path`: PEM with at least one certificate, each one usable as a root.
    pub fn load(path: &Path) -> Result<Self, PinError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| PinError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let invalid = |reason: String| PinError::Invalid {
            path: shown.clone(),
            reason,
        };
        let certificates = reqwest::Certificate::from_pem_bundle(&bytes)
            .map_err(|e| invalid(format!("not valid PEM: {}", causes(&e))))?;
        if certificates.is_empty() {
            return Err(invalid("contains no certificate".to_owned()));
        }
        let ca = Self {
            path: path.to_owned(),
            certificates,
        };
        // The DER inside each PEM block is only parsed when a client is built: build one now so
        // that a damaged certificate is a configuration error at start-up, not a failed sync.
        ca.apply(reqwest::Client::builder())
            .build()
            .map_err(|e| invalid(format!("not a usable certificate: {}", causes(&e))))?;
        Ok(ca)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many certificates the file holds.
    pub fn len(&self) -> usize {
        self.certificates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }

    fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        self.certificates.iter().cloned().fold(
            builder.tls_built_in_root_certs(false).https_only(true),
            |builder, certificate| builder.add_root_certificate(certificate),
        )
    }
}

/// `error` and its sources, as they are; [`crate::catalog::sync::error_chain`] adds what a
/// connection error means.
pub(crate) fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// From now on every client of this process trusts only `ca`, and only over https. Call it at
/// start-up, before the first client is built; pinning the same file again is harmless, another
/// one is refused.
pub fn pin_server_ca(ca: PinnedCa) -> Result<(), PinError> {
    let path = ca.path.clone();
    let pinned = PINNED_CA.get_or_init(|| ca);
    if pinned.path == path {
        Ok(())
    } else {
        Err(PinError::AlreadyPinned {
            pinned: pinned.path.display().to_string(),
            path: path.display().to_string(),
        })
    }
}

/// The file of the pinned CA, if one is pinned.
pub fn pinned_ca_file() -> Option<&'static Path> {
    PINNED_CA.get().map(|ca| ca.path.as_path())
}

/// Says in words what a TLS or scheme failure in `error_text` (an error chain) means for staff.
pub(crate) fn explain(error_text: &str) -> Option<String> {
    let pinned = pinned_ca_file();
    if error_text.contains("invalid peer certificate") {
        return Some(match pinned {
            Some(file) => format!(
                "the central server's certificate is not trusted: it is not issued for this \
                 address by the CA pinned in server_ca_file {}",
                file.display()
            ),
            None => "the central server's certificate is not trusted".to_owned(),
        });
    }
    if error_text.contains("URL scheme is not allowed")
        && let Some(file) = pinned
    {
        return Some(format!(
            "server_ca_file {} pins the central server's CA, so the kiosk only connects over \
             https://",
            file.display()
        ));
    }
    None
}

#[derive(Clone)]
pub struct KioskHttp {
    http: reqwest::Client,
    base: String,
    credential: Option<String>,
}

impl KioskHttp {
    /// `http` carries the caller's timeouts; `server_url` may end in `/`.
    pub fn new(http: reqwest::Client, server_url: &str, credential: Option<String>) -> Self {
        Self {
            http,
            base: server_url.trim_end_matches('/').to_owned(),
            credential,
        }
    }

    /// `method` on `path` (starting with `/`), with the credential when there is one.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.credential {
            Some(credential) => request.header(AUTHORIZATION, format!("Bearer {credential}")),
            None => request,
        }
    }
}
