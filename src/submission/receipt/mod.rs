//! Receipt printing: the "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" a visitor takes home.
//!
//! - [`layout`]: what the receipt says ([`ReceiptContent`], from a [`ReceiptDossier`]).
//! - [`raster`]: the receipt as a 1-bit picture for thermal printers (their code pages lack
//!   Vietnamese), drawn with the embedded font; [`raster::to_png`] for previews.
//! - [`escpos`]: the ESC/POS byte stream (raster bands, the printer's own QR command, a cut),
//!   and a parser of it for tests.
//! - [`pdf`]: an A5 PDF with the embedded font, for ordinary printers through CUPS.
//! - [`printer`]: the configured printer ([`PrinterConfig`]) and [`print`].
//!
//! Printing blocks for up to a few seconds: run it on a worker thread. Whatever happens, the
//! screen keeps showing the receipt and its QR code, so a visitor can photograph it; a
//! [`PrintError`]'s [`kind`](PrintError::kind) tells the screen what to say.

pub mod escpos;
pub mod layout;
pub mod pdf;
pub mod printer;
pub mod raster;
pub mod text;

pub use layout::{Field, QrKind, ReceiptContent, ReceiptDossier, ReceiptQr, SavedDossier};
pub use pdf::render_pdf;
pub use printer::{PrintError, PrintErrorKind, PrinterConfig, PrinterKind, print};
pub use raster::{Bitmap, render, to_png};

/// Prints the staff's test page (Vietnamese letters with stacked marks, the printer's settings,
/// a QR code) on `config`'s printer.
pub fn print_test_page(config: &PrinterConfig, center_name: &str) -> Result<(), PrintError> {
    let content = ReceiptContent::test_page(
        center_name,
        &config.describe(),
        config.paper_width_dots,
        config.native_qr,
    );
    print(&content, config)
}
