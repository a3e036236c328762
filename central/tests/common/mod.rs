//! What the central server's integration tests share: a real server on 127.0.0.1 port 0 with the
//! demo catalog, credentials, and small HTTP helpers.
#![allow(dead_code)]

use std::num::NonZeroU32;
use std::path::Path;

use motcua_central::catalog::import::import_text;
use motcua_central::{CentralConfig, DEMO_CATALOG, RunningServer};
use serde_json::{Value, json};

pub fn config(dir: &Path) -> CentralConfig {
    CentralConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_owned(),
        ..CentralConfig::default()
    }
}

/// A server with the demo catalog; `tune` adjusts the configuration first (rate limits...).
pub async fn spawn_with(dir: &Path, tune: impl FnOnce(&mut CentralConfig)) -> RunningServer {
    let mut config = config(dir);
    tune(&mut config);
    import_demo_catalog(&config);
    motcua_central::start(config).await.unwrap()
}

/// Imports the demo catalog into the data directory of `config`.
pub fn import_demo_catalog(config: &CentralConfig) {
    let mut store = motcua_central::open_catalog(config).unwrap();
    import_text(&mut store, DEMO_CATALOG).unwrap();
}

pub async fn spawn(dir: &Path) -> RunningServer {
    spawn_with(dir, |_| {}).await
}

pub fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

pub struct Keys {
    pub kiosk: String,
    pub integration: String,
}

pub fn keys(dir: &Path) -> Keys {
    let config = config(dir);
    Keys {
        kiosk: motcua_central::issue_kiosk_credential(&config, "quay-1").unwrap(),
        integration: motcua_central::issue_integration_token(&config, "mot-cua-tinh").unwrap(),
    }
}

/// `PUT /api/v1/integration/dossiers/{code}`: (HTTP status, body).
pub async fn register(
    base: &str,
    token: &str,
    code: &str,
    procedure: &str,
    received: &str,
    due: &str,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .put(format!("{base}/api/v1/integration/dossiers/{code}"))
        .bearer_auth(token)
        .json(&json!({"procedure_code": procedure, "received_on": received, "due_on": due}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `POST /api/v1/integration/status-events`: (HTTP status, body).
pub async fn push_event(base: &str, token: &str, event: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/integration/status-events"))
        .bearer_auth(token)
        .json(&event)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A GET with an optional bearer credential: (HTTP status, headers, body text).
pub async fn get(url: &str, bearer: Option<&str>) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The text of the QR code in a PNG, with the real `zbarimg`; `None` when it is not installed
/// (`scripts/test` installs it).
pub fn decode_qr(png: &Path) -> Option<String> {
    let output = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(png)
        .output();
    match output {
        Ok(output) => {
            assert!(
                output.status.success(),
                "zbarimg could not read {}",
                png.display()
            );
            Some(
                String::from_utf8(output.stdout)
                    .unwrap()
                    .trim_end()
                    .to_owned(),
            )
        }
        Err(_) => {
            eprintln!("zbarimg is not installed; skipping the QR decoding check");
            None
        }
    }
}

/// `chromium --headless URL` with the flags that keep it off the network (Debian's `chromium`,
/// installed by `scripts/test`).
pub fn chromium(url: &str, profile: &Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium must be installed (scripts/test installs it: apt-get install chromium)")
}

/// What scripts a page may run: none at all, or files from this same server (`/tra-cuu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripts {
    None,
    SameOrigin,
}

/// A Content-Security-Policy as its directives, each with its sources.
pub fn csp_directives(csp: &str) -> std::collections::HashMap<String, Vec<String>> {
    csp.split(';')
        .filter_map(|directive| {
            let mut words = directive.split_ascii_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

/// The headers every public HTML page without scripts carries: see `assert_html_page_headers`.
pub fn assert_page_headers(page: &str, headers: &reqwest::header::HeaderMap) {
    assert_html_page_headers(page, headers, Scripts::None);
}

/// The headers every HTML page carries: UTF-8 HTML; a Content-Security-Policy under which no
/// inline script, event handler, `javascript:` URL, plugin or foreign script can run (directives
/// are followed through their fallbacks, as the browser does), no `<base>` can move relative
/// links, forms post only here, and the page cannot be framed; the browser does not guess content
/// types, and no address leaks onwards.
pub fn assert_html_page_headers(
    page: &str,
    headers: &reqwest::header::HeaderMap,
    scripts: Scripts,
) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{page}: no {name} header"))
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/html; charset=utf-8", "{page}");
    let csp = header("content-security-policy");
    assert!(!csp.contains("unsafe"), "{page}: {csp}");
    let directives = csp_directives(&csp);
    // The first of `chain` the policy sets decides, as in CSP Level 3's fallback lists.
    let effective = |chain: &[&str]| -> Vec<String> {
        chain
            .iter()
            .find_map(|name| directives.get(*name).cloned())
            .unwrap_or_default()
    };
    let none = vec!["'none'".to_owned()];
    assert_eq!(effective(&["default-src"]), none, "{page}: {csp}");
    let allowed_scripts = match scripts {
        Scripts::None => none.clone(),
        Scripts::SameOrigin => vec!["'self'".to_owned()],
    };
    for chain in [
        &["script-src-elem", "script-src", "default-src"][..],
        &["script-src-attr", "script-src", "default-src"],
    ] {
        assert_eq!(
            effective(chain),
            allowed_scripts,
            "{page}: {} in {csp}",
            chain[0]
        );
    }
    for chain in [
        &["object-src", "default-src"][..],
        &["frame-src", "child-src", "default-src"],
        &["base-uri"],
        &["frame-ancestors"],
    ] {
        assert_eq!(effective(chain), none, "{page}: {} in {csp}", chain[0]);
    }
    let forms = effective(&["form-action"]);
    assert!(
        forms == none || forms == ["'self'"],
        "{page}: form-action in {csp}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff", "{page}");
    assert_eq!(header("x-frame-options"), "DENY", "{page}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{page}");
}

/// A page for one person's eyes (a status, a feedback, a phone upload, the fleet): never stored
/// by a browser or proxy, never indexed.
pub fn assert_private_headers(page: &str, headers: &reqwest::header::HeaderMap) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("cache-control"), Some("no-store"), "{page}");
    assert_eq!(header("x-robots-tag"), Some("noindex, nofollow"), "{page}");
}

/// `motcua-central --data-dir DIR ARGS…`, the real binary.
pub fn central(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_motcua-central"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// What the command printed; it must succeed.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let output = central(dir, args);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// What the command said on stderr; it must fail.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    let output = central(dir, args);
    assert!(!output.status.success(), "{args:?} should fail");
    String::from_utf8(output.stderr).unwrap()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A submission manifest for procedure 1.004873 with one photo.
pub fn photo_manifest(file_id: &str, photo: &[u8]) -> Value {
    let catalog: Value = serde_json::from_str(motcua_central::DEMO_CATALOG).unwrap();
    let document = catalog["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "1.004873")
        .unwrap()["documents"][0]["name"]
        .clone();
    json!({
        "procedure_code": "1.004873",
        "applicant": {"full_name": "Nguyễn Thị Hoa Mai", "citizen_id": "001089012345",
                      "birth_date": "15/03/1989", "phone": "0912345678",
                      "address": "Số 7 Hàng Bài, Hà Nội"},
        "documents": [{"document": document, "files": [
            {"file_id": file_id, "media_type": "image/jpeg", "size": photo.len(), "sha256": sha256_hex(photo)}]}],
        "local_reference": "QUAY-1-20261122-0007",
        "confirmed_at": "2026-11-22T09:30:00+07:00"
    })
}
