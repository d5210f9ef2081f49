//! Subqueries used as expressions, and column references into enclosing queries.
//!
//! A subquery is planned as a query of its own with the scope it appears in pushed onto the
//! stack of enclosing scopes (`Planner::outer`); a column its scope lacks is looked up there,
//! innermost first, and becomes [`Expr::Outer`] (`level` 1 is the query the subquery sits
//! in). The subquery's plan joins the statement's list ([`SubqueryPlan`]) and the expression
//! refers to it by index; whether any column reference inside it reached an enclosing query
//! decides whether it is correlated (run for each outer row) or not (run once).
//!
//! ```text
//! SELECT a.x FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.id = a.id)
//!   a.id inside the subquery  → Outer { level: 1, index: 1 }   correlated
//! SELECT x FROM a WHERE x IN (SELECT y FROM b)
//!   → Subquery { id: 0, link: Quantified { lhs: x, op: =, all: false } }   run once
//! ```

use super::Planner;
use super::coerce::{coerce, comparison_type};
use super::scope::{AggState, OuterScope, Scope};
use crate::error::{Error, Result, SqlState};
use crate::expr::{BinOp, Expr, SubLink};
use crate::plan::{Columns, QueryPlan, SubqueryPlan};
use crate::types::DataType;
use sqlparser::ast;

impl Planner<'_> {
    /// Resolves a column reference (`reference`, whose SQL text is matched against an
    /// enclosing query's GROUP BY expressions): in `scope`, else in the enclosing queries'
    /// scopes, innermost first.
    pub(super) fn resolve_column(
        &mut self,
        scope: &Scope,
        table: Option<&str>,
        name: &str,
        reference: &ast::Expr,
    ) -> Result<(Expr, DataType)> {
        let err = match scope.resolve_expr(table, name) {
            Ok(found) => return Ok(found),
            Err(e)
                if e.state == SqlState::UNDEFINED_COLUMN
                    || e.state == SqlState::UNDEFINED_TABLE =>
            {
                e
            }
            Err(e) => return Err(e),
        };
        for depth in (0..self.outer.len()).rev() {
            let outer = &self.outer[depth];
            let (expr, ty) = match outer.scope.resolve_expr(table, name) {
                Ok(found) => found,
                Err(e)
                    if e.state == SqlState::UNDEFINED_COLUMN
                        || e.state == SqlState::UNDEFINED_TABLE =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            };
            let level = self.outer.len() - depth;
            self.lowest_outer_ref = Some(self.lowest_outer_ref.map_or(depth, |l| l.min(depth)));
            if let Some(groups) = &outer.groups {
                let text = reference.to_string();
                return match groups.iter().position(|(g, _)| *g == text) {
                    Some(index) => Ok((Expr::Outer { level, index }, groups[index].1)),
                    None => Err(Error::new(
                        SqlState::GROUPING_ERROR,
                        format!("subquery uses ungrouped column \"{text}\" from outer query"),
                    )),
                };
            }
            return Ok((to_outer(expr, level), ty));
        }
        Err(err)
    }

    /// Plans `query` as a subquery of an expression over `scope` (grouped as `agg` says): its
    /// plan and output columns, and whether it is correlated.
    pub(super) fn plan_nested_query(
        &mut self,
        query: &ast::Query,
        scope: &Scope,
        agg: Option<&AggState>,
    ) -> Result<(QueryPlan, Columns, bool)> {
        let base = self.outer.len();
        self.outer.push(OuterScope {
            scope: scope.clone(),
            groups: agg.map(|a| a.groups.clone()),
        });
        let saved = self.lowest_outer_ref.take();
        let planned = self.plan_query(query);
        self.outer.pop();
        let lowest = self.lowest_outer_ref;
        let correlated = lowest.is_some_and(|l| l <= base);
        // References that reached past this query's scope count for the queries around it.
        self.lowest_outer_ref = match (saved, lowest.filter(|l| *l < base)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let (plan, columns) = planned?;
        Ok((plan, columns, correlated))
    }

    /// Registers a planned subquery: its id.
    pub(super) fn add_subquery(&mut self, query: QueryPlan, correlated: bool) -> usize {
        self.subqueries.push(SubqueryPlan { query, correlated });
        self.subqueries.len() - 1
    }

    /// Plans a scalar subquery `(SELECT x ...)`: one column, typed as that column.
    pub(super) fn plan_scalar_subquery(
        &mut self,
        query: &ast::Query,
        scope: &Scope,
        agg: Option<&AggState>,
    ) -> Result<(Expr, DataType)> {
        let (plan, columns, correlated) = self.plan_nested_query(query, scope, agg)?;
        let ty = one_column(&columns)?;
        let id = self.add_subquery(plan, correlated);
        Ok((
            Expr::Subquery {
                id,
                link: SubLink::Scalar,
            },
            if ty == DataType::Unknown {
                DataType::Text
            } else {
                ty
            },
        ))
    }

    /// Plans `[NOT] EXISTS (SELECT ...)`.
    pub(super) fn plan_exists(
        &mut self,
        query: &ast::Query,
        negated: bool,
        scope: &Scope,
        agg: Option<&AggState>,
    ) -> Result<(Expr, DataType)> {
        let (plan, _, correlated) = self.plan_nested_query(query, scope, agg)?;
        let id = self.add_subquery(plan, correlated);
        let exists = Expr::Subquery {
            id,
            link: SubLink::Exists,
        };
        Ok((
            if negated {
                Expr::Not(Box::new(exists))
            } else {
                exists
            },
            DataType::Bool,
        ))
    }

    /// Plans `lhs op ANY (SELECT ...)` (`all`: `op ALL`); `x IN (SELECT ...)` is `= ANY`
    /// and `x NOT IN (SELECT ...)` is `<> ALL`.
    pub(super) fn plan_quantified(
        &mut self,
        lhs: &ast::Expr,
        op: &ast::BinaryOperator,
        all: bool,
        query: &ast::Query,
        scope: &Scope,
        agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        let op = match op {
            ast::BinaryOperator::Eq => BinOp::Eq,
            ast::BinaryOperator::NotEq => BinOp::NotEq,
            ast::BinaryOperator::Lt => BinOp::Lt,
            ast::BinaryOperator::LtEq => BinOp::LtEq,
            ast::BinaryOperator::Gt => BinOp::Gt,
            ast::BinaryOperator::GtEq => BinOp::GtEq,
            other => {
                return Err(Error::unsupported(format!(
                    "operator {other} with ANY / ALL is not supported"
                )));
            }
        };
        let (mut plan, columns, correlated) =
            self.plan_nested_query(query, scope, agg.as_deref())?;
        // A quantified comparison names its own errors for a subquery of other widths.
        let sub_ty = match columns.as_slice() {
            [(_, ty)] => *ty,
            [] => return Err(Error::syntax("subquery has too few columns")),
            _ => return Err(Error::syntax("subquery has too many columns")),
        };
        let (l, lty) = self.plan_expr(lhs, scope, agg, Some(sub_ty))?;
        let common = comparison_type(lty, op.symbol(), sub_ty)?;
        let l = coerce(l, lty, common, false)?;
        if sub_ty != common {
            let projected = plan.projections.remove(0);
            plan.projections
                .insert(0, coerce(projected, sub_ty, common, false)?);
        }
        let id = self.add_subquery(plan, correlated);
        Ok((
            Expr::Subquery {
                id,
                link: SubLink::Quantified {
                    lhs: Box::new(l),
                    op,
                    operand_type: common,
                    all,
                },
            },
            DataType::Bool,
        ))
    }
}

/// The type of a subquery's one output column; 42601 when it has another number.
fn one_column(columns: &[(String, DataType)]) -> Result<DataType> {
    match columns {
        [(_, ty)] => Ok(*ty),
        [] => Err(Error::syntax("subquery must return only one column")),
        _ => Err(Error::syntax("subquery must return only one column")),
    }
}

/// An expression over an enclosing query's row, read from `level` queries out.
fn to_outer(expr: Expr, level: usize) -> Expr {
    expr.transform(&mut |e| match e {
        Expr::Column(index) => Expr::Outer { level, index },
        other => other,
    })
}
