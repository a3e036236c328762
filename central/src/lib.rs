//! motcua-central: the server kiosks sync with.

pub mod catalog;
pub mod config;
pub mod db;
pub mod feedback;
pub mod http;
pub mod operations;
pub mod pages;
mod server;
pub mod status;
pub mod submission;

pub use config::CentralConfig;
pub use server::{
    RunningServer, ServerError, app_state, issue_integration_token, issue_kiosk_credential,
    open_catalog, open_dossiers, open_feedback, open_operations, start,
};
pub use status::{DossierStore, StatusError, today_in_vietnam};

/// The demo catalog shipped with the project, used by `serve --demo` and the kiosk's demo mode.
pub const DEMO_CATALOG: &str = include_str!("../../config/demo-catalog.json");
