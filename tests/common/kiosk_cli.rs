//! The real `motcua-kiosk` binary's commands on a data directory of a test's own, enrolled with a
//! real central server: how tests leave a kiosk in a given state (a synced catalog, dossiers whose
//! delivery was cut short) exactly as the kiosk itself would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use motcua_central::CentralConfig;
use motcua_kiosk::operations::Credential;
use serde_json::Value;

/// The visitor of [`KioskCli::submit_killed_at`]: none of this may reach a log or a report.
pub const NAME: &str = "Trần Thị Bích Ngọc";
pub const CITIZEN_ID: &str = "079190004321";
pub const PHONE: &str = "0987654321";

pub struct KioskCli {
    pub dir: tempfile::TempDir,
    /// The visitor's documents and applicant file.
    files: tempfile::TempDir,
    pub base: String,
    /// Everything the kiosk wrote to standard error, for the privacy checks.
    pub logs: String,
}

impl KioskCli {
    /// A fresh data directory holding the credential `config`'s server issued to kiosk `name`.
    pub fn enrolled(base: &str, config: &CentralConfig, name: &str) -> Self {
        let kiosk = Self {
            dir: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
            base: base.to_owned(),
            logs: String::new(),
        };
        enroll(kiosk.dir.path(), base, config, name);
        write_applicant(kiosk.files.path());
        kiosk
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("kiosk.db")
    }

    /// Runs the kiosk with `args`, stopped at the fault point `fault` if there is one.
    pub async fn run(&mut self, args: &[&str], fault: Option<&str>) -> Output {
        let mut command = command(self.dir.path(), &self.base, args, fault);
        let out = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        self.logs.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }

    pub async fn ok(&mut self, args: &[&str]) -> Output {
        let out = self.run(args, None).await;
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    }

    /// A birth registration confirmed on the kiosk, killed at `fault`.
    pub async fn submit_killed_at(&mut self, fault: &str) {
        let form = self.files.path().join("to-khai.jpg");
        std::fs::write(&form, jpeg(3000)).unwrap();
        let certificate = self.files.path().join("giay-chung-sinh.pdf");
        std::fs::write(&certificate, pdf(5000)).unwrap();
        let applicant = self.files.path().join("applicant.json");
        let args = [
            "submit".to_owned(),
            "--procedure".into(),
            "1.001193".into(),
            "--applicant".into(),
            applicant.display().to_string(),
            "--document".into(),
            format!("1={}", form.display()),
            "--document".into(),
            format!("2={}", certificate.display()),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run(&args, Some(fault)).await;
        assert!(!out.status.success(), "killed at {fault}: {}", stderr(&out));
    }

    /// The number of procedures in the local catalog, as `catalog stats` counts them.
    pub async fn procedures(&mut self) -> u64 {
        let out = self.ok(&["catalog", "stats", "--json"]).await;
        let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
        stats["procedures"].as_u64().unwrap()
    }

    /// The local references of the dossiers in the outbox folder, sorted.
    pub fn outbox_references(&self) -> Vec<String> {
        let mut references: Vec<String> = std::fs::read_dir(self.dir.path().join("outbox"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        references.sort();
        references
    }
}

/// Saves in `dir` the credential `config`'s server issues to kiosk `name`, as enrollment does.
pub fn enroll(dir: &Path, base: &str, config: &CentralConfig, name: &str) {
    Credential {
        server_url: base.to_owned(),
        kiosk_name: name.to_owned(),
        credential: motcua_central::issue_kiosk_credential(config, name).unwrap(),
    }
    .save(dir)
    .unwrap();
}

/// Writes the visitor's `applicant.json` (`NAME`, `CITIZEN_ID`, `PHONE`) in `dir`.
pub fn write_applicant(dir: &Path) -> PathBuf {
    let path = dir.join("applicant.json");
    std::fs::write(
        &path,
        serde_json::json!({
            "full_name": NAME,
            "citizen_id": CITIZEN_ID,
            "birth_date": "12/05/1990",
            "phone": PHONE,
            "address": "12 Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh",
        })
        .to_string(),
    )
    .unwrap();
    path
}

/// The kiosk binary on data directory `dir` with server `base`, stopped at the fault point
/// `fault` if there is one, logging at debug level.
pub fn command(dir: &Path, base: &str, args: &[&str], fault: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"));
    command
        .arg("--data-dir")
        .arg(dir)
        .arg("--server")
        .arg(base)
        .args(args)
        .env_remove("MOTCUA_KIOSK_SERVER_URL")
        .env("RUST_LOG", "debug");
    match fault {
        Some(point) => command.env("MOTCUA_FAULT_POINT", point),
        None => command.env_remove("MOTCUA_FAULT_POINT"),
    };
    command
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn jpeg(size: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    bytes.extend((0..size).map(|i| (i * 31 % 251) as u8));
    bytes
}

pub fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..size).map(|i| (i * 7 % 253) as u8));
    bytes
}
