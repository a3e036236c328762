//! Who may call the protected APIs: kiosks (enrolled with a one-time code, then a bearer
//! credential), the province's integration clients (a bearer token) and staff (a name and
//! password); and the fleet they look after: each kiosk's health and remote configuration.

pub mod api;
pub mod auth;
pub mod fleet;
pub mod fleet_alerts;
pub mod fleet_api;
pub mod fleet_page;
pub mod integrations;
pub mod kiosks;
pub mod passwords;
pub mod secrets;
pub mod staff;
pub mod staff_auth;

pub use auth::{IntegrationAuth, KioskAuth};
pub use fleet::{FleetKiosk, StoredConfig};
pub use fleet_alerts::{Alert, AlertRules};
pub use integrations::IntegrationInfo;
pub use kiosks::{EnrollRefusal, KioskInfo};
pub use staff::StaffInfo;
pub use staff_auth::{StaffAuth, StaffGuard};

use rusqlite::Connection;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum OperationsError {
    #[error(
        "name {0:?} is not valid: use 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit"
    )]
    BadName(String),
    #[error("kiosk {0} already exists")]
    KioskExists(String),
    #[error("no kiosk named {0}")]
    UnknownKiosk(String),
    #[error("kiosk {0} is revoked; give the replacement kiosk a new name")]
    KioskRevoked(String),
    #[error("integration {0} already exists")]
    IntegrationExists(String),
    #[error("no integration named {0}")]
    UnknownIntegration(String),
    #[error("integration {0} is revoked; give the replacement a new name")]
    IntegrationRevoked(String),
    #[error("kiosk {0} is revoked; its configuration can no longer change")]
    RevokedKioskConfig(String),
    /// A heartbeat that breaks a limit; the message names the field and the limit.
    #[error("{0}")]
    InvalidHeartbeat(String),
    /// Remote settings `check_remote_settings` refused; the message says why.
    #[error("remote settings refused: {0}")]
    SettingsRefused(String),
    #[error("staff account {0} already exists")]
    StaffExists(String),
    #[error("no staff account named {0}")]
    UnknownStaff(String),
    #[error("{0}")]
    WeakPassword(String),
    #[error("cannot hash the password: {0}")]
    PasswordHash(String),
    /// A stored row this version cannot read (written by hand, or by a broken version).
    #[error("stored fleet data is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Enroll(#[from] EnrollRefusal),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for OperationsError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::Sqlite(e))
    }
}

/// Kiosk and integration records. One connection to the server's database, behind a mutex.
pub struct OperationsStore {
    conn: Connection,
}

impl OperationsStore {
    pub fn new(conn: Connection) -> Self {
        Self { conn }
    }
}

/// Names appear in logs, command output and history sources, so they stay plain.
pub(crate) fn check_name(name: &str) -> Result<(), OperationsError> {
    let ok = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(OperationsError::BadName(name.chars().take(80).collect()))
    }
}

/// A store on a fresh database in a temporary folder (kept alive by the returned guard), for the
/// unit tests of this module's parts.
#[cfg(test)]
pub(crate) fn temporary_store() -> (tempfile::TempDir, OperationsStore) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let conn = crate::db::open(&dir.path().join("c.db")).expect("database");
    (dir, OperationsStore::new(conn))
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_are_plain() {
        assert!(check_name("quay-1.tang_2").is_ok());
        for bad in ["", "-x", "có dấu", "a b", "a/b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
