//! The kiosk under systemd's watchdog: started as systemd starts a `Type=notify` unit with
//! `WatchdogSec=` (a `NOTIFY_SOCKET` to write to, `WATCHDOG_USEC`), on a virtual display (Xvfb,
//! installed by `scripts/test`), the real release of readiness and the pings are read from the
//! socket. The pings come from the UI thread: when it freezes (a fault point stops it after ten
//! pings), they stop, which is what makes systemd restart a frozen kiosk and not only a crashed
//! one.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::display::{Killed, virtual_display};
use common::notify::NotifySocket;

fn receive(socket: &NotifySocket, deadline: Instant) -> Option<String> {
    socket.receive(deadline).map(|notice| notice.text)
}

#[test]
fn ready_then_watchdog_pings_from_the_ui_thread_until_it_freezes() {
    const PINGS_BEFORE_FREEZE: usize = 10;
    let dir = tempfile::tempdir().unwrap();
    let (_xvfb, display) = virtual_display();
    let socket_path = dir.path().join("notify.sock");
    let socket = NotifySocket::bind(&socket_path);
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "").unwrap();

    let kiosk = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("MOTCUA_KIOSK_SERVER_URL")
        .env("NOTIFY_SOCKET", &socket_path)
        // A ping every 0.2 s.
        .env("WATCHDOG_USEC", "400000")
        .env("MOTCUA_FAULT_POINT", "ui_watchdog_tick")
        .env("MOTCUA_FAULT_AFTER", PINGS_BEFORE_FREEZE.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut kiosk = Killed(kiosk);

    // Demo mode starts an embedded server and syncs first: give a debug build time.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut messages = Vec::new();
    while let Some(message) = receive(&socket, deadline) {
        let done = message.contains("WATCHDOG=1")
            && messages
                .iter()
                .filter(|m: &&String| m.contains("WATCHDOG=1"))
                .count()
                + 1
                == PINGS_BEFORE_FREEZE;
        messages.push(message);
        if done {
            break;
        }
    }
    assert_eq!(
        messages.first().map(String::as_str),
        Some("READY=1"),
        "readiness first: {messages:?}"
    );
    let pings = messages.iter().filter(|m| *m == "WATCHDOG=1").count();
    assert_eq!(pings, PINGS_BEFORE_FREEZE, "{messages:?}");

    // The UI thread is frozen now: no more pings for many periods, though the process lives on.
    let quiet = receive(&socket, Instant::now() + Duration::from_secs(2));
    assert_eq!(quiet, None, "a frozen UI must not ping the watchdog");
    assert!(
        kiosk.0.try_wait().unwrap().is_none(),
        "the kiosk process is still running: only its screen froze"
    );
}
