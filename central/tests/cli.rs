//! The command line as a real process: `motcua-central --data-dir DIR ...`.

mod common;

use std::path::Path;

use common::{fails, ok};
use serde_json::Value;

fn demo_catalog() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../config/demo-catalog.json")
        .display()
        .to_string()
}

const CODE: &str = "G09.20-20251120-0092637";

#[test]
fn register_set_status_show_list_and_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["import", &demo_catalog()]);
    let url = ok(
        d,
        &[
            "dossier",
            "register",
            CODE,
            "--procedure",
            "1.001193",
            "--received",
            "2025-11-20",
            "--due",
            "2025-11-25",
        ],
    );
    let url = url.trim();
    let token = url
        .strip_prefix("http://127.0.0.1:8080/ho-so/")
        .unwrap_or_else(|| panic!("{url}"));
    assert_eq!(token.len(), 22);
    // Registering again prints the same address.
    assert_eq!(
        ok(
            d,
            &[
                "dossier",
                "register",
                CODE,
                "--procedure",
                "1.001193",
                "--received",
                "2025-11-20",
                "--due",
                "2025-11-25"
            ]
        )
        .trim(),
        url
    );

    let line = ok(
        d,
        &[
            "dossier",
            "set-status",
            CODE,
            "5",
            "--note",
            "Thiếu giấy chứng sinh.",
        ],
    );
    assert_eq!(
        line.trim(),
        format!("{CODE}: 5 Yêu cầu bổ sung giấy tờ (More documents requested)")
    );

    let view: Value = serde_json::from_str(&ok(d, &["dossier", "show", CODE, "--json"])).unwrap();
    assert_eq!(view["status"], 5);
    assert_eq!(view["status_url"], url);
    assert_eq!(view["history"].as_array().unwrap().len(), 2);
    assert_eq!(view["history"][1]["note"], "Thiếu giấy chứng sinh.");
    let text = ok(d, &["dossier", "show", &CODE.to_lowercase()]);
    for expected in [
        "Đăng ký khai sinh",
        "Yêu cầu bổ sung giấy tờ",
        "Thiếu giấy chứng sinh.",
        url,
        "missing papers",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }

    let list: Value = serde_json::from_str(&ok(d, &["dossier", "list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["code"], CODE);
    assert_eq!(list[0]["status"], 5);
    assert!(ok(d, &["dossier", "list"]).contains(CODE));

    let png = d.join("receipt.png");
    let printed = ok(
        d,
        &["dossier", "receipt", CODE, "-o", png.to_str().unwrap()],
    );
    assert!(printed.contains(url));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    if let Some(text) = common::decode_qr(&png) {
        assert_eq!(
            text, url,
            "the receipt QR encodes the status page, not the code"
        );
    }
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["import", &demo_catalog()]);
    for (status, shown) in [("11", "11"), ("0", "0"), ("abc", "abc")] {
        let err = fails(d, &["dossier", "set-status", CODE, status]);
        assert!(
            err.contains(&format!(
                "unknown dossier status {shown}: expected a number from 1 to 10"
            )),
            "{err}"
        );
    }
    assert!(
        fails(d, &["dossier", "set-status", CODE, "4"])
            .contains(&format!("unknown dossier {CODE}"))
    );
    assert!(
        fails(d, &["dossier", "set-status", "G09-2025", "4"]).contains("malformed dossier code")
    );
    let err = fails(
        d,
        &[
            "dossier",
            "register",
            CODE,
            "--procedure",
            "1.001193",
            "--received",
            "20/11/2025",
            "--due",
            "2025-11-25",
        ],
    );
    assert!(
        err.contains("invalid date \"20/11/2025\" for --received: expected YYYY-MM-DD"),
        "{err}"
    );
    let err = fails(
        d,
        &[
            "dossier",
            "register",
            CODE,
            "--procedure",
            "9.999999",
            "--received",
            "2025-11-20",
            "--due",
            "2025-11-25",
        ],
    );
    assert!(err.contains("unknown procedure 9.999999"), "{err}");
    assert!(fails(d, &["dossier", "show", CODE]).contains("unknown dossier"));
    assert!(fails(d, &["dossier", "receipt", CODE, "-o", "x.png"]).contains("unknown dossier"));
}

#[test]
fn kiosks_and_integrations_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let added = ok(d, &["kiosk", "add", "quay-1"]);
    let code = added
        .split_whitespace()
        .find(|w| w.len() == 12 && w.matches('-').count() == 2)
        .unwrap_or_else(|| panic!("no code in {added}"))
        .to_owned();
    let config = common::config(d);
    let now = time::OffsetDateTime::now_utc();
    let enrolled = motcua_central::open_operations(&config)
        .unwrap()
        .enroll(&code, now)
        .unwrap();
    assert_eq!(enrolled.kiosk_name, "quay-1");

    let kiosks: Value = serde_json::from_str(&ok(d, &["kiosk", "list", "--json"])).unwrap();
    assert!(kiosks[0]["enrolled_at"].is_i64());
    assert!(kiosks[0]["revoked_at"].is_null());
    assert!(ok(d, &["kiosk", "list"]).contains("quay-1"));
    assert!(fails(d, &["kiosk", "add", "quay-1"]).contains("kiosk quay-1 already exists"));
    assert!(fails(d, &["kiosk", "add", "quầy 1"]).contains("is not valid"));
    ok(d, &["kiosk", "revoke", "quay-1"]);
    let kiosks: Value = serde_json::from_str(&ok(d, &["kiosk", "list", "--json"])).unwrap();
    assert!(kiosks[0]["revoked_at"].is_i64());
    assert!(fails(d, &["kiosk", "revoke", "nobody"]).contains("no kiosk named nobody"));

    let added = ok(d, &["integration", "add", "mot-cua-tinh"]);
    let token = added
        .split_whitespace()
        .find(|w| w.starts_with("mi_"))
        .unwrap()
        .to_owned();
    let store = motcua_central::open_operations(&config).unwrap();
    assert_eq!(
        store.authenticate_integration(&token).unwrap().as_deref(),
        Some("mot-cua-tinh")
    );
    assert!(fails(d, &["integration", "add", "mot-cua-tinh"]).contains("already exists"));
    ok(d, &["integration", "revoke", "mot-cua-tinh"]);
    assert_eq!(store.authenticate_integration(&token).unwrap(), None);
}

#[test]
fn demo_receipts_are_written_with_a_readme() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("receipts");
    let printed = ok(
        dir.path(),
        &[
            "demo-receipts",
            "--out",
            out.to_str().unwrap(),
            "--public-url",
            "https://dv.example.gov.vn/",
        ],
    );
    let pngs: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".png"))
        .collect();
    assert_eq!(pngs.len(), 12, "{pngs:?}");
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains(
        "| [05-supplement-requested.png](05-supplement-requested.png) | 5 Yêu cầu bổ sung giấy tờ"
    ));
    assert!(printed.contains("https://dv.example.gov.vn/ho-so/DorxGU8v3FuzeCZxhiVF8K"));
    if let Some(text) = common::decode_qr(&out.join("05-supplement-requested.png")) {
        assert_eq!(
            text,
            "https://dv.example.gov.vn/ho-so/DorxGU8v3FuzeCZxhiVF8K"
        );
    }
}

/// `serve` stops gracefully on SIGTERM, what systemd sends to stop the unit, as it does on
/// Ctrl-C: a request already begun is answered, then the process exits with success (killed by
/// the signal, it would cut the request and exit with "terminated").
#[test]
fn serve_stops_gracefully_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("central.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua-central"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();

    // A request begun (its headers not finished) when the signal comes.
    let mut request = std::net::TcpStream::connect(&addr).unwrap();
    request
        .write_all(format!("GET /api/v1/health HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it waits for the request in flight: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    request.write_all(b"Connection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    request.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}: {log}");
    assert!(log.contains("SIGTERM: stopping"), "{log}");
}
