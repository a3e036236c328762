//! Staff accounts: who may open the fleet view and configure kiosks. Created on the server's
//! command line only (`motcua-central staff add NAME`), so taking over the web side gives no way
//! to make more.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::{OperationsError, OperationsStore, check_name, passwords};

/// One line of `motcua-central staff list`; never the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffInfo {
    pub name: String,
    pub created_at: i64,
    pub password_set_at: i64,
}

impl OperationsStore {
    /// Adds a staff account with `password` (stored as an Argon2id hash only).
    pub fn add_staff(
        &mut self,
        name: &str,
        password: &str,
        now: OffsetDateTime,
    ) -> Result<(), OperationsError> {
        check_name(name)?;
        passwords::check_chosen(password)?;
        let hash = passwords::hash(password)?;
        let inserted = self.conn.execute(
            "INSERT INTO staff (name, password_hash, created_at, password_set_at)
             VALUES (?1, ?2, ?3, ?3) ON CONFLICT (name) DO NOTHING",
            params![name, hash, now.unix_timestamp()],
        )?;
        if inserted == 0 {
            return Err(OperationsError::StaffExists(name.to_owned()));
        }
        Ok(())
    }

    /// Replaces a staff account's password; the old one stops working at once.
    pub fn set_staff_password(
        &mut self,
        name: &str,
        password: &str,
        now: OffsetDateTime,
    ) -> Result<(), OperationsError> {
        passwords::check_chosen(password)?;
        let hash = passwords::hash(password)?;
        let changed = self.conn.execute(
            "UPDATE staff SET password_hash = ?2, password_set_at = ?3 WHERE name = ?1",
            params![name, hash, now.unix_timestamp()],
        )?;
        if changed == 0 {
            return Err(OperationsError::UnknownStaff(name.to_owned()));
        }
        Ok(())
    }

    pub fn remove_staff(&mut self, name: &str) -> Result<(), OperationsError> {
        let changed = self
            .conn
            .execute("DELETE FROM staff WHERE name = ?1", [name])?;
        if changed == 0 {
            return Err(OperationsError::UnknownStaff(name.to_owned()));
        }
        Ok(())
    }

    pub fn list_staff(&self) -> Result<Vec<StaffInfo>, OperationsError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, created_at, password_set_at FROM staff ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(StaffInfo {
                name: r.get(0)?,
                created_at: r.get(1)?,
                password_set_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The stored password hash of staff account `name`, to verify outside the store's lock
    /// (verification is slow on purpose).
    pub fn staff_password_hash(&self, name: &str) -> Result<Option<String>, OperationsError> {
        Ok(self
            .conn
            .prepare_cached("SELECT password_hash FROM staff WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_added_once_listed_reset_and_removed() {
        let (_dir, mut store) = crate::operations::temporary_store();
        let now = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        store
            .add_staff("an.nguyen", "mat-khau-dai-du", now)
            .unwrap();
        assert!(matches!(
            store.add_staff("an.nguyen", "mat-khau-khac-nua", now),
            Err(OperationsError::StaffExists(_))
        ));
        assert!(matches!(
            store.add_staff("bad name", "mat-khau-dai-du", now),
            Err(OperationsError::BadName(_))
        ));
        assert!(matches!(
            store.add_staff("binh", "ngan", now),
            Err(OperationsError::WeakPassword(_))
        ));
        let stored = store.staff_password_hash("an.nguyen").unwrap().unwrap();
        assert!(!stored.contains("mat-khau-dai-du"));
        assert!(passwords::verify("mat-khau-dai-du", &stored));

        let later = now + time::Duration::hours(1);
        store
            .set_staff_password("an.nguyen", "mat-khau-moi-hon", later)
            .unwrap();
        let stored = store.staff_password_hash("an.nguyen").unwrap().unwrap();
        assert!(!passwords::verify("mat-khau-dai-du", &stored));
        assert!(passwords::verify("mat-khau-moi-hon", &stored));
        assert_eq!(
            store.list_staff().unwrap(),
            [StaffInfo {
                name: "an.nguyen".into(),
                created_at: now.unix_timestamp(),
                password_set_at: later.unix_timestamp(),
            }]
        );
        store.remove_staff("an.nguyen").unwrap();
        assert_eq!(store.staff_password_hash("an.nguyen").unwrap(), None);
        assert!(matches!(
            store.remove_staff("an.nguyen"),
            Err(OperationsError::UnknownStaff(_))
        ));
        assert!(matches!(
            store.set_staff_password("an.nguyen", "mat-khau-moi-hon", later),
            Err(OperationsError::UnknownStaff(_))
        ));
    }
}
