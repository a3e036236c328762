use std::path::Path;

use motcua_protocol::{RecordError, parse_catalog};

use super::{CatalogStore, ImportSummary};
use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{} bad record(s); nothing was changed:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<RecordError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Validates the whole text before touching the store: a file with any error changes nothing.
pub fn import_text(store: &mut CatalogStore, text: &str) -> Result<ImportSummary, ImportError> {
    let catalog = parse_catalog(text).map_err(ImportError::Invalid)?;
    Ok(store.replace(&catalog.procedures)?)
}

pub fn import_file(store: &mut CatalogStore, path: &Path) -> Result<ImportSummary, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    import_text(store, &text)
}
