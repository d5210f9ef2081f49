//! Aggregates over window frames (`sum(x) OVER (...)`): an [`Accumulator`] per frame.
//!
//! Consecutive frames usually share their start and grow at their end (the default frame,
//! `RANGE UNBOUNDED PRECEDING .. CURRENT ROW`), so the accumulator of the last frame is
//! kept and only the new rows are added; when the start moves or the end shrinks, the frame
//! is aggregated afresh. Peers get the same frame, so the value is reused while the frame
//! is unchanged.

use super::{FrameAggregate, Frames, Peers};
use crate::error::Result;
use crate::functions::aggregate::Accumulator;
use crate::types::Value;

/// The aggregate of each row's frame.
pub fn over_frames(
    agg: &FrameAggregate,
    p: &Peers,
    frames: &mut dyn Frames,
    out: &mut Vec<Value>,
) -> Result<()> {
    // The accumulator of the frame [from, to) last computed.
    let mut acc = Accumulator::new(agg.func, agg.result_type);
    let (mut from, mut to) = (0, 0);
    let mut result: Option<Value> = None;
    for i in 0..p.len() {
        let (s, e) = frames.frame(i);
        let e = e.max(s);
        if s != from || e < to {
            acc = Accumulator::new(agg.func, agg.result_type);
            from = s;
            to = s;
            result = None;
        }
        if e > to || result.is_none() {
            for (v, delimiter) in agg.inputs[to..e].iter().flatten() {
                acc.add(v.clone(), delimiter)?;
            }
            to = e;
            result = Some(acc.clone().finish()?);
        }
        out.push(result.clone().unwrap_or(Value::Null));
    }
    Ok(())
}
