//! The reading aids through the real kiosk window (Slint testing backend): "Chữ lớn" draws the
//! whole window 1.5× larger and the main screens still fit in both orientations — no text or
//! button leaves the window (outside scrolling areas) and no text spills out of the button or
//! tile it belongs to; "Tương phản cao" switches the theme; the walk-away ends both. One event
//! loop per process: a single test walks through it.

mod common;

use common::ui::Harness;

use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use motcua_central::DEMO_CATALOG;
use motcua_kiosk::app::{
    Header, IdleAdapter, IdleState, KeyboardAdapter, Kiosk, Nav, Screen, StatusAdapter, StatusView,
    Theme,
};
use motcua_kiosk::config::KioskConfig;
use slint::ComponentHandle;

const CARD: &str = "079190004321|272727272|Trần Thị Bích Ngọc|12051990|Nữ|12 Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh|15082021";

#[derive(Clone, Copy, Debug)]
struct Rect {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl Rect {
    fn of(e: &ElementHandle) -> Self {
        let (p, s) = (e.absolute_position(), e.size());
        Rect {
            x: p.x,
            y: p.y,
            w: s.width,
            h: s.height,
        }
    }
    fn contains_point(&self, x: f32, y: f32) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }
    fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    fn contains(&self, other: &Rect) -> bool {
        const SLACK: f32 = 1.0;
        other.x >= self.x - SLACK
            && other.y >= self.y - SLACK
            && other.x + other.w <= self.x + self.w + SLACK
            && other.y + other.h <= self.y + self.h + SLACK
    }
}

/// What does not fit on the screen now, each as a sentence naming the element; only in the
/// element of type `layer` if given (an overlay, drawn over a screen it need not fit with).
fn layout_problems(h: &Harness, layer: Option<&str>) -> Vec<String> {
    let window = h.ui.window();
    let size = window.size().to_logical(window.scale_factor());
    let screen = Rect {
        x: 0.0,
        y: 0.0,
        w: size.width,
        h: size.height,
    };
    let mut all = ElementQuery::from_root(&h.ui)
        .match_descendants()
        .find_all();
    if let Some(layer) = layer {
        all = all
            .iter()
            .filter(|e| e.type_name().is_some_and(|t| t == layer))
            .flat_map(|e| e.query_descendants().find_all())
            .collect();
        assert!(!all.is_empty(), "no {layer} on screen");
    }
    let shown = |e: &&ElementHandle| {
        let r = Rect::of(e);
        r.w > 0.5 && r.h > 0.5 && e.computed_opacity() > 0.0
    };
    let labelled = |e: &ElementHandle, role| {
        e.accessible_role() == Some(role)
            && e.accessible_label().is_some_and(|l| !l.trim().is_empty())
    };
    let texts: Vec<&ElementHandle> = all
        .iter()
        .filter(shown)
        .filter(|e| labelled(e, AccessibleRole::Text))
        .collect();
    let buttons: Vec<&ElementHandle> = all
        .iter()
        .filter(shown)
        .filter(|e| labelled(e, AccessibleRole::Button))
        .collect();
    // Inside a scrolling area, content may lie beyond the window: it is scrolled to.
    let key = |e: &ElementHandle| (e.accessible_label(), format!("{:?}", Rect::of(e)));
    let scrolled: Vec<_> = all
        .iter()
        .filter(|e| e.type_name().is_some_and(|t| t == "Flickable"))
        .flat_map(|f| f.query_descendants().find_all())
        .map(|e| key(&e))
        .collect();
    let name = |e: &ElementHandle| e.accessible_label().unwrap_or_default().to_string();
    let mut problems = Vec::new();
    for e in texts.iter().chain(&buttons) {
        let r = Rect::of(e);
        let in_scroll = scrolled.contains(&key(e));
        let horizontally_out = r.x < -1.0 || r.x + r.w > screen.w + 1.0;
        let vertically_out = r.y < -1.0 || r.y + r.h > screen.h + 1.0;
        if horizontally_out || (vertically_out && !in_scroll) {
            problems.push(format!("{:?} leaves the window: {r:?}", name(e)));
        }
    }
    for text in &texts {
        let r = Rect::of(text);
        let (cx, cy) = r.centre();
        for button in &buttons {
            // Scrolled content passes under the bars fixed beside it, clipped by its scroll
            // area: only a text and a button that scroll together can spill into each other.
            if scrolled.contains(&key(text)) != scrolled.contains(&key(button)) {
                continue;
            }
            let b = Rect::of(button);
            if b.contains_point(cx, cy) && !b.contains(&r) {
                problems.push(format!(
                    "{:?} spills out of {:?}: {r:?} in {b:?}",
                    name(text),
                    name(button)
                ));
            }
        }
    }
    // Every place that reacts to a touch is something a screen reader can name: the element
    // carrying the touch area has a role and a label. (Touch areas that cover the whole window
    // only note that someone is there.)
    for touch in all
        .iter()
        .filter(shown)
        .filter(|e| e.type_name().is_some_and(|t| t == "Touch"))
    {
        let t = Rect::of(touch);
        if t.w >= screen.w - 1.0 && t.h >= screen.h - 1.0 {
            continue;
        }
        let named = all.iter().filter(shown).any(|e| {
            e.accessible_role()
                .is_some_and(|r| r != AccessibleRole::None && r != AccessibleRole::Text)
                && e.accessible_label().is_some_and(|l| !l.trim().is_empty())
                && Rect::of(e).contains(&t)
                && t.contains(&Rect::of(e))
        });
        if !named {
            problems.push(format!("a touch area without a role and label at {t:?}"));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn assert_fits(h: &Harness, what: &str) {
    assert_layer_fits(h, what, None);
}

fn assert_layer_fits(h: &Harness, what: &str, layer: Option<&str>) {
    h.settle();
    let problems = layout_problems(h, layer);
    assert!(problems.is_empty(), "{what}: {problems:#?}");
}

/// A finger's scroll over the middle of the screen, all the way down.
fn scroll_down(h: &Harness) {
    let window = h.ui.window();
    let size = window.size().to_logical(window.scale_factor());
    let position = slint::LogicalPosition::new(size.width / 2.0, size.height * 0.6);
    window.dispatch_event(slint::platform::WindowEvent::PointerMoved { position });
    window.dispatch_event(slint::platform::WindowEvent::PointerScrolled {
        position,
        delta_x: 0.0,
        delta_y: -3000.0,
    });
    h.settle();
}

/// The main screens, each checked: home, the fields, the results, search with the keyboard, a
/// procedure, the applicant form with the keyboard, the status prompt with the keyboard, rating
/// and feedback with the keyboard, and the walk-away question.
fn walk_the_main_screens(h: &Harness, orientation: &str) {
    if h.screen() != Screen::Home {
        h.tap("Về trang chủ");
    }
    assert_fits(h, &format!("home, {orientation}"));
    // With large text the last tiles are below the fold: scrolled to, as a visitor would.
    scroll_down(h);
    h.tap("Xem theo lĩnh vực");
    assert_fits(h, &format!("fields, {orientation}"));
    h.tap("Về trang chủ");
    scroll_down(h);
    h.tap("Kết quả giải quyết hồ sơ");
    assert_eq!(h.screen(), Screen::Results);
    assert_fits(h, &format!("results, {orientation}"));
    h.tap("Về trang chủ");
    h.tap("Tra cứu thủ tục");
    h.type_keys("khai sinh");
    assert_fits(h, &format!("search, {orientation}"));
    h.tap("Đăng ký khai sinh");
    assert_eq!(h.screen(), Screen::Detail);
    assert_fits(h, &format!("procedure, {orientation}"));
    h.tap("Nộp hồ sơ này trực tuyến");
    assert_eq!(h.screen(), Screen::Submit);
    h.scan(CARD);
    h.ui.global::<KeyboardAdapter>().set_shown(true);
    assert_fits(h, &format!("applicant form, {orientation}"));
    h.tap("Về trang chủ");
    h.tap("Tra cứu hồ sơ");
    assert_eq!(
        h.ui.global::<StatusAdapter>().get_view(),
        StatusView::Prompt
    );
    assert!(h.ui.global::<KeyboardAdapter>().get_shown());
    assert_fits(h, &format!("status prompt, {orientation}"));
    h.tap("Về trang chủ");
    scroll_down(h);
    h.tap("Đánh giá, góp ý");
    assert_fits(h, &format!("rating and feedback, {orientation}"));
    h.tap("Đánh giá mức độ hài lòng");
    h.tap("Rất hài lòng");
    h.tap_field("Ý kiến (không bắt buộc)");
    h.type_keys("tot");
    assert_fits(h, &format!("rating with the keyboard, {orientation}"));
    h.tap_nth("Quay lại", 1);
    h.tap("Phản ánh, kiến nghị");
    h.tap("Thời gian giải quyết");
    h.type_keys("lau");
    assert_fits(
        h,
        &format!("feedback form with the keyboard, {orientation}"),
    );
    // The walk-away question over the form would look the same; over the status screen here.
    h.ui.global::<IdleAdapter>().set_seconds_left(15);
    h.ui.global::<IdleAdapter>().set_unsent_work(true);
    h.ui.global::<IdleAdapter>().set_state(IdleState::Prompt);
    assert_layer_fits(
        h,
        &format!("walk-away question, {orientation}"),
        Some("IdlePrompt"),
    );
    h.ui.global::<IdleAdapter>().set_state(IdleState::Active);
}

/// The screen turned to `width`×`height` physical pixels.
/// In portrait at normal size, every task's tile and the help are whole in the home screen's
/// visible area as it first appears: a visitor does not have to guess that more is below. (A scroll bar animating
/// as the catalog size arrived also held back the first steady picture.)
fn home_needs_no_scrolling(h: &Harness) {
    h.settle();
    assert_eq!(h.screen(), Screen::Home);
    let area = ElementQuery::from_root(&h.ui)
        .match_descendants()
        .match_id("HomeScreen::scroll")
        .find_first()
        .map(|e| Rect::of(&e))
        .expect("the home screen's scrolling area");
    let shown_whole = [
        "Tra cứu thủ tục",
        "Nộp hồ sơ trực tuyến",
        "Tra cứu hồ sơ",
        "Xem theo lĩnh vực",
        "Kết quả giải quyết hồ sơ",
        "Đánh giá, góp ý",
        "Cần hỗ trợ?",
    ];
    for label in shown_whole {
        assert!(h.has(label), "{label} is not on the home screen at all");
        let shown = Rect::of(&h.element(label, None, 0));
        assert!(
            area.contains(&shown),
            "{label} at {shown:?}, the visible area is {area:?}"
        );
    }
}

fn turn(h: &Harness, width: u32, height: u32) {
    let window = h.ui.window();
    window.set_size(slint::PhysicalSize::new(width, height));
    window.dispatch_event(slint::platform::WindowEvent::Resized {
        size: slint::PhysicalSize::new(width, height).to_logical(window.scale_factor()),
    });
    h.settle();
}

fn logical_size(h: &Harness) -> (f32, f32) {
    let window = h.ui.window();
    let size = window.size().to_logical(window.scale_factor());
    (size.width.round(), size.height.round())
}

#[test]
fn large_text_and_high_contrast() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = runtime.block_on(common::spawn_central(server_dir.path(), DEMO_CATALOG));
    let base = server.base_url();
    let kiosk = Kiosk {
        // The demo's sample codes take room on the status prompt: show them.
        samples: vec![
            "H45.12-20261120-0031477".into(),
            "H45.12-20261111-0031032".into(),
            "G09.20-20261019-0091734".into(),
            "H45.12-20261122-0031508".into(),
        ],
        ..common::ui::synced_kiosk(&runtime, &base, kiosk_dir.path(), KioskConfig::default())
    };
    let h = Harness::open(kiosk);

    // Normal size first: the same checks hold, so they are not tuned to large text only.
    assert_eq!(logical_size(&h), (1080.0, 1920.0));
    home_needs_no_scrolling(&h);
    walk_the_main_screens(&h, "portrait");

    // "Chữ lớn" on the home screen: everything 1.5×, the window 720×1280 logical pixels.
    h.tap("Chữ lớn");
    assert!(h.ui.global::<Header>().get_large_text());
    assert_eq!(h.ui.window().scale_factor(), 1.5);
    assert_eq!(logical_size(&h), (720.0, 1280.0));
    assert_eq!(
        h.element("Chữ lớn", Some(AccessibleRole::Button), 0)
            .accessible_checked(),
        Some(true),
        "the switch shows it is on"
    );
    walk_the_main_screens(&h, "portrait, large text");
    assert!(
        h.ui.global::<Header>().get_large_text(),
        "large text lasts through the visit, \"Về trang chủ\" included"
    );

    // Landscape with large text: 1280×720 logical pixels. (The testing backend's `set_size`
    // ignores the scale factor; a real platform reports the logical size as below.)
    turn(&h, 1920, 1080);
    assert_eq!(logical_size(&h), (1280.0, 720.0));
    walk_the_main_screens(&h, "landscape, large text");
    turn(&h, 1080, 1920);

    // "Tương phản cao": black on white.
    h.tap("Tương phản cao");
    let theme = h.ui.global::<Theme>();
    assert!(theme.get_high_contrast());
    assert_eq!(theme.get_ink(), slint::Color::from_rgb_u8(0, 0, 0));
    assert_eq!(theme.get_page(), slint::Color::from_rgb_u8(255, 255, 255));
    assert_eq!(theme.get_line(), slint::Color::from_rgb_u8(0, 0, 0));

    // Both end with the visit: the next visitor gets normal text and colours.
    h.tap("Về trang chủ");
    assert!(
        h.ui.global::<Theme>().get_high_contrast(),
        "not by going home"
    );
    h.tap("Tra cứu thủ tục");
    for _ in 0..(60 + 16) {
        h.pump_by(Duration::from_secs(1));
    }
    assert_eq!(h.ui.global::<Nav>().get_screen(), Screen::Home);
    assert!(!h.ui.global::<Header>().get_large_text());
    assert!(!h.ui.global::<Theme>().get_high_contrast());
    assert_eq!(h.ui.window().scale_factor(), 1.0);
    assert_eq!(logical_size(&h), (1080.0, 1920.0));
    assert_ne!(
        h.ui.global::<Theme>().get_ink(),
        slint::Color::from_rgb_u8(0, 0, 0)
    );
    drop(server);
}
