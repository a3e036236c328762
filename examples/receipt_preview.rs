//! Pictures of a receipt for people: `docs/screenshots/receipt-thermal.png` (the thermal
//! printer's picture, 576 dots across 80 mm paper, as the printer prints it) and
//! `docs/screenshots/receipt-a5.png` (the A5 PDF's page, rendered by `pdftoppm -r 60` when
//! poppler-utils is installed). The PDF itself is written to `receipt-a5.pdf` in the temp dir.
//!
//! Run: `cargo run --example receipt_preview [-- OUT_DIR]` (default `docs/screenshots`).

use std::path::PathBuf;
use std::process::Command;

use motcua_kiosk::submission::receipt::escpos::{self, EscPosOptions, parse_escpos, render_page};
use motcua_kiosk::submission::receipt::{ReceiptContent, ReceiptDossier, render_pdf, to_png};
use motcua_kiosk::submission::vietqr::PaymentAccount;
use motcua_protocol::{DossierCode, DossierStatus, ProcedureCode, SubmissionReceipt};
use time::macros::date;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("docs/screenshots"));
    std::fs::create_dir_all(&out)?;

    let dossier = ReceiptDossier::Delivered(SubmissionReceipt {
        code: DossierCode::parse("G09.20-20261122-0000017")?,
        procedure_code: ProcedureCode::parse("1.001193")?,
        procedure_name: "Đăng ký khai sinh".to_owned(),
        agency: "UBND phường Thuận Hóa".to_owned(),
        received_on: date!(2026 - 11 - 22),
        due_on: date!(2026 - 11 - 24),
        status: DossierStatus::Registered,
        status_url: "http://127.0.0.1:8080/ho-so/Xy3kQ9vB2mN7pL4tR8wZ1a".to_owned(),
        fee_total_vnd: 8000,
    });
    let account = PaymentAccount {
        bank_bin: "970415".to_owned(),
        account: "113366668888".to_owned(),
        account_name: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".to_owned(),
    };
    let content = ReceiptContent::new(
        &dossier,
        "Trung tâm Phục vụ Hành chính công tỉnh Huế",
        Some("Nguyễn Thị Hồng Ánh"),
        Some(&account),
    );

    // What the printer prints: the ESC/POS stream (native status QR), read back.
    let stream = escpos::encode(
        &content,
        &EscPosOptions {
            width_dots: 576,
            native_status_qr: true,
        },
    );
    let page = render_page(&parse_escpos(&stream)?, 576);
    let thermal = out.join("receipt-thermal.png");
    std::fs::write(&thermal, to_png(&page))?;
    println!("{} ({} bytes of ESC/POS)", thermal.display(), stream.len());

    let pdf_path = std::env::temp_dir().join("receipt-a5.pdf");
    std::fs::write(&pdf_path, render_pdf(&content))?;
    println!("{}", pdf_path.display());
    let prefix = std::env::temp_dir().join("receipt-a5");
    match Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-singlefile"])
        .arg(&pdf_path)
        .arg(&prefix)
        .status()
    {
        Ok(status) if status.success() => {
            let png = out.join("receipt-a5.png");
            std::fs::copy(prefix.with_extension("png"), &png)?;
            println!("{}", png.display());
        }
        _ => eprintln!("pdftoppm (poppler-utils) is not installed: no receipt-a5.png"),
    }
    Ok(())
}
