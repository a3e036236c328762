//! The fleet's records: the latest heartbeat of each kiosk, and the remote configuration staff
//! set for it (docs/fleet.md).

use motcua_protocol::{
    HEARTBEAT_MAX_ERROR_CHARS, HEARTBEAT_MAX_ERRORS, Heartbeat, PrinterState, RemoteConfig,
    check_remote_settings,
};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::fleet_alerts::{Alert, AlertRules};
use super::{OperationsError, OperationsStore};

/// Longest program version a heartbeat may report.
pub const MAX_VERSION_CHARS: usize = 64;
/// Longest catalog cursor a heartbeat may report; the server issues short integers.
pub const MAX_CURSOR_CHARS: usize = 64;
/// `config_error` is cut to this many characters when stored. It is not refused: a kiosk whose
/// refusal reason quotes a long TOML error must still be seen by the fleet view.
pub const MAX_CONFIG_ERROR_CHARS: usize = 2000;
/// Largest remote settings text staff may store (the kiosk's whole `kiosk.toml` is far smaller).
pub const MAX_SETTINGS_BYTES: usize = 64 * 1024;
/// `set_by` of configurations set with `motcua-central kiosk config`.
pub const SET_BY_COMMAND_LINE: &str = "command line";

/// The remote configuration stored for a kiosk, and who set it when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredConfig {
    /// 1 for the first configuration of a kiosk, one more with each change.
    pub version: u64,
    /// TOML, limited to the keys in `REMOTE_SETTING_KEYS`.
    pub settings: String,
    /// The staff account that set it, or "command line".
    pub set_by: String,
    /// Unix time it was set.
    pub set_at: i64,
}

impl StoredConfig {
    pub fn remote(&self) -> RemoteConfig {
        RemoteConfig {
            version: self.version,
            settings: self.settings.clone(),
        }
    }
}

/// One kiosk as the fleet view shows it (`GET /api/v1/fleet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FleetKiosk {
    pub name: String,
    /// Unix time the kiosk used its enrollment code; `None` while it has not.
    pub enrolled_at: Option<i64>,
    /// Unix time the kiosk was revoked. A revoked kiosk is expected to be silent: it raises no
    /// alert.
    pub revoked_at: Option<i64>,
    /// Unix time of the last heartbeat; `None` if the kiosk never sent one.
    pub last_seen: Option<i64>,
    /// The last heartbeat as the kiosk sent it (`config_error` cut to 2,000 characters).
    pub health: Option<Heartbeat>,
    /// The remote configuration stored for the kiosk; compare its version with
    /// `health.config_version`, the one the kiosk runs.
    pub stored_config: Option<StoredConfig>,
    /// What needs attention, as machine codes, in this order: `silent`, `outbox_stuck`,
    /// `printer`, `disk_low`, `config_refused`. Empty: all is well.
    pub alerts: Vec<Alert>,
}

/// Checks a heartbeat against the documented limits, naming the field that breaks one.
pub fn check_heartbeat(heartbeat: &Heartbeat) -> Result<(), OperationsError> {
    let invalid = |message: String| Err(OperationsError::InvalidHeartbeat(message));
    let version_chars = heartbeat.version.chars().count();
    if !(1..=MAX_VERSION_CHARS).contains(&version_chars) {
        return invalid(format!(
            "version must be 1 to {MAX_VERSION_CHARS} characters; it has {version_chars}"
        ));
    }
    if let Some(cursor) = &heartbeat.catalog_cursor
        && cursor.chars().count() > MAX_CURSOR_CHARS
    {
        return invalid(format!(
            "catalog_cursor must be at most {MAX_CURSOR_CHARS} characters"
        ));
    }
    if heartbeat.last_errors.len() > HEARTBEAT_MAX_ERRORS {
        return invalid(format!(
            "last_errors has {} entries; send at most {HEARTBEAT_MAX_ERRORS}, the newest",
            heartbeat.last_errors.len()
        ));
    }
    if let Some((index, line)) = heartbeat
        .last_errors
        .iter()
        .enumerate()
        .find(|(_, line)| line.chars().count() > HEARTBEAT_MAX_ERROR_CHARS)
    {
        return invalid(format!(
            "last_errors[{index}] has {} characters; each error must be at most \
             {HEARTBEAT_MAX_ERROR_CHARS}",
            line.chars().count()
        ));
    }
    // The document says int64 (what SQLite stores); larger numbers are refused, not clamped.
    let counters = [
        ("uptime_secs", Some(heartbeat.uptime_secs)),
        ("outbox_depth", Some(heartbeat.outbox_depth)),
        ("outbox_oldest_age_secs", heartbeat.outbox_oldest_age_secs),
        ("disk_free_bytes", heartbeat.disk_free_bytes),
        ("config_version", Some(heartbeat.config_version)),
    ];
    if let Some((field, _)) = counters
        .iter()
        .find(|(_, n)| n.is_some_and(|n| i64::try_from(n).is_err()))
    {
        return invalid(format!("{field} must be at most {}", i64::MAX));
    }
    Ok(())
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Counters are u64 on the wire and i64 in SQLite; nothing real comes near the limit.
fn to_sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn printer_name(state: PrinterState) -> Result<String, OperationsError> {
    match serde_json::to_value(state) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        _ => Err(OperationsError::Corrupt(format!(
            "printer state {state:?} has no name"
        ))),
    }
}

fn printer_state(name: &str) -> Result<PrinterState, OperationsError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| OperationsError::Corrupt(format!("unknown printer state {name:?}")))
}

const FLEET_COLUMNS: &str = "k.name, k.enrolled_at, k.revoked_at,
     h.received_at, h.version, h.uptime_secs, h.catalog_cursor, h.catalog_synced_at,
     h.outbox_depth, h.outbox_oldest_age_secs, h.last_errors, h.disk_free_bytes, h.printer,
     h.config_version, h.config_error,
     c.version, c.settings, c.set_by, c.set_at
     FROM kiosks k
     LEFT JOIN kiosk_health h ON h.kiosk_id = k.id
     LEFT JOIN kiosk_configs c ON c.kiosk_id = k.id";

/// A fleet row as SQLite holds it, before the JSON and the printer name are parsed.
struct FleetRow {
    name: String,
    enrolled_at: Option<i64>,
    revoked_at: Option<i64>,
    health: Option<HealthRow>,
    config: Option<StoredConfig>,
}

struct HealthRow {
    received_at: i64,
    version: String,
    uptime_secs: i64,
    catalog_cursor: Option<String>,
    catalog_synced_at: Option<i64>,
    outbox_depth: i64,
    outbox_oldest_age_secs: Option<i64>,
    last_errors: String,
    disk_free_bytes: Option<i64>,
    printer: String,
    config_version: i64,
    config_error: Option<String>,
}

fn fleet_row(r: &Row<'_>) -> rusqlite::Result<FleetRow> {
    let received_at: Option<i64> = r.get(3)?;
    let health = match received_at {
        None => None,
        Some(received_at) => Some(HealthRow {
            received_at,
            version: r.get(4)?,
            uptime_secs: r.get(5)?,
            catalog_cursor: r.get(6)?,
            catalog_synced_at: r.get(7)?,
            outbox_depth: r.get(8)?,
            outbox_oldest_age_secs: r.get(9)?,
            last_errors: r.get(10)?,
            disk_free_bytes: r.get(11)?,
            printer: r.get(12)?,
            config_version: r.get(13)?,
            config_error: r.get(14)?,
        }),
    };
    let version: Option<i64> = r.get(15)?;
    let config = match version {
        None => None,
        Some(version) => Some(StoredConfig {
            version: from_sql(version),
            settings: r.get(16)?,
            set_by: r.get(17)?,
            set_at: r.get(18)?,
        }),
    };
    Ok(FleetRow {
        name: r.get(0)?,
        enrolled_at: r.get(1)?,
        revoked_at: r.get(2)?,
        health,
        config,
    })
}

impl HealthRow {
    fn heartbeat(self) -> Result<Heartbeat, OperationsError> {
        let last_errors: Vec<String> = serde_json::from_str(&self.last_errors)
            .map_err(|e| OperationsError::Corrupt(format!("last_errors: {e}")))?;
        Ok(Heartbeat {
            version: self.version,
            uptime_secs: from_sql(self.uptime_secs),
            catalog_cursor: self.catalog_cursor,
            catalog_synced_at: self.catalog_synced_at,
            outbox_depth: from_sql(self.outbox_depth),
            outbox_oldest_age_secs: self.outbox_oldest_age_secs.map(from_sql),
            last_errors,
            disk_free_bytes: self.disk_free_bytes.map(from_sql),
            printer: printer_state(&self.printer)?,
            config_version: from_sql(self.config_version),
            config_error: self.config_error,
        })
    }
}

impl FleetRow {
    fn into_kiosk(
        self,
        now: OffsetDateTime,
        rules: &AlertRules,
    ) -> Result<FleetKiosk, OperationsError> {
        let last_seen = self.health.as_ref().map(|h| h.received_at);
        let health = self.health.map(HealthRow::heartbeat).transpose()?;
        let mut kiosk = FleetKiosk {
            name: self.name,
            enrolled_at: self.enrolled_at,
            revoked_at: self.revoked_at,
            last_seen,
            health,
            stored_config: self.config,
            alerts: Vec::new(),
        };
        kiosk.alerts = rules.alerts(&kiosk, now);
        Ok(kiosk)
    }
}

impl OperationsStore {
    /// Stores `kiosk`'s heartbeat as its latest, received at `now`, and returns the remote
    /// configuration to send back: the stored one, when its version is not the one the kiosk
    /// runs.
    pub fn record_heartbeat(
        &mut self,
        kiosk: &str,
        heartbeat: &Heartbeat,
        now: OffsetDateTime,
    ) -> Result<Option<RemoteConfig>, OperationsError> {
        check_heartbeat(heartbeat)?;
        let last_errors = serde_json::to_string(&heartbeat.last_errors)
            .map_err(|e| OperationsError::Corrupt(e.to_string()))?;
        let printer = printer_name(heartbeat.printer)?;
        let config_error = heartbeat
            .config_error
            .as_deref()
            .map(|e| cut(e, MAX_CONFIG_ERROR_CHARS));
        let tx = self.conn.transaction()?;
        let id: i64 = tx
            .query_row("SELECT id FROM kiosks WHERE name = ?1", [kiosk], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| OperationsError::UnknownKiosk(kiosk.to_owned()))?;
        tx.execute(
            "INSERT INTO kiosk_health (kiosk_id, received_at, version, uptime_secs, catalog_cursor,
                 catalog_synced_at, outbox_depth, outbox_oldest_age_secs, last_errors,
                 disk_free_bytes, printer, config_version, config_error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (kiosk_id) DO UPDATE SET
                 received_at = excluded.received_at, version = excluded.version,
                 uptime_secs = excluded.uptime_secs, catalog_cursor = excluded.catalog_cursor,
                 catalog_synced_at = excluded.catalog_synced_at,
                 outbox_depth = excluded.outbox_depth,
                 outbox_oldest_age_secs = excluded.outbox_oldest_age_secs,
                 last_errors = excluded.last_errors, disk_free_bytes = excluded.disk_free_bytes,
                 printer = excluded.printer, config_version = excluded.config_version,
                 config_error = excluded.config_error",
            params![
                id,
                now.unix_timestamp(),
                heartbeat.version,
                to_sql(heartbeat.uptime_secs),
                heartbeat.catalog_cursor,
                heartbeat.catalog_synced_at,
                to_sql(heartbeat.outbox_depth),
                heartbeat.outbox_oldest_age_secs.map(to_sql),
                last_errors,
                heartbeat.disk_free_bytes.map(to_sql),
                printer,
                to_sql(heartbeat.config_version),
                config_error,
            ],
        )?;
        let stored = stored_config(&tx, id)?;
        tx.commit()?;
        Ok(stored
            .filter(|c| c.version != heartbeat.config_version)
            .map(|c| c.remote()))
    }

    /// Every kiosk, revoked ones included, by name, with its alerts as of `now`.
    pub fn fleet(
        &self,
        now: OffsetDateTime,
        rules: &AlertRules,
    ) -> Result<Vec<FleetKiosk>, OperationsError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {FLEET_COLUMNS} ORDER BY k.name"))?;
        let rows = stmt
            .query_map([], fleet_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(|r| r.into_kiosk(now, rules)).collect()
    }

    /// One kiosk as `fleet` shows it; `None` if there is no kiosk of that name.
    pub fn fleet_kiosk(
        &self,
        name: &str,
        now: OffsetDateTime,
        rules: &AlertRules,
    ) -> Result<Option<FleetKiosk>, OperationsError> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {FLEET_COLUMNS} WHERE k.name = ?1"),
                [name],
                fleet_row,
            )
            .optional()?;
        row.map(|r| r.into_kiosk(now, rules)).transpose()
    }

    /// The configuration stored for kiosk `name`, if any.
    pub fn kiosk_config(&self, name: &str) -> Result<Option<StoredConfig>, OperationsError> {
        let (id, _) = kiosk_id(&self.conn, name)?;
        stored_config(&self.conn, id)
    }

    /// Stores `settings` as kiosk `name`'s configuration, one version after the previous one
    /// (the first is 1). The same settings as stored already change nothing, so repeating a
    /// request does not make every kiosk reload.
    pub fn set_kiosk_config(
        &mut self,
        name: &str,
        settings: &str,
        set_by: &str,
        now: OffsetDateTime,
    ) -> Result<StoredConfig, OperationsError> {
        if settings.len() > MAX_SETTINGS_BYTES {
            return Err(OperationsError::SettingsRefused(format!(
                "the settings are {} bytes; at most {MAX_SETTINGS_BYTES}",
                settings.len()
            )));
        }
        check_remote_settings(settings).map_err(OperationsError::SettingsRefused)?;
        let tx = self.conn.transaction()?;
        let (id, revoked) = kiosk_id(&tx, name)?;
        if revoked {
            return Err(OperationsError::RevokedKioskConfig(name.to_owned()));
        }
        let previous = stored_config(&tx, id)?;
        if let Some(previous) = previous.as_ref().filter(|p| p.settings == settings) {
            return Ok(previous.clone());
        }
        let config = StoredConfig {
            version: previous.map_or(1, |p| p.version + 1),
            settings: settings.to_owned(),
            set_by: set_by.to_owned(),
            set_at: now.unix_timestamp(),
        };
        tx.execute(
            "INSERT INTO kiosk_configs (kiosk_id, version, settings, set_by, set_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (kiosk_id) DO UPDATE SET version = excluded.version,
                 settings = excluded.settings, set_by = excluded.set_by, set_at = excluded.set_at",
            params![
                id,
                to_sql(config.version),
                config.settings,
                config.set_by,
                config.set_at
            ],
        )?;
        tx.commit()?;
        Ok(config)
    }
}

/// The kiosk's row id and whether it is revoked.
fn kiosk_id(conn: &rusqlite::Connection, name: &str) -> Result<(i64, bool), OperationsError> {
    conn.query_row(
        "SELECT id, revoked_at IS NOT NULL FROM kiosks WHERE name = ?1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| OperationsError::UnknownKiosk(name.to_owned()))
}

fn stored_config(
    conn: &rusqlite::Connection,
    kiosk_id: i64,
) -> Result<Option<StoredConfig>, OperationsError> {
    Ok(conn
        .query_row(
            "SELECT version, settings, set_by, set_at FROM kiosk_configs WHERE kiosk_id = ?1",
            [kiosk_id],
            |r| {
                Ok(StoredConfig {
                    version: from_sql(r.get(0)?),
                    settings: r.get(1)?,
                    set_by: r.get(2)?,
                    set_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn heartbeat() -> Heartbeat {
        Heartbeat {
            version: "0.1.0".into(),
            uptime_secs: 3600,
            catalog_cursor: Some("42".into()),
            catalog_synced_at: Some(1_780_000_000),
            outbox_depth: 0,
            outbox_oldest_age_secs: None,
            last_errors: vec![],
            disk_free_bytes: Some(50 * 1024 * 1024 * 1024),
            printer: PrinterState::Ready,
            config_version: 0,
            config_error: None,
        }
    }

    use crate::operations::temporary_store as store;

    #[test]
    fn heartbeat_limits_name_the_field() {
        assert!(check_heartbeat(&heartbeat()).is_ok());
        let mut full = heartbeat();
        full.last_errors = vec!["e".repeat(HEARTBEAT_MAX_ERROR_CHARS); HEARTBEAT_MAX_ERRORS];
        full.version = "v".repeat(MAX_VERSION_CHARS);
        full.uptime_secs = i64::MAX as u64;
        full.disk_free_bytes = Some(i64::MAX as u64);
        assert!(check_heartbeat(&full).is_ok(), "limits are inclusive");
        let changed = |change: fn(&mut Heartbeat)| {
            let mut h = heartbeat();
            change(&mut h);
            h
        };
        let cases = [
            (
                changed(|h| h.version = "v".repeat(65)),
                "version must be 1 to 64",
            ),
            (changed(|h| h.version.clear()), "version must be 1 to 64"),
            (
                changed(|h| h.last_errors = vec!["x".into(); 11]),
                "last_errors has 11 entries",
            ),
            (
                changed(|h| h.last_errors = vec!["ok".into(), "é".repeat(301)]),
                "last_errors[1] has 301 characters",
            ),
            (
                changed(|h| h.catalog_cursor = Some("9".repeat(65))),
                "catalog_cursor",
            ),
            (
                changed(|h| h.uptime_secs = 1 << 63),
                "uptime_secs must be at most 9223372036854775807",
            ),
            (
                changed(|h| h.outbox_oldest_age_secs = Some(u64::MAX)),
                "outbox_oldest_age_secs must be at most",
            ),
            (
                changed(|h| h.config_version = u64::MAX),
                "config_version must be at most",
            ),
        ];
        for (h, expected) in cases {
            let err = check_heartbeat(&h).unwrap_err().to_string();
            assert!(err.contains(expected), "{expected}: {err}");
        }
    }

    #[test]
    fn heartbeats_replace_each_other_and_carry_a_newer_config() {
        let (_dir, mut store) = store();
        let t0 = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        store.issue_kiosk_credential("quay-1", t0).unwrap();
        assert_eq!(
            store.record_heartbeat("quay-1", &heartbeat(), t0).unwrap(),
            None
        );
        let config = store
            .set_kiosk_config("quay-1", "center_name = \"A\"", "an", t0)
            .unwrap();
        assert_eq!(config.version, 1);
        let mut hb = heartbeat();
        hb.printer = PrinterState::OutOfPaper;
        hb.config_error = Some("x".repeat(MAX_CONFIG_ERROR_CHARS + 5));
        let sent = store.record_heartbeat("quay-1", &hb, t0).unwrap();
        assert_eq!(
            sent,
            Some(RemoteConfig {
                version: 1,
                settings: "center_name = \"A\"".into()
            })
        );
        hb.config_version = 1;
        assert_eq!(store.record_heartbeat("quay-1", &hb, t0).unwrap(), None);
        let rules = AlertRules::default();
        let kiosk = store.fleet_kiosk("quay-1", t0, &rules).unwrap().unwrap();
        let health = kiosk.health.unwrap();
        assert_eq!(health.printer, PrinterState::OutOfPaper);
        assert_eq!(health.config_version, 1);
        assert_eq!(
            health.config_error.unwrap().chars().count(),
            MAX_CONFIG_ERROR_CHARS + 1,
            "cut, with an ellipsis"
        );
        assert_eq!(kiosk.last_seen, Some(t0.unix_timestamp()));
        assert!(matches!(
            store.record_heartbeat("nobody", &heartbeat(), t0),
            Err(OperationsError::UnknownKiosk(_))
        ));
        assert!(store.fleet_kiosk("nobody", t0, &rules).unwrap().is_none());
    }

    #[test]
    fn config_versions_count_changes_only_and_refusals_store_nothing() {
        let (_dir, mut store) = store();
        let now = OffsetDateTime::now_utc();
        store.issue_kiosk_credential("quay-1", now).unwrap();
        assert_eq!(store.kiosk_config("quay-1").unwrap(), None);
        let first = store
            .set_kiosk_config("quay-1", "fullscreen = true", "an", now)
            .unwrap();
        let same = store
            .set_kiosk_config("quay-1", "fullscreen = true", "binh", now)
            .unwrap();
        assert_eq!(
            same, first,
            "unchanged settings keep their version and author"
        );
        let second = store
            .set_kiosk_config("quay-1", "fullscreen = false", "binh", now)
            .unwrap();
        assert_eq!((second.version, second.set_by.as_str()), (2, "binh"));
        for refused in [
            "server_url = \"http://x\"",
            "[printer]\nlp_command = \"sh\"",
            "= =",
        ] {
            let err = store
                .set_kiosk_config("quay-1", refused, "an", now)
                .unwrap_err();
            assert!(matches!(err, OperationsError::SettingsRefused(_)), "{err}");
        }
        assert_eq!(store.kiosk_config("quay-1").unwrap(), Some(second));
        assert!(matches!(
            store.set_kiosk_config("nobody", "", "an", now),
            Err(OperationsError::UnknownKiosk(_))
        ));
        store.revoke_kiosk("quay-1", now).unwrap();
        assert!(matches!(
            store.set_kiosk_config("quay-1", "fullscreen = true", "an", now),
            Err(OperationsError::RevokedKioskConfig(_))
        ));
    }
}
