//! Set-returning functions: which one an overload runs (the executor runs them,
//! `exec::set_functions`).

/// Set-returning functions: called in FROM or in a select list, each call gives a list of
/// values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetFunc {
    /// `generate_series(start, stop [, step])` over integers, bigints or numerics: `start`,
    /// `start + step`, ... while not past `stop` (none when an argument is NULL).
    GenerateSeries,
    /// `unnest(array)`: the array's elements in storage order, whatever its dimensions
    /// (none for NULL or the empty array).
    Unnest,
    /// `generate_subscripts(array, dim [, reverse])`: the subscripts of dimension `dim`, from
    /// its lower bound up (down when `reverse`); none for a dimension the array lacks.
    GenerateSubscripts,
    /// `pg_partition_ancestors(regclass)`: a partition's ancestors and itself; none for any
    /// relation in dsql, which has no partitions (as for a table that is not one).
    PartitionAncestors,
}

impl SetFunc {
    /// The function's name, which is also the name of its result column.
    pub fn name(self) -> &'static str {
        match self {
            SetFunc::GenerateSeries => "generate_series",
            SetFunc::Unnest => "unnest",
            SetFunc::GenerateSubscripts => "generate_subscripts",
            SetFunc::PartitionAncestors => "pg_partition_ancestors",
        }
    }
}
