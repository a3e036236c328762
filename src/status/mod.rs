//! Dossier status: what a scanned receipt or a typed code means, the lookup against the central
//! server with an offline fallback, and the resolution statistics.

pub mod cache;
pub mod client;
pub mod command;
pub mod lookup;
pub mod scan;
pub mod statistics;

pub use cache::StatusCache;
pub use client::{StatusClient, StatusError};
pub use lookup::{Lookup, LookupKey, look_up};
pub use scan::{Scanned, parse_scanned, parse_scanned_bytes};

/// Vietnam has one time zone and no daylight saving time.
pub const VIETNAM: time::UtcOffset = match time::UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => time::UtcOffset::UTC,
};

/// The calendar day in Vietnam at unix time `now`.
pub fn today_in_vietnam(now: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(now)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(VIETNAM)
        .date()
}
