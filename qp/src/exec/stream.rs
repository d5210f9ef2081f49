//! Row streams: the sources of a query read a batch of rows at a time, on demand.
//!
//! A query pulls its source's rows batch by batch ([`RowStream::next_batch`]) and keeps only
//! what its later stages need: a group's accumulators, the rows a sort or window must see,
//! or the output rows so far. So `SELECT count(*) FROM t WHERE ...` reads a table of any
//! size within the query memory limit, and a consumer that has enough rows (a LIMIT) stops
//! pulling, which stops the reads under it:
//!
//! ```text
//! SELECT k, count(*) FROM t JOIN u ON u.id = t.u_id GROUP BY k
//!
//!   Grouper ← Join(hash) ← Scan t         batches of t's rows, each probed and
//!                 └── u (read once)       grouped before the next is read
//! ```
//!
//! - **Scan**: a full or key-range table read, one storage scan per batch, resuming after
//!   the last key read; a batch is sized to about [`BATCH_BYTES`] from the rows seen so far.
//! - **Filter**: the rows of its input that pass a condition.
//! - **Join** (a joined row is the left row followed by the right row): a nested-loop join
//!   reads its right side once, into memory (counted against the limit), and tests every
//!   pair; a hash join reads it once into a hash table on its key columns, each left row
//!   looks up its keys (a NULL key matches nothing) and the equality is tested again on each
//!   candidate pair, so the table's keys may be coarser than the comparison; a dependent
//!   (index lookup or LATERAL) join reads its right side again for each left row, pushed
//!   onto [`ExecContext::outer`], where the right side's key lookups and LATERAL references
//!   read it. Outer joins add the rows of their preserved side that matched nothing, padded
//!   with NULLs: a RIGHT or FULL join adds its unmatched right rows after the last left
//!   batch.
//! - **Rows**: anything else (VALUES, derived tables, set operations, recursive CTEs, point
//!   and index reads), read whole when the stream opens and handed out in batches.

use super::ExecContext;
use super::read::{access_range, read_table, rest_after};
use super::relation::{MemoryUse, concat, hash_key, row_bytes};
use super::subquery::{eval_dynamic, passes_dynamic};
use crate::catalog::TableDef;
use crate::error::Result;
use crate::expr::Expr;
use crate::plan::{Access, JoinKind, JoinMethod, JoinPlan, Source};
use crate::types::Value;
use futures::future::BoxFuture;
use proto::KeyRange;
use std::collections::{HashMap, VecDeque};

/// Rows handed out at a time by a stream over rows in memory, and the most a join puts in
/// one batch before handing it on.
pub(super) const BATCH_ROWS: usize = 1024;

/// The size a table scan aims its batches at.
pub(super) const BATCH_BYTES: usize = 256 * 1024;

/// The rows the first batch of a scan asks storage for, before it knows how large rows
/// are, and the fewest and most any later batch asks for.
const SCAN_FIRST_ROWS: usize = 32;
const SCAN_MIN_ROWS: usize = 16;
const SCAN_MAX_ROWS: usize = 4096;

/// One row.
type Row = Vec<Value>;

/// A source of rows, read a batch at a time.
pub(super) enum RowStream<'p> {
    /// Rows already in memory, handed out in batches.
    Rows(std::vec::IntoIter<Row>),
    /// A table read through a key range.
    Scan(TableScan<'p>),
    /// The rows of the inner stream that pass the condition.
    Filter(Box<RowStream<'p>>, &'p Expr),
    /// A join streaming its left side.
    Join(Box<JoinStream<'p>>),
    /// The inner stream's rows with their columns moved ([`Source::Permute`]).
    Permute(Box<RowStream<'p>>, &'p [usize]),
}

impl<'p> RowStream<'p> {
    /// Opens a stream over a source. `hint` is how many rows the consumer will need at
    /// most, if it knows (a LIMIT with nothing in between that needs every row): a scan's
    /// first batch asks for no more.
    pub(super) fn open<'a, 'b>(
        source: &'p Source,
        hint: Option<usize>,
        cx: &'a mut ExecContext<'b>,
    ) -> BoxFuture<'a, Result<RowStream<'p>>>
    where
        'b: 'a,
        'p: 'a,
    {
        Box::pin(async move {
            Ok(match source {
                Source::Table {
                    table,
                    access: access @ (Access::Full | Access::Range { .. }),
                    reverse,
                    index_order: None,
                    ..
                } => {
                    let range = access_range(table, access, &cx.eval_context())?;
                    RowStream::Scan(TableScan::new(table, range, *reverse, hint))
                }
                Source::Filter(inner, filter) => {
                    RowStream::Filter(Box::new(RowStream::open(inner, None, cx).await?), filter)
                }
                Source::Permute(inner, positions) => {
                    RowStream::Permute(Box::new(RowStream::open(inner, hint, cx).await?), positions)
                }
                Source::Join(join) => {
                    // Every left row of a LEFT join gives at least one row, and a join of
                    // the other left-driven kinds may need any number of left rows.
                    let left_hint = hint.filter(|_| join.kind == JoinKind::Left);
                    let left = RowStream::open(&join.left, left_hint, cx).await?;
                    RowStream::Join(Box::new(JoinStream::new(join, left)))
                }
                Source::Table {
                    table,
                    access,
                    reverse,
                    index_only,
                    ..
                } => {
                    let rows = read_table(table, access, *reverse, hint, *index_only, cx).await?;
                    RowStream::Rows(
                        rows.into_iter()
                            .map(|(_, row)| row)
                            .collect::<Vec<_>>()
                            .into_iter(),
                    )
                }
                other => RowStream::Rows(
                    super::relation::source_rows(other, hint, cx)
                        .await?
                        .into_iter(),
                ),
            })
        })
    }

    /// The next batch of rows (never empty), or `None` when there are no more.
    pub(super) fn next_batch<'a, 'b>(
        &'a mut self,
        cx: &'a mut ExecContext<'b>,
    ) -> BoxFuture<'a, Result<Option<Vec<Row>>>>
    where
        'b: 'a,
        'p: 'a,
    {
        Box::pin(async move {
            match self {
                RowStream::Rows(rows) => {
                    let batch: Vec<Row> = if rows.len() <= BATCH_ROWS {
                        // The last batch takes the rows' own vector (no copy: a point read
                        // hands its row straight on).
                        std::mem::replace(rows, Vec::new().into_iter()).collect()
                    } else {
                        rows.by_ref().take(BATCH_ROWS).collect()
                    };
                    Ok((!batch.is_empty()).then_some(batch))
                }
                RowStream::Scan(scan) => scan.next_batch(cx).await,
                RowStream::Filter(inner, filter) => loop {
                    let Some(batch) = inner.next_batch(cx).await? else {
                        return Ok(None);
                    };
                    let mut kept = Vec::with_capacity(batch.len());
                    for row in batch {
                        if passes_dynamic(Some(*filter), &row, cx).await? {
                            kept.push(row);
                        }
                    }
                    if !kept.is_empty() {
                        return Ok(Some(kept));
                    }
                },
                RowStream::Join(join) => join.next_batch(cx).await,
                RowStream::Permute(inner, positions) => {
                    Ok(inner.next_batch(cx).await?.map(|batch| {
                        batch
                            .into_iter()
                            .map(|row| positions.iter().map(|&p| row[p].clone()).collect())
                            .collect()
                    }))
                }
            }
        })
    }

    /// Reads the rest of the stream into memory, within the query memory limit; with
    /// `want`, stops once it has that many rows.
    pub(super) async fn collect(
        mut self,
        want: Option<usize>,
        cx: &mut ExecContext<'_>,
    ) -> Result<Vec<Row>> {
        if let RowStream::Rows(rows) = self {
            let mut rows: Vec<Row> = rows.collect();
            if let Some(w) = want {
                rows.truncate(w);
            }
            return Ok(rows);
        }
        let mut out = Vec::new();
        let mut memory = MemoryUse::default();
        while let Some(batch) = self.next_batch(cx).await? {
            for row in batch {
                if want.is_some_and(|w| out.len() >= w) {
                    return Ok(out);
                }
                memory.add(&row, cx)?;
                out.push(row);
            }
        }
        Ok(out)
    }
}

/// A full or key-range read of a table, one storage scan per batch.
pub(super) struct TableScan<'p> {
    table: &'p TableDef,
    /// The part of the range not read yet; `None` once it is all read.
    rest: Option<KeyRange>,
    reverse: bool,
    /// How many rows the next batch asks for.
    batch: usize,
}

impl<'p> TableScan<'p> {
    /// A scan of `range` (none if `None`: a NULL key bound matches no row), whose first
    /// batch asks for `hint` rows if given.
    fn new(
        table: &'p TableDef,
        range: Option<KeyRange>,
        reverse: bool,
        hint: Option<usize>,
    ) -> TableScan<'p> {
        TableScan {
            table,
            rest: range,
            reverse,
            batch: hint.map_or(SCAN_FIRST_ROWS, |h| h.clamp(1, SCAN_FIRST_ROWS)),
        }
    }

    async fn next_batch(&mut self, cx: &mut ExecContext<'_>) -> Result<Option<Vec<Row>>> {
        while let Some(range) = self.rest.take() {
            let raw = cx.txn.scan(&range, Some(self.batch), self.reverse).await?;
            if raw.len() == self.batch
                && let Some((last, _)) = raw.last()
            {
                self.rest = Some(rest_after(&range, last, self.reverse));
            }
            // A batch is gone before the next is read, so only the stages that keep rows
            // count them against the query memory limit.
            let bytes: usize = raw.iter().map(|(k, v)| k.len() + v.len()).sum();
            if !raw.is_empty() {
                // Aim the next batch at BATCH_BYTES, from this batch's row size.
                let per_row = (bytes / raw.len()).max(1);
                self.batch = (BATCH_BYTES / per_row).clamp(SCAN_MIN_ROWS, SCAN_MAX_ROWS);
                let rows = raw
                    .into_iter()
                    .map(|(_, v)| self.table.decode_row(&v))
                    .collect::<Result<Vec<_>>>()?;
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }
}

/// The right side of a hash or nested-loop join, read at the first pull.
struct RightSide {
    rows: Vec<Row>,
    /// For a hash join: the right rows by the hash key of their join keys.
    table: Option<HashMap<Vec<u8>, Vec<usize>>>,
    /// Whether each right row has matched (for RIGHT and FULL joins).
    matched: Vec<bool>,
}

/// A join that streams its left side: each left batch is joined with the right side and
/// handed on.
pub(super) struct JoinStream<'p> {
    join: &'p JoinPlan,
    left: RowStream<'p>,
    /// Left rows read but not joined yet.
    pending: VecDeque<Row>,
    right: Option<RightSide>,
    left_done: bool,
    finished: bool,
}

impl<'p> JoinStream<'p> {
    fn new(join: &'p JoinPlan, left: RowStream<'p>) -> JoinStream<'p> {
        JoinStream {
            join,
            left,
            pending: VecDeque::new(),
            right: None,
            left_done: false,
            finished: false,
        }
    }

    /// Reads the right side and, for a hash join, its hash table.
    async fn read_right(&self, cx: &mut ExecContext<'_>) -> Result<RightSide> {
        let j = self.join;
        let rows = RowStream::open(&j.right, None, cx)
            .await?
            .collect(None, cx)
            .await?;
        let table = match &j.method {
            JoinMethod::Hash { right_keys, .. } => {
                let mut table: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
                for (i, r) in rows.iter().enumerate() {
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
        let matched = vec![false; rows.len()];
        Ok(RightSide {
            rows,
            table,
            matched,
        })
    }

    async fn next_batch(&mut self, cx: &mut ExecContext<'_>) -> Result<Option<Vec<Row>>> {
        let j = self.join;
        if self.finished {
            return Ok(None);
        }
        if self.right.is_none() && !matches!(j.method, JoinMethod::Dependent) {
            self.right = Some(self.read_right(cx).await?);
        }
        let mut out: Vec<Row> = Vec::new();
        let mut bytes = 0usize;
        loop {
            if out.len() >= BATCH_ROWS {
                return Ok(Some(out));
            }
            let Some(l) = self.pending.pop_front() else {
                if !self.left_done {
                    match self.left.next_batch(cx).await? {
                        Some(batch) => self.pending.extend(batch),
                        None => self.left_done = true,
                    }
                    continue;
                }
                // The left side is done: a RIGHT or FULL join adds its unmatched right
                // rows.
                self.finished = true;
                if matches!(j.kind, JoinKind::Right | JoinKind::Full)
                    && let Some(right) = &self.right
                {
                    let null_left = vec![Value::Null; j.left_width];
                    for (r, matched) in right.rows.iter().zip(&right.matched) {
                        if !matched {
                            out.push(concat(&null_left, r));
                        }
                    }
                }
                return Ok((!out.is_empty()).then_some(out));
            };
            let before = out.len();
            self.join_left_row(l, &mut out, cx).await?;
            bytes += out[before..].iter().map(|r| row_bytes(r)).sum::<usize>();
            cx.limits.check_query_memory(bytes)?;
        }
    }

    /// Appends the rows one left row gives.
    async fn join_left_row(
        &mut self,
        l: Row,
        out: &mut Vec<Row>,
        cx: &mut ExecContext<'_>,
    ) -> Result<()> {
        let j = self.join;
        let null_right = || vec![Value::Null; j.right_width];
        let mut matched = false;
        if let JoinMethod::Dependent = j.method {
            cx.outer.push(l.clone());
            let rights = match RowStream::open(&j.right, None, cx).await {
                Ok(stream) => stream.collect(None, cx).await,
                Err(e) => Err(e),
            };
            cx.outer.pop();
            for r in rights? {
                let row = concat(&l, &r);
                if passes_dynamic(j.condition.as_ref(), &row, cx).await? {
                    matched = true;
                    if j.kind.keeps_left_only() {
                        break;
                    }
                    out.push(row);
                }
            }
        } else {
            let RightSide {
                rows,
                table,
                matched: right_matched,
            } = self.right.as_mut().expect("read before the first left row");
            let hashed: Option<&[usize]> = match (table.as_ref(), &j.method) {
                (Some(table), JoinMethod::Hash { left_keys, .. }) => {
                    let mut values = Vec::with_capacity(left_keys.len());
                    for k in left_keys {
                        values.push(eval_dynamic(k, &l, cx).await?);
                    }
                    Some(match hash_key(&values).and_then(|key| table.get(&key)) {
                        Some(rows) => rows,
                        None => &[],
                    })
                }
                _ => None,
            };
            let candidates = hashed.map_or(rows.len(), <[usize]>::len);
            for position in 0..candidates {
                let i = hashed.map_or(position, |h| h[position]);
                let r = &rows[i];
                if let JoinMethod::Hash {
                    left_keys,
                    right_keys,
                } = &j.method
                {
                    let mut equal = true;
                    for (lk, rk) in left_keys.iter().zip(right_keys) {
                        let a = eval_dynamic(lk, &l, cx).await?;
                        let b = eval_dynamic(rk, r, cx).await?;
                        if a.is_null() || b.is_null() || a.compare(&b) != std::cmp::Ordering::Equal
                        {
                            equal = false;
                            break;
                        }
                    }
                    if !equal {
                        continue;
                    }
                }
                let row = concat(&l, r);
                if passes_dynamic(j.condition.as_ref(), &row, cx).await? {
                    matched = true;
                    if j.kind.keeps_left_only() {
                        break;
                    }
                    right_matched[i] = true;
                    out.push(row);
                }
            }
        }
        match j.kind {
            JoinKind::Left | JoinKind::Full if !matched => out.push(concat(&l, &null_right())),
            JoinKind::Semi if matched => out.push(l),
            JoinKind::Anti if !matched => out.push(l),
            _ => {}
        }
        Ok(())
    }
}
