//! The export feed for the province's one-stop system: dossiers submitted at kiosks, in the order
//! they were completed, with the applicant and links to every file (docs/integration.md, "Taking
//! over dossiers submitted at kiosks").

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use motcua_protocol::{
    Applicant, ClientId, DossierCode, DossierStatus, MediaType, ProcedureCode, Sha256Hex,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

use super::files::file_response;
use super::store::CompletedSubmission;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState, blocking};
use crate::operations::IntegrationAuth;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
/// Where a stored file is downloaded from, followed by its SHA-256.
pub const FILE_PATH_PREFIX: &str = "/api/v1/integration/files/";

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// One page of the feed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubmissionFeed {
    pub submissions: Vec<ExportedSubmission>,
    /// Pass as `after` for the next page; the same cursor again when there is nothing new.
    pub next_cursor: String,
    /// More submissions follow this page: ask again at once.
    pub more: bool,
}

/// A dossier submitted at a kiosk, with everything needed to take it over. Holds personal data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportedSubmission {
    /// This submission's place in the feed.
    pub cursor: String,
    pub dossier_code: DossierCode,
    pub procedure_code: ProcedureCode,
    pub procedure_name: String,
    pub agency: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// The status the dossier was created with: 2 for full online procedures, 1 for partial.
    pub status: DossierStatus,
    pub fee_total_vnd: u64,
    /// The public status page (what the receipt's QR code opens).
    pub status_url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub completed_at: OffsetDateTime,
    /// When the visitor confirmed, on the kiosk's clock.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub confirmed_at: OffsetDateTime,
    /// The kiosk's name.
    pub kiosk: String,
    /// The reference the kiosk printed before the server answered.
    pub local_reference: String,
    pub applicant: Applicant,
    pub documents: Vec<ExportedDocument>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportedDocument {
    /// The document's name in the catalog.
    pub document: String,
    pub files: Vec<ExportedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportedFile {
    pub file_id: ClientId,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: Sha256Hex,
    /// `GET` it with the integration token: `/api/v1/integration/files/<sha256>`.
    pub download_path: String,
}

impl From<CompletedSubmission> for ExportedSubmission {
    fn from(c: CompletedSubmission) -> Self {
        let receipt = c.receipt;
        let manifest = c.manifest;
        Self {
            cursor: c.seq.to_string(),
            dossier_code: receipt.code,
            procedure_code: receipt.procedure_code,
            procedure_name: receipt.procedure_name,
            agency: receipt.agency,
            received_on: receipt.received_on,
            due_on: receipt.due_on,
            status: receipt.status,
            fee_total_vnd: receipt.fee_total_vnd,
            status_url: receipt.status_url,
            completed_at: c.completed_at,
            confirmed_at: manifest.confirmed_at,
            kiosk: c.kiosk,
            local_reference: manifest.local_reference,
            applicant: manifest.applicant,
            documents: manifest
                .documents
                .into_iter()
                .map(|d| ExportedDocument {
                    document: d.document,
                    files: d
                        .files
                        .into_iter()
                        .map(|f| ExportedFile {
                            download_path: format!("{FILE_PATH_PREFIX}{}", f.sha256.as_str()),
                            file_id: f.file_id,
                            media_type: f.media_type,
                            size: f.size,
                            sha256: f.sha256,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `next_cursor` of the previous page; absent or empty: from the first submission.
    #[param(pattern = r"^[0-9]{0,18}$")]
    after: Option<String>,
    /// Submissions per page, 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// Dossiers submitted at kiosks, in the order they were completed, after a cursor.
#[utoipa::path(
    get,
    path = "/api/v1/integration/submissions",
    tag = "submission",
    params(FeedQuery),
    security(("integration" = [])),
    responses(
        (status = 200, description = "The next page of completed submissions", body = SubmissionFeed),
        (status = 400, description = "Malformed cursor, or limit outside 1–100", body = ErrorBody),
        (status = 401, description = "No valid integration token", body = ErrorBody),
    )
)]
pub async fn submission_feed(
    _auth: IntegrationAuth,
    State(state): State<AppState>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<SubmissionFeed>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let after: i64 = match query.after.as_deref() {
        None | Some("") => 0,
        // Exactly what the document's pattern says: digits only (no sign), within an i64.
        Some(text) => Some(text)
            .filter(|t| t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| {
                ApiError::BadRequest("after must be a cursor from this feed (next_cursor)".into())
            })?,
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be from 1 to {MAX_LIMIT}, not {limit}"
        )));
    }
    let mut page = blocking(&state.submissions, move |store| {
        Ok(store.completed_after(after, limit + 1)?)
    })
    .await?;
    let more = page.len() > limit;
    page.truncate(limit);
    let next_cursor = page.last().map_or(after, |s| s.seq).to_string();
    Ok(Json(SubmissionFeed {
        submissions: page.into_iter().map(ExportedSubmission::from).collect(),
        next_cursor,
        more,
    }))
}

/// A file of a completed submission, by its SHA-256.
#[utoipa::path(
    get,
    path = "/api/v1/integration/files/{sha256}",
    tag = "submission",
    params(("sha256" = inline(Sha256Hex), Path, description = "64 lower-case hex digits, as in the feed")),
    security(("integration" = [])),
    responses(
        (status = 200, description = "The file's bytes, with its Content-Type, Content-Length and ETag \"<sha256>\"", content_type = "application/octet-stream"),
        (status = 400, description = "Malformed SHA-256", body = ErrorBody),
        (status = 401, description = "No valid integration token", body = ErrorBody),
        (status = 404, description = "No completed submission has this file", body = ErrorBody),
    )
)]
pub async fn download_file(
    _auth: IntegrationAuth,
    State(state): State<AppState>,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let sha256 = Sha256Hex::parse(&sha256).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let wanted = sha256.clone();
    let found = blocking(&state.submissions, move |store| {
        Ok(store.completed_file(&wanted)?)
    })
    .await?;
    let not_found = || ApiError::NotFound("no completed submission has this file".into());
    let (media_type, size) = found.ok_or_else(not_found)?;
    let path = state.files.stored_path(&sha256);
    Ok(file_response(&path, media_type, size, Some(&sha256)).await?)
}
