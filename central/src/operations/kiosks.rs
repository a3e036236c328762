//! Kiosk records: a one-time enrollment code, exchanged once for a bearer credential.

use motcua_protocol::EnrollResponse;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::secrets::{
    KIOSK_CREDENTIAL_PREFIX, equal, hash, new_credential, new_enrollment_code,
    normalize_enrollment_code,
};
use super::{OperationsError, OperationsStore, check_name};

/// How long an enrollment code from `kiosk add` can be used.
pub const ENROLLMENT_VALIDITY: Duration = Duration::hours(24);
/// `last_seen_at` is written at most this often per kiosk, so authenticated reads stay reads.
const LAST_SEEN_GRANULARITY_SECS: i64 = 60;

/// Why an enrollment code was refused; each says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrollRefusal {
    #[error(
        "unknown enrollment code; check it, or create one with `motcua-central kiosk add NAME`"
    )]
    UnknownCode,
    #[error(
        "this enrollment code was already used by kiosk {0}; a code works once. To enroll again, \
         revoke the kiosk and add it under a new name"
    )]
    AlreadyUsed(String),
    #[error(
        "this enrollment code for kiosk {0} has expired (codes are valid for 24 hours); run \
         `motcua-central kiosk add {0}` for a new one"
    )]
    Expired(String),
    #[error("kiosk {0} is revoked")]
    Revoked(String),
}

/// One line of `motcua-central kiosk list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskInfo {
    pub name: String,
    pub created_at: i64,
    pub enrolled_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_seen_at: Option<i64>,
}

/// A kiosk row as enrollment needs it.
struct Enrollment {
    id: i64,
    name: String,
    code_hash: Vec<u8>,
    expires_at: Option<i64>,
    enrolled_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// What an authentication attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KioskLookup {
    Kiosk(String),
    Revoked(String),
    Unknown,
}

impl OperationsStore {
    /// Adds a kiosk and returns its one-time enrollment code (valid 24 hours). For a kiosk that
    /// was added but never enrolled, issues a fresh code instead (the old one stops working).
    pub fn add_kiosk(
        &mut self,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<String, OperationsError> {
        check_name(name)?;
        let code = new_enrollment_code();
        let code_hash = hash(&normalize_enrollment_code(&code).unwrap_or_default());
        let expires = (now + ENROLLMENT_VALIDITY).unix_timestamp();
        let tx = self.conn.transaction()?;
        let existing: Option<(i64, Option<i64>, Option<i64>)> = tx
            .query_row(
                "SELECT id, enrolled_at, revoked_at FROM kiosks WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        match existing {
            None => {
                tx.execute(
                    "INSERT INTO kiosks (name, enrollment_hash, enrollment_expires_at, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![name, &code_hash[..], expires, now.unix_timestamp()],
                )?;
            }
            Some((id, None, None)) => {
                tx.execute(
                    "UPDATE kiosks SET enrollment_hash = ?2, enrollment_expires_at = ?3 WHERE id = ?1",
                    params![id, &code_hash[..], expires],
                )?;
            }
            Some(_) => return Err(OperationsError::KioskExists(name.to_owned())),
        }
        tx.commit()?;
        Ok(code)
    }

    /// Exchanges an enrollment code for the kiosk's credential, once.
    pub fn enroll(
        &mut self,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<EnrollResponse, OperationsError> {
        let Some(normalized) = normalize_enrollment_code(code) else {
            return Err(EnrollRefusal::UnknownCode.into());
        };
        let code_hash = hash(&normalized);
        let tx = self.conn.transaction()?;
        let found = tx
            .query_row(
                "SELECT id, name, enrollment_hash, enrollment_expires_at, enrolled_at, revoked_at
                 FROM kiosks WHERE enrollment_hash = ?1",
                [&code_hash[..]],
                |r| {
                    Ok(Enrollment {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        code_hash: r.get(2)?,
                        expires_at: r.get(3)?,
                        enrolled_at: r.get(4)?,
                        revoked_at: r.get(5)?,
                    })
                },
            )
            .optional()?;
        let Some(found) = found.filter(|f| equal(&f.code_hash, &code_hash)) else {
            return Err(EnrollRefusal::UnknownCode.into());
        };
        let (id, name) = (found.id, found.name);
        if found.revoked_at.is_some() {
            return Err(EnrollRefusal::Revoked(name).into());
        }
        if found.enrolled_at.is_some() {
            return Err(EnrollRefusal::AlreadyUsed(name).into());
        }
        if found.expires_at.is_none_or(|e| now.unix_timestamp() > e) {
            return Err(EnrollRefusal::Expired(name).into());
        }
        let credential = new_credential(KIOSK_CREDENTIAL_PREFIX);
        tx.execute(
            "UPDATE kiosks SET credential_hash = ?2, enrolled_at = ?3 WHERE id = ?1",
            params![id, &hash(&credential)[..], now.unix_timestamp()],
        )?;
        tx.commit()?;
        Ok(EnrollResponse {
            kiosk_name: name,
            credential,
        })
    }

    /// Adds and enrolls a kiosk in one step and returns its credential; for an existing kiosk,
    /// replaces its credential (the old one stops working). For demo mode and tests.
    pub fn issue_kiosk_credential(
        &mut self,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<String, OperationsError> {
        check_name(name)?;
        let credential = new_credential(KIOSK_CREDENTIAL_PREFIX);
        let tx = self.conn.transaction()?;
        let revoked: Option<Option<i64>> = tx
            .query_row(
                "SELECT revoked_at FROM kiosks WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        match revoked {
            Some(Some(_)) => return Err(OperationsError::KioskRevoked(name.to_owned())),
            Some(None) => {
                tx.execute(
                    "UPDATE kiosks SET credential_hash = ?2, enrolled_at = ?3,
                         enrollment_hash = NULL, enrollment_expires_at = NULL
                     WHERE name = ?1",
                    params![name, &hash(&credential)[..], now.unix_timestamp()],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO kiosks (name, credential_hash, created_at, enrolled_at)
                     VALUES (?1, ?2, ?3, ?3)",
                    params![name, &hash(&credential)[..], now.unix_timestamp()],
                )?;
            }
        }
        tx.commit()?;
        Ok(credential)
    }

    pub fn revoke_kiosk(&mut self, name: &str, now: OffsetDateTime) -> Result<(), OperationsError> {
        let changed = self.conn.execute(
            "UPDATE kiosks SET revoked_at = coalesce(revoked_at, ?2) WHERE name = ?1",
            params![name, now.unix_timestamp()],
        )?;
        if changed == 0 {
            return Err(OperationsError::UnknownKiosk(name.to_owned()));
        }
        Ok(())
    }

    pub fn list_kiosks(&self) -> Result<Vec<KioskInfo>, OperationsError> {
        let mut stmt = self.conn.prepare(
            "SELECT name, created_at, enrolled_at, revoked_at, last_seen_at FROM kiosks ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KioskInfo {
                name: r.get(0)?,
                created_at: r.get(1)?,
                enrolled_at: r.get(2)?,
                revoked_at: r.get(3)?,
                last_seen_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Finds the kiosk a presented credential belongs to, by its hash, and notes that it was seen.
    pub fn authenticate_kiosk(
        &mut self,
        presented: &str,
        now: OffsetDateTime,
    ) -> Result<KioskLookup, OperationsError> {
        let presented_hash = hash(presented);
        let found: Option<(i64, String, Vec<u8>, Option<i64>)> = self
            .conn
            .prepare_cached(
                "SELECT id, name, credential_hash, revoked_at FROM kiosks WHERE credential_hash = ?1",
            )?
            .query_row([&presented_hash[..]], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((id, name, stored, revoked)) = found else {
            return Ok(KioskLookup::Unknown);
        };
        if !equal(&stored, &presented_hash) {
            return Ok(KioskLookup::Unknown);
        }
        if revoked.is_some() {
            return Ok(KioskLookup::Revoked(name));
        }
        let now = now.unix_timestamp();
        self.conn
            .prepare_cached(
                "UPDATE kiosks SET last_seen_at = ?2
                 WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at <= ?2 - ?3)",
            )?
            .execute(params![id, now, LAST_SEEN_GRANULARITY_SECS])?;
        Ok(KioskLookup::Kiosk(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::operations::temporary_store as store;

    #[test]
    fn a_code_enrolls_once_within_a_day() {
        let (_dir, mut store) = store();
        let now = OffsetDateTime::now_utc();
        let code = store.add_kiosk("quay-1", now).unwrap();
        let response = store.enroll(&code.to_lowercase(), now).unwrap();
        assert_eq!(response.kiosk_name, "quay-1");
        assert_eq!(
            store.authenticate_kiosk(&response.credential, now).unwrap(),
            KioskLookup::Kiosk("quay-1".into())
        );
        let again = store.enroll(&code, now).unwrap_err();
        assert!(
            matches!(again, OperationsError::Enroll(EnrollRefusal::AlreadyUsed(ref n)) if n == "quay-1"),
            "{again}"
        );
        assert!(matches!(
            store.add_kiosk("quay-1", now),
            Err(OperationsError::KioskExists(_))
        ));

        let late = store.add_kiosk("quay-2", now).unwrap();
        let err = store
            .enroll(&late, now + ENROLLMENT_VALIDITY + Duration::seconds(1))
            .unwrap_err();
        assert!(err.to_string().contains("expired"), "{err}");
        // A fresh code for the same, never enrolled kiosk replaces the expired one.
        let fresh = store.add_kiosk("quay-2", now).unwrap();
        assert!(matches!(
            store.enroll(&late, now),
            Err(OperationsError::Enroll(EnrollRefusal::UnknownCode))
        ));
        assert!(store.enroll(&fresh, now).is_ok());
    }

    #[test]
    fn revoked_and_rotated_credentials_stop_working_and_last_seen_is_throttled() {
        let (_dir, mut store) = store();
        let t0 = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        let first = store.issue_kiosk_credential("demo", t0).unwrap();
        let second = store.issue_kiosk_credential("demo", t0).unwrap();
        assert_eq!(
            store.authenticate_kiosk(&first, t0).unwrap(),
            KioskLookup::Unknown
        );
        store.authenticate_kiosk(&second, t0).unwrap();
        store
            .authenticate_kiosk(&second, t0 + Duration::seconds(30))
            .unwrap();
        assert_eq!(
            store.list_kiosks().unwrap()[0].last_seen_at,
            Some(t0.unix_timestamp())
        );
        store
            .authenticate_kiosk(&second, t0 + Duration::seconds(61))
            .unwrap();
        assert_eq!(
            store.list_kiosks().unwrap()[0].last_seen_at,
            Some(t0.unix_timestamp() + 61)
        );
        store.revoke_kiosk("demo", t0).unwrap();
        assert_eq!(
            store.authenticate_kiosk(&second, t0).unwrap(),
            KioskLookup::Revoked("demo".into())
        );
        assert!(matches!(
            store.revoke_kiosk("nobody", t0),
            Err(OperationsError::UnknownKiosk(_))
        ));
        assert!(matches!(
            store.issue_kiosk_credential("demo", t0),
            Err(OperationsError::KioskRevoked(_))
        ));
    }
}
