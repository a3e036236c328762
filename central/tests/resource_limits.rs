//! Resource limits against the real `motcua-central` binary, run as a child process so its memory
//! (`/proc/<pid>/status`), its open descriptors (`/proc/<pid>/fd`) and whether it is still
//! running can be watched from outside: oversized and 1 GB bodies, slow-loris headers and bodies,
//! 10,000 idle connections, and running out of file descriptors.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use motcua_central::catalog::import::import_text;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MIB: u64 = 1024 * 1024;

/// The server binary with a fresh data directory holding the demo catalog and one kiosk.
struct Server {
    child: Child,
    addr: SocketAddr,
    base: String,
    kiosk: String,
    stderr: PathBuf,
    _stdout: BufReader<ChildStdout>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `settings`: extra lines of `central.toml`; `max_files`: the child's open file limit.
    fn start(settings: &str, max_files: Option<u32>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let config = common::config(&data);
        std::fs::create_dir_all(&data).unwrap();
        import_text(
            &mut motcua_central::open_catalog(&config).unwrap(),
            motcua_central::DEMO_CATALOG,
        )
        .unwrap();
        let kiosk = motcua_central::issue_kiosk_credential(&config, "quay-1").unwrap();
        let file = dir.path().join("central.toml");
        std::fs::write(
            &file,
            format!(
                "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\n{settings}",
                data.display()
            ),
        )
        .unwrap();
        let stderr = dir.path().join("stderr.log");
        let binary = env!("CARGO_BIN_EXE_motcua-central");
        let mut command = match max_files {
            // The shell lowers its own limit, then becomes the server (same pid).
            Some(n) => {
                let mut c = Command::new("sh");
                c.args([
                    "-c",
                    &format!("ulimit -n {n} && exec \"$0\" \"$@\""),
                    binary,
                ]);
                c
            }
            None => Command::new(binary),
        };
        let mut child = command
            .arg("--config")
            .arg(&file)
            .arg("serve")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let addr = base.strip_prefix("http://").unwrap().parse().unwrap();
        Self {
            child,
            addr,
            base,
            kiosk,
            stderr,
            _stdout: stdout,
            _dir: dir,
        }
    }

    /// A field of `/proc/<pid>/status` in KiB: `VmRSS`, `VmHWM` (the peak).
    fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{field}:")))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }

    fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .unwrap()
            .count()
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap()
    }

    /// `GET /api/v1/health` on a fresh connection: (status, how long it took).
    async fn health(&self) -> (u16, Duration) {
        let started = Instant::now();
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let status = match client
            .get(format!("{}/api/v1/health", self.base))
            .send()
            .await
        {
            Ok(response) => response.status().as_u16(),
            Err(_) => 0,
        };
        (status, started.elapsed())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status code of an HTTP/1.1 answer, if `bytes` hold its status line.
fn status_of(bytes: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(bytes.get(..12)?).ok()?;
    text.strip_prefix("HTTP/1.1 ")?.parse().ok()
}

/// What happened to a request whose body was streamed.
struct Streamed {
    /// Body bytes the client had written when the answer came (or the connection ended).
    sent: u64,
    /// The answer's bytes, if one came.
    answer: Vec<u8>,
    elapsed: Duration,
}

/// Sends `head` (ending in the blank line), then body bytes in 64 KiB chunks of the same buffer,
/// up to `declared` bytes, reading the answer at the same time. Nothing of the size of the body
/// is ever allocated.
async fn stream_body(addr: SocketAddr, head: String, declared: u64) -> Streamed {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let sending = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b'a'; 64 * 1024];
        let mut total = 0u64;
        while total < declared {
            let n = usize::try_from((declared - total).min(chunk.len() as u64)).unwrap();
            match writer.write(&chunk[..n]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total += n as u64;
                    counter.store(total, Ordering::SeqCst);
                }
            }
        }
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let reading = async {
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), reading)
        .await
        .expect("no answer and no close within 20 s while the body was being sent");
    let sent_then = sent.load(Ordering::SeqCst);
    sending.abort();
    Streamed {
        sent: sent_then,
        answer,
        elapsed: started.elapsed(),
    }
}

fn jpeg(len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.resize(len, 7);
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_get_413_and_a_1_gb_body_is_refused_early_in_bounded_memory() {
    let server = Server::start("", None);
    let client = reqwest::Client::new();

    // Just over axum's 2 MiB limit for JSON (a heartbeat) and the 256 KiB of a manifest: 413
    // with the API's JSON error, from a kiosk and from anyone (enrollment).
    let over_2_mib = format!("{{\"version\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let over_manifest = format!("{{\"procedure_code\": \"{}\"}}", "a".repeat(256 * 1024));
    for (method, path, credential, body) in [
        ("POST", "/api/v1/kiosks/heartbeat", true, &over_2_mib),
        ("POST", "/api/v1/kiosks/enroll", false, &over_2_mib),
        ("PUT", "/api/v1/submissions/big", true, &over_manifest),
    ] {
        let mut request = client
            .request(method.parse().unwrap(), format!("{}{path}", server.base))
            .header("Content-Type", "application/json")
            .body(body.clone());
        if credential {
            request = request.bearer_auth(&server.kiosk);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let error: Value = response.json().await.unwrap();
        assert_eq!(status, 413, "{method} {path}: {error}");
        assert!(error["error"].is_string(), "{path}: {error}");
    }

    // 1 GB declared and streamed: the answer comes (and the connection ends) after a few MB.
    let rss_before = server.memory_kib("VmRSS");
    let gigabyte = 1_000_000_000u64;
    let auth = format!("Authorization: Bearer {}\r\n", server.kiosk);
    for (method, path, auth) in [
        ("POST", "/api/v1/kiosks/heartbeat", auth.as_str()),
        ("POST", "/api/v1/kiosks/enroll", ""),
        ("PUT", "/api/v1/submissions/huge", auth.as_str()),
    ] {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: application/json\r\n\
             Content-Length: {gigabyte}\r\n\r\n",
            server.addr
        );
        let streamed = stream_body(server.addr, head, gigabyte).await;
        assert_eq!(
            status_of(&streamed.answer),
            Some(413),
            "{path}: {:?}",
            String::from_utf8_lossy(&streamed.answer)
        );
        assert!(
            streamed.sent < 64 * MIB,
            "{path}: {} bytes sent before the answer",
            streamed.sent
        );
        assert!(streamed.elapsed < Duration::from_secs(12), "{path}");
        eprintln!(
            "{method} {path}: 413 after {:.1} MB of 1 GB, {:?}",
            streamed.sent as f64 / 1e6,
            streamed.elapsed
        );
    }
    let peak = server.memory_kib("VmHWM");
    eprintln!("server memory: {rss_before} KiB before, peak {peak} KiB");
    assert!(
        peak < rss_before + 64 * 1024,
        "the server's memory grew from {rss_before} KiB to a peak of {peak} KiB"
    );
    assert_eq!(server.health().await.0, 200);
}

/// Sends a request's head one byte per `every`, never finishing it; returns how long after
/// connecting the server closed the connection (an answer before that, 408, is allowed).
async fn slow_headers(addr: SocketAddr, every: Duration) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = b"GET /api/v1/health HTTP/1.1\r\nHost: motcua\r\nX-Slow: ".to_vec();
    head.resize(4096, b'a');
    let mut buffer = [0u8; 1024];
    for byte in head {
        if stream.write_all(&[byte]).await.is_err() {
            return started.elapsed();
        }
        let deadline = Instant::now() + every;
        loop {
            match tokio::time::timeout_at(deadline.into(), stream.read(&mut buffer)).await {
                Err(_) => break,
                Ok(Ok(0) | Err(_)) => return started.elapsed(),
                Ok(Ok(n)) => assert_eq!(status_of(&buffer[..n]), Some(408)),
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never closed");
    }
    panic!("4 KiB of headers sent and never closed");
}

/// Connects and sends nothing; returns when the server closed the connection.
async fn silent(addr: SocketAddr) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer))
            .await
            .expect("never closed")
        {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => {}
        }
    }
}

/// Sends `head` and `part` of the body, then nothing: (the answer, seconds until it came).
async fn stalled_body(addr: SocketAddr, head: String, part: Vec<u8>) -> (Vec<u8>, Duration) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&part).await.unwrap();
    let stalled = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("the server kept the stalled request for 20 s");
    // A reset after the answer is fine; the answer is what counts.
    let _ = read;
    (answer, stalled.elapsed())
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_headers_and_stalled_bodies_are_cut_off_while_others_are_answered() {
    let mut server = Server::start(
        "header_read_timeout_secs = 2\nbody_idle_timeout_secs = 2\n",
        None,
    );
    let timeout = Duration::from_secs(2);
    let client = reqwest::Client::new();
    let photo = jpeg(2000);
    let response = client
        .put(format!("{}/api/v1/submissions/slow", server.base))
        .bearer_auth(&server.kiosk)
        .json(&common::photo_manifest("anh", &photo))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);

    // The attack: 20 connections trickling header bytes (one a second), 20 saying nothing, an
    // upload that stops after 500 of its 2,000 bytes, a JSON body that stops after 10 bytes.
    let mut trickles = tokio::task::JoinSet::new();
    for _ in 0..20 {
        trickles.spawn(slow_headers(server.addr, Duration::from_secs(1)));
    }
    let mut silents = tokio::task::JoinSet::new();
    for _ in 0..20 {
        silents.spawn(silent(server.addr));
    }
    let upload = tokio::spawn(stalled_body(
        server.addr,
        format!(
            "PATCH /api/v1/submissions/slow/files/anh HTTP/1.1\r\nHost: motcua\r\n\
             Authorization: Bearer {}\r\nContent-Type: application/offset+octet-stream\r\n\
             Upload-Offset: 0\r\nContent-Length: 2000\r\n\r\n",
            server.kiosk
        ),
        photo[..500].to_vec(),
    ));
    let json_body = tokio::spawn(stalled_body(
        server.addr,
        "POST /api/v1/kiosks/enroll HTTP/1.1\r\nHost: motcua\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n"
            .to_owned(),
        b"{\"code\": \"".to_vec(),
    ));

    // Meanwhile others are answered at once, on fresh connections.
    let attack_started = Instant::now();
    let mut probes = 0;
    while attack_started.elapsed() < Duration::from_millis(2500) {
        let (status, took) = server.health().await;
        assert_eq!(status, 200);
        assert!(took < Duration::from_millis(500), "answered in {took:?}");
        probes += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(probes >= 5);

    // Closed after the header timeout, not before, and not much later.
    let slack = Duration::from_millis(1500);
    for (what, mut set) in [("trickling headers", trickles), ("silent", silents)] {
        let mut count = 0;
        while let Some(closed_after) = set.join_next().await {
            let closed_after = closed_after.unwrap();
            assert!(
                closed_after >= timeout - Duration::from_millis(200)
                    && closed_after <= timeout + slack,
                "{what}: closed after {closed_after:?}"
            );
            count += 1;
        }
        assert_eq!(count, 20);
    }
    // The stalled upload ends after the body idle timeout and keeps its 500 bytes; the stalled
    // JSON body gets 408.
    let (answer, took) = upload.await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(status_of(&answer), Some(400), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("upload-offset: 500"),
        "{text}"
    );
    assert!(
        took >= timeout - Duration::from_millis(200) && took <= timeout + slack,
        "{took:?}"
    );
    let response = client
        .head(format!("{}/api/v1/submissions/slow/files/anh", server.base))
        .bearer_auth(&server.kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["upload-offset"], "500");
    let (answer, took) = json_body.await.unwrap();
    assert_eq!(
        status_of(&answer),
        Some(408),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(
        took >= timeout - Duration::from_millis(200) && took <= timeout + slack,
        "{took:?}"
    );
    assert!(server.running());
}

/// Raises this process's soft limit of open files towards `wanted` (children inherit it);
/// returns the limit now in force.
fn raise_open_file_limit(wanted: u64) -> u64 {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    let target = wanted.min(hard);
    if soft < target {
        setrlimit(Resource::RLIMIT_NOFILE, target, hard).unwrap();
    }
    getrlimit(Resource::RLIMIT_NOFILE).unwrap().0
}

/// `count` idle TCP connections to `addr`, opened on a blocking thread.
async fn connect_many(addr: SocketAddr, count: usize) -> Vec<std::net::TcpStream> {
    tokio::task::spawn_blocking(move || {
        (0..count)
            .map(|i| {
                std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))
                    .unwrap_or_else(|e| panic!("connection {i}: {e}"))
            })
            .collect()
    })
    .await
    .unwrap()
}

/// How many of `streams` the server has closed (end of stream, or reset).
fn closed_by_server(streams: &mut [std::net::TcpStream]) -> usize {
    let mut buffer = [0u8; 512];
    streams
        .iter_mut()
        .filter(|stream| {
            let stream: &std::net::TcpStream = stream;
            stream.set_nonblocking(true).unwrap();
            loop {
                match (&*stream).read(&mut buffer) {
                    Ok(0) => return true,
                    Ok(_) => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
                    Err(_) => return true,
                }
            }
        })
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_idle_connections_are_held_then_closed_and_others_are_answered() {
    let limit = raise_open_file_limit(11_000);
    // This process holds its own end of each connection, the server the other.
    let count = 10_000usize.min(usize::try_from(limit).unwrap().saturating_sub(500));
    assert!(
        count >= 1000,
        "open file limit {limit} is too low for this test"
    );
    let timeout = Duration::from_secs(8);
    let server = Server::start("header_read_timeout_secs = 8\n", None);
    let files_before = server.open_files();
    let rss_before = server.memory_kib("VmRSS");

    // In batches of 1,000 (within the listen backlog), each taken by the server (a descriptor
    // there, not just a place in the backlog) before the next.
    let opened = Instant::now();
    let mut idle = Vec::with_capacity(count);
    while idle.len() < count {
        let batch = (count - idle.len()).min(1000);
        idle.extend(connect_many(server.addr, batch).await);
        let deadline = Instant::now() + Duration::from_secs(3);
        while server.open_files() < files_before + idle.len() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let open_time = opened.elapsed();
    let held = server.open_files() - files_before;
    assert!(
        held >= count,
        "the server holds {held} of {count} connections"
    );
    // A newcomer is answered at once; the idle ones are all still open.
    let (status, took) = server.health().await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(1), "answered in {took:?}");
    let rss_held = server.memory_kib("VmRSS");
    assert!(
        opened.elapsed() < timeout - Duration::from_secs(1),
        "opening took {open_time:?}: too slow to check before the timeout"
    );
    assert_eq!(
        closed_by_server(&mut idle),
        0,
        "closed before the header timeout"
    );
    eprintln!(
        "{count} idle connections held after {open_time:?}; server RSS {rss_before} KiB → \
         {rss_held} KiB; a newcomer answered in {took:?}"
    );
    assert!(
        rss_held < rss_before + 256 * 1024,
        "{count} idle connections took {} KiB",
        rss_held - rss_before
    );

    // After the header timeout the server closes every one of them and lets go of their
    // descriptors; it is still running and answering.
    let deadline = opened + timeout + open_time + Duration::from_secs(3);
    let mut closed = 0;
    while closed < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        closed = closed_by_server(&mut idle);
    }
    assert_eq!(closed, count, "idle connections closed by the server");
    drop(idle);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let files_after = server.open_files();
    assert!(
        files_after < files_before + 50,
        "{files_after} descriptors open, {files_before} before"
    );
    let mut server = server;
    assert!(server.running());
    assert_eq!(server.health().await.0, 200);
}

/// `GET /api/v1/health` on an open keep-alive connection: the status.
async fn health_on(stream: &mut TcpStream) -> Option<u16> {
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: motcua\r\n\r\n")
        .await
        .ok()?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    // The answer is small: its head and body come together.
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buffer))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        answer.extend_from_slice(&buffer[..n]);
    }
    status_of(&answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_file_descriptors_the_server_keeps_serving_and_recovers() {
    // 256 descriptors, 600 idle connections: the server runs out while accepting them.
    let mut server = Server::start("header_read_timeout_secs = 2\n", Some(256));
    let mut kiosk = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(health_on(&mut kiosk).await, Some(200));
    // A connection the server already had is served all along, a request every 300 ms.
    let serving = tokio::spawn(async move {
        let mut statuses = Vec::new();
        for _ in 0..10 {
            statuses.push(health_on(&mut kiosk).await);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        statuses
    });
    let attack = connect_many(server.addr, 600).await;
    let statuses = serving.await.unwrap();
    assert_eq!(statuses, vec![Some(200); 10]);
    assert!(server.running());
    let log = server.log();
    assert!(
        log.contains("cannot accept a connection") && log.contains("Too many open files"),
        "{log}"
    );
    // When the attackers go, a newcomer is answered promptly again.
    drop(attack);
    let started = Instant::now();
    let (status, took) = server.health().await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
    eprintln!(
        "out of descriptors: a newcomer answered {:?} after the attack ended",
        started.elapsed()
    );
    assert!(server.running());
}
