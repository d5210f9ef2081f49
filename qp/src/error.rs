//! SQL errors with their SQLSTATE and kind, and the one place where service errors become
//! SQL errors.
//!
//! Code decides what to do with an error by its [`ErrorKind`] (retry, give up, report a bug),
//! never by comparing SQLSTATE strings: `XX000` is both "server unavailable" (retryable) and
//! "damaged row" (internal), and only the kind tells them apart.

use std::fmt;

/// The result type of the query processor.
pub type Result<T> = std::result::Result<T, Error>;

/// A SQLSTATE, named as PostgreSQL's `errcodes.txt` names its condition.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SqlState(&'static str);

macro_rules! sqlstates {
    ($($(#[$doc:meta])* $name:ident = $code:literal;)*) => {
        impl SqlState {
            $($(#[$doc])* pub const $name: SqlState = SqlState($code);)*

            /// Every SQLSTATE the query processor reports.
            pub const ALL: &'static [SqlState] = &[$(SqlState::$name),*];
        }
    };
}

sqlstates! {
    /// 08P01
    PROTOCOL_VIOLATION = "08P01";
    /// 0A000
    FEATURE_NOT_SUPPORTED = "0A000";
    /// 28000
    INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    /// 0LP01
    INVALID_GRANT_OPERATION = "0LP01";
    /// 22001
    STRING_DATA_RIGHT_TRUNCATION = "22001";
    /// 22003
    NUMERIC_VALUE_OUT_OF_RANGE = "22003";
    /// 22007
    INVALID_DATETIME_FORMAT = "22007";
    /// 22008
    DATETIME_FIELD_OVERFLOW = "22008";
    /// 22012
    DIVISION_BY_ZERO = "22012";
    /// 2201W
    INVALID_ROW_COUNT_IN_LIMIT_CLAUSE = "2201W";
    /// 22004
    NULL_VALUE_NOT_ALLOWED = "22004";
    /// 22013
    INVALID_PRECEDING_OR_FOLLOWING_SIZE = "22013";
    /// 22014
    INVALID_ARGUMENT_FOR_NTILE = "22014";
    /// 22016
    INVALID_ARGUMENT_FOR_NTH_VALUE = "22016";
    /// 22000
    DATA_EXCEPTION = "22000";
    /// 22021
    CHARACTER_NOT_IN_REPERTOIRE = "22021";
    /// 2202E
    ARRAY_SUBSCRIPT_ERROR = "2202E";
    /// 22023
    INVALID_PARAMETER_VALUE = "22023";
    /// 22019
    INVALID_ESCAPE_CHARACTER = "22019";
    /// 22025
    INVALID_ESCAPE_SEQUENCE = "22025";
    /// 2201B
    INVALID_REGULAR_EXPRESSION = "2201B";
    /// 22P02
    INVALID_TEXT_REPRESENTATION = "22P02";
    /// 22P03
    INVALID_BINARY_REPRESENTATION = "22P03";
    /// 23502
    NOT_NULL_VIOLATION = "23502";
    /// 23505
    UNIQUE_VIOLATION = "23505";
    /// 25001
    ACTIVE_SQL_TRANSACTION = "25001";
    /// 25006
    READ_ONLY_SQL_TRANSACTION = "25006";
    /// 25P02
    IN_FAILED_SQL_TRANSACTION = "25P02";
    /// 2BP01
    DEPENDENT_OBJECTS_STILL_EXIST = "2BP01";
    /// 34000
    INVALID_CURSOR_NAME = "34000";
    /// 3F000
    INVALID_SCHEMA_NAME = "3F000";
    /// 22011
    SUBSTRING_ERROR = "22011";
    /// 3D000
    INVALID_CATALOG_NAME = "3D000";
    /// 40001
    SERIALIZATION_FAILURE = "40001";
    /// 40003
    STATEMENT_COMPLETION_UNKNOWN = "40003";
    /// 42501
    INSUFFICIENT_PRIVILEGE = "42501";
    /// 42601
    SYNTAX_ERROR = "42601";
    /// 42602
    INVALID_NAME = "42602";
    /// 42701
    DUPLICATE_COLUMN = "42701";
    /// 42702
    AMBIGUOUS_COLUMN = "42702";
    /// 42703
    UNDEFINED_COLUMN = "42703";
    /// 42704
    UNDEFINED_OBJECT = "42704";
    /// 42710
    DUPLICATE_OBJECT = "42710";
    /// 42712
    DUPLICATE_ALIAS = "42712";
    /// 42803
    GROUPING_ERROR = "42803";
    /// 42804
    DATATYPE_MISMATCH = "42804";
    /// 42809
    WRONG_OBJECT_TYPE = "42809";
    /// 42846
    CANNOT_COERCE = "42846";
    /// 42883
    UNDEFINED_FUNCTION = "42883";
    /// 42725
    AMBIGUOUS_FUNCTION = "42725";
    /// 42939
    RESERVED_NAME = "42939";
    /// 42P01
    UNDEFINED_TABLE = "42P01";
    /// 42P18
    INDETERMINATE_DATATYPE = "42P18";
    /// 42P19
    INVALID_RECURSION = "42P19";
    /// 42P20
    WINDOWING_ERROR = "42P20";
    /// 21000
    CARDINALITY_VIOLATION = "21000";
    /// 42P06
    DUPLICATE_SCHEMA = "42P06";
    /// 42P07
    DUPLICATE_TABLE = "42P07";
    /// 42P10
    INVALID_COLUMN_REFERENCE = "42P10";
    /// 42P16
    INVALID_TABLE_DEFINITION = "42P16";
    /// 42P17
    INVALID_OBJECT_DEFINITION = "42P17";
    /// 53200
    OUT_OF_MEMORY = "53200";
    /// 54000
    PROGRAM_LIMIT_EXCEEDED = "54000";
    /// 54011
    TOO_MANY_COLUMNS = "54011";
    /// 55000
    OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    /// 55006
    OBJECT_IN_USE = "55006";
    /// XX000
    INTERNAL_ERROR = "XX000";
}

impl SqlState {
    /// The five-character code.
    pub fn code(self) -> &'static str {
        self.0
    }

    /// The kind an error of this SQLSTATE has unless its origin says otherwise: class 40
    /// (transaction rollback) is retryable, except 40003, whose commit may have happened;
    /// class XX is internal; everything else is deterministic.
    pub fn default_kind(self) -> ErrorKind {
        match self {
            SqlState::STATEMENT_COMPLETION_UNKNOWN => ErrorKind::OutcomeUnknown,
            s if s.0.starts_with("40") => ErrorKind::Retryable,
            s if s.0.starts_with("XX") => ErrorKind::Internal,
            _ => ErrorKind::Deterministic,
        }
    }
}

impl fmt::Debug for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<&str> for SqlState {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// What a caller can do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Running the whole transaction again may succeed (a conflict, a service that was
    /// unavailable before anything was recorded).
    Retryable,
    /// The same statement on the same data fails the same way (bad SQL, a constraint, a limit).
    Deterministic,
    /// A bug or damaged data: retrying will not help, and the operator should look.
    Internal,
    /// A commit whose outcome is unknown: it may or may not have taken effect, so blindly
    /// retrying a non-idempotent transaction may apply it twice.
    OutcomeUnknown,
}

/// An error reported to the client: a SQLSTATE, a message and an optional detail, worded as
/// PostgreSQL (or DSQL, for its own errors) words them, and the kind of failure it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The SQLSTATE.
    pub state: SqlState,
    /// What a caller can do about it.
    pub kind: ErrorKind,
    /// The primary message.
    pub message: String,
    /// An optional DETAIL line.
    pub detail: Option<String>,
    /// An optional HINT line.
    pub hint: Option<String>,
}

impl Error {
    /// An error with a SQLSTATE and a message, of the SQLSTATE's default kind.
    pub fn new(state: SqlState, message: impl Into<String>) -> Error {
        Error {
            state,
            kind: state.default_kind(),
            message: message.into(),
            detail: None,
            hint: None,
        }
    }

    /// The five-character SQLSTATE.
    pub fn code(&self) -> &'static str {
        self.state.code()
    }

    /// Adds a DETAIL line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Error {
        self.detail = Some(detail.into());
        self
    }

    /// Adds a HINT line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// Overrides the kind (for errors whose SQLSTATE does not say how to handle them).
    pub fn with_kind(mut self, kind: ErrorKind) -> Error {
        self.kind = kind;
        self
    }

    /// 42601: a syntax error.
    pub fn syntax(message: impl Into<String>) -> Error {
        Error::new(SqlState::SYNTAX_ERROR, message)
    }

    /// 0A000: a feature dsql does not support (yet).
    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(SqlState::FEATURE_NOT_SUPPORTED, message)
    }

    /// 42P01: an unknown table.
    pub fn undefined_table(name: &str) -> Error {
        Error::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        )
    }

    /// 42703: an unknown column.
    pub fn undefined_column(name: &str) -> Error {
        Error::new(
            SqlState::UNDEFINED_COLUMN,
            format!("column \"{name}\" does not exist"),
        )
    }

    /// 42804: a type mismatch.
    pub fn datatype_mismatch(message: impl Into<String>) -> Error {
        Error::new(SqlState::DATATYPE_MISMATCH, message)
    }

    /// 42883: no operator or function matches the argument types.
    pub fn undefined_function(message: impl Into<String>) -> Error {
        Error::new(SqlState::UNDEFINED_FUNCTION, message)
    }

    /// 22P02: text that does not parse as the wanted type.
    pub fn invalid_text(type_name: &str, text: &str) -> Error {
        Error::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type {type_name}: \"{text}\""),
        )
    }

    /// 22003: a number out of its type's range.
    pub fn out_of_range(message: impl Into<String>) -> Error {
        Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, message)
    }

    /// 08P01: a protocol violation (bad bind parameters and the like).
    pub fn protocol(message: impl Into<String>) -> Error {
        Error::new(SqlState::PROTOCOL_VIOLATION, message)
    }

    /// 25P02: a statement in a transaction block that already failed.
    pub fn in_failed_transaction() -> Error {
        Error::new(
            SqlState::IN_FAILED_SQL_TRANSACTION,
            "current transaction is aborted, commands ignored until end of transaction block",
        )
    }

    /// XX000: an internal error (a bug or damaged data).
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(SqlState::INTERNAL_ERROR, message)
    }

    /// 40001: the transaction lost a race and can only be retried as a whole.
    pub fn is_serialization_failure(&self) -> bool {
        self.state == SqlState::SERIALIZATION_FAILURE
    }

    /// Whether running the whole transaction again may succeed.
    pub fn is_retryable(&self) -> bool {
        self.kind == ErrorKind::Retryable
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.state)
    }
}

impl std::error::Error for Error {}

/// The text of `XX000` for a service that could not be reached, when nothing was recorded.
pub const SERVER_UNAVAILABLE: &str = "server unavailable";

/// The mapping from service errors to SQL errors (DSQL's codes and texts). The kind follows
/// the service error, not the SQLSTATE.
impl From<proto::Error> for Error {
    fn from(err: proto::Error) -> Self {
        let kind = match err.kind() {
            proto::ErrorKind::Retryable => ErrorKind::Retryable,
            proto::ErrorKind::Deterministic => ErrorKind::Deterministic,
            proto::ErrorKind::Internal => ErrorKind::Internal,
            proto::ErrorKind::OutcomeUnknown => ErrorKind::OutcomeUnknown,
        };
        let error = match &err {
            proto::Error::Conflict | proto::Error::SchemaChanged => {
                Error::new(SqlState::SERIALIZATION_FAILURE, err.to_string())
            }
            proto::Error::TransactionTooOld { .. } => {
                Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, err.to_string())
            }
            proto::Error::OutcomeUnknown(reason) => Error::new(
                SqlState::STATEMENT_COMPLETION_UNKNOWN,
                "commit outcome unknown: the transaction may or may not have committed",
            )
            .with_detail(reason.clone()),
            proto::Error::Unavailable(reason) => {
                Error::new(SqlState::INTERNAL_ERROR, SERVER_UNAVAILABLE).with_detail(reason.clone())
            }
            proto::Error::Fenced { .. } => Error::new(
                SqlState::STATEMENT_COMPLETION_UNKNOWN,
                "commit outcome unknown: the transaction may or may not have committed",
            )
            .with_detail(err.to_string()),
            proto::Error::ReadTimeout => Error::new(SqlState::INTERNAL_ERROR, SERVER_UNAVAILABLE)
                .with_detail(err.to_string()),
            proto::Error::InvalidRequest(_) | proto::Error::Internal(_) => {
                Error::internal(err.to_string())
            }
        };
        error.with_kind(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_are_five_characters_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for state in SqlState::ALL {
            let code = state.code();
            assert_eq!(code.len(), 5, "{code}");
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
                "{code}"
            );
            assert!(seen.insert(code), "{code} listed twice");
        }
    }

    #[test]
    fn kinds_survive_the_mapping_from_service_errors() {
        let cases = [
            (proto::Error::Conflict, "40001", ErrorKind::Retryable),
            (proto::Error::SchemaChanged, "40001", ErrorKind::Retryable),
            (
                proto::Error::Unavailable("2 replicas down".into()),
                "XX000",
                ErrorKind::Retryable,
            ),
            (proto::Error::ReadTimeout, "XX000", ErrorKind::Retryable),
            (
                proto::Error::OutcomeUnknown("journal quorum did not answer in time".into()),
                "40003",
                ErrorKind::OutcomeUnknown,
            ),
            (
                proto::Error::Internal("damaged".into()),
                "XX000",
                ErrorKind::Internal,
            ),
            (
                proto::Error::InvalidRequest("unsorted".into()),
                "XX000",
                ErrorKind::Internal,
            ),
            (
                proto::Error::TransactionTooOld { limit_secs: 300 },
                "54000",
                ErrorKind::Deterministic,
            ),
        ];
        for (service, code, kind) in cases {
            let sql = Error::from(service.clone());
            assert_eq!((sql.code(), sql.kind), (code, kind), "{service:?}");
        }
        // Same SQLSTATE, different kinds: only the kind tells a retry loop what to do.
        assert!(Error::from(proto::Error::Unavailable("x".into())).is_retryable());
        assert!(!Error::internal("damaged row").is_retryable());
    }

    #[test]
    fn an_unknown_outcome_says_so_and_is_never_retryable() {
        let err = Error::from(proto::Error::OutcomeUnknown("deposed".into()));
        assert!(!err.is_retryable());
        assert!(!err.is_serialization_failure());
        assert!(
            err.message.contains("may or may not have committed"),
            "{err}"
        );
        assert_eq!(err.detail.as_deref(), Some("deposed"));
    }
}
