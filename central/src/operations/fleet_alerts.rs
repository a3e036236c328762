//! What in a kiosk's health needs staff attention. The thresholds are configuration
//! (`fleet_*` in central.toml); the rules are documented in docs/fleet.md.

use motcua_protocol::PrinterState;
use serde::Serialize;
use time::OffsetDateTime;

use super::fleet::FleetKiosk;
use crate::config::CentralConfig;

/// One reason a kiosk needs attention; serialised as its machine code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    /// No heartbeat for longer than `fleet_silent_after_secs`, or never one.
    Silent,
    /// Entries wait in the outbox, the oldest longer than `fleet_outbox_stuck_after_secs`.
    OutboxStuck,
    /// The receipt printer is out of paper, offline or failed.
    Printer,
    /// Less than `fleet_disk_low_bytes` free on the kiosk's data disk.
    DiskLow,
    /// The kiosk refused its newest remote configuration (`config_error`).
    ConfigRefused,
}

impl Alert {
    pub fn code(self) -> &'static str {
        match self {
            Self::Silent => "silent",
            Self::OutboxStuck => "outbox_stuck",
            Self::Printer => "printer",
            Self::DiskLow => "disk_low",
            Self::ConfigRefused => "config_refused",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    pub silent_after_secs: u64,
    pub outbox_stuck_after_secs: u64,
    pub disk_low_bytes: u64,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self::from_config(&CentralConfig::default())
    }
}

impl AlertRules {
    pub fn from_config(config: &CentralConfig) -> Self {
        Self {
            silent_after_secs: config.fleet_silent_after_secs.get(),
            outbox_stuck_after_secs: config.fleet_outbox_stuck_after_secs.get(),
            disk_low_bytes: config.fleet_disk_low_bytes,
        }
    }

    /// The alerts of `kiosk` as of `now`. A revoked kiosk has none: it is meant to be silent.
    pub fn alerts(&self, kiosk: &FleetKiosk, now: OffsetDateTime) -> Vec<Alert> {
        if kiosk.revoked_at.is_some() {
            return Vec::new();
        }
        let mut alerts = Vec::new();
        // A heartbeat stamped in the future (clock changed) counts as just now, not as silence.
        let silent = kiosk.last_seen.is_none_or(|seen| {
            now.unix_timestamp().saturating_sub(seen)
                > i64::try_from(self.silent_after_secs).unwrap_or(i64::MAX)
        });
        if silent {
            alerts.push(Alert::Silent);
        }
        let Some(health) = &kiosk.health else {
            return alerts;
        };
        if health.outbox_depth > 0
            && health
                .outbox_oldest_age_secs
                .is_some_and(|age| age > self.outbox_stuck_after_secs)
        {
            alerts.push(Alert::OutboxStuck);
        }
        if matches!(
            health.printer,
            PrinterState::OutOfPaper | PrinterState::Offline | PrinterState::Failed
        ) {
            alerts.push(Alert::Printer);
        }
        if health
            .disk_free_bytes
            .is_some_and(|free| free < self.disk_low_bytes)
        {
            alerts.push(Alert::DiskLow);
        }
        if health.config_error.is_some() {
            alerts.push(Alert::ConfigRefused);
        }
        alerts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::fleet::tests::heartbeat;

    const GIB: u64 = 1024 * 1024 * 1024;

    fn kiosk(last_seen: Option<i64>) -> FleetKiosk {
        FleetKiosk {
            name: "quay-1".into(),
            enrolled_at: Some(0),
            revoked_at: None,
            last_seen,
            health: last_seen.map(|_| heartbeat()),
            stored_config: None,
            alerts: vec![],
        }
    }

    #[test]
    fn each_rule_at_its_threshold() {
        let rules = AlertRules::default();
        let now = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        let t = now.unix_timestamp();
        assert_eq!(rules.alerts(&kiosk(Some(t - 300)), now), []);
        assert_eq!(rules.alerts(&kiosk(Some(t - 301)), now), [Alert::Silent]);
        assert_eq!(rules.alerts(&kiosk(Some(t + 60)), now), []);
        assert_eq!(rules.alerts(&kiosk(None), now), [Alert::Silent]);

        let mut k = kiosk(Some(t));
        let health = k.health.as_mut().unwrap();
        health.outbox_depth = 2;
        health.outbox_oldest_age_secs = Some(1800);
        health.printer = PrinterState::PaperLow;
        health.disk_free_bytes = Some(GIB);
        assert_eq!(
            rules.alerts(&k, now),
            [],
            "at the thresholds, not past them"
        );

        let health = k.health.as_mut().unwrap();
        health.outbox_oldest_age_secs = Some(1801);
        health.printer = PrinterState::Offline;
        health.disk_free_bytes = Some(GIB - 1);
        health.config_error = Some("bad orientation".into());
        assert_eq!(
            rules.alerts(&k, now),
            [
                Alert::OutboxStuck,
                Alert::Printer,
                Alert::DiskLow,
                Alert::ConfigRefused
            ]
        );
        // An empty outbox with a stale age is not stuck.
        k.health.as_mut().unwrap().outbox_depth = 0;
        assert!(!rules.alerts(&k, now).contains(&Alert::OutboxStuck));
        for (state, alert) in [
            (PrinterState::OutOfPaper, true),
            (PrinterState::Failed, true),
            (PrinterState::None, false),
            (PrinterState::Unknown, false),
            (PrinterState::Ready, false),
        ] {
            k.health.as_mut().unwrap().printer = state;
            assert_eq!(
                rules.alerts(&k, now).contains(&Alert::Printer),
                alert,
                "{state:?}"
            );
        }
        k.revoked_at = Some(t);
        k.last_seen = None;
        assert_eq!(rules.alerts(&k, now), []);
    }

    #[test]
    fn codes_are_the_serialised_names() {
        for alert in [
            Alert::Silent,
            Alert::OutboxStuck,
            Alert::Printer,
            Alert::DiskLow,
            Alert::ConfigRefused,
        ] {
            assert_eq!(
                serde_json::to_value(alert).unwrap(),
                serde_json::Value::String(alert.code().into())
            );
        }
    }
}
