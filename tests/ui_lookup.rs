//! The real kiosk screens driven through Slint's testing backend, on the demo catalog synced over
//! real HTTP into a real SQLite file. The testing backend allows one event loop per process, so
//! this file holds a single test that walks through the scenarios in turn.

mod common;

use common::ui::Harness;

use std::process::Command;

use motcua_kiosk::app::{DetailAdapter, Header, KeyboardAdapter, Kiosk, Screen, SearchAdapter};
use slint::{ComponentHandle, Model};

fn result_names(h: &Harness) -> Vec<String> {
    let results = h.ui.global::<SearchAdapter>().get_results();
    results.iter().map(|r| r.name.to_string()).collect()
}

#[test]
fn visitor_looks_up_procedures() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let data = tempfile::tempdir().unwrap();
    let storage = motcua_kiosk::demo::synced_demo_storage(data.path()).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let kiosk = Kiosk {
        storage,
        public_base: "http://127.0.0.1:8080".into(),
        status_client: motcua_kiosk::status::StatusClient::new("http://127.0.0.1:9", None).unwrap(),
        runtime: runtime.handle().clone(),
        scanner_rules: Default::default(),
        samples: Vec::new(),
        submission: Default::default(),
        staff: Default::default(),
    };
    let h = Harness::open(kiosk);

    search_with_the_on_screen_keyboard_then_open_the_detail(&h);
    a_longer_query_updates_the_rows_in_place_and_starts_at_the_top(&h);
    telex_composition_on_the_keyboard(&h);
    no_results_offers_browsing(&h);
    browse_a_field_then_a_procedure(&h);
    switch_to_english_and_back(&h);
    going_home_forgets_the_visitor(&h);
    page_qr_decodes_to_the_procedure_page(&h);
    landscape_lays_out_its_own_way(&h);
}

fn no_results_offers_browsing(h: &Harness) {
    h.type_keys("qzxwv");
    assert_eq!(result_names(h).len(), 0);
    assert!(
        h.has("Xem theo lĩnh vực"),
        "a way out instead of a dead end"
    );
    h.tap("Xem theo lĩnh vực");
    assert_eq!(h.screen(), Screen::Browse);
}

fn landscape_lays_out_its_own_way(h: &Harness) {
    use motcua_kiosk::app::Theme;
    assert!(!h.ui.global::<Theme>().get_landscape());
    h.ui.window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    h.settle();
    assert!(h.ui.global::<Theme>().get_landscape());
    h.tap("Về trang chủ");
    // Landscape browse shows the fields and the chosen field's procedures side by side.
    h.tap("Xem theo lĩnh vực");
    h.tap("Hộ tịch");
    assert!(
        h.has("Chọn lĩnh vực"),
        "the field list stays beside the procedures"
    );
    assert!(
        h.has("Cấp bản sao Trích lục hộ tịch"),
        "the field's procedures, in dictionary order"
    );
    h.ui.window()
        .set_size(slint::LogicalSize::new(1080.0, 1920.0));
    h.settle();
    assert!(!h.ui.global::<Theme>().get_landscape());
    h.tap("Về trang chủ");
}

fn search_with_the_on_screen_keyboard_then_open_the_detail(h: &Harness) {
    assert_eq!(h.screen(), Screen::Home);
    h.tap("Tra cứu thủ tục");
    assert_eq!(h.screen(), Screen::Search);
    assert!(
        h.ui.global::<KeyboardAdapter>().get_shown(),
        "the keyboard opens with the search screen"
    );
    // An empty query offers the fields people look up.
    assert!(
        h.ui.global::<SearchAdapter>()
            .get_popular_fields()
            .row_count()
            > 0
    );

    h.type_keys("khai sinh");
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "khai sinh");
    let names = result_names(h);
    assert!(names.iter().any(|n| n == "Đăng ký khai sinh"), "{names:?}");
    assert!(h.has("Đăng ký khai sinh"), "the result row is on screen");

    h.tap("Đăng ký khai sinh");
    assert_eq!(h.screen(), Screen::Detail);
    let detail = h.ui.global::<DetailAdapter>();
    assert_eq!(detail.get_name(), "Đăng ký khai sinh");
    let documents: Vec<String> = detail
        .get_documents()
        .iter()
        .map(|d| d.name.to_string())
        .collect();
    assert!(
        documents.iter().any(|d| d.starts_with("Giấy chứng sinh")),
        "{documents:?}"
    );
    assert!(
        detail.get_documents().iter().any(|d| d.has_form),
        "the form has a QR"
    );
    let fees: Vec<(String, String)> = detail
        .get_fees()
        .iter()
        .map(|f| (f.name.to_string(), f.amount.to_string()))
        .collect();
    assert!(
        fees.iter().any(|(_, amount)| amount == "8.000 đ"),
        "{fees:?}"
    );
    assert!(
        fees.iter().any(|(_, amount)| amount.is_empty()),
        "a free fee shows as free: {fees:?}"
    );

    h.tap("Quay lại");
    assert_eq!(h.screen(), Screen::Search, "back returns to the results");
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "khai sinh");
}

/// Rows are updated in place as the query grows (fewer rows redrawn per keystroke); the list must
/// still show the new query's best results from the top, not where the visitor had scrolled.
fn a_longer_query_updates_the_rows_in_place_and_starts_at_the_top(h: &Harness) {
    h.tap("Về trang chủ");
    h.tap("Tra cứu thủ tục");
    h.type_keys("c");
    let first = result_names(h);
    assert!(first.len() > 20, "enough rows to scroll: {first:?}");
    assert!(h.has(&first[0]), "the best result is on screen");
    let model = h.ui.global::<SearchAdapter>().get_results();

    h.scroll(540.0, 900.0, -3000.0);
    assert!(
        !h.has(&first[0]),
        "scrolled past the first rows (only rows in view exist)"
    );

    h.type_keys("a");
    let second = result_names(h);
    assert_ne!(second, first, "the longer query narrows or reorders");
    assert!(
        h.ui.global::<SearchAdapter>().get_results() == model,
        "the same model, updated in place"
    );
    assert!(h.has(&second[0]), "a new query starts at the top");
}

fn telex_composition_on_the_keyboard(h: &Harness) {
    h.tap("Xóa hết");
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "");
    h.type_keys("ddawng kys keets hoon");
    assert_eq!(
        h.ui.global::<SearchAdapter>().get_query(),
        "đăng ký kết hôn"
    );
    assert_eq!(
        result_names(h).first().map(String::as_str),
        Some("Đăng ký kết hôn")
    );
    h.type_keys("<<<<");
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "đăng ký kết");
    // A physical keyboard's text is taken over and keeps composing.
    h.ui.global::<SearchAdapter>()
        .invoke_typed("dang ky".into());
    h.type_keys("s");
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "dang ký");
    h.tap("Xóa hết");
}

fn browse_a_field_then_a_procedure(h: &Harness) {
    h.tap("Về trang chủ");
    assert_eq!(h.screen(), Screen::Home);
    h.tap("Xem theo lĩnh vực");
    assert_eq!(h.screen(), Screen::Browse);
    assert!(h.has("Hộ tịch"), "the fields are listed");
    h.tap("Hộ tịch");
    assert_eq!(h.screen(), Screen::Field);
    assert!(h.has("Đăng ký kết hôn"));
    h.tap("Đăng ký kết hôn");
    assert_eq!(h.screen(), Screen::Detail);
    assert_eq!(h.ui.global::<DetailAdapter>().get_name(), "Đăng ký kết hôn");
    h.tap("Quay lại");
    assert_eq!(h.screen(), Screen::Field);
    h.tap("Quay lại");
    assert_eq!(h.screen(), Screen::Browse);
}

fn switch_to_english_and_back(h: &Harness) {
    h.tap("Về trang chủ");
    h.tap("English");
    assert_eq!(h.ui.global::<Header>().get_language(), "en");
    assert!(h.has("Look up a procedure"), "home tiles in English");
    assert!(!h.has("Tra cứu thủ tục"));
    h.tap("Look up a procedure");
    h.type_keys("ket hon");
    h.tap("Đăng ký kết hôn");
    // Money follows the language.
    let detail = h.ui.global::<DetailAdapter>();
    let amounts: Vec<String> = detail
        .get_fees()
        .iter()
        .map(|f| f.amount.to_string())
        .filter(|a| !a.is_empty())
        .collect();
    assert!(amounts.iter().all(|a| a.ends_with(" VND")), "{amounts:?}");
    h.tap("Tiếng Việt");
    assert_eq!(h.ui.global::<Header>().get_language(), "vi");
    let amounts: Vec<String> = detail
        .get_fees()
        .iter()
        .map(|f| f.amount.to_string())
        .filter(|a| !a.is_empty())
        .collect();
    assert!(amounts.iter().all(|a| a.ends_with(" đ")), "{amounts:?}");
    assert!(h.has("Quay lại"));
}

fn going_home_forgets_the_visitor(h: &Harness) {
    let index_remembers = || {
        h.kiosk
            .storage
            .call_blocking(|s| s.index().remembers_a_query())
            .unwrap()
    };
    assert!(
        index_remembers(),
        "the search index kept the last query (\"ket hon\")"
    );
    h.tap("Về trang chủ");
    assert!(!index_remembers(), "and forgot it with the visit");
    assert_eq!(h.screen(), Screen::Home);
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "");
    assert_eq!(h.ui.global::<SearchAdapter>().get_results().row_count(), 0);
    assert_eq!(h.ui.global::<DetailAdapter>().get_name(), "");
    assert!(!h.ui.global::<KeyboardAdapter>().get_shown());
    // The keyboard's composition buffer is gone too: a tone key has nothing to attach to.
    h.tap("Tra cứu thủ tục");
    h.type_keys("s");
    assert_eq!(h.ui.global::<SearchAdapter>().get_query(), "s");
    h.tap("Về trang chủ");
    // The next visitor starts in the default language, whatever the last one chose.
    h.tap("Tra cứu thủ tục");
    h.tap("English");
    assert_eq!(h.ui.global::<Header>().get_language(), "en");
    h.tap("Home");
    assert_eq!(h.ui.global::<Header>().get_language(), "vi");
    assert!(h.has("Tra cứu thủ tục"));
}

fn page_qr_decodes_to_the_procedure_page(h: &Harness) {
    h.tap("Tra cứu thủ tục");
    h.tap("Chữ số");
    h.type_keys("1.001193");
    h.tap("Chữ cái");
    assert_eq!(
        result_names(h).first().map(String::as_str),
        Some("Đăng ký khai sinh"),
        "found by its code"
    );
    h.tap("Đăng ký khai sinh");
    let detail = h.ui.global::<DetailAdapter>();
    let url = detail.get_page_url().to_string();
    assert_eq!(url, "http://127.0.0.1:8080/thu-tuc/1.001193");
    let pixels = detail
        .get_page_qr()
        .to_rgb8()
        .expect("the QR is a pixel image");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qr.png");
    let file = std::fs::File::create(&path).unwrap();
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(file),
        pixels.width(),
        pixels.height(),
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(pixels.as_bytes())
        .unwrap();
    let output = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&path)
        .output()
        .expect("zbarimg (Debian zbar-tools) is needed: run scripts/test, which installs it");
    assert!(output.status.success(), "zbarimg found no QR code");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), url);
}
