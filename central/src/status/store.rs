//! Dossiers and their history in SQLite. One `DossierStore` owns one connection to the server's
//! database; the HTTP layer keeps it behind a mutex and calls it from blocking threads.

use motcua_protocol::{
    DossierCode, DossierRegistration, DossierStatus, DossierView, EventOutcome, ProcedureCode,
    StatusChange, StatusEvent, StatusToken, Timeliness, status_url,
};
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use super::rules::{
    HistoryEntry, check_event_id, check_event_time, clean_note, from_ns, order_timeline, summarise,
    to_ns,
};
use super::{StatusError, VIETNAM, vietnam_date};

/// Longer input than any token is cut before hashing, so a lookup's cost does not grow with
/// whatever a client sends.
const TOKEN_HASH_INPUT_MAX: usize = 64;

/// A dossier with its whole history, oldest change first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dossier {
    pub code: DossierCode,
    pub procedure_code: ProcedureCode,
    /// From the catalog; `None` once the procedure is no longer published.
    pub procedure_name: Option<String>,
    pub field: Option<String>,
    pub received_on: Date,
    pub due_on: Date,
    pub status: DossierStatus,
    pub resolved_on: Option<Date>,
    pub token: StatusToken,
    pub history: Vec<StatusChange>,
}

impl Dossier {
    pub fn timeliness(&self, today: Date) -> Timeliness {
        Timeliness::judge(self.status, self.due_on, self.resolved_on, today)
    }

    pub fn status_url(&self, public_base: &str) -> String {
        status_url(public_base, &self.token)
    }

    pub fn view(&self, public_base: &str, today: Date) -> DossierView {
        DossierView {
            code: self.code.clone(),
            procedure_code: self.procedure_code.clone(),
            procedure_name: self.procedure_name.clone().unwrap_or_default(),
            field: self.field.clone().unwrap_or_default(),
            received_on: self.received_on,
            due_on: self.due_on,
            status: self.status,
            timeliness: self.timeliness(today),
            history: self.history.clone(),
            status_url: self.status_url(public_base),
        }
    }
}

/// What `register` did: `created` is false when the same dossier was already registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub dossier: Dossier,
    pub created: bool,
}

/// One line of `motcua-central dossier list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierSummary {
    pub code: DossierCode,
    pub procedure_code: String,
    pub procedure_name: Option<String>,
    #[serde(serialize_with = "serialize_date")]
    pub received_on: Date,
    #[serde(serialize_with = "serialize_date")]
    pub due_on: Date,
    pub status: DossierStatus,
    pub timeliness: Timeliness,
}

fn serialize_date<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date_text(*date))
}

pub struct DossierStore {
    conn: Connection,
}

/// A fresh status token from the operating system's CSPRNG (via `rand::rng`).
pub fn new_token() -> StatusToken {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes);
    StatusToken::from_random_bytes(bytes)
}

/// SHA-256 of (at most the first 64 bytes of) what a client presented as a token.
pub fn token_hash(presented: &str) -> [u8; 32] {
    let bytes = presented.as_bytes();
    Sha256::digest(&bytes[..bytes.len().min(TOKEN_HASH_INPUT_MAX)]).into()
}

pub(crate) fn date_text(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

pub(crate) fn parse_date(text: &str) -> Result<Date, StatusError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).map_err(|e| StatusError::Corrupt(format!("date {text:?}: {e}")))
}

const DOSSIER_COLUMNS: &str = "d.code, d.procedure_code, d.received_on, d.due_on, d.status, \
    d.resolved_on, d.token, json_extract(p.body, '$.name'), json_extract(p.body, '$.field') \
    FROM dossiers d LEFT JOIN procedures p ON p.code = d.procedure_code AND p.body IS NOT NULL";

type DossierRow = (
    String,
    String,
    String,
    String,
    u8,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

fn dossier_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DossierRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
    ))
}

fn status_from(number: u8) -> Result<DossierStatus, StatusError> {
    DossierStatus::from_number(number)
        .ok_or_else(|| StatusError::Corrupt(format!("status {number}")))
}

impl DossierStore {
    pub fn new(conn: Connection) -> Self {
        Self { conn }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn count(&self) -> Result<u64, StatusError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM dossiers", [], |r| r.get(0))?)
    }

    /// Registers a dossier received at a desk, with a fresh status token. Registering the same
    /// dossier again (same procedure and dates) changes nothing and returns it; different data is
    /// a conflict. The first history entry is `registration.status` (default 2), dated by
    /// `registration_time`.
    pub fn register(
        &mut self,
        code: &DossierCode,
        registration: &DossierRegistration,
        now: OffsetDateTime,
    ) -> Result<Registered, StatusError> {
        if registration.due_on < registration.received_on {
            return Err(StatusError::DueBeforeReceived {
                received: date_text(registration.received_on),
                due: date_text(registration.due_on),
            });
        }
        let tx = self.conn.transaction()?;
        let existing: Option<(String, String, String)> = tx
            .query_row(
                "SELECT procedure_code, received_on, due_on FROM dossiers WHERE code = ?1",
                [code.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((procedure, received, due)) = existing {
            let wanted = (
                registration.procedure_code.as_str(),
                date_text(registration.received_on),
                date_text(registration.due_on),
            );
            let difference = if procedure != wanted.0 {
                Some(format!("procedure ({procedure}, not {})", wanted.0))
            } else if received != wanted.1 {
                Some(format!("received date ({received}, not {})", wanted.1))
            } else if due != wanted.2 {
                Some(format!("appointment date ({due}, not {})", wanted.2))
            } else {
                None
            };
            drop(tx);
            return match difference {
                Some(difference) => Err(StatusError::DossierConflict {
                    code: code.clone(),
                    difference,
                }),
                None => Ok(Registered {
                    dossier: self.require(code)?,
                    created: false,
                }),
            };
        }
        let published: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM procedures WHERE code = ?1 AND body IS NOT NULL)",
            [registration.procedure_code.as_str()],
            |r| r.get(0),
        )?;
        if !published {
            return Err(StatusError::UnknownProcedure(
                registration.procedure_code.to_string(),
            ));
        }
        let first = StatusChange {
            status: registration.status.unwrap_or(DossierStatus::Accepted),
            at: registration_time(registration.received_on, now),
            note: None,
        };
        insert_dossier(
            &tx,
            &NewDossier {
                code,
                procedure_code: &registration.procedure_code,
                received_on: registration.received_on,
                due_on: registration.due_on,
                token: &new_token(),
                created_at: now,
            },
            &[(first, "registration")],
        )?;
        tx.commit()?;
        Ok(Registered {
            dossier: self.require(code)?,
            created: true,
        })
    }

    /// Records a status change made by staff (command line) at `at`, and returns the dossier.
    pub fn set_status(
        &mut self,
        code: &DossierCode,
        status: DossierStatus,
        note: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<Dossier, StatusError> {
        let note = clean_note(note)?;
        let tx = self.conn.transaction()?;
        if !dossier_exists(&tx, code)? {
            return Err(StatusError::UnknownDossier(code.clone()));
        }
        let change = StatusChange { status, at, note };
        append_history(&tx, code, &change, "staff")?;
        refresh(&tx, code)?;
        tx.commit()?;
        self.require(code)
    }

    /// Applies a status event from an integration, exactly once per `event_id`.
    pub fn apply_event(
        &mut self,
        event: &StatusEvent,
        integration: &str,
        now: OffsetDateTime,
    ) -> Result<(EventOutcome, Dossier), StatusError> {
        check_event_id(&event.event_id)?;
        let note = clean_note(event.note.as_deref())?;
        let at = event.at.unwrap_or(now);
        check_event_time(at, now)?;
        let sent_at_ns = event.at.map(to_ns).transpose()?;
        let code = &event.dossier_code;

        let tx = self.conn.transaction()?;
        let earlier: Option<(String, u8, Option<i64>, Option<String>)> = tx
            .query_row(
                "SELECT dossier_code, status, sent_at_ns, note FROM status_events WHERE event_id = ?1",
                [&event.event_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        if let Some((earlier_code, earlier_status, earlier_at, earlier_note)) = earlier {
            let difference = if earlier_code != code.as_str() {
                Some(format!("dossier_code ({earlier_code}, not {code})"))
            } else if earlier_status != event.status.number() {
                Some(format!(
                    "status ({earlier_status}, not {})",
                    event.status.number()
                ))
            } else if earlier_at != sent_at_ns {
                Some("at".to_owned())
            } else if earlier_note != note {
                Some("note".to_owned())
            } else {
                None
            };
            drop(tx);
            return match difference {
                Some(difference) => Err(StatusError::EventConflict {
                    event_id: event.event_id.clone(),
                    difference,
                }),
                None => Ok((EventOutcome::Duplicate, self.require(code)?)),
            };
        }
        if !dossier_exists(&tx, code)? {
            return Err(StatusError::UnknownDossier(code.clone()));
        }
        let change = StatusChange {
            status: event.status,
            at,
            note: note.clone(),
        };
        let history_id = append_history(&tx, code, &change, &format!("integration:{integration}"))?;
        tx.execute(
            "INSERT INTO status_events
                 (event_id, dossier_code, status, sent_at_ns, note, history_id, integration, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                event.event_id,
                code.as_str(),
                event.status.number(),
                sent_at_ns,
                note,
                history_id,
                integration,
                now.unix_timestamp()
            ],
        )?;
        refresh(&tx, code)?;
        tx.commit()?;
        Ok((EventOutcome::Applied, self.require(code)?))
    }

    pub fn get(&self, code: &DossierCode) -> Result<Option<Dossier>, StatusError> {
        let row = self
            .conn
            .prepare_cached(&format!("SELECT {DOSSIER_COLUMNS} WHERE d.code = ?1"))?
            .query_row([code.as_str()], dossier_row)
            .optional()?;
        row.map(|row| self.complete(row)).transpose()
    }

    fn require(&self, code: &DossierCode) -> Result<Dossier, StatusError> {
        self.get(code)?
            .ok_or_else(|| StatusError::UnknownDossier(code.clone()))
    }

    /// Looks a dossier up by whatever a client presented as its token, well-formed or not: the
    /// input is hashed and the same indexed query runs either way, so the time taken does not tell
    /// a malformed token from an unknown one.
    pub fn find_by_presented_token(&self, presented: &str) -> Result<Option<Dossier>, StatusError> {
        let hash = token_hash(presented);
        let row = self
            .conn
            .prepare_cached(&format!("SELECT {DOSSIER_COLUMNS} WHERE d.token_hash = ?1"))?
            .query_row([&hash[..]], dossier_row)
            .optional()?;
        match row {
            // The index matched on the hash; compare the secret itself once more in constant time.
            Some(row)
                if crate::operations::secrets::equal(row.6.as_bytes(), presented.as_bytes()) =>
            {
                self.complete(row).map(Some)
            }
            _ => Ok(None),
        }
    }

    pub fn view_by_code(
        &self,
        code: &DossierCode,
        public_base: &str,
        today: Date,
    ) -> Result<Option<DossierView>, StatusError> {
        Ok(self.get(code)?.map(|d| d.view(public_base, today)))
    }

    pub fn view_by_token(
        &self,
        token: &StatusToken,
        public_base: &str,
        today: Date,
    ) -> Result<Option<DossierView>, StatusError> {
        Ok(self
            .find_by_presented_token(token.as_str())?
            .map(|d| d.view(public_base, today)))
    }

    /// Every dossier, most recently received first.
    pub fn list(&self, today: Date) -> Result<Vec<DossierSummary>, StatusError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.code, d.procedure_code, json_extract(p.body, '$.name'), d.received_on,
                    d.due_on, d.status, d.resolved_on
             FROM dossiers d LEFT JOIN procedures p ON p.code = d.procedure_code AND p.body IS NOT NULL
             ORDER BY d.received_on DESC, d.code",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, u8>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (code, procedure_code, procedure_name, received, due, status, resolved) = row?;
            let status = status_from(status)?;
            let due_on = parse_date(&due)?;
            let resolved_on = resolved.as_deref().map(parse_date).transpose()?;
            out.push(DossierSummary {
                code: DossierCode::parse(&code).map_err(|e| StatusError::Corrupt(e.to_string()))?,
                procedure_code,
                procedure_name,
                received_on: parse_date(&received)?,
                due_on,
                status,
                timeliness: Timeliness::judge(status, due_on, resolved_on, today),
            });
        }
        Ok(out)
    }

    fn complete(&self, row: DossierRow) -> Result<Dossier, StatusError> {
        let (code, procedure, received, due, status, resolved, token, name, field) = row;
        let corrupt = |e: &dyn std::fmt::Display| StatusError::Corrupt(e.to_string());
        let code = DossierCode::parse(&code).map_err(|e| corrupt(&e))?;
        let history = load_history(&self.conn, &code)?
            .into_iter()
            .map(|e| e.change)
            .collect();
        Ok(Dossier {
            procedure_code: ProcedureCode::parse(&procedure).map_err(|e| corrupt(&e))?,
            procedure_name: name,
            field,
            received_on: parse_date(&received)?,
            due_on: parse_date(&due)?,
            status: status_from(status)?,
            resolved_on: resolved.as_deref().map(parse_date).transpose()?,
            token: StatusToken::parse(&token).map_err(|e| corrupt(&e))?,
            history,
            code,
        })
    }
}

/// When the first history entry of a registration happened: now, for a dossier received today;
/// for one registered after the day it was received, the start of that day (Vietnam time), since
/// the hour is unknown and events the one-stop system sends later with their real times must
/// still come after it.
pub fn registration_time(received_on: Date, now: OffsetDateTime) -> OffsetDateTime {
    if vietnam_date(now) <= received_on {
        now
    } else {
        received_on.midnight().assume_offset(VIETNAM)
    }
}

/// What `insert_dossier` writes; the demo data uses it directly with fixed tokens and past times.
pub(crate) struct NewDossier<'a> {
    pub code: &'a DossierCode,
    pub procedure_code: &'a ProcedureCode,
    pub received_on: Date,
    pub due_on: Date,
    pub token: &'a StatusToken,
    pub created_at: OffsetDateTime,
}

/// Inserts a dossier with its history (at least one change) without checking the catalog.
pub(crate) fn insert_dossier(
    tx: &Transaction<'_>,
    dossier: &NewDossier<'_>,
    history: &[(StatusChange, &str)],
) -> Result<(), StatusError> {
    let Some((first, _)) = history.first() else {
        return Err(StatusError::Invalid(
            "a dossier needs at least one status".into(),
        ));
    };
    tx.execute(
        "INSERT INTO dossiers
             (code, procedure_code, received_on, due_on, status, token, token_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            dossier.code.as_str(),
            dossier.procedure_code.as_str(),
            date_text(dossier.received_on),
            date_text(dossier.due_on),
            first.status.number(),
            dossier.token.as_str(),
            &token_hash(dossier.token.as_str())[..],
            dossier.created_at.unix_timestamp()
        ],
    )?;
    for (change, source) in history {
        append_history(tx, dossier.code, change, source)?;
    }
    refresh(tx, dossier.code)
}

fn dossier_exists(tx: &Transaction<'_>, code: &DossierCode) -> Result<bool, StatusError> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM dossiers WHERE code = ?1)",
        [code.as_str()],
        |r| r.get(0),
    )?)
}

fn append_history(
    tx: &Transaction<'_>,
    code: &DossierCode,
    change: &StatusChange,
    source: &str,
) -> Result<i64, StatusError> {
    tx.prepare_cached(
        "INSERT INTO dossier_history (dossier_code, status, at_ns, note, source)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        code.as_str(),
        change.status.number(),
        to_ns(change.at)?,
        change.note,
        source
    ])?;
    Ok(tx.last_insert_rowid())
}

fn load_history(conn: &Connection, code: &DossierCode) -> Result<Vec<HistoryEntry>, StatusError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, status, at_ns, note FROM dossier_history WHERE dossier_code = ?1",
    )?;
    let rows = stmt.query_map([code.as_str()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, u8>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (seq, status, at_ns, note) = row?;
        entries.push(HistoryEntry {
            seq,
            change: StatusChange {
                status: status_from(status)?,
                at: from_ns(at_ns)?,
                note,
            },
        });
    }
    order_timeline(&mut entries);
    Ok(entries)
}

/// Recomputes the dossier's current status and resolution day from its whole history.
fn refresh(tx: &Transaction<'_>, code: &DossierCode) -> Result<(), StatusError> {
    let history = load_history(tx, code)?;
    let Some((status, resolved_on)) = summarise(&history) else {
        return Err(StatusError::Corrupt(format!(
            "dossier {code} has no history"
        )));
    };
    tx.execute(
        "UPDATE dossiers SET status = ?2, resolved_on = ?3 WHERE code = ?1",
        params![code.as_str(), status.number(), resolved_on.map(date_text)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn registration_is_dated_now_on_the_day_else_at_the_start_of_the_received_day() {
        let now = datetime!(2026-06-09 03:15 UTC); // 10:15 on 9 June in Vietnam
        assert_eq!(registration_time(date!(2026 - 06 - 09), now), now);
        assert_eq!(
            registration_time(date!(2026 - 06 - 05), now),
            datetime!(2026-06-05 00:00 +7)
        );
    }

    #[test]
    fn token_lookups_hash_at_most_64_bytes() {
        let long = "x".repeat(1000);
        assert_eq!(token_hash(&long), token_hash(&long[..64]));
        assert_ne!(token_hash("a"), token_hash("b"));
    }
}
