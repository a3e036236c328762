//! Kiosk ↔ central catalog sync over real HTTP, with the real server and a real SQLite file.

mod common;

use common::*;
use motcua_central::DEMO_CATALOG;
use motcua_kiosk::catalog::{SyncClient, SyncError, sync_once};
use serde_json::{Value, json};

fn demo() -> Value {
    serde_json::from_str(DEMO_CATALOG).unwrap()
}

fn top_hit(storage: &motcua_kiosk::storage::StorageHandle, query: &'static str) -> Option<String> {
    storage
        .call_blocking(move |s| s.index().search(query, 1).first().map(|h| h.name.clone()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_sync_then_incremental_add_change_remove_then_304() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let client = SyncClient::new(&server.base_url()).unwrap();

    let first = sync_once(&client, &storage).await.unwrap();
    let total = demo()["procedures"].as_array().unwrap().len() as u64;
    let applied = first.applied.unwrap();
    assert!(applied.full);
    assert_eq!(first.procedures, total);
    assert_eq!(
        top_hit(&storage, "dang ky khai sinh").as_deref(),
        Some("Đăng ký khai sinh")
    );

    // On the server: one procedure added, one renamed, one removed.
    let mut catalog = demo();
    let procedures = catalog["procedures"].as_array_mut().unwrap();
    let removed = procedures.pop().unwrap();
    let removed_code = removed["code"].as_str().unwrap().to_owned();
    procedures[0]["name"] = json!("Thủ tục đã đổi tên thử nghiệm");
    let changed_code = procedures[0]["code"].as_str().unwrap().to_owned();
    let mut added = procedures[1].clone();
    added["code"] = json!("9.900001");
    added["name"] = json!("Cấp giấy xác nhận thử nghiệm đồng bộ");
    procedures.push(added);
    reimport(server_dir.path(), &catalog.to_string());

    let second = sync_once(&client, &storage).await.unwrap();
    let applied = second.applied.unwrap();
    assert!(!applied.full);
    assert_eq!((applied.upserted, applied.removed), (2, 1));
    assert_eq!(second.procedures, total);
    assert!(
        second.bytes < first.bytes / 10,
        "incremental {} bytes vs full {}",
        second.bytes,
        first.bytes
    );
    let (renamed, gone, new) = storage
        .call_blocking(move |s| {
            (
                s.catalog.get(&changed_code).unwrap().unwrap().name,
                s.catalog.get(&removed_code).unwrap(),
                s.catalog.get("9.900001").unwrap(),
            )
        })
        .unwrap();
    assert_eq!(renamed, "Thủ tục đã đổi tên thử nghiệm");
    assert!(gone.is_none());
    assert!(new.is_some());
    // The search index follows the sync.
    assert_eq!(
        top_hit(&storage, "xac nhan thu nghiem dong bo").as_deref(),
        Some("Cấp giấy xác nhận thử nghiệm đồng bộ")
    );

    // Nothing changed: a 304, and not one catalog row written.
    let changes_before = storage
        .call_blocking(|s| s.catalog.total_changes())
        .unwrap();
    let third = sync_once(&client, &storage).await.unwrap();
    assert!(third.applied.is_none());
    assert_eq!(third.bytes, 0);
    let changes_after = storage
        .call_blocking(|s| s.catalog.total_changes())
        .unwrap();
    assert_eq!(
        changes_after - changes_before,
        1,
        "only the sync_state row may be written"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_down_keeps_searching_and_reports_offline() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let client = SyncClient::new(&server.base_url()).unwrap();
    sync_once(&client, &storage).await.unwrap();
    server.stop().await;

    let error = sync_once(&client, &storage).await.unwrap_err();
    assert!(matches!(error, SyncError::Unreachable { .. }), "{error}");
    assert_eq!(
        top_hit(&storage, "ket hon")
            .as_deref()
            .map(|n| n.contains("kết hôn")),
        Some(true)
    );
    let state = storage
        .call_blocking(|s| s.catalog.sync_state())
        .unwrap()
        .unwrap();
    assert!(!state.server_reachable);
    assert!(state.last_success_at.is_some());
    assert!(
        state
            .last_error
            .unwrap()
            .contains("cannot reach the central server")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_responses_leave_the_previous_catalog_intact() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    sync_once(&SyncClient::new(&server.base_url()).unwrap(), &storage)
        .await
        .unwrap();
    let before = storage
        .call_blocking(|s| {
            (
                s.catalog.all().unwrap(),
                s.catalog.sync_state().unwrap().cursor,
            )
        })
        .unwrap();

    let mut wrong_type = demo();
    wrong_type["cursor"] = json!("abc.999");
    wrong_type["full"] = json!(true);
    wrong_type["procedures"][3]["fees"] = json!("8.000 đồng");
    let valid_prefix = {
        let mut d = demo();
        d["cursor"] = json!("abc.999");
        d["full"] = json!(true);
        d.to_string()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "server error",
            http_response("500 Internal Server Error", 2, b"{}"),
            "HTTP 500",
        ),
        (
            "truncated body",
            {
                let body = valid_prefix.as_bytes();
                http_response("200 OK", body.len(), &body[..body.len() / 2])
            },
            "broke off",
        ),
        (
            "invalid JSON",
            http_response("200 OK", 9, b"{\"format\""),
            "not valid JSON",
        ),
        (
            "record with a wrong type",
            {
                let body = wrong_type.to_string().into_bytes();
                http_response("200 OK", body.len(), &body)
            },
            "record 3",
        ),
        (
            "bad removal code",
            {
                let body = json!({"format": "motcua-catalog/1", "cursor": "a.1", "full": false, "procedures": [], "removed": ["nope"]}).to_string();
                http_response("200 OK", body.len(), body.as_bytes())
            },
            "malformed procedure code",
        ),
        (
            "wrong format",
            {
                let body = json!({"format": "motcua-catalog/9", "cursor": "a.1", "full": true, "procedures": []}).to_string();
                http_response("200 OK", body.len(), body.as_bytes())
            },
            "format",
        ),
    ];
    for (name, response, expected) in cases {
        let url = spawn_raw_server(response).await;
        let error = sync_once(&SyncClient::new(&url).unwrap(), &storage)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{name}: {error}");
        let after = storage
            .call_blocking(|s| {
                (
                    s.catalog.all().unwrap(),
                    s.catalog.sync_state().unwrap().cursor,
                )
            })
            .unwrap();
        assert_eq!(after, before, "{name}: the catalog or cursor changed");
        assert_eq!(
            top_hit(&storage, "khai sinh").as_deref(),
            Some("Đăng ký khai sinh"),
            "{name}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recreated_server_database_triggers_a_full_download_and_unknown_fields_survive() {
    let kiosk_dir = tempfile::tempdir().unwrap();
    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let first_dir = tempfile::tempdir().unwrap();
    let first = spawn_central(first_dir.path(), DEMO_CATALOG).await;
    sync_once(&SyncClient::new(&first.base_url()).unwrap(), &storage)
        .await
        .unwrap();
    first.stop().await;

    let mut smaller = demo();
    smaller["procedures"].as_array_mut().unwrap().truncate(5);
    smaller["procedures"][0]["queue_counter"] = json!({"floor": 2, "counter": "B3"});
    let second_dir = tempfile::tempdir().unwrap();
    let second = spawn_central(second_dir.path(), &smaller.to_string()).await;
    let report = sync_once(&SyncClient::new(&second.base_url()).unwrap(), &storage)
        .await
        .unwrap();
    assert!(report.applied.unwrap().full);
    assert_eq!(report.procedures, 5);
    let code = smaller["procedures"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let kept = storage
        .call_blocking(move |s| s.catalog.get(&code).unwrap().unwrap())
        .unwrap();
    assert_eq!(
        kept.extra["queue_counter"],
        json!({"floor": 2, "counter": "B3"})
    );
    second.stop().await;
}

/// A restart with the server down: the search index is rebuilt from the kiosk's own database (on
/// its own thread, while the window comes up) and the first search waits for it.
#[tokio::test(flavor = "multi_thread")]
async fn after_a_restart_offline_the_first_search_waits_for_the_index_built_in_the_background() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let path = kiosk_dir.path().join("kiosk.db");
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let storage = open_kiosk_storage(&path);
    sync_once(&SyncClient::new(&server.base_url()).unwrap(), &storage)
        .await
        .unwrap();
    server.stop().await;
    drop(storage);

    let reopened = open_kiosk_storage(&path);
    assert_eq!(
        top_hit(&reopened, "ket hon")
            .as_deref()
            .map(|n| n.contains("kết hôn")),
        Some(true)
    );
    let total = demo()["procedures"].as_array().unwrap().len();
    assert_eq!(reopened.call_blocking(|s| s.index().len()).unwrap(), total);
}

/// A record damaged on disk stops the index from being built, not the kiosk from starting: the
/// catalog's size still shows and the next sync rebuilds the index.
#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_record_does_not_stop_the_kiosk_from_starting() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let path = kiosk_dir.path().join("kiosk.db");
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let storage = open_kiosk_storage(&path);
    let client = SyncClient::new(&server.base_url()).unwrap();
    sync_once(&client, &storage).await.unwrap();
    drop(storage);
    let damaged = rusqlite::Connection::open(&path).unwrap();
    damaged
        .execute(
            "UPDATE procedures SET body = '{not json' WHERE rowid = (SELECT min(rowid) FROM procedures)",
            [],
        )
        .unwrap();
    drop(damaged);

    let reopened = open_kiosk_storage(&path);
    let total = demo()["procedures"].as_array().unwrap().len() as u64;
    assert_eq!(
        reopened
            .call_blocking(|s| s.catalog.count().unwrap())
            .unwrap(),
        total
    );
    assert_eq!(top_hit(&reopened, "ket hon"), None);

    // The server's catalog changes; the sync stores it and indexes it again.
    server.stop().await;
    let mut changed = demo();
    changed["procedures"].as_array_mut().unwrap().truncate(5);
    let second_dir = tempfile::tempdir().unwrap();
    let second = spawn_central(second_dir.path(), &changed.to_string()).await;
    sync_once(&SyncClient::new(&second.base_url()).unwrap(), &reopened)
        .await
        .unwrap();
    assert_eq!(reopened.call_blocking(|s| s.index().len()).unwrap(), 5);
    second.stop().await;
}
