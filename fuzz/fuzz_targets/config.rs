//! The kiosk's configuration (`src/config.rs`) and remote settings
//! (`motcua_protocol::check_remote_settings`), with the input as TOML text; also the small
//! parsers of configuration values (blanking hours, printer address, server URL).
//!
//! Asserts: a configuration that parses writes back to TOML that parses to the same
//! configuration, and `validate` agrees with `problems`. Remote settings that pass
//! `check_remote_settings` set only `REMOTE_SETTING_KEYS` and never `printer.lp_command` or
//! `printer.device`; laid over a configuration (`with_overlay`) they either are refused or give a
//! valid configuration in which the server, the data directory, the programs run and the files
//! opened are those of the configuration underneath. Staff settings (`with_staff_overlay`) touch
//! only `STAFF_SETTING_KEYS`. Blanking hours print and parse back the same and cover the number
//! of minutes they say; a printer address has a host without `/` or spaces and a port > 0.

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use motcua_kiosk::config::{KioskConfig, STAFF_SETTING_KEYS, check_server_url};
use motcua_kiosk::submission::receipt::printer::{PrinterKind, parse_address};
use motcua_kiosk::visit::BlankHours;
use motcua_protocol::{REMOTE_FORBIDDEN_KEYS, REMOTE_SETTING_KEYS, check_remote_settings};

/// The example configuration, with every local-only setting given a value.
static BASE: LazyLock<KioskConfig> = LazyLock::new(|| {
    let mut config: KioskConfig =
        toml::from_str(include_str!("../../config/kiosk.example.toml")).expect("the example");
    config.public_url = Some("https://dichvucong.example.gov.vn".into());
    config.data_dir = PathBuf::from("/var/lib/motcua");
    config.scanner_device = Some(PathBuf::from("/dev/ttyACM0"));
    config.document_scanner_command = vec!["scanimage".into(), "--format=png".into()];
    config.printer.kind = PrinterKind::Usb;
    config.printer.device = Some(PathBuf::from("/dev/usb/lp0"));
    config.printer.lp_command = "lp".into();
    config.validate().expect("the base configuration is valid");
    config
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    file(text);
    remote(text);
    staff(text);
    values(text);
});

fn file(text: &str) {
    let Ok(config) = toml::from_str::<KioskConfig>(text) else {
        return;
    };
    let problems = config.problems();
    assert_eq!(config.validate().err(), problems.first().cloned());
    let written = toml::to_string(&config).expect("a parsed configuration writes out");
    let back: KioskConfig = toml::from_str(&written)
        .unwrap_or_else(|e| panic!("written configuration does not read back: {e}\n{written}"));
    assert_eq!(back, config, "{written}");
}

fn local_settings_kept(base: &KioskConfig, merged: &KioskConfig) {
    assert_eq!(merged.server_url, base.server_url);
    assert_eq!(merged.public_url, base.public_url);
    assert_eq!(merged.server_ca_file, base.server_ca_file);
    assert_eq!(merged.data_dir, base.data_dir);
    assert_eq!(
        merged.document_scanner_command,
        base.document_scanner_command
    );
}

fn remote(text: &str) {
    let checked = check_remote_settings(text);
    if checked.is_ok() {
        let table: toml::Table = toml::from_str(text).expect("checked settings are TOML");
        for (key, value) in &table {
            assert!(REMOTE_SETTING_KEYS.contains(&key.as_str()), "{key}");
            for (outer, inner) in REMOTE_FORBIDDEN_KEYS {
                assert!(key != outer || value.get(inner).is_none(), "{key}.{inner}");
            }
        }
    }
    let base = &*BASE;
    if let Ok(merged) = base.with_overlay(text) {
        assert!(checked.is_ok());
        assert_eq!(merged.validate(), Ok(()));
        local_settings_kept(base, &merged);
        assert_eq!(merged.scanner_device, base.scanner_device);
        assert_eq!(merged.printer.lp_command, base.printer.lp_command);
        assert_eq!(merged.printer.device, base.printer.device);
    }
}

fn staff(text: &str) {
    let base = &*BASE;
    if let Ok(merged) = base.with_staff_overlay(text) {
        let table: toml::Table = toml::from_str(text).expect("accepted settings are TOML");
        assert!(
            table
                .keys()
                .all(|k| STAFF_SETTING_KEYS.contains(&k.as_str()))
        );
        assert_eq!(merged.validate(), Ok(()));
        assert_eq!(merged.data_dir, base.data_dir);
        assert_eq!(
            merged.document_scanner_command,
            base.document_scanner_command
        );
        assert_eq!(merged.limits, base.limits);
        assert_eq!(merged.payment, base.payment);
    }
}

fn values(text: &str) {
    if let Ok(hours) = text.parse::<BlankHours>() {
        let shown = hours.to_string();
        assert_eq!(shown.parse::<BlankHours>(), Ok(hours), "{shown}");
        let (start, end) = shown.split_once('-').expect("from-to");
        let minute = |hhmm: &str| {
            let (h, m) = hhmm.split_once(':').expect("hh:mm");
            h.parse::<u16>().expect("hours") * 60 + m.parse::<u16>().expect("minutes")
        };
        let (start, end) = (minute(start), minute(end));
        assert_ne!(start, end);
        let expected = if start < end {
            end - start
        } else {
            1440 - start + end
        };
        let covered = (0..1440).filter(|m| hours.contains(*m)).count();
        assert_eq!(covered, usize::from(expected), "{shown}");
        assert!(hours.contains(start) && !hours.contains(end));
    }
    if let Ok((host, port)) = parse_address(text) {
        assert!(!host.is_empty() && !host.contains('/') && !host.contains(char::is_whitespace));
        assert!(port > 0);
    }
    if check_server_url(text).is_ok() {
        assert!(text.starts_with("http://") || text.starts_with("https://"));
        assert!(!text.contains(char::is_whitespace));
    }
}
