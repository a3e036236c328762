//! Layered configuration: built-in defaults, then the TOML file, then `MOTCUA_CENTRAL_*`
//! environment variables, then command-line flags (applied by the caller).

use std::net::SocketAddr;
use std::num::{NonZeroU32, NonZeroU64};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use time::Date;

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

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CentralConfig {
    /// Address to listen on; loopback unless deliberately opened up.
    pub listen: SocketAddr,
    /// Where the database and stored files live.
    pub data_dir: PathBuf,
    /// The address phones and kiosks use to reach this server, for links and QR codes.
    pub public_url: Option<String>,
    /// Public status page requests one client address may make per minute, sustained.
    pub status_page_per_minute: NonZeroU32,
    /// Requests a client address may make at once before the per-minute rate applies.
    pub status_page_burst: NonZeroU32,
    /// Take the client address from the first `X-Forwarded-For` entry instead of the TCP peer.
    /// Only behind a reverse proxy that sets the header: otherwise any client can pick its key.
    pub trust_forwarded_for: bool,
    /// The agency id that starts the codes of dossiers submitted at kiosks:
    /// `<agency_id>-<yyyymmdd>-<7-digit sequence>`. 1–20 upper-case letters, digits and dots.
    #[serde(deserialize_with = "agency_id")]
    pub agency_id: String,
    /// Public holidays (`"yyyy-mm-dd"`), skipped like weekends when counting working days to the
    /// appointment date of a dossier submitted at a kiosk.
    #[serde(deserialize_with = "holiday_list")]
    pub holidays: Vec<Date>,
    /// Largest file a kiosk or a phone may upload, in bytes.
    pub max_upload_file_bytes: NonZeroU64,
    /// Largest total of the files of one submission, in bytes.
    pub max_submission_bytes: NonZeroU64,
    /// Most files one submission (or one phone upload session) may have.
    pub max_files_per_submission: NonZeroU32,
    /// How long a phone upload link (`/tai-len/<token>`) works, in minutes.
    pub phone_upload_minutes: NonZeroU32,
    /// The fleet view marks a kiosk "silent" after this many seconds without a heartbeat.
    pub fleet_silent_after_secs: NonZeroU64,
    /// The fleet view marks a kiosk's outbox "stuck" when its oldest waiting entry is older than
    /// this many seconds.
    pub fleet_outbox_stuck_after_secs: NonZeroU64,
    /// The fleet view marks a kiosk's disk "low" below this many free bytes.
    pub fleet_disk_low_bytes: u64,
    /// Failed staff sign-ins one client address may make per `staff_auth_window_secs`; after that
    /// its staff requests are refused (429) until the window ends, right password or not.
    pub staff_auth_max_failures: NonZeroU32,
    pub staff_auth_window_secs: NonZeroU64,
    /// New ratings and feedback (together) one kiosk may deliver per hour, sustained; more get
    /// 429 with `Retry-After`. Resending one already stored is never refused.
    pub feedback_per_kiosk_per_hour: NonZeroU32,
    /// New ratings and feedback one kiosk may deliver at once before the hourly rate applies.
    pub feedback_per_kiosk_burst: NonZeroU32,
    /// Seconds a client has to send a request's headers, counted from when the server starts
    /// waiting for them; then the connection is closed. So it is also how long an idle
    /// connection is kept open, before its first request or between two (slow-loris defence).
    pub header_read_timeout_secs: NonZeroU64,
    /// Seconds a request body may send nothing before the request is ended: a JSON body is
    /// refused (408), an upload keeps what arrived and can resume.
    pub body_idle_timeout_secs: NonZeroU64,
}

/// The default of `agency_id`: the demo province's one-stop center.
pub const DEFAULT_AGENCY_ID: &str = "G00.01";

/// Whether `id` can start a dossier code (see `motcua_protocol::DossierCode`).
pub fn valid_agency_id(id: &str) -> bool {
    (1..=20).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.')
}

fn agency_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let id = String::deserialize(deserializer)?;
    if valid_agency_id(&id) {
        Ok(id)
    } else {
        Err(serde::de::Error::custom(format!(
            "agency_id {id:?} is not valid: use 1 to 20 upper-case letters, digits and dots, like G09.20"
        )))
    }
}

fn holiday_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Date>, D::Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let texts = Vec::<String>::deserialize(deserializer)?;
    let mut days = texts
        .iter()
        .map(|text| {
            Date::parse(text, &format).map_err(|_| {
                serde::de::Error::custom(format!(
                    "holiday {text:?} is not a date written yyyy-mm-dd"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    days.sort();
    days.dedup();
    Ok(days)
}

impl Default for CentralConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: default_data_dir(),
            public_url: None,
            status_page_per_minute: nonzero(60),
            status_page_burst: nonzero(20),
            trust_forwarded_for: false,
            agency_id: DEFAULT_AGENCY_ID.to_owned(),
            holidays: Vec::new(),
            max_upload_file_bytes: nonzero_u64(100 * MIB),
            max_submission_bytes: nonzero_u64(500 * MIB),
            max_files_per_submission: nonzero(60),
            phone_upload_minutes: nonzero(15),
            fleet_silent_after_secs: nonzero_u64(300),
            fleet_outbox_stuck_after_secs: nonzero_u64(1800),
            fleet_disk_low_bytes: 1024 * MIB,
            staff_auth_max_failures: nonzero(10),
            staff_auth_window_secs: nonzero_u64(900),
            feedback_per_kiosk_per_hour: nonzero(120),
            feedback_per_kiosk_burst: nonzero(30),
            header_read_timeout_secs: nonzero_u64(30),
            body_idle_timeout_secs: nonzero_u64(60),
        }
    }
}

const MIB: u64 = 1024 * 1024;

const fn nonzero_u64(n: u64) -> NonZeroU64 {
    match NonZeroU64::new(n) {
        Some(n) => n,
        None => panic!("a default must not be zero"),
    }
}

const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => panic!("a default must not be zero"),
    }
}

fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("motcua-central");
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/motcua-central"),
        None => PathBuf::from("motcua-central-data"),
    }
}

impl CentralConfig {
    /// Reads `path` if given (it must exist), else `/etc/motcua/central.toml` if present, then
    /// applies the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let system = Path::new("/etc/motcua/central.toml");
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
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown,
            message: e.message().to_owned(),
        })
    }

    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(value) = var("MOTCUA_CENTRAL_LISTEN") {
            self.listen =
                value
                    .parse()
                    .map_err(|e: std::net::AddrParseError| ConfigError::Env {
                        name: "MOTCUA_CENTRAL_LISTEN",
                        value: value.clone(),
                        reason: e.to_string(),
                    })?;
        }
        if let Some(value) = var("MOTCUA_CENTRAL_DATA_DIR") {
            self.data_dir = PathBuf::from(value);
        }
        if let Some(value) = var("MOTCUA_CENTRAL_PUBLIC_URL") {
            self.public_url = Some(value);
        }
        Ok(())
    }

    /// The base URL for links, without a trailing slash.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("central.db")
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs.get())
    }

    pub fn body_idle_timeout(&self) -> Duration {
        Duration::from_secs(self.body_idle_timeout_secs.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_layering() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/motcua\"\n",
        )
        .unwrap();
        let mut config = CentralConfig::from_file(&path).unwrap();
        assert_eq!(config.listen.port(), 9000);
        config
            .apply_env(|name| (name == "MOTCUA_CENTRAL_DATA_DIR").then(|| "/tmp/other".to_owned()))
            .unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/tmp/other"));
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.status_page_per_minute.get(), 60);
        assert_eq!(config.status_page_burst.get(), 20);
        assert!(!config.trust_forwarded_for);
    }

    #[test]
    fn the_example_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/central.example.toml");
        let config = CentralConfig::from_file(&path).unwrap();
        assert_eq!(config.status_page_per_minute.get(), 60);
        assert_eq!(config.status_page_burst.get(), 20);
        assert_eq!(config.public_base(), "https://dichvu.example.gov.vn");
        assert_eq!(config.agency_id, DEFAULT_AGENCY_ID);
        assert_eq!(config.holidays.len(), 4);
        assert_eq!(
            config,
            {
                let mut expected = CentralConfig {
                    listen: config.listen,
                    data_dir: config.data_dir.clone(),
                    public_url: config.public_url.clone(),
                    holidays: config.holidays.clone(),
                    ..CentralConfig::default()
                };
                expected.trust_forwarded_for = config.trust_forwarded_for;
                expected
            },
            "the example shows the defaults"
        );
    }

    #[test]
    fn rate_limit_keys_are_read_and_zero_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(
            &path,
            "status_page_per_minute = 30\nstatus_page_burst = 5\ntrust_forwarded_for = true\n",
        )
        .unwrap();
        let config = CentralConfig::from_file(&path).unwrap();
        assert_eq!(config.status_page_per_minute.get(), 30);
        assert_eq!(config.status_page_burst.get(), 5);
        assert!(config.trust_forwarded_for);
        std::fs::write(&path, "status_page_burst = 0\n").unwrap();
        let err = CentralConfig::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("nonzero"), "{err}");
    }

    #[test]
    fn submission_keys_have_defaults_and_are_checked() {
        let config = CentralConfig::default();
        assert_eq!(config.agency_id, "G00.01");
        assert_eq!(config.max_upload_file_bytes.get(), 100 * 1024 * 1024);
        assert_eq!(config.max_submission_bytes.get(), 500 * 1024 * 1024);
        assert_eq!(config.max_files_per_submission.get(), 60);
        assert_eq!(config.phone_upload_minutes.get(), 15);
        assert!(config.holidays.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(
            &path,
            "agency_id = \"G09.20\"\nholidays = [\"2026-09-02\", \"2026-01-01\"]\n\
             max_upload_file_bytes = 1000\nmax_files_per_submission = 3\n",
        )
        .unwrap();
        let config = CentralConfig::from_file(&path).unwrap();
        assert_eq!(config.agency_id, "G09.20");
        assert_eq!(
            config.holidays,
            [
                time::macros::date!(2026 - 01 - 01),
                time::macros::date!(2026 - 09 - 02)
            ]
        );
        assert_eq!(config.max_upload_file_bytes.get(), 1000);
        for (bad, named) in [
            ("agency_id = \"g09 20\"\n", "agency_id"),
            ("holidays = [\"02/09/2026\"]\n", "02/09/2026"),
            ("max_upload_file_bytes = 0\n", "nonzero"),
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = CentralConfig::from_file(&path).unwrap_err().to_string();
            assert!(err.contains(named), "{bad}: {err}");
        }
    }

    #[test]
    fn fleet_keys_have_defaults_and_are_read() {
        let config = CentralConfig::default();
        assert_eq!(config.fleet_silent_after_secs.get(), 300);
        assert_eq!(config.fleet_outbox_stuck_after_secs.get(), 1800);
        assert_eq!(config.fleet_disk_low_bytes, 1024 * 1024 * 1024);
        assert_eq!(config.staff_auth_max_failures.get(), 10);
        assert_eq!(config.staff_auth_window_secs.get(), 900);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(
            &path,
            "fleet_silent_after_secs = 60\nfleet_outbox_stuck_after_secs = 600\n\
             fleet_disk_low_bytes = 0\nstaff_auth_max_failures = 3\nstaff_auth_window_secs = 60\n",
        )
        .unwrap();
        let config = CentralConfig::from_file(&path).unwrap();
        assert_eq!(config.fleet_silent_after_secs.get(), 60);
        assert_eq!(config.fleet_outbox_stuck_after_secs.get(), 600);
        assert_eq!(config.fleet_disk_low_bytes, 0);
        assert_eq!(config.staff_auth_max_failures.get(), 3);
        assert_eq!(config.staff_auth_window_secs.get(), 60);
        std::fs::write(&path, "fleet_silent_after_secs = 0\n").unwrap();
        let err = CentralConfig::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("nonzero"), "{err}");
    }

    #[test]
    fn feedback_limits_have_defaults_and_are_read() {
        let config = CentralConfig::default();
        assert_eq!(config.feedback_per_kiosk_per_hour.get(), 120);
        assert_eq!(config.feedback_per_kiosk_burst.get(), 30);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(
            &path,
            "feedback_per_kiosk_per_hour = 600\nfeedback_per_kiosk_burst = 50\n",
        )
        .unwrap();
        let config = CentralConfig::from_file(&path).unwrap();
        assert_eq!(config.feedback_per_kiosk_per_hour.get(), 600);
        assert_eq!(config.feedback_per_kiosk_burst.get(), 50);
        for bad in [
            "feedback_per_kiosk_per_hour = 0\n",
            "feedback_per_kiosk_burst = 0\n",
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = CentralConfig::from_file(&path).unwrap_err().to_string();
            assert!(err.contains("nonzero"), "{bad}: {err}");
        }
        std::fs::write(&path, "feedback_per_kiosk_burst = -3\n").unwrap();
        assert!(CentralConfig::from_file(&path).is_err());
    }

    #[test]
    fn connection_timeouts_have_defaults_and_are_read() {
        let config = CentralConfig::default();
        assert_eq!(config.header_read_timeout(), Duration::from_secs(30));
        assert_eq!(config.body_idle_timeout(), Duration::from_secs(60));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(
            &path,
            "header_read_timeout_secs = 5\nbody_idle_timeout_secs = 7\n",
        )
        .unwrap();
        let config = CentralConfig::from_file(&path).unwrap();
        assert_eq!(config.header_read_timeout(), Duration::from_secs(5));
        assert_eq!(config.body_idle_timeout(), Duration::from_secs(7));
        std::fs::write(&path, "header_read_timeout_secs = 0\n").unwrap();
        let err = CentralConfig::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("nonzero"), "{err}");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(&path, "lisen = \"127.0.0.1:9000\"\n").unwrap();
        let err = CentralConfig::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("unknown field `lisen`"), "{err}");
        let err = CentralConfig::default()
            .apply_env(|name| (name == "MOTCUA_CENTRAL_LISTEN").then(|| "nowhere".to_owned()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("MOTCUA_CENTRAL_LISTEN"), "{err}");
    }
}
