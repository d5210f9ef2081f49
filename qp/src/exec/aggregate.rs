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
//! complete. The same accumulators compute aggregates over window frames (`exec::window`).

use super::read::compare_sort_keys;
use crate::error::{Error, Result};
use crate::expr::{AggCall, AggFunc, EvalContext, numeric_div};
use crate::plan::Aggregation;
use crate::types::{DataType, Value};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::HashMap;

/// The running state of one aggregate call within one group.
#[derive(Clone)]
pub(super) enum Accumulator {
    /// `count(*)` / `count(x)`: the rows (non-NULL values) counted.
    Count(i64),
    /// `sum` of `smallint` / `integer`: the sum, and whether any value was added.
    SumInt(i128, bool),
    /// `sum` of `bigint` / `numeric`: the sum, and whether any value was added.
    SumNumeric(Decimal, bool),
    /// `sum` of `double precision`: the sum, and whether any value was added.
    SumFloat(f64, bool),
    /// `sum` of `real`: the sum, added in `real` as PostgreSQL does, and whether any value
    /// was added.
    SumReal(f32, bool),
    /// `avg` of integers or `numeric`: the sum and the count.
    Avg(Decimal, i64),
    /// `avg` of `real` / `double precision`: the sum and the count.
    AvgFloat(f64, i64),
    /// `min` / `max`: the best value so far.
    MinMax(Option<Value>),
    /// `string_agg`: the text so far (`None` until a non-NULL value came).
    StringAgg(Option<String>),
    /// `bool_and` / `bool_or`: the result so far (`None` until a non-NULL value came).
    Bool(Option<bool>),
    /// `array_agg`: the values so far, and whether they are arrays.
    ArrayAgg(Vec<Value>, bool),
}

impl Accumulator {
    /// The empty state of an aggregate call.
    pub(super) fn new(call: &AggCall) -> Accumulator {
        match call.func {
            AggFunc::CountStar | AggFunc::Count => Accumulator::Count(0),
            AggFunc::Sum => match call.result_type {
                DataType::Int8 => Accumulator::SumInt(0, false),
                DataType::Float8 => Accumulator::SumFloat(0.0, false),
                DataType::Float4 => Accumulator::SumReal(0.0, false),
                _ => Accumulator::SumNumeric(Decimal::ZERO, false),
            },
            AggFunc::Avg => match call.result_type {
                DataType::Float8 => Accumulator::AvgFloat(0.0, 0),
                _ => Accumulator::Avg(Decimal::ZERO, 0),
            },
            AggFunc::Min | AggFunc::Max => Accumulator::MinMax(None),
            AggFunc::StringAgg => Accumulator::StringAgg(None),
            AggFunc::BoolAnd | AggFunc::BoolOr => Accumulator::Bool(None),
            AggFunc::ArrayAgg => Accumulator::ArrayAgg(Vec::new(), call.arg_type.is_array()),
        }
    }

    /// Adds one value (NULLs are skipped, except by `count(*)`); `delimiter` is
    /// `string_agg`'s, which precedes the value unless it is the first (or NULL).
    pub(super) fn add(&mut self, func: AggFunc, v: Value, delimiter: &Value) -> Result<()> {
        if v.is_null() && !matches!(func, AggFunc::CountStar | AggFunc::ArrayAgg) {
            return Ok(());
        }
        let overflow = || Error::out_of_range("value overflows numeric format");
        match (self, v) {
            (Accumulator::ArrayAgg(values, of_arrays), v) => {
                if *of_arrays && v.is_null() {
                    return Err(Error::new(
                        crate::error::SqlState::NULL_VALUE_NOT_ALLOWED,
                        "cannot accumulate null arrays",
                    ));
                }
                values.push(v);
            }
            (Accumulator::StringAgg(text), v) => {
                let out = match text {
                    None => text.insert(String::new()),
                    Some(t) => {
                        if let Value::Text(d) = delimiter {
                            t.push_str(d);
                        }
                        t
                    }
                };
                out.push_str(&v.to_text());
            }
            (Accumulator::Bool(b), Value::Bool(v)) => {
                *b = Some(match (*b, func) {
                    (None, _) => v,
                    (Some(b), AggFunc::BoolAnd) => b && v,
                    (Some(b), _) => b || v,
                });
            }
            (Accumulator::Count(n), _) => *n += 1,
            (Accumulator::SumInt(s, any), Value::Int(i)) => {
                *s += i as i128;
                *any = true;
            }
            (Accumulator::SumNumeric(s, any), v) => {
                let d = match v {
                    Value::Int(i) => Decimal::from(i),
                    Value::Numeric(d) => d,
                    _ => return Err(Error::internal("sum of a non-number")),
                };
                *s = s.checked_add(d).ok_or_else(overflow)?;
                *any = true;
            }
            (Accumulator::SumFloat(s, any), v) => {
                *s += match v {
                    Value::Float(f) => f,
                    Value::Int(i) => i as f64,
                    _ => return Err(Error::internal("sum of a non-number")),
                };
                *any = true;
            }
            (Accumulator::SumReal(s, any), Value::Float(f)) => {
                *s += f as f32;
                *any = true;
            }
            (Accumulator::Avg(s, n), v) => {
                let d = match v {
                    Value::Int(i) => Decimal::from(i),
                    Value::Numeric(d) => d,
                    _ => return Err(Error::internal("avg of a non-number")),
                };
                *s = s.checked_add(d).ok_or_else(overflow)?;
                *n += 1;
            }
            (Accumulator::AvgFloat(s, n), Value::Float(f)) => {
                *s += f;
                *n += 1;
            }
            (Accumulator::MinMax(best), v) => {
                let better = match best {
                    None => true,
                    Some(b) => {
                        let o = v.compare(b);
                        if func == AggFunc::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        }
                    }
                };
                if better {
                    *best = Some(v);
                }
            }
            _ => return Err(Error::internal("aggregate of an unexpected type")),
        }
        Ok(())
    }

    /// The aggregate's result: NULL for a `sum`, `avg`, `min`, `max`, `string_agg`,
    /// `bool_and` or `bool_or` of no values.
    pub(super) fn finish(self) -> Result<Value> {
        Ok(match self {
            Accumulator::Count(n) => Value::Int(n),
            Accumulator::SumInt(s, any) => {
                if !any {
                    Value::Null
                } else {
                    Value::Int(
                        i64::try_from(s).map_err(|_| Error::out_of_range("bigint out of range"))?,
                    )
                }
            }
            Accumulator::SumNumeric(s, any) => {
                if any {
                    Value::Numeric(s)
                } else {
                    Value::Null
                }
            }
            Accumulator::SumFloat(s, any) => {
                if any {
                    Value::Float(s)
                } else {
                    Value::Null
                }
            }
            Accumulator::SumReal(s, any) => {
                if any {
                    Value::Float(f64::from(s))
                } else {
                    Value::Null
                }
            }
            Accumulator::Avg(s, n) => {
                if n == 0 {
                    Value::Null
                } else {
                    Value::Numeric(numeric_div(s, Decimal::from(n))?)
                }
            }
            Accumulator::AvgFloat(s, n) => {
                if n == 0 {
                    Value::Null
                } else {
                    Value::Float(s / n as f64)
                }
            }
            Accumulator::MinMax(v) => v.unwrap_or(Value::Null),
            Accumulator::StringAgg(t) => t.map_or(Value::Null, Value::Text),
            Accumulator::Bool(b) => b.map_or(Value::Null, Value::Bool),
            Accumulator::ArrayAgg(values, of_arrays) => {
                if values.is_empty() {
                    Value::Null
                } else {
                    Value::array(crate::types::Array::construct(values, of_arrays)?)
                }
            }
        })
    }
}

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
            accs: agg.aggs.iter().map(Accumulator::new).collect(),
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
            if call.distinct && (!v.is_null() || call.func == AggFunc::ArrayAgg) {
                let mut k = Vec::new();
                v.group_key(&mut k);
                let len = k.len();
                if !group.seen[i].insert(k) {
                    continue;
                }
                self.bytes += len + 16;
            }
            if call.order_by.is_empty() {
                group.accs[i].add(call.func, v, &delimiter)?;
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
                    g.accs[i].add(call.func, v, &delimiter)?;
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
