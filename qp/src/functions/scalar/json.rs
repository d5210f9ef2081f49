//! The JSON functions dsql has so far: `json_build_object`, which SQLAlchemy's column
//! reflection calls. Values are written as PostgreSQL's `to_json` writes them: strings quoted
//! and escaped, numbers and booleans bare, NULL as `null`, arrays as JSON arrays, dates and
//! times in ISO 8601 (`2024-01-01T10:00:00+00:00`).
//!
//! A `json` value is held as its text, as a `text` one is, so a `json` argument is written as a
//! string (PostgreSQL writes it as it is): nested JSON values wait for the JSON types.

use crate::error::{Error, Result, SqlState};
use crate::functions::Context;
use crate::types::{TimeZone, Value};
use std::fmt::Write as _;

/// `json_build_object(VARIADIC "any")`: `{"k1" : v1, "k2" : v2}` from alternating keys and
/// values.
pub fn json_build_object(args: &[Value], cx: &dyn Context) -> Result<Value> {
    if !args.len().is_multiple_of(2) {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "argument list must have even number of elements",
        )
        .with_hint(
            "The arguments of json_build_object() must consist of alternating keys and values.",
        ));
    }
    let zone = cx.time_zone();
    let mut out = String::from("{");
    for (i, pair) in args.chunks(2).enumerate() {
        if pair[0].is_null() {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("argument {} cannot be null", 2 * i + 1),
            )
            .with_hint("Object keys should be text."));
        }
        if i > 0 {
            out.push_str(", ");
        }
        write_string(&mut out, &pair[0].to_text_in(zone));
        out.push_str(" : ");
        write_value(&mut out, &pair[1], zone);
    }
    out.push('}');
    Ok(Value::Text(out))
}

/// A value as `to_json` writes it.
fn write_value(out: &mut String, v: &Value, zone: TimeZone) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(_) | Value::Numeric(_) => out.push_str(&v.to_text()),
        Value::Float(f) if f.is_finite() => out.push_str(&v.to_text()),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.elements.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, e, zone);
            }
            out.push(']');
        }
        Value::Timestamp(_) => write_string(out, &v.to_text().replacen(' ', "T", 1)),
        Value::TimestampTz(_) => {
            // `2024-01-01 10:00:00+00` → `2024-01-01T10:00:00+00:00`.
            let mut text = v.to_text_in(zone).replacen(' ', "T", 1);
            let offset = text.rfind(['+', '-']).filter(|&p| p > 10);
            if let Some(p) = offset
                && text.len() - p == 3
            {
                text.push_str(":00");
            }
            write_string(out, &text);
        }
        other => write_string(out, &other.to_text_in(zone)),
    }
}

/// A JSON string: quoted, with `"`, `\` and control characters escaped.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
