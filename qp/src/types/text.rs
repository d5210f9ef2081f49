//! PostgreSQL's text forms of values: input (string literals, text-format parameters) and
//! output (text-format results, casts to text), with a timestamptz read and shown in the
//! session's time zone.

use super::cast::{check_int_range, fit_numeric};
use super::timezone::{TimeZone, format_timestamp};
use super::{DataType, Value};
use crate::error::{Error, Result, SqlState};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::str::FromStr;

impl Value {
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
            // A reg type's name is looked up by the executor; here only its number reads.
            DataType::Reg(kind)
                if !trimmed.bytes().all(|b| b.is_ascii_digit()) || trimmed.is_empty() =>
            {
                return Err(Error::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!(
                        "a {} is read from a name only where the catalog is at hand",
                        kind.type_name()
                    ),
                ));
            }
            DataType::Oid | DataType::Reg(_) => {
                let v: i64 = trimmed.parse().map_err(|e: std::num::ParseIntError| {
                    use std::num::IntErrorKind::*;
                    match e.kind() {
                        PosOverflow | NegOverflow => Error::out_of_range(format!(
                            "value \"{text}\" is out of range for type oid"
                        )),
                        _ => invalid(),
                    }
                })?;
                // oidin reads what fits an int4 or a uint4: negative values wrap around.
                if !(i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&v) {
                    return Err(Error::out_of_range(format!(
                        "value \"{text}\" is out of range for type oid"
                    )));
                }
                Value::Int(v as u32 as i64)
            }
            DataType::Varchar(_) | DataType::Char(_) | DataType::Name | DataType::InternalChar => {
                Value::Text(text.to_string()).cast(DataType::Text, ty, zone)?
            }
            DataType::Date => Value::Date(parse_date(trimmed).ok_or_else(invalid)?),
            DataType::Timestamp => Value::Timestamp(parse_timestamp(trimmed).ok_or_else(invalid)?),
            DataType::TimestampTz => {
                Value::TimestampTz(parse_timestamptz(trimmed, zone).ok_or_else(invalid)?)
            }
            DataType::Array(e) => Value::array(super::Array::parse(text, e.data_type(), zone)?),
            DataType::Json => {
                if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
                    return Err(Error::new(
                        SqlState::INVALID_TEXT_REPRESENTATION,
                        "invalid input syntax for type json",
                    ));
                }
                Value::Text(text.to_string())
            }
            DataType::Int2Vector | DataType::OidVector => {
                let element = ty.element().unwrap_or(DataType::Int2);
                Value::array(super::Array::parse_vector(text, element)?)
            }
        };
        Ok(value)
    }

    /// The value cast to a string type: its text output, except that a boolean is spelt out
    /// (`true`, where the output form is `t`).
    pub(super) fn cast_text(&self, zone: TimeZone) -> String {
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
            Value::Array(a) => a.write_text(out, zone),
        }
    }
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
    fn oid_text_input() {
        let oid = |s| Value::parse(s, DataType::Oid, TimeZone::UTC);
        assert_eq!(oid("1259").unwrap(), Value::Int(1259));
        assert_eq!(oid(" 4294967295 ").unwrap(), Value::Int(4294967295));
        assert_eq!(oid("-1").unwrap(), Value::Int(4294967295));
        assert_eq!(
            oid("4294967296").unwrap_err().message,
            "value \"4294967296\" is out of range for type oid"
        );
        assert_eq!(
            oid("x").unwrap_err().message,
            "invalid input syntax for type oid: \"x\""
        );
        assert_eq!(
            Value::parse("relkind", DataType::InternalChar, TimeZone::UTC).unwrap(),
            Value::Text("r".into())
        );
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
}
