use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpSocket};
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
        full_downloads: Arc::default(),
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
    let listener = listen(config.listen).map_err(|source| ServerError::Bind {
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
    let header_read_timeout = state.config.header_read_timeout();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app(state), header_read_timeout, rx));
    tracing::info!(%addr, "central server listening");
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
        purger,
    })
}

/// Connections the kernel completes and queues for us while we are busy: a burst beyond this is
/// not refused, but the client waits a second or more to try again. `TcpListener::bind` queues
/// 128, the standard library's default.
const LISTEN_BACKLOG: u32 = 1024;

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves `router` over HTTP/1.1 until `shutdown` fires, then lets the connections finish.
///
/// Our own loop rather than `axum::serve`, which sets no timer: hyper's header read timeout only
/// works with one, and without it a client that never finishes its headers (slow-loris), or a
/// connection that never sends anything, holds a socket and a task for ever.
async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    mut shutdown: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // What `into_make_service_with_connect_info` did: the rate limits key on the peer.
            request.extensions_mut().insert(ConnectInfo(peer));
            tower_service::Service::call(&mut router.clone(), request)
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A failed `accept`: a connection that was reset before we took it is nothing; anything else
/// (no file descriptors left, no memory) is logged, and we wait a little instead of spinning:
/// the connections waiting in the backlog are taken once descriptors are free again.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "cannot accept a connection; trying again in 0.5 s");
    tokio::time::sleep(Duration::from_millis(500)).await;
}
