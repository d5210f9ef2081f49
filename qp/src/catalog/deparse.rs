//! Column defaults written back as PostgreSQL's `pg_get_expr` writes them (its `ruleutils`),
//! from the SQL text dsql stores: what `pg_attrdef.adbin` holds, and what psql's `\d` and
//! the ORMs' reflection read.
//!
//! PostgreSQL prints the parsed expression, not the text: constants in its constant form,
//! the implicit casts to the column's type hidden, the SQL value functions by their keywords:
//!
//! ```text
//! column            DEFAULT          pg_get_expr
//! integer           5                5
//! integer           -5               '-5'::integer
//! bigint            0                0                  (the cast to bigint is implicit)
//! numeric           1.5              1.5
//! numeric           -1               '-1'::integer
//! text              'new'            'new'::text
//! varchar(10)       'x'              'x'::character varying
//! char(3)           'ab'             'ab'::bpchar
//! date              '2024-01-02'     '2024-01-02'::date
//! boolean           true             true
//! timestamptz       now()            now()
//! timestamptz       current_timestamp  CURRENT_TIMESTAMP
//! ```
//!
//! Expressions beyond a constant, a function call without arguments or a SQL value function
//! are written as sqlparser prints them, which may differ from PostgreSQL in parentheses
//! and casts.

use crate::types::{DataType, TimeZone, Value};
use sqlparser::ast;

/// The text `pg_get_expr` gives for a column default stored as `sql`, on a column of type
/// `column_type`; `None` for `NULL` (PostgreSQL stores no default then).
pub fn default_expression_text(sql: &str, column_type: DataType) -> Option<String> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(expr) = sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
    else {
        return Some(sql.to_string());
    };
    match expression_text(&expr, column_type) {
        Some(Printed::Null) => None,
        Some(Printed::Text(text)) => Some(text),
        None => Some(expr.to_string()),
    }
}

enum Printed {
    Null,
    Text(String),
}

fn expression_text(expr: &ast::Expr, column_type: DataType) -> Option<Printed> {
    use ast::Value as V;
    let text = |s: String| Some(Printed::Text(s));
    match expr {
        ast::Expr::Nested(inner) => expression_text(inner, column_type),
        ast::Expr::Value(v) => match &v.value {
            V::Null => Some(Printed::Null),
            V::Boolean(b) => text(b.to_string()),
            V::Number(n, _) => text(number_constant(n, false)),
            // An untyped string becomes a constant of the column's type without its modifier
            // (the length or scale is applied by a cast PostgreSQL does not print).
            V::SingleQuotedString(s) => {
                let ty = match column_type {
                    DataType::Numeric(_) => DataType::Numeric(None),
                    DataType::Varchar(_) => DataType::Varchar(None),
                    t => t,
                };
                let value = if ty.is_string() {
                    Value::Text(s.clone())
                } else {
                    Value::parse(s, ty, TimeZone::UTC).ok()?
                };
                text(constant(&value, ty))
            }
            _ => None,
        },
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr: inner,
        } => match inner.as_ref() {
            ast::Expr::Value(v) => match &v.value {
                V::Number(n, _) => text(number_constant(n, true)),
                _ => None,
            },
            _ => None,
        },
        ast::Expr::Function(f) if f.name.0.len() == 1 => {
            let name = f.name.to_string().to_lowercase();
            match &f.args {
                // CURRENT_TIMESTAMP and its siblings, written without parentheses.
                ast::FunctionArguments::None => {
                    const KEYWORDS: &[&str] = &[
                        "current_date",
                        "current_time",
                        "current_timestamp",
                        "localtime",
                        "localtimestamp",
                        "current_role",
                        "current_user",
                        "session_user",
                        "user",
                        "current_catalog",
                        "current_schema",
                    ];
                    KEYWORDS
                        .contains(&name.as_str())
                        .then(|| Printed::Text(name.to_uppercase()))
                }
                ast::FunctionArguments::List(list) if list.args.is_empty() => {
                    text(format!("{name}()"))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A numeric literal's constant: an integer that fits `integer` is one (negative ones
/// quoted and labelled), a larger one a `bigint`, anything else a `numeric`.
fn number_constant(digits: &str, negative: bool) -> String {
    let literal = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    let ty = if literal.parse::<i32>().is_ok() {
        DataType::Int4
    } else if literal.parse::<i64>().is_ok() {
        DataType::Int8
    } else {
        DataType::Numeric(None)
    };
    match Value::parse(&literal, ty, TimeZone::UTC) {
        Ok(v) => constant(&v, ty),
        Err(_) => literal,
    }
}

/// A constant of type `ty` as `get_const_expr` writes it: booleans and non-negative
/// integers bare, numerics bare when they look like one, everything else quoted and
/// labelled with its type.
fn constant(value: &Value, ty: DataType) -> String {
    let out = value.to_text();
    let quoted = format!("'{}'", out.replace('\'', "''"));
    let label = |q: String| {
        let name = crate::functions::scalar::system::format_type_name(
            i64::from(crate::catalog::oids::type_oid(ty)),
            Some(-1),
        );
        format!("{q}::{name}")
    };
    match ty {
        DataType::Bool => if out == "t" { "true" } else { "false" }.to_string(),
        DataType::Int4 if !out.starts_with('-') => out,
        DataType::Int4 => label(quoted),
        DataType::Numeric(_)
            if out.starts_with(|c: char| c.is_ascii_digit()) && out.contains(['.', 'e', 'E']) =>
        {
            out
        }
        _ => label(quoted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_print_as_postgresql_prints_them() {
        let cases = [
            ("5", DataType::Int4, "5"),
            ("-5", DataType::Int4, "'-5'::integer"),
            ("0", DataType::Int8, "0"),
            ("-7", DataType::Int8, "'-7'::integer"),
            ("0", DataType::Numeric(Some((12, 2))), "0"),
            ("1.5", DataType::Numeric(None), "1.5"),
            ("-2.5", DataType::Float8, "'-2.5'::numeric"),
            ("'new'", DataType::Text, "'new'::text"),
            ("'it''s'", DataType::Text, "'it''s'::text"),
            ("'x'", DataType::Varchar(Some(10)), "'x'::character varying"),
            ("'ab'", DataType::Char(3), "'ab'::bpchar"),
            ("'2024-01-02'", DataType::Date, "'2024-01-02'::date"),
            ("true", DataType::Bool, "true"),
            ("now()", DataType::TimestampTz, "now()"),
            (
                "current_timestamp",
                DataType::TimestampTz,
                "CURRENT_TIMESTAMP",
            ),
            ("CURRENT_DATE", DataType::Date, "CURRENT_DATE"),
            ("localtimestamp", DataType::Timestamp, "LOCALTIMESTAMP"),
        ];
        for (sql, ty, want) in cases {
            assert_eq!(
                default_expression_text(sql, ty).as_deref(),
                Some(want),
                "{sql} on {ty:?}"
            );
        }
        assert_eq!(default_expression_text("NULL", DataType::Int4), None);
    }
}
