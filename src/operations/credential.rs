//! This kiosk's credential for the central server: obtained once by enrollment, kept in the data
//! directory readable by the kiosk's user only, sent as a bearer token.

use std::path::{Path, PathBuf};

use motcua_protocol::{EnrollRequest, EnrollResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("cannot read the kiosk credential {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the kiosk credential {path} is unreadable ({reason}); enroll the kiosk again")]
    Malformed { path: String, reason: String },
    #[error(
        "the kiosk credential {path} can be read by other users (mode {mode:o}); \
         run `chmod 600 {path}`"
    )]
    TooOpen { path: String, mode: u32 },
    #[error("cannot write the kiosk credential {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot reach the central server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the central server refused the enrollment code: {0}")]
    Refused(String),
}

/// What is stored: which server, which kiosk, and the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub server_url: String,
    pub kiosk_name: String,
    pub credential: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("server_url", &self.server_url)
            .field("kiosk_name", &self.kiosk_name)
            .finish_non_exhaustive()
    }
}

const CREDENTIAL_FILE: &str = "credential.json";

pub fn credential_path(data_dir: &Path) -> PathBuf {
    data_dir.join(CREDENTIAL_FILE)
}

impl Credential {
    /// The stored credential, `None` if the kiosk was never enrolled.
    pub fn load(data_dir: &Path) -> Result<Option<Self>, CredentialError> {
        let path = credential_path(data_dir);
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(CredentialError::Read {
                    path: shown,
                    source,
                });
            }
        };
        let mode = super::private_file::mode(&path).map_err(|source| CredentialError::Read {
            path: shown.clone(),
            source,
        })?;
        if mode & 0o077 != 0 {
            return Err(CredentialError::TooOpen { path: shown, mode });
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| CredentialError::Malformed {
                path: shown,
                reason: e.to_string(),
            })
    }

    /// Writes the credential with mode 0600, replacing any previous one atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), CredentialError> {
        let path = credential_path(data_dir);
        let shown = path.display().to_string();
        let json = serde_json::to_vec_pretty(self).map_err(|e| CredentialError::Write {
            path: shown.clone(),
            source: e.into(),
        })?;
        super::private_file::write(data_dir, CREDENTIAL_FILE, &json).map_err(|source| {
            CredentialError::Write {
                path: shown,
                source,
            }
        })
    }
}

/// Exchanges a one-time enrollment code for this kiosk's credential.
pub async fn enroll(server_url: &str, code: &str) -> Result<Credential, CredentialError> {
    let base = server_url.trim_end_matches('/');
    let url = format!("{base}/api/v1/kiosks/enroll");
    let unreachable = |e: reqwest::Error| CredentialError::Unreachable {
        url: url.clone(),
        reason: crate::catalog::sync::error_chain(&e),
    };
    let client = crate::operations::server::client_builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .map_err(unreachable)?;
    let response = client
        .post(&url)
        .json(&EnrollRequest {
            code: code.trim().to_owned(),
        })
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(CredentialError::Refused(message));
    }
    let answer: EnrollResponse =
        serde_json::from_slice(&body).map_err(|e| CredentialError::Refused(e.to_string()))?;
    Ok(Credential {
        server_url: base.to_owned(),
        kiosk_name: answer.kiosk_name,
        credential: answer.credential,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn saved_readable_by_owner_only_and_refused_when_opened_up() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Credential::load(dir.path()).unwrap(), None);
        let credential = Credential {
            server_url: "http://127.0.0.1:1".into(),
            kiosk_name: "quay-1".into(),
            credential: "mk_secret".into(),
        };
        credential.save(dir.path()).unwrap();
        let path = credential_path(dir.path());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            Credential::load(dir.path()).unwrap(),
            Some(credential.clone())
        );
        assert!(!format!("{credential:?}").contains("mk_secret"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Credential::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "{not json").unwrap();
        let err = Credential::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("enroll the kiosk again"), "{err}");
    }
}
