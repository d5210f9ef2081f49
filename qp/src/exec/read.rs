//! Reading: access paths to key ranges, table reads, and running queries.
//!
//! A query runs as a pipeline over materialized rows: read the source (nothing, a VALUES
//! list, a table through its access path, or a tree of joins and subqueries read by
//! `relation.rs`), filter, aggregate, window functions (see `exec::window`), run the select
//! list's set-returning functions, project with the sort keys computed alongside, sort,
//! DISTINCT (or DISTINCT ON), then OFFSET and LIMIT. A block whose expressions hold
//! subqueries evaluates them row by row through `subquery.rs` (`run_dynamic`). When nothing
//! needs every row (no aggregate, window function, ORDER BY, DISTINCT or set-returning
//! function), a LIMIT is pushed down: an unfiltered table read
//! stops after `limit + offset` rows, and projection stops as soon as enough rows are out.
//! A query whose ORDER BY an index serves reads the index in key order, filtering as it
//! goes, and stops after `limit + offset` matching rows (see `read_index_ordered`).
//!
//! An access path becomes one key range of the table (or of an index). A NULL in a key
//! bound matches no row, so the read is skipped altogether:
//!
//! ```text
//! table t, primary key (a, b); succ(k) is the first key after every key starting with k
//! Point [1, 2]               [t/1/2, t/1/2 0x00)    one row
//! Range prefix [1], b > 2    [succ(t/1/2), succ(t/1))
//! Range prefix [], a <= 5    [t/, succ(t/5))
//! Point [NULL, 2]            no read
//! ```

use super::ExecContext;
use super::aggregate::Grouper;
use super::relation::MemoryUse;
use super::set_functions::project_set;
use super::stream::{BATCH_ROWS, RowStream};
use super::subquery::{eval_dynamic, passes_dynamic};
use super::window::windows;
use crate::catalog::TableDef;
use crate::error::{Error, Result, SqlState};
use crate::expr::{EvalContext, Expr};
use crate::index::IndexDef;
use crate::plan::{Access, QueryPlan, SortKey, Source};
use crate::types::Value;
use crate::types::keycode;
use proto::key::prefix_successor;
use proto::{Key, KeyRange};
use std::cmp::Ordering;

/// The key range an access path reads, or `None` if it can match no row (a NULL bound).
pub(super) fn access_range(
    table: &TableDef,
    access: &Access,
    ecx: &EvalContext,
) -> Result<Option<KeyRange>> {
    let prefix = keycode::table_prefix(table.id);
    Ok(match access {
        Access::Full => Some(KeyRange::prefix(&prefix)),
        Access::Index {
            index_id,
            prefix: eqs,
            lower,
            upper,
        } => {
            let index = planned_index(table, *index_id)?;
            let values = eqs
                .iter()
                .map(|e| e.eval(&[], ecx))
                .collect::<Result<Vec<_>>>()?;
            let bound = |b: &Option<(Expr, bool)>| -> Result<Option<(Value, bool)>> {
                b.as_ref()
                    .map(|(e, inclusive)| Ok((e.eval(&[], ecx)?, *inclusive)))
                    .transpose()
            };
            index.scan_range(&values, bound(lower)?, bound(upper)?)?
        }
        Access::Point(exprs) => {
            let mut key = prefix;
            for e in exprs {
                let v = e.eval(&[], ecx)?;
                if v.is_null() {
                    return Ok(None);
                }
                keycode::encode_value(&v, &mut key)?;
            }
            let end = key.iter().copied().chain([0u8]).collect::<Vec<u8>>();
            Some(KeyRange {
                start: key,
                end: Some(end),
            })
        }
        Access::Range {
            prefix: eqs,
            lower,
            upper,
        } => {
            let mut base = prefix;
            for e in eqs {
                let v = e.eval(&[], ecx)?;
                if v.is_null() {
                    return Ok(None);
                }
                keycode::encode_value(&v, &mut base)?;
            }
            let bound = |e: &Expr| -> Result<Option<Vec<u8>>> {
                let v = e.eval(&[], ecx)?;
                if v.is_null() {
                    return Ok(None);
                }
                let mut k = base.clone();
                keycode::encode_value(&v, &mut k)?;
                Ok(Some(k))
            };
            let start = match lower {
                None => base.clone(),
                Some((e, inclusive)) => match bound(e)? {
                    None => return Ok(None),
                    Some(k) if *inclusive => k,
                    Some(k) => match prefix_successor(&k) {
                        Some(s) => s,
                        None => return Ok(None),
                    },
                },
            };
            let end = match upper {
                None => prefix_successor(&base),
                Some((e, inclusive)) => match bound(e)? {
                    None => return Ok(None),
                    Some(k) if *inclusive => prefix_successor(&k),
                    Some(k) => Some(k),
                },
            };
            Some(KeyRange { start, end })
        }
    })
}

/// The index an [`Access::Index`] reads.
fn planned_index(table: &TableDef, index_id: u32) -> Result<&IndexDef> {
    table
        .indexes
        .iter()
        .find(|i| i.id == index_id)
        .ok_or_else(|| Error::internal("planned index missing"))
}

/// Reads the rows of a table through an access path, with their keys. With `index_only`,
/// an index read makes rows from the index entries (see [`IndexDef::entry_row`]).
pub(super) async fn read_table(
    table: &TableDef,
    access: &Access,
    reverse: bool,
    limit: Option<usize>,
    index_only: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Vec<(Key, Vec<Value>)>> {
    let range = {
        let ecx = cx.eval_context();
        access_range(table, access, &ecx)?
    };
    let Some(range) = range else {
        return Ok(vec![]);
    };
    if let Access::Index { index_id, .. } = access {
        let index = planned_index(table, *index_id)?;
        let (mut rows, bytes) =
            crate::index::fetch_rows(table, index, &range, index_only, cx.txn).await?;
        cx.limits.check_query_memory(bytes)?;
        if reverse {
            rows.reverse();
        }
        if let Some(l) = limit {
            rows.truncate(l);
        }
        return Ok(rows);
    }
    if let Access::Point(_) = access {
        let key = range.start;
        return Ok(match cx.txn.get(&key).await? {
            Some(bytes) => vec![(key, table.decode_row(&bytes)?)],
            None => vec![],
        });
    }
    let raw = cx.txn.scan(&range, limit, reverse).await?;
    let bytes: usize = raw.iter().map(|(k, v)| k.len() + v.len()).sum();
    cx.limits.check_query_memory(bytes)?;
    raw.into_iter()
        .map(|(k, v)| Ok((k, table.decode_row(&v)?)))
        .collect()
}

/// What is left of `range` to scan after a batch whose last key was `last` (read forwards,
/// or backwards if `reverse`).
pub(super) fn rest_after(range: &KeyRange, last: &[u8], reverse: bool) -> KeyRange {
    if reverse {
        KeyRange {
            start: range.start.clone(),
            end: Some(last.to_vec()),
        }
    } else {
        KeyRange {
            start: last.iter().copied().chain([0u8]).collect(),
            end: range.end.clone(),
        }
    }
}

/// How many index entries an ordered index read asks for at a time, at most.
const INDEX_BATCH: usize = 256;

/// Reads the rows an index read points at in the index's key order (descending if
/// `reverse`), keeping those that pass `filter`, and stops once it has `want` rows. Each run
/// of rows equal on `ties` is put in row key order, so the result is exactly what a stable
/// sort of the row key ordered rows would give (a run is always read to its end before the
/// read stops). The index is scanned in batches; the transaction's own buffered index
/// entries are merged into each batch in key order, so its writes are seen in place. With
/// `index_only`, rows are made from the entries.
#[allow(clippy::too_many_arguments)]
async fn read_index_ordered(
    table: &TableDef,
    access: &Access,
    reverse: bool,
    ties: &[usize],
    filter: &Option<Expr>,
    want: Option<usize>,
    index_only: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Vec<Vec<Value>>> {
    let Access::Index { index_id, .. } = access else {
        return Err(Error::internal("index order without an index read"));
    };
    let index = planned_index(table, *index_id)?;
    let range = {
        let ecx = cx.eval_context();
        access_range(table, access, &ecx)?
    };
    let mut next = range;
    let batch = want.map_or(INDEX_BATCH, |w| w.saturating_add(1).clamp(8, INDEX_BATCH));
    let mut out: Vec<Vec<Value>> = Vec::new();
    let mut run: Vec<(Key, Vec<Value>)> = Vec::new();
    let mut bytes = 0usize;
    let flush = |run: &mut Vec<(Key, Vec<Value>)>, out: &mut Vec<Vec<Value>>| {
        run.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(run.drain(..).map(|(_, row)| row));
    };
    while let Some(range) = next.take() {
        if want.is_some_and(|w| out.len() >= w) {
            break;
        }
        let entries = cx.txn.scan(&range, Some(batch), reverse).await?;
        if entries.len() == batch
            && let Some((last, _)) = entries.last()
        {
            next = Some(rest_after(&range, last, reverse));
        }
        for (_, value) in entries {
            // An entry always has its row (both are written by one transaction).
            let Some((row_key, row, read)) =
                index.entry_row(table, &value, index_only, cx.txn).await?
            else {
                continue;
            };
            bytes += read;
            cx.limits.check_query_memory(bytes)?;
            if !passes(filter, &row, &cx.eval_context())? {
                continue;
            }
            let tied = run.first().is_none_or(|(_, first)| {
                ties.iter()
                    .all(|&c| first[c].compare(&row[c]) == Ordering::Equal)
            });
            if !tied {
                flush(&mut run, &mut out);
                if want.is_some_and(|w| out.len() >= w) {
                    next = None;
                    break;
                }
            }
            run.push((row_key, row));
        }
    }
    flush(&mut run, &mut out);
    if let Some(w) = want {
        out.truncate(w);
    }
    Ok(out)
}

/// Evaluates rows of row-independent expressions (VALUES lists).
pub(super) fn eval_rows(rows: &[Vec<Expr>], ecx: &EvalContext) -> Result<Vec<Vec<Value>>> {
    rows.iter()
        .map(|r| r.iter().map(|e| e.eval(&[], ecx)).collect())
        .collect()
}

/// Whether a row passes a filter (no filter passes every row; NULL does not pass).
pub(super) fn passes(filter: &Option<Expr>, row: &[Value], ecx: &EvalContext) -> Result<bool> {
    match filter {
        None => Ok(true),
        Some(f) => Ok(f.eval(row, ecx)?.as_bool()? == Some(true)),
    }
}

/// Evaluates a LIMIT or OFFSET count: `None` when absent or NULL, 2201W when negative.
fn eval_count(e: &Option<Expr>, ecx: &EvalContext, what: &str) -> Result<Option<usize>> {
    match e {
        None => Ok(None),
        Some(e) => match e.eval(&[], ecx)? {
            Value::Null => Ok(None),
            Value::Int(n) if n >= 0 => Ok(Some(n as usize)),
            Value::Int(_) => Err(Error::new(
                SqlState::INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
                format!("{what} must not be negative"),
            )),
            _ => Err(Error::internal("LIMIT is not an integer")),
        },
    }
}

/// Whether any expression of a query block holds a subquery (then its rows are evaluated
/// through `exec::subquery`).
fn has_subqueries(q: &QueryPlan) -> bool {
    let mut found = false;
    q.exprs(&mut |e| found |= e.has_subquery());
    found
}

/// Runs a query and returns its output rows.
pub async fn run_query(q: &QueryPlan, cx: &mut ExecContext<'_>) -> Result<Vec<Vec<Value>>> {
    run_query_to(q, cx, None).await
}

/// Where a query streaming its rows sends them: a batch at a time, or the error that ended
/// it. The query stops once the receiver is gone.
pub type RowSender = tokio::sync::mpsc::Sender<Result<Vec<Vec<Value>>>>;

/// Whether [`stream_query`] hands a query's rows on as its source yields them, rather
/// than computing them all first: each row that passes the filter is one output row, in
/// the order it is read (no aggregation, window or set-returning functions, ORDER BY or
/// DISTINCT), and the query locks nothing.
pub fn streams(q: &QueryPlan) -> bool {
    q.aggregation.is_none()
        && q.windowing.is_none()
        && q.order_by.is_empty()
        && !q.distinct
        && q.distinct_on.is_empty()
        && q.set_functions.is_empty()
        && !q.for_update
}

/// Runs a query, sending its rows to `sink` batch by batch: as the source yields them when
/// the query [`streams`], else all at once at the end. Only the batch in hand is held, so
/// a streaming query's output may be any size.
pub async fn stream_query(q: &QueryPlan, cx: &mut ExecContext<'_>, sink: &RowSender) -> Result<()> {
    let rest = run_query_to(q, cx, Some(sink).filter(|_| streams(q))).await?;
    let mut rows = rest.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<_> = rows.by_ref().take(BATCH_ROWS).collect();
        if sink.send(Ok(batch)).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// The rows a streaming query has read but not sent yet, and how many it must still skip
/// (OFFSET) and may still send (LIMIT).
struct Streaming<'s> {
    sink: &'s RowSender,
    pending: Vec<Vec<Value>>,
    skip: usize,
    left: Option<usize>,
}

impl Streaming<'_> {
    /// Sends the pending rows; false once the receiver is gone.
    async fn flush(&mut self) -> bool {
        if self.pending.is_empty() {
            return true;
        }
        let batch = std::mem::take(&mut self.pending);
        self.sink.send(Ok(batch)).await.is_ok()
    }
}

/// [`run_query`], sending the rows to `sink` as they come instead when there is one (the
/// caller has checked that the query [`streams`]); then the rows returned are none.
async fn run_query_to(
    q: &QueryPlan,
    cx: &mut ExecContext<'_>,
    sink: Option<&RowSender>,
) -> Result<Vec<Vec<Value>>> {
    let (limit, offset) = {
        let ecx = cx.eval_context();
        (
            eval_count(&q.limit, &ecx, "LIMIT")?,
            eval_count(&q.offset, &ecx, "OFFSET")?.unwrap_or(0),
        )
    };
    let dynamic = has_subqueries(q);
    if dynamic
        && let Some(agg) = &q.aggregation
        && agg
            .group_by
            .iter()
            .chain(agg.aggs.iter().flat_map(crate::expr::AggCall::exprs))
            .any(Expr::has_subquery)
    {
        return Err(Error::unsupported(
            "subqueries in GROUP BY or in aggregate arguments are not supported yet",
        ));
    }
    // Whether every row of the source that passes the filter becomes one output row, in
    // source order, so a LIMIT needs only the first LIMIT + OFFSET of them.
    let one_to_one = q.aggregation.is_none()
        && q.windowing.is_none()
        && q.order_by.is_empty()
        && !q.distinct
        && q.distinct_on.is_empty()
        && q.set_functions.is_empty();
    let wanted = limit
        .filter(|_| one_to_one)
        .map(|l| l.saturating_add(offset));
    // Whether the source applied the filter already.
    let mut filtered = false;
    let mut source = match &q.source {
        Source::Single => RowStream::Rows(vec![vec![]].into_iter()),
        Source::Table {
            table,
            access,
            reverse,
            index_order: Some(ties),
            index_only,
            ..
        } if !dynamic => {
            let whole_rows = q.aggregation.is_none()
                && q.windowing.is_none()
                && !q.distinct
                && q.distinct_on.is_empty()
                && q.set_functions.is_empty();
            let want = limit
                .filter(|_| whole_rows)
                .map(|l| l.saturating_add(offset));
            filtered = true;
            let rows = read_index_ordered(
                table,
                access,
                *reverse,
                ties,
                &q.filter,
                want,
                *index_only,
                cx,
            )
            .await?;
            RowStream::Rows(rows.into_iter())
        }
        Source::Table {
            table,
            access,
            reverse,
            index_only,
            ..
        } if q.for_update => {
            // A locking read (always a point read, see `locking`): the keys it read join
            // the commit's conflict check.
            let rows = read_table(table, access, *reverse, None, *index_only, cx).await?;
            for (key, _) in &rows {
                cx.txn.lock(key.clone());
            }
            RowStream::Rows(
                rows.into_iter()
                    .map(|(_, r)| r)
                    .collect::<Vec<_>>()
                    .into_iter(),
            )
        }
        other => {
            // A filter above the source may reject any number of rows: only without one
            // does the source know how many rows will be needed.
            let hint = wanted.filter(|_| q.filter.is_none());
            RowStream::open(other, hint, cx).await?
        }
    };
    // Without aggregation, window or set-returning functions, each row is projected as it
    // comes (only the projected values and sort keys are kept); an ORDER BY with a LIMIT
    // keeps only the rows that may still be among the first LIMIT + OFFSET.
    let project_early =
        q.aggregation.is_none() && q.windowing.is_none() && q.set_functions.is_empty();
    let top_n = limit
        .filter(|_| project_early && !q.order_by.is_empty() && !q.distinct)
        .filter(|_| q.distinct_on.is_empty())
        .map(|l| l.saturating_add(offset));
    let mut out: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    let mut streaming = sink.map(|sink| Streaming {
        sink,
        pending: Vec::new(),
        skip: offset,
        left: limit,
    });
    // Pull the source's rows through the filter, into groups, into memory or on to the sink.
    let mut grouper = q.aggregation.as_ref().map(Grouper::new);
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut memory = MemoryUse::default();
    'pull: while let Some(batch) = source.next_batch(cx).await? {
        for row in batch {
            if !filtered {
                let keep = if dynamic {
                    passes_dynamic(q.filter.as_ref(), &row, cx).await?
                } else {
                    passes(&q.filter, &row, &cx.eval_context())?
                };
                if !keep {
                    continue;
                }
            }
            if let Some(grouper) = &mut grouper {
                grouper.add(&row, &cx.eval_context())?;
                cx.limits.check_query_memory(grouper.bytes())?;
                continue;
            }
            if let Some(stream) = &mut streaming {
                if stream.left == Some(0) {
                    break 'pull;
                }
                let (projected, _) = project(q, &row, dynamic, cx).await?;
                if stream.skip > 0 {
                    stream.skip -= 1;
                    continue;
                }
                stream.pending.push(projected);
                stream.left = stream.left.map(|n| n - 1);
                continue;
            }
            if project_early {
                let projected = project(q, &row, dynamic, cx).await?;
                memory.add(&projected.0, cx)?;
                memory.add(&projected.1, cx)?;
                out.push(projected);
                if let Some(n) = top_n
                    && out.len() >= n.saturating_mul(2).max(BATCH_TOP_N)
                {
                    // Keep the first n in ORDER BY order (a stable sort keeps the earlier
                    // of equal rows, as sorting them all would).
                    out.sort_by(|(_, a), (_, b)| compare_sort_keys(&q.order_by, a, b));
                    out.truncate(n);
                    memory = MemoryUse::default();
                    for (p, k) in &out {
                        memory.add(p, cx)?;
                        memory.add(k, cx)?;
                    }
                }
                if wanted.is_some_and(|w| out.len() >= w) {
                    break 'pull;
                }
                continue;
            }
            memory.add(&row, cx)?;
            rows.push(row);
            if wanted.is_some_and(|w| rows.len() >= w) {
                break 'pull;
            }
        }
        if let Some(stream) = &mut streaming
            && (stream.left == Some(0) || !stream.flush().await)
        {
            break 'pull;
        }
    }
    drop(source);
    if let Some(mut stream) = streaming {
        stream.flush().await;
        return Ok(Vec::new());
    }
    // Aggregation turns the rows into one row per group, kept if it passes HAVING.
    if let (Some(grouper), Some(agg)) = (grouper, &q.aggregation) {
        for row in grouper.finish()? {
            let keep = if dynamic {
                passes_dynamic(agg.having.as_ref(), &row, cx).await?
            } else {
                passes(&agg.having, &row, &cx.eval_context())?
            };
            if keep {
                rows.push(row);
            }
        }
    }
    // Window functions extend each row with their results, then the select list's
    // set-returning functions (which may read them) with their values.
    if let Some(w) = &q.windowing {
        if dynamic {
            let mut exprs = Vec::new();
            w.exprs(&mut |e| exprs.push(e.has_subquery()));
            if exprs.into_iter().any(|s| s) {
                return Err(Error::unsupported(
                    "subqueries in window function calls are not supported yet",
                ));
            }
        }
        rows = windows(w, rows, &cx.eval_context())?;
    }
    if !q.set_functions.is_empty() {
        rows = project_set(q, rows, cx).await?;
    }
    // Projection, with sort keys (and DISTINCT ON values) computed alongside.
    if !project_early {
        out.reserve(rows.len());
        for row in &rows {
            out.push(project(q, row, dynamic, cx).await?);
        }
    }
    Ok(finish(q, out, limit, offset))
}

/// The fewest rows a top-N sort (ORDER BY with LIMIT) lets pile up before it cuts them
/// back to the first N.
const BATCH_TOP_N: usize = 16;

/// A row's projected values and its sort keys (with the DISTINCT ON values after them).
async fn project(
    q: &QueryPlan,
    row: &[Value],
    dynamic: bool,
    cx: &mut ExecContext<'_>,
) -> Result<(Vec<Value>, Vec<Value>)> {
    let key_exprs = || q.order_by.iter().map(|k| &k.expr).chain(&q.distinct_on);
    if dynamic {
        let mut projected = Vec::with_capacity(q.projections.len());
        for e in &q.projections {
            projected.push(eval_dynamic(e, row, cx).await?);
        }
        let mut keys = Vec::with_capacity(q.order_by.len() + q.distinct_on.len());
        for e in key_exprs() {
            keys.push(eval_dynamic(e, row, cx).await?);
        }
        return Ok((projected, keys));
    }
    let ecx = cx.eval_context();
    let projected = q
        .projections
        .iter()
        .map(|e| e.eval(row, &ecx))
        .collect::<Result<Vec<_>>>()?;
    let keys = key_exprs()
        .map(|e| e.eval(row, &ecx))
        .collect::<Result<Vec<_>>>()?;
    Ok((projected, keys))
}

/// Compares two rows' values of sort keys `keys` (the values in key order): each key
/// ascending or descending, with NULLs first or last as it says.
pub(super) fn compare_sort_keys(keys: &[SortKey], a: &[Value], b: &[Value]) -> Ordering {
    for (k, (x, y)) in keys.iter().zip(a.iter().zip(b)) {
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if k.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if k.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ => {
                let o = x.compare(y);
                if k.desc { o.reverse() } else { o }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Sorts projected rows on their keys, removes duplicates for DISTINCT (or, for DISTINCT
/// ON, keeps the first row of each run equal on the DISTINCT ON values, which follow the
/// sort keys), and applies OFFSET and LIMIT.
fn finish(
    q: &QueryPlan,
    mut out: Vec<(Vec<Value>, Vec<Value>)>,
    limit: Option<usize>,
    offset: usize,
) -> Vec<Vec<Value>> {
    if !q.order_by.is_empty() {
        out.sort_by(|(_, a), (_, b)| compare_sort_keys(&q.order_by, a, b));
    }
    if !q.distinct_on.is_empty() {
        let n = q.order_by.len();
        let mut seen = std::collections::HashSet::new();
        out.retain(|(_, keys)| {
            let mut key = Vec::new();
            for v in &keys[n..] {
                v.group_key(&mut key);
            }
            seen.insert(key)
        });
    }
    let mut result: Vec<Vec<Value>> = out.into_iter().map(|(p, _)| p).collect();
    if q.distinct {
        let mut seen = std::collections::HashSet::new();
        result.retain(|row| {
            let mut key = Vec::new();
            for v in row {
                v.group_key(&mut key);
            }
            seen.insert(key)
        });
    }
    result
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect()
}
