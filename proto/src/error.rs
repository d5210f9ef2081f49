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
    #[error("change conflicts with another transaction (OC000)")]
    Conflict,
    /// A key that had to stay unchanged since the snapshot (the catalog version) changed
    /// (DSQL's OC001).
    #[error("schema has been updated by another transaction (OC001)")]
    SchemaChanged,
    /// The transaction's snapshot is older than the adjudicator's conflict window.
    #[error("transaction age limit of {limit_secs}s exceeded")]
    TransactionTooOld {
        /// The window, in seconds.
        limit_secs: u64,
    },
    /// Not enough replicas or shards answered, and nothing was recorded: the request had no
    /// effect and may be retried.
    #[error("server unavailable: {0}")]
    Unavailable(String),
    /// A commit was handed to the journal but its durability was never confirmed (the
    /// adjudicator was deposed, or the quorum did not answer in time): it may or may not have
    /// committed. Never retryable: a blind retry could apply the transaction twice.
    #[error("commit outcome unknown: {0}")]
    OutcomeUnknown(String),
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

/// What a caller can do about an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Retrying the whole transaction may succeed: nothing of this attempt took effect.
    Retryable,
    /// The same request fails the same way again.
    Deterministic,
    /// A bug or damaged data.
    Internal,
    /// The request may or may not have taken effect.
    OutcomeUnknown,
}

impl Error {
    /// What a caller can do about this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Conflict | Error::SchemaChanged | Error::Unavailable(_) | Error::ReadTimeout => {
                ErrorKind::Retryable
            }
            Error::TransactionTooOld { .. } => ErrorKind::Deterministic,
            // A sealed replica refused this writer's append, which other replicas may hold.
            Error::OutcomeUnknown(_) | Error::Fenced { .. } => ErrorKind::OutcomeUnknown,
            Error::InvalidRequest(_) | Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// Whether retrying the whole transaction may succeed. Clients retry these with backoff.
    pub fn is_retryable(&self) -> bool {
        self.kind() == ErrorKind::Retryable
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
