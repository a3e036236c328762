//! What a receipt says, independent of the paper: the "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
//! for a dossier the central server has, or a slip for a dossier saved on this kiosk and not yet
//! delivered. The only personal data it may carry is the applicant's name (as the paper receipts
//! of one-stop desks do), and only when the kiosk passes it.

use motcua_protocol::{AmountVnd, SubmissionReceipt};
use time::Date;

use super::text::printable;
use crate::submission::vietqr::{self, PaymentAccount};

pub const TITLE: &str = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ";
pub const SAVED_TITLE: &str = "GIẤY XÁC NHẬN ĐÃ LƯU HỒ SƠ";
pub const SAVED_NOTICE: &str = "Đã lưu, sẽ gửi khi có mạng";
pub const STATUS_CAPTION: &str = "Quét mã để xem tình trạng hồ sơ";
pub const SAVED_STATUS_CAPTION: &str = "Quét mã để xem tình trạng hồ sơ (sau khi hồ sơ được gửi)";
pub const PAYMENT_CAPTION: &str = "Quét để nộp phí";
pub const FREE: &str = "Miễn phí";

/// A dossier saved in this kiosk's outbox that the central server does not have yet: no dossier
/// code, no appointment date and no status link exist until it is delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDossier {
    /// The outbox's reference, e.g. `QUAY1-20261122-0007`.
    pub local_reference: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// The day it was confirmed (Vietnam time).
    pub saved_on: Date,
    /// Sum of the procedure's fees as the catalog states them, in đồng.
    pub fee_total_vnd: u64,
    /// The public status page the dossier will have: the kiosk proposes its status token with the
    /// dossier, so the link is known before delivery and works once the server has it.
    pub status_url: Option<String>,
}

/// What the kiosk knows about the dossier when it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptDossier {
    /// The central server has it: the receipt it returned.
    Delivered(SubmissionReceipt),
    /// Saved here, waiting for the network.
    Saved(SavedDossier),
}

/// One "label: value" line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub value: String,
    /// Printed larger/bolder: the dossier code and the appointment date.
    pub emphasis: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrKind {
    /// The public status page (`status_url`).
    Status,
    /// A VietQR payment code for the fee.
    Payment,
    /// The staff's test page.
    Test,
    /// A feedback's public page (`/phan-anh/<reference>`).
    Feedback,
}

/// A QR code with the words printed under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptQr {
    pub kind: QrKind,
    pub payload: String,
    pub caption: String,
    /// A second line under the caption (the account holder's name for a payment code).
    pub detail: Option<String>,
}

/// Everything printed on one receipt, in order: center, title, notice, fields, notes, QR codes.
/// Texts are NFC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptContent {
    pub center_name: String,
    pub title: String,
    /// A line printed inverted under the title ("Đã lưu, sẽ gửi khi có mạng").
    pub notice: Option<String>,
    pub fields: Vec<Field>,
    pub notes: Vec<String>,
    pub codes: Vec<ReceiptQr>,
}

/// `dd/mm/yyyy`, as Vietnamese forms write dates.
pub fn vietnamese_date(date: Date) -> String {
    format!(
        "{:02}/{:02}/{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// "8.000 đ", or "Miễn phí" for nothing to pay.
pub fn fee_text(amount_vnd: u64) -> String {
    if amount_vnd == 0 {
        FREE.to_owned()
    } else {
        AmountVnd(amount_vnd).format(false)
    }
}

/// The transfer purpose written into the payment code: `Le phi <code>` when it fits the 25
/// characters banking apps accept, else the bare dossier code (which does: 23 characters), so the
/// whole code always reaches the center's statement.
pub fn payment_purpose(code: &str) -> String {
    let with_words = format!("Le phi {code}");
    if with_words.len() <= 25 {
        with_words
    } else {
        code.to_owned()
    }
}

fn field(label: &str, value: impl Into<String>, emphasis: bool) -> Field {
    Field {
        label: label.to_owned(),
        value: printable(&value.into()),
        emphasis,
    }
}

impl ReceiptContent {
    /// The receipt for `dossier`, issued by `center_name`. `applicant_name` is printed when
    /// given (nothing else about the applicant ever is). With a `payment` account and a fee to
    /// pay, a delivered dossier's receipt also carries a VietQR code for the exact amount.
    pub fn new(
        dossier: &ReceiptDossier,
        center_name: &str,
        applicant_name: Option<&str>,
        payment: Option<&PaymentAccount>,
    ) -> Self {
        let applicant = applicant_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| field("Người nộp", n, false));
        match dossier {
            ReceiptDossier::Delivered(receipt) => {
                let mut fields = vec![field("Mã hồ sơ", receipt.code.as_str(), true)];
                fields.extend(applicant);
                fields.extend([
                    field(
                        "Thủ tục",
                        format!(
                            "{} ({})",
                            receipt.procedure_name,
                            receipt.procedure_code.as_str()
                        ),
                        false,
                    ),
                    field("Cơ quan giải quyết", receipt.agency.as_str(), false),
                    field(
                        "Ngày tiếp nhận",
                        vietnamese_date(receipt.received_on),
                        false,
                    ),
                    field(
                        "Ngày hẹn trả kết quả",
                        vietnamese_date(receipt.due_on),
                        true,
                    ),
                    field("Lệ phí", fee_text(receipt.fee_total_vnd), false),
                ]);
                let mut codes = vec![ReceiptQr {
                    kind: QrKind::Status,
                    payload: receipt.status_url.clone(),
                    caption: STATUS_CAPTION.to_owned(),
                    detail: None,
                }];
                if let Some(account) = payment.filter(|_| receipt.fee_total_vnd > 0) {
                    let purpose = payment_purpose(receipt.code.as_str());
                    match vietqr::payload(account, receipt.fee_total_vnd, &purpose) {
                        Ok(payload) => codes.push(ReceiptQr {
                            kind: QrKind::Payment,
                            payload,
                            caption: format!(
                                "{PAYMENT_CAPTION} {}",
                                fee_text(receipt.fee_total_vnd)
                            ),
                            detail: Some(printable(&format!(
                                "Tài khoản: {}",
                                account.account_name
                            ))),
                        }),
                        Err(e) => tracing::warn!("no payment code on the receipt: {e}"),
                    }
                }
                Self {
                    center_name: printable(center_name),
                    title: TITLE.to_owned(),
                    notice: None,
                    fields,
                    notes: vec![
                        "Mang theo giấy này khi đến nhận kết quả.".to_owned(),
                        "Giữ mã QR: không đưa cho người khác.".to_owned(),
                    ],
                    codes,
                }
            }
            ReceiptDossier::Saved(saved) => {
                let mut fields = vec![field("Số tham chiếu", &saved.local_reference, true)];
                fields.extend(applicant);
                fields.extend([
                    field(
                        "Thủ tục",
                        format!("{} ({})", saved.procedure_name, saved.procedure_code),
                        false,
                    ),
                    field("Ngày lưu", vietnamese_date(saved.saved_on), false),
                    field("Lệ phí", fee_text(saved.fee_total_vnd), false),
                ]);
                Self {
                    center_name: printable(center_name),
                    title: SAVED_TITLE.to_owned(),
                    notice: Some(SAVED_NOTICE.to_owned()),
                    fields,
                    notes: vec![
                        "Hồ sơ đã được lưu an toàn tại máy và sẽ tự động gửi đến Trung tâm \
                         khi có mạng."
                            .to_owned(),
                        "Mã hồ sơ và ngày hẹn trả kết quả sẽ có sau khi hồ sơ được gửi; khi \
                         cần, đưa số tham chiếu này cho cán bộ tiếp nhận."
                            .to_owned(),
                    ],
                    codes: saved
                        .status_url
                        .iter()
                        .map(|url| ReceiptQr {
                            kind: QrKind::Status,
                            payload: url.clone(),
                            caption: SAVED_STATUS_CAPTION.to_owned(),
                            detail: None,
                        })
                        .collect(),
                }
            }
        }
    }

    /// The slip a visitor takes after sending feedback: the reference that opens the answer, and
    /// its page as a QR code. Nothing they wrote is printed.
    pub fn feedback_slip(
        center_name: &str,
        reference: &str,
        topic: &str,
        sent_on: Date,
        page_url: &str,
    ) -> Self {
        Self {
            center_name: printable(center_name),
            title: "PHIẾU PHẢN ÁNH, KIẾN NGHỊ".to_owned(),
            notice: None,
            fields: vec![
                field("Mã tra cứu", reference, true),
                field("Nội dung về", topic, false),
                field("Ngày gửi", vietnamese_date(sent_on), false),
            ],
            notes: vec![
                "Xem trả lời tại máy, mục \"Xem trả lời phản ánh\", hoặc quét mã QR dưới đây."
                    .to_owned(),
            ],
            codes: vec![ReceiptQr {
                kind: QrKind::Feedback,
                payload: page_url.to_owned(),
                caption: "Quét để xem trả lời".to_owned(),
                detail: None,
            }],
        }
    }

    /// The staff's test page: every Vietnamese letter shape that trips printers, the printer's
    /// own settings, and a QR code to scan (drawn by the printer itself when `native_qr`, so the
    /// page shows whether the printer can).
    pub fn test_page(
        center_name: &str,
        printer: &str,
        paper_width_dots: u32,
        native_qr: bool,
    ) -> Self {
        Self {
            center_name: printable(center_name),
            title: "TRANG IN THỬ".to_owned(),
            notice: None,
            fields: vec![
                field("Máy in", printer, false),
                field("Khổ giấy", format!("{paper_width_dots} điểm"), false),
                field(
                    "Tiếng Việt",
                    "Ấ Ầ Ẩ Ẫ Ậ Ắ Ằ Ẳ Ẵ Ặ Ế Ề Ể Ễ Ệ Ố Ồ Ổ Ỗ Ộ Ớ Ờ Ở Ỡ Ợ Ứ Ừ Ử Ữ Ự Đ đ",
                    true,
                ),
                field(
                    "Câu mẫu",
                    "Trung tâm Phục vụ Hành chính công xin kính chào quý khách.",
                    false,
                ),
            ],
            notes: vec![
                "Nếu chữ có dấu in đúng và mã QR quét được, máy in đã sẵn sàng.".to_owned(),
            ],
            codes: vec![ReceiptQr {
                kind: QrKind::Test,
                payload: "MOTCUA PRINTER TEST".to_owned(),
                caption: "Mã QR thử".to_owned(),
                detail: native_qr
                    .then(|| "Không thấy mã QR? Đặt native_qr = false trong [printer].".to_owned()),
            }],
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use motcua_protocol::{DossierCode, DossierStatus, ProcedureCode};
    use time::macros::date;

    use super::*;

    pub(crate) fn delivered(fee: u64) -> ReceiptDossier {
        ReceiptDossier::Delivered(SubmissionReceipt {
            code: DossierCode::parse("G09.20-20261122-0000001").unwrap(),
            procedure_code: ProcedureCode::parse("1.001193").unwrap(),
            procedure_name: "Đăng ký khai sinh".to_owned(),
            agency: "UBND phường Phú Hội".to_owned(),
            received_on: date!(2026 - 11 - 22),
            due_on: date!(2026 - 11 - 24),
            status: DossierStatus::Registered,
            status_url: "http://127.0.0.1:8080/ho-so/AbCdEfGhIjKlMnOpQrStUv".to_owned(),
            fee_total_vnd: fee,
        })
    }

    pub(crate) fn account() -> PaymentAccount {
        PaymentAccount {
            bank_bin: "970415".into(),
            account: "113366668888".into(),
            account_name: "TRUNG TÂM PHỤC VỤ HCC".into(),
        }
    }

    fn value<'a>(content: &'a ReceiptContent, label: &str) -> &'a str {
        &content
            .fields
            .iter()
            .find(|f| f.label == label)
            .unwrap_or_else(|| panic!("no {label}"))
            .value
    }

    #[test]
    fn delivered_receipt_carries_the_official_fields() {
        let content = ReceiptContent::new(
            &delivered(8000),
            "Trung tâm Phục vụ Hành chính công tỉnh Huế",
            Some("  Nguyễn Văn An "),
            Some(&account()),
        );
        assert_eq!(content.title, TITLE);
        assert_eq!(value(&content, "Mã hồ sơ"), "G09.20-20261122-0000001");
        assert_eq!(value(&content, "Người nộp"), "Nguyễn Văn An");
        assert_eq!(value(&content, "Ngày tiếp nhận"), "22/11/2026");
        assert_eq!(value(&content, "Ngày hẹn trả kết quả"), "24/11/2026");
        assert_eq!(value(&content, "Lệ phí"), "8.000 đ");
        assert_eq!(value(&content, "Thủ tục"), "Đăng ký khai sinh (1.001193)");
        assert_eq!(content.codes.len(), 2);
        assert_eq!(content.codes[0].kind, QrKind::Status);
        assert_eq!(
            content.codes[0].payload,
            "http://127.0.0.1:8080/ho-so/AbCdEfGhIjKlMnOpQrStUv"
        );
        assert_eq!(content.codes[0].caption, STATUS_CAPTION);
        let payment = &content.codes[1];
        assert_eq!(payment.kind, QrKind::Payment);
        assert_eq!(
            payment.detail.as_deref(),
            Some("Tài khoản: TRUNG TÂM PHỤC VỤ HCC")
        );
        // The whole dossier code reaches the bank statement.
        let fields = vietqr::parse_tlv(&payment.payload).unwrap();
        let additional = &fields.iter().find(|(t, _)| t == "62").unwrap().1;
        let purpose = vietqr::parse_tlv(additional).unwrap();
        assert_eq!(
            purpose[0],
            ("08".to_owned(), "G09.20-20261122-0000001".to_owned())
        );
    }

    #[test]
    fn a_feedback_slip_carries_the_reference_and_its_page_only() {
        let slip = ReceiptContent::feedback_slip(
            "Trung tâm",
            "PA-4821-0937-5512",
            "Cơ sở vật chất",
            date!(2026 - 11 - 22),
            "https://dichvu.example/phan-anh/PA-4821-0937-5512",
        );
        assert_eq!(slip.fields[0].value, "PA-4821-0937-5512");
        assert!(slip.fields[0].emphasis);
        assert_eq!(slip.fields[2].value, "22/11/2026");
        assert_eq!(slip.codes.len(), 1);
        assert_eq!(slip.codes[0].kind, QrKind::Feedback);
        assert!(
            slip.codes[0]
                .payload
                .ends_with("/phan-anh/PA-4821-0937-5512")
        );
    }

    #[test]
    fn nothing_personal_but_the_name_and_no_name_when_not_given() {
        let content = ReceiptContent::new(&delivered(0), "Trung tâm", None, Some(&account()));
        assert!(content.fields.iter().all(|f| f.label != "Người nộp"));
        let content = ReceiptContent::new(&delivered(0), "Trung tâm", Some("   "), None);
        assert!(content.fields.iter().all(|f| f.label != "Người nộp"));
    }

    #[test]
    fn free_procedures_say_so_and_get_no_payment_code() {
        let content = ReceiptContent::new(&delivered(0), "Trung tâm", None, Some(&account()));
        assert_eq!(value(&content, "Lệ phí"), FREE);
        assert_eq!(content.codes.len(), 1);
        assert_eq!(content.codes[0].kind, QrKind::Status);
        // A fee but no account configured: no payment code either.
        let content = ReceiptContent::new(&delivered(50_000), "Trung tâm", None, None);
        assert_eq!(value(&content, "Lệ phí"), "50.000 đ");
        assert_eq!(content.codes.len(), 1);
    }

    #[test]
    fn saved_dossier_has_its_reference_the_notice_and_the_future_status_code() {
        let mut saved = SavedDossier {
            local_reference: "QUAY1-20261122-0007".into(),
            procedure_code: "1.001193".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            saved_on: date!(2026 - 11 - 22),
            fee_total_vnd: 8000,
            status_url: Some("https://dichvucong.example/ho-so/AbCdEfGhIjKlMnOpQrStUv".into()),
        };
        let content = ReceiptContent::new(
            &ReceiptDossier::Saved(saved.clone()),
            "Trung tâm",
            Some("Lê Thị Bình"),
            Some(&account()),
        );
        assert_eq!(value(&content, "Số tham chiếu"), "QUAY1-20261122-0007");
        assert_eq!(content.notice.as_deref(), Some(SAVED_NOTICE));
        assert!(content.fields.iter().all(|f| f.label != "Mã hồ sơ"));
        assert_eq!(
            content.codes.len(),
            1,
            "no payment code before a dossier code"
        );
        assert_eq!(content.codes[0].kind, QrKind::Status);
        assert_eq!(content.codes[0].payload, saved.status_url.clone().unwrap());
        assert_eq!(content.codes[0].caption, SAVED_STATUS_CAPTION);
        assert!(content.notes.iter().any(|n| n.contains("số tham chiếu")));
        // A dossier saved without a proposed token (an older outbox entry): no code at all.
        saved.status_url = None;
        let content = ReceiptContent::new(&ReceiptDossier::Saved(saved), "Trung tâm", None, None);
        assert!(content.codes.is_empty());
    }

    #[test]
    fn purpose_keeps_the_whole_code() {
        assert_eq!(
            payment_purpose("G1-20261122-00001"),
            "Le phi G1-20261122-00001"
        );
        assert_eq!(
            payment_purpose("G09.20-20261122-0000001"),
            "G09.20-20261122-0000001"
        );
        assert_eq!(
            vietnamese_date(time::macros::date!(2026 - 01 - 05)),
            "05/01/2026"
        );
    }
}
