//! SQL types and values: parsing from and formatting to PostgreSQL's text forms, casts,
//! comparison and arithmetic.
//!
//! A [`Value`] does not carry its exact SQL type: integers of every width are `Int(i64)` and the
//! planner knows from the [`DataType`] of each expression whether it is a `smallint`, `integer`
//! or `bigint`. Range checks happen where a value takes a type (casts, assignments to columns,
//! arithmetic results), with PostgreSQL's messages.

use crate::error::{Error, Result, SqlState};
use crate::timezone::{TimeZone, format_timestamp};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use postgres_types::Type;
use proto::format::FormatError;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::str::FromStr;

/// A SQL data type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataType {
    /// `boolean`
    Bool,
    /// `smallint`
    Int2,
    /// `integer`
    Int4,
    /// `bigint`
    Int8,
    /// `real`
    Float4,
    /// `double precision`
    Float8,
    /// `numeric[(precision, scale)]`
    Numeric(Option<(u32, u32)>),
    /// `text`
    Text,
    /// `varchar[(n)]`
    Varchar(Option<u32>),
    /// `char(n)` (blank-padded)
    Char(u32),
    /// `date`
    Date,
    /// `timestamp` (without time zone)
    Timestamp,
    /// `timestamptz`
    TimestampTz,
    /// The type of a bare string literal or NULL before context gives it one.
    Unknown,
}

impl DataType {
    /// The PostgreSQL wire type.
    pub fn pg_type(self) -> Type {
        match self {
            DataType::Bool => Type::BOOL,
            DataType::Int2 => Type::INT2,
            DataType::Int4 => Type::INT4,
            DataType::Int8 => Type::INT8,
            DataType::Float4 => Type::FLOAT4,
            DataType::Float8 => Type::FLOAT8,
            DataType::Numeric(_) => Type::NUMERIC,
            DataType::Text | DataType::Unknown => Type::TEXT,
            DataType::Varchar(_) => Type::VARCHAR,
            DataType::Char(_) => Type::BPCHAR,
            DataType::Date => Type::DATE,
            DataType::Timestamp => Type::TIMESTAMP,
            DataType::TimestampTz => Type::TIMESTAMPTZ,
        }
    }

    /// The type for a wire type a client named (in Parse), if dsql supports it.
    pub fn from_pg_type(ty: &Type) -> Option<DataType> {
        Some(match *ty {
            Type::BOOL => DataType::Bool,
            Type::INT2 => DataType::Int2,
            Type::INT4 => DataType::Int4,
            Type::INT8 => DataType::Int8,
            Type::FLOAT4 => DataType::Float4,
            Type::FLOAT8 => DataType::Float8,
            Type::NUMERIC => DataType::Numeric(None),
            Type::TEXT | Type::NAME => DataType::Text,
            Type::VARCHAR => DataType::Varchar(None),
            Type::BPCHAR => DataType::Char(1),
            Type::DATE => DataType::Date,
            Type::TIMESTAMP => DataType::Timestamp,
            Type::TIMESTAMPTZ => DataType::TimestampTz,
            Type::UNKNOWN => DataType::Unknown,
            _ => return None,
        })
    }

    /// The type modifier reported in RowDescription (`atttypmod`), -1 for none.
    pub fn type_modifier(self) -> i32 {
        match self {
            DataType::Numeric(Some((p, s))) => (((p << 16) | s) + 4) as i32,
            DataType::Varchar(Some(n)) | DataType::Char(n) => n as i32 + 4,
            _ => -1,
        }
    }

    /// The type's name as PostgreSQL prints it in messages.
    pub fn name(self) -> String {
        match self {
            DataType::Bool => "boolean".into(),
            DataType::Int2 => "smallint".into(),
            DataType::Int4 => "integer".into(),
            DataType::Int8 => "bigint".into(),
            DataType::Float4 => "real".into(),
            DataType::Float8 => "double precision".into(),
            DataType::Numeric(None) => "numeric".into(),
            DataType::Numeric(Some((p, s))) => format!("numeric({p},{s})"),
            DataType::Text => "text".into(),
            DataType::Varchar(None) => "character varying".into(),
            DataType::Varchar(Some(n)) => format!("character varying({n})"),
            DataType::Char(n) => format!("character({n})"),
            DataType::Date => "date".into(),
            DataType::Timestamp => "timestamp without time zone".into(),
            DataType::TimestampTz => "timestamp with time zone".into(),
            DataType::Unknown => "unknown".into(),
        }
    }

    /// The name used in `invalid input syntax for type X` messages.
    fn input_name(self) -> &'static str {
        match self {
            DataType::Bool => "boolean",
            DataType::Int2 => "smallint",
            DataType::Int4 => "integer",
            DataType::Int8 => "bigint",
            DataType::Float4 => "real",
            DataType::Float8 => "double precision",
            DataType::Numeric(_) => "numeric",
            DataType::Date => "date",
            DataType::Timestamp => "timestamp",
            DataType::TimestampTz => "timestamp with time zone",
            _ => "text",
        }
    }

    /// Integer types.
    pub fn is_integer(self) -> bool {
        matches!(self, DataType::Int2 | DataType::Int4 | DataType::Int8)
    }

    /// Numeric types of any kind.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            DataType::Int2
                | DataType::Int4
                | DataType::Int8
                | DataType::Float4
                | DataType::Float8
                | DataType::Numeric(_)
        )
    }

    /// Character string types.
    pub fn is_string(self) -> bool {
        matches!(
            self,
            DataType::Text | DataType::Varchar(_) | DataType::Char(_)
        )
    }

    /// The common type two operands are converted to for comparison or arithmetic, if any
    /// (PostgreSQL's numeric promotion; unknown literals take the other side's type).
    pub fn common(a: DataType, b: DataType) -> Option<DataType> {
        use DataType::*;
        Some(match (a, b) {
            (Unknown, Unknown) => Text,
            (Unknown, t) | (t, Unknown) => t,
            (x, y) if x == y => x,
            (Float4 | Float8, y) if y.is_numeric() => Float8,
            (x, Float4 | Float8) if x.is_numeric() => Float8,
            (Numeric(_), y) if y.is_numeric() => Numeric(None),
            (x, Numeric(_)) if x.is_numeric() => Numeric(None),
            (Int8, y) if y.is_integer() => Int8,
            (x, Int8) if x.is_integer() => Int8,
            (Int4, y) if y.is_integer() => Int4,
            (x, Int4) if x.is_integer() => Int4,
            (x, y) if x.is_string() && y.is_string() => Text,
            (Date, Timestamp) | (Timestamp, Date) => Timestamp,
            (Date | Timestamp, TimestampTz) | (TimestampTz, Date | Timestamp) => TimestampTz,
            _ => return None,
        })
    }
}

/// A SQL value. Integers of every width are `Int`; the expression's [`DataType`] says which.
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
        }
    }

    /// Parses PostgreSQL's text form of a value of type `ty` (as in a string literal cast or a
    /// text-format bind parameter). A timestamptz without an offset is a local time in
    /// `zone`, the session's time zone.
    pub fn parse(text: &str, ty: DataType, zone: TimeZone) -> Result<Value> {
        let invalid = || Error::invalid_text(ty.input_name(), text);
        let trimmed = text.trim();
        let value = match ty {
            DataType::Bool => match trimmed.to_ascii_lowercase().as_str() {
                "t" | "true" | "yes" | "y" | "on" | "1" => Value::Bool(true),
                "f" | "false" | "no" | "n" | "off" | "0" => Value::Bool(false),
                _ => return Err(invalid()),
            },
            DataType::Int2 | DataType::Int4 | DataType::Int8 => {
                let v: i64 = match trimmed.parse() {
                    Ok(v) => v,
                    Err(e) => {
                        use std::num::IntErrorKind::*;
                        return Err(match e.kind() {
                            PosOverflow | NegOverflow => Error::out_of_range(format!(
                                "value \"{text}\" is out of range for type {}",
                                ty.input_name()
                            )),
                            _ => invalid(),
                        });
                    }
                };
                check_int_range(v, ty).map_err(|_| {
                    Error::out_of_range(format!(
                        "value \"{text}\" is out of range for type {}",
                        ty.input_name()
                    ))
                })?;
                Value::Int(v)
            }
            DataType::Float4 | DataType::Float8 => {
                let lower = trimmed.to_ascii_lowercase();
                let v = match lower.as_str() {
                    "nan" => f64::NAN,
                    "infinity" | "inf" | "+infinity" => f64::INFINITY,
                    "-infinity" | "-inf" => f64::NEG_INFINITY,
                    _ => trimmed.parse::<f64>().map_err(|_| invalid())?,
                };
                Value::Float(if ty == DataType::Float4 {
                    v as f32 as f64
                } else {
                    v
                })
            }
            DataType::Numeric(spec) => {
                let d = Decimal::from_str(trimmed)
                    .or_else(|_| Decimal::from_scientific(trimmed))
                    .map_err(|_| invalid())?;
                Value::Numeric(fit_numeric(d, spec)?)
            }
            DataType::Text | DataType::Unknown => Value::Text(text.to_string()),
            DataType::Varchar(_) | DataType::Char(_) => {
                Value::Text(text.to_string()).cast(DataType::Text, ty, zone)?
            }
            DataType::Date => Value::Date(parse_date(trimmed).ok_or_else(invalid)?),
            DataType::Timestamp => Value::Timestamp(parse_timestamp(trimmed).ok_or_else(invalid)?),
            DataType::TimestampTz => {
                Value::TimestampTz(parse_timestamptz(trimmed, zone).ok_or_else(invalid)?)
            }
        };
        Ok(value)
    }

    /// Converts a value of type `from` to type `to`, as an explicit cast or an assignment to a
    /// column does (range checks, numeric rounding, string length checks). Conversions
    /// between timestamptz and local times (text, timestamp, date) happen in `zone`.
    pub fn cast(self, from: DataType, to: DataType, zone: TimeZone) -> Result<Value> {
        if self.is_null() {
            return Ok(Value::Null);
        }
        if from == to && !matches!(to, DataType::Char(_)) {
            return Ok(self);
        }
        Ok(match (self, to) {
            // char(n) → text or varchar drops the padding, as in PostgreSQL.
            (Value::Text(s), DataType::Text | DataType::Varchar(_))
                if matches!(from, DataType::Char(_)) =>
            {
                Value::Text(s.trim_end_matches(' ').to_string()).cast(DataType::Text, to, zone)?
            }
            (Value::Text(s), to) if !to.is_string() && to != DataType::Unknown => {
                Value::parse(&s, to, zone)?
            }
            (v, DataType::Text | DataType::Unknown) => Value::Text(v.cast_text(zone)),
            (v, DataType::Varchar(limit)) => {
                let s = v.cast_text(zone);
                if let Some(n) = limit
                    && s.chars().count() > n as usize
                {
                    // PostgreSQL allows an explicit cast to truncate; assignments fail. We
                    // always fail, the stricter of the two, so no data is lost silently.
                    let trimmed = s.trim_end_matches(' ');
                    if trimmed.chars().count() > n as usize {
                        return Err(Error::new(
                            SqlState::STRING_DATA_RIGHT_TRUNCATION,
                            format!("value too long for type character varying({n})"),
                        ));
                    }
                    return Ok(Value::Text(trimmed.chars().take(n as usize).collect()));
                }
                Value::Text(s)
            }
            (v, DataType::Char(n)) => {
                let s = v.cast_text(zone);
                let len = s.chars().count();
                if len > n as usize {
                    let trimmed = s.trim_end_matches(' ');
                    if trimmed.chars().count() > n as usize {
                        return Err(Error::new(
                            SqlState::STRING_DATA_RIGHT_TRUNCATION,
                            format!("value too long for type character({n})"),
                        ));
                    }
                    Value::Text(trimmed.chars().take(n as usize).collect())
                } else {
                    let mut s = s;
                    s.extend(std::iter::repeat_n(' ', n as usize - len));
                    Value::Text(s)
                }
            }
            (Value::Int(i), DataType::Int2 | DataType::Int4 | DataType::Int8) => {
                check_int_range(i, to)?;
                Value::Int(i)
            }
            (Value::Int(i), DataType::Float4 | DataType::Float8) => Value::Float(i as f64),
            (Value::Int(i), DataType::Numeric(spec)) => {
                Value::Numeric(fit_numeric(Decimal::from(i), spec)?)
            }
            (Value::Float(f), DataType::Int2 | DataType::Int4 | DataType::Int8) => {
                if !f.is_finite() {
                    return Err(Error::out_of_range(format!(
                        "{} out of range",
                        to.input_name()
                    )));
                }
                let r = f.round_ties_even();
                if r < i64::MIN as f64 || r > i64::MAX as f64 {
                    return Err(Error::out_of_range(format!(
                        "{} out of range",
                        to.input_name()
                    )));
                }
                check_int_range(r as i64, to)?;
                Value::Int(r as i64)
            }
            (Value::Float(f), DataType::Float4) => Value::Float(f as f32 as f64),
            (Value::Float(f), DataType::Float8) => Value::Float(f),
            (Value::Float(f), DataType::Numeric(spec)) => {
                let d = Decimal::from_f64(f)
                    .ok_or_else(|| Error::unsupported(format!("cannot convert {f} to numeric")))?;
                Value::Numeric(fit_numeric(d, spec)?)
            }
            (Value::Numeric(d), DataType::Int2 | DataType::Int4 | DataType::Int8) => {
                let r = d.round_dp_with_strategy(
                    0,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                let i = r.to_i64().ok_or_else(|| {
                    Error::out_of_range(format!("{} out of range", to.input_name()))
                })?;
                check_int_range(i, to)?;
                Value::Int(i)
            }
            (Value::Numeric(d), DataType::Float4 | DataType::Float8) => {
                Value::Float(d.to_f64().unwrap_or(f64::NAN))
            }
            (Value::Numeric(d), DataType::Numeric(spec)) => Value::Numeric(fit_numeric(d, spec)?),
            (Value::Bool(b), DataType::Int4 | DataType::Int2 | DataType::Int8) => {
                Value::Int(b as i64)
            }
            (Value::Int(i), DataType::Bool) => Value::Bool(i != 0),
            (Value::Date(d), DataType::Timestamp) => Value::Timestamp(d.and_time(NaiveTime::MIN)),
            (Value::Date(d), DataType::TimestampTz) => {
                Value::TimestampTz(zone.to_utc(d.and_time(NaiveTime::MIN)))
            }
            (Value::Timestamp(t), DataType::Date) => Value::Date(t.date()),
            (Value::Timestamp(t), DataType::TimestampTz) => Value::TimestampTz(zone.to_utc(t)),
            (Value::TimestampTz(t), DataType::Timestamp) => Value::Timestamp(zone.local(&t)),
            (Value::TimestampTz(t), DataType::Date) => Value::Date(zone.local(&t).date()),
            (
                v @ (Value::Bool(_) | Value::Date(_) | Value::Timestamp(_) | Value::TimestampTz(_)),
                t,
            ) if value_matches(&v, t) => v,
            (_, to) => {
                return Err(Error::new(
                    SqlState::CANNOT_COERCE,
                    format!("cannot cast type {} to {}", from.name(), to.name()),
                ));
            }
        })
    }

    /// The value cast to a string type: its text output, except that a boolean is spelt out
    /// (`true`, where the output form is `t`).
    fn cast_text(&self, zone: TimeZone) -> String {
        match self {
            Value::Bool(b) => if *b { "true" } else { "false" }.into(),
            other => other.to_text_in(zone),
        }
    }

    /// PostgreSQL's text output of the value (NULL has none; `to_text` gives ""), with a
    /// timestamptz shown in UTC.
    pub fn to_text(&self) -> String {
        self.to_text_in(TimeZone::UTC)
    }

    /// PostgreSQL's text output of the value, with a timestamptz shown in `zone`.
    pub fn to_text_in(&self, zone: TimeZone) -> String {
        let mut out = String::new();
        self.write_text(&mut out, zone);
        out
    }

    /// Appends PostgreSQL's text output of the value to `out`, with a timestamptz shown in
    /// `zone` (the session's time zone).
    pub fn write_text(&self, out: &mut String, zone: TimeZone) {
        match self {
            Value::Null => {}
            Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => format_float(*f, out),
            Value::Numeric(d) => {
                let _ = write!(out, "{d}");
            }
            Value::Text(s) => out.push_str(s),
            Value::Date(d) => {
                let _ = write!(out, "{}", d.format("%Y-%m-%d"));
            }
            Value::Timestamp(t) => format_timestamp(t, out),
            Value::TimestampTz(t) => zone.write_timestamptz(t, out),
        }
    }

    /// Compares two non-NULL values for ordering (ORDER BY, comparisons, MIN/MAX). Values of
    /// different numeric kinds compare by value. NULL sorts after everything (as in
    /// PostgreSQL's default ascending order).
    pub fn compare(&self, other: &Value) -> Ordering {
        use Value::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Greater,
            (_, Null) => Ordering::Less,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => compare_floats(*a, *b),
            (Numeric(a), Numeric(b)) => a.cmp(b),
            (Int(a), Numeric(b)) => Decimal::from(*a).cmp(b),
            (Numeric(a), Int(b)) => a.cmp(&Decimal::from(*b)),
            (Int(a), Float(b)) => compare_floats(*a as f64, *b),
            (Float(a), Int(b)) => compare_floats(*a, *b as f64),
            (Numeric(a), Float(b)) => compare_floats(a.to_f64().unwrap_or(f64::NAN), *b),
            (Float(a), Numeric(b)) => compare_floats(*a, b.to_f64().unwrap_or(f64::NAN)),
            (Text(a), Text(b)) => a.cmp(b),
            (Date(a), Date(b)) => a.cmp(b),
            (Timestamp(a), Timestamp(b)) => a.cmp(b),
            (TimestampTz(a), TimestampTz(b)) => a.cmp(b),
            (Date(a), Timestamp(b)) => a.and_time(NaiveTime::MIN).cmp(b),
            (Timestamp(a), Date(b)) => a.cmp(&b.and_time(NaiveTime::MIN)),
            (Timestamp(a), TimestampTz(b)) => a.and_utc().cmp(b),
            (TimestampTz(a), Timestamp(b)) => a.cmp(&b.and_utc()),
            (Date(a), TimestampTz(b)) => a.and_time(NaiveTime::MIN).and_utc().cmp(b),
            (TimestampTz(a), Date(b)) => a.cmp(&b.and_time(NaiveTime::MIN).and_utc()),
            // Planning never compares values of unrelated kinds; order them by kind so sorting
            // stays total.
            (a, b) => a.kind_rank().cmp(&b.kind_rank()),
        }
    }

    fn kind_rank(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Int(_) | Value::Float(_) | Value::Numeric(_) => 1,
            Value::Text(_) => 2,
            Value::Date(_) | Value::Timestamp(_) | Value::TimestampTz(_) => 3,
            Value::Null => 4,
        }
    }

    /// A hashable, equality-preserving form for GROUP BY and DISTINCT (numeric values that
    /// compare equal get the same form).
    pub fn group_key(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend([1, *b as u8]),
            Value::Int(i) => {
                out.push(2);
                out.extend(Decimal::from(*i).normalize().to_string().as_bytes());
                out.push(0);
            }
            Value::Numeric(d) => {
                out.push(2);
                out.extend(d.normalize().to_string().as_bytes());
                out.push(0);
            }
            Value::Float(f) => {
                out.push(3);
                out.extend(f.to_bits().to_be_bytes());
            }
            Value::Text(s) => {
                out.push(4);
                out.extend(s.as_bytes());
                out.push(0);
            }
            Value::Date(d) => {
                out.push(5);
                out.extend(d.to_string().as_bytes());
                out.push(0);
            }
            Value::Timestamp(t) => {
                out.push(6);
                out.extend(t.and_utc().timestamp_micros().to_be_bytes());
            }
            Value::TimestampTz(t) => {
                out.push(6);
                out.extend(t.timestamp_micros().to_be_bytes());
            }
        }
    }
}

/// The format version of stored rows that [`encode_row`] writes. Bump it when the encoding
/// changes, keeping the old version's decoder (see `docs/formats.md`).
pub const ROW_VERSION: u8 = 1;

/// What a versioned row starts with, before its version byte.
///
/// Rows written before rows had versions (legacy rows, version 0) start with their column
/// count as a little-endian `u16`, and nothing may follow their last value. A legacy row that
/// starts `00 00` therefore has no columns and is exactly those two bytes, while a versioned
/// row is `00 00`, a version byte of at least 1, and the values: at least three bytes. So the
/// two are told apart exactly, and legacy rows (which have version 1's layout after the tag)
/// still read.
const ROW_TAG: [u8; 2] = [0, 0];

/// What is being decoded, for errors.
const ROW: &str = "row";

/// Appends the storage encoding of a row: the tag and version, the column count, then per
/// value a tag byte and a fixed or length-prefixed payload. (Hand-written rather than serde:
/// it is on the hot path of every read and write, and serde's `Decimal` and chrono formats are
/// not compact.)
pub fn encode_row(row: &[Value], out: &mut Vec<u8>) {
    out.extend(ROW_TAG);
    out.push(ROW_VERSION);
    out.extend((row.len() as u16).to_le_bytes());
    for v in row {
        match v {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend([1, *b as u8]),
            Value::Int(i) => {
                out.push(2);
                out.extend(i.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(3);
                out.extend(f.to_le_bytes());
            }
            Value::Numeric(d) => {
                out.push(4);
                out.extend(d.serialize());
            }
            Value::Text(s) => {
                out.push(5);
                out.extend((s.len() as u32).to_le_bytes());
                out.extend(s.as_bytes());
            }
            Value::Date(d) => {
                out.push(6);
                out.extend(d.num_days_from_ce().to_le_bytes());
            }
            Value::Timestamp(t) => {
                out.push(7);
                out.extend(t.and_utc().timestamp_micros().to_le_bytes());
            }
            Value::TimestampTz(t) => {
                out.push(8);
                out.extend(t.timestamp_micros().to_le_bytes());
            }
        }
    }
}

/// Parses a row written by [`encode_row`], at any version up to [`ROW_VERSION`] (legacy rows
/// included): an error says whether the row is damaged or newer than this build.
pub fn decode_row(bytes: &[u8]) -> std::result::Result<Vec<Value>, FormatError> {
    let damaged = || FormatError::Damaged {
        what: ROW,
        reason: "bad value encoding".into(),
    };
    match bytes.strip_prefix(&ROW_TAG) {
        // A legacy row with no columns.
        Some([]) => Ok(Vec::new()),
        Some([1, body @ ..]) => decode_row_v1(body).ok_or_else(damaged),
        Some([0, ..]) => Err(FormatError::Damaged {
            what: ROW,
            reason: "bad format version tag".into(),
        }),
        Some([version, ..]) => Err(proto::format::newer(ROW, *version, ROW_VERSION)),
        // Legacy rows have version 1's layout.
        None => decode_row_v1(bytes).ok_or_else(damaged),
    }
}

/// Parses the body of a version 1 row (its column count and values); `None` if damaged.
fn decode_row_v1(mut bytes: &[u8]) -> Option<Vec<Value>> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if bytes.len() < n {
            return None;
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Some(head)
    }
    fn i64_of(b: &[u8]) -> i64 {
        i64::from_le_bytes(b.try_into().expect("8 bytes taken"))
    }
    let n = u16::from_le_bytes(take(&mut bytes, 2)?.try_into().ok()?) as usize;
    let mut row = Vec::with_capacity(n);
    for _ in 0..n {
        let tag = take(&mut bytes, 1)?[0];
        row.push(match tag {
            0 => Value::Null,
            1 => Value::Bool(take(&mut bytes, 1)?[0] != 0),
            2 => Value::Int(i64_of(take(&mut bytes, 8)?)),
            3 => Value::Float(f64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?)),
            4 => Value::Numeric(Decimal::deserialize(take(&mut bytes, 16)?.try_into().ok()?)),
            5 => {
                let len = u32::from_le_bytes(take(&mut bytes, 4)?.try_into().ok()?) as usize;
                Value::Text(String::from_utf8(take(&mut bytes, len)?.to_vec()).ok()?)
            }
            6 => Value::Date(NaiveDate::from_num_days_from_ce_opt(i32::from_le_bytes(
                take(&mut bytes, 4)?.try_into().ok()?,
            ))?),
            7 => Value::Timestamp(
                DateTime::from_timestamp_micros(i64_of(take(&mut bytes, 8)?))?.naive_utc(),
            ),
            8 => Value::TimestampTz(DateTime::from_timestamp_micros(i64_of(take(
                &mut bytes, 8,
            )?))?),
            _ => return None,
        });
    }
    if !bytes.is_empty() {
        return None;
    }
    Some(row)
}

fn value_matches(v: &Value, t: DataType) -> bool {
    matches!(
        (v, t),
        (Value::Bool(_), DataType::Bool)
            | (Value::Date(_), DataType::Date)
            | (Value::Timestamp(_), DataType::Timestamp)
            | (Value::TimestampTz(_), DataType::TimestampTz)
    )
}

fn compare_floats(a: f64, b: f64) -> Ordering {
    // PostgreSQL sorts NaN above every other value and treats NaN = NaN.
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Checks that an integer fits the integer type `ty`.
pub fn check_int_range(v: i64, ty: DataType) -> Result<()> {
    let ok = match ty {
        DataType::Int2 => i16::try_from(v).is_ok(),
        DataType::Int4 => i32::try_from(v).is_ok(),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::out_of_range(match ty {
            DataType::Int2 => "smallint out of range",
            _ => "integer out of range",
        }))
    }
}

/// Rounds a numeric to the column's scale and checks its precision, as PostgreSQL's
/// `numeric(p, s)` typmod does.
pub fn fit_numeric(d: Decimal, spec: Option<(u32, u32)>) -> Result<Decimal> {
    let Some((precision, scale)) = spec else {
        return Ok(d);
    };
    let rounded =
        d.round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut rescaled = rounded;
    rescaled.rescale(scale);
    let integer_digits = {
        let int_part = rescaled.trunc().abs();
        if int_part.is_zero() {
            0
        } else {
            int_part.to_string().len() as u32
        }
    };
    if integer_digits > precision.saturating_sub(scale) {
        return Err(Error::out_of_range("numeric field overflow").with_detail(format!(
            "A field with precision {precision}, scale {scale} must round to an absolute value less than 10^{}.",
            precision - scale
        )));
    }
    Ok(rescaled)
}

fn format_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else if f == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0" } else { "0" });
    } else {
        let abs = f.abs();
        if !(1e-4..1e15).contains(&abs) {
            // Shortest round-trip digits in exponent form, as PostgreSQL prints them (1e+20).
            let s = format!("{f:e}");
            let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
            let exp: i32 = exp.parse().unwrap_or(0);
            let _ = write!(
                out,
                "{mantissa}e{}{:02}",
                if exp < 0 { '-' } else { '+' },
                exp.abs()
            );
        } else {
            let _ = write!(out, "{f}");
        }
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    parse_naive(s)
        // A timestamp with an offset given to a timestamp column: PostgreSQL ignores the offset.
        .or_else(|| parse_with_offset(s).map(|t| t.naive_local()))
        .or_else(|| parse_date(s).map(|d| d.and_time(NaiveTime::MIN)))
}

/// A date and time with an explicit offset (`+02`, `-03:30`, `Z`, ` UTC`, ...).
fn parse_with_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f %#z",
        "%Y-%m-%d %H:%M%#z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    let upper = s.to_ascii_uppercase();
    for suffix in [" UTC", "Z", " GMT", " Z"] {
        if let Some(prefix) = upper.strip_suffix(suffix) {
            return parse_naive_only(&s[..prefix.len()]).map(|t| t.and_utc().fixed_offset());
        }
    }
    None
}

/// A timestamptz: with an explicit offset, or a local time in the session's `zone`.
fn parse_timestamptz(s: &str, zone: TimeZone) -> Option<DateTime<Utc>> {
    if let Some(t) = parse_with_offset(s) {
        return Some(t.with_timezone(&Utc));
    }
    parse_naive_only(s).map(|t| zone.to_utc(t))
}

fn parse_naive_only(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    parse_naive(s).or_else(|| parse_date(s).map(|d| d.and_time(NaiveTime::MIN)))
}

/// A date and time without offset, in the forms PostgreSQL accepts most often.
fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(s, fmt).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for (text, ty) in [
            ("42", DataType::Int4),
            ("-7", DataType::Int8),
            ("t", DataType::Bool),
            ("3.14", DataType::Numeric(None)),
            ("2024-02-29", DataType::Date),
            ("2024-02-29 13:14:15.5", DataType::Timestamp),
            ("2024-02-29 13:14:15+00", DataType::TimestampTz),
            ("1.5", DataType::Float8),
        ] {
            assert_eq!(
                Value::parse(text, ty, TimeZone::UTC).unwrap().to_text(),
                text,
                "{ty:?}"
            );
        }
    }

    #[test]
    fn postgres_error_texts() {
        let err = Value::parse("abc", DataType::Int4, TimeZone::UTC).unwrap_err();
        assert_eq!(
            (err.code(), err.message.as_str()),
            ("22P02", "invalid input syntax for type integer: \"abc\"")
        );
        let err = Value::parse("99999", DataType::Int2, TimeZone::UTC).unwrap_err();
        assert_eq!(err.code(), "22003");
        let err = Value::Text("abcd".into())
            .cast(DataType::Text, DataType::Varchar(Some(3)), TimeZone::UTC)
            .unwrap_err();
        assert_eq!(err.message, "value too long for type character varying(3)");
        let err = Value::Numeric(Decimal::from(1000))
            .cast(
                DataType::Numeric(None),
                DataType::Numeric(Some((5, 2))),
                TimeZone::UTC,
            )
            .unwrap_err();
        assert_eq!(err.message, "numeric field overflow");
    }

    #[test]
    fn floats_print_like_postgres() {
        for (f, text) in [
            (1e20, "1e+20"),
            (1.5e-5, "1.5e-05"),
            (0.1, "0.1"),
            (123456.0, "123456"),
            (f64::INFINITY, "Infinity"),
        ] {
            let mut s = String::new();
            format_float(f, &mut s);
            assert_eq!(s, text);
        }
    }

    #[test]
    fn rows_round_trip_through_storage_encoding() {
        let row = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(-5),
            Value::Float(2.5),
            Value::Numeric(Decimal::from_str("-12.340").unwrap()),
            Value::Text("héllo".into()),
            Value::parse("2024-02-29", DataType::Date, TimeZone::UTC).unwrap(),
            Value::parse("2024-02-29 01:02:03.25", DataType::Timestamp, TimeZone::UTC).unwrap(),
            Value::parse(
                "2024-02-29 01:02:03+00",
                DataType::TimestampTz,
                TimeZone::UTC,
            )
            .unwrap(),
        ];
        let mut bytes = Vec::new();
        encode_row(&row, &mut bytes);
        assert_eq!(bytes[..3], [0, 0, ROW_VERSION]);
        assert_eq!(decode_row(&bytes).unwrap(), row);
        assert!(decode_row(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_row(&[]).is_err());
        // A legacy row is the same without the tag and version.
        assert_eq!(decode_row(&bytes[3..]).unwrap(), row);
        let mut empty = Vec::new();
        encode_row(&[], &mut empty);
        assert_eq!(decode_row(&empty).unwrap(), vec![]);
        assert_eq!(
            decode_row(&[0, 0]).unwrap(),
            vec![],
            "a legacy row of no columns"
        );
    }

    #[test]
    fn a_row_of_a_newer_version_is_a_clear_error() {
        let mut bytes = Vec::new();
        encode_row(&[Value::Int(1)], &mut bytes);
        bytes[2] = ROW_VERSION + 1;
        assert_eq!(
            decode_row(&bytes).unwrap_err().to_string(),
            "row has format version 2, newer than this build reads (up to 1): \
             the data was written by a newer version of dsql"
        );
        bytes[2] = 0;
        assert!(matches!(
            decode_row(&bytes),
            Err(FormatError::Damaged { .. })
        ));
    }

    #[test]
    fn char_pads_and_numeric_rounds() {
        let v = Value::Text("ab".into())
            .cast(DataType::Text, DataType::Char(4), TimeZone::UTC)
            .unwrap();
        assert_eq!(v, Value::Text("ab  ".into()));
        let v = Value::parse("1.005", DataType::Numeric(Some((5, 2))), TimeZone::UTC).unwrap();
        assert_eq!(v.to_text(), "1.01");
    }
}
