//! The storage encoding of a row: a version tag, the column count and the values.

use super::{DataType, Value};
use chrono::{DateTime, Datelike, NaiveDate};
use proto::format::FormatError;
use rust_decimal::Decimal;

/// The format version of stored rows that [`encode_row`] writes. Bump it when the encoding
/// changes, keeping the old version's decoder (see `docs/formats.md`).
pub const ROW_VERSION: u8 = 1;

/// What a versioned row starts with, before its version byte.
///
/// Rows written before rows had versions (legacy rows, version 0) start with their column
/// count as a little-endian `u16`, and nothing may follow their last value. A legacy row that
/// starts `00 00` therefore has no columns and is exactly those two bytes, while a versioned
/// row is `00 00`, a version byte of at least 1, and the values: at least three bytes. So the
/// two are told apart exactly, and legacy rows (which have version 1's layout after the tag)
/// still read.
const ROW_TAG: [u8; 2] = [0, 0];

/// What is being decoded, for errors.
const ROW: &str = "row";

/// Appends the storage encoding of a row: the tag and version, the column count, then per
/// value a tag byte and a fixed or length-prefixed payload. (Hand-written rather than serde:
/// it is on the hot path of every read and write, and serde's `Decimal` and chrono formats are
/// not compact.)
pub fn encode_row(row: &[Value], out: &mut Vec<u8>) {
    out.extend(ROW_TAG);
    out.push(ROW_VERSION);
    out.extend((row.len() as u16).to_le_bytes());
    for v in row {
        match v {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend([1, *b as u8]),
            Value::Int(i) => {
                out.push(2);
                out.extend(i.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(3);
                out.extend(f.to_le_bytes());
            }
            Value::Numeric(d) => {
                out.push(4);
                out.extend(d.serialize());
            }
            Value::Text(s) => {
                out.push(5);
                out.extend((s.len() as u32).to_le_bytes());
                out.extend(s.as_bytes());
            }
            Value::Date(d) => {
                out.push(6);
                out.extend(d.num_days_from_ce().to_le_bytes());
            }
            Value::Timestamp(t) => {
                out.push(7);
                out.extend(t.and_utc().timestamp_micros().to_le_bytes());
            }
            Value::TimestampTz(t) => {
                out.push(8);
                out.extend(t.timestamp_micros().to_le_bytes());
            }
            // Never reached: columns cannot be of array types and a value stored in a column
            // has been converted to its type. Should one get here it is kept as its text form
            // (tag 5) rather than given an encoding of its own.
            Value::Array(a) => {
                let mut text = String::new();
                a.write_text(&mut text, super::TimeZone::UTC);
                out.push(5);
                out.extend((text.len() as u32).to_le_bytes());
                out.extend(text.as_bytes());
            }
        }
    }
}

/// Parses a row written by [`encode_row`], at any version up to [`ROW_VERSION`] (legacy rows
/// included): an error says whether the row is damaged or newer than this build.
pub fn decode_row(bytes: &[u8]) -> std::result::Result<Vec<Value>, FormatError> {
    let damaged = || FormatError::Damaged {
        what: ROW,
        reason: "bad value encoding".into(),
    };
    match bytes.strip_prefix(&ROW_TAG) {
        // A legacy row with no columns.
        Some([]) => Ok(Vec::new()),
        Some([1, body @ ..]) => decode_row_v1(body).ok_or_else(damaged),
        Some([0, ..]) => Err(FormatError::Damaged {
            what: ROW,
            reason: "bad format version tag".into(),
        }),
        Some([version, ..]) => Err(proto::format::newer(ROW, *version, ROW_VERSION)),
        // Legacy rows have version 1's layout.
        None => decode_row_v1(bytes).ok_or_else(damaged),
    }
}

/// Parses the body of a version 1 row (its column count and values); `None` if damaged.
fn decode_row_v1(mut bytes: &[u8]) -> Option<Vec<Value>> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if bytes.len() < n {
            return None;
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Some(head)
    }
    fn i64_of(b: &[u8]) -> i64 {
        i64::from_le_bytes(b.try_into().expect("8 bytes taken"))
    }
    let n = u16::from_le_bytes(take(&mut bytes, 2)?.try_into().ok()?) as usize;
    let mut row = Vec::with_capacity(n);
    for _ in 0..n {
        let tag = take(&mut bytes, 1)?[0];
        row.push(match tag {
            0 => Value::Null,
            1 => Value::Bool(take(&mut bytes, 1)?[0] != 0),
            2 => Value::Int(i64_of(take(&mut bytes, 8)?)),
            3 => Value::Float(f64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?)),
            4 => Value::Numeric(Decimal::deserialize(take(&mut bytes, 16)?.try_into().ok()?)),
            5 => {
                let len = u32::from_le_bytes(take(&mut bytes, 4)?.try_into().ok()?) as usize;
                Value::Text(String::from_utf8(take(&mut bytes, len)?.to_vec()).ok()?)
            }
            6 => Value::Date(NaiveDate::from_num_days_from_ce_opt(i32::from_le_bytes(
                take(&mut bytes, 4)?.try_into().ok()?,
            ))?),
            7 => Value::Timestamp(
                DateTime::from_timestamp_micros(i64_of(take(&mut bytes, 8)?))?.naive_utc(),
            ),
            8 => Value::TimestampTz(DateTime::from_timestamp_micros(i64_of(take(
                &mut bytes, 8,
            )?))?),
            _ => return None,
        });
    }
    if !bytes.is_empty() {
        return None;
    }
    Some(row)
}

pub(super) fn value_matches(v: &Value, t: DataType) -> bool {
    matches!(
        (v, t),
        (Value::Bool(_), DataType::Bool)
            | (Value::Date(_), DataType::Date)
            | (Value::Timestamp(_), DataType::Timestamp)
            | (Value::TimestampTz(_), DataType::TimestampTz)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::TimeZone;
    use std::str::FromStr;

    #[test]
    fn rows_round_trip_through_storage_encoding() {
        let row = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(-5),
            Value::Float(2.5),
            Value::Numeric(Decimal::from_str("-12.340").unwrap()),
            Value::Text("héllo".into()),
            Value::parse("2024-02-29", DataType::Date, TimeZone::UTC).unwrap(),
            Value::parse("2024-02-29 01:02:03.25", DataType::Timestamp, TimeZone::UTC).unwrap(),
            Value::parse(
                "2024-02-29 01:02:03+00",
                DataType::TimestampTz,
                TimeZone::UTC,
            )
            .unwrap(),
        ];
        let mut bytes = Vec::new();
        encode_row(&row, &mut bytes);
        assert_eq!(bytes[..3], [0, 0, ROW_VERSION]);
        assert_eq!(decode_row(&bytes).unwrap(), row);
        assert!(decode_row(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_row(&[]).is_err());
        // A legacy row is the same without the tag and version.
        assert_eq!(decode_row(&bytes[3..]).unwrap(), row);
        let mut empty = Vec::new();
        encode_row(&[], &mut empty);
        assert_eq!(decode_row(&empty).unwrap(), vec![]);
        assert_eq!(
            decode_row(&[0, 0]).unwrap(),
            vec![],
            "a legacy row of no columns"
        );
    }

    #[test]
    fn a_row_of_a_newer_version_is_a_clear_error() {
        let mut bytes = Vec::new();
        encode_row(&[Value::Int(1)], &mut bytes);
        bytes[2] = ROW_VERSION + 1;
        assert_eq!(
            decode_row(&bytes).unwrap_err().to_string(),
            "row has format version 2, newer than this build reads (up to 1): \
             the data was written by a newer version of dsql"
        );
        bytes[2] = 0;
        assert!(matches!(
            decode_row(&bytes),
            Err(FormatError::Damaged { .. })
        ));
    }
}
