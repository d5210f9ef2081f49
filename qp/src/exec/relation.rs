//! Reading a relation of a query's FROM tree whole: derived tables, set operations,
//! recursive CTEs, VALUES lists, point and index reads (in `read.rs`) and functions (in
//! `set_functions.rs`). Scans, filters and joins stream (see `stream.rs`); [`source_rows`]
//! reads them whole when a consumer needs all their rows at once (the right side of a
//! join, a derived table's source), within the query memory limit.

use super::ExecContext;
use super::read::{read_table, run_query};
use super::stream::RowStream;
use super::subquery::eval_values;
use crate::error::{Error, Result};
use crate::plan::{Access, RecursivePlan, SetOpPlan, SetOperator, Source};
use crate::types::Value;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;

/// Reads the rows of a source: all of them, or, when `want` is given, at least the first
/// `want` (when there are that many) in the order the source gives them, so a LIMIT over a
/// table read or a join stops early.
pub(super) fn source_rows<'a, 'b>(
    source: &'a Source,
    want: Option<usize>,
    cx: &'a mut ExecContext<'b>,
) -> BoxFuture<'a, Result<Vec<Vec<Value>>>>
where
    'b: 'a,
{
    Box::pin(async move {
        match source {
            Source::Single => Ok(vec![vec![]]),
            Source::Values(rows) => eval_values(rows, cx).await,
            Source::Table {
                table,
                access,
                reverse,
                index_only,
                index_order,
                ..
            } if index_order.is_some()
                || matches!(access, Access::Point(_) | Access::Index { .. }) =>
            {
                let rows = read_table(table, access, *reverse, want, *index_only, cx).await?;
                Ok(rows.into_iter().map(|(_, row)| row).collect())
            }
            Source::Query(derived) => run_query(&derived.query, cx).await,
            Source::Function(scan) => super::set_functions::function_rows(scan, cx).await,
            Source::System { table, .. } => Ok(table.rows(&cx.catalog, &cx.session_info())),
            // Scans, filters and joins stream.
            Source::Table { .. } | Source::Filter(..) | Source::Join(_) | Source::Permute(..) => {
                RowStream::open(source, want, cx)
                    .await?
                    .collect(want, cx)
                    .await
            }
            Source::SetOp(op) => set_op_rows(op, cx).await,
            Source::Recursive(r) => recursive_rows(r, cx).await,
            Source::WorkTable { id, .. } => cx
                .work_tables
                .get(id)
                .map(|rows| rows.as_ref().clone())
                .ok_or_else(|| Error::internal("work table read outside its recursion")),
        }
    })
}

/// The approximate memory a row takes, for the query memory limit.
pub(super) fn row_bytes(row: &[Value]) -> usize {
    row.iter()
        .map(|v| match v {
            Value::Text(s) => 24 + s.len(),
            _ => 16,
        })
        .sum()
}

/// Keeps a running total of the memory rows take and fails past the query memory limit.
#[derive(Default)]
pub(super) struct MemoryUse(usize);

impl MemoryUse {
    pub(super) fn add(&mut self, row: &[Value], cx: &ExecContext<'_>) -> Result<()> {
        self.0 += row_bytes(row);
        cx.limits.check_query_memory(self.0)
    }
}

/// `left ++ right`.
pub(super) fn concat(left: &[Value], right: &[Value]) -> Vec<Value> {
    let mut row = Vec::with_capacity(left.len() + right.len());
    row.extend_from_slice(left);
    row.extend_from_slice(right);
    row
}

/// A hash key of values: equal values (compared as SQL compares them, across numeric
/// types) always get equal keys; unequal ones rarely do, and candidates are tested again.
pub(super) fn hash_key(values: &[Value]) -> Option<Vec<u8>> {
    let mut key = Vec::new();
    for v in values {
        match v {
            Value::Null => return None,
            Value::Int(i) => {
                key.push(1);
                key.extend((*i as f64).to_bits().to_be_bytes());
            }
            Value::Float(f) => {
                key.push(1);
                let f = if *f == 0.0 { 0.0 } else { *f };
                key.extend(f.to_bits().to_be_bytes());
            }
            Value::Numeric(d) => {
                use rust_decimal::prelude::ToPrimitive;
                key.push(1);
                let f = d.to_f64().unwrap_or(f64::NAN);
                let f = if f == 0.0 { 0.0 } else { f };
                key.extend(f.to_bits().to_be_bytes());
            }
            other => other.group_key(&mut key),
        }
    }
    Some(key)
}

/// The identity of a row for set operations and DISTINCT: NULLs are equal to each other.
pub(super) fn row_key(row: &[Value]) -> Vec<u8> {
    let mut key = Vec::new();
    for v in row {
        v.group_key(&mut key);
    }
    key
}

/// Runs UNION / INTERSECT / EXCEPT [ALL]: rows in the order they first appear.
async fn set_op_rows(op: &SetOpPlan, cx: &mut ExecContext<'_>) -> Result<Vec<Vec<Value>>> {
    let left = run_query(&op.left, cx).await?;
    let right = run_query(&op.right, cx).await?;
    Ok(match op.op {
        SetOperator::Union if op.all => {
            let mut rows = left;
            rows.extend(right);
            rows
        }
        SetOperator::Union => {
            let mut seen = std::collections::HashSet::new();
            left.into_iter()
                .chain(right)
                .filter(|r| seen.insert(row_key(r)))
                .collect()
        }
        SetOperator::Intersect | SetOperator::Except => {
            let mut counts: HashMap<Vec<u8>, usize> = HashMap::new();
            for r in &right {
                *counts.entry(row_key(r)).or_default() += 1;
            }
            let intersect = op.op == SetOperator::Intersect;
            let mut emitted = std::collections::HashSet::new();
            let mut rows = Vec::new();
            for r in left {
                let key = row_key(&r);
                let count = counts.get_mut(&key);
                let keep = if op.all {
                    match count {
                        Some(c) if *c > 0 => {
                            *c -= 1;
                            intersect
                        }
                        _ => !intersect,
                    }
                } else {
                    count.is_some_and(|c| *c > 0) == intersect && emitted.insert(key)
                };
                if keep {
                    rows.push(r);
                }
            }
            rows
        }
    })
}

/// Runs a recursive CTE: its base rows, then each step's new rows (without the rows seen
/// before, for UNION) until a step gives none.
async fn recursive_rows(r: &RecursivePlan, cx: &mut ExecContext<'_>) -> Result<Vec<Vec<Value>>> {
    let mut seen = std::collections::HashSet::new();
    let mut memory = MemoryUse(0);
    let mut all = Vec::new();
    let mut step: Vec<Vec<Value>> = Vec::new();
    for row in run_query(&r.base, cx).await? {
        if r.all || seen.insert(row_key(&row)) {
            memory.add(&row, cx)?;
            step.push(row.clone());
            all.push(row);
        }
    }
    let saved = cx.work_tables.remove(&r.id);
    while !step.is_empty() {
        cx.work_tables
            .insert(r.id, Arc::new(std::mem::take(&mut step)));
        let produced = run_query(&r.step, cx).await;
        let produced = match produced {
            Ok(rows) => rows,
            Err(e) => {
                cx.work_tables.remove(&r.id);
                return Err(e);
            }
        };
        for row in produced {
            if r.all || seen.insert(row_key(&row)) {
                memory.add(&row, cx)?;
                step.push(row.clone());
                all.push(row);
            }
        }
    }
    cx.work_tables.remove(&r.id);
    if let Some(rows) = saved {
        cx.work_tables.insert(r.id, rows);
    }
    Ok(all)
}
