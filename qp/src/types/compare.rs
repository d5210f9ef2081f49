//! The total order of values (ORDER BY, MIN/MAX, comparisons across numeric types) and
//! their group keys (GROUP BY, DISTINCT, hashed IN).

use super::Value;
use chrono::NaiveTime;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Ordering;

impl Value {
    /// Compares two non-NULL values for ordering (ORDER BY, comparisons, MIN/MAX). Values of
    /// different numeric kinds compare by value. NULL sorts after everything (as in
    /// PostgreSQL's default ascending order).
    pub fn compare(&self, other: &Value) -> Ordering {
        use Value::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Greater,
            (_, Null) => Ordering::Less,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => compare_floats(*a, *b),
            (Numeric(a), Numeric(b)) => a.cmp(b),
            (Int(a), Numeric(b)) => Decimal::from(*a).cmp(b),
            (Numeric(a), Int(b)) => a.cmp(&Decimal::from(*b)),
            (Int(a), Float(b)) => compare_floats(*a as f64, *b),
            (Float(a), Int(b)) => compare_floats(*a, *b as f64),
            (Numeric(a), Float(b)) => compare_floats(a.to_f64().unwrap_or(f64::NAN), *b),
            (Float(a), Numeric(b)) => compare_floats(*a, b.to_f64().unwrap_or(f64::NAN)),
            (Text(a), Text(b)) => a.cmp(b),
            (Date(a), Date(b)) => a.cmp(b),
            (Timestamp(a), Timestamp(b)) => a.cmp(b),
            (TimestampTz(a), TimestampTz(b)) => a.cmp(b),
            (Date(a), Timestamp(b)) => a.and_time(NaiveTime::MIN).cmp(b),
            (Timestamp(a), Date(b)) => a.cmp(&b.and_time(NaiveTime::MIN)),
            (Timestamp(a), TimestampTz(b)) => a.and_utc().cmp(b),
            (TimestampTz(a), Timestamp(b)) => a.cmp(&b.and_utc()),
            (Date(a), TimestampTz(b)) => a.and_time(NaiveTime::MIN).and_utc().cmp(b),
            (TimestampTz(a), Date(b)) => a.cmp(&b.and_time(NaiveTime::MIN).and_utc()),
            (Array(a), Array(b)) => a.compare(b),
            // Planning never compares values of unrelated kinds; order them by kind so sorting
            // stays total.
            (a, b) => a.kind_rank().cmp(&b.kind_rank()),
        }
    }

    fn kind_rank(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Int(_) | Value::Float(_) | Value::Numeric(_) => 1,
            Value::Text(_) => 2,
            Value::Date(_) | Value::Timestamp(_) | Value::TimestampTz(_) => 3,
            Value::Array(_) => 4,
            Value::Null => 5,
        }
    }

    /// A hashable, equality-preserving form for GROUP BY and DISTINCT (numeric values that
    /// compare equal get the same form).
    pub fn group_key(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend([1, *b as u8]),
            Value::Int(i) => {
                out.push(2);
                out.extend(Decimal::from(*i).normalize().to_string().as_bytes());
                out.push(0);
            }
            Value::Numeric(d) => {
                out.push(2);
                out.extend(d.normalize().to_string().as_bytes());
                out.push(0);
            }
            Value::Float(f) => {
                out.push(3);
                out.extend(f.to_bits().to_be_bytes());
            }
            Value::Text(s) => {
                out.push(4);
                out.extend(s.as_bytes());
                out.push(0);
            }
            Value::Date(d) => {
                out.push(5);
                out.extend(d.to_string().as_bytes());
                out.push(0);
            }
            Value::Timestamp(t) => {
                out.push(6);
                out.extend(t.and_utc().timestamp_micros().to_be_bytes());
            }
            Value::TimestampTz(t) => {
                out.push(6);
                out.extend(t.timestamp_micros().to_be_bytes());
            }
            Value::Array(a) => {
                out.push(7);
                a.group_key(out);
            }
        }
    }
}

fn compare_floats(a: f64, b: f64) -> Ordering {
    // PostgreSQL sorts NaN above every other value and treats NaN = NaN.
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}
