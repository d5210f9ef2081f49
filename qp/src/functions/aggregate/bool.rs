//! `bool_and(x)` (also `every(x)`) and `bool_or(x)`.

use super::unexpected_type;
use crate::error::Result;
use crate::types::Value;

/// The result so far (`None` until a non-NULL value came).
#[derive(Clone, Debug)]
pub struct BoolAgg {
    result: Option<bool>,
    /// `bool_and` (else `bool_or`).
    and: bool,
}

impl BoolAgg {
    /// An empty `bool_and`, or `bool_or` when not `and`.
    pub fn new(and: bool) -> BoolAgg {
        BoolAgg { result: None, and }
    }

    /// Takes a non-NULL value.
    pub fn add(&mut self, v: &Value) -> Result<()> {
        let Value::Bool(v) = *v else {
            return Err(unexpected_type());
        };
        self.result = Some(match self.result {
            None => v,
            Some(b) if self.and => b && v,
            Some(b) => b || v,
        });
        Ok(())
    }

    /// Whether every (some) value is true; NULL over no values.
    pub fn finish(self) -> Value {
        self.result.map_or(Value::Null, Value::Bool)
    }
}
