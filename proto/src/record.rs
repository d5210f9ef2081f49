//! The commit record: what the adjudicator appends to the journal and storage applies.

use crate::{Key, Result, Timestamp};
use serde::{Deserialize, Serialize};

/// One write of a transaction: the new image of a key, or its deletion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Write {
    /// The key written.
    pub key: Key,
    /// The new value, or `None` for a deletion (a tombstone version).
    pub value: Option<Vec<u8>>,
}

/// A committed transaction as stored in the journal: every write becomes visible at
/// `commit_ts` at once. Journal entries carry it serialized (see [`CommitRecord::encode`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRecord {
    /// The commit timestamp assigned by the adjudicator.
    pub commit_ts: Timestamp,
    /// The writes, sorted by key, one per key.
    pub writes: Vec<Write>,
}

impl CommitRecord {
    /// Serializes the record for a journal entry's payload.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("serializing to a Vec cannot fail")
    }

    /// Parses a journal entry's payload.
    pub fn decode(bytes: &[u8]) -> Result<CommitRecord> {
        Ok(postcard::from_bytes(bytes)?)
    }
}
