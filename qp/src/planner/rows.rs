//! Row constructors in comparisons, as PostgreSQL compares them (`(a, b)` is a row):
//!
//! ```text
//! (a, b) = (c, d)            a = c AND b = d
//! (a, b) <> (c, d)           a <> c OR b <> d
//! (a, b) < (c, d)            a < c OR (a = c AND b < d)          (<=, >, >= alike)
//! (a, b) IN ((1, 2), (3, 4)) (a, b) = (1, 2) OR (a, b) = (3, 4)   NOT IN: NOT (...)
//! (a, b) IN (SELECT x, y ...)   SubLink::RowIn, compared row by row at execution
//! (a, b) < (SELECT x, y ...)     SubLink::RowCompare: with the subquery's one row, as above
//! ```
//!
//! The expansions give PostgreSQL's NULL semantics: `=` is NULL when no pair is unequal but
//! one is NULL; an ordering comparison decides at the first pair that is unequal or NULL.

use super::Planner;
use super::coerce::{coerce, comparison_type};
use super::scope::{AggState, Scope};
use crate::error::{Error, Result};
use crate::expr::{BinOp, Expr, SubLink};
use crate::types::DataType;
use sqlparser::ast;
use sqlparser::ast::BinaryOperator as Op;

/// The items of a row constructor `(a, b, ...)`.
fn row_items(e: &ast::Expr) -> Option<&[ast::Expr]> {
    match e {
        ast::Expr::Tuple(items) => Some(items),
        ast::Expr::Nested(inner) => row_items(inner),
        _ => None,
    }
}

fn binary(left: ast::Expr, op: Op, right: ast::Expr) -> ast::Expr {
    ast::Expr::BinaryOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    }
}

/// The comparison of two rows of the same length as an expression over their items.
fn expand(left: &[ast::Expr], op: &Op, right: &[ast::Expr]) -> ast::Expr {
    let pairs = left.iter().cloned().zip(right.iter().cloned());
    match op {
        Op::Eq | Op::NotEq => {
            let joiner = if *op == Op::Eq { Op::And } else { Op::Or };
            pairs
                .map(|(l, r)| binary(l, op.clone(), r))
                .reduce(|acc, e| binary(acc, joiner.clone(), e))
                .expect("rows are never empty")
        }
        _ => {
            // a op' c OR (a = c AND (rest)), from the last pair inwards, where op' is the
            // strict form of op for every pair but the last.
            let strict = match op {
                Op::LtEq => Op::Lt,
                Op::GtEq => Op::Gt,
                other => other.clone(),
            };
            let mut pairs: Vec<(ast::Expr, ast::Expr)> = pairs.collect();
            let (l, r) = pairs.pop().expect("rows are never empty");
            let mut e = binary(l, op.clone(), r);
            while let Some((l, r)) = pairs.pop() {
                let decided = binary(l.clone(), strict.clone(), r.clone());
                let tied = binary(l, Op::Eq, r);
                e = binary(
                    decided,
                    Op::Or,
                    ast::Expr::Nested(Box::new(binary(tied, Op::And, e))),
                );
            }
            e
        }
    }
}

/// PostgreSQL's error for rows of different lengths.
fn unequal_rows() -> Error {
    Error::syntax("unequal number of entries in row expressions")
}

impl Planner<'_> {
    /// Plans `ast_expr` if it compares row constructors: `None` when it does not.
    pub(super) fn plan_row_comparison(
        &mut self,
        ast_expr: &ast::Expr,
        scope: &Scope,
        agg: Option<&mut AggState>,
    ) -> Result<Option<(Expr, DataType)>> {
        match ast_expr {
            ast::Expr::BinaryOp { left, op, right } => {
                let (Some(l), r) = (row_items(left), row_items(right)) else {
                    if row_items(right).is_some() {
                        return Err(Error::unsupported(
                            "comparing a value with a row constructor is not supported",
                        ));
                    }
                    return Ok(None);
                };
                if !matches!(
                    op,
                    Op::Eq | Op::NotEq | Op::Lt | Op::LtEq | Op::Gt | Op::GtEq
                ) {
                    return Err(Error::unsupported(format!(
                        "operator {op} on row constructors is not supported"
                    )));
                }
                let Some(r) = r else {
                    return match right.as_ref() {
                        ast::Expr::Subquery(query) => {
                            self.plan_row_compare(l, op, query, scope, agg).map(Some)
                        }
                        _ => Err(Error::unsupported(
                            "comparing a row constructor with a value is not supported",
                        )),
                    };
                };
                if l.len() != r.len() {
                    return Err(unequal_rows());
                }
                let expanded = expand(l, op, r);
                self.plan_expr(&expanded, scope, agg, None).map(Some)
            }
            ast::Expr::InList {
                expr,
                list,
                negated,
            } => {
                let Some(l) = row_items(expr) else {
                    return Ok(None);
                };
                let mut any: Option<ast::Expr> = None;
                for item in list {
                    let r = row_items(item).ok_or_else(unequal_rows)?;
                    if r.len() != l.len() {
                        return Err(unequal_rows());
                    }
                    let eq = ast::Expr::Nested(Box::new(expand(l, &Op::Eq, r)));
                    any = Some(match any {
                        None => eq,
                        Some(acc) => binary(acc, Op::Or, eq),
                    });
                }
                let any = any.ok_or_else(|| Error::syntax("syntax error at or near \")\""))?;
                let (e, ty) = self.plan_expr(&any, scope, agg, None)?;
                Ok(Some((
                    if *negated { Expr::Not(Box::new(e)) } else { e },
                    ty,
                )))
            }
            ast::Expr::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                let Some(l) = row_items(expr) else {
                    return Ok(None);
                };
                self.plan_row_in(l, subquery, *negated, scope, agg)
                    .map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Plans `(a, b, ...) [NOT] IN (SELECT x, y, ...)`.
    fn plan_row_in(
        &mut self,
        items: &[ast::Expr],
        query: &ast::Query,
        negated: bool,
        scope: &Scope,
        agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        let (id, lhs, operand_types) = self.plan_row_subquery(items, "=", query, scope, agg)?;
        Ok((
            Expr::Subquery {
                id,
                link: SubLink::RowIn {
                    lhs,
                    operand_types,
                    negated,
                },
            },
            DataType::Bool,
        ))
    }

    /// Plans `(a, b, ...) op (SELECT x, y, ...)`, the subquery giving at most one row.
    fn plan_row_compare(
        &mut self,
        items: &[ast::Expr],
        op: &Op,
        query: &ast::Query,
        scope: &Scope,
        agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        let op = match op {
            Op::Eq => BinOp::Eq,
            Op::NotEq => BinOp::NotEq,
            Op::Lt => BinOp::Lt,
            Op::LtEq => BinOp::LtEq,
            Op::Gt => BinOp::Gt,
            _ => BinOp::GtEq,
        };
        let (id, lhs, operand_types) =
            self.plan_row_subquery(items, op.symbol(), query, scope, agg)?;
        Ok((
            Expr::Subquery {
                id,
                link: SubLink::RowCompare {
                    lhs,
                    operand_types,
                    op,
                },
            },
            DataType::Bool,
        ))
    }

    /// Plans the subquery a row constructor is compared with, and the row's items: the
    /// subquery's id, the items and the type each pair is compared as (the subquery's
    /// columns converted to it).
    fn plan_row_subquery(
        &mut self,
        items: &[ast::Expr],
        op: &str,
        query: &ast::Query,
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<(usize, Vec<Expr>, Vec<DataType>)> {
        let (mut plan, columns, correlated) =
            self.plan_nested_query(query, scope, agg.as_deref())?;
        if columns.len() > items.len() {
            return Err(Error::syntax("subquery has too many columns"));
        }
        if columns.len() < items.len() {
            return Err(Error::syntax("subquery has too few columns"));
        }
        let mut lhs = Vec::with_capacity(items.len());
        let mut operand_types = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let sub_ty = columns[i].1;
            let (l, lty) = self.plan_expr(item, scope, agg.as_deref_mut(), Some(sub_ty))?;
            let common = comparison_type(lty, op, sub_ty)?;
            lhs.push(coerce(l, lty, common, false)?);
            if sub_ty != common {
                let projected = std::mem::replace(&mut plan.projections[i], Expr::Param(0));
                plan.projections[i] = coerce(projected, sub_ty, common, false)?;
            }
            operand_types.push(common);
        }
        let id = self.add_subquery(plan, correlated);
        Ok((id, lhs, operand_types))
    }
}
