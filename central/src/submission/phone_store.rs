//! Phone upload sessions in SQLite: created by a kiosk, claimed by the first phone that opens the
//! link, expired after `phone_upload_minutes`. Tokens and claim cookies are stored as SHA-256
//! hashes only and looked up by hash.

use motcua_protocol::{ClientId, PhoneUploadFile, PhoneUploadList, Sha256Hex, StatusToken};
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, params};
use time::{Duration, OffsetDateTime};

use super::SubmissionError;
use super::store::media_type_from;
use crate::operations::secrets::equal;
use crate::status::store::token_hash;

pub struct PhoneUploadStore {
    conn: Connection,
}

/// A live session as the phone page sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub claim_hash: Option<Vec<u8>>,
    pub expires_at: OffsetDateTime,
    pub file_count: usize,
}

/// A session just made; `token` is shown once, in the kiosk's QR code.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: ClientId,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// Whether a phone may use a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// `new_cookie`: the phone just claimed it; send it this cookie value.
    Granted { new_cookie: Option<String> },
    /// Another phone claimed it.
    AlreadyUsed,
}

fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

fn timestamp(at: i64) -> Result<OffsetDateTime, SubmissionError> {
    OffsetDateTime::from_unix_timestamp(at)
        .map_err(|e| SubmissionError::Corrupt(format!("time {at}: {e}")))
}

impl PhoneUploadStore {
    pub fn new(conn: Connection) -> Self {
        Self { conn }
    }

    /// A new session of `kiosk`, valid for `lifetime`.
    pub fn create(
        &mut self,
        kiosk: &str,
        now: OffsetDateTime,
        lifetime: Duration,
    ) -> Result<NewSession, SubmissionError> {
        let id = random_hex::<16>();
        let mut secret = [0u8; 16];
        rand::rng().fill(&mut secret);
        let token = StatusToken::from_random_bytes(secret).as_str().to_owned();
        // Whole seconds, as stored, so the kiosk sees the same time in every answer.
        let expires_at = timestamp((now + lifetime).unix_timestamp())?;
        self.conn.execute(
            "INSERT INTO phone_upload_sessions (id, kiosk, token_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                kiosk,
                &token_hash(&token)[..],
                now.unix_timestamp(),
                expires_at.unix_timestamp()
            ],
        )?;
        let id = ClientId::parse(&id)
            .map_err(|_| SubmissionError::Corrupt("a new session id".into()))?;
        Ok(NewSession {
            id,
            token,
            expires_at,
        })
    }

    /// The live session a presented token opens, if any; any input is hashed and looked up the
    /// same way, so malformed and unknown tokens take the same path.
    pub fn by_token(
        &self,
        presented: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Session>, SubmissionError> {
        let row: Option<(String, Option<Vec<u8>>, i64, usize)> = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.claim_hash, s.expires_at,
                        (SELECT count(*) FROM phone_upload_files f WHERE f.session_id = s.id)
                 FROM phone_upload_sessions s WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            )?
            .query_row(
                params![&token_hash(presented)[..], now.unix_timestamp()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(id, claim_hash, expires_at, file_count)| {
            Ok(Session {
                id,
                claim_hash,
                expires_at: timestamp(expires_at)?,
                file_count,
            })
        })
        .transpose()
    }

    /// The first phone claims the session and gets a cookie; later, only that cookie opens it.
    pub fn access(
        &mut self,
        session: &Session,
        cookie: Option<&str>,
    ) -> Result<Access, SubmissionError> {
        let presented = cookie.map(token_hash);
        if session.claim_hash.is_none() {
            let secret = random_hex::<16>();
            let claimed = self.conn.execute(
                "UPDATE phone_upload_sessions SET claim_hash = ?2 WHERE id = ?1 AND claim_hash IS NULL",
                params![session.id, &token_hash(&secret)[..]],
            )?;
            if claimed == 1 {
                return Ok(Access::Granted {
                    new_cookie: Some(secret),
                });
            }
        }
        let stored: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT claim_hash FROM phone_upload_sessions WHERE id = ?1",
                [&session.id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        match (stored, presented) {
            (Some(stored), Some(presented)) if equal(&stored, &presented) => {
                Ok(Access::Granted { new_cookie: None })
            }
            _ => Ok(Access::AlreadyUsed),
        }
    }

    /// Records a file stored under the session, unless the session is gone (ended or expired
    /// meanwhile) or full: then `false`, and the caller deletes the file.
    pub fn add_file(
        &mut self,
        session: &str,
        file: &PhoneUploadFile,
        max_files: usize,
        now: OffsetDateTime,
    ) -> Result<bool, SubmissionError> {
        let added = self.conn.execute(
            "INSERT INTO phone_upload_files (session_id, file_id, media_type, size, sha256, received_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6
             WHERE EXISTS (SELECT 1 FROM phone_upload_sessions WHERE id = ?1 AND expires_at > ?7)
               AND (SELECT count(*) FROM phone_upload_files WHERE session_id = ?1) < ?8",
            params![
                session,
                file.file_id.as_str(),
                file.media_type.as_str(),
                i64::try_from(file.size).unwrap_or(i64::MAX),
                file.sha256.as_str(),
                file.received_at.unix_timestamp(),
                now.unix_timestamp(),
                i64::try_from(max_files).unwrap_or(i64::MAX)
            ],
        )?;
        Ok(added == 1)
    }

    fn owned_expiry(
        &self,
        kiosk: &str,
        session: &str,
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime, SubmissionError> {
        let expires_at: Option<i64> = self
            .conn
            .query_row(
                "SELECT expires_at FROM phone_upload_sessions
                 WHERE id = ?1 AND kiosk = ?2 AND expires_at > ?3",
                params![session, kiosk, now.unix_timestamp()],
                |r| r.get(0),
            )
            .optional()?;
        timestamp(expires_at.ok_or_else(|| SubmissionError::UnknownSession(session.to_owned()))?)
    }

    /// The files of a live session of `kiosk`, oldest first.
    pub fn list(
        &self,
        kiosk: &str,
        session: &str,
        now: OffsetDateTime,
    ) -> Result<PhoneUploadList, SubmissionError> {
        let expires_at = self.owned_expiry(kiosk, session, now)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT file_id, media_type, size, sha256, received_at FROM phone_upload_files
             WHERE session_id = ?1 ORDER BY received_at, rowid",
        )?;
        let rows = stmt.query_map([session], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut files = Vec::new();
        for row in rows {
            let (file_id, media_type, size, sha256, received_at) = row?;
            files.push(PhoneUploadFile {
                file_id: ClientId::parse(&file_id)
                    .map_err(|_| SubmissionError::Corrupt("a phone file id".into()))?,
                media_type: media_type_from(&media_type)?,
                size: u64::try_from(size)
                    .map_err(|_| SubmissionError::Corrupt(format!("size {size}")))?,
                sha256: Sha256Hex::parse(&sha256)
                    .map_err(|_| SubmissionError::Corrupt("a phone file hash".into()))?,
                received_at: timestamp(received_at)?,
            });
        }
        Ok(PhoneUploadList { files, expires_at })
    }

    /// One file of a live session of `kiosk`.
    pub fn file(
        &self,
        kiosk: &str,
        session: &str,
        file_id: &str,
        now: OffsetDateTime,
    ) -> Result<PhoneUploadFile, SubmissionError> {
        self.list(kiosk, session, now)?
            .files
            .into_iter()
            .find(|f| f.file_id.as_str() == file_id)
            .ok_or_else(|| SubmissionError::UnknownPhoneFile(file_id.to_owned()))
    }

    /// Ends a session of `kiosk`; the caller removes its files.
    pub fn end(&mut self, kiosk: &str, session: &str) -> Result<(), SubmissionError> {
        let tx = self.conn.transaction()?;
        let owned: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM phone_upload_sessions WHERE id = ?1 AND kiosk = ?2)",
            params![session, kiosk],
            |r| r.get(0),
        )?;
        if !owned {
            return Err(SubmissionError::UnknownSession(session.to_owned()));
        }
        tx.execute(
            "DELETE FROM phone_upload_files WHERE session_id = ?1",
            [session],
        )?;
        tx.execute("DELETE FROM phone_upload_sessions WHERE id = ?1", [session])?;
        tx.commit()?;
        Ok(())
    }

    pub fn exists(&self, session: &str) -> Result<bool, SubmissionError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM phone_upload_sessions WHERE id = ?1)",
            [session],
            |r| r.get(0),
        )?)
    }

    /// Deletes expired sessions and returns their ids, so their files can be removed.
    pub fn purge_expired(&mut self, now: OffsetDateTime) -> Result<Vec<String>, SubmissionError> {
        let tx = self.conn.transaction()?;
        let expired: Vec<String> = tx
            .prepare("SELECT id FROM phone_upload_sessions WHERE expires_at <= ?1")?
            .query_map([now.unix_timestamp()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &expired {
            tx.execute("DELETE FROM phone_upload_files WHERE session_id = ?1", [id])?;
            tx.execute("DELETE FROM phone_upload_sessions WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_protocol::MediaType;

    fn store() -> (tempfile::TempDir, PhoneUploadStore) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("c.db")).unwrap();
        (dir, PhoneUploadStore::new(conn))
    }

    fn file(id: &str, now: OffsetDateTime) -> PhoneUploadFile {
        PhoneUploadFile {
            file_id: ClientId::parse(id).unwrap(),
            media_type: MediaType::Jpeg,
            size: 10,
            sha256: Sha256Hex::from_digest(&[1; 32]),
            received_at: now,
        }
    }

    #[test]
    fn the_first_phone_claims_a_session_and_it_expires() {
        let (_dir, mut store) = store();
        let now = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        let new = store.create("quay-1", now, Duration::minutes(15)).unwrap();
        assert_eq!(new.token.len(), 22);
        let session = store.by_token(&new.token, now).unwrap().unwrap();
        let Access::Granted {
            new_cookie: Some(cookie),
        } = store.access(&session, None).unwrap()
        else {
            panic!("the first phone claims it");
        };
        let session = store.by_token(&new.token, now).unwrap().unwrap();
        assert_eq!(
            store.access(&session, Some(&cookie)).unwrap(),
            Access::Granted { new_cookie: None }
        );
        assert_eq!(store.access(&session, None).unwrap(), Access::AlreadyUsed);
        assert_eq!(
            store.access(&session, Some("someone-else")).unwrap(),
            Access::AlreadyUsed
        );

        assert!(
            store
                .add_file(&session.id, &file("a", now), 2, now)
                .unwrap()
        );
        assert!(
            store
                .add_file(&session.id, &file("b", now), 2, now)
                .unwrap()
        );
        assert!(
            !store
                .add_file(&session.id, &file("c", now), 2, now)
                .unwrap(),
            "full"
        );
        assert_eq!(
            store.list("quay-1", &session.id, now).unwrap().files.len(),
            2
        );
        assert!(matches!(
            store.list("quay-2", &session.id, now),
            Err(SubmissionError::UnknownSession(_))
        ));

        let later = now + Duration::minutes(15);
        assert!(store.by_token(&new.token, later).unwrap().is_none());
        assert!(store.list("quay-1", &session.id, later).is_err());
        assert_eq!(
            store.purge_expired(later).unwrap(),
            vec![session.id.clone()]
        );
        assert!(store.by_token(&new.token, now).unwrap().is_none(), "gone");
        assert!(store.by_token("not a token", now).unwrap().is_none());
    }
}
