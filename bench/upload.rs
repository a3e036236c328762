//! Upload benchmark (issue 5): a 100 MB dossier from the kiosk to the central server over
//! loopback, next to `curl` doing the same protocol against the same server in the same run; the
//! kiosk's peak memory during the upload; and how much a resumed upload sends again after the
//! connection was cut half way.
//!
//! Run: `cargo bench --bench upload` (needs `curl` on the PATH). Environment, all optional:
//!
//! - `RUNS=7`: timed runs per peer and layout (median, min, max are printed);
//! - `LAYOUTS=5x20000000,1x100000000`: dossiers as FILESxBYTES. 5 × 20 MB fits the kiosk's default
//!   limit of 20 MiB per page; the single 100 MB file needs the limit raised, which the benchmark
//!   does in the kiosk configuration it writes (`[limits] max_file_bytes = 104857600`);
//! - `CUT=50000000`: the resume test cuts the connection after this many bytes of file content;
//! - `HOLD_SECS=5`: in the second resume test the proxy drops only the kiosk's side of the
//!   connection and keeps the server's side open (a half-open connection, as when the kiosk's
//!   network goes away) for this long before closing it;
//! - `SKIP=`: comma-separated parts to skip: `throughput`, `replica`, `memory`, `resume`,
//!   `halfopen`;
//! - `KIOSK_WRAP=`, `CURL_WRAP=`: run the timed client under a tool (`strace -f -c -o FILE`,
//!   `perf stat -o FILE`) to look closer; the times are then not comparable.
//!
//! What runs: the real central server in this process (`motcua_central::app`, the router
//! `motcua-central serve` runs, on its own multi-threaded tokio runtime on 127.0.0.1), wrapped in
//! one extra layer that records when each `PATCH` arrives and when its answer is ready. The kiosk
//! is the real release binary `motcua-kiosk` (built by `cargo bench`), a separate process: each
//! dossier is saved with `motcua-kiosk submit` while the server is unreachable (a closed port),
//! then `motcua-kiosk outbox --deliver` is timed, which is exactly the kiosk's delivery path (PUT
//! manifest, HEAD, one PATCH per file streamed from the outbox, POST complete, record the
//! receipt and delete the files). Its resident memory is read from `/proc/<pid>/status` every
//! 5 ms while it runs: `VmRSS` just before the first `PATCH` reaches the server and the highest
//! `VmRSS` while `PATCH`es are in progress, and the process's peak `VmHWM`, compared with the same
//! command delivering a 1,000-byte dossier.
//!
//! The peer is `curl`, one process for the whole submission with its requests joined by `--next`
//! (one connection, like the kiosk): PUT the manifest, one `PATCH -T file` per file
//! (`Upload-Offset: 0`, `Expect:` turned off so curl does not wait for `100 Continue`), POST
//! complete, with the same kiosk credential. Controls show where a difference comes from: this
//! binary re-run as a client with the kiosk's upload loop copied from
//! `src/submission/delivery.rs` (see `replica_client`), as it is (one `PATCH` per file, 1 MiB
//! reads) and as it was before 2026-11-23 (8 MiB `PATCH`es, 64 KiB reads), and curl sending 8 MiB
//! `PATCH`es (the pieces cut into files beforehand). Every upload uses freshly generated content (random bytes after
//! `%PDF-1.7\n`), so the server always stores a new file; `sync` runs before each timed delivery
//! so no earlier writes are flushed during it; the order of the peers rotates from run to run.
//!
//! Two times per delivery: "transfer" as the server sees it, from the arrival of the first `PATCH`
//! to the answer of the last one (the same clock for every peer: it includes the kiosk's `HEAD`s
//! and the gaps between its chunks, and the server's hashing and storing of each finished file),
//! and "whole" as the client sees it, from starting the client process to its exit. Also the CPU
//! time of the client (`wait4`) and of the server (this process, `getrusage`) meanwhile.
//!
//! Resume: a TCP proxy in this process sits between the kiosk and the server and counts the
//! bytes of `PATCH` bodies that pass from the kiosk to the server. It is armed to cut after `CUT`
//! bytes of file content: it forwards exactly that many, then closes both sides (the server sees
//! the body end early, the kiosk a reset). `motcua-kiosk outbox --deliver` is then run again
//! through the proxy, which now lets everything through. Reported: file content bytes sent over
//! both attempts (passed to the server, plus what the proxy had read past the cut and dropped)
//! minus the dossier's size. The half-open variant ("halfopen") drops only the kiosk's side at
//! the cut and closes the server's side `HOLD_SECS` later, as when a kiosk's network goes away
//! without the server noticing; the server notices by itself after 60 s without body bytes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::Next;
use motcua_central::CentralConfig;
use motcua_central::catalog::import::import_text;
use motcua_kiosk::operations::Credential;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

const KIOSK: &str = env!("CARGO_BIN_EXE_motcua-kiosk");
const PROCEDURE: &str = "1.004873";
const KIOSK_NAME: &str = "quay-bench";

// ---------------------------------------------------------------------------------------------
// Small helpers

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn stats(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sync_all_filesystems() {
    Command::new("sync").status().expect("sync");
}

static SEED: AtomicU64 = AtomicU64::new(0x5eed_0001);

/// A fresh PDF-looking file of `size` bytes (random after the header), fsynced; its SHA-256.
fn make_pdf(path: &Path, size: u64) -> String {
    let mut state = SEED
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        | 1;
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut written = 0u64;
    while written < size {
        let n = (size - written).min(buffer.len() as u64) as usize;
        for word in buffer[..n].chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = word.len();
            word.copy_from_slice(&state.to_le_bytes()[..len]);
        }
        if written == 0 {
            let header = b"%PDF-1.7\n";
            let len = header.len().min(n);
            buffer[..len].copy_from_slice(&header[..len]);
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n]).unwrap();
        written += n as u64;
    }
    let file = out.into_inner().unwrap();
    file.sync_all().unwrap();
    hex(&hasher.finalize())
}

/// A child process's outcome: exit code, wall time, resident memory.
struct Measured {
    code: i32,
    secs: f64,
    /// CPU seconds (user + system) of the process.
    cpu: f64,
    /// CPU seconds of this process meanwhile: the server (and the memory sampler, negligible).
    server_cpu: f64,
    /// `VmHWM`, the process's peak resident memory, as last read before it exited (KiB). Not
    /// `wait4`'s `ru_maxrss`: the child starts on the parent's memory (vfork), and Linux carries
    /// that memory's peak over into the child's `ru_maxrss` at exec.
    hwm_kib: u64,
    /// (when, `VmRSS`, `VmHWM`) in KiB, read from `/proc/<pid>/status` every 5 ms while it ran.
    rss_samples: Vec<(Instant, u64, u64)>,
    stdout: String,
    stderr: String,
}

/// `VmRSS` and `VmHWM` (peak so far) of a live process, KiB.
fn vm_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn run_measured(mut command: Command, scratch: &Path) -> Measured {
    use nix::libc;
    let out_path = scratch.join("child.out");
    let err_path = scratch.join("child.err");
    command
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap());
    let self_cpu = || {
        // SAFETY: a zeroed rusage is a valid value; getrusage fills it in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
        let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        seconds(usage.ru_utime) + seconds(usage.ru_stime)
    };
    let self_cpu_before = self_cpu();
    let started = Instant::now();
    let child = command.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !done.load(Ordering::Relaxed) {
                // A zombie (exited, not yet reaped) has no VmRSS line: nothing more to see.
                match vm_kib(pid as u32) {
                    Some((rss, hwm)) => samples.push((Instant::now(), rss, hwm)),
                    None if !samples.is_empty() => break,
                    None => {}
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            samples
        })
    };
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, with valid pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    let server_cpu = self_cpu() - self_cpu_before;
    done.store(true, Ordering::Relaxed);
    let rss_samples = sampler.join().unwrap();
    let hwm_kib = rss_samples.last().map(|s| s.2).unwrap_or(0);
    drop(child); // already reaped; dropping a Child neither waits nor kills
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Measured {
        code,
        secs,
        cpu,
        server_cpu,
        hwm_kib,
        rss_samples,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// The server, with a layer that times PATCH requests

#[derive(Default)]
struct Recorder {
    patches: Mutex<Vec<(Instant, Instant, u16)>>,
}

impl Recorder {
    fn clear(&self) {
        self.patches.lock().unwrap().clear();
    }
    /// The first PATCH's arrival, the last PATCH's answer, how many PATCHes, and the seconds in
    /// between when none was in progress.
    fn window(&self) -> (Instant, Instant, usize, f64) {
        let patches = self.patches.lock().unwrap();
        let first = patches.iter().map(|p| p.0).min().expect("no PATCH seen");
        let last = patches.iter().map(|p| p.1).max().unwrap();
        assert!(patches.iter().all(|p| p.2 == 204), "a PATCH was refused");
        let busy: f64 = patches
            .iter()
            .map(|p| p.1.duration_since(p.0).as_secs_f64())
            .sum();
        let idle = last.duration_since(first).as_secs_f64() - busy;
        (first, last, patches.len(), idle)
    }
}

async fn serve(config: CentralConfig, recorder: Arc<Recorder>) -> SocketAddr {
    drop(motcua_central::open_catalog(&config).unwrap());
    let listener = TcpListener::bind(config.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = config;
    config.listen = addr;
    let state = motcua_central::app_state(config).unwrap();
    let router = motcua_central::http::app(state).layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let recorder = recorder.clone();
            async move {
                let is_patch = request.method() == axum::http::Method::PATCH;
                let started = Instant::now();
                let response = next.run(request).await;
                if is_patch {
                    recorder.patches.lock().unwrap().push((
                        started,
                        Instant::now(),
                        response.status().as_u16(),
                    ));
                }
                response
            }
        },
    ));
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

// ---------------------------------------------------------------------------------------------
// The proxy for the resume test

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CutMode {
    /// Close both sides: the server sees the body end early.
    Both,
    /// Drop the kiosk's side; keep the server's side open, silent, for this long.
    KioskSideOnly(Duration),
}

#[derive(Default, Debug, Clone)]
struct ProxyStats {
    /// PATCH body bytes passed on to the server.
    patch_forwarded: u64,
    /// PATCH body bytes read from the kiosk but not passed on (at the cut).
    patch_dropped: u64,
    /// (phase, Upload-Offset, Content-Length) of every PATCH request head.
    patches: Vec<(u32, u64, u64)>,
    heads: u64,
    connections: u64,
}

#[derive(Default)]
struct Proxy {
    stats: Mutex<ProxyStats>,
    /// Cut when `patch_forwarded` reaches this.
    cut: Mutex<Option<(u64, CutMode)>>,
    phase: AtomicU64,
}

impl Proxy {
    fn arm(&self, after: u64, mode: CutMode) {
        let at = self.stats.lock().unwrap().patch_forwarded + after;
        *self.cut.lock().unwrap() = Some((at, mode));
    }
}

enum Parse {
    Head(Vec<u8>),
    Body { remaining: u64, patch: bool },
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

async fn spawn_proxy(upstream: SocketAddr, proxy: Arc<Proxy>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let proxy = proxy.clone();
            tokio::spawn(async move {
                if let Ok(server) = TcpStream::connect(upstream).await {
                    proxy.stats.lock().unwrap().connections += 1;
                    connection(client, server, proxy).await;
                }
            });
        }
    });
    addr
}

async fn connection(client: TcpStream, server: TcpStream, proxy: Arc<Proxy>) {
    client.set_nodelay(true).ok();
    server.set_nodelay(true).ok();
    let (mut client_rd, client_wr) = client.into_split();
    let (server_rd, mut server_wr) = server.into_split();
    let stop_down = Arc::new(Notify::new());
    // Server → kiosk: copied as is until told to stop.
    let down = {
        let stop = stop_down.clone();
        tokio::spawn(async move {
            let (mut server_rd, mut client_wr) = (server_rd, client_wr);
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                tokio::select! {
                    read = server_rd.read(&mut buffer) => match read {
                        Ok(0) | Err(_) => break,
                        Ok(n) => if client_wr.write_all(&buffer[..n]).await.is_err() { break },
                    },
                    _ = stop.notified() => break,
                }
            }
            let _ = client_wr.shutdown().await;
            (server_rd, client_wr)
        })
    };
    // Kiosk → server: parsed just enough to count PATCH bodies and cut one.
    let mut state = Parse::Head(Vec::new());
    let mut buffer = vec![0u8; 64 * 1024];
    let mut cut: Option<CutMode> = None;
    'pump: loop {
        let n = match client_rd.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut out: Vec<u8> = Vec::with_capacity(n);
        let mut i = 0;
        while i < n {
            match &mut state {
                Parse::Head(head) => {
                    while i < n {
                        head.push(buffer[i]);
                        i += 1;
                        if head.ends_with(b"\r\n\r\n") {
                            break;
                        }
                    }
                    if !head.ends_with(b"\r\n\r\n") {
                        continue;
                    }
                    out.extend_from_slice(head);
                    let text = String::from_utf8_lossy(head).into_owned();
                    let method = text.split(' ').next().unwrap_or("").to_owned();
                    let length: u64 = header_value(&text, "content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    assert!(
                        header_value(&text, "transfer-encoding").is_none(),
                        "chunked bodies are not parsed by this proxy"
                    );
                    let patch = method == "PATCH";
                    {
                        let mut stats = proxy.stats.lock().unwrap();
                        if patch {
                            let offset = header_value(&text, "upload-offset")
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(u64::MAX);
                            let phase = proxy.phase.load(Ordering::Relaxed) as u32;
                            stats.patches.push((phase, offset, length));
                        } else if method == "HEAD" {
                            stats.heads += 1;
                        }
                    }
                    state = if length > 0 {
                        Parse::Body {
                            remaining: length,
                            patch,
                        }
                    } else {
                        Parse::Head(Vec::new())
                    };
                }
                Parse::Body { remaining, patch } => {
                    let take = (*remaining).min((n - i) as u64) as usize;
                    let mut pass = take;
                    if *patch {
                        let mut stats = proxy.stats.lock().unwrap();
                        let mut armed = proxy.cut.lock().unwrap();
                        if let Some((at, mode)) = *armed {
                            let room = at.saturating_sub(stats.patch_forwarded) as usize;
                            if room <= take {
                                pass = room;
                                cut = Some(mode);
                                *armed = None;
                                // Everything else this read brought from the kiosk is lost.
                                stats.patch_dropped += (n - i - pass) as u64;
                            }
                        }
                        stats.patch_forwarded += pass as u64;
                    }
                    out.extend_from_slice(&buffer[i..i + pass]);
                    if cut.is_some() {
                        let _ = server_wr.write_all(&out).await;
                        let _ = server_wr.flush().await;
                        break 'pump;
                    }
                    i += take;
                    *remaining -= take as u64;
                    if *remaining == 0 {
                        state = Parse::Head(Vec::new());
                    }
                }
            }
        }
        if server_wr.write_all(&out).await.is_err() {
            break;
        }
    }
    match cut {
        None => {
            let _ = server_wr.shutdown().await;
            let _ = down.await;
        }
        Some(mode) => {
            // The kiosk's side goes at once: it sees its connection reset.
            stop_down.notify_one();
            let (server_rd, client_wr) = down.await.unwrap();
            drop(client_wr);
            drop(client_rd);
            if let CutMode::KioskSideOnly(hold) = mode {
                tokio::time::sleep(hold).await;
            }
            let _ = server_wr.shutdown().await;
            drop(server_wr);
            drop(server_rd);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The benchmark

struct Bench {
    work: PathBuf,
    base: String,
    recorder: Arc<Recorder>,
    credential: String,
    document: String,
    kiosk_config: PathBuf,
    applicant: PathBuf,
    /// A port nothing listens on: `submit` there saves the dossier without delivering it.
    dead: String,
    /// Where the server keeps finished files; emptied after each timed delivery (untimed), so a
    /// run does not leave gigabytes behind.
    server_files: PathBuf,
}

#[derive(Clone, Copy, Debug)]
struct Layout {
    files: u64,
    bytes: u64,
}

impl Layout {
    fn total(&self) -> u64 {
        self.files * self.bytes
    }
    fn label(&self) -> String {
        format!("{} × {} bytes", self.files, group(self.bytes))
    }
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

struct Delivery {
    transfer: f64,
    /// Time within `transfer` when no PATCH was in progress at the server.
    idle: f64,
    whole: f64,
    hwm_kib: u64,
    /// CPU seconds of the client process(es).
    cpu: f64,
    /// CPU seconds of the server meanwhile.
    server_cpu: f64,
    /// Sampled VmRSS: the last sample before the first PATCH, the highest during the PATCHes.
    rss_before_kib: u64,
    rss_during_kib: u64,
    patches: usize,
}

impl Bench {
    fn drop_server_files(&self) {
        match std::fs::remove_dir_all(&self.server_files) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{e}"),
            _ => {}
        }
    }

    fn kiosk_command(&self, data_dir: &Path, server: &str, args: &[&str]) -> Command {
        let mut command = Command::new(KIOSK);
        command
            .arg("--config")
            .arg(&self.kiosk_config)
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--server")
            .arg(server)
            .args(args)
            .env_remove("MOTCUA_KIOSK_SERVER_URL")
            .env_remove("MOTCUA_KIOSK_DATA_DIR")
            .env_remove("MOTCUA_FAULT_POINT")
            .env("RUST_LOG", "warn");
        command
    }

    fn kiosk(&self, data_dir: &Path, server: &str, args: &[&str]) -> Measured {
        let measured = run_measured(self.kiosk_command(data_dir, server, args), &self.work);
        assert_eq!(
            measured.code, 0,
            "motcua-kiosk {args:?} failed:\n{}\n{}",
            measured.stdout, measured.stderr
        );
        measured
    }

    /// A kiosk data directory enrolled for `server` with the catalog synced.
    fn new_kiosk(&self, name: &str, server: &str) -> PathBuf {
        let dir = self.work.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        Credential {
            server_url: server.to_owned(),
            kiosk_name: KIOSK_NAME.into(),
            credential: self.credential.clone(),
        }
        .save(&dir)
        .unwrap();
        self.kiosk(&dir, server, &["sync"]);
        dir
    }

    /// Saves a dossier of fresh files into the kiosk's outbox without delivering it.
    fn save_in_outbox(&self, kiosk: &Path, layout: Layout) {
        let mut paths = Vec::new();
        for i in 0..layout.files {
            let path = self.work.join(format!("page-{i}.pdf"));
            make_pdf(&path, layout.bytes);
            paths.push(path);
        }
        let documents: Vec<String> = paths
            .iter()
            .flat_map(|p| ["--document".to_owned(), format!("1={}", p.display())])
            .collect();
        let mut args = vec![
            "submit",
            "--procedure",
            PROCEDURE,
            "--applicant",
            self.applicant.to_str().unwrap(),
        ];
        args.extend(documents.iter().map(String::as_str));
        let out = self.kiosk(kiosk, &self.dead, &args);
        assert!(
            out.stdout.contains("not sent yet"),
            "expected the dossier to wait in the outbox: {}",
            out.stdout
        );
        for path in paths {
            std::fs::remove_file(path).unwrap();
        }
    }

    fn kiosk_delivery(&self, kiosk: &Path, layout: Layout) -> Delivery {
        self.save_in_outbox(kiosk, layout);
        sync_all_filesystems();
        self.recorder.clear();
        let command = wrap(
            "KIOSK_WRAP",
            self.kiosk_command(kiosk, &self.base, &["outbox", "--deliver"]),
        );
        let out = run_measured(command, &self.work);
        assert!(
            out.code == 0 && out.stdout.starts_with("delivered 1,"),
            "delivery failed: {}\n{}",
            out.stdout,
            out.stderr
        );
        let (first, last, patches, idle) = self.recorder.window();
        self.drop_server_files();
        let rss_before_kib = out
            .rss_samples
            .iter()
            .filter(|s| s.0 < first)
            .map(|s| s.1)
            .next_back()
            .unwrap_or(0);
        let rss_during_kib = out
            .rss_samples
            .iter()
            .filter(|s| s.0 >= first && s.0 <= last)
            .map(|s| s.1)
            .max()
            .unwrap_or(0);
        Delivery {
            transfer: last.duration_since(first).as_secs_f64(),
            idle,
            whole: out.secs,
            hwm_kib: out.hwm_kib,
            cpu: out.cpu,
            server_cpu: out.server_cpu,
            rss_before_kib,
            rss_during_kib,
            patches,
        }
    }

    /// The submission manifest (the benchmark's applicant and document, these files) written
    /// to the work folder, for curl and for the replica to send.
    fn write_manifest(&self, key: &str, manifest_files: Vec<serde_json::Value>) -> PathBuf {
        let manifest = serde_json::json!({
            "procedure_code": PROCEDURE,
            "applicant": serde_json::from_str::<serde_json::Value>(
                &std::fs::read_to_string(&self.applicant).unwrap()).unwrap(),
            "documents": [{"document": self.document, "files": manifest_files}],
            "local_reference": key,
            "confirmed_at": time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339).unwrap(),
        });
        let manifest_path = self.work.join("manifest.json");
        std::fs::write(&manifest_path, manifest.to_string()).unwrap();
        manifest_path
    }

    /// One curl process for the whole submission, its requests joined with `--next` (one
    /// connection, as the kiosk uses): PUT the manifest, PATCH every file (whole, or in pieces of
    /// `chunk` bytes cut beforehand into files of their own, at their offsets), POST complete.
    fn curl_delivery(&self, layout: Layout, n: usize, chunk: Option<u64>) -> Delivery {
        let key = format!("curl-{n}-{}", SEED.load(Ordering::Relaxed));
        let mut manifest_files = Vec::new();
        // (file id, offset, path of the bytes to send)
        let mut pieces: Vec<(String, u64, PathBuf)> = Vec::new();
        let mut scratch = Vec::new();
        for i in 0..layout.files {
            let path = self.work.join(format!("curl-{i}.pdf"));
            let sha256 = make_pdf(&path, layout.bytes);
            let file_id = format!("f{i}");
            manifest_files.push(serde_json::json!({
                "file_id": file_id, "media_type": "application/pdf",
                "size": layout.bytes, "sha256": sha256,
            }));
            match chunk {
                None => pieces.push((file_id, 0, path.clone())),
                Some(chunk) => {
                    let mut source = File::open(&path).unwrap();
                    let mut offset = 0;
                    while offset < layout.bytes {
                        let piece = self.work.join(format!("curl-{i}.{offset}"));
                        let mut out = File::create(&piece).unwrap();
                        let n =
                            std::io::copy(&mut std::io::Read::take(&mut source, chunk), &mut out)
                                .unwrap();
                        out.sync_all().unwrap();
                        pieces.push((file_id.clone(), offset, piece.clone()));
                        scratch.push(piece);
                        offset += n;
                    }
                }
            }
            scratch.push(path);
        }
        let manifest_path = self.write_manifest(&key, manifest_files);

        let url = format!("{}/api/v1/submissions/{key}", self.base);
        let authorization = format!("Authorization: Bearer {}", self.credential);
        let mut command = Command::new("curl");
        let operation = |command: &mut Command, first: bool| {
            if !first {
                command.arg("--next");
            }
            command
                .args([
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %{num_connects}\n",
                    "-H",
                ])
                .arg(&authorization);
        };
        operation(&mut command, true);
        command
            .args([
                "-X",
                "PUT",
                "-H",
                "Content-Type: application/json",
                "--data-binary",
            ])
            .arg(format!("@{}", manifest_path.display()))
            .arg(&url);
        for (file_id, offset, path) in &pieces {
            operation(&mut command, false);
            command
                .args(["-X", "PATCH", "-H"])
                .arg(format!("Upload-Offset: {offset}"))
                .args([
                    "-H",
                    "Content-Type: application/offset+octet-stream",
                    "-H",
                    "Expect:",
                    "-T",
                ])
                .arg(path)
                .arg(format!("{url}/files/{file_id}"));
        }
        operation(&mut command, false);
        command.args(["-X", "POST"]).arg(format!("{url}/complete"));

        let command = wrap("CURL_WRAP", command);
        sync_all_filesystems();
        self.recorder.clear();
        let out = run_measured(command, &self.work);
        assert_eq!(out.code, 0, "curl: {}", out.stderr);
        let codes: Vec<&str> = out
            .stdout
            .lines()
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        let connects: u32 = out
            .stdout
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap().parse::<u32>().unwrap())
            .sum();
        if connects != 1 {
            eprintln!("  note: curl opened {connects} connections for one submission");
        }
        let mut expected = vec!["201"];
        expected.extend(pieces.iter().map(|_| "204"));
        expected.push("200");
        assert_eq!(codes, expected, "curl's answers");
        let (first, last, patches, idle) = self.recorder.window();
        self.drop_server_files();
        for path in scratch {
            std::fs::remove_file(path).unwrap();
        }
        Delivery {
            transfer: last.duration_since(first).as_secs_f64(),
            idle,
            whole: out.secs,
            hwm_kib: out.hwm_kib,
            cpu: out.cpu,
            server_cpu: out.server_cpu,
            rss_before_kib: 0,
            rss_during_kib: 0,
            patches,
        }
    }

    /// The kiosk's upload loop copied into this benchmark (see `replica_client`), run as a
    /// separate process: the same requests, with the chunk size and read size as parameters.
    fn replica_delivery(
        &self,
        layout: Layout,
        n: usize,
        chunk: u64,
        read_buffer: usize,
    ) -> Delivery {
        let key = format!("replica-{n}-{}", SEED.load(Ordering::Relaxed));
        let mut manifest_files = Vec::new();
        let mut files = Vec::new();
        for i in 0..layout.files {
            let path = self.work.join(format!("replica-{i}.pdf"));
            let sha256 = make_pdf(&path, layout.bytes);
            let file_id = format!("f{i}");
            manifest_files.push(serde_json::json!({
                "file_id": file_id, "media_type": "application/pdf",
                "size": layout.bytes, "sha256": sha256,
            }));
            files.push(format!("{file_id}={}", path.display()));
        }
        let manifest_path = self.write_manifest(&key, manifest_files);
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .env("UPLOAD_REPLICA_CLIENT", &self.base)
            .env("REPLICA_CREDENTIAL", &self.credential)
            .env("REPLICA_KEY", &key)
            .env("REPLICA_MANIFEST", &manifest_path)
            .env("REPLICA_FILES", files.join(","))
            .env("REPLICA_CHUNK", chunk.to_string())
            .env("REPLICA_READ_BUFFER", read_buffer.to_string());
        sync_all_filesystems();
        self.recorder.clear();
        let out = run_measured(command, &self.work);
        assert_eq!(
            out.code, 0,
            "replica client: {}\n{}",
            out.stdout, out.stderr
        );
        let (first, last, patches, idle) = self.recorder.window();
        self.drop_server_files();
        for file in files {
            std::fs::remove_file(file.split_once('=').unwrap().1).unwrap();
        }
        Delivery {
            transfer: last.duration_since(first).as_secs_f64(),
            idle,
            whole: out.secs,
            hwm_kib: out.hwm_kib,
            cpu: out.cpu,
            server_cpu: out.server_cpu,
            rss_before_kib: 0,
            rss_during_kib: 0,
            patches,
        }
    }
}

/// For looking closer only: `KIOSK_WRAP="strace -f -c -o /tmp/kiosk.txt"` or
/// `CURL_WRAP="perf stat -o /tmp/curl.txt"` runs the timed client under that command (the
/// figures are then not comparable).
fn wrap(variable: &str, command: Command) -> Command {
    let Ok(prefix) = std::env::var(variable) else {
        return command;
    };
    let mut words = prefix.split_whitespace();
    let mut wrapped = Command::new(words.next().expect("a command to wrap with"));
    wrapped
        .args(words)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    wrapped
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

/// `UPLOAD_REPLICA_CLIENT=<base url>`: this binary acts as a client instead, with the upload loop
/// of `DeliveryClient::deliver` (src/submission/delivery.rs) copied as it is — a current-thread
/// runtime as `motcua-kiosk outbox --deliver` uses, the same reqwest client settings, `HEAD`
/// then `PATCH`es of `REPLICA_CHUNK` bytes streamed from a `tokio::fs::File` through a
/// `ReaderStream` of `REPLICA_READ_BUFFER` bytes — so the chunk size and the read size can be
/// changed one at a time and measured.
fn replica_client(base: String) -> ! {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name}"));
    let credential = var("REPLICA_CREDENTIAL");
    let key = var("REPLICA_KEY");
    let manifest = std::fs::read(var("REPLICA_MANIFEST")).unwrap();
    let chunk: u64 = var("REPLICA_CHUNK").parse().unwrap();
    let read_buffer: usize = var("REPLICA_READ_BUFFER").parse().unwrap();
    let files: Vec<(String, PathBuf)> = var("REPLICA_FILES")
        .split(',')
        .map(|f| {
            let (id, path) = f.split_once('=').unwrap();
            (id.to_owned(), PathBuf::from(path))
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let auth = format!("Bearer {credential}");
        let url = format!("{base}/api/v1/submissions/{key}");
        let response = http
            .put(&url)
            .header(AUTHORIZATION, &auth)
            .header(CONTENT_TYPE, "application/json")
            .body(manifest)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        for (file_id, path) in &files {
            let file_url = format!("{url}/files/{file_id}");
            let size = std::fs::metadata(path).unwrap().len();
            let response = http
                .head(&file_url)
                .header(AUTHORIZATION, &auth)
                .send()
                .await
                .unwrap();
            let mut offset: u64 = response.headers()["upload-offset"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            while offset < size {
                let length = chunk.min(size - offset);
                let mut file = tokio::fs::File::open(path).await.unwrap();
                tokio::io::AsyncSeekExt::seek(&mut file, std::io::SeekFrom::Start(offset))
                    .await
                    .unwrap();
                let reader = tokio::io::AsyncReadExt::take(file, length);
                let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
                    reader,
                    read_buffer,
                ));
                let response = http
                    .patch(&file_url)
                    .header(AUTHORIZATION, &auth)
                    .header("upload-offset", offset.to_string())
                    .header(CONTENT_TYPE, "application/offset+octet-stream")
                    .header(CONTENT_LENGTH, length.to_string())
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status().as_u16(), 204);
                offset += length;
            }
        }
        let response = http
            .post(format!("{url}/complete"))
            .header(AUTHORIZATION, &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
    });
    std::process::exit(0)
}

fn main() {
    if let Ok(base) = std::env::var("UPLOAD_REPLICA_CLIENT") {
        replica_client(base);
    }
    let runs: usize = env_or("RUNS", 7);
    let layouts: Vec<Layout> = std::env::var("LAYOUTS")
        .unwrap_or_else(|_| "5x20000000,1x100000000".into())
        .split(',')
        .map(|l| {
            let (files, bytes) = l.trim().split_once('x').expect("LAYOUTS: FILESxBYTES,…");
            Layout {
                files: files.parse().unwrap(),
                bytes: bytes.parse().unwrap(),
            }
        })
        .collect();
    let cut: u64 = env_or("CUT", 50_000_000);
    let hold: u64 = env_or("HOLD_SECS", 5);
    let skip = std::env::var("SKIP").unwrap_or_default();
    let skipped = |part: &str| skip.split(',').any(|s| s.trim() == part);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let work_dir = tempfile::tempdir().unwrap();
    let work = work_dir.path().to_owned();
    let server_dir = work.join("central");
    let config = CentralConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: server_dir.clone(),
        ..CentralConfig::default()
    };
    std::fs::create_dir_all(&server_dir).unwrap();
    {
        let mut store = motcua_central::open_catalog(&config).unwrap();
        import_text(&mut store, motcua_central::DEMO_CATALOG).unwrap();
    }
    let credential = motcua_central::issue_kiosk_credential(&config, KIOSK_NAME).unwrap();
    let recorder = Arc::new(Recorder::default());
    let addr = runtime.block_on(serve(config.clone(), recorder.clone()));
    let base = format!("http://{addr}");
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };

    let catalog: serde_json::Value = serde_json::from_str(motcua_central::DEMO_CATALOG).unwrap();
    let document = catalog["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == PROCEDURE)
        .expect("procedure in the demo catalog")["documents"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let kiosk_config = work.join("kiosk.toml");
    std::fs::write(
        &kiosk_config,
        "[limits]\nmax_file_bytes = 104857600\nmax_total_bytes = 524288000\n",
    )
    .unwrap();
    let applicant = work.join("applicant.json");
    std::fs::write(
        &applicant,
        serde_json::json!({
            "full_name": "Trần Thị Bích Ngọc",
            "citizen_id": "079190004321",
            "birth_date": "12/05/1990",
            "phone": "0987654321",
            "address": "12 Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh",
        })
        .to_string(),
    )
    .unwrap();
    let bench = Bench {
        work: work.clone(),
        base: base.clone(),
        recorder,
        credential,
        document,
        kiosk_config,
        applicant,
        dead,
        server_files: server_dir.join("files"),
    };
    let kiosk = bench.new_kiosk("kiosk", &base);
    println!(
        "upload benchmark: {runs} runs per peer and layout; server {base}; kiosk {KIOSK}; work dir {}",
        work.display()
    );

    if !skipped("throughput") {
        const MIB: u64 = 1024 * 1024;
        // (name, how): 0 the kiosk; 1 curl, whole files or pieces of this size; 2 the replica of
        // the kiosk's loop with (chunk, read buffer).
        #[derive(Clone, Copy)]
        enum Peer {
            Kiosk,
            Curl(Option<u64>),
            Replica(u64, usize),
        }
        let mut peers: Vec<(&str, Peer)> = vec![
            ("kiosk (motcua-kiosk outbox --deliver)", Peer::Kiosk),
            ("curl, each file in one PATCH", Peer::Curl(None)),
            ("curl, 8 MiB PATCHes", Peer::Curl(Some(8 * MIB))),
        ];
        if !skipped("replica") {
            peers.extend([
                (
                    "replica of the kiosk's loop: one PATCH per file, 1 MiB reads",
                    Peer::Replica(u64::MAX, 1024 * 1024),
                ),
                (
                    "replica of the loop before: 8 MiB PATCHes, 64 KiB reads",
                    Peer::Replica(8 * MIB, 64 * 1024),
                ),
            ]);
        }
        let deliver = |peer: usize, layout: Layout, run: usize| match peers[peer].1 {
            Peer::Kiosk => bench.kiosk_delivery(&kiosk, layout),
            Peer::Curl(chunk) => bench.curl_delivery(layout, run, chunk),
            Peer::Replica(chunk, read) => bench.replica_delivery(layout, run, chunk, read),
        };
        // One untimed delivery each, to warm up the server and the page cache of the binaries.
        let warm = Layout {
            files: 1,
            bytes: 1_000_000,
        };
        for peer in 0..peers.len() {
            deliver(peer, warm, 0);
        }
        for layout in &layouts {
            let mut results: Vec<Vec<Delivery>> = peers.iter().map(|_| Vec::new()).collect();
            for run in 0..runs {
                // The order rotates from run to run.
                for k in 0..peers.len() {
                    let peer = (run + k) % peers.len();
                    let delivery = deliver(peer, *layout, run);
                    eprintln!(
                        "  {} run {run} {}: transfer {:.3} s (server idle between PATCHes {:.3} s), whole {:.3} s, client CPU {:.3} s, {} PATCH, VmHWM {} KiB{}",
                        layout.label(),
                        peers[peer].0,
                        delivery.transfer,
                        delivery.idle,
                        delivery.whole,
                        delivery.cpu,
                        delivery.patches,
                        delivery.hwm_kib,
                        if peer == 0 {
                            format!(
                                ", VmRSS {} → {} KiB",
                                delivery.rss_before_kib, delivery.rss_during_kib
                            )
                        } else {
                            String::new()
                        }
                    );
                    results[peer].push(delivery);
                }
            }
            let total = layout.total();
            println!(
                "\ndossier {} = {} bytes; median (min–max) of {runs} runs",
                layout.label(),
                group(total)
            );
            let measures: [(&str, fn(&Delivery) -> f64); 2] = [
                (
                    "transfer: first PATCH in → last PATCH answered, at the server",
                    |d| d.transfer,
                ),
                (
                    "whole delivery: client process start → exit (PUT … complete)",
                    |d| d.whole,
                ),
            ];
            for (what, f) in measures {
                println!("  {what}");
                let kiosk_rate = stats(
                    &results[0]
                        .iter()
                        .map(|d| mb_per_s(total, f(d)))
                        .collect::<Vec<_>>(),
                )
                .0;
                for (peer, (name, _)) in peers.iter().enumerate() {
                    let (m, lo, hi) = stats(
                        &results[peer]
                            .iter()
                            .map(|d| mb_per_s(total, f(d)))
                            .collect::<Vec<_>>(),
                    );
                    let (sm, slo, shi) = stats(&results[peer].iter().map(f).collect::<Vec<_>>());
                    println!(
                        "    {name:<58} {m:>5.0} MB/s ({lo:.0}–{hi:.0})  {sm:.3} s ({slo:.3}–{shi:.3})  kiosk ÷ this: {:.2}×",
                        kiosk_rate / m
                    );
                }
            }
            for (peer, (name, _)) in peers.iter().enumerate() {
                let (m, lo, hi) = stats(&results[peer].iter().map(|d| d.cpu).collect::<Vec<_>>());
                let (sm, slo, shi) = stats(
                    &results[peer]
                        .iter()
                        .map(|d| d.server_cpu)
                        .collect::<Vec<_>>(),
                );
                println!(
                    "  CPU (user + system) {name}: client {m:.3} s ({lo:.3}–{hi:.3}), server {sm:.3} s ({slo:.3}–{shi:.3})"
                );
            }
            let (idle, idle_lo, idle_hi) =
                stats(&results[0].iter().map(|d| d.idle).collect::<Vec<_>>());
            println!(
                "  kiosk: server idle between its PATCHes {idle:.3} s ({idle_lo:.3}–{idle_hi:.3}); `outbox --deliver` VmHWM {:.1} MiB",
                stats(
                    &results[0]
                        .iter()
                        .map(|d| d.hwm_kib as f64 / 1024.0)
                        .collect::<Vec<_>>()
                )
                .0
            );
        }
    }

    if !skipped("memory") {
        let tiny = Layout {
            files: 1,
            bytes: 1_000,
        };
        let mut small = Vec::new();
        let mut big = Vec::new();
        let big_layout = *layouts.iter().max_by_key(|l| l.bytes).expect("a layout");
        let mut growth = Vec::new();
        for _ in 0..runs {
            small.push(bench.kiosk_delivery(&kiosk, tiny).hwm_kib as f64 / 1024.0);
            let delivery = bench.kiosk_delivery(&kiosk, big_layout);
            big.push(delivery.hwm_kib as f64 / 1024.0);
            growth.push((delivery.rss_during_kib as f64 - delivery.rss_before_kib as f64) / 1024.0);
            eprintln!(
                "  memory: VmRSS {} KiB before the first PATCH, at most {} KiB during the PATCHes; VmHWM {} KiB",
                delivery.rss_before_kib, delivery.rss_during_kib, delivery.hwm_kib
            );
        }
        let (s, slo, shi) = stats(&small);
        let (b, blo, bhi) = stats(&big);
        let (g, glo, ghi) = stats(&growth);
        println!(
            "\nkiosk `outbox --deliver` peak resident memory (VmHWM): 1,000-byte dossier {s:.1} MiB ({slo:.1}–{shi:.1}); {} {b:.1} MiB ({blo:.1}–{bhi:.1}); difference {:.1} MiB",
            big_layout.label(),
            b - s
        );
        println!(
            "  sampled VmRSS during the PATCHes minus just before the first PATCH: {g:.2} MiB ({glo:.2}–{ghi:.2})"
        );
    }

    let modes: Vec<(&str, CutMode)> = [
        ("resume", CutMode::Both),
        (
            "halfopen",
            CutMode::KioskSideOnly(Duration::from_secs(hold)),
        ),
    ]
    .into_iter()
    .filter(|(name, _)| !skipped(name))
    .collect();
    for (name, mode) in modes {
        for layout in &layouts {
            let proxy = Arc::new(Proxy::default());
            let proxy_addr = runtime.block_on(spawn_proxy(addr, proxy.clone()));
            let proxy_base = format!("http://{proxy_addr}");
            let kiosk2 = bench.new_kiosk(&format!("kiosk-{name}-{}", layout.files), &proxy_base);
            bench.save_in_outbox(&kiosk2, *layout);
            sync_all_filesystems();
            let before = proxy.stats.lock().unwrap().clone();
            proxy.arm(cut, mode);
            proxy.phase.store(1, Ordering::Relaxed);
            let first = bench.kiosk(&kiosk2, &proxy_base, &["outbox", "--deliver"]);
            assert!(
                first.stdout.contains("still waiting 1"),
                "the cut should have stopped the first attempt: {}",
                first.stdout
            );
            let after_first = proxy.stats.lock().unwrap().clone();
            proxy.phase.store(2, Ordering::Relaxed);
            let started = Instant::now();
            let second = bench.kiosk(&kiosk2, &proxy_base, &["outbox", "--deliver"]);
            let second_secs = started.elapsed().as_secs_f64();
            assert!(
                second.stdout.starts_with("delivered 1,"),
                "the second attempt should deliver: {}",
                second.stdout
            );
            let end = proxy.stats.lock().unwrap().clone();
            let size = layout.total();
            let first_fwd = after_first.patch_forwarded - before.patch_forwarded;
            let dropped = end.patch_dropped - before.patch_dropped;
            let second_fwd = end.patch_forwarded - after_first.patch_forwarded;
            let sent = first_fwd + dropped + second_fwd;
            let resent = sent as i64 - size as i64;
            let second_patches: Vec<_> = end.patches.iter().filter(|p| p.0 == 2).collect();
            println!(
                "\n{name} ({}), cut after {} bytes of file content{}:",
                layout.label(),
                group(cut),
                match mode {
                    CutMode::Both => ", both sides closed".to_owned(),
                    CutMode::KioskSideOnly(d) => format!(
                        ", kiosk side dropped, server side held open {} s",
                        d.as_secs()
                    ),
                }
            );
            println!(
                "  attempt 1: {} bytes passed to the server, {} bytes read from the kiosk and dropped at the cut; {} PATCH requests",
                group(first_fwd),
                group(dropped),
                end.patches.iter().filter(|p| p.0 == 1).count()
            );
            println!(
                "  attempt 2 ({second_secs:.2} s): {} bytes in {} PATCH requests, {} HEAD; first PATCH at Upload-Offset {}",
                group(second_fwd),
                second_patches.len(),
                end.heads - after_first.heads,
                second_patches
                    .first()
                    .map(|p| group(p.1))
                    .unwrap_or_default()
            );
            println!(
                "  file content sent over both attempts {} − dossier {} = {} bytes re-sent = {:.4} % of the dossier (passed to the server beyond the dossier's size: {} bytes)",
                group(sent),
                group(size),
                resent,
                100.0 * resent as f64 / size as f64,
                first_fwd as i64 + second_fwd as i64 - size as i64
            );
            if std::env::var_os("VERBOSE").is_some() {
                for p in &end.patches {
                    println!("    phase {} PATCH offset {} length {}", p.0, p.1, p.2);
                }
            }
        }
    }
    drop(runtime);
}
