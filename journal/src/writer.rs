//! The writer thread: the only code that changes a replica's log.
//!
//! It takes every command waiting in its channel (up to [`MAX_GROUP`]) as a group, applies
//! them in arrival order (fencing, [`log::validate`], [`log::plan`], cutting and writing
//! records), issues one `sync_data` for the group, publishes the new log end and commit index
//! to readers, and only then answers. See the crate docs for the picture.

use crate::log::{self, Log, Plan};
use crate::replica::Running;
use crate::{meta, record};
use proto::journal::{AppendRequest, AppendResponse, SealRequest, SealResponse};
use proto::{Epoch, Error, LogIndex, Result};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockWriteGuard, mpsc};
use tokio::sync::oneshot;

/// The most requests the writer thread takes into one group, so a steady stream of appends
/// still gets fsynced and answered regularly.
pub(crate) const MAX_GROUP: usize = 1024;

/// A request to the writer thread.
pub(crate) enum Command {
    /// Append, answering on the channel.
    Append(AppendRequest, oneshot::Sender<Result<AppendResponse>>),
    /// Seal, answering on the channel.
    Seal(SealRequest, oneshot::Sender<Result<SealResponse>>),
    /// Wake up and exit (the `stopped` flag is already set).
    Stop,
}

/// An answer the writer thread sends once its group is durable.
pub(crate) enum Reply {
    /// The answer to an append.
    Append(
        oneshot::Sender<Result<AppendResponse>>,
        Result<AppendResponse>,
    ),
    /// The answer to a seal.
    Seal(oneshot::Sender<Result<SealResponse>>, Result<SealResponse>),
}

impl Reply {
    /// Delivers the answer (a caller that gave up is no longer listening, which is fine).
    fn send(self) {
        match self {
            Reply::Append(tx, answer) => drop(tx.send(answer)),
            Reply::Seal(tx, answer) => drop(tx.send(answer)),
        }
    }

    /// Replaces the answer with `err` and delivers it.
    fn fail(self, err: Error) {
        match self {
            Reply::Append(tx, _) => drop(tx.send(Err(err))),
            Reply::Seal(tx, _) => drop(tx.send(Err(err))),
        }
    }
}

/// The writer thread's state: the only code that changes the log.
pub(crate) struct Writer {
    /// What it shares with callers.
    pub(crate) running: Arc<Running>,
    /// Its commands, in arrival order.
    pub(crate) queue: mpsc::Receiver<Command>,
    /// The log file, opened for writing.
    pub(crate) file: File,
    /// The file's length: where the next record goes.
    pub(crate) end: u64,
    /// The epoch the replica is sealed at (durable in the metadata file).
    pub(crate) sealed: Epoch,
    /// The commit index including the current group (readers see it once published).
    pub(crate) commit_index: LogIndex,
    /// The replica's folder.
    pub(crate) dir: PathBuf,
    /// The replica's fsync counter.
    pub(crate) fsyncs: Arc<AtomicU64>,
}

impl Writer {
    /// Handles groups of commands until told to stop or an I/O error makes it stop.
    pub(crate) fn run(mut self) {
        while let Ok(first) = self.queue.recv() {
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match self.queue.try_recv() {
                    Ok(command) => group.push(command),
                    Err(_) => break,
                }
            }
            if let Err(err) = self.process(group) {
                tracing::error!(dir = %self.dir.display(), %err, "journal replica failed; it is down until restarted");
                self.running.halt();
            }
            if self.running.stopped.load(Ordering::Acquire) {
                break;
            }
        }
        // Dropping the queue answers every command still in it with `Unavailable`, and
        // dropping the file closes it.
    }

    /// Applies a group in order, fsyncs it once, publishes it and answers it. Commands are
    /// dropped unanswered (their callers see `Unavailable`) once the incarnation has stopped.
    /// An I/O error fails the whole group and is returned: the file may no longer match memory,
    /// so the replica must stop (fail-stop) and recover from disk on restart.
    fn process(&mut self, group: Vec<Command>) -> io::Result<()> {
        let mut replies = Vec::with_capacity(group.len());
        let mut dirty = false;
        for command in group {
            if self.running.stopped.load(Ordering::Acquire) {
                return Ok(());
            }
            let outcome = match command {
                Command::Stop => return Ok(()),
                Command::Append(request, tx) => self.append(request).map(|(answer, wrote)| {
                    dirty |= wrote;
                    Reply::Append(tx, answer)
                }),
                Command::Seal(request, tx) => {
                    self.seal(request).map(|answer| Reply::Seal(tx, answer))
                }
            };
            match outcome {
                Ok(reply) => replies.push(reply),
                Err(err) => {
                    self.fail(replies, &err);
                    return Err(err);
                }
            }
        }
        if dirty {
            if let Err(err) = self.file.sync_data() {
                self.fail(replies, &err);
                return Err(err);
            }
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
        }
        if self.running.stopped.load(Ordering::Acquire) {
            return Ok(());
        }
        {
            let mut log = write(&self.running.log)?;
            log.published = log.last_index();
            log.commit_index = self.commit_index.min(log.published);
        }
        self.running.changed.send_modify(|version| *version += 1);
        for reply in replies {
            reply.send();
        }
        Ok(())
    }

    /// Answers every reply of a failed group with the I/O error.
    fn fail(&self, replies: Vec<Reply>, err: &io::Error) {
        for reply in replies {
            reply.fail(Error::Internal(format!(
                "journal replica {}: {err}",
                self.dir.display()
            )));
        }
    }

    /// Raises the sealed epoch durably.
    fn adopt(&mut self, epoch: Epoch) -> io::Result<()> {
        meta::store(&self.dir, epoch)?;
        self.fsyncs.fetch_add(meta::STORE_FSYNCS, Ordering::Relaxed);
        self.sealed = epoch;
        Ok(())
    }

    /// Applies one append (without fsyncing the log). Returns the answer and whether the log
    /// file changed; an `Err` is an I/O failure.
    fn append(&mut self, request: AppendRequest) -> io::Result<(Result<AppendResponse>, bool)> {
        if request.epoch < self.sealed {
            let fenced = Error::Fenced {
                sealed: self.sealed.0,
            };
            return Ok((Err(fenced), false));
        }
        if let Err(err) = log::validate(&request) {
            return Ok((Err(err), false));
        }
        // The writer thread is the log's only mutator, so nothing changes between the plan and
        // its application; the lock is dropped meanwhile so readers are not held up by the
        // metadata fsyncs of an epoch change.
        let running = self.running.clone();
        let plan = match log::plan(&*write(&running.log)?, &request, self.commit_index) {
            Ok(plan) => plan,
            Err(err) => return Ok((Err(err), false)),
        };
        if request.epoch > self.sealed {
            self.adopt(request.epoch)?;
        }
        let mut log = write(&running.log)?;
        match plan {
            Plan::Mismatch { cut_after } => {
                let mut wrote = false;
                if let Some(keep) = cut_after {
                    self.cut(&mut log, keep)?;
                    wrote = true;
                }
                let last_index = log.last_index();
                Ok((Ok(AppendResponse::Mismatch { last_index }), wrote))
            }
            Plan::Append { cut_after, skip } => {
                let mut wrote = false;
                if let Some(keep) = cut_after {
                    self.cut(&mut log, keep)?;
                    wrote = true;
                }
                let verified = LogIndex(request.prev_index.0 + request.entries.len() as u64);
                let new = request.entries.into_iter().skip(skip);
                let mut bytes = Vec::new();
                let mut slots = Vec::new();
                for entry in new {
                    let offset = self.end + bytes.len() as u64;
                    let len = record::encode(&entry, &mut bytes)?;
                    slots.push((
                        record::Slot {
                            offset,
                            len,
                            epoch: entry.epoch,
                        },
                        entry,
                    ));
                }
                if !slots.is_empty() {
                    self.file.write_all_at(&bytes, self.end)?;
                    self.end += bytes.len() as u64;
                    for (slot, entry) in slots {
                        log.push(slot, entry);
                    }
                    wrote = true;
                }
                let told = request.commit_index.min(verified);
                self.commit_index = self.commit_index.max(told).min(log.last_index());
                let last_index = log.last_index();
                Ok((Ok(AppendResponse::Appended { last_index }), wrote))
            }
        }
    }

    /// Drops every entry after `keep` from memory (readers stop seeing them first) and from
    /// the file.
    fn cut(&mut self, log: &mut Log, keep: LogIndex) -> io::Result<()> {
        let offset = log.cut_after(keep);
        self.file.set_len(offset)?;
        self.end = offset;
        self.commit_index = self.commit_index.min(keep);
        Ok(())
    }

    /// Applies one seal. Its answer goes out after the group's fsync, so the log end it
    /// reports is durable by then.
    fn seal(&mut self, request: SealRequest) -> io::Result<Result<SealResponse>> {
        if request.epoch <= self.sealed {
            return Ok(Err(Error::Fenced {
                sealed: self.sealed.0,
            }));
        }
        self.adopt(request.epoch)?;
        let log = write(&self.running.log)?;
        Ok(Ok(SealResponse {
            last_index: log.last_index(),
            last_epoch: log.last_epoch(),
            commit_index: self.commit_index,
        }))
    }
}

/// Write access to the log (only the writer thread takes it).
fn write(log: &RwLock<Log>) -> io::Result<RwLockWriteGuard<'_, Log>> {
    log.write()
        .map_err(|_| io::Error::other("journal log index lock poisoned"))
}
