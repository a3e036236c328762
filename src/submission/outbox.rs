//! The transactional outbox: a confirmed dossier and its files are on disk, durably, before the
//! visitor is told it is saved; delivery happens later, in order, as often as it takes. Ratings
//! and feedback (docs/feedback.md) travel the same way, as entries of their own kind.

use std::fs;
use std::path::{Path, PathBuf};

use motcua_protocol::{
    Applicant, ClientId, DocumentManifest, FeedbackManifest, FeedbackReceipt, FileManifest,
    ProcedureCode, RatingManifest, RatingReceipt, StatusToken, SubmissionManifest,
    SubmissionReceipt,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::attachment::{Attachment, hex_string};
use super::durable::{move_durably, remove_dir_durably};
use super::fault;
use crate::storage::{self, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("outbox database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("cannot store the dossier's files: {0}")]
    Io(#[from] std::io::Error),
    #[error("the outbox entry {0} is unreadable: {1}")]
    Corrupt(i64, String),
}

impl From<rusqlite::Error> for OutboxError {
    fn from(error: rusqlite::Error) -> Self {
        storage::notice_damage(&error);
        Self::Sqlite(error)
    }
}

/// What the visitor confirmed.
pub struct Draft {
    pub procedure_code: ProcedureCode,
    pub procedure_name: String,
    pub applicant: Applicant,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confirmed {
    pub id: i64,
    pub local_reference: String,
    /// The status token proposed to the server: the receipt's QR code works once delivered.
    #[serde(skip)]
    pub status_token: Option<StatusToken>,
}

/// What an outbox entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    Dossier,
    Rating,
    Feedback,
}

impl OutboxKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Dossier => "dossier",
            Self::Rating => "rating",
            Self::Feedback => "feedback",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        [Self::Dossier, Self::Rating, Self::Feedback]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// What a waiting entry sends.
#[derive(Debug, Clone)]
pub enum Payload {
    Dossier(SubmissionManifest),
    Rating(RatingManifest),
    Feedback(FeedbackManifest),
}

impl Payload {
    /// What an entry of `kind` carries, from its stored manifest.
    pub(crate) fn parse(kind: &str, manifest: &str) -> Result<Self, String> {
        match OutboxKind::parse(kind) {
            Some(OutboxKind::Dossier) => serde_json::from_str(manifest).map(Self::Dossier),
            Some(OutboxKind::Rating) => serde_json::from_str(manifest).map(Self::Rating),
            Some(OutboxKind::Feedback) => serde_json::from_str(manifest).map(Self::Feedback),
            None => return Err(format!("unknown kind {kind:?}")),
        }
        .map_err(|e| e.to_string())
    }

    pub fn kind(&self) -> OutboxKind {
        match self {
            Self::Dossier(_) => OutboxKind::Dossier,
            Self::Rating(_) => OutboxKind::Rating,
            Self::Feedback(_) => OutboxKind::Feedback,
        }
    }
}

/// What the server answered for a delivered entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Dossier(SubmissionReceipt),
    Rating(RatingReceipt),
    Feedback(FeedbackReceipt),
}

/// An entry waiting for delivery.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: i64,
    pub local_reference: String,
    pub idempotency_key: ClientId,
    pub payload: Payload,
    /// file id → absolute path
    pub files: Vec<(ClientId, PathBuf)>,
    pub attempts: u32,
}

/// An entry as staff see it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub kind: OutboxKind,
    pub local_reference: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub confirmed_at: i64,
    pub attempts: u32,
    pub last_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    /// A delivered dossier's receipt (ratings and feedback keep none).
    pub receipt: Option<SubmissionReceipt>,
}

pub struct Outbox {
    conn: Connection,
    data_dir: PathBuf,
}

fn outbox_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("outbox")
}

/// `QUAY1-20261122-0007`: the kiosk, the day, and a number, unique on this kiosk.
fn reference_prefix(kiosk_name: &str, now: OffsetDateTime) -> String {
    let kiosk: String = kiosk_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_uppercase();
    let kiosk = if kiosk.is_empty() {
        "KIOSK".to_owned()
    } else {
        kiosk
    };
    let day = now.to_offset(crate::status::VIETNAM).date();
    format!(
        "{kiosk}-{:04}{:02}{:02}-",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// Undoes the moves of a confirmation that failed: each page back where the visit had it (a
/// rename on the same disk, which needs no free space), then the entry's folder removed.
fn put_back(moved: &[(PathBuf, PathBuf)], dir: &Path) {
    for (staged, in_outbox) in moved {
        if let Err(e) = fs::rename(in_outbox, staged) {
            tracing::error!("cannot return a page of an unsaved dossier to its visit: {e}");
        }
    }
    if let Err(e) = remove_dir_durably(dir) {
        tracing::error!("cannot remove the folder of an unsaved dossier: {e}");
    }
}

impl Outbox {
    /// Opens the outbox on the kiosk database at `db_path`; files live under `data_dir/outbox`.
    /// Folders that no confirmed entry owns (a crash before the commit) are deleted.
    pub fn open(db_path: &Path, data_dir: &Path) -> Result<Self, OutboxError> {
        let conn = storage::open(db_path)?;
        // Nothing in this connection is acknowledged before it is on the disk, and what it
        // deletes (a delivered visitor's data) is overwritten, not just unlinked.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        let outbox = Self {
            conn,
            data_dir: data_dir.to_owned(),
        };
        outbox.remove_orphans()?;
        Ok(outbox)
    }

    fn remove_orphans(&self) -> Result<(), OutboxError> {
        let dir = outbox_dir(&self.data_dir);
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let waiting: Option<i64> = self
                .conn
                .query_row(
                    "SELECT id FROM outbox WHERE local_reference = ?1 AND delivered_at IS NULL",
                    [&name],
                    |r| r.get(0),
                )
                .optional()?;
            if waiting.is_none() {
                tracing::info!(folder = %name, "removing an outbox folder no confirmed dossier owns");
                remove_dir_durably(&entry.path())?;
            }
        }
        Ok(())
    }

    /// Makes the draft durable: files moved into the outbox folder and flushed, then one
    /// transaction committed with `synchronous=FULL`. Only after this returns may the screen say
    /// "saved".
    pub fn confirm(
        &mut self,
        draft: &Draft,
        kiosk_name: &str,
        now: OffsetDateTime,
    ) -> Result<Confirmed, OutboxError> {
        let local_reference = self.next_reference(kiosk_name, now)?;
        let dir = outbox_dir(&self.data_dir).join(&local_reference);
        // Whatever fails from here on (a full disk, most likely), the pages go back to the visit
        // and the folder goes: nothing half-saved stays, and the visitor can confirm again.
        let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
        let outcome = self.confirm_into(draft, &local_reference, &dir, now, &mut moved);
        if outcome.is_err() {
            put_back(&moved, &dir);
        }
        outcome.map(|(id, status_token)| Confirmed {
            id,
            local_reference,
            status_token,
        })
    }

    /// The body of [`confirm`](Self::confirm); `moved` records each page moved into `dir`.
    fn confirm_into(
        &mut self,
        draft: &Draft,
        local_reference: &str,
        dir: &Path,
        now: OffsetDateTime,
        moved: &mut Vec<(PathBuf, PathBuf)>,
    ) -> Result<(i64, Option<StatusToken>), OutboxError> {
        let mut documents: Vec<DocumentManifest> = Vec::new();
        let mut files = Vec::new();
        for attachment in &draft.attachments {
            let name = attachment
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| attachment.file_id.to_string());
            move_durably(&attachment.path, dir, &name)?;
            moved.push((attachment.path.clone(), dir.join(&name)));
            files.push((
                attachment.file_id.clone(),
                format!("outbox/{local_reference}/{name}"),
            ));
            let file = FileManifest {
                file_id: attachment.file_id.clone(),
                media_type: attachment.media_type,
                size: attachment.size,
                sha256: attachment.sha256.clone(),
            };
            match documents
                .iter_mut()
                .find(|d| d.document == attachment.document)
            {
                Some(document) => document.files.push(file),
                None => documents.push(DocumentManifest {
                    document: attachment.document.clone(),
                    files: vec![file],
                }),
            }
        }
        let manifest = SubmissionManifest {
            procedure_code: draft.procedure_code.clone(),
            applicant: draft.applicant.clone(),
            documents,
            local_reference: local_reference.to_owned(),
            confirmed_at: now,
            status_token: Some(StatusToken::from_random_bytes(rand::random())),
        };
        let status_token = manifest.status_token.clone();
        let manifest =
            serde_json::to_string(&manifest).map_err(|e| OutboxError::Corrupt(0, e.to_string()))?;

        fault::point("before_commit");
        let id = self.insert(
            OutboxKind::Dossier,
            local_reference,
            (draft.procedure_code.as_str(), &draft.procedure_name),
            &manifest,
            now,
            &files,
        )?;
        fault::point("after_commit");
        Ok((id, status_token))
    }

    /// Makes a rating durable; it is sent like a dossier, after those confirmed before it.
    pub fn confirm_rating(
        &mut self,
        rating: &RatingManifest,
        kiosk_name: &str,
        now: OffsetDateTime,
    ) -> Result<Confirmed, OutboxError> {
        let local_reference = self.next_reference(kiosk_name, now)?;
        let manifest =
            serde_json::to_string(rating).map_err(|e| OutboxError::Corrupt(0, e.to_string()))?;
        let id = self.insert(
            OutboxKind::Rating,
            &local_reference,
            ("", "Đánh giá mức độ hài lòng"),
            &manifest,
            now,
            &[],
        )?;
        Ok(Confirmed {
            id,
            local_reference,
            status_token: None,
        })
    }

    /// Makes a feedback durable under its own reference, which the visitor takes away.
    pub fn confirm_feedback(
        &mut self,
        feedback: &FeedbackManifest,
        now: OffsetDateTime,
    ) -> Result<Confirmed, OutboxError> {
        let local_reference = feedback.reference.to_string();
        let manifest =
            serde_json::to_string(feedback).map_err(|e| OutboxError::Corrupt(0, e.to_string()))?;
        let id = self.insert(
            OutboxKind::Feedback,
            &local_reference,
            ("", "Phản ánh, kiến nghị"),
            &manifest,
            now,
            &[],
        )?;
        Ok(Confirmed {
            id,
            local_reference,
            status_token: None,
        })
    }

    fn next_reference(&self, kiosk_name: &str, now: OffsetDateTime) -> Result<String, OutboxError> {
        let prefix = reference_prefix(kiosk_name, now);
        let taken: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE local_reference LIKE ?1 || '%'",
            [&prefix],
            |r| r.get(0),
        )?;
        Ok(format!("{prefix}{:04}", taken + 1))
    }

    /// One transaction, committed with `synchronous=FULL`: the entry and its files' rows.
    fn insert(
        &mut self,
        kind: OutboxKind,
        local_reference: &str,
        (procedure_code, procedure_name): (&str, &str),
        manifest: &str,
        now: OffsetDateTime,
        files: &[(ClientId, String)],
    ) -> Result<i64, OutboxError> {
        let idempotency_key: [u8; 16] = rand::random();
        let idempotency_key = hex_string(&idempotency_key);
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO outbox (kind, local_reference, idempotency_key, procedure_code,
                                 procedure_name, manifest, confirmed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                kind.as_str(),
                local_reference,
                idempotency_key,
                procedure_code,
                procedure_name,
                manifest,
                now.unix_timestamp()
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (file_id, path) in files {
            tx.execute(
                "INSERT INTO outbox_files (outbox_id, file_id, path) VALUES (?1, ?2, ?3)",
                params![id, file_id.as_str(), path],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Entries not yet delivered, oldest first: the order they are sent in.
    pub fn waiting(&self) -> Result<Vec<Waiting>, OutboxError> {
        let mut statement = self.conn.prepare(
            "SELECT id, local_reference, idempotency_key, manifest, attempts, kind FROM outbox
             WHERE delivered_at IS NULL ORDER BY id",
        )?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, local_reference, key, manifest, attempts, kind) in rows {
            let corrupt = |reason: String| OutboxError::Corrupt(id, reason);
            let manifest = manifest.as_deref().unwrap_or_default();
            let payload = Payload::parse(&kind, manifest).map_err(corrupt)?;
            let idempotency_key = ClientId::parse(&key).map_err(|e| corrupt(e.to_string()))?;
            let mut files_statement = self
                .conn
                .prepare_cached("SELECT file_id, path FROM outbox_files WHERE outbox_id = ?1")?;
            let files = files_statement
                .query_map([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .map(|(file_id, path)| {
                    ClientId::parse(&file_id)
                        .map(|file_id| (file_id, self.data_dir.join(path)))
                        .map_err(|e| corrupt(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Waiting {
                id,
                local_reference,
                idempotency_key,
                payload,
                files,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            });
        }
        Ok(out)
    }

    pub fn record_failure(&mut self, id: i64, error: &str, now: i64) -> Result<(), OutboxError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?2, last_error = ?3
             WHERE id = ?1",
            params![id, now, error],
        )?;
        Ok(())
    }

    /// The server has the entry: keep only a dossier's receipt; the visitor's data and files go.
    pub fn record_delivery(
        &mut self,
        id: i64,
        delivered: &Delivered,
        now: i64,
    ) -> Result<(), OutboxError> {
        let receipt_json = match delivered {
            Delivered::Dossier(receipt) => Some(
                serde_json::to_string(receipt)
                    .map_err(|e| OutboxError::Corrupt(id, e.to_string()))?,
            ),
            Delivered::Rating(_) | Delivered::Feedback(_) => None,
        };
        let tx = self.conn.transaction()?;
        let local_reference: String = tx.query_row(
            "SELECT local_reference FROM outbox WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE outbox SET delivered_at = ?2, receipt = ?3, manifest = NULL,
                 attempts = attempts + 1, last_attempt_at = ?2, last_error = NULL
             WHERE id = ?1",
            params![id, now, receipt_json],
        )?;
        tx.execute("DELETE FROM outbox_files WHERE outbox_id = ?1", [id])?;
        tx.commit()?;
        // The old page versions (with the visitor's data) live on in the write-ahead log until a
        // checkpoint copies the zeroed pages over them; do it now and empty the log.
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!("cannot checkpoint the kiosk database after a delivery: {e}");
        }
        remove_dir_durably(&outbox_dir(&self.data_dir).join(local_reference))?;
        Ok(())
    }

    /// Every entry, newest first, for staff.
    pub fn entries(&self) -> Result<Vec<OutboxEntry>, OutboxError> {
        self.select("ORDER BY id DESC", [])
    }

    pub fn entry(&self, local_reference: &str) -> Result<Option<OutboxEntry>, OutboxError> {
        Ok(self
            .select("WHERE local_reference = ?1", [local_reference])?
            .into_iter()
            .next())
    }

    fn select<P: rusqlite::Params>(
        &self,
        clause: &str,
        params: P,
    ) -> Result<Vec<OutboxEntry>, OutboxError> {
        let sql = format!(
            "SELECT local_reference, procedure_code, procedure_name, confirmed_at, attempts,
                    last_attempt_at, last_error, delivered_at, receipt, id, kind
             FROM outbox {clause}"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let rows = statement
            .query_map(params, |r| {
                let kind: String = r.get(10)?;
                Ok((
                    OutboxEntry {
                        kind: OutboxKind::parse(&kind).unwrap_or(OutboxKind::Dossier),
                        local_reference: r.get(0)?,
                        procedure_code: r.get(1)?,
                        procedure_name: r.get(2)?,
                        confirmed_at: r.get(3)?,
                        attempts: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(u32::MAX),
                        last_attempt_at: r.get(5)?,
                        last_error: r.get(6)?,
                        delivered_at: r.get(7)?,
                        receipt: None,
                    },
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, i64>(9)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut entry, receipt, id)| {
                entry.receipt = receipt
                    .map(|text| serde_json::from_str(&text))
                    .transpose()
                    .map_err(|e| OutboxError::Corrupt(id, e.to_string()))?;
                Ok(entry)
            })
            .collect()
    }

    /// Whether an entry under `local_reference` is confirmed and not delivered yet.
    pub fn is_waiting(&self, local_reference: &str) -> Result<bool, OutboxError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM outbox WHERE local_reference = ?1 AND delivered_at IS NULL",
                [local_reference],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Whether a dossier whose receipt carries `token` is confirmed here and not delivered yet:
    /// its receipt is already printed, but the server does not know the dossier until then.
    pub fn is_dossier_waiting(&self, token: &StatusToken) -> Result<bool, OutboxError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM outbox WHERE kind = 'dossier' AND delivered_at IS NULL
                 AND json_extract(manifest, '$.status_token') = ?1",
                [token.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// How many entries wait, and since when the oldest (unix seconds).
    pub fn depth(&self) -> Result<(u64, Option<i64>), OutboxError> {
        Ok(self.conn.query_row(
            "SELECT count(*), min(confirmed_at) FROM outbox WHERE delivered_at IS NULL",
            [],
            |r| Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?)),
        )?)
    }
}
