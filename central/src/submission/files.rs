//! Where uploaded bytes live under the data directory:
//!
//! - `uploads/<submission>/<file_id>.part`: a kiosk upload in progress;
//! - `files/<first 2 hex digits>/<sha256>`: finished, verified files, stored once by content;
//! - `phone-uploads/<session>/<file_id>`: files a phone sent, deleted with their session.
//!
//! Everything here blocks; callers run it on blocking threads.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_protocol::{ClientId, MediaType, Sha256Hex};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

/// Bytes `MediaType::sniff` needs to tell JPEG, PNG and PDF apart.
pub const SNIFF_BYTES: usize = 8;

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// What checking a fully uploaded part found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Moved into the content-addressed store (or already there).
    Stored,
    /// The part is reset to zero bytes.
    HashMismatch,
    /// The part is reset to zero bytes; the content is this (or nothing we accept).
    WrongContent(Option<MediaType>),
}

impl FileStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.to_owned(),
        }
    }

    pub fn part_dir(&self, submission: i64) -> PathBuf {
        self.root.join("uploads").join(submission.to_string())
    }

    pub fn part_path(&self, submission: i64, file_id: &ClientId) -> PathBuf {
        self.part_dir(submission)
            .join(format!("{}.part", file_id.as_str()))
    }

    pub fn stored_path(&self, sha256: &Sha256Hex) -> PathBuf {
        let hex = sha256.as_str();
        self.root.join("files").join(&hex[..2]).join(hex)
    }

    pub fn phone_dir(&self, session: &str) -> PathBuf {
        self.root.join("phone-uploads").join(session)
    }

    pub fn phone_path(&self, session: &str, file_id: &str) -> PathBuf {
        self.phone_dir(session).join(file_id)
    }

    /// Bytes of the part on disk; 0 when there is none.
    pub fn part_len(&self, submission: i64, file_id: &ClientId) -> io::Result<u64> {
        match fs::metadata(self.part_path(submission, file_id)) {
            Ok(meta) => Ok(meta.len()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Cuts the part to `len` bytes (creating it if needed) and makes that durable.
    pub fn truncate_part(&self, submission: i64, file_id: &ClientId, len: u64) -> io::Result<()> {
        let file = self.open_part(submission, file_id)?;
        file.set_len(len)?;
        file.sync_all()
    }

    /// The part, opened for writing at its end, created with its directory if needed.
    pub fn open_part(&self, submission: i64, file_id: &ClientId) -> io::Result<File> {
        let dir = self.part_dir(submission);
        fs::create_dir_all(&dir)?;
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(format!("{}.part", file_id.as_str())))
    }

    /// Checks a complete part against the manifest and files it by content: hash first, then
    /// what its first bytes say it is. A part that fails either check is reset to zero bytes.
    pub fn finish(
        &self,
        submission: i64,
        file_id: &ClientId,
        expected: &Sha256Hex,
        declared: MediaType,
    ) -> io::Result<Finished> {
        let part = self.part_path(submission, file_id);
        let (hash, head) = hash_file(&part)?;
        if &hash != expected {
            self.truncate_part(submission, file_id, 0)?;
            return Ok(Finished::HashMismatch);
        }
        let found = MediaType::sniff(&head);
        if found != Some(declared) {
            self.truncate_part(submission, file_id, 0)?;
            return Ok(Finished::WrongContent(found));
        }
        self.store(&part, expected)?;
        Ok(Finished::Stored)
    }

    /// Moves a verified file into the content-addressed store, durably; a file already stored
    /// under the same hash is kept and `from` is dropped.
    pub fn store(&self, from: &Path, sha256: &Sha256Hex) -> io::Result<()> {
        let target = self.stored_path(sha256);
        let dir = target
            .parent()
            .ok_or_else(|| io::Error::other("stored file has no directory"))?;
        if !dir.exists() {
            fs::create_dir_all(dir)?;
            if let Some(files) = dir.parent() {
                sync_dir(files)?;
            }
        }
        if target.exists() {
            fs::remove_file(from)?;
        } else {
            File::open(from)?.sync_all()?;
            fs::rename(from, &target)?;
        }
        sync_dir(dir)
    }

    /// Removes a submission's upload directory once all its files are stored.
    pub fn remove_parts(&self, submission: i64) -> io::Result<()> {
        remove_dir_if_present(&self.part_dir(submission))
    }

    pub fn remove_phone_session(&self, session: &str) -> io::Result<()> {
        remove_dir_if_present(&self.phone_dir(session))
    }
}

fn remove_dir_if_present(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// fsync a directory, so a rename or a new entry in it survives a power cut.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// SHA-256 of a file and its first bytes, read in 64 KiB pieces.
pub fn hash_file(path: &Path) -> io::Result<(Sha256Hex, Vec<u8>)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        if head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - head.len()).min(n);
            head.extend_from_slice(&buffer[..take]);
        }
        hasher.update(&buffer[..n]);
    }
    Ok((Sha256Hex::from_digest(&hasher.finalize().into()), head))
}

/// Streams `size` bytes of a stored file as the response body, never holding it in memory.
pub async fn file_response(
    path: &Path,
    media_type: MediaType,
    size: u64,
    etag: Option<&Sha256Hex>,
) -> io::Result<Response> {
    let file = tokio::fs::File::open(path).await?;
    let body = Body::from_stream(ReaderStream::new(file.take(size)));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(media_type.as_str()));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Some(hash) = etag
        && let Ok(value) = HeaderValue::from_str(&format!("\"{}\"", hash.as_str()))
    {
        headers.insert(ETAG, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ClientId {
        ClientId::parse(text).unwrap()
    }

    fn sha(bytes: &[u8]) -> Sha256Hex {
        Sha256Hex::from_digest(&Sha256::digest(bytes).into())
    }

    #[test]
    fn a_verified_part_is_filed_by_content_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let pdf = b"%PDF-1.7\nhello".to_vec();
        for submission in [1, 2] {
            let mut file = store.open_part(submission, &id("a")).unwrap();
            std::io::Write::write_all(&mut file, &pdf).unwrap();
            assert_eq!(store.part_len(submission, &id("a")).unwrap(), 14);
            assert_eq!(
                store
                    .finish(submission, &id("a"), &sha(&pdf), MediaType::Pdf)
                    .unwrap(),
                Finished::Stored
            );
            assert!(!store.part_path(submission, &id("a")).exists());
        }
        let stored = store.stored_path(&sha(&pdf));
        assert!(stored.starts_with(dir.path().join("files").join(&sha(&pdf).as_str()[..2])));
        assert_eq!(fs::read(stored).unwrap(), pdf);
    }

    #[test]
    fn a_wrong_hash_or_type_resets_the_part() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let exe = b"MZ\x90\x00program".to_vec();
        let mut file = store.open_part(1, &id("x")).unwrap();
        std::io::Write::write_all(&mut file, &exe).unwrap();
        assert_eq!(
            store
                .finish(1, &id("x"), &sha(b"other"), MediaType::Pdf)
                .unwrap(),
            Finished::HashMismatch
        );
        assert_eq!(store.part_len(1, &id("x")).unwrap(), 0);
        let mut file = store.open_part(1, &id("x")).unwrap();
        std::io::Write::write_all(&mut file, &exe).unwrap();
        assert_eq!(
            store
                .finish(1, &id("x"), &sha(&exe), MediaType::Pdf)
                .unwrap(),
            Finished::WrongContent(None)
        );
        assert_eq!(store.part_len(1, &id("x")).unwrap(), 0);
        assert_eq!(store.part_len(1, &id("never")).unwrap(), 0);
    }
}
