use serde::{Deserialize, Serialize};

use crate::{Procedure, ProcedureCode};

/// The answer to `GET /api/v1/catalog[?since=CURSOR]`.
///
/// With `full = true` the kiosk replaces its whole catalog with `procedures`; otherwise it applies
/// `procedures` as upserts and `removed` as deletions. Either way it stores `cursor` in the same
/// transaction and sends it back as `since` next time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CatalogDelta {
    pub format: String,
    /// Opaque; issued by the server, never built by the kiosk.
    pub cursor: String,
    pub full: bool,
    pub procedures: Vec<Procedure>,
    pub removed: Vec<ProcedureCode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub procedures: u64,
    pub catalog_cursor: String,
}
