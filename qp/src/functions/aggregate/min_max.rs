//! `min(x)` and `max(x)`, in the type's order ([`Value::compare`]).

use crate::types::Value;
use std::cmp::Ordering;

/// The best value so far.
#[derive(Clone, Debug)]
pub struct MinMax {
    best: Option<Value>,
    /// `max` (else `min`).
    max: bool,
}

impl MinMax {
    /// An empty `min`, or `max` when `max`.
    pub fn new(max: bool) -> MinMax {
        MinMax { best: None, max }
    }

    /// Takes a non-NULL value; the first of equal values is kept.
    pub fn add(&mut self, v: Value) {
        let better = match &self.best {
            None => true,
            Some(b) => {
                v.compare(b)
                    == if self.max {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
            }
        };
        if better {
            self.best = Some(v);
        }
    }

    /// The least (greatest) value, NULL over no values.
    pub fn finish(self) -> Value {
        self.best.unwrap_or(Value::Null)
    }
}
