//! Walk-away through the real kiosk window (Slint testing backend, mock time): a visitor half-way
//! through a dossier leaves; the kiosk asks "Bạn cần thêm thời gian?", counts down, clears every
//! trace of the visit and returns to the default language; then the attract screen, and the black
//! screen of the blanking hours. Touches are real pointer events. One event loop per process: a
//! single test walks through it.

mod common;

use common::ui::Harness;

use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use motcua_central::DEMO_CATALOG;
use motcua_kiosk::app::{
    FeedbackAdapter, Header, IdleAdapter, IdleState, KeyboardAdapter, Kiosk, Screen, SearchAdapter,
    StaffSettings, StatusAdapter, SubmitAdapter,
};
use motcua_kiosk::config::{KioskConfig, Language};
use slint::{ComponentHandle, Model};

const CARD: &str = "079190004321|272727272|Trần Thị Bích Ngọc|12051990|Nữ|12 Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh|15082021";
/// What the visitor gave; none of it may remain once they are gone.
const TRACES: &[&str] = &[
    "Ngọc",
    "079190004321",
    "Lê Lợi",
    "Đăng ký khai sinh",
    "12/05/1990",
];

fn state(h: &Harness) -> IdleState {
    h.ui.global::<IdleAdapter>().get_state()
}

fn seconds_left(h: &Harness) -> i32 {
    h.ui.global::<IdleAdapter>().get_seconds_left()
}

/// `seconds` of mock time without anyone touching the kiosk.
fn nobody_for(h: &Harness, seconds: u64) {
    for _ in 0..seconds {
        h.pump_by(Duration::from_secs(1));
    }
}

/// A finger on the header's centre name, which does nothing itself: a quick touch (real pointer
/// events, not accessibility).
fn touch(h: &Harness) {
    h.press(500.0, 60.0, Duration::from_millis(80));
}

/// Every accessible label and value in the window that contains one of `TRACES`.
fn traces_on_screen(h: &Harness) -> Vec<String> {
    i_slint_backend_testing::ElementQuery::from_root(&h.ui)
        .match_descendants()
        .find_all()
        .iter()
        .flat_map(|e: &ElementHandle| [e.accessible_label(), e.accessible_value()])
        .flatten()
        .map(|s| s.to_string())
        .filter(|s| TRACES.iter().any(|t| s.contains(t)))
        .collect()
}

/// Every model and property of the screens' adapters that can hold what a visitor entered.
fn traces_in_models(h: &Harness) -> Vec<String> {
    let mut found = Vec::new();
    let mut check = |what: &str, value: String| {
        if !value.is_empty() {
            found.push(format!("{what} = {value:?}"));
        }
    };
    let submit = h.ui.global::<SubmitAdapter>();
    check("submit.procedure-name", submit.get_procedure_name().into());
    for (i, field) in submit.get_fields().iter().enumerate() {
        check(&format!("submit.fields[{i}]"), field.value.into());
    }
    check(
        "submit.documents",
        match submit.get_documents().row_count() {
            0 => String::new(),
            n => format!("{n} documents"),
        },
    );
    let search = h.ui.global::<SearchAdapter>();
    check("search.query", search.get_query().into());
    check(
        "search.results",
        match search.get_results().row_count() {
            0 => String::new(),
            n => format!("{n} results"),
        },
    );
    let status = h.ui.global::<StatusAdapter>();
    check("status.typed", status.get_typed().into());
    check("status.code", status.get_code().into());
    check(
        "status.timeline",
        match status.get_timeline().row_count() {
            0 => String::new(),
            n => format!("{n} rows"),
        },
    );
    let feedback = h.ui.global::<FeedbackAdapter>();
    check("feedback.comment", feedback.get_comment().into());
    check("feedback.dossier-code", feedback.get_dossier_code().into());
    check("feedback.text", feedback.get_text().into());
    check("feedback.phone", feedback.get_phone().into());
    check("feedback.reference", feedback.get_reference().into());
    check(
        "feedback.typed-reference",
        feedback.get_typed_reference().into(),
    );
    check("feedback.own-text", feedback.get_own_text().into());
    check("feedback.answer-text", feedback.get_answer_text().into());
    if feedback.get_face() != -1 || feedback.get_topic() != -1 {
        check("feedback.choice", "a face or topic chosen".into());
    }
    if h.ui.global::<KeyboardAdapter>().get_shown() {
        check("keyboard.shown", "true".into());
    }
    found
}

#[test]
fn a_visitor_walks_away() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = runtime.block_on(common::spawn_central(server_dir.path(), DEMO_CATALOG));
    let base = server.base_url();
    let running = KioskConfig::default();
    assert_eq!(
        (
            running.idle.timeout_secs,
            running.idle.prompt_secs,
            running.idle.attract_after_secs
        ),
        (60, 15, 120),
        "the defaults this test walks through"
    );
    let kiosk = common::ui::synced_kiosk(&runtime, &base, kiosk_dir.path(), running.clone());
    let h = Harness::open(kiosk.clone());

    // Nobody at the untouched home screen: nothing to ask; two minutes later, the attract screen.
    nobody_for(&h, 61);
    assert_eq!(
        state(&h),
        IdleState::Active,
        "no question on a clean home screen"
    );
    nobody_for(&h, 118);
    assert_eq!(state(&h), IdleState::Active);
    nobody_for(&h, 2);
    assert_eq!(state(&h), IdleState::Attract);
    assert!(h.has("Chạm vào màn hình để bắt đầu"), "{:?}", h.labels());
    touch(&h);
    assert_eq!(state(&h), IdleState::Active);
    assert_eq!(h.screen(), Screen::Home);

    // A visitor starts a dossier: a search, then the form filled from their ID card.
    h.tap("Tra cứu thủ tục");
    h.type_keys("khai sinh");
    h.tap("Đăng ký khai sinh");
    h.tap("Nộp hồ sơ này trực tuyến");
    assert_eq!(h.screen(), Screen::Submit);
    h.scan(CARD);
    assert!(
        !traces_in_models(&h).is_empty(),
        "the visit left something to clear"
    );
    assert!(!traces_on_screen(&h).is_empty());

    // A real touch keeps the visit going: 50 s, a touch, 59 s more and still no question.
    nobody_for(&h, 50);
    touch(&h);
    nobody_for(&h, 59);
    assert_eq!(
        state(&h),
        IdleState::Active,
        "the touch 59 s ago restarted the wait"
    );
    assert_eq!(h.screen(), Screen::Submit);
    nobody_for(&h, 2);
    assert_eq!(state(&h), IdleState::Prompt);
    assert!(h.has("Bạn cần thêm thời gian?"), "{:?}", h.labels());
    assert!(
        h.labels()
            .iter()
            .any(|l| l.starts_with("Hồ sơ của bạn chưa được gửi")),
        "unsent work is warned about: {:?}",
        h.labels()
    );
    let left = seconds_left(&h);
    assert!((14..=15).contains(&left), "{left}");

    // "Tôi cần thêm thời gian": the visit is as it was.
    h.tap("Tôi cần thêm thời gian");
    assert_eq!(state(&h), IdleState::Active);
    assert_eq!(h.screen(), Screen::Submit);
    assert_eq!(
        h.ui.global::<SubmitAdapter>()
            .get_fields()
            .row_data(0)
            .unwrap()
            .value,
        "Trần Thị Bích Ngọc"
    );

    // The visitor switches to English, then walks away for good.
    h.tap("English");
    assert_eq!(h.ui.global::<Header>().get_language(), "en");
    nobody_for(&h, 61);
    assert_eq!(state(&h), IdleState::Prompt);
    assert!(h.has("Do you need more time?"), "{:?}", h.labels());
    nobody_for(&h, 5);
    let counted = seconds_left(&h);
    assert!(
        (9..=10).contains(&counted),
        "counts down a second at a time: {counted}"
    );
    // A touch anywhere around the question also means "more time".
    touch(&h);
    assert_eq!(
        state(&h),
        IdleState::Active,
        "a touch on the dimmed screen means more time"
    );
    nobody_for(&h, 61);
    assert_eq!(state(&h), IdleState::Prompt);
    nobody_for(&h, 16);

    // Reset: home, default language, nothing of the visitor in any model or on any screen.
    assert_eq!(state(&h), IdleState::Active);
    assert_eq!(h.screen(), Screen::Home);
    assert_eq!(h.ui.global::<Header>().get_language(), "vi");
    assert_eq!(traces_in_models(&h), Vec::<String>::new());
    assert_eq!(traces_on_screen(&h), Vec::<String>::new());
    let staging = kiosk_dir.path().join("staging");
    let left_behind: Vec<_> = std::fs::read_dir(&staging)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left_behind.is_empty(), "staged pages left: {left_behind:?}");
    // The screens that showed the visit, opened again by the next visitor, are empty.
    h.tap("Nộp hồ sơ trực tuyến");
    assert_eq!(traces_on_screen(&h), Vec::<String>::new());
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "");
    h.tap("Về trang chủ");
    h.tap("Tra cứu hồ sơ");
    assert_eq!(traces_on_screen(&h), Vec::<String>::new());
    h.tap("Về trang chủ");

    // "Kết thúc" clears at once, without waiting for the countdown.
    h.tap("Tra cứu thủ tục");
    h.type_keys("khai sinh");
    nobody_for(&h, 61);
    assert_eq!(state(&h), IdleState::Prompt);
    assert!(
        !h.labels()
            .iter()
            .any(|l| l.starts_with("Hồ sơ của bạn chưa được gửi")),
        "no unsent-dossier warning for a search"
    );
    h.tap("Tôi đã xong, xoá thông tin của tôi");
    assert_eq!(state(&h), IdleState::Active);
    assert_eq!(h.screen(), Screen::Home);
    assert_eq!(traces_in_models(&h), Vec::<String>::new());
    drop(h);

    // In the blanking hours the resting kiosk is black; a touch wakes it to the home screen.
    let now =
        time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap());
    let minute = |m: i32| {
        let m = m.rem_euclid(24 * 60);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let here = i32::from(now.hour()) * 60 + i32::from(now.minute());
    let mut night = running.clone();
    night.idle.blank_hours = format!("{}-{}", minute(here - 60), minute(here + 60));
    night.default_language = Language::Vi;
    let h = Harness::open(Kiosk {
        staff: StaffSettings {
            running: KioskConfig {
                data_dir: kiosk_dir.path().to_owned(),
                ..night
            },
            ..Default::default()
        },
        ..kiosk
    });
    nobody_for(&h, 181);
    assert_eq!(state(&h), IdleState::Blank);
    assert!(!h.has("Chạm vào màn hình để bắt đầu"));
    touch(&h);
    assert_eq!(state(&h), IdleState::Active);
    assert_eq!(h.screen(), Screen::Home);
    drop(server);
}
