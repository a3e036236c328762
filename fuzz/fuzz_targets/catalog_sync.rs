//! The kiosk's catalog sync (`motcua_kiosk::catalog::sync::parse_delta`) on arbitrary response
//! bodies, then the kiosk database's `apply`, and the server's catalog cursors
//! (`motcua_central::catalog::Cursor::parse`).
//!
//! Asserts: an accepted response writes back to JSON that is accepted as the same response;
//! applied to an empty kiosk database it leaves exactly its procedures (the last record of a code
//! winning) minus the removed codes, each readable by its code, and its cursor stored; search
//! over the result finds every procedure by its code. A cursor that parses prints as text that
//! parses to the same cursor.

#![no_main]

use std::collections::BTreeMap;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use motcua_central::catalog::Cursor;
use motcua_kiosk::catalog::sync::parse_delta;
use motcua_kiosk::catalog::{CatalogDb, SearchIndex};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(cursor) = Cursor::parse(text)
    {
        assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor.clone()));
        assert!(cursor.seq >= 0 && !cursor.dataset.is_empty());
    }
    let Ok(delta) = parse_delta(data) else {
        return;
    };
    let written = serde_json::to_vec(&delta).expect("a response serializes");
    let again = parse_delta(&written).expect("a written response parses");
    assert_eq!(again, delta);

    let mut expected = BTreeMap::new();
    for procedure in &delta.procedures {
        expected.insert(procedure.code.as_str().to_owned(), procedure.clone());
    }
    for code in &delta.removed {
        expected.remove(code.as_str());
    }

    let mut kiosk = CatalogDb::open(Path::new(":memory:")).expect("an in-memory database");
    let summary = kiosk
        .apply(&delta, Some("\"etag\""), 1)
        .expect("a parsed response applies");
    assert_eq!(summary.upserted, delta.procedures.len());
    assert_eq!(summary.removed, delta.removed.len());
    let stored = kiosk.all().expect("the catalog reads back");
    assert_eq!(stored, expected.values().cloned().collect::<Vec<_>>());
    assert_eq!(kiosk.count().ok(), Some(expected.len() as u64));
    for (code, procedure) in expected.iter().take(8) {
        assert_eq!(kiosk.get(code).ok().flatten().as_ref(), Some(procedure));
    }
    let state = kiosk.sync_state().expect("the sync state reads back");
    assert_eq!(state.cursor.as_deref(), Some(delta.cursor.as_str()));

    let index = SearchIndex::build(&stored);
    for code in expected.keys().take(8) {
        let hits = index.search(code, stored.len() + 1);
        assert!(
            hits.iter().any(|h| &h.code == code),
            "{code} not found by its code"
        );
    }
});
