//! Test fixtures: an in-memory journal replica and helpers to build journal entries.

use async_trait::async_trait;
use proto::journal::{
    AppendRequest, AppendResponse, Entry, ReadRequest, ReadResponse, Replica, SealRequest,
    SealResponse,
};
use proto::{CommitRecord, Epoch, Error, LogIndex, Result, Timestamp, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The payload of a commit at `ts` with `writes` as (key, value or `None` for a delete).
pub fn record(ts: u64, writes: &[(&str, Option<&str>)]) -> Vec<u8> {
    CommitRecord {
        commit_ts: Timestamp(ts),
        writes: writes
            .iter()
            .map(|(k, v)| Write {
                key: k.as_bytes().to_vec(),
                value: v.map(|v| v.as_bytes().to_vec()),
            })
            .collect(),
    }
    .encode()
}

/// A journal entry at `index` (epoch 1) carrying `payload`.
pub fn entry(index: u64, payload: Vec<u8>) -> Entry {
    Entry {
        index: LogIndex(index),
        epoch: Epoch(1),
        payload,
    }
}

/// Bytes that do not decode as a [`CommitRecord`].
pub fn garbage() -> Vec<u8> {
    vec![0xff; 3]
}

/// Polls `condition` every few milliseconds until it holds; fails the test after 5 s.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The log of a [`MemReplica`].
#[derive(Default)]
struct Log {
    /// Entry `i` has index `i + 1`.
    entries: Vec<Entry>,
    /// Entries up to here are durable on a quorum.
    commit_index: LogIndex,
    /// The highest epoch the replica was sealed with.
    sealed: Epoch,
}

impl Log {
    fn last_index(&self) -> LogIndex {
        LogIndex(self.entries.len() as u64)
    }
}

/// A journal replica in memory, following the [`Replica`] contract (log matching, sealing,
/// committed-only long-poll reads), that can be switched to fail every call.
pub struct MemReplica {
    /// The log.
    log: Mutex<Log>,
    /// The commit index, for reads waiting for new entries.
    commit: watch::Sender<LogIndex>,
    /// Whether every call fails with [`Error::Unavailable`].
    failing: AtomicBool,
    /// How many reads were served or refused.
    reads: AtomicUsize,
}

impl MemReplica {
    /// An empty, healthy replica.
    pub fn new() -> Arc<MemReplica> {
        Arc::new(MemReplica {
            log: Mutex::new(Log::default()),
            commit: watch::Sender::new(LogIndex::ZERO),
            failing: AtomicBool::new(false),
            reads: AtomicUsize::new(0),
        })
    }

    /// Makes every call fail (as a replica that is down) or work again.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// The number of read calls so far.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    /// Appends `payloads` as the next entries (epoch 1) and marks them committed, as the
    /// writer would.
    pub async fn push(&self, payloads: Vec<Vec<u8>>) {
        let failing = self.failing.swap(false, Ordering::SeqCst);
        let (prev_index, next) = {
            let log = self.log.lock().expect("fixture lock");
            (log.last_index(), log.last_index().0 + 1)
        };
        let entries: Vec<Entry> = payloads
            .into_iter()
            .enumerate()
            .map(|(i, p)| entry(next + i as u64, p))
            .collect();
        let commit_index = LogIndex(prev_index.0 + entries.len() as u64);
        let response = self
            .append(AppendRequest {
                epoch: Epoch(1),
                prev_index,
                prev_epoch: Epoch(1),
                entries,
                commit_index,
            })
            .await;
        self.failing.store(failing, Ordering::SeqCst);
        assert_eq!(
            response,
            Ok(AppendResponse::Appended {
                last_index: commit_index
            })
        );
    }

    fn check_up(&self) -> Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::Unavailable("replica is down".into()));
        }
        Ok(())
    }

    /// What a read may return right now.
    fn available(&self, request: &ReadRequest) -> ReadResponse {
        let log = self.log.lock().expect("fixture lock");
        let upto = if request.committed_only {
            log.commit_index
        } else {
            log.last_index()
        };
        let first = request.from.0.max(1);
        let last = upto.0.min(first + u64::from(request.max_entries) - 1);
        let entries = if first <= last {
            log.entries[(first - 1) as usize..last as usize].to_vec()
        } else {
            Vec::new()
        };
        ReadResponse {
            entries,
            commit_index: log.commit_index,
            last_index: log.last_index(),
        }
    }
}

#[async_trait]
impl Replica for MemReplica {
    async fn append(&self, request: AppendRequest) -> Result<AppendResponse> {
        self.check_up()?;
        let mut log = self.log.lock().expect("fixture lock");
        if request.epoch < log.sealed {
            return Err(Error::Fenced {
                sealed: log.sealed.0,
            });
        }
        let prev = request.prev_index.0 as usize;
        if prev > log.entries.len() {
            return Ok(AppendResponse::Mismatch {
                last_index: log.last_index(),
            });
        }
        if prev > 0 && log.entries[prev - 1].epoch != request.prev_epoch {
            log.entries.truncate(prev - 1);
            return Ok(AppendResponse::Mismatch {
                last_index: log.last_index(),
            });
        }
        for entry in request.entries {
            let at = (entry.index.0 - 1) as usize;
            match log.entries.get(at) {
                Some(existing) if existing.epoch == entry.epoch => continue,
                Some(_) => log.entries.truncate(at),
                None => {}
            }
            log.entries.push(entry);
        }
        let commit = request.commit_index.min(log.last_index());
        if commit > log.commit_index {
            log.commit_index = commit;
            self.commit.send_replace(commit);
        }
        Ok(AppendResponse::Appended {
            last_index: log.last_index(),
        })
    }

    async fn read(&self, request: ReadRequest) -> Result<ReadResponse> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.check_up()?;
        let response = self.available(&request);
        if !response.entries.is_empty() || request.wait_millis == 0 {
            return Ok(response);
        }
        let mut commit = self.commit.subscribe();
        let wait = Duration::from_millis(u64::from(request.wait_millis));
        // Either new entries arrive or the wait ends; both are answered from the log as it is.
        let _ = tokio::time::timeout(wait, commit.wait_for(|c| *c >= request.from)).await;
        self.check_up()?;
        Ok(self.available(&request))
    }

    async fn seal(&self, request: SealRequest) -> Result<SealResponse> {
        self.check_up()?;
        let mut log = self.log.lock().expect("fixture lock");
        if request.epoch <= log.sealed {
            return Err(Error::Fenced {
                sealed: log.sealed.0,
            });
        }
        log.sealed = request.epoch;
        Ok(SealResponse {
            last_index: log.last_index(),
            last_epoch: log.entries.last().map_or(Epoch(0), |e| e.epoch),
            commit_index: log.commit_index,
        })
    }
}
