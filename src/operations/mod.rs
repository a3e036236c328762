//! Running the kiosk as an appliance: its credential with the central server, requests made with
//! it, health reports (heartbeats) and remote configuration.

pub mod credential;
pub mod heartbeat;
pub mod private_file;
pub mod recent_errors;
pub mod remote_config;
pub mod server;
pub mod staff_pin;
pub mod staff_settings;

pub use credential::{Credential, CredentialError, enroll};
pub use heartbeat::{ConfigChange, FleetReporter, HeartbeatError, SharedPrinterState};
pub use recent_errors::RecentErrors;
pub use server::KioskHttp;
