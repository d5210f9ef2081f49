//! The state shared by the commit path and the shipper tasks, and every transition of it.
//!
//! All of it sits behind one std [`Mutex`] that is held only for short, await-free critical
//! sections: resolving a commit and pushing its entry, planning a shipper's next append, and
//! folding a replica's answer back in. The durable frontier is published on a tokio
//! [`watch`] channel so commits wait for it without polling.

use crate::config::Config;
use crate::conflicts::Conflicts;
use crate::tail::Tail;
use proto::journal::{AppendRequest, Replica};
use proto::{Epoch, LogIndex, Timestamp};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, watch};

/// The most payload bytes one append carries (a batch holds at least one entry).
pub(crate) const MAX_APPEND_BYTES: usize = 8 << 20;

/// The durable frontier as published to waiting commits and `read_ts` callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frontier {
    /// Every entry up to here is on a quorum of replicas.
    pub(crate) index: LogIndex,
    /// The commit timestamp of the entry at `index`.
    pub(crate) ts: Timestamp,
    /// A replica fenced this adjudicator: nothing will become durable any more.
    pub(crate) deposed: bool,
}

/// What the adjudicator knows about one replica (Raft's `nextIndex`/`matchIndex`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Progress {
    /// The next entry to send.
    pub(crate) next_index: LogIndex,
    /// The replica's log is known to equal ours up to here.
    pub(crate) match_index: LogIndex,
    /// The last `commit_index` the replica acknowledged.
    pub(crate) told_commit: LogIndex,
    /// Whether the replica's last answer was a success.
    pub(crate) healthy: bool,
}

/// Everything behind the lock.
#[derive(Debug)]
pub(crate) struct Core {
    /// Per-key conflict records and the commit clock.
    pub(crate) conflicts: Conflicts,
    /// The buffered journal suffix.
    pub(crate) tail: Tail,
    /// One per replica, in the order of [`Inner::replicas`].
    pub(crate) progress: Vec<Progress>,
    /// The durable index (also published in [`Inner::frontier`]).
    pub(crate) durable: LogIndex,
    /// A replica fenced this adjudicator.
    pub(crate) deposed: bool,
}

/// What a shipper should do next.
#[derive(Debug)]
pub(crate) enum Plan {
    /// The adjudicator is shut down or deposed: exit.
    Stop,
    /// Nothing to send: wait for a wake-up or the heartbeat interval.
    Idle,
    /// Send this append.
    Append(AppendRequest),
    /// The replica needs entries no longer buffered: read `prev_index ..= until` from one of
    /// `peers` (replicas whose logs match ours that far) and send them.
    Repair {
        /// Candidate replicas to read from, by position.
        peers: Vec<usize>,
        /// The append's `prev_index` (0 at the log's start).
        prev_index: LogIndex,
        /// The last index to read (the tail's base).
        until: LogIndex,
        /// The durable index to send along.
        commit_index: LogIndex,
    },
}

/// The facts of a sent append that its answer is interpreted against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sent {
    /// The append's `prev_index`.
    pub(crate) prev_index: LogIndex,
    /// How many entries it carried.
    pub(crate) count: usize,
    /// The `commit_index` it carried.
    pub(crate) commit_index: LogIndex,
}

impl Sent {
    /// Summarizes `request`.
    pub(crate) fn of(request: &AppendRequest) -> Sent {
        Sent {
            prev_index: request.prev_index,
            count: request.entries.len(),
            commit_index: request.commit_index,
        }
    }
}

/// The adjudicator's shared state.
pub(crate) struct Inner {
    /// Tunables.
    pub(crate) config: Config,
    /// This writer's epoch.
    pub(crate) epoch: Epoch,
    /// The journal replicas.
    pub(crate) replicas: Vec<Arc<dyn Replica>>,
    /// How many replicas make a quorum.
    pub(crate) majority: usize,
    /// The locked state.
    core: Mutex<Core>,
    /// The durable frontier.
    pub(crate) frontier: watch::Sender<Frontier>,
    /// One wake-up per shipper (a stored permit, so no wake-up is lost).
    wakers: Vec<Notify>,
    /// Set when the adjudicator is dropped: shippers exit.
    stopped: AtomicBool,
}

impl Inner {
    /// Shared state over `core`, with the frontier at `durable` (timestamp unknown yet).
    pub(crate) fn new(
        config: Config,
        epoch: Epoch,
        replicas: Vec<Arc<dyn Replica>>,
        core: Core,
    ) -> Inner {
        let n = replicas.len();
        let (frontier, _) = watch::channel(Frontier {
            index: core.durable,
            ts: Timestamp::ZERO,
            deposed: false,
        });
        Inner {
            config,
            epoch,
            majority: n / 2 + 1,
            replicas,
            core: Mutex::new(core),
            frontier,
            wakers: (0..n).map(|_| Notify::new()).collect(),
            stopped: AtomicBool::new(false),
        }
    }

    /// Locks the core. A poisoned lock (a panic inside a critical section) is taken over: each
    /// critical section leaves the state consistent before anything that could panic.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Core> {
        self.core
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wakes every shipper.
    pub(crate) fn wake_all(&self) {
        for waker in &self.wakers {
            waker.notify_one();
        }
    }

    /// Waits until shipper `i` is woken.
    pub(crate) async fn woken(&self, i: usize) {
        self.wakers[i].notified().await
    }

    /// Tells the shippers to exit.
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.wake_all();
    }

    /// Whether the adjudicator was stopped.
    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// Decides shipper `i`'s next step. `heartbeat` forces an append even if there is
    /// nothing new to tell.
    pub(crate) fn plan(&self, i: usize, heartbeat: bool) -> Plan {
        if self.is_stopped() {
            return Plan::Stop;
        }
        let core = self.lock();
        if core.deposed {
            return Plan::Stop;
        }
        let progress = core.progress[i];
        let last = core.tail.last_index();
        // Never beyond our own log (the shipper's bookkeeping keeps it so; this makes sure).
        let next_index = std::cmp::min(progress.next_index, last.next());
        let pending = next_index <= last;
        let news = core.durable > progress.told_commit;
        if !pending && !news && !heartbeat {
            return Plan::Idle;
        }
        let prev_index = LogIndex(next_index.0.saturating_sub(1));
        // The entries after `prev_index` are buffered only if it is not before the base.
        let buffered = (prev_index >= core.tail.base_index())
            .then(|| core.tail.epoch_at(prev_index))
            .flatten();
        match buffered {
            Some(prev_epoch) => Plan::Append(AppendRequest {
                epoch: self.epoch,
                prev_index,
                prev_epoch,
                entries: if pending {
                    core.tail
                        .batch(next_index, self.config.max_append_batch, MAX_APPEND_BYTES)
                } else {
                    Vec::new()
                },
                commit_index: core.durable,
            }),
            None => {
                let base = core.tail.base_index();
                let peers = (core.progress.iter().enumerate())
                    .filter(|&(j, p)| j != i && p.healthy && p.match_index >= base)
                    .map(|(j, _)| j)
                    .collect();
                Plan::Repair {
                    peers,
                    prev_index,
                    until: base,
                    commit_index: core.durable,
                }
            }
        }
    }

    /// Replica `i` appended `sent` and its log ends at `last_index`.
    pub(crate) fn on_appended(&self, i: usize, sent: Sent, last_index: LogIndex) {
        let mut core = self.lock();
        // Only what this append verified (prev matched, entries written) is known to equal
        // our log: the replica may hold stale entries of an older writer beyond it.
        let verified = LogIndex(sent.prev_index.0 + sent.count as u64);
        let matched = std::cmp::min(verified, last_index);
        let progress = &mut core.progress[i];
        progress.match_index = matched;
        progress.next_index = matched.next();
        progress.told_commit = std::cmp::max(progress.told_commit, sent.commit_index);
        if !progress.healthy {
            tracing::info!(replica = i, last_index = %last_index, "journal replica is back");
            progress.healthy = true;
        }
        self.advance(&mut core);
        self.trim(&mut core);
    }

    /// Replica `i` refused `sent` because its log does not continue at `prev_index`; it now
    /// ends at `last_index`. Returns false if the answer makes no sense (the caller backs off).
    pub(crate) fn on_mismatch(&self, i: usize, sent: Sent, last_index: LogIndex) -> bool {
        if sent.prev_index == LogIndex::ZERO {
            return false;
        }
        let mut core = self.lock();
        // Step back at least one entry so that repeated mismatches always make progress.
        let next = std::cmp::min(last_index, LogIndex(sent.prev_index.0 - 1)).next();
        let progress = &mut core.progress[i];
        progress.next_index = next;
        progress.match_index = std::cmp::min(progress.match_index, LogIndex(next.0 - 1));
        progress.healthy = true;
        true
    }

    /// Replica `i` failed to answer.
    pub(crate) fn on_failure(&self, i: usize, error: &proto::Error) {
        let mut core = self.lock();
        let progress = &mut core.progress[i];
        if progress.healthy {
            tracing::warn!(replica = i, %error, "journal replica is unhealthy");
            progress.healthy = false;
        }
    }

    /// A replica was sealed by a newer writer: this adjudicator may never write again.
    pub(crate) fn depose(&self, sealed: u64) {
        let mut core = self.lock();
        if !core.deposed {
            tracing::warn!(epoch = %self.epoch, sealed, "adjudicator deposed by a newer epoch");
            core.deposed = true;
            self.frontier.send_modify(|f| f.deposed = true);
        }
        drop(core);
        self.wake_all();
    }

    /// Moves the durable index to the highest index a majority of replicas hold, if that
    /// entry was written in this epoch (as in Raft: an older epoch's entry on a majority can
    /// still be overwritten by a later writer, so it becomes durable only together with an
    /// entry of ours after it; recovery's barrier entry is that entry).
    fn advance(&self, core: &mut Core) {
        let mut matched: Vec<LogIndex> = core.progress.iter().map(|p| p.match_index).collect();
        matched.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = matched[self.majority - 1];
        if candidate <= core.durable {
            return;
        }
        let Some(slot) = core.tail.get(candidate) else {
            return;
        };
        let (Some(ts), true) = (slot.commit_ts, slot.entry.epoch == self.epoch) else {
            return;
        };
        core.durable = candidate;
        self.frontier.send_replace(Frontier {
            index: candidate,
            ts,
            deposed: core.deposed,
        });
        // The other replicas learn the new commit index with their next append.
        self.wake_all();
    }

    /// Drops durable entries every replica has, and beyond that durable entries in excess of
    /// [`Config::max_tail_entries`].
    fn trim(&self, core: &mut Core) {
        let min_match =
            (core.progress.iter().map(|p| p.match_index).min()).unwrap_or(LogIndex::ZERO);
        let mut through = std::cmp::min(min_match, core.durable);
        let keep = self.config.max_tail_entries as u64;
        if core.durable.0 - through.0 > keep {
            through = LogIndex(core.durable.0 - keep);
        }
        if through > core.tail.base_index() {
            core.tail.trim_through(through);
        }
    }
}
