//! Array functions (PostgreSQL's "Array Functions and Operators"): dimensions, searching,
//! building and converting to and from text. `array_append`, `array_prepend`, `array_cat`,
//! `array_position` and `string_to_array` are not strict, as in `pg_proc`: they are called
//! with NULL arguments and decide themselves.

use super::arg;
use crate::error::{Error, Result, SqlState};
use crate::functions::Context;
use crate::types::{Array, Value};

/// The array at `i`: `None` for NULL.
fn array(args: &[Value], i: usize) -> Result<Option<&Array>> {
    match arg(args, i)? {
        Value::Null => Ok(None),
        Value::Array(a) => Ok(Some(a)),
        _ => Err(super::wrong_type("an array function")),
    }
}

/// The (non-NULL) array at `i` of a strict function.
fn strict_array(args: &[Value], i: usize) -> Result<&Array> {
    array(args, i)?.ok_or_else(|| Error::internal("strict array function given NULL"))
}

/// The integer at `i`, `None` for NULL.
fn int(args: &[Value], i: usize) -> Result<Option<i64>> {
    match arg(args, i)? {
        Value::Null => Ok(None),
        Value::Int(n) => Ok(Some(*n)),
        _ => Err(super::wrong_type("an array function")),
    }
}

/// The text at `i`, `None` for NULL.
fn text(args: &[Value], i: usize) -> Result<Option<&str>> {
    match arg(args, i)? {
        Value::Null => Ok(None),
        Value::Text(s) => Ok(Some(s)),
        _ => Err(super::wrong_type("an array function")),
    }
}

/// Dimension `dim` (from 1) of an array, if it has it.
fn dimension(args: &[Value]) -> Result<Option<crate::types::Dim>> {
    let a = strict_array(args, 0)?;
    let dim = int(args, 1)?.unwrap_or(0);
    Ok(usize::try_from(dim)
        .ok()
        .and_then(|d| d.checked_sub(1))
        .and_then(|d| a.dims.get(d).copied()))
}

/// `array_length(anyarray, integer)`: the length of a dimension, NULL if there is none.
pub fn array_length(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(dimension(args)?.map_or(Value::Null, |d| Value::Int(d.length.into())))
}

/// `array_lower(anyarray, integer)`: a dimension's lower bound.
pub fn array_lower(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(dimension(args)?.map_or(Value::Null, |d| Value::Int(d.lower.into())))
}

/// `array_upper(anyarray, integer)`: a dimension's upper bound.
pub fn array_upper(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(dimension(args)?.map_or(Value::Null, |d| Value::Int(d.upper())))
}

/// `array_ndims(anyarray)`: the number of dimensions, NULL for the empty array.
pub fn array_ndims(args: &[Value], _: &dyn Context) -> Result<Value> {
    let a = strict_array(args, 0)?;
    Ok(match a.ndim() {
        0 => Value::Null,
        n => Value::Int(n as i64),
    })
}

/// `array_dims(anyarray)`: the dimensions as text (`[1:2][1:3]`), NULL for the empty array.
pub fn array_dims(args: &[Value], _: &dyn Context) -> Result<Value> {
    let a = strict_array(args, 0)?;
    if a.ndim() == 0 {
        return Ok(Value::Null);
    }
    Ok(Value::Text(
        a.dims
            .iter()
            .map(|d| format!("[{}:{}]", d.lower, d.upper()))
            .collect(),
    ))
}

/// `cardinality(anyarray)`: the number of elements.
pub fn cardinality(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Int(strict_array(args, 0)?.elements.len() as i64))
}

/// `array_position(anycompatiblearray, anycompatible [, integer])`: the subscript of the
/// first element not distinct from the value (NULL finds a NULL), from the start position
/// if given; NULL when none is.
pub fn array_position(args: &[Value], _: &dyn Context) -> Result<Value> {
    let Some(a) = array(args, 0)? else {
        return Ok(Value::Null);
    };
    if a.ndim() > 1 {
        return Err(Error::unsupported(
            "searching for elements in multidimensional arrays is not supported",
        ));
    }
    let Some(dim) = a.dims.first() else {
        return Ok(Value::Null);
    };
    let start = if args.len() > 2 {
        match int(args, 2)? {
            Some(s) => s,
            None => {
                return Err(Error::new(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "initial position must not be null",
                ));
            }
        }
    } else {
        i64::from(dim.lower)
    };
    let wanted = arg(args, 1)?;
    let skip = usize::try_from(start - i64::from(dim.lower)).unwrap_or(0);
    let found = a.elements.iter().enumerate().skip(skip).find(|(_, e)| {
        match (e.is_null(), wanted.is_null()) {
            (true, true) => true,
            (false, false) => e.compare(wanted) == std::cmp::Ordering::Equal,
            _ => false,
        }
    });
    Ok(found.map_or(Value::Null, |(i, _)| {
        Value::Int(i64::from(dim.lower) + i as i64)
    }))
}

/// `array_append(anycompatiblearray, anycompatible)`.
pub fn array_append(args: &[Value], _: &dyn Context) -> Result<Value> {
    let a = array(args, 0)?.cloned().unwrap_or_else(Array::empty);
    Ok(Value::array(a.push(arg(args, 1)?.clone(), false)?))
}

/// `array_prepend(anycompatible, anycompatiblearray)`.
pub fn array_prepend(args: &[Value], _: &dyn Context) -> Result<Value> {
    let a = array(args, 1)?.cloned().unwrap_or_else(Array::empty);
    Ok(Value::array(a.push(arg(args, 0)?.clone(), true)?))
}

/// `array_cat(anycompatiblearray, anycompatiblearray)`: a NULL side leaves the other.
pub fn array_cat(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(match (array(args, 0)?, array(args, 1)?) {
        (Some(a), Some(b)) => Value::array(a.clone().concat(b.clone())?),
        (Some(_), None) => arg(args, 0)?.clone(),
        (None, Some(_)) => arg(args, 1)?.clone(),
        (None, None) => Value::Null,
    })
}

/// `array_to_string(anyarray, text [, text])`: the elements' text joined by the delimiter;
/// NULL elements are left out, or shown as the third argument when it is not NULL.
pub fn array_to_string(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let (Some(a), Some(delimiter)) = (array(args, 0)?, text(args, 1)?) else {
        return Ok(Value::Null);
    };
    let null_text = if args.len() > 2 { text(args, 2)? } else { None };
    let mut out = String::new();
    let mut first = true;
    for e in &a.elements {
        let shown = match e {
            Value::Null => match null_text {
                Some(n) => n.to_string(),
                None => continue,
            },
            v => v.to_text_in(cx.time_zone()),
        };
        if !first {
            out.push_str(delimiter);
        }
        first = false;
        out.push_str(&shown);
    }
    Ok(Value::Text(out))
}

/// `string_to_array(text, text [, text])`: the text split at each delimiter (at every
/// character for a NULL delimiter, not at all for an empty one); pieces equal to the third
/// argument become NULL. NULL text gives NULL, empty text the empty array.
pub fn string_to_array(args: &[Value], _: &dyn Context) -> Result<Value> {
    let Some(s) = text(args, 0)? else {
        return Ok(Value::Null);
    };
    if s.is_empty() {
        return Ok(Value::array(Array::empty()));
    }
    let null_text = if args.len() > 2 { text(args, 2)? } else { None };
    let pieces: Vec<String> = match text(args, 1)? {
        None => s.chars().map(String::from).collect(),
        Some("") => vec![s.to_string()],
        Some(d) => s.split(d).map(String::from).collect(),
    };
    Ok(Value::array(Array::from_elements(
        pieces
            .into_iter()
            .map(|p| {
                if null_text == Some(p.as_str()) {
                    Value::Null
                } else {
                    Value::Text(p)
                }
            })
            .collect(),
    )))
}
