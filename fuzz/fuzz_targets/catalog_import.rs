//! Catalog import (`motcua_protocol::parse_catalog`, the central server's `import_text`) and what
//! the server then serves to kiosks (`CatalogStore::delta`), read by the kiosk's sync parser
//! (`motcua_kiosk::catalog::sync::parse_delta`) and stored in its catalog database.
//!
//! Asserts: a refused file gets at least one error, each naming a record that exists; an
//! accepted catalog has distinct codes and non-empty names, writes back to JSON that parses to
//! the same procedures, imports into an empty server database as that many additions, and
//! the full catalog response the server then builds is accepted by the kiosk as exactly those
//! procedures; importing the same file again changes nothing and the incremental response from
//! the new cursor is empty; the kiosk's database, given the response, holds exactly the
//! catalog, and the kiosk's search finds every procedure by its code.

#![no_main]

use std::collections::HashSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use motcua_central::catalog::import::import_text;
use motcua_central::catalog::{CatalogStore, Cursor};
use motcua_kiosk::catalog::sync::parse_delta;
use motcua_kiosk::catalog::{CatalogDb, SearchIndex};
use motcua_protocol::parse_catalog;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = match parse_catalog(text) {
        Ok(catalog) => catalog,
        Err(errors) => {
            assert!(!errors.is_empty());
            let records = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("procedures").and_then(|p| p.as_array()).map(Vec::len));
            for error in &errors {
                if let Some(index) = error.index {
                    assert!(records.is_some_and(|n| index < n), "{error}");
                }
                let _ = error.to_string();
            }
            return;
        }
    };
    let procedures = &catalog.procedures;
    let codes: HashSet<&str> = procedures.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes.len(), procedures.len());
    assert!(procedures.iter().all(|p| !p.name.trim().is_empty()));

    let written = serde_json::to_string(&catalog).expect("a catalog serializes");
    let again = parse_catalog(&written).expect("a written catalog parses");
    assert_eq!(&again.procedures, procedures);

    // The central server.
    let conn = motcua_central::db::open(Path::new(":memory:")).expect("an in-memory database");
    let mut store = CatalogStore::new(conn);
    let summary = import_text(&mut store, text).expect("a valid catalog imports");
    assert_eq!(summary.added, procedures.len());
    assert_eq!(summary.changed + summary.removed + summary.unchanged, 0);
    assert_eq!(store.count().ok(), Some(procedures.len() as u64));

    let full = store.delta(None).expect("a full response");
    let delta = parse_delta(full.body.as_bytes())
        .unwrap_or_else(|e| panic!("the kiosk refuses the server's catalog: {e}"));
    assert!(delta.full);
    assert_eq!(&delta.procedures, procedures);
    assert!(delta.removed.is_empty());
    assert_eq!(Cursor::parse(&delta.cursor), Some(full.cursor.clone()));

    let summary = import_text(&mut store, text).expect("the same catalog imports again");
    assert_eq!(summary.unchanged, procedures.len());
    assert_eq!(summary.added + summary.changed + summary.removed, 0);
    let incremental = store
        .delta(Some(&delta.cursor))
        .expect("an incremental response");
    let empty = parse_delta(incremental.body.as_bytes()).expect("the kiosk reads it");
    assert!(!empty.full && empty.procedures.is_empty() && empty.removed.is_empty());

    // The kiosk.
    let mut kiosk = CatalogDb::open(Path::new(":memory:")).expect("an in-memory database");
    kiosk
        .apply(&delta, None, 0)
        .expect("the kiosk stores the catalog");
    let stored = kiosk.all().expect("and reads it back");
    let mut expected = procedures.clone();
    expected.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(stored, expected);
    let index = SearchIndex::build(&stored);
    for procedure in stored.iter().take(8) {
        let code = procedure.code.as_str();
        let hits = index.search(code, stored.len() + 1);
        assert!(
            hits.iter().any(|h| h.code == code),
            "{code} not found by its code"
        );
    }
});
