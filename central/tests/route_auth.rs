//! Every route, every credential: the operations of the server's own OpenAPI document
//! (`/api/v1/openapi.json`), each called against the real server on 127.0.0.1 port 0 with the real
//! reqwest client, on real objects (a registered dossier, a kiosk's submission, its phone upload
//! session and file, its feedback and rating, a stored remote configuration), so that a 404 cannot
//! hide a missing check:
//!
//! - every operation that declares security refuses no credential, each credential of another
//!   kind (kiosk bearer, integration bearer, staff sign-in) and a revoked kiosk's credential with
//!   401 and its scheme's challenge; another kiosk gets 404 for a kiosk's own objects;
//! - every operation that declares none answers without credentials;
//! - each one answers its rightful caller (so the refusals are about the credential, not a bad
//!   path or body), and the refused calls changed nothing;
//! - the list comes from the document: a secured operation this file has no call for fails the
//!   test, and so does a route added to the router outside the document (`.route(` in
//!   `central/src`) unless it is listed below with the credential it wants.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{config, keys, photo_manifest, register, sha256_hex, spawn};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use time::OffsetDateTime;

const STAFF: &str = "an.nguyen";
const PASSWORD: &str = "mat-khau-thu-nghiem";
const DOSSIER: &str = "G09.20-20251120-0092637";
const BOUNDARY: &str = "----motcuaRouteAuthBoundary";
/// The operations that declare no security, and only these.
const PUBLIC_OPERATIONS: [&str; 5] = [
    "GET /api/v1/catalog",
    "GET /api/v1/health",
    "GET /api/v1/statistics",
    "POST /api/v1/kiosks/enroll",
    "GET /api/v1/feedback/{id}",
];
/// Secured operations in the document today; fewer means security was dropped from one.
const SECURED_FLOOR: usize = 23;

/// A credential presented with a request.
#[derive(Clone)]
enum Credential {
    None,
    Bearer(String),
    Basic(&'static str, &'static str),
}

enum Body {
    None,
    Json(Value),
    Bytes {
        content_type: &'static str,
        bytes: Vec<u8>,
        upload_offset: Option<u64>,
    },
}

struct Call {
    method: Method,
    path: String,
    body: Body,
}

impl Call {
    fn new(method: &str, path: String, body: Body) -> Self {
        Self {
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            path,
            body,
        }
    }
}

/// What one kiosk owns on the server.
struct Objects {
    submission: &'static str,
    file_id: &'static str,
    file: Vec<u8>,
    manifest: Value,
    phone_session: String,
    phone_file: String,
    feedback_key: &'static str,
    feedback: Value,
    rating_key: &'static str,
    rating: Value,
}

/// Everything the calls need.
struct World {
    base: String,
    http: reqwest::Client,
    kiosk: String,
    other_kiosk: String,
    revoked_kiosk: String,
    integration: String,
    /// Owned by `kiosk`.
    mine: Objects,
    /// Owned by `revoked_kiosk`, made before it was revoked.
    revoked: Objects,
    dossier_token: String,
    /// A file of a completed submission, for the export route.
    exported_sha: String,
    enrollment_code: String,
    feedback_reference: String,
}

/// How the rightful caller and another kiosk are answered.
struct Expect {
    /// With the credential the operation declares (or none for a public one).
    rightful: u16,
    /// Another kiosk's credential on the first kiosk's object: `None` for routes that are not
    /// kiosk routes (a kiosk credential is simply the wrong kind there).
    other_kiosk: Option<u16>,
    /// When the rightful call runs, after the others: some need an earlier one (complete after
    /// the upload; the session ended last).
    order: u8,
}

/// The call for one documented operation, on `objects`; `None` when this file does not know the
/// operation yet (the test then fails and names it).
fn call_for(op: &str, w: &World, objects: &Objects) -> Option<(Call, Expect)> {
    let (method, _) = op.split_once(' ').unwrap();
    let expect = |rightful, other_kiosk, order| Expect {
        rightful,
        other_kiosk,
        order,
    };
    let o = objects;
    let (path, body, expect) = match op {
        // Public.
        "GET /api/v1/catalog" => ("/api/v1/catalog".into(), Body::None, expect(200, None, 0)),
        "GET /api/v1/health" => ("/api/v1/health".into(), Body::None, expect(200, None, 0)),
        "GET /api/v1/statistics" => (
            "/api/v1/statistics".into(),
            Body::None,
            expect(200, None, 0),
        ),
        "POST /api/v1/kiosks/enroll" => (
            "/api/v1/kiosks/enroll".into(),
            Body::Json(json!({"code": w.enrollment_code})),
            expect(200, None, 0),
        ),
        "GET /api/v1/feedback/{id}" => (
            format!("/api/v1/feedback/{}", w.feedback_reference),
            Body::None,
            expect(200, None, 0),
        ),
        // Kiosk routes. Dossier status is for every kiosk of the center (any visitor may ask at
        // any kiosk); heartbeats and new phone sessions are the caller's own.
        "GET /api/v1/dossiers/{code}" => (
            format!("/api/v1/dossiers/{DOSSIER}"),
            Body::None,
            expect(200, Some(200), 0),
        ),
        "GET /api/v1/dossiers/by-token/{token}" => (
            format!("/api/v1/dossiers/by-token/{}", w.dossier_token),
            Body::None,
            expect(200, Some(200), 0),
        ),
        "POST /api/v1/kiosks/heartbeat" => (
            "/api/v1/kiosks/heartbeat".into(),
            Body::Json(heartbeat()),
            expect(200, Some(200), 0),
        ),
        "POST /api/v1/phone-uploads" => (
            "/api/v1/phone-uploads".into(),
            Body::None,
            expect(201, Some(201), 0),
        ),
        // Keys are per kiosk: another kiosk's PUT under the same key is its own, new object.
        "PUT /api/v1/submissions/{idempotency_key}" => (
            format!("/api/v1/submissions/{}", o.submission),
            Body::Json(o.manifest.clone()),
            expect(200, Some(201), 0),
        ),
        "PUT /api/v1/ratings/{idempotency_key}" => (
            format!("/api/v1/ratings/{}", o.rating_key),
            Body::Json(o.rating.clone()),
            expect(200, Some(201), 0),
        ),
        // The same key from another kiosk is its own feedback, but the reference is taken.
        "PUT /api/v1/feedback/{id}" => (
            format!("/api/v1/feedback/{}", o.feedback_key),
            Body::Json(o.feedback.clone()),
            expect(200, Some(409), 0),
        ),
        // A kiosk's own objects: another kiosk gets 404, as if they did not exist.
        "HEAD /api/v1/submissions/{idempotency_key}/files/{file_id}" => (
            format!("/api/v1/submissions/{}/files/{}", o.submission, o.file_id),
            Body::None,
            expect(200, Some(404), 0),
        ),
        "PATCH /api/v1/submissions/{idempotency_key}/files/{file_id}" => (
            format!("/api/v1/submissions/{}/files/{}", o.submission, o.file_id),
            Body::Bytes {
                content_type: "application/offset+octet-stream",
                bytes: o.file.clone(),
                upload_offset: Some(0),
            },
            expect(204, Some(404), 1),
        ),
        "POST /api/v1/submissions/{idempotency_key}/complete" => (
            format!("/api/v1/submissions/{}/complete", o.submission),
            Body::None,
            expect(200, Some(404), 2),
        ),
        "GET /api/v1/phone-uploads/{session_id}" => (
            format!("/api/v1/phone-uploads/{}", o.phone_session),
            Body::None,
            expect(200, Some(404), 0),
        ),
        "GET /api/v1/phone-uploads/{session_id}/files/{file_id}" => (
            format!(
                "/api/v1/phone-uploads/{}/files/{}",
                o.phone_session, o.phone_file
            ),
            Body::None,
            expect(200, Some(404), 0),
        ),
        "DELETE /api/v1/phone-uploads/{session_id}" => (
            format!("/api/v1/phone-uploads/{}", o.phone_session),
            Body::None,
            expect(204, Some(404), 3),
        ),
        // Integration routes.
        "PUT /api/v1/integration/dossiers/{code}" => (
            format!("/api/v1/integration/dossiers/{DOSSIER}"),
            Body::Json(registration()),
            expect(200, None, 0),
        ),
        "POST /api/v1/integration/status-events" => (
            "/api/v1/integration/status-events".into(),
            Body::Json(
                json!({"event_id": "e-1", "dossier_code": DOSSIER, "status": 4, "at": "2025-11-21T02:00:00Z"}),
            ),
            expect(200, None, 0),
        ),
        "GET /api/v1/integration/submissions" => (
            "/api/v1/integration/submissions".into(),
            Body::None,
            expect(200, None, 0),
        ),
        "GET /api/v1/integration/files/{sha256}" => (
            format!("/api/v1/integration/files/{}", w.exported_sha),
            Body::None,
            expect(200, None, 0),
        ),
        // Staff routes.
        "GET /api/v1/fleet" => ("/api/v1/fleet".into(), Body::None, expect(200, None, 0)),
        "GET /api/v1/fleet/kiosks/{name}/config" => (
            "/api/v1/fleet/kiosks/quay-1/config".into(),
            Body::None,
            expect(200, None, 0),
        ),
        "PUT /api/v1/fleet/kiosks/{name}/config" => (
            "/api/v1/fleet/kiosks/quay-1/config".into(),
            Body::Bytes {
                content_type: "text/plain",
                bytes: SETTINGS.as_bytes().to_vec(),
                upload_offset: None,
            },
            expect(200, None, 0),
        ),
        "GET /api/v1/feedback" => ("/api/v1/feedback".into(), Body::None, expect(200, None, 0)),
        "POST /api/v1/feedback/{reference}/answer" => (
            format!("/api/v1/feedback/{}/answer", w.feedback_reference),
            Body::Json(json!({"text": "Cảm ơn bạn, chúng tôi đã sửa."})),
            expect(200, None, 0),
        ),
        "GET /api/v1/ratings/statistics" => (
            "/api/v1/ratings/statistics".into(),
            Body::None,
            expect(200, None, 0),
        ),
        _ => return None,
    };
    Some((Call::new(method, path, body), expect))
}

const SETTINGS: &str = "center_name = \"Bộ phận Một cửa\"\n";

fn heartbeat() -> Value {
    json!({
        "version": "0.1.0", "uptime_secs": 60, "catalog_cursor": "1",
        "catalog_synced_at": OffsetDateTime::now_utc().unix_timestamp(),
        "outbox_depth": 0, "outbox_oldest_age_secs": null, "last_errors": [],
        "disk_free_bytes": 40_000_000_000u64, "printer": "ready",
        "config_version": 0, "config_error": null
    })
}

fn registration() -> Value {
    json!({"procedure_code": "1.001193", "received_on": "2025-11-20", "due_on": "2025-11-25"})
}

fn jpeg(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = u32::from(seed) + 1;
    while bytes.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((x >> 16) as u8);
    }
    bytes
}

impl World {
    fn request(&self, call: &Call, credential: &Credential) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(call.method.clone(), format!("{}{}", self.base, call.path));
        request = match credential {
            Credential::None => request,
            Credential::Bearer(token) => request.bearer_auth(token),
            Credential::Basic(name, password) => request.basic_auth(name, Some(password)),
        };
        match &call.body {
            Body::None => request,
            Body::Json(value) => request.json(value),
            Body::Bytes {
                content_type,
                bytes,
                upload_offset,
            } => {
                let request = request
                    .header(CONTENT_TYPE, *content_type)
                    .body(bytes.clone());
                match upload_offset {
                    Some(offset) => request.header("Upload-Offset", offset.to_string()),
                    None => request,
                }
            }
        }
    }

    /// (status, WWW-Authenticate, body text)
    async fn send(&self, call: &Call, credential: &Credential) -> (u16, Option<String>, String) {
        let response = self.request(call, credential).send().await.unwrap();
        let status = response.status().as_u16();
        let challenge = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned());
        (status, challenge, response.text().await.unwrap())
    }

    async fn json(
        &self,
        method: Method,
        path: &str,
        credential: Credential,
        body: Option<Value>,
    ) -> (u16, Value) {
        let call = Call {
            method,
            path: path.to_owned(),
            body: body.map_or(Body::None, Body::Json),
        };
        let (status, _, text) = self.send(&call, &credential).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A kiosk's submission (manifest only), phone session with one file, feedback and rating.
async fn make_objects(
    base: &str,
    http: &reqwest::Client,
    credential: &str,
    reference: &str,
    seed: u8,
) -> Objects {
    let file = jpeg(2000, seed);
    let manifest = photo_manifest("anh", &file);
    let response = http
        .put(format!("{base}/api/v1/submissions/hs-1"))
        .bearer_auth(credential)
        .json(&manifest)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);

    // A phone session, claimed by a phone that sends one photo.
    let response = http
        .post(format!("{base}/api/v1/phone-uploads"))
        .bearer_auth(credential)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let session: Value = response.json().await.unwrap();
    let session_id = session["session_id"].as_str().unwrap().to_owned();
    let upload_url = session["upload_url"].as_str().unwrap().to_owned();
    let page = http.get(&upload_url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let photo = jpeg(3000, seed + 100);
    let mut form = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&photo);
    form.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let sent = http
        .post(&upload_url)
        .header("Cookie", cookie)
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 200);
    let list: Value = http
        .get(format!("{base}/api/v1/phone-uploads/{session_id}"))
        .bearer_auth(credential)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let phone_file = list["files"][0]["file_id"].as_str().unwrap().to_owned();

    let feedback = json!({"reference": reference, "topic": "facilities",
                          "text": "Thiếu ghế ngồi chờ.", "submitted_at": "2026-11-22T09:15:00+07:00"});
    let rating = json!({"satisfaction": "satisfied", "rated_at": "2026-11-22T09:20:00+07:00"});
    for (path, body) in [
        ("/api/v1/feedback/fb-1", &feedback),
        ("/api/v1/ratings/r-1", &rating),
    ] {
        let response = http
            .put(format!("{base}{path}"))
            .bearer_auth(credential)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201, "{path}");
    }
    Objects {
        submission: "hs-1",
        file_id: "anh",
        file,
        manifest,
        phone_session: session_id,
        phone_file,
        feedback_key: "fb-1",
        feedback,
        rating_key: "r-1",
        rating,
    }
}

/// `METHOD /path` of every operation in the document, with the schemes of its `security`.
fn operations(doc: &Value) -> BTreeMap<String, Vec<String>> {
    let mut ops = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ![
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ]
            .contains(&method.as_str())
            {
                continue;
            }
            let schemes: Vec<String> = operation["security"]
                .as_array()
                .map(|requirements| {
                    requirements
                        .iter()
                        .flat_map(|r| r.as_object().unwrap().keys().cloned())
                        .collect()
                })
                .unwrap_or_default();
            ops.insert(format!("{} {path}", method.to_uppercase()), schemes);
        }
    }
    ops
}

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_route_refuses_the_wrong_credential() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let http = reqwest::Client::new();
    let keys = keys(dir.path());
    let settings = config(dir.path());
    let other_kiosk = motcua_central::issue_kiosk_credential(&settings, "quay-2").unwrap();
    let revoked_kiosk = motcua_central::issue_kiosk_credential(&settings, "quay-3").unwrap();
    let mut operations_store = motcua_central::open_operations(&settings).unwrap();
    let now = OffsetDateTime::now_utc();
    operations_store.add_staff(STAFF, PASSWORD, now).unwrap();
    let enrollment_code = operations_store.add_kiosk("quay-4", now).unwrap();

    // The objects: a dossier of the one-stop system, each kiosk's own things, a completed
    // submission whose file the export route serves, a stored remote configuration.
    let (status, dossier) = register(
        &base,
        &keys.integration,
        DOSSIER,
        "1.001193",
        "2025-11-20",
        "2025-11-25",
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    let dossier_token = dossier["status_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let mine = make_objects(&base, &http, &keys.kiosk, "PA-1111-2222-3333", 1).await;
    let revoked = make_objects(&base, &http, &revoked_kiosk, "PA-4444-5555-6666", 2).await;
    let exported = jpeg(2500, 3);
    for (method, path, body) in [
        (
            "PUT",
            "/api/v1/submissions/done",
            Some(photo_manifest("p", &exported)),
        ),
        ("PATCH", "/api/v1/submissions/done/files/p", None),
        ("POST", "/api/v1/submissions/done/complete", None),
    ] {
        let mut request = http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{base}{path}"),
            )
            .bearer_auth(&keys.kiosk);
        request = match body {
            Some(body) => request.json(&body),
            None if method == "PATCH" => request
                .header(CONTENT_TYPE, "application/offset+octet-stream")
                .header("Upload-Offset", "0")
                .body(exported.clone()),
            None => request,
        };
        let response = request.send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
    }
    let stored = http
        .put(format!("{base}/api/v1/fleet/kiosks/quay-1/config"))
        .basic_auth(STAFF, Some(PASSWORD))
        .header(CONTENT_TYPE, "text/plain")
        .body(SETTINGS)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status().as_u16(), 200);
    operations_store
        .revoke_kiosk("quay-3", OffsetDateTime::now_utc())
        .unwrap();

    let world = World {
        base: base.clone(),
        http: http.clone(),
        kiosk: keys.kiosk.clone(),
        other_kiosk,
        revoked_kiosk,
        integration: keys.integration.clone(),
        mine,
        revoked,
        dossier_token,
        exported_sha: sha256_hex(&exported),
        enrollment_code,
        feedback_reference: "PA-1111-2222-3333".into(),
    };

    let (status, doc) = world
        .json(Method::GET, "/api/v1/openapi.json", Credential::None, None)
        .await;
    assert_eq!(status, 200);
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let challenge_of = |scheme: &str| -> &'static str {
        match schemes[scheme]["scheme"].as_str().unwrap() {
            "bearer" => "Bearer realm=\"motcua\"",
            "basic" => "Basic realm=\"motcua\", charset=\"UTF-8\"",
            other => panic!("scheme {scheme} is HTTP {other}: teach this test its credential"),
        }
    };
    let credential_of = |scheme: &str| -> Credential {
        match scheme {
            "kiosk" => Credential::Bearer(world.kiosk.clone()),
            "integration" => Credential::Bearer(world.integration.clone()),
            "staff" => Credential::Basic(STAFF, PASSWORD),
            other => panic!("security scheme {other} is new: teach this test its credential"),
        }
    };
    let ops = operations(&doc);
    let unknown: Vec<&String> = ops
        .keys()
        .filter(|op| call_for(op, &world, &world.mine).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "operations this test does not call yet (add them to call_for): {unknown:?}"
    );
    let public: BTreeSet<&str> = ops
        .iter()
        .filter(|(_, schemes)| schemes.is_empty())
        .map(|(op, _)| op.as_str())
        .collect();
    assert_eq!(
        public,
        BTreeSet::from(PUBLIC_OPERATIONS),
        "the operations without security changed"
    );

    // Refusals first: none of them may change anything.
    let mut secured = 0;
    let mut attempts = 0;
    for (op, op_schemes) in &ops {
        if op_schemes.is_empty() {
            continue;
        }
        assert_eq!(op_schemes.len(), 1, "{op}: one scheme per operation");
        let scheme = op_schemes[0].as_str();
        let challenge = challenge_of(scheme);
        secured += 1;
        let (call, _) = call_for(op, &world, &world.mine).unwrap();
        let mut refused = vec![("no credential", Credential::None)];
        for kind in ["kiosk", "integration", "staff"] {
            if kind != scheme {
                refused.push((kind, credential_of(kind)));
            }
        }
        for (what, credential) in refused {
            let (status, got, text) = world.send(&call, &credential).await;
            assert_eq!(status, 401, "{op} with {what}: {text}");
            assert_eq!(got.as_deref(), Some(challenge), "{op} with {what}");
            attempts += 1;
        }
        // A revoked kiosk, on its own objects.
        let (own_call, _) = call_for(op, &world, &world.revoked).unwrap();
        let (status, got, text) = world
            .send(&own_call, &Credential::Bearer(world.revoked_kiosk.clone()))
            .await;
        assert_eq!(status, 401, "{op} with a revoked kiosk credential: {text}");
        assert_eq!(got.as_deref(), Some(challenge), "{op} revoked");
        if scheme == "kiosk" && call.method != Method::HEAD {
            assert!(text.contains("revoked"), "{op}: {text}");
        }
        attempts += 1;
    }
    assert!(
        secured >= SECURED_FLOOR,
        "only {secured} operations declare security"
    );
    assert_eq!(attempts, secured * 4, "each secured operation, four ways");

    // The refused calls changed nothing: no bytes arrived, no answer, no new configuration.
    let head = Call::new(
        "HEAD",
        "/api/v1/submissions/hs-1/files/anh".into(),
        Body::None,
    );
    let response = world
        .request(&head, &Credential::Bearer(world.kiosk.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["upload-offset"], "0");
    let (_, view) = world
        .json(
            Method::GET,
            "/api/v1/feedback/PA-1111-2222-3333",
            Credential::None,
            None,
        )
        .await;
    assert!(view["answer"].is_null(), "{view}");
    let (_, stored) = world
        .json(
            Method::GET,
            "/api/v1/fleet/kiosks/quay-1/config",
            Credential::Basic(STAFF, PASSWORD),
            None,
        )
        .await;
    assert_eq!(stored["version"], 1, "{stored}");

    // Another kiosk on the first kiosk's objects; new objects under the same keys come last.
    let mut crossings: Vec<(&String, Call, u16)> = ops
        .iter()
        .filter(|(_, schemes)| schemes.first().map(String::as_str) == Some("kiosk"))
        .filter_map(|(op, _)| {
            let (call, expect) = call_for(op, &world, &world.mine).unwrap();
            expect.other_kiosk.map(|status| (op, call, status))
        })
        .collect();
    crossings.sort_by_key(|(_, _, status)| matches!(status, 200 | 201 | 409));
    let kiosk_ops = ops
        .values()
        .filter(|s| s.first().map(String::as_str) == Some("kiosk"))
        .count();
    assert_eq!(crossings.len(), kiosk_ops, "every kiosk operation crossed");
    let mut hidden = 0;
    for (op, call, expected) in &crossings {
        let (status, _, text) = world
            .send(call, &Credential::Bearer(world.other_kiosk.clone()))
            .await;
        assert_eq!(status, *expected, "{op} from another kiosk: {text}");
        hidden += usize::from(*expected == 404);
    }
    assert!(hidden >= 6, "{hidden} kiosk-owned operations");

    // The rightful caller gets through: the refusals above were about the credential.
    let mut rightful: Vec<(&String, Call, Expect)> = ops
        .iter()
        .map(|(op, _)| {
            let (call, expect) = call_for(op, &world, &world.mine).unwrap();
            (op, call, expect)
        })
        .collect();
    rightful.sort_by_key(|(_, _, expect)| expect.order);
    for (op, call, expect) in &rightful {
        let scheme = ops[*op].first().map(String::as_str);
        let credential = scheme.map_or(Credential::None, credential_of);
        let (status, _, text) = world.send(call, &credential).await;
        assert_eq!(
            status, expect.rightful,
            "{op} by its rightful caller: {text}"
        );
    }

    // No method the document does not list answers on a documented path.
    let paths: BTreeSet<&str> = ops.keys().map(|op| op.split_once(' ').unwrap().1).collect();
    for path in paths {
        let concrete = path
            .split('/')
            .map(|part| if part.starts_with('{') { "x1" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] {
            let documented = ops.contains_key(&format!("{method} {path}"))
                || (method == "HEAD" && ops.contains_key(&format!("GET {path}")));
            if documented {
                continue;
            }
            let call = Call::new(method, concrete.clone(), Body::None);
            let (status, _, _) = world.send(&call, &Credential::None).await;
            assert_eq!(status, 405, "{method} {path} is not in the document");
        }
    }
    server.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Routes outside the document.

/// Every route the router serves besides the documented operations (`routes!`), with what it
/// wants: `.route(` calls in central/src must all be here.
const OTHER_ROUTES: [(&str, Access); 14] = [
    ("/api/v1/openapi.json", Access::Public),
    ("/ho-so/{*token}", Access::Public),
    ("STATUS_PAGE_PREFIX", Access::Public),
    ("/phan-anh/{*reference}", Access::Public),
    ("FEEDBACK_PAGE_PREFIX", Access::Public),
    ("/tai-len/{*token}", Access::Public),
    ("/fleet", Access::Staff),
    ("/fleet/kiosks/{name}", Access::Staff),
    ("/thu-tuc/{code}", Access::Public),
    ("/forms/{name}", Access::Public),
    ("/static/public.css", Access::Public),
    ("/tra-cuu", Access::Public),
    ("/static/search.js", Access::Public),
    ("/static/search.css", Access::Public),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Public,
    Staff,
}

/// The first argument of every `.route(` (and other ways of adding routes) in the `.rs` files
/// under `dir`: a string literal's text, or the expression as written.
fn routes_in_source(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            routes_in_source(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for adder in [".nest(", ".nest_service(", ".route_service(", ".fallback("] {
            assert!(
                !text.contains(adder),
                "{}: {adder} adds routes this test does not know",
                path.display()
            );
        }
        for (at, _) in text.match_indices(".route(") {
            let rest = text[at + ".route(".len()..].trim_start();
            let argument = match rest.strip_prefix('"') {
                Some(literal) => literal[..literal.find('"').unwrap()].to_owned(),
                None => rest[..rest.find(',').unwrap()].trim().to_owned(),
            };
            found.push(argument);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn routes_outside_the_document_are_listed_and_staff_pages_want_a_staff_sign_in() {
    let mut found = Vec::new();
    routes_in_source(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    let listed: BTreeSet<&str> = OTHER_ROUTES.iter().map(|(route, _)| *route).collect();
    assert_eq!(
        found, listed,
        "routes outside the OpenAPI document changed: document them (utoipa) or list them here"
    );
    // Of these, only the document itself is under /api/: everything else there is documented.
    let api: Vec<&&str> = found.iter().filter(|r| r.starts_with("/api/")).collect();
    assert_eq!(api, [&"/api/v1/openapi.json"]);

    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let settings = config(dir.path());
    let revoked = motcua_central::issue_kiosk_credential(&settings, "quay-3").unwrap();
    let mut operations_store = motcua_central::open_operations(&settings).unwrap();
    operations_store
        .add_staff(STAFF, PASSWORD, OffsetDateTime::now_utc())
        .unwrap();
    operations_store
        .revoke_kiosk("quay-3", OffsetDateTime::now_utc())
        .unwrap();
    let http = reqwest::Client::new();
    let staff_pages: Vec<&str> = OTHER_ROUTES
        .iter()
        .filter(|(_, access)| *access == Access::Staff)
        .map(|(route, _)| *route)
        .collect();
    assert_eq!(staff_pages.len(), 2);
    for route in staff_pages {
        let url = format!("{base}{}", route.replace("{name}", "quay-1"));
        for (what, token) in [
            ("no credential", None),
            ("a kiosk credential", Some(&keys.kiosk)),
            ("an integration token", Some(&keys.integration)),
            ("a revoked kiosk credential", Some(&revoked)),
        ] {
            let mut request = http.get(&url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 401, "{route} with {what}");
            assert_eq!(
                response.headers()[WWW_AUTHENTICATE],
                "Basic realm=\"motcua\", charset=\"UTF-8\"",
                "{route}"
            );
        }
        let response = http
            .get(&url)
            .basic_auth(STAFF, Some(PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{route} as staff");
    }
    server.stop().await;
}
