//! Session and system information functions: `version()`, `current_database()`,
//! `current_schema()`, `current_user`, `session_user`, `pg_typeof`.

use crate::error::Result;
use crate::functions::{Context, type_name};
use crate::types::{DataType, Value};

/// `version()`
pub fn version(_: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text(crate::VERSION_STRING.to_string()))
}

/// `current_database()`: dsql has one database, `postgres`.
pub fn current_database(_: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text("postgres".into()))
}

/// `current_schema()`: the first schema of `search_path` that exists, else NULL.
pub fn current_schema(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(cx
        .current_schema()
        .map_or(Value::Null, |s| Value::Text(s.to_string())))
}

/// `current_user` (also `user`): the role privileges are checked as.
pub fn current_user(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(Value::Text(cx.current_user().to_string()))
}

/// `session_user`: the role that logged in, whatever `SET ROLE` changed.
pub fn session_user(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(Value::Text(cx.session_user().to_string()))
}

/// `pg_typeof(x)`: the name of `x`'s type, without its modifier (`unknown` for an untyped
/// literal), known at planning.
pub fn pg_typeof(args: &[DataType]) -> Value {
    Value::Text(args.first().map_or_else(String::new, |t| type_name(*t)))
}
