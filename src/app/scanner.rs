//! Barcode scanners: keyboard-mode bursts caught on every screen, and a serial-mode scanner read
//! on a thread of its own. Either way a scan opens the status screen.

use std::cell::RefCell;
use std::rc::Rc;

use slint::ComponentHandle;

use super::{AppWindow, Kiosk, ScannerAdapter};
use crate::input::{BurstDetector, KeyOutcome, Line, SerialScanner, spawn_serial_scanner};

thread_local! {
    // What a scanner is typing right now; wiped at the end of every visit.
    static DETECTOR: RefCell<BurstDetector> = RefCell::new(BurstDetector::default());
}

pub fn wire(ui: &AppWindow, kiosk: &Rc<Kiosk>) {
    DETECTOR.with_borrow_mut(|d| *d = BurstDetector::new(kiosk.scanner_rules));
    let weak = ui.as_weak();
    let key_kiosk = kiosk.clone();
    ui.global::<ScannerAdapter>().on_key(move |text, at_ms| {
        let now = u64::try_from(at_ms).unwrap_or(0);
        match DETECTOR.with_borrow_mut(|d| d.key(&text, now)) {
            KeyOutcome::Pass => false,
            KeyOutcome::Scanned { text, truncated } => {
                if let Some(ui) = weak.upgrade() {
                    super::status::open_scanned(&ui, &key_kiosk, &text, truncated);
                }
                true
            }
        }
    });
    let weak = ui.as_weak();
    let line_kiosk = kiosk.clone();
    ui.global::<ScannerAdapter>()
        .on_serial_line(move |text, truncated| {
            if let Some(ui) = weak.upgrade() {
                super::idle::activity(&ui);
                super::status::open_scanned(&ui, &line_kiosk, &text, truncated);
            }
        });
    let weak = ui.as_weak();
    let unreadable_kiosk = kiosk.clone();
    ui.global::<ScannerAdapter>().on_serial_unreadable(move || {
        if let Some(ui) = weak.upgrade() {
            super::status::show_scanned(
                &ui,
                &unreadable_kiosk,
                crate::status::Scanned::Unreadable,
                super::status::Origin::Scanned,
            );
        }
    });
}

/// Starts reading a serial-mode scanner; each line reaches the UI thread as a scan.
pub fn start_serial(ui: &AppWindow, device: std::path::PathBuf) -> std::io::Result<SerialScanner> {
    let weak = ui.as_weak();
    spawn_serial_scanner(device, move |Line { bytes, truncated }| {
        let text = String::from_utf8(bytes).ok();
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let adapter = ui.global::<ScannerAdapter>();
            match text {
                Some(text) => adapter.invoke_serial_line(text.into(), truncated),
                None => adapter.invoke_serial_unreadable(),
            }
        });
    })
}

/// Drops anything a scanner was in the middle of typing.
pub fn forget() {
    DETECTOR.with_borrow_mut(BurstDetector::forget);
}
