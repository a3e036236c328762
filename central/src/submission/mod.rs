//! Dossiers submitted online at kiosks (the protocol is described in `motcua_protocol`'s
//! `submission` module): the kiosk stores a manifest under an idempotency key, uploads each file
//! resumably, and completes the submission, which creates the dossier and its receipt. The
//! province's one-stop system takes completed submissions over from an export feed. Visitors can
//! also photograph documents with their own phone (`/tai-len/<token>`), for the kiosk to collect.
//!
//! Personal data (the applicant) lives only in `submissions.manifest`; it is never logged and
//! never part of an error message.

pub mod api;
mod error;
pub mod export;
pub mod files;
pub mod multipart;
pub mod phone_api;
pub mod phone_page;
pub mod phone_store;
pub mod purge;
pub mod rules;
pub mod store;
pub mod upload;

pub use error::SubmissionError;
pub use files::FileStore;
pub use phone_store::PhoneUploadStore;
pub use store::SubmissionStore;
pub use upload::UploadLocks;
