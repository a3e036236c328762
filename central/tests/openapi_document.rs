//! The OpenAPI document tells the truth about parameters and media types, the two things
//! `scripts/conformance` (schemathesis) found wrong: query parameters declared as required path
//! parameters, and bodies of the wrong media type answered with an undeclared 400.

mod common;

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use time::OffsetDateTime;

const STAFF: &str = "tuan.le";
const PASSWORD: &str = "mat-khau-kiem-thu";

async fn document(base: &str) -> Value {
    let (status, _, body) = common::get(&format!("{base}/api/v1/openapi.json"), None).await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

/// Every operation: (method, path, operation object).
fn operations(api: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in api["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

fn parameters<'a>(operation: &'a Value, place: &str) -> Vec<&'a Value> {
    operation["parameters"]
        .as_array()
        .map(|all| all.iter().filter(|p| p["in"] == place).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn path_parameters_are_the_templates_and_query_parameters_are_optional() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let api = document(&server.base_url()).await;
    let mut queries = 0;
    for (method, path, operation) in operations(&api) {
        let template: BTreeSet<&str> = path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let declared: BTreeSet<&str> = parameters(&operation, "path")
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(declared, template, "{method} {path}: path parameters");
        for query in parameters(&operation, "query") {
            assert_ne!(query["required"], true, "{method} {path}: {query}");
            queries += 1;
        }
    }
    // since (catalog), unanswered (feedback), months (twice), after and limit (export feed).
    assert_eq!(queries, 6);
    server.stop().await;
}

/// A value for each path parameter that the document's patterns accept.
fn sample(name: &str) -> &'static str {
    match name {
        "code" => "G09.20-20260609-0092637",
        "reference" => "PA-4821-0937-5512",
        "token" => "q3Jv0cX8b1mN2pQ4rS6tUw",
        "sha256" => "0000000000000000000000000000000000000000000000000000000000000000",
        "name" => "quay-1",
        _ => "khoa-1",
    }
}

#[tokio::test]
async fn a_body_of_another_media_type_gets_the_documented_415() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::spawn(dir.path()).await;
    let base = server.base_url();
    let keys = common::keys(dir.path());
    motcua_central::open_operations(&common::config(dir.path()))
        .unwrap()
        .add_staff(STAFF, PASSWORD, OffsetDateTime::now_utc())
        .unwrap();
    let api = document(&base).await;
    let client = reqwest::Client::new();
    let mut checked = Vec::new();
    for (method, path, operation) in operations(&api) {
        if operation["requestBody"].is_null() {
            continue;
        }
        let mut url = format!("{base}{path}");
        for parameter in parameters(&operation, "path") {
            let name = parameter["name"].as_str().unwrap();
            url = url.replace(&format!("{{{name}}}"), sample(name));
        }
        let mut request = client
            .request(method.to_uppercase().parse().unwrap(), &url)
            .header("Content-Type", "application/xml")
            .body("<ho-so/>");
        let scheme = operation["security"][0]
            .as_object()
            .and_then(|s| s.keys().next().cloned());
        request = match scheme.as_deref() {
            Some("kiosk") => request.bearer_auth(&keys.kiosk),
            Some("integration") => request.bearer_auth(&keys.integration),
            Some("staff") => request.basic_auth(STAFF, Some(PASSWORD)),
            None => request,
            Some(other) => panic!("{method} {path}: unknown scheme {other}"),
        };
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {path}"
        );
        assert!(
            operation["responses"]["415"].is_object(),
            "{method} {path}: 415 is not documented"
        );
        checked.push(format!("{method} {path}"));
    }
    // Every operation with a body: enrollment, heartbeat, dossier registration, status events,
    // submission manifest, file upload, rating, feedback, staff answer, remote configuration.
    assert_eq!(checked.len(), 10, "{checked:?}");
    server.stop().await;
}
