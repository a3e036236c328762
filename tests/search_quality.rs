//! The search-quality table: each query, typed the way visitors type, must put the expected
//! procedure first in the demo catalog.

use motcua_kiosk::catalog::SearchIndex;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    query: String,
    expect: String,
    kind: String,
}

fn index() -> SearchIndex {
    let catalog = motcua_protocol::parse_catalog(motcua_central::DEMO_CATALOG).unwrap();
    SearchIndex::build(&catalog.procedures)
}

#[test]
fn every_quality_query_puts_the_expected_procedure_first() {
    let cases: Vec<Case> = serde_json::from_str(include_str!("data/search-quality.json")).unwrap();
    assert!(cases.len() >= 40, "the table must have at least 40 queries");
    let index = index();
    let mut failures = Vec::new();
    for case in &cases {
        let hits = index.search(&case.query, 3);
        let first = hits.first().map(|h| h.code.as_str());
        if first != Some(case.expect.as_str()) {
            let got: Vec<String> = hits
                .iter()
                .map(|h| format!("{} {} ({:.1})", h.code, h.name, h.score))
                .collect();
            failures.push(format!(
                "[{}] {:?}: expected {}, got {:?}",
                case.kind, case.query, case.expect, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn correct_diacritics_rank_exact_matches_first() {
    let index = index();
    // "đăng ký" typed correctly must not be outranked by a word that only folds the same.
    let hits = index.search("đăng ký kết hôn", 5);
    assert!(hits[0].name.starts_with("Đăng ký kết hôn"), "{hits:?}");
    // Tone placement does not matter.
    assert_eq!(index.search("hoà", 50), index.search("hòa", 50));
    // Same query, same order, every time (ties broken deterministically).
    assert_eq!(index.search("cap", 100), index.search("cap", 100));
}

#[test]
fn nonsense_finds_nothing_and_empty_query_finds_nothing() {
    let index = index();
    assert!(index.search("qzxwv", 10).is_empty());
    assert!(index.search("", 10).is_empty());
    assert!(index.search("   ", 10).is_empty());
}
