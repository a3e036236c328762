//! "In giấy hẹn": the receipt on the configured printer, off the UI thread, with an outcome the
//! screen can explain (printed, printer off, out of paper, failed).

use motcua_protocol::PrinterState;

use crate::config::KioskConfig;
use crate::operations::SharedPrinterState;
use crate::submission::receipt::{
    PrintErrorKind, PrinterConfig, ReceiptContent, ReceiptDossier, print,
};
use crate::submission::vietqr::PaymentAccount;

use super::PrintState;

#[derive(Clone)]
pub struct ReceiptPrinter {
    config: PrinterConfig,
    /// What the last print found, for the heartbeat.
    state: SharedPrinterState,
}

impl ReceiptPrinter {
    /// `None` when no printer is configured: the screen then offers no print button.
    pub fn from_config(config: &KioskConfig, state: SharedPrinterState) -> Option<Self> {
        config.printer.is_configured().then(|| Self {
            config: config.printer.clone(),
            state,
        })
    }

    pub fn new(config: PrinterConfig) -> Self {
        Self {
            config,
            state: SharedPrinterState::new(PrinterState::Unknown),
        }
    }

    /// Prints and reports how it went; blocks, so call it from a blocking thread.
    pub fn print(
        &self,
        dossier: &ReceiptDossier,
        center_name: &str,
        applicant_name: Option<&str>,
        payment: Option<&PaymentAccount>,
    ) -> PrintState {
        self.print_content(&ReceiptContent::new(
            dossier,
            center_name,
            applicant_name,
            payment,
        ))
    }

    /// Prints any slip (a dossier's receipt, a feedback's reference); blocks.
    pub fn print_content(&self, content: &ReceiptContent) -> PrintState {
        let (screen, fleet) = match print(content, &self.config) {
            Ok(()) => (PrintState::Done, PrinterState::Ready),
            Err(error) => {
                tracing::warn!("cannot print a receipt: {error}");
                match error.kind() {
                    PrintErrorKind::Offline | PrintErrorKind::NotConfigured => {
                        (PrintState::Offline, PrinterState::Offline)
                    }
                    PrintErrorKind::OutOfPaper => {
                        (PrintState::OutOfPaper, PrinterState::OutOfPaper)
                    }
                    PrintErrorKind::Failed => (PrintState::Failed, PrinterState::Failed),
                }
            }
        };
        self.state.set(fleet);
        screen
    }
}
