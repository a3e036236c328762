//! Dossier status: dossiers and their history, the public status page behind a receipt's QR code,
//! the kiosk's lookup API, the province's integration API, resolution statistics, and demo data.

pub mod api;
pub mod demo;
mod error;
pub mod integration;
pub mod page;
pub mod receipt_qr;
pub mod rules;
pub mod stats;
pub mod store;

pub use error::StatusError;
pub use store::{Dossier, DossierStore, DossierSummary, Registered};

use time::{Date, OffsetDateTime, UtcOffset};

/// Vietnam has one time zone, UTC+7, and no daylight saving time.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+7 is a valid offset"),
};

/// Today's date in Vietnam: what "received on", "due on" and "overdue" are counted in.
pub fn today_in_vietnam() -> Date {
    OffsetDateTime::now_utc().to_offset(VIETNAM).date()
}

/// The Vietnam calendar day of an instant.
pub fn vietnam_date(at: OffsetDateTime) -> Date {
    at.to_offset(VIETNAM).date()
}
