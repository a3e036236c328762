//! The kiosk's calls to the central server's status API, authenticated as this kiosk.

use std::time::Duration;

use motcua_protocol::{
    DossierCode, DossierView, FeedbackReference, FeedbackView, Statistics, StatusToken,
};
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("cannot reach the central server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the central server does not know this dossier")]
    NotFound,
    #[error(
        "the central server refused this kiosk's credential (HTTP 401): the kiosk is not enrolled \
         or was revoked; enroll it again with `motcua-kiosk enroll URL CODE`"
    )]
    Unauthorized,
    #[error("the central server answered HTTP {status} for {url}")]
    Status { url: String, status: u16 },
    #[error("the central server sent a malformed answer from {url}: {reason}")]
    Malformed { url: String, reason: String },
}

impl StatusError {
    /// Whether a cached answer may stand in: the server could not answer, as opposed to answering
    /// "no such dossier" or refusing us.
    pub fn server_unavailable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Malformed { .. })
            || matches!(self, Self::Status { status, .. } if *status >= 500)
    }
}

#[derive(Clone)]
pub struct StatusClient {
    http: reqwest::Client,
    base: String,
    credential: Option<String>,
}

impl StatusClient {
    pub fn new(server_url: &str, credential: Option<String>) -> Result<Self, StatusError> {
        let http = crate::operations::server::client_builder()
            .connect_timeout(Duration::from_secs(3))
            // A visitor is waiting at the screen; past this the cached status is the better answer.
            .timeout(Duration::from_secs(8))
            .build()
            .map_err(|e| StatusError::Unreachable {
                url: server_url.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            base: server_url.trim_end_matches('/').to_owned(),
            credential,
        })
    }

    pub async fn by_code(&self, code: &DossierCode) -> Result<DossierView, StatusError> {
        self.get_json(
            &format!("{}/api/v1/dossiers/{}", self.base, code.as_str()),
            true,
        )
        .await
    }

    pub async fn by_token(&self, token: &StatusToken) -> Result<DossierView, StatusError> {
        let url = format!("{}/api/v1/dossiers/by-token/{}", self.base, token.as_str());
        self.get_json(&url, true).await
    }

    /// A visitor's feedback and its answer, by the reference they were given (docs/feedback.md).
    pub async fn feedback(
        &self,
        reference: &FeedbackReference,
    ) -> Result<FeedbackView, StatusError> {
        let url = format!("{}/api/v1/feedback/{}", self.base, reference.as_str());
        self.get_json(&url, false).await
    }

    pub async fn statistics(&self) -> Result<Statistics, StatusError> {
        self.get_json(&format!("{}/api/v1/statistics?months=12", self.base), false)
            .await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        authenticated: bool,
    ) -> Result<T, StatusError> {
        let mut request = self.http.get(url);
        if authenticated {
            let Some(credential) = &self.credential else {
                return Err(StatusError::Unauthorized);
            };
            request = request.header(AUTHORIZATION, format!("Bearer {credential}"));
        }
        let response = request.send().await.map_err(|e| StatusError::Unreachable {
            url: url.to_owned(),
            reason: crate::catalog::sync::error_chain(&e),
        })?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Err(StatusError::NotFound),
            StatusCode::UNAUTHORIZED => return Err(StatusError::Unauthorized),
            status => {
                return Err(StatusError::Status {
                    url: url.to_owned(),
                    status: status.as_u16(),
                });
            }
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| StatusError::Unreachable {
                url: url.to_owned(),
                reason: crate::catalog::sync::error_chain(&e),
            })?;
        serde_json::from_slice(&body).map_err(|e| StatusError::Malformed {
            url: url.to_owned(),
            reason: e.to_string(),
        })
    }
}
