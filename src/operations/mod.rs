//! Running the kiosk as an appliance: its credential with the central server.

pub mod credential;

pub use credential::{Credential, CredentialError, enroll};
