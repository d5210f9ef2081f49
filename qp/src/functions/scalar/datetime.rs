//! Date and time functions: `now()` (`transaction_timestamp()`, `current_timestamp`),
//! `statement_timestamp()`, `clock_timestamp()`.

use crate::error::Result;
use crate::functions::Context;
use crate::types::Value;

/// `now()`, `transaction_timestamp()`: the transaction's start.
pub fn now(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(Value::TimestampTz(cx.transaction_start()))
}

/// `statement_timestamp()`: the statement's start.
pub fn statement_timestamp(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(Value::TimestampTz(cx.statement_start()))
}

/// `clock_timestamp()`: the time of the call.
pub fn clock_timestamp(_: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::TimestampTz(chrono::Utc::now()))
}
