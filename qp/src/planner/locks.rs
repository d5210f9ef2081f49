//! The locking clauses of a query (`FOR UPDATE`, `FOR SHARE`, ...) against DSQL's rules,
//! checked as the planner meets each query that has one: the lock strength and options, and
//! the shape of the query they lock (one table, no DISTINCT, GROUP BY or HAVING). What the
//! planned block reads and computes is checked after planning (`crate::locking`).

use crate::error::{Error, Result, SqlState};
use crate::names::ident_name;
use sqlparser::ast;
use std::ops::ControlFlow;

/// DSQL's refusal of a locking clause whose rows are not fixed by the primary key.
pub fn needs_key_equality() -> Error {
    Error::unsupported(
        "locking clause such as FOR UPDATE can be applied only on tables with equality predicates on the key",
    )
}

/// DSQL's refusal of a locking clause over joins or derived tables.
pub fn needs_single_table() -> Error {
    Error::unsupported("locking clause such as FOR UPDATE can be applied on a single table")
}

/// DSQL's refusal of a lock strength it does not offer (`FOR SHARE`, `FOR NO KEY UPDATE`).
pub fn unsupported_strength() -> Error {
    Error::unsupported("locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported")
}

/// PostgreSQL's refusal of FOR UPDATE combined with a clause that merges rows.
pub fn not_allowed_with(what: &str) -> Error {
    Error::unsupported(format!("FOR UPDATE is not allowed with {what}"))
}

/// Checks the locking clauses of `query` (nothing to check if it has none). Every query the
/// planner plans is checked as it is planned; the WITH queries of a statement are checked
/// whole when they come into scope ([`check_nested`]), since one no query refers to is
/// never planned.
pub(super) fn check_query(query: &ast::Query) -> Result<()> {
    if query.locks.is_empty() {
        return Ok(());
    }
    match query.body.as_ref() {
        ast::SetExpr::Select(select) => check_clauses(query, select),
        _ => Err(not_allowed_with("UNION/INTERSECT/EXCEPT")),
    }
}

/// Checks the locking clauses of `query` and of every query nested in it.
pub(super) fn check_nested(query: &ast::Query) -> Result<()> {
    struct Locks(Result<()>);
    impl ast::Visitor for Locks {
        type Break = ();
        fn pre_visit_query(&mut self, query: &ast::Query) -> ControlFlow<()> {
            match check_query(query) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    self.0 = Err(e);
                    ControlFlow::Break(())
                }
            }
        }
    }
    let mut locks = Locks(Ok(()));
    let _ = ast::Visit::visit(query, &mut locks);
    locks.0
}

/// Checks the locking clauses of a SELECT against its FROM list.
fn check_clauses(query: &ast::Query, select: &ast::Select) -> Result<()> {
    for lock in &query.locks {
        if lock.lock_type != ast::LockType::Update {
            return Err(unsupported_strength());
        }
        if matches!(lock.nonblock, Some(ast::NonBlock::SkipLocked)) {
            return Err(Error::unsupported(
                "locking clause option SKIP LOCKED is not supported",
            ));
        }
    }
    let table = match select.from.as_slice() {
        [] => return Err(needs_key_equality()),
        [twj] if twj.joins.is_empty() => match &twj.relation {
            ast::TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let alias = alias.as_ref().map(|a| ident_name(&a.name));
                let table = name.0.last().and_then(|p| p.as_ident()).map(ident_name);
                alias.or(table).unwrap_or_default()
            }
            _ => return Err(needs_single_table()),
        },
        _ => return Err(needs_single_table()),
    };
    for lock in &query.locks {
        if let Some(of) = &lock.of {
            let named = of.0.last().and_then(|p| p.as_ident()).map(ident_name);
            if named.as_deref() != Some(table.as_str()) {
                return Err(Error::new(
                    SqlState::UNDEFINED_TABLE,
                    format!(
                        "relation \"{}\" in FOR UPDATE clause not found in FROM clause",
                        named.unwrap_or_else(|| of.to_string())
                    ),
                ));
            }
        }
    }
    if select.distinct.is_some() {
        return Err(not_allowed_with("DISTINCT clause"));
    }
    if !matches!(&select.group_by, ast::GroupByExpr::Expressions(e, _) if e.is_empty()) {
        return Err(not_allowed_with("GROUP BY clause"));
    }
    if select.having.is_some() {
        return Err(not_allowed_with("HAVING clause"));
    }
    Ok(())
}
