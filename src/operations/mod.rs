//! Running the kiosk as an appliance: its credential with the central server, and requests made
//! with it.

pub mod credential;
pub mod server;

pub use credential::{Credential, CredentialError, enroll};
pub use server::KioskHttp;
