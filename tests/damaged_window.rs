//! The kiosk database damaged under the real kiosk window (issue 9): the real `motcua-kiosk`
//! (its default command, the screen) on a virtual display (Xvfb), configured by a real file to
//! use the real central server, started as systemd starts it (a `NOTIFY_SOCKET` read with the
//! sender's credentials):
//!
//! - started on a damaged database, it comes up (`READY=1`, once), sets the file aside untouched,
//!   downloads the catalog again, sends the dossiers it salvaged exactly once and reports to the
//!   fleet view, without naming the visitor in any log line;
//! - damage met while it runs makes it restart itself at the home screen, in the same process
//!   (systemd with `NotifyAccess=main` hears `READY=1` again from its main process), and that
//!   start replaces the file.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::damaged_db::{DAMAGE_BYTE, Damage, damage_database, damage_under_a_running_kiosk};
use common::display::{Killed, Xvfb, virtual_display};
use common::fleet_view::{add_staff, dossier_count, fleet_errors};
use common::kiosk_cli::{CITIZEN_ID, KioskCli, NAME, PHONE};
use common::notify::{Notice, NotifySocket};
use common::sha256;
use motcua_central::{CentralConfig, DEMO_CATALOG, RunningServer};
use motcua_kiosk::storage::recovery::damaged_folders;
use rusqlite::{Connection, OpenFlags};

/// A debug build on a loaded CI machine: generous, since every wait below polls.
const START_TIMEOUT: Duration = Duration::from_secs(90);
const WAIT: Duration = Duration::from_secs(60);

/// The real central server with the demo catalog and a staff member for its fleet view.
struct Central {
    runtime: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    config: CentralConfig,
    base: String,
    _dir: tempfile::TempDir,
}

impl Central {
    fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let server = runtime.block_on(common::spawn_central(dir.path(), DEMO_CATALOG));
        let config = common::central_config(dir.path());
        add_staff(&config);
        Self {
            base: server.base_url(),
            server: Some(server),
            runtime,
            config,
            _dir: dir,
        }
    }

    /// Kiosk `name`, enrolled and with the demo catalog synced; and how many procedures it has.
    fn synced_kiosk(&self, name: &str) -> (KioskCli, u64) {
        let mut kiosk = KioskCli::enrolled(&self.base, &self.config, name);
        self.runtime.block_on(kiosk.ok(&["sync"]));
        let catalog_size = self.runtime.block_on(kiosk.procedures());
        assert!(catalog_size > 10);
        (kiosk, catalog_size)
    }

    /// The fleet view's recent errors of kiosk `name` once one satisfies `wanted`.
    fn fleet_errors_once(&self, name: &str, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        eventually(&format!("the fleet view shows it for {name}"), || {
            self.runtime
                .block_on(fleet_errors(&self.base, name))
                .filter(|errors| errors.iter().any(|e| wanted(e)))
        })
    }
}

impl Drop for Central {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop());
        }
    }
}

/// The kiosk's window, started with its default command. Field order is drop order: the kiosk
/// goes before its display.
struct Window {
    kiosk: Killed,
    notify: NotifySocket,
    /// Its standard error: the log of every start of the process.
    log: PathBuf,
    _display: Xvfb,
    _dir: tempfile::TempDir,
}

impl Window {
    /// The kiosk screen on `data_dir`, configured (by a file, as installed) for the server at
    /// `base`, with heartbeats and syncs as often as the configuration allows.
    fn start(data_dir: &Path, base: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (display, name) = virtual_display();
        let notify = NotifySocket::bind(&dir.path().join("notify.sock"));
        let config = dir.path().join("kiosk.toml");
        std::fs::write(
            &config,
            format!(
                "server_url = {base:?}\ndata_dir = {data_dir:?}\n\
                 sync_interval_secs = 10\nheartbeat_interval_secs = 10\n"
            ),
        )
        .unwrap();
        let log = dir.path().join("kiosk.log");
        let kiosk = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
            .arg("--config")
            .arg(&config)
            .env("DISPLAY", &name)
            .env("NOTIFY_SOCKET", &notify.path)
            .env("RUST_LOG", "debug")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env_remove("JOURNAL_STREAM")
            .env_remove("MOTCUA_FAULT_POINT")
            .env_remove("MOTCUA_KIOSK_SERVER_URL")
            .env_remove("MOTCUA_KIOSK_DATA_DIR")
            .env_remove("MOTCUA_KIOSK_SERVER_CA_FILE")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self {
            kiosk: Killed(kiosk),
            notify,
            log,
            _display: display,
            _dir: dir,
        }
    }

    /// The next notification, which must be `READY=1` from the process started (not another).
    fn expect_ready(&mut self, what: &str) {
        let notice = self.notify.receive(Instant::now() + START_TIMEOUT);
        self.assert_running(what);
        assert_eq!(
            notice,
            Some(Notice {
                text: "READY=1".into(),
                pid: Some(self.kiosk.0.id()),
            }),
            "{what}: {}",
            self.log_summary()
        );
    }

    /// What explains a start or a restart that did not happen: the warnings, errors, starts and
    /// restarts in the log (a debug log is too long to read whole), and its last lines.
    fn log_summary(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let notable = lines.iter().filter(|l| {
            [
                "WARN",
                "ERROR",
                "panicked",
                "restart",
                "damaged",
                "pinging",
                "demo mode",
            ]
            .iter()
            .any(|word| l.contains(word))
        });
        let last = &lines[lines.len().saturating_sub(30)..];
        let notable: Vec<&str> = notable.copied().collect();
        format!(
            "notable lines:\n{}\nlast lines:\n{}",
            notable.join("\n"),
            last.join("\n")
        )
    }

    fn assert_running(&mut self, what: &str) {
        let exited = self.kiosk.0.try_wait().unwrap();
        assert!(
            exited.is_none(),
            "{what}: exited {exited:?}: {}",
            self.log()
        );
    }

    /// No further notification (a restart would say `READY=1` again) for `quiet`.
    fn assert_no_restart_within(&mut self, quiet: Duration) {
        let notice = self.notify.receive(Instant::now() + quiet);
        assert_eq!(notice, None, "{}", self.log_summary());
        self.assert_running("no restart");
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Polls `check` until it gives a value; panics after [`WAIT`].
fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A query on the kiosk's database from a read-only connection of ours; `None` while it fails
/// (no file yet, not migrated yet). Never creates the file.
fn query<T>(
    db: &Path,
    sql: &str,
    row: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Option<T> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row(sql, [], row).ok()
}

fn procedures(db: &Path) -> Option<u64> {
    query(db, "SELECT count(*) FROM procedures", |r| r.get(0))
}

/// The local references of the outbox entries delivered with a receipt, sorted.
fn delivered(db: &Path) -> Option<Vec<String>> {
    let list = query(
        db,
        "SELECT coalesce(group_concat(local_reference, ' '), '') FROM outbox
         WHERE delivered_at IS NOT NULL AND receipt IS NOT NULL",
        |r| r.get::<_, String>(0),
    )?;
    let mut references: Vec<String> = list.split_whitespace().map(str::to_owned).collect();
    references.sort();
    Some(references)
}

#[test]
fn started_on_a_damaged_database_the_window_comes_up_and_recovers() {
    let central = Central::start();
    let name = "quay-5";
    let (mut kiosk, catalog_size) = central.synced_kiosk(name);
    // Two dossiers waiting in the outbox: the server already has the first (the kiosk died
    // before it could record the receipt), the second never left the kiosk.
    let before = dossier_count(&central.config);
    central.runtime.block_on(async {
        kiosk.submit_killed_at("after_complete").await;
        kiosk.submit_killed_at("after_commit").await;
    });
    assert_eq!(dossier_count(&central.config), before + 1);
    let references = kiosk.outbox_references();
    assert_eq!(references.len(), 2, "{references:?}");
    let db = kiosk.db();
    // A page of the catalog: the outbox still reads, so both dossiers can be salvaged.
    let damaged = damage_database(&db, Damage::PageInTheMiddle);

    let mut window = Window::start(kiosk.dir.path(), &central.base);
    window.expect_ready("started on the damaged database");

    // Set aside as it was found, for forensics, with a report.
    let folders = damaged_folders(kiosk.dir.path());
    assert_eq!(folders.len(), 1, "{folders:?}");
    assert_eq!(
        sha256(&std::fs::read(folders[0].join("kiosk.db")).unwrap()),
        sha256(&damaged)
    );
    let report = std::fs::read_to_string(folders[0].join("report.txt")).unwrap();
    assert!(report.contains("2 recovered, 0 LOST"), "{report}");
    assert!(
        report.contains(&format!(
            "recovered, sent as usual: {}",
            references.join(", ")
        )),
        "{report}"
    );

    // The fresh database gets the whole catalog from the server.
    eventually("the catalog downloaded again", || {
        procedures(&db).filter(|&n| n == catalog_size)
    });
    // Both salvaged dossiers are delivered, and the server holds each once: the one it had
    // already is recognised by its idempotency key, not filed again.
    eventually("both salvaged dossiers delivered", || {
        delivered(&db).filter(|d| *d == references)
    });
    assert_eq!(
        dossier_count(&central.config),
        before + 2,
        "each dossier exactly once"
    );

    // Staff see the report in the central fleet view.
    let folder = folders[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let shown = central.fleet_errors_once(name, |e| {
        e.starts_with("ERROR: kiosk database damaged (") && e.contains(&folder)
    });

    // Still the one start: no crash, no restart.
    window.assert_no_restart_within(Duration::from_secs(1));

    // No log line of any run names the visitor (and the log read is the kiosk's: it has the
    // report).
    let logs = format!("{}{}", kiosk.logs, window.log());
    assert!(logs.contains("kiosk database damaged ("), "{logs}");
    for secret in [NAME, CITIZEN_ID, PHONE] {
        assert!(!logs.contains(secret), "{secret} in the kiosk's log");
        assert!(
            !shown.iter().any(|e| e.contains(secret)),
            "{secret} in the fleet view"
        );
    }
}

#[test]
fn damage_met_while_the_window_runs_restarts_it_at_home_on_a_fresh_database() {
    let central = Central::start();
    let name = "quay-6";
    let (kiosk, catalog_size) = central.synced_kiosk(name);
    let db = kiosk.db();

    let mut window = Window::start(kiosk.dir.path(), &central.base);
    window.expect_ready("the first start");
    // `sync_state` is read by every heartbeat and every sync, each every 10 s.
    let (offset, length) = damage_under_a_running_kiosk(&db, "sync_state");

    // The kiosk meets the damage, marks the file and, idle at the home screen, restarts itself
    // within its 5 s check: the same process says READY=1 again.
    window.expect_ready("the restart after the damage");
    let log = window.log();
    assert!(
        log.contains("the kiosk database is damaged (database disk image is malformed)"),
        "{log}"
    );
    assert!(log.contains("restarting the kiosk"), "{log}");

    // That start set the file aside (the damage still in it) and started a fresh database.
    let folders = damaged_folders(kiosk.dir.path());
    assert_eq!(folders.len(), 1, "{folders:?}");
    let report = std::fs::read_to_string(folders[0].join("report.txt")).unwrap();
    assert!(
        report.starts_with(
            "kiosk database damaged (seen while running: database disk image is malformed)"
        ),
        "{report}"
    );
    let set_aside = std::fs::read(folders[0].join("kiosk.db")).unwrap();
    let page = &set_aside[offset as usize..offset as usize + length];
    assert!(page.iter().all(|&b| b == DAMAGE_BYTE), "kept as found");
    assert!(
        !kiosk.dir.path().join("kiosk.db.damaged").exists(),
        "the mark is dealt with"
    );
    eventually("the catalog downloaded again", || {
        procedures(&db).filter(|&n| n == catalog_size)
    });
    central.fleet_errors_once(name, |e| {
        e.starts_with("ERROR: kiosk database damaged (seen while running")
    });

    // And it keeps running on the fresh database: alive, and no further restart through more
    // than one of its 5 s checks.
    window.assert_no_restart_within(Duration::from_secs(6));
}
