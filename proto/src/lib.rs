//! The contract between dsql's roles.
//!
//! Every role crate (`router`, `qp`, `adjudicator`, `journal`, `storage`) depends on this crate
//! and on nothing of the others. It holds what crosses a role boundary:
//!
//! - [`ids`]: newtypes for every id and clock value ([`Timestamp`], [`LogIndex`], [`Epoch`], ...).
//! - [`key`]: the ordered byte keys of the store, key ranges and the [`key::ShardMap`].
//! - [`format`](mod@format): the version envelope of every stored postcard value.
//! - [`record`]: the commit record that the adjudicator writes to the journal and storage applies.
//! - [`journal`], [`adjudicator`], [`storage`]: each service's requests, responses and its trait.
//!   Each trait has an in-process implementation (embedded mode: direct calls) and, later, a
//!   network one; the request and response types are serializable so both carry the same data.
//! - [`error`]: the [`Error`] that crosses the wire, which knows whether it is retryable.
//!
//! No role logic lives here.

pub mod adjudicator;
pub mod error;
pub mod format;
pub mod ids;
pub mod journal;
pub mod key;
pub mod record;
pub mod storage;

pub use error::{Error, ErrorKind, Result};
pub use ids::{Epoch, LogIndex, ShardId, Timestamp};
pub use key::{Key, KeyRange};
pub use record::{CommitRecord, Write};
