//! The kiosk's health report to the central server's fleet view (docs/fleet.md), and the remote
//! configuration that comes back with the answer.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_protocol::{Heartbeat, HeartbeatResponse, PrinterState};

use super::KioskHttp;
use super::recent_errors::RecentErrors;
use super::remote_config::{self, RemoteConfigError};
use crate::config::KioskConfig;
use crate::storage::StorageHandle;

#[derive(Debug, thiserror::Error)]
pub enum HeartbeatError {
    #[error("cannot reach the central server: {0}")]
    Unreachable(String),
    #[error("the central server refused this kiosk's credential; enroll the kiosk again")]
    Unauthorized,
    #[error("the central server answered HTTP {0}")]
    Status(u16),
    #[error("the storage worker has stopped")]
    Storage,
}

/// The printer's state as the last print or test found it, shared with whoever prints.
#[derive(Debug, Clone)]
pub struct SharedPrinterState(Arc<Mutex<PrinterState>>);

impl SharedPrinterState {
    pub fn new(initial: PrinterState) -> Self {
        Self(Arc::new(Mutex::new(initial)))
    }

    pub fn set(&self, state: PrinterState) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    pub fn get(&self) -> PrinterState {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What one heartbeat did about remote configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigChange {
    None,
    /// Stored; the kiosk runs it from its next start.
    Accepted {
        version: u64,
    },
    /// Refused; the kiosk keeps what it runs.
    Refused {
        version: u64,
        reason: String,
    },
}

/// Sends heartbeats; remembers which remote configuration the kiosk runs or refused.
pub struct FleetReporter {
    server: KioskHttp,
    started: Instant,
    errors: RecentErrors,
    printer: SharedPrinterState,
    /// The configuration without any remote settings: what a new remote configuration is laid
    /// over.
    local: KioskConfig,
    data_dir: PathBuf,
    config_version: u64,
    refused: Option<(u64, String)>,
}

impl FleetReporter {
    /// `config_version`: the remote configuration version the kiosk started with (0: none).
    pub fn new(
        server_url: &str,
        credential: Option<String>,
        local: KioskConfig,
        config_version: u64,
        errors: RecentErrors,
        printer: SharedPrinterState,
    ) -> Result<Self, HeartbeatError> {
        let http = crate::operations::server::client_builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| HeartbeatError::Unreachable(e.to_string()))?;
        Ok(Self {
            server: KioskHttp::new(http, server_url, credential),
            started: Instant::now(),
            errors,
            printer,
            data_dir: local.data_dir.clone(),
            local,
            config_version,
            refused: None,
        })
    }

    pub fn config_version(&self) -> u64 {
        self.config_version
    }

    /// The report as it would be sent now.
    pub async fn heartbeat(&self, storage: &StorageHandle) -> Result<Heartbeat, HeartbeatError> {
        let now = crate::catalog::store::now_unix();
        let (sync, depth) = storage
            .call(|s| (s.catalog.sync_state().ok(), s.outbox.depth().ok()))
            .await
            .map_err(|_| HeartbeatError::Storage)?;
        let (outbox_depth, oldest) = depth.unwrap_or((0, None));
        let data_dir = self.data_dir.clone();
        let disk_free_bytes = tokio::task::spawn_blocking(move || disk_free(&data_dir))
            .await
            .ok()
            .flatten();
        Ok(Heartbeat {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            uptime_secs: self.started.elapsed().as_secs(),
            catalog_cursor: sync.as_ref().and_then(|s| s.cursor.clone()),
            catalog_synced_at: sync.as_ref().and_then(|s| s.last_success_at),
            outbox_depth,
            outbox_oldest_age_secs: oldest.map(|at| now.saturating_sub(at).max(0) as u64),
            last_errors: self.errors.snapshot(),
            disk_free_bytes,
            printer: self.printer.get(),
            config_version: self.config_version,
            config_error: self.refused.as_ref().map(|(_, reason)| reason.clone()),
        })
    }

    /// Sends one heartbeat and deals with the remote configuration in the answer; returns what
    /// was sent and what became of the configuration. A refused configuration is reported at
    /// once with a second heartbeat, so staff see why without waiting for the next period.
    pub async fn report(
        &mut self,
        storage: &StorageHandle,
    ) -> Result<(Heartbeat, ConfigChange), HeartbeatError> {
        let heartbeat = self.heartbeat(storage).await?;
        let answer = self.send(&heartbeat).await?;
        let change = self.take(answer).await;
        if matches!(change, ConfigChange::Refused { .. }) {
            let follow_up = self.heartbeat(storage).await?;
            self.send(&follow_up).await?;
        }
        Ok((heartbeat, change))
    }

    async fn send(&self, heartbeat: &Heartbeat) -> Result<HeartbeatResponse, HeartbeatError> {
        let response = self
            .server
            .request(reqwest::Method::POST, "/api/v1/kiosks/heartbeat")
            .json(heartbeat)
            .send()
            .await
            .map_err(|e| HeartbeatError::Unreachable(crate::catalog::sync::error_chain(&e)))?;
        match response.status().as_u16() {
            200 => {}
            401 => return Err(HeartbeatError::Unauthorized),
            status => return Err(HeartbeatError::Status(status)),
        }
        response
            .json()
            .await
            .map_err(|e| HeartbeatError::Unreachable(crate::catalog::sync::error_chain(&e)))
    }

    /// Checks and stores the remote configuration a heartbeat's answer carries, if it is new.
    async fn take(&mut self, answer: HeartbeatResponse) -> ConfigChange {
        let Some(remote) = answer.config else {
            return ConfigChange::None;
        };
        if self
            .refused
            .as_ref()
            .is_some_and(|(v, _)| *v == remote.version)
        {
            return ConfigChange::None;
        }
        let local = self.local.clone();
        let checked = remote.clone();
        let outcome = tokio::task::spawn_blocking(move || remote_config::accept(&local, &checked))
            .await
            .unwrap_or_else(|e| {
                Err(RemoteConfigError::Refused {
                    version: remote.version,
                    reason: e.to_string(),
                })
            });
        match outcome {
            Ok(_) => {
                tracing::info!(version = remote.version, "remote configuration accepted");
                self.config_version = remote.version;
                self.refused = None;
                ConfigChange::Accepted {
                    version: remote.version,
                }
            }
            Err(RemoteConfigError::Refused { version, reason }) => {
                tracing::warn!(version, "remote configuration refused: {reason}");
                self.refused = Some((version, reason.clone()));
                ConfigChange::Refused { version, reason }
            }
            Err(e) => {
                tracing::error!("{e}");
                self.refused = Some((remote.version, e.to_string()));
                ConfigChange::Refused {
                    version: remote.version,
                    reason: e.to_string(),
                }
            }
        }
    }
}

fn disk_free(dir: &std::path::Path) -> Option<u64> {
    let stat = nix::sys::statvfs::statvfs(dir).ok()?;
    // The field types differ between platforms (u64 on Linux x86_64, u32 elsewhere).
    #[allow(clippy::useless_conversion)]
    let free = u64::from(stat.blocks_available()).saturating_mul(u64::from(stat.fragment_size()));
    Some(free)
}
