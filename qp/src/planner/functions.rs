//! Planning function calls: aggregates (`count`, `sum`, `avg`, `min`, `max`, with DISTINCT
//! and `count(*)`) and the scalar functions dsql evaluates (`now`, `lower`, `round`,
//! `coalesce`, ...).
//!
//! An aggregate is allowed only where the query is aggregated (a select list, HAVING or
//! ORDER BY of a query with GROUP BY or an aggregate). Each call is recorded in `AggState`
//! and planned as a reference to its result, which the executor computes per group. Names may
//! be qualified with `pg_catalog` or `public`; any other function is 42883, naming the
//! argument types as PostgreSQL does. Advisory locks and `pg_backend_pid` are refused with
//! DSQL's 0A000 `function <name> not supported`.

use super::Planner;
use super::coerce::{coerce, unify};
use super::scope::{AggState, Scope};
use crate::error::{Error, Result, SqlState};
use crate::expr::{AggCall, AggFunc, Expr, Func};
use crate::names::ident_name;
use crate::value::DataType;
use sqlparser::ast;

/// PostgreSQL functions DSQL refuses with 0A000 `function <name> not supported`: advisory
/// locks (nothing in DSQL takes a lock) and backend process ids (a session has no backend
/// process of its own).
const REFUSED_FUNCTIONS: &[&str] = &[
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_advisory_unlock",
    "pg_advisory_unlock_shared",
    "pg_advisory_unlock_all",
    "pg_advisory_xact_lock",
    "pg_advisory_xact_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_backend_pid",
];

impl Planner<'_> {
    /// Plans a function call: an aggregate (only when `agg` is given) or a scalar function,
    /// with its result type.
    pub(super) fn plan_function(
        &mut self,
        f: &ast::Function,
        scope: &Scope,
        mut agg: Option<&mut AggState>,
        expected: Option<DataType>,
    ) -> Result<(Expr, DataType)> {
        let name = f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(ident_name)
            .unwrap_or_default();
        if f.name.0.len() > 1 {
            let schema = f.name.0[0].as_ident().map(ident_name).unwrap_or_default();
            if schema != "pg_catalog" && schema != "public" {
                return Err(Error::undefined_function(format!(
                    "function {} does not exist",
                    f.name
                )));
            }
        }
        if REFUSED_FUNCTIONS.contains(&name.as_str()) {
            return Err(Error::unsupported(format!("function {name} not supported")));
        }
        if f.filter.is_some() || f.over.is_some() || !f.within_group.is_empty() {
            return Err(Error::unsupported(format!(
                "{name}: FILTER, OVER and WITHIN GROUP are not supported yet"
            )));
        }
        let (args, distinct, star) = match &f.args {
            ast::FunctionArguments::None => (vec![], false, false),
            ast::FunctionArguments::Subquery(_) => {
                return Err(Error::unsupported("subqueries are not supported yet"));
            }
            ast::FunctionArguments::List(list) => {
                let distinct = matches!(
                    list.duplicate_treatment,
                    Some(ast::DuplicateTreatment::Distinct)
                );
                let mut args = Vec::new();
                let mut star = false;
                for a in &list.args {
                    match a {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                            args.push(e.clone())
                        }
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard) => star = true,
                        other => {
                            return Err(Error::unsupported(format!(
                                "function argument {other} is not supported"
                            )));
                        }
                    }
                }
                (args, distinct, star)
            }
        };
        let agg_func = match name.as_str() {
            "count" if star => Some(AggFunc::CountStar),
            "count" => Some(AggFunc::Count),
            "sum" => Some(AggFunc::Sum),
            "avg" => Some(AggFunc::Avg),
            "min" => Some(AggFunc::Min),
            "max" => Some(AggFunc::Max),
            _ => None,
        };
        if let Some(func) = agg_func {
            let Some(state) = agg else {
                return Err(Error::new(
                    SqlState::GROUPING_ERROR,
                    "aggregate functions are not allowed in this context",
                ));
            };
            let (arg, arg_type) = match (func, args.as_slice()) {
                (AggFunc::CountStar, []) => (None, DataType::Int8),
                (_, [a]) => {
                    if contains_aggregate(a) {
                        return Err(Error::new(
                            SqlState::GROUPING_ERROR,
                            "aggregate function calls cannot be nested",
                        ));
                    }
                    let (e, t) = self.plan_expr(a, scope, None, None)?;
                    let t = if t == DataType::Unknown {
                        DataType::Text
                    } else {
                        t
                    };
                    (Some(e), t)
                }
                _ => {
                    return Err(Error::undefined_function(format!(
                        "function {name} with {} arguments does not exist",
                        args.len()
                    )));
                }
            };
            let result_type = match func {
                AggFunc::CountStar | AggFunc::Count => DataType::Int8,
                AggFunc::Sum => match arg_type {
                    DataType::Int2 | DataType::Int4 => DataType::Int8,
                    DataType::Int8 | DataType::Numeric(_) => DataType::Numeric(None),
                    DataType::Float4 | DataType::Float8 => DataType::Float8,
                    t => {
                        return Err(Error::undefined_function(format!(
                            "function sum({}) does not exist",
                            t.name()
                        )));
                    }
                },
                AggFunc::Avg => match arg_type {
                    t if t.is_integer() => DataType::Numeric(None),
                    DataType::Numeric(_) => DataType::Numeric(None),
                    DataType::Float4 | DataType::Float8 => DataType::Float8,
                    t => {
                        return Err(Error::undefined_function(format!(
                            "function avg({}) does not exist",
                            t.name()
                        )));
                    }
                },
                AggFunc::Min | AggFunc::Max => arg_type,
            };
            let index = state.groups.len() + state.aggs.len();
            state.aggs.push(AggCall {
                func,
                arg,
                arg_type,
                result_type,
                distinct,
            });
            return Ok((Expr::AggRef(index), result_type));
        }
        if distinct || star {
            return Err(Error::syntax(format!(
                "DISTINCT or * specified, but {name} is not an aggregate function"
            )));
        }
        let mut planned = Vec::new();
        for a in &args {
            planned.push(self.plan_expr(a, scope, agg.as_deref_mut(), expected)?);
        }
        let arity = |n: usize| -> Result<()> {
            if planned.len() == n {
                Ok(())
            } else {
                Err(Error::undefined_function(format!(
                    "function {name} with {} arguments does not exist",
                    planned.len()
                )))
            }
        };
        let text_arg = |planned: Vec<(Expr, DataType)>| -> Result<Vec<Expr>> {
            planned
                .into_iter()
                .map(|(e, t)| coerce(e, t, DataType::Text, false))
                .collect()
        };
        if let Some((func, ty)) = nullary_function(&name) {
            arity(0)?;
            return Ok((Expr::Func(func, vec![]), ty));
        }
        Ok(match name.as_str() {
            "lower" | "upper" => {
                arity(1)?;
                let f = if name == "lower" {
                    Func::Lower
                } else {
                    Func::Upper
                };
                (Expr::Func(f, text_arg(planned)?), DataType::Text)
            }
            "length" | "char_length" | "character_length" => {
                arity(1)?;
                (Expr::Func(Func::Length, text_arg(planned)?), DataType::Int4)
            }
            "left" => {
                arity(2)?;
                let mut it = planned.into_iter();
                let (text, text_type) = it.next().expect("arity checked");
                let (count, count_type) = it.next().expect("arity checked");
                (
                    Expr::Func(
                        Func::Left,
                        vec![
                            coerce(text, text_type, DataType::Text, false)?,
                            coerce(count, count_type, DataType::Int4, false)?,
                        ],
                    ),
                    DataType::Text,
                )
            }
            "repeat" => {
                arity(2)?;
                let mut it = planned.into_iter();
                let (text, text_type) = it.next().expect("arity checked");
                let (count, count_type) = it.next().expect("arity checked");
                (
                    Expr::Func(
                        Func::Repeat,
                        vec![
                            coerce(text, text_type, DataType::Text, false)?,
                            coerce(count, count_type, DataType::Int4, false)?,
                        ],
                    ),
                    DataType::Text,
                )
            }
            "abs" => {
                arity(1)?;
                let (e, t) = planned.into_iter().next().expect("arity checked");
                if !t.is_numeric() {
                    return Err(Error::undefined_function(format!(
                        "function abs({}) does not exist",
                        t.name()
                    )));
                }
                (Expr::Func(Func::Abs, vec![e]), t)
            }
            "round" => {
                if planned.is_empty() || planned.len() > 2 {
                    arity(1)?;
                }
                let mut it = planned.into_iter();
                let (e, t) = it.next().expect("arity checked");
                let mut args = vec![];
                let ty = if it.len() == 1 || matches!(t, DataType::Numeric(_)) || t.is_integer() {
                    args.push(coerce(e, t, DataType::Numeric(None), false)?);
                    DataType::Numeric(None)
                } else {
                    args.push(coerce(e, t, DataType::Float8, false)?);
                    DataType::Float8
                };
                if let Some((d, dt)) = it.next() {
                    args.push(coerce(d, dt, DataType::Int4, false)?);
                }
                (Expr::Func(Func::Round, args), ty)
            }
            "coalesce" | "greatest" | "least" | "nullif" => {
                if planned.is_empty() || (name == "nullif" && planned.len() != 2) {
                    return Err(Error::undefined_function(format!(
                        "function {name} with {} arguments does not exist",
                        planned.len()
                    )));
                }
                let ty = unify(planned.iter().map(|(_, t)| *t), &name.to_uppercase())?;
                let args = planned
                    .into_iter()
                    .map(|(e, t)| coerce(e, t, ty, false))
                    .collect::<Result<_>>()?;
                let func = match name.as_str() {
                    "coalesce" => Func::Coalesce,
                    "greatest" => Func::Greatest,
                    "least" => Func::Least,
                    _ => Func::NullIf,
                };
                (Expr::Func(func, args), ty)
            }
            _ => {
                let types: Vec<String> = planned.iter().map(|(_, t)| t.name()).collect();
                return Err(Error::undefined_function(format!(
                    "function {name}({}) does not exist",
                    types.join(", ")
                )));
            }
        })
    }
}

/// Whether an expression calls an aggregate function (`count`, `sum`, `avg`, `min`,
/// `max`) anywhere inside it, outside its subqueries (which aggregate on their own).
pub(super) fn contains_aggregate(e: &ast::Expr) -> bool {
    use sqlparser::ast::Visit;
    use std::ops::ControlFlow;
    /// How many subqueries deep the visit is.
    struct Finder(usize);
    impl ast::Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.0 += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
            self.0 -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &ast::Expr) -> ControlFlow<()> {
            if self.0 == 0
                && let ast::Expr::Function(f) = expr
            {
                let name = f
                    .name
                    .0
                    .last()
                    .and_then(|p| p.as_ident())
                    .map(ident_name)
                    .unwrap_or_default();
                if matches!(name.as_str(), "count" | "sum" | "avg" | "min" | "max") {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        }
    }
    e.visit(&mut Finder(0)).is_break()
}

/// The functions without arguments, by name, with their result types. Some of them may also be
/// written as bare keywords (`current_user`, `current_timestamp`, ...; see
/// [`Planner::plan_expr`]).
pub(super) fn nullary_function(name: &str) -> Option<(Func, DataType)> {
    Some(match name {
        "now" | "current_timestamp" | "transaction_timestamp" => (Func::Now, DataType::TimestampTz),
        "statement_timestamp" => (Func::StatementTimestamp, DataType::TimestampTz),
        "clock_timestamp" => (Func::ClockTimestamp, DataType::TimestampTz),
        "version" => (Func::Version, DataType::Text),
        "current_database" => (Func::CurrentDatabase, DataType::Text),
        "current_schema" => (Func::CurrentSchema, DataType::Text),
        "current_user" | "user" => (Func::CurrentUser, DataType::Text),
        "session_user" => (Func::SessionUser, DataType::Text),
        "random" => (Func::Random, DataType::Float8),
        _ => return None,
    })
}
