//! A kiosk database damaged on disk (a power cut on a bad disk, a failing SD card, a file
//! overwritten) must not keep the kiosk from starting. Before anything opens it, the database is
//! checked; a damaged one is moved aside with the outbox's files into `damaged-<time>/` (kept
//! for forensics), a fresh database is created, the waiting outbox entries that can still be read
//! whole are carried over, and what could not be is named in a report that staff see until they
//! remove that folder (docs/operations.md). The catalog comes back with the next sync.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::StorageError;
use crate::submission::durable::sync_dir;
use crate::submission::salvage::{self, Salvaged};

/// Folders holding a damaged database start with this.
const DAMAGED_PREFIX: &str = "damaged-";
/// The report in such a folder; its presence keeps the report in front of staff.
const REPORT_FILE: &str = "report.txt";

/// What happened to a damaged database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Where the damaged files now are.
    pub folder: PathBuf,
    /// Why the database was found damaged (SQLite's words).
    pub cause: String,
    pub salvaged: Salvaged,
}

impl Recovery {
    /// The report, one line per fact, each short enough for the heartbeat (300 characters);
    /// references only, nothing about the visitors.
    pub fn lines(&self) -> Vec<String> {
        let Salvaged {
            recovered,
            lost,
            unreadable,
        } = &self.salvaged;
        let folder = self
            .folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // quick_check answers on several lines; the report has one line per fact.
        let cause: String = self
            .cause
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(80)
            .collect();
        let mut lines = vec![format!(
            "kiosk database damaged ({cause}): moved to {folder} in the data directory, fresh \
             database started, catalog downloaded again; waiting entries: {} recovered, {} LOST{}",
            recovered.len(),
            lost.len(),
            if *unreadable > 0 {
                format!(", {unreadable} unreadable")
            } else {
                String::new()
            }
        )];
        if !lost.is_empty() {
            lines.push(format!(
                "{folder}: LOST, visitors must submit again: {}",
                lost.join(", ")
            ));
        }
        if !recovered.is_empty() {
            lines.push(format!(
                "{folder}: recovered, sent as usual: {}",
                recovered.join(", ")
            ));
        }
        lines.push(format!(
            "{folder}: delete the folder once handled (docs/operations.md, damaged database)"
        ));
        lines
    }
}

/// Next to the database: "damage was seen while running", with SQLite's words.
fn marker_path(db_path: &Path) -> PathBuf {
    let mut name = database_name(db_path);
    name.push(".damaged");
    db_path.with_file_name(name)
}

/// Marks the database at `db_path` as damaged, for the next start; returns whether the mark is
/// on disk (the disk may be what is failing).
pub fn mark_damaged(db_path: &Path, cause: &str) -> bool {
    match fs::write(marker_path(db_path), cause) {
        Ok(()) => true,
        Err(e) => {
            tracing::error!("cannot mark the kiosk database as damaged: {e}");
            false
        }
    }
}

/// Whether an SQLite error means the file itself is damaged, not that the disk is full or busy.
pub fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if matches!(e.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Checks the database at `db_path` before anything else opens it. A damaged one (or a missing or
/// empty one while the outbox still has dossiers' files) is set aside and replaced as described
/// above; `None` when the database is sound. Errors that are not damage (a full disk, no
/// permission) are returned as they are: nothing is moved for them.
pub fn recover_if_damaged(
    db_path: &Path,
    data_dir: &Path,
) -> Result<Option<Recovery>, StorageError> {
    let marker = marker_path(db_path);
    let marked = fs::read_to_string(&marker)
        .ok()
        .map(|cause| format!("seen while running: {}", cause.trim()));
    let cause = match marked {
        Some(cause) => cause,
        None => match damage(db_path)? {
            Some(cause) => cause,
            None => return Ok(None),
        },
    };
    let folder = set_aside(db_path, data_dir)?;
    // Dealt with: the fresh database is not damaged.
    let _ = fs::remove_file(&marker);
    let mut fresh = super::open(db_path)?;
    let salvaged = salvage::salvage(
        &folder.join(database_name(db_path)),
        &folder.join("outbox"),
        &mut fresh,
        data_dir,
    );
    let recovery = Recovery {
        folder,
        cause,
        salvaged,
    };
    let report = recovery.folder.join(REPORT_FILE);
    let text: String = recovery.lines().iter().map(|l| format!("{l}\n")).collect();
    if let Err(e) = fs::write(&report, text) {
        // The report still goes to the log and the heartbeat, once.
        for line in recovery.lines() {
            tracing::error!("{line}");
        }
        tracing::error!("cannot write {}: {e}", report.display());
    }
    Ok(Some(recovery))
}

/// Logs the report of every damaged database staff have not dealt with yet (its folder is still
/// there), as an error: the staff screen and the central fleet view show recent errors.
pub fn report_pending(data_dir: &Path) {
    for folder in damaged_folders(data_dir) {
        if let Ok(report) = fs::read_to_string(folder.join(REPORT_FILE)) {
            // Oldest fact first in the file; the staff screen shows the newest line first.
            for line in report.lines().rev().filter(|l| !l.is_empty()) {
                tracing::error!("{line}");
            }
        }
    }
}

/// The `damaged-*` folders in `data_dir`, oldest first.
pub fn damaged_folders(data_dir: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = fs::read_dir(data_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(DAMAGED_PREFIX))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    folders
}

fn database_name(db_path: &Path) -> std::ffi::OsString {
    db_path
        .file_name()
        .map(ToOwned::to_owned)
        .unwrap_or_else(|| "kiosk.db".into())
}

fn has_outbox_folders(data_dir: &Path) -> bool {
    fs::read_dir(data_dir.join("outbox")).is_ok_and(|mut entries| entries.next().is_some())
}

/// Why the database must be replaced, if it must.
fn damage(db_path: &Path) -> Result<Option<String>, StorageError> {
    let data_dir = db_path.parent().unwrap_or(Path::new("."));
    let size = match fs::metadata(db_path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(source) => {
            return Err(StorageError::Worker(format!(
                "cannot read the kiosk database {}: {source}",
                db_path.display()
            )));
        }
    };
    if size == 0 {
        // A first start has no outbox folders; a confirmed dossier's folder without any
        // database means the database was lost (deleted, truncated to nothing).
        return Ok(has_outbox_folders(data_dir).then(|| {
            "the database file is missing or empty, but dossiers' files are waiting".into()
        }));
    }
    let checked =
        Connection::open_with_flags(db_path, OpenFlags::SQLITE_OPEN_READ_WRITE).and_then(|conn| {
            // A damaged file stays as it was found: no checkpoint of its WAL into it on close.
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
            let mut statement = conn.prepare("PRAGMA quick_check(5)")?;
            let rows = statement
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        });
    match checked {
        Ok(rows) if rows == ["ok"] => Ok(None),
        Ok(rows) => Ok(Some(format!("integrity check: {}", rows.join("; ")))),
        Err(e) if is_damage(&e) => Ok(Some(e.to_string())),
        Err(source) => Err(StorageError::Open {
            path: db_path.display().to_string(),
            source,
        }),
    }
}

/// Moves the database (with its WAL and shared-memory files) and the outbox folder into a new
/// `damaged-<time>` folder; returns that folder.
fn set_aside(db_path: &Path, data_dir: &Path) -> Result<PathBuf, StorageError> {
    let failed = |what: &str, e: io::Error| {
        StorageError::Worker(format!(
            "cannot set the damaged kiosk database aside ({what}): {e}"
        ))
    };
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .unwrap_or_else(|_| "unknown-time".into());
    let mut folder = data_dir.join(format!("{DAMAGED_PREFIX}{stamp}"));
    let mut n = 1;
    while folder.exists() {
        n += 1;
        folder = data_dir.join(format!("{DAMAGED_PREFIX}{stamp}-{n}"));
    }
    fs::create_dir(&folder).map_err(|e| failed("new folder", e))?;
    let name = database_name(db_path).to_string_lossy().into_owned();
    for suffix in ["", "-wal", "-shm"] {
        let from = db_path.with_file_name(format!("{name}{suffix}"));
        match fs::rename(&from, folder.join(format!("{name}{suffix}"))) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed("database", e)),
        }
    }
    match fs::rename(data_dir.join("outbox"), folder.join("outbox")) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed("outbox", e)),
    }
    sync_dir(&folder).map_err(|e| failed("flush", e))?;
    sync_dir(data_dir).map_err(|e| failed("flush", e))?;
    Ok(folder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom, Write};

    fn healthy(dir: &Path) -> PathBuf {
        let path = dir.join("kiosk.db");
        let conn = super::super::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO procedures (code, name, field, online, body)
             VALUES ('1.000001', 'Thủ tục', 'Hộ tịch', 'full', '{}');
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
        path
    }

    #[test]
    fn a_sound_database_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = healthy(dir.path());
        assert_eq!(recover_if_damaged(&path, dir.path()).unwrap(), None);
        assert!(damaged_folders(dir.path()).is_empty());
        // A first start: no database, no outbox.
        let empty = tempfile::tempdir().unwrap();
        let path = empty.path().join("kiosk.db");
        assert_eq!(recover_if_damaged(&path, empty.path()).unwrap(), None);
    }

    #[test]
    fn a_garbled_header_or_a_truncated_file_is_set_aside_and_replaced() {
        for damage in ["header", "truncated", "emptied with dossiers waiting"] {
            let dir = tempfile::tempdir().unwrap();
            let path = healthy(dir.path());
            let original_size = fs::metadata(&path).unwrap().len();
            let mut file = fs::OpenOptions::new().write(true).open(&path).unwrap();
            match damage {
                "header" => {
                    file.seek(SeekFrom::Start(0)).unwrap();
                    file.write_all(&[0xA5; 100]).unwrap();
                }
                "truncated" => file.set_len(original_size / 2).unwrap(),
                _ => {
                    file.set_len(0).unwrap();
                    fs::create_dir_all(dir.path().join("outbox/QUAY1-20261123-0001")).unwrap();
                }
            }
            drop(file);
            let damaged_bytes = fs::read(&path).unwrap();
            let recovery = recover_if_damaged(&path, dir.path())
                .unwrap()
                .unwrap_or_else(|| panic!("{damage}: not seen as damaged"));
            assert_eq!(damaged_folders(dir.path()), [recovery.folder.clone()]);
            assert_eq!(
                fs::read(recovery.folder.join("kiosk.db")).unwrap_or_default(),
                damaged_bytes,
                "{damage}: the damaged file is kept as it was"
            );
            // The fresh database is sound, migrated and empty.
            let conn = super::super::open(&path).unwrap();
            let procedures: i64 = conn
                .query_row("SELECT count(*) FROM procedures", [], |r| r.get(0))
                .unwrap();
            assert_eq!(procedures, 0, "{damage}");
            assert_eq!(recover_if_damaged(&path, dir.path()).unwrap(), None);
            let report = fs::read_to_string(recovery.folder.join(REPORT_FILE)).unwrap();
            assert!(report.starts_with("kiosk database damaged ("), "{report}");
            assert!(report.lines().all(|l| l.chars().count() <= 300), "{report}");
            if damage.starts_with("emptied") {
                assert_eq!(recovery.salvaged.lost, ["QUAY1-20261123-0001"]);
                assert!(report.contains("0 recovered, 1 LOST"), "{report}");
                assert!(
                    report.contains("LOST, visitors must submit again: QUAY1-20261123-0001"),
                    "{report}"
                );
                assert!(recovery.folder.join("outbox/QUAY1-20261123-0001").is_dir());
            }
        }
    }

    #[test]
    fn damage_met_while_running_is_marked_and_replaced_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = healthy(dir.path());
        let conn = Connection::open(&path).unwrap();
        let page_size: u64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        let root: u64 = conn
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = 'procedures'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        drop(conn);
        let mut file = fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.seek(SeekFrom::Start((root - 1) * page_size)).unwrap();
        file.write_all(&vec![0xA5; page_size as usize]).unwrap();
        drop(file);
        // The kiosk opens it (the header is sound) and meets the damage on a query: an error,
        // not a panic, that says what it is.
        let catalog = crate::catalog::CatalogDb::open(&path).unwrap();
        let error = match catalog.all() {
            Err(StorageError::Sqlite(error)) => error,
            other => panic!("{other:?}"),
        };
        assert!(is_damage(&error), "{error}");
        drop(catalog);
        assert!(mark_damaged(&path, &error.to_string()));
        let recovery = recover_if_damaged(&path, dir.path()).unwrap().unwrap();
        assert_eq!(
            recovery.cause,
            "seen while running: database disk image is malformed"
        );
        assert!(!marker_path(&path).exists());
        assert_eq!(recover_if_damaged(&path, dir.path()).unwrap(), None);
    }
}
