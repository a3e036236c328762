//! Photographing documents with one's own phone: the kiosk asks the server for an upload session,
//! shows its `upload_url` as a QR code, and collects what the phone sent.
//!
//! 1. `POST /api/v1/phone-uploads` (kiosk credential) → [`PhoneUploadSession`].
//! 2. The visitor's phone opens `upload_url` (`<public_url>/tai-len/<token>`), a plain web page
//!    with a file input that opens the camera; the first phone to open it claims the session.
//! 3. The kiosk polls `GET /api/v1/phone-uploads/{session_id}` → [`PhoneUploadList`], fetches
//!    each file from `GET /api/v1/phone-uploads/{session_id}/files/{file_id}`, and ends the session
//!    with `DELETE /api/v1/phone-uploads/{session_id}` (which deletes the files on the server).
//!
//! Sessions expire after the server's `phone_upload_minutes` (default 15); their files go with them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ClientId, MediaType, Sha256Hex};

/// A new phone upload session (`POST /api/v1/phone-uploads`, 201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PhoneUploadSession {
    pub session_id: ClientId,
    /// What the kiosk shows as a QR code; it carries a 128-bit secret, so it is never logged.
    pub upload_url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// One file a phone sent, its type told by its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PhoneUploadFile {
    pub file_id: ClientId,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: Sha256Hex,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
}

/// `GET /api/v1/phone-uploads/{session_id}`: the files received so far, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PhoneUploadList {
    pub files: Vec<PhoneUploadFile>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}
