//! The value functions: `first_value(x)`, `last_value(x)` and `nth_value(x, n)`, `x` of a
//! row of the current row's frame.

use super::{Args, Frames, Peers, WindowFunc};
use crate::error::{Error, Result, SqlState};
use crate::types::Value;

/// `first_value`, `last_value` or `nth_value` (`func`) for every row: NULL when the frame
/// is empty or shorter than `n`; a NULL `n` gives NULL, a non-positive one 22016.
pub fn value(
    func: WindowFunc,
    p: &Peers,
    args: &dyn Args,
    frames: &mut dyn Frames,
    out: &mut Vec<Value>,
) -> Result<()> {
    for i in 0..p.len() {
        let (s, e) = frames.frame(i);
        let pick = match func {
            WindowFunc::FirstValue => Some(s),
            WindowFunc::LastValue => e.checked_sub(1),
            _ => match args.value(1, i)? {
                Value::Null => None,
                Value::Int(n) if n > 0 => s.checked_add(n as usize - 1),
                _ => {
                    return Err(Error::new(
                        SqlState::INVALID_ARGUMENT_FOR_NTH_VALUE,
                        "argument of nth_value must be greater than zero",
                    ));
                }
            },
        };
        out.push(match pick {
            Some(j) if j >= s && j < e => args.value(0, j)?,
            _ => Value::Null,
        });
    }
    Ok(())
}
