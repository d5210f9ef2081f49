//! Window functions: which one an overload computes (the executor's window stage,
//! `exec::window`, computes them over each partition).

/// A window function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowFunc {
    /// `row_number()`: the row's position in its partition, from 1.
    RowNumber,
    /// `rank()`: the position of the row's first peer (with gaps).
    Rank,
    /// `dense_rank()`: the number of the row's peer group (without gaps).
    DenseRank,
    /// `percent_rank()`: `(rank - 1) / (partition rows - 1)`, 0 for a one-row partition.
    PercentRank,
    /// `cume_dist()`: the share of the partition's rows up to the row's last peer.
    CumeDist,
    /// `ntile(n)`: the bucket (1..n) of `n` as equal as possible, earlier ones larger.
    Ntile,
    /// `lag(x [, offset [, default]])`: `x` of the row `offset` (1) rows before.
    Lag,
    /// `lead(x [, offset [, default]])`: `x` of the row `offset` (1) rows after.
    Lead,
    /// `first_value(x)`: `x` of the frame's first row.
    FirstValue,
    /// `last_value(x)`: `x` of the frame's last row.
    LastValue,
    /// `nth_value(x, n)`: `x` of the frame's `n`th row (NULL when the frame is shorter).
    NthValue,
    /// An aggregate over the rows of the frame (the planned call's aggregate; no registry
    /// entry has it).
    Aggregate,
}

impl WindowFunc {
    /// The function's name as SQL (and EXPLAIN) writes it.
    pub fn name(self) -> &'static str {
        match self {
            WindowFunc::RowNumber => "row_number",
            WindowFunc::Rank => "rank",
            WindowFunc::DenseRank => "dense_rank",
            WindowFunc::PercentRank => "percent_rank",
            WindowFunc::CumeDist => "cume_dist",
            WindowFunc::Ntile => "ntile",
            WindowFunc::Lag => "lag",
            WindowFunc::Lead => "lead",
            WindowFunc::FirstValue => "first_value",
            WindowFunc::LastValue => "last_value",
            WindowFunc::NthValue => "nth_value",
            WindowFunc::Aggregate => "aggregate",
        }
    }
}
