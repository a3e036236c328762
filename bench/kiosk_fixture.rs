//! What the UI benchmarks share: the real central server in-process on loopback, serving a
//! generated catalog (plus the demo catalog, whose procedures the demo dossiers belong to) and the
//! demo dossiers, and a kiosk whose database has synced that catalog over HTTP.

use std::path::Path;

use motcua_central::CentralConfig;
use motcua_central::catalog::import::import_text;
use motcua_kiosk::app::{Kiosk, StaffSettings, SubmissionSettings};
use motcua_kiosk::catalog::{SyncClient, sync_once};
use motcua_kiosk::config::KioskConfig;
use motcua_kiosk::storage::StorageHandle;

pub struct Fixture {
    pub kiosk: Kiosk,
    /// Codes of dossiers the server knows, to look up.
    #[allow(dead_code)] // not every benchmark looks dossiers up
    pub dossiers: Vec<String>,
    pub server: motcua_central::RunningServer,
}

pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The server with `count` generated procedures, and a kiosk in `dir` synced with it.
pub fn start(runtime: &tokio::runtime::Runtime, dir: &Path, count: usize) -> Fixture {
    let config = CentralConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        data_dir: dir.join("central"),
        ..CentralConfig::default()
    };
    let mut catalog = motcua_central::catalog::generate::generate(count, 1);
    let demo = motcua_protocol::parse_catalog(motcua_central::DEMO_CATALOG).expect("demo catalog");
    let generated: std::collections::HashSet<String> = catalog
        .procedures
        .iter()
        .map(|p| p.code.as_str().to_owned())
        .collect();
    catalog.procedures.extend(
        demo.procedures
            .into_iter()
            .filter(|p| !generated.contains(p.code.as_str())),
    );
    let mut store = motcua_central::open_catalog(&config).expect("catalog store");
    import_text(&mut store, &serde_json::to_string(&catalog).expect("JSON")).expect("import");
    drop(store);
    let mut dossiers = motcua_central::open_dossiers(&config).expect("dossier store");
    motcua_central::status::demo::seed_demo_dossiers(
        &mut dossiers,
        motcua_central::today_in_vietnam(),
    )
    .expect("demo dossiers");
    let codes = motcua_central::status::demo::seeded_showcase(&dossiers)
        .expect("showcase dossiers")
        .into_iter()
        .map(|d| d.code.to_string())
        .collect();
    drop(dossiers);
    let credential =
        motcua_central::issue_kiosk_credential(&config, "bench-kiosk").expect("credential");
    let server = runtime
        .block_on(motcua_central::start(config))
        .expect("central server");
    let base = server.base_url();

    let data_dir = dir.join("kiosk");
    std::fs::create_dir_all(&data_dir).expect("kiosk dir");
    let storage = StorageHandle::open_file(data_dir.join("kiosk.db")).expect("kiosk database");
    runtime
        .block_on(sync_once(
            &SyncClient::new(&base).expect("sync client"),
            &storage,
        ))
        .expect("first sync");
    let kiosk = Kiosk {
        storage,
        public_base: base.clone(),
        status_client: motcua_kiosk::status::StatusClient::new(&base, Some(credential))
            .expect("status client"),
        runtime: runtime.handle().clone(),
        scanner_rules: Default::default(),
        samples: Vec::new(),
        submission: SubmissionSettings {
            data_dir: data_dir.clone(),
            kiosk_name: "bench".into(),
            ..Default::default()
        },
        staff: StaffSettings {
            running: KioskConfig {
                data_dir,
                ..KioskConfig::default()
            },
            ..Default::default()
        },
    };
    Fixture {
        kiosk,
        dossiers: codes,
        server,
    }
}
