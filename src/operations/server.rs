//! Requests to the central server as this kiosk: its address and, when enrolled, its credential
//! sent as a bearer token.

use reqwest::header::AUTHORIZATION;

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
