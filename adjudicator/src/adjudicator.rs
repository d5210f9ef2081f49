//! [`LocalAdjudicator`]: the in-process adjudicator service.

use crate::config::Config;
use crate::recovery;
use crate::state::Inner;
use async_trait::async_trait;
use proto::adjudicator::{Adjudicator, CommitRequest, CommitResponse};
use proto::journal::Replica;
use proto::{CommitRecord, Epoch, Error, LogIndex, Result, Timestamp};
use std::sync::Arc;

/// The adjudicator: validates commits optimistically, orders them, writes them to the journal
/// replicas and acknowledges them once a quorum has them on disk. See the [crate] docs.
///
/// Created by [`LocalAdjudicator::recover`]; dropping the last handle stops its background
/// shipper tasks.
pub struct LocalAdjudicator {
    /// The state shared with the shipper tasks.
    inner: Arc<Inner>,
}

/// What the adjudicator knows about one journal replica (for tests and metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// Whether the replica answered its last request.
    pub healthy: bool,
    /// The replica's log is known to equal the adjudicator's up to here.
    pub match_index: LogIndex,
}

/// A snapshot of the adjudicator's state (for tests and metrics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// This writer's epoch.
    pub epoch: Epoch,
    /// Every entry up to here is on a quorum of replicas.
    pub durable_index: LogIndex,
    /// The commit timestamp of the entry at `durable_index`.
    pub read_ts: Timestamp,
    /// The last entry created (durable or not).
    pub last_index: LogIndex,
    /// How many entries the in-memory tail holds.
    pub buffered: usize,
    /// Whether a newer adjudicator fenced this one.
    pub deposed: bool,
    /// One per replica, in the order given to [`LocalAdjudicator::recover`].
    pub replicas: Vec<ReplicaStatus>,
}

impl LocalAdjudicator {
    /// Takes over the journal formed by `replicas` (normally three) and starts serving: seals
    /// them with a new epoch, adopts the most up-to-date log, replicates its tail and a
    /// barrier entry to a quorum, and starts one shipper task per replica (so this must run
    /// inside a tokio runtime). See the [`recovery`](crate::recovery) module.
    ///
    /// Fails with [`Error::Unavailable`] if fewer than a majority of replicas can be sealed
    /// or the tail cannot be replicated within [`Config::commit_timeout`], and with
    /// [`Error::Internal`] if the adopted log is damaged.
    pub async fn recover(
        replicas: Vec<Arc<dyn Replica>>,
        config: Config,
    ) -> Result<Arc<LocalAdjudicator>> {
        recovery::recover(replicas, config).await
    }

    /// Wraps the shared state built by recovery.
    pub(crate) fn from_inner(inner: Arc<Inner>) -> LocalAdjudicator {
        LocalAdjudicator { inner }
    }

    /// The durable index: every entry up to here is on a quorum of replicas.
    pub fn durable_index(&self) -> LogIndex {
        self.inner.frontier.borrow().index
    }

    /// This writer's epoch.
    pub fn epoch(&self) -> Epoch {
        self.inner.epoch
    }

    /// Whether a majority of replicas answered their last request, i.e. whether commits are
    /// currently accepted.
    pub fn is_healthy(&self) -> bool {
        let core = self.inner.lock();
        let healthy = core.progress.iter().filter(|p| p.healthy).count();
        !core.deposed && healthy >= self.inner.majority
    }

    /// A snapshot of the adjudicator's state.
    pub fn status(&self) -> Status {
        let core = self.inner.lock();
        let frontier = *self.inner.frontier.borrow();
        Status {
            epoch: self.inner.epoch,
            durable_index: frontier.index,
            read_ts: frontier.ts,
            last_index: core.tail.last_index(),
            buffered: core.tail.len(),
            deposed: core.deposed,
            replicas: (core.progress.iter())
                .map(|p| ReplicaStatus {
                    healthy: p.healthy,
                    match_index: p.match_index,
                })
                .collect(),
        }
    }
}

impl Drop for LocalAdjudicator {
    fn drop(&mut self) {
        self.inner.stop();
    }
}

/// Refuses a request that breaks [`CommitRequest`]'s contract.
fn validate(request: &CommitRequest) -> Result<()> {
    if request.writes.is_empty() {
        return Err(Error::InvalidRequest(
            "a commit needs at least one write".into(),
        ));
    }
    if !request.writes.windows(2).all(|w| w[0].key < w[1].key) {
        return Err(Error::InvalidRequest(
            "a commit's writes must be sorted by key, one per key".into(),
        ));
    }
    Ok(())
}

#[async_trait]
impl Adjudicator for LocalAdjudicator {
    async fn read_ts(&self) -> Result<Timestamp> {
        let frontier = *self.inner.frontier.borrow();
        if frontier.deposed {
            return Err(Error::Unavailable(
                "adjudicator was replaced by a newer one".into(),
            ));
        }
        Ok(frontier.ts)
    }

    async fn commit(&self, request: CommitRequest) -> Result<CommitResponse> {
        validate(&request)?;
        let inner = &self.inner;
        // Validate, resolve and order in one critical section.
        let (index, commit_ts) = {
            let mut core = inner.lock();
            if core.deposed {
                return Err(Error::Unavailable(
                    "adjudicator was replaced by a newer one".into(),
                ));
            }
            let healthy = core.progress.iter().filter(|p| p.healthy).count();
            if healthy < inner.majority {
                return Err(Error::Unavailable(format!(
                    "only {healthy} of {} journal replicas are reachable",
                    inner.replicas.len()
                )));
            }
            let commit_ts = core.conflicts.resolve(&request, Timestamp::now())?;
            let record = CommitRecord {
                commit_ts,
                writes: request.writes,
            };
            let index = core.tail.push(inner.epoch, record.encode(), commit_ts);
            (index, commit_ts)
        };
        inner.wake_all();

        // Replicate: wait for a quorum to have the entry on disk.
        let mut frontier = inner.frontier.subscribe();
        let durable = frontier.wait_for(|f| f.index >= index || f.deposed);
        match tokio::time::timeout(inner.config.commit_timeout, durable).await {
            Ok(Ok(f)) if f.index >= index => Ok(CommitResponse { commit_ts }),
            // The record is in the tail and may reach a quorum (and be adopted by a successor)
            // after we stop waiting: it may or may not commit.
            Ok(_) => Err(Error::OutcomeUnknown(
                "the adjudicator was replaced by a newer one before the commit was durable".into(),
            )),
            Err(_) => Err(Error::OutcomeUnknown(
                "the journal quorum did not confirm the commit in time".into(),
            )),
        }
    }
}
