//! Aggregation: GROUP BY, aggregate functions and HAVING over the filtered rows of a query.
//!
//! Rows are grouped by the encoded values of their GROUP BY expressions, in order of first
//! appearance; each group keeps one accumulator per aggregate call (and, for DISTINCT calls,
//! the values already counted). A group's output row is its GROUP BY values followed by the
//! aggregate results, which is the row the planner's `AggRef`s and HAVING refer to:
//!
//! ```text
//! SELECT k, count(*), sum(v) FROM t GROUP BY k
//!   rows (a, 1) (b, 5) (a, 2)  →  groups a: [count 2, sum 3], b: [count 1, sum 5]
//!   group rows (a, 2, 3) (b, 1, 5), on which HAVING and the projections are evaluated
//! ```
//!
//! Without GROUP BY an aggregate over no rows still yields one row (`count(*)` is 0, `sum`
//! is NULL).
//!
//! A call with `FILTER (WHERE c)` sees only the rows `c` is true for. A call with an ORDER BY
//! of its own (`string_agg(x, ',' ORDER BY x)`) keeps its group's values with their sort
//! keys and feeds them in that order (stably, so ties stay in row order) when the group is
//! complete. The accumulators themselves, what each aggregate computes from the values it
//! is given, are the functions layer's ([`crate::functions::aggregate`]); the same ones
//! compute aggregates over window frames (`exec::window`).

use super::read::compare_sort_keys;
use crate::error::Result;
use crate::expr::{AggCall, EvalContext};
use crate::functions::AggFunc;
use crate::functions::aggregate::Accumulator;
use crate::plan::Aggregation;
use crate::types::Value;
use std::collections::HashMap;

/// The values one row gives an aggregate call: `None` when its FILTER rejects the row,
/// else the argument (`true` for `count(*)`) and `string_agg`'s delimiter (NULL otherwise).
pub(super) fn call_input(
    call: &AggCall,
    row: &[Value],
    ecx: &EvalContext,
) -> Result<Option<(Value, Value)>> {
    if let Some(filter) = &call.filter
        && filter.eval(row, ecx)?.as_bool()? != Some(true)
    {
        return Ok(None);
    }
    let v = match &call.arg {
        None => Value::Bool(true),
        Some(e) => e.eval(row, ecx)?,
    };
    let delimiter = match &call.delimiter {
        None => Value::Null,
        Some(e) => e.eval(row, ecx)?,
    };
    Ok(Some((v, delimiter)))
}

/// One group of rows: its GROUP BY values and the state of each aggregate call.
struct Group {
    values: Vec<Value>,
    accs: Vec<Accumulator>,
    /// For DISTINCT calls: the values counted already.
    seen: Vec<std::collections::HashSet<Vec<u8>>>,
    /// For calls with an ORDER BY: (sort keys, value, delimiter), fed in order at the end.
    ordered: Vec<Vec<(Vec<Value>, Value, Value)>>,
}

/// Groups rows as they come and keeps each group's accumulators, so aggregating needs
/// memory for the groups, not for the rows.
pub(super) struct Grouper<'p> {
    agg: &'p Aggregation,
    groups: Vec<Group>,
    /// The position of each group in `groups`, by the group key of its values.
    index: HashMap<Vec<u8>, usize>,
    /// The approximate memory the groups take.
    bytes: usize,
}

/// The memory an accumulator is counted as.
const ACCUMULATOR_BYTES: usize = 48;

impl<'p> Grouper<'p> {
    pub(super) fn new(agg: &'p Aggregation) -> Grouper<'p> {
        Grouper {
            agg,
            groups: Vec::new(),
            index: HashMap::new(),
            bytes: 0,
        }
    }

    /// The approximate memory the groups take so far, for the query memory limit.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    fn new_group(&mut self, values: Vec<Value>) -> usize {
        let agg = self.agg;
        self.bytes += super::relation::row_bytes(&values) * 2 + ACCUMULATOR_BYTES * agg.aggs.len();
        self.groups.push(Group {
            values,
            accs: agg
                .aggs
                .iter()
                .map(|call| Accumulator::new(call.func, call.result_type))
                .collect(),
            seen: agg.aggs.iter().map(|_| Default::default()).collect(),
            ordered: agg.aggs.iter().map(|_| Vec::new()).collect(),
        });
        self.groups.len() - 1
    }

    /// Adds one row to its group.
    pub(super) fn add(&mut self, row: &[Value], ecx: &EvalContext) -> Result<()> {
        let agg = self.agg;
        let values = agg
            .group_by
            .iter()
            .map(|e| e.eval(row, ecx))
            .collect::<Result<Vec<_>>>()?;
        let mut key = Vec::new();
        for v in &values {
            v.group_key(&mut key);
        }
        let gi = match self.index.get(&key) {
            Some(&gi) => gi,
            None => {
                let gi = self.new_group(values);
                self.index.insert(key, gi);
                gi
            }
        };
        for (i, call) in agg.aggs.iter().enumerate() {
            let Some((v, delimiter)) = call_input(call, row, ecx)? else {
                continue;
            };
            let group = &mut self.groups[gi];
            // array_agg(DISTINCT x) keeps one NULL; the other aggregates skip NULLs anyway.
            if call.distinct
                && (!v.is_null()
                    || matches!(call.func, AggFunc::ArrayAgg | AggFunc::ArrayAggArrays))
            {
                let mut k = Vec::new();
                v.group_key(&mut k);
                let len = k.len();
                if !group.seen[i].insert(k) {
                    continue;
                }
                self.bytes += len + 16;
            }
            if call.order_by.is_empty() {
                group.accs[i].add(v, &delimiter)?;
            } else {
                let keys = call
                    .order_by
                    .iter()
                    .map(|k| k.expr.eval(row, ecx))
                    .collect::<Result<Vec<_>>>()?;
                self.bytes += super::relation::row_bytes(&keys)
                    + super::relation::row_bytes(std::slice::from_ref(&v))
                    + super::relation::row_bytes(std::slice::from_ref(&delimiter));
                group.ordered[i].push((keys, v, delimiter));
            }
        }
        Ok(())
    }

    /// One row per group: its GROUP BY values followed by the aggregate results, in order
    /// of the groups' first rows. Without GROUP BY there is always one row, even over no
    /// rows.
    pub(super) fn finish(mut self) -> Result<Vec<Vec<Value>>> {
        let agg = self.agg;
        if self.groups.is_empty() && agg.group_by.is_empty() {
            self.new_group(vec![]);
        }
        let mut out = Vec::with_capacity(self.groups.len());
        for mut g in self.groups {
            for (i, call) in agg.aggs.iter().enumerate() {
                let mut inputs = std::mem::take(&mut g.ordered[i]);
                inputs.sort_by(|a, b| compare_sort_keys(&call.order_by, &a.0, &b.0));
                for (_, v, delimiter) in inputs {
                    g.accs[i].add(v, &delimiter)?;
                }
            }
            let mut row = g.values;
            for acc in g.accs {
                row.push(acc.finish()?);
            }
            out.push(row);
        }
        Ok(out)
    }
}
