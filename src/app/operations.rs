//! The kiosk as an appliance: readiness and watchdog pings to systemd from the UI thread (a
//! frozen screen stops them, and systemd restarts the kiosk), heartbeats to the central server,
//! and a restart at the next quiet moment when a new remote configuration was accepted.

use std::os::unix::process::CommandExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sd_notify::NotifyState;
use slint::{ComponentHandle, Timer, TimerMode};

use super::{AppWindow, Nav, Screen};
use crate::operations::{ConfigChange, FleetReporter, HeartbeatError};
use crate::storage::StorageHandle;
use crate::submission::fault;

/// Tells systemd the kiosk is up and, when the unit has `WatchdogSec=`, pings it from the UI
/// thread at half the interval. The returned timer must live as long as the window.
pub fn start_watchdog() -> Option<Timer> {
    if let Err(e) = sd_notify::notify(false, &[NotifyState::Ready]) {
        tracing::warn!("cannot tell systemd the kiosk is ready: {e}");
    }
    let period = watchdog_period(
        std::env::var("WATCHDOG_USEC").ok().as_deref(),
        std::env::var("WATCHDOG_PID").ok().as_deref(),
    )?;
    tracing::info!(?period, "pinging the systemd watchdog from the UI thread");
    let timer = Timer::default();
    timer.start(TimerMode::Repeated, period, || {
        // A test stands for a frozen screen here: the UI thread stops, and so do the pings.
        fault::freeze("ui_watchdog_tick");
        if let Err(e) = sd_notify::notify(false, &[NotifyState::Watchdog]) {
            tracing::warn!("cannot ping the systemd watchdog: {e}");
        }
    });
    Some(timer)
}

/// Half the watchdog interval systemd gave (`WATCHDOG_USEC`), if the watchdog is meant for this
/// process. Under `cage` the unit's main process is the compositor and the kiosk its child
/// (`NotifyAccess=all`), so `WATCHDOG_PID` may name the parent; `sd_notify::watchdog_enabled`
/// would refuse that.
fn watchdog_period(usec: Option<&str>, pid: Option<&str>) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|&u| u > 0)?;
    if let Some(pid) = pid {
        let pid: u32 = pid.trim().parse().ok()?;
        if pid != std::process::id() && pid != std::os::unix::process::parent_id() {
            return None;
        }
    }
    Some(Duration::from_micros(usec / 2))
}

/// Set when the kiosk should restart (a new remote configuration, or staff asked).
#[derive(Debug, Clone, Default)]
pub struct RestartRequest(Arc<AtomicBool>);

impl RestartRequest {
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Set while the central server refuses this kiosk's credential (revoked, or the server was
/// reset): staff mode says so, since visitors only see that lookups come from the cache.
#[derive(Debug, Clone, Default)]
pub struct CredentialRefused(Arc<AtomicBool>);

impl CredentialRefused {
    pub fn set(&self, refused: bool) {
        self.0.store(refused, Ordering::SeqCst);
    }

    pub fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Restarts the kiosk once `request` is set (or the database was found damaged) and no visitor is
/// using it (the home screen). The returned timer must live as long as the window.
pub fn restart_when_idle(ui: &AppWindow, request: RestartRequest) -> Timer {
    let timer = Timer::default();
    let weak = ui.as_weak();
    timer.start(TimerMode::Repeated, Duration::from_secs(5), move || {
        let Some(ui) = weak.upgrade() else { return };
        // A database found damaged while running is replaced by the next start.
        let wanted = request.is_requested() || crate::storage::damage_seen();
        if wanted && ui.global::<Nav>().get_screen() == Screen::Home {
            restart_now();
        }
    });
    timer
}

/// Replaces this process with a fresh start of the same program and arguments. Under systemd
/// the service stays the same process; elsewhere the window simply comes back.
pub fn restart_now() {
    tracing::info!("restarting the kiosk");
    let Ok(program) = std::env::current_exe() else {
        tracing::error!("cannot find the kiosk's own program to restart it");
        return;
    };
    let error = std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .exec();
    tracing::error!("cannot restart the kiosk: {error}");
}

/// Sends a heartbeat every `interval`; a remote configuration accepted on the way asks for a
/// restart so the kiosk runs it; `refused` follows whether the server takes the credential.
pub async fn heartbeat_loop(
    mut reporter: FleetReporter,
    storage: StorageHandle,
    interval: Duration,
    restart: RestartRequest,
    refused: CredentialRefused,
) {
    loop {
        match reporter.report(&storage).await {
            Ok((_, change)) => {
                refused.set(false);
                if let ConfigChange::Accepted { version } = change {
                    tracing::info!(version, "restarting at the next quiet moment to run it");
                    restart.request();
                }
            }
            Err(HeartbeatError::Unauthorized) => {
                refused.set(true);
                tracing::error!("heartbeat refused: {}", HeartbeatError::Unauthorized);
            }
            Err(e) => tracing::debug!("heartbeat not sent: {e}"),
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_is_ours_or_our_compositors() {
        let me = std::process::id().to_string();
        let parent = std::os::unix::process::parent_id().to_string();
        assert_eq!(watchdog_period(None, None), None);
        assert_eq!(watchdog_period(Some("0"), None), None);
        assert_eq!(
            watchdog_period(Some("30000000"), None),
            Some(Duration::from_secs(15))
        );
        assert_eq!(
            watchdog_period(Some("30000000"), Some(&me)),
            Some(Duration::from_secs(15))
        );
        assert_eq!(
            watchdog_period(Some("30000000"), Some(&parent)),
            Some(Duration::from_secs(15))
        );
        assert_eq!(
            watchdog_period(Some("30000000"), Some("999999999")),
            None,
            "someone else's"
        );
    }
}
