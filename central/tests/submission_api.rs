//! Online submission at kiosks over real HTTP: the real server on 127.0.0.1 port 0, the real
//! reqwest client, raw TCP for a connection cut mid-upload, and a tracing subscriber that records
//! every log line so the test can prove no personal data reaches the logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::{config, get, keys, spawn, spawn_with};
use motcua_central::submission::rules::add_working_days;
use motcua_central::{CentralConfig, DEMO_CATALOG};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

const FULL_NAME: &str = "Nguyễn Thị Hoa Mai";
const CITIZEN_ID: &str = "001089012345";
const PHONE: &str = "0912345678";
const ADDRESS: &str = "Số 7 Hàng Bài, phường Hoàn Kiếm, Hà Nội";

// ---------------------------------------------------------------------------------------------
// Logs: one global subscriber for this test binary, writing every line into a shared buffer.

#[derive(Clone)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_logs() -> Buffer {
    static LOGS: OnceLock<Buffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Buffer(Arc::new(Mutex::new(Vec::new())));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "motcua_central=trace,tower_http=trace",
            ))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buffer
    })
    .clone()
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Bytes that are not all alike, after a signature.
fn content(signature: &[u8], len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = signature.to_vec();
    let mut x = u32::from(seed) + 1;
    while bytes.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((x >> 16) as u8);
    }
    bytes
}

fn jpeg(len: usize, seed: u8) -> Vec<u8> {
    content(&[0xFF, 0xD8, 0xFF, 0xE0], len, seed)
}

fn pdf(len: usize, seed: u8) -> Vec<u8> {
    content(b"%PDF-1.7\n", len, seed)
}

/// The exact names of a procedure's documents in the demo catalog.
fn documents(code: &str) -> Vec<String> {
    let catalog: Value = serde_json::from_str(DEMO_CATALOG).unwrap();
    let procedure = catalog["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap();
    procedure["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect()
}

fn applicant() -> Value {
    json!({"full_name": FULL_NAME, "citizen_id": CITIZEN_ID, "birth_date": "15/03/1989",
           "phone": PHONE, "address": ADDRESS})
}

/// A manifest: `files` are (document index, file id, media type, bytes).
fn manifest(code: &str, files: &[(usize, &str, &str, &[u8])]) -> Value {
    let names = documents(code);
    let mut documents: Vec<Value> = Vec::new();
    for (index, file_id, media_type, bytes) in files {
        let file = json!({"file_id": file_id, "media_type": media_type,
                          "size": bytes.len(), "sha256": sha(bytes)});
        match documents
            .iter_mut()
            .find(|d| d["document"] == names[*index].as_str())
        {
            Some(document) => document["files"].as_array_mut().unwrap().push(file),
            None => documents.push(json!({"document": names[*index], "files": [file]})),
        }
    }
    json!({"procedure_code": code, "applicant": applicant(), "documents": documents,
           "local_reference": "QUAY-1-20261122-0007",
           "confirmed_at": "2026-11-22T09:30:00+07:00"})
}

struct Api {
    base: String,
    bearer: String,
    http: reqwest::Client,
}

impl Api {
    fn new(base: &str, bearer: &str) -> Self {
        Self {
            base: base.to_owned(),
            bearer: bearer.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    async fn put(&self, key: &str, manifest: &Value) -> (u16, Value) {
        let response = self
            .http
            .put(format!("{}/api/v1/submissions/{key}", self.base))
            .bearer_auth(&self.bearer)
            .json(manifest)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn patch(
        &self,
        key: &str,
        file: &str,
        offset: u64,
        bytes: &[u8],
    ) -> (u16, HeaderMap, String) {
        let response = self
            .http
            .patch(format!(
                "{}/api/v1/submissions/{key}/files/{file}",
                self.base
            ))
            .bearer_auth(&self.bearer)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// (HTTP status, Upload-Offset, Upload-Length)
    async fn head(&self, key: &str, file: &str) -> (u16, Option<u64>, Option<u64>) {
        let response = self
            .http
            .head(format!(
                "{}/api/v1/submissions/{key}/files/{file}",
                self.base
            ))
            .bearer_auth(&self.bearer)
            .send()
            .await
            .unwrap();
        let number = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().parse().unwrap())
        };
        (
            response.status().as_u16(),
            number("upload-offset"),
            number("upload-length"),
        )
    }

    async fn complete(&self, key: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/v1/submissions/{key}/complete", self.base))
            .bearer_auth(&self.bearer)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Uploads a whole file in one request and expects it stored.
    async fn upload(&self, key: &str, file: &str, bytes: &[u8]) {
        let (status, headers, body) = self.patch(key, file, 0, bytes).await;
        assert_eq!(status, 204, "{body}");
        assert_eq!(headers["upload-offset"], bytes.len().to_string().as_str());
    }
}

fn offset_header(headers: &HeaderMap) -> u64 {
    headers["upload-offset"].to_str().unwrap().parse().unwrap()
}

fn today_compact() -> String {
    let today = motcua_central::today_in_vietnam();
    format!(
        "{:04}{:02}{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    )
}

fn iso(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_submission_goes_from_manifest_to_receipt_idempotently_and_logs_no_personal_data() {
    let logs = captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let keys = keys(dir.path());
    let api = Api::new(&server.base_url(), &keys.kiosk);
    let form = pdf(300_000, 1);
    let photo = jpeg(70_001, 2);
    let body = manifest(
        "1.001193",
        &[
            (0, "to-khai", "application/pdf", &form),
            (1, "giay-chung-sinh-1", "image/jpeg", &photo),
        ],
    );

    // The manifest, once; the same again is harmless; another under the same key is refused.
    let (status, state) = api.put("hs-0001", &body).await;
    assert_eq!(status, 201, "{state}");
    assert_eq!(
        state,
        json!({"files": [
            {"file_id": "to-khai", "offset": 0, "size": 300_000, "complete": false},
            {"file_id": "giay-chung-sinh-1", "offset": 0, "size": 70_001, "complete": false}]})
    );
    let mut reformatted = body.clone();
    reformatted["applicant"]["phone"] = json!("+84 912 345 678");
    reformatted["confirmed_at"] = json!("2026-11-22T02:30:00Z");
    let (status, again) = api.put("hs-0001", &reformatted).await;
    assert_eq!(
        status, 200,
        "the same manifest, written differently: {again}"
    );
    assert_eq!(again, state);
    let mut different = body.clone();
    different["local_reference"] = json!("QUAY-1-20261122-0008");
    let (status, refused) = api.put("hs-0001", &different).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("different manifest")
    );

    // An invalid applicant is refused without repeating what was typed.
    let mut invalid = body.clone();
    invalid["applicant"]["phone"] = json!("12345");
    invalid["applicant"]["citizen_id"] = json!("003089012345");
    let (status, refused) = api.put("hs-bad", &invalid).await;
    assert_eq!(status, 422, "{refused}");
    let message = refused["error"].as_str().unwrap();
    assert!(
        message.contains("phone") && message.contains("citizen ID"),
        "{message}"
    );
    assert!(
        !message.contains("12345") && !message.contains(FULL_NAME),
        "{message}"
    );

    // Completing before the files are there lists what is missing.
    let (status, missing) = api.complete("hs-0001").await;
    assert_eq!(status, 409);
    assert!(
        missing["error"]
            .as_str()
            .unwrap()
            .contains("to-khai, giay-chung-sinh-1"),
        "{missing}"
    );

    // The form in two chunks, after a wrong offset.
    let (status, headers, _) = api.patch("hs-0001", "to-khai", 1000, &form[1000..]).await;
    assert_eq!(status, 409);
    assert_eq!(offset_header(&headers), 0);
    let (status, headers, body_text) = api.patch("hs-0001", "to-khai", 0, &form[..120_000]).await;
    assert_eq!(status, 204, "{body_text}");
    assert_eq!(offset_header(&headers), 120_000);
    assert_eq!(
        api.head("hs-0001", "to-khai").await,
        (200, Some(120_000), Some(300_000))
    );
    let (status, headers, _) = api.patch("hs-0001", "to-khai", 0, &form).await;
    assert_eq!(status, 409, "resume where the server is");
    assert_eq!(offset_header(&headers), 120_000);
    let (status, headers, body_text) = api
        .patch("hs-0001", "to-khai", 120_000, &form[120_000..])
        .await;
    assert_eq!(status, 204, "{body_text}");
    assert_eq!(offset_header(&headers), 300_000);
    assert_eq!(
        api.head("hs-0001", "to-khai").await,
        (200, Some(300_000), Some(300_000))
    );
    api.upload("hs-0001", "giay-chung-sinh-1", &photo).await;

    // The stored files are filed by content.
    for bytes in [&form, &photo] {
        let hash = sha(bytes);
        let stored = dir.path().join("files").join(&hash[..2]).join(&hash);
        assert_eq!(sha(&std::fs::read(&stored).unwrap()), hash);
    }
    assert!(
        !dir.path()
            .join("uploads")
            .join("1")
            .join("to-khai.part")
            .exists()
    );

    // The receipt.
    let (status, receipt) = api.complete("hs-0001").await;
    assert_eq!(status, 200, "{receipt}");
    let code = receipt["code"].as_str().unwrap().to_owned();
    assert_eq!(code, format!("G00.01-{}-0000001", today_compact()));
    let today = motcua_central::today_in_vietnam();
    assert_eq!(receipt["received_on"], iso(today).as_str());
    assert_eq!(
        receipt["due_on"],
        iso(add_working_days(today, 1, &[])).as_str()
    );
    assert_eq!(receipt["status"], 2, "full online: accepted");
    assert_eq!(receipt["procedure_code"], "1.001193");
    assert_eq!(receipt["procedure_name"], "Đăng ký khai sinh");
    assert_eq!(receipt["agency"], "Ủy ban nhân dân cấp xã");
    assert_eq!(receipt["fee_total_vnd"], 8000);
    let status_url = receipt["status_url"].as_str().unwrap().to_owned();
    assert!(
        !dir.path().join("uploads").join("1").exists(),
        "the upload directory is removed"
    );

    // The same receipt every time, and in the state of a repeated PUT.
    let (status, again) = api.complete("hs-0001").await;
    assert_eq!((status, &again), (200, &receipt));
    let (status, state) = api.put("hs-0001", &body).await;
    assert_eq!(status, 200);
    assert_eq!(state["receipt"], receipt);
    assert_eq!(state["files"][0]["complete"], true);

    // The dossier, through the kiosk's status API and on its public page.
    let (status, _, view) = get(
        &format!("{}/api/v1/dossiers/{code}", server.base_url()),
        Some(&keys.kiosk),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    let view: Value = serde_json::from_str(&view).unwrap();
    assert_eq!(view["status"], 2);
    assert_eq!(view["status_url"], status_url.as_str());
    assert_eq!(view["history"].as_array().unwrap().len(), 1);
    let (status, _, page) = get(&status_url, None).await;
    assert_eq!(status, 200);
    assert!(page.contains("Đăng ký khai sinh") && page.contains("Được tiếp nhận"));
    assert!(!page.contains(FULL_NAME) && !page.contains(CITIZEN_ID));

    // After a restart: still the same receipt.
    server.stop().await;
    let server = spawn(dir.path()).await;
    let api = Api::new(&server.base_url(), &keys.kiosk);
    let (status, after_restart) = api.complete("hs-0001").await;
    assert_eq!((status, &after_restart), (200, &receipt));
    server.stop().await;

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    if std::env::var_os("MOTCUA_DUMP_LOGS").is_some() {
        eprintln!("{text}");
    }
    assert!(
        text.contains("submission completed"),
        "logs are captured: {text}"
    );
    assert!(text.contains("hs-0001"));
    for personal in [FULL_NAME, "Hoa Mai", CITIZEN_ID, PHONE, "Hàng Bài"] {
        assert!(
            !text.contains(personal),
            "{personal:?} in the logs:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_cut_mid_upload_keeps_what_arrived_and_the_rest_completes_the_file() {
    captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let keys = keys(dir.path());
    let api = Api::new(&server.base_url(), &keys.kiosk);
    let photo = jpeg(400_000, 3);
    let (status, state) = api
        .put(
            "cut",
            &manifest("1.004873", &[(0, "anh", "image/jpeg", &photo)]),
        )
        .await;
    assert_eq!(status, 201, "{state}");

    // Headers announcing the whole file, half of it, then the connection is dropped.
    let half = 150_000;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "PATCH /api/v1/submissions/cut/files/anh HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/offset+octet-stream\r\n\
         Upload-Offset: 0\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        keys.kiosk,
        photo.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&photo[..half]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stream);

    let mut kept = None;
    for _ in 0..100 {
        let (status, offset, length) = api.head("cut", "anh").await;
        assert_eq!((status, length), (200, Some(400_000)));
        if offset == Some(half as u64) {
            kept = offset;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        kept,
        Some(half as u64),
        "HEAD reports the bytes that arrived"
    );
    let part = dir.path().join("uploads").join("1").join("anh.part");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), half as u64);

    // A restart of the server changes nothing.
    server.stop().await;
    let server = spawn(dir.path()).await;
    let api = Api::new(&server.base_url(), &keys.kiosk);
    assert_eq!(
        api.head("cut", "anh").await,
        (200, Some(half as u64), Some(400_000))
    );

    let (status, headers, text) = api.patch("cut", "anh", half as u64, &photo[half..]).await;
    assert_eq!(status, 204, "{text}");
    assert_eq!(offset_header(&headers), 400_000);
    let (status, receipt) = api.complete("cut").await;
    assert_eq!(status, 200, "{receipt}");
    let hash = sha(&photo);
    let stored = dir.path().join("files").join(&hash[..2]).join(&hash);
    assert_eq!(std::fs::read(stored).unwrap(), photo);

    // Bytes on disk beyond the stored offset (a crash between write and bookkeeping) are cut.
    let other = jpeg(1000, 4);
    let (status, _) = api
        .put(
            "crash",
            &manifest("1.004873", &[(0, "anh", "image/jpeg", &other)]),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _, _) = api.patch("crash", "anh", 0, &other[..400]).await;
    assert_eq!(status, 204);
    let part = dir.path().join("uploads").join("2").join("anh.part");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&part)
        .unwrap();
    file.write_all(&other[400..700]).unwrap();
    drop(file);
    assert_eq!(api.head("crash", "anh").await, (200, Some(400), Some(1000)));
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 400);
    server.stop().await;
}

/// A kiosk's network goes away without the server seeing a close: the old request stays open and
/// silent. The kiosk's next HEAD or PATCH must not wait for the server's 60-second idle timeout or
/// be turned away as "in progress": the silent request is stopped, keeps its bytes, and the
/// kiosk learns where the file really ends.
#[tokio::test(flavor = "multi_thread")]
async fn a_half_open_upload_is_taken_over_by_the_kiosks_next_request() {
    captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let keys = keys(dir.path());
    let api = Api::new(&server.base_url(), &keys.kiosk);
    let photo = jpeg(400_000, 8);
    let (status, state) = api
        .put(
            "half-open",
            &manifest("1.004873", &[(0, "anh", "image/jpeg", &photo)]),
        )
        .await;
    assert_eq!(status, 201, "{state}");
    let part = dir.path().join("uploads").join("1").join("anh.part");

    // Starts a PATCH at `from` announcing the rest of the file, sends `bytes` of it and goes
    // quiet, once the server has them on disk.
    let silent_patch = |from: usize, bytes: usize| {
        let (addr, kiosk, photo, part) =
            (server.addr, keys.kiosk.clone(), photo.clone(), part.clone());
        async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "PATCH /api/v1/submissions/half-open/files/anh HTTP/1.1\r\nHost: {addr}\r\n\
                 Authorization: Bearer {kiosk}\r\nContent-Type: application/offset+octet-stream\r\n\
                 Upload-Offset: {from}\r\nContent-Length: {}\r\n\r\n",
                photo.len() - from
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(&photo[from..from + bytes]).await.unwrap();
            stream.flush().await.unwrap();
            for _ in 0..200 {
                if std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) == (from + bytes) as u64 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert_eq!(
                std::fs::metadata(&part).unwrap().len(),
                (from + bytes) as u64
            );
            stream
        }
    };
    // Reads what the server finally answered a silent request, which it must also close.
    let answer_to = |mut stream: tokio::net::TcpStream| async move {
        let mut answer = Vec::new();
        let read = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer),
        )
        .await;
        assert!(
            read.is_ok(),
            "the taken-over request still holds its connection"
        );
        String::from_utf8_lossy(&answer).into_owned()
    };

    // HEAD: the silent request is stopped and its bytes counted.
    let silent = silent_patch(0, 120_000).await;
    assert_eq!(
        api.head("half-open", "anh").await,
        (200, Some(120_000), Some(400_000))
    );
    let answer = answer_to(silent).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("120000 bytes are kept"), "{answer}");

    // PATCH from an offset the kiosk believed (it never asked): not busy; told the real offset.
    let silent = silent_patch(120_000, 100_000).await;
    let (status, headers, text) = api
        .patch("half-open", "anh", 120_000, &photo[120_000..])
        .await;
    assert_eq!(status, 409, "{text}");
    assert!(
        !text.contains("in progress"),
        "taken over, not busy: {text}"
    );
    assert_eq!(offset_header(&headers), 220_000);
    assert!(answer_to(silent).await.contains("220000 bytes are kept"));
    let (status, headers, text) = api
        .patch("half-open", "anh", 220_000, &photo[220_000..])
        .await;
    assert_eq!(status, 204, "{text}");
    assert_eq!(offset_header(&headers), photo.len() as u64);
    let (status, receipt) = api.complete("half-open").await;
    assert_eq!(status, 200, "{receipt}");
    let hash = sha(&photo);
    let stored = dir.path().join("files").join(&hash[..2]).join(&hash);
    assert_eq!(std::fs::read(stored).unwrap(), photo);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_bytes_and_bad_manifests_are_refused() {
    captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(dir.path(), |c| {
        c.max_upload_file_bytes = std::num::NonZeroU64::new(100_000).unwrap();
        c.max_submission_bytes = std::num::NonZeroU64::new(150_000).unwrap();
    })
    .await;
    let keys = keys(dir.path());
    let api = Api::new(&server.base_url(), &keys.kiosk);
    let good = pdf(5000, 5);
    let exe = content(b"MZ\x90\x00\x03\x00", 4000, 6);
    let (status, state) = api
        .put(
            "bad",
            &manifest(
                "1.001193",
                &[
                    (0, "good", "application/pdf", &good),
                    (1, "exe", "application/pdf", &exe),
                ],
            ),
        )
        .await;
    assert_eq!(status, 201, "{state}");

    // Right size, wrong bytes: hash mismatch, back to 0.
    let wrong = pdf(5000, 99);
    let (status, _, text) = api.patch("bad", "good", 0, &wrong).await;
    assert_eq!(status, 422);
    assert!(text.contains("hash mismatch"), "{text}");
    assert_eq!(api.head("bad", "good").await.1, Some(0));
    api.upload("bad", "good", &good).await;

    // A program declared as a PDF, with its real hash: refused by content, back to 0.
    let (status, _, text) = api.patch("bad", "exe", 0, &exe).await;
    assert_eq!(status, 422);
    assert!(
        text.contains("declared as application/pdf but its content is not JPEG, PNG or PDF"),
        "{text}"
    );
    assert_eq!(api.head("bad", "exe").await.1, Some(0));

    // Past the declared size: 413, nothing of that request kept.
    let (status, _, _) = api.patch("bad", "exe", 0, &exe[..1000]).await;
    assert_eq!(status, 204);
    let mut too_much = exe[1000..].to_vec();
    too_much.extend_from_slice(b"extra");
    let (status, _, text) = api.patch("bad", "exe", 1000, &too_much).await;
    assert_eq!(status, 413, "{text}");
    assert_eq!(api.head("bad", "exe").await.1, Some(1000));
    let part = dir.path().join("uploads").join("1").join("exe.part");
    assert_eq!(std::fs::metadata(part).unwrap().len(), 1000);

    // Not the upload content type.
    let response = reqwest::Client::new()
        .patch(format!(
            "{}/api/v1/submissions/bad/files/exe",
            server.base_url()
        ))
        .bearer_auth(&keys.kiosk)
        .header("Content-Type", "application/pdf")
        .header("Upload-Offset", "1000")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    let (status, _, _) = api.patch("bad", "nope", 0, b"x").await;
    assert_eq!(status, 404);

    // Manifests that break a rule.
    let big = pdf(100_001, 7);
    let (status, body) = api
        .put(
            "big",
            &manifest("1.004873", &[(0, "a", "application/pdf", &big)]),
        )
        .await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("limit is 100000 bytes per file")
    );
    let (a, b) = (pdf(80_000, 8), pdf(80_000, 9));
    let (status, body) = api
        .put(
            "total",
            &manifest(
                "1.001193",
                &[
                    (0, "a", "application/pdf", &a),
                    (1, "b", "application/pdf", &b),
                ],
            ),
        )
        .await;
    assert_eq!(status, 413, "{body}");
    let (status, body) = api
        .put(
            "offline",
            &manifest("1.004746", &[(0, "a", "application/pdf", &good)]),
        )
        .await;
    assert_eq!(status, 422);
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("1.004746") && message.contains("cannot be submitted online"),
        "{message}"
    );
    let mut unknown = manifest("1.004873", &[(0, "a", "application/pdf", &good)]);
    unknown["documents"][0]["document"] = json!("Giấy tờ không có trong danh mục");
    let (status, body) = api.put("unknown-doc", &unknown).await;
    assert_eq!(status, 422);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("is not one of the documents")
    );
    let mut empty = manifest("1.004873", &[(0, "a", "application/pdf", &good)]);
    empty["documents"] = json!([]);
    let (status, body) = api.put("no-files", &empty).await;
    assert_eq!(status, 422);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("at least one file")
    );
    let (status, _) = api.put("bad key!", &empty).await;
    assert!(status == 400 || status == 404, "{status}");
    let response = reqwest::Client::new()
        .put(format!("{}/api/v1/submissions/huge", server.base_url()))
        .bearer_auth(&keys.kiosk)
        .header("Content-Type", "application/json")
        .body(vec![b' '; 300 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);

    // A document the procedure requires, without a file.
    let (status, body) = api
        .put(
            "missing",
            &manifest("1.004884", &[(0, "a", "application/pdf", &good)]),
        )
        .await;
    assert_eq!(status, 422);
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("required document \"Văn bản cam đoan"),
        "{message}"
    );

    // Partly online: registered (1), not yet accepted.
    let cam_doan = pdf(2000, 11);
    let (status, _) = api
        .put(
            "partial",
            &manifest(
                "1.004884",
                &[
                    (0, "a", "application/pdf", &good),
                    (2, "b", "application/pdf", &cam_doan),
                ],
            ),
        )
        .await;
    assert_eq!(status, 201);
    api.upload("partial", "a", &good).await;
    api.upload("partial", "b", &cam_doan).await;
    let (status, receipt) = api.complete("partial").await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["status"], 1);
    let today = motcua_central::today_in_vietnam();
    assert_eq!(
        receipt["due_on"],
        iso(add_working_days(today, 5, &[])).as_str()
    );
    server.stop().await;
}

/// Regression test for a race found by the `upload_offsets` fuzz target (docs/SECURITY.md,
/// finding 7). A request without `Content-Length` goes past the declared size only in its last
/// piece; the piece before it was handed to a tokio file, which writes in the background. The
/// part must be cut back only after that write has landed, or the write lands after the cut and
/// the part keeps bytes of a refused request. The pieces reach the real router directly (over
/// HTTP the server's reads would choose how the body is split): a 2 MiB piece, tokio's largest
/// single write, then the piece past the end. It is a race, so the test repeats it: without the
/// flush, 3 to 9 rounds in 100 kept bytes here, and 300 rounds take about 2 seconds.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_past_the_declared_size_keeps_nothing_even_while_a_write_is_on_its_way() {
    use futures_util::stream;
    use tower_service::Service;

    captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    common::import_demo_catalog(&config);
    let kiosk = keys(dir.path()).kiosk;
    let mut router = motcua_central::http::app(motcua_central::app_state(config).unwrap());
    const PIECE: usize = 2 * 1024 * 1024;
    let document = pdf(PIECE + 1000, 12);
    let put = axum::http::Request::put("/api/v1/submissions/race")
        .header("Authorization", format!("Bearer {kiosk}"))
        .header("Content-Type", "application/json")
        .body(axum::body::Body::from(
            manifest("1.004873", &[(0, "big", "application/pdf", &document)]).to_string(),
        ))
        .unwrap();
    assert_eq!(router.call(put).await.unwrap().status().as_u16(), 201);

    let part = dir.path().join("uploads").join("1").join("big.part");
    let mut past_the_end = document[PIECE..].to_vec();
    past_the_end.extend_from_slice(b"extra");
    for round in 0..300 {
        let pieces = [&document[..PIECE], &past_the_end]
            .map(|piece| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(piece)));
        let patch = axum::http::Request::patch("/api/v1/submissions/race/files/big")
            .header("Authorization", format!("Bearer {kiosk}"))
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .body(axum::body::Body::from_stream(stream::iter(pieces)))
            .unwrap();
        let response = router.call(patch).await.unwrap();
        assert_eq!(response.status().as_u16(), 413, "round {round}");
        // A write still on its way lands within moments: give it time to show.
        tokio::time::sleep(Duration::from_millis(3)).await;
        assert_eq!(
            std::fs::metadata(&part).unwrap().len(),
            0,
            "round {round}: the part keeps bytes of the refused request"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kiosk_sees_only_its_own_submissions() {
    captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let keys = keys(dir.path());
    let other = motcua_central::issue_kiosk_credential(&config(dir.path()), "quay-2").unwrap();
    let mine = Api::new(&server.base_url(), &keys.kiosk);
    let theirs = Api::new(&server.base_url(), &other);
    let photo = jpeg(2000, 10);
    let body = manifest("1.004873", &[(0, "anh", "image/jpeg", &photo)]);
    assert_eq!(mine.put("shared-key", &body).await.0, 201);
    mine.upload("shared-key", "anh", &photo).await;

    assert_eq!(theirs.head("shared-key", "anh").await.0, 404);
    assert_eq!(theirs.patch("shared-key", "anh", 0, &photo).await.0, 404);
    assert_eq!(theirs.complete("shared-key").await.0, 404);
    // Keys are per kiosk: the same key from another kiosk is another submission.
    let (status, state) = theirs.put("shared-key", &body).await;
    assert_eq!(status, 201);
    assert_eq!(state["files"][0]["complete"], false);

    let nobody = Api::new(&server.base_url(), "");
    let response = reqwest::Client::new()
        .put(format!(
            "{}/api/v1/submissions/shared-key",
            server.base_url()
        ))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let integration = Api::new(&server.base_url(), &keys.integration);
    assert_eq!(integration.complete("shared-key").await.0, 401);
    assert_eq!(nobody.head("shared-key", "anh").await.0, 401);
    let (status, receipt) = mine.complete("shared-key").await;
    assert_eq!(status, 200, "{receipt}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn codes_count_up_and_the_export_feed_hands_over_each_submission_once() {
    captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(dir.path(), |c: &mut CentralConfig| {
        c.agency_id = "G09.20".into();
    })
    .await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let api = Api::new(&base, &keys.kiosk);
    let files: Vec<Vec<u8>> = (0..3).map(|i| jpeg(3000 + i, 20 + i as u8)).collect();
    let mut codes = Vec::new();
    for (i, photo) in files.iter().enumerate() {
        let key = format!("k{i}");
        let (status, _) = api
            .put(
                &key,
                &manifest(
                    "1.004222",
                    &[(0, "p", "image/jpeg", photo), (1, "q", "image/jpeg", photo)],
                ),
            )
            .await;
        assert_eq!(status, 201);
        if i < 2 {
            api.upload(&key, "p", photo).await;
            api.upload(&key, "q", photo).await;
            let (status, receipt) = api.complete(&key).await;
            assert_eq!(status, 200, "{receipt}");
            codes.push(receipt["code"].as_str().unwrap().to_owned());
        }
    }
    let day = today_compact();
    assert_eq!(
        codes,
        [
            format!("G09.20-{day}-0000001"),
            format!("G09.20-{day}-0000002")
        ]
    );

    let feed = |query: &str| {
        let url = format!("{base}/api/v1/integration/submissions{query}");
        let token = keys.integration.clone();
        async move {
            let (status, _, body) = get(&url, Some(&token)).await;
            (
                status,
                serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
            )
        }
    };
    let (status, page) = feed("?limit=1").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["more"], true);
    assert_eq!(page["submissions"].as_array().unwrap().len(), 1);
    let first = &page["submissions"][0];
    assert_eq!(first["dossier_code"], codes[0].as_str());
    assert_eq!(first["procedure_code"], "1.004222");
    assert_eq!(first["procedure_name"], "Đăng ký tạm trú");
    assert_eq!(first["kiosk"], "quay-1");
    assert_eq!(first["local_reference"], "QUAY-1-20261122-0007");
    assert_eq!(first["applicant"]["full_name"], FULL_NAME);
    assert_eq!(first["applicant"]["citizen_id"], CITIZEN_ID);
    assert_eq!(first["applicant"]["birth_date"], "1989-03-15");
    let file = &first["documents"][0]["files"][0];
    assert_eq!(file["sha256"], sha(&files[0]).as_str());
    assert_eq!(file["media_type"], "image/jpeg");
    assert_eq!(file["size"], 3000);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, page) = feed(&format!("?after={cursor}")).await;
    assert_eq!(page["more"], false);
    let rest = page["submissions"].as_array().unwrap();
    assert_eq!(
        rest.len(),
        1,
        "the incomplete third submission is not exported"
    );
    assert_eq!(rest[0]["dossier_code"], codes[1].as_str());
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, page) = feed(&format!("?after={cursor}")).await;
    assert_eq!(page["submissions"], json!([]));
    assert_eq!(
        page["next_cursor"],
        cursor.as_str(),
        "nothing new: the same cursor"
    );
    let (_, page) = feed("").await;
    assert_eq!(page["submissions"].as_array().unwrap().len(), 2);
    assert_eq!(feed("?after=abc").await.0, 400);
    assert_eq!(feed("?limit=0").await.0, 400);

    // Files by hash: only those of completed submissions, only for integrations.
    let download = format!("{base}{}", file["download_path"].as_str().unwrap());
    let response = reqwest::Client::new()
        .get(&download)
        .bearer_auth(&keys.integration)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(response.bytes().await.unwrap().to_vec(), files[0]);
    assert_eq!(get(&download, Some(&keys.kiosk)).await.0, 401);
    let unfinished = format!("{base}/api/v1/integration/files/{}", sha(&files[2]));
    assert_eq!(get(&unfinished, Some(&keys.integration)).await.0, 404);
    let malformed = format!("{base}/api/v1/integration/files/XYZ");
    assert_eq!(get(&malformed, Some(&keys.integration)).await.0, 400);
    assert_eq!(
        get(
            &format!("{base}/api/v1/integration/submissions"),
            Some(&keys.kiosk)
        )
        .await
        .0,
        401
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_submission_routes_are_in_the_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let (status, _, body) = get(&format!("{}/api/v1/openapi.json", server.base_url()), None).await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).unwrap();
    for (path, method, security) in [
        ("/api/v1/submissions/{idempotency_key}", "put", "kiosk"),
        (
            "/api/v1/submissions/{idempotency_key}/files/{file_id}",
            "head",
            "kiosk",
        ),
        (
            "/api/v1/submissions/{idempotency_key}/files/{file_id}",
            "patch",
            "kiosk",
        ),
        (
            "/api/v1/submissions/{idempotency_key}/complete",
            "post",
            "kiosk",
        ),
        ("/api/v1/phone-uploads", "post", "kiosk"),
        ("/api/v1/phone-uploads/{session_id}", "get", "kiosk"),
        ("/api/v1/phone-uploads/{session_id}", "delete", "kiosk"),
        (
            "/api/v1/phone-uploads/{session_id}/files/{file_id}",
            "get",
            "kiosk",
        ),
        ("/api/v1/integration/submissions", "get", "integration"),
        ("/api/v1/integration/files/{sha256}", "get", "integration"),
    ] {
        let operation = &doc["paths"][path][method];
        assert_eq!(operation["tags"], json!(["submission"]), "{method} {path}");
        assert!(
            operation["security"][0].get(security).is_some(),
            "{method} {path}: {operation}"
        );
    }
    for schema in [
        "SubmissionManifest",
        "SubmissionState",
        "SubmissionReceipt",
        "PhoneUploadSession",
        "PhoneUploadList",
        "SubmissionFeed",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
    server.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Phone uploads.

const BOUNDARY: &str = "----motcuaTestBoundary7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body as a browser's file form sends it: (file name, type, bytes).
fn form_body(files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (filename, content_type, bytes) in files {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A phone: (HTTP status, headers, page).
async fn phone(
    method: reqwest::Method,
    url: &str,
    cookie: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, HeaderMap, String) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", format!("motcua_tai_len={cookie}"));
    }
    if let Some(body) = body {
        request = request
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn open_session(base: &str, kiosk: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/phone-uploads"))
        .bearer_auth(kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_phone_sends_photos_once_and_the_kiosk_collects_them() {
    let logs = captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(dir.path(), |c| {
        c.max_upload_file_bytes = std::num::NonZeroU64::new(64 * 1024).unwrap();
        c.status_page_burst = common::nz(100);
    })
    .await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let other = motcua_central::issue_kiosk_credential(&config(dir.path()), "quay-2").unwrap();

    let session = open_session(&base, &keys.kiosk).await;
    let id = session["session_id"].as_str().unwrap().to_owned();
    let url = session["upload_url"].as_str().unwrap().to_owned();
    let token = url.strip_prefix(&format!("{base}/tai-len/")).unwrap();
    assert_eq!(token.len(), 22, "{url}");
    assert!(session["expires_at"].as_str().is_some());
    let no_credential = reqwest::Client::new()
        .post(format!("{base}/api/v1/phone-uploads"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_credential.status().as_u16(), 401);

    // The first phone to open the link claims it.
    let (status, headers, page) = phone(reqwest::Method::GET, &url, None, None).await;
    assert_eq!(status, 200, "{page}");
    for expected in [
        "<form class=\"upload\" method=\"post\" enctype=\"multipart/form-data\"",
        "<input id=\"file\" type=\"file\" name=\"file\" accept=\"image/jpeg,image/png,application/pdf\" capture=\"environment\" multiple>",
        "Gửi ảnh giấy tờ",
        "64 KB",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    assert!(!page.contains("<script"));
    common::assert_page_headers("the phone upload page", &headers);
    assert_eq!(headers["cache-control"], "no-store");
    let set_cookie = headers["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/tai-len", "Max-Age="] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie
        .strip_prefix("motcua_tai_len=")
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned();
    let (status, headers, _) = phone(reqwest::Method::GET, &url, Some(&cookie), None).await;
    assert_eq!(status, 200, "the same phone again");
    assert!(!headers.contains_key("set-cookie"));
    let (status, _, english) = phone(
        reqwest::Method::GET,
        &format!("{url}?lang=en"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(english.contains("Send photos of your documents"));
    assert!(english.contains(&format!("action=\"/tai-len/{token}?lang=en\"")));
    let (status, _, used) = phone(reqwest::Method::GET, &url, None, None).await;
    assert_eq!(status, 403);
    assert!(used.contains("Đường dẫn này đã được sử dụng"), "{used}");
    assert!(!used.contains("<form"));

    // One good photo, a program named .pdf, a photo too large, an empty file, no file chosen.
    let photo = jpeg(20_000, 30);
    let program = content(b"MZ\x90\x00\x03\x00", 5000, 31);
    let big = jpeg(70_000, 32);
    let body = form_body(&[
        ("IMG_0001.jpg", "image/jpeg", &photo),
        ("giay-to.pdf", "application/pdf", &program),
        ("lon.jpg", "image/jpeg", &big),
        ("rong.png", "image/png", b""),
        ("", "application/octet-stream", b""),
    ]);
    let (status, _, page) = phone(
        reqwest::Method::POST,
        &url,
        Some(&cookie),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    for expected in [
        "Đã nhận 1 tệp. Bạn có thể chụp thêm hoặc quay lại máy kiosk.",
        "<b>IMG_0001.jpg</b> — Ảnh JPEG, 20 KB",
        "<b>giay-to.pdf</b>: không phải ảnh JPEG, PNG hoặc tệp PDF",
        "<b>lon.jpg</b>: lớn hơn 64 KB, mức tối đa cho một tệp",
        "<b>rong.png</b>: là tệp trống",
        "Máy kiosk đã nhận 1 tệp từ điện thoại này.",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    assert_eq!(
        page.matches("<li>").count(),
        4,
        "no line for the unchosen file: {page}"
    );
    let (status, _, _) = phone(reqwest::Method::POST, &url, None, Some(body)).await;
    assert_eq!(status, 403, "another phone cannot send");

    // The kiosk sees the photo only, and can fetch it.
    let list_url = format!("{base}/api/v1/phone-uploads/{id}");
    let (status, _, list) = get(&list_url, Some(&keys.kiosk)).await;
    assert_eq!(status, 200, "{list}");
    let list: Value = serde_json::from_str(&list).unwrap();
    let files = list["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{list}");
    assert_eq!(files[0]["sha256"], sha(&photo).as_str());
    assert_eq!(files[0]["media_type"], "image/jpeg");
    assert_eq!(files[0]["size"], 20_000);
    assert_eq!(list["expires_at"], session["expires_at"]);
    let file_url = format!("{list_url}/files/{}", files[0]["file_id"].as_str().unwrap());
    let response = reqwest::Client::new()
        .get(&file_url)
        .bearer_auth(&keys.kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(response.bytes().await.unwrap().to_vec(), photo);
    assert_eq!(
        get(&list_url, Some(&other)).await.0,
        404,
        "another kiosk's session"
    );
    assert_eq!(get(&file_url, Some(&other)).await.0, 404);
    assert_eq!(get(&list_url, None).await.0, 401);

    // Ending the session deletes its files; the link stops working.
    let session_dir = dir.path().join("phone-uploads").join(&id);
    assert!(session_dir.exists());
    let response = reqwest::Client::new()
        .delete(&list_url)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let response = reqwest::Client::new()
        .delete(&list_url)
        .bearer_auth(&keys.kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert!(!session_dir.exists());
    assert_eq!(get(&list_url, Some(&keys.kiosk)).await.0, 404);
    let (status, _, gone) = phone(reqwest::Method::GET, &url, Some(&cookie), None).await;
    assert_eq!(status, 404);

    // An expired session: the same page as an unknown link, and its files are purged.
    let session = open_session(&base, &keys.kiosk).await;
    let url = session["upload_url"].as_str().unwrap().to_owned();
    let id = session["session_id"].as_str().unwrap().to_owned();
    let (status, headers, _) = phone(reqwest::Method::GET, &url, None, None).await;
    assert_eq!(status, 200);
    let cookie = headers["set-cookie"].to_str().unwrap()[15..47].to_owned();
    let (status, _, page) = phone(
        reqwest::Method::POST,
        &url,
        Some(&cookie),
        Some(form_body(&[("a.jpg", "image/jpeg", &photo)])),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let session_dir = dir.path().join("phone-uploads").join(&id);
    assert!(session_dir.exists());
    rusqlite::Connection::open(dir.path().join("central.db"))
        .unwrap()
        .execute(
            "UPDATE phone_upload_sessions SET expires_at = 0 WHERE id = ?1",
            [&id],
        )
        .unwrap();
    let (status, _, expired) = phone(reqwest::Method::GET, &url, Some(&cookie), None).await;
    assert_eq!(status, 404);
    assert!(
        expired.contains("Đường dẫn không còn hiệu lực"),
        "{expired}"
    );
    assert!(!session_dir.exists(), "purged on access");
    let (status, _, unknown) = phone(
        reqwest::Method::GET,
        &format!("{base}/tai-len/AAAAAAAAAAAAAAAAAAAAAA"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(unknown, expired, "unknown and expired links look the same");
    assert_eq!(gone, expired);
    let (status, _, nested) = phone(
        reqwest::Method::GET,
        &format!("{base}/tai-len/a/b/../c"),
        None,
        None,
    )
    .await;
    assert_eq!((status, &nested), (404, &expired));
    assert_eq!(
        get(
            &format!("{base}/api/v1/phone-uploads/{id}"),
            Some(&keys.kiosk)
        )
        .await
        .0,
        404
    );
    server.stop().await;

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(text.contains("phone upload received"), "{text}");
    for secret in [token, "IMG_0001", "giay-to.pdf", cookie.as_str()] {
        assert!(!text.contains(secret), "{secret:?} in the logs");
    }
}

/// File names from a phone are only shown, never used as paths: a name that climbs directories
/// stores nothing outside the data folder (files are kept under generated ids), and a name with
/// HTML is shown as text.
#[tokio::test(flavor = "multi_thread")]
async fn phone_file_names_neither_reach_outside_nor_inject_html() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path()).await;
    let base = server.base_url();
    let keys = keys(dir.path());
    let session = open_session(&base, &keys.kiosk).await;
    let url = session["upload_url"].as_str().unwrap().to_owned();
    let (status, headers, _) = phone(reqwest::Method::GET, &url, None, None).await;
    assert_eq!(status, 200);
    let cookie = headers["set-cookie"]
        .to_str()
        .unwrap()
        .strip_prefix("motcua_tai_len=")
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned();
    let escape = format!("motcua-escape-{}.jpg", std::process::id());
    let climbing = format!("../../../../../../tmp/{escape}");
    let body = form_body(&[
        (climbing.as_str(), "image/jpeg", &jpeg(2000, 40)),
        (
            "../../<img src=x onerror=alert(1)>.jpg",
            "image/jpeg",
            &jpeg(2000, 41),
        ),
    ]);
    let (status, _, page) = phone(reqwest::Method::POST, &url, Some(&cookie), Some(body)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Đã nhận 2 tệp"), "{page}");
    assert!(page.contains(&format!("<b>{escape}</b>")), "{page}");
    assert!(
        page.contains("<b>&lt;img src=x onerror=alert(1)&gt;.jpg</b>"),
        "{page}"
    );
    assert!(!page.contains("<img src=x"), "{page}");
    assert!(!std::path::Path::new("/tmp").join(&escape).exists());
    let mut names = Vec::new();
    let mut stack = vec![dir.path().to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    assert!(
        names
            .iter()
            .all(|n| !n.contains("escape") && !n.contains("img")),
        "{names:?}"
    );
    server.stop().await;
}
