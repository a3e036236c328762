//! Fleet health and remote configuration: what a kiosk reports in its heartbeat, and the settings
//! staff give it from the central server.

use serde::{Deserialize, Serialize};

/// Most error lines a heartbeat carries; the server keeps no more.
pub const HEARTBEAT_MAX_ERRORS: usize = 10;
/// Longest error line a heartbeat carries, in characters.
pub const HEARTBEAT_MAX_ERROR_CHARS: usize = 300;

/// The receipt printer as the kiosk last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    /// No printer is configured.
    None,
    /// Not printed nor checked since the kiosk started.
    Unknown,
    Ready,
    /// Paper nearly used up: still prints.
    PaperLow,
    OutOfPaper,
    /// Off, unplugged or unreachable.
    Offline,
    Failed,
}

/// `POST /api/v1/kiosks/heartbeat`: a kiosk's health, every `heartbeat_interval_secs`.
/// Nothing personal: error lines are the kiosk's own English log messages, which never carry a
/// visitor's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// The kiosk program's version (`CARGO_PKG_VERSION`).
    #[schema(min_length = 1, max_length = 64)]
    pub version: String,
    pub uptime_secs: u64,
    /// The catalog cursor the kiosk holds (`Health::catalog_cursor` of the server it synced
    /// from); `None` before the first sync.
    #[schema(max_length = 64)]
    pub catalog_cursor: Option<String>,
    /// Unix time of the last successful catalog sync.
    pub catalog_synced_at: Option<i64>,
    /// Dossiers (and other outbox entries) waiting to be delivered.
    pub outbox_depth: u64,
    /// Age of the oldest waiting entry, in seconds.
    pub outbox_oldest_age_secs: Option<u64>,
    /// The most recent distinct errors, newest first (at most `HEARTBEAT_MAX_ERRORS`, each at most
    /// `HEARTBEAT_MAX_ERROR_CHARS` characters).
    #[schema(max_items = 10)]
    pub last_errors: Vec<String>,
    /// Free bytes on the kiosk's data disk.
    pub disk_free_bytes: Option<u64>,
    pub printer: PrinterState,
    /// The remote configuration version the kiosk runs; 0 when it has never applied one.
    pub config_version: u64,
    /// Why the kiosk refused the newest remote configuration it was given (it then keeps running
    /// `config_version`).
    pub config_error: Option<String>,
}

/// The answer to a heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeartbeatResponse {
    /// Present when the server holds a configuration for this kiosk whose version differs from
    /// the heartbeat's `config_version`.
    pub config: Option<RemoteConfig>,
}

/// Settings staff set for a kiosk on the central server. `settings` is TOML with the same keys as
/// the kiosk's own `kiosk.toml` (docs/deploy.md), restricted to what may change remotely: never
/// secrets (the credential, the staff PIN) and never where the kiosk keeps its data or which
/// server it talks to. The kiosk validates it as a whole and either runs it or keeps the settings
/// it had, and says which in its next heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteConfig {
    /// Increases by one with each change staff make.
    pub version: u64,
    pub settings: String,
}

/// Top-level keys of `kiosk.toml` that remote configuration may set. Everything else (the
/// server URL, the data directory, the staff PIN hash) stays local, and so does any setting that
/// names a program to run (`document_scanner_command`, `printer.lp_command`) or a file to open
/// (`scanner_device`, `printer.device`): whoever controls the server must not be able to run
/// programs on kiosks, nor make them write receipts into, or read scans from, a file of its
/// choosing.
pub const REMOTE_SETTING_KEYS: &[&str] = &[
    "center_name",
    "orientation",
    "fullscreen",
    "hide_cursor",
    "default_language",
    "sync_interval_secs",
    "heartbeat_interval_secs",
    "scanner_max_key_gap_ms",
    "limits",
    "payment",
    "printer",
    "idle",
];

/// Keys inside the tables above that stay local.
pub const REMOTE_FORBIDDEN_KEYS: &[(&str, &str)] =
    &[("printer", "lp_command"), ("printer", "device")];

/// Checks that `settings` is TOML and sets only keys remote configuration may set. The kiosk
/// still validates the values; the server calls this before storing, the kiosk before applying.
pub fn check_remote_settings(settings: &str) -> Result<(), String> {
    let table: toml::Table =
        toml::from_str(settings).map_err(|e| format!("not valid TOML: {e}"))?;
    for (key, value) in &table {
        if !REMOTE_SETTING_KEYS.contains(&key.as_str()) {
            return Err(format!(
                "{key:?} cannot be set remotely; allowed: {}",
                REMOTE_SETTING_KEYS.join(", ")
            ));
        }
        for (table_key, inner) in REMOTE_FORBIDDEN_KEYS {
            if key == table_key && value.get(inner).is_some() {
                return Err(format!("{key}.{inner} cannot be set remotely"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_keys_pass() {
        assert!(
            check_remote_settings("center_name = \"Trung tâm\"\n[printer]\nkind = \"network\"")
                .is_ok()
        );
        assert!(check_remote_settings("").is_ok());
        for (settings, expected) in [
            (
                "server_url = \"http://evil\"",
                "\"server_url\" cannot be set remotely",
            ),
            ("data_dir = \"/\"", "\"data_dir\" cannot be set remotely"),
            (
                "document_scanner_command = [\"sh\"]",
                "cannot be set remotely",
            ),
            ("staff_pin_hash = \"x\"", "cannot be set remotely"),
            (
                "[printer]\nlp_command = \"sh\"",
                "printer.lp_command cannot be set remotely",
            ),
            (
                "[printer]\nkind = \"usb\"\ndevice = \"/var/lib/motcua/kiosk.db\"",
                "printer.device cannot be set remotely",
            ),
            (
                "scanner_device = \"/etc/shadow\"",
                "\"scanner_device\" cannot be set remotely",
            ),
            ("center_name = ", "not valid TOML"),
        ] {
            let error = check_remote_settings(settings).unwrap_err();
            assert!(error.contains(expected), "{settings}: {error}");
        }
    }
}
