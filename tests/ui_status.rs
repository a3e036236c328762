//! The dossier status screen driven through Slint's testing backend, against the real central
//! server over real HTTP: barcode scanners in keyboard mode (key bursts from any screen, told
//! apart from people typing), a serial scanner through a pty pair, typing the code on the
//! on-screen keyboard, hostile QR payloads, and the offline fallback. The testing backend allows
//! one event loop per process, so this file holds a single test that walks through the scenarios.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use motcua_central::{DEMO_CATALOG, RunningServer};
use motcua_kiosk::app::{
    AppWindow, Kiosk, Nav, Screen, SearchAdapter, StatusAdapter, StatusMessage, StatusView,
};
use motcua_protocol::{DossierCode, DossierRegistration, ProcedureCode};
use slint::platform::{Key, WindowEvent};
use slint::{ComponentHandle, Model};

const CODE: &str = "G09.20-20261120-0001234";

struct Harness {
    ui: AppWindow,
    kiosk: Kiosk,
    db_path: std::path::PathBuf,
}

impl Harness {
    fn pump(&self) {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(16));
        self.kiosk.storage.call_blocking(|_| ()).expect("storage");
        slint::quit_event_loop().expect("quit");
        slint::run_event_loop().expect("event loop");
    }

    /// Runs the event loop until network lookups have answered (or 10 s have passed).
    fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump();
            let loading = self.ui.global::<StatusAdapter>().get_view() == StatusView::Loading;
            if !loading || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.pump();
    }

    fn tap(&self, label: &str) {
        let element = ElementHandle::find_by_accessible_label(&self.ui, label)
            .next()
            .unwrap_or_else(|| panic!("nothing labelled {label:?} on {:?}", self.screen()));
        element.invoke_accessible_default_action();
        self.settle();
    }

    fn screen(&self) -> Screen {
        self.ui.global::<Nav>().get_screen()
    }

    fn key(&self, text: &str) {
        self.ui
            .window()
            .dispatch_event(WindowEvent::KeyPressed { text: text.into() });
        self.ui
            .window()
            .dispatch_event(WindowEvent::KeyReleased { text: text.into() });
    }

    /// Types `text` then Enter on a physical keyboard, `gap_ms` between keys (mock time).
    fn type_keys(&self, text: &str, gap_ms: u64) {
        for c in text.chars() {
            self.key(&c.to_string());
            i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(gap_ms));
        }
        self.key(&char::from(Key::Return).to_string());
        self.settle();
    }

    fn status(&self) -> StatusAdapter<'_> {
        self.ui.global::<StatusAdapter>()
    }

    fn go_home(&self) {
        self.ui.global::<Nav>().invoke_go_home();
        self.settle();
        assert_eq!(self.screen(), Screen::Home);
    }

    fn cached_dossiers(&self) -> usize {
        let conn = rusqlite::Connection::open(&self.db_path).unwrap();
        conn.query_row("SELECT count(*) FROM dossier_status_cache", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as usize
    }
}

#[test]
fn visitor_checks_a_dossier() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let config = common::central_config(server_dir.path());
    let server: RunningServer =
        runtime.block_on(common::spawn_central(server_dir.path(), DEMO_CATALOG));
    let base = server.base_url();
    let mut dossiers = motcua_central::open_dossiers(&config).unwrap();
    dossiers
        .register(
            &DossierCode::parse(CODE).unwrap(),
            &DossierRegistration {
                procedure_code: ProcedureCode::parse("1.001193").unwrap(),
                received_on: time::macros::date!(2026 - 11 - 20),
                due_on: time::macros::date!(2026 - 11 - 25),
                status: None,
            },
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-1").unwrap();
    let db_path = kiosk_dir.path().join("kiosk.db");
    let kiosk = Kiosk {
        storage: common::open_kiosk_storage(&db_path),
        public_base: base.clone(),
        status_client: motcua_kiosk::status::StatusClient::new(&base, Some(credential)).unwrap(),
        runtime: runtime.handle().clone(),
        scanner_rules: Default::default(),
        samples: vec![CODE.to_owned()],
        submission: Default::default(),
        staff: Default::default(),
    };
    let ui = AppWindow::new().unwrap();
    motcua_kiosk::app::wire(&ui, kiosk.clone());
    ui.window()
        .set_size(slint::LogicalSize::new(1080.0, 1920.0));
    ui.show().unwrap();
    let h = Harness { ui, kiosk, db_path };
    h.settle();

    let status_url = a_scanner_burst_opens_the_status_from_home(&h);
    people_typing_in_the_search_box_do_not_trigger_it(&h, &status_url);
    hostile_and_foreign_codes_are_explained_and_change_nothing(&h, &base);
    typing_the_code_on_the_screen_keyboard(&h);
    a_serial_scanner_through_a_pty(&h);
    going_home_forgets_the_dossier(&h);

    runtime.block_on(server.stop());
    offline_shows_the_last_status_seen(&h);
}

fn assert_found(h: &Harness) {
    let status = h.status();
    assert_eq!(h.screen(), Screen::Status);
    assert_eq!(
        status.get_view(),
        StatusView::Found,
        "message {:?}",
        status.get_message()
    );
    assert_eq!(status.get_code(), CODE);
    assert_eq!(status.get_procedure_name(), "Đăng ký khai sinh");
    assert_eq!(status.get_due(), "25/11/2026");
    assert_eq!(status.get_status(), 2);
    assert!(status.get_timeline().row_count() >= 1);
    assert!(
        on_screen(h, "Đăng ký khai sinh"),
        "the procedure's name is drawn"
    );
}

fn on_screen(h: &Harness, text: &str) -> bool {
    ElementHandle::find_by_accessible_label(&h.ui, text)
        .next()
        .is_some()
}

fn a_scanner_burst_opens_the_status_from_home(h: &Harness) -> String {
    assert_eq!(h.screen(), Screen::Home);
    // A USB scanner in keyboard mode: 4 ms between keys.
    h.type_keys(CODE, 4);
    assert_found(h);
    assert!(!h.status().get_outdated());
    assert!(
        !h.status().get_has_page_qr(),
        "a guessable code never yields the phone page's secret link"
    );
    // The status link, as the receipt's QR encodes it, comes from the server's answer.
    let conn = rusqlite::Connection::open(&h.db_path).unwrap();
    let body: String = conn
        .query_row(
            "SELECT body FROM dossier_status_cache WHERE code = ?1",
            [CODE],
            |r| r.get(0),
        )
        .unwrap();
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    let url = view["status_url"].as_str().unwrap().to_owned();
    h.go_home();
    // The receipt's QR: the status link, scanned from the home screen.
    h.type_keys(&url, 3);
    assert_found(h);
    assert!(h.status().get_has_page_qr(), "a QR to the phone page");
    assert!(h.status().get_page_qr().size().width > 0);
    h.go_home();
    url
}

fn people_typing_in_the_search_box_do_not_trigger_it(h: &Harness, status_url: &str) {
    h.tap("Tra cứu thủ tục");
    assert_eq!(h.screen(), Screen::Search);
    h.tap("Ô tìm kiếm");
    // A person types slowly: the text goes into the search box, no lookup happens.
    h.type_keys("khai sinh", 150);
    assert_eq!(h.screen(), Screen::Search);
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "khai sinh");
    // Even a dossier code, typed by hand, is a search, not a scan.
    h.ui.global::<SearchAdapter>().invoke_typed("".into());
    h.type_keys(CODE, 180);
    assert_eq!(h.screen(), Screen::Search);
    // A scan while the search box has the focus still opens the status, and the scanned text does
    // not stay behind as a query.
    h.type_keys(status_url, 2);
    assert_found(h);
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "");
    h.go_home();
}

fn hostile_and_foreign_codes_are_explained_and_change_nothing(h: &Harness, base: &str) {
    let cached = h.cached_dossiers();
    let cases: Vec<(String, StatusMessage)> = vec![
        (
            "https://evil.example/ho-so/AAAAAAAAAAAAAAAAAAAAAA".into(),
            StatusMessage::NotOurs,
        ),
        (format!("{base}/ho-so/AAAA"), StatusMessage::DamagedLink),
        (format!("{base}/thu-tuc/1.001193"), StatusMessage::NotOurs),
        (
            "001089012345|123456789|Nguyen Van A|01011989|Nam|So 1 Trang Tien, Ha Noi|15082021"
                .into(),
            StatusMessage::CitizenCard,
        ),
        (
            "G09.20-20261120-1'; DROP TABLE dossier_status_cache; --".into(),
            StatusMessage::NotOurs,
        ),
        (
            "<img src=x onerror=alert(1)>".into(),
            StatusMessage::NotOurs,
        ),
        ("Z".repeat(10_000), StatusMessage::NotOurs),
    ];
    for (payload, expected) in cases {
        h.type_keys(&payload, 1);
        assert_eq!(h.screen(), Screen::Status, "{payload:.60}");
        assert_eq!(h.status().get_view(), StatusView::Message, "{payload:.60}");
        assert_eq!(h.status().get_message(), expected, "{payload:.60}");
        assert_eq!(h.status().get_code(), "", "no dossier shown");
        h.go_home();
    }
    // The message a visitor reads, in Vietnamese.
    h.type_keys("https://zalo.me/g/abcdef", 2);
    assert!(on_screen(h, "Mã QR này không phải giấy hẹn của Trung tâm"));
    h.go_home();
    assert_eq!(h.cached_dossiers(), cached, "nothing stored for a bad scan");
}

fn typing_the_code_on_the_screen_keyboard(h: &Harness) {
    h.tap("Tra cứu hồ sơ");
    assert_eq!(h.screen(), Screen::Status);
    assert_eq!(h.status().get_view(), StatusView::Prompt);
    // A wrong code first: the precise explanation for a mistyped code.
    for key in ["1", "2", "3"] {
        h.tap(key);
    }
    h.tap("Tra cứu");
    assert_eq!(h.status().get_message(), StatusMessage::BadCode);
    h.tap("Thử lại");
    assert_eq!(h.status().get_typed(), "");
    // The letters page for the office's letter, then digits.
    h.tap("Chữ cái");
    h.tap("g");
    h.tap("Chữ số");
    for c in CODE[1..].chars() {
        h.tap(&c.to_string());
    }
    assert_eq!(h.status().get_typed(), CODE);
    h.tap("Tra cứu");
    assert_found(h);
    // "Back" returns to the prompt for the next code.
    h.tap("Quay lại");
    assert_eq!(h.status().get_view(), StatusView::Prompt);
    // Demo samples are one touch away.
    h.tap(CODE);
    assert_found(h);
    h.go_home();
}

fn a_serial_scanner_through_a_pty(h: &Harness) {
    let pty = nix::pty::openpty(None, None).unwrap();
    let device = nix::unistd::ttyname(&pty.slave).unwrap();
    let _scanner = motcua_kiosk::app::start_serial_scanner(&h.ui, device).unwrap();
    let mut master = std::fs::File::from(pty.master);
    // The reader needs a moment to open the device.
    std::thread::sleep(Duration::from_millis(400));
    master.write_all(format!("{CODE}\r\n").as_bytes()).unwrap();
    wait_for(h, || h.status().get_view() == StatusView::Found);
    assert_found(h);
    h.go_home();
    // Bytes that are not text (a scanner set to another code page).
    master.write_all(&[0x47, 0xff, 0xfe, 0x30, b'\r']).unwrap();
    wait_for(h, || h.status().get_view() == StatusView::Message);
    assert_eq!(h.status().get_message(), StatusMessage::Unreadable);
    h.go_home();
    drop(pty.slave);
}

fn wait_for(h: &Harness, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(20));
        h.settle();
    }
}

fn going_home_forgets_the_dossier(h: &Harness) {
    h.type_keys(CODE, 4);
    assert_found(h);
    h.go_home();
    let status = h.status();
    assert_eq!(status.get_code(), "");
    assert_eq!(status.get_procedure_name(), "");
    assert_eq!(status.get_timeline().row_count(), 0);
    assert_eq!(status.get_typed(), "");
    assert_eq!(status.get_view(), StatusView::Prompt);
}

fn offline_shows_the_last_status_seen(h: &Harness) {
    h.type_keys(CODE, 4);
    assert_found(h);
    assert!(h.status().get_outdated(), "marked as possibly outdated");
    assert!(
        h.status().get_seen_at().contains('/'),
        "with the date it was seen"
    );
    h.go_home();
    // Never seen here, server down: said plainly.
    h.type_keys("G09.20-20261120-0009999", 4);
    assert_eq!(h.status().get_message(), StatusMessage::Unavailable);
    h.go_home();
}
