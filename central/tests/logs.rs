//! Secrets never reach the central server's logs: every line it and its HTTP stack write at every
//! level (`trace` included) is captured while clients present a status token, a phone upload
//! link, a wrong staff password and a wrong enrollment code, and while a kiosk delivers a rating
//! with a comment and a feedback with a phone number, which is then looked up by its reference and
//! answered. Request logs show the route only.

mod common;

use std::sync::{Arc, Mutex};

use motcua_central::open_operations;
use time::OffsetDateTime;

const STATUS_TOKEN: &str = "Qk9yZ2VkVG9rZW5Gb3JMb2c";
const UPLOAD_TOKEN: &str = "UGhvbmVMaW5rRm9yTG9nczE";
const WRONG_PASSWORD: &str = "sai-mat-khau-bi-mat-2026";
const WRONG_CODE: &str = "ZX9K-QW7M-4R";
const COMMENT: &str = "Chị Lan ở quầy 2 rất nhiệt tình";
const FEEDBACK_TEXT: &str = "Anh Bình ở quầy 5 đòi thêm tiền";
const ANSWER: &str = "Đã xử lý việc của anh Bình";
const PHONE: &str = "0987654321";
const REFERENCE: &str = "PA-7315-2046-8893";

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = self.0.lock() {
            logs.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_passwords_and_codes_stay_out_of_the_logs() {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || LogSink(sink.clone()))
        .init();
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    open_operations(&common::config(dir.path()))
        .unwrap()
        .add_staff("an.nguyen", "mat-khau-dung-2026", OffsetDateTime::now_utc())
        .unwrap();
    let base = server.base_url();
    let client = reqwest::Client::new();
    let status = |path: String| {
        let request = client.get(format!("{base}{path}"));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("/ho-so/{STATUS_TOKEN}")).await, 404);
    assert_eq!(status(format!("/tai-len/{UPLOAD_TOKEN}")).await, 404);
    let signed_in = client
        .get(format!("{base}/fleet"))
        .basic_auth("an.nguyen", Some(WRONG_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 401);
    let enrolled = client
        .post(format!("{base}/api/v1/kiosks/enroll"))
        .json(&serde_json::json!({ "code": WRONG_CODE }))
        .send()
        .await
        .unwrap();
    assert!(enrolled.status().is_client_error());

    let kiosk = common::keys(dir.path()).kiosk;
    let rating = client
        .put(format!("{base}/api/v1/ratings/rating-key-1"))
        .bearer_auth(&kiosk)
        .json(&serde_json::json!({
            "satisfaction": "very_satisfied", "service_point": "Hộ tịch", "comment": COMMENT,
            "rated_at": "2026-11-22T09:00:00+07:00"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(rating.status().as_u16(), 201);
    let feedback = client
        .put(format!("{base}/api/v1/feedback/feedback-key-1"))
        .bearer_auth(&kiosk)
        .json(&serde_json::json!({
            "reference": REFERENCE, "topic": "staff_conduct", "text": FEEDBACK_TEXT,
            "phone": "0987 654 321", "submitted_at": "2026-11-22T09:05:00+07:00"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(feedback.status().as_u16(), 201);
    assert_eq!(status(format!("/phan-anh/{REFERENCE}")).await, 200);
    assert_eq!(status(format!("/api/v1/feedback/{REFERENCE}")).await, 200);
    let answered = client
        .post(format!("{base}/api/v1/feedback/{REFERENCE}/answer"))
        .basic_auth("an.nguyen", Some("mat-khau-dung-2026"))
        .json(&serde_json::json!({ "text": ANSWER }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status().as_u16(), 200);
    let listed = client
        .get(format!("{base}/api/v1/feedback"))
        .basic_auth("an.nguyen", Some("mat-khau-dung-2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status().as_u16(), 200);
    server.stop().await;

    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    // The requests were logged, by route.
    for route in [
        "path=/ho-so/",
        "path=/tai-len/",
        "path=/fleet",
        "path=/api/v1/kiosks/enroll",
        "path=/phan-anh/}",
        "path=/api/v1/feedback/}",
        "path=/api/v1/ratings/rating-key-1",
        "rating stored",
        "feedback stored",
        "feedback answered",
    ] {
        assert!(logs.contains(route), "no {route} in the logs:\n{logs}");
    }
    for secret in [
        STATUS_TOKEN,
        UPLOAD_TOKEN,
        WRONG_PASSWORD,
        WRONG_CODE,
        "ZX9KQW7M4R",
        COMMENT,
        FEEDBACK_TEXT,
        ANSWER,
        PHONE,
        "0987 654 321",
        REFERENCE,
        "731520468893",
        "quầy",
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
}
