//! Sync benchmark: full sync of a generated catalog from the real central server over loopback
//! (seconds, bytes on the wire), then an incremental sync after 10 changes.
//!
//! Run: `cargo bench --bench sync` (env COUNT=10000, ROUNDS=3).

use std::time::Instant;

use motcua_central::CentralConfig;
use motcua_central::catalog::import::import_text;
use motcua_kiosk::catalog::{SyncClient, sync_once};
use motcua_kiosk::storage::StorageHandle;
use reqwest::header::{ACCEPT_ENCODING, IF_NONE_MATCH};

/// Bytes of the compressed response body as it crosses the wire (the client does not decode it).
async fn wire_bytes(base: &str, since: Option<&str>, encoding: &str) -> usize {
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let mut request = client
        .get(format!("{base}/api/v1/catalog"))
        .header(ACCEPT_ENCODING, encoding);
    if let Some(since) = since {
        request = request.query(&[("since", since)]);
    }
    request.send().await.unwrap().bytes().await.unwrap().len()
}

fn median(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let count: usize = std::env::var("COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000);
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3);
    let server_dir = tempfile::tempdir().unwrap();
    let config = CentralConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: server_dir.path().to_owned(),
        ..CentralConfig::default()
    };
    let mut catalog = motcua_central::catalog::generate::generate(count, 1);
    let mut store = motcua_central::open_catalog(&config).unwrap();
    import_text(&mut store, &serde_json::to_string(&catalog).unwrap()).unwrap();
    let server = motcua_central::start(config.clone()).await.unwrap();
    let base = server.base_url();
    let client = SyncClient::new(&base).unwrap();

    let mut full_secs = Vec::new();
    let mut decoded = 0;
    let mut cursor = None;
    let mut storage_keep = None;
    for _ in 0..rounds {
        let kiosk_dir = tempfile::tempdir().unwrap();
        let storage = StorageHandle::open_file(kiosk_dir.path().join("kiosk.db")).unwrap();
        let started = Instant::now();
        let report = sync_once(&client, &storage).await.unwrap();
        full_secs.push(started.elapsed().as_secs_f64());
        decoded = report.bytes;
        cursor = storage
            .call(|s| s.catalog.sync_state().unwrap().cursor)
            .await
            .unwrap();
        storage_keep = Some((storage, kiosk_dir));
    }
    let (storage, _kiosk_dir) = storage_keep.unwrap();
    let full_gzip = wire_bytes(&base, None, "gzip").await;
    let full_br = wire_bytes(&base, None, "br").await;

    for procedure in catalog.procedures.iter_mut().step_by(count / 10).take(10) {
        procedure.processing_time.push_str(" (đã cập nhật)");
    }
    import_text(&mut store, &serde_json::to_string(&catalog).unwrap()).unwrap();
    let incr_gzip = wire_bytes(&base, cursor.as_deref(), "gzip").await;
    let incr_br = wire_bytes(&base, cursor.as_deref(), "br").await;
    let started = Instant::now();
    let report = sync_once(&client, &storage).await.unwrap();
    let incr_secs = started.elapsed().as_secs_f64();
    let applied = report.applied.unwrap();
    assert_eq!((applied.full, applied.upserted), (false, 10));

    // And the 304 when nothing changed.
    let etag_state = storage
        .call(|s| s.catalog.sync_state().unwrap())
        .await
        .unwrap();
    let not_modified = reqwest::Client::new()
        .get(format!("{base}/api/v1/catalog"))
        .query(&[("since", etag_state.cursor.unwrap())])
        .header(IF_NONE_MATCH, etag_state.etag.unwrap())
        .send()
        .await
        .unwrap()
        .status();

    let (m, lo, hi) = median(full_secs);
    println!("catalog: {count} generated procedures, {rounds} rounds");
    println!(
        "full sync: median {m:.2} s (min {lo:.2}, max {hi:.2}); JSON {decoded} bytes; on the wire gzip {full_gzip} bytes, brotli {full_br} bytes"
    );
    println!(
        "incremental sync after 10 changes: {incr_secs:.3} s; JSON {} bytes; on the wire gzip {incr_gzip} bytes ({:.3}% of full), brotli {incr_br} bytes ({:.3}% of full)",
        report.bytes,
        100.0 * incr_gzip as f64 / full_gzip as f64,
        100.0 * incr_br as f64 / full_br as f64
    );
    println!("nothing changed: HTTP {}", not_modified.as_u16());
    server.stop().await;
}
