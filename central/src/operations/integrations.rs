//! Integration clients: the province's one-stop system, which registers dossiers and pushes
//! status changes with a bearer token.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::secrets::{INTEGRATION_TOKEN_PREFIX, equal, hash, new_credential};
use super::{OperationsError, OperationsStore, check_name};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntegrationInfo {
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl OperationsStore {
    /// Adds an integration client and returns its token, shown once.
    pub fn add_integration(
        &mut self,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<String, OperationsError> {
        check_name(name)?;
        let token = new_credential(INTEGRATION_TOKEN_PREFIX);
        let inserted = self.conn.execute(
            "INSERT INTO integrations (name, token_hash, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO NOTHING",
            params![name, &hash(&token)[..], now.unix_timestamp()],
        )?;
        if inserted == 0 {
            return Err(OperationsError::IntegrationExists(name.to_owned()));
        }
        Ok(token)
    }

    /// Adds an integration client, or replaces the token of an existing one (the old token stops
    /// working). For demo mode and tests.
    pub fn issue_integration_token(
        &mut self,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<String, OperationsError> {
        check_name(name)?;
        let token = new_credential(INTEGRATION_TOKEN_PREFIX);
        let tx = self.conn.transaction()?;
        let revoked: Option<Option<i64>> = tx
            .query_row(
                "SELECT revoked_at FROM integrations WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        match revoked {
            Some(Some(_)) => return Err(OperationsError::IntegrationRevoked(name.to_owned())),
            Some(None) => tx.execute(
                "UPDATE integrations SET token_hash = ?2 WHERE name = ?1",
                params![name, &hash(&token)[..]],
            )?,
            None => tx.execute(
                "INSERT INTO integrations (name, token_hash, created_at) VALUES (?1, ?2, ?3)",
                params![name, &hash(&token)[..], now.unix_timestamp()],
            )?,
        };
        tx.commit()?;
        Ok(token)
    }

    pub fn revoke_integration(
        &mut self,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<(), OperationsError> {
        let changed = self.conn.execute(
            "UPDATE integrations SET revoked_at = coalesce(revoked_at, ?2) WHERE name = ?1",
            params![name, now.unix_timestamp()],
        )?;
        if changed == 0 {
            return Err(OperationsError::UnknownIntegration(name.to_owned()));
        }
        Ok(())
    }

    pub fn list_integrations(&self) -> Result<Vec<IntegrationInfo>, OperationsError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, created_at, revoked_at FROM integrations ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(IntegrationInfo {
                name: r.get(0)?,
                created_at: r.get(1)?,
                revoked_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The name of the live integration a presented token belongs to, by its hash.
    pub fn authenticate_integration(
        &self,
        presented: &str,
    ) -> Result<Option<String>, OperationsError> {
        let presented_hash = hash(presented);
        let found: Option<(String, Vec<u8>, Option<i64>)> = self
            .conn
            .prepare_cached(
                "SELECT name, token_hash, revoked_at FROM integrations WHERE token_hash = ?1",
            )?
            .query_row([&presented_hash[..]], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(found
            .filter(|(_, stored, revoked)| revoked.is_none() && equal(stored, &presented_hash))
            .map(|(name, _, _)| name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_work_until_revoked_and_never_as_kiosk_credentials() {
        let (_dir, mut store) = crate::operations::temporary_store();
        let now = OffsetDateTime::now_utc();
        let token = store.add_integration("motcua-tinh", now).unwrap();
        assert!(token.starts_with("mi_"));
        assert_eq!(
            store.authenticate_integration(&token).unwrap().as_deref(),
            Some("motcua-tinh")
        );
        assert!(matches!(
            store.add_integration("motcua-tinh", now),
            Err(OperationsError::IntegrationExists(_))
        ));
        let kiosk = store.issue_kiosk_credential("quay-1", now).unwrap();
        assert_eq!(store.authenticate_integration(&kiosk).unwrap(), None);
        assert_eq!(
            store.authenticate_kiosk(&token, now).unwrap(),
            super::super::kiosks::KioskLookup::Unknown
        );
        store.revoke_integration("motcua-tinh", now).unwrap();
        assert_eq!(store.authenticate_integration(&token).unwrap(), None);
        assert_eq!(store.list_integrations().unwrap()[0].name, "motcua-tinh");
    }
}
