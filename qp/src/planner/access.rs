//! Access paths: how much of a table a WHERE clause lets a statement read.
//!
//! The conjuncts of the WHERE clause are split apart (`a = 1 AND b > 2` → `a = 1`, `b > 2`)
//! and the constant bounds they put on single columns collected
//! ([`Planner::column_bounds`], in `index.rs`). With a primary key `(a, b)`:
//!
//! ```text
//! WHERE a = 1 AND b = 2   → Point [1, 2]               one row read
//! WHERE a = 1 AND b > 2   → Range prefix [1], b > 2    a key range
//! WHERE a >= 5            → Range prefix [], a >= 5
//! WHERE a BETWEEN 2 AND 4 → Range prefix [], a >= 2, a <= 4
//! WHERE b = 2             → a secondary index on b if a valid one exists, else Full
//! ```
//!
//! The WHERE clause is still evaluated in full on every row read, so the access path only
//! narrows the read and never changes the result.

use super::Planner;
use super::index::ColumnBounds;
use super::scope::Scope;
use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::expr::{BinOp, Expr};
use crate::names::ident_name;
use crate::plan::Access;
use crate::types::DataType;
use sqlparser::ast;
use std::collections::HashMap;

impl Planner<'_> {
    /// Picks the access path for a table from the conjuncts of its planned WHERE clause:
    /// the primary key when it narrows the read, else a valid secondary index, else a full
    /// scan.
    pub(super) fn access_path(&self, table: &TableDef, filter: &Expr) -> Access {
        let mut preds = Vec::new();
        super::optimize::conjuncts(Some(filter.clone()), &mut preds);
        self.typed_access(table, &preds)
    }

    /// The access path for a table from planned conjuncts over its row (a join's side, with
    /// the other side's columns as [`Expr::Outer`] references): the bounds of comparisons of
    /// a column with a row-independent value of the column's type.
    pub(super) fn typed_access(&self, table: &TableDef, conjuncts: &[Expr]) -> Access {
        let mut bounds: HashMap<usize, ColumnBounds> = HashMap::new();
        for c in conjuncts {
            let Expr::Binary {
                op,
                left,
                right,
                operand_type,
                ..
            } = c
            else {
                continue;
            };
            if !op.is_comparison() || *op == BinOp::NotEq {
                continue;
            }
            let (col, value, op) = if let Some(col) = key_column(left, table, *operand_type)
                && right.is_row_independent()
            {
                (col, right, *op)
            } else if let Some(col) = key_column(right, table, *operand_type)
                && left.is_row_independent()
            {
                let flipped = match op {
                    BinOp::Lt => BinOp::Gt,
                    BinOp::LtEq => BinOp::GtEq,
                    BinOp::Gt => BinOp::Lt,
                    BinOp::GtEq => BinOp::LtEq,
                    other => *other,
                };
                (col, left, flipped)
            } else {
                continue;
            };
            let value = (**value).clone();
            let b = bounds.entry(col).or_default();
            match op {
                BinOp::Eq => b.eq = Some(value),
                BinOp::Gt => b.lower = Some((value, false)),
                BinOp::GtEq => b.lower = Some((value, true)),
                BinOp::Lt => b.upper = Some((value, false)),
                BinOp::LtEq => b.upper = Some((value, true)),
                _ => {}
            }
        }
        self.access_from_bounds(table, &bounds)
    }

    /// The access path the bounds on a table's columns allow: the primary key when it
    /// narrows the read, else a valid secondary index, else a full scan.
    fn access_from_bounds(
        &self,
        table: &TableDef,
        bounds: &HashMap<usize, ColumnBounds>,
    ) -> Access {
        if !table.primary_key.is_empty() {
            let prefix: Vec<Expr> = table
                .primary_key
                .iter()
                .map_while(|c| bounds.get(c).and_then(|b| b.eq.clone()))
                .collect();
            if prefix.len() == table.primary_key.len() {
                return Access::Point(prefix);
            }
            let (lo, hi) = bounds
                .get(&table.primary_key[prefix.len()])
                .map(|b| (b.lower.clone(), b.upper.clone()))
                .unwrap_or_default();
            if !prefix.is_empty() || lo.is_some() || hi.is_some() {
                return Access::Range {
                    prefix,
                    lower: lo,
                    upper: hi,
                };
            }
        }
        self.index_access(table, bounds).unwrap_or(Access::Full)
    }

    /// The position and type in `scope` of the column `expr` names; an internal error when
    /// `expr` is not a plain column reference.
    pub(super) fn column_of(&self, expr: &ast::Expr, scope: &Scope) -> Result<(usize, DataType)> {
        match column_ref(expr) {
            Some((table, name)) => scope.resolve(table.as_deref(), &name),
            None => Err(Error::internal("not a column")),
        }
    }
}

/// The (table qualifier, column name) an expression names, if it is a plain column
/// reference (`c`, `t.c`, or either in parentheses).
pub(super) fn column_ref(e: &ast::Expr) -> Option<(Option<String>, String)> {
    match e {
        ast::Expr::Identifier(i) => Some((None, ident_name(i))),
        ast::Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            Some((Some(ident_name(&parts[0])), ident_name(&parts[1])))
        }
        ast::Expr::Nested(inner) => column_ref(inner),
        _ => None,
    }
}

/// Collects the conjuncts of an AND tree into `out`.
pub(super) fn split_conjuncts<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match e {
        ast::Expr::BinaryOp {
            left,
            op: ast::BinaryOperator::And,
            right,
        } => {
            split_conjuncts(left, out);
            split_conjuncts(right, out);
        }
        ast::Expr::Nested(inner) => split_conjuncts(inner, out),
        other => out.push(other),
    }
}

/// The column of `table` a comparison operand is, when the comparison (as `operand_type`)
/// compares the column's values as stored: the column itself, or an integer column widened
/// to another integer type (key encoding does not depend on the width), or a string column
/// read as text.
fn key_column(e: &Expr, table: &TableDef, operand_type: DataType) -> Option<usize> {
    let text_like = |t: DataType| matches!(t, DataType::Text | DataType::Varchar(_));
    match e {
        Expr::Column(c) => {
            let ty = table.columns.get(*c)?.data_type;
            let same = ty == operand_type
                || (ty.is_integer() && operand_type.is_integer())
                || (text_like(ty) && text_like(operand_type))
                || matches!(
                    (ty, operand_type),
                    (DataType::Numeric(_), DataType::Numeric(_))
                );
            same.then_some(*c)
        }
        Expr::Cast(inner, from, to)
            if (from.is_integer() && to.is_integer())
                || (text_like(*from) && text_like(*to))
                || matches!((from, to), (DataType::Numeric(_), DataType::Numeric(_))) =>
        {
            key_column(inner, table, *from)
        }
        _ => None,
    }
}
