//! PostgreSQL's binary form of an array (`array_send` / `array_recv`), for results and bind
//! parameters in binary format. The elements' own binary forms are the wire layer's
//! (`handler.rs`); this module frames them:
//!
//! ```text
//!   ndim: i32 | has_nulls: i32 (0 or 1) | element type oid: u32
//!   ndim × (length: i32, lower bound: i32)
//!   per element: length: i32 (-1 for NULL), then that many bytes
//!
//!   '{1,NULL}'::int4[]  →  00000001 00000001 00000017  00000002 00000001
//!                          00000004 00000001  ffffffff
//! ```

use super::{Array, Dim, MAX_DIMENSIONS, Value, too_many_dimensions};
use crate::error::{Error, Result, SqlState};

/// Appends the binary form of `array`, its elements of type `element_oid` written by
/// `element` (which appends one non-NULL element's bytes).
pub fn encode_array(
    array: &Array,
    element_oid: u32,
    out: &mut Vec<u8>,
    element: &mut dyn FnMut(&Value, &mut Vec<u8>),
) {
    out.extend((array.dims.len() as i32).to_be_bytes());
    out.extend(i32::from(array.elements.iter().any(Value::is_null)).to_be_bytes());
    out.extend(element_oid.to_be_bytes());
    for d in &array.dims {
        out.extend(d.length.to_be_bytes());
        out.extend(d.lower.to_be_bytes());
    }
    for e in &array.elements {
        if e.is_null() {
            out.extend((-1i32).to_be_bytes());
            continue;
        }
        let at = out.len();
        out.extend([0; 4]);
        element(e, out);
        let len = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
}

/// Reads the binary form of an array whose elements must be of type `element_oid`, each
/// read by `element` from its bytes. Malformed input is an error, never a panic, and
/// nothing is allocated beyond what the input's length can hold.
pub fn decode_array(
    mut bytes: &[u8],
    element_oid: u32,
    element: &mut dyn FnMut(&[u8]) -> Result<Value>,
) -> Result<Array> {
    let ndim = read_i32(&mut bytes)?;
    let flags = read_i32(&mut bytes)?;
    let oid = read_i32(&mut bytes)? as u32;
    if ndim < 0 {
        return Err(bad(format!("invalid number of dimensions: {ndim}")));
    }
    if ndim as usize > MAX_DIMENSIONS {
        return Err(too_many_dimensions(ndim as usize));
    }
    if flags != 0 && flags != 1 {
        return Err(bad("invalid array flags"));
    }
    if oid != element_oid {
        return Err(Error::datatype_mismatch(format!(
            "binary data has array element type {oid} instead of expected {element_oid}"
        )));
    }
    let mut dims = Vec::with_capacity(ndim as usize);
    let mut count: u64 = 1;
    for _ in 0..ndim {
        let length = read_i32(&mut bytes)?;
        let lower = read_i32(&mut bytes)?;
        if length < 0 {
            return Err(bad("invalid array dimensions"));
        }
        if i64::from(lower) + i64::from(length) - 1 > i64::from(i32::MAX) {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "array lower bound is too large",
            ));
        }
        count = count.saturating_mul(length as u64);
        dims.push(Dim { lower, length });
    }
    // A dimension of length 0 makes the empty array (as array_recv does).
    if ndim == 0 || count == 0 {
        if !bytes.is_empty() {
            return Err(bad("incorrect binary data format in array"));
        }
        return Ok(Array::empty());
    }
    // Every element takes at least its 4-byte length.
    if count > (bytes.len() / 4) as u64 {
        return Err(bad("insufficient data left in message"));
    }
    let mut elements = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let len = read_i32(&mut bytes)?;
        if len == -1 {
            elements.push(Value::Null);
            continue;
        }
        if len < 0 || len as usize > bytes.len() {
            return Err(bad("insufficient data left in message"));
        }
        let (data, rest) = bytes.split_at(len as usize);
        bytes = rest;
        elements.push(element(data)?);
    }
    if !bytes.is_empty() {
        return Err(bad("incorrect binary data format in array"));
    }
    Ok(Array { dims, elements })
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(SqlState::INVALID_BINARY_REPRESENTATION, message)
}

fn read_i32(bytes: &mut &[u8]) -> Result<i32> {
    if bytes.len() < 4 {
        return Err(bad("insufficient data left in message"));
    }
    let (head, rest) = bytes.split_at(4);
    *bytes = rest;
    Ok(i32::from_be_bytes([head[0], head[1], head[2], head[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int4(v: &Value, out: &mut Vec<u8>) {
        if let Value::Int(i) = v {
            out.extend((*i as i32).to_be_bytes());
        }
    }

    fn read_int4(b: &[u8]) -> Result<Value> {
        let b: [u8; 4] = b.try_into().map_err(|_| bad("int4 needs 4 bytes"))?;
        Ok(Value::Int(i32::from_be_bytes(b).into()))
    }

    #[test]
    fn round_trips_and_matches_postgres_bytes() {
        let a = Array::from_elements(vec![Value::Int(1), Value::Null]);
        let mut out = Vec::new();
        encode_array(&a, 23, &mut out, &mut int4);
        let expected: Vec<u8> = [1i32, 1, 23, 2, 1, 4, 1, -1]
            .iter()
            .flat_map(|i| i.to_be_bytes())
            .collect();
        assert_eq!(out, expected);
        assert_eq!(decode_array(&out, 23, &mut read_int4).unwrap(), a);
        let mut empty = Vec::new();
        encode_array(&Array::empty(), 23, &mut empty, &mut int4);
        assert_eq!(
            decode_array(&empty, 23, &mut read_int4).unwrap(),
            Array::empty()
        );
    }

    #[test]
    fn malformed_input_is_an_error() {
        let a = Array::from_elements(vec![Value::Int(1), Value::Int(2)]);
        let mut out = Vec::new();
        encode_array(&a, 23, &mut out, &mut int4);
        // Every truncation fails cleanly.
        for n in 0..out.len() {
            assert!(decode_array(&out[..n], 23, &mut read_int4).is_err(), "{n}");
        }
        assert_eq!(
            decode_array(&out, 25, &mut read_int4).unwrap_err().code(),
            "42804"
        );
        // A huge declared size is refused before anything is allocated.
        let huge: Vec<u8> = [1i32, 0, 23, i32::MAX, 1]
            .iter()
            .flat_map(|i| i.to_be_bytes())
            .collect();
        assert_eq!(
            decode_array(&huge, 23, &mut read_int4).unwrap_err().code(),
            "22P03"
        );
        let deep: Vec<u8> = [7i32, 0, 23].iter().flat_map(|i| i.to_be_bytes()).collect();
        assert_eq!(
            decode_array(&deep, 23, &mut read_int4).unwrap_err().code(),
            "54000"
        );
    }
}
