//! The storage service: MVCC shards that serve reads as of a timestamp.

use crate::{Key, KeyRange, Result, Timestamp};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Sent by a QP: the value of `key` as of `read_ts` (the newest version with
/// `commit_ts <= read_ts`; `None` if there is none or it is a deletion). The shard first waits
/// until it has applied every commit up to `read_ts`, and answers
/// [`Error::ReadTimeout`](crate::Error::ReadTimeout) if that takes too long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetRequest {
    /// The key to read; must lie in the shard's range.
    pub key: Key,
    /// The snapshot.
    pub read_ts: Timestamp,
}

/// Sent by a QP: the live keys of `range` as of `read_ts`, in key order (descending if
/// `reverse`), at most `limit` of them. Waits for the snapshot like [`GetRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRequest {
    /// The keys wanted; clipped to the shard's range.
    pub range: KeyRange,
    /// The snapshot.
    pub read_ts: Timestamp,
    /// At most this many rows (all if `None`).
    pub limit: Option<u32>,
    /// Descending key order.
    pub reverse: bool,
}

/// The answer to a [`ScanRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanResponse {
    /// The rows, in the requested order.
    pub rows: Vec<(Key, Vec<u8>)>,
}

/// Every request a storage shard serves (for the network transport).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// See [`GetRequest`].
    Get(GetRequest),
    /// See [`ScanRequest`].
    Scan(ScanRequest),
}

/// Every response of a storage shard (for the network transport).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// The value, if any.
    Get(Option<Vec<u8>>),
    /// See [`ScanResponse`].
    Scan(ScanResponse),
}

/// A storage shard (one replica of one key range), in-process or remote.
#[async_trait]
pub trait Shard: Send + Sync {
    /// See [`GetRequest`].
    async fn get(&self, request: GetRequest) -> Result<Option<Vec<u8>>>;
    /// See [`ScanRequest`].
    async fn scan(&self, request: ScanRequest) -> Result<ScanResponse>;
}
