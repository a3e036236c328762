//! `kiosk config NAME --file settings.toml | --show`: a kiosk's remote configuration from the
//! server's command line, the same as `PUT /api/v1/fleet/kiosks/NAME/config`.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use motcua_central::operations::fleet::{MAX_SETTINGS_BYTES, SET_BY_COMMAND_LINE};
use motcua_central::{CentralConfig, open_operations};
use time::OffsetDateTime;

use super::moment;

fn read_settings(file: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    // One byte more than allowed, so an oversized file is refused by the store with its limit.
    let limit = MAX_SETTINGS_BYTES as u64 + 1;
    if file == Path::new("-") {
        std::io::stdin()
            .take(limit)
            .read_to_string(&mut text)
            .context("cannot read the settings from standard input")?;
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(limit).read_to_string(&mut text))
            .with_context(|| format!("cannot read {}", file.display()))?;
    }
    Ok(text)
}

pub fn set(config: &CentralConfig, name: &str, file: &Path) -> anyhow::Result<()> {
    let settings = read_settings(file)?;
    let mut store = open_operations(config)?;
    let before = store.kiosk_config(name)?.map(|c| c.version);
    let stored = store
        .set_kiosk_config(
            name,
            &settings,
            SET_BY_COMMAND_LINE,
            OffsetDateTime::now_utc(),
        )
        .with_context(|| format!("cannot set the configuration of kiosk {name}"))?;
    if before == Some(stored.version) {
        println!(
            "kiosk {name}: unchanged, remote configuration version {}",
            stored.version
        );
    } else {
        println!(
            "kiosk {name}: remote configuration version {} stored; the kiosk gets it with its \
             next heartbeat",
            stored.version
        );
    }
    Ok(())
}

/// Prints the stored settings as TOML, with a comment naming the version: the output can be
/// edited and given back with `--file`.
pub fn show(config: &CentralConfig, name: &str) -> anyhow::Result<()> {
    let store = open_operations(config)?;
    match store.kiosk_config(name)? {
        Some(stored) => {
            println!(
                "# kiosk {name}: remote configuration version {}, set by {} at {}",
                stored.version,
                stored.set_by,
                moment(Some(stored.set_at))
            );
            print!("{}", stored.settings);
            if !stored.settings.ends_with('\n') {
                println!();
            }
        }
        None => eprintln!("kiosk {name} has no remote configuration"),
    }
    Ok(())
}
