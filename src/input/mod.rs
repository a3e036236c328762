//! Text input for a kiosk without a physical keyboard: the on-screen keyboard's Telex composer,
//! and barcode scanners (keyboard mode and serial mode).

pub mod scanner;
pub mod serial;
pub mod telex;

pub use scanner::{BurstDetector, BurstRules, KeyOutcome};
pub use serial::{Line, SerialScanner, spawn_serial_scanner};
pub use telex::Composer;
