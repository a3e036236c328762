//! Layered configuration: built-in defaults, then the TOML file, then `MOTCUA_CENTRAL_*`
//! environment variables, then command-line flags (applied by the caller).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
}

impl Default for CentralConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: default_data_dir(),
            public_url: None,
        }
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
