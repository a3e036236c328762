//! Sync and catalog scale benchmark: for each catalog size, the real central server on loopback
//! serving a generated catalog, and a kiosk syncing it into a fresh SQLite file: full sync
//! (seconds, bytes on the wire), incremental sync after 10 changes, `304` when nothing changed,
//! the search index build and per-keystroke search over the synced catalog. With several sizes
//! it also prints how each cost grows (issue 8, figure 5).
//!
//! Run: `cargo bench --bench sync` (env COUNTS=10000 — a comma-separated list, e.g.
//! `COUNTS=1000,10000,100000` — and ROUNDS=3). Prints `RESULT {json}` per size.

use std::time::Instant;

use motcua_central::CentralConfig;
use motcua_central::catalog::import::import_text;
use motcua_kiosk::catalog::{SearchIndex, SyncClient, sync_once};
use motcua_kiosk::storage::StorageHandle;
use reqwest::header::{ACCEPT_ENCODING, IF_NONE_MATCH};

#[path = "queries.rs"]
mod queries;
use queries::{keystrokes, percentile};

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

#[derive(Clone, Copy)]
struct Scale {
    count: usize,
    full_sync_s: f64,
    incremental_sync_s: f64,
    incremental_gzip_bytes: usize,
    index_build_ms: f64,
    search_p50_ms: f64,
    search_p99_ms: f64,
    database_bytes: u64,
}

async fn measure(count: usize, rounds: usize) -> Scale {
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
    let (storage, kiosk_dir) = storage_keep.unwrap();
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

    // The index and the search over what the kiosk stored, as the kiosk does at start-up.
    let (index_build_ms, mut samples) = storage
        .call(move |s| {
            let procedures = s.catalog.all().unwrap();
            let started = Instant::now();
            let index = SearchIndex::build(&procedures);
            let build_ms = started.elapsed().as_secs_f64() * 1000.0;
            let mut samples = Vec::new();
            for _ in 0..3 {
                for prefix in keystrokes() {
                    let started = Instant::now();
                    std::hint::black_box(index.search(&prefix, 50));
                    samples.push(started.elapsed().as_secs_f64() * 1000.0);
                }
            }
            (build_ms, samples)
        })
        .await
        .unwrap();
    samples.sort_by(f64::total_cmp);
    // The database file and its write-ahead log, which holds recent writes until a checkpoint.
    let database_bytes = ["kiosk.db", "kiosk.db-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(kiosk_dir.path().join(name)).ok())
        .map(|m| m.len())
        .sum::<u64>();

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
    let scale = Scale {
        count,
        full_sync_s: m,
        incremental_sync_s: incr_secs,
        incremental_gzip_bytes: incr_gzip,
        index_build_ms,
        search_p50_ms: percentile(&samples, 0.5),
        search_p99_ms: percentile(&samples, 0.99),
        database_bytes,
    };
    println!(
        "index build {:.0} ms; search per keystroke p50 {:.2} ms, p99 {:.2} ms; kiosk database {} bytes",
        scale.index_build_ms, scale.search_p50_ms, scale.search_p99_ms, scale.database_bytes
    );
    println!(
        "RESULT {}",
        serde_json::json!({
            "bench": "sync", "count": count, "full_sync_s": m, "full_sync_min_s": lo,
            "full_sync_max_s": hi, "full_json_bytes": decoded, "full_gzip_bytes": full_gzip,
            "full_br_bytes": full_br, "incremental_sync_s": incr_secs,
            "incremental_gzip_bytes": incr_gzip, "incremental_br_bytes": incr_br,
            "not_modified_status": not_modified.as_u16(), "index_build_ms": index_build_ms,
            "search_p50_ms": scale.search_p50_ms, "search_p99_ms": scale.search_p99_ms,
            "database_bytes": database_bytes,
        })
    );
    server.stop().await;
    scale
}

/// How a cost grows with the catalog: the exponent k of cost ∝ count^k between two sizes.
fn growth(small: f64, large: f64, ratio: f64) -> String {
    let k = (large / small).ln() / ratio.ln();
    let kind = if k < 0.2 {
        "flat"
    } else if k < 0.75 {
        "sub-linear"
    } else if k < 1.25 {
        "linear"
    } else {
        "super-linear"
    };
    format!("×{:.1} (k = {k:.2}, {kind})", large / small)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let counts: Vec<usize> = std::env::var("COUNTS")
        .or_else(|_| std::env::var("COUNT"))
        .unwrap_or_else(|_| "10000".into())
        .split(',')
        .filter_map(|c| c.trim().replace('_', "").parse().ok())
        .collect();
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3);
    let mut scales = Vec::new();
    for count in counts {
        scales.push(measure(count, rounds).await);
    }
    for pair in scales.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let ratio = b.count as f64 / a.count as f64;
        println!("from {} to {} procedures:", a.count, b.count);
        for (what, x, y) in [
            ("full sync", a.full_sync_s, b.full_sync_s),
            (
                "incremental sync",
                a.incremental_sync_s,
                b.incremental_sync_s,
            ),
            (
                "incremental sync bytes",
                a.incremental_gzip_bytes as f64,
                b.incremental_gzip_bytes as f64,
            ),
            ("index build", a.index_build_ms, b.index_build_ms),
            ("search p50", a.search_p50_ms, b.search_p50_ms),
            ("search p99", a.search_p99_ms, b.search_p99_ms),
            (
                "kiosk database",
                a.database_bytes as f64,
                b.database_bytes as f64,
            ),
        ] {
            println!("  {what:24} {}", growth(x, y, ratio));
        }
    }
}
