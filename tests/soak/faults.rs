//! The faults a kiosk meets on a real network, at random from a fixed seed: a proxy on loopback
//! between the kiosk (status lookups and outbox delivery) and the central server resets
//! connections, answers 5xx, answers slowly, or stalls; a server that is down (being restarted)
//! refuses. Every fault is written on a timeline, so an error the visitor saw can be checked
//! against what was really happening at the time.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// When faults were active: spans from start to end (a still-open span has no end yet).
#[derive(Default)]
pub struct Timeline {
    spans: Mutex<Vec<(Instant, Option<Instant>)>>,
}

impl Timeline {
    pub fn begin(&self) -> usize {
        let mut spans = self.spans.lock().expect("timeline");
        spans.push((Instant::now(), None));
        spans.len() - 1
    }

    pub fn end(&self, span: usize) {
        if let Some(entry) = self.spans.lock().expect("timeline").get_mut(span) {
            entry.1 = Some(Instant::now());
        }
    }

    /// A fault that is a moment (a connection cut).
    pub fn moment(&self) {
        let span = self.begin();
        self.end(span);
    }

    /// Whether a fault was active at some time in `from..=to`, give or take `slack` (a reused
    /// connection learns of a cut a little after it).
    pub fn active_during(&self, from: Instant, to: Instant, slack: Duration) -> bool {
        let from = from.checked_sub(slack).unwrap_or(from);
        let to = to + slack;
        self.spans
            .lock()
            .expect("timeline")
            .iter()
            .any(|&(start, end)| start <= to && end.is_none_or(|end| end >= from))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Read the request, then reset the connection (RST).
    Reset,
    /// Answer 500 or 503 without asking the server.
    ServerError,
    /// Forward, but hold the server's answer back for a while first.
    Slow,
    /// Read the request, then say nothing for a while, then reset.
    Stall,
    /// Forward; some of these connections are cut later, in the middle of whatever they carry.
    Pass,
}

pub const FAULTS: [Fault; 4] = [Fault::Reset, Fault::ServerError, Fault::Slow, Fault::Stall];

/// Counts of what the proxy did, by `Fault` (index in `FAULTS`), plus cut connections.
#[derive(Default)]
pub struct Counts {
    pub by_fault: [AtomicUsize; 4],
    pub cuts: AtomicUsize,
    pub refused: AtomicUsize,
    pub connections: AtomicUsize,
}

pub struct Proxy {
    pub addr: SocketAddr,
    /// The server's current address; `None` while it is down.
    upstream: Mutex<Option<SocketAddr>>,
    faults_on: AtomicBool,
    rng: Mutex<StdRng>,
    pub timeline: Arc<Timeline>,
    pub counts: Counts,
}

impl Proxy {
    pub async fn start(seed: u64, timeline: Arc<Timeline>) -> Arc<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let proxy = Arc::new(Proxy {
            addr: listener.local_addr().expect("proxy address"),
            upstream: Mutex::new(None),
            faults_on: AtomicBool::new(true),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            timeline,
            counts: Counts::default(),
        });
        let serving = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let proxy = serving.clone();
                tokio::spawn(async move { proxy.handle(client).await });
            }
        });
        proxy
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_upstream(&self, upstream: Option<SocketAddr>) {
        *self.upstream.lock().expect("upstream") = upstream;
    }

    pub fn set_faults(&self, on: bool) {
        self.faults_on.store(on, Ordering::SeqCst);
    }

    /// The fault for a new connection and its random parameters: how long (ms) to hold back or
    /// stall, and for a passing connection when (ms) to cut it, if ever.
    fn draw(&self) -> (Fault, u64, Option<u64>) {
        let mut rng = self.rng.lock().expect("rng");
        let roll: u32 = rng.random_range(0..100);
        let hold = rng.random_range(500..9_000);
        let cut = rng.random_bool(0.25).then(|| rng.random_range(200..15_000));
        if !self.faults_on.load(Ordering::SeqCst) {
            return (Fault::Pass, 0, None);
        }
        let fault = match roll {
            0..10 => Fault::Reset,
            10..20 => Fault::ServerError,
            20..30 => Fault::Slow,
            30..36 => Fault::Stall,
            _ => Fault::Pass,
        };
        (fault, hold, cut)
    }

    async fn handle(&self, mut client: TcpStream) {
        self.counts.connections.fetch_add(1, Ordering::Relaxed);
        let (fault, hold, cut) = self.draw();
        if let Some(index) = FAULTS.iter().position(|f| *f == fault) {
            self.counts.by_fault[index].fetch_add(1, Ordering::Relaxed);
        }
        let upstream = *self.upstream.lock().expect("upstream");
        let mut head = vec![0u8; 16 * 1024];
        match fault {
            Fault::Reset => {
                let span = self.timeline.begin();
                let _ = tokio::time::timeout(Duration::from_secs(2), client.read(&mut head)).await;
                reset(client);
                self.timeline.end(span);
            }
            Fault::ServerError => {
                let span = self.timeline.begin();
                let _ = tokio::time::timeout(Duration::from_secs(2), client.read(&mut head)).await;
                let answer: &[u8] = if hold % 2 == 0 {
                    b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                } else {
                    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                };
                let _ = client.write_all(answer).await;
                let _ = client.shutdown().await;
                self.timeline.end(span);
            }
            Fault::Stall => {
                let span = self.timeline.begin();
                let _ = tokio::time::timeout(Duration::from_secs(2), client.read(&mut head)).await;
                tokio::time::sleep(Duration::from_millis(hold)).await;
                reset(client);
                self.timeline.end(span);
            }
            Fault::Slow => {
                let span = self.timeline.begin();
                let Some(mut server) = self.connect(upstream).await else {
                    reset(client);
                    self.timeline.end(span);
                    return;
                };
                // The request goes through at once; its answer comes back `hold` ms later.
                let Ok(Ok(read)) =
                    tokio::time::timeout(Duration::from_secs(5), client.read(&mut head)).await
                else {
                    self.timeline.end(span);
                    return;
                };
                let _ = server.write_all(&head[..read]).await;
                tokio::time::sleep(Duration::from_millis(hold)).await;
                self.timeline.end(span);
                self.forward(client, server, None).await;
            }
            Fault::Pass => {
                let Some(server) = self.connect(upstream).await else {
                    // The server is down: the restart's own span covers this.
                    self.counts.refused.fetch_add(1, Ordering::Relaxed);
                    reset(client);
                    return;
                };
                self.forward(client, server, cut).await;
            }
        }
    }

    async fn connect(&self, upstream: Option<SocketAddr>) -> Option<TcpStream> {
        TcpStream::connect(upstream?).await.ok()
    }

    /// Both ways until either side closes, or until `cut` ms, when the connection is reset.
    async fn forward(&self, mut client: TcpStream, mut server: TcpStream, cut: Option<u64>) {
        let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
        match cut {
            None => {
                let _ = copy.await;
            }
            Some(ms) => {
                tokio::select! {
                    _ = copy => {}
                    _ = tokio::time::sleep(Duration::from_millis(ms)) => {
                        self.counts.cuts.fetch_add(1, Ordering::Relaxed);
                        self.timeline.moment();
                        reset(client);
                    }
                }
            }
        }
    }
}

/// Closes with RST rather than FIN, as a dropped NAT entry or a crashed middlebox does.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}
