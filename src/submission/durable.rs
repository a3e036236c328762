//! Files that must survive a power cut: written to a temporary name, flushed to the disk, renamed
//! into place, and the directory flushed too, so after a crash a file is either whole or absent.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;

use motcua_protocol::Sha256Hex;
use sha2::{Digest, Sha256};

/// Flushes a directory's entries (new names, renames) to the disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Copies `source` into `dir/name` durably; returns its size and SHA-256. Reads at most
/// `limit + 1` bytes: a larger source is refused with `InvalidData` and nothing is left behind.
pub fn write_durably(
    dir: &Path,
    name: &str,
    mut source: impl Read,
    limit: u64,
) -> io::Result<(u64, Sha256Hex)> {
    fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{name}.part"));
    let result = (|| {
        let mut file = File::create(&temporary)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = source.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > limit {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "file too large"));
            }
            hasher.update(&buffer[..n]);
            file.write_all(&buffer[..n])?;
        }
        file.sync_all()?;
        let digest: [u8; 32] = hasher.finalize().into();
        Ok((size, Sha256Hex::from_digest(&digest)))
    })();
    match result {
        Ok(done) => {
            fs::rename(&temporary, dir.join(name))?;
            sync_dir(dir)?;
            Ok(done)
        }
        Err(e) => {
            let _ = fs::remove_file(&temporary);
            Err(e)
        }
    }
}

/// Moves a finished file into `dir` under `name` and makes it durable there.
pub fn move_durably(from: &Path, dir: &Path, name: &str) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    File::open(from)?.sync_all()?;
    let to = dir.join(name);
    if fs::rename(from, &to).is_err() {
        // Another filesystem: copy, then flush, then drop the original.
        fs::copy(from, &to)?;
        File::open(&to)?.sync_all()?;
        fs::remove_file(from)?;
    }
    sync_dir(dir)
}

/// Deletes a directory and everything in it, then flushes its parent: what a visitor left is gone
/// from the disk, not only from the listing.
pub fn remove_dir_durably(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    match dir.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_refuses_oversized_ones_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let (size, hash) = write_durably(dir.path(), "a.pdf", &b"%PDF-1.7 hello"[..], 100).unwrap();
        assert_eq!(size, 14);
        let expected: [u8; 32] = Sha256::digest(b"%PDF-1.7 hello").into();
        assert_eq!(hash, Sha256Hex::from_digest(&expected));
        assert_eq!(
            fs::read(dir.path().join("a.pdf")).unwrap(),
            b"%PDF-1.7 hello"
        );
        let err = write_durably(dir.path(), "b.pdf", &[0u8; 101][..], 100).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.pdf")]);
    }
}
