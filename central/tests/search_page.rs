//! `/tra-cuu`, the web search page that is the kiosk's peer in bench/kiosk_vs_chromium.py: the
//! page, its headers (scripts from this server only, nothing inline), its script and stylesheet,
//! and the catalog it downloads, without any credential.

mod common;

use common::{Scripts, assert_html_page_headers, csp_directives, get, spawn};

#[tokio::test]
async fn the_search_page_its_script_and_its_data_answer() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();

    let (status, headers, body) = get(&format!("{base}/tra-cuu"), None).await;
    assert_eq!(status, 200);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    // What every page's headers promise, except that this page runs a script: from this server
    // only, never inline; and it may only talk to this server.
    assert_html_page_headers("/tra-cuu", &headers, Scripts::SameOrigin);
    let csp = header("content-security-policy");
    assert_eq!(
        csp_directives(&csp).get("connect-src"),
        Some(&vec!["'self'".to_owned()]),
        "{csp}"
    );

    assert!(body.starts_with("<!DOCTYPE html>"), "{body}");
    assert!(body.contains("<html lang=\"vi\">"), "{body}");
    assert!(body.contains("Tra cứu thủ tục hành chính"), "{body}");
    assert!(body.contains("id=\"q\""), "no search box: {body}");
    assert!(body.contains("id=\"results\""), "no result list: {body}");
    assert!(
        body.contains("<script src=\"/static/search.js\" defer>"),
        "{body}"
    );
    assert!(!body.contains("<script>"), "inline script: {body}");
    assert!(body.contains("href=\"/static/search.css\""), "{body}");

    let (status, headers, script) = get(&format!("{base}/static/search.js"), None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    assert!(script.contains("fetch(\"/api/v1/catalog\")"), "{script}");
    assert!(script.contains("normalize(\"NFD\")"), "{script}");

    let (status, headers, css) = get(&format!("{base}/static/search.css"), None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    assert!(css.contains("#results"));

    // The data the script downloads needs no kiosk credential.
    let (status, headers, catalog) = get(&format!("{base}/api/v1/catalog"), None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let catalog: serde_json::Value = serde_json::from_str(&catalog).unwrap();
    let procedures = catalog["procedures"].as_array().unwrap();
    assert!(!procedures.is_empty());
    for field in ["code", "name", "field"] {
        assert!(
            procedures[0][field].is_string(),
            "{field} in {}",
            procedures[0]
        );
    }
}
