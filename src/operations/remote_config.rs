//! Settings staff set for this kiosk on the central server (docs/fleet.md): the newest one the
//! kiosk accepted is kept in its data directory and laid over the local configuration at start.
//! A configuration that fails validation is refused as a whole, and the kiosk keeps running what
//! it had.

use std::path::{Path, PathBuf};

use motcua_protocol::RemoteConfig;

use crate::config::KioskConfig;

const FILE_NAME: &str = "remote-config.json";

#[derive(Debug, thiserror::Error)]
pub enum RemoteConfigError {
    #[error("remote configuration {version} refused: {reason}")]
    Refused { version: u64, reason: String },
    #[error("cannot store the remote configuration in {path}: {source}")]
    Store {
        path: String,
        source: std::io::Error,
    },
    #[error("the stored remote configuration {path} is unreadable: {reason}")]
    Unreadable { path: String, reason: String },
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// The remote configuration accepted last, if any.
pub fn load(data_dir: &Path) -> Result<Option<RemoteConfig>, RemoteConfigError> {
    let path = path(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(RemoteConfigError::Unreadable {
                path: path.display().to_string(),
                reason: e.to_string(),
            });
        }
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| RemoteConfigError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}

/// `local` with the stored remote configuration over it, and that configuration's version (0 when
/// none). A stored configuration that no longer fits the local one (the local file changed since)
/// is left out, with a warning, rather than stopping the kiosk.
pub fn apply_stored(local: KioskConfig) -> (KioskConfig, u64) {
    match load(&local.data_dir) {
        Ok(Some(remote)) => match local.with_overlay(&remote.settings) {
            Ok(merged) => (merged, remote.version),
            Err(reason) => {
                tracing::warn!(
                    version = remote.version,
                    "the stored remote configuration no longer applies: {reason}"
                );
                (local, 0)
            }
        },
        Ok(None) => (local, 0),
        Err(e) => {
            tracing::warn!("{e}");
            (local, 0)
        }
    }
}

/// Checks `remote` over `local` and, when it is valid, stores it for the next start. Returns the
/// configuration the kiosk will then run.
pub fn accept(
    local: &KioskConfig,
    remote: &RemoteConfig,
) -> Result<KioskConfig, RemoteConfigError> {
    let merged =
        local
            .with_overlay(&remote.settings)
            .map_err(|reason| RemoteConfigError::Refused {
                version: remote.version,
                reason,
            })?;
    let text = serde_json::to_vec_pretty(remote).map_err(|e| RemoteConfigError::Store {
        path: path(&local.data_dir).display().to_string(),
        source: std::io::Error::other(e),
    })?;
    crate::submission::durable::write_durably(&local.data_dir, FILE_NAME, &text[..], u64::MAX)
        .map_err(|source| RemoteConfigError::Store {
            path: path(&local.data_dir).display().to_string(),
            source,
        })?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_configurations_are_kept_and_refused_ones_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let local = KioskConfig {
            data_dir: dir.path().to_owned(),
            ..KioskConfig::default()
        };
        assert_eq!(apply_stored(local.clone()).1, 0);

        let good = RemoteConfig {
            version: 3,
            settings: "center_name = \"Trung tâm Huế\"\nsync_interval_secs = 120".into(),
        };
        let merged = accept(&local, &good).unwrap();
        assert_eq!(merged.center_name, "Trung tâm Huế");
        let (started, version) = apply_stored(local.clone());
        assert_eq!(
            (started.center_name.as_str(), version),
            ("Trung tâm Huế", 3)
        );
        assert_eq!(started.sync_interval_secs, 120);

        let bad = RemoteConfig {
            version: 4,
            settings: "orientation = \"sideways\"".into(),
        };
        let error = accept(&local, &bad).unwrap_err().to_string();
        assert!(error.contains("remote configuration 4 refused"), "{error}");
        assert!(error.contains("orientation"), "{error}");
        assert_eq!(load(dir.path()).unwrap(), Some(good), "the old one stays");
    }
}
