//! "In giấy hẹn": the receipt on the configured printer, off the UI thread, with an outcome the
//! screen can explain (printed, printer off, out of paper, failed).

use crate::config::KioskConfig;
use crate::submission::receipt::{
    PrintErrorKind, PrinterConfig, ReceiptContent, ReceiptDossier, print,
};
use crate::submission::vietqr::PaymentAccount;

use super::PrintState;

#[derive(Clone)]
pub struct ReceiptPrinter {
    config: PrinterConfig,
}

impl ReceiptPrinter {
    /// `None` when no printer is configured: the screen then offers no print button.
    pub fn from_config(config: &KioskConfig) -> Option<Self> {
        config.printer.is_configured().then(|| Self {
            config: config.printer.clone(),
        })
    }

    pub fn new(config: PrinterConfig) -> Self {
        Self { config }
    }

    /// Prints and reports how it went; blocks, so call it from a blocking thread.
    pub fn print(
        &self,
        dossier: &ReceiptDossier,
        center_name: &str,
        applicant_name: Option<&str>,
        payment: Option<&PaymentAccount>,
    ) -> PrintState {
        let content = ReceiptContent::new(dossier, center_name, applicant_name, payment);
        match print(&content, &self.config) {
            Ok(()) => PrintState::Done,
            Err(error) => {
                tracing::warn!("cannot print a receipt: {error}");
                match error.kind() {
                    PrintErrorKind::Offline | PrintErrorKind::NotConfigured => PrintState::Offline,
                    PrintErrorKind::OutOfPaper => PrintState::OutOfPaper,
                    PrintErrorKind::Failed => PrintState::Failed,
                }
            }
        }
    }
}
