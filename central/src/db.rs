//! The central server's embedded SQLite database.

use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "database {path} was written by a newer version of motcua-central (schema {found}, this \
         version knows up to {known}); upgrade motcua-central or restore a backup"
    )]
    TooNew {
        path: String,
        found: i64,
        known: usize,
    },
    #[error("cannot migrate database {path}: {source}")]
    Migrate {
        path: String,
        source: rusqlite_migration::Error,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_catalog.sql")),
        M::up(include_str!("../migrations/0002_dossiers.sql")),
        M::up(include_str!("../migrations/0003_submissions.sql")),
        M::up(include_str!("../migrations/0004_fleet.sql")),
        M::up(include_str!("../migrations/0005_feedback.sql")),
    ])
}

const MIGRATION_COUNT: usize = 5;

pub fn open(path: &Path) -> Result<Connection, DbError> {
    let shown = path.display().to_string();
    let mut conn = Connection::open(path).map_err(|source| DbError::Open {
        path: shown.clone(),
        source,
    })?;
    // Before anything that may wait for another connection (switching to WAL may).
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Each store has its own connection to this file, and most transactions read before they
    // write. A deferred transaction that has read cannot wait for another connection's write:
    // SQLite answers "database is locked" at once, whatever the busy timeout (a heartbeat failed
    // so while a status event was being written, bench/central_load.py). So transactions take
    // the write lock as they begin, and wait their turn.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > MIGRATION_COUNT as i64 {
        return Err(DbError::TooNew {
            path: shown,
            found,
            known: MIGRATION_COUNT,
        });
    }
    migrations()
        .to_latest(&mut conn)
        .map_err(|source| DbError::Migrate {
            path: shown,
            source,
        })?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn migrations_are_valid_and_counted() {
        assert!(migrations().validate().is_ok());
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("c.db")).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATION_COUNT as i64);
    }

    #[test]
    fn a_catalog_only_database_upgrades_and_keeps_its_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrations().to_version(&mut conn, 1).unwrap();
            conn.execute(
                "INSERT INTO procedures (code, body, version) VALUES ('1.001193', '{}', 1)",
                [],
            )
            .unwrap();
        }
        let conn = open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATION_COUNT as i64);
        let kept = count(&conn, "procedures");
        assert_eq!(kept, 1);
        let dossiers = count(&conn, "dossiers");
        assert_eq!(dossiers, 0);
    }

    #[test]
    fn a_dossier_database_upgrades_to_submissions_and_keeps_its_dossiers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrations().to_version(&mut conn, 2).unwrap();
            conn.execute(
                "INSERT INTO dossiers (code, procedure_code, received_on, due_on, status, token,
                     token_hash, created_at)
                 VALUES ('G00.01-20261123-0000001', '1.001193', '2026-11-23', '2026-11-24', 2,
                     't', x'00', 0)",
                [],
            )
            .unwrap();
        }
        let conn = open(&path).unwrap();
        let dossiers = count(&conn, "dossiers");
        assert_eq!(dossiers, 1);
        let submissions = count(&conn, "submissions");
        assert_eq!(submissions, 0);
    }

    #[test]
    fn a_submissions_database_upgrades_to_fleet_and_keeps_its_kiosks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrations().to_version(&mut conn, 3).unwrap();
            conn.execute(
                "INSERT INTO kiosks (name, created_at) VALUES ('quay-1', 0)",
                [],
            )
            .unwrap();
        }
        let conn = open(&path).unwrap();
        let kiosks = count(&conn, "kiosks");
        assert_eq!(kiosks, 1);
        let health = count(&conn, "kiosk_health");
        assert_eq!(health, 0);
    }

    #[test]
    fn a_fleet_database_upgrades_to_feedback_and_keeps_its_kiosks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrations().to_version(&mut conn, 4).unwrap();
            conn.execute(
                "INSERT INTO kiosks (name, created_at) VALUES ('quay-1', 0)",
                [],
            )
            .unwrap();
        }
        let conn = open(&path).unwrap();
        assert_eq!(count(&conn, "kiosks"), 1);
        assert_eq!(count(&conn, "ratings"), 0);
        assert_eq!(count(&conn, "feedback"), 0);
    }

    #[test]
    fn a_transaction_that_reads_then_writes_waits_for_another_connections_write() {
        // Each store has its own connection: a kiosk's heartbeat must wait for a status event
        // being written, not fail with "database is locked".
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let mut first = open(&path).unwrap();
        let mut second = open(&path).unwrap();
        let (began, wait) = std::sync::mpsc::channel();
        let writer = std::thread::spawn(move || {
            let tx = first.transaction().unwrap();
            tx.execute(
                "INSERT INTO kiosks (name, created_at) VALUES ('quay-1', 0)",
                [],
            )
            .unwrap();
            began.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(200));
            tx.commit().unwrap();
        });
        wait.recv().unwrap();
        let tx = second.transaction().unwrap();
        let before: i64 = tx
            .query_row("SELECT count(*) FROM kiosks", [], |r| r.get(0))
            .unwrap();
        tx.execute(
            "INSERT INTO kiosks (name, created_at) VALUES ('quay-2', 0)",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
        writer.join().unwrap();
        assert_eq!(
            before, 1,
            "the second transaction began after the first committed"
        );
        assert_eq!(count(&second, "kiosks"), 2);
    }

    #[test]
    fn refuses_a_database_from_a_newer_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        drop(open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = open(&path).unwrap_err();
        assert!(matches!(err, DbError::TooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("newer version"));
    }
}
