//! Endurance (issue 8, figure 3): visitor sessions one after another through the real kiosk
//! window on Slint's real winit event loop (run it under X, e.g. Xvfb, with
//! `SLINT_BACKEND=winit-software`), the real storage worker, and the real central server on
//! loopback. A session: touch "Tra cứu thủ tục", type a query on the on-screen keyboard key by
//! key (every key's results come back through `upgrade_in_event_loop`), open the first result,
//! look a dossier up on the status screen (over HTTP, answered through `upgrade_in_event_loop`),
//! then the visitor walks away (the idle countdown's end, `IdleAdapter.finish`).
//!
//! After a warm-up, the process's resident memory, threads and open file descriptors are
//! sampled every `SAMPLE_EVERY` sessions; the result is how much they grew.
//!
//! Run: `SLINT_BACKEND=winit-software DISPLAY=:99 cargo bench --bench endurance` (env
//! SESSIONS=10000, WARMUP=1000, SAMPLE_EVERY=500, COUNT=10000). Prints `RESULT {json}`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use motcua_kiosk::app::{
    AppWindow, DetailAdapter, IdleAdapter, KeyboardAdapter, Nav, Screen, SearchAdapter,
    StatusAdapter, StatusView,
};
use motcua_kiosk::storage::StorageHandle;
use slint::{ComponentHandle, Model, Timer, TimerMode};

#[path = "kiosk_fixture.rs"]
mod kiosk_fixture;
use kiosk_fixture::env_number;

const QUERY: &str = "khai sinh";

#[derive(Clone, Copy, Debug)]
struct Sample {
    session: usize,
    rss_kib: u64,
    threads: usize,
    fds: usize,
}

fn sample(session: usize) -> Sample {
    let rss_kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0);
    let entries = |dir: &str| std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    Sample {
        session,
        rss_kib,
        threads: entries("/proc/self/task"),
        fds: entries("/proc/self/fd"),
    }
}

enum Step {
    Start,
    Typing { typed: usize },
    Detail { code: slint::SharedString },
    Status,
}

struct Driver {
    ui: slint::Weak<AppWindow>,
    dossiers: Vec<String>,
    step: Step,
    sessions: usize,
    total: usize,
    warmup: usize,
    every: usize,
    samples: Vec<Sample>,
    step_started: Instant,
    storage: StorageHandle,
    /// Keys pressed so far, and keys whose results the UI thread has shown (see `type_next`).
    keys_pressed: usize,
    keys_answered: Arc<AtomicUsize>,
}

impl Driver {
    fn tick(&mut self) {
        let Some(ui) = self.ui.upgrade() else { return };
        assert!(
            self.step_started.elapsed() < Duration::from_secs(20),
            "session {} stuck",
            self.sessions
        );
        let next = match &self.step {
            Step::Start => {
                if self.sessions == self.warmup
                    || (self.sessions > self.warmup
                        && (self.sessions - self.warmup) % self.every == 0)
                {
                    self.samples.push(sample(self.sessions));
                    let s = self.samples[self.samples.len() - 1];
                    eprintln!(
                        "session {:>6}: RSS {:.1} MiB, {} threads, {} fds",
                        s.session,
                        s.rss_kib as f64 / 1024.0,
                        s.threads,
                        s.fds
                    );
                }
                if self.sessions == self.total {
                    let _ = slint::quit_event_loop();
                    return;
                }
                ui.global::<IdleAdapter>().invoke_activity();
                ui.global::<Nav>().invoke_show(Screen::Search);
                ui.global::<KeyboardAdapter>().set_shown(true);
                Some(self.type_next(&ui, 0))
            }
            Step::Typing { typed } => {
                let typed = *typed;
                let results = ui.global::<SearchAdapter>().get_results();
                if self.keys_answered.load(Ordering::SeqCst) < self.keys_pressed {
                    None
                } else if typed < QUERY.chars().count() {
                    Some(self.type_next(&ui, typed))
                } else {
                    let Some(first) = results.row_data(0) else {
                        panic!("{QUERY:?} found nothing");
                    };
                    ui.global::<SearchAdapter>().invoke_open(first.code.clone());
                    Some(Step::Detail { code: first.code })
                }
            }
            Step::Detail { code } => {
                (ui.global::<DetailAdapter>().get_code() == *code).then(|| {
                    ui.global::<Nav>().invoke_show(Screen::Status);
                    let dossier = &self.dossiers[self.sessions % self.dossiers.len()];
                    ui.global::<StatusAdapter>()
                        .invoke_look_up(dossier.as_str().into());
                    Step::Status
                })
            }
            Step::Status => match ui.global::<StatusAdapter>().get_view() {
                StatusView::Found => {
                    ui.global::<IdleAdapter>().invoke_finish();
                    self.sessions += 1;
                    Some(Step::Start)
                }
                StatusView::Message => panic!("the status lookup failed"),
                _ => None,
            },
        };
        if let Some(next) = next {
            self.step = next;
            self.step_started = Instant::now();
        }
    }

    /// Presses the next key. The results are updated in place (the model stays the same
    /// object), so their arrival is not visible from outside: a marker queued on the storage
    /// worker behind the key's search posts itself to the event loop, behind the results the
    /// search posted there, and counts the key as answered when it runs.
    fn type_next(&mut self, ui: &AppWindow, typed: usize) -> Step {
        let key = QUERY.chars().nth(typed).unwrap_or(' ');
        ui.global::<KeyboardAdapter>()
            .invoke_key(key.to_string().into());
        self.keys_pressed += 1;
        let answered = self.keys_answered.clone();
        self.storage
            .post(move |_| {
                let _ = slint::invoke_from_event_loop(move || {
                    answered.fetch_add(1, Ordering::SeqCst);
                });
            })
            .expect("the storage worker is running");
        Step::Typing { typed: typed + 1 }
    }
}

fn main() -> anyhow::Result<()> {
    let total = env_number("SESSIONS", 10_000);
    let warmup = env_number("WARMUP", 1_000).min(total);
    let every = env_number("SAMPLE_EVERY", 500).max(1);
    let count = env_number("COUNT", 10_000);
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        anyhow::bail!("no display: run under X (e.g. Xvfb :99 & DISPLAY=:99), see bench/run-all");
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let fixture = kiosk_fixture::start(&runtime, dir.path(), count);
    let ui = AppWindow::new()?;
    motcua_kiosk::app::wire(&ui, fixture.kiosk.clone());
    ui.window()
        .set_size(slint::LogicalSize::new(1080.0, 1920.0));
    let driver = Rc::new(RefCell::new(Driver {
        ui: ui.as_weak(),
        dossiers: fixture.dossiers.clone(),
        step: Step::Start,
        sessions: 0,
        total,
        warmup,
        every,
        samples: Vec::new(),
        step_started: Instant::now(),
        storage: fixture.kiosk.storage.clone(),
        keys_pressed: 0,
        keys_answered: Arc::new(AtomicUsize::new(0)),
    }));
    let timer = Timer::default();
    let ticking = driver.clone();
    timer.start(TimerMode::Repeated, Duration::from_millis(1), move || {
        ticking.borrow_mut().tick();
    });
    let started = Instant::now();
    ui.run()?;
    let seconds = started.elapsed().as_secs_f64();
    drop(timer);
    let samples = driver.borrow().samples.clone();
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        anyhow::bail!("no samples: SESSIONS must be at least WARMUP");
    };
    let rss: Vec<f64> = samples.iter().map(|s| s.rss_kib as f64 / 1024.0).collect();
    let growth = (last.rss_kib as f64 - first.rss_kib as f64) / 1024.0;
    let peak = rss.iter().copied().fold(f64::MIN, f64::max);
    let low = rss.iter().copied().fold(f64::MAX, f64::min);
    println!(
        "{total} sessions in {seconds:.0} s ({:.1} ms each); catalog {count} procedures",
        seconds * 1000.0 / total as f64
    );
    println!(
        "RSS after {} sessions {:.1} MiB, after {} {:.1} MiB: growth {growth:+.2} MiB (samples {low:.1}–{peak:.1})",
        first.session,
        first.rss_kib as f64 / 1024.0,
        last.session,
        last.rss_kib as f64 / 1024.0
    );
    println!(
        "threads {} → {}, file descriptors {} → {}",
        first.threads, last.threads, first.fds, last.fds
    );
    println!(
        "RESULT {}",
        serde_json::json!({
            "bench": "endurance", "count": count, "sessions": total, "warmup": warmup,
            "seconds": seconds, "rss_first_mib": first.rss_kib as f64 / 1024.0,
            "rss_last_mib": last.rss_kib as f64 / 1024.0, "rss_growth_mib": growth,
            "rss_min_mib": low, "rss_max_mib": peak,
            "threads_first": first.threads, "threads_last": last.threads,
            "fds_first": first.fds, "fds_last": last.fds,
            "samples": samples.iter().map(|s| serde_json::json!([s.session, s.rss_kib, s.threads, s.fds])).collect::<Vec<_>>(),
        })
    );
    runtime.block_on(fixture.server.stop());
    Ok(())
}
