//! The phone upload page in a real browser: headless Chromium (Debian's `chromium`, installed by
//! `scripts/test`) opens the link a kiosk's QR code carries, from the real server on port 0. What
//! is checked is the DOM after rendering (a plain form whose file input opens the camera, no
//! script), the single-use rule across two browser profiles, and a screenshot at phone size.
//! Sending files from the browser is covered by the root package's `tests/phone_upload_browser.rs`,
//! which chooses real files in this page through the DevTools protocol, sends the form and checks
//! what the kiosk receives; the upload's HTTP edge cases are in `submission_api.rs`.

mod common;

use std::path::Path;

use common::{chromium, keys, spawn};
use serde_json::Value;

async fn dump_dom(url: &str, profile: &Path) -> String {
    let (url, profile) = (url.to_owned(), profile.to_owned());
    let output = tokio::task::spawn_blocking(move || chromium(&url, &profile, &["--dump-dom"]))
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_upload_page_is_a_plain_camera_form_for_one_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/phone-uploads"))
        .bearer_auth(&keys.kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let session: Value = response.json().await.unwrap();
    let url = session["upload_url"].as_str().unwrap().to_owned();

    let phone = tempfile::tempdir().unwrap();
    let dom = dump_dom(&url, phone.path()).await;
    let token = url.rsplit('/').next().unwrap();
    for expected in [
        "<h1>Gửi ảnh giấy tờ</h1>",
        &format!(
            "<form class=\"upload\" method=\"post\" enctype=\"multipart/form-data\" action=\"/tai-len/{token}\">"
        ),
        "<input id=\"file\" type=\"file\" name=\"file\" accept=\"image/jpeg,image/png,application/pdf\" capture=\"environment\" multiple=\"\">",
        "<button type=\"submit\">Gửi</button>",
        "chỉ dùng được trên một điện thoại",
    ] {
        assert!(dom.contains(expected), "missing {expected:?} in {dom}");
    }
    assert!(!dom.contains("<script"), "no scripts: {dom}");

    // A phone-sized picture, for people to look at.
    let shot = phone.path().join("upload.png");
    let (shot_url, profile) = (url.clone(), phone.path().to_owned());
    let shot_arg = format!("--screenshot={}", shot.display());
    let output = tokio::task::spawn_blocking(move || {
        chromium(&shot_url, &profile, &[&shot_arg, "--window-size=412,915"])
    })
    .await
    .unwrap();
    assert!(output.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    if let Ok(dest) = std::env::var("MOTCUA_PHONE_UPLOAD_SCREENSHOT") {
        std::fs::write(dest, &png).unwrap();
    }

    // Another phone (a fresh browser profile, without the first one's cookie) is turned away.
    let stranger = tempfile::tempdir().unwrap();
    let dom = dump_dom(&url, stranger.path()).await;
    assert!(dom.contains("Đường dẫn này đã được sử dụng"), "{dom}");
    assert!(!dom.contains("<form"));

    // An unknown link: the plain not-found page.
    let dom = dump_dom(
        &format!("{base}/tai-len/AAAAAAAAAAAAAAAAAAAAAA"),
        stranger.path(),
    )
    .await;
    assert!(dom.contains("Đường dẫn không còn hiệu lực"), "{dom}");
    server.stop().await;
}
