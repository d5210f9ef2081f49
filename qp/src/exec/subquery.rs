//! Running the subqueries of expressions.
//!
//! Expression evaluation itself never reads storage, so an expression holding subqueries
//! ([`Expr::Subquery`]) is evaluated in two steps: each subquery runs first, with the row the
//! expression is evaluated on pushed onto [`ExecContext::outer`] (where its correlated
//! references read it), and is replaced by its value; then the expression is evaluated as
//! usual. An uncorrelated subquery runs once per statement and its rows are kept.
//!
//! A quantified subquery becomes the list of its values compared with PostgreSQL's NULL
//! semantics: `x IN (SELECT ...)` and `x NOT IN (SELECT ...)` a hash set ([`Expr::InSet`],
//! built once per statement when uncorrelated), `x > ALL (SELECT ...)` and the other
//! comparisons a list ([`Expr::AnyOf`]).

use super::ExecContext;
use super::read::run_query;
use crate::error::{Error, Result, SqlState};
use crate::expr::{BinOp, Expr, SubLink, ValueSet};
use crate::types::{Array, DataType, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The rows of subquery `id`, run for `row` (or taken from this statement's earlier run
/// when it is uncorrelated).
async fn subquery_rows(
    id: usize,
    row: &[Value],
    cx: &mut ExecContext<'_>,
) -> Result<Arc<Vec<Vec<Value>>>> {
    let sub = cx
        .subqueries
        .get(id)
        .ok_or_else(|| Error::internal("subquery missing from the plan"))?;
    if !sub.correlated
        && let Some(rows) = cx.subquery_results.get(&id)
    {
        return Ok(rows.clone());
    }
    let subqueries = cx.subqueries;
    let query = &subqueries[id].query;
    cx.outer.push(row.to_vec());
    let rows = Box::pin(run_query(query, cx)).await;
    cx.outer.pop();
    let rows = Arc::new(rows?);
    if !subqueries[id].correlated {
        cx.subquery_results.insert(id, rows.clone());
    }
    Ok(rows)
}

/// Whether a subquery's value is looked up by hash: `IN` (`= ANY`) and `NOT IN` (`<> ALL`).
fn hashed_in(link: &SubLink) -> bool {
    matches!(
        link,
        SubLink::Quantified {
            op: BinOp::Eq,
            all: false,
            ..
        } | SubLink::Quantified {
            op: BinOp::NotEq,
            all: true,
            ..
        }
    )
}

/// `e` with each of its subqueries replaced by its value for `row`.
pub(super) async fn bind(e: &Expr, row: &[Value], cx: &mut ExecContext<'_>) -> Result<Expr> {
    let mut found: Vec<(usize, bool)> = Vec::new();
    e.walk(&mut |x| {
        if let Expr::Subquery { id, link } = x {
            found.push((*id, hashed_in(link)));
        }
    });
    let mut results: HashMap<usize, Arc<Vec<Vec<Value>>>> = HashMap::new();
    let mut sets: HashMap<usize, Arc<ValueSet>> = HashMap::new();
    for (id, hashed) in &found {
        if results.contains_key(id) {
            continue;
        }
        // The hash set of an uncorrelated IN is built once per statement.
        if *hashed && let Some(set) = cx.subquery_sets.get(id) {
            sets.insert(*id, set.clone());
            results.insert(*id, Arc::new(Vec::new()));
            continue;
        }
        let rows = subquery_rows(*id, row, cx).await?;
        if *hashed {
            let set = Arc::new(ValueSet::of(
                rows.iter()
                    .map(|r| r.first().cloned().unwrap_or(Value::Null)),
            ));
            if !cx.subqueries[*id].correlated {
                cx.subquery_sets.insert(*id, set.clone());
            }
            sets.insert(*id, set);
        }
        results.insert(*id, rows);
    }
    let mut failure = None;
    let bound = e.clone().transform(&mut |x| match x {
        Expr::Subquery { id, link } => {
            let rows = &results[&id];
            match link {
                SubLink::Scalar => match rows.len() {
                    0 => Expr::Literal(Value::Null),
                    1 => Expr::Literal(rows[0].first().cloned().unwrap_or(Value::Null)),
                    _ => {
                        failure = Some(Error::new(
                            SqlState::CARDINALITY_VIOLATION,
                            "more than one row returned by a subquery used as an expression",
                        ));
                        Expr::Literal(Value::Null)
                    }
                },
                SubLink::Exists => Expr::Literal(Value::Bool(!rows.is_empty())),
                SubLink::Array { of_arrays } => {
                    let values = rows
                        .iter()
                        .map(|r| r.first().cloned().unwrap_or(Value::Null))
                        .collect();
                    match Array::construct(values, of_arrays) {
                        Ok(a) => Expr::Literal(Value::array(a)),
                        Err(e) => {
                            failure = Some(e);
                            Expr::Literal(Value::Null)
                        }
                    }
                }
                SubLink::RowCompare {
                    lhs,
                    operand_types,
                    op,
                } => match rows.as_slice() {
                    [] => Expr::Literal(Value::Null),
                    [row] => compare_rows(lhs, &operand_types, op, row),
                    _ => {
                        failure = Some(Error::new(
                            SqlState::CARDINALITY_VIOLATION,
                            "more than one row returned by a subquery used as an expression",
                        ));
                        Expr::Literal(Value::Null)
                    }
                },
                SubLink::RowIn {
                    lhs,
                    operand_types,
                    negated,
                } => Expr::RowIn {
                    lhs,
                    operand_types,
                    rows: rows.clone(),
                    negated,
                },
                SubLink::Quantified { lhs, all, .. } if sets.contains_key(&id) => Expr::InSet {
                    lhs,
                    set: sets[&id].clone(),
                    negated: all,
                },
                SubLink::Quantified {
                    lhs,
                    op,
                    operand_type,
                    all,
                } => Expr::AnyOf {
                    lhs,
                    op,
                    operand_type,
                    all,
                    values: Arc::new(
                        rows.iter()
                            .map(|r| r.first().cloned().unwrap_or(Value::Null))
                            .collect(),
                    ),
                },
            }
        }
        other => other,
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(bound),
    }
}

/// Evaluates the rows of a VALUES list (row-independent expressions), running their
/// subqueries first when some have any.
pub(super) async fn eval_values(
    rows: &[Vec<Expr>],
    cx: &mut ExecContext<'_>,
) -> Result<Vec<Vec<Value>>> {
    if !rows.iter().flatten().any(Expr::has_subquery) {
        return super::read::eval_rows(rows, &cx.eval_context());
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::with_capacity(row.len());
        for e in row {
            values.push(eval_dynamic(e, &[], cx).await?);
        }
        out.push(values);
    }
    Ok(out)
}

/// Evaluates `e` on `row`, running its subqueries first if it has any.
pub(super) async fn eval_dynamic(
    e: &Expr,
    row: &[Value],
    cx: &mut ExecContext<'_>,
) -> Result<Value> {
    if e.has_subquery() {
        let bound = bind(e, row, cx).await?;
        bound.eval(row, &cx.eval_context())
    } else {
        e.eval(row, &cx.eval_context())
    }
}

/// Whether `row` passes `filter` (no filter passes every row; NULL does not pass), running
/// the filter's subqueries first if it has any.
pub(super) async fn passes_dynamic(
    filter: Option<&Expr>,
    row: &[Value],
    cx: &mut ExecContext<'_>,
) -> Result<bool> {
    match filter {
        None => Ok(true),
        Some(f) => Ok(eval_dynamic(f, row, cx).await?.as_bool()? == Some(true)),
    }
}

/// `(l1, l2, ...) op (v1, v2, ...)` as an expression over the left row's items and the
/// subquery row's values, with PostgreSQL's row comparison: `=` is every pair equal, `<>`
/// some pair unequal, and an ordering decides at the first pair that is not equal
/// (`l1 < v1 OR (l1 = v1 AND (l2 < v2 ...))`, the last pair with `op` itself).
fn compare_rows(lhs: Vec<Expr>, operand_types: &[DataType], op: BinOp, row: &[Value]) -> Expr {
    let binary = |op, left: Expr, right: Expr, operand_type| Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
        operand_type,
        result_type: DataType::Bool,
    };
    let mut pairs: Vec<(Expr, Expr, DataType)> = lhs
        .into_iter()
        .zip(row.iter().cloned().map(Expr::Literal))
        .zip(operand_types.iter().copied())
        .map(|((l, r), ty)| (l, r, ty))
        .collect();
    match op {
        BinOp::Eq | BinOp::NotEq => {
            let joiner = if op == BinOp::Eq {
                BinOp::And
            } else {
                BinOp::Or
            };
            pairs
                .into_iter()
                .map(|(l, r, ty)| binary(op, l, r, ty))
                .reduce(|acc, e| binary(joiner, acc, e, DataType::Bool))
                .unwrap_or(Expr::Literal(Value::Bool(op == BinOp::Eq)))
        }
        _ => {
            let strict = match op {
                BinOp::LtEq => BinOp::Lt,
                BinOp::GtEq => BinOp::Gt,
                other => other,
            };
            let Some((l, r, ty)) = pairs.pop() else {
                return Expr::Literal(Value::Null);
            };
            let mut e = binary(op, l, r, ty);
            while let Some((l, r, ty)) = pairs.pop() {
                let decided = binary(strict, l.clone(), r.clone(), ty);
                let tied = binary(BinOp::Eq, l, r, ty);
                e = binary(
                    BinOp::Or,
                    decided,
                    binary(BinOp::And, tied, e, DataType::Bool),
                    DataType::Bool,
                );
            }
            e
        }
    }
}
