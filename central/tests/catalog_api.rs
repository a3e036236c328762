//! The catalog API over real HTTP: the real server on 127.0.0.1 port 0, the real reqwest client.

mod common;

use motcua_central::catalog::import::import_text;
use motcua_central::{CentralConfig, DEMO_CATALOG, RunningServer};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, ETAG, IF_NONE_MATCH};
use serde_json::Value;

async fn spawn_server(dir: &tempfile::TempDir) -> RunningServer {
    let config = CentralConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_owned(),
        ..CentralConfig::default()
    };
    let mut store = motcua_central::open_catalog(&config).unwrap();
    import_text(&mut store, DEMO_CATALOG).unwrap();
    motcua_central::start(config).await.unwrap()
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
}

#[tokio::test]
async fn full_download_then_304_with_the_etag() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir).await;
    let url = format!("{}/api/v1/catalog", server.base_url());
    let client = plain_client();

    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()[ETAG].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["format"], "motcua-catalog/1");
    assert_eq!(body["full"], true);
    let cursor = body["cursor"].as_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{cursor}\""));
    let demo: Value = serde_json::from_str(DEMO_CATALOG).unwrap();
    assert_eq!(
        body["procedures"].as_array().unwrap().len(),
        demo["procedures"].as_array().unwrap().len()
    );

    let again = client
        .get(&url)
        .query(&[("since", &cursor)])
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());

    // The same cursor without the validator: an empty delta, not a full download.
    let delta: Value = client
        .get(&url)
        .query(&[("since", &cursor)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(delta["full"], false);
    assert_eq!(delta["procedures"].as_array().unwrap().len(), 0);

    // A stale validator gets data.
    let stale = client
        .get(&url)
        .header(IF_NONE_MATCH, "\"0000.1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn foreign_or_malformed_cursor_gets_the_full_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir).await;
    let url = format!("{}/api/v1/catalog", server.base_url());
    for since in ["garbage", "abcdef.3", "", "1.-5", "ffff.99999999"] {
        let body: Value = plain_client()
            .get(&url)
            .query(&[("since", since)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["full"], true, "since={since:?}");
        assert!(!body["procedures"].as_array().unwrap().is_empty());
    }
    server.stop().await;
}

#[tokio::test]
async fn responses_are_compressed_with_gzip_or_brotli() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir).await;
    let url = format!("{}/api/v1/catalog", server.base_url());
    let identity = plain_client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    for encoding in ["gzip", "br"] {
        let response = plain_client()
            .get(&url)
            .header(ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], encoding);
        let compressed = response.bytes().await.unwrap().len();
        assert!(
            compressed * 3 < identity,
            "{encoding}: {compressed} bytes vs {identity} uncompressed"
        );
    }
    server.stop().await;
}

/// The full catalog is prepared once per version (catalog/full_download.rs): every coding decodes
/// to the same JSON, and a new version replaces what was prepared, for every coding.
#[tokio::test]
async fn a_new_catalog_version_replaces_the_prepared_full_download() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir).await;
    let url = format!("{}/api/v1/catalog", server.base_url());
    // reqwest's default client asks for gzip and brotli and decodes them.
    let decoding = reqwest::Client::new();
    let full_in = |encoding: &'static str| {
        let (client, url) = (decoding.clone(), url.clone());
        async move {
            let response = client
                .get(&url)
                .header(ACCEPT_ENCODING, encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    let name_of = |catalog: &Value, code: &str| {
        catalog["procedures"]
            .as_array()
            .and_then(|all| all.iter().find(|p| p["code"] == code))
            .map(|p| p["name"].clone())
    };

    let before = full_in("identity").await;
    for encoding in ["br", "gzip", "br"] {
        assert_eq!(full_in(encoding).await, before, "{encoding}");
    }

    let mut changed: Value = serde_json::from_str(DEMO_CATALOG).unwrap();
    let code = before["procedures"][0]["code"].as_str().unwrap().to_owned();
    for procedure in changed["procedures"].as_array_mut().unwrap() {
        if procedure["code"] == code.as_str() {
            procedure["name"] = "Thủ tục đã đổi tên".into();
        }
    }
    let config = CentralConfig {
        data_dir: dir.path().to_owned(),
        ..CentralConfig::default()
    };
    let mut store = motcua_central::open_catalog(&config).unwrap();
    import_text(&mut store, &changed.to_string()).unwrap();

    for encoding in ["br", "gzip", "identity"] {
        let after = full_in(encoding).await;
        assert_ne!(after["cursor"], before["cursor"], "{encoding}");
        assert_eq!(
            name_of(&after, &code),
            Some("Thủ tục đã đổi tên".into()),
            "{encoding}"
        );
    }
    // A kiosk holding the old version still gets only the change, compressed by the layer.
    let delta = plain_client()
        .get(&url)
        .query(&[("since", before["cursor"].as_str().unwrap())])
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(delta.headers()[CONTENT_ENCODING], "gzip");
    server.stop().await;
}

#[tokio::test]
async fn health_and_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir).await;
    let health: Value = reqwest::get(format!("{}/api/v1/health", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert!(health["procedures"].as_u64().unwrap() >= 60);

    let api: Value = reqwest::get(format!("{}/api/v1/openapi.json", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(api["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/catalog", "/api/v1/health"] {
        assert!(
            api["paths"][path]["get"].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(api["components"]["schemas"]["CatalogDelta"].is_object());
    server.stop().await;
}

#[tokio::test]
async fn public_procedure_page_for_phones() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir).await;
    let response = reqwest::get(format!("{}/thu-tuc/1.001193", server.base_url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    common::assert_page_headers("the procedure page", &headers);
    let html = response.text().await.unwrap();
    for expected in [
        "<h1>Đăng ký khai sinh</h1>",
        "Thành phần hồ sơ",
        "Giấy chứng sinh",
        "8.000 đ",
        "Luật Hộ tịch",
        "?lang=en",
        "<meta name=\"viewport\"",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
    assert!(!html.contains("<script"), "no scripts on public pages");

    let english = reqwest::get(format!("{}/thu-tuc/1.001193?lang=en", server.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("Documents to bring") && english.contains("8,000 VND"),
        "English labels and money"
    );

    let missing = reqwest::get(format!("{}/thu-tuc/9.999999", server.base_url()))
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("Không tìm thấy thủ tục")
    );
    let hostile = reqwest::get(format!(
        "{}/thu-tuc/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        server.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(hostile.status(), StatusCode::NOT_FOUND);
    assert!(
        !hostile.text().await.unwrap().contains("<script>"),
        "the code is never echoed unescaped"
    );
    server.stop().await;
}

#[tokio::test]
async fn forms_are_served_from_the_data_directory_and_never_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("forms")).unwrap();
    std::fs::write(
        dir.path().join("forms/1.001193-to-khai.pdf"),
        b"%PDF-1.4 test",
    )
    .unwrap();
    let server = spawn_server(&dir).await;
    let ok = reqwest::get(format!("{}/forms/1.001193-to-khai.pdf", server.base_url()))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()["content-type"], "application/pdf");
    assert_eq!(ok.bytes().await.unwrap().as_ref(), b"%PDF-1.4 test");
    for path in [
        "/forms/missing.pdf",
        "/forms/..%2Fcentral.db",
        "/forms/.hidden",
    ] {
        let response = reqwest::get(format!("{}{path}", server.base_url()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            response.text().await.unwrap().contains("Mẫu đơn"),
            "{path}: a helpful page"
        );
    }
    server.stop().await;
}
