//! The adjudicator's tunables.

use std::time::Duration;

/// How a [`LocalAdjudicator`](crate::LocalAdjudicator) behaves. [`Config::default`] gives the
/// production values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The conflict window: a transaction whose snapshot is older than this is refused with
    /// [`Error::TransactionTooOld`](proto::Error::TransactionTooOld), and per-key conflict
    /// records older than this are forgotten. DSQL uses 300 s.
    pub max_txn_age: Duration,
    /// How long a commit waits for a quorum of replicas to have its entry on disk before it
    /// answers [`Error::OutcomeUnknown`](proto::Error::OutcomeUnknown). Also
    /// bounds a single append to a replica and the re-replication step of recovery.
    pub commit_timeout: Duration,
    /// How many durable entries the in-memory tail may keep for a lagging replica. Beyond this
    /// the oldest durable entries are dropped and a lagging replica is repaired from a peer
    /// replica's log instead.
    pub max_tail_entries: usize,
    /// The most entries one append to a replica carries (a batch is also capped at 8 MiB of
    /// payload).
    pub max_append_batch: usize,
    /// How long a replica may go without an append before it is sent an empty one (a
    /// heartbeat). Heartbeats find replicas that went down while the adjudicator was idle, so
    /// that commits are refused fast instead of waiting for [`Config::commit_timeout`].
    pub heartbeat_interval: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_txn_age: Duration::from_secs(300),
            commit_timeout: Duration::from_secs(5),
            max_tail_entries: 100_000,
            max_append_batch: 10_000,
            heartbeat_interval: Duration::from_millis(200),
        }
    }
}
