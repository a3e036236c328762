//! Catalog sync with the central server: fetch → validate everything → apply in one transaction.

use std::time::Duration;

use motcua_protocol::{CATALOG_FORMAT, CatalogDelta, ProcedureCode, parse_procedure};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use serde::Serialize;
use serde_json::Value;

use super::store::{ApplySummary, now_unix};
use crate::storage::{StorageError, StorageHandle, WorkerGone};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cannot reach the central server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the central server answered HTTP {status} for {url}")]
    Status { url: String, status: u16 },
    #[error("the catalog download from {url} broke off: {reason}")]
    Body { url: String, reason: String },
    #[error("the central server sent a malformed catalog: {0}")]
    Malformed(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Worker(#[from] WorkerGone),
}

impl SyncError {
    /// Whether the server answered at all (for the online/offline indicator).
    pub fn server_reachable(&self) -> bool {
        !matches!(self, Self::Unreachable { .. })
    }
}

#[derive(Debug)]
pub enum Fetched {
    NotModified,
    Changed {
        delta: CatalogDelta,
        etag: Option<String>,
        bytes: usize,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// `None` when the server said nothing changed (304).
    pub applied: Option<ApplySummary>,
    /// Size of the decoded response body.
    pub bytes: usize,
    pub procedures: u64,
}

#[derive(Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base: String,
}

impl SyncClient {
    pub fn new(server_url: &str) -> Result<Self, SyncError> {
        let http = crate::operations::server::client_builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| SyncError::Unreachable {
                url: server_url.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            base: server_url.trim_end_matches('/').to_owned(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub async fn fetch(
        &self,
        cursor: Option<&str>,
        etag: Option<&str>,
    ) -> Result<Fetched, SyncError> {
        let url = format!("{}/api/v1/catalog", self.base);
        let mut request = self.http.get(&url);
        if let Some(cursor) = cursor {
            request = request.query(&[("since", cursor)]);
            if let Some(etag) = etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
        }
        let response = request.send().await.map_err(|e| SyncError::Unreachable {
            url: url.clone(),
            reason: error_chain(&e),
        })?;
        match response.status() {
            StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
            StatusCode::OK => {}
            status => {
                return Err(SyncError::Status {
                    url,
                    status: status.as_u16(),
                });
            }
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(|e| SyncError::Body {
            url,
            reason: error_chain(&e),
        })?;
        let delta = parse_delta(&body)?;
        Ok(Fetched::Changed {
            delta,
            etag,
            bytes: body.len(),
        })
    }
}

pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let text = crate::operations::server::causes(error);
    match crate::operations::server::explain(&text) {
        Some(meaning) => format!("{meaning} ({text})"),
        None => text,
    }
}

/// Checks every part of a catalog response before anything is applied; the first problem found
/// is reported with the record's position and code.
pub fn parse_delta(bytes: &[u8]) -> Result<CatalogDelta, SyncError> {
    let malformed = |reason: String| SyncError::Malformed(reason);
    let root: Value =
        serde_json::from_slice(bytes).map_err(|e| malformed(format!("not valid JSON: {e}")))?;
    let format = root.get("format").and_then(Value::as_str);
    if format != Some(CATALOG_FORMAT) {
        return Err(malformed(format!(
            "format is {format:?}, expected {CATALOG_FORMAT:?}"
        )));
    }
    let cursor = root
        .get("cursor")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("no cursor".into()))?;
    let full = root
        .get("full")
        .and_then(Value::as_bool)
        .ok_or_else(|| malformed("no `full` flag".into()))?;
    let records = root
        .get("procedures")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("no `procedures` array".into()))?;
    let mut procedures = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        let code = record.get("code").and_then(Value::as_str).unwrap_or("?");
        let procedure = parse_procedure(record)
            .map_err(|reason| malformed(format!("record {index} (code {code}): {reason}")))?;
        procedures.push(procedure);
    }
    let removed = match root.get("removed") {
        None => Vec::new(),
        Some(Value::Array(codes)) => codes
            .iter()
            .map(|code| {
                code.as_str()
                    .ok_or_else(|| malformed(format!("removed code {code} is not a string")))
                    .and_then(|text| {
                        ProcedureCode::parse(text).map_err(|e| malformed(e.to_string()))
                    })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(malformed("`removed` is not an array".into())),
    };
    Ok(CatalogDelta {
        format: CATALOG_FORMAT.to_owned(),
        cursor: cursor.to_owned(),
        full,
        procedures,
        removed,
    })
}

/// One sync: on any failure the previous catalog stays exactly as it was and the failure is
/// recorded (and logged once) for the sync indicator.
pub async fn sync_once(
    client: &SyncClient,
    storage: &StorageHandle,
) -> Result<SyncReport, SyncError> {
    let state = storage.call(|s| s.catalog.sync_state()).await??;
    let outcome = client
        .fetch(state.cursor.as_deref(), state.etag.as_deref())
        .await;
    let now = now_unix();
    match outcome {
        Ok(Fetched::NotModified) => {
            let procedures = storage
                .call(move |s| {
                    s.catalog.record_not_modified(now)?;
                    s.catalog.count()
                })
                .await??;
            Ok(SyncReport {
                applied: None,
                bytes: 0,
                procedures,
            })
        }
        Ok(Fetched::Changed { delta, etag, bytes }) => {
            let (summary, procedures) = storage
                .call(move |s| {
                    let summary = s.catalog.apply(&delta, etag.as_deref(), now)?;
                    s.rebuild_index()?;
                    Ok::<_, StorageError>((summary, s.catalog.count()?))
                })
                .await??;
            Ok(SyncReport {
                applied: Some(summary),
                bytes,
                procedures,
            })
        }
        Err(error) => {
            let message = error.to_string();
            let reachable = error.server_reachable();
            let kept = storage
                .call(move |s| {
                    s.catalog.record_failure(now, &message, reachable)?;
                    s.catalog.count()
                })
                .await??;
            tracing::warn!(
                "catalog sync failed, keeping the previous catalog of {kept} procedures: {error}"
            );
            Err(error)
        }
    }
}
