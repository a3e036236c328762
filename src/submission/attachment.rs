//! A page a visitor attaches (from the document scanner, the phone, or a file given on the command
//! line): checked by its content against the limits, then kept in the visit's staging folder until
//! the visitor confirms or leaves.

use std::io::Read;
use std::path::{Path, PathBuf};

use motcua_protocol::{ClientId, MediaType, Sha256Hex};
use serde::{Deserialize, Serialize};

/// Configurable limits, explained on screen when exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_file_bytes: u64,
    /// Most pages (files) for one document.
    pub max_pages_per_document: usize,
    /// Largest total of one dossier's files, in bytes.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 20 * 1024 * 1024,
            max_pages_per_document: 20,
            max_total_bytes: 200 * 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("only JPEG or PNG pictures and PDF documents can be attached")]
    NotAllowedType,
    #[error("a document can have at most {limit} pages")]
    TooManyPages { limit: usize },
    #[error("all files of a dossier together must stay under {limit} bytes")]
    TotalTooLarge { limit: u64 },
    #[error("cannot read or store the file: {0}")]
    Io(#[from] std::io::Error),
}

/// One attached page, staged on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_id: ClientId,
    /// The procedure's document this page belongs to.
    pub document: String,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: Sha256Hex,
    pub path: PathBuf,
}

/// A fresh random file id (128 bits, hex).
pub fn new_file_id() -> ClientId {
    let bytes: [u8; 16] = rand::random();
    ClientId::parse(&hex_string(&bytes)).expect("32 hex digits are a valid id")
}

pub fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `source` and stores it under `staging` as a page of `document`. `already` are the pages
/// attached so far (all documents).
pub fn stage(
    staging: &Path,
    document: &str,
    mut source: impl Read,
    limits: &Limits,
    already: &[Attachment],
) -> Result<Attachment, AttachmentError> {
    let pages = already.iter().filter(|a| a.document == document).count();
    if pages >= limits.max_pages_per_document {
        return Err(AttachmentError::TooManyPages {
            limit: limits.max_pages_per_document,
        });
    }
    let mut head = [0u8; 8];
    let mut filled = 0;
    while filled < head.len() {
        let n = source.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    if filled == 0 {
        return Err(AttachmentError::Empty);
    }
    let media_type = MediaType::sniff(&head[..filled]).ok_or(AttachmentError::NotAllowedType)?;
    let used: u64 = already.iter().map(|a| a.size).sum();
    let room = limits.max_total_bytes.saturating_sub(used);
    let limit = limits.max_file_bytes.min(room);
    let file_id = new_file_id();
    let name = format!("{}.{}", file_id.as_str(), media_type.extension());
    let whole = std::io::Cursor::new(head[..filled].to_vec()).chain(source);
    let (size, sha256) = match super::durable::write_durably(staging, &name, whole, limit) {
        Ok(done) => done,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(if limit < limits.max_file_bytes {
                AttachmentError::TotalTooLarge {
                    limit: limits.max_total_bytes,
                }
            } else {
                AttachmentError::TooLarge {
                    limit: limits.max_file_bytes,
                }
            });
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Attachment {
        file_id,
        document: document.to_owned(),
        media_type,
        size,
        sha256,
        path: staging.join(name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];

    #[test]
    fn checked_by_content_and_limits() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_file_bytes: 64,
            max_pages_per_document: 2,
            max_total_bytes: 100,
        };
        let a = stage(dir.path(), "Tờ khai", JPEG, &limits, &[]).unwrap();
        assert_eq!(a.media_type, MediaType::Jpeg);
        assert_eq!(a.size, JPEG.len() as u64);
        assert_eq!(std::fs::read(&a.path).unwrap(), JPEG);
        let exe = b"MZ\x90\x00\x03\x00\x00\x00renamed.pdf";
        assert!(matches!(
            stage(dir.path(), "Tờ khai", &exe[..], &limits, &[]),
            Err(AttachmentError::NotAllowedType)
        ));
        assert!(matches!(
            stage(dir.path(), "Tờ khai", &b""[..], &limits, &[]),
            Err(AttachmentError::Empty)
        ));
        let big = [b"%PDF-1.4".as_slice(), &[b' '; 100]].concat();
        assert!(matches!(
            stage(dir.path(), "Tờ khai", &big[..], &limits, &[]),
            Err(AttachmentError::TooLarge { limit: 64 })
        ));
        let b = stage(
            dir.path(),
            "Tờ khai",
            &[b"%PDF-1.4".as_slice(), &[b' '; 50]].concat()[..],
            &limits,
            &[a.clone()],
        )
        .unwrap();
        assert!(matches!(
            stage(
                dir.path(),
                "Tờ khai",
                JPEG,
                &limits,
                &[a.clone(), b.clone()]
            ),
            Err(AttachmentError::TooManyPages { limit: 2 })
        ));
        let c = [b"%PDF-1.4".as_slice(), &[b' '; 40]].concat();
        assert!(matches!(
            stage(dir.path(), "Giấy chứng sinh", &c[..], &limits, &[a, b]),
            Err(AttachmentError::TotalTooLarge { limit: 100 })
        ));
        // Refused files leave nothing behind: only the two accepted pages are on disk.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
