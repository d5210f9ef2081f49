//! Window functions: which one an overload computes ([`WindowFunc`]) and their code over one
//! partition.
//!
//! The executor's window stage (`exec::window`) sorts the rows, cuts them into partitions and
//! finds each row's frame; the functions here compute a call's value for every row of a
//! partition from what it gives them, all in window order:
//!
//! - [`Peers`]: the partition's peer groups (runs of rows equal on the window's ORDER BY),
//!   which the ranking functions read ([`rank`], [`ntile`]);
//! - [`Args`]: the value of the call's argument `k` at partition row `j`, evaluated on
//!   demand, so that `lag(x)` evaluates `x` only on the rows it reads ([`lag_lead`]);
//! - [`Frames`]: the frame of each row, asked for in row order, which the value functions
//!   ([`value`]) and aggregates over frames ([`aggregate`]) read.
//!
//! ```text
//! ORDER BY x over x = 10 10 20     peers: groups [0 0 1], starts [0 2 3]
//!   row_number 1 2 3    rank 1 1 3    dense_rank 1 1 2    cume_dist 0.67 0.67 1
//! ```
//!
//! [`compute`] dispatches on the function; the values are pushed onto `out` in window order.

pub mod aggregate;
pub mod lag_lead;
pub mod ntile;
pub mod rank;
pub mod value;

use crate::error::{Error, Result};
use crate::functions::aggregate::AggFunc;
use crate::types::{DataType, Value};

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
    /// Whether the function reads the row's frame (the others read the partition).
    pub fn reads_frame(self) -> bool {
        matches!(
            self,
            WindowFunc::FirstValue
                | WindowFunc::LastValue
                | WindowFunc::NthValue
                | WindowFunc::Aggregate
        )
    }

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

/// The peer groups of a partition: for each row (in window order) its group, and where
/// each group starts.
#[derive(Clone, Debug, Default)]
pub struct Peers {
    /// The peer group of each row.
    group: Vec<usize>,
    /// Where each peer group starts, then the partition's length.
    starts: Vec<usize>,
}

impl Peers {
    /// The peer groups of a partition of `len` rows, where `peer_of_previous(i)` says
    /// whether row `i` (from 1) sorts equal to row `i - 1`.
    pub fn new(len: usize, mut peer_of_previous: impl FnMut(usize) -> bool) -> Peers {
        let mut group = Vec::with_capacity(len);
        let mut starts = Vec::new();
        for i in 0..len {
            if i == 0 || !peer_of_previous(i) {
                starts.push(i);
            }
            group.push(starts.len() - 1);
        }
        starts.push(len);
        Peers { group, starts }
    }

    /// The partition's rows.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether the partition has no rows.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// The number of peer groups.
    pub fn groups(&self) -> usize {
        self.starts.len() - 1
    }

    /// Row `i`'s peer group (from 0).
    pub fn group(&self, i: usize) -> usize {
        self.group[i]
    }

    /// The first row of group `g`; the partition's length for `g == groups()`.
    pub fn group_start(&self, g: usize) -> usize {
        self.starts[g]
    }

    /// The first row of row `i`'s peer group.
    pub fn peers_start(&self, i: usize) -> usize {
        self.starts[self.group[i]]
    }

    /// The row after row `i`'s last peer.
    pub fn peers_end(&self, i: usize) -> usize {
        self.starts[self.group[i] + 1]
    }
}

/// A call's argument values, by argument and partition row (in window order).
pub trait Args {
    /// How many arguments the call has.
    fn count(&self) -> usize;
    /// Argument `k` evaluated on partition row `row`.
    fn value(&self, k: usize, row: usize) -> Result<Value>;
}

/// The frames of a partition's rows.
pub trait Frames {
    /// The frame of row `i` as partition positions `[start, end)` (empty when `start >=
    /// end`). Rows are asked for in order, from 0, so frame ends may move forward only.
    fn frame(&mut self, i: usize) -> (usize, usize);
}

/// What an aggregate over frames is computing, with its inputs: each row's value and
/// delimiter, `None` for a row its FILTER rejects.
pub struct FrameAggregate<'a> {
    /// The aggregate.
    pub func: AggFunc,
    /// The overload's result type.
    pub result_type: DataType,
    /// Each partition row's input.
    pub inputs: &'a [Option<(Value, Value)>],
}

/// Computes `func` for every row of a partition, onto `out` in window order. `frames` is
/// the rows' frames, needed (and read) only by the functions that
/// [read a frame](WindowFunc::reads_frame); `aggregate` is the call's aggregate for
/// [`WindowFunc::Aggregate`].
pub fn compute(
    func: WindowFunc,
    peers: &Peers,
    args: &dyn Args,
    frames: Option<&mut dyn Frames>,
    aggregate: Option<FrameAggregate>,
    out: &mut Vec<Value>,
) -> Result<()> {
    let no_frames = || Error::internal("window function without its frames");
    match func {
        WindowFunc::RowNumber => rank::row_number(peers, out),
        WindowFunc::Rank => rank::rank(peers, out),
        WindowFunc::DenseRank => rank::dense_rank(peers, out),
        WindowFunc::PercentRank => rank::percent_rank(peers, out),
        WindowFunc::CumeDist => rank::cume_dist(peers, out),
        WindowFunc::Ntile => return ntile::ntile(peers, args, out),
        WindowFunc::Lag => return lag_lead::lag_lead(peers, args, true, out),
        WindowFunc::Lead => return lag_lead::lag_lead(peers, args, false, out),
        WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue => {
            return value::value(func, peers, args, frames.ok_or_else(no_frames)?, out);
        }
        WindowFunc::Aggregate => {
            let agg =
                aggregate.ok_or_else(|| Error::internal("window aggregate without its call"))?;
            return aggregate::over_frames(&agg, peers, frames.ok_or_else(no_frames)?, out);
        }
    }
    Ok(())
}
