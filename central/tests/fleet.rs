//! Fleet health and remote configuration against a real server: kiosks' heartbeats, the staff
//! fleet view and its sign-in, remote configuration, and the command line that sets them up.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use motcua_central::operations::AlertRules;
use motcua_protocol::{Heartbeat, PrinterState};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

const STAFF: &str = "an.nguyen";
const PASSWORD: &str = "mat-khau-thu-nghiem";

fn add_staff(dir: &Path) {
    motcua_central::open_operations(&common::config(dir))
        .unwrap()
        .add_staff(STAFF, PASSWORD, OffsetDateTime::now_utc())
        .unwrap();
}

fn heartbeat() -> Value {
    json!({
        "version": "0.1.0",
        "uptime_secs": 5400,
        "catalog_cursor": "17",
        "catalog_synced_at": OffsetDateTime::now_utc().unix_timestamp() - 120,
        "outbox_depth": 0,
        "outbox_oldest_age_secs": null,
        "last_errors": [],
        "disk_free_bytes": 40_000_000_000u64,
        "printer": "ready",
        "config_version": 0,
        "config_error": null
    })
}

fn with(mut base: Value, changes: Value) -> Value {
    for (key, value) in changes.as_object().unwrap() {
        base[key] = value.clone();
    }
    base
}

/// `POST /api/v1/kiosks/heartbeat`: (HTTP status, body).
async fn beat(base: &str, credential: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/kiosks/heartbeat"))
        .bearer_auth(credential)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn staff_request(method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, url)
        .basic_auth(STAFF, Some(PASSWORD))
}

/// A staff GET of a page: (status, headers, body).
async fn staff_get(url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = staff_request(reqwest::Method::GET, url)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn fleet_json(base: &str) -> Vec<Value> {
    let (status, headers, body) = staff_get(&format!("{base}/api/v1/fleet")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers[CACHE_CONTROL], "no-store");
    serde_json::from_str(&body).unwrap()
}

fn kiosk<'a>(fleet: &'a [Value], name: &str) -> &'a Value {
    fleet
        .iter()
        .find(|k| k["name"] == name)
        .unwrap_or_else(|| panic!("no kiosk {name} in {fleet:?}"))
}

/// `PUT /api/v1/fleet/kiosks/{name}/config`: (status, body).
async fn put_config(base: &str, name: &str, content_type: &str, settings: &str) -> (u16, Value) {
    let response = staff_request(
        reqwest::Method::PUT,
        &format!("{base}/api/v1/fleet/kiosks/{name}/config"),
    )
    .header(CONTENT_TYPE, content_type)
    .body(settings.to_owned())
    .send()
    .await
    .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn heartbeats_show_on_the_fleet_page_and_in_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    motcua_central::issue_kiosk_credential(&common::config(dir.path()), "quay-2").unwrap();
    add_staff(dir.path());

    let before = OffsetDateTime::now_utc().unix_timestamp();
    let (status, answer) = beat(
        &base,
        &keys.kiosk,
        &with(
            heartbeat(),
            json!({"version": "0.4.2", "last_errors": ["catalog sync failed: timed out"]}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"config": null}));

    let fleet = fleet_json(&base).await;
    assert_eq!(fleet.len(), 2);
    let one = kiosk(&fleet, "quay-1");
    assert_eq!(one["health"]["version"], "0.4.2");
    assert_eq!(one["health"]["catalog_cursor"], "17");
    assert_eq!(one["health"]["printer"], "ready");
    assert_eq!(
        one["health"]["last_errors"],
        json!(["catalog sync failed: timed out"])
    );
    let seen = one["last_seen"].as_i64().unwrap();
    assert!(seen >= before && seen <= before + 60, "{seen}");
    assert_eq!(one["alerts"], json!([]));
    // A kiosk that never reported is silent.
    let two = kiosk(&fleet, "quay-2");
    assert!(two["health"].is_null() && two["last_seen"].is_null());
    assert_eq!(two["alerts"], json!(["silent"]));

    let (status, headers, page) = staff_get(&format!("{base}/fleet")).await;
    assert_eq!(status, 200);
    assert_eq!(headers[CACHE_CONTROL], "no-store");
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    for expected in [
        "href=\"/fleet/kiosks/quay-1\"",
        "0.4.2",
        "Bình thường",
        "Chưa từng báo về",
        "Sẵn sàng",
        "1 cần chú ý",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    // The kiosk that needs attention comes first.
    assert!(page.find("/fleet/kiosks/quay-2") < page.find("/fleet/kiosks/quay-1"));
    assert!(!page.contains("<script"));

    let (status, headers, page) = staff_get(&format!("{base}/fleet/kiosks/quay-1")).await;
    assert_eq!(status, 200);
    assert_eq!(headers[CACHE_CONTROL], "no-store");
    for expected in [
        "Kiosk quay-1",
        "catalog sync failed: timed out",
        "1 giờ 30 phút",
        "Chưa có cấu hình từ xa",
        "width=device-width",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    let (status, _, page) = staff_get(&format!("{base}/fleet/kiosks/nobody")).await;
    assert_eq!(status, 404);
    assert!(page.contains("Không có kiosk"), "{page}");
    server.stop().await;
}

#[tokio::test]
async fn staff_routes_want_a_staff_password_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    add_staff(dir.path());
    let routes = [
        (reqwest::Method::GET, "/fleet"),
        (reqwest::Method::GET, "/fleet/kiosks/quay-1"),
        (reqwest::Method::GET, "/api/v1/fleet"),
        (reqwest::Method::GET, "/api/v1/fleet/kiosks/quay-1/config"),
        (reqwest::Method::PUT, "/api/v1/fleet/kiosks/quay-1/config"),
    ];
    let client = reqwest::Client::new();
    let challenge = "Basic realm=\"motcua\", charset=\"UTF-8\"";
    for (method, path) in &routes {
        let url = format!("{base}{path}");
        // Nothing, a kiosk's credential, an integration token: none of them is a staff sign-in,
        // and none of them counts as a failed one.
        for request in [
            client.request(method.clone(), &url),
            client
                .request(method.clone(), &url)
                .bearer_auth(&keys.kiosk),
            client
                .request(method.clone(), &url)
                .bearer_auth(&keys.integration),
        ] {
            let response = request
                .header(CONTENT_TYPE, "text/plain")
                .body("center_name = \"X\"")
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            assert_eq!(response.headers()[WWW_AUTHENTICATE], challenge, "{path}");
        }
    }
    // A wrong password and an unknown name get the same answer.
    for (name, password) in [(STAFF, "sai-mat-khau-roi"), ("ai-do", PASSWORD)] {
        let response = client
            .get(format!("{base}/api/v1/fleet"))
            .basic_auth(name, Some(password))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(response.headers()[WWW_AUTHENTICATE], challenge);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unknown staff name or wrong password");
    }
    let response = client
        .get(format!("{base}/fleet"))
        .basic_auth(STAFF, Some("sai-mat-khau-roi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.text().await.unwrap().contains("Cần đăng nhập"));
    // The kiosk API, in turn, refuses a staff sign-in.
    let response = staff_request(
        reqwest::Method::POST,
        &format!("{base}/api/v1/kiosks/heartbeat"),
    )
    .json(&heartbeat())
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // And the right password opens every staff route.
    let (status, _, _) = staff_get(&format!("{base}/fleet/kiosks/quay-1")).await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_client_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn_with(dir.path(), |c| {
        c.staff_auth_max_failures = common::nz(3);
    })
    .await;
    let base = server.base_url();
    add_staff(dir.path());
    let client = reqwest::Client::new();
    for attempt in 0..3 {
        let response = client
            .get(format!("{base}/api/v1/fleet"))
            .basic_auth(STAFF, Some(format!("doan-mo-so-{attempt}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{attempt}");
    }
    // Now even the right password is refused until the window ends.
    let response = staff_request(reqwest::Method::GET, &format!("{base}/api/v1/fleet"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((850..=900).contains(&wait), "{wait}");
    // A request without credentials is no sign-in: it still gets the challenge, not 429.
    let response = client
        .get(format!("{base}/api/v1/fleet"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic"),
        "{:?}",
        response.headers()
    );
    let (status, _, page) = staff_get(&format!("{base}/fleet")).await;
    assert_eq!(status, 429);
    assert!(page.contains("Quá nhiều lần đăng nhập sai"), "{page}");
    server.stop().await;
}

#[tokio::test]
async fn a_revoked_or_unknown_kiosk_cannot_report() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    assert_eq!(beat(&base, &keys.kiosk, &heartbeat()).await.0, 200);
    motcua_central::open_operations(&common::config(dir.path()))
        .unwrap()
        .revoke_kiosk("quay-1", OffsetDateTime::now_utc())
        .unwrap();
    let (status, body) = beat(&base, &keys.kiosk, &heartbeat()).await;
    assert_eq!(status, 401);
    assert!(
        body["error"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    let (status, _) = beat(&base, "mk_0000", &heartbeat()).await;
    assert_eq!(status, 401);
    // The revoked kiosk stays in the fleet, marked, without alerts.
    add_staff(dir.path());
    let fleet = fleet_json(&base).await;
    let one = kiosk(&fleet, "quay-1");
    assert!(one["revoked_at"].is_i64());
    assert_eq!(one["alerts"], json!([]));
    let (_, _, page) = staff_get(&format!("{base}/fleet")).await;
    assert!(page.contains("Đã thu hồi"), "{page}");
    server.stop().await;
}

#[tokio::test]
async fn remote_configuration_reaches_the_kiosk_with_its_next_heartbeat() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    add_staff(dir.path());
    let config_url = format!("{base}/api/v1/fleet/kiosks/quay-1/config");
    let (status, _, _) = staff_get(&config_url).await;
    assert_eq!(status, 404, "nothing stored yet");

    let settings = "center_name = \"Trung tâm Phục vụ Hành chính công tỉnh Demo\"\n\
                    orientation = \"landscape\"\n[printer]\nkind = \"network\"\n";
    let (status, stored) = put_config(&base, "quay-1", "text/plain; charset=utf-8", settings).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored, json!({"version": 1, "settings": settings}));
    let (status, _, body) = staff_get(&config_url).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"version": 1, "settings": settings})
    );

    // The next heartbeat carries it; once the kiosk runs it, nothing more is sent.
    let (status, answer) = beat(&base, &keys.kiosk, &heartbeat()).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"config": {"version": 1, "settings": settings}})
    );
    let running = with(heartbeat(), json!({"config_version": 1}));
    assert_eq!(
        beat(&base, &keys.kiosk, &running).await.1,
        json!({"config": null})
    );

    // The same settings again change nothing; new ones are version 2.
    assert_eq!(
        put_config(&base, "quay-1", "application/toml", settings)
            .await
            .1["version"],
        1
    );
    let (status, stored) =
        put_config(&base, "quay-1", "application/toml", "fullscreen = true\n").await;
    assert_eq!((status, stored["version"].clone()), (200, json!(2)));
    assert_eq!(
        beat(&base, &keys.kiosk, &running).await.1["config"]["version"],
        2
    );

    // Refused: settings that stay local, and bodies that are not TOML text.
    for (refused, named) in [
        (
            "server_url = \"http://evil.example\"\n",
            "\"server_url\" cannot be set remotely",
        ),
        (
            "[printer]\nlp_command = \"sh -c reboot\"\n",
            "printer.lp_command cannot be set remotely",
        ),
        (
            "staff_pin_hash = \"x\"\n",
            "\"staff_pin_hash\" cannot be set remotely",
        ),
        ("center_name = \n", "not valid TOML"),
    ] {
        let (status, body) = put_config(&base, "quay-1", "text/plain", refused).await;
        assert_eq!(status, 422, "{refused}");
        assert!(
            body["error"].as_str().unwrap().contains(named),
            "{refused}: {body}"
        );
    }
    let (status, _) = put_config(&base, "quay-1", "application/json", "{}").await;
    assert_eq!(status, 415);
    let (status, _) = put_config(&base, "nobody", "text/plain", "fullscreen = true").await;
    assert_eq!(status, 404);
    let (status, _) = put_config(&base, "quay-1", "text/plain", &"#".repeat(70_000)).await;
    assert_eq!(status, 413);
    // Nothing refused was stored.
    let (_, _, body) = staff_get(&config_url).await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"version": 2, "settings": "fullscreen = true\n"})
    );

    let fleet = fleet_json(&base).await;
    let one = kiosk(&fleet, "quay-1");
    assert_eq!(one["stored_config"]["version"], 2);
    assert_eq!(one["stored_config"]["set_by"], STAFF);
    assert_eq!(one["health"]["config_version"], 1);
    let (_, _, page) = staff_get(&format!("{base}/fleet/kiosks/quay-1")).await;
    for expected in ["1 / 2 (chưa áp dụng)", "fullscreen = true", "an.nguyen lúc"] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    server.stop().await;
}

#[tokio::test]
async fn alerts_follow_the_configured_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn_with(dir.path(), |c| {
        c.fleet_outbox_stuck_after_secs = std::num::NonZeroU64::new(600).unwrap();
    })
    .await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    let config = common::config(dir.path());
    motcua_central::issue_kiosk_credential(&config, "quay-2").unwrap();
    motcua_central::issue_kiosk_credential(&config, "quay-3").unwrap();
    add_staff(dir.path());

    // quay-1: everything wrong but silence. 700 s is stuck with this server's 600 s threshold
    // (the default is 1800 s).
    let troubled = with(
        heartbeat(),
        json!({
            "outbox_depth": 3,
            "outbox_oldest_age_secs": 700,
            "printer": "out_of_paper",
            "disk_free_bytes": 200_000_000u64,
            "config_version": 1,
            "config_error": "orientation: expected \"portrait\" or \"landscape\""
        }),
    );
    assert_eq!(beat(&base, &keys.kiosk, &troubled).await.0, 200);
    // quay-2: its last heartbeat was an hour ago (written through the store, not waited for).
    let old: Heartbeat = serde_json::from_value(heartbeat()).unwrap();
    motcua_central::open_operations(&config)
        .unwrap()
        .record_heartbeat(
            "quay-2",
            &old,
            OffsetDateTime::now_utc() - Duration::hours(1),
        )
        .unwrap();
    // quay-3: paper low and an outbox within the threshold are no alerts.
    let fine = Heartbeat {
        printer: PrinterState::PaperLow,
        outbox_depth: 1,
        outbox_oldest_age_secs: Some(500),
        ..old.clone()
    };
    motcua_central::open_operations(&config)
        .unwrap()
        .record_heartbeat("quay-3", &fine, OffsetDateTime::now_utc())
        .unwrap();

    let fleet = fleet_json(&base).await;
    assert_eq!(
        kiosk(&fleet, "quay-1")["alerts"],
        json!(["outbox_stuck", "printer", "disk_low", "config_refused"])
    );
    assert_eq!(kiosk(&fleet, "quay-2")["alerts"], json!(["silent"]));
    assert_eq!(kiosk(&fleet, "quay-3")["alerts"], json!([]));
    assert_eq!(
        kiosk(&fleet, "quay-1")["health"]["config_error"],
        "orientation: expected \"portrait\" or \"landscape\""
    );

    let (_, _, page) = staff_get(&format!("{base}/fleet")).await;
    for expected in [
        "Hồ sơ chờ gửi bị kẹt: 3, lâu nhất 11 phút",
        "Máy in: Hết giấy",
        "Ổ đĩa sắp đầy: còn 190,7 MB",
        "Từ chối cấu hình mới",
        "Mất liên lạc 1 giờ",
        "Sắp hết giấy",
        "2 cần chú ý",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    let (_, _, page) = staff_get(&format!("{base}/fleet/kiosks/quay-1")).await;
    assert!(
        page.contains("orientation: expected &quot;portrait&quot; or &quot;landscape&quot;"),
        "{page}"
    );
    assert!(page.contains("Kiosk từ chối cấu hình mới"));

    // The default rules say the same of the same data at the same moment, but for the outbox.
    let store = motcua_central::open_operations(&config).unwrap();
    let quay1 = store
        .fleet_kiosk("quay-1", OffsetDateTime::now_utc(), &AlertRules::default())
        .unwrap()
        .unwrap();
    assert_eq!(quay1.alerts.len(), 3, "{:?}", quay1.alerts);
    server.stop().await;
}

#[tokio::test]
async fn reported_text_is_escaped_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    add_staff(dir.path());
    let hostile = with(
        heartbeat(),
        json!({
            "version": "<b>x</b>",
            "last_errors": ["<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>"],
            "config_error": "<iframe src=//evil>",
            "catalog_cursor": "<i>c</i>"
        }),
    );
    assert_eq!(beat(&base, &keys.kiosk, &hostile).await.0, 200);
    for path in ["/fleet", "/fleet/kiosks/quay-1"] {
        let (status, headers, page) = staff_get(&format!("{base}{path}")).await;
        assert_eq!(status, 200);
        for raw in ["<script", "<b>x", "<img", "<iframe", "<i>c"] {
            assert!(!page.contains(raw), "{path} carries {raw:?}:\n{page}");
        }
        assert!(page.contains("&lt;b&gt;x&lt;/b&gt;"), "{path}:\n{page}");
        assert!(
            page.contains("&lt;iframe src=//evil&gt;"),
            "{path}:\n{page}"
        );
        common::assert_page_headers(&path, &headers);
    }
    let (_, _, page) = staff_get(&format!("{base}/fleet/kiosks/quay-1")).await;
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "{page}"
    );
    server.stop().await;
}

#[tokio::test]
async fn heartbeats_over_the_limits_are_refused_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    add_staff(dir.path());
    let at_limits = with(
        heartbeat(),
        json!({"version": "v".repeat(64), "last_errors": vec!["e".repeat(300); 10]}),
    );
    let cases = [
        (
            json!({"last_errors": vec!["error"; 11]}),
            "last_errors has 11 entries; send at most 10",
        ),
        (
            json!({"last_errors": ["ok", "é".repeat(301)]}),
            "last_errors[1] has 301 characters; each error must be at most 300",
        ),
        (
            json!({"version": "v".repeat(65)}),
            "version must be 1 to 64 characters",
        ),
        (json!({"surprise": true}), "unknown field `surprise`"),
        (json!({"printer": "on_fire"}), "printer"),
    ];
    for (change, message) in cases {
        let (status, body) = beat(&base, &keys.kiosk, &with(heartbeat(), change.clone())).await;
        assert_eq!(status, 422, "{change}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(message),
            "{change}: {body}"
        );
    }
    assert!(
        kiosk(&fleet_json(&base).await, "quay-1")["health"].is_null(),
        "a refused heartbeat stores nothing"
    );
    assert_eq!(beat(&base, &keys.kiosk, &at_limits).await.0, 200);
    let fleet = fleet_json(&base).await;
    assert_eq!(
        kiosk(&fleet, "quay-1")["health"]["last_errors"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_fleet_routes() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let (status, _, body) =
        common::get(&format!("{}/api/v1/openapi.json", server.base_url()), None).await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).unwrap();
    let heartbeat = &doc["paths"]["/api/v1/kiosks/heartbeat"]["post"];
    assert_eq!(heartbeat["tags"], json!(["operations"]));
    assert_eq!(heartbeat["security"], json!([{"kiosk": []}]));
    for (path, method) in [
        ("/api/v1/fleet", "get"),
        ("/api/v1/fleet/kiosks/{name}/config", "get"),
        ("/api/v1/fleet/kiosks/{name}/config", "put"),
    ] {
        let operation = &doc["paths"][path][method];
        assert_eq!(
            operation["security"],
            json!([{"staff": []}]),
            "{method} {path}"
        );
        assert_eq!(operation["tags"], json!(["operations"]), "{method} {path}");
    }
    let staff = &doc["components"]["securitySchemes"]["staff"];
    assert_eq!(
        (staff["type"].as_str(), staff["scheme"].as_str()),
        (Some("http"), Some("basic"))
    );
    let schema = &doc["components"]["schemas"]["FleetKiosk"]["properties"];
    for field in ["name", "last_seen", "health", "stored_config", "alerts"] {
        assert!(
            schema.get(field).is_some(),
            "FleetKiosk lacks {field}: {schema}"
        );
    }
    let alert = doc["components"]["schemas"]["Alert"].to_string();
    assert!(
        alert.contains("outbox_stuck") && alert.contains("config_refused"),
        "{alert}"
    );
    server.stop().await;
}

fn central(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua-central"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let output = central(dir, args, stdin);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn fails(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let output = central(dir, args, stdin);
    assert!(!output.status.success(), "{args:?} should fail");
    String::from_utf8(output.stderr).unwrap()
}

#[tokio::test]
async fn staff_and_kiosk_configuration_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = ok(d, &["staff", "add", "an"], None);
    let password = out
        .lines()
        .find_map(|line| line.strip_prefix("    "))
        .unwrap_or_else(|| panic!("no password in\n{out}"))
        .to_owned();
    assert_eq!(password.len(), 19, "{password}");
    assert!(fails(d, &["staff", "add", "an"], None).contains("already exists"));
    let out = ok(
        d,
        &["staff", "add", "binh", "--password-stdin"],
        Some("mot-cau-mat-khau-dai\n"),
    );
    assert!(
        !out.contains("mot-cau"),
        "a chosen password is not echoed: {out}"
    );
    assert!(
        fails(
            d,
            &["staff", "add", "chi", "--password-stdin"],
            Some("ngan\n")
        )
        .contains("at least 12")
    );
    let list = ok(d, &["staff", "list", "--json"], None);
    let names: Vec<Value> = serde_json::from_str::<Vec<Value>>(&list)
        .unwrap()
        .into_iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(names, [json!("an"), json!("binh")]);
    assert!(!list.contains("argon2"), "{list}");

    ok(d, &["kiosk", "add", "quay-1"], None);
    let settings = d.join("settings.toml");
    std::fs::write(
        &settings,
        "center_name = \"Bộ phận Một cửa\"\nfullscreen = true\n",
    )
    .unwrap();
    let file = settings.to_str().unwrap();
    let out = ok(d, &["kiosk", "config", "quay-1", "--file", file], None);
    assert!(out.contains("version 1 stored"), "{out}");
    let out = ok(d, &["kiosk", "config", "quay-1", "--file", file], None);
    assert!(out.contains("unchanged"), "{out}");
    let shown = ok(d, &["kiosk", "config", "quay-1", "--show"], None);
    assert!(
        shown.starts_with("# kiosk quay-1: remote configuration version 1, set by command line"),
        "{shown}"
    );
    assert!(
        shown.ends_with("center_name = \"Bộ phận Một cửa\"\nfullscreen = true\n"),
        "{shown}"
    );
    let err = fails(
        d,
        &["kiosk", "config", "quay-1", "--file", "-"],
        Some("data_dir = \"/tmp\"\n"),
    );
    assert!(err.contains("\"data_dir\" cannot be set remotely"), "{err}");
    assert!(fails(d, &["kiosk", "config", "quay-1"], None).contains("--file"));
    assert!(
        fails(d, &["kiosk", "config", "nobody", "--file", file], None)
            .contains("no kiosk named nobody")
    );

    // The accounts sign in to a running server, and removing one ends it at once.
    let server = common::spawn(d).await;
    let url = format!("{}/api/v1/fleet", server.base_url());
    let client = reqwest::Client::new();
    let sign_in = |name: &'static str, password: String| {
        let client = client.clone();
        let url = url.clone();
        async move {
            client
                .get(url)
                .basic_auth(name, Some(password))
                .send()
                .await
                .unwrap()
        }
    };
    let response = sign_in("an", password.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fleet: Vec<Value> = response.json().await.unwrap();
    assert_eq!(kiosk(&fleet, "quay-1")["stored_config"]["version"], 1);
    assert_eq!(
        kiosk(&fleet, "quay-1")["stored_config"]["set_by"],
        "command line"
    );
    assert_eq!(
        sign_in("binh", "mot-cau-mat-khau-dai".into())
            .await
            .status(),
        StatusCode::OK
    );
    ok(d, &["staff", "remove", "an"], None);
    assert_eq!(
        sign_in("an", password.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(fails(d, &["staff", "remove", "an"], None).contains("no staff account named an"));
    server.stop().await;
}
