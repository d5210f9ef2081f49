//! `array_agg(x)`: the values, NULLs among them, as an array; over arrays, an array of one
//! more dimension (NULL over no rows).

use crate::error::{Error, Result, SqlState};
use crate::types::{Array, Value};

/// The values so far, and whether they are arrays (`array_agg(anyarray)`).
#[derive(Clone, Debug)]
pub struct ArrayAgg {
    values: Vec<Value>,
    of_arrays: bool,
}

impl ArrayAgg {
    /// An empty aggregate of elements, or of arrays when `of_arrays`.
    pub fn new(of_arrays: bool) -> ArrayAgg {
        ArrayAgg {
            values: Vec::new(),
            of_arrays,
        }
    }

    /// Adds a value; an aggregate of arrays refuses a NULL one, as PostgreSQL does.
    pub fn add(&mut self, v: Value) -> Result<()> {
        if self.of_arrays && v.is_null() {
            return Err(Error::new(
                SqlState::NULL_VALUE_NOT_ALLOWED,
                "cannot accumulate null arrays",
            ));
        }
        self.values.push(v);
        Ok(())
    }

    /// The array of the values, NULL over none.
    pub fn finish(self) -> Result<Value> {
        if self.values.is_empty() {
            return Ok(Value::Null);
        }
        Ok(Value::array(Array::construct(self.values, self.of_arrays)?))
    }
}
