//! The public status page in a real browser: headless Chromium (Debian's `chromium`, installed by
//! `scripts/test`) renders the page the receipt's QR opens, from the real server on port 0. What
//! is checked is the DOM after rendering, and a screenshot at phone size.

mod common;

use common::{chromium, keys, push_event, register, spawn};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn the_phone_page_renders_in_chromium_without_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let code = "G09.20-20261120-0004321";
    let (status, body) = register(
        &base,
        &keys.integration,
        code,
        "1.001193",
        "2026-11-20",
        "2026-11-25",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let status_url = body["status_url"].as_str().unwrap().to_owned();
    let (status, body) = push_event(
        &base,
        &keys.integration,
        json!({"event_id": "browser-1", "dossier_code": code, "status": 5,
               "at": "2026-11-21T09:30:00+07:00",
               "note": "Thiếu bản sao Giấy chứng sinh <script>document.title='pwned'</script>"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let profile = tempfile::tempdir().unwrap();
    let url = status_url.clone();
    let profile_path = profile.path().to_owned();
    let output =
        tokio::task::spawn_blocking(move || chromium(&url, &profile_path, &["--dump-dom"]))
            .await
            .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(dom.contains("Đăng ký khai sinh"), "procedure name: {dom}");
    assert!(dom.contains("G09.20-********-***4321"), "masked code");
    assert!(!dom.contains(code), "the full dossier code never appears");
    assert!(
        dom.contains("Yêu cầu bổ sung giấy tờ"),
        "current status in the timeline"
    );
    assert!(dom.contains("21/11/2026 09:30"), "Vietnam time");
    assert!(dom.contains("25/11/2026"), "appointment date");
    // The note is shown as text: its markup neither ran nor became an element.
    assert!(dom.contains("&lt;script&gt;"), "escaped note");
    assert!(!dom.contains("<title>pwned</title>"));
    assert!(!dom.contains("pwned</title>"));

    // English, through the page's own switch.
    let english = format!("{status_url}?lang=en");
    let profile_path = profile.path().to_owned();
    let output =
        tokio::task::spawn_blocking(move || chromium(&english, &profile_path, &["--dump-dom"]))
            .await
            .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(dom.contains("More documents requested"), "{dom}");

    // A wrong token: the plain not-found page, nothing about any dossier.
    let wrong = format!("{base}/ho-so/AAAAAAAAAAAAAAAAAAAAAA");
    let profile_path = profile.path().to_owned();
    let output =
        tokio::task::spawn_blocking(move || chromium(&wrong, &profile_path, &["--dump-dom"]))
            .await
            .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(dom.contains("Không tìm thấy"), "{dom}");
    assert!(!dom.contains("Đăng ký khai sinh"));

    // A phone-sized picture, for people to look at (docs/screenshots/phone-status.png).
    let shot = profile.path().join("phone.png");
    let url = status_url.clone();
    let profile_path = profile.path().to_owned();
    let shot_arg = format!("--screenshot={}", shot.display());
    let output = tokio::task::spawn_blocking(move || {
        chromium(&url, &profile_path, &[&shot_arg, "--window-size=412,915"])
    })
    .await
    .unwrap();
    assert!(output.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a picture was taken");
    if let Ok(dest) = std::env::var("MOTCUA_PHONE_SCREENSHOT") {
        std::fs::write(dest, &png).unwrap();
    }
    server.stop().await;
}
