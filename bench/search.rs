//! Search benchmark: per-keystroke latency typing realistic queries letter by letter over a
//! generated catalog, ours against SQLite FTS5 (`unicode61 remove_diacritics 2`) over the same data
//! and keystrokes, plus how many quality-table queries each puts first.
//!
//! Run: `cargo bench --bench search` (env COUNT=10000, ROUNDS=5).

use std::time::Instant;

use motcua_kiosk::catalog::SearchIndex;
use motcua_protocol::Procedure;
use rusqlite::Connection;
use serde::Deserialize;

#[path = "queries.rs"]
mod queries;
use queries::{keystrokes, percentile};

#[derive(Deserialize)]
struct QualityCase {
    query: String,
    expect: String,
}

fn fts5(procedures: &[Procedure]) -> Connection {
    let conn = Connection::open_in_memory().expect("in-memory SQLite");
    conn.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(code UNINDEXED, name, keywords, result, field,
             tokenize = 'unicode61 remove_diacritics 2');",
    )
    .expect("FTS5 is compiled into the bundled SQLite");
    let mut insert = conn
        .prepare(
            "INSERT INTO fts (code, name, keywords, result, field) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .unwrap();
    for p in procedures {
        insert
            .execute((
                p.code.as_str(),
                &p.name,
                p.keywords.join(" | "),
                &p.result,
                &p.field,
            ))
            .unwrap();
    }
    drop(insert);
    conn
}

/// The usual way to drive FTS5 from a search box: every word a prefix, all required, bm25 with the
/// name weighted highest.
fn fts5_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn fts5_search(conn: &Connection, text: &str, limit: usize) -> Vec<String> {
    let Some(query) = fts5_query(text) else {
        return Vec::new();
    };
    let mut stmt = conn
        .prepare_cached("SELECT code FROM fts WHERE fts MATCH ?1 ORDER BY bm25(fts, 0, 10.0, 6.0, 3.0, 2.5) LIMIT ?2")
        .unwrap();
    let rows = stmt.query_map((query, limit as i64), |r| r.get::<_, String>(0));
    match rows {
        Ok(rows) => rows.filter_map(Result::ok).collect(),
        Err(_) => Vec::new(),
    }
}

fn measure(rounds: usize, mut run: impl FnMut(&str)) -> (f64, f64, f64) {
    let typed = keystrokes();
    let mut samples = Vec::with_capacity(typed.len() * rounds);
    for _ in 0..rounds {
        for prefix in &typed {
            let start = Instant::now();
            run(prefix);
            samples.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    samples.sort_by(f64::total_cmp);
    (
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples[samples.len() - 1],
    )
}

fn main() {
    let count: usize = std::env::var("COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000);
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(5);
    let catalog = motcua_central::catalog::generate::generate(count, 1);
    let started = Instant::now();
    let index = SearchIndex::build(&catalog.procedures);
    let build_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let conn = fts5(&catalog.procedures);
    let fts_build_ms = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "catalog: {count} generated procedures; {} keystrokes x {rounds} rounds",
        keystrokes().len()
    );
    println!("index build: ours {build_ms:.0} ms, FTS5 {fts_build_ms:.0} ms");

    let ours = measure(rounds, |q| {
        std::hint::black_box(index.search(q, 50));
    });
    let theirs = measure(rounds, |q| {
        std::hint::black_box(fts5_search(&conn, q, 50));
    });
    if std::env::var("PROBE").is_ok() {
        // The slowest keystrokes, to see where the tail comes from.
        let mut timed: Vec<(f64, String)> = keystrokes()
            .into_iter()
            .map(|q| {
                let t = Instant::now();
                std::hint::black_box(index.search(&q, 50));
                (t.elapsed().as_secs_f64() * 1000.0, q)
            })
            .collect();
        timed.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, q) in timed.iter().take(12) {
            println!("slowest: {q:>28} {ms:7.3} ms");
        }
    }
    println!("per keystroke (ms)   p50      p99      max");
    println!(
        "motcua search      {:7.3}  {:7.3}  {:7.3}",
        ours.0, ours.1, ours.2
    );
    println!(
        "SQLite FTS5        {:7.3}  {:7.3}  {:7.3}",
        theirs.0, theirs.1, theirs.2
    );

    // Quality over the demo catalog, the table the tests use.
    let demo = motcua_protocol::parse_catalog(motcua_central::DEMO_CATALOG).expect("demo catalog");
    let cases: Vec<QualityCase> =
        serde_json::from_str(include_str!("../tests/data/search-quality.json"))
            .expect("quality table");
    let demo_index = SearchIndex::build(&demo.procedures);
    let demo_fts = fts5(&demo.procedures);
    let ours_first = cases
        .iter()
        .filter(|c| {
            demo_index
                .search(&c.query, 1)
                .first()
                .is_some_and(|h| h.code == c.expect)
        })
        .count();
    let fts_first = cases
        .iter()
        .filter(|c| {
            fts5_search(&demo_fts, &c.query, 1)
                .first()
                .is_some_and(|code| *code == c.expect)
        })
        .count();
    println!(
        "quality table: ours {ours_first}/{n} first, FTS5 {fts_first}/{n} first",
        n = cases.len()
    );
}
