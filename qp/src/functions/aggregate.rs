//! Aggregate functions: which aggregate an overload computes. The accumulators are the
//! executor's (`exec::aggregate`); each [`AggFunc`] names one family of them, and the
//! overload's argument and result types (from the registry) pick the variant: `sum(integer)`
//! adds exactly and returns `bigint`, `sum(real)` adds in `real`.

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
    /// `array_agg(x)`: the values, NULLs among them, as an array (one more dimension when
    /// they are arrays); NULL over no rows.
    ArrayAgg,
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
            AggFunc::ArrayAgg => "array_agg",
        }
    }
}
