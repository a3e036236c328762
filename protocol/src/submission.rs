//! Submitting a dossier from a kiosk: the manifest, resumable file uploads, and the receipt.
//!
//! 1. `PUT /api/v1/submissions/{idempotency_key}` with a [`SubmissionManifest`]: the server stores
//!    it once (the same key with a different manifest → 422) and answers [`SubmissionState`].
//! 2. Each file: `HEAD /api/v1/submissions/{key}/files/{file_id}` → `Upload-Offset`; then
//!    `PATCH` the same URL with `Upload-Offset: n` and the bytes from `n` on (tus-style). The
//!    server checks the SHA-256 when the last byte arrives.
//! 3. `POST /api/v1/submissions/{key}/complete` → [`SubmissionReceipt`], the same every time.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{Applicant, DossierCode, DossierStatus, ProcedureCode, StatusToken};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// What a document file really is, from its first bytes, never from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum MediaType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "application/pdf")]
    Pdf,
}

impl MediaType {
    /// Recognises JPEG, PNG and PDF by their signatures.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }
}

/// A file's SHA-256, 64 lower-case hex digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = r"^[0-9a-f]{64}$")]
pub struct Sha256Hex(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed SHA-256: expected 64 lower-case hex digits")]
pub struct Sha256Error;

impl Sha256Hex {
    pub fn parse(text: &str) -> Result<Self, Sha256Error> {
        if text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(text.to_owned()))
        } else {
            Err(Sha256Error)
        }
    }

    pub fn from_digest(digest: &[u8; 32]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for b in digest {
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
        Self(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hex({})", &self.0[..12])
    }
}

impl TryFrom<String> for Sha256Hex {
    type Error = Sha256Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Sha256Hex> for String {
    fn from(hash: Sha256Hex) -> Self {
        hash.0
    }
}

/// An identifier made by the kiosk: 1–64 characters of `A-Z a-z 0-9 - _`. Used for idempotency
/// keys and file ids, so it is safe in URLs and file names.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = r"^[A-Za-z0-9_-]{1,64}$")]
pub struct ClientId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed identifier: expected 1–64 characters of A-Z, a-z, 0-9, '-' or '_'")]
pub struct ClientIdError;

impl ClientId {
    pub fn parse(text: &str) -> Result<Self, ClientIdError> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(ClientIdError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientId {
    type Error = ClientIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> Self {
        id.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One page (file) of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileManifest {
    pub file_id: ClientId,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: Sha256Hex,
}

/// The files attached for one of the procedure's required documents (by its name in the catalog).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentManifest {
    pub document: String,
    pub files: Vec<FileManifest>,
}

/// Everything about a submission except the file bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionManifest {
    pub procedure_code: ProcedureCode,
    pub applicant: Applicant,
    pub documents: Vec<DocumentManifest>,
    /// The reference the kiosk printed before the server answered, e.g. `QUAY-1-20261122-0007`.
    pub local_reference: String,
    /// When the visitor confirmed, on the kiosk's clock.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub confirmed_at: OffsetDateTime,
    /// A status token the kiosk drew (128 random bits) and printed as the receipt's QR code
    /// before the server answered; the dossier gets it, so that QR code works once delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_token: Option<StatusToken>,
}

/// How far one file's upload has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadProgress {
    pub file_id: ClientId,
    pub offset: u64,
    pub size: u64,
    pub complete: bool,
}

/// The answer to `PUT /api/v1/submissions/{key}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmissionState {
    pub files: Vec<UploadProgress>,
    /// Present once the submission was completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<SubmissionReceipt>,
}

/// What the visitor's receipt shows once the server has the dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmissionReceipt {
    pub code: DossierCode,
    pub procedure_code: ProcedureCode,
    pub procedure_name: String,
    /// Where and by whom the dossier is handled.
    pub agency: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub status: DossierStatus,
    /// The public status page: what the receipt's QR code encodes.
    pub status_url: String,
    /// Sum of the procedure's fees, in đồng.
    pub fee_total_vnd: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_content() {
        assert_eq!(
            MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(
            MediaType::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(MediaType::Png)
        );
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(MediaType::sniff(b"MZ\x90\x00"), None, "a Windows program");
        assert_eq!(MediaType::sniff(b""), None);
        assert_eq!(
            serde_json::to_string(&MediaType::Pdf).unwrap(),
            "\"application/pdf\""
        );
    }

    #[test]
    fn hashes_and_ids() {
        let hash = Sha256Hex::from_digest(&[0xAB; 32]);
        assert_eq!(hash.as_str(), "ab".repeat(32));
        assert!(Sha256Hex::parse(&"AB".repeat(32)).is_err());
        assert!(ClientId::parse("a-Z_9").is_ok());
        for bad in ["", "../etc", "a b", &"x".repeat(65)] {
            assert!(ClientId::parse(bad).is_err(), "{bad}");
        }
    }
}
