//! Wire types shared by the kiosk and the central server.
//!
//! Everything that crosses HTTP between the two sides, and the catalog file format
//! (`docs/catalog-format.md`), is defined here once so the two can never disagree.

mod applicant;
mod catalog;
mod code;
mod dossier;
mod feedback;
mod fleet;
mod kiosk;
mod phone_upload;
mod submission;
mod sync;
mod validate;

pub use applicant::{
    Applicant, ApplicantError, ApplicantInput, CitizenCard, CitizenId, CitizenIdError, Email,
    EmailError, PhoneError, PhoneNumber, TextFieldError, parse_date,
};
pub use catalog::{
    AmountVnd, CATALOG_FORMAT, CatalogFile, Fee, OnlineLevel, Procedure, RequiredDocument,
};
pub use code::{ProcedureCode, ProcedureCodeError};
pub use dossier::{
    DossierCode, DossierCodeError, DossierRegistration, DossierStatus, DossierStatusError,
    DossierView, EventOutcome, EventReceipt, FieldStatistics, MonthStatistics, ResolutionCounts,
    STATUS_PAGE_PREFIX, Statistics, StatusChange, StatusEvent, StatusToken, StatusTokenError,
    Timeliness, status_url,
};
pub use feedback::{
    AnswerText, Comment, FEEDBACK_PAGE_PREFIX, FeedbackAnswer, FeedbackManifest, FeedbackReceipt,
    FeedbackReference, FeedbackReferenceError, FeedbackText, FeedbackTopic, FeedbackView,
    RatingCounts, RatingGroup, RatingManifest, RatingReceipt, RatingStatistics, Satisfaction,
    ServicePoint, VisitorText, VisitorTextError, feedback_url,
};
pub use fleet::{
    HEARTBEAT_MAX_ERROR_CHARS, HEARTBEAT_MAX_ERRORS, Heartbeat, HeartbeatResponse, PrinterState,
    REMOTE_FORBIDDEN_KEYS, REMOTE_SETTING_KEYS, RemoteConfig, check_remote_settings,
};
pub use kiosk::{EnrollRequest, EnrollResponse};
pub use phone_upload::{PhoneUploadFile, PhoneUploadList, PhoneUploadSession};
pub use submission::{
    ClientId, ClientIdError, DocumentManifest, FileManifest, MediaType, Sha256Error, Sha256Hex,
    SubmissionManifest, SubmissionReceipt, SubmissionState, UploadProgress,
};
pub use sync::{CatalogDelta, Health};
pub use validate::{RecordError, parse_catalog, parse_procedure};
