//! The storage role: MVCC shards that follow the journal and serve reads "as of" a timestamp.
//!
//! A shard owns one contiguous key range (see [`proto::key::ShardMap`]). It never takes writes
//! from a client: its only input is the journal, the log of committed transactions the
//! adjudicator writes. The shard reads committed entries from any journal replica, decodes each
//! payload as a [`proto::CommitRecord`], keeps the writes whose key is in its range, and adds
//! them as new versions at the record's `commit_ts`, strictly in log order. Because the
//! adjudicator hands out commit timestamps in log order, "applied up to index `i`" also means
//! "applied every commit up to `applied_ts`", the `commit_ts` of entry `i`; `applied_ts`
//! advances with every entry, including those that write no key of this shard.
//!
//! A read at `read_ts` first waits until `applied_ts >= read_ts` (bounded; then a retryable
//! [`proto::Error::ReadTimeout`]), so it can never miss a commit it should see, and then answers
//! from the versions: per key, the newest version with `commit_ts <= read_ts`, where a
//! tombstone means "absent". Here is a shard owning `[b, d)` following a journal:
//!
//! ```text
//! journal  index: 1              2              3              4
//!          ts:    10             20             30             40
//!          writes a=1, b=1       b=2, c=1       x=9            b=deleted
//!
//! shard [b,d) after entry 4:   c: (20, "1")
//!                              b: (10, "1") (20, "2") (40, tombstone)
//!                              applied_index 4, applied_ts 40   ("a" and "x" are not ours)
//!
//! get(b, read_ts=25) -> "2"          scan([a, z), read_ts=15) -> [(b, "1")]
//! get(b, read_ts=45) -> None         get(b, read_ts=50) -> waits for a commit at >= 50
//! get(a, ...)        -> InvalidRequest: not this shard's key
//! ```
//!
//! The pieces, bottom up:
//!
//! - [`mvcc`]: the version store ([`mvcc::Versions`]) and its worked example of visibility and
//!   garbage collection. Synchronous and I/O-free.
//! - [`LocalShard`] (in `shard.rs`): the store behind a lock, the applied position published
//!   through a `watch` channel, [`LocalShard::apply`], garbage collection, and the
//!   [`proto::storage::Shard`] implementation (get / scan).
//! - [`LocalShard::follow`] (in `applier.rs`): the task that long-polls journal replicas, fails
//!   over between them, and feeds [`LocalShard::apply`].
//!
//! **State is in memory.** A shard keeps its versions in memory only and, when the process
//! starts, rebuilds them by replaying the journal from index 1.
//!
//! TODO: durable checkpoints (write the versions to disk, e.g. with fjall, and resume the
//! journal after the checkpoint's index). This is acceptable for now because the journal is the
//! durable source of truth and is not yet truncated, so replay loses nothing; what it costs is
//! start-up time and memory proportional to the data, which only matter once data sets outgrow
//! a test cluster. Checkpoints are also what lets the journal be truncated and a new storage
//! replica bootstrap from a peer (see `DESIGN.md`).

mod applier;
pub mod mvcc;
mod shard;
#[cfg(test)]
mod testutil;

pub use shard::{LocalShard, ShardConfig};
