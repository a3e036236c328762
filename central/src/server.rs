use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::catalog::CatalogStore;
use crate::config::CentralConfig;
use crate::db::{self, DbError};
use crate::http::{AppState, app};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub fn open_catalog(config: &CentralConfig) -> Result<CatalogStore, ServerError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServerError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    Ok(CatalogStore::new(db::open(&config.database_path())?))
}

/// A server running on the current tokio runtime. Dropping it does not stop it; call `stop`.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
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
        let _ = self.task.await;
    }
}

/// Opens the data directory and starts serving. `config.listen` may use port 0; the real address
/// is in the returned handle.
pub async fn start(config: CentralConfig) -> Result<RunningServer, ServerError> {
    let catalog = open_catalog(&config)?;
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
    let state = AppState {
        catalog: Arc::new(Mutex::new(catalog)),
        config: Arc::new(config),
    };
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app(state))
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
    })
}
