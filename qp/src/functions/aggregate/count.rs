//! `count(*)` and `count(x)`.

use crate::types::Value;

/// The rows counted: every row for `count(*)`, the non-NULL values for `count(x)`.
#[derive(Clone, Debug)]
pub struct Count {
    /// The rows (or non-NULL values) so far.
    n: i64,
    /// `count(*)`: NULLs count too (its value is always `true`).
    star: bool,
}

impl Count {
    /// An empty count; `star` for `count(*)`.
    pub fn new(star: bool) -> Count {
        Count { n: 0, star }
    }

    /// Counts one row's value.
    pub fn add(&mut self, v: &Value) {
        if self.star || !v.is_null() {
            self.n += 1;
        }
    }

    /// The count (0 over no rows).
    pub fn finish(self) -> Value {
        Value::Int(self.n)
    }
}
