//! Submitting a dossier online: the applicant and pages the visitor gives, the outbox that keeps
//! a confirmed dossier through any failure, its delivery, and the receipt.

pub mod attachment;
pub mod command;
pub mod delivery;
pub mod document_scanner;
pub mod durable;
pub mod fault;
pub mod intake;
pub mod outbox;
pub mod phone;
pub mod receipt;
pub mod salvage;
pub mod vietqr;

pub use attachment::{Attachment, AttachmentError, Limits};
pub use delivery::{DeliveryClient, DeliveryError, DrainReport, FullJitter, drain};
pub use intake::{Staging, accepts_online, missing_required};
pub use outbox::{
    Confirmed, Delivered, Draft, Outbox, OutboxEntry, OutboxError, OutboxKind, Payload, Waiting,
};
