//! The kiosk's side of phone uploads: open a session (its link goes in a QR code), list and fetch
//! what the phone sent, end the session.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_protocol::{PhoneUploadList, PhoneUploadSession};
use time::{Duration, OffsetDateTime};

use super::files::file_response;
use super::purge::purge_expired_sessions;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState, blocking};
use crate::operations::KioskAuth;

/// Where phones open a session: `<public_url>/tai-len/<token>`.
pub const PHONE_PAGE_PREFIX: &str = "/tai-len/";

/// Open a phone upload session for this kiosk. Show `upload_url` as a QR code: the first phone to
/// open it can send photos and PDFs until `expires_at`.
#[utoipa::path(
    post,
    path = "/api/v1/phone-uploads",
    tag = "submission",
    security(("kiosk" = [])),
    responses(
        (status = 201, description = "A new session", body = PhoneUploadSession),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
    )
)]
pub async fn create_session(
    auth: KioskAuth,
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<PhoneUploadSession>), ApiError> {
    purge_expired_sessions(&state).await?;
    let lifetime = Duration::minutes(i64::from(state.config.phone_upload_minutes.get()));
    let kiosk = auth.kiosk.clone();
    let new = blocking(&state.phone_uploads, move |store| {
        Ok(store.create(&kiosk, OffsetDateTime::now_utc(), lifetime)?)
    })
    .await?;
    tracing::info!(kiosk = %auth.kiosk, session = %new.id, "phone upload session opened");
    let upload_url = format!(
        "{}{PHONE_PAGE_PREFIX}{}",
        state.config.public_base(),
        new.token
    );
    Ok((
        StatusCode::CREATED,
        Json(PhoneUploadSession {
            session_id: new.id,
            upload_url,
            expires_at: new.expires_at,
        }),
    ))
}

/// The files a phone has sent in this kiosk's session so far.
#[utoipa::path(
    get,
    path = "/api/v1/phone-uploads/{session_id}",
    tag = "submission",
    params(("session_id" = String, Path, description = "From POST /api/v1/phone-uploads")),
    security(("kiosk" = [])),
    responses(
        (status = 200, description = "Files received, oldest first", body = PhoneUploadList),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 404, description = "No live session with this id for this kiosk (ended or expired)", body = ErrorBody),
    )
)]
pub async fn list_files(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path(session): Path<String>,
) -> Result<Json<PhoneUploadList>, ApiError> {
    purge_expired_sessions(&state).await?;
    let list = blocking(&state.phone_uploads, move |store| {
        Ok(store.list(&auth.kiosk, &session, OffsetDateTime::now_utc())?)
    })
    .await?;
    Ok(Json(list))
}

/// One file a phone sent: its bytes.
#[utoipa::path(
    get,
    path = "/api/v1/phone-uploads/{session_id}/files/{file_id}",
    tag = "submission",
    params(
        ("session_id" = String, Path, description = "From POST /api/v1/phone-uploads"),
        ("file_id" = String, Path, description = "From the session's file list"),
    ),
    security(("kiosk" = [])),
    responses(
        (status = 200, description = "The file, with its Content-Type and Content-Length", content_type = "application/octet-stream"),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 404, description = "No such live session for this kiosk, or no such file in it", body = ErrorBody),
    )
)]
pub async fn get_file(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path((session, file_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    purge_expired_sessions(&state).await?;
    let wanted = (session.clone(), file_id.clone());
    let file = blocking(&state.phone_uploads, move |store| {
        Ok(store.file(&auth.kiosk, &wanted.0, &wanted.1, OffsetDateTime::now_utc())?)
    })
    .await?;
    let path = state.files.phone_path(&session, file.file_id.as_str());
    Ok(file_response(&path, file.media_type, file.size, Some(&file.sha256)).await?)
}

/// End a session: the link stops working and its files are deleted from the server.
#[utoipa::path(
    delete,
    path = "/api/v1/phone-uploads/{session_id}",
    tag = "submission",
    params(("session_id" = String, Path, description = "From POST /api/v1/phone-uploads")),
    security(("kiosk" = [])),
    responses(
        (status = 204, description = "Ended; its files are deleted"),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 404, description = "No session with this id for this kiosk", body = ErrorBody),
    )
)]
pub async fn end_session(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path(session): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = session.clone();
    blocking(&state.phone_uploads, move |store| {
        Ok(store.end(&auth.kiosk, &id)?)
    })
    .await?;
    let files = state.files.clone();
    tokio::task::spawn_blocking(move || files.remove_phone_session(&session)).await??;
    Ok(StatusCode::NO_CONTENT)
}
