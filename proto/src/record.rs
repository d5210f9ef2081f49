//! The commit record: what the adjudicator appends to the journal and storage applies.
//!
//! A journal entry's payload is the record in the versioned envelope of [`crate::format`]:
//! version [`CommitRecord::VERSION`], or a legacy untagged record written before versions
//! existed (same layout as version 1).

use crate::{Error, Key, Result, Timestamp, format};
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
    /// The format version [`CommitRecord::encode`] writes. Bump it when the record (or
    /// [`Write`]) changes, keeping a frozen copy of the old definition that
    /// [`CommitRecord::decode`] converts from.
    pub const VERSION: u8 = 1;

    const WHAT: &'static str = "commit record";

    /// Serializes the record for a journal entry's payload.
    pub fn encode(&self) -> Vec<u8> {
        format::encode(Self::VERSION, self)
    }

    /// Parses a journal entry's payload, in any format version up to [`CommitRecord::VERSION`].
    pub fn decode(bytes: &[u8]) -> Result<CommitRecord> {
        let decoded = match format::split(Self::WHAT, bytes) {
            // Legacy records have version 1's layout.
            Ok((format::LEGACY | 1, body)) => format::decode_body(Self::WHAT, body),
            Ok((found, _)) => Err(format::newer(Self::WHAT, found, Self::VERSION)),
            Err(e) => Err(e),
        };
        decoded.map_err(|e| Error::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CommitRecord {
        CommitRecord {
            commit_ts: Timestamp(1_764_000_000_000_000),
            writes: vec![
                Write {
                    key: b"a".to_vec(),
                    value: Some(b"1".to_vec()),
                },
                Write {
                    key: b"b".to_vec(),
                    value: None,
                },
            ],
        }
    }

    #[test]
    fn a_record_round_trips_at_the_current_version() {
        let bytes = record().encode();
        assert_eq!(bytes[..3], [0x80, 0x00, CommitRecord::VERSION]);
        assert_eq!(CommitRecord::decode(&bytes).unwrap(), record());
    }

    #[test]
    fn a_legacy_record_decodes() {
        let legacy = postcard::to_allocvec(&record()).unwrap();
        assert_eq!(CommitRecord::decode(&legacy).unwrap(), record());
    }

    #[test]
    fn a_newer_version_is_a_clear_error() {
        let mut bytes = record().encode();
        bytes[2] = CommitRecord::VERSION + 1;
        assert_eq!(
            CommitRecord::decode(&bytes),
            Err(Error::Internal(
                "commit record has format version 2, newer than this build reads (up to 1): \
                 the data was written by a newer version of dsql"
                    .into()
            ))
        );
    }
}
