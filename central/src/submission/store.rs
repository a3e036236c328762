//! Submissions and their files in SQLite. One `SubmissionStore` owns one connection to the
//! server's database; the HTTP layer keeps it behind a mutex and calls it from blocking threads.
//! Completing a submission creates its dossier in the same transaction, with the status module's
//! own insert, so a dossier and its receipt exist together or not at all.

use motcua_protocol::{
    ClientId, DossierCode, MediaType, Procedure, ProcedureCode, Sha256Hex, StatusChange,
    StatusToken, SubmissionManifest, SubmissionReceipt, SubmissionState, UploadProgress,
    status_url,
};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use time::OffsetDateTime;

use super::SubmissionError;
use super::rules::{
    Intake, Limits, canonical, check_manifest, dossier_code, parse_receipt, receipt_fields,
};
use crate::status::store::{NewDossier, date_text, insert_dossier, new_token};
use crate::status::vietnam_date;

pub struct SubmissionStore {
    conn: Connection,
}

/// One file of a submission as the server tracks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub submission: i64,
    pub file_id: ClientId,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: Sha256Hex,
    /// Bytes received and made durable.
    pub offset: u64,
    pub complete: bool,
}

/// What `put` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put {
    /// False when the key already held the identical manifest.
    pub created: bool,
    pub state: SubmissionState,
}

/// What `complete` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    /// False when the submission had been completed before: the receipt is the stored one.
    pub created: bool,
    pub submission: i64,
    pub receipt: SubmissionReceipt,
}

/// A completed submission as the export feed reads it.
#[derive(Debug, Clone)]
pub struct CompletedSubmission {
    pub seq: i64,
    pub kiosk: String,
    pub completed_at: OffsetDateTime,
    pub manifest: SubmissionManifest,
    pub receipt: SubmissionReceipt,
}

pub fn media_type_from(text: &str) -> Result<MediaType, SubmissionError> {
    match text {
        "image/jpeg" => Ok(MediaType::Jpeg),
        "image/png" => Ok(MediaType::Png),
        "application/pdf" => Ok(MediaType::Pdf),
        other => Err(SubmissionError::Corrupt(format!("media type {other:?}"))),
    }
}

fn client_id(text: String) -> Result<ClientId, SubmissionError> {
    ClientId::parse(&text).map_err(|_| SubmissionError::Corrupt(format!("file id {text:?}")))
}

fn sha256(text: String) -> Result<Sha256Hex, SubmissionError> {
    Sha256Hex::parse(&text).map_err(|_| SubmissionError::Corrupt("a stored SHA-256".into()))
}

fn size(value: i64) -> Result<u64, SubmissionError> {
    u64::try_from(value).map_err(|_| SubmissionError::Corrupt(format!("size {value}")))
}

fn sql_size(value: u64) -> Result<i64, SubmissionError> {
    i64::try_from(value).map_err(|_| SubmissionError::Invalid(format!("size {value} is too large")))
}

/// The stored manifest, read back. The message never includes the JSON: it holds personal data.
fn parse_manifest(json: &str) -> Result<SubmissionManifest, SubmissionError> {
    serde_json::from_str(json)
        .map_err(|_| SubmissionError::Corrupt("a stored manifest cannot be read".into()))
}

/// A procedure as published now; `None` if absent or removed.
fn published(
    conn: &Connection,
    code: &ProcedureCode,
) -> Result<Option<Procedure>, SubmissionError> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM procedures WHERE code = ?1 AND body IS NOT NULL")?
        .query_row([code.as_str()], |r| r.get(0))
        .optional()?;
    body.map(|b| {
        serde_json::from_str(&b)
            .map_err(|e| SubmissionError::Corrupt(format!("catalog record {code}: {e}")))
    })
    .transpose()
}

impl SubmissionStore {
    pub fn new(conn: Connection) -> Self {
        Self { conn }
    }

    pub fn procedure(&self, code: &ProcedureCode) -> Result<Option<Procedure>, SubmissionError> {
        published(&self.conn, code)
    }

    /// Stores a manifest under the kiosk's idempotency key, once. The same key again with the
    /// identical manifest (by canonical hash) changes nothing; with another manifest it is refused.
    pub fn put(
        &mut self,
        kiosk: &str,
        key: &ClientId,
        manifest: &SubmissionManifest,
        limits: &Limits,
        now: OffsetDateTime,
    ) -> Result<Put, SubmissionError> {
        let (json, hash) = canonical(manifest)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT id, manifest_hash FROM submissions WHERE kiosk = ?1 AND idempotency_key = ?2",
                params![kiosk, key.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, stored_hash)) = existing {
            drop(tx);
            return if stored_hash == hash {
                Ok(Put {
                    created: false,
                    state: self.state(id)?,
                })
            } else {
                Err(SubmissionError::ManifestConflict)
            };
        }
        let procedure = published(&tx, &manifest.procedure_code)?;
        check_manifest(manifest, procedure.as_ref(), limits)?;
        tx.execute(
            "INSERT INTO submissions
                 (kiosk, idempotency_key, manifest, manifest_hash, procedure_code, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                kiosk,
                key.as_str(),
                json,
                &hash[..],
                manifest.procedure_code.as_str(),
                now.unix_timestamp()
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO submission_files (submission_id, file_id, position, media_type, size, sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let files = manifest.documents.iter().flat_map(|d| &d.files);
            for (position, file) in files.enumerate() {
                insert.execute(params![
                    id,
                    file.file_id.as_str(),
                    position as i64,
                    file.media_type.as_str(),
                    sql_size(file.size)?,
                    file.sha256.as_str()
                ])?;
            }
        }
        tx.commit()?;
        Ok(Put {
            created: true,
            state: self.state(id)?,
        })
    }

    /// The submission of `kiosk` under `key`.
    pub fn find(&self, kiosk: &str, key: &ClientId) -> Result<i64, SubmissionError> {
        self.conn
            .prepare_cached("SELECT id FROM submissions WHERE kiosk = ?1 AND idempotency_key = ?2")?
            .query_row(params![kiosk, key.as_str()], |r| r.get(0))
            .optional()?
            .ok_or(SubmissionError::UnknownSubmission)
    }

    /// Every file's progress, in manifest order, and the receipt once completed.
    pub fn state(&self, submission: i64) -> Result<SubmissionState, SubmissionError> {
        let files = self
            .files(submission)?
            .into_iter()
            .map(|f| UploadProgress {
                file_id: f.file_id,
                offset: f.offset,
                size: f.size,
                complete: f.complete,
            })
            .collect();
        let receipt: Option<String> = self.conn.query_row(
            "SELECT receipt FROM submissions WHERE id = ?1",
            [submission],
            |r| r.get(0),
        )?;
        Ok(SubmissionState {
            files,
            receipt: receipt.as_deref().map(parse_receipt).transpose()?,
        })
    }

    fn files(&self, submission: i64) -> Result<Vec<FileRecord>, SubmissionError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT file_id, media_type, size, sha256, upload_offset, complete
             FROM submission_files WHERE submission_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([submission], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?;
        let mut files = Vec::new();
        for row in rows {
            let (file_id, media_type, file_size, hash, offset, complete) = row?;
            files.push(FileRecord {
                submission,
                file_id: client_id(file_id)?,
                media_type: media_type_from(&media_type)?,
                size: size(file_size)?,
                sha256: sha256(hash)?,
                offset: size(offset)?,
                complete,
            });
        }
        Ok(files)
    }

    /// One file of the submission of `kiosk` under `key`.
    pub fn file(
        &self,
        kiosk: &str,
        key: &ClientId,
        file_id: &ClientId,
    ) -> Result<FileRecord, SubmissionError> {
        let submission = self.find(kiosk, key)?;
        self.files(submission)?
            .into_iter()
            .find(|f| &f.file_id == file_id)
            .ok_or_else(|| SubmissionError::UnknownFile(file_id.clone()))
    }

    /// Records how many bytes of a file are durably on disk.
    pub fn set_offset(
        &mut self,
        submission: i64,
        file_id: &ClientId,
        offset: u64,
    ) -> Result<(), SubmissionError> {
        self.conn
            .prepare_cached(
                "UPDATE submission_files SET upload_offset = ?3
                 WHERE submission_id = ?1 AND file_id = ?2 AND complete = 0",
            )?
            .execute(params![submission, file_id.as_str(), sql_size(offset)?])?;
        Ok(())
    }

    /// The file is verified and in the content-addressed store.
    pub fn mark_complete(
        &mut self,
        submission: i64,
        file_id: &ClientId,
    ) -> Result<(), SubmissionError> {
        self.conn.execute(
            "UPDATE submission_files SET upload_offset = size, complete = 1
             WHERE submission_id = ?1 AND file_id = ?2",
            params![submission, file_id.as_str()],
        )?;
        Ok(())
    }

    /// Turns a fully uploaded submission into a dossier, once: the first call assigns the code,
    /// dates and status token and stores the receipt; every later call returns that receipt.
    pub fn complete(
        &mut self,
        kiosk: &str,
        key: &ClientId,
        intake: &Intake,
        now: OffsetDateTime,
    ) -> Result<Completed, SubmissionError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(i64, String, Option<String>)> = tx
            .query_row(
                "SELECT id, manifest, receipt FROM submissions WHERE kiosk = ?1 AND idempotency_key = ?2",
                params![kiosk, key.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((submission, manifest, receipt)) = row else {
            return Err(SubmissionError::UnknownSubmission);
        };
        if let Some(receipt) = receipt {
            return Ok(Completed {
                created: false,
                submission,
                receipt: parse_receipt(&receipt)?,
            });
        }
        let missing: Vec<String> = tx
            .prepare(
                "SELECT file_id FROM submission_files
                 WHERE submission_id = ?1 AND complete = 0 ORDER BY position",
            )?
            .query_map([submission], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if !missing.is_empty() {
            let missing = missing
                .into_iter()
                .map(client_id)
                .collect::<Result<_, _>>()?;
            return Err(SubmissionError::Incomplete(missing));
        }
        let manifest = parse_manifest(&manifest)?;
        let procedure = published(&tx, &manifest.procedure_code)?.ok_or_else(|| {
            SubmissionError::Invalid(format!(
                "procedure {} is no longer in the catalog; the dossier cannot be created",
                manifest.procedure_code
            ))
        })?;
        let received_on = vietnam_date(now);
        let (due_on, status, fee_total_vnd) =
            receipt_fields(&procedure, received_on, &intake.holidays);
        let code = next_code(&tx, &intake.agency_id, received_on)?;
        // The kiosk's own token, when it proposed one, so the QR code it printed before delivery
        // works; a fresh one in the (2^-128) case that it is already taken.
        let token = match &manifest.status_token {
            Some(proposed) if !token_taken(&tx, proposed)? => proposed.clone(),
            _ => new_token(),
        };
        insert_dossier(
            &tx,
            &NewDossier {
                code: &code,
                procedure_code: &manifest.procedure_code,
                received_on,
                due_on,
                token: &token,
                created_at: now,
            },
            &[(
                StatusChange {
                    status,
                    at: now,
                    note: None,
                },
                &format!("kiosk:{kiosk}"),
            )],
        )?;
        let receipt = SubmissionReceipt {
            code: code.clone(),
            procedure_code: manifest.procedure_code.clone(),
            procedure_name: procedure.name.clone(),
            agency: procedure.agency.clone(),
            received_on,
            due_on,
            status,
            status_url: status_url(&intake.public_base, &token),
            fee_total_vnd,
        };
        let receipt_json = serde_json::to_string(&receipt)
            .map_err(|e| SubmissionError::Corrupt(format!("receipt: {e}")))?;
        tx.execute(
            "UPDATE submissions SET dossier_code = ?2, receipt = ?3, completed_at = ?4,
                 completed_seq = (SELECT coalesce(max(completed_seq), 0) + 1 FROM submissions)
             WHERE id = ?1",
            params![
                submission,
                code.as_str(),
                receipt_json,
                now.unix_timestamp()
            ],
        )?;
        tx.commit()?;
        Ok(Completed {
            created: true,
            submission,
            receipt,
        })
    }

    /// Completed submissions after `after` in completion order, at most `limit`.
    pub fn completed_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<CompletedSubmission>, SubmissionError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT completed_seq, kiosk, completed_at, manifest, receipt FROM submissions
             WHERE completed_seq > ?1 ORDER BY completed_seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, kiosk, completed_at, manifest, receipt) = row?;
            out.push(CompletedSubmission {
                seq,
                kiosk,
                completed_at: OffsetDateTime::from_unix_timestamp(completed_at)
                    .map_err(|e| SubmissionError::Corrupt(format!("completed_at: {e}")))?,
                manifest: parse_manifest(&manifest)?,
                receipt: parse_receipt(&receipt)?,
            });
        }
        Ok(out)
    }

    /// The type and size of a stored file that belongs to some completed submission.
    pub fn completed_file(
        &self,
        sha256: &Sha256Hex,
    ) -> Result<Option<(MediaType, u64)>, SubmissionError> {
        let row: Option<(String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT f.media_type, f.size FROM submission_files f
                 JOIN submissions s ON s.id = f.submission_id
                 WHERE f.sha256 = ?1 AND f.complete = 1 AND s.dossier_code IS NOT NULL
                 LIMIT 1",
            )?
            .query_row([sha256.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(media_type, bytes)| Ok((media_type_from(&media_type)?, size(bytes)?)))
            .transpose()
    }
}

/// The next free dossier code of `agency` for `day`: the per-day sequence goes up by one, and
/// codes the one-stop system registered itself with the same agency id are skipped.
fn next_code(
    tx: &Transaction<'_>,
    agency: &str,
    day: time::Date,
) -> Result<DossierCode, SubmissionError> {
    let day_text = date_text(day);
    loop {
        let sequence: i64 = tx.query_row(
            "INSERT INTO dossier_sequences (agency, day, last) VALUES (?1, ?2, 1)
             ON CONFLICT (agency, day) DO UPDATE SET last = last + 1
             RETURNING last",
            params![agency, day_text],
            |r| r.get(0),
        )?;
        let code = dossier_code(agency, day, size(sequence)?)?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM dossiers WHERE code = ?1)",
            [code.as_str()],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn store() -> (tempfile::TempDir, SubmissionStore) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("c.db")).unwrap();
        (dir, SubmissionStore::new(conn))
    }

    #[test]
    fn codes_count_up_per_agency_and_day_and_skip_codes_already_taken() {
        let (_dir, mut store) = store();
        let day = date!(2026 - 11 - 23);
        let tx = store.conn.transaction().unwrap();
        assert_eq!(
            next_code(&tx, "G00.01", day).unwrap().as_str(),
            "G00.01-20261123-0000001"
        );
        assert_eq!(
            next_code(&tx, "G00.01", day).unwrap().as_str(),
            "G00.01-20261123-0000002"
        );
        assert_eq!(
            next_code(&tx, "G00.01", date!(2026 - 11 - 24))
                .unwrap()
                .as_str(),
            "G00.01-20261124-0000001"
        );
        assert_eq!(
            next_code(&tx, "G09.20", day).unwrap().as_str(),
            "G09.20-20261123-0000001"
        );
        insert_dossier(
            &tx,
            &NewDossier {
                code: &DossierCode::parse("G00.01-20261123-0000003").unwrap(),
                procedure_code: &ProcedureCode::parse("1.001193").unwrap(),
                received_on: day,
                due_on: day,
                token: &new_token(),
                created_at: datetime!(2026-11-23 03:00 UTC),
            },
            &[(
                StatusChange {
                    status: motcua_protocol::DossierStatus::Accepted,
                    at: datetime!(2026-11-23 03:00 UTC),
                    note: None,
                },
                "registration",
            )],
        )
        .unwrap();
        assert_eq!(
            next_code(&tx, "G00.01", day).unwrap().as_str(),
            "G00.01-20261123-0000004"
        );
    }
}

fn token_taken(tx: &Transaction<'_>, token: &StatusToken) -> Result<bool, SubmissionError> {
    let hash = crate::status::store::token_hash(token.as_str());
    Ok(tx
        .query_row(
            "SELECT 1 FROM dossiers WHERE token_hash = ?1",
            [&hash[..]],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
