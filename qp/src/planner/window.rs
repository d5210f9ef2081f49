//! Planning window function calls: `f(args) OVER (PARTITION BY ... ORDER BY ... frame)`,
//! `OVER w` and `OVER (w ...)` with the query's named windows (`WINDOW w AS (...)`).
//!
//! Window functions may be called only in a query block's select list and ORDER BY (and
//! DISTINCT ON): elsewhere they are 42P20 `window functions are not allowed in WHERE` (or
//! GROUP BY, HAVING, ...), inside an aggregate's arguments 42803 and inside another window
//! call 42P20, as in PostgreSQL. [`WindowSlot`] tells which applies to the expression being
//! planned. A call's arguments, PARTITION BY and ORDER BY are planned over the row the window
//! stage reads, which in an aggregated query is the grouped row, so `rank() OVER (ORDER BY
//! sum(x))` ranks groups. Each call becomes a [`WindowCall`] and is planned as a reference to
//! its result column, first numbered by call; [`Planner::finish_windows`] turns the numbers
//! into positions once the width of the row the calls read is known.

use super::Planner;
use super::coerce::coerce;
use super::functions::SrfPlacement;
use super::scope::{AggState, Scope};
use super::select::sort_key;
use crate::error::{Error, Result, SqlState};
use crate::expr::Expr;
use crate::functions::{Implementation, registry};
use crate::names::ident_name;
use crate::plan::{
    FrameBound, FrameUnits, SortKey, WindowCall, WindowFrame, WindowFunc, WindowOrder, Windowing,
};
use crate::types::DataType;
use sqlparser::ast;

/// Whether window functions may be called where the planner is, and the calls so far.
#[derive(Debug)]
pub(super) enum WindowSlot {
    /// In a query block's select list or ORDER BY: the calls found so far.
    Allowed(WindowCalls),
    /// Not here: the clause named by the error (`WHERE`, `GROUP BY`, ...); [`NESTED`] inside
    /// a window call, [`IN_AGGREGATE`] inside an aggregate call.
    NotAllowed(&'static str),
}

/// Inside another window function call.
pub(super) const NESTED: &str = "a window function call";
/// Inside an aggregate call.
pub(super) const IN_AGGREGATE: &str = "an aggregate function call";

impl WindowSlot {
    /// The error for a window function call here, if it is not allowed.
    fn check(&self) -> Result<()> {
        match self {
            WindowSlot::Allowed(_) => Ok(()),
            WindowSlot::NotAllowed(NESTED) => Err(Error::new(
                SqlState::WINDOWING_ERROR,
                "window function calls cannot be nested",
            )),
            WindowSlot::NotAllowed(IN_AGGREGATE) => Err(Error::new(
                SqlState::GROUPING_ERROR,
                "aggregate function calls cannot contain window function calls",
            )),
            WindowSlot::NotAllowed(clause) => Err(Error::new(
                SqlState::WINDOWING_ERROR,
                format!("window functions are not allowed in {clause}"),
            )),
        }
    }
}

/// The window calls of a query block so far.
#[derive(Debug, Default)]
pub(super) struct WindowCalls {
    /// The distinct (PARTITION BY, ORDER BY) pairs, each with the text it is told apart by.
    orders: Vec<(String, WindowOrder)>,
    /// The calls.
    calls: Vec<WindowCall>,
}

/// A named window of the query block: its resolved specification, and whether it has a
/// frame clause (then `OVER (w ...)` may not copy it).
#[derive(Clone, Debug)]
pub(super) struct NamedWindow {
    name: String,
    spec: ast::WindowSpec,
    has_frame: bool,
}

/// The window function (not an aggregate) called `name`, if there is one.
pub(super) fn window_function(name: &str) -> Option<WindowFunc> {
    match registry()
        .overloads(name)
        .first()?
        .function()
        .implementation
    {
        Implementation::Window(f) => Some(f),
        _ => None,
    }
}

impl Planner<'_> {
    /// Resolves a query block's `WINDOW` clause: each definition may build on an earlier
    /// one (`w2 AS (w1 ORDER BY x)`) under PostgreSQL's rules for copying a window.
    pub(super) fn resolve_named_windows(
        &self,
        defs: &[ast::NamedWindowDefinition],
    ) -> Result<Vec<NamedWindow>> {
        let mut named: Vec<NamedWindow> = Vec::new();
        for ast::NamedWindowDefinition(ident, expr) in defs {
            let name = ident_name(ident);
            if named.iter().any(|w| w.name == name) {
                return Err(Error::new(
                    SqlState::WINDOWING_ERROR,
                    format!("window \"{name}\" is already defined"),
                ));
            }
            let spec = match expr {
                ast::NamedWindowExpr::WindowSpec(spec) => copy_window(&named, spec, false)?,
                ast::NamedWindowExpr::NamedWindow(base) => {
                    lookup(&named, &ident_name(base))?.spec.clone()
                }
            };
            named.push(NamedWindow {
                name,
                has_frame: spec.window_frame.is_some(),
                spec,
            });
        }
        Ok(named)
    }

    /// Plans a window function call (`f` has an OVER clause): the reference to its result and
    /// its type. `args` are the call's arguments; `distinct` and `ordered` say whether it had
    /// DISTINCT or an ORDER BY inside the parentheses.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn plan_window_call(
        &mut self,
        name: &str,
        f: &ast::Function,
        args: &[ast::Expr],
        star: bool,
        distinct: bool,
        ordered: bool,
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        self.windows.check()?;
        let func = window_function(name);
        if distinct {
            return Err(Error::unsupported(
                "DISTINCT is not implemented for window functions",
            ));
        }
        if ordered {
            return Err(Error::unsupported(
                "aggregate ORDER BY is not implemented for window functions",
            ));
        }
        if func.is_some() && f.filter.is_some() {
            return Err(Error::unsupported(
                "FILTER is not implemented for non-aggregate window functions",
            ));
        }
        let spec = match &f.over {
            Some(ast::WindowType::NamedWindow(w)) => {
                lookup(&self.named_windows, &ident_name(w))?.spec.clone()
            }
            Some(ast::WindowType::WindowSpec(spec)) => {
                copy_window(&self.named_windows, spec, true)?
            }
            None => return Err(Error::internal("window call without OVER")),
        };
        // Nothing inside the call may call a window function.
        let calls = match std::mem::replace(&mut self.windows, WindowSlot::NotAllowed(NESTED)) {
            WindowSlot::Allowed(calls) => calls,
            WindowSlot::NotAllowed(_) => return Err(Error::internal("window slot lost")),
        };
        // Window functions are computed before the select list's set-returning functions,
        // so none may sit inside a window call.
        let saved_srf = self.place_srf(SrfPlacement::WindowArgument);
        let planned = self.plan_window_parts(func, name, f, args, star, &spec, scope, &mut agg);
        self.restore_srf(saved_srf);
        let mut calls = calls;
        let result = planned.map(|(call, partition_by, order_by, ty)| {
            let key = format!("{partition_by:?} {order_by:?}");
            let order = match calls.orders.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    calls.orders.push((
                        key,
                        WindowOrder {
                            partition_by,
                            order_by,
                        },
                    ));
                    calls.orders.len() - 1
                }
            };
            calls.calls.push(WindowCall { order, ..call });
            (Expr::WindowRef(calls.calls.len() - 1), ty)
        });
        self.windows = WindowSlot::Allowed(calls);
        result
    }

    /// Plans a window call's function, arguments, PARTITION BY, ORDER BY and frame: the call
    /// (its `order` not yet set), the PARTITION BY and ORDER BY, and the result type.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn plan_window_parts(
        &mut self,
        func: Option<WindowFunc>,
        name: &str,
        f: &ast::Function,
        args: &[ast::Expr],
        star: bool,
        spec: &ast::WindowSpec,
        scope: &Scope,
        agg: &mut Option<&mut AggState>,
    ) -> Result<(WindowCall, Vec<Expr>, Vec<SortKey>, DataType)> {
        // A window call in the window's definition has its own message.
        self.windows = WindowSlot::NotAllowed("window definitions");
        let mut partition_by = Vec::new();
        let mut order_by = Vec::new();
        let mut order_types = Vec::new();
        let mut define = || -> Result<()> {
            for e in &spec.partition_by {
                partition_by.push(self.plan_folded(e, scope, agg.as_deref_mut(), None)?.0);
            }
            for o in &spec.order_by {
                let (e, ty) = self.plan_folded(&o.expr, scope, agg.as_deref_mut(), None)?;
                order_by.push(sort_key(e, o));
                order_types.push(ty);
            }
            Ok(())
        };
        let defined = define();
        self.windows = WindowSlot::NotAllowed(NESTED);
        defined?;
        let frame = self.plan_frame(spec.window_frame.as_ref(), &order_types)?;
        let Some(_) = func else {
            // An aggregate over the frame.
            let call = self.plan_aggregate(name, f, args, star, false, vec![], scope, agg)?;
            let ty = call.result_type;
            return Ok((
                WindowCall {
                    func: WindowFunc::Aggregate,
                    args: vec![],
                    agg: Some(call),
                    order: 0,
                    frame,
                    result_type: ty,
                },
                partition_by,
                order_by,
                ty,
            ));
        };
        if star {
            return Err(Error::syntax(format!(
                "DISTINCT or * specified, but {name} is not an aggregate function"
            )));
        }
        let mut planned = Vec::new();
        for a in args {
            planned.push(self.plan_expr(a, scope, agg.as_deref_mut(), None)?);
        }
        let (resolved, args) = self.resolve_call(name, args, planned, scope, agg.as_deref_mut())?;
        let Implementation::Window(func) = resolved.id.function().implementation else {
            return Err(Error::internal("not a window function"));
        };
        let ty = resolved.returns;
        Ok((
            WindowCall {
                func,
                args,
                agg: None,
                order: 0,
                frame,
                result_type: ty,
            },
            partition_by,
            order_by,
            ty,
        ))
    }

    /// Plans a frame clause (`None`: PostgreSQL's default, `RANGE UNBOUNDED PRECEDING`),
    /// with the checks PostgreSQL makes (42P20); `order_types` are the types of the window's
    /// ORDER BY, which a RANGE offset is measured in.
    fn plan_frame(
        &mut self,
        frame: Option<&ast::WindowFrame>,
        order_types: &[DataType],
    ) -> Result<WindowFrame> {
        let Some(frame) = frame else {
            return Ok(WindowFrame {
                units: FrameUnits::Range,
                start: FrameBound::UnboundedPreceding,
                end: FrameBound::CurrentRow,
            });
        };
        let err = |m: &str| Error::new(SqlState::WINDOWING_ERROR, m.to_string());
        let units = match frame.units {
            ast::WindowFrameUnits::Rows => FrameUnits::Rows,
            ast::WindowFrameUnits::Range => FrameUnits::Range,
            ast::WindowFrameUnits::Groups => FrameUnits::Groups,
        };
        use ast::WindowFrameBound as B;
        let start = &frame.start_bound;
        let end = frame.end_bound.as_ref().unwrap_or(&B::CurrentRow);
        if matches!(start, B::Following(None)) {
            return Err(err("frame start cannot be UNBOUNDED FOLLOWING"));
        }
        if matches!(end, B::Preceding(None)) {
            return Err(err("frame end cannot be UNBOUNDED PRECEDING"));
        }
        if frame.end_bound.is_none() && matches!(start, B::Following(Some(_))) {
            return Err(err(
                "frame starting from following row cannot end with current row",
            ));
        }
        if matches!(start, B::CurrentRow) && matches!(end, B::Preceding(Some(_))) {
            return Err(err(
                "frame starting from current row cannot have preceding rows",
            ));
        }
        if matches!(start, B::Following(Some(_)))
            && matches!(end, B::Preceding(Some(_)) | B::CurrentRow)
        {
            return Err(err(
                "frame starting from following row cannot have preceding rows",
            ));
        }
        let has_offset = |b: &B| matches!(b, B::Preceding(Some(_)) | B::Following(Some(_)));
        let offset_type = match units {
            FrameUnits::Range if has_offset(start) || has_offset(end) => {
                let [ty] = order_types else {
                    return Err(err(
                        "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                    ));
                };
                match ty {
                    t if t.is_integer() => DataType::Int8,
                    DataType::Numeric(_) => DataType::Numeric(None),
                    DataType::Float4 | DataType::Float8 => DataType::Float8,
                    t => {
                        return Err(Error::unsupported(format!(
                            "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
                            t.name()
                        )));
                    }
                }
            }
            FrameUnits::Groups if order_types.is_empty() => {
                return Err(err("GROUPS mode requires an ORDER BY clause"));
            }
            _ => DataType::Int8,
        };
        let mut bound = |b: &B| -> Result<FrameBound> {
            let mut offset = |e: &ast::Expr| -> Result<Expr> {
                let (e, t) = self.plan_expr(e, &Scope::default(), None, Some(offset_type))?;
                coerce(e, t, offset_type, false)
            };
            Ok(match b {
                B::CurrentRow => FrameBound::CurrentRow,
                B::Preceding(None) => FrameBound::UnboundedPreceding,
                B::Following(None) => FrameBound::UnboundedFollowing,
                B::Preceding(Some(e)) => FrameBound::Preceding(offset(e)?),
                B::Following(Some(e)) => FrameBound::Following(offset(e)?),
            })
        };
        Ok(WindowFrame {
            units,
            start: bound(start)?,
            end: bound(end)?,
        })
    }

    /// Ends planning a query block's window calls: the calls' result references become
    /// positions after the `input_width` columns of the row they read.
    pub(super) fn finish_windows(
        calls: WindowCalls,
        input_width: usize,
        exprs: &mut [&mut Expr],
    ) -> Option<Windowing> {
        if calls.calls.is_empty() {
            return None;
        }
        for e in exprs.iter_mut() {
            let taken = std::mem::replace(&mut **e, Expr::Column(0));
            **e = taken.transform(&mut |x| match x {
                Expr::WindowRef(i) => Expr::WindowRef(input_width + i),
                other => other,
            });
        }
        Some(Windowing {
            orders: calls.orders.into_iter().map(|(_, o)| o).collect(),
            calls: calls.calls,
            input_width,
        })
    }
}

/// The named window `name`, or 42704.
fn lookup<'w>(named: &'w [NamedWindow], name: &str) -> Result<&'w NamedWindow> {
    named.iter().find(|w| w.name == name).ok_or_else(|| {
        Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("window \"{name}\" does not exist"),
        )
    })
}

/// A window specification with the named window it builds on (`(w ORDER BY x)`) copied
/// in: it may add an ORDER BY when `w` has none and a frame, never a PARTITION BY; `w` must
/// have no frame. `in_over`: the specification is an OVER clause (for the hint).
fn copy_window(
    named: &[NamedWindow],
    spec: &ast::WindowSpec,
    in_over: bool,
) -> Result<ast::WindowSpec> {
    let Some(base) = &spec.window_name else {
        return Ok(spec.clone());
    };
    let base_name = ident_name(base);
    let w = lookup(named, &base_name)?;
    let err = |m: String| Error::new(SqlState::WINDOWING_ERROR, m);
    if !spec.partition_by.is_empty() {
        return Err(err(format!(
            "cannot override PARTITION BY clause of window \"{base_name}\""
        )));
    }
    if !spec.order_by.is_empty() && !w.spec.order_by.is_empty() {
        return Err(err(format!(
            "cannot override ORDER BY clause of window \"{base_name}\""
        )));
    }
    if w.has_frame {
        let e = err(format!(
            "cannot copy window \"{base_name}\" because it has a frame clause"
        ));
        return Err(if in_over {
            e.with_hint("Omit the parentheses in this OVER clause.")
        } else {
            e
        });
    }
    Ok(ast::WindowSpec {
        window_name: None,
        partition_by: w.spec.partition_by.clone(),
        order_by: if spec.order_by.is_empty() {
            w.spec.order_by.clone()
        } else {
            spec.order_by.clone()
        },
        window_frame: spec.window_frame.clone(),
    })
}
