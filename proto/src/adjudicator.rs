//! The adjudicator service: optimistic concurrency control and commit ordering.

use crate::{Key, Result, Timestamp, Write};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Sent by a QP at COMMIT of a read-write transaction.
///
/// The adjudicator aborts with [`Error::Conflict`](crate::Error::Conflict) if any key of
/// `writes` or `locked` was committed by another transaction after `read_ts`, and with
/// [`Error::SchemaChanged`](crate::Error::SchemaChanged) if any key of `unchanged` was.
/// Otherwise it assigns a commit timestamp, records it as the last commit of every written and
/// locked key, appends the record to the journal and answers once a quorum has it on disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRequest {
    /// The transaction's snapshot.
    pub read_ts: Timestamp,
    /// The writes, sorted by key, one per key. Never empty.
    pub writes: Vec<Write>,
    /// Keys read `FOR UPDATE`: checked and recorded like writes, but not written.
    pub locked: Vec<Key>,
    /// Keys that must not have changed since `read_ts` (checked, not recorded): the catalog
    /// version the transaction planned with.
    pub unchanged: Vec<Key>,
}

/// The answer to a successful [`CommitRequest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitResponse {
    /// The commit's timestamp; a snapshot at or after it sees the commit.
    pub commit_ts: Timestamp,
}

/// Every request the adjudicator serves (for the network transport).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Sent by a QP at a transaction's first statement: the snapshot to read at.
    ReadTs,
    /// See [`CommitRequest`].
    Commit(CommitRequest),
}

/// Every response of the adjudicator (for the network transport).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// The durable frontier: every commit acknowledged so far has a timestamp `<=` this.
    ReadTs(Timestamp),
    /// See [`CommitResponse`].
    Commit(CommitResponse),
}

/// The adjudicator, in-process or remote.
#[async_trait]
pub trait Adjudicator: Send + Sync {
    /// The durable frontier: the highest commit timestamp that is durable, such that every
    /// commit acknowledged to any client has a timestamp at or below it. A snapshot taken here
    /// sees every acknowledged commit.
    async fn read_ts(&self) -> Result<Timestamp>;
    /// See [`CommitRequest`].
    async fn commit(&self, request: CommitRequest) -> Result<CommitResponse>;
}
