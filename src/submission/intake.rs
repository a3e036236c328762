//! What a visitor (or staff at the command line) puts together before confirming: which of the
//! procedure's documents are required, and a staging folder for the pages, wiped when the visit
//! ends without a confirmation.

use std::path::{Path, PathBuf};

use motcua_protocol::{OnlineLevel, Procedure};

use super::attachment::{Attachment, hex_string};
use super::durable::remove_dir_durably;

/// Whether the procedure accepts dossiers online at all.
pub fn accepts_online(procedure: &Procedure) -> bool {
    matches!(procedure.online, OnlineLevel::Full | OnlineLevel::Partial)
}

/// The required documents that have no page attached yet.
pub fn missing_required(procedure: &Procedure, attachments: &[Attachment]) -> Vec<String> {
    procedure
        .documents
        .iter()
        .filter(|d| d.is_required())
        .filter(|d| !attachments.iter().any(|a| a.document == d.name))
        .map(|d| d.name.clone())
        .collect()
}

fn staging_root(data_dir: &Path) -> PathBuf {
    data_dir.join("staging")
}

/// Pages of one visit before confirmation. Dropping it deletes them.
pub struct Staging {
    dir: PathBuf,
}

impl Staging {
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        let name: [u8; 8] = rand::random();
        let dir = staging_root(data_dir).join(hex_string(&name));
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Err(e) = remove_dir_durably(&self.dir) {
            tracing::error!("cannot delete a visit's unconfirmed pages: {e}");
        }
    }
}

/// Deletes what earlier visits left unconfirmed (a crash, a power cut): never confirmed, never
/// to be sent.
pub fn clear_stale_staging(data_dir: &Path) -> std::io::Result<()> {
    remove_dir_durably(&staging_root(data_dir))
}
