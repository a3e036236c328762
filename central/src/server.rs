use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::catalog::CatalogStore;
use crate::config::CentralConfig;
use crate::db::{self, DbError};
use crate::feedback::{FeedbackStore, KioskLimiter};
use crate::http::{AppState, ClientLimiter, app};
use crate::operations::{OperationsError, OperationsStore, StaffGuard};
use crate::status::{DossierStore, StatusError};
use crate::submission::{FileStore, PhoneUploadStore, SubmissionStore, UploadLocks};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error(transparent)]
    Operations(#[from] OperationsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

fn open_database(config: &CentralConfig) -> Result<rusqlite::Connection, ServerError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServerError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    Ok(db::open(&config.database_path())?)
}

pub fn open_catalog(config: &CentralConfig) -> Result<CatalogStore, ServerError> {
    Ok(CatalogStore::new(open_database(config)?))
}

pub fn open_dossiers(config: &CentralConfig) -> Result<DossierStore, ServerError> {
    Ok(DossierStore::new(open_database(config)?))
}

pub fn open_operations(config: &CentralConfig) -> Result<OperationsStore, ServerError> {
    Ok(OperationsStore::new(open_database(config)?))
}

pub fn open_feedback(config: &CentralConfig) -> Result<FeedbackStore, ServerError> {
    Ok(FeedbackStore::new(open_database(config)?))
}

/// Adds a kiosk named `name` and enrolls it at once, returning its bearer credential; for a kiosk
/// that exists, replaces its credential. For the kiosk's demo mode and tests.
pub fn issue_kiosk_credential(config: &CentralConfig, name: &str) -> Result<String, ServerError> {
    Ok(open_operations(config)?.issue_kiosk_credential(name, time::OffsetDateTime::now_utc())?)
}

/// Adds an integration client named `name` (or replaces its token) and returns its bearer token.
pub fn issue_integration_token(config: &CentralConfig, name: &str) -> Result<String, ServerError> {
    Ok(open_operations(config)?.issue_integration_token(name, time::OffsetDateTime::now_utc())?)
}

/// Everything the router needs, opened from the data directory.
pub fn app_state(config: CentralConfig) -> Result<AppState, ServerError> {
    Ok(AppState {
        catalog: Arc::new(Mutex::new(open_catalog(&config)?)),
        dossiers: Arc::new(Mutex::new(open_dossiers(&config)?)),
        operations: Arc::new(Mutex::new(open_operations(&config)?)),
        status_limiter: Arc::new(ClientLimiter::new(&config)),
        staff_guard: Arc::new(StaffGuard::new(&config)),
        submissions: Arc::new(Mutex::new(SubmissionStore::new(open_database(&config)?))),
        phone_uploads: Arc::new(Mutex::new(PhoneUploadStore::new(open_database(&config)?))),
        upload_locks: Arc::new(UploadLocks::default()),
        files: Arc::new(FileStore::new(&config.data_dir)),
        feedback: Arc::new(Mutex::new(open_feedback(&config)?)),
        feedback_limiter: Arc::new(KioskLimiter::new(&config)),
        config: Arc::new(config),
    })
}

/// A server running on the current tokio runtime. Dropping it does not stop it; call `stop`.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    purger: JoinHandle<()>,
}

impl RunningServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets requests in flight finish, and waits.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.purger.abort();
        let _ = self.task.await;
    }
}

/// Opens the data directory and starts serving. `config.listen` may use port 0; the real address
/// is in the returned handle (and, unless `public_url` is set, in the status links it hands out).
pub async fn start(config: CentralConfig) -> Result<RunningServer, ServerError> {
    // Open (and migrate) the database before taking the port, so a bad database fails fast.
    drop(open_catalog(&config)?);
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: config.listen,
        source,
    })?;
    let mut config = config;
    config.listen = addr;
    let state = app_state(config)?;
    let purger = crate::submission::purge::spawn_purger(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await
    });
    tracing::info!(%addr, "central server listening");
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
        purger,
    })
}
