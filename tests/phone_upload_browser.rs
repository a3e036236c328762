//! The phone upload page driven by a real browser, end to end: the real central server on
//! 127.0.0.1 port 0, a kiosk session opened with the kiosk's own `PhoneClient`, and headless
//! Chromium (Debian's `chromium`, installed by `scripts/test`) that opens the link the QR code
//! carries, has real files chosen in the page's `<input type=file>` and sends the form itself.
//! The files are chosen through the Chrome DevTools Protocol (`DOM.setFileInputFiles`), spoken by
//! the small client below over a plain local WebSocket. What the browser shows afterwards is
//! checked, and so is what the kiosk then lists and fetches: the very bytes on the phone's disk.

mod common;

use std::io::{Cursor, ErrorKind};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use motcua_central::DEMO_CATALOG;
use motcua_kiosk::submission::phone::PhoneClient;
use motcua_protocol::{MediaType, PhoneUploadFile};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How long any one step in the browser may take (a loaded 2-core machine starts Chromium slowly).
const STEP: Duration = Duration::from_secs(30);

/// A tiny Chrome DevTools Protocol client: one headless Chromium, one tab, flattened sessions.
mod cdp {
    use super::*;
    use std::net::TcpStream;
    use std::os::unix::process::CommandExt;

    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    use tungstenite::{Message, WebSocket};

    /// Kills the browser and everything it started (its own process group), also on panic.
    struct Process(Child);

    impl Drop for Process {
        fn drop(&mut self) {
            if let Ok(pid) = i32::try_from(self.0.id()) {
                let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            }
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    pub struct Browser {
        ws: WebSocket<TcpStream>,
        next_id: u64,
        /// The attached tab's session.
        session: Option<String>,
        // Dropped after the socket: the process first, then its profile directory.
        _process: Process,
        _profile: tempfile::TempDir,
    }

    impl Browser {
        pub fn launch() -> Self {
            let profile = tempfile::tempdir().unwrap();
            let child = Command::new("chromium")
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--remote-debugging-port=0",
                ])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg("about:blank")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot start `chromium` ({e}): it must be installed \
                         (scripts/test installs it: apt-get install chromium)"
                    )
                });
            let mut process = Process(child);
            let (port, path) = devtools_address(profile.path(), &mut process.0);
            let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream)
                .unwrap_or_else(|e| panic!("DevTools WebSocket handshake failed: {e}"));
            // Reads wake up regularly so that every wait has a deadline.
            ws.get_ref()
                .set_read_timeout(Some(Duration::from_millis(500)))
                .unwrap();
            Self {
                ws,
                next_id: 0,
                session: None,
                _process: process,
                _profile: profile,
            }
        }

        /// One command; `Err` carries the protocol's error object. Events are skipped.
        pub fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
            self.next_id += 1;
            let id = self.next_id;
            let mut message = json!({"id": id, "method": method, "params": params});
            if let Some(session) = &self.session {
                message["sessionId"] = json!(session);
            }
            self.ws.send(Message::text(message.to_string())).unwrap();
            let deadline = Instant::now() + STEP;
            loop {
                assert!(
                    Instant::now() < deadline,
                    "no answer from Chromium to {method} within {STEP:?}"
                );
                let text = match self.ws.read() {
                    Ok(Message::Text(text)) => text,
                    Ok(_) => continue,
                    Err(tungstenite::Error::Io(e))
                        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                    {
                        continue;
                    }
                    Err(e) => panic!("DevTools connection failed during {method}: {e}"),
                };
                let answer: Value = serde_json::from_str(text.as_str()).unwrap();
                if answer["id"].as_u64() != Some(id) {
                    continue;
                }
                return match answer.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(answer["result"].clone()),
                };
            }
        }

        pub fn call(&mut self, method: &str, params: Value) -> Value {
            self.try_call(method, params)
                .unwrap_or_else(|e| panic!("{method} failed: {e}"))
        }

        /// Opens `url` in a new tab and attaches to it; later commands go to that tab.
        pub fn open(&mut self, url: &str) {
            let target = self.call("Target.createTarget", json!({"url": url}));
            let target_id = target["targetId"].as_str().unwrap().to_owned();
            let attached = self.call(
                "Target.attachToTarget",
                json!({"targetId": target_id, "flatten": true}),
            );
            self.session = Some(attached["sessionId"].as_str().unwrap().to_owned());
        }

        /// The value of a JavaScript expression in the tab; `Err` while there is no document
        /// to evaluate in (mid-navigation) or when the expression threw.
        pub fn evaluate(&mut self, expression: &str) -> Result<Value, String> {
            let result = self
                .try_call(
                    "Runtime.evaluate",
                    json!({"expression": expression, "returnByValue": true}),
                )
                .map_err(|e| e.to_string())?;
            if let Some(exception) = result.get("exceptionDetails") {
                return Err(exception.to_string());
            }
            Ok(result["result"]["value"].clone())
        }

        /// Waits until the tab shows a fully loaded document at `url` that is not marked
        /// stale (see [`Browser::submit`]) and returns its visible text.
        pub fn wait_for_page(&mut self, url: &str) -> String {
            let deadline = Instant::now() + STEP;
            let mut last = String::new();
            while Instant::now() < deadline {
                let state = self.evaluate(
                    "JSON.stringify({href: location.href, ready: document.readyState, \
                     stale: document.documentElement.dataset.motcuaStale === '1', \
                     text: document.body ? document.body.innerText : ''})",
                );
                match state {
                    Ok(Value::String(state)) => {
                        let state: Value = serde_json::from_str(&state).unwrap();
                        if state["href"] == url
                            && state["ready"] == "complete"
                            && state["stale"] == false
                        {
                            return state["text"].as_str().unwrap().to_owned();
                        }
                        last = state.to_string();
                    }
                    other => last = format!("{other:?}"),
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            panic!("the page at {url} did not finish loading within {STEP:?}; last seen: {last}");
        }

        /// Chooses `files` in the element `selector`, as a person picking them would.
        pub fn choose_files(&mut self, selector: &str, files: &[&Path]) {
            let document = self.call("DOM.getDocument", json!({"depth": 0}));
            let root = document["root"]["nodeId"].as_u64().unwrap();
            let found = self.call(
                "DOM.querySelector",
                json!({"nodeId": root, "selector": selector}),
            );
            let node = found["nodeId"].as_u64().unwrap();
            assert_ne!(node, 0, "no {selector} on the page");
            let files: Vec<String> = files
                .iter()
                .map(|f| f.to_str().unwrap().to_owned())
                .collect();
            self.call(
                "DOM.setFileInputFiles",
                json!({"files": files, "nodeId": node}),
            );
        }

        /// Presses the form's submit button, first marking the current document so that
        /// [`Browser::wait_for_page`] waits for the answer rather than finding the old page.
        pub fn submit(&mut self) {
            self.evaluate(
                "document.documentElement.dataset.motcuaStale = '1'; \
                 document.querySelector('form.upload button[type=submit]').click()",
            )
            .unwrap();
        }
    }

    /// Port and browser WebSocket path from `<profile>/DevToolsActivePort`.
    fn devtools_address(profile: &Path, child: &mut Child) -> (u16, String) {
        let file = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(Ok(port)), Some(path)) =
                    (lines.next().map(|l| l.trim().parse()), lines.next())
                    && path.starts_with('/')
                {
                    return (port, path.trim().to_owned());
                }
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("chromium exited ({status}) before opening its DevTools port");
            }
            assert!(
                Instant::now() < deadline,
                "chromium wrote no {} within {STEP:?}",
                file.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A real photo: a 64×48 gradient encoded by the `image` crate.
fn jpeg() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
    });
    let mut bytes = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .unwrap();
    bytes
}

/// A real one-page (A4, blank) PDF with a correct cross-reference table.
fn pdf() -> Vec<u8> {
    use pdf_writer::{Pdf, Rect, Ref};
    let (catalog, tree, page) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    pdf.page(page)
        .parent(tree)
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    pdf.finish()
}

fn sha256(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A size as the upload page writes it in Vietnamese, for files under 1 MB.
fn shown_size(bytes: usize) -> String {
    assert!(bytes < 1024 * 1024);
    if bytes >= 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} byte")
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn assert_contains(text: &str, expected: &str) {
    assert!(
        text.contains(expected),
        "the browser should show {expected:?}; it shows:\n{text}"
    );
}

#[test]
fn a_phone_browser_sends_real_files_that_the_kiosk_receives() {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let server = runtime.block_on(common::spawn_central(server_dir.path(), DEMO_CATALOG));
    let base = server.base_url();
    let credential = motcua_central::issue_kiosk_credential(
        &common::central_config(server_dir.path()),
        "quay-1",
    )
    .unwrap();

    // The kiosk opens a session: `upload_url` is what its QR code shows.
    let kiosk = PhoneClient::new(&base, Some(credential)).unwrap();
    let session = runtime.block_on(kiosk.open()).unwrap();
    let url = session.upload_url.clone();
    assert!(url.starts_with(&format!("{base}/tai-len/")), "{url}");
    assert!(
        runtime
            .block_on(kiosk.list(&session.session_id))
            .unwrap()
            .files
            .is_empty()
    );

    // The phone's own files.
    let phone_files = tempfile::tempdir().unwrap();
    let photo = jpeg();
    let document = pdf();
    assert!(photo.starts_with(&[0xFF, 0xD8, 0xFF]) && document.starts_with(b"%PDF-"));
    let photo_path = write(phone_files.path(), "to-khai.jpg", &photo);
    let document_path = write(phone_files.path(), "giay-chung-sinh.pdf", &document);

    let mut browser = cdp::Browser::launch();
    browser.open(&url);
    let text = browser.wait_for_page(&url);
    assert_contains(&text, "Gửi ảnh giấy tờ");
    assert!(!text.contains("Đã nhận"), "{text}");

    // Both files chosen at once (the input is `multiple`), then the form sent by the browser.
    browser.choose_files("input[type=file]", &[&photo_path, &document_path]);
    let chosen = browser
        .evaluate(
            "Array.from(document.querySelector('input[type=file]').files)\
             .map(f => f.name + ':' + f.size).join(',')",
        )
        .unwrap();
    assert_eq!(
        chosen,
        format!(
            "to-khai.jpg:{},giay-chung-sinh.pdf:{}",
            photo.len(),
            document.len()
        )
    );
    browser.submit();
    let text = browser.wait_for_page(&url);
    assert_contains(&text, "Đã nhận 2 tệp.");
    assert_contains(
        &text,
        &format!("to-khai.jpg — Ảnh JPEG, {}", shown_size(photo.len())),
    );
    assert_contains(
        &text,
        &format!(
            "giay-chung-sinh.pdf — Tệp PDF, {}",
            shown_size(document.len())
        ),
    );
    assert_contains(&text, "Máy kiosk đã nhận 2 tệp từ điện thoại này.");
    assert!(!text.contains("Không nhận được"), "{text}");

    // The kiosk sees exactly those two files, and fetches the very bytes the phone had.
    let listed = runtime
        .block_on(kiosk.list(&session.session_id))
        .unwrap()
        .files;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let find = |bytes: &[u8]| -> PhoneUploadFile {
        let hash = sha256(bytes);
        listed
            .iter()
            .find(|f| f.sha256.as_str() == hash)
            .unwrap_or_else(|| {
                panic!("the kiosk does not list a file with SHA-256 {hash}: {listed:?}")
            })
            .clone()
    };
    for (bytes, path, media_type) in [
        (&photo, &photo_path, MediaType::Jpeg),
        (&document, &document_path, MediaType::Pdf),
    ] {
        let file = find(bytes);
        assert_eq!(file.media_type, media_type);
        assert_eq!(file.size, bytes.len() as u64);
        let fetched = runtime
            .block_on(kiosk.fetch(&session.session_id, &file.file_id))
            .unwrap();
        let on_disk = std::fs::read(path).unwrap();
        assert_eq!(sha256(&fetched), sha256(&on_disk), "{}", path.display());
        assert!(fetched == on_disk, "{} differs", path.display());
    }
    let received = image::load_from_memory(
        &runtime
            .block_on(kiosk.fetch(&session.session_id, &find(&photo).file_id))
            .unwrap(),
    )
    .unwrap();
    assert_eq!((received.width(), received.height()), (64, 48));

    // The answer page offers to send more: a text file named like a photo is turned away by
    // its content, with the reason shown, and the kiosk's list stays as it was.
    let fake = write(
        phone_files.path(),
        "anh-chup.jpg",
        "Đây không phải là ảnh, chỉ là chữ.\n".as_bytes(),
    );
    browser.choose_files("input[type=file]", &[&fake]);
    browser.submit();
    let text = browser.wait_for_page(&url);
    assert_contains(&text, "Không nhận được");
    assert_contains(&text, "anh-chup.jpg: không phải ảnh JPEG, PNG hoặc tệp PDF");
    assert_contains(&text, "Đã nhận 0 tệp.");
    assert_contains(&text, "Máy kiosk đã nhận 2 tệp từ điện thoại này.");
    assert!(!text.contains("anh-chup.jpg — "), "{text}");
    let after = runtime
        .block_on(kiosk.list(&session.session_id))
        .unwrap()
        .files;
    assert_eq!(after, listed);

    drop(browser);
    runtime.block_on(server.stop());
    eprintln!("browser upload test took {:?}", started.elapsed());
}
