//! Staff mode driven through Slint's testing backend on the real kiosk window, with the real
//! central server over HTTP: the hidden entry (a three-second press on the emblem), wrong PINs,
//! the lockout, the right PIN, the kiosk's state, a scanner test, "update the catalog now",
//! changing a setting, an invalid setting refused with its key, enrolling with a one-time code,
//! the warning once the server revokes the kiosk's credential, and leaving (PIN and form
//! forgotten, restart asked for because settings changed). One test: the testing backend allows one event loop per process.

mod common;

use std::time::Duration;

use common::ui::Harness;
use motcua_central::DEMO_CATALOG;
use motcua_kiosk::app::{
    KeyboardAdapter, Kiosk, PinProblem, Screen, StaffAdapter, StaffNotice, StaffSettings, StaffView,
};
use motcua_kiosk::config::KioskConfig;
use motcua_kiosk::operations::{FleetReporter, RecentErrors, SharedPrinterState, staff_pin};
use motcua_protocol::PrinterState;
use slint::{ComponentHandle, Model};

const PIN: &str = "246810";
// Where the emblem is: left of the header, the header 120 px high in portrait.
const EMBLEM: (f32, f32) = (64.0, 60.0);

fn staff(h: &Harness) -> StaffAdapter<'_> {
    h.ui.global::<StaffAdapter>()
}

fn enter_pin(h: &Harness, pin: &str) {
    for digit in pin.chars() {
        h.tap(&digit.to_string());
    }
    assert_eq!(staff(h).get_pin_length(), pin.len() as i32);
    h.tap("Mở");
    h.wait_for("the PIN check", || {
        staff(h).get_problem() != PinProblem::Checking
    });
}

/// Types on the on-screen keyboard, switching between its letters and its digits and signs.
fn type_text(h: &Harness, text: &str) {
    h.tap("Xóa hết");
    for key in text.chars() {
        let digits = h.ui.global::<KeyboardAdapter>().get_digits();
        if key.is_ascii_alphabetic() == digits {
            h.tap(if digits { "Chữ cái" } else { "Chữ số" });
        }
        h.tap(&key.to_string());
    }
    h.tap("Ẩn bàn phím");
}

#[test]
fn staff_open_the_kiosk_with_the_pin_and_change_a_setting() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = runtime.block_on(common::spawn_central(server_dir.path(), DEMO_CATALOG));
    let base = server.base_url();
    let config = common::central_config(server_dir.path());
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-7").unwrap();
    let credential_for_heartbeats = credential.clone();
    let storage = common::open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    staff_pin::set_pin(kiosk_dir.path(), PIN).unwrap();
    let errors = RecentErrors::default();
    errors.record("WARN: delivery failed: the central server answered HTTP 503");
    let running = KioskConfig {
        data_dir: kiosk_dir.path().to_owned(),
        server_url: Some(base.clone()),
        center_name: "Trung tâm A".into(),
        ..KioskConfig::default()
    };
    let kiosk = Kiosk {
        storage: storage.clone(),
        public_base: base.clone(),
        status_client: motcua_kiosk::status::StatusClient::new(&base, Some(credential.clone()))
            .unwrap(),
        runtime: runtime.handle().clone(),
        scanner_rules: Default::default(),
        samples: Vec::new(),
        submission: Default::default(),
        staff: StaffSettings {
            running,
            server_url: base.clone(),
            credential: Some(credential),
            kiosk_name: "quay-7".into(),
            config_version: 0,
            errors,
            restart: Default::default(),
            credential_refused: Default::default(),
            first_lockout: Some(Duration::from_secs(1)),
        },
    };
    let h = Harness::open(kiosk);
    assert_eq!(h.screen(), Screen::Home);

    // A visitor's tap or a short press on the emblem does nothing; three seconds open the PIN pad.
    h.press(EMBLEM.0, EMBLEM.1, Duration::from_millis(1500));
    assert_eq!(h.screen(), Screen::Home);
    h.press(EMBLEM.0, EMBLEM.1, Duration::from_millis(3200));
    assert_eq!(h.screen(), Screen::Staff);
    assert_eq!(staff(&h).get_view(), StaffView::Pin);
    assert!(h.has("Nhập mã PIN của cán bộ"));

    // Four wrong PINs say how many tries are left; the fifth locks staff mode.
    for left in (1..=4).rev() {
        enter_pin(&h, "111111");
        assert_eq!(staff(&h).get_problem(), PinProblem::Wrong);
        assert_eq!(staff(&h).get_tries_left(), left);
        assert_eq!(staff(&h).get_pin_length(), 0, "the typed PIN is forgotten");
    }
    enter_pin(&h, "111111");
    assert_eq!(staff(&h).get_problem(), PinProblem::Locked);
    assert_eq!(staff(&h).get_locked_secs(), 1);
    // While locked, even the right PIN is not checked.
    enter_pin(&h, PIN);
    assert_eq!(staff(&h).get_problem(), PinProblem::Locked);
    assert_eq!(staff(&h).get_view(), StaffView::Pin);
    std::thread::sleep(Duration::from_millis(1100));
    enter_pin(&h, PIN);
    assert_eq!(staff(&h).get_view(), StaffView::Menu);

    // The kiosk's state, with recent errors and the fleet link as a QR code.
    assert_eq!(staff(&h).get_kiosk_name(), "quay-7");
    assert_eq!(staff(&h).get_server(), base.as_str());
    assert_eq!(staff(&h).get_center_name(), "Trung tâm A");
    let lines: Vec<String> = staff(&h)
        .get_log_lines()
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(
        lines,
        ["WARN: delivery failed: the central server answered HTTP 503"]
    );
    assert!(staff(&h).get_fleet_qr().size().width > 0);

    // A scan is a scanner test here: what it read is shown, and staff mode stays.
    h.scan("MOTCUA PRINTER TEST");
    assert_eq!(h.screen(), Screen::Staff);
    assert_eq!(staff(&h).get_notice(), StaffNotice::Scanned);
    assert_eq!(staff(&h).get_notice_detail(), "MOTCUA PRINTER TEST");

    // "Đồng bộ ngay" fetches the catalog from the server.
    h.tap("Đồng bộ ngay");
    h.wait_for("the catalog update", || {
        staff(&h).get_notice() != StaffNotice::Syncing
    });
    assert_eq!(staff(&h).get_notice(), StaffNotice::Synced);
    assert!(
        storage
            .call_blocking(|s| s.catalog.count())
            .unwrap()
            .unwrap()
            > 50
    );

    // An invalid server address is refused, naming the key; nothing is stored.
    h.tap_field("Địa chỉ máy chủ trung tâm");
    type_text(&h, "abc");
    assert_eq!(staff(&h).get_server_url(), "abc");
    h.tap("Lưu cài đặt");
    assert_eq!(staff(&h).get_notice(), StaffNotice::SaveFailed);
    let problem = staff(&h).get_settings_problem().to_string();
    assert!(problem.starts_with("server_url:"), "{problem}");
    let settings = kiosk_dir.path().join("staff-settings.toml");
    assert!(!settings.exists());

    // So is an idle time visitors could not use (5 s).
    h.tap_field("Địa chỉ máy chủ trung tâm");
    type_text(&h, &base);
    let idle_field = "Thời gian không thao tác trước khi hỏi khách (giây)";
    h.tap_field(idle_field);
    type_text(&h, "5");
    h.tap("Lưu cài đặt");
    let problem = staff(&h).get_settings_problem().to_string();
    assert!(problem.starts_with("idle.timeout_secs:"), "{problem}");
    assert!(!settings.exists());

    // A new center name (typed on the on-screen keyboard), landscape and 90 s are saved.
    h.tap_field(idle_field);
    type_text(&h, "90");
    h.tap_field("Tên trung tâm");
    type_text(&h, "hue");
    h.tap("Màn hình: đứng dọc");
    assert!(staff(&h).get_landscape());
    h.tap("Lượt dùng bắt đầu bằng: Tiếng Việt");
    assert!(staff(&h).get_english_default());
    h.tap("Lưu cài đặt");
    assert_eq!(staff(&h).get_notice(), StaffNotice::Saved);
    assert_eq!(staff(&h).get_settings_problem(), "");
    let stored: toml::Table = toml::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(stored["center_name"].as_str(), Some("hue"));
    assert_eq!(stored["orientation"].as_str(), Some("landscape"));
    assert_eq!(stored["default_language"].as_str(), Some("en"));
    assert_eq!(stored["idle"]["timeout_secs"].as_integer(), Some(90));
    assert!(
        !stored.contains_key("server_url"),
        "unchanged keys are not stored"
    );
    // What the kiosk will run after its restart.
    let after =
        motcua_kiosk::operations::staff_settings::apply_stored(h.kiosk.staff.running.clone());
    assert_eq!(after.center_name, "hue");
    assert_eq!(after.idle.timeout_secs, 90);

    // Enrolling from the staff screen with a one-time code: a wrong code is refused with the
    // server's reason; the right one stores this kiosk's credential.
    let code = motcua_central::open_operations(&config)
        .unwrap()
        .add_kiosk("quay-8", time::OffsetDateTime::now_utc())
        .unwrap();
    h.tap_field("Mã đăng ký (do máy chủ trung tâm cấp)");
    type_text(&h, "aaaa-bbbb-cccc");
    h.tap("Đăng ký kiosk với máy chủ ở trên");
    h.wait_for("the refusal", || {
        staff(&h).get_notice() != StaffNotice::Enrolling
    });
    assert_eq!(staff(&h).get_notice(), StaffNotice::EnrollFailed);
    assert!(!kiosk_dir.path().join("credential.json").exists());
    h.tap_field("Mã đăng ký (do máy chủ trung tâm cấp)");
    type_text(&h, &code.to_lowercase());
    h.tap("Đăng ký kiosk với máy chủ ở trên");
    h.wait_for("the enrollment", || {
        staff(&h).get_notice() != StaffNotice::Enrolling
    });
    assert_eq!(
        staff(&h).get_notice(),
        StaffNotice::Enrolled,
        "{}",
        staff(&h).get_notice_detail()
    );
    assert_eq!(staff(&h).get_notice_detail(), "quay-8");
    let stored = motcua_kiosk::operations::Credential::load(kiosk_dir.path())
        .unwrap()
        .expect("a stored credential");
    assert_eq!(stored.kiosk_name, "quay-8");
    assert_eq!(staff(&h).get_enrollment_code(), "", "the code is forgotten");

    // Heartbeats run; once the server revokes this kiosk's credential, staff mode says so.
    let reporter = FleetReporter::new(
        &base,
        Some(credential_for_heartbeats),
        h.kiosk.staff.running.clone(),
        0,
        RecentErrors::default(),
        SharedPrinterState::new(PrinterState::None),
    )
    .unwrap();
    runtime.spawn(motcua_kiosk::app::operations::heartbeat_loop(
        reporter,
        storage.clone(),
        Duration::from_millis(100),
        h.kiosk.staff.restart.clone(),
        h.kiosk.staff.credential_refused.clone(),
    ));
    assert!(!staff(&h).get_credential_refused());
    motcua_central::open_operations(&config)
        .unwrap()
        .revoke_kiosk("quay-7", time::OffsetDateTime::now_utc())
        .unwrap();
    h.wait_for("the refused heartbeat", || {
        h.kiosk.staff.credential_refused.get()
    });
    h.tap("Đồng bộ ngay");
    h.wait_for("the refresh", || staff(&h).get_credential_refused());
    assert!(h.labels().iter().any(|l| {
        l.starts_with("Máy chủ trung tâm không chấp nhận thông tin xác thực của kiosk này")
    }));

    // Leaving: back home, the PIN pad reset, and a restart asked for to run the new settings.
    assert!(!h.kiosk.staff.restart.is_requested());
    h.tap("Thoát chế độ cán bộ");
    assert_eq!(h.screen(), Screen::Home);
    assert_eq!(staff(&h).get_view(), StaffView::Pin);
    assert_eq!(staff(&h).get_log_lines().row_count(), 0);
    assert!(h.kiosk.staff.restart.is_requested());
    runtime.block_on(server.stop());
}
