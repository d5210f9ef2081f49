//! The implementations of the scalar functions, one `fn` per overload or family, called
//! through their registry entries ([`super::ScalarFn`]). Each receives its arguments
//! converted to the overload's types and, when the function is strict, none of them NULL.

pub mod array;
pub mod datetime;
pub mod json;
pub mod math;
pub mod quote;
pub mod string;
pub mod system;

use crate::error::{Error, Result};
use crate::types::Value;

/// The argument at `i`, which resolution guarantees exists.
fn arg(args: &[Value], i: usize) -> Result<&Value> {
    args.get(i)
        .ok_or_else(|| Error::internal("function called with too few arguments"))
}

/// The error for an argument of a type the overload does not take (resolution prevents it).
fn wrong_type(function: &str) -> Error {
    Error::internal(format!(
        "{function} called with an argument of the wrong type"
    ))
}
