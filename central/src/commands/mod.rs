//! The command line's subcommands other than `serve`, `import` and `gen-catalog`: all of them work
//! on the database directly, so they also work while the server runs (SQLite WAL).

pub mod access;
pub mod demo_receipts;
pub mod dossier;
pub mod feedback;
pub mod kiosk_config;
pub mod staff;

use motcua_central::status::page::format_moment;
use time::OffsetDateTime;

/// A stored Unix time as `dd/mm/yyyy HH:MM` Vietnam time, or `-`.
fn moment(unix: Option<i64>) -> String {
    unix.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .map(format_moment)
        .unwrap_or_else(|| "-".to_owned())
}
