//! Driving the real kiosk window through Slint's testing backend (mock time): pumping the event
//! loop, finding elements by their accessible label (the Vietnamese text on screen) and touching
//! them, as the UI tests do.

use std::time::{Duration, Instant};

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use motcua_kiosk::app::{AppWindow, Kiosk, Nav, Screen, StaffSettings, SubmissionSettings};
use motcua_kiosk::config::KioskConfig;
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

pub struct Harness {
    pub ui: AppWindow,
    pub kiosk: Kiosk,
}

/// A kiosk with the catalog of the central server at `base` synced into `data_dir`, anonymous
/// (no credential), running `config` with its data in `data_dir`.
pub fn synced_kiosk(
    runtime: &tokio::runtime::Runtime,
    base: &str,
    data_dir: &std::path::Path,
    config: KioskConfig,
) -> Kiosk {
    let storage = super::open_kiosk_storage(&data_dir.join("kiosk.db"));
    let sync = motcua_kiosk::catalog::SyncClient::new(base).expect("sync client");
    runtime
        .block_on(motcua_kiosk::catalog::sync_once(&sync, &storage))
        .expect("first sync");
    Kiosk {
        storage,
        public_base: base.to_owned(),
        status_client: motcua_kiosk::status::StatusClient::new(base, None).expect("status client"),
        runtime: runtime.handle().clone(),
        scanner_rules: Default::default(),
        samples: Vec::new(),
        submission: SubmissionSettings {
            data_dir: data_dir.to_owned(),
            kiosk_name: "quay-1".into(),
            ..Default::default()
        },
        staff: StaffSettings {
            running: KioskConfig {
                data_dir: data_dir.to_owned(),
                ..config
            },
            ..Default::default()
        },
    }
}

impl Harness {
    /// The kiosk's window for `kiosk`, portrait 1080×1920, shown and settled.
    pub fn open(kiosk: Kiosk) -> Self {
        let ui = AppWindow::new().expect("window");
        motcua_kiosk::app::wire(&ui, kiosk.clone());
        ui.window().set_size(slint::PhysicalSize::new(1080, 1920));
        ui.show().expect("show");
        let h = Harness { ui, kiosk };
        h.settle();
        h
    }

    /// Keys of the on-screen keyboard, key by key as a visitor types, in the screen's language: a
    /// space is "Dấu cách" (or "Space"), `<` the delete key.
    pub fn type_keys(&self, keys: &str) {
        let english = self.ui.global::<motcua_kiosk::app::Header>().get_language() == "en";
        for key in keys.chars() {
            let label = match (key, english) {
                (' ', false) => "Dấu cách".to_owned(),
                (' ', true) => "Space".to_owned(),
                ('<', false) => "Xóa".to_owned(),
                ('<', true) => "Delete".to_owned(),
                (other, _) => other.to_string(),
            };
            self.tap(&label);
        }
    }
    /// Runs the event loop once, `step` of mock time later.
    pub fn pump_by(&self, step: Duration) {
        i_slint_backend_testing::mock_elapsed_time(step);
        self.kiosk.storage.call_blocking(|_| ()).expect("storage");
        slint::quit_event_loop().expect("quit");
        slint::run_event_loop().expect("event loop");
    }

    pub fn settle(&self) {
        for _ in 0..3 {
            self.pump_by(Duration::from_millis(100));
        }
    }

    /// Pumps the event loop until `done`, for up to 20 s of real time.
    pub fn wait_for(&self, what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(30));
            self.pump_by(Duration::from_millis(100));
        }
    }

    pub fn labels(&self) -> Vec<String> {
        i_slint_backend_testing::ElementQuery::from_root(&self.ui)
            .match_descendants()
            .find_all()
            .iter()
            .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The `nth` element labelled `label` with the given role (a button's own text has the same
    /// label as the button).
    pub fn element(&self, label: &str, role: Option<AccessibleRole>, nth: usize) -> ElementHandle {
        ElementHandle::find_by_accessible_label(&self.ui, label)
            .filter(|e| role.is_none() || e.accessible_role() == role)
            .nth(nth)
            .unwrap_or_else(|| {
                panic!(
                    "no {nth}th element labelled {label:?} on {:?}; labels: {:?}",
                    self.screen(),
                    self.labels()
                )
            })
    }

    pub fn has(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(&self.ui, label)
            .next()
            .is_some()
    }

    /// The first button labelled `label`.
    pub fn tap(&self, label: &str) {
        self.element(label, Some(AccessibleRole::Button), 0)
            .invoke_accessible_default_action();
        self.settle();
    }

    pub fn tap_nth(&self, label: &str, nth: usize) {
        self.element(label, Some(AccessibleRole::Button), nth)
            .invoke_accessible_default_action();
        self.settle();
    }

    pub fn set_field(&self, label: &str, value: &str) {
        self.element(label, Some(AccessibleRole::TextInput), 0)
            .set_accessible_value(value);
        self.settle();
    }

    pub fn tap_field(&self, label: &str) {
        self.element(label, Some(AccessibleRole::TextInput), 0)
            .invoke_accessible_default_action();
        self.settle();
    }

    /// A finger on the window at (`x`, `y`) for `held` of mock time.
    pub fn press(&self, x: f32, y: f32, held: Duration) {
        let position = slint::LogicalPosition::new(x, y);
        let window = self.ui.window();
        window.dispatch_event(WindowEvent::PointerMoved { position });
        window.dispatch_event(WindowEvent::PointerPressed {
            position,
            button: PointerEventButton::Left,
        });
        let mut left = held;
        while !left.is_zero() {
            let step = left.min(Duration::from_millis(100));
            self.pump_by(step);
            left -= step;
        }
        window.dispatch_event(WindowEvent::PointerReleased {
            position,
            button: PointerEventButton::Left,
        });
        self.settle();
    }

    /// A scroll wheel (or a flick) over (`x`, `y`): a negative `dy` moves the content up.
    pub fn scroll(&self, x: f32, y: f32, dy: f32) {
        let position = slint::LogicalPosition::new(x, y);
        let window = self.ui.window();
        window.dispatch_event(WindowEvent::PointerMoved { position });
        window.dispatch_event(WindowEvent::PointerScrolled {
            position,
            delta_x: 0.0,
            delta_y: dy,
        });
        self.settle();
    }

    /// A barcode scanner in keyboard mode: 3 ms between keys, then Enter.
    pub fn scan(&self, text: &str) {
        let enter = char::from(slint::platform::Key::Return).to_string();
        for c in text.chars().map(String::from).chain([enter]) {
            self.ui.window().dispatch_event(WindowEvent::KeyPressed {
                text: c.clone().into(),
            });
            self.ui
                .window()
                .dispatch_event(WindowEvent::KeyReleased { text: c.into() });
            i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(3));
        }
        self.settle();
    }

    pub fn screen(&self) -> Screen {
        self.ui.global::<Nav>().get_screen()
    }
}

/// What a phone's camera reads from a QR code on the screen: the image decoded by zbarimg.
#[allow(dead_code)] // not every UI test binary shows a QR code
pub fn decode_qr(image: &slint::Image, dir: &std::path::Path) -> String {
    let buffer = image.to_rgb8().expect("a pixel image");
    let path = dir.join("qr.png");
    let file = std::fs::File::create(&path).unwrap();
    let mut encoder = png::Encoder::new(file, buffer.width(), buffer.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(buffer.as_bytes())
        .unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&path)
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub fn submit(h: &Harness) -> motcua_kiosk::app::SubmitAdapter<'_> {
    h.ui.global::<motcua_kiosk::app::SubmitAdapter>()
}

/// Pages attached to the procedure's document `document`.
pub fn pages(h: &Harness, document: usize) -> usize {
    use slint::Model;
    submit(h)
        .get_documents()
        .row_data(document)
        .map(|d| d.pages.row_count())
        .unwrap_or(0)
}
