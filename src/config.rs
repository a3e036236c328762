//! Kiosk configuration, layered: built-in defaults, the TOML file, `MOTCUA_KIOSK_*` environment
//! variables, then command-line flags (applied by the caller).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("configuration file {path} is invalid: {message}")]
    Parse { path: String, message: String },
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Env {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Keys staff may change on the kiosk's staff screen.
pub const STAFF_SETTING_KEYS: &[&str] = &[
    "center_name",
    "default_language",
    "server_url",
    "public_url",
    "orientation",
    "printer",
    "scanner_device",
    "idle",
];

/// The language every visit starts in, and returns to when the visitor leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Shown in the header of every screen.
    pub center_name: String,
    /// The central server. Absent: demo mode, with an embedded server and the demo catalog.
    pub server_url: Option<String>,
    /// The central server's address as phones reach it, for QR codes; default: `server_url`.
    pub public_url: Option<String>,
    /// The central server's CA certificate (PEM, one or more certificates). When set, the kiosk
    /// trusts only it for the central server, not the bundled public roots, and connects over
    /// `https://` only. Neither staff nor remote configuration can change it.
    pub server_ca_file: Option<PathBuf>,
    /// Where the kiosk database lives.
    pub data_dir: PathBuf,
    /// Seconds between background catalog syncs.
    pub sync_interval_secs: u64,
    /// Seconds between health reports to the central server (docs/fleet.md).
    pub heartbeat_interval_secs: u64,
    pub orientation: Orientation,
    /// "vi" (the default) or "en".
    pub default_language: Language,
    pub fullscreen: bool,
    /// No mouse pointer over the kiosk's window (touch screens); the packaged configuration sets it.
    pub hide_cursor: bool,
    /// A barcode scanner in serial mode, e.g. `/dev/ttyACM0`. Scanners in keyboard mode need no
    /// setting: they are recognised by how fast they type.
    pub scanner_device: Option<PathBuf>,
    /// Longest pause between two keys of one scan from a keyboard-mode scanner, milliseconds.
    pub scanner_max_key_gap_ms: u64,
    /// Limits of the pages a visitor attaches to a dossier.
    pub limits: crate::submission::Limits,
    /// The center's account for fees, shown as a VietQR payment code on receipts.
    pub payment: Option<crate::submission::vietqr::PaymentAccount>,
    /// The document scanner: a command that writes one scanned page (PNG or JPEG) to its
    /// standard output, e.g. `["scanimage", "--format=png", "--resolution", "200"]`. Empty: no
    /// scanner; visitors attach pages with their phones.
    pub document_scanner_command: Vec<String>,
    /// The receipt printer (docs/printing.md); none by default.
    pub printer: crate::submission::receipt::PrinterConfig,
    /// When a visit ends by itself, the attract screen and the blanking hours.
    pub idle: crate::visit::IdleConfig,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            center_name: "Trung tâm Phục vụ Hành chính công".to_owned(),
            server_url: None,
            public_url: None,
            server_ca_file: None,
            data_dir: default_data_dir(),
            sync_interval_secs: 300,
            heartbeat_interval_secs: 60,
            orientation: Orientation::Portrait,
            default_language: Language::Vi,
            fullscreen: false,
            hide_cursor: false,
            scanner_device: None,
            scanner_max_key_gap_ms: 35,
            limits: crate::submission::Limits::default(),
            payment: None,
            document_scanner_command: Vec::new(),
            printer: crate::submission::receipt::PrinterConfig::default(),
            idle: crate::visit::IdleConfig::default(),
        }
    }
}

fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("motcua-kiosk");
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/motcua-kiosk"),
        None => PathBuf::from("motcua-kiosk-data"),
    }
}

impl KioskConfig {
    /// Reads `path` if given (it must exist), else `/etc/motcua/kiosk.toml` if present, then
    /// applies the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let system = Path::new("/etc/motcua/kiosk.toml");
        let file = path.or_else(|| system.exists().then_some(system));
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let config: Self = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|message| ConfigError::Parse {
            path: shown,
            message,
        })?;
        Ok(config)
    }

    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(value) = var("MOTCUA_KIOSK_SERVER_URL") {
            check_server_url(&value).map_err(|reason| ConfigError::Env {
                name: "MOTCUA_KIOSK_SERVER_URL",
                value: value.clone(),
                reason,
            })?;
            self.server_url = Some(value);
        }
        if let Some(value) = var("MOTCUA_KIOSK_DATA_DIR") {
            self.data_dir = PathBuf::from(value);
        }
        if let Some(value) = var("MOTCUA_KIOSK_SERVER_CA_FILE") {
            if value.trim().is_empty() {
                return Err(ConfigError::Env {
                    name: "MOTCUA_KIOSK_SERVER_CA_FILE",
                    value,
                    reason: "must name a file".to_owned(),
                });
            }
            self.server_ca_file = Some(PathBuf::from(value));
        }
        Ok(())
    }

    /// With a pinned CA (`server_ca_file`), the central server must be reached over https. Checked
    /// by [`Self::problems`], and again at start-up once the environment and the command line
    /// have had their say.
    pub fn pinning_problem(&self) -> Option<String> {
        let file = self.server_ca_file.as_ref()?;
        if file.as_os_str().is_empty() {
            return Some("server_ca_file: must name a file".to_owned());
        }
        match self.server_url.as_deref() {
            Some(url) if !url.starts_with("https://") => Some(format!(
                "server_url: {url:?} is not an https:// address, but server_ca_file ({}) pins \
                 the central server's CA: with a pinned CA the kiosk only connects over https://",
                file.display()
            )),
            _ => None,
        }
    }

    /// The first problem, if any (see [`Self::problems`]).
    pub fn validate(&self) -> Result<(), String> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every value that is out of range or inconsistent, each as "key: reason".
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, url) in [
            ("server_url", &self.server_url),
            ("public_url", &self.public_url),
        ] {
            if let Some(Err(reason)) = url.as_deref().map(check_server_url) {
                problems.push(format!("{key}: {reason}"));
            }
        }
        problems.extend(self.pinning_problem());
        if self.sync_interval_secs < 10 {
            problems.push("sync_interval_secs: must be at least 10 seconds".to_owned());
        }
        if !(10..=3600).contains(&self.heartbeat_interval_secs) {
            problems
                .push("heartbeat_interval_secs: must be between 10 and 3600 seconds".to_owned());
        }
        if !(5..=200).contains(&self.scanner_max_key_gap_ms) {
            problems.push("scanner_max_key_gap_ms: must be between 5 and 200".to_owned());
        }
        if self.limits.max_file_bytes == 0
            || self.limits.max_pages_per_document == 0
            || self.limits.max_total_bytes < self.limits.max_file_bytes
        {
            problems.push(
                "limits: max_file_bytes and max_pages_per_document must be positive, and \
                 max_total_bytes at least max_file_bytes"
                    .to_owned(),
            );
        }
        if let Err(problem) = self.printer.validate() {
            problems.push(problem);
        }
        if let Some(Err(e)) = self.payment.as_ref().map(|p| p.validate()) {
            problems.push(format!("payment: {e}"));
        }
        problems.extend(self.idle.problems());
        if self.center_name.trim().is_empty() {
            problems.push("center_name: must not be empty".to_owned());
        }
        problems
    }

    /// This configuration with `settings` (TOML with the keys of remote configuration) laid over
    /// it, key by key and table by table; checked as a whole.
    pub fn with_overlay(&self, settings: &str) -> Result<Self, String> {
        motcua_protocol::check_remote_settings(settings)?;
        self.with_settings(settings)
    }

    /// Like [`Self::with_overlay`] for the settings staff change on the kiosk's own screen, which
    /// may also name the central server (`STAFF_SETTING_KEYS`).
    pub fn with_staff_overlay(&self, settings: &str) -> Result<Self, String> {
        let table: toml::Table =
            toml::from_str(settings).map_err(|e| format!("not valid TOML: {e}"))?;
        if let Some(key) = table
            .keys()
            .find(|k| !STAFF_SETTING_KEYS.contains(&k.as_str()))
        {
            return Err(format!("{key:?} cannot be changed on the staff screen"));
        }
        self.with_settings(settings)
    }

    fn with_settings(&self, settings: &str) -> Result<Self, String> {
        let overlay: toml::Table =
            toml::from_str(settings).map_err(|e| format!("not valid TOML: {e}"))?;
        let mut base = toml::Table::try_from(self).map_err(|e| e.to_string())?;
        merge(&mut base, overlay);
        let merged: Self = base
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())?;
        merged.validate()?;
        Ok(merged)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("kiosk.db")
    }
}

/// Checks a configuration file and returns every problem, each naming its key: keys that are
/// unknown or of the wrong type (each key is tried on its own, so one bad key does not hide the
/// next), then values out of range.
pub fn check_file(path: &Path) -> Result<(), Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("cannot read: {e}")])?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| vec![format!("not valid TOML: {e}")])?;
    let mut problems = Vec::new();
    for (key, value) in &table {
        let mut alone = toml::Table::new();
        alone.insert(key.clone(), value.clone());
        if let Err(e) = KioskConfig::deserialize(alone) {
            let message = e.message().trim().to_owned();
            problems.push(if message.contains(key.as_str()) {
                message
            } else {
                format!("{key}: {message}")
            });
        }
    }
    if problems.is_empty() {
        match KioskConfig::deserialize(table) {
            Ok(config) => {
                problems.extend(config.problems());
                if let Some(file) = &config.server_ca_file
                    && !file.as_os_str().is_empty()
                    && let Err(e) = crate::operations::server::PinnedCa::load(file)
                {
                    problems.push(e.to_string());
                }
            }
            Err(e) => problems.push(e.message().trim().to_owned()),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(over)) => merge(inner, over),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

pub fn check_server_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("{url:?} must start with http:// or https://"))?;
    if rest.trim_end_matches('/').is_empty() || rest.contains(char::is_whitespace) {
        return Err(format!("{url:?} has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, "center_name = \"Trung tâm A\"\nserver_url = \"https://a.example\"\norientation = \"landscape\"\n").unwrap();
        let mut config = KioskConfig::from_file(&path).unwrap();
        assert_eq!(config.orientation, Orientation::Landscape);
        config
            .apply_env(|n| (n == "MOTCUA_KIOSK_SERVER_URL").then(|| "http://127.0.0.1:1".into()))
            .unwrap();
        assert_eq!(config.server_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(config.center_name, "Trung tâm A");
    }

    #[test]
    fn remote_settings_lay_over_the_local_ones_or_change_nothing() {
        let local = KioskConfig {
            server_url: Some("https://a.example".into()),
            ..KioskConfig::default()
        };
        let merged = local
            .with_overlay("center_name = \"Trung tâm B\"\n[limits]\nmax_pages_per_document = 5\n[printer]\nkind = \"network\"\naddress = \"10.0.0.5\"")
            .unwrap();
        assert_eq!(merged.center_name, "Trung tâm B");
        assert_eq!(merged.limits.max_pages_per_document, 5);
        assert_eq!(
            merged.limits.max_file_bytes, local.limits.max_file_bytes,
            "other keys of a table stay"
        );
        assert_eq!(merged.printer.address.as_deref(), Some("10.0.0.5"));
        assert_eq!(merged.server_url, local.server_url);
        let night = local
            .with_overlay("[idle]\nblank_hours = \"19:00-07:00\"")
            .unwrap();
        assert_eq!(
            night.idle.blank_hours().map(|h| h.to_string()).as_deref(),
            Some("19:00-07:00")
        );
        assert_eq!(night.idle.timeout_secs, 60, "other idle keys stay");
        for (settings, expected) in [
            ("orientation = \"sideways\"", "orientation"),
            ("heartbeat_interval_secs = 1", "heartbeat_interval_secs"),
            (
                "server_url = \"https://evil.example\"",
                "cannot be set remotely",
            ),
            ("[printer]\nlp_command = \"sh\"", "cannot be set remotely"),
            ("[limits]\nmax_pagez = 5", "max_pagez"),
            ("[idle]\ntimeout_secs = 5", "idle.timeout_secs"),
            ("[idle]\nblank_hours = \"night\"", "idle.blank_hours"),
        ] {
            let error = local.with_overlay(settings).unwrap_err();
            assert!(error.contains(expected), "{settings}: {error}");
        }
    }

    #[test]
    fn a_file_check_names_every_bad_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(
            &path,
            "sever_url = \"http://x\"\norientation = \"sideways\"\nsync_interval_secs = \"often\"\n",
        )
        .unwrap();
        let problems = check_file(&path).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("sever_url")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("orientation") && p.contains("sideways")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("sync_interval_secs:")),
            "{problems:?}"
        );

        std::fs::write(
            &path,
            "sync_interval_secs = 1\nheartbeat_interval_secs = 5\n",
        )
        .unwrap();
        let problems = check_file(&path).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");

        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/kiosk.example.toml");
        assert_eq!(check_file(&example), Ok(()));
    }

    #[test]
    fn every_problem_is_named() {
        let config = KioskConfig {
            sync_interval_secs: 1,
            scanner_max_key_gap_ms: 1,
            center_name: " ".into(),
            ..KioskConfig::default()
        };
        let problems = config.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("sync_interval_secs:"));
        assert!(problems[1].starts_with("scanner_max_key_gap_ms:"));
        assert!(problems[2].starts_with("center_name:"));
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/kiosk.example.toml");
        let config = KioskConfig::from_file(&path).unwrap();
        assert_eq!(config.limits.max_pages_per_document, 20);
        assert_eq!(config.scanner_max_key_gap_ms, 35);
    }

    #[test]
    fn a_pinned_ca_wants_https_a_usable_certificate_and_stays_local() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("central-ca.pem");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        std::fs::write(&ca, params.self_signed(&key).unwrap().pem()).unwrap();
        let path = dir.path().join("kiosk.toml");
        let write = |server_url: &str| {
            let text = format!(
                "server_url = \"{server_url}\"\nserver_ca_file = \"{}\"\n",
                ca.display()
            );
            std::fs::write(&path, text).unwrap();
        };

        write("https://a.example");
        assert_eq!(check_file(&path), Ok(()));
        let pinned = KioskConfig::from_file(&path).unwrap();
        assert_eq!(pinned.server_ca_file.as_deref(), Some(ca.as_path()));
        assert_eq!(pinned.pinning_problem(), None);

        write("http://a.example");
        let error = KioskConfig::from_file(&path).unwrap_err().to_string();
        assert!(
            error.contains("server_url") && error.contains("not an https:// address"),
            "{error}"
        );
        let problems = check_file(&path).unwrap_err();
        assert!(problems[0].starts_with("server_url:"), "{problems:?}");
        let staff = pinned
            .with_staff_overlay("server_url = \"http://a.example\"")
            .unwrap_err();
        assert!(staff.contains("https://"), "{staff}");
        let env = KioskConfig {
            server_url: Some("http://a.example".into()),
            ..KioskConfig::default()
        };
        let mut env_pinned = env.clone();
        env_pinned
            .apply_env(|n| (n == "MOTCUA_KIOSK_SERVER_CA_FILE").then(|| ca.display().to_string()))
            .unwrap();
        assert!(env_pinned.pinning_problem().is_some());
        assert!(
            env.clone()
                .apply_env(|n| (n == "MOTCUA_KIOSK_SERVER_CA_FILE").then(String::new))
                .is_err()
        );

        write("https://a.example");
        std::fs::write(&ca, "not a certificate").unwrap();
        let problems = check_file(&path).unwrap_err();
        assert!(
            problems[0].contains("contains no certificate")
                && problems[0].contains(&ca.display().to_string()),
            "{problems:?}"
        );

        let remote = pinned
            .with_overlay("server_ca_file = \"/tmp/other.pem\"")
            .unwrap_err();
        assert!(remote.contains("cannot be set remotely"), "{remote}");
        let staff = pinned
            .with_staff_overlay("server_ca_file = \"/tmp/other.pem\"")
            .unwrap_err();
        assert!(staff.contains("cannot be changed"), "{staff}");
    }

    #[test]
    fn bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        for (text, expected) in [
            ("server_url = \"ftp://x\"", "server_url"),
            ("sync_interval_secs = 1", "sync_interval_secs"),
            ("orientation = \"sideways\"", "orientation"),
            ("sever_url = \"http://x\"", "sever_url"),
            ("scanner_max_key_gap_ms = 1000", "scanner_max_key_gap_ms"),
            ("[limits]\nmax_file_bytes = 0", "limits"),
            (
                "[payment]\nbank_bin = \"97\"\naccount = \"1\"\naccount_name = \"A\"",
                "bank_bin",
            ),
            (
                "[printer]\nkind = \"network\"\naddress = \"10.0.0.5:port\"",
                "printer.address",
            ),
            ("[printer]\nkind = \"usb\"", "printer.device"),
            (
                "[printer]\nkind = \"usb\"\ndevise = \"/dev/usb/lp0\"",
                "devise",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = KioskConfig::from_file(&path).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }
}
