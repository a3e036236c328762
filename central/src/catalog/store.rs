use std::fmt;

use motcua_protocol::{CATALOG_FORMAT, Procedure};
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::DbError;

/// Where a kiosk's copy of the catalog stands: `<dataset>.<seq>`. The dataset changes only if the
/// server's database is recreated, in which case kiosks holding an old cursor get a full download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub dataset: String,
    pub seq: i64,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Self> {
        let (dataset, seq) = text.split_once('.')?;
        let valid_dataset = !dataset.is_empty()
            && dataset.len() <= 32
            && dataset.bytes().all(|b| b.is_ascii_hexdigit());
        let seq: i64 = seq.parse().ok().filter(|s| *s >= 0)?;
        valid_dataset.then(|| Self {
            dataset: dataset.to_owned(),
            seq,
        })
    }

    pub fn etag(&self) -> String {
        format!("\"{self}\"")
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.dataset, self.seq)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} added, {} changed, {} removed, {} unchanged",
            self.added, self.changed, self.removed, self.unchanged
        )
    }
}

/// A catalog response already serialised: stored bodies are spliced in as they are, so serving a
/// catalog never re-parses 10,000 records.
#[derive(Debug, Clone)]
pub struct DeltaJson {
    pub cursor: Cursor,
    pub full: bool,
    pub upserts: usize,
    pub removals: usize,
    pub body: String,
}

pub struct CatalogStore {
    conn: Connection,
}

impl CatalogStore {
    pub fn new(conn: Connection) -> Self {
        Self { conn }
    }

    pub fn current(&self) -> Result<Cursor, DbError> {
        Ok(self.conn.query_row(
            "SELECT dataset, seq FROM catalog_meta WHERE id = 1",
            [],
            |row| {
                Ok(Cursor {
                    dataset: row.get(0)?,
                    seq: row.get(1)?,
                })
            },
        )?)
    }

    pub fn count(&self) -> Result<u64, DbError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM procedures WHERE body IS NOT NULL",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn get(&self, code: &str) -> Result<Option<Procedure>, DbError> {
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM procedures WHERE code = ?1 AND body IS NOT NULL",
                [code],
                |r| r.get(0),
            )
            .optional()?;
        // Bodies are written only by this module from validated procedures.
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    /// Makes `procedures` the whole catalog. Unchanged records keep their version so incremental
    /// syncs carry only real changes; records absent from `procedures` become tombstones.
    pub fn replace(&mut self, procedures: &[Procedure]) -> Result<ImportSummary, DbError> {
        let tx = self.conn.transaction()?;
        let mut seq: i64 = tx.query_row("SELECT seq FROM catalog_meta WHERE id = 1", [], |r| {
            r.get(0)
        })?;
        let mut summary = ImportSummary::default();
        let mut incoming = std::collections::HashSet::with_capacity(procedures.len());
        {
            let mut existing = tx.prepare("SELECT body FROM procedures WHERE code = ?1")?;
            let mut write = tx.prepare(
                "INSERT INTO procedures (code, body, version) VALUES (?1, ?2, ?3)
                 ON CONFLICT (code) DO UPDATE SET body = excluded.body, version = excluded.version",
            )?;
            for procedure in procedures {
                let code = procedure.code.as_str();
                incoming.insert(code);
                let body = serde_json::to_string(procedure).map_err(|e| {
                    DbError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
                })?;
                let old: Option<Option<String>> =
                    existing.query_row([code], |r| r.get(0)).optional()?;
                match old {
                    Some(Some(old)) if old == body => {
                        summary.unchanged += 1;
                        continue;
                    }
                    Some(Some(_)) => summary.changed += 1,
                    _ => summary.added += 1,
                }
                seq += 1;
                write.execute(params![code, body, seq])?;
            }
            let live: Vec<String> = tx
                .prepare("SELECT code FROM procedures WHERE body IS NOT NULL")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut tombstone =
                tx.prepare("UPDATE procedures SET body = NULL, version = ?2 WHERE code = ?1")?;
            for code in live.iter().filter(|code| !incoming.contains(code.as_str())) {
                seq += 1;
                tombstone.execute(params![code, seq])?;
                summary.removed += 1;
            }
        }
        tx.execute("UPDATE catalog_meta SET seq = ?1 WHERE id = 1", [seq])?;
        tx.commit()?;
        Ok(summary)
    }

    /// Everything a kiosk holding `since` needs. An absent, malformed or foreign cursor gets the
    /// full catalog, so a kiosk can always recover by syncing.
    pub fn delta(&self, since: Option<&str>) -> Result<DeltaJson, DbError> {
        let current = self.current()?;
        let since_seq = resume_point(since, &current);
        let full = since_seq.is_none();
        let mut body = String::with_capacity(4096);
        body.push_str("{\"format\":");
        push_json_string(&mut body, CATALOG_FORMAT);
        body.push_str(",\"cursor\":");
        push_json_string(&mut body, &current.to_string());
        body.push_str(if full {
            ",\"full\":true,\"procedures\":["
        } else {
            ",\"full\":false,\"procedures\":["
        });

        let mut upserts = 0;
        let mut removed_codes = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, body FROM procedures WHERE version > ?1 ORDER BY version",
        )?;
        let mut rows = stmt.query([since_seq.unwrap_or(0)])?;
        while let Some(row) = rows.next()? {
            let code: String = row.get(0)?;
            let json: Option<String> = row.get(1)?;
            match json {
                Some(json) => {
                    if upserts > 0 {
                        body.push(',');
                    }
                    body.push_str(&json);
                    upserts += 1;
                }
                None if !full => removed_codes.push(code),
                None => {}
            }
        }
        body.push_str("],\"removed\":[");
        for (i, code) in removed_codes.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            push_json_string(&mut body, code);
        }
        body.push_str("]}");
        Ok(DeltaJson {
            cursor: current,
            full,
            upserts,
            removals: removed_codes.len(),
            body,
        })
    }
}

/// Where a kiosk holding `since` can resume from; `None` when it needs the full catalog (no
/// cursor, a malformed one, one from another server database, or one from the future).
pub fn resume_point(since: Option<&str>, current: &Cursor) -> Option<i64> {
    since
        .and_then(Cursor::parse)
        .filter(|c| c.dataset == current.dataset && c.seq <= current.seq)
        .map(|c| c.seq)
}

fn push_json_string(out: &mut String, text: &str) {
    // serde_json's string escaping cannot fail for a &str.
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}
