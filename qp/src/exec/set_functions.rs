//! Running set-returning functions: the values of one call, the rows of a function in FROM
//! ([`Source::Function`](crate::plan::Source::Function)), and a select list's calls run in
//! lockstep ([`QueryPlan::set_functions`], PostgreSQL's `ProjectSet`).
//!
//! A call's values are materialized within the query memory limit, so a huge
//! `generate_series` fails with 53200 instead of allocating without bound.

use super::ExecContext;
use super::relation::row_bytes;
use super::subquery::eval_dynamic;
use crate::error::{Error, Result, SqlState};
use crate::expr::SetFunc;
use crate::limits::Limits;
use crate::plan::{FunctionScan, QueryPlan, SetCall};
use crate::types::{DataType, Value};
use rust_decimal::Decimal;

/// The memory one value of a series takes, for the query memory limit (as `row_bytes`
/// counts a number).
const VALUE_BYTES: usize = 16;

/// The values of `call` for its argument values `args`.
fn call_values(call: &SetCall, args: &[Value], limits: &Limits) -> Result<Vec<Value>> {
    match call.func {
        SetFunc::GenerateSeries => generate_series(args, call.data_type, limits),
        SetFunc::Unnest => match args.first() {
            Some(Value::Array(a)) => {
                limits.check_query_memory(row_bytes(&a.elements))?;
                Ok(a.elements.clone())
            }
            _ => Ok(Vec::new()),
        },
        SetFunc::GenerateSubscripts => Ok(generate_subscripts(args)),
        SetFunc::PartitionAncestors => Ok(Vec::new()),
    }
}

/// `generate_subscripts(array, dim [, reverse])`: no values for a NULL argument or a
/// dimension the array does not have.
fn generate_subscripts(args: &[Value]) -> Vec<Value> {
    let (Some(Value::Array(a)), Some(Value::Int(dim))) = (args.first(), args.get(1)) else {
        return Vec::new();
    };
    let reverse = matches!(args.get(2), Some(Value::Bool(true)));
    let Some(d) = usize::try_from(*dim - 1).ok().and_then(|i| a.dims.get(i)) else {
        return Vec::new();
    };
    let lower = i64::from(d.lower);
    let subscripts = (lower..lower + i64::from(d.length)).map(Value::Int);
    if reverse {
        subscripts.rev().collect()
    } else {
        subscripts.collect()
    }
}

/// 22023 `step size cannot equal zero`.
fn zero_step() -> Error {
    Error::new(
        SqlState::INVALID_PARAMETER_VALUE,
        "step size cannot equal zero",
    )
}

/// `generate_series(start, stop [, step])` over integers of type `ty` (whose values all fit
/// it, so the series stops before overflowing) or numerics: no values when an argument is
/// NULL, 22023 for a zero step.
fn generate_series(args: &[Value], ty: DataType, limits: &Limits) -> Result<Vec<Value>> {
    if args.iter().any(Value::is_null) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut bytes = 0usize;
    let mut push = |v: Value, out: &mut Vec<Value>| -> Result<()> {
        bytes += VALUE_BYTES;
        limits.check_query_memory(bytes)?;
        out.push(v);
        Ok(())
    };
    if let DataType::Numeric(_) = ty {
        let decimal = |v: &Value| match v {
            Value::Numeric(d) => Ok(*d),
            Value::Int(i) => Ok(Decimal::from(*i)),
            _ => Err(Error::internal(
                "generate_series: numeric argument expected",
            )),
        };
        let (start, stop) = (decimal(&args[0])?, decimal(&args[1])?);
        let step = match args.get(2) {
            Some(s) => decimal(s)?,
            None => Decimal::ONE,
        };
        if step.is_zero() {
            return Err(zero_step());
        }
        let mut current = start;
        while (step.is_sign_positive() && current <= stop)
            || (step.is_sign_negative() && current >= stop)
        {
            push(Value::Numeric(current), &mut out)?;
            match current.checked_add(step) {
                Some(next) => current = next,
                None => break,
            }
        }
        return Ok(out);
    }
    let int = |v: &Value| match v {
        Value::Int(i) => Ok(*i),
        _ => Err(Error::internal(
            "generate_series: integer argument expected",
        )),
    };
    let (start, stop) = (int(&args[0])?, int(&args[1])?);
    let step = match args.get(2) {
        Some(s) => int(s)?,
        None => 1,
    };
    if step == 0 {
        return Err(zero_step());
    }
    let mut current = start;
    while (step > 0 && current <= stop) || (step < 0 && current >= stop) {
        push(Value::Int(current), &mut out)?;
        match current.checked_add(step) {
            Some(next) => current = next,
            None => break,
        }
    }
    Ok(out)
}

/// The values of `call` with its arguments evaluated on `row` (running their subqueries).
async fn eval_call(call: &SetCall, row: &[Value], cx: &mut ExecContext<'_>) -> Result<Vec<Value>> {
    let mut args = Vec::with_capacity(call.args.len());
    for a in &call.args {
        args.push(eval_dynamic(a, row, cx).await?);
    }
    call_values(call, &args, cx.limits)
}

/// The rows of a function in FROM: one per value, followed by its position from 1 `WITH
/// ORDINALITY`.
pub(super) async fn function_rows(
    scan: &FunctionScan,
    cx: &mut ExecContext<'_>,
) -> Result<Vec<Vec<Value>>> {
    let mut results = Vec::with_capacity(scan.calls.len());
    for call in &scan.calls {
        results.push(eval_call(call, &[], cx).await?.into_iter());
    }
    let longest = results
        .iter()
        .map(ExactSizeIterator::len)
        .max()
        .unwrap_or(0);
    let width = results.len() + usize::from(scan.ordinality);
    if width > 1 {
        // Each further column adds what the values take.
        cx.limits
            .check_query_memory(longest.saturating_mul(width * VALUE_BYTES))?;
    }
    let mut rows = Vec::with_capacity(longest);
    for i in 0..longest {
        let mut row = Vec::with_capacity(width);
        for values in &mut results {
            row.push(values.next().unwrap_or(Value::Null));
        }
        if scan.ordinality {
            row.push(Value::Int(i as i64 + 1));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Runs a query's select-list calls on each of its rows, in lockstep: each row becomes as
/// many rows as its longest call gives values (none when every call gives none), each the
/// row followed by the calls' values at that position, NULL past a call's last value.
pub(super) async fn project_set(
    q: &QueryPlan,
    rows: Vec<Vec<Value>>,
    cx: &mut ExecContext<'_>,
) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    let mut bytes = 0usize;
    for row in rows {
        let mut results = Vec::with_capacity(q.set_functions.len());
        for call in &q.set_functions {
            results.push(eval_call(call, &row, cx).await?);
        }
        let longest = results.iter().map(Vec::len).max().unwrap_or(0);
        for i in 0..longest {
            let mut expanded = Vec::with_capacity(row.len() + results.len());
            expanded.extend_from_slice(&row);
            expanded.extend(
                results
                    .iter()
                    .map(|values| values.get(i).cloned().unwrap_or(Value::Null)),
            );
            bytes += row_bytes(&expanded);
            cx.limits.check_query_memory(bytes)?;
            out.push(expanded);
        }
    }
    Ok(out)
}
