//! The procedure catalog on the kiosk: local storage, sync with the central server, search.

pub mod fold;
pub mod search;
pub mod store;
pub mod sync;

pub use search::{SearchHit, SearchIndex};
pub use store::{CatalogDb, CatalogStats, FieldCount, ProcedureSummary, SyncState};
pub use sync::{SyncClient, SyncError, SyncReport, sync_once};
