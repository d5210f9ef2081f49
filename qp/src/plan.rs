//! Plans: what the planner produces and the executor runs.
//!
//! A plan is independent of parameter values, so a prepared statement plans once per catalog
//! version and executes many times with different parameters.

use crate::catalog::TableDef;
use crate::catalog::defs::{Grantee, Object, Privilege};
use crate::expr::{AggCall, Expr};
use crate::parse::AwsIam;
use crate::value::DataType;
use std::sync::Arc;

/// Result columns: (name, type).
pub type Columns = Vec<(String, DataType)>;

/// A planned statement with its parameter and result types.
#[derive(Debug)]
pub struct Planned {
    /// What to do.
    pub plan: Plan,
    /// The type of every `$n` parameter (unresolved ones default to text).
    pub param_types: Vec<DataType>,
    /// The result columns (empty for statements that return no rows).
    pub columns: Vec<(String, DataType)>,
    /// The catalog version the plan was made with (0 when it used no catalog).
    pub catalog_version: u64,
    /// Whether the plan depends on the catalog (tables), so must be re-planned when it changes.
    pub uses_catalog: bool,
    /// The schemas unqualified names were resolved in (the session's `search_path`): a plan
    /// that uses the catalog is only valid for the same path.
    pub search_path: Vec<String>,
}

impl Planned {
    /// Whether this plan may be reused at `catalog_version` with `search_path`.
    pub fn is_valid_for(&self, catalog_version: u64, search_path: &[String]) -> bool {
        !self.uses_catalog
            || (self.catalog_version == catalog_version && self.search_path == search_path)
    }
}

/// A statement's plan.
#[derive(Debug)]
pub enum Plan {
    /// A SELECT (or VALUES).
    Query(Box<QueryPlan>),
    /// INSERT.
    Insert(InsertPlan),
    /// UPDATE.
    Update(UpdatePlan),
    /// DELETE.
    Delete(DeletePlan),
    /// CREATE TABLE.
    CreateTable {
        /// The new table (its id is assigned at execution).
        table: TableDef,
        /// `IF NOT EXISTS`
        if_not_exists: bool,
    },
    /// DROP TABLE.
    DropTable {
        /// The tables.
        names: Vec<crate::catalog::TableName>,
        /// `IF EXISTS`
        if_exists: bool,
    },
    /// `CREATE [UNIQUE] INDEX ASYNC`: records the index (building) and its build job.
    CreateIndex {
        /// The indexed table as planned.
        table: Arc<TableDef>,
        /// The new index (its id is assigned at execution).
        index: crate::index::IndexDef,
        /// `IF NOT EXISTS` was given and the name is taken: do nothing.
        skip: bool,
    },
    /// DROP INDEX: removes indexes (cancelling their build jobs).
    DropIndex {
        /// Each index to drop: the table holding it and the index name.
        targets: Vec<(Arc<TableDef>, String)>,
    },
    /// `SELECT sys.wait_for_job(id)` / `CALL sys.wait_for_job(id)`.
    WaitForJob {
        /// The job id expression (a constant or a parameter).
        job_id: Expr,
    },
    /// BEGIN / START TRANSACTION.
    Begin {
        /// `READ ONLY` (`Some(true)`) or `READ WRITE` (`Some(false)`); `None` takes
        /// `default_transaction_read_only`.
        read_only: Option<bool>,
    },
    /// COMMIT / END.
    Commit,
    /// ROLLBACK / ABORT.
    Rollback,
    /// SET name = value, SET LOCAL, RESET name (see [`crate::settings`]).
    Set {
        /// Parameter name (canonical, lower case), one DSQL allows.
        name: String,
        /// The new value as text, already validated; `None` for DEFAULT / RESET.
        value: Option<String>,
        /// `SET LOCAL`: only until the end of the current transaction.
        local: bool,
    },
    /// RESET ALL.
    ResetAll,
    /// SET TRANSACTION / SET SESSION CHARACTERISTICS AS TRANSACTION (the isolation level is
    /// already checked: only REPEATABLE READ passes).
    SetTransaction {
        /// `READ ONLY` / `READ WRITE`, if given.
        read_only: Option<bool>,
        /// `SESSION CHARACTERISTICS`: the default for later transactions.
        session: bool,
    },
    /// `SET ROLE r` (`Some`), `SET ROLE NONE` / `RESET ROLE` (`None`).
    SetRole(Option<String>),
    /// CREATE/DROP SCHEMA.
    Schema(SchemaDdl),
    /// Role statements, GRANT/REVOKE, AWS IAM GRANT/REVOKE.
    Roles(RoleDdl),
    /// `EXPLAIN [VERBOSE] statement`: the statement's plan, printed (see [`crate::explain`]);
    /// the statement is not run.
    Explain {
        /// The explained statement's plan.
        inner: Box<Plan>,
        /// `VERBOSE`: output columns and schema-qualified names too.
        verbose: bool,
    },
    /// SHOW name.
    Show {
        /// Parameter name (lower case).
        name: String,
    },
}

/// How a table is read.
#[derive(Debug, Clone)]
pub enum Access {
    /// One row: values for every primary key column.
    Point(Vec<Expr>),
    /// A key range: equality on a prefix of the primary key and optional bounds on the next
    /// primary key column.
    Range {
        /// Values for the leading primary key columns.
        prefix: Vec<Expr>,
        /// Lower bound on the next column: (value, inclusive).
        lower: Option<(Expr, bool)>,
        /// Upper bound on the next column: (value, inclusive).
        upper: Option<(Expr, bool)>,
    },
    /// Through a valid secondary index: equality on a prefix of its key columns and optional
    /// bounds on the next one. Rows come back in row key order, like the other paths, unless
    /// the query's [`Source::Table`] asks for index order.
    Index {
        /// The index id.
        index_id: u32,
        /// Values for the leading index key columns.
        prefix: Vec<Expr>,
        /// Lower bound on the next index column: (value, inclusive).
        lower: Option<(Expr, bool)>,
        /// Upper bound on the next index column: (value, inclusive).
        upper: Option<(Expr, bool)>,
    },
    /// Every row of the table.
    Full,
}

/// Where a query's rows come from.
#[derive(Debug)]
pub enum Source {
    /// One empty row (SELECT without FROM).
    Single,
    /// A VALUES list.
    Values(Vec<Vec<Expr>>),
    /// A table, read through an access path, in key order (descending if `reverse`).
    Table {
        /// The table.
        table: Arc<TableDef>,
        /// The access path.
        access: Access,
        /// Read in descending key order.
        reverse: bool,
        /// `Some` when an [`Access::Index`] read serves the query's ORDER BY: rows come in
        /// the index's key order (descending if `reverse`), already filtered, with each run
        /// of rows equal on these columns (the ORDER BY columns) in row key order, exactly
        /// as a stable sort of a table scan would give them. The read stops once it has
        /// enough rows for LIMIT and OFFSET. `None`: rows come in row key order.
        index_order: Option<Vec<usize>>,
        /// An [`Access::Index`] read whose index entries carry every column the query uses:
        /// rows are made from the entries (other columns NULL) instead of being read.
        index_only: bool,
    },
}

/// Grouping and aggregation of a query.
#[derive(Debug)]
pub struct Aggregation {
    /// GROUP BY expressions over the source row.
    pub group_by: Vec<Expr>,
    /// Aggregate calls. The aggregated row is `group values ++ aggregate results`.
    pub aggs: Vec<AggCall>,
    /// HAVING over the aggregated row.
    pub having: Option<Expr>,
}

/// One ORDER BY key.
#[derive(Debug)]
pub struct SortKey {
    /// The expression (over the source row, or the aggregated row).
    pub expr: Expr,
    /// Descending.
    pub desc: bool,
    /// NULLs first.
    pub nulls_first: bool,
}

/// A SELECT.
#[derive(Debug)]
pub struct QueryPlan {
    /// The rows' source.
    pub source: Source,
    /// WHERE over the source row.
    pub filter: Option<Expr>,
    /// GROUP BY / aggregates, if any.
    pub aggregation: Option<Aggregation>,
    /// The output expressions (over the source row, or the aggregated row).
    pub projections: Vec<Expr>,
    /// SELECT DISTINCT.
    pub distinct: bool,
    /// ORDER BY (empty when the source order already satisfies it).
    pub order_by: Vec<SortKey>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// OFFSET.
    pub offset: Option<Expr>,
    /// `FOR UPDATE`: the rows read are checked for conflicts at commit.
    pub for_update: bool,
}

/// An INSERT.
#[derive(Debug)]
pub struct InsertPlan {
    /// The table.
    pub table: Arc<TableDef>,
    /// Where the new rows come from.
    pub rows: InsertSource,
    /// RETURNING expressions over the new row.
    pub returning: Vec<Expr>,
}

/// The rows an INSERT inserts.
#[derive(Debug)]
pub enum InsertSource {
    /// VALUES: one expression per table column (defaults already filled in).
    Values(Vec<Vec<Expr>>),
    /// INSERT ... SELECT: the query, and for each table column either the query's output
    /// column to take or the default expression.
    Query(Box<QueryPlan>, Vec<ColumnSource>),
}

/// Where an INSERT ... SELECT takes a table column from.
#[derive(Debug)]
pub enum ColumnSource {
    /// The query's output column `i`, converted from its type.
    Output(usize, DataType),
    /// The column's default (or NULL).
    Default(Expr),
}

/// An UPDATE.
#[derive(Debug)]
pub struct UpdatePlan {
    /// The table.
    pub table: Arc<TableDef>,
    /// How rows are found.
    pub access: Access,
    /// WHERE.
    pub filter: Option<Expr>,
    /// (column index, new value over the old row).
    pub assignments: Vec<(usize, Expr)>,
    /// RETURNING over the new row.
    pub returning: Vec<Expr>,
}

/// A DELETE.
#[derive(Debug)]
pub struct DeletePlan {
    /// The table.
    pub table: Arc<TableDef>,
    /// How rows are found.
    pub access: Access,
    /// WHERE.
    pub filter: Option<Expr>,
    /// RETURNING over the deleted row.
    pub returning: Vec<Expr>,
}

/// A planned schema statement.
#[derive(Debug)]
pub enum SchemaDdl {
    /// `CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role]`
    Create {
        /// The new schema.
        name: String,
        /// The owner named by `AUTHORIZATION`, if any (else the creating role).
        owner: Option<String>,
        /// `IF NOT EXISTS`
        if_not_exists: bool,
    },
    /// `DROP SCHEMA [IF EXISTS] name, ... [CASCADE | RESTRICT]`
    Drop {
        /// The schemas.
        names: Vec<String>,
        /// `IF EXISTS`
        if_exists: bool,
        /// `CASCADE`: drop the schemas' tables too.
        cascade: bool,
    },
}

/// A planned role statement.
#[derive(Debug)]
pub enum RoleDdl {
    /// `CREATE ROLE name [WITH] [LOGIN | NOLOGIN]`, `CREATE USER name` (LOGIN).
    Create {
        /// The new role.
        name: String,
        /// `LOGIN`
        login: bool,
        /// `IF NOT EXISTS`
        if_not_exists: bool,
    },
    /// `ALTER ROLE name [WITH] LOGIN | NOLOGIN`
    Alter {
        /// The role.
        name: String,
        /// The new LOGIN attribute.
        login: bool,
    },
    /// `DROP ROLE [IF EXISTS] name, ...`
    Drop {
        /// The roles.
        names: Vec<String>,
        /// `IF EXISTS`
        if_exists: bool,
    },
    /// `GRANT privileges ON objects TO grantees`, or `REVOKE ... FROM` when `grant` is false.
    Privileges {
        /// GRANT (true) or REVOKE (false).
        grant: bool,
        /// The privileges, each valid for every target.
        privileges: Vec<Privilege>,
        /// The objects, resolved when planned.
        targets: Vec<Target>,
        /// The grantees.
        grantees: Vec<Grantee>,
    },
    /// `AWS IAM GRANT role TO 'arn'` or `AWS IAM REVOKE role FROM 'arn'`.
    AwsIam(AwsIam),
}

impl RoleDdl {
    /// The statement's command tag, as PostgreSQL (or DSQL, for `AWS IAM`) names it.
    pub fn command_tag(&self) -> &'static str {
        match self {
            RoleDdl::Create { .. } => "CREATE ROLE",
            RoleDdl::Alter { .. } => "ALTER ROLE",
            RoleDdl::Drop { .. } => "DROP ROLE",
            RoleDdl::Privileges { grant: true, .. } => "GRANT",
            RoleDdl::Privileges { grant: false, .. } => "REVOKE",
            RoleDdl::AwsIam(iam) if iam.grant => "AWS IAM GRANT",
            RoleDdl::AwsIam(_) => "AWS IAM REVOKE",
        }
    }
}

/// An object named in GRANT or REVOKE.
#[derive(Debug, Clone)]
pub struct Target {
    /// The object.
    pub object: Object,
    /// Its owner.
    pub owner: String,
    /// `table t` or `schema s`, for messages.
    pub kind: &'static str,
    /// The name as messages show it.
    pub name: String,
}
