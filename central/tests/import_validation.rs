//! Import validation: each bad file gets the exact error, and a file with any error changes nothing.

use motcua_central::catalog::CatalogStore;
use motcua_central::catalog::import::{ImportError, import_text};
use serde_json::{Value, json};

fn valid_record(code: &str) -> Value {
    json!({
        "code": code, "name": "Đăng ký khai sinh", "field": "Hộ tịch", "agency": "Ủy ban nhân dân cấp xã",
        "level": "Cấp xã", "online": "full", "processing_time": "Ngay trong ngày",
        "fees": [{"name": "Lệ phí", "amount_vnd": 8000, "note": ""}],
        "steps": ["Nộp hồ sơ"], "documents": [{"name": "Tờ khai", "originals": 1, "copies": 0, "form_url": null}],
        "requirements": "Không", "result": "Giấy khai sinh", "legal_basis": ["Luật Hộ tịch"], "address": "UBND xã"
    })
}

fn catalog(records: Vec<Value>) -> String {
    json!({"format": "motcua-catalog/1", "procedures": records}).to_string()
}

fn with(code: &str, key: &str, value: Value) -> Value {
    let mut record = valid_record(code);
    record[key] = value;
    record
}

fn store() -> (tempfile::TempDir, CatalogStore) {
    let dir = tempfile::tempdir().unwrap();
    let conn = motcua_central::db::open(&dir.path().join("c.db")).unwrap();
    (dir, CatalogStore::new(conn))
}

#[test]
fn each_bad_file_gets_its_exact_error_and_changes_nothing() {
    let mut missing_code = valid_record("1.000001");
    missing_code.as_object_mut().unwrap().remove("code");
    let mut missing_name = valid_record("1.000009");
    missing_name.as_object_mut().unwrap().remove("name");
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "not JSON",
            "{\"format\": ".to_owned(),
            vec!["file: not valid JSON: EOF while parsing a value at line 1 column 11"],
        ),
        (
            "top level array",
            "[]".to_owned(),
            vec!["file: the top level must be a JSON object"],
        ),
        (
            "wrong format",
            json!({"format": "other/2", "procedures": []}).to_string(),
            vec!["file: unsupported format \"other/2\", expected \"motcua-catalog/1\""],
        ),
        (
            "no procedures",
            json!({"format": "motcua-catalog/1"}).to_string(),
            vec!["file: missing \"procedures\" array"],
        ),
        (
            "missing code",
            catalog(vec![valid_record("1.000000"), missing_code]),
            vec!["record 1 (no code): missing code"],
        ),
        (
            "numeric code",
            catalog(vec![with("1.000001", "code", json!(1000001))]),
            vec!["record 0 (no code): `code` must be a string"],
        ),
        (
            "malformed code",
            catalog(vec![valid_record("1.00001")]),
            vec![
                "record 0 (code 1.00001): malformed procedure code \"1.00001\": expected one digit, a dot and six digits, like 1.004222",
            ],
        ),
        (
            "duplicate code",
            catalog(vec![
                valid_record("1.000002"),
                valid_record("1.000003"),
                valid_record("1.000002"),
            ]),
            vec!["record 2 (code 1.000002): duplicate code, first used by record 0"],
        ),
        (
            "unknown online value",
            catalog(vec![with("1.000004", "online", json!("sometimes"))]),
            vec![
                "record 0 (code 1.000004): unknown online level \"sometimes\": expected \"full\", \"partial\" or \"none\"",
            ],
        ),
        (
            "negative fee",
            catalog(vec![with(
                "1.000005",
                "fees",
                json!([{"name": "Lệ phí", "amount_vnd": -8000}]),
            )]),
            vec!["record 0 (code 1.000005): negative fee amount -8000"],
        ),
        (
            "missing name",
            catalog(vec![missing_name]),
            vec!["record 0 (code 1.000009): missing field `name`"],
        ),
        (
            "empty name",
            catalog(vec![with("1.000006", "name", json!("  "))]),
            vec!["record 0 (code 1.000006): empty `name`"],
        ),
        (
            "steps not a list",
            catalog(vec![with("1.000007", "steps", json!("Nộp hồ sơ"))]),
            vec![
                "record 0 (code 1.000007): invalid type: string \"Nộp hồ sơ\", expected a sequence",
            ],
        ),
        (
            "record not an object",
            catalog(vec![json!("1.000008")]),
            vec!["record 0 (no code): a procedure must be a JSON object"],
        ),
        (
            "several errors at once",
            catalog(vec![
                valid_record("x"),
                valid_record("1.000010"),
                with("1.000011", "online", json!(3)),
            ]),
            vec![
                "record 0 (code x): malformed procedure code \"x\": expected one digit, a dot and six digits, like 1.004222",
                "record 2 (code 1.000011): online level must be a string, not 3: expected \"full\", \"partial\" or \"none\"",
            ],
        ),
    ];
    let (_dir, mut store) = store();
    let baseline = catalog(vec![valid_record("9.999999")]);
    import_text(&mut store, &baseline).unwrap();
    let cursor_before = store.current().unwrap();

    for (name, text, expected) in cases {
        match import_text(&mut store, &text) {
            Err(ImportError::Invalid(errors)) => {
                let got: Vec<String> = errors.iter().map(ToString::to_string).collect();
                assert_eq!(got, expected, "case {name:?}");
            }
            other => panic!("case {name:?}: expected validation errors, got {other:?}"),
        }
        assert_eq!(
            store.current().unwrap(),
            cursor_before,
            "case {name:?} changed the catalog"
        );
        assert!(
            store.get("9.999999").unwrap().is_some(),
            "case {name:?} lost the old catalog"
        );
    }
}

#[test]
fn reimport_tracks_additions_changes_and_removals() {
    let (_dir, mut store) = store();
    let first = import_text(
        &mut store,
        &catalog(vec![valid_record("1.000001"), valid_record("1.000002")]),
    )
    .unwrap();
    assert_eq!(
        (first.added, first.changed, first.removed, first.unchanged),
        (2, 0, 0, 0)
    );
    let same = import_text(
        &mut store,
        &catalog(vec![valid_record("1.000001"), valid_record("1.000002")]),
    )
    .unwrap();
    assert_eq!(
        (same.added, same.changed, same.removed, same.unchanged),
        (0, 0, 0, 2)
    );
    let cursor = store.current().unwrap();
    let next = import_text(
        &mut store,
        &catalog(vec![
            with("1.000001", "name", json!("Đăng ký lại khai sinh")),
            valid_record("1.000003"),
        ]),
    )
    .unwrap();
    assert_eq!(
        (next.added, next.changed, next.removed, next.unchanged),
        (1, 1, 1, 0)
    );
    assert_eq!(store.current().unwrap().seq, cursor.seq + 3);
    assert!(store.get("1.000002").unwrap().is_none());
    assert_eq!(
        store.get("1.000001").unwrap().unwrap().name,
        "Đăng ký lại khai sinh"
    );
}

#[test]
fn unknown_fields_are_kept() {
    let (_dir, mut store) = store();
    let record = with(
        "1.000001",
        "appointment_rules",
        json!({"skip_weekends": true}),
    );
    import_text(&mut store, &catalog(vec![record])).unwrap();
    let stored = store.get("1.000001").unwrap().unwrap();
    assert_eq!(
        stored.extra.get("appointment_rules"),
        Some(&json!({"skip_weekends": true}))
    );
}

#[test]
fn demo_catalog_is_valid_and_rich() {
    let catalog = motcua_protocol::parse_catalog(motcua_central::DEMO_CATALOG)
        .expect("demo catalog is valid");
    assert!(
        catalog.procedures.len() >= 60,
        "{} procedures",
        catalog.procedures.len()
    );
    let fields: std::collections::BTreeSet<_> = catalog
        .procedures
        .iter()
        .map(|p| p.field.as_str())
        .collect();
    assert!(fields.len() >= 8, "{fields:?}");
    for p in &catalog.procedures {
        assert!(
            !p.steps.is_empty() && !p.documents.is_empty() && !p.fees.is_empty(),
            "{} is incomplete",
            p.code
        );
        assert!(
            !p.legal_basis.is_empty() && !p.result.is_empty() && !p.address.is_empty(),
            "{} is incomplete",
            p.code
        );
    }
}
