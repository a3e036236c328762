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
    #[error("cannot load the demo dossiers: {0}")]
    Dossiers(String),
}

/// The embedded server, this kiosk's credential with it, and dossier codes to try.
pub struct DemoServer {
    pub server: RunningServer,
    pub credential: String,
    pub samples: Vec<String>,
}

/// The address `motcua-central serve --demo` uses, which the demo receipts' QR codes point to;
/// the embedded server takes it when it is free so those receipts work with the demo kiosk too.
const DEMO_RECEIPTS_PORT: u16 = 8080;

/// Starts the embedded server with its data under `data_dir/demo-central`: the demo catalog, the
/// demo dossiers, and a credential for this kiosk. With `on_receipts_port` it listens on
/// 127.0.0.1:8080 when that is free (any free port otherwise). Must run inside a tokio runtime.
pub async fn start_embedded_server(
    data_dir: &Path,
    on_receipts_port: bool,
) -> Result<DemoServer, DemoError> {
    let config = CentralConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.join("demo-central"),
        ..CentralConfig::default()
    };
    let mut store = motcua_central::open_catalog(&config)?;
    import::import_text(&mut store, DEMO_CATALOG)?;
    drop(store);
    let today = motcua_central::today_in_vietnam();
    let mut dossiers = motcua_central::open_dossiers(&config)?;
    motcua_central::status::demo::seed_demo_dossiers(&mut dossiers, today)
        .map_err(|e| DemoError::Dossiers(e.to_string()))?;
    // Seeded on an earlier day, the codes carry that day's date: ask the store, not the calendar.
    let mut showcase = motcua_central::status::demo::seeded_showcase(&dossiers)
        .map_err(|e| DemoError::Dossiers(e.to_string()))?;
    // The four that show the most of the status screen come first.
    const FIRST: [&str; 4] = [
        "supplement-requested",
        "resolved-early",
        "overdue",
        "accepted",
    ];
    showcase.sort_by_key(|d| {
        FIRST
            .iter()
            .position(|slug| *slug == d.slug)
            .unwrap_or(FIRST.len())
    });
    let samples = showcase.into_iter().map(|d| d.code.to_string()).collect();
    drop(dossiers);
    let credential = motcua_central::issue_kiosk_credential(&config, "demo-kiosk")?;
    let mut preferred = config.clone();
    preferred.listen = std::net::SocketAddr::from(([127, 0, 0, 1], DEMO_RECEIPTS_PORT));
    let server = match on_receipts_port {
        true => match motcua_central::start(preferred).await {
            Ok(server) => server,
            Err(_) => motcua_central::start(config).await?,
        },
        false => motcua_central::start(config).await?,
    };
    Ok(DemoServer {
        server,
        credential,
        samples,
    })
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
        let demo = start_embedded_server(data_dir, false).await?;
        let client = SyncClient::new(&demo.server.base_url())?;
        let result = sync_once(&client, &storage).await;
        demo.server.stop().await;
        result?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(storage)
}
