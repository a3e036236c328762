//! Demo mode: with no server configured the kiosk starts a central server of its own on loopback,
//! loaded with the demo catalog, and syncs from it over HTTP exactly as from a remote one.

use std::path::Path;

use motcua_central::catalog::import;
use motcua_central::{CentralConfig, DEMO_CATALOG, RunningServer};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot start the embedded demo server: {0}")]
    Server(#[from] motcua_central::ServerError),
    #[error("cannot load the demo catalog: {0}")]
    Catalog(#[from] import::ImportError),
}

/// Starts the embedded server with its data under `data_dir/demo-central`. Must run inside a
/// tokio runtime.
pub async fn start_embedded_server(data_dir: &Path) -> Result<RunningServer, DemoError> {
    let config = CentralConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.join("demo-central"),
        public_url: None,
    };
    let mut store = motcua_central::open_catalog(&config)?;
    import::import_text(&mut store, DEMO_CATALOG)?;
    drop(store);
    Ok(motcua_central::start(config).await?)
}

/// A kiosk database under `data_dir` holding the demo catalog, synced over real HTTP from an
/// embedded server that is stopped afterwards. For screenshots, UI tests and benchmarks.
pub fn synced_demo_storage(data_dir: &Path) -> anyhow::Result<crate::storage::StorageHandle> {
    use crate::catalog::{SyncClient, sync_once};
    use crate::storage::StorageHandle;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let storage = StorageHandle::open_file(data_dir.join("kiosk.db"))?;
    runtime.block_on(async {
        let server = start_embedded_server(data_dir).await?;
        let client = SyncClient::new(&server.base_url())?;
        let result = sync_once(&client, &storage).await;
        server.stop().await;
        result?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(storage)
}
