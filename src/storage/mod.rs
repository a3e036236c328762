//! The kiosk's one SQLite database: opened in WAL mode with foreign keys on, migrated at open, and
//! refused if a newer version of the kiosk wrote it.

use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot open the kiosk database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "the kiosk database {path} was written by a newer version of motcua-kiosk (schema {found}, \
         this version knows up to {known}); install the newer version or move the database away"
    )]
    TooNew {
        path: String,
        found: i64,
        known: usize,
    },
    #[error("cannot migrate the kiosk database {path}: {source}")]
    Migrate {
        path: String,
        source: rusqlite_migration::Error,
    },
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("storage worker: {0}")]
    Worker(String),
    #[error("stored record {code} is unreadable: {reason}")]
    Corrupt { code: String, reason: String },
}

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> Self {
        notice_damage(&error);
        Self::Sqlite(error)
    }
}

/// The first damage met while running, until the storage worker has marked it on disk.
static NOTICED: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
/// Whether damage was met while running at all (it is said once).
static DAMAGE_SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Whether the damage is marked on disk, so that a restart replaces the database.
static REPLACE_AT_START: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A database found damaged while the kiosk runs (SQLITE_CORRUPT, SQLITE_NOTADB on a query):
/// said once, as an error staff see on the staff screen and the fleet view. The storage worker
/// then marks the file so that the next start sets it aside and replaces it ([`recovery`]) even
/// if the start's own check passes, and the kiosk screen restarts itself at its next quiet
/// moment; until then it keeps running on what still reads.
pub fn notice_damage(error: &rusqlite::Error) {
    use std::sync::atomic::Ordering;
    if recovery::is_damage(error) && !DAMAGE_SAID.swap(true, Ordering::SeqCst) {
        *NOTICED.lock().unwrap_or_else(|e| e.into_inner()) = Some(error.to_string());
        tracing::error!(
            "the kiosk database is damaged ({error}); it is set aside and replaced at the next \
             start (the kiosk screen restarts itself when no visitor is using it)"
        );
    }
}

/// The damage noticed since the last call, for the storage worker to mark on disk.
fn take_noticed_damage() -> Option<String> {
    NOTICED.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Whether the database was found damaged while running and is marked for replacement: a
/// restart is then worth it (without the mark it could find the same damage again).
pub fn damage_seen() -> bool {
    REPLACE_AT_START.load(std::sync::atomic::Ordering::SeqCst)
}

/// A write past the process's file size limit (systemd's `LimitFSIZE=`, `ulimit -f`) kills the
/// process with SIGXFSZ by default. Ignored, the write fails with EFBIG as on a full disk, and
/// the kiosk tells the visitor the dossier was not saved instead of vanishing mid-submission.
pub fn fail_writes_past_the_file_size_limit() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: SIG_IGN runs no handler code, and nothing else in the kiosk handles SIGXFSZ.
    if let Err(e) = unsafe { signal(Signal::SIGXFSZ, SigHandler::SigIgn) } {
        tracing::warn!("cannot ignore SIGXFSZ: {e}");
    }
}

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_catalog.sql"),
    include_str!("migrations/0002_field_usage.sql"),
    include_str!("migrations/0003_status.sql"),
    include_str!("migrations/0004_outbox.sql"),
    include_str!("migrations/0005_outbox_kinds.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

pub fn open(path: &Path) -> Result<Connection, StorageError> {
    let shown = path.display().to_string();
    let mut conn = Connection::open(path).map_err(|source| StorageError::Open {
        path: shown.clone(),
        source,
    })?;
    // Pragmas go outside any transaction; journal_mode cannot change inside one.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > MIGRATIONS.len() as i64 {
        return Err(StorageError::TooNew {
            path: shown,
            found,
            known: MIGRATIONS.len(),
        });
    }
    migrations()
        .to_latest(&mut conn)
        .map_err(|source| StorageError::Migrate {
            path: shown,
            source,
        })?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_in_wal_mode_and_refuses_newer_schema() {
        assert!(migrations().validate().is_ok());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.db");
        let conn = open(&path).unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.pragma_update(None, "user_version", 42).unwrap();
        drop(conn);
        let err = open(&path).unwrap_err();
        assert!(
            matches!(err, StorageError::TooNew { found: 42, .. }),
            "{err}"
        );
    }
}

pub mod recovery;
mod trim;
pub mod worker;
pub use worker::{Storage, StorageHandle, WorkerGone};
