//! Staff mode: a long press on the emblem, the staff PIN (Argon2id hash, lockout after five wrong
//! tries), then the kiosk's state, the actions staff need (update the catalog, send waiting
//! dossiers, print a test page, restart), the settings they may change, and recent errors.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use super::operations::{CredentialRefused, RestartRequest};
use super::{AppWindow, Header, KeyboardAdapter, Kiosk, Nav, Screen};
use super::{PinProblem, StaffAdapter, StaffField, StaffNotice, StaffView};
use crate::config::{KioskConfig, Language, Orientation};
use crate::operations::RecentErrors;
use crate::operations::staff_pin::{self, Attempt, PinError, PinGuard};

/// What staff mode needs beyond the rest of the kiosk.
#[derive(Clone, Default)]
pub struct StaffSettings {
    /// The configuration the kiosk runs; staff changes are checked against it.
    pub running: KioskConfig,
    /// The central server and this kiosk's credential, for "send now" and the fleet link.
    pub server_url: String,
    pub credential: Option<String>,
    pub kiosk_name: String,
    pub config_version: u64,
    pub errors: RecentErrors,
    pub restart: RestartRequest,
    /// Whether the central server refuses this kiosk's credential (from the heartbeats).
    pub credential_refused: CredentialRefused,
    /// The first lockout after five wrong PINs; `None`: the standard 30 seconds.
    pub first_lockout: Option<Duration>,
}

/// The settings form while staff edit it.
#[derive(Default)]
struct Draft {
    center_name: String,
    server_url: String,
    landscape: bool,
    english_default: bool,
    printer_address: String,
    scanner_device: String,
    idle_timeout: String,
    enrollment_code: String,
    /// Saved, or enrolled: the kiosk restarts with the new settings when staff leave.
    saved: bool,
}

thread_local! {
    static PIN: RefCell<String> = const { RefCell::new(String::new()) };
    static GUARD: RefCell<Option<PinGuard>> = const { RefCell::new(None) };
    static DRAFT: RefCell<Draft> = RefCell::new(Draft::default());
}

const QR_SCALE: u32 = 5;
const MAX_PIN_DIGITS: usize = 12;

pub fn wire(ui: &AppWindow, kiosk: &Kiosk) {
    let guard = match kiosk.staff.first_lockout {
        Some(first) => PinGuard::with_first_lockout(first),
        None => PinGuard::default(),
    };
    GUARD.with_borrow_mut(|g| *g = Some(guard));
    let adapter = ui.global::<StaffAdapter>();

    let weak = ui.as_weak();
    ui.global::<Header>().on_open_staff(move || {
        let Some(ui) = weak.upgrade() else { return };
        super::reset_visit(&ui);
        clear_pin(&ui);
        ui.global::<StaffAdapter>().set_view(StaffView::Pin);
        ui.global::<Nav>().set_screen(Screen::Staff);
        tracing::info!("staff mode asked for (long press)");
    });

    let weak = ui.as_weak();
    adapter.on_digit(move |digit| {
        let Some(ui) = weak.upgrade() else { return };
        let length = PIN.with_borrow_mut(|pin| {
            if pin.len() < MAX_PIN_DIGITS && digit.chars().all(|c| c.is_ascii_digit()) {
                pin.push_str(&digit);
            }
            pin.len()
        });
        show_pin_length(&ui, length);
    });
    let weak = ui.as_weak();
    adapter.on_erase(move || {
        let Some(ui) = weak.upgrade() else { return };
        let length = PIN.with_borrow_mut(|pin| {
            pin.pop();
            pin.len()
        });
        show_pin_length(&ui, length);
    });
    adapter.on_submit_pin(super::with_kiosk(ui, kiosk, submit_pin));
    adapter.on_sync_now(super::with_kiosk(ui, kiosk, sync_now));
    adapter.on_deliver_now(super::with_kiosk(ui, kiosk, deliver_now));
    adapter.on_print_test(super::with_kiosk(ui, kiosk, print_test));
    let weak = ui.as_weak();
    adapter.on_edit(move |field| {
        let Some(ui) = weak.upgrade() else { return };
        ui.global::<StaffAdapter>().set_editing(field);
        ui.global::<KeyboardAdapter>().set_digits(false);
    });
    let weak = ui.as_weak();
    adapter.on_toggle_orientation(move || {
        let Some(ui) = weak.upgrade() else { return };
        DRAFT.with_borrow_mut(|d| d.landscape = !d.landscape);
        show_draft(&ui);
    });
    let weak = ui.as_weak();
    adapter.on_toggle_language(move || {
        let Some(ui) = weak.upgrade() else { return };
        DRAFT.with_borrow_mut(|d| d.english_default = !d.english_default);
        show_draft(&ui);
    });
    adapter.on_save_settings(super::with_kiosk(ui, kiosk, save_settings));
    adapter.on_enroll(super::with_kiosk(ui, kiosk, enroll));
    let weak = ui.as_weak();
    adapter.on_restart_app(move || {
        let Some(ui) = weak.upgrade() else { return };
        notice(&ui, StaffNotice::Restarting, "");
        super::operations::restart_now();
    });
    adapter.on_reboot(super::with_kiosk(ui, kiosk, reboot));
    let weak = ui.as_weak();
    let restart = kiosk.staff.restart.clone();
    adapter.on_leave(move || {
        let Some(ui) = weak.upgrade() else { return };
        if DRAFT.with_borrow(|d| d.saved) {
            restart.request();
        }
        tracing::info!("staff mode left");
        super::reset_visit(&ui);
    });
}

/// Forgets the PIN typed and closes staff mode's screens (with every visit's reset).
pub fn clear(ui: &AppWindow) {
    clear_pin(ui);
    let adapter = ui.global::<StaffAdapter>();
    adapter.set_view(StaffView::Pin);
    adapter.set_editing(StaffField::None);
    adapter.set_notice(StaffNotice::None);
    adapter.set_settings_problem(SharedString::new());
    adapter.set_log_lines(ModelRc::default());
}

fn clear_pin(ui: &AppWindow) {
    PIN.with_borrow_mut(|pin| {
        // Overwritten, not only dropped.
        pin.replace_range(.., &"0".repeat(pin.len()));
        pin.clear();
    });
    let adapter = ui.global::<StaffAdapter>();
    adapter.set_pin_length(0);
    adapter.set_problem(PinProblem::None);
}

fn show_pin_length(ui: &AppWindow, length: usize) {
    let adapter = ui.global::<StaffAdapter>();
    adapter.set_pin_length(length as i32);
    if adapter.get_problem() == PinProblem::Wrong {
        adapter.set_problem(PinProblem::None);
    }
}

fn show_attempt(ui: &AppWindow, attempt: Attempt) {
    let adapter = ui.global::<StaffAdapter>();
    match attempt {
        Attempt::Opened => {}
        Attempt::Wrong { left } => {
            adapter.set_tries_left(left as i32);
            adapter.set_problem(PinProblem::Wrong);
        }
        Attempt::Locked { for_secs } => {
            adapter.set_locked_secs(for_secs.min(i32::MAX as u64) as i32);
            adapter.set_problem(PinProblem::Locked);
        }
    }
}

fn submit_pin(ui: &AppWindow, kiosk: &Kiosk) {
    let pin = PIN.with_borrow_mut(std::mem::take);
    ui.global::<StaffAdapter>().set_pin_length(0);
    if let Some(Err(attempt)) = GUARD.with_borrow(|g| g.as_ref().map(|g| g.admit(Instant::now()))) {
        show_attempt(ui, attempt);
        return;
    }
    let hash = match staff_pin::load_hash(&kiosk.staff.running.data_dir) {
        Ok(hash) => hash,
        Err(PinError::NotSet) => {
            ui.global::<StaffAdapter>().set_problem(PinProblem::NotSet);
            return;
        }
        Err(e) => {
            tracing::error!("{e}");
            ui.global::<StaffAdapter>().set_problem(PinProblem::NotSet);
            return;
        }
    };
    ui.global::<StaffAdapter>()
        .set_problem(PinProblem::Checking);
    let weak = ui.as_weak();
    let kiosk2 = kiosk.clone();
    // Argon2 takes a noticeable moment: off the UI thread.
    kiosk.runtime.spawn_blocking(move || {
        let correct = staff_pin::verify(&hash, &pin);
        drop(pin);
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let attempt = GUARD.with_borrow_mut(|g| {
                g.get_or_insert_with(PinGuard::default)
                    .record(correct, Instant::now())
            });
            ui.global::<StaffAdapter>().set_problem(PinProblem::None);
            if attempt == Attempt::Opened {
                open_menu(&ui, &kiosk2);
            } else {
                show_attempt(&ui, attempt);
            }
        });
    });
}

fn open_menu(ui: &AppWindow, kiosk: &Kiosk) {
    let adapter = ui.global::<StaffAdapter>();
    let staff = &kiosk.staff;
    let running = &staff.running;
    DRAFT.with_borrow_mut(|d| {
        *d = Draft {
            center_name: running.center_name.clone(),
            server_url: running.server_url.clone().unwrap_or_default(),
            landscape: running.orientation == Orientation::Landscape,
            english_default: running.default_language == Language::En,
            printer_address: running.printer.address.clone().unwrap_or_default(),
            scanner_device: running
                .scanner_device
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            idle_timeout: running.idle.timeout_secs.to_string(),
            enrollment_code: String::new(),
            saved: false,
        }
    });
    show_draft(ui);
    adapter.set_kiosk_name(staff.kiosk_name.as_str().into());
    adapter.set_version(env!("CARGO_PKG_VERSION").into());
    adapter.set_server(staff.server_url.as_str().into());
    adapter.set_config_version(staff.config_version.min(i32::MAX as u64) as i32);
    let fleet_url = format!(
        "{}/fleet/kiosks/{}",
        kiosk.public_base.trim_end_matches('/'),
        staff.kiosk_name
    );
    adapter.set_fleet_qr(
        super::qr::qr_pixels(&fleet_url, QR_SCALE)
            .map(Image::from_rgb8)
            .unwrap_or_default(),
    );
    adapter.set_notice(StaffNotice::None);
    adapter.set_settings_problem(SharedString::new());
    adapter.set_editing(StaffField::None);
    adapter.set_view(StaffView::Menu);
    refresh(ui, kiosk);
}

/// Reachability, last sync, outbox and recent errors, as they are now.
fn refresh(ui: &AppWindow, kiosk: &Kiosk) {
    let header = ui.global::<Header>();
    let adapter = ui.global::<StaffAdapter>();
    adapter.set_reachable(header.get_online());
    adapter.set_credential_refused(kiosk.staff.credential_refused.get());
    adapter.set_last_sync(header.get_last_sync());
    let lines: Vec<SharedString> = kiosk
        .staff
        .errors
        .snapshot()
        .into_iter()
        .map(SharedString::from)
        .collect();
    adapter.set_log_lines(ModelRc::new(VecModel::from(lines)));
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let waiting = s.outbox.depth().map(|(n, _)| n).unwrap_or(0);
        let last_error = s
            .outbox
            .entries()
            .ok()
            .and_then(|entries| {
                entries
                    .into_iter()
                    .filter(|e| e.delivered_at.is_none())
                    .find_map(|e| e.last_error)
            })
            .unwrap_or_default();
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let adapter = ui.global::<StaffAdapter>();
            adapter.set_outbox_waiting(waiting.min(i32::MAX as u64) as i32);
            adapter.set_outbox_error(last_error.into());
        });
    });
}

fn notice(ui: &AppWindow, notice: StaffNotice, detail: &str) {
    let adapter = ui.global::<StaffAdapter>();
    adapter.set_notice(notice);
    adapter.set_notice_detail(detail.into());
}

fn sync_now(ui: &AppWindow, kiosk: &Kiosk) {
    notice(ui, StaffNotice::Syncing, "");
    let kiosk2 = kiosk.clone();
    let storage = kiosk.storage.clone();
    let server = kiosk.staff.server_url.clone();
    let weak = ui.as_weak();
    kiosk.runtime.spawn(async move {
        let outcome = match crate::catalog::SyncClient::new(&server) {
            Ok(client) => crate::catalog::sync_once(&client, &storage)
                .await
                .map(|report| format!("{} procedures", report.procedures))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let state = storage.call(|s| s.catalog.sync_state()).await;
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if let Ok(Ok(state)) = state {
                super::header::show_sync_state(&ui, &state, outcome.is_ok());
            }
            match outcome {
                Ok(detail) => notice(&ui, StaffNotice::Synced, &detail),
                Err(reason) => notice(&ui, StaffNotice::SyncFailed, &reason),
            }
            refresh(&ui, &kiosk2);
        });
    });
}

fn deliver_now(ui: &AppWindow, kiosk: &Kiosk) {
    notice(ui, StaffNotice::Delivering, "");
    let kiosk2 = kiosk.clone();
    let storage = kiosk.storage.clone();
    let client = crate::submission::DeliveryClient::new(
        &kiosk.staff.server_url,
        kiosk.staff.credential.clone(),
    );
    let weak = ui.as_weak();
    kiosk.runtime.spawn(async move {
        let report = match client {
            Ok(client) => crate::submission::drain(&client, &storage).await,
            Err(e) => crate::submission::delivery::DrainReport {
                waiting: 1,
                last_error: Some(e.to_string()),
                ..Default::default()
            },
        };
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if report.waiting == 0 && report.refused.is_empty() {
                notice(&ui, StaffNotice::Delivered, "");
            } else {
                let detail = format!(
                    "{} — {}",
                    report.waiting + report.refused.len(),
                    report.last_error.unwrap_or_default()
                );
                notice(&ui, StaffNotice::DeliveryWaiting, &detail);
            }
            refresh(&ui, &kiosk2);
        });
    });
}

fn print_test(ui: &AppWindow, kiosk: &Kiosk) {
    notice(ui, StaffNotice::Printing, "");
    let printer = kiosk.staff.running.printer.clone();
    let center = kiosk.staff.running.center_name.clone();
    let weak = ui.as_weak();
    kiosk.runtime.spawn_blocking(move || {
        let outcome = crate::submission::receipt::print_test_page(&printer, &center);
        let _ = weak.upgrade_in_event_loop(move |ui| match outcome {
            Ok(()) => notice(&ui, StaffNotice::Printed, ""),
            Err(e) => notice(&ui, StaffNotice::PrintFailed, &e.to_string()),
        });
    });
}

fn show_draft(ui: &AppWindow) {
    let adapter = ui.global::<StaffAdapter>();
    DRAFT.with_borrow(|d| {
        adapter.set_center_name(d.center_name.as_str().into());
        adapter.set_server_url(d.server_url.as_str().into());
        adapter.set_landscape(d.landscape);
        adapter.set_english_default(d.english_default);
        adapter.set_printer_address(d.printer_address.as_str().into());
        adapter.set_scanner_device(d.scanner_device.as_str().into());
        adapter.set_idle_timeout(d.idle_timeout.as_str().into());
        adapter.set_enrollment_code(d.enrollment_code.as_str().into());
    });
}

fn with_edited(ui: &AppWindow, edit: impl FnOnce(&mut String)) {
    let field = ui.global::<StaffAdapter>().get_editing();
    DRAFT.with_borrow_mut(|d| {
        let target = match field {
            StaffField::CenterName => &mut d.center_name,
            StaffField::ServerUrl => &mut d.server_url,
            StaffField::PrinterAddress => &mut d.printer_address,
            StaffField::ScannerDevice => &mut d.scanner_device,
            StaffField::IdleTimeout => &mut d.idle_timeout,
            StaffField::EnrollmentCode => &mut d.enrollment_code,
            StaffField::None => return,
        };
        edit(target);
    });
    show_draft(ui);
}

/// In staff mode a scan is a scanner test: it stays on the staff screen.
pub fn takes_scan(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Staff
}

/// Shows what the scanner read (on the PIN pad, nothing happens).
pub fn show_scan(ui: &AppWindow, text: &str) {
    if ui.global::<StaffAdapter>().get_view() != StaffView::Menu {
        return;
    }
    let shown: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
    notice(ui, StaffNotice::Scanned, &shown);
}

/// The on-screen keyboard types into the setting being edited, as typed (no Telex).
pub fn type_key(ui: &AppWindow, key: &str) {
    with_edited(ui, |value| {
        if value.chars().count() < 200 {
            value.push_str(key);
        }
    });
}

pub fn backspace(ui: &AppWindow) {
    with_edited(ui, |value| {
        value.pop();
    });
}

pub fn clear_field(ui: &AppWindow) {
    with_edited(ui, String::clear);
}

/// The form as TOML changes: only what differs from what the kiosk runs.
fn changes(draft: &Draft, running: &KioskConfig) -> Result<String, String> {
    let mut table = toml::Table::new();
    let text = |s: &str| toml::Value::String(s.trim().to_owned());
    if draft.center_name.trim() != running.center_name {
        table.insert("center_name".into(), text(&draft.center_name));
    }
    if Some(draft.server_url.trim()) != running.server_url.as_deref() {
        table.insert("server_url".into(), text(&draft.server_url));
    }
    let orientation = if draft.landscape {
        "landscape"
    } else {
        "portrait"
    };
    if (running.orientation == Orientation::Landscape) != draft.landscape {
        table.insert(
            "orientation".into(),
            toml::Value::String(orientation.into()),
        );
    }
    let language = if draft.english_default {
        Language::En
    } else {
        Language::Vi
    };
    if language != running.default_language {
        table.insert(
            "default_language".into(),
            toml::Value::String(language.code().into()),
        );
    }
    if Some(draft.printer_address.trim()) != running.printer.address.as_deref()
        && !draft.printer_address.trim().is_empty()
    {
        let mut printer = toml::Table::new();
        printer.insert("kind".into(), toml::Value::String("network".into()));
        printer.insert("address".into(), text(&draft.printer_address));
        table.insert("printer".into(), toml::Value::Table(printer));
    }
    let device = running
        .scanner_device
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    if draft.scanner_device.trim() != device {
        table.insert("scanner_device".into(), text(&draft.scanner_device));
    }
    if draft.idle_timeout.trim() != running.idle.timeout_secs.to_string() {
        let seconds: i64 = draft
            .idle_timeout
            .trim()
            .parse()
            .map_err(|_| "idle.timeout_secs: must be a whole number of seconds".to_owned())?;
        let mut idle = toml::Table::new();
        idle.insert("timeout_secs".into(), toml::Value::Integer(seconds));
        table.insert("idle".into(), toml::Value::Table(idle));
    }
    toml::to_string(&table).map_err(|e| e.to_string())
}

fn save_settings(ui: &AppWindow, kiosk: &Kiosk) {
    let adapter = ui.global::<StaffAdapter>();
    adapter.set_editing(StaffField::None);
    let saved = DRAFT
        .with_borrow(|d| changes(d, &kiosk.staff.running))
        .and_then(|changes| {
            crate::operations::staff_settings::save(&kiosk.staff.running, &changes)
        });
    match saved {
        Ok(_) => {
            DRAFT.with_borrow_mut(|d| d.saved = true);
            adapter.set_settings_problem(SharedString::new());
            notice(ui, StaffNotice::Saved, "");
        }
        Err(reason) => {
            tracing::warn!("settings refused on the staff screen: {reason}");
            adapter.set_settings_problem(reason.as_str().into());
            notice(ui, StaffNotice::SaveFailed, &reason);
        }
    }
}

/// Exchanges the one-time code for a credential with the server address in the form, which is
/// saved as a setting too when it differs (a kiosk moved to another server).
fn enroll(ui: &AppWindow, kiosk: &Kiosk) {
    ui.global::<StaffAdapter>().set_editing(StaffField::None);
    let (server, code) = DRAFT.with_borrow(|d| {
        (
            d.server_url.trim().to_owned(),
            d.enrollment_code.trim().to_owned(),
        )
    });
    if let Err(reason) = crate::config::check_server_url(&server) {
        notice(
            ui,
            StaffNotice::EnrollFailed,
            &format!("server_url: {reason}"),
        );
        return;
    }
    if code.is_empty() {
        notice(ui, StaffNotice::EnrollFailed, "no enrollment code");
        return;
    }
    notice(ui, StaffNotice::Enrolling, "");
    let running = kiosk.staff.running.clone();
    let weak = ui.as_weak();
    kiosk.runtime.spawn(async move {
        let outcome = match crate::operations::enroll(&server, &code).await {
            Ok(credential) => {
                let saved = credential
                    .save(&running.data_dir)
                    .map_err(|e| e.to_string())
                    .and_then(|()| {
                        if running.server_url.as_deref() == Some(server.as_str()) {
                            Ok(())
                        } else {
                            let changes = format!("server_url = {:?}\n", server);
                            crate::operations::staff_settings::save(&running, &changes).map(|_| ())
                        }
                    });
                saved.map(|()| credential.kiosk_name)
            }
            Err(e) => Err(e.to_string()),
        };
        let _ = weak.upgrade_in_event_loop(move |ui| match outcome {
            Ok(name) => {
                tracing::info!(kiosk = %name, "kiosk enrolled from the staff screen");
                DRAFT.with_borrow_mut(|d| {
                    d.enrollment_code.clear();
                    d.saved = true;
                });
                show_draft(&ui);
                notice(&ui, StaffNotice::Enrolled, &name);
            }
            Err(reason) => {
                tracing::warn!("enrollment from the staff screen failed: {reason}");
                notice(&ui, StaffNotice::EnrollFailed, &reason);
            }
        });
    });
}

fn reboot(ui: &AppWindow, kiosk: &Kiosk) {
    tracing::warn!("staff asked to restart the computer");
    let weak = ui.as_weak();
    kiosk.runtime.spawn_blocking(move || {
        // Through logind; the package's polkit rule lets the kiosk's user do it (docs/deploy.md).
        let outcome = std::process::Command::new("systemctl")
            .arg("reboot")
            .output()
            .map_err(|e| e.to_string())
            .and_then(|out| {
                if out.status.success() {
                    Ok(())
                } else {
                    Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
                }
            });
        if let Err(reason) = outcome {
            let _ = weak.upgrade_in_event_loop(move |ui| {
                notice(&ui, StaffNotice::RebootFailed, &reason);
            });
        }
    });
}
