//! `lag(x [, offset [, default]])` and `lead(...)`: `x` of the row `offset` (1) rows
//! before (after) in the partition, else `default` (NULL).

use super::{Args, Peers};
use crate::error::Result;
use crate::types::Value;

/// `lag` (when `lag`) or `lead` for every row. The offset and default are evaluated on the
/// current row, `x` only on the row it is read from; a NULL offset gives NULL.
pub fn lag_lead(p: &Peers, args: &dyn Args, lag: bool, out: &mut Vec<Value>) -> Result<()> {
    let len = p.len();
    for i in 0..len {
        let offset = if args.count() < 2 {
            1
        } else {
            match args.value(1, i)? {
                Value::Int(o) => o,
                _ => {
                    out.push(Value::Null);
                    continue;
                }
            }
        };
        let target = if lag {
            (i as i64).checked_sub(offset)
        } else {
            (i as i64).checked_add(offset)
        };
        out.push(match target {
            Some(t) if t >= 0 && (t as usize) < len => args.value(0, t as usize)?,
            _ if args.count() > 2 => args.value(2, i)?,
            _ => Value::Null,
        });
    }
    Ok(())
}
