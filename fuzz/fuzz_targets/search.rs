//! Procedure search (`src/catalog/search.rs`) over the demo catalog, with the input as the query.
//!
//! Asserts: at most `limit` hits, none for limit 0; hits are catalog procedures, each once,
//! with finite positive scores in non-increasing order; the hits for a smaller limit are the
//! first hits for a larger one (ranking is a total order); the same query gives the same hits.

#![no_main]

use std::collections::HashSet;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use motcua_kiosk::catalog::SearchIndex;

struct Catalog {
    index: SearchIndex,
    codes: HashSet<String>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let catalog = motcua_protocol::parse_catalog(motcua_central::DEMO_CATALOG)
        .expect("the demo catalog is valid");
    Catalog {
        index: SearchIndex::build(&catalog.procedures),
        codes: catalog
            .procedures
            .iter()
            .map(|p| p.code.as_str().to_owned())
            .collect(),
    }
});

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = &*CATALOG;
    let all = catalog.index.search(query, catalog.codes.len() + 1);
    assert!(all.len() <= catalog.codes.len());
    let mut seen = HashSet::new();
    for hit in &all {
        assert!(catalog.codes.contains(&hit.code), "{}", hit.code);
        assert!(seen.insert(hit.code.as_str()), "{} twice", hit.code);
        assert!(hit.score.is_finite() && hit.score > 0.0, "{}", hit.score);
    }
    for pair in all.windows(2) {
        assert!(
            pair[0].score >= pair[1].score,
            "{} before {}",
            pair[0].score,
            pair[1].score
        );
    }
    assert!(catalog.index.search(query, 0).is_empty());
    for limit in [1, 3, 10] {
        let top = catalog.index.search(query, limit);
        assert!(top.len() <= limit);
        assert_eq!(top[..], all[..all.len().min(limit)], "limit {limit}");
    }
});
