//! The journal service: a replicated commit log.
//!
//! Three replicas each keep the log on their own disk. The writer (the adjudicator) appends the
//! same entries to all three and counts an entry durable once two replicas have fsynced it.
//! Replicas are passive: they check that appends continue their log (`prev_index`/`prev_epoch`,
//! as in Raft's log matching), refuse writers older than the epoch they were sealed with, and
//! serve reads to storage shards (committed entries only) and to a writer that recovers or
//! repairs a lagging replica (any entry).

use crate::{Epoch, LogIndex, Result};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// One log entry. Its payload is opaque to the journal (a serialized
/// [`CommitRecord`](crate::CommitRecord)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the log, starting at 1.
    pub index: LogIndex,
    /// The epoch of the writer that created the entry.
    pub epoch: Epoch,
    /// The entry's content.
    pub payload: Vec<u8>,
}

/// Sent by the writer: append `entries` after the entry at `prev_index`, which must have been
/// written in `prev_epoch`. The replica writes and fsyncs them before answering. Entries already
/// present with the same index and epoch are skipped; a conflicting suffix is truncated first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendRequest {
    /// The writer's epoch; refused with [`Error::Fenced`](crate::Error::Fenced) if the replica
    /// was sealed with a higher one.
    pub epoch: Epoch,
    /// The index of the entry just before `entries[0]` (0 for the start of the log).
    pub prev_index: LogIndex,
    /// The epoch of the entry at `prev_index` (ignored when `prev_index` is 0).
    pub prev_epoch: Epoch,
    /// Consecutive entries starting at `prev_index + 1`; may be empty (a heartbeat that only
    /// advances `commit_index`).
    pub entries: Vec<Entry>,
    /// Every entry up to here is durable on a quorum; the replica may serve them to storage.
    pub commit_index: LogIndex,
}

/// The replica's answer to an [`AppendRequest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppendResponse {
    /// The entries are on disk; the replica's log now ends at `last_index`.
    Appended {
        /// The last index of the replica's log, fsynced.
        last_index: LogIndex,
    },
    /// The replica's log does not contain `prev_index` with `prev_epoch`. Its log (after
    /// dropping any conflicting suffix) ends at `last_index`: the writer resends from there.
    Mismatch {
        /// The last index the replica holds.
        last_index: LogIndex,
    },
}

/// Sent by a storage shard (committed entries) or a writer (any entries): read entries from
/// `from` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadRequest {
    /// The first index wanted.
    pub from: LogIndex,
    /// At most this many entries are returned.
    pub max_entries: u32,
    /// Only return entries the replica knows to be durable on a quorum.
    pub committed_only: bool,
    /// If nothing is available yet, wait up to this long for new entries.
    pub wait_millis: u32,
}

/// The answer to a [`ReadRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadResponse {
    /// Consecutive entries from `from`, possibly none.
    pub entries: Vec<Entry>,
    /// The highest index the replica knows to be durable on a quorum.
    pub commit_index: LogIndex,
    /// The last index the replica holds.
    pub last_index: LogIndex,
}

/// Sent by a new writer before it writes: refuse every writer with a lower epoch from now on,
/// and tell me where your log ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealRequest {
    /// The new writer's epoch; must be higher than any the replica has been sealed with.
    pub epoch: Epoch,
}

/// The answer to a [`SealRequest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealResponse {
    /// The last index of the replica's log.
    pub last_index: LogIndex,
    /// The epoch of that last entry.
    pub last_epoch: Epoch,
    /// The highest index the replica knows to be durable on a quorum.
    pub commit_index: LogIndex,
}

/// Every request a journal replica serves (for the network transport).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// See [`AppendRequest`].
    Append(AppendRequest),
    /// See [`ReadRequest`].
    Read(ReadRequest),
    /// See [`SealRequest`].
    Seal(SealRequest),
}

/// Every response of a journal replica (for the network transport).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// See [`AppendResponse`].
    Append(AppendResponse),
    /// See [`ReadResponse`].
    Read(ReadResponse),
    /// See [`SealResponse`].
    Seal(SealResponse),
}

/// A journal replica, in-process or remote. A replica that is down answers
/// [`Error::Unavailable`](crate::Error::Unavailable).
#[async_trait]
pub trait Replica: Send + Sync {
    /// See [`AppendRequest`].
    async fn append(&self, request: AppendRequest) -> Result<AppendResponse>;
    /// See [`ReadRequest`].
    async fn read(&self, request: ReadRequest) -> Result<ReadResponse>;
    /// See [`SealRequest`].
    async fn seal(&self, request: SealRequest) -> Result<SealResponse>;
}
