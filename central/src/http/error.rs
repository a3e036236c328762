use axum::Json;
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::feedback::FeedbackError;
use crate::operations::OperationsError;
use crate::status::StatusError;
use crate::submission::SubmissionError;

/// Every way an API request can fail, with the HTTP status each one gets.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404: the thing asked for does not exist; the message names it.
    #[error("{0}")]
    NotFound(String),
    /// 400: the request itself is malformed; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// 401 with `WWW-Authenticate: Bearer`: no credential, or one that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// 408: the request body sent nothing for `body_idle_timeout_secs`.
    #[error("{0}")]
    RequestTimeout(String),
    /// 409: the request contradicts what the server already holds.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body, or a file it declares, is larger than allowed; the message gives the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not of the content type the route takes; the message names it.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed, but a value breaks a rule (unknown procedure, dates in the wrong order).
    #[error("{0}")]
    Unprocessable(String),
    /// 429 with `Retry-After: retry_after` (whole seconds).
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    /// 500: our fault. Logged in full; the client only learns that it happened.
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let challenge = matches!(self, Self::Unauthorized(_));
        let retry_after = match &self {
            Self::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let message = match self {
            Self::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        };
        let mut response = (status, Json(ErrorBody { error: message })).into_response();
        if challenge {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"motcua\""),
            );
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl ApiError {
    /// A request body that could not be read to its end: 408 when it stalled (the body idle
    /// timeout), else 400.
    pub fn body_broke_off(error: &axum::Error) -> Self {
        if super::is_body_timeout(error) {
            Self::RequestTimeout("the request body sent nothing for too long".into())
        } else {
            Self::BadRequest("the request body broke off".into())
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<StatusError> for ApiError {
    fn from(e: StatusError) -> Self {
        let message = e.to_string();
        match e {
            StatusError::UnknownDossier(_) => Self::NotFound(message),
            StatusError::UnknownProcedure(_)
            | StatusError::DueBeforeReceived { .. }
            | StatusError::Invalid(_) => Self::Unprocessable(message),
            StatusError::DossierConflict { .. } | StatusError::EventConflict { .. } => {
                Self::Conflict(message)
            }
            StatusError::Corrupt(_) | StatusError::Db(_) => Self::Internal(message),
        }
    }
}

impl From<OperationsError> for ApiError {
    fn from(e: OperationsError) -> Self {
        use crate::operations::EnrollRefusal;
        let message = e.to_string();
        match e {
            OperationsError::Enroll(EnrollRefusal::AlreadyUsed(_)) => Self::Conflict(message),
            OperationsError::Enroll(_) => Self::Unauthorized(message),
            OperationsError::BadName(_) => Self::BadRequest(message),
            OperationsError::KioskExists(_) | OperationsError::IntegrationExists(_) => {
                Self::Conflict(message)
            }
            OperationsError::UnknownKiosk(_) | OperationsError::UnknownIntegration(_) => {
                Self::NotFound(message)
            }
            OperationsError::KioskRevoked(_) | OperationsError::IntegrationRevoked(_) => {
                Self::Unauthorized(message)
            }
            OperationsError::UnknownStaff(_) => Self::NotFound(message),
            OperationsError::StaffExists(_) | OperationsError::RevokedKioskConfig(_) => {
                Self::Conflict(message)
            }
            OperationsError::InvalidHeartbeat(_)
            | OperationsError::SettingsRefused(_)
            | OperationsError::WeakPassword(_) => Self::Unprocessable(message),
            OperationsError::PasswordHash(_)
            | OperationsError::Corrupt(_)
            | OperationsError::Db(_) => Self::Internal(message),
        }
    }
}

impl From<SubmissionError> for ApiError {
    fn from(e: SubmissionError) -> Self {
        let message = e.to_string();
        match e {
            SubmissionError::UnknownSubmission
            | SubmissionError::UnknownFile(_)
            | SubmissionError::UnknownSession(_)
            | SubmissionError::UnknownPhoneFile(_) => Self::NotFound(message),
            SubmissionError::ManifestConflict
            | SubmissionError::Invalid(_)
            | SubmissionError::HashMismatch(_)
            | SubmissionError::WrongContent { .. } => Self::Unprocessable(message),
            SubmissionError::TooLarge(_) => Self::PayloadTooLarge(message),
            // The offset mismatch answer also carries `Upload-Offset`: see submission::api.
            SubmissionError::OffsetMismatch { .. }
            | SubmissionError::UploadBusy(_)
            | SubmissionError::Incomplete(_) => Self::Conflict(message),
            SubmissionError::Status(e) => e.into(),
            SubmissionError::Corrupt(_) | SubmissionError::Io(_) | SubmissionError::Db(_) => {
                Self::Internal(message)
            }
        }
    }
}

impl From<FeedbackError> for ApiError {
    fn from(e: FeedbackError) -> Self {
        let message = e.to_string();
        match e {
            FeedbackError::ContentConflict(_) => Self::Unprocessable(message),
            FeedbackError::ReferenceTaken => Self::Conflict(message),
            FeedbackError::UnknownFeedback => Self::NotFound(message),
            FeedbackError::BadReference(_) => Self::BadRequest(message),
            FeedbackError::RateLimited { wait, .. } => Self::TooManyRequests {
                message,
                retry_after: crate::feedback::whole_seconds(wait),
            },
            FeedbackError::UnknownKiosk(_) | FeedbackError::Corrupt(_) | FeedbackError::Db(_) => {
                Self::Internal(message)
            }
        }
    }
}
