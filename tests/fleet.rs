//! The kiosk in the fleet, as real processes against the real central server over HTTP:
//! enrollment with a one-time code, heartbeats that show on the staff's fleet view, a remote
//! configuration taken with the next heartbeat and run from the next start, an invalid one refused
//! while the kiosk keeps the old one (and says why), the staff PIN command, `config check`, and
//! revocation (401, with a message that tells staff what to do).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::spawn_central;
use motcua_central::DEMO_CATALOG;
use serde_json::Value;

const STAFF: (&str, &str) = ("lan", "mat-khau-du-dai-2026");

fn kiosk(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("MOTCUA_KIOSK_SERVER_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn fleet(base: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{base}/api/v1/fleet"))
        .basic_auth(STAFF.0, Some(STAFF.1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let all: Value = response.json().await.unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "quay-5")
        .cloned()
        .expect("the kiosk is in the fleet")
}

async fn set_config(base: &str, settings: &str) -> u16 {
    reqwest::Client::new()
        .put(format!("{base}/api/v1/fleet/kiosks/quay-5/config"))
        .basic_auth(STAFF.0, Some(STAFF.1))
        .header("Content-Type", "application/toml")
        .body(settings.to_owned())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_remote_configuration_and_revocation_end_to_end() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let base = server.base_url();
    let central = common::central_config(server_dir.path());
    let now = time::OffsetDateTime::now_utc();
    let code = {
        let mut operations = motcua_central::open_operations(&central).unwrap();
        operations.add_staff(STAFF.0, STAFF.1, now).unwrap();
        operations.add_kiosk("quay-5", now).unwrap()
    };
    let dir = kiosk_dir.path().to_owned();
    let run = |args: Vec<String>, stdin: Option<String>| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            kiosk(&dir, &args, stdin.as_deref())
        })
    };
    let heartbeat = || {
        run(
            vec![
                "--server".into(),
                base.clone(),
                "heartbeat".into(),
                "--json".into(),
            ],
            None,
        )
    };

    // Enrollment with the one-time code; the credential file is the owner's alone.
    let out = run(vec!["enroll".into(), base.clone(), code.clone()], None)
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("enrolled as \"quay-5\""),
        "{}",
        stdout(&out)
    );

    // A heartbeat shows on the fleet view; no configuration is waiting.
    let out = heartbeat().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["config"], Value::Null);
    assert_eq!(report["sent"]["config_version"], 0);
    assert_eq!(report["sent"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(report["sent"]["disk_free_bytes"].as_u64().unwrap() > 0);
    let shown = fleet(&base).await;
    assert_eq!(shown["health"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(shown["health"]["outbox_depth"], 0);

    // Staff set a configuration; the next heartbeat takes it, the next start runs it.
    assert_eq!(
        set_config(
            &base,
            "center_name = \"Trung tâm B\"\nsync_interval_secs = 120\n"
        )
        .await,
        200
    );
    let out = heartbeat().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["config"]["accepted"], 1);
    assert!(kiosk_dir.path().join("remote-config.json").exists());
    let out = heartbeat().await.unwrap();
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["sent"]["config_version"], 1, "runs version 1 now");
    assert_eq!(report["config"], Value::Null, "nothing new");
    assert_eq!(fleet(&base).await["health"]["config_version"], 1);

    // A configuration the kiosk cannot run is refused; it keeps version 1 and says why.
    assert_eq!(set_config(&base, "orientation = \"sideways\"\n").await, 200);
    let out = heartbeat().await.unwrap();
    assert!(!out.status.success());
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["config"]["refused"], 2);
    assert!(
        report["config"]["reason"]
            .as_str()
            .unwrap()
            .contains("orientation"),
        "{report}"
    );
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(kiosk_dir.path().join("remote-config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(stored["version"], 1);
    let shown = fleet(&base).await;
    assert_eq!(shown["health"]["config_version"], 1);
    assert!(
        shown["health"]["config_error"]
            .as_str()
            .unwrap_or_default()
            .contains("orientation"),
        "{shown}"
    );
    assert!(
        shown["alerts"]
            .as_array()
            .unwrap()
            .contains(&Value::from("config_refused")),
        "{shown}"
    );

    // The staff PIN: too short refused, a good one stored as a hash only.
    let out = run(vec!["staff-pin".into()], Some("1234\n".into()))
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("6 to 12 digits"), "{}", stderr(&out));
    let out = run(vec!["staff-pin".into()], Some("97531864\n".into()))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stored = std::fs::read_to_string(kiosk_dir.path().join("staff-pin")).unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains("97531864"));

    // `config check` names every bad key.
    let file = kiosk_dir.path().join("bad.toml");
    std::fs::write(&file, "sever_url = \"x\"\nsync_interval_secs = 2\n").unwrap();
    let out = run(
        vec!["config".into(), "check".into(), file.display().to_string()],
        None,
    )
    .await
    .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("sever_url"), "{}", stderr(&out));
    let out = run(
        vec![
            "config".into(),
            "check".into(),
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/kiosk.example.toml").into(),
        ],
        None,
    )
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // Revoked: the server answers 401 and the kiosk says what staff must do.
    motcua_central::open_operations(&central)
        .unwrap()
        .revoke_kiosk("quay-5", time::OffsetDateTime::now_utc())
        .unwrap();
    let out = heartbeat().await.unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("refused this kiosk's credential; enroll the kiosk again"),
        "{}",
        stderr(&out)
    );
    server.stop().await;
}
