//! Receipt printing end to end, the printer faked only at the wire: a TCP listener stands in for
//! a network printer on port 9100 (here port 0), a plain file for a USB printer's device, a shell
//! script for CUPS `lp`. What arrives is parsed as ESC/POS, rendered as the printer would print
//! it, and its QR codes decoded by `zbarimg`; the PDF's text is extracted with `pdftotext`.

mod common;

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use motcua_kiosk::submission::receipt::escpos::{
    self, Command as Esc, PAPER_STATUS_QUERY, parse_escpos, raster_image, render_page,
    stored_qr_payloads,
};
use motcua_kiosk::submission::receipt::{
    PrintErrorKind, PrinterConfig, PrinterKind, ReceiptContent, ReceiptDossier, SavedDossier,
    print, print_test_page, render_pdf, to_png,
};
use motcua_kiosk::submission::vietqr::{PaymentAccount, crc16_ccitt_false, parse_tlv};
use motcua_protocol::{DossierCode, DossierStatus, ProcedureCode, SubmissionReceipt};
use time::macros::date;

const STATUS_URL: &str = "http://127.0.0.1:8080/ho-so/Xy3kQ9vB2mN7pL4tR8wZ1a";
const SAVED_STATUS_URL: &str = "http://127.0.0.1:8080/ho-so/Sv7dPq2LkT9wXa4mBn6cRe";
const CODE: &str = "G09.20-20261122-0000017";
const FEE: u64 = 8000;

fn receipt(fee: u64) -> ReceiptDossier {
    ReceiptDossier::Delivered(SubmissionReceipt {
        code: DossierCode::parse(CODE).unwrap(),
        procedure_code: ProcedureCode::parse("1.001193").unwrap(),
        procedure_name: "Đăng ký khai sinh".to_owned(),
        agency: "UBND phường Thuận Hóa".to_owned(),
        received_on: date!(2026 - 11 - 22),
        due_on: date!(2026 - 11 - 24),
        status: DossierStatus::Registered,
        status_url: STATUS_URL.to_owned(),
        fee_total_vnd: fee,
    })
}

fn account() -> PaymentAccount {
    PaymentAccount {
        bank_bin: "970415".to_owned(),
        account: "113366668888".to_owned(),
        account_name: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG".to_owned(),
    }
}

fn content() -> ReceiptContent {
    ReceiptContent::new(
        &receipt(FEE),
        "Trung tâm Phục vụ Hành chính công tỉnh Huế",
        Some("Nguyễn Thị Hồng Ánh"),
        Some(&account()),
    )
}

fn network(address: SocketAddr, native_qr: bool) -> PrinterConfig {
    PrinterConfig {
        kind: PrinterKind::Network,
        address: Some(address.to_string()),
        native_qr,
        ..PrinterConfig::default()
    }
}

/// The QR codes `zbarimg` finds in a PNG, as a phone would read them.
fn zbar(png: &Path) -> BTreeSet<String> {
    let output = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(png)
        .output()
        .expect("zbarimg (Debian zbar-tools) is needed: run scripts/test, which installs it");
    assert!(
        output.status.success(),
        "zbarimg found no QR code in {}",
        png.display()
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn save_png(name: &str, png: &[u8]) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, png).unwrap();
    path
}

/// Checks a VietQR payload against the NAPAS/EMVCo format, field by field.
fn check_vietqr(text: &str) {
    let fields = parse_tlv(text).expect("well-formed TLV");
    let tags: Vec<&str> = fields.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        tags,
        ["00", "01", "38", "53", "54", "58", "62", "63"],
        "{text}"
    );
    let get = |tag: &str| &fields.iter().find(|(t, _)| t == tag).unwrap().1;
    assert_eq!(get("00"), "01");
    assert_eq!(get("01"), "12", "dynamic: amount fixed");
    let merchant = parse_tlv(get("38")).unwrap();
    assert_eq!(merchant[0], ("00".to_owned(), "A000000727".to_owned()));
    let beneficiary = parse_tlv(&merchant[1].1).unwrap();
    assert_eq!(
        beneficiary,
        [
            ("00".to_owned(), "970415".to_owned()),
            ("01".to_owned(), "113366668888".to_owned())
        ]
    );
    assert_eq!(merchant[2], ("02".to_owned(), "QRIBFTTA".to_owned()));
    assert_eq!(get("53"), "704");
    assert_eq!(get("54"), &FEE.to_string());
    assert_eq!(get("58"), "VN");
    let additional = parse_tlv(get("62")).unwrap();
    assert_eq!(additional, [("08".to_owned(), CODE.to_owned())]);
    let (body, crc) = text.split_at(text.len() - 4);
    assert!(body.ends_with("6304"));
    assert_eq!(crc, format!("{:04X}", crc16_ccitt_false(body.as_bytes())));
}

#[test]
fn network_printer_gets_raster_native_qr_and_a_cut() {
    let (address, printer) = common::fake_printer(Some(0x12)); // paper present
    print(&content(), &network(address, true)).unwrap();
    let received = printer.join().unwrap();

    assert_eq!(&received[..3], &PAPER_STATUS_QUERY, "paper checked first");
    let stream = &received[3..];
    assert_eq!(&stream[..2], &[escpos::ESC, b'@'], "starts with ESC @");
    let commands = parse_escpos(stream).unwrap();
    let rasters = commands
        .iter()
        .filter(|c| matches!(c, Esc::Raster { .. }))
        .count();
    assert!(rasters >= 4, "GS v 0 raster blocks: {rasters}");
    for command in &commands {
        if let Esc::Raster { width_bytes, .. } = command {
            assert_eq!(*width_bytes, 72, "576 dots across");
        }
    }
    // The status QR as the printer's own command, with exactly the status link; model 2, M.
    assert_eq!(stored_qr_payloads(&commands), [STATUS_URL.as_bytes()]);
    let store = commands
        .iter()
        .position(|c| matches!(c, Esc::QrStore(_)))
        .unwrap();
    assert!(commands[..store].contains(&Esc::QrModel(50)));
    assert!(commands[..store].contains(&Esc::QrErrorCorrection(49)));
    assert_eq!(commands[store + 1], Esc::QrPrint);
    assert!(
        matches!(
            commands.last(),
            Some(Esc::Cut {
                partial: true,
                feed: Some(0)
            })
        ),
        "ends with GS V 66 0: {:?}",
        commands.last()
    );
    assert_eq!(&stream[stream.len() - 4..], &[escpos::GS, b'V', 66, 0]);

    // The page as the printer prints it: both codes decode.
    let page = render_page(&commands, 576);
    let page_png = save_png("receipt-thermal-page.png", &to_png(&page));
    let codes = zbar(&page_png);
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert!(codes.contains(STATUS_URL));
    let vietqr = codes.iter().find(|c| c.starts_with("000201")).unwrap();
    check_vietqr(vietqr);

    // The raster alone holds the payment code only: the status code is not printed twice.
    let raster = raster_image(&commands).unwrap();
    let raster_png = save_png("receipt-thermal-raster.png", &to_png(&raster));
    assert_eq!(zbar(&raster_png), BTreeSet::from([vietqr.clone()]));

    // Text was really drawn above the status code: lines of ink separated by white, not one
    // block and not nothing.
    let store_at = commands
        .iter()
        .position(|c| matches!(c, Esc::QrStore(_)))
        .unwrap();
    let text_rows: u32 = commands[..store_at]
        .iter()
        .map(|c| match c {
            Esc::Raster { height, .. } => u32::from(*height),
            _ => 0,
        })
        .sum();
    let inked: Vec<bool> = (0..text_rows).map(|y| raster.dark_in_row(y) > 3).collect();
    let lines = inked.windows(2).filter(|w| !w[0] && w[1]).count();
    assert!(lines >= 10, "{lines} lines of text above the status code");
    let dark: usize = (0..text_rows).map(|y| raster.dark_in_row(y)).sum();
    let share = dark as f64 / f64::from(text_rows * 576);
    assert!((0.03..0.4).contains(&share), "ink share {share}");
}

#[test]
fn without_native_qr_both_codes_are_in_the_picture() {
    let (address, printer) = common::fake_printer(None); // a printer that never answers the query
    let started = Instant::now();
    print(&content(), &network(address, false)).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "silent status query costs at most ~0.5 s"
    );
    let received = printer.join().unwrap();
    let commands = parse_escpos(&received[3..]).unwrap();
    assert!(stored_qr_payloads(&commands).is_empty());
    let raster = raster_image(&commands).unwrap();
    let png = save_png("receipt-thermal-raster-only.png", &to_png(&raster));
    let codes = zbar(&png);
    assert!(codes.contains(STATUS_URL), "{codes:?}");
    check_vietqr(codes.iter().find(|c| c.starts_with("000201")).unwrap());
}

#[test]
fn a_printer_that_is_off_is_reported_offline_quickly() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // closed again: nothing listens there
    let config = PrinterConfig {
        kind: PrinterKind::Network,
        address: Some(format!("127.0.0.1:{port}")),
        ..PrinterConfig::default()
    };
    let started = Instant::now();
    let err = print(&content(), &config).unwrap_err();
    assert_eq!(err.kind(), PrintErrorKind::Offline, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn out_of_paper_stops_after_the_query() {
    let (address, printer) = common::fake_printer(Some(0x72)); // bits 5 and 6: roll paper end
    let err = print(&content(), &network(address, true)).unwrap_err();
    assert_eq!(err.kind(), PrintErrorKind::OutOfPaper, "{err}");
    assert_eq!(
        printer.join().unwrap(),
        PAPER_STATUS_QUERY,
        "nothing sent after the query"
    );
}

#[test]
fn paper_nearly_used_up_still_prints() {
    let (address, printer) = common::fake_printer(Some(0x1E)); // bits 2 and 3: near end
    print(&content(), &network(address, true)).unwrap();
    let received = printer.join().unwrap();
    let commands = parse_escpos(&received[3..]).unwrap();
    assert!(matches!(commands.last(), Some(Esc::Cut { .. })));
}

#[test]
fn usb_printer_device_gets_the_same_stream() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("lp0");
    std::fs::write(&device, b"").unwrap();
    let config = PrinterConfig {
        kind: PrinterKind::Usb,
        device: Some(device.clone()),
        paper_width_dots: 384,
        ..PrinterConfig::default()
    };
    print(&content(), &config).unwrap();
    let written = std::fs::read(&device).unwrap();
    assert_eq!(&written[..3], &PAPER_STATUS_QUERY);
    let commands = parse_escpos(&written[3..]).unwrap();
    assert_eq!(commands[0], Esc::Init);
    assert!(matches!(commands.last(), Some(Esc::Cut { .. })));
    assert_eq!(stored_qr_payloads(&commands), [STATUS_URL.as_bytes()]);
    for command in &commands {
        if let Esc::Raster { width_bytes, .. } = command {
            assert_eq!(*width_bytes, 48, "384 dots across 58 mm paper");
        }
    }
    let page = render_page(&commands, 384);
    let png = save_png("receipt-thermal-58mm.png", &to_png(&page));
    assert_eq!(zbar(&png).len(), 2);
}

/// `pdftotext` from poppler-utils; the test suite installs it.
fn pdftotext(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is needed: run scripts/test, which installs it");
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn cups_gets_an_a5_pdf_with_extractable_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("printed.pdf");
    let lp = dir.path().join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\n# a stand-in for CUPS lp: keeps the file it was given (the last argument)\n\
             for last; do :; done\necho \"$@\" > '{args}'\ncp \"$last\" '{copy}'\n",
            args = dir.path().join("args").display(),
            copy = copy.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&lp, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let config = PrinterConfig {
        kind: PrinterKind::Cups,
        queue: Some("quay-a5".to_owned()),
        lp_command: lp.display().to_string(),
        ..PrinterConfig::default()
    };
    print(&content(), &config).unwrap();

    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    assert!(args.starts_with("-d quay-a5 "), "{args}");
    let pdf = std::fs::read(&copy).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    let info = Command::new("pdfinfo")
        .arg(&copy)
        .output()
        .expect("pdfinfo (Debian poppler-utils)");
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(info.contains("Pages:           1"), "{info}");
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    // 148 × 210 mm (poppler names no size for it: its own A5 is 2^-11/4 m tall, 210.2 mm).
    let numbers: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 2, "{size}");
    assert!(
        (numbers[0] - 420.0).abs() < 1.0 && (numbers[1] - 595.0).abs() < 1.0,
        "{size}"
    );
    assert!((numbers[0] / 72.0 * 25.4 - 148.0).abs() < 0.01, "{size}");

    // Lines wrap where the PDF wraps them: compare with whitespace runs as single spaces.
    let text = pdftotext(&copy)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        CODE,
        "Trung tâm Phục vụ Hành chính công tỉnh Huế",
        "Nguyễn Thị Hồng Ánh",
        "Ngày hẹn trả kết quả: 24/11/2026",
        "Lệ phí: 8.000 đ",
        "Quét mã để xem tình trạng hồ sơ",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // The vector QR codes scan once printed (rendered at 150 dpi).
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(&copy)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (Debian poppler-utils)");
    assert!(status.success());
    let codes = zbar(&prefix.with_extension("png"));
    assert!(codes.contains(STATUS_URL), "{codes:?}");
    check_vietqr(codes.iter().find(|c| c.starts_with("000201")).unwrap());
    assert_eq!(codes.len(), 2);
    // The fonts are embedded (as subsets).
    let fonts = Command::new("pdffonts").arg(&copy).output().unwrap();
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    let embedded = fonts
        .lines()
        .filter(|l| l.contains("BeVietnamPro") && l.contains(" yes "))
        .count();
    assert!(embedded >= 2, "{fonts}");
}

#[test]
fn the_test_page_prints_and_scans() {
    let (address, printer) = common::fake_printer(Some(0x12));
    print_test_page(&network(address, true), "Trung tâm Phục vụ Hành chính công").unwrap();
    let received = printer.join().unwrap();
    let commands = parse_escpos(&received[3..]).unwrap();
    // The test code is the printer's own, so staff see whether the printer draws QR codes.
    assert_eq!(stored_qr_payloads(&commands), [b"MOTCUA PRINTER TEST"]);
    let page = render_page(&commands, 576);
    let png = save_png("receipt-test-page.png", &to_png(&page));
    assert_eq!(
        zbar(&png),
        BTreeSet::from(["MOTCUA PRINTER TEST".to_owned()])
    );
}

#[test]
fn a_dossier_not_yet_delivered_gets_a_slip_with_its_reference_and_its_future_status_code() {
    let saved = ReceiptDossier::Saved(SavedDossier {
        local_reference: "QUAY1-20261122-0007".to_owned(),
        procedure_code: "1.001193".to_owned(),
        procedure_name: "Đăng ký khai sinh".to_owned(),
        saved_on: date!(2026 - 11 - 22),
        fee_total_vnd: FEE,
        status_url: Some(SAVED_STATUS_URL.to_owned()),
    });
    let content = ReceiptContent::new(
        &saved,
        "Trung tâm Phục vụ Hành chính công tỉnh Huế",
        None,
        Some(&account()),
    );
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("lp0");
    std::fs::write(&device, b"").unwrap();
    let config = PrinterConfig {
        kind: PrinterKind::Usb,
        device: Some(device.clone()),
        ..PrinterConfig::default()
    };
    print(&content, &config).unwrap();
    let written = std::fs::read(&device).unwrap();
    let commands = parse_escpos(&written[3..]).unwrap();
    assert_eq!(
        stored_qr_payloads(&commands),
        [SAVED_STATUS_URL.as_bytes()],
        "the status link, and no payment code before there is a dossier code"
    );
    let page = render_page(&commands, 576);
    assert!(page.dark_pixels() > 10_000);
    let png = save_png("receipt-saved.png", &to_png(&page));
    let scan = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&scan.stdout).trim_end(),
        SAVED_STATUS_URL,
        "only the status code: nothing to pay before delivery"
    );

    let pdf = dir.path().join("saved.pdf");
    std::fs::write(&pdf, render_pdf(&content)).unwrap();
    let text = pdftotext(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "Đã lưu, sẽ gửi khi có mạng",
        "Số tham chiếu: QUAY1-20261122-0007",
        "(sau khi hồ sơ được gửi)",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(!text.contains("Mã hồ sơ:"), "{text}");
}
