//! The kiosk screen. Threads: the Slint UI thread (never does I/O), the storage worker (owns
//! SQLite and the search index), and a tokio runtime for the network. Results come back to the UI
//! with `upgrade_in_event_loop`.

mod browse;
mod detail;
mod feedback;
mod header;
mod idle;
mod keyboard;
pub mod operations;
mod printing;
mod reading;
mod staff;
pub use printing::ReceiptPrinter;
pub use reading::set_reading_aids;
pub use staff::StaffSettings;
pub mod qr;
mod results;
mod scanner;
mod search;
mod status;
mod submit;

use std::rc::Rc;
use std::time::Duration;

use anyhow::Context;
use slint::{ComponentHandle, ModelRc, VecModel};

use crate::catalog::{ProcedureSummary, SyncClient, sync_once};
use crate::config::{KioskConfig, Orientation};
use crate::input::BurstRules;
use crate::operations::Credential;
use crate::status::StatusClient;
use crate::storage::StorageHandle;

slint::include_modules!();

pub use header::format_unix;
pub use scanner::start_serial as start_serial_scanner;
pub use status::format_date;

/// What the screens need from the rest of the kiosk.
#[derive(Clone)]
pub struct Kiosk {
    pub storage: StorageHandle,
    /// Base of the central server's public pages, for QR codes phones open. Scanned status links
    /// are accepted only on this address.
    pub public_base: String,
    /// The central server's status API, authenticated as this kiosk.
    pub status_client: StatusClient,
    /// Where network work runs; the UI thread never waits on it.
    pub runtime: tokio::runtime::Handle,
    pub scanner_rules: BurstRules,
    /// Dossier codes offered on the status screen in demo mode; empty otherwise.
    pub samples: Vec<String>,
    pub submission: SubmissionSettings,
    pub staff: StaffSettings,
}

/// What the submission screens need.
#[derive(Clone, Default)]
pub struct SubmissionSettings {
    /// Where visits stage their pages (`staging/`) and the outbox keeps confirmed ones.
    pub data_dir: std::path::PathBuf,
    pub limits: crate::submission::Limits,
    pub payment: Option<crate::submission::vietqr::PaymentAccount>,
    /// The document scanner command (`scanimage …`); `None`: no scanner, phones only.
    pub scanner_command: Option<Vec<String>>,
    pub phone: Option<crate::submission::phone::PhoneClient>,
    /// Starts local references: `QUAY1-20261122-0007`.
    pub kiosk_name: String,
    /// Wakes the delivery loop when a dossier is confirmed.
    pub wake: std::sync::Arc<tokio::sync::Notify>,
    /// `None`: no printer configured, so no print button.
    pub printer: Option<printing::ReceiptPrinter>,
}

/// Connects every adapter of `ui` to the kiosk. Used by `run` and by the UI tests.
pub fn wire(ui: &AppWindow, kiosk: Kiosk) {
    let kiosk = Rc::new(kiosk);
    header::wire(ui, &kiosk);
    let search_box = search::wire(ui, &kiosk);
    keyboard::wire(ui, search_box);
    browse::wire(ui, &kiosk);
    status::wire(ui, &kiosk);
    KIOSK.with_borrow_mut(|k| *k = Some(kiosk.clone()));
    submit::wire(ui, &kiosk);
    feedback::wire(ui, &kiosk);
    staff::wire(ui, &kiosk);
    scanner::wire(ui, &kiosk);
    idle::wire(ui, kiosk.staff.running.idle.clone());
    reading::wire(ui);
    ui.global::<Pointer>()
        .set_hidden(kiosk.staff.running.hide_cursor);
    ui.global::<Nav>().on_go_home(with_window(ui, reset_visit));
    let weak = ui.as_weak();
    let nav_kiosk = kiosk.clone();
    ui.global::<Nav>().on_navigated(move |screen| {
        let Some(ui) = weak.upgrade() else { return };
        match screen {
            Screen::Search => search::refresh_popular_fields(&ui, &nav_kiosk),
            Screen::Browse => browse::refresh_fields(&ui, &nav_kiosk),
            Screen::Results => results::refresh(&ui, &nav_kiosk),
            _ => {}
        }
    });
    let default = kiosk.staff.running.default_language.code();
    DEFAULT_LANGUAGE.with(|d| d.set(default));
    select_language(ui, default);
}

thread_local! {
    // The language each visit starts in (`default_language`).
    static DEFAULT_LANGUAGE: std::cell::Cell<&'static str> = const { std::cell::Cell::new("vi") };
    // The kiosk the window is wired to, for what runs on the UI thread without it: results
    // coming back from other threads, and the end of a visit.
    static KIOSK: std::cell::RefCell<Option<Rc<Kiosk>>> = const { std::cell::RefCell::new(None) };
}

/// The kiosk [`wire`] connected the window to; UI thread only.
pub(crate) fn wired_kiosk() -> Option<Rc<Kiosk>> {
    KIOSK.with_borrow(Clone::clone)
}

/// A callback that runs `action` on the window, as long as the window exists.
pub(crate) fn with_window(ui: &AppWindow, action: fn(&AppWindow)) -> impl FnMut() + 'static {
    let weak = ui.as_weak();
    move || {
        if let Some(ui) = weak.upgrade() {
            action(&ui);
        }
    }
}

/// A callback that runs `action` on the window and the kiosk, as long as the window exists.
pub(crate) fn with_kiosk(
    ui: &AppWindow,
    kiosk: &Kiosk,
    action: fn(&AppWindow, &Kiosk),
) -> impl FnMut() + 'static {
    let (weak, kiosk) = (ui.as_weak(), kiosk.clone());
    move || {
        if let Some(ui) = weak.upgrade() {
            action(&ui, &kiosk);
        }
    }
}

/// Back to the home screen with nothing of the last visitor left on screen. The reading aids
/// stay (a visitor going home to start another task still needs them); the walk-away ends them
/// too ([`end_visit`]).
pub fn reset_visit(ui: &AppWindow) {
    search::clear(ui);
    ui.global::<BrowseAdapter>().set_selected_field("".into());
    ui.global::<BrowseAdapter>()
        .set_procedures(ModelRc::default());
    detail::clear(ui);
    status::clear(ui);
    submit::clear(ui);
    feedback::clear(ui);
    staff::clear(ui);
    ui.global::<SearchAdapter>().set_submit_mode(false);
    results::reset(ui);
    scanner::forget();
    ui.global::<KeyboardAdapter>().set_shown(false);
    ui.global::<KeyboardAdapter>().set_digits(false);
    if ui.global::<Header>().get_language() != DEFAULT_LANGUAGE.with(|d| d.get()) {
        select_language(ui, DEFAULT_LANGUAGE.with(|d| d.get()));
    }
    ui.global::<Nav>().set_screen(Screen::Home);
}

/// The visitor is gone: their data, and their reading aids.
pub fn end_visit(ui: &AppWindow) {
    reset_visit(ui);
    reading::reset(ui);
}

pub(crate) fn select_language(ui: &AppWindow, language: &str) {
    // Vietnamese strings are the bundled translation; the sources are English.
    let selected = if language == "vi" { "vi" } else { "" };
    if let Err(e) = slint::select_bundled_translation(selected) {
        tracing::error!("cannot switch the screen language to {language}: {e}");
        return;
    }
    ui.global::<Header>().set_language(language.into());
}

pub(crate) fn procedure_rows(items: Vec<ProcedureSummary>) -> Vec<ProcedureRow> {
    items
        .into_iter()
        .map(|p| ProcedureRow {
            code: p.code.into(),
            name: p.name.into(),
            field: p.field.into(),
            online: p.online.into(),
        })
        .collect()
}

pub(crate) fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

/// What `run` starts from.
pub struct Startup {
    /// The configuration to run: the local one with the accepted remote settings over it.
    pub config: KioskConfig,
    /// The local configuration alone (defaults, file, environment, command line): what a new
    /// remote configuration is checked against.
    pub local: KioskConfig,
    /// The remote configuration version in `config` (0: none).
    pub config_version: u64,
    /// Recent warnings and errors, for the heartbeat.
    pub errors: crate::operations::RecentErrors,
}

pub fn run(startup: Startup) -> anyhow::Result<()> {
    let Startup {
        config,
        local,
        config_version,
        errors,
    } = startup;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("network")
        .build()
        .context("cannot start the network runtime")?;

    let demo = config.server_url.is_none();
    let (server_url, credential, kiosk_name, samples) = match &config.server_url {
        Some(url) => {
            let mut kiosk_name = "KIOSK".to_owned();
            let credential = match Credential::load(&config.data_dir)? {
                Some(stored) if stored.server_url == url.trim_end_matches('/') => {
                    kiosk_name = stored.kiosk_name;
                    Some(stored.credential)
                }
                Some(stored) => {
                    tracing::error!(
                        "the stored credential is for {} but the kiosk is configured for {url}; \
                         enroll the kiosk with this server (motcua-kiosk enroll URL CODE)",
                        stored.server_url
                    );
                    None
                }
                None => {
                    tracing::error!(
                        "this kiosk is not enrolled with {url}: dossier lookups answer from the \
                         cache only; enroll it with `motcua-kiosk enroll {url} CODE`"
                    );
                    None
                }
            };
            (url.clone(), credential, kiosk_name, Vec::new())
        }
        None => {
            let demo =
                runtime.block_on(crate::demo::start_embedded_server(&config.data_dir, true))?;
            let url = demo.server.base_url();
            tracing::info!(%url, "demo mode: embedded central server started");
            let samples = demo.samples.clone();
            let credential = demo.credential.clone();
            // Runs for as long as the process does.
            std::mem::forget(demo.server);
            (url, Some(credential), "demo".to_owned(), samples)
        }
    };
    let public_base = config
        .public_url
        .clone()
        .unwrap_or_else(|| server_url.clone());

    // Pages of visits that never confirmed (a crash, a power cut) go before anything else runs.
    crate::submission::intake::clear_stale_staging(&config.data_dir)
        .context("cannot clear unconfirmed pages left by an earlier run")?;
    // The database is checked and opened while the window comes up: each takes a noticeable
    // part of the start (docs/BENCHMARKS.md, figure 1), and neither needs the other.
    let opening = StorageHandle::start_file(config.database_path())?;
    let ui = AppWindow::new().context("cannot create the kiosk window")?;
    let storage = opening.wait()?;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    runtime.spawn(crate::submission::delivery::run(
        crate::submission::DeliveryClient::new(&server_url, credential.clone())?,
        storage.clone(),
        wake.clone(),
        crate::submission::FullJitter::default(),
    ));
    let printer_state =
        crate::operations::SharedPrinterState::new(if config.printer.is_configured() {
            motcua_protocol::PrinterState::Unknown
        } else {
            motcua_protocol::PrinterState::None
        });
    let printer = printing::ReceiptPrinter::from_config(&config, printer_state.clone());
    let restart = operations::RestartRequest::default();
    let credential_refused = operations::CredentialRefused::default();
    match crate::operations::FleetReporter::new(
        &server_url,
        credential.clone(),
        local,
        config_version,
        errors.clone(),
        printer_state,
    ) {
        Ok(reporter) => {
            runtime.spawn(operations::heartbeat_loop(
                reporter,
                storage.clone(),
                Duration::from_secs(config.heartbeat_interval_secs),
                restart.clone(),
                credential_refused.clone(),
            ));
        }
        Err(e) => tracing::error!("no heartbeats: {e}"),
    }
    ui.global::<Header>()
        .set_center_name(config.center_name.clone().into());
    ui.global::<Header>().set_demo(demo);
    let (width, height) = match config.orientation {
        Orientation::Portrait => (1080.0, 1920.0),
        Orientation::Landscape => (1920.0, 1080.0),
    };
    ui.window().set_size(slint::LogicalSize::new(width, height));
    if config.fullscreen {
        ui.window().set_fullscreen(true);
    }
    wire(
        &ui,
        Kiosk {
            storage: storage.clone(),
            public_base,
            status_client: StatusClient::new(&server_url, credential.clone())?,
            runtime: runtime.handle().clone(),
            scanner_rules: BurstRules {
                max_gap_ms: config.scanner_max_key_gap_ms,
                ..BurstRules::default()
            },
            samples,
            submission: SubmissionSettings {
                data_dir: config.data_dir.clone(),
                limits: config.limits,
                payment: config.payment.clone(),
                scanner_command: (!config.document_scanner_command.is_empty())
                    .then(|| config.document_scanner_command.clone()),
                phone: crate::submission::phone::PhoneClient::new(&server_url, credential.clone())
                    .ok(),
                kiosk_name: kiosk_name.clone(),
                wake,
                printer,
            },
            staff: StaffSettings {
                running: config.clone(),
                server_url: server_url.clone(),
                credential,
                kiosk_name,
                config_version,
                errors: errors.clone(),
                restart: restart.clone(),
                credential_refused,
                first_lockout: None,
            },
        },
    );
    let _clock = header::start_clock(&ui);
    let _serial = match &config.scanner_device {
        Some(device) => match scanner::start_serial(&ui, device.clone()) {
            Ok(scanner) => Some(scanner),
            Err(e) => {
                tracing::error!("cannot start the serial barcode scanner reader: {e}");
                None
            }
        },
        None => None,
    };

    let client = SyncClient::new(&server_url)?;
    let weak = ui.as_weak();
    let interval = Duration::from_secs(config.sync_interval_secs);
    runtime.spawn(async move {
        loop {
            let result = sync_once(&client, &storage).await;
            if let Ok(Ok(state)) = storage.call(|s| s.catalog.sync_state()).await {
                let changed = matches!(&result, Ok(report) if report.applied.is_some());
                let weak = weak.clone();
                let _ = weak
                    .upgrade_in_event_loop(move |ui| header::show_sync_state(&ui, &state, changed));
            }
            tokio::time::sleep(interval).await;
        }
    });

    let _restart = operations::restart_when_idle(&ui, restart);
    let _watchdog = operations::start_watchdog();
    ui.run().context("the kiosk window failed")?;
    drop(runtime);
    Ok(())
}
