//! Resolution statistics against a hand-built set of dossiers, and the demo data: every status,
//! idempotent seeding, pages that render, receipt images that still match.

mod common;

use common::{get, spawn};
use motcua_central::catalog::import::import_text;
use motcua_central::status::demo::{
    demo_showcase, demo_showcase_detailed, seed_demo_dossiers, seeded_showcase,
};
use motcua_central::{DEMO_CATALOG, open_catalog, open_dossiers, today_in_vietnam};
use motcua_protocol::{DossierCode, DossierRegistration, DossierStatus, ProcedureCode, status_url};
use serde_json::Value;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

fn vietnam(day: Date, hour: u8) -> OffsetDateTime {
    PrimitiveDateTime::new(day, Time::from_hms(hour, 0, 0).unwrap())
        .assume_offset(UtcOffset::from_hms(7, 0, 0).unwrap())
}

fn day(first: Date, n: u8) -> Date {
    first.replace_day(n).unwrap()
}

fn counts(value: &Value) -> [u64; 5] {
    ["received", "early", "on_time", "late", "in_progress"].map(|k| value[k].as_u64().unwrap())
}

#[tokio::test]
async fn statistics_count_a_hand_built_set_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let config = common::config(dir.path());
    let this_month = today_in_vietnam().replace_day(1).unwrap();
    let last_month = (this_month - Duration::days(1)).replace_day(1).unwrap();
    let mut store = open_dossiers(&config).unwrap();
    let mut add = |n: u32,
                   procedure: &str,
                   received: Date,
                   due: Date,
                   change: Option<(DossierStatus, OffsetDateTime)>| {
        let code = DossierCode::parse(&format!(
            "T01-{:04}{:02}{:02}-{n}",
            received.year(),
            u8::from(received.month()),
            received.day()
        ))
        .unwrap();
        let registration = DossierRegistration {
            procedure_code: ProcedureCode::parse(procedure).unwrap(),
            received_on: received,
            due_on: due,
            status: None,
        };
        store
            .register(&code, &registration, vietnam(received, 8))
            .unwrap();
        if let Some((status, at)) = change {
            store.set_status(&code, status, None, at).unwrap();
        }
    };
    use DossierStatus::*;
    // Last month: one early, one late, one received there but resolved on time this month.
    add(
        1,
        "1.001193",
        day(last_month, 10),
        day(last_month, 15),
        Some((Resolved, vietnam(day(last_month, 12), 10))),
    );
    add(
        2,
        "1.001193",
        day(last_month, 20),
        day(this_month, 1),
        Some((Resolved, vietnam(day(this_month, 1), 10))),
    );
    add(
        3,
        "1.001193",
        day(last_month, 5),
        day(last_month, 6),
        Some((Returned, vietnam(day(last_month, 9), 10))),
    );
    // This month: one being processed, one not accepted, one whose procedure leaves the catalog.
    add(
        4,
        "1.004222",
        day(this_month, 1),
        day(this_month, 1),
        Some((Processing, vietnam(day(this_month, 1), 11))),
    );
    add(
        5,
        "1.004222",
        day(this_month, 1),
        day(this_month, 1),
        Some((NotAccepted, vietnam(day(this_month, 1), 11))),
    );
    add(6, "1.009794", day(this_month, 1), day(this_month, 1), None);
    // Older than the window: counted nowhere.
    let old = (last_month - Duration::days(40)).replace_day(1).unwrap();
    add(7, "1.001193", old, old, Some((Resolved, vietnam(old, 10))));
    drop(store);
    let mut catalog: Value = serde_json::from_str(DEMO_CATALOG).unwrap();
    catalog["procedures"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["code"] != "1.009794");
    import_text(&mut open_catalog(&config).unwrap(), &catalog.to_string()).unwrap();

    let (status, headers, body) = get(
        &format!("{}/api/v1/statistics?months=2", server.base_url()),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "public, max-age=300");
    let stats: Value = serde_json::from_str(&body).unwrap();
    let months = stats["months"].as_array().unwrap();
    assert_eq!(months.len(), 2);
    let label = |d: Date| format!("{:04}-{:02}", d.year(), u8::from(d.month()));
    assert_eq!(months[0]["month"], label(this_month));
    assert_eq!(months[1]["month"], label(last_month));
    assert_eq!(counts(&months[0]["total"]), [3, 0, 1, 0, 2]);
    assert_eq!(counts(&months[1]["total"]), [3, 1, 0, 1, 0]);
    let fields = |m: &Value| -> Vec<(String, [u64; 5])> {
        m["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["field"].as_str().unwrap().to_owned(), counts(f)))
            .collect()
    };
    assert_eq!(
        fields(&months[0]),
        [
            ("Cư trú".to_owned(), [2, 0, 0, 0, 1]),
            ("Khác".to_owned(), [1, 0, 0, 0, 1]),
            ("Hộ tịch".to_owned(), [0, 0, 1, 0, 0]),
        ]
    );
    assert_eq!(
        fields(&months[1]),
        [("Hộ tịch".to_owned(), [3, 1, 0, 1, 0])]
    );

    let (_, _, body) = get(&format!("{}/api/v1/statistics", server.base_url()), None).await;
    let stats: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stats["months"].as_array().unwrap().len(), 12);
    for bad in ["0", "37", "x"] {
        let (status, _, body) = get(
            &format!("{}/api/v1/statistics?months={bad}", server.base_url()),
            None,
        )
        .await;
        assert_eq!(status, 400, "months={bad}: {body}");
    }
    server.stop().await;
}

#[tokio::test]
async fn demo_data_covers_every_status_once_and_its_pages_render() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let config = common::config(dir.path());
    let today = today_in_vietnam();
    let mut store = open_dossiers(&config).unwrap();
    let added = seed_demo_dossiers(&mut store, today).unwrap();
    assert_eq!(
        added,
        12 + motcua_central::status::demo::BACKGROUND_DOSSIERS
    );
    assert_eq!(
        seed_demo_dossiers(&mut store, today).unwrap(),
        0,
        "seeding twice adds nothing"
    );
    assert_eq!(
        seed_demo_dossiers(&mut store, today + Duration::days(3)).unwrap(),
        0,
        "nor on a later day"
    );
    assert_eq!(store.count().unwrap() as usize, added);

    let seeded = seeded_showcase(&store).unwrap();
    let expected = demo_showcase(today);
    assert_eq!(seeded.len(), expected.len());
    for (stored, (code, token, status)) in seeded.iter().zip(&expected) {
        assert_eq!(
            (&stored.code, &stored.token, stored.status),
            (code, token, *status)
        );
    }
    for status in DossierStatus::ALL {
        assert!(
            seeded.iter().any(|d| d.status == status),
            "{status:?} missing"
        );
    }
    drop(store);

    let base = server.base_url();
    for dossier in &seeded {
        let (status, _, html) = get(&status_url(&base, &dossier.token), None).await;
        assert_eq!(status, 200, "{}", dossier.slug);
        assert!(html.contains(dossier.status.name_vi()), "{}", dossier.slug);
        assert!(!html.contains(dossier.code.as_str()), "{}", dossier.slug);
    }
    let page = |slug: &str| {
        let token = seeded
            .iter()
            .find(|d| d.slug == slug)
            .unwrap()
            .token
            .clone();
        let url = status_url(&base, &token);
        async move { get(&url, None).await.2 }
    };
    assert!(
        page("supplement-requested")
            .await
            .contains("hợp đồng thuê địa điểm kinh doanh")
    );
    assert!(page("overdue").await.contains("đã quá hạn"));
    assert!(page("resolved-early").await.contains("trước hạn"));
    assert!(page("returned-on-time").await.contains("đúng hạn"));
    assert!(page("returned-late").await.contains("trễ hạn"));

    // The background makes a year of statistics across the catalog's fields.
    let (_, _, body) = get(&format!("{base}/api/v1/statistics"), None).await;
    let stats: Value = serde_json::from_str(&body).unwrap();
    let mut fields = std::collections::BTreeSet::new();
    for month in stats["months"].as_array().unwrap() {
        let [received, early, on_time, late, _] = counts(&month["total"]);
        assert!(
            received > 5 && early + on_time + late > 5,
            "{}: {}",
            month["month"],
            month["total"]
        );
        for field in month["fields"].as_array().unwrap() {
            fields.insert(field["field"].as_str().unwrap().to_owned());
        }
    }
    assert!(fields.len() >= 15, "{fields:?}");
    server.stop().await;
}

#[test]
fn committed_demo_receipts_still_open_their_dossiers() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/demo-receipts");
    let readme = std::fs::read_to_string(folder.join("README.md")).unwrap();
    for (index, dossier) in demo_showcase_detailed(today_in_vietnam())
        .iter()
        .enumerate()
    {
        let file = format!("{:02}-{}.png", index + 1, dossier.slug);
        let url = status_url("http://127.0.0.1:8080", &dossier.token);
        assert!(
            readme.contains(&file) && readme.contains(&url),
            "README lists {file}"
        );
        let path = folder.join(&file);
        assert!(
            path.exists(),
            "{} missing: run motcua-central demo-receipts",
            path.display()
        );
        if let Some(text) = common::decode_qr(&path) {
            assert_eq!(text, url, "{file}");
        }
    }
}
