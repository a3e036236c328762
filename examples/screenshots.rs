//! Renders every kiosk screen to PNG with Slint's software renderer, no display needed:
//! `docs/screenshots/{portrait,landscape}/{home,search,browse,detail,keyboard,status-prompt,
//! status,status-message,results,submit-applicant,submit-documents,submit-phone,submit-review,
//! submit-receipt}.png`, against the embedded demo server (demo catalog and demo dossiers) over
//! real HTTP.
//!
//! Run: `scripts/screenshots` (or `cargo run --example screenshots -- OUT_DIR`).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use motcua_kiosk::app::{
    AnswerState, FeedbackAdapter, FeedbackField, FeedbackView, IdleAdapter, IdleState,
    StaffAdapter, StaffView, SubmissionSettings, SubmitAdapter,
};
use motcua_kiosk::app::{
    AppWindow, BrowseAdapter, Header, KeyboardAdapter, Kiosk, Nav, Screen, SearchAdapter,
    StatusAdapter, StatusView,
};
use motcua_protocol::DossierStatus;
use slint::Model;

const CARD: &str = "079190004321|272727272|Trần Thị Bích Ngọc|12051990|Nữ|12 Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh|15082021";

/// A greyscale PNG that looks like a page of a form: lines of "text" on white.
const STAFF_PIN: &str = "246810";

fn scanned_page() -> Vec<u8> {
    let (width, height) = (600u32, 840u32);
    let mut pixels = vec![255u8; (width * height) as usize];
    for line in 0..28u32 {
        let y0 = 80 + line * 26;
        let length = if line % 5 == 4 {
            260
        } else {
            470 - (line * 37 % 90)
        };
        for y in y0..y0 + 10 {
            for x in 60..60 + length {
                pixels[(y * width + x) as usize] = 60;
            }
        }
    }
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        if let Ok(mut writer) = encoder.write_header() {
            let _ = writer.write_image_data(&pixels);
        }
    }
    bytes
}
use slint::ComponentHandle;
use slint::platform::software_renderer::RepaintBufferType;

#[path = "../bench/headless.rs"]
mod headless;
use headless::Job;

struct Shooter {
    ui: AppWindow,
    kiosk: Kiosk,
    queue: Arc<Mutex<Vec<Job>>>,
}

impl Shooter {
    /// Lets the storage worker finish, then runs what it posted to the UI thread.
    fn settle(&self) {
        for _ in 0..3 {
            let _ = self.kiosk.storage.call_blocking(|_| ());
            headless::run_posted(&self.queue);
        }
        slint::platform::update_timers_and_animations();
    }

    /// Settles until `done`, for answers that come over the network.
    fn settle_until(&self, done: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        self.settle();
        while !done() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            self.settle();
        }
    }

    fn shoot(&self, path: &Path) -> anyhow::Result<()> {
        self.settle();
        let snapshot = self.ui.window().take_snapshot()?;
        let file = std::fs::File::create(path)?;
        let mut encoder = png::Encoder::new(
            std::io::BufWriter::new(file),
            snapshot.width(),
            snapshot.height(),
        );
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()?
            .write_image_data(snapshot.as_bytes())?;
        println!("wrote {}", path.display());
        Ok(())
    }

    /// What a keyboard-mode barcode scanner sends: the text as key presses, then Enter.
    fn scan(&self, text: &str) {
        use slint::platform::WindowEvent;
        let keys = text
            .chars()
            .map(String::from)
            .chain([char::from(slint::platform::Key::Return).to_string()]);
        for key in keys {
            let text: slint::SharedString = key.into();
            self.ui
                .window()
                .dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
            self.ui
                .window()
                .dispatch_event(WindowEvent::KeyReleased { text });
        }
        self.settle();
    }

    fn type_keys(&self, keys: &str) {
        for key in keys.chars() {
            self.ui
                .global::<KeyboardAdapter>()
                .invoke_key(key.to_string().into());
        }
        self.settle();
    }
}

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("docs/screenshots"));
    let (window, queue) = headless::install(RepaintBufferType::NewBuffer)?;

    let data = tempfile::tempdir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let demo = runtime.block_on(motcua_kiosk::demo::start_embedded_server(
        data.path(),
        false,
    ))?;
    let base = demo.server.base_url();
    let storage = motcua_kiosk::storage::StorageHandle::open_file(data.path().join("kiosk.db"))?;
    let sync = motcua_kiosk::catalog::SyncClient::new(&base)?;
    runtime.block_on(motcua_kiosk::catalog::sync_once(&sync, &storage))?;
    let dossiers = motcua_central::open_dossiers(&motcua_central::CentralConfig {
        data_dir: data.path().join("demo-central"),
        ..Default::default()
    })?;
    let showcase = motcua_central::status::demo::seeded_showcase(&dossiers)?;
    drop(dossiers);
    // Scanned, so the phone QR shows: the receipt's status link of the dossier awaiting papers.
    let supplement = showcase
        .iter()
        .find(|d| d.status == DossierStatus::SupplementRequested)
        .map(|d| motcua_protocol::status_url(&base, &d.token))
        .ok_or_else(|| anyhow::anyhow!("no demo dossier awaits papers"))?;
    // The document scanner's page: a picture of a form, as `scanimage` would write it.
    let page = data.path().join("scanned-page.png");
    std::fs::write(&page, scanned_page())?;
    // Staff mode: a PIN, and a warning in the recent log.
    motcua_kiosk::operations::staff_pin::set_pin(data.path(), STAFF_PIN)?;
    let staff_errors = motcua_kiosk::operations::RecentErrors::default();
    staff_errors.record("WARN: printer offline: connection refused (127.0.0.1:9100)");
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    runtime.spawn(motcua_kiosk::submission::delivery::run(
        motcua_kiosk::submission::DeliveryClient::new(&base, Some(demo.credential.clone()))?,
        storage.clone(),
        wake.clone(),
        motcua_kiosk::submission::FullJitter::default(),
    ));
    let kiosk = Kiosk {
        storage,
        public_base: base.clone(),
        status_client: motcua_kiosk::status::StatusClient::new(
            &base,
            Some(demo.credential.clone()),
        )?,
        runtime: runtime.handle().clone(),
        scanner_rules: Default::default(),
        samples: demo.samples.clone(),
        submission: SubmissionSettings {
            data_dir: data.path().to_owned(),
            scanner_command: Some(vec!["cat".to_owned(), page.display().to_string()]),
            phone: motcua_kiosk::submission::phone::PhoneClient::new(
                &base,
                Some(demo.credential.clone()),
            )
            .ok(),
            kiosk_name: "quay-1".into(),
            wake: wake.clone(),
            payment: Some(motcua_kiosk::submission::vietqr::PaymentAccount {
                bank_bin: "970415".into(),
                account: "113366668888".into(),
                account_name: "TRUNG TAM PHUC VU HCC TINH QUANG TRI".into(),
            }),
            // Shows the print button; nothing is printed while taking pictures.
            printer: Some(motcua_kiosk::app::ReceiptPrinter::new(
                motcua_kiosk::submission::receipt::PrinterConfig {
                    kind: motcua_kiosk::submission::receipt::PrinterKind::Network,
                    address: Some("127.0.0.1:9100".into()),
                    ..Default::default()
                },
            )),
            ..Default::default()
        },
        staff: motcua_kiosk::app::StaffSettings {
            running: motcua_kiosk::config::KioskConfig {
                data_dir: data.path().to_owned(),
                server_url: Some(base.clone()),
                center_name: "Trung tâm Phục vụ Hành chính công tỉnh Quảng Trị".into(),
                ..Default::default()
            },
            server_url: base.clone(),
            credential: Some(demo.credential.clone()),
            kiosk_name: "quay-1".into(),
            config_version: 3,
            errors: staff_errors,
            ..Default::default()
        },
    };
    let ui = AppWindow::new()?;
    ui.global::<Header>()
        .set_center_name("Trung tâm Phục vụ Hành chính công tỉnh Quảng Trị".into());
    ui.global::<Header>().set_demo(true);
    ui.global::<Header>().set_clock("09:30".into());
    ui.global::<Header>().set_online(true);
    ui.global::<Header>().set_synced_once(true);
    motcua_kiosk::app::wire(&ui, kiosk.clone());
    ui.show()?;
    let shooter = Shooter { ui, kiosk, queue };
    let _keep = RefCell::new(data);

    // Each screen as it normally is, then with "Chữ lớn", then with "Tương phản cao".
    for (aids, large_text, high_contrast) in [
        ("", false, false),
        ("large-text", true, false),
        ("high-contrast", false, true),
    ] {
        for (orientation, width, height) in
            [("portrait", 1080u32, 1920u32), ("landscape", 1920, 1080)]
        {
            let dir = match aids {
                "" => out.join(orientation),
                aids => out.join(aids).join(orientation),
            };
            let reset = |ui: &AppWindow| {
                motcua_kiosk::app::reset_visit(ui);
                motcua_kiosk::app::set_reading_aids(ui, large_text, high_contrast);
            };
            std::fs::create_dir_all(&dir)?;
            window.set_size(slint::PhysicalSize::new(width, height));
            let ui = &shooter.ui;
            reset(ui);
            shooter.shoot(&dir.join("home.png"))?;

            ui.global::<Nav>().invoke_show(Screen::Search);
            ui.global::<KeyboardAdapter>().set_shown(true);
            shooter.type_keys("ddawng kys k");
            shooter.shoot(&dir.join("keyboard.png"))?;

            ui.global::<KeyboardAdapter>().invoke_clear();
            shooter.type_keys("khai sinh");
            ui.global::<KeyboardAdapter>().set_shown(false);
            shooter.shoot(&dir.join("search.png"))?;

            reset(ui);
            ui.global::<Nav>().invoke_show(Screen::Browse);
            shooter.settle();
            if width > height {
                ui.global::<BrowseAdapter>()
                    .invoke_open_field("Hộ tịch".into());
                shooter.settle();
                ui.global::<Nav>().set_screen(Screen::Browse);
            }
            shooter.shoot(&dir.join("browse.png"))?;

            ui.global::<SearchAdapter>().invoke_open("1.001193".into());
            shooter.settle();
            shooter.shoot(&dir.join("detail.png"))?;

            reset(ui);
            ui.global::<StatusAdapter>().invoke_try_again();
            ui.global::<Nav>().invoke_show(Screen::Status);
            shooter.type_keys("G09.20-");
            shooter.shoot(&dir.join("status-prompt.png"))?;

            shooter.scan(&supplement);
            shooter.settle_until(|| ui.global::<StatusAdapter>().get_view() != StatusView::Loading);
            shooter.shoot(&dir.join("status.png"))?;

            ui.global::<StatusAdapter>().invoke_try_again();
            shooter.scan("https://zalo.me/g/abcdef");
            shooter.shoot(&dir.join("status-message.png"))?;

            reset(ui);
            ui.global::<Nav>().invoke_show(Screen::Results);
            shooter.settle_until(|| {
                ui.global::<motcua_kiosk::app::ResultsAdapter>()
                    .get_loaded()
            });
            shooter.shoot(&dir.join("results.png"))?;

            // Submitting: birth registration, the form filled from an ID card's QR code.
            reset(ui);
            ui.global::<SubmitAdapter>().invoke_start("1.001193".into());
            shooter.settle_until(|| ui.global::<Nav>().get_screen() == Screen::Submit);
            shooter.scan(CARD);
            ui.global::<SubmitAdapter>().invoke_next();
            shooter.shoot(&dir.join("submit-applicant.png"))?;
            // The visitor walked away from the unsent form.
            let idle = ui.global::<IdleAdapter>();
            idle.set_seconds_left(12);
            idle.set_unsent_work(true);
            idle.set_state(IdleState::Prompt);
            shooter.shoot(&dir.join("idle-prompt.png"))?;
            idle.set_state(IdleState::Active);
            ui.global::<SubmitAdapter>()
                .invoke_edited(3, "0987654321".into());
            ui.global::<SubmitAdapter>().invoke_next();
            for document in [0, 1] {
                ui.global::<SubmitAdapter>().invoke_scan(document);
                shooter.settle_until(|| {
                    ui.global::<SubmitAdapter>()
                        .get_documents()
                        .row_data(document as usize)
                        .is_some_and(|d| d.pages.row_count() > 0)
                });
            }
            shooter.shoot(&dir.join("submit-documents.png"))?;
            ui.global::<SubmitAdapter>().invoke_phone(2);
            shooter.settle_until(|| ui.global::<SubmitAdapter>().get_phone_document() == 2);
            shooter.shoot(&dir.join("submit-phone.png"))?;
            ui.global::<SubmitAdapter>().invoke_stop_phone();
            ui.global::<SubmitAdapter>().invoke_next();
            shooter.shoot(&dir.join("submit-review.png"))?;
            ui.global::<SubmitAdapter>().invoke_confirm();
            shooter.settle_until(|| ui.global::<SubmitAdapter>().get_delivered());
            shooter.shoot(&dir.join("submit-receipt.png"))?;

            ui.global::<Header>().invoke_open_staff();
            shooter.settle();
            let staff = ui.global::<StaffAdapter>();
            for digit in ["2", "4", "6"] {
                staff.invoke_digit(digit.into());
            }
            shooter.shoot(&dir.join("staff-pin.png"))?;
            for digit in ["8", "1", "0"] {
                staff.invoke_digit(digit.into());
            }
            staff.invoke_submit_pin();
            shooter.settle_until(|| ui.global::<StaffAdapter>().get_view() == StaffView::Menu);
            shooter.shoot(&dir.join("staff.png"))?;
            staff.invoke_leave();
            shooter.settle();

            // Rating and feedback: the choice, a rating being written, the feedback form, its
            // reference, and reading the answer back.
            reset(ui);
            ui.global::<Nav>().invoke_show(Screen::Feedback);
            shooter.shoot(&dir.join("feedback-choose.png"))?;
            let feedback = ui.global::<FeedbackAdapter>();
            feedback.invoke_choose(FeedbackView::Rating);
            shooter.settle();
            feedback.invoke_pick_face(0);
            feedback.invoke_focus(FeedbackField::Comment);
            shooter.type_keys("nhaan vieen raast nhieetj tinhf");
            shooter.shoot(&dir.join("feedback-rating.png"))?;
            feedback.invoke_back();
            feedback.invoke_choose(FeedbackView::Form);
            feedback.invoke_pick_topic(1);
            shooter.type_keys("chowf laau quas");
            feedback.invoke_focus(FeedbackField::Phone);
            shooter.type_keys("0912345678");
            shooter.shoot(&dir.join("feedback-form.png"))?;
            feedback.invoke_send_feedback();
            shooter
                .settle_until(|| ui.global::<FeedbackAdapter>().get_view() == FeedbackView::Sent);
            shooter.shoot(&dir.join("feedback-sent.png"))?;
            let reference = feedback.get_reference().to_string();
            reset(ui);
            ui.global::<Nav>().invoke_show(Screen::Feedback);
            feedback.invoke_choose(FeedbackView::Lookup);
            shooter.type_keys(&reference.replace(['P', 'A', '-'], ""));
            feedback.invoke_look_up();
            shooter.settle_until(|| {
                ui.global::<FeedbackAdapter>().get_answer_state() != AnswerState::Loading
            });
            shooter.shoot(&dir.join("feedback-answer.png"))?;

            reset(ui);
            idle.set_state(IdleState::Attract);
            shooter.shoot(&dir.join("attract.png"))?;
            idle.set_state(IdleState::Active);
        }
    }
    runtime.block_on(demo.server.stop());
    Ok(())
}
