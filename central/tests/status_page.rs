//! The public status page and its rate limit, over real HTTP: the real server on 127.0.0.1 port 0
//! and the real reqwest client.

mod common;

use common::{get, keys, nz, register, spawn, spawn_with};
use reqwest::header::RETRY_AFTER;

const CODE: &str = "G09.20-20251120-0092637";

#[tokio::test]
async fn the_page_shows_procedure_masked_code_timeline_and_appointment_but_not_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    // Due far ahead so "in progress, on schedule" holds whatever day the test runs.
    let (status, view) = register(
        &base,
        &keys.integration,
        CODE,
        "1.001193",
        "2025-11-20",
        "2099-12-31",
    )
    .await;
    assert_eq!(status, 201, "{view}");
    let url = view["status_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{base}/ho-so/")), "{url}");
    assert_eq!(url.len(), base.len() + "/ho-so/".len() + 22);

    let (status, headers, html) = get(&url, None).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    common::assert_page_headers("the status page", &headers);
    assert_eq!(headers["cache-control"], "no-store");
    for expected in [
        "<h1>Đăng ký khai sinh</h1>",
        "G09.20-********-***2637",
        "Được tiếp nhận",
        "31/12/2099",
        "Đang giải quyết, còn trong hạn",
        "chờ đến ngày hẹn trả kết quả",
        "<ol class=\"timeline\">",
        "<meta name=\"viewport\"",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in {html}");
    }
    assert!(
        !html.contains(CODE),
        "the full dossier code must not appear"
    );
    assert!(!html.contains("0092637") && !html.contains("20251120"));
    assert!(!html.contains("<script"));

    let (_, _, english) = get(&format!("{url}?lang=en"), None).await;
    for expected in [
        "Accepted",
        "Appointment date for the result",
        "In progress, on schedule",
    ] {
        assert!(english.contains(expected), "missing {expected:?}");
    }
    server.stop().await;
}

#[tokio::test]
async fn status_changes_show_in_the_timeline_with_vietnam_time_and_the_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let (_, view) = register(
        &base,
        &keys.integration,
        CODE,
        "1.001612",
        "2025-11-20",
        "2025-11-25",
    )
    .await;
    let url = view["status_url"].as_str().unwrap().to_owned();
    let event = serde_json::json!({
        "event_id": "evt-1", "dossier_code": CODE, "status": 5,
        "at": "2025-11-21T08:40:00Z",
        "note": "Thiếu bản sao hợp đồng thuê địa điểm kinh doanh."
    });
    let (status, _) = common::push_event(&base, &keys.integration, event).await;
    assert_eq!(status, 200);
    let (_, _, html) = get(&url, None).await;
    for expected in [
        "Yêu cầu bổ sung giấy tờ",
        "21/11/2025 15:40", // 08:40 UTC is 15:40 in Vietnam
        "Thiếu bản sao hợp đồng thuê địa điểm kinh doanh.",
        "mang các giấy tờ còn thiếu",
        "25/11/2025",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
    // Newest first: the request for papers comes before the acceptance.
    let papers = html.find("21/11/2025 15:40").unwrap();
    let accepted = html.find("Được tiếp nhận").unwrap();
    assert!(papers < accepted);
    server.stop().await;
}

#[tokio::test]
async fn unknown_and_malformed_tokens_get_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let (status, headers, unknown) =
        get(&format!("{base}/ho-so/AAAAAAAAAAAAAAAAAAAAAA"), None).await;
    assert_eq!(status, 404);
    assert_eq!(headers["cache-control"], "no-store");
    assert!(unknown.contains("Không tìm thấy hồ sơ"));
    for malformed in [
        "short",
        "AAAAAAAAAAAAAAAAAAAAA%3D",
        "bad%FF",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "a/b/c",
        &"x".repeat(500),
        "",
    ] {
        let (status, _, body) = get(&format!("{base}/ho-so/{malformed}"), None).await;
        assert_eq!(status, 404, "{malformed}");
        assert_eq!(
            body, unknown,
            "{malformed}: the body must not tell malformed from unknown"
        );
    }
    let (_, _, english) = get(&format!("{base}/ho-so/short?lang=en"), None).await;
    let (_, _, english_unknown) = get(
        &format!("{base}/ho-so/AAAAAAAAAAAAAAAAAAAAAA?lang=en"),
        None,
    )
    .await;
    assert!(english.contains("Dossier not found"));
    assert_eq!(english, english_unknown);
    server.stop().await;
}

async fn status_from(client: &reqwest::Client, url: &str, from: &str) -> reqwest::Response {
    client
        .get(url)
        .header("x-forwarded-for", from)
        .send()
        .await
        .unwrap()
}

/// A server that gives each client (by `X-Forwarded-For`) a burst of 3, then 1 a minute.
async fn three_tries_a_minute(dir: &std::path::Path) -> motcua_central::RunningServer {
    spawn_with(dir, |c| {
        c.status_page_burst = nz(3);
        c.status_page_per_minute = nz(1);
        c.trust_forwarded_for = true;
    })
    .await
}

#[tokio::test]
async fn each_client_gets_its_burst_then_429_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let server = three_tries_a_minute(dir.path()).await;
    let url = format!("{}/ho-so/AAAAAAAAAAAAAAAAAAAAAA", server.base_url());
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let response = status_from(&client, &url, "198.51.100.1").await;
        assert_eq!(response.status(), 404);
    }
    let refused = status_from(&client, &url, "198.51.100.1, 10.0.0.1").await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let body = refused.text().await.unwrap();
    assert!(body.contains("Quá nhiều yêu cầu") && body.contains("Too many requests"));

    // Another client is not affected, and catalog pages are not limited at all.
    assert_eq!(
        status_from(&client, &url, "198.51.100.2").await.status(),
        404
    );
    let procedure = format!("{}/thu-tuc/1.001193", server.base_url());
    assert_eq!(
        status_from(&client, &procedure, "198.51.100.1")
            .await
            .status(),
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(dir.path(), |c| {
        c.status_page_burst = nz(2);
        c.status_page_per_minute = nz(1);
    })
    .await;
    let url = format!("{}/ho-so/AAAAAAAAAAAAAAAAAAAAAA", server.base_url());
    let client = reqwest::Client::new();
    // Three "different" clients by header, one real TCP peer: the header changes nothing.
    assert_eq!(
        status_from(&client, &url, "203.0.113.1").await.status(),
        404
    );
    assert_eq!(
        status_from(&client, &url, "203.0.113.2").await.status(),
        404
    );
    assert_eq!(
        status_from(&client, &url, "203.0.113.3").await.status(),
        429
    );
    server.stop().await;
}

/// Guessing enrollment codes or phone upload links meets the same per-client limit as guessing
/// status tokens: a few tries, then 429, while another client still gets answers.
#[tokio::test]
async fn guessing_enrollment_codes_and_phone_links_is_limited_too() {
    for (what, path) in [
        ("enrollment", "/api/v1/kiosks/enroll"),
        ("phone upload page", "/tai-len/AAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let server = three_tries_a_minute(dir.path()).await;
        let url = format!("{}{path}", server.base_url());
        let client = reqwest::Client::new();
        let guess = |from: &'static str| {
            let request = if path.starts_with("/api/") {
                client
                    .post(&url)
                    .json(&serde_json::json!({ "code": "K7QM-X2CP-9H" }))
            } else {
                client.get(&url)
            };
            async move {
                request
                    .header("x-forwarded-for", from)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        for attempt in 0..3 {
            let status = guess("198.51.100.7").await;
            assert!(
                status != 429 && (400..500).contains(&status),
                "{what}, try {attempt}: {status}"
            );
        }
        assert_eq!(guess("198.51.100.7").await, 429, "{what}");
        assert_ne!(guess("198.51.100.8").await, 429, "{what}: another client");
        server.stop().await;
    }
}
