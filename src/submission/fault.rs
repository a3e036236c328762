//! Crash points for the crash-safety tests. With `MOTCUA_FAULT_POINT=<name>` in its environment
//! the kiosk kills itself with SIGKILL when it reaches the point of that name — the same as a power
//! cut there, as far as the disk and the server can tell ([`freeze`] hangs instead). Without the
//! variable this does nothing.

use std::sync::OnceLock;

fn armed(name: &str) -> bool {
    static POINT: OnceLock<Option<String>> = OnceLock::new();
    let armed = POINT.get_or_init(|| std::env::var("MOTCUA_FAULT_POINT").ok());
    armed.as_deref() == Some(name)
}

pub fn point(name: &str) {
    if armed(name) {
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
}

/// A hang instead of a crash: with `MOTCUA_FAULT_POINT=<name>` the calling thread stops for good
/// after passing the point `MOTCUA_FAULT_AFTER` times (default 0).
pub fn freeze(name: &str) {
    static PASSED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if !armed(name) {
        return;
    }
    let after: u64 = std::env::var("MOTCUA_FAULT_AFTER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if PASSED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= after {
        tracing::warn!("fault point {name}: this thread stops here");
        loop {
            std::thread::park();
        }
    }
}
