//! The integration API (registration, status events) and the kiosk API with its authentication,
//! over real HTTP.

mod common;

use common::{get, keys, push_event, register, spawn};
use motcua_central::open_operations;
use serde_json::{Value, json};

const CODE: &str = "G09.20-20251120-0092637";

fn history_statuses(view: &Value) -> Vec<u64> {
    view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn registration_is_idempotent_and_validated() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let token = &keys.integration;

    let (status, first) =
        register(&base, token, CODE, "1.001193", "2025-11-20", "2025-11-25").await;
    assert_eq!(status, 201);
    assert_eq!(first["status"], 2);
    assert_eq!(first["procedure_name"], "Đăng ký khai sinh");
    assert_eq!(first["field"], "Hộ tịch");
    assert_eq!(history_statuses(&first), [2]);

    // Lower case and spaces are the same dossier; the same data changes nothing.
    let (status, again) = register(
        &base,
        token,
        "g09.20-20251120-0092637",
        "1.001193",
        "2025-11-20",
        "2025-11-25",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["status_url"], first["status_url"]);
    assert_eq!(history_statuses(&again), [2]);

    let (status, body) = register(&base, token, CODE, "1.001193", "2025-11-20", "2025-11-26").await;
    assert_eq!(status, 409);
    assert!(
        body["error"].as_str().unwrap().contains("appointment date"),
        "{body}"
    );

    let other = "H45.12-20251120-0000001";
    let (status, body) =
        register(&base, token, other, "9.999999", "2025-11-20", "2025-11-25").await;
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().unwrap().contains("9.999999"),
        "{body}"
    );
    let (status, body) =
        register(&base, token, other, "1.001193", "2025-11-20", "2025-11-19").await;
    assert_eq!(status, 422);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("before the received date"),
        "{body}"
    );
    let (status, body) = register(
        &base,
        token,
        "G09.20-2026-1",
        "1.001193",
        "2025-11-20",
        "2025-11-25",
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("malformed dossier code"),
        "{body}"
    );
    let (status, _) = register(&base, token, other, "1.001193", "20/11/2026", "2025-11-25").await;
    assert_eq!(status, 422);

    let (status, _) = register(
        &base,
        &keys.kiosk,
        other,
        "1.001193",
        "2025-11-20",
        "2025-11-25",
    )
    .await;
    assert_eq!(
        status, 401,
        "a kiosk credential is not an integration token"
    );
    server.stop().await;
}

#[tokio::test]
async fn events_apply_once_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let token = &keys.integration;
    register(&base, token, CODE, "1.001193", "2025-11-20", "2025-11-25").await;

    let processing =
        json!({"event_id": "e-1", "dossier_code": CODE, "status": 4, "at": "2025-11-21T02:00:00Z"});
    let (status, receipt) = push_event(&base, token, processing.clone()).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["outcome"], "applied");
    assert_eq!(receipt["dossier"]["status"], 4);
    assert_eq!(history_statuses(&receipt["dossier"]), [2, 4]);

    // The same event again: a duplicate, and no extra history row.
    let (status, receipt) = push_event(&base, token, processing.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(receipt["outcome"], "duplicate");
    assert_eq!(history_statuses(&receipt["dossier"]), [2, 4]);

    // The same id with other content is refused, naming what differs.
    let mut changed = processing.clone();
    changed["status"] = json!(5);
    let (status, body) = push_event(&base, token, changed).await;
    assert_eq!(status, 409);
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("e-1") && message.contains("status"),
        "{message}"
    );
    let mut renoted = processing.clone();
    renoted["note"] = json!("khác");
    assert_eq!(push_event(&base, token, renoted).await.0, 409);

    // Resolved on the 24th, then a request for papers dated the 22nd arrives late: it takes its
    // place in the history, and the dossier stays resolved, early.
    let resolved =
        json!({"event_id": "e-3", "dossier_code": CODE, "status": 9, "at": "2025-11-24T03:00:00Z"});
    assert_eq!(push_event(&base, token, resolved).await.0, 200);
    let late = json!({"event_id": "e-2", "dossier_code": CODE, "status": 5, "at": "2025-11-22T03:00:00Z",
                      "note": "Thiếu giấy chứng sinh."});
    let (status, receipt) = push_event(&base, token, late).await;
    assert_eq!(status, 200);
    let dossier = &receipt["dossier"];
    assert_eq!(dossier["status"], 9);
    assert_eq!(history_statuses(dossier), [2, 4, 5, 9]);
    assert_eq!(dossier["history"][2]["note"], "Thiếu giấy chứng sinh.");
    assert_eq!(dossier["timeliness"], "early");

    // Handed over on the due date itself: resolution stays the first day it reached 9.
    let returned = json!({"event_id": "e-4", "dossier_code": CODE, "status": 10, "at": "2025-11-25T09:00:00Z"});
    let (_, receipt) = push_event(&base, token, returned).await;
    assert_eq!(receipt["dossier"]["status"], 10);
    assert_eq!(receipt["dossier"]["timeliness"], "early");
    server.stop().await;
}

#[tokio::test]
async fn events_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let token = &keys.integration;
    register(&base, token, CODE, "1.001193", "2025-11-20", "2025-11-25").await;

    let cases = [
        (
            json!({"event_id": "x", "dossier_code": "G09.20-20251120-0000009", "status": 4}),
            404,
            "unknown dossier",
        ),
        (
            json!({"event_id": "x", "dossier_code": CODE, "status": 11}),
            422,
            "unknown dossier status 11",
        ),
        (
            json!({"event_id": "has space", "dossier_code": CODE, "status": 4}),
            422,
            "event_id",
        ),
        (
            json!({"event_id": "", "dossier_code": CODE, "status": 4}),
            422,
            "event_id",
        ),
        (
            json!({"event_id": "x".repeat(101), "dossier_code": CODE, "status": 4}),
            422,
            "event_id",
        ),
        (
            json!({"event_id": "x", "dossier_code": CODE, "status": 4, "note": "a\u{7}b"}),
            422,
            "U+0007",
        ),
        (
            json!({"event_id": "x", "dossier_code": CODE, "status": 4, "note": "ă".repeat(1001)}),
            422,
            "1001 characters",
        ),
        (
            json!({"event_id": "x", "dossier_code": CODE, "status": 4, "at": "2099-01-01T00:00:00Z"}),
            422,
            "in the future",
        ),
        (
            json!({"event_id": "x", "dossier_code": CODE, "status": 4, "extra": 1}),
            422,
            "unknown field",
        ),
        (
            json!({"event_id": "x", "dossier_code": "nope", "status": 4}),
            422,
            "malformed dossier code",
        ),
    ];
    for (event, expected_status, expected_text) in cases {
        let (status, body) = push_event(&base, token, event.clone()).await;
        assert_eq!(status, expected_status, "{event}: {body}");
        let message = body["error"].as_str().unwrap_or_default();
        assert!(message.contains(expected_text), "{event}: {message}");
    }
    let (status, _) = push_event(
        &base,
        "mi_wrong",
        json!({"event_id": "x", "dossier_code": CODE, "status": 4}),
    )
    .await;
    assert_eq!(status, 401);
    // None of the refused events left a trace; a valid one without `at` gets the server's time.
    let (status, receipt) = push_event(
        &base,
        token,
        json!({"event_id": "x", "dossier_code": CODE, "status": 4, "note": "  "}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(history_statuses(&receipt["dossier"]), [2, 4]);
    assert!(
        receipt["dossier"]["history"][1].get("note").is_none(),
        "a blank note is no note"
    );
    // Resent without `at`: still the same event.
    let (_, receipt) = push_event(
        &base,
        token,
        json!({"event_id": "x", "dossier_code": CODE, "status": 4}),
    )
    .await;
    assert_eq!(receipt["outcome"], "duplicate");
    server.stop().await;
}

#[tokio::test]
async fn kiosk_api_needs_a_live_kiosk_credential() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let (_, registered) = register(
        &base,
        &keys.integration,
        CODE,
        "1.001193",
        "2025-11-20",
        "2025-11-25",
    )
    .await;
    let url = format!("{base}/api/v1/dossiers/{CODE}");

    let (status, headers, body) = get(&url, None).await;
    assert_eq!(status, 401);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert!(body.contains("missing credential"), "{body}");
    assert_eq!(get(&url, Some("mk_0000")).await.0, 401);
    assert_eq!(
        get(&url, Some(&keys.integration)).await.0,
        401,
        "integration token on a kiosk route"
    );

    let (status, _, body) = get(&url, Some(&keys.kiosk)).await;
    assert_eq!(status, 200);
    let view: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["code"], CODE);
    assert_eq!(view["status"], 2);
    assert_eq!(view["status_url"], registered["status_url"]);

    let token = view["status_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, body) = get(
        &format!("{base}/api/v1/dossiers/by-token/{token}"),
        Some(&keys.kiosk),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], CODE);

    for (path, expected) in [
        ("/api/v1/dossiers/not-a-code", 400),
        ("/api/v1/dossiers/G09.20-20251120-0000001", 404),
        ("/api/v1/dossiers/by-token/short", 400),
        ("/api/v1/dossiers/by-token/AAAAAAAAAAAAAAAAAAAAAA", 404),
    ] {
        let (status, _, body) = get(&format!("{base}{path}"), Some(&keys.kiosk)).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string());
    }

    let config = common::config(dir.path());
    open_operations(&config)
        .unwrap()
        .revoke_kiosk("quay-1", time::OffsetDateTime::now_utc())
        .unwrap();
    let (status, _, body) = get(&url, Some(&keys.kiosk)).await;
    assert_eq!(status, 401);
    assert!(body.contains("revoked"), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn an_enrollment_code_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let config = common::config(dir.path());
    let code = open_operations(&config)
        .unwrap()
        .add_kiosk("quay-2", time::OffsetDateTime::now_utc())
        .unwrap();
    let enroll = |code: String| {
        let base = base.clone();
        async move {
            let response = reqwest::Client::new()
                .post(format!("{base}/api/v1/kiosks/enroll"))
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = enroll(code.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["kiosk_name"], "quay-2");
    let credential = body["credential"].as_str().unwrap().to_owned();
    assert!(credential.starts_with("mk_"));
    let (status, _, _) = get(&format!("{base}/api/v1/dossiers/{CODE}"), Some(&credential)).await;
    assert_eq!(
        status, 404,
        "the credential works (the dossier just does not exist)"
    );

    let (status, body) = enroll(code).await;
    assert_eq!(status, 409);
    assert!(
        body["error"].as_str().unwrap().contains("already used"),
        "{body}"
    );
    let (status, body) = enroll("ABCD-EFGH-JK".into()).await;
    assert_eq!(status, 401);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("unknown enrollment code"),
        "{body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn openapi_lists_the_new_paths_with_their_security() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let (_, _, body) = get(&format!("{}/api/v1/openapi.json", server.base_url()), None).await;
    let api: Value = serde_json::from_str(&body).unwrap();
    let security = |path: &str, method: &str| -> Option<String> {
        let operation = &api["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} missing");
        operation["security"][0]
            .as_object()
            .and_then(|s| s.keys().next().cloned())
    };
    assert_eq!(
        security("/api/v1/dossiers/{code}", "get").as_deref(),
        Some("kiosk")
    );
    assert_eq!(
        security("/api/v1/dossiers/by-token/{token}", "get").as_deref(),
        Some("kiosk")
    );
    assert_eq!(
        security("/api/v1/integration/dossiers/{code}", "put").as_deref(),
        Some("integration")
    );
    assert_eq!(
        security("/api/v1/integration/status-events", "post").as_deref(),
        Some("integration")
    );
    assert_eq!(security("/api/v1/statistics", "get"), None);
    assert_eq!(security("/api/v1/kiosks/enroll", "post"), None);
    for scheme in ["kiosk", "integration"] {
        assert_eq!(
            api["components"]["securitySchemes"][scheme]["scheme"], "bearer",
            "{scheme}"
        );
    }
    let tags: Vec<&str> = api["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for tag in ["status", "integration", "operations"] {
        assert!(tags.contains(&tag), "{tag}");
    }
    assert_eq!(
        api["paths"]["/api/v1/integration/status-events"]["post"]["tags"][0],
        "integration"
    );
    let status_schema = &api["components"]["schemas"]["DossierStatus"];
    assert_eq!(status_schema["type"], "integer");
    assert_eq!(status_schema["maximum"], 10);
    server.stop().await;
}
