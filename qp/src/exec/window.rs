//! Window functions: each call's result for every row, computed over the row's partition.
//!
//! For each distinct (PARTITION BY, ORDER BY) of the query's calls the rows are sorted once,
//! stably, by the partition values (ascending, NULLs last, as PostgreSQL's sort for a
//! partition does) and then the window's ORDER BY. A partition is a run of rows equal on the
//! partition values; within it, a peer group is a run of rows equal on the ORDER BY values
//! (with no ORDER BY, the whole partition). Ranking functions read the row's position and
//! peer group; `lag` / `lead` read rows a given distance away in the partition; aggregates,
//! `first_value`, `last_value` and `nth_value` read the row's frame:
//!
//! ```text
//! ORDER BY x, partition x = 1 1 2 4         frame of the third row (x = 2)
//!   RANGE UNBOUNDED PRECEDING .. CURRENT ROW   rows 1-3 (up to its last peer)
//!   ROWS 1 PRECEDING .. 1 FOLLOWING            rows 2-4
//!   RANGE 1 PRECEDING .. 1 FOLLOWING           rows 1-3 (x between 1 and 3)
//!   GROUPS CURRENT ROW .. 1 FOLLOWING          rows 3-4 (its group and the next)
//! ```
//!
//! Frame ends are found as PostgreSQL finds them, moving forward only as the current row
//! does, so RANGE offsets treat NULL sort values as it does: a NULL row is in range only of
//! NULL rows. An aggregate whose frame only grows at its end (the default frame) is computed
//! incrementally; other frames are aggregated afresh when they change. The rows come out
//! in the order of the last window sorted, each followed by the calls' results.
//!
//! This module drives: it sorts, partitions, evaluates the calls' arguments and finds the
//! frames. What each function computes from a partition's peer groups, argument values and
//! frames is the functions layer's ([`crate::functions::window`]).

use super::aggregate::call_input;
use super::read::compare_sort_keys;
use crate::error::{Error, Result, SqlState};
use crate::expr::EvalContext;
use crate::functions::window::{self as functions, Args, FrameAggregate, Frames, Peers};
use crate::plan::{FrameBound, FrameUnits, WindowCall, WindowFunc, WindowOrder, Windowing};
use crate::types::Value;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Ordering;

/// Computes the window calls over `rows`: each row followed by the calls' results.
pub(super) fn windows(
    w: &Windowing,
    rows: Vec<Vec<Value>>,
    ecx: &EvalContext,
) -> Result<Vec<Vec<Value>>> {
    let n = rows.len();
    let mut results: Vec<Vec<Value>> = w.calls.iter().map(|_| vec![Value::Null; n]).collect();
    let mut output_order: Vec<usize> = (0..n).collect();
    for (oi, order) in w.orders.iter().enumerate() {
        let calls: Vec<usize> = (0..w.calls.len())
            .filter(|&c| w.calls[c].order == oi)
            .collect();
        if calls.is_empty() {
            continue;
        }
        let mut keyed = Vec::with_capacity(n);
        for row in &rows {
            let partition = order
                .partition_by
                .iter()
                .map(|e| e.eval(row, ecx))
                .collect::<Result<Vec<_>>>()?;
            let sort = order
                .order_by
                .iter()
                .map(|k| k.expr.eval(row, ecx))
                .collect::<Result<Vec<_>>>()?;
            keyed.push((partition, sort));
        }
        let mut sorted: Vec<usize> = (0..n).collect();
        sorted.sort_by(|&a, &b| {
            compare_values(&keyed[a].0, &keyed[b].0)
                .then_with(|| compare_sort_keys(&order.order_by, &keyed[a].1, &keyed[b].1))
        });
        let mut start = 0;
        while start < n {
            let mut end = start + 1;
            while end < n
                && compare_values(&keyed[sorted[start]].0, &keyed[sorted[end]].0) == Ordering::Equal
            {
                end += 1;
            }
            let partition = Partition::new(&sorted[start..end], &keyed, order);
            for &c in &calls {
                let values = call_values(&w.calls[c], &partition, &rows, ecx)?;
                for (&row, v) in partition.rows.iter().zip(values) {
                    results[c][row] = v;
                }
            }
            start = end;
        }
        output_order = sorted;
    }
    let mut rows: Vec<Option<Vec<Value>>> = rows.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(n);
    for i in output_order {
        let mut row = rows[i].take().unwrap_or_default();
        for r in results.iter_mut() {
            row.push(std::mem::replace(&mut r[i], Value::Null));
        }
        out.push(row);
    }
    Ok(out)
}

/// Compares partition values: ascending, NULLs last.
fn compare_values(a: &[Value], b: &[Value]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.compare(y))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// One partition in window order: its rows (indexes into the input) and peer groups.
struct Partition<'a> {
    /// The input rows, in window order.
    rows: &'a [usize],
    /// The ORDER BY values of each row, in window order.
    sort: Vec<&'a [Value]>,
    /// The window's order.
    order: &'a WindowOrder,
    /// The peer groups.
    peers: Peers,
}

impl<'a> Partition<'a> {
    fn new(
        rows: &'a [usize],
        keyed: &'a [(Vec<Value>, Vec<Value>)],
        order: &'a WindowOrder,
    ) -> Partition<'a> {
        let sort: Vec<&[Value]> = rows.iter().map(|&r| keyed[r].1.as_slice()).collect();
        let peers = Peers::new(rows.len(), |i| {
            compare_values(sort[i - 1], sort[i]) == Ordering::Equal
        });
        Partition {
            rows,
            sort,
            order,
            peers,
        }
    }

    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// A frame bound with its offset evaluated.
enum Bound {
    UnboundedPreceding,
    /// `n PRECEDING`: a row or group count, or a RANGE distance.
    Preceding(Offset),
    CurrentRow,
    Following(Offset),
    UnboundedFollowing,
}

/// An evaluated frame offset.
#[derive(Clone)]
enum Offset {
    /// Rows or groups.
    Count(usize),
    /// A distance on the ORDER BY value (RANGE).
    Distance(Value),
}

/// Evaluates a frame bound's offset: 22004 when NULL, 22013 when negative.
fn bound(b: &FrameBound, units: FrameUnits, start: bool, ecx: &EvalContext) -> Result<Bound> {
    let which = if start { "starting" } else { "ending" };
    let offset = |e: &crate::expr::Expr| -> Result<Offset> {
        let v = e.eval(&[], ecx)?;
        if v.is_null() {
            return Err(Error::new(
                SqlState::NULL_VALUE_NOT_ALLOWED,
                format!("frame {which} offset must not be null"),
            ));
        }
        let negative = match &v {
            Value::Int(i) => *i < 0,
            Value::Numeric(d) => d.is_sign_negative() && !d.is_zero(),
            Value::Float(f) => *f < 0.0,
            _ => false,
        };
        if negative {
            return Err(Error::new(
                SqlState::INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                match units {
                    FrameUnits::Range => {
                        "invalid preceding or following size in window function".to_string()
                    }
                    _ => format!("frame {which} offset must not be negative"),
                },
            ));
        }
        Ok(match (units, v) {
            (FrameUnits::Range, v) => Offset::Distance(v),
            (_, Value::Int(i)) => Offset::Count(usize::try_from(i).unwrap_or(usize::MAX)),
            _ => return Err(Error::internal("frame offset is not an integer")),
        })
    };
    Ok(match b {
        FrameBound::UnboundedPreceding => Bound::UnboundedPreceding,
        FrameBound::Preceding(e) => Bound::Preceding(offset(e)?),
        FrameBound::CurrentRow => Bound::CurrentRow,
        FrameBound::Following(e) => Bound::Following(offset(e)?),
        FrameBound::UnboundedFollowing => Bound::UnboundedFollowing,
    })
}

/// Finds the frame of each row of a partition, moving its ends forward with the row.
struct Framer<'p, 'a> {
    p: &'p Partition<'a>,
    units: FrameUnits,
    start: Bound,
    end: Bound,
    /// Where RANGE offset scans resume (frame ends never move back).
    head: usize,
    tail: usize,
}

impl Framer<'_, '_> {
    /// The frame of row `i` as a range of partition positions (empty when start >= end).
    fn frame(&mut self, i: usize) -> (usize, usize) {
        let len = self.p.len();
        let peers = &self.p.peers;
        let groups = peers.groups();
        let g = peers.group(i);
        let start = match &self.start {
            Bound::UnboundedPreceding => 0,
            Bound::UnboundedFollowing => len,
            Bound::CurrentRow => match self.units {
                FrameUnits::Rows => i,
                _ => peers.peers_start(i),
            },
            Bound::Preceding(o) | Bound::Following(o) => {
                let preceding = matches!(self.start, Bound::Preceding(_));
                match (self.units, o) {
                    (FrameUnits::Rows, Offset::Count(k)) if preceding => i.saturating_sub(*k),
                    (FrameUnits::Rows, Offset::Count(k)) => i.saturating_add(*k).min(len),
                    (FrameUnits::Groups, Offset::Count(k)) if preceding => {
                        if *k > g {
                            0
                        } else {
                            peers.group_start(g - k)
                        }
                    }
                    (FrameUnits::Groups, Offset::Count(k)) => {
                        peers.group_start(g.saturating_add(*k).min(groups))
                    }
                    (_, o) => {
                        let o = o.clone();
                        self.range_head(i, &o, preceding)
                    }
                }
            }
        };
        let end = match &self.end {
            Bound::UnboundedPreceding => 0,
            Bound::UnboundedFollowing => len,
            Bound::CurrentRow => match self.units {
                FrameUnits::Rows => i + 1,
                _ => peers.peers_end(i),
            },
            Bound::Preceding(o) | Bound::Following(o) => {
                let preceding = matches!(self.end, Bound::Preceding(_));
                match (self.units, o) {
                    (FrameUnits::Rows, Offset::Count(k)) if preceding => {
                        if *k > i {
                            0
                        } else {
                            i - k + 1
                        }
                    }
                    (FrameUnits::Rows, Offset::Count(k)) => {
                        i.saturating_add(*k).saturating_add(1).min(len)
                    }
                    (FrameUnits::Groups, Offset::Count(k)) if preceding => {
                        if *k > g {
                            0
                        } else {
                            peers.group_start(g - k + 1)
                        }
                    }
                    (FrameUnits::Groups, Offset::Count(k)) => {
                        peers.group_start(g.saturating_add(*k).min(groups - 1) + 1)
                    }
                    (_, o) => {
                        let o = o.clone();
                        self.range_tail(i, &o, preceding)
                    }
                }
            }
        };
        (start, end)
    }

    /// The one ORDER BY value of row `j`, and whether the window sorts it descending and
    /// NULLs first.
    fn range_value(&self, j: usize) -> &Value {
        &self.p.sort[j][0]
    }

    /// RANGE `offset PRECEDING` / `FOLLOWING` as a frame start: the first row whose value is
    /// within the offset of row `i`'s (PostgreSQL's `update_frameheadpos`).
    fn range_head(&mut self, i: usize, offset: &Offset, preceding: bool) -> usize {
        let Offset::Distance(offset) = offset else {
            return 0;
        };
        let key = &self.p.order.order_by[0];
        let (mut sub, mut less) = (preceding, false);
        if key.desc {
            sub = !sub;
            less = true;
        }
        let current = self.range_value(i).clone();
        while self.head < self.p.len() {
            let head = self.range_value(self.head);
            if head.is_null() || current.is_null() {
                let stop = if key.nulls_first {
                    !head.is_null() || current.is_null()
                } else {
                    head.is_null() || !current.is_null()
                };
                if stop {
                    break;
                }
            } else if in_range(head, &current, offset, sub, less) {
                break;
            }
            self.head += 1;
        }
        self.head
    }

    /// RANGE `offset PRECEDING` / `FOLLOWING` as a frame end: the first row past the frame
    /// (PostgreSQL's `update_frametailpos`).
    fn range_tail(&mut self, i: usize, offset: &Offset, preceding: bool) -> usize {
        let Offset::Distance(offset) = offset else {
            return 0;
        };
        let key = &self.p.order.order_by[0];
        let (mut sub, mut less) = (preceding, true);
        if key.desc {
            sub = !sub;
            less = false;
        }
        let current = self.range_value(i).clone();
        while self.tail < self.p.len() {
            let tail = self.range_value(self.tail);
            if tail.is_null() || current.is_null() {
                let stop = if key.nulls_first {
                    !tail.is_null()
                } else {
                    !current.is_null()
                };
                if stop {
                    break;
                }
            } else if !in_range(tail, &current, offset, sub, less) {
                break;
            }
            self.tail += 1;
        }
        self.tail
    }
}

/// PostgreSQL's `in_range`: whether `value` is at least (or, with `less`, at most) `base`
/// plus `offset` (minus, with `sub`).
fn in_range(value: &Value, base: &Value, offset: &Value, sub: bool, less: bool) -> bool {
    let bound = match (base, offset) {
        (Value::Float(_), _) | (_, Value::Float(_)) => {
            let (b, o) = (to_f64(base), to_f64(offset));
            Value::Float(if sub { b - o } else { b + o })
        }
        _ => {
            let (b, o) = (to_decimal(base), to_decimal(offset));
            match if sub {
                b.checked_sub(o)
            } else {
                b.checked_add(o)
            } {
                Some(d) => Value::Numeric(d),
                // Past the numeric range: everything is within it.
                None => return true,
            }
        }
    };
    let ord = value.compare(&bound);
    if less {
        ord != Ordering::Greater
    } else {
        ord != Ordering::Less
    }
}

fn to_decimal(v: &Value) -> Decimal {
    match v {
        Value::Int(i) => Decimal::from(*i),
        Value::Numeric(d) => *d,
        _ => Decimal::ZERO,
    }
}

fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Numeric(d) => d.to_f64().unwrap_or(f64::NAN),
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// A call's arguments over a partition, evaluated when a function asks for them.
struct CallArgs<'c> {
    call: &'c WindowCall,
    p: &'c Partition<'c>,
    rows: &'c [Vec<Value>],
    ecx: &'c EvalContext<'c>,
}

impl Args for CallArgs<'_> {
    fn count(&self) -> usize {
        self.call.args.len()
    }

    fn value(&self, k: usize, row: usize) -> Result<Value> {
        let arg = self
            .call
            .args
            .get(k)
            .ok_or_else(|| Error::internal("window function called with too few arguments"))?;
        arg.eval(&self.rows[self.p.rows[row]], self.ecx)
    }
}

impl Frames for Framer<'_, '_> {
    fn frame(&mut self, i: usize) -> (usize, usize) {
        Framer::frame(self, i)
    }
}

/// The results of one call for each row of a partition, in window order.
fn call_values(
    call: &WindowCall,
    p: &Partition,
    rows: &[Vec<Value>],
    ecx: &EvalContext,
) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(p.len());
    let args = CallArgs { call, p, rows, ecx };
    let mut framer = match call.func.reads_frame() {
        true => Some(framer(call, p, ecx)?),
        false => None,
    };
    let inputs;
    let aggregate = match call
        .agg
        .as_ref()
        .filter(|_| call.func == WindowFunc::Aggregate)
    {
        Some(agg) => {
            inputs = p
                .rows
                .iter()
                .map(|&r| call_input(agg, &rows[r], ecx))
                .collect::<Result<Vec<_>>>()?;
            Some(FrameAggregate {
                func: agg.func,
                result_type: agg.result_type,
                inputs: &inputs,
            })
        }
        None => None,
    };
    functions::compute(
        call.func,
        &p.peers,
        &args,
        framer.as_mut().map(|f| f as &mut dyn Frames),
        aggregate,
        &mut out,
    )?;
    Ok(out)
}

/// The frame finder of a call over a partition, with its offsets evaluated.
fn framer<'p, 'a>(
    call: &WindowCall,
    p: &'p Partition<'a>,
    ecx: &EvalContext,
) -> Result<Framer<'p, 'a>> {
    Ok(Framer {
        p,
        units: call.frame.units,
        start: bound(&call.frame.start, call.frame.units, true, ecx)?,
        end: bound(&call.frame.end, call.frame.units, false, ecx)?,
        head: 0,
        tail: 0,
    })
}
