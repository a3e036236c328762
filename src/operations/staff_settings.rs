//! Settings staff change on the kiosk's own staff screen: kept in the data directory and laid over
//! everything else at start (packaged defaults, `/etc/motcua/kiosk.toml`, the environment, the
//! remote configuration), so what staff set at the kiosk is what it runs.

use std::path::{Path, PathBuf};

use crate::config::KioskConfig;

const FILE_NAME: &str = "staff-settings.toml";

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// The stored staff settings (TOML), if any.
pub fn load(data_dir: &Path) -> Option<String> {
    std::fs::read_to_string(path(data_dir)).ok()
}

/// `config` with the stored staff settings over it. Settings that no longer fit are left out, with
/// a warning, rather than stopping the kiosk.
pub fn apply_stored(config: KioskConfig) -> KioskConfig {
    let Some(settings) = load(&config.data_dir) else {
        return config;
    };
    match config.with_staff_overlay(&settings) {
        Ok(merged) => merged,
        Err(reason) => {
            tracing::warn!("the settings saved on the staff screen no longer apply: {reason}");
            config
        }
    }
}

/// Checks `changes` (TOML) over the stored staff settings and `running`, and stores the result;
/// returns the configuration the kiosk runs after its next start, or the reason it was refused.
pub fn save(running: &KioskConfig, changes: &str) -> Result<KioskConfig, String> {
    let mut settings: toml::Table = load(&running.data_dir)
        .and_then(|text| toml::from_str(&text).ok())
        .unwrap_or_default();
    let changes: toml::Table =
        toml::from_str(changes).map_err(|e| format!("not valid TOML: {e}"))?;
    for (key, value) in changes {
        match (settings.get_mut(&key), value) {
            (Some(toml::Value::Table(old)), toml::Value::Table(new)) => old.extend(new),
            (_, value) => {
                settings.insert(key, value);
            }
        }
    }
    let text = toml::to_string(&settings).map_err(|e| e.to_string())?;
    let merged = running.with_staff_overlay(&text)?;
    crate::submission::durable::write_durably(
        &running.data_dir,
        FILE_NAME,
        text.as_bytes(),
        u64::MAX,
    )
    .map_err(|e| format!("cannot store the settings: {e}"))?;
    tracing::info!("settings changed on the staff screen");
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_changes_are_stored_and_invalid_ones_refused_with_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let running = KioskConfig {
            data_dir: dir.path().to_owned(),
            ..KioskConfig::default()
        };
        let merged = save(&running, "center_name = \"Trung tâm Huế\"\n").unwrap();
        assert_eq!(merged.center_name, "Trung tâm Huế");
        let merged = save(
            &running,
            "[printer]\nkind = \"network\"\naddress = \"10.0.0.9\"\n",
        )
        .unwrap();
        assert_eq!(merged.center_name, "Trung tâm Huế", "earlier changes stay");
        assert_eq!(merged.printer.address.as_deref(), Some("10.0.0.9"));
        assert_eq!(apply_stored(running.clone()), merged);

        let error = save(&running, "server_url = \"abc\"\n").unwrap_err();
        assert!(error.starts_with("server_url:"), "{error}");
        let error = save(&running, "data_dir = \"/\"\n").unwrap_err();
        assert!(
            error.contains("cannot be changed on the staff screen"),
            "{error}"
        );
        assert_eq!(
            apply_stored(running),
            merged,
            "refused changes are not stored"
        );
    }
}
