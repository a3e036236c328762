//! Submitting dossiers end to end with the real `motcua-kiosk` binary against the real central
//! server on loopback: delivered at once, saved while the server is down and delivered after, and
//! killed with SIGKILL at each step of a submission — every dossier the visitor was told is saved
//! reaches the server exactly once, with identical files; nothing unconfirmed is left half-made;
//! the visitor's data leaves the kiosk's disk once the server has it.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::kiosk_cli::{CITIZEN_ID, NAME, PHONE, enroll, jpeg, pdf, stderr, write_applicant};
use common::{central_config, walk};
use motcua_central::catalog::import::import_text;
use motcua_central::{CentralConfig, DEMO_CATALOG, RunningServer};
use serde_json::Value;
use sha2::{Digest, Sha256};

struct Setup {
    server_dir: tempfile::TempDir,
    kiosk_dir: tempfile::TempDir,
    files_dir: tempfile::TempDir,
    config: CentralConfig,
    base: String,
}

async fn start(config: &CentralConfig) -> RunningServer {
    motcua_central::start(config.clone()).await.unwrap()
}

impl Setup {
    async fn new() -> (Self, RunningServer) {
        let server_dir = tempfile::tempdir().unwrap();
        let kiosk_dir = tempfile::tempdir().unwrap();
        let files_dir = tempfile::tempdir().unwrap();
        let mut config = central_config(server_dir.path());
        let mut store = motcua_central::open_catalog(&config).unwrap();
        import_text(&mut store, DEMO_CATALOG).unwrap();
        drop(store);
        let server = start(&config).await;
        // Later restarts come back on the same address, as a real server does.
        config.listen = server.addr;
        let base = server.base_url();
        enroll(kiosk_dir.path(), &base, &config, "quay-3");
        write_applicant(files_dir.path());
        let setup = Self {
            server_dir,
            kiosk_dir,
            files_dir,
            config,
            base,
        };
        let out = setup.kiosk(&["sync"], None).await;
        assert!(out.status.success(), "{}", stderr(&out));
        (setup, server)
    }

    /// Runs the kiosk binary; `fault` arms a crash point.
    async fn kiosk(&self, args: &[&str], fault: Option<&str>) -> Output {
        let mut command =
            common::kiosk_cli::command(self.kiosk_dir.path(), &self.base, args, fault);
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.files_dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A birth registration: the form (a JPEG) and the birth certificate (a PDF of `pdf_size`).
    async fn submit(&self, pdf_size: usize, fault: Option<&str>) -> Output {
        let form = self.file("to-khai.jpg", &jpeg(3000));
        let certificate = self.file("giay-chung-sinh.pdf", &pdf(pdf_size));
        let applicant = self.files_dir.path().join("applicant.json");
        self.kiosk(
            &[
                "submit",
                "--procedure",
                "1.001193",
                "--applicant",
                applicant.to_str().unwrap(),
                "--document",
                &format!("1={}", form.display()),
                "--document",
                &format!("2={}", certificate.display()),
                "--json",
            ],
            fault,
        )
        .await
    }

    fn dossier_count(&self) -> u64 {
        common::fleet_view::dossier_count(&self.config)
    }

    fn outbox(&self) -> Vec<Value> {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
            .arg("--data-dir")
            .arg(self.kiosk_dir.path())
            .args(["outbox", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Nothing of the visitor is left on the kiosk's disk: no pages, no name, ID or phone.
    fn assert_no_personal_data_left(&self) {
        let root = self.kiosk_dir.path();
        let mut found = Vec::new();
        // The demo mode's embedded server keeps its own data; only the kiosk's is checked.
        let kiosk_files = walk(root).into_iter().filter(|path| {
            !path
                .parent()
                .and_then(|dir| dir.strip_prefix(root).ok())
                .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "demo-central"))
        });
        for path in kiosk_files {
            if path.extension().is_some_and(|e| e == "jpg" || e == "pdf") {
                found.push(format!("page file {}", path.display()));
            }
            let bytes = std::fs::read(&path).unwrap_or_default();
            for secret in [NAME, CITIZEN_ID, PHONE] {
                if contains(&bytes, secret.as_bytes()) {
                    found.push(format!("{secret:?} in {}", path.display()));
                }
            }
        }
        assert!(found.is_empty(), "left on the kiosk: {found:?}");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn report(out: &Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn stored_on_server(server_dir: &Path, bytes: &[u8]) -> bool {
    let hash = sha256(bytes);
    let path = server_dir.join("files").join(&hash[..2]).join(&hash);
    std::fs::read(path).is_ok_and(|stored| stored == bytes)
}

#[tokio::test(flavor = "multi_thread")]
async fn submitted_then_delivered_with_identical_files_and_nothing_personal_left() {
    common::process_logs();
    let (setup, server) = Setup::new().await;
    let out = setup.submit(5000, None).await;
    let report = report(&out);
    assert_eq!(report["delivered"], true, "{report}");
    let code = report["receipt"]["code"].as_str().unwrap().to_owned();
    assert!(
        report["local_reference"]
            .as_str()
            .unwrap()
            .starts_with("QUAY3-")
    );
    assert!(
        report["receipt"]["status_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/ho-so/", setup.base))
    );
    assert_eq!(setup.dossier_count(), 1);
    assert!(stored_on_server(setup.server_dir.path(), &jpeg(3000)));
    assert!(stored_on_server(setup.server_dir.path(), &pdf(5000)));
    // The kiosk keeps the receipt only.
    let outbox = setup.outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["receipt"]["code"], code);
    setup.assert_no_personal_data_left();
    // The visitor's data never reached the logs either: the kiosk's (debug) nor the server's
    // (every level, the HTTP stack's included).
    let kiosk_logs = stderr(&out);
    let server_logs = common::process_logs();
    let server_logs = String::from_utf8_lossy(&server_logs.lock().unwrap()).into_owned();
    assert!(
        server_logs.contains("TRACE") && server_logs.contains("DEBUG"),
        "the server's logs were captured"
    );
    for secret in [NAME, CITIZEN_ID, PHONE] {
        assert!(!kiosk_logs.contains(secret), "{secret} in the kiosk's log");
        assert!(
            !server_logs.contains(secret),
            "{secret} in the server's log"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_while_the_server_is_down_then_delivered_in_order_once() {
    let (setup, server) = Setup::new().await;
    server.stop().await;
    let first = report(&setup.submit(1000, None).await);
    let second = report(&setup.submit(2000, None).await);
    for r in [&first, &second] {
        assert_eq!(r["delivered"], false, "{r}");
        assert!(
            r["waiting_reason"]
                .as_str()
                .unwrap()
                .contains("cannot reach")
        );
    }
    let waiting = setup.outbox();
    assert_eq!(waiting.len(), 2);
    assert!(waiting.iter().all(|e| e["receipt"].is_null()));
    // The outbox keeps its order: the older entry was tried at each submission, the newer one
    // waits behind it.
    let older = waiting
        .iter()
        .find(|e| e["local_reference"] == first["local_reference"])
        .unwrap();
    assert_eq!(older["attempts"], 2);

    let server = start(&setup.config).await;
    let promised = first["status_url"].as_str().unwrap().to_owned();
    let out = setup.kiosk(&["outbox", "--deliver"], None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = setup.kiosk(&["outbox", "--deliver"], None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(setup.dossier_count(), 2, "each exactly once");
    // Delivered in the order they were confirmed: the codes' sequence numbers follow it.
    let entries = setup.outbox();
    let code_of = |reference: &Value| {
        entries
            .iter()
            .find(|e| e["local_reference"] == *reference)
            .and_then(|e| e["receipt"]["code"].as_str())
            .unwrap()
            .to_owned()
    };
    assert!(code_of(&first["local_reference"]) < code_of(&second["local_reference"]));
    // The status QR printed while offline is the one the dossier got.
    let delivered = entries
        .iter()
        .find(|e| e["local_reference"] == first["local_reference"])
        .unwrap();
    assert_eq!(delivered["receipt"]["status_url"], promised.as_str());
    setup.assert_no_personal_data_left();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_at_every_step_each_confirmed_dossier_arrives_exactly_once() {
    // The second page is read from disk in several pieces, so "mid_upload" dies halfway through
    // its PATCH and the restart sends only what the server lacks.
    const BIG: usize = 9 * 1024 * 1024;
    for (point, confirmed) in [
        ("before_commit", false),
        ("after_commit", true),
        ("mid_upload", true),
        ("after_complete", true),
    ] {
        let (setup, server) = Setup::new().await;
        let out = setup.submit(BIG, Some(point)).await;
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{point}: the kiosk must have been killed; {}",
            stderr(&out)
        );
        // The kiosk starts again and its outbox runs.
        let out = setup.kiosk(&["outbox", "--deliver"], None).await;
        assert!(out.status.success(), "{point}: {}", stderr(&out));
        let entries = setup.outbox();
        if confirmed {
            assert_eq!(entries.len(), 1, "{point}");
            assert!(
                entries[0]["receipt"]["code"].is_string(),
                "{point}: {entries:?}"
            );
            assert_eq!(setup.dossier_count(), 1, "{point}: exactly once");
            assert!(
                stored_on_server(setup.server_dir.path(), &pdf(BIG)),
                "{point}"
            );
        } else {
            assert!(entries.is_empty(), "{point}: nothing half-made");
            assert_eq!(setup.dossier_count(), 0, "{point}");
        }
        setup.assert_no_personal_data_left();
        // And once more: a further run changes nothing.
        let out = setup.kiosk(&["outbox", "--deliver"], None).await;
        assert!(out.status.success());
        assert_eq!(setup.dossier_count(), u64::from(confirmed), "{point}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_explained_and_nothing_is_stored() {
    let (setup, server) = Setup::new().await;
    let applicant = setup.files_dir.path().join("bad.json");
    std::fs::write(
        &applicant,
        serde_json::json!({
            "full_name": "<b>An</b>",
            "citizen_id": "079190004321",
            "birth_date": "12/05/1991",
            "phone": "0212345678",
            "address": "Huế",
        })
        .to_string(),
    )
    .unwrap();
    let form = setup.file("form.jpg", &jpeg(10));
    let args = |applicant: &Path, documents: &[String]| {
        let mut args = vec![
            "submit".to_owned(),
            "--procedure".to_owned(),
            "1.001193".to_owned(),
            "--applicant".to_owned(),
            applicant.display().to_string(),
        ];
        for d in documents {
            args.push("--document".into());
            args.push(d.clone());
        }
        args
    };
    let run = |args: Vec<String>| {
        let setup = &setup;
        async move {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            setup.kiosk(&refs, None).await
        }
    };
    // Every wrong field named, none of the values repeated.
    let out = run(args(&applicant, &[format!("1={}", form.display())])).await;
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(
        message.contains("full name contains characters"),
        "{message}"
    );
    assert!(message.contains("birth year"), "{message}");
    assert!(message.contains("phone"), "{message}");
    assert!(!message.contains("0212345678"), "{message}");

    let good = setup.files_dir.path().join("applicant.json");
    let exe = setup.file("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00");
    let empty = setup.file("empty.pdf", b"");
    // A real 2 GB file (sparse: it costs no disk) that starts like a PDF.
    let huge = setup.file("scan.pdf", b"%PDF-1.7\n");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&huge)
        .unwrap()
        .set_len(2 * 1024 * 1024 * 1024)
        .unwrap();
    let fake_pdf = setup.file("letter.pdf", b"Dear sir, this is plain text.");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                format!("1={}", form.display()),
                format!("2={}", exe.display()),
            ],
            "only JPEG or PNG pictures and PDF documents",
        ),
        (
            vec![
                format!("1={}", form.display()),
                format!("2={}", empty.display()),
            ],
            "the file is empty",
        ),
        (
            vec![format!("1={}", form.display())],
            "required documents are missing",
        ),
        (
            vec![
                format!("1={}", form.display()),
                format!("2={}", huge.display()),
            ],
            "the file is larger than 20971520 bytes",
        ),
        (
            vec![
                format!("1={}", form.display()),
                format!("2={}", fake_pdf.display()),
            ],
            "only JPEG or PNG pictures and PDF documents",
        ),
        (
            vec![format!("1={}", form.display()), "9=/etc/passwd".to_owned()],
            "no such document",
        ),
        (
            vec![
                format!("1={}", form.display()),
                "2=../../nonexistent.pdf".to_owned(),
            ],
            "No such file",
        ),
    ];
    for (documents, expected) in cases {
        let out = run(args(&good, &documents)).await;
        assert!(!out.status.success(), "{documents:?}");
        assert!(
            stderr(&out).contains(expected),
            "{documents:?}: {}",
            stderr(&out)
        );
    }
    // A procedure that cannot be submitted online.
    let out = setup
        .kiosk(
            &[
                "submit",
                "--procedure",
                "1.004746",
                "--applicant",
                good.to_str().unwrap(),
            ],
            None,
        )
        .await;
    assert!(
        stderr(&out).contains("cannot be submitted online"),
        "{}",
        stderr(&out)
    );
    assert!(setup.outbox().is_empty());
    assert_eq!(setup.dossier_count(), 0);
    setup.assert_no_personal_data_left();
    server.stop().await;
}
