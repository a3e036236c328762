//! Delivering the outbox to the central server: the manifest under the entry's idempotency key,
//! each file resumably (only the bytes the server lacks, streamed from disk), then completion.
//! Retries are safe at every step: the server answers a repeated request with its first outcome.
//! A rating or a feedback is one `PUT` of its manifest under its key.

use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use futures_util::StreamExt;
use motcua_protocol::{SubmissionManifest, SubmissionReceipt, SubmissionState};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::Serialize;
use tokio::io::AsyncSeekExt;
use tokio::sync::Notify;

use super::fault;
use super::outbox::{Delivered, Payload, Waiting};
use crate::operations::KioskHttp;
use crate::storage::StorageHandle;

/// Bytes read from the outbox at a time. Smaller reads cost a trip through tokio's blocking pool
/// each (64 KiB reads doubled the kiosk's CPU per upload, docs/BENCHMARKS.md).
const READ_SIZE: usize = 1024 * 1024;

/// A connection that brings nothing for this long is given up and the delivery retried.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("cannot reach the central server: {0}")]
    Unreachable(String),
    #[error("the central server answered HTTP {status}: {message}")]
    Server { status: u16, message: String },
    #[error("the central server refused the entry (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the central server refused this kiosk's credential; enroll the kiosk again")]
    Unauthorized,
    #[error("cannot read a stored file of the dossier: {0}")]
    File(String),
    #[error("the storage worker has stopped")]
    Storage,
}

impl DeliveryError {
    /// Worth retrying: the network, the server's own trouble, or an interrupted upload. A refusal
    /// of the dossier itself will not change by retrying and needs staff.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::Server { .. } | Self::Unauthorized | Self::Storage => true,
            Self::Refused { status, .. } => *status == 409 || *status == 429,
            Self::File(_) => false,
        }
    }
}

#[derive(Clone)]
pub struct DeliveryClient {
    server: KioskHttp,
}

fn unreachable(e: reqwest::Error) -> DeliveryError {
    DeliveryError::Unreachable(crate::catalog::sync::error_chain(&e))
}

async fn failure(response: reqwest::Response) -> DeliveryError {
    let status = response.status().as_u16();
    if status == 401 {
        return DeliveryError::Unauthorized;
    }
    let body = response.bytes().await.unwrap_or_default();
    let message = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect());
    if status >= 500 {
        DeliveryError::Server { status, message }
    } else {
        DeliveryError::Refused { status, message }
    }
}

impl DeliveryClient {
    pub fn new(server_url: &str, credential: Option<String>) -> Result<Self, DeliveryError> {
        Self::with_stall_timeout(server_url, credential, STALL_TIMEOUT)
    }

    /// A client that gives up on a connection after `stall` without progress (tests use seconds).
    pub fn with_stall_timeout(
        server_url: &str,
        credential: Option<String>,
        stall: Duration,
    ) -> Result<Self, DeliveryError> {
        let http = crate::operations::server::client_builder()
            .connect_timeout(Duration::from_secs(5))
            // No total timeout: a large file on a slow line takes long; a stalled one does not.
            .read_timeout(stall)
            .build()
            .map_err(unreachable)?;
        Ok(Self {
            server: KioskHttp::new(http, server_url, credential),
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.server.request(method, path)
    }

    /// Sends one outbox entry, resuming where an earlier attempt stopped.
    pub async fn deliver(&self, entry: &Waiting) -> Result<Delivered, DeliveryError> {
        let key = entry.idempotency_key.as_str();
        match &entry.payload {
            Payload::Dossier(manifest) => self
                .deliver_dossier(entry, manifest)
                .await
                .map(Delivered::Dossier),
            Payload::Rating(rating) => self
                .put_json(&format!("/api/v1/ratings/{key}"), rating)
                .await
                .map(Delivered::Rating),
            Payload::Feedback(feedback) => self
                .put_json(&format!("/api/v1/feedback/{key}"), feedback)
                .await
                .map(Delivered::Feedback),
        }
    }

    async fn put_json<T: Serialize, R: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &T,
    ) -> Result<R, DeliveryError> {
        let response = self
            .request(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        response.json().await.map_err(unreachable)
    }

    async fn deliver_dossier(
        &self,
        entry: &Waiting,
        manifest: &SubmissionManifest,
    ) -> Result<SubmissionReceipt, DeliveryError> {
        let key = entry.idempotency_key.as_str();
        let response = self
            .request(reqwest::Method::PUT, &format!("/api/v1/submissions/{key}"))
            .json(manifest)
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        let state: SubmissionState = response.json().await.map_err(unreachable)?;
        if let Some(receipt) = state.receipt {
            return Ok(receipt);
        }
        for progress in state.files.iter().filter(|f| !f.complete) {
            let path = entry
                .files
                .iter()
                .find(|(id, _)| *id == progress.file_id)
                .map(|(_, path)| path.clone())
                .ok_or_else(|| {
                    DeliveryError::File(format!("no stored file for {}", progress.file_id))
                })?;
            self.upload(key, &progress.file_id.to_string(), &path, progress.size)
                .await?;
        }
        let response = self
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/submissions/{key}/complete"),
            )
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        let receipt = response.json().await.map_err(unreachable)?;
        fault::point("after_complete");
        Ok(receipt)
    }

    async fn offset(&self, key: &str, file_id: &str) -> Result<u64, DeliveryError> {
        let response = self
            .request(
                reqwest::Method::HEAD,
                &format!("/api/v1/submissions/{key}/files/{file_id}"),
            )
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        response
            .headers()
            .get("upload-offset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| DeliveryError::Server {
                status: 200,
                message: "no Upload-Offset in the answer".into(),
            })
    }

    /// Streams the file from where the server's copy ends, in one `PATCH`, never holding it in
    /// memory. One request per file rather than chunks: the server stores its offset every 16 MiB
    /// and keeps the bytes of an interrupted request, so chunks would only add a server-side fsync
    /// and commit each (7–11 % of the throughput).
    async fn upload(
        &self,
        key: &str,
        file_id: &str,
        path: &std::path::Path,
        size: u64,
    ) -> Result<(), DeliveryError> {
        let mut offset = self.offset(key, file_id).await?;
        while offset < size {
            let length = size - offset;
            let mut file = tokio::fs::File::open(path)
                .await
                .map_err(|e| DeliveryError::File(format!("{}: {e}", path.display())))?;
            file.seek(std::io::SeekFrom::Start(offset))
                .await
                .map_err(|e| DeliveryError::File(e.to_string()))?;
            let reader = tokio::io::AsyncReadExt::take(file, length);
            let mut sent = 0u64;
            let stream = tokio_util::io::ReaderStream::with_capacity(reader, READ_SIZE).inspect(
                move |chunk| {
                    if let Ok(chunk) = chunk {
                        let before = sent;
                        sent += chunk.len() as u64;
                        if before < length / 2 && sent >= length / 2 && sent < length {
                            fault::point("mid_upload");
                        }
                    }
                },
            );
            let response = self
                .request(
                    reqwest::Method::PATCH,
                    &format!("/api/v1/submissions/{key}/files/{file_id}"),
                )
                .header("upload-offset", offset.to_string())
                .header(CONTENT_TYPE, "application/offset+octet-stream")
                .header(CONTENT_LENGTH, length.to_string())
                .body(reqwest::Body::wrap_stream(stream))
                .send()
                .await
                .map_err(unreachable)?;
            match response.status() {
                status if status.is_success() => {}
                StatusCode::CONFLICT if response.headers().contains_key("upload-offset") => {
                    // Our idea of the offset was stale: ask again and go on from there.
                    offset = self.offset(key, file_id).await?;
                    continue;
                }
                StatusCode::CONFLICT => {
                    // Another upload of this file (a dead connection the server still holds) is
                    // running: retrying at once would resend the file again and again; the
                    // outbox's backoff waits instead.
                    return Err(DeliveryError::Server {
                        status: 409,
                        message: "the server is still receiving an earlier upload of this file"
                            .into(),
                    });
                }
                _ => return Err(failure(response).await),
            }
            offset += length;
        }
        Ok(())
    }
}

/// Exponential backoff with full jitter: each wait is uniformly random between zero and the
/// exponential bound, so kiosks that lost the network together do not return in lockstep.
#[derive(Debug, Clone, Copy)]
pub struct FullJitter {
    pub min: Duration,
    pub max: Duration,
    pub attempts: usize,
}

impl Default for FullJitter {
    fn default() -> Self {
        Self {
            min: Duration::from_secs(2),
            max: Duration::from_secs(300),
            attempts: usize::MAX,
        }
    }
}

pub struct FullJitterBackoff(backon::ExponentialBackoff);

impl Iterator for FullJitterBackoff {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let bound = self.0.next()?;
        let fraction: f64 = rand::random();
        Some(bound.mul_f64(fraction))
    }
}

impl BackoffBuilder for FullJitter {
    type Backoff = FullJitterBackoff;
    fn build(self) -> Self::Backoff {
        FullJitterBackoff(
            ExponentialBuilder::default()
                .with_min_delay(self.min)
                .with_max_delay(self.max)
                .with_factor(2.0)
                .with_max_times(self.attempts)
                .build(),
        )
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct DrainReport {
    pub delivered: Vec<String>,
    /// Refused by the server for good; staff must look at these.
    pub refused: Vec<String>,
    /// Still waiting (the server could not be reached).
    pub waiting: usize,
    pub last_error: Option<String>,
}

/// A feedback's reference opens its text and answer: logs name the entry by its number instead.
fn loggable_reference(entry: &Waiting) -> String {
    match entry.payload {
        Payload::Feedback(_) => format!("feedback #{}", entry.id),
        _ => entry.local_reference.clone(),
    }
}

/// Sends every waiting entry in order. Stops at the first entry the server cannot take now (so
/// the order holds); an entry refused for good is recorded and skipped.
pub async fn drain(client: &DeliveryClient, storage: &StorageHandle) -> DrainReport {
    let mut report = DrainReport::default();
    let waiting = match storage.call(|s| s.outbox.waiting()).await {
        Ok(Ok(waiting)) => waiting,
        Ok(Err(e)) => {
            report.last_error = Some(e.to_string());
            return report;
        }
        Err(e) => {
            report.last_error = Some(e.to_string());
            return report;
        }
    };
    let total = waiting.len();
    for (index, entry) in waiting.into_iter().enumerate() {
        let now = crate::catalog::store::now_unix();
        match client.deliver(&entry).await {
            Ok(receipt) => {
                let id = entry.id;
                let recorded = storage
                    .call(move |s| s.outbox.record_delivery(id, &receipt, now))
                    .await;
                match recorded {
                    Ok(Ok(())) => {
                        tracing::info!(reference = %loggable_reference(&entry), kind = ?entry.payload.kind(), "outbox entry delivered");
                        report.delivered.push(entry.local_reference);
                    }
                    Ok(Err(e)) => {
                        report.last_error = Some(e.to_string());
                        report.waiting = total - index;
                        return report;
                    }
                    Err(e) => {
                        report.last_error = Some(e.to_string());
                        report.waiting = total - index;
                        return report;
                    }
                }
            }
            Err(error) => {
                let message = error.to_string();
                tracing::warn!(reference = %loggable_reference(&entry), "delivery failed: {message}");
                let id = entry.id;
                let stored = message.clone();
                let _ = storage
                    .call(move |s| s.outbox.record_failure(id, &stored, now))
                    .await;
                report.last_error = Some(message);
                if error.is_transient() {
                    report.waiting = total - index;
                    return report;
                }
                report.refused.push(entry.local_reference);
            }
        }
    }
    report
}

/// The kiosk's delivery loop: drains the outbox whenever `wake` is notified (a new confirmation)
/// and, while something waits, again after a backoff with full jitter.
pub async fn run(
    client: DeliveryClient,
    storage: StorageHandle,
    wake: Arc<Notify>,
    backoff: FullJitter,
) {
    loop {
        let attempt = || async {
            let report = drain(&client, &storage).await;
            match (report.waiting, &report.last_error) {
                (0, _) => Ok(report),
                (_, Some(error)) => Err(error.clone()),
                (_, None) => Err("entries still waiting".to_owned()),
            }
        };
        let outcome = attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .notify(|error: &String, wait: Duration| {
                tracing::info!("outbox waits {wait:?} before the next attempt: {error}");
            })
            .await;
        if let Ok(report) = outcome
            && !report.delivered.is_empty()
        {
            tracing::info!(delivered = report.delivered.len(), "outbox drained");
        }
        // Until the next confirmation, or a periodic check for anything left behind.
        let _ = tokio::time::timeout(Duration::from_secs(60), wake.notified()).await;
    }
}
