//! Constant folding: every subexpression whose inputs are constants and whose operators and
//! functions are immutable is evaluated at planning, as PostgreSQL's
//! `eval_const_expressions` does, with its simplifications of logic:
//!
//! ```text
//! WHERE id = 1 + 1                      →  id = 2            (a point read of the key)
//! WHERE x > 1 AND false                 →  false
//! WHERE x > 1 OR true                   →  true              (the filter goes)
//! WHERE NOT NOT (x > 1)                 →  x > 1
//! WHERE NOT (x > 1)                     →  x <= 1            (NOT folded into its operand)
//! CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END →  'b'
//! x = NULL, lower(NULL)                 →  NULL              (strict: a NULL input is NULL)
//! COALESCE(NULL, 2, x)                  →  2
//! ```
//!
//! What is never folded: stable and volatile functions (`now()`, `random()`,
//! `current_user`), parameters (a prepared plan runs again with new values), casts whose
//! result depends on the session (to or from `timestamptz` and the text forms of dates and
//! times: a plan outlives `SET TimeZone`), subqueries, columns of outer rows, aggregates and
//! window results.
//!
//! Errors are PostgreSQL's: an evaluation that fails while folding fails the statement at
//! planning (`SELECT 1/0 WHERE false` is `division by zero`, as in PostgreSQL), but only
//! what PostgreSQL would evaluate is: the arguments of AND and OR are folded in order and
//! folding stops at a constant `false` (`true`) (`false AND 1/0 = 1` is false), a CASE stops
//! at its first constant-true branch and skips the results of constant-false ones (`CASE
//! WHEN false THEN 1/0 ELSE 1 END` is 1), and COALESCE stops at its first non-NULL
//! constant.

use super::Planner;
use super::scope::{AggState, Scope};
use crate::error::Result;
use crate::expr::{BinOp, EvalContext, Expr, Func};
use crate::functions::{Implementation, Volatility};
use crate::types::cast::cast_depends_on_time_zone;
use crate::types::timezone::TimeZone;
use crate::types::{DataType, Value};
use sqlparser::ast;

impl Planner<'_> {
    /// Plans an expression a clause holds whole (WHERE, ON, a select-list item, ...) and
    /// folds its constants.
    pub(super) fn plan_folded(
        &mut self,
        ast_expr: &ast::Expr,
        scope: &Scope,
        agg: Option<&mut AggState>,
        expected: Option<DataType>,
    ) -> Result<(Expr, DataType)> {
        let (e, ty) = self.plan_expr(ast_expr, scope, agg, expected)?;
        Ok((fold(e)?, ty))
    }
}

/// `e` with its constant subexpressions evaluated.
pub(super) fn fold(e: Expr) -> Result<Expr> {
    let b = |e: Box<Expr>| -> Result<Box<Expr>> { Ok(Box::new(fold(*e)?)) };
    Ok(match e {
        e @ (Expr::Literal(_)
        | Expr::Column(_)
        | Expr::Param(_)
        | Expr::AggRef(_)
        | Expr::WindowRef(_)
        | Expr::SetFunctionRef(_)
        | Expr::Outer { .. }) => e,
        Expr::Binary {
            op: op @ (BinOp::And | BinOp::Or),
            left,
            right,
            operand_type,
            result_type,
        } => logic(op, *left, *right, operand_type, result_type)?,
        Expr::Binary {
            op,
            left,
            right,
            operand_type,
            result_type,
        } => {
            // Every operator is strict but the `||` ones over arrays (`array_cat`,
            // `array_append`, `array_prepend`), which keep the other operand.
            let strict = !(matches!(op, BinOp::ArrayAppend | BinOp::ArrayPrepend)
                || (op == BinOp::Concat && operand_type.is_array()));
            let left = b(left)?;
            if strict && is_null(&left) {
                return Ok(null());
            }
            let right = b(right)?;
            if strict && is_null(&right) {
                return Ok(null());
            }
            let constant = is_literal(&left) && is_literal(&right);
            evaluate_if(
                constant,
                Expr::Binary {
                    op,
                    left,
                    right,
                    operand_type,
                    result_type,
                },
            )?
        }
        Expr::Not(e) => negate(fold(*e)?)?,
        Expr::Negate(e, ty) => {
            let e = b(e)?;
            evaluate_if(is_literal(&e), Expr::Negate(e, ty))?
        }
        Expr::IsNull(e, negated) => {
            let e = b(e)?;
            evaluate_if(is_literal(&e), Expr::IsNull(e, negated))?
        }
        Expr::Cast(e, from, to) => {
            let e = b(e)?;
            if is_null(&e) {
                return Ok(null());
            }
            evaluate_if(
                is_literal(&e) && cast_is_immutable(from, to),
                Expr::Cast(e, from, to),
            )?
        }
        Expr::Case(arms, otherwise) => case(arms, otherwise)?,
        Expr::InList(e, list, negated) => {
            let e = b(e)?;
            let list = list.into_iter().map(fold).collect::<Result<Vec<_>>>()?;
            let constant = is_literal(&e) && list.iter().all(is_literal);
            evaluate_if(constant, Expr::InList(e, list, negated))?
        }
        Expr::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
            escape,
        } => {
            let (expr, pattern) = (b(expr)?, b(pattern)?);
            if is_null(&expr) || is_null(&pattern) {
                return Ok(null());
            }
            let constant = is_literal(&expr) && is_literal(&pattern);
            evaluate_if(
                constant,
                Expr::Like {
                    expr,
                    pattern,
                    negated,
                    case_insensitive,
                    escape,
                },
            )?
        }
        Expr::Func(Func::Coalesce, args) => coalesce(args)?,
        Expr::Func(func, args) => {
            let args = args.into_iter().map(fold).collect::<Result<Vec<_>>>()?;
            let constant = args.iter().all(is_literal);
            evaluate_if(constant, Expr::Func(func, args))?
        }
        Expr::Call(id, args) => {
            let args = args.into_iter().map(fold).collect::<Result<Vec<_>>>()?;
            let function = id.function();
            // PostgreSQL answers a strict function of a NULL constant with NULL whatever
            // its volatility, without calling it.
            if function.strict && args.iter().any(is_null) {
                return Ok(null());
            }
            let constant = function.volatility == Volatility::Immutable
                && matches!(function.implementation, Implementation::Scalar(_))
                && args.iter().all(is_literal);
            evaluate_if(constant, Expr::Call(id, args))?
        }
        // Never constant: their values come from rows at execution. The expressions on
        // their left are folded.
        e @ Expr::Subquery { .. } => e.map_children(&mut fold)?,
        e @ (Expr::AnyOf { .. } | Expr::InSet { .. } | Expr::RowIn { .. }) => e,
        // Constant when every part is.
        e @ (Expr::Array { .. } | Expr::Subscript { .. } | Expr::AnyArray { .. }) => {
            let e = e.map_children(&mut fold)?;
            let constant = children_are_literals(&e);
            evaluate_if(constant, e)?
        }
    })
}

/// Whether the cast's result depends only on its input. Casts to or from `timestamptz`
/// depend on the session's time zone; PostgreSQL's text forms of dates and times are
/// stable too (`date_in` reads `'today'` and the DateStyle, `timestamp_out` writes it).
fn cast_is_immutable(from: DataType, to: DataType) -> bool {
    // An array casts as its elements do (and its text form holds theirs).
    if from.is_array() || to.is_array() {
        let element = |t: DataType| t.element().unwrap_or(t);
        return cast_is_immutable(element(from), element(to));
    }
    let datetime = |t: DataType| {
        matches!(
            t,
            DataType::Date | DataType::Timestamp | DataType::TimestampTz
        )
    };
    let string = |t: DataType| t.is_string() || t == DataType::Unknown;
    let reads_session = cast_depends_on_time_zone(from, to)
        || crate::types::cast::cast_reads_catalog(from, to)
        || (datetime(from) && string(to))
        || (string(from) && datetime(to));
    !reads_session
}

/// Whether every direct child of `e` is a literal (literals have no children, so every
/// expression below `e` is one).
fn children_are_literals(e: &Expr) -> bool {
    let mut below = false;
    let mut all = true;
    e.walk(&mut |x| {
        all &= !below || is_literal(x);
        below = true;
    });
    all
}

fn is_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(_))
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Value::Null))
}

fn null() -> Expr {
    Expr::Literal(Value::Null)
}

/// `e` evaluated if `constant` (its inputs are literals), else `e`.
fn evaluate_if(constant: bool, e: Expr) -> Result<Expr> {
    if !constant {
        return Ok(e);
    }
    // Nothing folded reads the session: the context only satisfies the evaluator.
    let ctx = EvalContext {
        params: &[],
        now: chrono::DateTime::UNIX_EPOCH,
        user: "",
        session_user: "",
        statement_started_at: chrono::DateTime::UNIX_EPOCH,
        time_zone: TimeZone::UTC,
        current_schema: None,
        search_path: &[],
        catalog: None,
        outer: &[],
        settings: None,
    };
    Ok(Expr::Literal(e.eval(&[], &ctx)?))
}

/// The boolean a literal holds (`None` for NULL and for anything not a literal).
fn literal_bool(e: &Expr) -> Option<Option<bool>> {
    match e {
        Expr::Literal(Value::Bool(b)) => Some(Some(*b)),
        Expr::Literal(Value::Null) => Some(None),
        _ => None,
    }
}

/// AND (OR) over `left` and `right`, folded left to right as PostgreSQL folds the
/// operands of a flattened AND (OR): a constant `false` (`true`) decides it and stops
/// folding, a constant `true` (`false`) drops out, and a NULL constant stays as the last
/// operand. The tree keeps its shape otherwise (EXPLAIN prints it as written).
fn logic(
    op: BinOp,
    left: Expr,
    right: Expr,
    operand_type: DataType,
    result_type: DataType,
) -> Result<Expr> {
    let decisive = op == BinOp::Or;
    let left = fold(left)?;
    let l = literal_bool(&left);
    if l == Some(Some(decisive)) {
        return Ok(left);
    }
    let right = fold(right)?;
    let r = literal_bool(&right);
    if r == Some(Some(decisive)) {
        return Ok(right);
    }
    let node = |left, right| Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
        operand_type,
        result_type,
    };
    Ok(match (l, r) {
        // The neutral constant drops out.
        (Some(Some(_)), _) => right,
        (_, Some(Some(_))) => left,
        (Some(None), Some(None)) => null(),
        (Some(None), None) => node(right, left),
        _ => node(left, right),
    })
}

/// `NOT e` of a folded `e`: a constant is negated, `NOT NOT x` is `x`, and the negation
/// moves into comparisons (`NOT (a < b)` is `a >= b`), IS NULL, LIKE, IN and, by De Morgan,
/// AND and OR, as PostgreSQL's `negate_clause` does.
fn negate(e: Expr) -> Result<Expr> {
    Ok(match e {
        Expr::Literal(Value::Bool(b)) => Expr::Literal(Value::Bool(!b)),
        Expr::Literal(Value::Null) => null(),
        Expr::Not(inner) => *inner,
        Expr::Binary {
            op,
            left,
            right,
            operand_type,
            result_type,
        } if op.is_comparison() => Expr::Binary {
            op: match op {
                BinOp::Eq => BinOp::NotEq,
                BinOp::NotEq => BinOp::Eq,
                BinOp::Lt => BinOp::GtEq,
                BinOp::GtEq => BinOp::Lt,
                BinOp::Gt => BinOp::LtEq,
                _ => BinOp::Gt,
            },
            left,
            right,
            operand_type,
            result_type,
        },
        Expr::Binary {
            op: op @ (BinOp::And | BinOp::Or),
            left,
            right,
            operand_type,
            result_type,
        } => Expr::Binary {
            op: if op == BinOp::And {
                BinOp::Or
            } else {
                BinOp::And
            },
            left: Box::new(negate(*left)?),
            right: Box::new(negate(*right)?),
            operand_type,
            result_type,
        },
        Expr::IsNull(e, negated) => Expr::IsNull(e, !negated),
        Expr::InList(e, list, negated) => Expr::InList(e, list, !negated),
        Expr::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
            escape,
        } => Expr::Like {
            expr,
            pattern,
            negated: !negated,
            case_insensitive,
            escape,
        },
        other => Expr::Not(Box::new(other)),
    })
}

/// CASE: branches whose condition folds to false or NULL go (their results unfolded), the
/// first whose condition folds to true becomes the ELSE and ends the CASE; with no branch
/// left, the CASE is its ELSE (or NULL).
fn case(arms: Vec<(Expr, Expr)>, otherwise: Option<Box<Expr>>) -> Result<Expr> {
    let mut kept = Vec::with_capacity(arms.len());
    let mut default = otherwise.map(|e| *e);
    for (condition, result) in arms {
        let condition = fold(condition)?;
        match literal_bool(&condition) {
            Some(Some(true)) => {
                default = Some(result);
                break;
            }
            Some(_) => {}
            None => kept.push((condition, fold(result)?)),
        }
    }
    let default = default.map(fold).transpose()?;
    if kept.is_empty() {
        return Ok(default.unwrap_or_else(null));
    }
    Ok(Expr::Case(kept, default.map(Box::new)))
}

/// COALESCE: NULL constants go; the first non-NULL constant ends the list (and is the
/// value when it comes first).
fn coalesce(args: Vec<Expr>) -> Result<Expr> {
    let mut kept = Vec::with_capacity(args.len());
    for a in args {
        let a = fold(a)?;
        if is_null(&a) {
            continue;
        }
        if is_literal(&a) {
            if kept.is_empty() {
                return Ok(a);
            }
            kept.push(a);
            break;
        }
        kept.push(a);
    }
    if kept.is_empty() {
        return Ok(null());
    }
    Ok(Expr::Func(Func::Coalesce, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, ColumnDef, TableDef};
    use crate::parse::{Parsed, parse_sql};
    use crate::plan::{Access, Plan, Source};
    use std::sync::Arc;

    /// A catalog with `t (id int PRIMARY KEY, x int, ts timestamptz, d date)`.
    fn catalog() -> Catalog {
        let column = |name: &str, data_type| ColumnDef {
            name: name.into(),
            data_type,
            nullable: true,
            default: None,
        };
        let table = TableDef {
            id: 1000,
            schema: "public".into(),
            name: "t".into(),
            columns: vec![
                column("id", DataType::Int4),
                column("x", DataType::Int4),
                column("ts", DataType::TimestampTz),
                column("d", DataType::Date),
            ],
            primary_key: vec![0],
            indexes: vec![],
            owner: "owner".into(),
        };
        let mut catalog = Catalog::default();
        catalog
            .tables
            .insert(table.qualified_name(), Arc::new(table));
        catalog
    }

    fn plan(sql: &str) -> Result<crate::plan::Planned> {
        let catalog = catalog();
        match parse_sql(sql)?.pop() {
            Some(Parsed::Sql(stmt)) => Planner::new(&catalog, &[]).plan(&stmt),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// The EXPLAIN lines of a query.
    fn explain(sql: &str) -> Vec<String> {
        let planned = plan(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        crate::explain::explain(&planned.plan, &planned.subqueries, false).unwrap()
    }

    /// The filter of a one-table query (`-` when it has none), as EXPLAIN shows it.
    fn filter(sql: &str) -> String {
        explain(sql)
            .iter()
            .find_map(|l| l.trim().strip_prefix("Filter: ").map(String::from))
            .unwrap_or_else(|| "-".into())
    }

    #[test]
    fn constants_fold() {
        for (sql, want) in [
            ("SELECT * FROM t WHERE x = 1 + 1", "(x = 2)"),
            ("SELECT * FROM t WHERE x = 2 * 3 - 1", "(x = 5)"),
            ("SELECT * FROM t WHERE x = -(3)", "(x = -3)"),
            ("SELECT * FROM t WHERE x = length('abc')", "(x = 3)"),
            ("SELECT * FROM t WHERE x = abs(-4)", "(x = 4)"),
            ("SELECT * FROM t WHERE x > 1 AND 1 < 2", "(x > 1)"),
            ("SELECT * FROM t WHERE x IN (1 + 1, 2 + 2)", "(x IN (2, 4))"),
            (
                "SELECT * FROM t WHERE x = CASE WHEN 1 > 2 THEN 1 ELSE 7 END",
                "(x = 7)",
            ),
            ("SELECT * FROM t WHERE x = COALESCE(NULL, 2, x)", "(x = 2)"),
            // A cast that does not read the session folds.
            ("SELECT * FROM t WHERE x = '12'::text::int", "(x = 12)"),
        ] {
            assert_eq!(filter(sql), want, "{sql}");
        }
    }

    #[test]
    fn logic_simplifies_as_in_postgres() {
        for (sql, want) in [
            ("SELECT * FROM t WHERE x > 1 AND false", "(false)"),
            ("SELECT * FROM t WHERE x > 1 OR true", "-"),
            ("SELECT * FROM t WHERE x > 1 OR false", "(x > 1)"),
            ("SELECT * FROM t WHERE NOT NOT (x > 1)", "(x > 1)"),
            ("SELECT * FROM t WHERE NOT (x > 1)", "(x <= 1)"),
            ("SELECT * FROM t WHERE x = NULL", "(NULL)"),
            // The operands of AND are folded in order up to a constant false.
            ("SELECT * FROM t WHERE false AND 1 / 0 = 1", "(false)"),
        ] {
            assert_eq!(filter(sql), want, "{sql}");
        }
        // What PostgreSQL evaluates when it folds fails at planning.
        for sql in [
            "SELECT 1 / 0 WHERE false",
            "SELECT 1 FROM t WHERE 1 / 0 = 1 AND false",
            "SELECT CASE WHEN x > 0 THEN 1 ELSE 1 / 0 END FROM t",
        ] {
            let err = plan(sql).err().unwrap_or_else(|| panic!("{sql} planned"));
            assert_eq!(err.message, "division by zero", "{sql}");
        }
        // A branch or operand PostgreSQL skips is not evaluated.
        for sql in [
            "SELECT CASE WHEN false THEN 1 / 0 ELSE 1 END",
            "SELECT CASE WHEN true THEN 1 ELSE 1 / 0 END",
            "SELECT COALESCE(1, 1 / 0)",
            "SELECT false AND 1 / 0 = 1",
        ] {
            plan(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    #[test]
    fn what_must_not_fold_stays() {
        for (sql, want) in [
            // Parameters: a prepared plan runs again with other values.
            ("SELECT * FROM t WHERE x = $1 + 1", "(x = ($1 + 1))"),
            // Stable and volatile functions.
            ("SELECT * FROM t WHERE ts < now()", "(ts < now())"),
            (
                "SELECT * FROM t WHERE x::double precision < random()",
                "((x)::double precision < random())",
            ),
            (
                "SELECT * FROM t WHERE current_user = 'a'",
                "(current_user() = 'a')",
            ),
            // Casts that read the session's time zone or date style.
            (
                "SELECT * FROM t WHERE ts > '2024-01-01'::timestamp::timestamptz",
                "(ts > ('2024-01-01 00:00:00')::timestamp with time zone)",
            ),
            (
                "SELECT * FROM t WHERE d = ('2024-01-' || '01')::date",
                "(d = ('2024-01-01')::date)",
            ),
        ] {
            assert_eq!(filter(sql), want, "{sql}");
        }
    }

    #[test]
    fn a_folded_key_is_a_point_read() {
        let planned = plan("SELECT * FROM t WHERE id = 1 + 1").unwrap();
        let Plan::Query(q) = &planned.plan else {
            panic!("not a query");
        };
        let mut access = None;
        q.source.direct(&mut |s| {
            if let Source::Table { access: a, .. } = s {
                access = Some(a.clone());
            }
        });
        match access {
            Some(Access::Point(keys)) => {
                assert!(matches!(keys.as_slice(), [Expr::Literal(Value::Int(2))]))
            }
            other => panic!("not a point read: {other:?}"),
        }
    }
}
