//! The adjudicator: optimistic concurrency control, commit ordering, and the journal writer.
//!
//! Transactions run on query processors without taking locks. At COMMIT a QP sends the
//! adjudicator its snapshot (`read_ts`) and its write set; the adjudicator decides whether the
//! transaction may commit, gives it its place in the global commit order, makes it durable in
//! the journal and answers. It is the journal's only writer. It keeps no durable state of its
//! own: everything it needs is rebuilt from the journal when it starts (see [`recovery`]).
//!
//! # Life of a commit
//!
//! 1. **Validate.** The request must have at least one write, sorted by key, one per key
//!    ([`Error::InvalidRequest`](proto::Error::InvalidRequest)). If fewer than a majority of
//!    the journal replicas answered their last request, refuse at once with
//!    [`Error::Unavailable`](proto::Error::Unavailable): waiting would only end in a timeout.
//!    A snapshot older than [`Config::max_txn_age`] is refused with
//!    [`Error::TransactionTooOld`](proto::Error::TransactionTooOld); one older than the
//!    conflict horizon (records forgotten, or taken before a restart) with a conflict.
//! 2. **Resolve.** For every written and locked key: if it was committed after `read_ts`, the
//!    transaction lost a write-write race: [`Error::Conflict`](proto::Error::Conflict). For
//!    every key that must be unchanged (the catalog version): [`Error::SchemaChanged`](
//!    proto::Error::SchemaChanged). Commits still in flight count as committed.
//! 3. **Order.** Still in the same critical section: `commit_ts = max(last issued + 1, now)`
//!    is recorded as the last commit of every written and locked key, and the commit record
//!    is pushed to the in-memory tail as the next journal entry. Index order and timestamp
//!    order are therefore the same order.
//! 4. **Replicate.** One shipper task per replica sends every pending entry in one append and
//!    keeps one append in flight; commits that arrive meanwhile ride the next one (group
//!    commit). An entry is durable once a majority of replicas has it on disk.
//! 5. **Acknowledge.** The commit waits (on a `watch` channel, bounded by
//!    [`Config::commit_timeout`]) until the durable index reaches its entry and answers
//!    `commit_ts`. The durable entry's timestamp is what [`read_ts`](
//!    proto::adjudicator::Adjudicator::read_ts) hands out, so a snapshot taken after an
//!    acknowledgement always sees the commit.
//!
//! # Two transactions racing on one key
//!
//! ```text
//!   time →      10          20            21              22
//!   T1  read_ts=10 ........ commit {k} ─► k:=21, entry 7 ─► durable, "ok @21"
//!   T2  read_ts=10 .................. commit {k} ─► last(k)=21 > 10 ─► Conflict (retry)
//!   T2' read_ts=22 ................................................... commit {k} ─► ok @23
//! ```
//!
//! T1 reaches the adjudicator first: `k` has no commit after 10, so T1 gets timestamp 21 and
//! `k`'s last commit becomes 21 at once, before entry 7 is even durable. T2, with the same
//! snapshot, finds `k` committed at 21 > 10 and is refused; the client retries with a new
//! snapshot, which sees T1's write, and commits.
//!
//! # Failures
//!
//! - One replica down: the other two form the quorum; the shipper retries with backoff and,
//!   when the replica answers again, resends what it missed (from a peer replica's log if the
//!   tail no longer holds it).
//! - Two replicas down: commits are refused fast with `Unavailable` and leave no trace.
//! - Adjudicator lost: a new one runs [`LocalAdjudicator::recover`], which seals the
//!   replicas with a higher epoch; the old one's next append is fenced, and its waiting and
//!   future commits fail with `Unavailable`.

mod adjudicator;
mod config;
mod conflicts;
pub mod recovery;
mod shipper;
mod state;
mod tail;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;

pub use adjudicator::{LocalAdjudicator, ReplicaStatus, Status};
pub use config::Config;
