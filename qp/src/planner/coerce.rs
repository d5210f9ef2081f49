//! Type conversions of planned expressions.
//!
//! Three strengths, as in PostgreSQL: an untyped string literal converts to any type by
//! parsing it (now, at planning time); an implicit conversion (between numeric types,
//! between string types, or to the wider of two types) happens wherever types must match;
//! an explicit one (`CAST`, `::`, and assignment to a column) also allows e.g. text to
//! integer. Anything else is 42804 `cannot convert type X to Y`.

use crate::error::{Error, Result};
use crate::expr::Expr;
use crate::functions::registry;
use crate::types::cast::{cast_depends_on_time_zone, cast_reads_catalog, casts_implicitly};
use crate::types::timezone::TimeZone;
use crate::types::{DataType, Value};

/// Converts a planned expression from one type to another. String literals are parsed now;
/// other conversions become a cast evaluated per row. `explicit` allows conversions only an
/// explicit cast or an assignment may do (e.g. text to integer). A conversion whose result
/// depends on the session's time zone (to or from timestamptz, from a local time or text) is
/// never done at planning: a plan outlives `SET TimeZone`; nor is one that reads a name in
/// the catalog (to or from a reg type).
pub(super) fn coerce(e: Expr, from: DataType, to: DataType, explicit: bool) -> Result<Expr> {
    if from == to || to == DataType::Unknown {
        return Ok(e);
    }
    // A name read as a reg type (`'pg_class'::regclass`) is looked up at execution, in the
    // statement's catalog and search path.
    if let Expr::Literal(v) = &e
        && !cast_depends_on_time_zone(from, to)
        && !cast_reads_catalog(from, to)
    {
        if from == DataType::Unknown {
            return Ok(Expr::Literal(match v {
                Value::Text(s) => Value::parse(s, to, TimeZone::UTC)?,
                Value::Null => Value::Null,
                other => other.clone().cast(from, to, TimeZone::UTC)?,
            }));
        }
        if explicit || casts_implicitly(from, to) {
            return Ok(Expr::Literal(v.clone().cast(from, to, TimeZone::UTC)?));
        }
    }
    if from == DataType::Unknown || explicit || casts_implicitly(from, to) {
        // Integer widening needs no work at run time.
        if from.is_integer() && to == DataType::Int8 {
            return Ok(e);
        }
        return Ok(Expr::Cast(Box::new(e), from, to));
    }
    Err(Error::datatype_mismatch(format!(
        "cannot convert type {} to {}",
        from.name(),
        to.name()
    )))
}

/// An explicit cast (`CAST`, `::`, `type 'literal'`): as [`coerce`] with `explicit`, except
/// that a string longer than a `varchar(n)` or `char(n)` target is cut to `n` characters, as
/// PostgreSQL's cast does (an assignment to such a column refuses it with 22001 instead).
pub(super) fn cast(e: Expr, from: DataType, to: DataType) -> Result<Expr> {
    let n = match to {
        DataType::Varchar(Some(n)) | DataType::Char(n) => n,
        _ => return coerce(e, from, to, true),
    };
    let text = coerce(e, from, DataType::Text, true)?;
    let left = registry()
        .exact("left", &[DataType::Text, DataType::Int4])
        .ok_or_else(|| Error::internal("left(text, integer) is not registered"))?;
    let cut = Expr::Call(left, vec![text, Expr::Literal(Value::Int(i64::from(n)))]);
    coerce(cut, DataType::Text, to, true)
}

/// The common type of several expressions (CASE branches, COALESCE arguments): untyped ones
/// (NULL, string literals) take the others' type; all untyped means text.
pub(super) fn unify(types: impl Iterator<Item = DataType>, context: &str) -> Result<DataType> {
    let mut ty = DataType::Unknown;
    for t in types {
        if t == DataType::Unknown {
            continue;
        }
        ty = DataType::common(ty, t).ok_or_else(|| {
            Error::datatype_mismatch(format!(
                "{context} types {} and {} cannot be matched",
                ty.name(),
                t.name()
            ))
        })?;
    }
    Ok(if ty == DataType::Unknown {
        DataType::Text
    } else {
        ty
    })
}

/// Checks that a condition (WHERE, HAVING, NOT, AND, ...) is boolean, converting an
/// untyped literal or parameter; 42804 otherwise.
pub(super) fn require_bool(e: Expr, ty: DataType, context: &str) -> Result<Expr> {
    match ty {
        DataType::Bool => Ok(e),
        DataType::Unknown => coerce(e, ty, DataType::Bool, false),
        other => Err(Error::datatype_mismatch(format!(
            "argument of {context} must be type boolean, not type {}",
            other.name()
        ))),
    }
}

/// The type two operands of the comparison `symbol` (`=`, `<`, ...) are compared as: their
/// common type (text when both are untyped); 42883 `operator does not exist` when they have
/// none.
pub(super) fn comparison_type(left: DataType, symbol: &str, right: DataType) -> Result<DataType> {
    match DataType::common(left, right) {
        Some(DataType::Unknown) => Ok(DataType::Text),
        Some(t) => Ok(t),
        None => Err(Error::undefined_function(format!(
            "operator does not exist: {} {symbol} {}",
            left.name(),
            right.name()
        ))),
    }
}
