//! Resumable uploads (tus-style `HEAD`/`PATCH` with `Upload-Offset`): the bytes of a request are
//! streamed to the file's `.part` as they arrive, never held whole in memory.
//!
//! Durability: the stored offset only ever counts bytes that were fsynced. A request that ends,
//! normally or because the connection dropped, fsyncs what it wrote and stores that offset; the
//! work runs in its own task, so it finishes even when the client is gone. Long requests also
//! checkpoint every `CHECKPOINT_BYTES`. If the process dies between writing and storing, the part
//! on disk is longer than the stored offset; the next `HEAD` or `PATCH` cuts it back to the offset
//! (`reconcile`), so the server never counts bytes it did not make durable.

use std::collections::HashMap;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use motcua_protocol::ClientId;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use super::files::{FileStore, Finished};
use super::store::{FileRecord, SubmissionStore};
use super::{SubmissionError, error::content_name};
use crate::http::{ApiError, blocking};

/// fsync and store the offset after this many bytes of one request.
pub const CHECKPOINT_BYTES: u64 = 16 * 1024 * 1024;

/// How long a new request for a file waits for the request it takes over from to store its
/// bytes and let go.
pub const TAKEOVER_WAIT: Duration = Duration::from_secs(30);

/// Files with an upload in progress: one request at a time per file. A new request for a busy
/// file takes over: the running one is told to stop, keeps what it received, and lets go. Only
/// the kiosk that owns a submission reaches its files, and a kiosk uploads a file from one
/// request at a time, so a second request means the first one's connection is dead to the kiosk
/// (a half-open connection the server cannot see yet) and waiting for it would only block the
/// resume until the body idle timeout (`body_idle_timeout_secs`).
#[derive(Debug, Default)]
pub struct UploadLocks {
    files: Mutex<HashMap<(i64, ClientId), Arc<FileTurn>>>,
}

#[derive(Debug, Default)]
struct FileTurn {
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Cancelled to ask the current holder to stop.
    stop: Mutex<CancellationToken>,
}

/// Holds its file until dropped, however the request ends.
#[derive(Debug)]
pub struct UploadGuard {
    locks: Arc<UploadLocks>,
    key: (i64, ClientId),
    entry: Arc<FileTurn>,
    stop: CancellationToken,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl UploadLocks {
    fn entry(&self, key: &(i64, ClientId)) -> Arc<FileTurn> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.entry(key.clone()).or_default().clone()
    }

    fn guard(
        self: &Arc<Self>,
        key: (i64, ClientId),
        entry: Arc<FileTurn>,
        turn: tokio::sync::OwnedMutexGuard<()>,
    ) -> UploadGuard {
        let stop = CancellationToken::new();
        *entry.stop.lock().unwrap_or_else(|e| e.into_inner()) = stop.clone();
        UploadGuard {
            locks: self.clone(),
            key,
            entry,
            stop,
            _turn: turn,
        }
    }

    /// The file's lock if nobody holds it.
    pub fn try_lock(self: &Arc<Self>, submission: i64, file_id: &ClientId) -> Option<UploadGuard> {
        let key = (submission, file_id.clone());
        let entry = self.entry(&key);
        let turn = entry.turn.clone().try_lock_owned().ok()?;
        Some(self.guard(key, entry, turn))
    }

    /// The file's lock, taken over from a running request if need be (see the type's doc).
    /// `None` if the running request did not let go within `wait`.
    pub async fn take_over(
        self: &Arc<Self>,
        submission: i64,
        file_id: &ClientId,
        wait: Duration,
    ) -> Option<UploadGuard> {
        let key = (submission, file_id.clone());
        let entry = self.entry(&key);
        if let Ok(turn) = entry.turn.clone().try_lock_owned() {
            return Some(self.guard(key, entry, turn));
        }
        entry
            .stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .cancel();
        tracing::info!(file_id = %file_id, "a new upload request takes over from a running one");
        let turn = tokio::time::timeout(wait, entry.turn.clone().lock_owned())
            .await
            .ok()?;
        Some(self.guard(key, entry, turn))
    }
}

impl UploadGuard {
    /// Cancelled when a newer request for the same file takes over.
    pub fn stop(&self) -> CancellationToken {
        self.stop.clone()
    }
}

impl Drop for UploadGuard {
    fn drop(&mut self) {
        let mut files = self.locks.files.lock().unwrap_or_else(|e| e.into_inner());
        // Forget the file once nobody holds or waits for it: the map's reference and ours.
        if Arc::strong_count(&self.entry) <= 2 {
            files.remove(&self.key);
        }
    }
}

/// Most bytes read away from a refused request before the connection is given up.
pub const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads and discards what is left of a request body (at most `DRAIN_LIMIT` bytes, for at most
/// 10 seconds). Answering before a client has sent its whole body makes the server close the
/// connection with unread data, and the client may then see a reset instead of the answer.
pub async fn drain(mut body: Body) {
    let discard = async {
        let mut read = 0u64;
        while let Some(Ok(chunk)) = next_frame_data(&mut body).await {
            read += chunk.len() as u64;
            if read > DRAIN_LIMIT {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, discard).await;
}

/// The next chunk of request bytes; trailers are skipped. `None` at the end; an error when the
/// body broke off or sent nothing for `body_idle_timeout_secs`: the router wraps every request
/// body in that timeout (`http::app`), so a kiosk whose network died without closing the
/// connection can resume, and the file it was writing does not stay locked.
pub async fn next_chunk(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    next_frame_data(body).await
}

async fn next_frame_data(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    loop {
        let frame = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await?;
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    return Some(Ok(data));
                }
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

/// Makes the stored offset and the part on disk agree (see the module doc) and returns the
/// offset. Call it only while holding the file's `UploadGuard`.
pub fn reconcile(
    store: &mut SubmissionStore,
    files: &FileStore,
    file: &FileRecord,
) -> Result<u64, SubmissionError> {
    if file.complete {
        return Ok(file.size);
    }
    let on_disk = files.part_len(file.submission, &file.file_id)?;
    if on_disk > file.offset {
        files.truncate_part(file.submission, &file.file_id, file.offset)?;
        Ok(file.offset)
    } else if on_disk < file.offset {
        store.set_offset(file.submission, &file.file_id, on_disk)?;
        Ok(on_disk)
    } else {
        Ok(file.offset)
    }
}

/// How an upload request ended.
#[derive(Debug)]
pub enum Appended {
    /// The body ended; the file now holds `offset` bytes (all of it verified and stored when
    /// `offset` is the size).
    Done { offset: u64 },
    /// The connection broke; `offset` bytes are kept.
    Interrupted { offset: u64 },
}

/// Everything the upload task needs; it owns the guard, so the file stays locked until the task
/// has stored its offset.
pub struct Upload {
    pub store: Arc<Mutex<SubmissionStore>>,
    pub files: Arc<FileStore>,
    pub file: FileRecord,
    pub start: u64,
    pub guard: UploadGuard,
}

impl Upload {
    /// Appends `body` at `start`, then verifies and stores the file when it is complete.
    pub async fn run(self, mut body: Body) -> Result<Appended, ApiError> {
        let Upload {
            store,
            files,
            file,
            start,
            guard,
        } = self;
        let stop = guard.stop();
        let std_file = {
            let files = files.clone();
            let (submission, file_id) = (file.submission, file.file_id.clone());
            tokio::task::spawn_blocking(move || files.open_part(submission, &file_id)).await??
        };
        let mut out = tokio::fs::File::from_std(std_file);
        tokio::io::AsyncSeekExt::seek(&mut out, std::io::SeekFrom::Start(start)).await?;
        let mut offset = start;
        let mut since_checkpoint = 0u64;
        let mut interrupted = false;
        loop {
            let next = tokio::select! {
                next = next_chunk(&mut body) => next,
                () = stop.cancelled() => {
                    tracing::debug!(file_id = %file.file_id, "upload taken over by a newer request");
                    interrupted = true;
                    break;
                }
            };
            let Some(chunk) = next else { break };
            let Ok(chunk) = chunk else {
                interrupted = true;
                break;
            };
            let len = chunk.len() as u64;
            if offset + len > file.size {
                // Nothing of this request is kept: a client that sends too much is confused about
                // what the file is. A tokio file writes in the background: dropped without a
                // flush, a write still on its way lands after the truncation below (found by
                // the upload_offsets fuzz target on a loaded machine).
                out.flush().await?;
                drop(out);
                let (files, id) = (files.clone(), file.file_id.clone());
                let submission = file.submission;
                tokio::task::spawn_blocking(move || files.truncate_part(submission, &id, start))
                    .await??;
                save_offset(&store, &file, start).await?;
                drain(body).await;
                return Err(SubmissionError::TooLarge(format!(
                    "file {} is declared as {} bytes; this request goes past its end",
                    file.file_id, file.size
                ))
                .into());
            }
            out.write_all(&chunk).await?;
            offset += len;
            since_checkpoint += len;
            if since_checkpoint >= CHECKPOINT_BYTES {
                out.flush().await?;
                out.sync_all().await?;
                save_offset(&store, &file, offset).await?;
                since_checkpoint = 0;
            }
        }
        out.flush().await?;
        out.sync_all().await?;
        drop(out);
        save_offset(&store, &file, offset).await?;
        if interrupted {
            tracing::debug!(file_id = %file.file_id, offset, "upload interrupted; bytes kept");
            return Ok(Appended::Interrupted { offset });
        }
        if offset < file.size {
            return Ok(Appended::Done { offset });
        }
        let (files2, record) = (files.clone(), file.clone());
        let finished = tokio::task::spawn_blocking(move || {
            files2.finish(
                record.submission,
                &record.file_id,
                &record.sha256,
                record.media_type,
            )
        })
        .await??;
        let id = file.file_id.clone();
        let submission = file.submission;
        match finished {
            Finished::Stored => {
                blocking(&store, move |s| Ok(s.mark_complete(submission, &id)?)).await?;
                Ok(Appended::Done { offset })
            }
            Finished::HashMismatch => {
                save_offset(&store, &file, 0).await?;
                Err(SubmissionError::HashMismatch(file.file_id).into())
            }
            Finished::WrongContent(found) => {
                save_offset(&store, &file, 0).await?;
                Err(SubmissionError::WrongContent {
                    file_id: file.file_id,
                    declared: file.media_type.as_str(),
                    found: content_name(found),
                }
                .into())
            }
        }
    }
}

async fn save_offset(
    store: &Arc<Mutex<SubmissionStore>>,
    file: &FileRecord,
    offset: u64,
) -> Result<(), ApiError> {
    let (submission, id) = (file.submission, file.file_id.clone());
    blocking(store, move |s| Ok(s.set_offset(submission, &id, offset)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_upload_per_file_at_a_time() {
        let locks = Arc::new(UploadLocks::default());
        let a = ClientId::parse("a").unwrap();
        let guard = locks.try_lock(1, &a).unwrap();
        assert!(locks.try_lock(1, &a).is_none());
        assert!(locks.try_lock(2, &a).is_some());
        drop(guard);
        assert!(locks.try_lock(1, &a).is_some());
        assert!(
            locks.files.lock().unwrap().is_empty(),
            "nothing kept per file"
        );
    }

    #[tokio::test]
    async fn a_newer_request_takes_over_a_running_one() {
        let locks = Arc::new(UploadLocks::default());
        let a = ClientId::parse("a").unwrap();
        let first = locks.try_lock(1, &a).unwrap();
        let stop = first.stop();
        let holder = tokio::spawn(async move {
            stop.cancelled().await;
            drop(first);
        });
        let second = locks.take_over(1, &a, Duration::from_secs(30)).await;
        assert!(second.is_some());
        holder.await.unwrap();
        assert!(!second.unwrap().stop().is_cancelled());
    }

    #[tokio::test]
    async fn a_holder_that_does_not_let_go_keeps_the_file() {
        let locks = Arc::new(UploadLocks::default());
        let a = ClientId::parse("a").unwrap();
        let first = locks.try_lock(1, &a).unwrap();
        assert!(
            locks
                .take_over(1, &a, Duration::from_millis(50))
                .await
                .is_none()
        );
        assert!(first.stop().is_cancelled(), "it was asked to stop");
    }
}
