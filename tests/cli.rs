//! The kiosk's command line, run as a real process against the real central server.

mod common;

use std::process::Command;

use common::spawn_central;
use motcua_central::DEMO_CATALOG;
use serde_json::Value;

fn kiosk(data_dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("MOTCUA_KIOSK_SERVER_URL")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_search_and_stats_from_the_command_line() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let url = server.base_url();
    let dir = kiosk_dir.path().to_owned();

    let (ok, out, err) = tokio::task::spawn_blocking({
        let dir = dir.clone();
        let url = url.clone();
        move || kiosk(&dir, &["--server", &url, "sync"])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(out.starts_with("full download:"), "{out}");

    let (ok, out, err) = tokio::task::spawn_blocking({
        let dir = dir.clone();
        let url = url.clone();
        move || kiosk(&dir, &["--server", &url, "sync"])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(out.starts_with("catalog unchanged"), "{out}");
    server.stop().await;

    // Offline from here on: search and stats work from the local database.
    let (ok, out, err) = kiosk(
        &dir,
        &["search", "dang ky khai sinh", "--limit", "3", "--json"],
    );
    assert!(ok, "{err}");
    let hits: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0]["name"], "Đăng ký khai sinh");
    for key in ["code", "name", "field", "score"] {
        assert!(hits[0].get(key).is_some(), "missing {key} in {out}");
    }

    let (ok, out, _) = kiosk(&dir, &["catalog", "stats", "--json"]);
    assert!(ok);
    let stats: Value = serde_json::from_str(&out).unwrap();
    assert!(stats["procedures"].as_u64().unwrap() >= 60);
    assert!(stats["sync"]["last_success_at"].is_i64());

    let (ok, _, err) = kiosk(&dir, &["--server", &url, "sync"]);
    assert!(!ok);
    assert!(err.contains("cannot reach the central server"), "{err}");
}

#[test]
fn sync_without_a_server_says_how_to_configure_one() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = kiosk(dir.path(), &["sync"]);
    assert!(!ok);
    assert!(err.contains("no central server configured"), "{err}");
    let (ok, _, err) = kiosk(dir.path(), &["--server", "localhost:8080", "sync"]);
    assert!(!ok);
    assert!(err.contains("must start with http"), "{err}");
}

#[test]
fn staff_print_a_test_page_on_the_configured_printer() {
    let kiosk_dir = tempfile::tempdir().unwrap();
    let config = kiosk_dir.path().join("kiosk.toml");

    // No printer configured: said plainly, nothing printed.
    std::fs::write(&config, "").unwrap();
    let (ok, _, err) = kiosk(
        kiosk_dir.path(),
        &["--config", config.to_str().unwrap(), "print-test-page"],
    );
    assert!(!ok);
    assert!(err.contains("no receipt printer is configured"), "{err}");

    // A network printer (a listener on 9100's stand-in) receives the page and its QR code.
    let (address, printer) = common::fake_printer(Some(0x12));
    std::fs::write(
        &config,
        format!("[printer]\nkind = \"network\"\naddress = \"{address}\"\n"),
    )
    .unwrap();
    let (ok, out, err) = kiosk(
        kiosk_dir.path(),
        &["--config", config.to_str().unwrap(), "print-test-page"],
    );
    assert!(ok, "{err}");
    assert!(out.contains(&format!("network printer {address}")), "{out}");
    let received = printer.join().unwrap();
    let commands = motcua_kiosk::submission::receipt::escpos::parse_escpos(&received[3..]).unwrap();
    assert_eq!(
        motcua_kiosk::submission::receipt::escpos::stored_qr_payloads(&commands),
        [b"MOTCUA PRINTER TEST"]
    );

    // Out of paper: the paper sensor's answer is reported.
    let (address, printer) = common::fake_printer(Some(0x12 | 0x60));
    std::fs::write(
        &config,
        format!("[printer]\nkind = \"network\"\naddress = \"{address}\"\n"),
    )
    .unwrap();
    let (ok, _, err) = kiosk(
        kiosk_dir.path(),
        &["--config", config.to_str().unwrap(), "print-test-page"],
    );
    assert!(!ok);
    assert!(err.contains("is out of paper"), "{err}");
    drop(printer);
}
