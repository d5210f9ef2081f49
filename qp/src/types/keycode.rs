//! Order-preserving encoding of SQL values into storage keys.
//!
//! Storage compares keys as bytes, so a row key must sort exactly as its primary key values do:
//!
//! ```text
//! table 7, primary key (id integer, name text)
//!
//!   (1, 'a')  -> 00 00 00 07 | 80 00 00 00 00 00 00 01 | 61 00 00
//!   (1, 'ab') -> 00 00 00 07 | 80 00 00 00 00 00 00 01 | 61 62 00 00
//!   (2, '')   -> 00 00 00 07 | 80 00 00 00 00 00 00 02 | 00 00
//!   (-1, 'z') -> 00 00 00 07 | 7f ff ff ff ff ff ff ff | 7a 00 00
//! ```
//!
//! - Integers: 8 bytes big endian with the sign bit flipped, so negatives sort first.
//! - Floats: IEEE bits, sign bit flipped for positives and all bits flipped for negatives.
//! - Strings: bytes with `00` escaped as `00 ff`, terminated by `00 00`, so a prefix sorts
//!   before its extensions and the encoding of one column never runs into the next.
//! - Numerics: a sign byte, then a decimal exponent and the significant digits; negative values
//!   store the complement so larger magnitudes sort first.
//! - Dates and timestamps: their day / microsecond counts as integers.

use crate::error::{Error, Result};
use crate::types::Value;
use rust_decimal::Decimal;

/// The key prefix of every row of table `table_id`.
pub fn table_prefix(table_id: u32) -> Vec<u8> {
    table_id.to_be_bytes().to_vec()
}

/// Appends the order-preserving encoding of `value` to `out`. NULL cannot be part of a key.
pub fn encode_value(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::Null => return Err(Error::internal("NULL in a key")),
        Value::Bool(b) => out.push(*b as u8),
        Value::Int(i) => encode_i64(*i, out),
        Value::Float(f) => {
            let bits = f.to_bits();
            let ordered = if bits >> 63 == 1 {
                !bits
            } else {
                bits ^ (1 << 63)
            };
            out.extend(ordered.to_be_bytes());
        }
        Value::Numeric(d) => encode_decimal(*d, out),
        Value::Text(s) => encode_bytes(s.as_bytes(), out),
        Value::Date(d) => encode_i64(
            d.signed_duration_since(chrono::NaiveDate::default())
                .num_days(),
            out,
        ),
        Value::Timestamp(t) => encode_i64(t.and_utc().timestamp_micros(), out),
        Value::TimestampTz(t) => encode_i64(t.timestamp_micros(), out),
        // Columns cannot be of array types, so no key holds one.
        Value::Array(_) => return Err(Error::internal("an array in a key")),
    }
    Ok(())
}

/// Appends an integer so that byte order equals numeric order.
pub fn encode_i64(i: i64, out: &mut Vec<u8>) {
    out.extend(((i as u64) ^ (1 << 63)).to_be_bytes());
}

fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        if b == 0 {
            out.extend([0, 0xff]);
        } else {
            out.push(b);
        }
    }
    out.extend([0, 0]);
}

fn encode_decimal(d: Decimal, out: &mut Vec<u8>) {
    let d = d.normalize();
    if d.is_zero() {
        out.push(0x80);
        return;
    }
    // d = 0.DIGITS * 10^exponent, with the first digit non-zero.
    let mantissa = d.mantissa().unsigned_abs().to_string();
    let digits = mantissa.trim_end_matches('0');
    let exponent = mantissa.len() as i32 - d.scale() as i32;
    let mut body = Vec::with_capacity(digits.len() + 3);
    body.extend(((exponent as i16 as u16) ^ 0x8000).to_be_bytes());
    body.extend(digits.bytes().map(|c| c - b'0' + 1));
    body.push(0);
    if d.is_sign_negative() {
        out.push(0x7f);
        out.extend(body.iter().map(|b| !b));
    } else {
        out.push(0x81);
        out.extend(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn key(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        encode_value(v, &mut out).unwrap();
        out
    }

    fn assert_sorted(values: &[Value]) {
        for pair in values.windows(2) {
            assert!(
                key(&pair[0]) < key(&pair[1]),
                "{:?} < {:?}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn integers_floats_and_strings_sort_as_values() {
        assert_sorted(&[
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Int(0),
            Value::Int(1),
            Value::Int(i64::MAX),
        ]);
        assert_sorted(&[
            Value::Float(f64::NEG_INFINITY),
            Value::Float(-2.5),
            Value::Float(-0.0),
            Value::Float(1e-9),
            Value::Float(3.0),
        ]);
        assert_sorted(&[
            Value::Text("".into()),
            Value::Text("\0".into()),
            Value::Text("a".into()),
            Value::Text("a\0".into()),
            Value::Text("ab".into()),
            Value::Text("b".into()),
        ]);
    }

    #[test]
    fn numerics_sort_as_values() {
        let values: Vec<Value> = [
            "-1000", "-10.5", "-10", "-0.55", "-0.5", "0", "0.001", "0.5", "0.55", "1", "9.99",
            "10", "100.25",
        ]
        .iter()
        .map(|s| Value::Numeric(Decimal::from_str(s).unwrap()))
        .collect();
        assert_sorted(&values);
        assert_eq!(
            key(&Value::Numeric(Decimal::from_str("1.50").unwrap())),
            key(&Value::Numeric(Decimal::from_str("1.5").unwrap()))
        );
    }

    #[test]
    fn composite_keys_do_not_run_into_each_other() {
        let mut a = Vec::new();
        encode_value(&Value::Text("a".into()), &mut a).unwrap();
        encode_value(&Value::Text("z".into()), &mut a).unwrap();
        let mut b = Vec::new();
        encode_value(&Value::Text("ab".into()), &mut b).unwrap();
        encode_value(&Value::Text("a".into()), &mut b).unwrap();
        assert!(a < b);
    }
}
