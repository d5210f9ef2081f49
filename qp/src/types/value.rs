//! [`Value`]: one SQL value.

use super::Array;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

/// A SQL value. Integers of every width are `Int`; the expression's [`DataType`](super::DataType) says which.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// smallint, integer or bigint.
    Int(i64),
    /// real or double precision.
    Float(f64),
    /// numeric.
    Numeric(Decimal),
    /// text, varchar, char.
    Text(String),
    /// date.
    Date(NaiveDate),
    /// timestamp without time zone.
    Timestamp(NaiveDateTime),
    /// timestamp with time zone (kept in UTC).
    TimestampTz(DateTime<Utc>),
    /// An array of any element type (boxed: arrays are rarer than scalars, and a `Value`
    /// stays small).
    Array(Box<Array>),
}

impl Value {
    /// Whether the value is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a SQL boolean for WHERE/AND/OR: NULL is `None`.
    pub fn as_bool(&self) -> Result<Option<bool>> {
        match self {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            other => Err(Error::datatype_mismatch(format!(
                "argument of WHERE must be type boolean, not {}",
                other.kind_name()
            ))),
        }
    }

    /// The array, if the value is one.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The value of an array.
    pub fn array(a: Array) -> Value {
        Value::Array(Box::new(a))
    }

    fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "unknown",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "double precision",
            Value::Numeric(_) => "numeric",
            Value::Text(_) => "text",
            Value::Date(_) => "date",
            Value::Timestamp(_) => "timestamp without time zone",
            Value::TimestampTz(_) => "timestamp with time zone",
            Value::Array(_) => "array",
        }
    }
}
