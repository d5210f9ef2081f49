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
use super::scope::Scope;
use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::expr::Expr;
use crate::names::ident_name;
use crate::plan::Access;
use crate::value::DataType;
use sqlparser::ast;

impl Planner<'_> {
    /// Picks the access path for a table from the conjuncts of its WHERE clause: the primary
    /// key when it narrows the read, else a valid secondary index, else a full scan.
    pub(super) fn access_path(
        &mut self,
        table: &TableDef,
        scope: &Scope,
        where_ast: &ast::Expr,
    ) -> Result<Access> {
        let bounds = self.column_bounds(scope, where_ast, &table.primary_key)?;
        if !table.primary_key.is_empty() {
            let prefix: Vec<Expr> = table
                .primary_key
                .iter()
                .map_while(|c| bounds.get(c).and_then(|b| b.eq.clone()))
                .collect();
            if prefix.len() == table.primary_key.len() {
                return Ok(Access::Point(prefix));
            }
            let (lo, hi) = bounds
                .get(&table.primary_key[prefix.len()])
                .map(|b| (b.lower.clone(), b.upper.clone()))
                .unwrap_or_default();
            if !prefix.is_empty() || lo.is_some() || hi.is_some() {
                return Ok(Access::Range {
                    prefix,
                    lower: lo,
                    upper: hi,
                });
            }
        }
        Ok(self.index_access(table, &bounds).unwrap_or(Access::Full))
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
