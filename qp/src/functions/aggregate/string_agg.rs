//! `string_agg(x, delimiter)`: the non-NULL values joined, each after its own row's
//! delimiter except the first.

use crate::types::Value;

/// The text so far (`None` until a non-NULL value came).
#[derive(Clone, Debug, Default)]
pub struct StringAgg {
    text: Option<String>,
}

impl StringAgg {
    /// Appends a non-NULL value, after `delimiter` (unless it is the first value or the
    /// delimiter is NULL).
    pub fn add(&mut self, v: &Value, delimiter: &Value) {
        let out = match &mut self.text {
            None => self.text.insert(String::new()),
            Some(t) => {
                if let Value::Text(d) = delimiter {
                    t.push_str(d);
                }
                t
            }
        };
        v.write_text(out, crate::types::TimeZone::UTC);
    }

    /// The joined text, NULL over no values.
    pub fn finish(self) -> Value {
        self.text.map_or(Value::Null, Value::Text)
    }
}
