//! Wire types shared by the kiosk and the central server.
//!
//! Everything that crosses HTTP between the two sides, and the catalog file format
//! (`docs/catalog-format.md`), is defined here once so the two can never disagree.

mod catalog;
mod code;
mod sync;
mod validate;

pub use catalog::{
    AmountVnd, CATALOG_FORMAT, CatalogFile, Fee, OnlineLevel, Procedure, RequiredDocument,
};
pub use code::{ProcedureCode, ProcedureCodeError};
pub use sync::{CatalogDelta, Health};
pub use validate::{RecordError, parse_catalog, parse_procedure};
