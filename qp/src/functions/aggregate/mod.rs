//! Aggregate functions: which aggregate an overload computes ([`AggFunc`]) and its code, an
//! [`Accumulator`] per call and group.
//!
//! An accumulator starts empty ([`Accumulator::new`], from the function and the overload's
//! result type), takes the call's values one row at a time ([`Accumulator::add`]) and gives
//! the aggregate's value at the end ([`Accumulator::finish`]). It sees values only: the
//! executor evaluates the argument, FILTER, DISTINCT and ORDER BY of the call, and drives
//! one accumulator per group (`exec::aggregate`) or per window frame ([`super::window`]).
//! The result type picks the variant: `sum(integer)` adds exactly and returns `bigint`,
//! `sum(real)` adds in `real`.
//!
//! ```text
//! sum(x) over integers 1, NULL, 2     new → Sum::Int(0, none)
//!                                     add 1 → (1, some)   add NULL → skipped   add 2 → (3, some)
//!                                     finish → 3 (over no values: NULL)
//! ```
//!
//! Each family's code is in a file of its own: [`count`], [`sum_avg`], [`min_max`],
//! [`bool`](mod@bool), [`string_agg`], [`array_agg`]. To add an aggregate: an [`AggFunc`] variant (and its registry
//! entries), an accumulator variant here with its state in a new file, and its arms in
//! `new`, `add` and `finish`.

pub mod array_agg;
pub mod bool;
pub mod count;
pub mod min_max;
pub mod string_agg;
pub mod sum_avg;

use crate::error::{Error, Result};
use crate::types::{DataType, Value};

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    /// `count(*)`
    CountStar,
    /// `count(x)`
    Count,
    /// `sum(x)`
    Sum,
    /// `avg(x)`
    Avg,
    /// `min(x)`
    Min,
    /// `max(x)`
    Max,
    /// `string_agg(text, delimiter)`: the non-NULL values joined, each after its row's
    /// delimiter except the first.
    StringAgg,
    /// `bool_and(x)`, also spelled `every(x)`: true when every non-NULL value is.
    BoolAnd,
    /// `bool_or(x)`: true when some non-NULL value is.
    BoolOr,
    /// `array_agg(anynonarray)`: the values, NULLs among them, as an array; NULL over no
    /// rows.
    ArrayAgg,
    /// `array_agg(anyarray)`: the arrays as an array of one more dimension.
    ArrayAggArrays,
}

impl AggFunc {
    /// The function's name as SQL (and EXPLAIN) writes it.
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::CountStar | AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::StringAgg => "string_agg",
            AggFunc::BoolAnd => "bool_and",
            AggFunc::BoolOr => "bool_or",
            AggFunc::ArrayAgg | AggFunc::ArrayAggArrays => "array_agg",
        }
    }
}

/// The running state of one aggregate call within one group (or window frame).
#[derive(Clone, Debug)]
pub enum Accumulator {
    /// `count(*)` / `count(x)`.
    Count(count::Count),
    /// `sum(x)`.
    Sum(sum_avg::Sum),
    /// `avg(x)`.
    Avg(sum_avg::Avg),
    /// `min(x)` / `max(x)`.
    MinMax(min_max::MinMax),
    /// `string_agg(x, delimiter)`.
    StringAgg(string_agg::StringAgg),
    /// `bool_and(x)` / `bool_or(x)`.
    Bool(bool::BoolAgg),
    /// `array_agg(x)`.
    ArrayAgg(array_agg::ArrayAgg),
}

impl Accumulator {
    /// The empty state of a call of `func` whose overload returns `result_type`.
    pub fn new(func: AggFunc, result_type: DataType) -> Accumulator {
        match func {
            AggFunc::CountStar => Accumulator::Count(count::Count::new(true)),
            AggFunc::Count => Accumulator::Count(count::Count::new(false)),
            AggFunc::Sum => Accumulator::Sum(sum_avg::Sum::new(result_type)),
            AggFunc::Avg => Accumulator::Avg(sum_avg::Avg::new(result_type)),
            AggFunc::Min => Accumulator::MinMax(min_max::MinMax::new(false)),
            AggFunc::Max => Accumulator::MinMax(min_max::MinMax::new(true)),
            AggFunc::StringAgg => Accumulator::StringAgg(string_agg::StringAgg::default()),
            AggFunc::BoolAnd => Accumulator::Bool(bool::BoolAgg::new(true)),
            AggFunc::BoolOr => Accumulator::Bool(bool::BoolAgg::new(false)),
            AggFunc::ArrayAgg => Accumulator::ArrayAgg(array_agg::ArrayAgg::new(false)),
            AggFunc::ArrayAggArrays => Accumulator::ArrayAgg(array_agg::ArrayAgg::new(true)),
        }
    }

    /// Adds one row's value (`true` for `count(*)`), converted to the overload's argument
    /// type. NULLs are skipped, except by `count(*)` and `array_agg`. `delimiter` is `string_agg`'s (NULL
    /// for the others), which precedes the value unless it is the first (or NULL).
    pub fn add(&mut self, v: Value, delimiter: &Value) -> Result<()> {
        match self {
            Accumulator::Count(c) => {
                c.add(&v);
                Ok(())
            }
            Accumulator::ArrayAgg(a) => a.add(v),
            _ if v.is_null() => Ok(()),
            Accumulator::Sum(s) => s.add(v),
            Accumulator::Avg(a) => a.add(v),
            Accumulator::MinMax(m) => {
                m.add(v);
                Ok(())
            }
            Accumulator::StringAgg(s) => {
                s.add(&v, delimiter);
                Ok(())
            }
            Accumulator::Bool(b) => b.add(&v),
        }
    }

    /// The aggregate's value: NULL for a `sum`, `avg`, `min`, `max`, `string_agg`,
    /// `bool_and` or `bool_or` of no values.
    pub fn finish(self) -> Result<Value> {
        match self {
            Accumulator::Count(c) => Ok(c.finish()),
            Accumulator::Sum(s) => s.finish(),
            Accumulator::Avg(a) => a.finish(),
            Accumulator::MinMax(m) => Ok(m.finish()),
            Accumulator::StringAgg(s) => Ok(s.finish()),
            Accumulator::Bool(b) => Ok(b.finish()),
            Accumulator::ArrayAgg(a) => a.finish(),
        }
    }
}

/// The error for a value of a type the overload does not take (resolution prevents it).
fn unexpected_type() -> Error {
    Error::internal("aggregate of an unexpected type")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn run(func: AggFunc, result: DataType, values: &[Value]) -> Value {
        let mut acc = Accumulator::new(func, result);
        for v in values {
            acc.add(v.clone(), &Value::Text(",".into())).unwrap();
        }
        acc.finish().unwrap()
    }

    #[test]
    fn aggregates_of_values() {
        let ints = [Value::Int(1), Value::Null, Value::Int(2)];
        assert_eq!(
            run(AggFunc::CountStar, DataType::Int8, &ints),
            Value::Int(3)
        );
        assert_eq!(run(AggFunc::Count, DataType::Int8, &ints), Value::Int(2));
        assert_eq!(run(AggFunc::Sum, DataType::Int8, &ints), Value::Int(3));
        assert_eq!(run(AggFunc::Min, DataType::Int4, &ints), Value::Int(1));
        assert_eq!(run(AggFunc::Max, DataType::Int4, &ints), Value::Int(2));
        assert_eq!(
            run(AggFunc::Avg, DataType::Numeric(None), &ints),
            Value::Numeric(Decimal::new(15000000000000000, 16))
        );
        let texts = [
            Value::Text("a".into()),
            Value::Null,
            Value::Text("b".into()),
        ];
        assert_eq!(
            run(AggFunc::StringAgg, DataType::Text, &texts),
            Value::Text("a,b".into())
        );
        let bools = [Value::Bool(true), Value::Null, Value::Bool(false)];
        assert_eq!(
            run(AggFunc::BoolAnd, DataType::Bool, &bools),
            Value::Bool(false)
        );
        assert_eq!(
            run(AggFunc::BoolOr, DataType::Bool, &bools),
            Value::Bool(true)
        );
    }

    #[test]
    fn aggregates_of_no_values() {
        for func in [AggFunc::Sum, AggFunc::Avg, AggFunc::Min, AggFunc::StringAgg] {
            assert_eq!(run(func, DataType::Int8, &[Value::Null]), Value::Null);
        }
        assert_eq!(run(AggFunc::Count, DataType::Int8, &[]), Value::Int(0));
    }

    #[test]
    fn integer_sum_overflows_only_at_the_end() {
        let big = [Value::Int(i64::MAX), Value::Int(1), Value::Int(-1)];
        assert_eq!(
            run(AggFunc::Sum, DataType::Numeric(None), &big),
            Value::Numeric(Decimal::from(i64::MAX))
        );
        let mut acc = Accumulator::new(AggFunc::Sum, DataType::Int8);
        for v in [Value::Int(i64::MAX), Value::Int(1)] {
            acc.add(v, &Value::Null).unwrap();
        }
        assert!(
            acc.finish()
                .unwrap_err()
                .to_string()
                .contains("bigint out of range")
        );
    }
}
