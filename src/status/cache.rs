//! The kiosk's memory of dossier statuses and resolution statistics, for answering while the
//! central server is unreachable.

use std::path::Path;

use motcua_protocol::{DossierCode, DossierView, Statistics, StatusToken};
use rusqlite::{Connection, OptionalExtension, params};

use crate::storage::{self, StorageError};

/// Cached statuses older than this are dropped: a status that old misleads more than it helps.
pub const KEEP_SECONDS: i64 = 90 * 24 * 3600;

/// A status as last seen from the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen<T> {
    pub value: T,
    /// Unix seconds.
    pub seen_at: i64,
}

pub struct StatusCache {
    conn: Connection,
}

impl StatusCache {
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        Ok(Self {
            conn: storage::open(path)?,
        })
    }

    pub fn remember(&mut self, view: &DossierView, now: i64) -> Result<(), StorageError> {
        let body = serde_json::to_string(view).map_err(|e| StorageError::Corrupt {
            code: view.code.to_string(),
            reason: e.to_string(),
        })?;
        let token = token_of(view);
        let tx = self.conn.transaction()?;
        // A token belongs to one dossier; never let a stale row claim it.
        if let Some(token) = &token {
            tx.execute(
                "UPDATE dossier_status_cache SET token = NULL WHERE token = ?1 AND code <> ?2",
                params![token, view.code.as_str()],
            )?;
        }
        tx.execute(
            "INSERT INTO dossier_status_cache (code, token, body, seen_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (code) DO UPDATE SET token = excluded.token, body = excluded.body,
                 seen_at = excluded.seen_at",
            params![view.code.as_str(), token, body, now],
        )?;
        tx.execute(
            "DELETE FROM dossier_status_cache WHERE seen_at < ?1",
            params![now - KEEP_SECONDS],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn by_code(&self, code: &DossierCode) -> Result<Option<Seen<DossierView>>, StorageError> {
        self.find("code", code.as_str())
    }

    pub fn by_token(&self, token: &StatusToken) -> Result<Option<Seen<DossierView>>, StorageError> {
        self.find("token", token.as_str())
    }

    fn find(&self, column: &str, key: &str) -> Result<Option<Seen<DossierView>>, StorageError> {
        let sql =
            format!("SELECT code, body, seen_at FROM dossier_status_cache WHERE {column} = ?1");
        let row: Option<(String, String, i64)> = self
            .conn
            .query_row(&sql, [key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((code, body, seen_at)) = row else {
            return Ok(None);
        };
        let value = serde_json::from_str(&body).map_err(|e| StorageError::Corrupt {
            code,
            reason: e.to_string(),
        })?;
        Ok(Some(Seen { value, seen_at }))
    }

    pub fn remember_statistics(
        &mut self,
        stats: &Statistics,
        now: i64,
    ) -> Result<(), StorageError> {
        let body = serde_json::to_string(stats).map_err(|e| StorageError::Corrupt {
            code: "statistics".into(),
            reason: e.to_string(),
        })?;
        self.conn.execute(
            "INSERT INTO statistics_cache (id, body, fetched_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
            params![body, now],
        )?;
        Ok(())
    }

    pub fn statistics(&self) -> Result<Option<Seen<Statistics>>, StorageError> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT body, fetched_at FROM statistics_cache WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((body, seen_at)) = row else {
            return Ok(None);
        };
        let value = serde_json::from_str(&body).map_err(|e| StorageError::Corrupt {
            code: "statistics".into(),
            reason: e.to_string(),
        })?;
        Ok(Some(Seen { value, seen_at }))
    }
}

/// The token inside a view's status page address.
pub fn token_of(view: &DossierView) -> Option<String> {
    let (_, token) = view
        .status_url
        .rsplit_once(motcua_protocol::STATUS_PAGE_PREFIX)?;
    StatusToken::parse(token).ok().map(String::from)
}
