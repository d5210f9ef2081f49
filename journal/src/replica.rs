//! [`LocalReplica`]: one journal replica in this process, with its writer thread.
//!
//! A replica is up while an *incarnation* exists: the open log file, its in-memory [`Log`], and
//! a writer thread fed by a channel. [`LocalReplica::stop`] ends the incarnation like a crash;
//! [`LocalReplica::restart`] builds a new one from disk exactly as [`LocalReplica::open`] does.
//!
//! Appends and seals go through the writer thread, which handles them in groups:
//!
//! ```text
//!   channel:  [A1 A2 S3 A4] A5 ...      (arrival order)
//!              \__group__/
//!   thread:   apply A1, A2, S3, A4 in order (check, cut, write to the file)
//!             one sync_data for the group
//!             publish: readers now see the new entries
//!             answer A1, A2, S3, A4
//!   next group: A5 ...
//! ```
//!
//! Reads do not go through the thread: they look at the published part of the [`Log`] under a
//! read lock, served from the cache or, for older entries, from the file on a blocking thread.

use crate::log::Log;
use crate::record::Layout;
use crate::writer::{Command, Writer};
use crate::{meta, record};
use async_trait::async_trait;
use proto::journal::{
    AppendRequest, AppendResponse, ReadRequest, ReadResponse, Replica, SealRequest, SealResponse,
};
use proto::{Error, LogIndex, Result};
use std::fs::{File, OpenOptions};
use std::future::Future;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, mpsc};
use std::thread::JoinHandle;
use tokio::sync::{oneshot, watch};

/// The log file's name inside the replica's folder.
const LOG_FILE: &str = "journal.log";

/// Tuning knobs of a [`LocalReplica`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Memory budget of the cache of newest entries, in bytes. Storage shards tailing the log
    /// are served from it; older entries are read from the file.
    pub cache_bytes: usize,
    /// A read stops adding entries once it has gathered this many payload bytes (it always
    /// returns at least one entry if one is available).
    pub max_read_bytes: usize,
}

impl Default for Options {
    /// 64 MiB of cache, reads of up to 4 MiB.
    fn default() -> Options {
        Options {
            cache_bytes: 64 << 20,
            max_read_bytes: 4 << 20,
        }
    }
}

/// A journal replica stored in a local folder, served in-process. See the crate docs.
#[derive(Debug)]
pub struct LocalReplica {
    /// The replica's folder.
    dir: PathBuf,
    /// How it was opened.
    options: Options,
    /// The current incarnation; `None` while stopped.
    state: Mutex<Option<Incarnation>>,
    /// Fsyncs issued since this value was created, across restarts.
    fsyncs: Arc<AtomicU64>,
}

/// One run of the replica, from open (or restart) to stop (or a fatal I/O error).
#[derive(Debug)]
struct Incarnation {
    /// What callers share with the writer thread.
    running: Arc<Running>,
    /// The writer thread.
    thread: JoinHandle<()>,
}

/// The state callers and the writer thread share during one incarnation.
#[derive(Debug)]
pub(crate) struct Running {
    /// The in-memory log; the writer thread is its only mutator.
    pub(crate) log: RwLock<Log>,
    /// A read-only handle to the log file for positioned reads.
    pub(crate) reader: File,
    /// Requests for the writer thread.
    pub(crate) commands: mpsc::Sender<Command>,
    /// Bumped whenever published state changes or the incarnation ends: wakes waiting reads.
    pub(crate) changed: watch::Sender<u64>,
    /// Set when the incarnation ends; from then on every call answers `Unavailable`.
    pub(crate) stopped: AtomicBool,
    /// `"journal replica <dir> is down"`, the error of a stopped replica.
    pub(crate) down: String,
}

impl LocalReplica {
    /// Opens (creating if needed) the replica stored in `dir` with default [`Options`].
    pub fn open(dir: &Path) -> Result<Arc<LocalReplica>> {
        LocalReplica::open_with(dir, Options::default())
    }

    /// Opens (creating if needed) the replica stored in `dir`: recovers the log, cutting off a
    /// torn or damaged tail, loads the sealed epoch and starts the writer thread.
    pub fn open_with(dir: &Path, options: Options) -> Result<Arc<LocalReplica>> {
        let replica = LocalReplica {
            dir: dir.to_path_buf(),
            options,
            state: Mutex::new(None),
            fsyncs: Arc::new(AtomicU64::new(0)),
        };
        let incarnation = replica.start()?;
        *replica.state() = Some(incarnation);
        Ok(Arc::new(replica))
    }

    /// The replica's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many fsyncs this replica has issued (log, metadata file and folder), across
    /// restarts. One group of appends costs one.
    pub fn fsync_count(&self) -> u64 {
        self.fsyncs.load(Ordering::Relaxed)
    }

    /// Whether the replica is up (opened or restarted, and neither stopped nor failed).
    pub fn is_running(&self) -> bool {
        self.state()
            .as_ref()
            .is_some_and(|inc| !inc.running.stopped.load(Ordering::Acquire))
    }

    /// Crashes the replica: the writer thread stops, the files are closed, and every pending
    /// and later call answers [`Error::Unavailable`] until [`restart`](Self::restart). An
    /// append that was not answered may or may not be on disk; one that was answered is.
    pub fn stop(&self) {
        let mut state = self.state();
        if let Some(incarnation) = state.take() {
            incarnation.end();
        }
    }

    /// Reopens the replica from disk exactly as [`open`](Self::open) would. A replica that is
    /// still up is stopped first (a crash and restart).
    pub fn restart(&self) -> Result<()> {
        let mut state = self.state();
        if let Some(incarnation) = state.take() {
            incarnation.end();
        }
        *state = Some(self.start()?);
        Ok(())
    }

    /// Queues an append now and returns a future for its answer. Unlike
    /// [`Replica::append`], whose request joins the arrival order only when the future is
    /// first polled, the order of calls here is the order of arrival, which makes pipelining
    /// (sending the next append before the previous one is answered) straightforward.
    pub fn submit_append(
        &self,
        request: AppendRequest,
    ) -> impl Future<Output = Result<AppendResponse>> + Send + 'static {
        let (tx, rx) = oneshot::channel();
        let sent = self
            .running()
            .and_then(|running| running.send(Command::Append(request, tx)));
        let down = self.down();
        async move {
            sent?;
            rx.await.map_err(|_| Error::Unavailable(down))?
        }
    }

    /// Locks the incarnation slot. The slot is a plain `Option` that is never left half
    /// updated, so a poisoned lock still holds a consistent value.
    fn state(&self) -> MutexGuard<'_, Option<Incarnation>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The error text of a replica that is down.
    fn down(&self) -> String {
        format!("journal replica {} is down", self.dir.display())
    }

    /// The current incarnation, if the replica is up.
    fn running(&self) -> Result<Arc<Running>> {
        match self.state().as_ref() {
            Some(inc) if !inc.running.stopped.load(Ordering::Acquire) => Ok(inc.running.clone()),
            _ => Err(Error::Unavailable(self.down())),
        }
    }

    /// Opens the files, recovers the log and starts a writer thread.
    fn start(&self) -> Result<Incarnation> {
        let internal = |what: &str, err: io::Error| {
            Error::Internal(format!("{what} {}: {err}", self.dir.display()))
        };
        if !self.dir.is_dir() {
            std::fs::create_dir_all(&self.dir).map_err(|err| internal("creating", err))?;
            // Make the new folder's own name durable, not just the files inside it.
            if let Some(parent) = self.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                meta::sync_dir(parent).map_err(|err| internal("syncing the parent of", err))?;
                self.fsyncs.fetch_add(1, Ordering::Relaxed);
            }
        }
        let path = self.dir.join(LOG_FILE);
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|err| internal("opening the log in", err))?;
        if !existed {
            meta::sync_dir(&self.dir).map_err(|err| internal("syncing", err))?;
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
        }
        let sealed = meta::load(&self.dir)?;
        let mut first = [0; record::FILE_HEADER_LEN as usize];
        let first_len = read_prefix(&file, &mut first)
            .map_err(|err| internal("reading the log header in", err))?;
        let mut layout = record::layout(&first[..first_len]).map_err(|reason| {
            Error::Internal(format!(
                "opening the log in {}: {reason}",
                self.dir.display()
            ))
        })?;
        let mut found = record::scan(&file, layout.records_start(), self.options.cache_bytes)
            .map_err(|err| internal("scanning the log in", err))?;
        if layout == Layout::Legacy && found.slots.is_empty() {
            // A legacy log without a single intact record holds nothing: start it afresh,
            // with a header.
            layout = Layout::Empty;
            found = record::scan(&file, layout.records_start(), 0)
                .map_err(|err| internal("scanning the log in", err))?;
        }
        if layout == Layout::Empty {
            file.set_len(0)
                .and_then(|()| file.write_all_at(&record::file_header(), 0))
                .and_then(|()| file.sync_data())
                .map_err(|err| internal("writing the log header in", err))?;
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
            found.valid_len = record::FILE_HEADER_LEN;
            found.file_len = record::FILE_HEADER_LEN;
        }
        if found.valid_len < found.file_len {
            tracing::warn!(
                dir = %self.dir.display(),
                entries = found.slots.len(),
                kept_bytes = found.valid_len,
                dropped_bytes = found.file_len - found.valid_len,
                "journal log has a torn or damaged tail; cutting it off"
            );
            file.set_len(found.valid_len)
                .and_then(|()| file.sync_data())
                .map_err(|err| internal("repairing the log in", err))?;
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
        }
        let reader = File::open(&path).map_err(|err| internal("opening the log in", err))?;
        let log = Log::new(
            layout.records_start(),
            found.slots,
            found.tail,
            found.tail_bytes,
            self.options.cache_bytes,
        );
        let (commands, queue) = mpsc::channel();
        let running = Arc::new(Running {
            log: RwLock::new(log),
            reader,
            commands,
            changed: watch::Sender::new(0),
            stopped: AtomicBool::new(false),
            down: self.down(),
        });
        let writer = Writer {
            running: running.clone(),
            queue,
            file,
            end: found.valid_len,
            sealed,
            commit_index: LogIndex(0),
            dir: self.dir.clone(),
            fsyncs: self.fsyncs.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || writer.run())
            .map_err(|err| internal("starting the writer thread for", err))?;
        Ok(Incarnation { running, thread })
    }
}

/// Reads the first bytes of `file` into `buf` (fewer if the file is shorter): how many.
fn read_prefix(file: &File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], filled as u64)? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

impl Drop for LocalReplica {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Incarnation {
    /// Stops the incarnation and waits for its writer thread to exit (closing the log file).
    fn end(self) {
        self.running.halt();
        // The thread may already have exited after a failure; the send then fails harmlessly.
        drop(self.running.send(Command::Stop));
        if self.thread.join().is_err() {
            tracing::error!("journal writer thread panicked");
        }
    }
}

impl Running {
    /// Hands a command to the writer thread.
    fn send(&self, command: Command) -> Result<()> {
        self.commands
            .send(command)
            .map_err(|_| Error::Unavailable(self.down.clone()))
    }

    /// Marks the incarnation as ended and wakes every waiting read.
    pub(crate) fn halt(&self) {
        self.stopped.store(true, Ordering::Release);
        self.changed.send_modify(|version| *version += 1);
    }

    /// `Unavailable` if the incarnation has ended.
    fn check_up(&self) -> Result<()> {
        if self.stopped.load(Ordering::Acquire) {
            return Err(Error::Unavailable(self.down.clone()));
        }
        Ok(())
    }

    /// Read access to the log.
    fn log(&self) -> Result<std::sync::RwLockReadGuard<'_, Log>> {
        self.log
            .read()
            .map_err(|_| Error::Internal("journal log index lock poisoned".into()))
    }

    /// The newest published `(last_index, commit_index)` and the last index a read may return.
    fn bounds(&self, committed_only: bool) -> Result<(LogIndex, LogIndex, LogIndex)> {
        let log = self.log()?;
        let limit = if committed_only {
            log.commit_index
        } else {
            log.published
        };
        Ok((log.published, log.commit_index, limit))
    }
}

#[async_trait]
impl Replica for LocalReplica {
    async fn append(&self, request: AppendRequest) -> Result<AppendResponse> {
        self.submit_append(request).await
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse> {
        let running = self.running()?;
        let from = request.from.max(LogIndex(1));
        let deadline = tokio::time::Instant::now()
            + std::time::Duration::from_millis(request.wait_millis.into());
        // Waiting needs tokio's timer; outside a tokio runtime a read answers at once.
        let may_wait = request.wait_millis > 0
            && request.max_entries > 0
            && tokio::runtime::Handle::try_current().is_ok();
        let mut changes = running.changed.subscribe();
        let (last_index, commit_index, limit) = loop {
            running.check_up()?;
            let bounds = running.bounds(request.committed_only)?;
            if from <= bounds.2 || !may_wait {
                break bounds;
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => continue,
                Ok(Err(_)) => return Err(Error::Unavailable(running.down.clone())),
                Err(_elapsed) => break bounds,
            }
        };
        let max_bytes = self.options.max_read_bytes;
        let collect = {
            let running = running.clone();
            move || -> Result<Vec<proto::journal::Entry>> {
                running
                    .log()?
                    .collect(&running.reader, from, limit, request.max_entries, max_bytes)
            }
        };
        let needs_disk = from <= limit && running.log()?.needs_disk(from);
        let entries = if needs_disk {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => handle
                    .spawn_blocking(collect)
                    .await
                    .map_err(|err| Error::Internal(format!("journal read task: {err}")))??,
                Err(_) => collect()?,
            }
        } else {
            collect()?
        };
        running.check_up()?;
        Ok(ReadResponse {
            entries,
            commit_index,
            last_index,
        })
    }

    async fn seal(&self, request: SealRequest) -> Result<SealResponse> {
        let (tx, rx) = oneshot::channel();
        self.running()?.send(Command::Seal(request, tx))?;
        rx.await.map_err(|_| Error::Unavailable(self.down()))?
    }
}

#[cfg(test)]
mod tests;
