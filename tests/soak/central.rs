//! The central server as its own process (the real `motcua-central serve` binary), so the soak
//! can kill it (`SIGKILL`, as a power cut or the OOM killer would) or stop it gracefully
//! (`SIGINT`, which `serve` stops gracefully on, as on SIGTERM), and start it again on the same data directory.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a graceful stop may take before the server is killed after all: requests in flight
/// finish first, and a stalled upload holds one until the server's body timeout.
const GRACEFUL_LIMIT: Duration = Duration::from_secs(10);

pub struct CentralProcess {
    binary: PathBuf,
    data_dir: PathBuf,
    config_file: PathBuf,
    log_file: PathBuf,
    child: Option<Child>,
    pub addr: Option<SocketAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Kill,
    Graceful,
}

impl CentralProcess {
    /// Builds (or finds up to date) the `motcua-central` binary of this workspace, in the same
    /// profile as this test, and starts it on `data_dir`.
    pub fn start(data_dir: &Path, config_text: &str) -> Self {
        let config_file = data_dir.join("central.toml");
        std::fs::write(&config_file, config_text).expect("write the server's configuration");
        let mut process = CentralProcess {
            binary: central_binary(),
            data_dir: data_dir.to_owned(),
            config_file,
            log_file: data_dir.join("central.log"),
            child: None,
            addr: None,
        };
        process.spawn();
        process
    }

    /// Starts the binary and waits for its "listening on" line.
    pub fn spawn(&mut self) {
        assert!(self.child.is_none(), "the server is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_file)
            .expect("the server's log file");
        let mut child = Command::new(&self.binary)
            .arg("--config")
            .arg(&self.config_file)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start motcua-central");
        let stdout = child.stdout.take().expect("the server's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // The reader drains stdout for the process's whole life, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on http://") {
                    let _ = tx.send(url.parse::<SocketAddr>());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("motcua-central did not start; see {:?}", self.log_file))
            .expect("the address motcua-central prints");
        self.child = Some(child);
        self.addr = Some(addr);
    }

    /// Stops the server; `true` when a graceful stop had to end in a kill.
    pub fn stop(&mut self, how: Stop) -> bool {
        self.addr = None;
        let Some(mut child) = self.child.take() else {
            return false;
        };
        let mut forced = false;
        match how {
            Stop::Kill => {
                let _ = child.kill();
            }
            Stop::Graceful => {
                // SIGINT, as Ctrl-C sends (`serve` stops gracefully on it and on SIGTERM). The
                // shell's own `kill`, so no extra package is needed.
                let _ = Command::new("sh")
                    .args(["-c", &format!("kill -INT {}", child.id())])
                    .status();
                let deadline = Instant::now() + GRACEFUL_LIMIT;
                while child.try_wait().ok().flatten().is_none() {
                    if Instant::now() > deadline {
                        let _ = child.kill();
                        forced = true;
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        let _ = child.wait();
        forced
    }

    pub fn log_file(&self) -> &Path {
        &self.log_file
    }
}

impl Drop for CentralProcess {
    fn drop(&mut self) {
        self.stop(Stop::Kill);
    }
}

/// `target/<profile>/motcua-central`. A root-package test cannot name another package's binary
/// with `CARGO_BIN_EXE_…`. Under `cargo test --workspace` (CI) the binary is already built, for
/// central's own tests, and is used as it is when it is newer than every source it is made of;
/// otherwise cargo builds it (a `-p motcua-central` build resolves features on its own, so it
/// would rebuild part of the server even when the workspace build is current).
fn central_binary() -> PathBuf {
    // This test runs from target/<profile>/deps/soak-<hash>.
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let binary = profile_dir.join("motcua-central");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = [
        root.join("central"),
        root.join("protocol"),
        root.join("Cargo.lock"),
    ];
    let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok();
    let current = built.is_some_and(|built| sources.iter().all(|s| !newer_than(s, built)));
    if !current {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "motcua-central", "--bin", "motcua-central"]);
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        build.current_dir(root);
        let status = build.status().expect("run cargo build for motcua-central");
        assert!(status.success(), "cargo build -p motcua-central failed");
    }
    assert!(binary.exists(), "{binary:?} not built");
    binary
}

/// Whether `path`, or any file under it (build output aside), changed after `time`.
fn newer_than(path: &Path, time: std::time::SystemTime) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.is_file() {
        return meta.modified().is_ok_and(|m| m > time);
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    entries
        .flatten()
        .filter(|e| e.file_name() != "target")
        .any(|e| newer_than(&e.path(), time))
}
