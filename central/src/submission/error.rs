use motcua_protocol::{ClientId, MediaType};

use crate::db::DbError;
use crate::status::StatusError;

/// Every way a submission or phone upload operation can fail. The HTTP layer maps each to a status
/// code. No message ever repeats personal data from a manifest: they name files, documents and
/// procedures, which are not personal.
#[derive(Debug, thiserror::Error)]
pub enum SubmissionError {
    /// 404
    #[error("no submission with this idempotency key from this kiosk")]
    UnknownSubmission,
    /// 404
    #[error("the submission has no file {0}")]
    UnknownFile(ClientId),
    /// 404
    #[error("no phone upload session {0} for this kiosk (it may have expired)")]
    UnknownSession(String),
    /// 404
    #[error("no phone upload file {0} in this session")]
    UnknownPhoneFile(String),
    /// 422
    #[error(
        "this idempotency key was already used for a different manifest; use a new key for a new submission"
    )]
    ManifestConflict,
    /// 422: the manifest or an upload breaks a rule; the message says which.
    #[error("{0}")]
    Invalid(String),
    /// 413
    #[error("{0}")]
    TooLarge(String),
    /// 409, with the current `Upload-Offset`.
    #[error(
        "Upload-Offset {sent} does not match the {current} bytes the server holds for file {file_id}"
    )]
    OffsetMismatch {
        file_id: ClientId,
        sent: u64,
        current: u64,
    },
    /// 409
    #[error("another upload of file {0} is in progress; retry when it has ended")]
    UploadBusy(ClientId),
    /// 422, the file is reset to offset 0.
    #[error(
        "hash mismatch: the bytes of file {0} do not have the SHA-256 the manifest declares; upload it again from offset 0"
    )]
    HashMismatch(ClientId),
    /// 422, the file is reset to offset 0.
    #[error(
        "file {file_id} is declared as {declared} but its content is {found}; upload it again from offset 0"
    )]
    WrongContent {
        file_id: ClientId,
        declared: &'static str,
        found: &'static str,
    },
    /// 409
    #[error("files not yet completely uploaded: {}", list(.0))]
    Incomplete(Vec<ClientId>),
    #[error("stored submission data is damaged: {0}")]
    Corrupt(String),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn list(ids: &[ClientId]) -> String {
    ids.iter()
        .map(ClientId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<rusqlite::Error> for SubmissionError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::Sqlite(e))
    }
}

/// How a content check names a type: the media type, or "not JPEG, PNG or PDF".
pub fn content_name(found: Option<MediaType>) -> &'static str {
    found.map_or("not JPEG, PNG or PDF", MediaType::as_str)
}
