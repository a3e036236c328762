//! "Đánh giá, góp ý" through the real window (Slint's testing backend), the real kiosk database,
//! the real delivery loop and the real central server on loopback: a rating and a feedback made
//! while the server is down reach it exactly once when it is back; staff answer the feedback and
//! the visitor reads the answer with the reference the kiosk gave them; nothing is left behind.

mod common;

use std::time::Duration;

use common::ui::{Harness, decode_qr};
use motcua_central::{CentralConfig, DEMO_CATALOG};
use motcua_kiosk::app::{
    AnswerState, FeedbackAdapter, FeedbackProblem, FeedbackView, Kiosk, PrintState, ReceiptPrinter,
};
use motcua_kiosk::config::KioskConfig;
use motcua_kiosk::submission::receipt::escpos::{parse_escpos, stored_qr_payloads};
use motcua_kiosk::submission::receipt::{PrinterConfig, PrinterKind};
use motcua_protocol::{AnswerText, FeedbackReference};
use slint::ComponentHandle;

fn feedback(h: &Harness) -> FeedbackAdapter<'_> {
    h.ui.global::<FeedbackAdapter>()
}

fn central_count(config: &CentralConfig, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(config.database_path()).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn waiting(kiosk: &Kiosk) -> u64 {
    kiosk
        .storage
        .call_blocking(|s| s.outbox.depth())
        .unwrap()
        .unwrap()
        .0
}

#[test]
fn rating_and_feedback_sent_while_the_server_is_down_arrive_once_and_the_answer_reads_back() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let logs = common::process_logs();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let mut config = common::central_config(server_dir.path());
    let server = runtime.block_on(common::spawn_central(server_dir.path(), DEMO_CATALOG));
    config.listen = server.addr;
    let base = server.base_url();
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-1").unwrap();
    let mut kiosk =
        common::ui::synced_kiosk(&runtime, &base, kiosk_dir.path(), KioskConfig::default());
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    kiosk.submission.wake = wake.clone();
    // A network receipt printer with paper, on 127.0.0.1.
    let (printer_address, printer) = common::fake_printer(Some(0x12));
    kiosk.submission.printer = Some(ReceiptPrinter::new(PrinterConfig {
        kind: PrinterKind::Network,
        address: Some(printer_address.to_string()),
        ..PrinterConfig::default()
    }));
    runtime.spawn(motcua_kiosk::submission::delivery::run(
        motcua_kiosk::submission::DeliveryClient::new(&base, Some(credential)).unwrap(),
        kiosk.storage.clone(),
        wake,
        motcua_kiosk::submission::FullJitter {
            min: Duration::from_millis(100),
            max: Duration::from_millis(400),
            attempts: usize::MAX,
        },
    ));
    // The server goes away before the visitor starts.
    runtime.block_on(server.stop());
    let h = Harness::open(kiosk);

    h.tap("Đánh giá, góp ý");
    h.tap("Đánh giá mức độ hài lòng");
    assert_eq!(feedback(&h).get_view(), FeedbackView::Rating);
    // No face: told to choose one; nothing saved.
    h.tap("Gửi đánh giá");
    assert_eq!(feedback(&h).get_face_problem(), FeedbackProblem::NoFace);
    assert!(h.has("Vui lòng chạm vào một trong ba khuôn mặt."));
    h.tap("Không hài lòng");
    h.tap_field("Ý kiến (không bắt buộc)");
    h.type_keys("chowf quas laau");
    assert_eq!(feedback(&h).get_comment(), "chờ quá lâu");
    // A code that is not a dossier code is explained, not sent.
    h.tap_field("Mã hồ sơ: quét mã QR trên giấy biên nhận, hoặc nhập mã");
    h.type_keys("123");
    h.tap("Gửi đánh giá");
    assert_eq!(feedback(&h).get_code_problem(), FeedbackProblem::BadCode);
    assert_eq!(feedback(&h).get_face_problem(), FeedbackProblem::None);
    h.type_keys("<<<");
    h.tap("Gửi đánh giá");
    h.wait_for("the rating saved", || {
        feedback(&h).get_view() == FeedbackView::Rated
    });
    assert_eq!(waiting(&h.kiosk), 1);
    // One rating per visit: asking again thanks instead of offering the faces.
    h.tap("Quay lại");
    assert_eq!(feedback(&h).get_view(), FeedbackView::Choose);
    h.tap("Đánh giá mức độ hài lòng");
    assert_eq!(feedback(&h).get_view(), FeedbackView::Rated);
    assert!(!h.has("Gửi đánh giá"));

    // Feedback: each missing part explained, then sent.
    h.tap("Quay lại");
    h.tap("Phản ánh, kiến nghị");
    h.tap("Gửi phản ánh");
    assert_eq!(feedback(&h).get_topic_problem(), FeedbackProblem::NoTopic);
    assert_eq!(feedback(&h).get_text_problem(), FeedbackProblem::NoText);
    h.tap("Cơ sở vật chất");
    h.type_keys("ghees chowf hongr");
    h.tap_field("Số điện thoại để nhận trả lời (không bắt buộc)");
    h.type_keys("123");
    h.tap("Gửi phản ánh");
    assert_eq!(feedback(&h).get_phone_problem(), FeedbackProblem::BadPhone);
    assert_eq!(feedback(&h).get_topic_problem(), FeedbackProblem::None);
    h.type_keys("<<<0912345678");
    h.tap("Gửi phản ánh");
    h.wait_for("the feedback saved", || {
        feedback(&h).get_view() == FeedbackView::Sent
    });
    let reference = FeedbackReference::parse(&feedback(&h).get_reference()).unwrap();
    assert!(h.has(reference.as_str()));
    // The QR code opens the feedback's page on the central server.
    assert_eq!(
        decode_qr(&feedback(&h).get_reference_qr(), kiosk_dir.path()),
        format!("{base}/phan-anh/{reference}")
    );
    assert_eq!(waiting(&h.kiosk), 2);
    // On paper: the reference and the same QR code, nothing the visitor wrote.
    h.tap("In mã tra cứu");
    h.wait_for("printing", || {
        feedback(&h).get_print_state() == PrintState::Done
    });
    let printed = printer.join().unwrap();
    let commands = parse_escpos(&printed[3..]).unwrap();
    assert_eq!(
        stored_qr_payloads(&commands),
        [format!("{base}/phan-anh/{reference}").as_bytes()]
    );

    // Read back while the server is still down: saved here, not yet sent.
    h.tap("Hoàn tất");
    h.tap("Đánh giá, góp ý");
    h.tap("Xem trả lời phản ánh");
    h.type_keys(&reference.as_str()[3..].replace('-', ""));
    h.tap("Xem trả lời");
    h.wait_for("the lookup", || {
        feedback(&h).get_answer_state() != AnswerState::Loading
    });
    assert_eq!(feedback(&h).get_answer_state(), AnswerState::Waiting);

    // The server is back: both arrive, once each, though the kiosk retried all along.
    let server = runtime
        .block_on(motcua_central::start(config.clone()))
        .unwrap();
    h.wait_for("delivery", || waiting(&h.kiosk) == 0);
    assert_eq!(central_count(&config, "ratings"), 1);
    assert_eq!(central_count(&config, "feedback"), 1);
    let store = motcua_central::open_feedback(&config).unwrap();
    let item = store.item(&reference).unwrap().unwrap();
    assert_eq!(item.text.as_str(), "ghế chờ hỏng");
    assert_eq!(item.phone.unwrap().as_str(), "0912345678");
    assert_eq!(item.kiosk, "quay-1");
    drop(store);

    // Unanswered, then answered by staff: the visitor reads it with the reference.
    h.tap("Quay lại");
    h.tap("Xem trả lời");
    h.wait_for("the lookup", || {
        feedback(&h).get_answer_state() == AnswerState::Pending
    });
    assert_eq!(feedback(&h).get_own_text(), "ghế chờ hỏng");
    let mut store = motcua_central::open_feedback(&config).unwrap();
    store
        .answer(
            &reference,
            &AnswerText::parse("Trung tâm đã thay ghế mới. Cảm ơn ông/bà.").unwrap(),
            "command line",
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    h.tap("Quay lại");
    h.tap("Xem trả lời");
    h.wait_for("the answer", || {
        feedback(&h).get_answer_state() == AnswerState::Answered
    });
    assert!(h.has("Trung tâm đã thay ghế mới. Cảm ơn ông/bà."));
    assert_eq!(feedback(&h).get_answer_topic(), "Cơ sở vật chất");

    // Done: nothing the visitor wrote or read stays on the screen.
    h.tap("Hoàn tất");
    let adapter = feedback(&h);
    for text in [
        adapter.get_comment(),
        adapter.get_text(),
        adapter.get_phone(),
        adapter.get_reference(),
        adapter.get_typed_reference(),
        adapter.get_own_text(),
        adapter.get_answer_text(),
    ] {
        assert_eq!(text, "");
    }
    assert_eq!(adapter.get_face(), -1);
    assert!(!adapter.get_rated_this_visit());
    // What the visitor wrote, their phone and the reference that opens the answer are in no log
    // line of the kiosk or the server, at any level.
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        logs.contains("outbox entry delivered"),
        "logs were captured"
    );
    for secret in [
        "chờ quá lâu",
        "ghế chờ hỏng",
        "0912345678",
        reference.as_str(),
        &reference.as_str()[3..],
        "thay ghế mới",
    ] {
        assert!(!logs.contains(secret), "{secret:?} is in the logs");
    }
    // The next visitor may rate.
    h.tap("Đánh giá, góp ý");
    h.tap("Đánh giá mức độ hài lòng");
    assert_eq!(feedback(&h).get_view(), FeedbackView::Rating);
    runtime.block_on(server.stop());
}
