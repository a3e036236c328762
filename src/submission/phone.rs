//! Pages a visitor photographs with their own phone: the kiosk opens an upload session on the
//! central server, shows its address as a QR code, and collects what arrives.

use std::time::Duration;

use motcua_protocol::{ClientId, PhoneUploadList, PhoneUploadSession};

use crate::operations::KioskHttp;

#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    #[error("cannot reach the central server: {0}")]
    Unreachable(String),
    #[error("the central server answered HTTP {0}")]
    Status(u16),
}

#[derive(Clone)]
pub struct PhoneClient {
    server: KioskHttp,
}

impl PhoneClient {
    pub fn new(server_url: &str, credential: Option<String>) -> Result<Self, PhoneError> {
        let http = crate::operations::server::client_builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| PhoneError::Unreachable(e.to_string()))?;
        Ok(Self {
            server: KioskHttp::new(http, server_url, credential),
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.server.request(method, path)
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, PhoneError> {
        let response = request
            .send()
            .await
            .map_err(|e| PhoneError::Unreachable(crate::catalog::sync::error_chain(&e)))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(PhoneError::Status(response.status().as_u16()))
        }
    }

    pub async fn open(&self) -> Result<PhoneUploadSession, PhoneError> {
        let response = self
            .send(self.request(reqwest::Method::POST, "/api/v1/phone-uploads"))
            .await?;
        response
            .json()
            .await
            .map_err(|e| PhoneError::Unreachable(e.to_string()))
    }

    pub async fn list(&self, session: &ClientId) -> Result<PhoneUploadList, PhoneError> {
        let path = format!("/api/v1/phone-uploads/{session}");
        let response = self.send(self.request(reqwest::Method::GET, &path)).await?;
        response
            .json()
            .await
            .map_err(|e| PhoneError::Unreachable(e.to_string()))
    }

    /// The bytes of one file; the server caps files at its upload limit.
    pub async fn fetch(&self, session: &ClientId, file: &ClientId) -> Result<Vec<u8>, PhoneError> {
        let path = format!("/api/v1/phone-uploads/{session}/files/{file}");
        let response = self.send(self.request(reqwest::Method::GET, &path)).await?;
        response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| PhoneError::Unreachable(e.to_string()))
    }

    /// Ends the session; the server deletes its files.
    pub async fn close(&self, session: &ClientId) -> Result<(), PhoneError> {
        let path = format!("/api/v1/phone-uploads/{session}");
        self.send(self.request(reqwest::Method::DELETE, &path))
            .await
            .map(|_| ())
    }
}
