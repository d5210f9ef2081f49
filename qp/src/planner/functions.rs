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
//!
//! A set-returning function (`generate_series`) is planned as a [`SetCall`]: in FROM by
//! `from.rs`, in a select list (or its ORDER BY) here, where the call is recorded in the
//! query's [`SrfPlacement::SelectList`] and planned as a reference to its values
//! ([`Expr::SetFunctionRef`]). Anywhere else it is refused as PostgreSQL refuses it
//! (`set-returning functions are not allowed in WHERE`), or as not supported where
//! PostgreSQL would run it (GROUP BY, nested calls, DML).

use super::Planner;
use super::coerce::{coerce, unify};
use super::expr::is_untyped;
use super::scope::{AggState, Scope};
use crate::error::{Error, Result, SqlState};
use crate::expr::{AggCall, AggFunc, Expr, Func, SetFunc};
use crate::names::ident_name;
use crate::plan::SetCall;
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

/// PostgreSQL's hint where a set-returning function sits inside an expression that must give
/// one value.
const LATERAL_HINT: &str =
    "You might be able to move the set-returning function into a LATERAL FROM item.";

/// Where the expression being planned sits, as far as set-returning functions go.
#[derive(Debug)]
pub(super) enum SrfPlacement {
    /// A select list or its ORDER BY: the calls found so far. A call is planned as
    /// [`Expr::SetFunctionRef`] to its position here.
    SelectList(Vec<SetCall>),
    /// A clause where PostgreSQL refuses them: 0A000 `set-returning functions are not
    /// allowed in <clause>`.
    Forbidden(&'static str),
    /// The arguments of a function in FROM: 0A000 `set-returning functions must appear at
    /// top level of FROM`.
    FromArguments,
    /// The argument of an aggregate call.
    AggregateArgument,
    /// Where PostgreSQL runs them but dsql does not: 0A000 `set-returning functions are not
    /// supported in <what>`.
    Unsupported(&'static str),
}

/// The set-returning function called `name`, if it is one.
pub(super) fn set_function(name: &str) -> Option<SetFunc> {
    match name {
        "generate_series" => Some(SetFunc::GenerateSeries),
        _ => None,
    }
}

impl Planner<'_> {
    /// Plans the rest of an expression with set-returning functions placed as `placement`
    /// says: the previous placement, to hand back to [`Planner::restore_srf`].
    pub(super) fn place_srf(&mut self, placement: SrfPlacement) -> SrfPlacement {
        std::mem::replace(&mut self.srf, placement)
    }

    /// Goes back to an earlier placement of set-returning functions: the calls collected
    /// meanwhile, if the placement was a select list.
    pub(super) fn restore_srf(&mut self, saved: SrfPlacement) -> Vec<SetCall> {
        match std::mem::replace(&mut self.srf, saved) {
            SrfPlacement::SelectList(calls) => calls,
            _ => Vec::new(),
        }
    }

    /// Refuses set-returning functions inside a construct that must give one value (`CASE`,
    /// `COALESCE`) when they would otherwise be collected; a clause that refuses them
    /// already keeps its own message, as in PostgreSQL.
    pub(super) fn refuse_srf_in(&mut self, construct: &'static str) -> Option<SrfPlacement> {
        if matches!(self.srf, SrfPlacement::SelectList(_)) {
            Some(self.place_srf(SrfPlacement::Forbidden(construct)))
        } else {
            None
        }
    }

    /// Undoes [`Planner::refuse_srf_in`].
    pub(super) fn unrefuse_srf(&mut self, saved: Option<SrfPlacement>) {
        if let Some(saved) = saved {
            self.srf = saved;
        }
    }

    /// The error for a set-returning function where the current placement refuses it.
    fn srf_refusal(&self) -> Option<Error> {
        let unsupported = |m: String| Error::unsupported(m);
        match &self.srf {
            SrfPlacement::SelectList(_) => None,
            SrfPlacement::Forbidden(clause) => {
                let e = unsupported(format!(
                    "set-returning functions are not allowed in {clause}"
                ));
                Some(if matches!(*clause, "CASE" | "COALESCE") {
                    e.with_hint(LATERAL_HINT)
                } else {
                    e
                })
            }
            SrfPlacement::FromArguments => Some(unsupported(
                "set-returning functions must appear at top level of FROM".into(),
            )),
            SrfPlacement::AggregateArgument => Some(
                unsupported(
                    "aggregate function calls cannot contain set-returning function calls".into(),
                )
                .with_hint(LATERAL_HINT),
            ),
            SrfPlacement::Unsupported(what) => Some(unsupported(format!(
                "set-returning functions are not supported in {what}"
            ))),
        }
    }

    /// Plans a call of the set-returning function `func` (called `name`) with `args` over
    /// `scope`. `generate_series` takes integers, bigints or numerics: its arguments are
    /// converted to the widest of their types (untyped ones take it), which its values have.
    pub(super) fn plan_set_call(
        &mut self,
        func: SetFunc,
        args: &[ast::Expr],
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<SetCall> {
        let SetFunc::GenerateSeries = func;
        // A call in a select list may not hold another (in FROM, the caller placed them).
        let saved = match self.srf {
            SrfPlacement::SelectList(_) => Some(self.place_srf(SrfPlacement::Unsupported(
                "the arguments of a set-returning function",
            ))),
            _ => None,
        };
        let result = (|| {
            let mut planned = Vec::new();
            for a in args {
                planned.push(self.plan_expr(a, scope, agg.as_deref_mut(), None)?);
            }
            let signature = || {
                let types: Vec<String> = planned.iter().map(|(_, t)| t.name()).collect();
                format!("{}({})", func.name(), types.join(", "))
            };
            let missing = || {
                Error::undefined_function(format!("function {} does not exist", signature()))
                    .with_hint(
                        "No function matches the given name and argument types. You might need to add explicit type casts.",
                    )
            };
            if !(2..=3).contains(&planned.len()) {
                return Err(missing());
            }
            let mut ty: Option<DataType> = None;
            for (_, t) in &planned {
                let t = match t {
                    DataType::Unknown => continue,
                    DataType::Int2 | DataType::Int4 => DataType::Int4,
                    DataType::Int8 => DataType::Int8,
                    DataType::Numeric(_) => DataType::Numeric(None),
                    _ => return Err(missing()),
                };
                ty = Some(match (ty, t) {
                    (None, t) => t,
                    (Some(DataType::Numeric(_)), _) | (_, DataType::Numeric(_)) => {
                        DataType::Numeric(None)
                    }
                    (Some(DataType::Int8), _) | (_, DataType::Int8) => DataType::Int8,
                    _ => DataType::Int4,
                });
            }
            let Some(ty) = ty else {
                return Err(Error::new(
                    SqlState::AMBIGUOUS_FUNCTION,
                    format!("function {} is not unique", signature()),
                )
                .with_hint(
                    "Could not choose a best candidate function. You might need to add explicit type casts.",
                ));
            };
            let mut converted = Vec::with_capacity(planned.len());
            for (a, (e, t)) in args.iter().zip(planned) {
                let (e, t) = if is_untyped(a) {
                    self.plan_expr(a, scope, agg.as_deref_mut(), Some(ty))?
                } else {
                    (e, t)
                };
                converted.push(coerce(e, t, ty, false)?);
            }
            Ok(SetCall {
                func,
                args: converted,
                data_type: ty,
            })
        })();
        self.unrefuse_srf(saved);
        result
    }

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
        if let Some(func) = set_function(&name) {
            if distinct || star {
                return Err(Error::syntax(format!(
                    "DISTINCT or * specified, but {name} is not an aggregate function"
                )));
            }
            if let Some(e) = self.srf_refusal() {
                return Err(e);
            }
            let call = self.plan_set_call(func, &args, scope, agg)?;
            let ty = call.data_type;
            let SrfPlacement::SelectList(calls) = &mut self.srf else {
                return Err(Error::internal(
                    "set-returning function outside a select list",
                ));
            };
            calls.push(call);
            return Ok((Expr::SetFunctionRef(calls.len() - 1), ty));
        }
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
                    let saved = self.place_srf(SrfPlacement::AggregateArgument);
                    let planned = self.plan_expr(a, scope, None, None);
                    self.restore_srf(saved);
                    let (e, t) = planned?;
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
        // COALESCE stops at its first non-NULL argument: PostgreSQL refuses set-returning
        // functions in it, as in CASE.
        let saved = if name == "coalesce" {
            self.refuse_srf_in("COALESCE")
        } else {
            None
        };
        let mut planned = Vec::new();
        let mut failed = None;
        for a in &args {
            match self.plan_expr(a, scope, agg.as_deref_mut(), expected) {
                Ok(p) => planned.push(p),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        self.unrefuse_srf(saved);
        if let Some(e) = failed {
            return Err(e);
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
