//! The error that crosses role boundaries.

use serde::{Deserialize, Serialize};

/// The result type of every service call.
pub type Result<T> = std::result::Result<T, Error>;

/// An error returned by a role's service. It is `Clone + Serialize` so that the network
/// implementation of a service returns exactly what the in-process one does; the QP maps it to
/// a SQLSTATE in one place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Error {
    /// A key this transaction wrote (or locked) was committed by another transaction after this
    /// transaction's snapshot (optimistic concurrency control, DSQL's OC000).
    #[error("change conflicts with another transaction, please retry: (OC000)")]
    Conflict,
    /// A key that had to stay unchanged since the snapshot (the catalog version) changed
    /// (DSQL's OC001).
    #[error("schema has been updated by another transaction, please retry: (OC001)")]
    SchemaChanged,
    /// The transaction's snapshot is older than the adjudicator's conflict window.
    #[error("transaction age limit of {limit_secs}s exceeded")]
    TransactionTooOld {
        /// The window, in seconds.
        limit_secs: u64,
    },
    /// Not enough replicas or shards answered; the outcome of a commit is unknown.
    #[error("server unavailable: {0}")]
    Unavailable(String),
    /// A storage read waited too long for its shard to catch up with the snapshot.
    #[error("storage shard is behind the requested snapshot, please retry")]
    ReadTimeout,
    /// A journal replica refused a writer whose epoch is older than one it was sealed with.
    #[error("journal replica is sealed at epoch {sealed}; writer epoch is older")]
    Fenced {
        /// The epoch the replica is sealed at.
        sealed: u64,
    },
    /// A request was malformed (a bug in the caller, never user input).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Stored data is damaged or an I/O operation failed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether retrying the whole transaction may succeed. Clients retry these with backoff.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Conflict | Error::SchemaChanged | Error::Unavailable(_) | Error::ReadTimeout
        )
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Internal(err.to_string())
    }
}

impl From<postcard::Error> for Error {
    fn from(err: postcard::Error) -> Self {
        Error::Internal(format!("decoding: {err}"))
    }
}
