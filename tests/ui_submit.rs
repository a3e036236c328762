//! Submitting a dossier through the real kiosk screens (Slint testing backend) against the real
//! central server over real HTTP: the applicant form filled from a citizen ID card's QR and
//! checked field by field, a page from the document scanner (a command that writes an image, as
//! `scanimage` does), a page photographed "by phone" (the upload page on the server, posted to
//! with a real HTTP client), review, confirmation while the server is down ("saved, will be sent"),
//! then delivery once it is back, the receipt with its status QR, and nothing left afterwards.
//! One event loop per process: a single test walks through it.

mod common;

use common::ui::{Harness, decode_qr, pages, submit};
use common::{png_page, walk};

use std::io::Write;
use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use motcua_central::{CentralConfig, DEMO_CATALOG, RunningServer};
use motcua_kiosk::app::{
    AttachProblem, FieldProblem, Kiosk, PrintState, ReceiptPrinter, Screen, SearchAdapter,
    SubmissionSettings, SubmitStep,
};
use motcua_kiosk::submission::receipt::escpos::{parse_escpos, stored_qr_payloads};
use motcua_kiosk::submission::receipt::{PrinterConfig, PrinterKind};
use slint::{ComponentHandle, Model};

const CARD: &str = "079190004321|272727272|Trần Thị Bích Ngọc|12051990|Nữ|12 Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh|15082021";

/// The applicant form's field `index`: its value and what is wrong with it.
fn field(h: &Harness, index: usize) -> (String, FieldProblem) {
    let field = submit(h).get_fields().row_data(index).expect("field");
    (field.value.to_string(), field.problem)
}

/// Decodes the QR code in a Slint image with `zbarimg`, as a phone camera would.
/// What a phone's browser does with the upload page: open it (claiming the session) and post a
/// photo as multipart/form-data.
async fn phone_uploads(url: &str, photo: &[u8]) {
    let client = reqwest::Client::new();
    let page = client.get(url).send().await.unwrap();
    assert!(page.status().is_success(), "{}", page.status());
    let cookie = page
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("the page claims the session with a cookie")
        .to_owned();
    let boundary = "----motcuatestboundary";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"giay-chung-sinh.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(photo);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    let answer = client
        .post(url)
        .header(reqwest::header::COOKIE, cookie)
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

#[test]
fn visitor_submits_a_dossier() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut config: CentralConfig = common::central_config(server_dir.path());
    let server: RunningServer =
        runtime.block_on(common::spawn_central(server_dir.path(), DEMO_CATALOG));
    config.listen = server.addr;
    let base = server.base_url();
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-1").unwrap();
    let storage = common::open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let sync = motcua_kiosk::catalog::SyncClient::new(&base).unwrap();
    runtime
        .block_on(motcua_kiosk::catalog::sync_once(&sync, &storage))
        .unwrap();

    // The "document scanner": a command that writes a page to its output, as scanimage does.
    let page = files.path().join("page.png");
    std::fs::write(&page, png_page()).unwrap();
    let scanner_output = files.path().join("scanner-output");
    std::fs::copy(&page, &scanner_output).unwrap();
    // A network receipt printer with paper, on 127.0.0.1.
    let (printer_address, printer) = common::fake_printer(Some(0x12));
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    runtime.spawn(motcua_kiosk::submission::delivery::run(
        motcua_kiosk::submission::DeliveryClient::new(&base, Some(credential.clone())).unwrap(),
        storage.clone(),
        wake.clone(),
        motcua_kiosk::submission::FullJitter {
            min: Duration::from_millis(100),
            max: Duration::from_millis(400),
            attempts: usize::MAX,
        },
    ));
    let kiosk = Kiosk {
        storage: storage.clone(),
        public_base: base.clone(),
        status_client: motcua_kiosk::status::StatusClient::new(&base, Some(credential.clone()))
            .unwrap(),
        runtime: runtime.handle().clone(),
        scanner_rules: Default::default(),
        samples: Vec::new(),
        submission: SubmissionSettings {
            data_dir: kiosk_dir.path().to_owned(),
            scanner_command: Some(vec!["cat".to_owned(), scanner_output.display().to_string()]),
            phone: motcua_kiosk::submission::phone::PhoneClient::new(&base, Some(credential)).ok(),
            kiosk_name: "quay-1".into(),
            wake,
            printer: Some(ReceiptPrinter::new(PrinterConfig {
                kind: PrinterKind::Network,
                address: Some(printer_address.to_string()),
                ..PrinterConfig::default()
            })),
            ..Default::default()
        },
        staff: Default::default(),
    };
    let h = Harness::open(kiosk);

    // From the home tile: only procedures that take online dossiers are offered.
    h.tap("Nộp hồ sơ trực tuyến");
    assert_eq!(h.screen(), Screen::Search);
    assert!(h.ui.global::<SearchAdapter>().get_submit_mode());
    h.type_keys("ket hon");
    let results: Vec<String> =
        h.ui.global::<SearchAdapter>()
            .get_results()
            .iter()
            .map(|r| r.online.to_string())
            .collect();
    assert!(!results.is_empty());
    assert!(results.iter().all(|o| o != "none"), "{results:?}");
    h.tap("Về trang chủ");

    // From a procedure's detail page.
    h.tap("Tra cứu thủ tục");
    h.type_keys("khai sinh");
    h.tap("Đăng ký khai sinh");
    assert_eq!(h.screen(), Screen::Detail);
    h.tap("Nộp hồ sơ này trực tuyến");
    assert_eq!(h.screen(), Screen::Submit);
    assert_eq!(submit(&h).get_step(), SubmitStep::Applicant);
    assert_eq!(submit(&h).get_procedure_name(), "Đăng ký khai sinh");

    // The ID card's QR fills the form; the phone number is still to be given.
    h.scan(CARD);
    assert_eq!(
        h.screen(),
        Screen::Submit,
        "a scanned ID card stays on the form"
    );
    assert_eq!(field(&h, 0).0, "Trần Thị Bích Ngọc");
    assert_eq!(field(&h, 1).0, "079190004321");
    assert_eq!(field(&h, 2).0, "12/05/1990");
    assert!(submit(&h).get_card_filled());
    h.tap("Tiếp tục");
    assert_eq!(
        submit(&h).get_step(),
        SubmitStep::Applicant,
        "the phone is missing"
    );
    assert_eq!(field(&h, 3).1, FieldProblem::Phone);
    // Typed on the on-screen keyboard (digits), one field at a time.
    h.tap_field("Số điện thoại di động");
    for digit in "0987654321".chars() {
        h.tap(&digit.to_string());
    }
    assert_eq!(field(&h, 3), ("0987654321".into(), FieldProblem::None));
    // A wrong province code is named precisely, next to the field.
    h.set_field("Số căn cước công dân (12 chữ số)", "003190004321");
    h.tap("Tiếp tục");
    assert_eq!(field(&h, 1).1, FieldProblem::IdProvince);
    h.set_field("Số căn cước công dân (12 chữ số)", "079190004321");
    h.tap("Tiếp tục");
    assert_eq!(submit(&h).get_step(), SubmitStep::Documents);

    // Continuing without the required documents names them.
    h.tap("Tiếp tục");
    assert_eq!(
        submit(&h).get_attach_problem(),
        AttachProblem::MissingRequired
    );
    assert_eq!(submit(&h).get_missing().row_count(), 2);

    // The scanner's page for the form.
    h.tap_nth("Quét một trang", 0);
    h.wait_for("the scanned page", || pages(&h, 0) == 1);
    // A program renamed as a picture is refused, by its content.
    std::fs::write(&scanner_output, b"MZ\x90\x00\x03\x00\x00\x00not a picture").unwrap();
    h.tap_nth("Quét một trang", 0);
    h.wait_for("the refusal", || {
        submit(&h).get_attach_problem() == AttachProblem::NotAllowedType
    });
    assert_eq!(pages(&h, 0), 1);

    // The birth certificate, photographed with the visitor's phone.
    h.tap_nth("Dùng điện thoại", 1);
    h.wait_for("the phone QR", || submit(&h).get_phone_document() == 1);
    let upload_url = decode_qr(&submit(&h).get_phone_qr(), files.path());
    assert!(
        upload_url.starts_with(&format!("{base}/tai-len/")),
        "{upload_url}"
    );
    let photo = std::fs::read(&page).unwrap();
    runtime.block_on(phone_uploads(&upload_url, &photo));
    h.wait_for("the phone's photo", || pages(&h, 1) == 1);
    h.tap("Xong, không dùng điện thoại nữa");
    h.tap("Tiếp tục");
    assert_eq!(submit(&h).get_step(), SubmitStep::Review);

    // Confirmed while the server is down: saved, and the visitor is told so.
    runtime.block_on(server.stop());
    h.tap("Xác nhận và nộp hồ sơ");
    h.wait_for("the saved receipt", || {
        submit(&h).get_step() == SubmitStep::Receipt
    });
    assert!(!submit(&h).get_delivered());
    let reference = submit(&h).get_local_reference().to_string();
    assert!(reference.starts_with("QUAY1-"), "{reference}");
    assert!(
        ElementHandle::find_by_accessible_label(&h.ui, "Đã lưu. Hồ sơ sẽ được gửi khi có mạng.")
            .next()
            .is_some()
    );
    // Its status QR is already on screen, and on the printed slip with the reference.
    let promised = decode_qr(&submit(&h).get_status_qr(), files.path());
    h.tap("In giấy hẹn");
    h.wait_for("the printed slip", || {
        submit(&h).get_print_state() == PrintState::Done
    });
    let printed = printer.join().unwrap();
    let commands = parse_escpos(&printed[3..]).unwrap();
    assert_eq!(stored_qr_payloads(&commands), [promised.as_bytes()]);

    // The server comes back: the outbox delivers, the receipt shows the dossier.
    let server = runtime
        .block_on(motcua_central::start(config.clone()))
        .unwrap();
    h.wait_for("delivery", || submit(&h).get_delivered());
    let code = submit(&h).get_code().to_string();
    assert!(code.starts_with("G00.01-"), "{code}");
    let status_url = decode_qr(&submit(&h).get_status_qr(), files.path());
    assert!(
        status_url.starts_with(&format!("{base}/ho-so/")),
        "{status_url}"
    );
    assert_eq!(
        status_url, promised,
        "the saved slip's QR works once delivered"
    );
    let dossiers = motcua_central::open_dossiers(&config).unwrap();
    assert_eq!(dossiers.count().unwrap(), 1);
    drop(dossiers);

    // Finished: nothing of the visitor remains on screen or on the kiosk's disk.
    h.tap("Hoàn tất");
    assert_eq!(h.screen(), Screen::Home);
    assert_eq!(submit(&h).get_fields().row_count(), 0);
    assert_eq!(submit(&h).get_documents().row_count(), 0);
    assert_eq!(submit(&h).get_code(), "");
    let staging = kiosk_dir.path().join("staging");
    let left: Vec<_> = walk(&staging);
    assert!(left.is_empty(), "{left:?}");
    assert!(walk(&kiosk_dir.path().join("outbox")).is_empty());
    runtime.block_on(server.stop());
}
