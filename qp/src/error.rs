//! SQL errors with their SQLSTATE, and the one place where service errors become SQLSTATEs.

use std::fmt;

/// The result type of the query processor.
pub type Result<T> = std::result::Result<T, Error>;

/// An error reported to the client: a SQLSTATE, a message and an optional detail, worded as
/// PostgreSQL (or DSQL, for its own errors) words them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The five-character SQLSTATE.
    pub code: &'static str,
    /// The primary message.
    pub message: String,
    /// An optional DETAIL line.
    pub detail: Option<String>,
}

impl Error {
    /// An error with a SQLSTATE and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// Adds a DETAIL line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Error {
        self.detail = Some(detail.into());
        self
    }

    /// 42601: a syntax error.
    pub fn syntax(message: impl Into<String>) -> Error {
        Error::new("42601", message)
    }

    /// 0A000: a feature dsql does not support (yet).
    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new("0A000", message)
    }

    /// 42P01: an unknown table.
    pub fn undefined_table(name: &str) -> Error {
        Error::new("42P01", format!("relation \"{name}\" does not exist"))
    }

    /// 42703: an unknown column.
    pub fn undefined_column(name: &str) -> Error {
        Error::new("42703", format!("column \"{name}\" does not exist"))
    }

    /// 42804: a type mismatch.
    pub fn datatype_mismatch(message: impl Into<String>) -> Error {
        Error::new("42804", message)
    }

    /// 42883: no operator or function matches the argument types.
    pub fn undefined_function(message: impl Into<String>) -> Error {
        Error::new("42883", message)
    }

    /// 22P02: text that does not parse as the wanted type.
    pub fn invalid_text(type_name: &str, text: &str) -> Error {
        Error::new(
            "22P02",
            format!("invalid input syntax for type {type_name}: \"{text}\""),
        )
    }

    /// 22003: a number out of its type's range.
    pub fn out_of_range(message: impl Into<String>) -> Error {
        Error::new("22003", message)
    }

    /// 08P01: a protocol violation (bad bind parameters and the like).
    pub fn protocol(message: impl Into<String>) -> Error {
        Error::new("08P01", message)
    }

    /// 25P02: a statement in a transaction block that already failed.
    pub fn in_failed_transaction() -> Error {
        Error::new(
            "25P02",
            "current transaction is aborted, commands ignored until end of transaction block",
        )
    }

    /// XX000: an internal error (a bug or damaged data).
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new("XX000", message)
    }

    /// Whether the client should retry the whole transaction (SQLSTATE class 40).
    pub fn is_serialization_failure(&self) -> bool {
        self.code == "40001"
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for Error {}

/// The mapping from service errors to SQLSTATEs (DSQL's codes and texts).
impl From<proto::Error> for Error {
    fn from(err: proto::Error) -> Self {
        match err {
            proto::Error::Conflict | proto::Error::SchemaChanged => {
                Error::new("40001", err.to_string())
            }
            proto::Error::TransactionTooOld { .. } => Error::new("54000", err.to_string()),
            proto::Error::Unavailable(reason) => {
                Error::new("XX000", "server unavailable").with_detail(reason)
            }
            proto::Error::ReadTimeout => {
                Error::new("XX000", "server unavailable").with_detail(err.to_string())
            }
            proto::Error::Fenced { .. } => {
                Error::new("XX000", "server unavailable").with_detail(err.to_string())
            }
            proto::Error::InvalidRequest(_) | proto::Error::Internal(_) => {
                Error::internal(err.to_string())
            }
        }
    }
}
