//! Planning binary operators: AND / OR, comparisons, arithmetic and `||`.
//!
//! AND and OR need boolean operands. `||` converts both sides to text. Comparisons and
//! arithmetic convert both sides to their common type; the untyped side (a parameter or a
//! literal) is planned second so that it takes the typed side's type. Integer arithmetic is
//! evaluated on `bigint` operands and checked against the result type, which is the wider
//! operand type as in PostgreSQL (`smallint + smallint` is `smallint`, `integer + bigint` is
//! `bigint`), so `2147483647 + 1` fails with 22003 `integer out of range`.

use super::Planner;
use super::arrays::array_binary;
use super::coerce::{coerce, require_bool};
use super::expr::is_untyped;
use super::scope::{AggState, Scope};
use crate::error::{Error, Result, SqlState};
use crate::expr::{BinOp, Expr};
use crate::functions::type_name;
use crate::types::DataType;
use sqlparser::ast;

impl Planner<'_> {
    /// Plans `left op right`: the expression and its result type.
    pub(super) fn plan_binary(
        &mut self,
        left: &ast::Expr,
        op: &ast::BinaryOperator,
        right: &ast::Expr,
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        use ast::BinaryOperator as B;
        // `OPERATOR(pg_catalog.=)` is the operator itself, named with its schema.
        if let B::PGCustomBinaryOperator(parts) = op {
            let (schema, symbol) = match parts.as_slice() {
                [symbol] => (None, symbol.as_str()),
                [schema, symbol] => (Some(schema.as_str()), symbol.as_str()),
                _ => (None, ""),
            };
            let named = match symbol {
                "=" => Some(B::Eq),
                "<>" | "!=" => Some(B::NotEq),
                "<" => Some(B::Lt),
                "<=" => Some(B::LtEq),
                ">" => Some(B::Gt),
                ">=" => Some(B::GtEq),
                "+" => Some(B::Plus),
                "-" => Some(B::Minus),
                "*" => Some(B::Multiply),
                "/" => Some(B::Divide),
                "%" => Some(B::Modulo),
                "||" => Some(B::StringConcat),
                "~" => Some(B::PGRegexMatch),
                "~*" => Some(B::PGRegexIMatch),
                "!~" => Some(B::PGRegexNotMatch),
                "!~*" => Some(B::PGRegexNotIMatch),
                "@>" => Some(B::AtArrow),
                "<@" => Some(B::ArrowAt),
                "&&" => Some(B::PGOverlap),
                _ => None,
            };
            return match (schema, named) {
                (None | Some("pg_catalog"), Some(named)) => {
                    self.plan_binary(left, &named, right, scope, agg)
                }
                (Some(schema), _) if schema != "pg_catalog" => Err(Error::new(
                    SqlState::INVALID_SCHEMA_NAME,
                    format!("schema \"{schema}\" does not exist"),
                )),
                _ => Err(Error::unsupported(format!(
                    "operator {op} is not supported yet"
                ))),
            };
        }
        // The integer bitwise operators are their functions (`int4and`, ...), of the
        // operands' common integer type (a shift's of its left operand's).
        let bitwise = match op {
            B::BitwiseAnd => Some("and"),
            B::BitwiseOr => Some("or"),
            B::PGBitwiseXor => Some("xor"),
            B::PGBitwiseShiftLeft => Some("shl"),
            B::PGBitwiseShiftRight => Some("shr"),
            _ => None,
        };
        // The regular expression matches are their functions, as in PostgreSQL's pg_operator.
        let regex_function = match op {
            B::PGRegexMatch => Some("textregexeq"),
            B::PGRegexIMatch => Some("texticregexeq"),
            B::PGRegexNotMatch => Some("textregexne"),
            B::PGRegexNotIMatch => Some("texticregexne"),
            _ => None,
        };
        if bitwise.is_some() || regex_function.is_some() {
            let operands = [left.clone(), right.clone()];
            let planned = self.plan_operands(&operands, scope, agg.as_deref_mut())?;
            let (lt, rt) = (planned[0].1, planned[1].1);
            let function = match (bitwise, regex_function) {
                (Some(suffix), _) => {
                    let ty = if suffix.starts_with("sh") {
                        lt
                    } else {
                        DataType::common(lt, rt).unwrap_or(lt)
                    };
                    let width = match ty {
                        DataType::Int2 => "int2",
                        DataType::Int8 => "int8",
                        _ => "int4",
                    };
                    format!("{width}{suffix}")
                }
                (None, function) => function.unwrap_or_default().to_string(),
            };
            return self
                .call_planned(&function, &operands, planned, scope, agg)
                .map_err(|e| operator_error(e, op, lt, rt));
        }
        let bin = match op {
            B::Plus => BinOp::Add,
            B::Minus => BinOp::Sub,
            B::Multiply => BinOp::Mul,
            B::Divide => BinOp::Div,
            B::Modulo => BinOp::Mod,
            B::Eq => BinOp::Eq,
            B::NotEq => BinOp::NotEq,
            B::Lt => BinOp::Lt,
            B::LtEq => BinOp::LtEq,
            B::Gt => BinOp::Gt,
            B::GtEq => BinOp::GtEq,
            B::And => BinOp::And,
            B::Or => BinOp::Or,
            B::StringConcat => BinOp::Concat,
            B::AtArrow => BinOp::Contains,
            B::ArrowAt => BinOp::ContainedBy,
            B::PGOverlap => BinOp::Overlaps,
            other => {
                return Err(Error::unsupported(format!(
                    "operator {other} is not supported yet"
                )));
            }
        };
        if matches!(bin, BinOp::And | BinOp::Or) {
            let (l, lt) = self.plan_expr(left, scope, agg.as_deref_mut(), Some(DataType::Bool))?;
            let (r, rt) = self.plan_expr(right, scope, agg, Some(DataType::Bool))?;
            let name = if bin == BinOp::And { "AND" } else { "OR" };
            return Ok((
                Expr::Binary {
                    op: bin,
                    left: Box::new(require_bool(l, lt, name)?),
                    right: Box::new(require_bool(r, rt, name)?),
                    operand_type: DataType::Bool,
                    result_type: DataType::Bool,
                },
                DataType::Bool,
            ));
        }
        // Plan the typed side first so the untyped side (parameter, literal) can take its type.
        let ((l, lt), (r, rt)) = if is_untyped(left) && !is_untyped(right) {
            let (r, rt) = self.plan_expr(right, scope, agg.as_deref_mut(), None)?;
            let hint = if bin == BinOp::Concat && !rt.is_array() {
                DataType::Text
            } else {
                rt
            };
            let (l, lt) = self.plan_expr(left, scope, agg, Some(hint))?;
            ((l, lt), (r, rt))
        } else {
            let (l, lt) = self.plan_expr(left, scope, agg.as_deref_mut(), None)?;
            let hint = if bin == BinOp::Concat && !lt.is_array() {
                DataType::Text
            } else {
                lt
            };
            let (r, rt) = self.plan_expr(right, scope, agg, Some(hint))?;
            ((l, lt), (r, rt))
        };
        if lt.is_array()
            || rt.is_array()
            || matches!(bin, BinOp::Contains | BinOp::ContainedBy | BinOp::Overlaps)
        {
            return array_binary(bin, (l, lt), (r, rt));
        }
        if bin == BinOp::Concat {
            // `text || anynonarray` and `anynonarray || text`: with a string on one side,
            // the other is converted by its output function (as a cast to text would).
            let stringy = |t: DataType| t.is_string() || t == DataType::Unknown;
            let explicit = stringy(lt) || stringy(rt);
            if !explicit {
                return Err(Error::undefined_function(format!(
                    "operator does not exist: {} || {}",
                    lt.name(),
                    rt.name()
                )));
            }
            return Ok((
                Expr::Binary {
                    op: bin,
                    left: Box::new(coerce(l, lt, DataType::Text, explicit)?),
                    right: Box::new(coerce(r, rt, DataType::Text, explicit)?),
                    operand_type: DataType::Text,
                    result_type: DataType::Text,
                },
                DataType::Text,
            ));
        }
        let common = DataType::common(lt, rt).ok_or_else(|| {
            Error::undefined_function(format!(
                "operator does not exist: {} {} {}",
                lt.name(),
                op,
                rt.name()
            ))
        })?;
        let common = match common {
            DataType::Unknown => DataType::Text,
            DataType::Varchar(_) | DataType::Char(_) if lt != rt => DataType::Text,
            c => c,
        };
        let (result_type, operand_type) = if bin.is_comparison() {
            (DataType::Bool, common)
        } else {
            if !common.is_numeric() {
                return Err(Error::undefined_function(format!(
                    "operator does not exist: {} {} {}",
                    lt.name(),
                    op,
                    rt.name()
                )));
            }
            let result = match common {
                DataType::Int2 => DataType::Int4.max_int(lt, rt),
                DataType::Float4 => DataType::Float8,
                c => c,
            };
            (
                result,
                if result.is_integer() {
                    DataType::Int8
                } else {
                    common
                },
            )
        };
        let l = coerce(l, lt, common, false)?;
        let r = coerce(r, rt, common, false)?;
        Ok((
            Expr::Binary {
                op: bin,
                left: Box::new(l),
                right: Box::new(r),
                operand_type,
                result_type,
            },
            result_type,
        ))
    }
}

/// The result type of integer arithmetic on two integer operand types.
trait MaxInt {
    fn max_int(self, a: DataType, b: DataType) -> DataType;
}

impl MaxInt for DataType {
    /// PostgreSQL gives `smallint op smallint` the type smallint; we widen it to integer only
    /// when an operand is wider.
    fn max_int(self, a: DataType, b: DataType) -> DataType {
        if a == DataType::Int2 && b == DataType::Int2 {
            DataType::Int2
        } else {
            self
        }
    }
}

/// A regular expression operator's overload error, as PostgreSQL words it: about the
/// operator, not the function behind it (`operator does not exist: integer ~ unknown`).
fn operator_error(e: Error, op: &ast::BinaryOperator, left: DataType, right: DataType) -> Error {
    if e.state != SqlState::UNDEFINED_FUNCTION {
        return e;
    }
    Error::new(
        SqlState::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} {op} {}",
            type_name(left),
            type_name(right)
        ),
    )
    .with_hint(
        "No operator matches the given name and argument types. You might need to add explicit type casts.",
    )
}
