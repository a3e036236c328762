//! The receipt (`src/submission/receipt/`): its content from a dossier (`ReceiptContent::new`),
//! the ESC/POS byte stream sent to thermal printers (`escpos::encode`), the VietQR payment code
//! (`vietqr::payload`) and, on request, the A5 PDF (`render_pdf`).
//!
//! Input: a flag byte, a paper-width byte, the fee (8 bytes, little endian), two day offsets
//! (received, due), then text lines: center name, applicant name, procedure name, agency, status
//! URL, local reference, account holder, bank BIN, account number.
//!
//! Asserts: the receipt's texts are NFC and free of control characters; it carries exactly the
//! official fields, the applicant's name only when one was given and nothing else about the
//! applicant; the status QR code is the status URL; a payment code appears exactly when an
//! account is configured and valid and there is a fee, and is well-formed EMVCo (lengths, CRC,
//! amount, currency, country, an ASCII purpose of at most 25 characters). The ESC/POS stream
//! parses with the strict parser, starts with `ESC @` and ends with a feed and a partial cut,
//! its raster bands are the paper's width and at most `BAND_ROWS` high, and the printer's own
//! QR codes are exactly the status URL when `native_qr` is set. A PDF starts with `%PDF-`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_kiosk::submission::receipt::escpos::{
    self, BAND_ROWS, Command, EscPosOptions, parse_escpos, raster_image, stored_qr_payloads,
};
use motcua_kiosk::submission::receipt::raster::qr_modules;
use motcua_kiosk::submission::receipt::{
    QrKind, ReceiptContent, ReceiptDossier, SavedDossier, render_pdf,
};
use motcua_kiosk::submission::vietqr::{self, PaymentAccount, crc16_ccitt_false, parse_tlv};
use motcua_protocol::{DossierCode, DossierStatus, ProcedureCode, SubmissionReceipt};
use time::{Date, Duration, Month};
use unicode_normalization::UnicodeNormalization;

fuzz_target!(|data: &[u8]| {
    if data.len() < 14 {
        return;
    }
    let flags = data[0];
    let width_dots = 128 + 8 * u32::from(data[1] % 113);
    let fee = u64::from_le_bytes(data[2..10].try_into().expect("8 bytes"));
    let start = Date::from_calendar_date(2026, Month::January, 1).expect("a date");
    let received_on = start + Duration::days(i64::from(u16::from_le_bytes([data[10], data[11]])));
    let due_on = received_on + Duration::days(i64::from(u16::from_le_bytes([data[12], data[13]])));
    let text = String::from_utf8_lossy(&data[14..]);
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or_default().to_owned();
    let (center, applicant, procedure_name, agency, status_url, local_reference) =
        (next(), next(), next(), next(), next(), next());
    let account = PaymentAccount {
        account_name: next(),
        bank_bin: next(),
        account: next(),
    };

    let delivered = flags & 1 != 0;
    let native_qr = flags & 2 != 0;
    let payment = (flags & 4 != 0).then_some(&account);
    let applicant = (flags & 8 != 0).then_some(applicant.as_str());
    let pdf = flags & 16 != 0;

    let dossier = if delivered {
        ReceiptDossier::Delivered(SubmissionReceipt {
            code: DossierCode::parse("G09.20-20261122-0000001").expect("a code"),
            procedure_code: ProcedureCode::parse("1.001193").expect("a code"),
            procedure_name: procedure_name.clone(),
            agency,
            received_on,
            due_on,
            status: DossierStatus::Registered,
            status_url: status_url.clone(),
            fee_total_vnd: fee,
        })
    } else {
        ReceiptDossier::Saved(SavedDossier {
            local_reference,
            procedure_code: "1.001193".into(),
            procedure_name: procedure_name.clone(),
            saved_on: received_on,
            fee_total_vnd: fee,
            status_url: (flags & 32 != 0).then(|| status_url.clone()),
        })
    };
    let content = ReceiptContent::new(&dossier, &center, applicant, payment);
    check_content(&content, &dossier, applicant, payment);

    let options = EscPosOptions {
        width_dots,
        native_status_qr: native_qr,
    };
    let stream = escpos::encode(&content, &options);
    check_stream(&stream, &content, &options);

    if let Ok(payload) = vietqr::payload(&account, fee, &procedure_name) {
        check_payment_code(&payload, fee);
    }
    if pdf {
        let document = render_pdf(&content);
        assert!(document.starts_with(b"%PDF-"));
    }
});

fn check_text(text: &str) {
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(unicode_normalization::is_nfc(text), "{text:?}");
}

fn check_content(
    content: &ReceiptContent,
    dossier: &ReceiptDossier,
    applicant: Option<&str>,
    payment: Option<&PaymentAccount>,
) {
    check_text(&content.center_name);
    for field in &content.fields {
        check_text(&field.value);
    }
    for code in &content.codes {
        if let Some(detail) = &code.detail {
            check_text(detail);
        }
    }
    let name = applicant.map(str::trim).filter(|n| !n.is_empty());
    let labels: Vec<&str> = content.fields.iter().map(|f| f.label.as_str()).collect();
    let mut expected: Vec<&str> = match dossier {
        ReceiptDossier::Delivered(_) => vec![
            "Mã hồ sơ",
            "Thủ tục",
            "Cơ quan giải quyết",
            "Ngày tiếp nhận",
            "Ngày hẹn trả kết quả",
            "Lệ phí",
        ],
        ReceiptDossier::Saved(_) => vec!["Số tham chiếu", "Thủ tục", "Ngày lưu", "Lệ phí"],
    };
    if name.is_some() {
        expected.insert(1, "Người nộp");
    }
    assert_eq!(labels, expected);
    if let Some(name) = name {
        let shown: String = name
            .nfc()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        assert_eq!(content.fields[1].value, shown);
    }
    match dossier {
        ReceiptDossier::Delivered(receipt) => {
            assert_eq!(content.codes[0].kind, QrKind::Status);
            assert_eq!(content.codes[0].payload, receipt.status_url);
            let pays = payment.is_some_and(|a| a.validate().is_ok()) && receipt.fee_total_vnd > 0;
            assert_eq!(content.codes.len(), 1 + usize::from(pays));
            if pays {
                assert_eq!(content.codes[1].kind, QrKind::Payment);
                check_payment_code(&content.codes[1].payload, receipt.fee_total_vnd);
            }
        }
        ReceiptDossier::Saved(saved) => {
            assert_eq!(
                content.codes.iter().map(|c| &c.payload).collect::<Vec<_>>(),
                saved.status_url.iter().collect::<Vec<_>>()
            );
        }
    }
}

fn check_payment_code(payload: &str, fee: u64) {
    let fields = parse_tlv(payload).unwrap_or_else(|| panic!("malformed VietQR {payload:?}"));
    let value = |tag: &str| {
        fields
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(value("00"), Some("01"));
    assert_eq!(value("53"), Some("704"));
    assert_eq!(value("58"), Some("VN"));
    if fee > 0 {
        assert_eq!(value("54"), Some(fee.to_string().as_str()));
    }
    let (body, crc) = payload.split_at(payload.len() - 4);
    assert!(body.ends_with("6304"));
    assert_eq!(
        u16::from_str_radix(crc, 16).ok(),
        Some(crc16_ccitt_false(body.as_bytes())),
        "{payload}"
    );
    if let Some(additional) = value("62") {
        let inner = parse_tlv(additional).expect("additional data is TLV");
        for (tag, purpose) in inner {
            assert_eq!(tag, "08");
            assert!(purpose.len() <= 25 && !purpose.is_empty());
            assert!(
                purpose
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.'))
            );
        }
    }
}

fn check_stream(stream: &[u8], content: &ReceiptContent, options: &EscPosOptions) {
    let commands = parse_escpos(stream).unwrap_or_else(|e| panic!("our own stream: {e}"));
    assert_eq!(commands.first(), Some(&Command::Init));
    let n = commands.len();
    assert!(n >= 3);
    assert_eq!(commands[n - 2], Command::FeedLines(3));
    assert_eq!(
        commands[n - 1],
        Command::Cut {
            partial: true,
            feed: Some(0)
        }
    );
    for command in &commands {
        if let Command::Raster {
            width_bytes,
            height,
            ..
        } = command
        {
            assert_eq!(u32::from(*width_bytes) * 8, options.width_dots);
            assert!(u32::from(*height) <= BAND_ROWS && *height > 0);
        }
    }
    let picture = raster_image(&commands).expect("a receipt has a picture");
    assert_eq!(picture.width(), options.width_dots);
    let expected: Vec<Vec<u8>> = if options.native_status_qr {
        content
            .codes
            .iter()
            .filter(|c| c.kind == QrKind::Status && qr_modules(&c.payload).is_some())
            .map(|c| c.payload.clone().into_bytes())
            .collect()
    } else {
        Vec::new()
    };
    assert_eq!(stored_qr_payloads(&commands), expected);
}
