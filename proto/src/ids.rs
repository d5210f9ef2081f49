//! Newtypes for ids and clock values that cross a crate boundary.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in the commit order: every commit gets a unique, strictly increasing timestamp from
/// the adjudicator, and every snapshot reads "as of" one. The value is microseconds since the
/// Unix epoch, bumped by one where two commits would otherwise share a microsecond, so a
/// timestamp also tells roughly when a commit happened (used for the transaction-age limit).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// The timestamp before every commit: a snapshot at `ZERO` sees an empty database.
    pub const ZERO: Timestamp = Timestamp(0);

    /// The wall clock now, in microseconds since the Unix epoch.
    pub fn now() -> Timestamp {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0);
        Timestamp(micros)
    }

    /// The next timestamp after `self`.
    pub fn next(self) -> Timestamp {
        Timestamp(self.0 + 1)
    }

    /// Microseconds from `earlier` to `self`, zero if `earlier` is later.
    pub fn micros_since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The position of an entry in the journal. The first entry has index 1; index 0 means
/// "before the first entry".
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct LogIndex(pub u64);

impl LogIndex {
    /// The position before the first entry.
    pub const ZERO: LogIndex = LogIndex(0);

    /// The next position.
    pub fn next(self) -> LogIndex {
        LogIndex(self.0 + 1)
    }
}

impl fmt::Display for LogIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The term of a journal writer (adjudicator). A new writer seals the journal replicas with a
/// higher epoch; replicas then refuse appends from every lower epoch.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Epoch(pub u64);

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Identifies a storage shard (a contiguous key range).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct ShardId(pub u32);

impl fmt::Display for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
