//! The procedure catalog: storage with change tracking, import, the sync API, and a generator of
//! large realistic catalogs for benchmarks.

pub mod api;
pub mod forms;
pub mod generate;
pub mod import;
pub mod page;
pub mod search_page;
pub mod store;

pub use store::{CatalogStore, Cursor, ImportSummary};
