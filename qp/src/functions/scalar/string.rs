//! String functions: `lower`, `upper`, `length` (`char_length`, `character_length`),
//! `left`, `repeat`.

use super::{arg, wrong_type};
use crate::error::{Error, Result, SqlState};
use crate::functions::Context;
use crate::types::Value;

/// The largest result `repeat()` builds (PostgreSQL refuses results over 1 GB; a QP has
/// less memory to spare).
const REPEAT_MAX_BYTES: usize = 256 * 1024 * 1024;

/// The text argument at `i`.
fn text<'a>(args: &'a [Value], i: usize, function: &str) -> Result<&'a str> {
    match arg(args, i)? {
        Value::Text(s) => Ok(s),
        _ => Err(wrong_type(function)),
    }
}

/// The integer argument at `i`.
fn int(args: &[Value], i: usize, function: &str) -> Result<i64> {
    match arg(args, i)? {
        Value::Int(n) => Ok(*n),
        _ => Err(wrong_type(function)),
    }
}

/// `lower(text)`
pub fn lower(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text(text(args, 0, "lower")?.to_lowercase()))
}

/// `upper(text)`
pub fn upper(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text(text(args, 0, "upper")?.to_uppercase()))
}

/// `length(text)`, `char_length(text)`, `character_length(text)`: the number of characters.
pub fn length(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Int(text(args, 0, "length")?.chars().count() as i64))
}

/// `left(text, n)`: the first `n` characters (all but the last `-n` when negative).
pub fn left(args: &[Value], _: &dyn Context) -> Result<Value> {
    let s = text(args, 0, "left")?;
    let n = int(args, 1, "left")?;
    let keep = if n >= 0 {
        n
    } else {
        (s.chars().count() as i64 + n).max(0)
    };
    Ok(Value::Text(s.chars().take(keep as usize).collect()))
}

/// `repeat(text, n)`: `n` copies (none when `n` is not positive).
pub fn repeat(args: &[Value], _: &dyn Context) -> Result<Value> {
    let s = text(args, 0, "repeat")?;
    let n = usize::try_from(int(args, 1, "repeat")?).unwrap_or(0);
    if s.len().saturating_mul(n) > REPEAT_MAX_BYTES {
        return Err(Error::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            "requested length too large",
        ));
    }
    Ok(Value::Text(s.repeat(n)))
}
