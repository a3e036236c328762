//! The local catalog in the kiosk database.

use std::path::Path;

use motcua_protocol::{CatalogDelta, Procedure};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::storage::{self, StorageError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncState {
    pub cursor: Option<String>,
    pub etag: Option<String>,
    /// Unix seconds of the last sync that reached the server and succeeded.
    pub last_success_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub server_reachable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    pub full: bool,
    pub upserted: usize,
    pub removed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogStats {
    pub procedures: u64,
    pub fields: Vec<FieldCount>,
    pub sync: SyncState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldCount {
    pub field: String,
    pub procedures: u64,
}

/// A procedure as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub field: String,
    pub online: String,
}

pub struct CatalogDb {
    conn: Connection,
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl CatalogDb {
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        Ok(Self {
            conn: storage::open(path)?,
        })
    }

    /// Applies a validated delta and its cursor in one transaction: either both land or neither.
    pub fn apply(
        &mut self,
        delta: &CatalogDelta,
        etag: Option<&str>,
        now: i64,
    ) -> Result<ApplySummary, StorageError> {
        let tx = self.conn.transaction()?;
        if delta.full {
            tx.execute("DELETE FROM procedures", [])?;
        }
        {
            let mut upsert = tx.prepare(
                "INSERT INTO procedures (code, name, field, online, body) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, field = excluded.field,
                     online = excluded.online, body = excluded.body",
            )?;
            for procedure in &delta.procedures {
                let body = serde_json::to_string(procedure).map_err(|e| StorageError::Corrupt {
                    code: procedure.code.to_string(),
                    reason: e.to_string(),
                })?;
                upsert.execute(params![
                    procedure.code.as_str(),
                    procedure.name,
                    procedure.field,
                    procedure.online.as_str(),
                    body
                ])?;
            }
            let mut remove = tx.prepare("DELETE FROM procedures WHERE code = ?1")?;
            for code in &delta.removed {
                remove.execute([code.as_str()])?;
            }
        }
        tx.execute(
            "UPDATE sync_state SET cursor = ?1, etag = ?2, last_success_at = ?3, last_attempt_at = ?3,
                 last_error = NULL, server_reachable = 1 WHERE id = 1",
            params![delta.cursor, etag, now],
        )?;
        tx.commit()?;
        Ok(ApplySummary {
            full: delta.full,
            upserted: delta.procedures.len(),
            removed: delta.removed.len(),
        })
    }

    pub fn record_not_modified(&mut self, now: i64) -> Result<(), StorageError> {
        self.conn.execute(
            "UPDATE sync_state SET last_success_at = ?1, last_attempt_at = ?1, last_error = NULL,
                 server_reachable = 1 WHERE id = 1",
            [now],
        )?;
        Ok(())
    }

    pub fn record_failure(
        &mut self,
        now: i64,
        error: &str,
        reachable: bool,
    ) -> Result<(), StorageError> {
        self.conn.execute(
            "UPDATE sync_state SET last_attempt_at = ?1, last_error = ?2, server_reachable = ?3 WHERE id = 1",
            params![now, error, reachable],
        )?;
        Ok(())
    }

    pub fn sync_state(&self) -> Result<SyncState, StorageError> {
        Ok(self.conn.query_row(
            "SELECT cursor, etag, last_success_at, last_attempt_at, last_error, server_reachable
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok(SyncState {
                    cursor: r.get(0)?,
                    etag: r.get(1)?,
                    last_success_at: r.get(2)?,
                    last_attempt_at: r.get(3)?,
                    last_error: r.get(4)?,
                    server_reachable: r.get(5)?,
                })
            },
        )?)
    }

    pub fn count(&self) -> Result<u64, StorageError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM procedures", [], |r| r.get(0))?)
    }

    pub fn fields(&self) -> Result<Vec<FieldCount>, StorageError> {
        let mut stmt = self.conn.prepare(
            "SELECT field, count(*) FROM procedures GROUP BY field ORDER BY count(*) DESC, field",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FieldCount {
                field: r.get(0)?,
                procedures: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn stats(&self) -> Result<CatalogStats, StorageError> {
        Ok(CatalogStats {
            procedures: self.count()?,
            fields: self.fields()?,
            sync: self.sync_state()?,
        })
    }

    pub fn get(&self, code: &str) -> Result<Option<Procedure>, StorageError> {
        let body: Option<String> = self
            .conn
            .query_row("SELECT body FROM procedures WHERE code = ?1", [code], |r| {
                r.get(0)
            })
            .optional()?;
        body.map(|body| parse_stored(code, &body)).transpose()
    }

    /// The procedures of one field, by name.
    pub fn by_field(&self, field: &str) -> Result<Vec<ProcedureSummary>, StorageError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT code, name, field, online FROM procedures WHERE field = ?1")?;
        let rows = stmt.query_map([field], |r| {
            Ok(ProcedureSummary {
                code: r.get(0)?,
                name: r.get(1)?,
                field: r.get(2)?,
                online: r.get(3)?,
            })
        })?;
        let mut procedures: Vec<ProcedureSummary> = rows.collect::<Result<_, _>>()?;
        // SQLite's binary order puts "Cấp Giấy" before "Cấp bản"; visitors expect dictionary order.
        procedures.sort_by_cached_key(|p| (super::fold::fold(&p.name), p.code.clone()));
        Ok(procedures)
    }

    /// Counts that a visitor opened a procedure of `field`.
    pub fn record_field_use(&mut self, field: &str) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO field_usage (field, opens) VALUES (?1, 1)
             ON CONFLICT (field) DO UPDATE SET opens = opens + 1",
            [field],
        )?;
        Ok(())
    }

    /// Fields visitors open most, then the largest; only fields that still have procedures.
    pub fn popular_fields(&self, limit: usize) -> Result<Vec<FieldCount>, StorageError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.field, count(*) AS n, coalesce(u.opens, 0) AS opens
             FROM procedures p LEFT JOIN field_usage u ON u.field = p.field
             GROUP BY p.field ORDER BY opens DESC, n DESC, p.field LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(FieldCount {
                field: r.get(0)?,
                procedures: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every procedure, in code order; what the search index is built from.
    pub fn all(&self) -> Result<Vec<Procedure>, StorageError> {
        let mut stmt = self
            .conn
            .prepare("SELECT code, body FROM procedures ORDER BY code")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let code: String = row.get(0)?;
            let body: String = row.get(1)?;
            out.push(parse_stored(&code, &body)?);
        }
        Ok(out)
    }

    /// For tests and diagnostics: SQLite's count of rows changed by this connection.
    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }
}

fn parse_stored(code: &str, body: &str) -> Result<Procedure, StorageError> {
    serde_json::from_str(body).map_err(|e| StorageError::Corrupt {
        code: code.to_owned(),
        reason: e.to_string(),
    })
}
