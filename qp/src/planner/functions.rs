//! Planning function calls: aggregates (`count`, `sum`, `avg`, `min`, `max`, `string_agg`,
//! `bool_and` / `every`, `bool_or`, with DISTINCT, `count(*)`, `FILTER (WHERE ...)` and an
//! ORDER BY inside the call), window functions (in `window.rs`) and the scalar functions
//! dsql evaluates (`now`, `lower`, `round`, `coalesce`, ...).
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
use crate::expr::{AggCall, AggFunc, Expr, Func, SetFunc};
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
        let is_aggregate = aggregate_function(&name, star).is_some();
        if f.over.is_some() {
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
        let func = aggregate_function(name, star)
            .ok_or_else(|| Error::internal("not an aggregate function"))?;
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
        let mut written_types = Vec::new();
        for a in args {
            nested(a)?;
            let saved = self.place_srf(if windowed {
                SrfPlacement::WindowArgument
            } else {
                SrfPlacement::AggregateArgument
            });
            let planned_arg = self.plan_expr(a, scope, agg.as_deref_mut(), None);
            self.restore_srf(saved);
            let (e, t) = planned_arg?;
            written_types.push((Expr::Literal(crate::types::Value::Null), t));
            planned.push((
                e,
                if t == DataType::Unknown {
                    DataType::Text
                } else {
                    t
                },
            ));
        }
        let wrong_arity = || {
            Error::undefined_function(format!(
                "function {name} with {} arguments does not exist",
                args.len()
            ))
        };
        let no_such = |planned: &[(Expr, DataType)]| {
            let types: Vec<String> = planned.iter().map(|(_, t)| t.name()).collect();
            Error::undefined_function(format!(
                "function {name}({}) does not exist",
                types.join(", ")
            ))
        };
        let (arg, arg_type, delimiter) = match (func, planned.len()) {
            (AggFunc::CountStar, 0) => (None, DataType::Int8, None),
            (AggFunc::StringAgg, 2) => {
                let types = written_types;
                let mut it = planned.into_iter();
                let (v, vt) = it.next().expect("two arguments");
                let (d, dt) = it.next().expect("two arguments");
                let text = |e: Expr, t: DataType| {
                    if matches!(t, DataType::Text | DataType::Varchar(_) | DataType::Char(_)) {
                        coerce(e, t, DataType::Text, false).map_err(|_| no_such(&types))
                    } else {
                        Err(no_such(&types))
                    }
                };
                (Some(text(v, vt)?), DataType::Text, Some(text(d, dt)?))
            }
            (AggFunc::StringAgg, _) | (AggFunc::CountStar, _) => return Err(wrong_arity()),
            (_, 1) => {
                let (e, t) = planned.into_iter().next().expect("one argument");
                (Some(e), t, None)
            }
            _ => return Err(wrong_arity()),
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
            AggFunc::StringAgg => DataType::Text,
            AggFunc::BoolAnd | AggFunc::BoolOr => {
                if arg_type != DataType::Bool {
                    return Err(Error::undefined_function(format!(
                        "function {name}({}) does not exist",
                        arg_type.name()
                    )));
                }
                DataType::Bool
            }
        };
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

/// The aggregate function `name` names (`count(*)` when `star`).
pub(super) fn aggregate_function(name: &str, star: bool) -> Option<AggFunc> {
    Some(match name {
        "count" if star => AggFunc::CountStar,
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "string_agg" => AggFunc::StringAgg,
        "bool_and" | "every" => AggFunc::BoolAnd,
        "bool_or" => AggFunc::BoolOr,
        _ => return None,
    })
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
                if f.over.is_none() && aggregate_function(&name, false).is_some() {
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
