//! The kiosk's intake API: store a manifest under an idempotency key, upload each file with
//! resumable `HEAD`/`PATCH` requests, then complete the submission to get the receipt.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, RequestExt};
use motcua_protocol::{ClientId, SubmissionManifest, SubmissionReceipt, SubmissionState};
use time::OffsetDateTime;

use super::SubmissionError;
use super::rules::{Intake, Limits, MAX_MANIFEST_BYTES, redact_json_error};
use super::upload::{Appended, TAKEOVER_WAIT, Upload, drain, next_chunk, reconcile};
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState, blocking, content_type_is};
use crate::operations::KioskAuth;

pub const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
pub const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
/// The content type of a `PATCH` body, as in tus.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

fn client_id(text: &str, what: &str) -> Result<ClientId, ApiError> {
    ClientId::parse(text).map_err(|e| ApiError::BadRequest(format!("{what}: {e}")))
}

fn with_offset(mut response: Response, offset: u64) -> Response {
    response
        .headers_mut()
        .insert(UPLOAD_OFFSET, HeaderValue::from(offset));
    response
}

/// Reads a JSON body of at most `limit` bytes.
pub(crate) async fn small_body(mut body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = next_chunk(&mut body).await {
        let chunk = chunk.map_err(|e| ApiError::body_broke_off(&e))?;
        if bytes.len() + chunk.len() > limit {
            drain(body).await;
            return Err(ApiError::PayloadTooLarge(format!(
                "a manifest may be at most {limit} bytes of JSON"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Store a submission's manifest under the kiosk's idempotency key (a new key per dossier; keys
/// are per kiosk). Repeating the same PUT, e.g. after a timeout, is harmless.
#[utoipa::path(
    put,
    path = "/api/v1/submissions/{idempotency_key}",
    tag = "submission",
    params(("idempotency_key" = inline(ClientId), Path, description = "Made by the kiosk, one per dossier: 1–64 of A-Z a-z 0-9 - _")),
    request_body(content = SubmissionManifest, description = "At most 256 KiB of JSON"),
    security(("kiosk" = [])),
    responses(
        (status = 201, description = "Stored; every file is at offset 0", body = SubmissionState),
        (status = 200, description = "This key already holds the identical manifest; the state of its uploads (and the receipt once completed)", body = SubmissionState),
        (status = 400, description = "Malformed key or JSON syntax", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 413, description = "Manifest over 256 KiB, a file over max_upload_file_bytes, or files totalling over max_submission_bytes", body = ErrorBody),
        (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
        (status = 422, description = "This key holds a different manifest; or a rule is broken: unknown procedure, procedure not online, unknown document name, a required document without a file, no files, duplicate file id, empty file, too many files, invalid applicant", body = ErrorBody),
    )
)]
pub async fn put_submission(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<SubmissionState>), ApiError> {
    let key = client_id(&key, "idempotency key")?;
    if !content_type_is(&headers, "application/json") {
        return Err(ApiError::UnsupportedMediaType(
            "send the manifest with Content-Type: application/json".into(),
        ));
    }
    let bytes = small_body(body, MAX_MANIFEST_BYTES).await?;
    let manifest: SubmissionManifest = serde_json::from_slice(&bytes).map_err(|e| {
        let message = redact_json_error(&e);
        match e.classify() {
            serde_json::error::Category::Data => ApiError::Unprocessable(message),
            _ => ApiError::BadRequest(message),
        }
    })?;
    let limits = Limits::from_config(&state.config);
    let kiosk = auth.kiosk.clone();
    let shown_key = key.clone();
    let put = blocking(&state.submissions, move |store| {
        Ok(store.put(&kiosk, &key, &manifest, &limits, OffsetDateTime::now_utc())?)
    })
    .await?;
    if put.created {
        tracing::info!(kiosk = %auth.kiosk, key = %shown_key, files = put.state.files.len(), "submission stored");
        Ok((StatusCode::CREATED, Json(put.state)))
    } else {
        Ok((StatusCode::OK, Json(put.state)))
    }
}

/// How many bytes of a file the server holds: where to resume.
#[utoipa::path(
    head,
    path = "/api/v1/submissions/{idempotency_key}/files/{file_id}",
    tag = "submission",
    params(
        ("idempotency_key" = inline(ClientId), Path, description = "The submission's key"),
        ("file_id" = inline(ClientId), Path, description = "A file id from the manifest"),
    ),
    security(("kiosk" = [])),
    responses(
        (status = 200, description = "No body",
         headers(("Upload-Offset" = u64, description = "Bytes the server holds; send the rest from here. An upload of this file still in progress is stopped first (its bytes are kept and counted)"),
                 ("Upload-Length" = u64, description = "The file's declared size"))),
        (status = 400, description = "Malformed key or file id"),
        (status = 401, description = "No valid kiosk credential"),
        (status = 404, description = "No such submission for this kiosk, or no such file in it"),
    )
)]
pub async fn upload_offset(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path((key, file_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let key = client_id(&key, "idempotency key")?;
    let file_id = client_id(&file_id, "file id")?;
    let (files, locks) = (state.files.clone(), state.upload_locks.clone());
    let (kiosk, key2, file_id2) = (auth.kiosk.clone(), key.clone(), file_id.clone());
    let file = blocking(&state.submissions, move |store| {
        Ok(store.file(&kiosk, &key2, &file_id2)?)
    })
    .await?;
    // A kiosk asks where a file stands only to resume it, so a request for this file still open
    // is one the kiosk has given up on: it is stopped and its bytes counted, and the answer is
    // where the file really ends, not the last checkpoint (see UploadLocks). If it does not stop
    // in time, the stored offset is still a safe answer.
    let guard = locks
        .take_over(file.submission, &file.file_id, TAKEOVER_WAIT)
        .await;
    let (offset, size) = blocking(&state.submissions, move |store| {
        let file = store.file(&auth.kiosk, &key, &file_id)?;
        let offset = match guard {
            Some(_guard) => reconcile(store, &files, &file)?,
            None => file.offset,
        };
        Ok((offset, file.size))
    })
    .await?;
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    headers.insert(UPLOAD_LENGTH, HeaderValue::from(size));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(with_offset(response, offset))
}

/// Append bytes to a file at `Upload-Offset`, which must be the offset the server holds. The body
/// is streamed to disk; when the last byte arrives the file's SHA-256 and content type are checked
/// and it is stored.
#[utoipa::path(
    patch,
    path = "/api/v1/submissions/{idempotency_key}/files/{file_id}",
    tag = "submission",
    params(
        ("idempotency_key" = inline(ClientId), Path, description = "The submission's key"),
        ("file_id" = inline(ClientId), Path, description = "A file id from the manifest"),
        ("Upload-Offset" = u64, Header, description = "Where these bytes start: the offset the server holds (HEAD)"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream", description = "The file's bytes from Upload-Offset on, all or part of the rest"),
    security(("kiosk" = [])),
    responses(
        (status = 204, description = "Appended (and, at the end of the file, verified and stored)",
         headers(("Upload-Offset" = u64, description = "Bytes the server now holds"))),
        (status = 400, description = "Missing or malformed Upload-Offset, or the body broke off (Upload-Offset says what was kept)", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 404, description = "No such submission for this kiosk, or no such file in it", body = ErrorBody),
        (status = 409, description = "Upload-Offset is not the server's (the answer's Upload-Offset header is), or another upload of this file is in progress", body = ErrorBody),
        (status = 413, description = "The bytes go past the file's declared size; nothing of this request is kept", body = ErrorBody),
        (status = 415, description = "Not Content-Type: application/offset+octet-stream", body = ErrorBody),
        (status = 422, description = "The complete file's SHA-256 (\"hash mismatch\") or content type differs from the manifest; the file is reset to offset 0", body = ErrorBody),
    )
)]
pub async fn append_bytes(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path((key, file_id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let body = request.into_limited_body();
    let prepared = prepare_append(&auth, &state, &key, &file_id, &headers).await;
    let (upload, upload_body) = match prepared {
        Ok(upload) => (upload, body),
        Err(response) => return refuse(body, response).await,
    };
    // Its own task: if the client goes away, the handler is dropped but the bytes already
    // received are still made durable and counted.
    let outcome = match tokio::spawn(upload.run(upload_body)).await {
        Ok(outcome) => outcome,
        Err(e) => Err(ApiError::from(e)),
    };
    match outcome {
        Ok(Appended::Done { offset }) => {
            with_offset(StatusCode::NO_CONTENT.into_response(), offset)
        }
        Ok(Appended::Interrupted { offset }) => with_offset(
            ApiError::BadRequest(format!(
                "the request body broke off; {offset} bytes are kept, resume from there"
            ))
            .into_response(),
            offset,
        ),
        Err(e) => e.into_response(),
    }
}

/// Reads the body away before an early answer, so the client, still sending, gets to read the
/// answer instead of a reset connection.
async fn refuse(body: Body, response: Response) -> Response {
    drain(body).await;
    response
}

/// Checks a `PATCH` before any byte is written: the upload to run, holding the file's lock, or
/// the answer to give at once (a refusal, or `204` for a file already complete).
async fn prepare_append(
    auth: &KioskAuth,
    state: &AppState,
    key: &str,
    file_id: &str,
    headers: &HeaderMap,
) -> Result<Upload, Response> {
    let key = client_id(key, "idempotency key").map_err(IntoResponse::into_response)?;
    let file_id = client_id(file_id, "file id").map_err(IntoResponse::into_response)?;
    if !content_type_is(headers, OFFSET_OCTET_STREAM) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send file bytes with Content-Type: {OFFSET_OCTET_STREAM}"
        ))
        .into_response());
    }
    let sent: u64 = headers
        .get(UPLOAD_OFFSET)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            ApiError::BadRequest("send Upload-Offset: the number of bytes the server holds".into())
                .into_response()
        })?;
    let declared_length: Option<u64> = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let (files, locks) = (state.files.clone(), state.upload_locks.clone());
    let kiosk = auth.kiosk.clone();
    let (kiosk2, key2, file_id2) = (kiosk.clone(), key.clone(), file_id.clone());
    let file = blocking(&state.submissions, move |store| {
        Ok(store.file(&kiosk2, &key2, &file_id2)?)
    })
    .await
    .map_err(IntoResponse::into_response)?;
    let guard = locks
        .take_over(file.submission, &file.file_id, TAKEOVER_WAIT)
        .await
        .ok_or_else(|| {
            ApiError::from(SubmissionError::UploadBusy(file.file_id.clone())).into_response()
        })?;
    // Read again under the lock: the request taken over from has just stored its offset.
    let (file, current) = blocking(&state.submissions, move |store| {
        let file = store.file(&kiosk, &key, &file_id)?;
        let current = reconcile(store, &files, &file)?;
        Ok((file, current))
    })
    .await
    .map_err(IntoResponse::into_response)?;
    if sent != current {
        let error = SubmissionError::OffsetMismatch {
            file_id: file.file_id.clone(),
            sent,
            current,
        };
        return Err(with_offset(ApiError::from(error).into_response(), current));
    }
    if declared_length.is_some_and(|n| sent.saturating_add(n) > file.size) {
        let error = SubmissionError::TooLarge(format!(
            "file {} is declared as {} bytes; {} bytes from offset {sent} go past its end",
            file.file_id,
            file.size,
            declared_length.unwrap_or_default()
        ));
        return Err(with_offset(ApiError::from(error).into_response(), current));
    }
    if file.complete {
        return Err(with_offset(
            StatusCode::NO_CONTENT.into_response(),
            file.size,
        ));
    }
    Ok(Upload {
        store: state.submissions.clone(),
        files: state.files.clone(),
        file,
        start: current,
        guard,
    })
}

/// Finish a submission whose files are all uploaded: the dossier is created (code, dates, status
/// token) and its receipt returned. Idempotent: every later call returns the same receipt.
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{idempotency_key}/complete",
    tag = "submission",
    params(("idempotency_key" = inline(ClientId), Path, description = "The submission's key")),
    security(("kiosk" = [])),
    responses(
        (status = 200, description = "The dossier's receipt, the same on every call", body = SubmissionReceipt),
        (status = 400, description = "Malformed key", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 404, description = "No such submission for this kiosk", body = ErrorBody),
        (status = 409, description = "Some files are not completely uploaded; the message lists them", body = ErrorBody),
        (status = 422, description = "The procedure left the catalog since the manifest was stored", body = ErrorBody),
    )
)]
pub async fn complete_submission(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<SubmissionReceipt>, ApiError> {
    let key = client_id(&key, "idempotency key")?;
    let intake = Intake::from_config(&state.config);
    let kiosk = auth.kiosk.clone();
    let shown_key = key.clone();
    let completed = blocking(&state.submissions, move |store| {
        Ok(store.complete(&kiosk, &key, &intake, OffsetDateTime::now_utc())?)
    })
    .await?;
    if completed.created {
        tracing::info!(kiosk = %auth.kiosk, key = %shown_key, code = %completed.receipt.code, "submission completed");
        let files = Arc::clone(&state.files);
        let submission = completed.submission;
        let cleaned = tokio::task::spawn_blocking(move || files.remove_parts(submission)).await?;
        if let Err(e) = cleaned {
            tracing::warn!(error = %e, submission, "cannot remove the upload directory");
        }
    }
    Ok(Json(completed.receipt))
}
