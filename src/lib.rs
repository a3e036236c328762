//! motcua-kiosk: the self-service kiosk.

pub mod app;
pub mod catalog;
pub mod config;
pub mod demo;
pub mod feedback;
pub mod input;
pub mod operations;
pub mod status;
pub mod storage;
pub mod submission;
pub mod visit;
