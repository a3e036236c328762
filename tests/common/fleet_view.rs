//! What staff see on the central server: the fleet view (as a signed-in staff member) and the
//! dossiers it holds.

use motcua_central::CentralConfig;
use serde_json::Value;

/// A staff member of the test servers.
pub const STAFF: (&str, &str) = ("lan", "mat-khau-du-dai-2026");

/// Adds [`STAFF`] to the server of `config`.
pub fn add_staff(config: &CentralConfig) {
    motcua_central::open_operations(config)
        .unwrap()
        .add_staff(STAFF.0, STAFF.1, time::OffsetDateTime::now_utc())
        .unwrap();
}

/// The recent errors the fleet view shows for kiosk `name`; `None` before its first heartbeat.
pub async fn fleet_errors(base: &str, name: &str) -> Option<Vec<String>> {
    let all: Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/fleet"))
        .basic_auth(STAFF.0, Some(STAFF.1))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kiosk = all
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == name)?
        .clone();
    Some(serde_json::from_value(kiosk["health"]["last_errors"].clone()).unwrap())
}

/// How many dossiers the server of `config` holds.
pub fn dossier_count(config: &CentralConfig) -> u64 {
    motcua_central::open_dossiers(config)
        .unwrap()
        .count()
        .unwrap()
}
