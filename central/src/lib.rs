//! motcua-central: the server kiosks sync with.

pub mod catalog;
pub mod config;
pub mod db;
pub mod http;
pub mod pages;
mod server;

pub use config::CentralConfig;
pub use server::{RunningServer, ServerError, open_catalog, start};

/// The demo catalog shipped with the project, used by `serve --demo` and the kiosk's demo mode.
pub const DEMO_CATALOG: &str = include_str!("../../config/demo-catalog.json");
