//! What visitors say about the service (the wire types are in `motcua_protocol`'s `feedback`
//! module): satisfaction ratings and feedback that kiosks deliver under an idempotency key, the
//! public answer page behind a feedback's reference (`/phan-anh/<reference>`), staff answers, and
//! rating statistics. See docs/feedback.md.
//!
//! Comments, feedback text, phone numbers and references are never logged, and never part of an
//! error message: log lines name the kiosk, the idempotency key, the face or the topic.

pub mod api;
mod error;
pub mod fleet_section;
pub mod limit;
pub mod page;
pub mod staff_api;
pub mod stats;
pub mod store;

pub use error::{FeedbackError, whole_seconds};
pub use limit::KioskLimiter;
pub use store::{FeedbackItem, FeedbackStore};
