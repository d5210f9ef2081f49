//! The executor: runs a [`Plan`] inside a [`Transaction`].
//!
//! The executor is the only part of the QP that reads and writes rows. It reads through the
//! transaction (storage at the snapshot, overlaid with the transaction's own writes) and
//! writes into the transaction's buffer, so nothing it does is visible to others before
//! COMMIT. This file holds the dispatch on the kind of plan; the work is in
//!
//! - `read.rs`: access paths to key ranges, table reads, and the query pipeline;
//! - `relation.rs`: joins, derived tables, set operations and recursive CTEs;
//! - `subquery.rs`: running the subqueries of expressions;
//! - `aggregate.rs`: GROUP BY, aggregate functions and HAVING;
//! - `set_functions.rs`: set-returning functions, in FROM and in select lists;
//! - `write.rs`: INSERT, UPDATE, DELETE and row storage;
//! - `row_ids.rs`: [`RowIds`], the durable allocator of hidden row ids;
//! - `ddl.rs`: CREATE / DROP TABLE, the catalog version, and [`load_catalog`].
//!
//! Index, schema and role DDL run in their own modules ([`index_ddl`], [`schemas`],
//! [`roles`]).

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::expr::EvalContext;
use crate::limits::Limits;
use crate::plan::{Plan, SubqueryPlan};
use crate::txn::Transaction;
use crate::types::Value;
use crate::types::timezone::TimeZone;
use ddl::{create_table, drop_table};
use std::collections::HashMap;
use std::sync::Arc;
use write::{delete, insert, update};

mod aggregate;
mod ddl;
pub mod index_ddl;
mod read;
mod relation;
pub mod roles;
pub mod row_ids;
pub mod schemas;
mod set_functions;
mod stream;
mod subquery;
mod window;
mod write;

pub use ddl::load_catalog;
pub use read::{RowSender, run_query, stream_query, streams};
pub use row_ids::RowIds;

/// What a statement produced.
#[derive(Debug)]
pub enum Output {
    /// Rows, with the command tag's verb (`SELECT`, `INSERT 0`, `UPDATE`, `DELETE` when
    /// RETURNING was used).
    Rows {
        /// The rows.
        rows: Vec<Vec<Value>>,
        /// The command tag without the row count.
        tag: String,
    },
    /// A complete command tag (e.g. `INSERT 0 3`, `CREATE TABLE`).
    Command(String),
    /// A query's rows as it produces them, a batch at a time (or the error that stopped
    /// it), for a portal that is fetched in parts; its command tag is `SELECT`.
    Streaming(tokio::sync::mpsc::Receiver<Result<Vec<Vec<Value>>>>),
}

/// Everything a statement executes with.
pub struct ExecContext<'a> {
    /// The transaction.
    pub txn: &'a mut Transaction,
    /// The catalog the statement was planned with (the transaction's, before the statement).
    pub catalog: Arc<Catalog>,
    /// Bound parameters.
    pub params: &'a [Value],
    /// The current role (`current_user`): the session user unless `SET ROLE` changed it.
    pub user: &'a str,
    /// The role that logged in (`session_user`).
    pub session_user: &'a str,
    /// The transaction limits.
    pub limits: &'a Limits,
    /// The row id generator.
    pub row_ids: &'a RowIds,
    /// The statement's start time (`statement_timestamp()`).
    pub statement_started_at: chrono::DateTime<chrono::Utc>,
    /// The session's time zone.
    pub time_zone: TimeZone,
    /// The first existing schema of the session's `search_path` (`current_schema()`).
    pub current_schema: Option<&'a str>,
    /// The session's `search_path`, `$user` replaced.
    pub search_path: &'a [String],
    /// The statement's subqueries used as expressions ([`crate::expr::Expr::Subquery`]).
    pub subqueries: &'a [SubqueryPlan],
    /// The rows of the enclosing queries while a correlated subquery, a LATERAL item or a
    /// lookup join's inner side runs, innermost last ([`crate::expr::Expr::Outer`]).
    pub outer: Vec<Vec<Value>>,
    /// The rows of the uncorrelated subqueries run so far in this statement, by id.
    pub subquery_results: HashMap<usize, Arc<Vec<Vec<Value>>>>,
    /// The hash sets of the uncorrelated `IN` subqueries built so far, by id.
    pub subquery_sets: HashMap<usize, Arc<crate::expr::ValueSet>>,
    /// The rows of each recursive CTE's previous step while its recursive term runs.
    pub work_tables: HashMap<usize, Arc<Vec<Vec<Value>>>>,
    /// The session's parameters as the statement sees them.
    pub settings: Option<&'a dyn crate::functions::Settings>,
}

impl ExecContext<'_> {
    /// Who runs the statement, as system relations see it.
    fn session_info(&self) -> crate::catalog::system::SessionInfo<'_> {
        crate::catalog::system::SessionInfo {
            user: self.user,
            session_user: self.session_user,
            settings: self.settings,
        }
    }

    /// The context expressions are evaluated in: the bound parameters, the transaction's
    /// and statement's start times, the current and session users, the time zone and the
    /// current schema.
    fn eval_context(&self) -> EvalContext<'_> {
        EvalContext {
            params: self.params,
            now: self.txn.started_at,
            user: self.user,
            session_user: self.session_user,
            statement_started_at: self.statement_started_at,
            time_zone: self.time_zone,
            current_schema: self.current_schema,
            search_path: self.search_path,
            catalog: Some(&self.catalog),
            outer: &self.outer,
            settings: self.settings,
        }
    }
}

/// Executes a DML or query plan.
pub async fn execute(plan: &Plan, cx: &mut ExecContext<'_>) -> Result<Output> {
    match plan {
        Plan::Query(q) => Ok(Output::Rows {
            rows: run_query(q, cx).await?,
            tag: "SELECT".into(),
        }),
        Plan::Explain { inner, verbose } => Ok(Output::Rows {
            rows: crate::explain::explain(inner, cx.subqueries, *verbose)?
                .into_iter()
                .map(|line| vec![Value::Text(line)])
                .collect(),
            tag: "EXPLAIN".into(),
        }),
        Plan::Insert(p) => insert(p, cx).await,
        Plan::Update(p) => update(p, cx).await,
        Plan::Delete(p) => delete(p, cx).await,
        Plan::CreateTable {
            table,
            if_not_exists,
        } => create_table(table, *if_not_exists, cx).await,
        Plan::DropTable { names, if_exists } => drop_table(names, *if_exists, cx).await,
        Plan::CreateIndex { table, index, skip } => {
            index_ddl::create_index(table, index, *skip, cx).await
        }
        Plan::DropIndex { targets } => index_ddl::drop_index(targets, cx).await,
        Plan::Schema(ddl) => schemas::execute(ddl, cx).await,
        Plan::Roles(ddl) => roles::execute(ddl, cx).await,
        _ => Err(Error::internal("session statement given to the executor")),
    }
}
