//! Numeric functions: `abs`, `round`, `random`, and numeric division.

use super::{arg, wrong_type};
use crate::error::{Error, Result};
use crate::functions::Context;
use crate::types::{DataType, Value, check_int_range};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// `abs` of an integer type, with that type's overflow error (`abs(-32768::smallint)`).
fn abs_int(args: &[Value], ty: DataType) -> Result<Value> {
    let Value::Int(i) = arg(args, 0)? else {
        return Err(wrong_type("abs"));
    };
    let message = match ty {
        DataType::Int2 => "smallint out of range",
        DataType::Int4 => "integer out of range",
        _ => "bigint out of range",
    };
    let a = i
        .checked_abs()
        .ok_or_else(|| Error::out_of_range(message))?;
    check_int_range(a, ty).map_err(|_| Error::out_of_range(message))?;
    Ok(Value::Int(a))
}

/// `abs(smallint)`
pub fn abs_int2(args: &[Value], _: &dyn Context) -> Result<Value> {
    abs_int(args, DataType::Int2)
}

/// `abs(integer)`
pub fn abs_int4(args: &[Value], _: &dyn Context) -> Result<Value> {
    abs_int(args, DataType::Int4)
}

/// `abs(bigint)`
pub fn abs_int8(args: &[Value], _: &dyn Context) -> Result<Value> {
    abs_int(args, DataType::Int8)
}

/// `abs(real)`, `abs(double precision)`
pub fn abs_float(args: &[Value], _: &dyn Context) -> Result<Value> {
    match arg(args, 0)? {
        Value::Float(f) => Ok(Value::Float(f.abs())),
        _ => Err(wrong_type("abs")),
    }
}

/// `abs(numeric)`
pub fn abs_numeric(args: &[Value], _: &dyn Context) -> Result<Value> {
    match arg(args, 0)? {
        Value::Numeric(d) => Ok(Value::Numeric(d.abs())),
        _ => Err(wrong_type("abs")),
    }
}

/// `round(double precision)`: to the nearest integer, halves to even (C's `rint`).
pub fn round_float8(args: &[Value], _: &dyn Context) -> Result<Value> {
    match arg(args, 0)? {
        Value::Float(f) => Ok(Value::Float(f.round_ties_even())),
        _ => Err(wrong_type("round")),
    }
}

/// `round(numeric)`: to the nearest integer, halves away from zero.
pub fn round_numeric(args: &[Value], _: &dyn Context) -> Result<Value> {
    match arg(args, 0)? {
        Value::Numeric(d) => Ok(Value::Numeric(round_decimal(*d, 0))),
        _ => Err(wrong_type("round")),
    }
}

/// `round(numeric, integer)`: to `digits` decimals (tens, hundreds, ... when negative),
/// halves away from zero.
pub fn round_numeric_digits(args: &[Value], _: &dyn Context) -> Result<Value> {
    match (arg(args, 0)?, arg(args, 1)?) {
        (Value::Numeric(d), Value::Int(digits)) => Ok(Value::Numeric(round_decimal(*d, *digits))),
        _ => Err(wrong_type("round")),
    }
}

/// `d` rounded to `digits` decimals, shown with exactly that many (none when negative).
fn round_decimal(d: Decimal, digits: i64) -> Decimal {
    if digits >= 0 {
        let scale = digits.min(28) as u32;
        let mut r = d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
        r.rescale(scale);
        return r;
    }
    // Rounding to tens, hundreds, ...: past the number's digits it rounds to 0.
    let k = digits.unsigned_abs();
    if k > 28 {
        return Decimal::ZERO;
    }
    let factor = Decimal::from_i128_with_scale(10i128.pow(k as u32), 0);
    let scaled = (d / factor).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let mut r = scaled.checked_mul(factor).unwrap_or(Decimal::ZERO);
    r.rescale(0);
    r
}

/// `random()`: a value in [0, 1).
pub fn random(_: &[Value], _: &dyn Context) -> Result<Value> {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    Ok(Value::Float(
        (h.finish() >> 11) as f64 / (1u64 << 53) as f64,
    ))
}

/// Numeric division with PostgreSQL's result scale (`select_div_scale`): at least 16
/// significant digits, and no fewer decimals than either input. The `/` operator and
/// `avg` divide with it.
pub fn numeric_div(a: Decimal, b: Decimal) -> Result<Decimal> {
    let q = a
        .checked_div(b)
        .ok_or_else(|| Error::out_of_range("value overflows numeric format"))?;
    let (w1, f1) = base10000_weight(a);
    let (w2, f2) = base10000_weight(b);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let scale = (16 - qweight * 4)
        .max(a.scale() as i32)
        .max(b.scale() as i32)
        .clamp(0, 28) as u32;
    let mut q = q.round_dp(scale);
    q.rescale(scale);
    Ok(q)
}

/// PostgreSQL's numeric weight (position of the first base-10000 digit) and that digit.
fn base10000_weight(d: Decimal) -> (i32, u32) {
    let d = d.abs();
    if d.is_zero() {
        return (0, 0);
    }
    let mut weight = 0i32;
    let mut x = d;
    let base = Decimal::from(10000);
    while x >= base {
        x /= base;
        weight += 1;
    }
    while x < Decimal::ONE {
        x *= base;
        weight -= 1;
    }
    (weight, x.trunc().to_u32().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_numeric_as_postgresql() {
        let r = |s: &str, digits| round_decimal(Decimal::from_str(s).unwrap(), digits).to_string();
        assert_eq!(r("2.5", 0), "3");
        assert_eq!(r("-2.5", 0), "-3");
        assert_eq!(r("2.567", 2), "2.57");
        assert_eq!(r("1.5", 3), "1.500");
        assert_eq!(r("1234.5", -2), "1200");
        assert_eq!(r("1250", -2), "1300");
        assert_eq!(r("49", -2), "0");
        assert_eq!(r("12", -40), "0");
    }

    #[test]
    fn abs_overflows_per_type() {
        let err = abs_int(&[Value::Int(-2147483648)], DataType::Int4).unwrap_err();
        assert_eq!(err.message, "integer out of range");
        assert_eq!(
            abs_int(&[Value::Int(-2147483648)], DataType::Int8).unwrap(),
            Value::Int(2147483648)
        );
    }

    #[test]
    fn numeric_division_scale_matches_postgres() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(
            numeric_div(d("3"), d("2")).unwrap().to_string(),
            "1.5000000000000000"
        );
        assert_eq!(
            numeric_div(d("2"), d("2")).unwrap().to_string(),
            "1.00000000000000000000"
        );
        assert_eq!(
            numeric_div(d("123456"), d("2")).unwrap().to_string(),
            "61728.000000000000"
        );
    }
}

/// The integer operators `&`, `|`, `#` (xor), `<<` and `>>` (PostgreSQL's `int4and` and its
/// siblings): `bits` is the operand type's width, which the result keeps (a shift drops the
/// bits it pushes out, as C's does in PostgreSQL).
fn bitwise(args: &[Value], bits: u32, f: fn(i64, i64, u32) -> i64) -> Result<Value> {
    let (Some(Value::Int(a)), Some(Value::Int(b))) = (args.first(), args.get(1)) else {
        return Ok(Value::Null);
    };
    let r = f(*a, *b, bits);
    Ok(Value::Int(match bits {
        16 => r as i16 as i64,
        32 => r as i32 as i64,
        _ => r,
    }))
}

fn shift_left(a: i64, b: i64, bits: u32) -> i64 {
    // The count is taken modulo the width, as the x86 shift instructions PostgreSQL's C
    // compiles to take it (for int2, the shift is of the int4 it was promoted to).
    let width = bits.max(32);
    match width {
        32 => (a as i32).wrapping_shl(b as u32) as i64,
        _ => a.wrapping_shl(b as u32),
    }
}

fn shift_right(a: i64, b: i64, bits: u32) -> i64 {
    let width = bits.max(32);
    match width {
        32 => (a as i32).wrapping_shr(b as u32) as i64,
        _ => a.wrapping_shr(b as u32),
    }
}

macro_rules! bitwise_fns {
    ($($name:ident, $bits:expr, $op:expr;)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "`: an integer bitwise operator (see `bitwise`).")]
            pub fn $name(args: &[Value], _: &dyn Context) -> Result<Value> {
                bitwise(args, $bits, $op)
            }
        )*
    };
}

bitwise_fns! {
    int2and, 16, |a, b, _| a & b;
    int4and, 32, |a, b, _| a & b;
    int8and, 64, |a, b, _| a & b;
    int2or, 16, |a, b, _| a | b;
    int4or, 32, |a, b, _| a | b;
    int8or, 64, |a, b, _| a | b;
    int2xor, 16, |a, b, _| a ^ b;
    int4xor, 32, |a, b, _| a ^ b;
    int8xor, 64, |a, b, _| a ^ b;
    int2shl, 16, shift_left;
    int4shl, 32, shift_left;
    int8shl, 64, shift_left;
    int2shr, 16, shift_right;
    int4shr, 32, shift_right;
    int8shr, 64, shift_right;
}
