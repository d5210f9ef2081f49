//! Planning function calls through the function registry ([`crate::functions`]):
//! aggregates (with DISTINCT, `count(*)`, `FILTER (WHERE ...)` and an ORDER BY inside the
//! call), window functions (in `window.rs`), set-returning functions and scalar functions.
//! Each call's arguments are planned first; the registry
//! ([`Registry::resolve`](crate::functions::Registry::resolve)) then picks the overload their
//! types mean under PostgreSQL's rules (42883 when none fits, 42725 when several fit
//! equally), and the arguments are converted to its argument types
//! ([`Planner::resolve_call`]; untyped literals and parameters are planned again with the
//! type they take). The conditional expressions PostgreSQL's grammar owns (`COALESCE`,
//! `NULLIF`, `GREATEST`, `LEAST`) are planned here too, with their common type, but are not
//! registry functions.
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
use super::coerce::{coerce, require_bool, unify};
use super::expr::is_untyped;
use super::scope::{AggState, Scope};
use super::select::sort_key;
use super::window::{IN_AGGREGATE, WindowSlot, window_function};
use crate::error::{Error, Result, SqlState};
use crate::expr::{AggCall, Expr, Func, FuncId, SetFunc};
use crate::functions::resolve::no_such_function;
use crate::functions::{Implementation, Kind, Resolved, registry, same_type};
use crate::names::ident_name;
use crate::plan::SetCall;
use crate::types::DataType;
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
    /// A window function call: its arguments, PARTITION BY and ORDER BY.
    WindowArgument,
    /// Where PostgreSQL runs them but dsql does not: 0A000 `set-returning functions are not
    /// supported in <what>`.
    Unsupported(&'static str),
}

/// The set-returning function called `name`, if it is one.
pub(super) fn set_function(name: &str) -> Option<SetFunc> {
    match registry()
        .overloads(name)
        .first()?
        .function()
        .implementation
    {
        Implementation::SetReturning(f) => Some(f),
        _ => None,
    }
}

/// Whether `name` names an aggregate function.
pub(super) fn is_aggregate(name: &str) -> bool {
    registry().kind_of(name) == Some(Kind::Aggregate)
}

/// The function a SQL keyword calls (`current_timestamp` is `now()`, `user` is
/// `current_user`), if `name` is one of those keywords, with its result type.
pub(super) fn keyword_function(name: &str) -> Option<(FuncId, DataType)> {
    let function = match name {
        "current_timestamp" => "now",
        "user" => "current_user",
        "current_user" | "session_user" | "current_schema" => name,
        _ => return None,
    };
    let id = registry().exact(function, &[])?;
    match id.function().returns {
        crate::functions::ReturnType::Fixed(t) => Some((id, t)),
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
            SrfPlacement::WindowArgument => Some(
                unsupported(
                    "window function calls cannot contain set-returning function calls".into(),
                )
                .with_hint(LATERAL_HINT),
            ),
            SrfPlacement::Unsupported(what) => Some(unsupported(format!(
                "set-returning functions are not supported in {what}"
            ))),
        }
    }

    /// Plans a call of the set-returning function `func` with `args` over `scope`: the
    /// overload its arguments' types resolve to (`generate_series(integer, bigint)` is
    /// `generate_series(bigint, bigint)`), its arguments converted to it.
    pub(super) fn plan_set_call(
        &mut self,
        func: SetFunc,
        args: &[ast::Expr],
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<SetCall> {
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
            let (resolved, args) =
                self.resolve_call(func.name(), args, planned, scope, agg.as_deref_mut())?;
            Ok(SetCall {
                func,
                args,
                data_type: resolved.returns,
            })
        })();
        self.unrefuse_srf(saved);
        result
    }

    /// Plans the operands of an operator or grammar form that is a function call
    /// (`TRIM(... FROM ...)`, `&`, `~`), each without an expected type.
    pub(super) fn plan_operands(
        &mut self,
        operands: &[ast::Expr],
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<Vec<(Expr, DataType)>> {
        operands
            .iter()
            .map(|operand| self.plan_expr(operand, scope, agg.as_deref_mut(), None))
            .collect()
    }

    /// Calls `name` on `operands` already planned as `planned`: the resolved overload's call
    /// and its result type.
    pub(super) fn call_planned(
        &mut self,
        name: &str,
        operands: &[ast::Expr],
        planned: Vec<(Expr, DataType)>,
        scope: &Scope,
        agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        let (resolved, args) = self.resolve_call(name, operands, planned, scope, agg)?;
        Ok((Expr::Call(resolved.id, args), resolved.returns))
    }

    /// Resolves a call of `name` whose arguments `asts` were planned as `planned` (see
    /// [`Registry::resolve`](crate::functions::Registry::resolve)) and converts them to the
    /// overload's argument types. An untyped argument (a string literal, NULL, a parameter)
    /// is planned again with the type it takes, so that a parameter gets its type.
    pub(super) fn resolve_call(
        &mut self,
        name: &str,
        asts: &[ast::Expr],
        planned: Vec<(Expr, DataType)>,
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<(Resolved, Vec<Expr>)> {
        let types: Vec<DataType> = planned.iter().map(|(_, t)| *t).collect();
        let resolved = registry().resolve(name, &types)?;
        let mut args = Vec::with_capacity(planned.len());
        for ((a, (e, t)), want) in asts.iter().zip(planned).zip(&resolved.arg_types) {
            let want = *want;
            let (e, t) = if t == DataType::Unknown && want != DataType::Unknown && is_untyped(a) {
                self.plan_expr(a, scope, agg.as_deref_mut(), Some(want))?
            } else {
                (e, t)
            };
            args.push(if same_type(t, want) {
                e
            } else {
                coerce(e, t, want, false)?
            });
        }
        Ok((resolved, args))
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
        if !f.within_group.is_empty() {
            return Err(Error::unsupported(format!(
                "{name}: WITHIN GROUP is not supported yet"
            )));
        }
        let (args, distinct, star, order_by) = match &f.args {
            ast::FunctionArguments::None => (vec![], false, false, vec![]),
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
                let mut order_by = Vec::new();
                for clause in &list.clauses {
                    match clause {
                        ast::FunctionArgumentClause::OrderBy(keys) => {
                            order_by.extend(keys.iter().cloned())
                        }
                        other => {
                            return Err(Error::unsupported(format!(
                                "{other} in a function call is not supported"
                            )));
                        }
                    }
                }
                (args, distinct, star, order_by)
            }
        };
        // `current_timestamp()` and `user()` are the keywords' functions.
        let name = match keyword_function(&name) {
            Some((id, _)) if args.is_empty() && !star => id.name().to_string(),
            _ => name,
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
        let kind = registry().kind_of(&name);
        let is_aggregate = kind == Some(Kind::Aggregate);
        if f.over.is_some() {
            if kind.is_none() {
                // As PostgreSQL: an unknown function is reported as such.
                let mut types = Vec::new();
                for a in &args {
                    types.push(self.plan_expr(a, scope, agg.as_deref_mut(), None)?.1);
                }
                return Err(no_such_function(&name, &types));
            }
            if !is_aggregate && window_function(&name).is_none() {
                return Err(Error::new(
                    SqlState::WRONG_OBJECT_TYPE,
                    format!(
                        "OVER specified, but {name} is not a window function nor an aggregate function"
                    ),
                ));
            }
            return self.plan_window_call(
                &name,
                f,
                &args,
                star,
                distinct,
                !order_by.is_empty(),
                scope,
                agg,
            );
        }
        if window_function(&name).is_some() {
            return Err(Error::new(
                SqlState::WRONG_OBJECT_TYPE,
                format!("window function {name} requires an OVER clause"),
            ));
        }
        if is_aggregate {
            let Some(state) = agg else {
                return Err(Error::new(
                    SqlState::GROUPING_ERROR,
                    "aggregate functions are not allowed in this context",
                ));
            };
            // Nothing inside an aggregate call may call a window function.
            let slot = std::mem::replace(&mut self.windows, WindowSlot::NotAllowed(IN_AGGREGATE));
            let call =
                self.plan_aggregate(&name, f, &args, star, distinct, order_by, scope, &mut None);
            self.windows = slot;
            let call = call?;
            let result_type = call.result_type;
            let index = state.groups.len() + state.aggs.len();
            state.aggs.push(call);
            return Ok((Expr::AggRef(index), result_type));
        }
        if f.filter.is_some() {
            return Err(Error::new(
                SqlState::WRONG_OBJECT_TYPE,
                format!("FILTER specified, but {name} is not an aggregate function"),
            ));
        }
        if !order_by.is_empty() {
            return Err(Error::new(
                SqlState::WRONG_OBJECT_TYPE,
                format!("ORDER BY specified, but {name} is not an aggregate function"),
            ));
        }
        if distinct || star {
            return Err(Error::syntax(format!(
                "DISTINCT or * specified, but {name} is not an aggregate function"
            )));
        }
        if matches!(name.as_str(), "coalesce" | "greatest" | "least" | "nullif") {
            return self.plan_conditional(&name, &args, scope, agg, expected);
        }
        let mut planned = Vec::new();
        for a in &args {
            planned.push(self.plan_expr(a, scope, agg.as_deref_mut(), None)?);
        }
        let (resolved, converted) = self.resolve_call(&name, &args, planned, scope, agg)?;
        Ok(match resolved.id.function().implementation {
            Implementation::Planning(answer) => {
                (Expr::Literal(answer(&resolved.arg_types)), resolved.returns)
            }
            _ => (Expr::Call(resolved.id, converted), resolved.returns),
        })
    }

    /// Plans `COALESCE`, `GREATEST`, `LEAST` or `NULLIF` (`name`): conditional expressions of
    /// PostgreSQL's grammar, not registry functions, over the common type of their arguments.
    fn plan_conditional(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        scope: &Scope,
        mut agg: Option<&mut AggState>,
        expected: Option<DataType>,
    ) -> Result<(Expr, DataType)> {
        // COALESCE stops at its first non-NULL argument: PostgreSQL refuses set-returning
        // functions in it, as in CASE.
        let saved = if name == "coalesce" {
            self.refuse_srf_in("COALESCE")
        } else {
            None
        };
        let mut planned = Vec::new();
        let mut failed = None;
        for a in args {
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
        let func = match name {
            "coalesce" => Func::Coalesce,
            "greatest" => Func::Greatest,
            "least" => Func::Least,
            _ => Func::NullIf,
        };
        Ok((Expr::Func(func, args), ty))
    }

    /// Plans an aggregate call: its argument (for `string_agg` also the delimiter), FILTER
    /// and ORDER BY, over the rows it aggregates. `agg` is how those expressions see the row:
    /// `None` for an ordinary aggregate, which reads source rows (and may not contain
    /// another), the query's aggregation for an aggregate over a window frame, which reads
    /// the grouped row.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn plan_aggregate(
        &mut self,
        name: &str,
        f: &ast::Function,
        args: &[ast::Expr],
        star: bool,
        distinct: bool,
        order_by: Vec<ast::OrderByExpr>,
        scope: &Scope,
        agg: &mut Option<&mut AggState>,
    ) -> Result<AggCall> {
        let windowed = f.over.is_some();
        let nested = |e: &ast::Expr| -> Result<()> {
            if !windowed && contains_aggregate(e) {
                return Err(Error::new(
                    SqlState::GROUPING_ERROR,
                    "aggregate function calls cannot be nested",
                ));
            }
            Ok(())
        };
        let mut planned = Vec::new();
        for a in args {
            nested(a)?;
            let saved = self.place_srf(if windowed {
                SrfPlacement::WindowArgument
            } else {
                SrfPlacement::AggregateArgument
            });
            let planned_arg = self.plan_expr(a, scope, agg.as_deref_mut(), None);
            self.restore_srf(saved);
            planned.push(planned_arg?);
        }
        // `count()` is `count(*)`'s overload, called only with the star.
        if planned.is_empty() && !star && registry().exact(name, &[]).is_some() {
            return Err(Error::new(
                SqlState::WRONG_OBJECT_TYPE,
                format!("{name}(*) must be used to call a parameterless aggregate function"),
            ));
        }
        let saved = self.place_srf(SrfPlacement::AggregateArgument);
        let resolved = self.resolve_call(name, args, planned, scope, agg.as_deref_mut());
        self.restore_srf(saved);
        let (resolved, converted) = resolved?;
        let Implementation::Aggregate(func) = resolved.id.function().implementation else {
            return Err(Error::internal("not an aggregate function"));
        };
        let mut converted = converted.into_iter();
        let arg = converted.next();
        let delimiter = converted.next();
        let arg_type = resolved
            .arg_types
            .first()
            .copied()
            .unwrap_or(DataType::Int8);
        let result_type = resolved.returns;
        let filter = match &f.filter {
            None => None,
            Some(c) => {
                if contains_aggregate(c) {
                    return Err(Error::new(
                        SqlState::GROUPING_ERROR,
                        "aggregate functions are not allowed in FILTER",
                    ));
                }
                let (e, t) = self.plan_expr(c, scope, agg.as_deref_mut(), Some(DataType::Bool))?;
                Some(require_bool(e, t, "FILTER")?)
            }
        };
        if distinct {
            let texts: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            if order_by
                .iter()
                .any(|o| !texts.contains(&o.expr.to_string()))
            {
                return Err(Error::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                ));
            }
        }
        let mut keys = Vec::new();
        for o in &order_by {
            nested(&o.expr)?;
            let (e, _) = self.plan_expr(&o.expr, scope, agg.as_deref_mut(), None)?;
            keys.push(sort_key(e, o));
        }
        Ok(AggCall {
            func,
            arg,
            arg_type,
            result_type,
            distinct,
            delimiter,
            filter,
            order_by: keys,
        })
    }
}

/// Whether an expression calls an aggregate function (`count`, `sum`, `avg`, `min`,
/// `max`, `string_agg`, `bool_and`, `bool_or`, `every`) anywhere inside it without an OVER
/// clause, outside its subqueries (which aggregate on their own).
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
                // An aggregate over a window is not one of the query's aggregates (its
                // arguments, visited next, may hold some).
                if f.over.is_none() && is_aggregate(&name) {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        }
    }
    e.visit(&mut Finder(0)).is_break()
}
