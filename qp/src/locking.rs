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
//! refused with 0A000: the clauses and the shape of the query they lock as the planner meets
//! them (`planner/locks.rs`), the access path and what the block computes after planning
//! ([`check_planned`], asked by the session). `NOWAIT` is accepted (nothing waits anyway);
//! `FOR SHARE`, `FOR NO KEY UPDATE` and `SKIP LOCKED` are refused. A transaction that only read (even `FOR UPDATE`) never
//! contacts the adjudicator and so never conflicts, as in DSQL.

use crate::error::Result;
use crate::plan::{Access, InsertSource, Plan, Planned, QueryPlan, Source};
use crate::planner::locks::{needs_key_equality, not_allowed_with};

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
