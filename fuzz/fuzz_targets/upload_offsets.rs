//! The resumable kiosk uploads (`motcua_central::submission::upload`: `reconcile`, `Upload::run`,
//! and the `HEAD`/`PATCH` handlers around them in `submission::api`) driven by a fuzzed sequence
//! of operations, through the server's real router (`motcua_central::http::app`) on a real data
//! directory: a SQLite file made from the demo catalog and a kiosk credential, and the part files.
//!
//! Each input declares one or two files (size and SHA-256 as a correct client would, or not;
//! content of the declared type, or not), stores the manifest, then runs up to 32 operations:
//! `HEAD`; `PATCH` at the server's offset, a stale one or one ahead, with the client's bytes or
//! corrupted ones, as fuzzed pieces (empty ones too), with or without `Content-Length`, ending
//! normally or breaking off after some pieces; a `PATCH` that stalls and is taken over by a
//! `HEAD`; a restart (the router and its stores opened again from the directory); what a crash
//! between writing and storing the offset leaves (bytes past the offset in the part); a part that
//! lost bytes under its offset; completing the submission.
//!
//! Asserts, after every operation, against a model of the protocol (docs of `upload.rs` and
//! `api.rs`): each answer's status and `Upload-Offset`; the stored offset and the part's bytes on
//! disk, byte for byte; the stored offset never exceeds the declared size, and after a request
//! for a file never exceeds the bytes on disk; a file is complete only when the bytes received
//! have the declared SHA-256 and type, and then the stored file is exactly those bytes and no part
//! is left; completing answers 200 exactly when every file is complete.

#![no_main]

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::Poll;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, Response, StatusCode};
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};
use libfuzzer_sys::arbitrary::{Result as ArbitraryResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use motcua_central::catalog::import::import_text;
use motcua_central::http::{AppState, app};
use motcua_central::{CentralConfig, DEMO_CATALOG, app_state};
use motcua_protocol::{ClientId, MediaType};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

const KIOSK: &str = "quay-fuzz";
const PROCEDURE: &str = "1.004873";
const MAX_OPS: usize = 32;

/// A data directory with the demo catalog and a kiosk, copied for each input.
struct Template {
    dir: tempfile::TempDir,
    credential: String,
    document: String,
}

fn scratch() -> PathBuf {
    // Part files and SQLite are fsynced after every request: in memory, that costs nothing.
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    }
}

static TEMPLATE: LazyLock<Template> = LazyLock::new(|| {
    let dir = tempfile::tempdir_in(scratch()).expect("a temporary directory");
    let config = config(dir.path());
    let mut catalog = motcua_central::open_catalog(&config).expect("a database");
    import_text(&mut catalog, DEMO_CATALOG).expect("the demo catalog imports");
    drop(catalog);
    let credential =
        motcua_central::issue_kiosk_credential(&config, KIOSK).expect("a kiosk credential");
    let catalog: serde_json::Value = serde_json::from_str(DEMO_CATALOG).expect("demo catalog");
    let document = catalog["procedures"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["code"] == PROCEDURE))
        .and_then(|p| p["documents"][0]["name"].as_str())
        .expect("the procedure's first document")
        .to_owned();
    Template {
        dir,
        credential,
        document,
    }
});

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

fn config(dir: &Path) -> CentralConfig {
    CentralConfig {
        data_dir: dir.to_owned(),
        ..CentralConfig::default()
    }
}

fn sha_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One declared file: what the client holds and what the manifest says, and the model of what
/// the server holds.
struct File {
    id: ClientId,
    /// The bytes a correct client sends, from offset 0.
    content: Vec<u8>,
    media_type: MediaType,
    size: u64,
    sha256: String,
    /// The part on disk, as the protocol says it must be.
    disk: Vec<u8>,
    /// The stored offset.
    offset: u64,
    complete: bool,
}

impl File {
    fn arbitrary(u: &mut Unstructured, index: usize) -> ArbitraryResult<Self> {
        let media_type = *u.choose(&[MediaType::Jpeg, MediaType::Png, MediaType::Pdf])?;
        // Mostly right, sometimes another type's signature or none.
        let magic: &[u8] = match (media_type, u.int_in_range(0..=7)?) {
            (_, 7) => b"MZ",
            (MediaType::Jpeg, 6) | (MediaType::Png, _) => b"\x89PNG\r\n\x1a\n",
            (MediaType::Jpeg, _) | (MediaType::Pdf, 6) => b"\xFF\xD8\xFF\xE0",
            (MediaType::Pdf, _) => b"%PDF-1.7\n",
        };
        let mut content = magic.to_vec();
        let len = u.int_in_range(0..=48)?;
        content.extend_from_slice(u.bytes(len)?);
        let real = content.len() as u64;
        let size = match u.int_in_range(0..=7)? {
            6 => u.int_in_range(1..=real)?,
            7 => u.int_in_range(real..=real + 8)?,
            _ => real,
        };
        let declared = if u.int_in_range(0..=7)? == 7 {
            sha_hex(b"something else")
        } else {
            sha_hex(&content[..(size.min(real)) as usize])
        };
        Ok(Self {
            id: ClientId::parse(&format!("f{index}")).expect("a file id"),
            content,
            media_type,
            size,
            sha256: declared,
            disk: Vec::new(),
            offset: 0,
            complete: false,
        })
    }

    /// What `reconcile` makes of the stored offset and the part.
    fn reconcile(&mut self) -> u64 {
        if self.complete {
            return self.size;
        }
        let on_disk = self.disk.len() as u64;
        if on_disk > self.offset {
            self.disk.truncate(self.offset as usize);
        } else {
            self.offset = on_disk;
        }
        self.offset
    }

    /// What the client sends for `len` bytes from `from`: its content, then filler past its end.
    fn bytes(&self, from: u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| {
                let at = from as usize + i;
                self.content.get(at).copied().unwrap_or(b'X')
            })
            .collect()
    }
}

/// How a request body ends.
enum End {
    Normally,
    /// The connection breaks after the pieces.
    Broken,
    /// Nothing more comes; the flag is set once the server asks for more after the pieces.
    Stalled(Arc<AtomicBool>),
}

fn body(pieces: Vec<Vec<u8>>, end: End) -> Body {
    let head = stream::iter(
        pieces
            .into_iter()
            .map(|p| Ok::<_, io::Error>(Bytes::from(p))),
    );
    let tail: BoxStream<'static, Result<Bytes, io::Error>> = match end {
        End::Normally => stream::empty().boxed(),
        End::Broken => {
            stream::once(async { Err(io::Error::new(io::ErrorKind::ConnectionReset, "cut")) })
                .boxed()
        }
        End::Stalled(asked) => stream::poll_fn(move |_| {
            asked.store(true, Ordering::SeqCst);
            Poll::Pending
        })
        .boxed(),
    };
    Body::from_stream(head.chain(tail))
}

struct Server {
    dir: tempfile::TempDir,
    state: AppState,
    router: Router,
}

impl Server {
    fn open(dir: tempfile::TempDir) -> Self {
        let state = app_state(config(dir.path())).expect("the data directory opens");
        let router = app(state.clone());
        Self { dir, state, router }
    }

    fn restart(self) -> Self {
        let Self { dir, state, router } = self;
        drop(router);
        drop(state);
        Self::open(dir)
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(format!("/api/v1/submissions/{path}"))
            .header("authorization", format!("Bearer {}", TEMPLATE.credential))
    }

    fn send(&self, request: Request<Body>) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>> {
        let router = self.router.clone();
        Box::pin(async move { router.oneshot(request).await.expect("the router answers") })
    }

    fn part(&self, file: &File) -> PathBuf {
        self.dir
            .path()
            .join("uploads")
            .join("1")
            .join(format!("{}.part", file.id.as_str()))
    }
}

fn offset_header(response: &Response<Body>) -> Option<u64> {
    response
        .headers()
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(files) = declare(&mut u) else {
        return;
    };
    let dir = tempfile::tempdir_in(scratch()).expect("a temporary directory");
    for entry in std::fs::read_dir(TEMPLATE.dir.path()).expect("the template") {
        let path = entry.expect("a template file").path();
        if path.is_file() {
            let to = dir.path().join(path.file_name().expect("a file name"));
            std::fs::copy(&path, to).expect("copy the template");
        }
    }
    RUNTIME.block_on(run(Server::open(dir), files, u));
});

fn declare(u: &mut Unstructured) -> ArbitraryResult<Vec<File>> {
    let count = u.int_in_range(1..=2)?;
    (0..count).map(|i| File::arbitrary(u, i)).collect()
}

async fn run(mut server: Server, mut files: Vec<File>, mut u: Unstructured<'_>) {
    let manifest = serde_json::json!({
        "procedure_code": PROCEDURE,
        "applicant": {"full_name": "Nguyễn Thị Hoa Mai", "citizen_id": "001089012345",
                      "birth_date": "15/03/1989", "phone": "0912345678",
                      "address": "Số 7 Hàng Bài, Hà Nội"},
        "documents": [{"document": TEMPLATE.document, "files": files.iter().map(|f| serde_json::json!({
            "file_id": f.id.as_str(), "media_type": f.media_type.as_str(),
            "size": f.size, "sha256": f.sha256}))
            .collect::<Vec<_>>()}],
        "local_reference": "QUAY-FUZZ-1",
        "confirmed_at": "2026-11-22T09:30:00+07:00"
    });
    let put = server
        .request("PUT", "k1")
        .header("content-type", "application/json")
        .body(Body::from(manifest.to_string()))
        .expect("a request");
    let response = server.send(put).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "the manifest is stored"
    );

    for _ in 0..MAX_OPS {
        if u.is_empty() {
            break;
        }
        let Ok(op) = u.int_in_range(0..=7u8) else {
            break;
        };
        let Ok(index) = u.choose_index(files.len()) else {
            break;
        };
        let done = match op {
            0 => head(&server, &mut files[index]).await,
            1..=3 => patch(&server, &mut files[index], &mut u).await,
            4 => take_over(&server, &mut files[index], &mut u).await,
            5 => {
                server = server.restart();
                Ok(())
            }
            6 => damage(&server, &mut files[index], &mut u),
            _ => complete(&server, &files).await,
        };
        if done.is_err() {
            break;
        }
        check(&server, &files);
    }
}

async fn head(server: &Server, file: &mut File) -> ArbitraryResult<()> {
    let request = server
        .request("HEAD", &format!("k1/files/{}", file.id.as_str()))
        .body(Body::empty())
        .expect("a request");
    let response = server.send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let expected = file.reconcile();
    assert_eq!(
        offset_header(&response),
        Some(expected),
        "HEAD's Upload-Offset"
    );
    let length = response.headers().get("upload-length");
    assert_eq!(
        length.and_then(|v| v.to_str().ok()),
        Some(file.size.to_string().as_str())
    );
    assert!(file.complete || file.offset == file.disk.len() as u64);
    Ok(())
}

/// Cuts `bytes` into pieces of the fuzzed sizes, in turn.
fn pieces(u: &mut Unstructured, bytes: &[u8]) -> ArbitraryResult<Vec<Vec<u8>>> {
    let mut sizes = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        sizes.push(usize::from(u.int_in_range(0u8..=24)?));
    }
    if sizes.iter().all(|&s| s == 0) {
        sizes.push(bytes.len().max(1));
    }
    let mut pieces = Vec::new();
    let mut at = 0;
    for size in sizes.iter().cycle() {
        if at >= bytes.len() {
            break;
        }
        let end = (at + size).min(bytes.len());
        pieces.push(bytes[at..end].to_vec());
        at = end;
    }
    Ok(pieces)
}

async fn patch(server: &Server, file: &mut File, u: &mut Unstructured<'_>) -> ArbitraryResult<()> {
    let current = file.reconcile();
    let sent = match u.int_in_range(0..=5u8)? {
        0..=2 => current,
        3 => current.saturating_sub(u.int_in_range(1..=16)?),
        4 => u.int_in_range(0..=file.size + 4)?,
        _ => current + u.int_in_range(1..=8)?,
    };
    let len = usize::from(u.int_in_range(0u8..=72)?);
    let mut bytes = file.bytes(sent, len);
    if !bytes.is_empty() && u.int_in_range(0..=7u8)? == 7 {
        let at = u.choose_index(bytes.len())?;
        bytes[at] ^= 1 + u.arbitrary::<u8>()? % 255;
    }
    let pieces = pieces(u, &bytes)?;
    let broken_after = if u.int_in_range(0..=3u8)? == 3 {
        Some(u.int_in_range(0..=pieces.len())?)
    } else {
        None
    };
    let with_length = u.arbitrary::<bool>()?;

    let mut request = server
        .request("PATCH", &format!("k1/files/{}", file.id.as_str()))
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", sent.to_string());
    if with_length {
        request = request.header("content-length", bytes.len().to_string());
    }
    let (delivered, end) = match broken_after {
        Some(n) => (pieces[..n].to_vec(), End::Broken),
        None => (pieces, End::Normally),
    };
    let response = server
        .send(
            request
                .body(body(delivered.clone(), end))
                .expect("a request"),
        )
        .await;

    // The model: the handler reconciles under the file's lock, then checks, then appends.
    let status = response.status();
    let offset = offset_header(&response);
    if sent != current {
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "a PATCH at {sent}, not {current}"
        );
        assert_eq!(offset, Some(current));
    } else if with_length && sent + bytes.len() as u64 > file.size {
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(offset, Some(current));
    } else if file.complete {
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(offset, Some(file.size));
    } else {
        append(file, &delivered, broken_after.is_some(), status, offset);
    }
    assert!(file.complete || file.offset <= file.disk.len() as u64);
    Ok(())
}

/// `Upload::run` from the reconciled offset, in the model, checked against the answer.
fn append(
    file: &mut File,
    delivered: &[Vec<u8>],
    broken: bool,
    status: StatusCode,
    offset: Option<u64>,
) {
    let start = file.offset;
    let mut written = Vec::new();
    for piece in delivered {
        if start + (written.len() + piece.len()) as u64 > file.size {
            assert_eq!(
                status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "past the declared size"
            );
            assert_eq!(
                file.disk.len() as u64,
                start,
                "nothing of the request is kept"
            );
            return;
        }
        written.extend_from_slice(piece);
    }
    file.disk.extend_from_slice(&written);
    file.offset = file.disk.len() as u64;
    if broken {
        assert_eq!(status, StatusCode::BAD_REQUEST, "a body that broke off");
        assert_eq!(offset, Some(file.offset), "what was kept");
    } else if file.offset < file.size {
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(offset, Some(file.offset));
    } else if sha_hex(&file.disk) == file.sha256
        && MediaType::sniff(&file.disk) == Some(file.media_type)
    {
        assert_eq!(status, StatusCode::NO_CONTENT, "a verified file is stored");
        assert_eq!(offset, Some(file.size));
        file.complete = true;
        file.disk.clear();
    } else {
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a file that fails its checks"
        );
        file.disk.clear();
        file.offset = 0;
    }
}

/// A `PATCH` whose connection goes quiet, and the `HEAD` of a kiosk that gave up on it.
async fn take_over(
    server: &Server,
    file: &mut File,
    u: &mut Unstructured<'_>,
) -> ArbitraryResult<()> {
    let current = file.reconcile();
    if file.complete {
        // Answered before its body is read, which a stalled body would hold for the drain time.
        return Ok(());
    }
    let room = (file.size - current).min(72) as usize;
    let len = u.int_in_range(0..=room)?;
    let bytes = file.bytes(current, len);
    let pieces = pieces(u, &bytes)?;
    let asked = Arc::new(AtomicBool::new(false));
    let request = server
        .request("PATCH", &format!("k1/files/{}", file.id.as_str()))
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", current.to_string())
        .body(body(pieces.clone(), End::Stalled(asked.clone())))
        .expect("a request");
    let running = tokio::spawn(server.send(request));
    let mut waited = Duration::ZERO;
    while !asked.load(Ordering::SeqCst) {
        assert!(
            waited < Duration::from_secs(5),
            "the upload never read its body"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
        waited += Duration::from_millis(1);
    }
    let head = server
        .request("HEAD", &format!("k1/files/{}", file.id.as_str()))
        .body(Body::empty())
        .expect("a request");
    let head = server.send(head).await;
    let response = running.await.expect("the PATCH task");
    append(
        file,
        &pieces,
        true,
        response.status(),
        offset_header(&response),
    );
    // The HEAD waited for the upload it stopped to store its bytes, and counts them.
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        offset_header(&head),
        Some(file.reconcile()),
        "HEAD after a take-over"
    );
    Ok(())
}

/// Bytes past the offset (a crash between writing and storing the offset), or a part that lost
/// bytes it had made durable.
fn damage(server: &Server, file: &mut File, u: &mut Unstructured) -> ArbitraryResult<()> {
    if file.complete {
        return Ok(());
    }
    let path = server.part(file);
    if u.arbitrary::<bool>()? {
        let len = u.int_in_range(1..=16)?;
        let extra = u.bytes(len)?.to_vec();
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("the upload directory");
        let mut part = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .expect("the part");
        std::io::Write::write_all(&mut part, &extra).expect("write past the offset");
        file.disk.extend_from_slice(&extra);
    } else if !file.disk.is_empty() {
        let keep = u.int_in_range(0..=file.disk.len() - 1)?;
        let part = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("the part");
        part.set_len(keep as u64).expect("cut the part");
        file.disk.truncate(keep);
    }
    Ok(())
}

async fn complete(server: &Server, files: &[File]) -> ArbitraryResult<()> {
    let request = server
        .request("POST", "k1/complete")
        .body(Body::empty())
        .expect("a request");
    let response = server.send(request).await;
    if files.iter().all(|f| f.complete) {
        assert_eq!(response.status(), StatusCode::OK, "every file is complete");
    } else {
        assert_eq!(response.status(), StatusCode::CONFLICT, "a file is missing");
    }
    Ok(())
}

/// The database row and the part on disk are what the model says.
fn check(server: &Server, files: &[File]) {
    let store = server.state.submissions.lock().expect("the store");
    let key = ClientId::parse("k1").expect("a key");
    for file in files {
        let row = store.file(KIOSK, &key, &file.id).expect("the file's row");
        assert_eq!(
            row.submission, 1,
            "the only submission, whose parts `Server::part` names"
        );
        assert!(
            row.offset <= row.size,
            "offset {} past size {}",
            row.offset,
            row.size
        );
        assert_eq!(row.size, file.size);
        assert_eq!(row.complete, file.complete, "complete");
        let part = std::fs::read(server.part(file)).unwrap_or_default();
        if file.complete {
            assert_eq!(row.offset, file.size);
            let stored = server.state.files.stored_path(&row.sha256);
            let bytes = std::fs::read(stored).expect("the stored file");
            assert_eq!(
                sha_hex(&bytes),
                file.sha256,
                "the stored file has the declared hash"
            );
            assert_eq!(bytes.len() as u64, file.size);
            assert!(part.is_empty(), "no part left for a complete file");
        } else {
            assert_eq!(row.offset, file.offset, "stored offset");
            assert_eq!(part, file.disk, "the part's bytes");
        }
    }
}
