//! `sum(x)` and `avg(x)`, each in the arithmetic its overload's result type asks for.

use super::unexpected_type;
use crate::error::{Error, Result};
use crate::functions::scalar::math::numeric_div;
use crate::types::{DataType, Value};
use rust_decimal::Decimal;

fn overflow() -> Error {
    Error::out_of_range("value overflows numeric format")
}

/// The running sum, and whether any value was added (a sum of no values is NULL).
#[derive(Clone, Debug)]
pub enum Sum {
    /// `sum` of `smallint` / `integer` (returns `bigint`): exact, range-checked at the end.
    Int(i128, bool),
    /// `sum` of `bigint` / `numeric` (returns `numeric`).
    Numeric(Decimal, bool),
    /// `sum` of `double precision`.
    Float(f64, bool),
    /// `sum` of `real`: added in `real`, as PostgreSQL does.
    Real(f32, bool),
}

impl Sum {
    /// An empty sum for the overload returning `result_type`.
    pub fn new(result_type: DataType) -> Sum {
        match result_type {
            DataType::Int8 => Sum::Int(0, false),
            DataType::Float8 => Sum::Float(0.0, false),
            DataType::Float4 => Sum::Real(0.0, false),
            _ => Sum::Numeric(Decimal::ZERO, false),
        }
    }

    /// Adds a non-NULL value.
    pub fn add(&mut self, v: Value) -> Result<()> {
        match (self, v) {
            (Sum::Int(s, any), Value::Int(i)) => {
                *s += i as i128;
                *any = true;
            }
            (Sum::Numeric(s, any), v) => {
                let d = match v {
                    Value::Int(i) => Decimal::from(i),
                    Value::Numeric(d) => d,
                    _ => return Err(Error::internal("sum of a non-number")),
                };
                *s = s.checked_add(d).ok_or_else(overflow)?;
                *any = true;
            }
            (Sum::Float(s, any), v) => {
                *s += match v {
                    Value::Float(f) => f,
                    Value::Int(i) => i as f64,
                    _ => return Err(Error::internal("sum of a non-number")),
                };
                *any = true;
            }
            (Sum::Real(s, any), Value::Float(f)) => {
                *s += f as f32;
                *any = true;
            }
            _ => return Err(unexpected_type()),
        }
        Ok(())
    }

    /// The sum, NULL over no values; 22003 when an integer sum leaves `bigint`.
    pub fn finish(self) -> Result<Value> {
        Ok(match self {
            Sum::Int(_, false)
            | Sum::Numeric(_, false)
            | Sum::Float(_, false)
            | Sum::Real(_, false) => Value::Null,
            Sum::Int(s, true) => Value::Int(
                i64::try_from(s).map_err(|_| Error::out_of_range("bigint out of range"))?,
            ),
            Sum::Numeric(s, true) => Value::Numeric(s),
            Sum::Float(s, true) => Value::Float(s),
            Sum::Real(s, true) => Value::Float(f64::from(s)),
        })
    }
}

/// The running sum and count of an `avg`.
#[derive(Clone, Debug)]
pub enum Avg {
    /// `avg` of integers or `numeric` (returns `numeric`).
    Numeric(Decimal, i64),
    /// `avg` of `real` / `double precision` (returns `double precision`).
    Float(f64, i64),
}

impl Avg {
    /// An empty average for the overload returning `result_type`.
    pub fn new(result_type: DataType) -> Avg {
        match result_type {
            DataType::Float8 => Avg::Float(0.0, 0),
            _ => Avg::Numeric(Decimal::ZERO, 0),
        }
    }

    /// Adds a non-NULL value.
    pub fn add(&mut self, v: Value) -> Result<()> {
        match (self, v) {
            (Avg::Numeric(s, n), v) => {
                let d = match v {
                    Value::Int(i) => Decimal::from(i),
                    Value::Numeric(d) => d,
                    _ => return Err(Error::internal("avg of a non-number")),
                };
                *s = s.checked_add(d).ok_or_else(overflow)?;
                *n += 1;
            }
            (Avg::Float(s, n), Value::Float(f)) => {
                *s += f;
                *n += 1;
            }
            _ => return Err(unexpected_type()),
        }
        Ok(())
    }

    /// The average (numeric division at PostgreSQL's scale), NULL over no values.
    pub fn finish(self) -> Result<Value> {
        Ok(match self {
            Avg::Numeric(_, 0) | Avg::Float(_, 0) => Value::Null,
            Avg::Numeric(s, n) => Value::Numeric(numeric_div(s, Decimal::from(n))?),
            Avg::Float(s, n) => Value::Float(s / n as f64),
        })
    }
}
