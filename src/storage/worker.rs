//! The storage worker: one thread owns the database connection and the search index; everyone
//! else (the UI thread, the sync task, the CLI) sends it jobs. The UI thread never waits on it.

use std::sync::mpsc;
use std::thread;

use crate::catalog::{CatalogDb, SearchIndex};
use crate::status::StatusCache;
use crate::storage::StorageError;
use crate::submission::Outbox;

/// What the worker owns.
pub struct Storage {
    pub catalog: CatalogDb,
    /// The search index once built; see [`Storage::index`].
    index: Option<SearchIndex>,
    /// Indexing a large catalog takes a noticeable part of a second and the kiosk's first screen
    /// does not need it, so it runs on a thread of its own while the window comes up.
    indexing: Option<thread::JoinHandle<Result<SearchIndex, StorageError>>>,
    pub status: StatusCache,
    pub outbox: Outbox,
    /// The database file, to mark it when it is found damaged while running.
    path: std::path::PathBuf,
}

impl Storage {
    /// Opens (and migrates) the kiosk database at `path` and starts indexing its catalog on a
    /// thread of its own, with its own connection; the first search waits for it.
    pub fn open(path: &std::path::Path) -> Result<Self, StorageError> {
        let data_dir = path.parent().unwrap_or(std::path::Path::new("."));
        // Before any connection: a damaged database is set aside and replaced here, and its
        // report is logged at every start until staff deal with it.
        super::recovery::recover_if_damaged(path, data_dir)?;
        super::recovery::report_pending(data_dir);
        let catalog = CatalogDb::open(path)?;
        let status = StatusCache::open(path)?;
        let outbox = Outbox::open(path, data_dir).map_err(|e| match e {
            crate::submission::OutboxError::Storage(e) => e,
            other => StorageError::Worker(other.to_string()),
        })?;
        let index_path = path.to_owned();
        let indexing = thread::Builder::new()
            .name("indexing".into())
            .spawn(move || {
                let index = SearchIndex::build(&CatalogDb::open(&index_path)?.all()?);
                super::trim::return_freed_memory();
                Ok(index)
            })
            .map_err(|e| StorageError::Worker(format!("cannot start the indexing thread: {e}")))?;
        Ok(Self {
            catalog,
            index: None,
            indexing: Some(indexing),
            status,
            outbox,
            path: path.to_owned(),
        })
    }

    /// The search index, waiting for it if it is still being built. If building it failed, the
    /// kiosk searches nothing until the next sync rebuilds it, rather than not starting at all.
    pub fn index(&mut self) -> &SearchIndex {
        if let Some(indexing) = self.indexing.take() {
            self.index = match indexing.join() {
                Ok(Ok(index)) => Some(index),
                Ok(Err(e)) => {
                    tracing::error!("cannot index the local catalog: {e}");
                    None
                }
                Err(_) => {
                    tracing::error!("indexing the local catalog crashed");
                    None
                }
            };
        }
        self.index.get_or_insert_with(|| SearchIndex::build(&[]))
    }

    /// Drops what the index kept of the last query (see `SearchIndex::forget_last_query`).
    pub fn forget_last_search(&self) {
        if let Some(index) = &self.index {
            index.forget_last_query();
        }
    }

    pub fn rebuild_index(&mut self) -> Result<(), StorageError> {
        self.index = Some(SearchIndex::build(&self.catalog.all()?));
        super::trim::return_freed_memory();
        // A build still running from start-up is of the older catalog.
        self.indexing = None;
        Ok(())
    }
}

type Job = Box<dyn FnOnce(&mut Storage) + Send>;

#[derive(Debug, thiserror::Error)]
#[error("the storage worker has stopped")]
pub struct WorkerGone;

#[derive(Clone)]
pub struct StorageHandle {
    jobs: mpsc::Sender<Job>,
}

/// A worker still opening its database: the caller does other work (the kiosk creates its
/// window) and then waits for it with [`Opening::wait`].
pub struct Opening {
    handle: StorageHandle,
    ready: mpsc::Receiver<Result<(), StorageError>>,
}

impl Opening {
    /// The worker once its database is open, or why it could not be opened.
    pub fn wait(self) -> Result<StorageHandle, StorageError> {
        match self.ready.recv() {
            Ok(Ok(())) => Ok(self.handle),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(StorageError::Worker(
                "the storage thread died while opening".into(),
            )),
        }
    }
}

impl StorageHandle {
    /// Starts the worker without waiting for `open`; jobs posted meanwhile wait for it. `open`
    /// runs on the worker thread, so even opening and indexing the database happens off the
    /// caller's thread.
    fn start(
        open: impl FnOnce() -> Result<Storage, StorageError> + Send + 'static,
    ) -> Result<Opening, StorageError> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready_tx, ready) = mpsc::channel();
        thread::Builder::new()
            .name("storage".into())
            .spawn(move || {
                let mut storage = match open() {
                    Ok(storage) => {
                        let _ = ready_tx.send(Ok(()));
                        storage
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                for job in inbox {
                    job(&mut storage);
                    if let Some(cause) = super::take_noticed_damage()
                        && super::recovery::mark_damaged(&storage.path, &cause)
                    {
                        super::REPLACE_AT_START.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            })
            .map_err(|e| StorageError::Worker(format!("cannot start the storage thread: {e}")))?;
        Ok(Opening {
            handle: Self { jobs },
            ready,
        })
    }

    /// The worker over the kiosk database at `path`, opened, migrated and indexed on the worker.
    pub fn open_file(path: std::path::PathBuf) -> Result<Self, StorageError> {
        Self::start_file(path)?.wait()
    }

    /// [`open_file`](Self::open_file) without waiting for the database to be open.
    pub fn start_file(path: std::path::PathBuf) -> Result<Opening, StorageError> {
        Self::start(move || Storage::open(&path))
    }

    /// Fire and forget; the job posts its own results where they are needed.
    pub fn post(&self, job: impl FnOnce(&mut Storage) + Send + 'static) -> Result<(), WorkerGone> {
        self.jobs.send(Box::new(job)).map_err(|_| WorkerGone)
    }

    /// Runs `job` on the worker and awaits its result without blocking the async runtime.
    pub async fn call<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Storage) -> R + Send + 'static,
    ) -> Result<R, WorkerGone> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.post(move |storage| {
            let _ = tx.send(job(storage));
        })?;
        rx.await.map_err(|_| WorkerGone)
    }

    /// Blocking form of [`call`](Self::call) for command-line use; never call it on the UI thread.
    pub fn call_blocking<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Storage) -> R + Send + 'static,
    ) -> Result<R, WorkerGone> {
        let (tx, rx) = mpsc::channel();
        self.post(move |storage| {
            let _ = tx.send(job(storage));
        })?;
        rx.recv().map_err(|_| WorkerGone)
    }
}
