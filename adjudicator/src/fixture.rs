//! A faithful in-memory journal replica for tests.
//!
//! It follows the [`Replica`] contract: appends check log matching (`prev_index` /
//! `prev_epoch`) and truncate a conflicting suffix, seals refuse epochs not higher than the
//! current one, appends from an older epoch are fenced, and reads serve any entry or only
//! committed ones. A switch makes it "down" (every call answers `Unavailable`), and an
//! optional delay stands in for the fsync of an append. It does not implement `wait_millis`
//! (the adjudicator never waits on reads).

use async_trait::async_trait;
use proto::journal::{
    AppendRequest, AppendResponse, Entry, ReadRequest, ReadResponse, Replica, SealRequest,
    SealResponse,
};
use proto::{Epoch, Error, LogIndex, Result};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The replica's durable state.
#[derive(Debug, Default)]
struct Log {
    /// The highest epoch sealed (or appended) with.
    sealed: Epoch,
    /// Entries 1..=len.
    entries: Vec<Entry>,
    /// The highest index known durable on a quorum.
    commit_index: LogIndex,
}

/// An in-memory [`Replica`].
#[derive(Debug, Default)]
pub(crate) struct MemReplica {
    log: Mutex<Log>,
    down: AtomicBool,
    delay_micros: AtomicU64,
    /// Appends that carried at least one entry.
    pub(crate) batches: AtomicUsize,
    /// Reads served.
    pub(crate) reads: AtomicUsize,
}

impl MemReplica {
    /// An empty replica.
    pub(crate) fn new() -> Arc<MemReplica> {
        Arc::new(MemReplica::default())
    }

    /// A replica sealed at `sealed` holding `entries` (indexes 1..).
    pub(crate) fn with_log(sealed: u64, entries: Vec<Entry>) -> Arc<MemReplica> {
        let replica = MemReplica::new();
        {
            let mut log = replica.log.lock().unwrap();
            log.sealed = Epoch(sealed);
            log.entries = entries;
        }
        replica
    }

    /// Makes every call fail with `Unavailable` (or work again).
    pub(crate) fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Makes every append take `delay` before it is applied (a slow fsync).
    pub(crate) fn set_delay(&self, delay: Duration) {
        self.delay_micros
            .store(delay.as_micros() as u64, Ordering::SeqCst);
    }

    /// A copy of the log.
    pub(crate) fn entries(&self) -> Vec<Entry> {
        self.log.lock().unwrap().entries.clone()
    }

    /// The replica's commit index.
    pub(crate) fn commit_index(&self) -> LogIndex {
        self.log.lock().unwrap().commit_index
    }

    fn check_up(&self) -> Result<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(Error::Unavailable("replica is down".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl Replica for MemReplica {
    async fn append(&self, request: AppendRequest) -> Result<AppendResponse> {
        self.check_up()?;
        let delay = self.delay_micros.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_micros(delay)).await;
        }
        self.check_up()?;
        if !request.entries.is_empty() {
            self.batches.fetch_add(1, Ordering::SeqCst);
        }
        let mut log = self.log.lock().unwrap();
        if request.epoch < log.sealed {
            return Err(Error::Fenced {
                sealed: log.sealed.0,
            });
        }
        log.sealed = request.epoch;
        let prev = request.prev_index.0 as usize;
        if prev > 0 {
            match log.entries.get(prev - 1) {
                None => {
                    return Ok(AppendResponse::Mismatch {
                        last_index: LogIndex(log.entries.len() as u64),
                    });
                }
                Some(entry) if entry.epoch != request.prev_epoch => {
                    log.entries.truncate(prev - 1);
                    return Ok(AppendResponse::Mismatch {
                        last_index: LogIndex(log.entries.len() as u64),
                    });
                }
                Some(_) => {}
            }
        }
        for (k, entry) in request.entries.iter().enumerate() {
            assert_eq!(
                entry.index.0 as usize,
                prev + 1 + k,
                "entries must be consecutive"
            );
            let at = prev + k;
            match log.entries.get(at) {
                Some(existing) if existing.epoch == entry.epoch => {}
                Some(_) => {
                    log.entries.truncate(at);
                    log.entries.push(entry.clone());
                }
                None => log.entries.push(entry.clone()),
            }
        }
        let verified = LogIndex((prev + request.entries.len()) as u64);
        log.commit_index = log
            .commit_index
            .max(std::cmp::min(request.commit_index, verified));
        Ok(AppendResponse::Appended {
            last_index: LogIndex(log.entries.len() as u64),
        })
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse> {
        self.check_up()?;
        self.reads.fetch_add(1, Ordering::SeqCst);
        let log = self.log.lock().unwrap();
        let last = log.entries.len() as u64;
        let end = if request.committed_only {
            log.commit_index.0.min(last)
        } else {
            last
        };
        let entries = (request.from.0.max(1)..=end)
            .take(request.max_entries as usize)
            .map(|i| log.entries[i as usize - 1].clone())
            .collect();
        Ok(ReadResponse {
            entries,
            commit_index: log.commit_index,
            last_index: LogIndex(last),
        })
    }

    async fn seal(&self, request: SealRequest) -> Result<SealResponse> {
        self.check_up()?;
        let mut log = self.log.lock().unwrap();
        if request.epoch <= log.sealed {
            return Err(Error::Fenced {
                sealed: log.sealed.0,
            });
        }
        log.sealed = request.epoch;
        Ok(SealResponse {
            last_index: LogIndex(log.entries.len() as u64),
            last_epoch: log.entries.last().map_or(Epoch(0), |e| e.epoch),
            commit_index: log.commit_index,
        })
    }
}
