//! Text input for a kiosk without a physical keyboard.

pub mod telex;

pub use telex::Composer;
