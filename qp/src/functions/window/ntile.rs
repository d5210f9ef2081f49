//! `ntile(n)`: the rows of a partition dealt into `n` buckets as equal as possible, the
//! earlier buckets one row larger when they cannot all be equal.

use super::{Args, Peers};
use crate::error::{Error, Result, SqlState};
use crate::types::Value;

/// `ntile(n)` for every row; `n` is read on the partition's first row (NULL: every row
/// NULL; not positive: 22014).
pub fn ntile(p: &Peers, args: &dyn Args, out: &mut Vec<Value>) -> Result<()> {
    let len = p.len();
    if len == 0 {
        return Ok(());
    }
    let buckets = match args.value(0, 0)? {
        Value::Null => {
            out.resize(out.len() + len, Value::Null);
            return Ok(());
        }
        Value::Int(b) if b > 0 => usize::try_from(b).unwrap_or(usize::MAX),
        _ => {
            return Err(Error::new(
                SqlState::INVALID_ARGUMENT_FOR_NTILE,
                "argument of ntile must be greater than zero",
            ));
        }
    };
    // The first `len % buckets` buckets have one row more than the others.
    let (per, extra) = (len / buckets, len % buckets);
    let big = extra * (per + 1);
    out.extend((0..len).map(|i| {
        Value::Int(if i < big {
            i / (per + 1) + 1
        } else {
            extra + (i - big) / per.max(1) + 1
        } as i64)
    }));
    Ok(())
}
