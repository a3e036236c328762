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
    Sqlite(#[from] rusqlite::Error),
    #[error("storage worker: {0}")]
    Worker(String),
    #[error("stored record {code} is unreadable: {reason}")]
    Corrupt { code: String, reason: String },
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

pub mod worker;
pub use worker::{Storage, StorageHandle, WorkerGone};
