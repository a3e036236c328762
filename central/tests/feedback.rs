//! Satisfaction ratings and feedback against a real server on 127.0.0.1 port 0 with the real
//! reqwest client: delivery under an idempotency key, the per-kiosk limit, the public lookup and
//! page, staff answers and statistics, the fleet page, and the command line.

mod common;

use std::path::Path;

use common::{assert_page_headers, fails, get, keys, nz, ok, spawn, spawn_with};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::macros::{offset, time};
use time::{Date, Month, OffsetDateTime};

const STAFF: &str = "an.nguyen";
const PASSWORD: &str = "mat-khau-thu-nghiem";
const REFERENCE: &str = "PA-4821-0937-5512";
const PHONE: &str = "0912345678";

fn add_staff(dir: &Path) {
    motcua_central::open_operations(&common::config(dir))
        .unwrap()
        .add_staff(STAFF, PASSWORD, OffsetDateTime::now_utc())
        .unwrap();
}

fn second_kiosk(dir: &Path) -> String {
    motcua_central::issue_kiosk_credential(&common::config(dir), "quay-2").unwrap()
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap()
}

/// Noon, Vietnam time, on the first day of the month `back` months before this one.
fn month_start(back: u32) -> OffsetDateTime {
    let today = OffsetDateTime::now_utc().to_offset(offset!(+7)).date();
    let (mut year, mut month) = (today.year(), today.month());
    for _ in 0..back {
        if month == Month::January {
            year -= 1;
        }
        month = month.previous();
    }
    Date::from_calendar_date(year, month, 1)
        .unwrap()
        .with_time(time!(12:00))
        .assume_offset(offset!(+7))
}

fn month_key(at: OffsetDateTime) -> String {
    format!("{:04}-{:02}", at.year(), u8::from(at.month()))
}

fn rating(satisfaction: &str) -> Value {
    json!({
        "satisfaction": satisfaction,
        "dossier_code": "G09.20-20261120-0092637",
        "service_point": "Hộ tịch",
        "comment": "Cán bộ hướng dẫn tận tình.",
        "rated_at": rfc3339(OffsetDateTime::now_utc()),
    })
}

fn feedback(reference: &str, text: &str) -> Value {
    json!({
        "reference": reference,
        "topic": "facilities",
        "text": text,
        "phone": "0912 345 678",
        "submitted_at": "2026-11-22T09:15:00+07:00",
    })
}

/// A kiosk's `PUT` of JSON: (status, headers, body).
async fn put(
    base: &str,
    credential: &str,
    path: &str,
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = reqwest::Client::new()
        .put(format!("{base}{path}"))
        .bearer_auth(credential)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

fn staff(method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, url)
        .basic_auth(STAFF, Some(PASSWORD))
}

/// `GET /api/v1/feedback[?query]` as staff.
async fn staff_list(base: &str, query: &str) -> Vec<Value> {
    let response = staff(
        reqwest::Method::GET,
        &format!("{base}/api/v1/feedback{query}"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    response.json().await.unwrap()
}

/// `POST /api/v1/feedback/{reference}/answer` as staff: (status, body).
async fn answer(base: &str, reference: &str, text: &str) -> (u16, Value) {
    let response = staff(
        reqwest::Method::POST,
        &format!("{base}/api/v1/feedback/{reference}/answer"),
    )
    .json(&json!({ "text": text }))
    .send()
    .await
    .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn statistics(base: &str, months: u32) -> Value {
    let response = staff(
        reqwest::Method::GET,
        &format!("{base}/api/v1/ratings/statistics?months={months}"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn counts(very: u64, satisfied: u64, dissatisfied: u64) -> Value {
    json!({"very_satisfied": very, "satisfied": satisfied, "dissatisfied": dissatisfied})
}

#[tokio::test]
async fn a_rating_is_stored_once_and_a_changed_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let body = rating("very_satisfied");
    let (status, _, first) = put(&base, &keys.kiosk, "/api/v1/ratings/r-0001", &body).await;
    assert_eq!(status, 201, "{first}");
    assert!(first["received_at"].is_string(), "{first}");
    // A resend after a lost answer: the same receipt.
    let (status, _, again) = put(&base, &keys.kiosk, "/api/v1/ratings/r-0001", &body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, first);
    // The same key with another face is not the same rating.
    let (status, _, refused) = put(
        &base,
        &keys.kiosk,
        "/api/v1/ratings/r-0001",
        &rating("dissatisfied"),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("already used for a different rating"),
        "{refused}"
    );
    // A new key is a new rating.
    let (status, _, _) = put(&base, &keys.kiosk, "/api/v1/ratings/r-0002", &body).await;
    assert_eq!(status, 201);

    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/ratings/r-0003");
    let response = client
        .put(&url)
        .bearer_auth(&keys.kiosk)
        .header(CONTENT_TYPE, "text/plain")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = client
        .put(&url)
        .bearer_auth(&keys.kiosk)
        .header(CONTENT_TYPE, "application/json")
        .body("{\"satisfaction\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (status, _, body) = put(
        &base,
        &keys.kiosk,
        "/api/v1/ratings/r-0003",
        &json!({"satisfaction": "happy", "rated_at": "2026-11-22T09:00:00+07:00"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, _, _) = put(&base, &keys.kiosk, "/api/v1/ratings/bad%20key", &body).await;
    assert_eq!(status, 400);
    let response = client
        .put(&url)
        .bearer_auth(&keys.kiosk)
        .header(CONTENT_TYPE, "application/json")
        .body(format!("{{\"comment\": \"{}\"}}", "x".repeat(20_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Only the two new ratings count.
    add_staff(dir.path());
    let stats = statistics(&base, 1).await;
    assert_eq!(stats["total"], counts(2, 0, 0), "{stats}");
    server.stop().await;
}

#[tokio::test]
async fn kiosk_routes_want_a_live_kiosk_credential() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    add_staff(dir.path());
    let routes = [
        ("/api/v1/ratings/k-1", rating("satisfied")),
        (
            "/api/v1/feedback/k-1",
            feedback(REFERENCE, "Thiếu ghế chờ."),
        ),
    ];
    let client = reqwest::Client::new();
    for (path, body) in &routes {
        let url = format!("{base}{path}");
        for request in [
            client.put(&url),
            client.put(&url).bearer_auth("mk_unknown"),
            client.put(&url).bearer_auth(&keys.integration),
            client.put(&url).basic_auth(STAFF, Some(PASSWORD)),
        ] {
            let response = request.json(body).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        let (status, _, _) = put(&base, &keys.kiosk, path, body).await;
        assert_eq!(status, 201, "{path}");
    }
    motcua_central::open_operations(&common::config(dir.path()))
        .unwrap()
        .revoke_kiosk("quay-1", OffsetDateTime::now_utc())
        .unwrap();
    for (path, body) in &routes {
        // Not even a resend of what is stored.
        let (status, _, error) = put(&base, &keys.kiosk, path, body).await;
        assert_eq!(status, 401, "{path}");
        assert!(
            error["error"].as_str().unwrap().contains("revoked"),
            "{error}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn too_long_text_is_refused_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    add_staff(dir.path());
    let mut body = rating("satisfied");
    body["comment"] = json!("à".repeat(501));
    let (status, _, error) = put(&base, &keys.kiosk, "/api/v1/ratings/long", &body).await;
    assert_eq!(status, 422, "{error}");
    let message = error["error"].as_str().unwrap();
    assert!(
        message.contains("the text is 501 characters long; at most 500 are allowed"),
        "{message}"
    );
    // 500 is fine, counted in characters, not bytes.
    body["comment"] = json!("à".repeat(500));
    assert_eq!(
        put(&base, &keys.kiosk, "/api/v1/ratings/long", &body)
            .await
            .0,
        201
    );
    let body = feedback(REFERENCE, &"x".repeat(2001));
    let (status, _, error) = put(&base, &keys.kiosk, "/api/v1/feedback/long", &body).await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["error"].as_str().unwrap().contains("at most 2000"),
        "{error}"
    );
    let body = feedback(REFERENCE, " \u{7} ");
    let (status, _, error) = put(&base, &keys.kiosk, "/api/v1/feedback/blank", &body).await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["error"].as_str().unwrap().contains("empty"),
        "{error}"
    );
    let (status, _, error) = put(
        &base,
        &keys.kiosk,
        "/api/v1/feedback/long",
        &json!({"text": "x"}),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    // Nothing of the refused feedback was stored.
    assert!(staff_list(&base, "").await.is_empty());
    let (status, answer) = answer(&base, REFERENCE, &"y".repeat(4001)).await;
    assert_eq!(status, 422, "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn control_and_bidi_characters_are_removed_before_storing() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    add_staff(dir.path());
    let typed = "  Máy\u{1b}[31m lấy số\u{0} \u{202E}hỏng\r\nTầng 2\u{7}  ";
    let (status, _, receipt) = put(
        &base,
        &keys.kiosk,
        "/api/v1/feedback/f-1",
        &feedback(REFERENCE, typed),
    )
    .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["reference"], REFERENCE);
    let list = staff_list(&base, "").await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["text"], "Máy[31m lấy số hỏng\nTầng 2");
    assert_eq!(list[0]["phone"], PHONE);
    assert_eq!(list[0]["kiosk"], "quay-1");
    assert_eq!(list[0]["topic"], "facilities");
    assert_eq!(list[0]["answer"], Value::Null);
    server.stop().await;
}

#[tokio::test]
async fn feedback_is_public_by_reference_without_phone_and_shows_its_answer() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let other = second_kiosk(dir.path());
    add_staff(dir.path());
    let body = feedback(REFERENCE, "Nhà vệ sinh tầng 2 không có nước.");
    let (status, _, receipt) = put(&base, &keys.kiosk, "/api/v1/feedback/f-1", &body).await;
    assert_eq!(status, 201, "{receipt}");
    let (status, _, again) = put(&base, &keys.kiosk, "/api/v1/feedback/f-1", &body).await;
    assert_eq!((status, &again), (200, &receipt));
    // The same reference from another key, on this kiosk or another: drawn twice.
    for (credential, key) in [(&keys.kiosk, "f-2"), (&other, "f-1")] {
        let (status, _, error) = put(
            &base,
            credential,
            &format!("/api/v1/feedback/{key}"),
            &feedback(REFERENCE, "Khác"),
        )
        .await;
        assert_eq!(status, 409, "{error}");
        assert!(
            error["error"].as_str().unwrap().contains("drawn at random"),
            "{error}"
        );
    }
    let mut changed = body.clone();
    changed["topic"] = json!("other");
    let (status, _, error) = put(&base, &keys.kiosk, "/api/v1/feedback/f-1", &changed).await;
    assert_eq!(status, 422, "{error}");

    let (status, headers, text) = get(&format!("{base}/api/v1/feedback/{REFERENCE}"), None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(headers[CACHE_CONTROL], "no-store");
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["reference"], REFERENCE);
    assert_eq!(view["topic"], "facilities");
    assert_eq!(view["text"], "Nhà vệ sinh tầng 2 không có nước.");
    assert_eq!(view["submitted_at"], "2026-11-22T02:15:00Z");
    assert_eq!(view["answer"], Value::Null);
    assert!(view.get("phone").is_none() && view.get("kiosk").is_none());
    assert!(!text.contains("345") && !text.contains("quay-1"), "{text}");
    // As a visitor may type it.
    let (status, _, _) = get(&format!("{base}/api/v1/feedback/pa%20482109375512"), None).await;
    assert_eq!(status, 200);
    let (status, _, text) = get(&format!("{base}/api/v1/feedback/PA-0000-0000-0000"), None).await;
    assert_eq!(status, 404);
    assert!(text.contains("no feedback has this reference"), "{text}");
    let (status, _, text) = get(&format!("{base}/api/v1/feedback/PA-12"), None).await;
    assert_eq!(status, 400);
    assert!(text.contains("malformed feedback reference"), "{text}");

    let page_url = format!("{base}/phan-anh/{REFERENCE}");
    let (status, headers, page) = get(&page_url, None).await;
    assert_eq!(status, 200);
    assert_page_headers("the feedback page", &headers);
    for expected in [
        "Cơ sở vật chất",
        "Nhà vệ sinh tầng 2 không có nước.",
        "22/11/2026",
        "Chưa có trả lời",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    assert!(!page.contains("345") && !page.contains("quay-1"), "{page}");
    let (_, _, english) = get(&format!("{page_url}?lang=en"), None).await;
    assert!(english.contains("Not answered yet") && english.contains("Facilities"));

    let (status, item) = answer(&base, REFERENCE, "Đã sửa đường ống ngày 23/11.").await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["answer"]["text"], "Đã sửa đường ống ngày 23/11.");
    assert_eq!(item["answered_by"], STAFF);
    assert_eq!(item["phone"], PHONE);
    let (status, item) = answer(&base, "482109375512", "Đã sửa xong.").await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["answer"]["text"], "Đã sửa xong.");
    let (status, _) = answer(&base, "PA-0000-0000-0000", "Không có").await;
    assert_eq!(status, 404);
    let (status, _) = answer(&base, "PA-12", "Không có").await;
    assert_eq!(status, 400);

    let (_, _, text) = get(&format!("{base}/api/v1/feedback/{REFERENCE}"), None).await;
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["answer"]["text"], "Đã sửa xong.");
    let (_, _, page) = get(&page_url, None).await;
    assert!(page.contains("Đã sửa xong.") && !page.contains("Đã sửa đường ống"));
    assert!(!page.contains("Chưa có trả lời"), "{page}");
    assert!(staff_list(&base, "?unanswered=true").await.is_empty());
    let all = staff_list(&base, "?unanswered=false").await;
    assert_eq!(all.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn the_staff_list_is_newest_first_and_filters_unanswered() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    add_staff(dir.path());
    for (key, reference, day) in [
        ("f-1", "PA-1111-1111-1111", "2026-11-20"),
        ("f-2", "PA-2222-2222-2222", "2026-11-22"),
        ("f-3", "PA-3333-3333-3333", "2026-11-21"),
    ] {
        let mut body = feedback(reference, "Góp ý");
        body["submitted_at"] = json!(format!("{day}T10:00:00+07:00"));
        body.as_object_mut().unwrap().remove("phone");
        let (status, _, _) = put(
            &base,
            &keys.kiosk,
            &format!("/api/v1/feedback/{key}"),
            &body,
        )
        .await;
        assert_eq!(status, 201);
    }
    let references = |list: &[Value]| -> Vec<String> {
        list.iter()
            .map(|i| i["reference"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = staff_list(&base, "").await;
    assert_eq!(
        references(&list),
        [
            "PA-2222-2222-2222",
            "PA-3333-3333-3333",
            "PA-1111-1111-1111"
        ]
    );
    assert_eq!(list[0]["phone"], Value::Null);
    assert_eq!(answer(&base, "PA-3333-3333-3333", "Cảm ơn").await.0, 200);
    let list = staff_list(&base, "?unanswered=true").await;
    assert_eq!(
        references(&list),
        ["PA-2222-2222-2222", "PA-1111-1111-1111"]
    );
    let response = staff(
        reqwest::Method::GET,
        &format!("{base}/api/v1/feedback?unanswered=maybe"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn staff_routes_want_a_staff_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    add_staff(dir.path());
    let (status, _, _) = put(
        &base,
        &keys.kiosk,
        "/api/v1/feedback/f-1",
        &feedback(REFERENCE, "Góp ý"),
    )
    .await;
    assert_eq!(status, 201);
    let client = reqwest::Client::new();
    let routes = [
        (reqwest::Method::GET, "/api/v1/feedback".to_owned()),
        (
            reqwest::Method::POST,
            format!("/api/v1/feedback/{REFERENCE}/answer"),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/ratings/statistics".to_owned(),
        ),
    ];
    for (method, path) in &routes {
        let url = format!("{base}{path}");
        for request in [
            client.request(method.clone(), &url),
            client
                .request(method.clone(), &url)
                .bearer_auth(&keys.kiosk),
            client
                .request(method.clone(), &url)
                .basic_auth(STAFF, Some("sai-mat-khau-roi")),
        ] {
            let response = request
                .json(&json!({"text": "Trả lời giả"}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            assert!(
                response.headers()[WWW_AUTHENTICATE]
                    .to_str()
                    .unwrap()
                    .starts_with("Basic"),
                "{path}"
            );
        }
    }
    // Nothing was answered.
    assert_eq!(staff_list(&base, "?unanswered=true").await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn markup_in_feedback_and_answers_is_escaped_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    add_staff(dir.path());
    let text = "<script>alert(1)</script> \"><b>đậm</b>";
    let (status, _, _) = put(
        &base,
        &keys.kiosk,
        "/api/v1/feedback/f-1",
        &feedback(REFERENCE, text),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = answer(&base, REFERENCE, "<img src=x onerror=alert(2)>").await;
    assert_eq!(status, 200);
    for url in [
        format!("{base}/phan-anh/{REFERENCE}"),
        format!("{base}/phan-anh/{REFERENCE}?lang=en"),
    ] {
        let (status, headers, page) = get(&url, None).await;
        assert_eq!(status, 200);
        assert_page_headers(&url, &headers);
        assert_eq!(headers[CACHE_CONTROL], "no-store");
        assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
        assert!(
            !page.contains("<script") && !page.contains("<img") && !page.contains("<b>đậm"),
            "{page}"
        );
        for escaped in [
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&quot;&gt;&lt;b&gt;đậm&lt;/b&gt;",
            "&lt;img src=x onerror=alert(2)&gt;",
        ] {
            assert!(page.contains(escaped), "missing {escaped:?} in {page}");
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn unknown_and_malformed_references_get_the_same_not_found_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let mut pages = Vec::new();
    for path in [
        "/phan-anh/PA-0000-0000-0001",
        "/phan-anh/PA-12",
        "/phan-anh/%3Cscript%3E",
        "/phan-anh/a/b",
        "/phan-anh/",
    ] {
        let (status, headers, page) = get(&format!("{base}{path}"), None).await;
        assert_eq!(status, 404, "{path}");
        assert_page_headers(path, &headers);
        assert_eq!(headers[CACHE_CONTROL], "no-store");
        assert!(page.contains("Không tìm thấy phản ánh"), "{page}");
        pages.push(page);
    }
    assert!(pages.windows(2).all(|w| w[0] == w[1]), "pages differ");
    assert!(!pages[0].contains("PA-0000"));
    server.stop().await;
}

#[tokio::test]
async fn each_kiosk_is_limited_on_its_own_and_resends_pass() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(dir.path(), |c| {
        c.feedback_per_kiosk_per_hour = nz(60);
        c.feedback_per_kiosk_burst = nz(2);
    })
    .await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let other = second_kiosk(dir.path());
    let body = rating("satisfied");
    for key in ["r-1", "r-2"] {
        let (status, _, _) =
            put(&base, &keys.kiosk, &format!("/api/v1/ratings/{key}"), &body).await;
        assert_eq!(status, 201, "{key}");
    }
    let (status, headers, error) = put(&base, &keys.kiosk, "/api/v1/ratings/r-3", &body).await;
    assert_eq!(status, 429, "{error}");
    let wait: u64 = headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    // 60 an hour: the next one in at most a minute.
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("too many new ratings and feedback"),
        "{error}"
    );
    // Feedback shares the budget.
    let (status, _, _) = put(
        &base,
        &keys.kiosk,
        "/api/v1/feedback/f-1",
        &feedback(REFERENCE, "Góp ý"),
    )
    .await;
    assert_eq!(status, 429);
    // A resend of a stored rating is answered, not refused.
    let (status, _, _) = put(&base, &keys.kiosk, "/api/v1/ratings/r-1", &body).await;
    assert_eq!(status, 200);
    // Another kiosk has its own budget.
    let (status, _, _) = put(&base, &other, "/api/v1/ratings/r-3", &body).await;
    assert_eq!(status, 201);
    let (status, _, _) = put(
        &base,
        &other,
        "/api/v1/feedback/f-1",
        &feedback(REFERENCE, "Góp ý"),
    )
    .await;
    assert_eq!(status, 201);
    server.stop().await;
}

#[tokio::test]
async fn public_lookups_are_limited_per_client_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(dir.path(), |c| {
        c.status_page_per_minute = nz(1);
        c.status_page_burst = nz(2);
    })
    .await;
    let base = server.base_url();
    for path in [
        "/phan-anh/PA-0000-0000-0001",
        "/api/v1/feedback/PA-0000-0000-0001",
    ] {
        assert_eq!(get(&format!("{base}{path}"), None).await.0, 404, "{path}");
    }
    for path in [
        "/phan-anh/PA-0000-0000-0002",
        "/api/v1/feedback/PA-0000-0000-0002",
    ] {
        let (status, headers, _) = get(&format!("{base}{path}"), None).await;
        assert_eq!(status, 429, "{path}");
        assert!(headers.contains_key(RETRY_AFTER), "{path}");
    }
    // The kiosk's PUT on the same path is limited per kiosk, not by this.
    let keys = keys(dir.path());
    let (status, _, _) = put(
        &base,
        &keys.kiosk,
        "/api/v1/feedback/f-1",
        &feedback(REFERENCE, "Góp ý"),
    )
    .await;
    assert_eq!(status, 201);
    server.stop().await;
}

#[tokio::test]
async fn statistics_count_per_month_field_and_kiosk_by_the_kiosks_time() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let other = second_kiosk(dir.path());
    add_staff(dir.path());
    let this_month = month_start(0);
    let last_month = month_start(1);
    let long_ago = month_start(3);
    let ratings = [
        (&keys.kiosk, "very_satisfied", Some("Hộ tịch"), this_month),
        (&keys.kiosk, "satisfied", Some("Hộ tịch"), this_month),
        (&other, "dissatisfied", None, this_month),
        (&other, "very_satisfied", Some("Cư trú"), last_month),
        // Outside a two-month window.
        (&keys.kiosk, "dissatisfied", Some("Cư trú"), long_ago),
    ];
    for (i, (credential, face, field, at)) in ratings.iter().enumerate() {
        let mut body = json!({"satisfaction": face, "rated_at": rfc3339(*at)});
        if let Some(field) = field {
            body["service_point"] = json!(field);
        }
        let (status, _, receipt) =
            put(&base, credential, &format!("/api/v1/ratings/s-{i}"), &body).await;
        assert_eq!(status, 201, "{receipt}");
    }
    let stats = statistics(&base, 2).await;
    assert_eq!(
        stats["months"],
        json!([
            {"key": month_key(this_month), "counts": counts(1, 1, 1)},
            {"key": month_key(last_month), "counts": counts(1, 0, 0)},
        ])
    );
    assert_eq!(
        stats["fields"],
        json!([
            {"key": "Hộ tịch", "counts": counts(1, 1, 0)},
            {"key": "Cư trú", "counts": counts(1, 0, 0)},
            {"key": "Không nêu", "counts": counts(0, 0, 1)},
        ])
    );
    assert_eq!(
        stats["kiosks"],
        json!([
            {"key": "quay-1", "counts": counts(1, 1, 0)},
            {"key": "quay-2", "counts": counts(1, 0, 1)},
        ])
    );
    assert_eq!(stats["total"], counts(2, 1, 1));
    // The default window is 12 months, every one listed.
    let stats = statistics(&base, 12).await;
    assert_eq!(stats["months"].as_array().unwrap().len(), 12);
    assert_eq!(stats["total"], counts(2, 1, 2));
    assert_eq!(stats["months"][3]["counts"], counts(0, 0, 1));
    for bad in ["0", "37", "x"] {
        let response = staff(
            reqwest::Method::GET,
            &format!("{base}/api/v1/ratings/statistics?months={bad}"),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_fleet_page_shows_ratings_and_unanswered_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    add_staff(dir.path());
    for (key, face) in [
        ("r-1", "very_satisfied"),
        ("r-2", "satisfied"),
        ("r-3", "dissatisfied"),
        ("r-4", "satisfied"),
    ] {
        let (status, _, _) = put(
            &base,
            &keys.kiosk,
            &format!("/api/v1/ratings/{key}"),
            &rating(face),
        )
        .await;
        assert_eq!(status, 201);
    }
    for (key, reference) in [("f-1", "PA-1111-1111-1111"), ("f-2", "PA-2222-2222-2222")] {
        let (status, _, _) = put(
            &base,
            &keys.kiosk,
            &format!("/api/v1/feedback/{key}"),
            &feedback(reference, "Góp ý"),
        )
        .await;
        assert_eq!(status, 201);
    }
    assert_eq!(answer(&base, "PA-1111-1111-1111", "Cảm ơn").await.0, 200);
    let response = staff(reqwest::Method::GET, &format!("{base}/fleet"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    let now = OffsetDateTime::now_utc().to_offset(offset!(+7));
    let this_month = format!("<td>{:02}/{}</td>", u8::from(now.month()), now.year());
    for expected in [
        "Đánh giá mức độ hài lòng",
        "Phản ánh chưa trả lời: <strong class=\"unanswered\">1</strong>",
        "Theo tháng",
        "Theo kiosk",
        &this_month,
        "<td>quay-1</td>",
        "75,0 %",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_feedback_routes_are_in_the_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let (status, _, body) = get(&format!("{}/api/v1/openapi.json", server.base_url()), None).await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).unwrap();
    for (path, method, security) in [
        ("/api/v1/ratings/{idempotency_key}", "put", Some("kiosk")),
        ("/api/v1/feedback/{id}", "put", Some("kiosk")),
        ("/api/v1/feedback/{id}", "get", None),
        ("/api/v1/feedback", "get", Some("staff")),
        ("/api/v1/feedback/{reference}/answer", "post", Some("staff")),
        ("/api/v1/ratings/statistics", "get", Some("staff")),
    ] {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} missing");
        assert_eq!(operation["tags"], json!(["feedback"]), "{method} {path}");
        let expected = security.map_or(Value::Null, |s| json!([{ s: [] }]));
        assert_eq!(operation["security"], expected, "{method} {path}");
    }
    assert!(
        doc["paths"]["/api/v1/ratings/{idempotency_key}"]["put"]["responses"]["429"].is_object()
    );
    let tags = doc["tags"].to_string();
    assert!(tags.contains("\"feedback\""), "{tags}");
    for schema in [
        "RatingManifest",
        "FeedbackManifest",
        "FeedbackView",
        "FeedbackItem",
        "RatingStatistics",
        "AnswerRequest",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
    let item = &doc["components"]["schemas"]["FeedbackItem"]["properties"];
    assert!(
        item.get("phone").is_some() && item.get("kiosk").is_some(),
        "{item}"
    );
    let view = &doc["components"]["schemas"]["FeedbackView"]["properties"];
    assert!(
        view.get("phone").is_none() && view.get("kiosk").is_none(),
        "{view}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn feedback_and_ratings_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = spawn(d).await;
    let base = server.base_url();
    let keys = keys(d);
    assert_eq!(ok(d, &["feedback", "list"]).trim(), "no feedback");
    let (status, _, _) = put(
        &base,
        &keys.kiosk,
        "/api/v1/feedback/f-1",
        &feedback(REFERENCE, "Quầy số 3\u{1b}[2J vắng người\nlúc 10 giờ."),
    )
    .await;
    assert_eq!(status, 201);
    for (key, face) in [("r-1", "very_satisfied"), ("r-2", "dissatisfied")] {
        let (status, _, _) = put(
            &base,
            &keys.kiosk,
            &format!("/api/v1/ratings/{key}"),
            &rating(face),
        )
        .await;
        assert_eq!(status, 201);
    }

    let list = ok(d, &["feedback", "list", "--unanswered"]);
    for expected in [
        &format!("Reference    {REFERENCE}"),
        "Kiosk        quay-1",
        "Topic        Facilities (Cơ sở vật chất)",
        "Submitted    22/11/2026 09:15 (Vietnam time)",
        &format!("Phone        {PHONE}"),
        "Text         Quầy số 3[2J vắng người\n             lúc 10 giờ.",
        "(not answered yet)",
        &format!("/phan-anh/{REFERENCE}"),
    ] {
        assert!(list.contains(expected), "missing {expected:?} in\n{list}");
    }
    assert!(!list.contains('\u{1b}'), "{list:?}");

    let out = ok(
        d,
        &[
            "feedback",
            "answer",
            "pa 4821 0937 5512",
            "Đã nhắc nhở quầy số 3.",
        ],
    );
    assert!(
        out.contains(&format!("answered feedback {REFERENCE}")),
        "{out}"
    );
    assert_eq!(
        ok(d, &["feedback", "list", "--unanswered"]).trim(),
        "no unanswered feedback"
    );
    let list = ok(d, &["feedback", "list"]);
    assert!(list.contains("by command line"), "{list}");
    assert!(
        list.contains("Answer       Đã nhắc nhở quầy số 3."),
        "{list}"
    );
    // The running server shows it at once.
    let (_, _, page) = get(&format!("{base}/phan-anh/{REFERENCE}"), None).await;
    assert!(page.contains("Đã nhắc nhở quầy số 3."), "{page}");

    for (args, reason) in [
        (
            vec!["feedback", "answer", "PA-12", "x"],
            "malformed feedback reference",
        ),
        (
            vec!["feedback", "answer", "PA-0000-0000-0000", "x"],
            "no feedback has this reference",
        ),
        (
            vec!["feedback", "answer", REFERENCE, " "],
            "the text is empty",
        ),
        (vec!["ratings", "--months", "0"], "from 1 to 36"),
    ] {
        let err = fails(d, &args);
        assert!(err.contains(reason), "{args:?}: {err}");
    }
    let long = "x".repeat(4001);
    let err = fails(d, &["feedback", "answer", REFERENCE, &long]);
    assert!(err.contains("at most 4000"), "{err}");

    let table = ok(d, &["ratings", "--months", "2"]);
    let now = OffsetDateTime::now_utc().to_offset(offset!(+7));
    let month = month_key(now);
    let row = table
        .lines()
        .find(|line| line.starts_with(&month))
        .unwrap_or_else(|| panic!("no {month} row in\n{table}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [month.as_str(), "1", "0", "1", "2", "50.0%"],
        "{table}"
    );
    assert!(table.contains("VERY SATISFIED"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("Hộ tịch")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("quay-1")), "{table}");
    assert_eq!(
        table.lines().filter(|l| l.starts_with("20")).count(),
        2,
        "{table}"
    );
    server.stop().await;
}
