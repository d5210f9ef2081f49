//! Reading the relations a query's FROM tree is made of: derived tables, filters, joins,
//! set operations and recursive CTEs (tables and VALUES lists are read in `read.rs`,
//! functions in `set_functions.rs`).
//!
//! Each source is read into rows (within the query memory limit); a join's row is its left
//! row followed by its right row. Joins run as their plan says:
//!
//! - **nested loop**: the right side is read once and every pair tested;
//! - **hash**: the right side is read once into a hash table on its key columns, and each
//!   left row looks up its keys (a NULL key matches nothing); the equality is tested again
//!   on each candidate pair, so the table's keys may be coarser than the comparison;
//! - **dependent**: the right side is read again for each left row with that row pushed
//!   onto [`ExecContext::outer`], where its key lookups and LATERAL references read it.
//!
//! Outer joins add the rows of their preserved side that matched nothing, padded with NULLs.

use super::ExecContext;
use super::read::{read_table, run_query};
use super::subquery::{eval_dynamic, eval_values, passes_dynamic};
use crate::error::{Error, Result};
use crate::plan::{JoinKind, JoinMethod, JoinPlan, RecursivePlan, SetOpPlan, SetOperator, Source};
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
                ..
            } => {
                let rows = read_table(table, access, *reverse, want, *index_only, cx).await?;
                Ok(rows.into_iter().map(|(_, row)| row).collect())
            }
            Source::Query(derived) => run_query(&derived.query, cx).await,
            Source::Function(scan) => super::set_functions::function_rows(scan, cx).await,
            Source::System { table, .. } => Ok(table.rows(&cx.catalog, &cx.session_info())),
            Source::Filter(inner, filter) => {
                let rows = source_rows(inner, None, cx).await?;
                let mut kept = Vec::with_capacity(rows.len());
                for row in rows {
                    if want.is_some_and(|w| kept.len() >= w) {
                        break;
                    }
                    if passes_dynamic(Some(filter), &row, cx).await? {
                        kept.push(row);
                    }
                }
                Ok(kept)
            }
            Source::Join(join) => join_rows(join, want, cx).await,
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
struct MemoryUse(usize);

impl MemoryUse {
    fn add(&mut self, row: &[Value], cx: &ExecContext<'_>) -> Result<()> {
        self.0 += row_bytes(row);
        cx.limits.check_query_memory(self.0)
    }
}

/// `left ++ right`.
fn concat(left: &[Value], right: &[Value]) -> Vec<Value> {
    let mut row = Vec::with_capacity(left.len() + right.len());
    row.extend_from_slice(left);
    row.extend_from_slice(right);
    row
}

/// A hash key of values: equal values (compared as SQL compares them, across numeric
/// types) always get equal keys; unequal ones rarely do, and candidates are tested again.
fn hash_key(values: &[Value]) -> Option<Vec<u8>> {
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

/// Runs a join; with `want`, a join driven by its left rows (not RIGHT or FULL) stops once
/// it has that many rows.
async fn join_rows(
    j: &JoinPlan,
    want: Option<usize>,
    cx: &mut ExecContext<'_>,
) -> Result<Vec<Vec<Value>>> {
    let want = want.filter(|_| !matches!(j.kind, JoinKind::Right | JoinKind::Full));
    // Every left row of a LEFT join gives at least one row.
    let left_want = want.filter(|_| j.kind == JoinKind::Left);
    let left = source_rows(&j.left, left_want, cx).await?;
    let enough = |out: &Vec<Vec<Value>>| want.is_some_and(|w| out.len() >= w);
    let mut out = Vec::new();
    let mut memory = MemoryUse(0);
    let null_right = vec![Value::Null; j.right_width];
    if let JoinMethod::Dependent = j.method {
        for l in left {
            if enough(&out) {
                break;
            }
            cx.outer.push(l.clone());
            let rights = source_rows(&j.right, None, cx).await;
            cx.outer.pop();
            let mut matched = false;
            for r in rights? {
                let row = concat(&l, &r);
                if passes_dynamic(j.condition.as_ref(), &row, cx).await? {
                    matched = true;
                    if j.kind.keeps_left_only() {
                        break;
                    }
                    memory.add(&row, cx)?;
                    out.push(row);
                }
            }
            match j.kind {
                JoinKind::Left if !matched => out.push(concat(&l, &null_right)),
                JoinKind::Semi if matched => out.push(l),
                JoinKind::Anti if !matched => out.push(l),
                _ => {}
            }
        }
        return Ok(out);
    }
    let right = source_rows(&j.right, None, cx).await?;
    let mut right_matched = vec![false; right.len()];
    let table = match &j.method {
        JoinMethod::Hash { right_keys, .. } => {
            let mut table: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
            for (i, r) in right.iter().enumerate() {
                let mut values = Vec::with_capacity(right_keys.len());
                for k in right_keys {
                    values.push(eval_dynamic(k, r, cx).await?);
                }
                if let Some(key) = hash_key(&values) {
                    table.entry(key).or_default().push(i);
                }
            }
            Some(table)
        }
        _ => None,
    };
    let all: Vec<usize> = (0..right.len()).collect();
    for l in &left {
        if enough(&out) {
            break;
        }
        let candidates: &[usize] = match (&table, &j.method) {
            (Some(table), JoinMethod::Hash { left_keys, .. }) => {
                let mut values = Vec::with_capacity(left_keys.len());
                for k in left_keys {
                    values.push(eval_dynamic(k, l, cx).await?);
                }
                match hash_key(&values).and_then(|key| table.get(&key)) {
                    Some(rows) => rows,
                    None => &[],
                }
            }
            _ => &all,
        };
        let mut matched = false;
        for &i in candidates {
            let row = concat(l, &right[i]);
            let keys_equal = match &j.method {
                JoinMethod::Hash {
                    left_keys,
                    right_keys,
                } => {
                    let mut equal = true;
                    for (lk, rk) in left_keys.iter().zip(right_keys) {
                        let a = eval_dynamic(lk, l, cx).await?;
                        let b = eval_dynamic(rk, &right[i], cx).await?;
                        if a.is_null() || b.is_null() || a.compare(&b) != std::cmp::Ordering::Equal
                        {
                            equal = false;
                            break;
                        }
                    }
                    equal
                }
                _ => true,
            };
            if keys_equal && passes_dynamic(j.condition.as_ref(), &row, cx).await? {
                matched = true;
                if j.kind.keeps_left_only() {
                    break;
                }
                right_matched[i] = true;
                memory.add(&row, cx)?;
                out.push(row);
            }
        }
        match j.kind {
            JoinKind::Left | JoinKind::Full if !matched => out.push(concat(l, &null_right)),
            JoinKind::Semi if matched => out.push(l.clone()),
            JoinKind::Anti if !matched => out.push(l.clone()),
            _ => {}
        }
    }
    if matches!(j.kind, JoinKind::Right | JoinKind::Full) {
        let null_left = vec![Value::Null; j.left_width];
        for (r, matched) in right.iter().zip(right_matched) {
            if !matched {
                out.push(concat(&null_left, r));
            }
        }
    }
    Ok(out)
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
