//! Crash points for the crash-safety tests. With `MOTCUA_FAULT_POINT=<name>` in its environment
//! the kiosk kills itself with SIGKILL when it reaches the point of that name — the same as a power
//! cut there, as far as the disk and the server can tell. Without the variable this does nothing.

use std::sync::OnceLock;

pub fn point(name: &str) {
    static POINT: OnceLock<Option<String>> = OnceLock::new();
    let armed = POINT.get_or_init(|| std::env::var("MOTCUA_FAULT_POINT").ok());
    if armed.as_deref() == Some(name) {
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
}
