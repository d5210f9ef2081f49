//! `SELECT ... FOR UPDATE`: which locking clauses DSQL accepts.
//!
//! Nothing in DSQL ever waits for a lock. `FOR UPDATE` instead adds the rows read to the
//! transaction's conflict check: at COMMIT the adjudicator treats them like written keys, so
//! if another transaction committed a change to one of them after this transaction's
//! snapshot, this one fails with 40001 (OC000). That is how an application turns a write-skew
//! anomaly into a retryable conflict:
//!
//! ```text
//!   doctors: (1 alice on_call) (2 bob on_call)
//!   T1: SELECT ... WHERE id = 2 FOR UPDATE   -- bob still on call?   lock {2}
//!   T2: SELECT ... WHERE id = 1 FOR UPDATE   -- alice still on call? lock {1}
//!   T1: UPDATE ... SET on_call = false WHERE id = 1; COMMIT          ok
//!   T2: UPDATE ... SET on_call = false WHERE id = 2; COMMIT          40001: T1 wrote key 1
//! ```
//!
//! DSQL only accepts the clause where the locked rows are exactly known up front: one table,
//! with an equality predicate on every primary-key column (a point read). Everything else is
//! refused with 0A000: the clauses and the shape of the query they lock before planning
//! ([`check_statement`]), the access path and what the block computes after
//! ([`check_planned`]), both asked by the session around the planner. `NOWAIT` is accepted (nothing waits anyway); `FOR SHARE`,
//! `FOR NO KEY UPDATE` and `SKIP LOCKED` are refused. A transaction that only read (even `FOR UPDATE`) never
//! contacts the adjudicator and so never conflicts, as in DSQL.

use crate::error::{Error, Result, SqlState};
use crate::names::ident_name;
use crate::plan::{Access, InsertSource, Plan, Planned, QueryPlan, Source};
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

/// Checks every locking clause of a statement (in any of its queries) against DSQL's rules,
/// before the statement is planned: the lock strength and options, and the shape of the
/// query it locks. [`check_planned`] checks the planned statement after.
pub fn check_statement(stmt: &ast::Statement) -> Result<()> {
    struct Locks(Result<()>);
    impl ast::Visitor for Locks {
        type Break = ();
        fn pre_visit_query(&mut self, query: &ast::Query) -> ControlFlow<()> {
            if query.locks.is_empty() {
                return ControlFlow::Continue(());
            }
            let checked = match query.body.as_ref() {
                ast::SetExpr::Select(select) => check_clauses(query, select).map(|_| ()),
                _ => Err(not_allowed_with("UNION/INTERSECT/EXCEPT")),
            };
            match checked {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    self.0 = Err(e);
                    ControlFlow::Break(())
                }
            }
        }
    }
    let mut locks = Locks(Ok(()));
    let _ = ast::Visit::visit(stmt, &mut locks);
    locks.0
}

/// Checks every query block of a planned statement that locks (its subqueries too): it
/// reads one table by its full primary key, and merges no rows (aggregates, window
/// functions, set-returning functions in the select list).
pub fn check_planned(planned: &Planned) -> Result<()> {
    let mut result = Ok(());
    let mut check = |q: &QueryPlan| {
        q.blocks(&mut |b| {
            if result.is_ok() && b.for_update {
                result = check_block(b);
            }
        })
    };
    fn plan_blocks(plan: &Plan, check: &mut dyn FnMut(&QueryPlan)) {
        match plan {
            Plan::Query(q) => check(q),
            Plan::Insert(p) => {
                if let InsertSource::Query(q, _) = &p.rows {
                    check(q);
                }
            }
            Plan::Explain { inner, .. } => plan_blocks(inner, check),
            _ => {}
        }
    }
    plan_blocks(&planned.plan, &mut check);
    for sub in &planned.subqueries {
        check(&sub.query);
    }
    result
}

/// The checks of [`check_planned`] for one locking block.
fn check_block(q: &QueryPlan) -> Result<()> {
    check_access(&q.source)?;
    if q.aggregation.is_some() {
        return Err(not_allowed_with("aggregate functions"));
    }
    if q.windowing.is_some() {
        return Err(not_allowed_with("window functions"));
    }
    if !q.set_functions.is_empty() {
        return Err(not_allowed_with(
            "set-returning functions in the target list",
        ));
    }
    Ok(())
}

/// Checks the locking clauses of a SELECT against its FROM list; returns whether the query
/// locks (has `FOR UPDATE`).
fn check_clauses(query: &ast::Query, select: &ast::Select) -> Result<bool> {
    if query.locks.is_empty() {
        return Ok(false);
    }
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
    Ok(true)
}

/// Checks that a locking query reads one table by its full primary key.
fn check_access(source: &Source) -> Result<()> {
    match source {
        Source::Table {
            table,
            access: Access::Point(_),
            ..
        } if !table.primary_key.is_empty() => Ok(()),
        _ => Err(needs_key_equality()),
    }
}
