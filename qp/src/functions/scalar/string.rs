//! String functions: `lower`, `upper`, `length` (`char_length`, `character_length`),
//! `left`, `repeat`, and the regular expression matches behind `~`, `~*`, `!~` and `!~*`
//! (`textregexeq`, `texticregexeq`, `textregexne`, `texticregexne`).

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

/// `replace(string, from, to)`: every occurrence of `from` replaced by `to` (the string
/// as it is when `from` is empty).
pub fn replace(args: &[Value], _: &dyn Context) -> Result<Value> {
    let string = text(args, 0, "replace")?;
    let from = text(args, 1, "replace")?;
    let to = text(args, 2, "replace")?;
    Ok(Value::Text(if from.is_empty() {
        string.to_string()
    } else {
        string.replace(from, to)
    }))
}

/// `quote_ident(text)`: the string as an identifier, double-quoted where it must be.
pub fn quote_ident(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text(super::quote::quote_ident(text(
        args,
        0,
        "quote_ident",
    )?)))
}

/// `btrim(string [, characters])`, `ltrim`, `rtrim`: the string without the longest run of
/// `characters` (a space by default) at both ends, its start, or its end.
fn trim_with(args: &[Value], name: &str, start: bool, end: bool) -> Result<Value> {
    let string = text(args, 0, name)?;
    let characters: Vec<char> = match args.get(1) {
        Some(_) => text(args, 1, name)?.chars().collect(),
        None => vec![' '],
    };
    let mut out = string;
    if start {
        out = out.trim_start_matches(|c| characters.contains(&c));
    }
    if end {
        out = out.trim_end_matches(|c| characters.contains(&c));
    }
    Ok(Value::Text(out.to_string()))
}

/// `btrim(string [, characters])`: the string without the characters at both ends (a space by default).
pub fn btrim(args: &[Value], _: &dyn Context) -> Result<Value> {
    trim_with(args, "btrim", true, true)
}

/// `ltrim(string [, characters])`: the string without the characters at its start.
pub fn ltrim(args: &[Value], _: &dyn Context) -> Result<Value> {
    trim_with(args, "ltrim", true, false)
}

/// `rtrim(string [, characters])`: the string without the characters at its end.
pub fn rtrim(args: &[Value], _: &dyn Context) -> Result<Value> {
    trim_with(args, "rtrim", false, true)
}

/// `substring(string, start [, count])`, `substr`: the characters from position `start`
/// (from 1; earlier positions count but give nothing), `count` of them (all the rest
/// without one).
pub fn substring(args: &[Value], _: &dyn Context) -> Result<Value> {
    let string = text(args, 0, "substring")?;
    let Some(Value::Int(start)) = args.get(1) else {
        return Ok(Value::Null);
    };
    let end = match args.get(2) {
        None => i64::MAX,
        Some(Value::Int(count)) if *count < 0 => {
            return Err(Error::new(
                SqlState::SUBSTRING_ERROR,
                "negative substring length not allowed",
            ));
        }
        Some(Value::Int(count)) => start.saturating_add(*count),
        Some(_) => return Ok(Value::Null),
    };
    let from = (*start).max(1);
    if end <= from {
        return Ok(Value::Text(String::new()));
    }
    let skip = usize::try_from(from - 1).unwrap_or(usize::MAX);
    let take = usize::try_from(end - from).unwrap_or(usize::MAX);
    Ok(Value::Text(string.chars().skip(skip).take(take).collect()))
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

/// The compiled patterns a session matched lately, by pattern and case sensitivity: a
/// pattern is usually the same for every row of a query.
const REGEX_CACHE_SIZE: usize = 32;

thread_local! {
    static REGEX_CACHE: std::cell::RefCell<Vec<((String, bool), regex::Regex)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `text` matches the regular expression `pattern` anywhere (PostgreSQL's `~`
/// semantics: unanchored unless the pattern anchors itself). The pattern is the common
/// subset of PostgreSQL's advanced regular expressions and Rust's `regex` syntax;
/// backreferences and lookaround, which `regex` lacks, are 2201B.
fn regex_matches(text: &str, pattern: &str, case_insensitive: bool) -> Result<bool> {
    let key = (pattern.to_string(), case_insensitive);
    REGEX_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(i) = cache.iter().position(|(k, _)| *k == key) {
            let entry = cache.remove(i);
            let matched = entry.1.is_match(text);
            cache.push(entry);
            return Ok(matched);
        }
        let compiled = regex::RegexBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .build()
            .map_err(|e| {
                let reason = match e {
                    regex::Error::Syntax(s) => s.lines().last().unwrap_or_default().to_string(),
                    other => other.to_string(),
                };
                Error::new(
                    SqlState::INVALID_REGULAR_EXPRESSION,
                    format!(
                        "invalid regular expression: {}",
                        reason.trim_start_matches("error: ")
                    ),
                )
            })?;
        let matched = compiled.is_match(text);
        if cache.len() == REGEX_CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((key, compiled));
        Ok(matched)
    })
}

/// `textregexeq(text, pattern)`: `text ~ pattern`.
pub fn textregexeq(args: &[Value], _: &dyn Context) -> Result<Value> {
    let (t, p) = (text(args, 0, "textregexeq")?, text(args, 1, "textregexeq")?);
    Ok(Value::Bool(regex_matches(t, p, false)?))
}

/// `texticregexeq(text, pattern)`: `text ~* pattern`, ignoring case.
pub fn texticregexeq(args: &[Value], _: &dyn Context) -> Result<Value> {
    let (t, p) = (
        text(args, 0, "texticregexeq")?,
        text(args, 1, "texticregexeq")?,
    );
    Ok(Value::Bool(regex_matches(t, p, true)?))
}

/// `textregexne(text, pattern)`: `text !~ pattern`.
pub fn textregexne(args: &[Value], _: &dyn Context) -> Result<Value> {
    let (t, p) = (text(args, 0, "textregexne")?, text(args, 1, "textregexne")?);
    Ok(Value::Bool(!regex_matches(t, p, false)?))
}

/// `texticregexne(text, pattern)`: `text !~* pattern`.
pub fn texticregexne(args: &[Value], _: &dyn Context) -> Result<Value> {
    let (t, p) = (
        text(args, 0, "texticregexne")?,
        text(args, 1, "texticregexne")?,
    );
    Ok(Value::Bool(!regex_matches(t, p, true)?))
}
