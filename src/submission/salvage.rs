//! Carrying the waiting outbox entries of a damaged kiosk database over to a fresh one
//! (`storage::recovery`). An entry comes over only whole: its row readable, its manifest valid,
//! and for a dossier every file present with the size and SHA-256 its manifest declares. It keeps
//! its idempotency key, so a dossier the server already had is not filed twice. Everything else
//! is reported lost by its local reference (no personal data), or counted when even that is
//! unreadable.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use motcua_protocol::{ClientId, FileManifest, Sha256Hex};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::durable::{move_durably, remove_dir_durably};
use super::outbox::Payload;

/// What came over and what did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Salvaged {
    /// Local references of the entries now waiting in the fresh outbox.
    pub recovered: Vec<String>,
    /// Local references of waiting entries that could not be carried over.
    pub lost: Vec<String>,
    /// Waiting entries whose row could not even be read.
    pub unreadable: u64,
}

/// Most entries probed one by one when the outbox cannot be listed.
const MAX_PROBED: i64 = 100_000;

/// One waiting row of the damaged outbox.
struct OldEntry {
    kind: String,
    local_reference: String,
    idempotency_key: String,
    procedure_code: String,
    procedure_name: String,
    manifest: String,
    confirmed_at: i64,
    attempts: i64,
    /// (file id, path relative to the data directory)
    files: Vec<(String, String)>,
}

/// Carries what can be carried from the damaged database `old_db` (its files under `old_outbox`)
/// into `fresh`, moving the files into `data_dir/outbox`. Never fails: what cannot be read is lost.
pub fn salvage(
    old_db: &Path,
    old_outbox: &Path,
    fresh: &mut Connection,
    data_dir: &Path,
) -> Salvaged {
    let mut salvaged = Salvaged::default();
    match open_old(old_db) {
        Ok(old) => {
            let (ids, unlisted) = waiting_ids(&old);
            salvaged.unreadable += unlisted;
            for id in ids {
                match read_entry(&old, id) {
                    Ok(Some(entry)) => {
                        let reference = entry.local_reference.clone();
                        match carry_over(&entry, old_outbox, fresh, data_dir) {
                            Ok(()) => salvaged.recovered.push(reference),
                            Err(reason) => {
                                tracing::warn!(reference, "outbox entry not recovered: {reason}");
                                salvaged.lost.push(reference);
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(_) => salvaged.unreadable += 1,
                }
            }
        }
        Err(e) => tracing::warn!("the damaged outbox cannot be read at all: {e}"),
    }
    // A dossier's folder whose entry did not come over: its pages are there, its manifest (who,
    // what) is not.
    let folders = fs::read_dir(old_outbox).into_iter().flatten().flatten();
    for folder in folders {
        let name = folder.file_name().to_string_lossy().into_owned();
        if !salvaged.recovered.contains(&name) && !salvaged.lost.contains(&name) {
            salvaged.lost.push(name);
        }
    }
    salvaged.lost.sort();
    salvaged
}

fn open_old(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    // The damaged copy is evidence: read it, never write or checkpoint into it.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// The ids of waiting entries, and how many could not be listed. When the list cannot be read,
/// each id up to the largest is tried on its own: a damaged page then costs only its rows.
fn waiting_ids(old: &Connection) -> (Vec<i64>, u64) {
    let listed = old
        .prepare("SELECT id FROM outbox WHERE delivered_at IS NULL ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    if let Ok(ids) = listed {
        return (ids, 0);
    }
    match old.query_row("SELECT max(id) FROM outbox", [], |r| {
        r.get::<_, Option<i64>>(0)
    }) {
        Ok(Some(max)) => ((1..=max.min(MAX_PROBED)).collect(), 0),
        Ok(None) => (Vec::new(), 0),
        // Not even the table's end is readable: there may have been entries, none can be named.
        Err(_) => (Vec::new(), 1),
    }
}

fn read_entry(old: &Connection, id: i64) -> rusqlite::Result<Option<OldEntry>> {
    let entry = old
        .query_row(
            "SELECT kind, local_reference, idempotency_key, procedure_code, procedure_name,
                    manifest, confirmed_at, attempts
             FROM outbox WHERE id = ?1 AND delivered_at IS NULL",
            [id],
            |r| {
                Ok(OldEntry {
                    kind: r.get(0)?,
                    local_reference: r.get(1)?,
                    idempotency_key: r.get(2)?,
                    procedure_code: r.get(3)?,
                    procedure_name: r.get(4)?,
                    manifest: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    confirmed_at: r.get(6)?,
                    attempts: r.get(7)?,
                    files: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut entry) = entry else {
        return Ok(None);
    };
    let mut statement =
        old.prepare("SELECT file_id, path FROM outbox_files WHERE outbox_id = ?1")?;
    entry.files = statement
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Some(entry))
}

/// Checks `entry` whole, moves its files into the fresh outbox and commits its rows.
fn carry_over(
    entry: &OldEntry,
    old_outbox: &Path,
    fresh: &mut Connection,
    data_dir: &Path,
) -> Result<(), String> {
    ClientId::parse(&entry.idempotency_key).map_err(|e| format!("idempotency key: {e}"))?;
    let payload = Payload::parse(&entry.kind, &entry.manifest)?;
    let declared: Vec<FileManifest> = match &payload {
        Payload::Dossier(manifest) => manifest
            .documents
            .iter()
            .flat_map(|d| d.files.iter().cloned())
            .collect(),
        Payload::Rating(_) | Payload::Feedback(_) => Vec::new(),
    };
    if declared.len() != entry.files.len() {
        return Err(format!(
            "{} files declared, {} listed",
            declared.len(),
            entry.files.len()
        ));
    }
    // (where it is now, its name in the entry's folder)
    let mut sources: Vec<(PathBuf, String)> = Vec::new();
    for (file_id, path) in &entry.files {
        let name = file_name_in(path, &entry.local_reference)
            .ok_or_else(|| format!("unexpected file path {path:?}"))?;
        let file = declared
            .iter()
            .find(|f| f.file_id.as_str() == file_id)
            .ok_or_else(|| format!("file {file_id} is not in the manifest"))?;
        let source = old_outbox.join(&entry.local_reference).join(&name);
        let (size, sha256) = digest(&source).map_err(|e| format!("file {name}: {e}"))?;
        if size != file.size || sha256 != file.sha256 {
            return Err(format!("file {name} differs from its manifest"));
        }
        sources.push((source, name));
    }
    let dir = data_dir.join("outbox").join(&entry.local_reference);
    let mut moved = Vec::new();
    let committed = (|| {
        for (source, name) in &sources {
            move_durably(source, &dir, name).map_err(|e| format!("moving {name}: {e}"))?;
            moved.push((source.clone(), dir.join(name)));
        }
        insert(fresh, entry).map_err(|e| format!("saving in the fresh database: {e}"))
    })();
    if committed.is_err() {
        // Back to the damaged folder: a folder in the fresh outbox without its row would be
        // deleted as an orphan when the outbox opens.
        for (source, now) in &moved {
            let _ = fs::rename(now, source);
        }
        let _ = remove_dir_durably(&dir);
    }
    committed
}

/// `outbox/<reference>/<name>` → `name`, for a plain file name only.
fn file_name_in(path: &str, reference: &str) -> Option<String> {
    let mut parts = Path::new(path).components();
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (
            Some(Component::Normal(outbox)),
            Some(Component::Normal(folder)),
            Some(Component::Normal(name)),
            None,
        ) if outbox == "outbox" && folder == reference => Some(name.to_string_lossy().into_owned()),
        _ => None,
    }
}

fn digest(path: &Path) -> io::Result<(u64, Sha256Hex)> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let size = io::copy(&mut file, &mut hasher)?;
    let digest: [u8; 32] = hasher.finalize().into();
    Ok((size, Sha256Hex::from_digest(&digest)))
}

fn insert(fresh: &mut Connection, entry: &OldEntry) -> rusqlite::Result<()> {
    fresh.pragma_update(None, "synchronous", "FULL")?;
    let tx = fresh.transaction()?;
    tx.execute(
        "INSERT INTO outbox (kind, local_reference, idempotency_key, procedure_code,
                             procedure_name, manifest, confirmed_at, attempts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            entry.kind,
            entry.local_reference,
            entry.idempotency_key,
            entry.procedure_code,
            entry.procedure_name,
            entry.manifest,
            entry.confirmed_at,
            entry.attempts
        ],
    )?;
    let id = tx.last_insert_rowid();
    for (file_id, path) in &entry.files {
        tx.execute(
            "INSERT INTO outbox_files (outbox_id, file_id, path) VALUES (?1, ?2, ?3)",
            params![id, file_id, path],
        )?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submission::attachment::{Limits, stage};
    use crate::submission::outbox::{Draft, Outbox};
    use motcua_protocol::{ApplicantInput, ProcedureCode};

    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 1, 2, 3,
    ];

    fn draft(staging: &Path) -> Draft {
        let applicant = ApplicantInput {
            full_name: "Trần Thị Bích Ngọc".into(),
            citizen_id: "079190004321".into(),
            birth_date: "12/05/1990".into(),
            phone: "0987654321".into(),
            address: "12 Lê Lợi".into(),
            email: None,
        }
        .parse(time::macros::date!(2026 - 11 - 23))
        .unwrap();
        let page = stage(staging, "Tờ khai", JPEG, &Limits::default(), &[]).unwrap();
        Draft {
            procedure_code: ProcedureCode::parse("1.001193").unwrap(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant,
            attachments: vec![page],
        }
    }

    #[test]
    fn whole_entries_come_over_with_their_keys_and_altered_ones_are_named_lost() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kiosk.db");
        let now = time::OffsetDateTime::now_utc();
        let mut outbox = Outbox::open(&db, dir.path()).unwrap();
        let whole = outbox
            .confirm(&draft(&dir.path().join("staging")), "quay-1", now)
            .unwrap();
        let altered = outbox
            .confirm(&draft(&dir.path().join("staging")), "quay-1", now)
            .unwrap();
        let keys = outbox.waiting().unwrap();
        drop(outbox);
        // A page of the second dossier changed on the disk.
        let altered_dir = dir.path().join("outbox").join(&altered.local_reference);
        let page = fs::read_dir(&altered_dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        fs::write(&page, b"\xFF\xD8\xFF not the page that was confirmed").unwrap();
        // Set aside as recovery does.
        let old = dir.path().join("damaged");
        fs::create_dir(&old).unwrap();
        fs::rename(&db, old.join("kiosk.db")).unwrap();
        let _ = fs::rename(db.with_file_name("kiosk.db-wal"), old.join("kiosk.db-wal"));
        let _ = fs::rename(db.with_file_name("kiosk.db-shm"), old.join("kiosk.db-shm"));
        fs::rename(dir.path().join("outbox"), old.join("outbox")).unwrap();

        let mut fresh = crate::storage::open(&db).unwrap();
        let salvaged = salvage(
            &old.join("kiosk.db"),
            &old.join("outbox"),
            &mut fresh,
            dir.path(),
        );
        assert_eq!(
            salvaged,
            Salvaged {
                recovered: vec![whole.local_reference.clone()],
                lost: vec![altered.local_reference.clone()],
                unreadable: 0,
            }
        );
        drop(fresh);
        let waiting = Outbox::open(&db, dir.path()).unwrap().waiting().unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].local_reference, whole.local_reference);
        assert_eq!(waiting[0].idempotency_key, keys[0].idempotency_key);
        assert_eq!(waiting[0].files.len(), 1);
        assert_eq!(fs::read(&waiting[0].files[0].1).unwrap(), JPEG);
        // The altered dossier's pages stay with the damaged copy.
        assert!(old.join("outbox").join(&altered.local_reference).is_dir());
    }
}
