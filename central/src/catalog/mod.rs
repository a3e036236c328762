//! The procedure catalog: storage with change tracking, import, the sync API, and a generator of
//! large realistic catalogs for benchmarks.

pub mod api;
pub mod forms;
pub mod full_download;
pub mod generate;
pub mod import;
pub mod page;
pub mod search_page;
pub mod store;

pub use full_download::FullDownloads;
pub use store::{CatalogStore, Cursor, ImportSummary};
