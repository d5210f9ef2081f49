//! Plans: what the planner produces and the executor runs.
//!
//! A plan is independent of parameter values, so a prepared statement plans once per catalog
//! version and executes many times with different parameters.

use crate::catalog::TableDef;
use crate::catalog::defs::{Grantee, Object, Privilege};
use crate::catalog::system::SystemTable;
pub use crate::expr::SortKey;
use crate::expr::{AggCall, Expr, SetFunc};
use crate::parse::AwsIam;
use crate::types::DataType;
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
    /// The statement's subqueries used as expressions, indexed by [`Expr::Subquery`]'s id.
    pub subqueries: Vec<SubqueryPlan>,
}

/// A subquery used as an expression (scalar, EXISTS, IN, ANY / ALL).
#[derive(Debug)]
pub struct SubqueryPlan {
    /// The query.
    pub query: QueryPlan,
    /// Whether it reads a column of an enclosing query ([`Expr::Outer`]), so must run again
    /// for every outer row; an uncorrelated one runs once per statement.
    pub correlated: bool,
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

/// Where a query's rows come from: a tree of relations (tables, joins, subqueries...).
#[derive(Debug)]
pub enum Source {
    /// One empty row (SELECT without FROM).
    Single,
    /// A VALUES list.
    Values(Vec<Vec<Expr>>),
    /// A subquery in FROM (a derived table or a CTE's query): its output rows.
    Query(Box<Derived>),
    /// A set-returning function in FROM: one row per value it gives.
    Function(Box<FunctionScan>),
    /// The rows of a source that pass a filter (a WHERE or ON condition pushed down to one
    /// side of a join).
    Filter(Box<Source>, Expr),
    /// Two sources joined.
    Join(Box<JoinPlan>),
    /// The rows of a source with their columns moved: output column `j` is the source row's
    /// column `positions[j]`. The join order rule puts it above the joins it reorders, so the
    /// joined row keeps the layout the query was planned with.
    Permute(Box<Source>, Vec<usize>),
    /// UNION / INTERSECT / EXCEPT of two queries.
    SetOp(Box<SetOpPlan>),
    /// `WITH RECURSIVE`: a CTE's rows computed to a fixpoint.
    Recursive(Box<RecursivePlan>),
    /// The rows the recursive CTE `id` produced in its previous step (its reference inside
    /// its own recursive term).
    WorkTable {
        /// The recursive CTE's work table id.
        id: usize,
        /// The name it is read under (for EXPLAIN).
        name: String,
        /// Its column names (for EXPLAIN).
        columns: Vec<String>,
    },
    /// A system relation (`pg_catalog.pg_class`): its rows, computed from the catalog
    /// snapshot the transaction reads when the statement runs (never from the one it was
    /// planned with, so a cached plan sees later DDL).
    System {
        /// The relation.
        table: &'static dyn SystemTable,
        /// The name the query gave it in FROM, if not its own (for EXPLAIN).
        alias: Option<String>,
    },
    /// A table, read through an access path, in key order (descending if `reverse`).
    Table {
        /// The table.
        table: Arc<TableDef>,
        /// The name the query gave it in FROM, if not its own (for EXPLAIN).
        alias: Option<String>,
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

/// A query read as a relation: a derived table, a WITH query, a set operation's operand.
#[derive(Debug)]
pub struct Derived {
    /// The query.
    pub query: QueryPlan,
    /// The name it is read under (for EXPLAIN).
    pub alias: String,
    /// Its column names (for EXPLAIN).
    pub columns: Vec<String>,
}

impl Plan {
    /// Calls `f` on every expression the plan evaluates, in every query block it holds (not
    /// inside the statement's subqueries, which are [`Planned::subqueries`]).
    pub fn exprs(&self, f: &mut dyn FnMut(&Expr)) {
        let query = |q: &QueryPlan, f: &mut dyn FnMut(&Expr)| q.blocks(&mut |b| b.exprs(f));
        match self {
            Plan::Query(q) => query(q, f),
            Plan::Explain { inner, .. } => inner.exprs(f),
            Plan::Insert(p) => {
                match &p.rows {
                    InsertSource::Values(rows) => rows.iter().flatten().for_each(&mut *f),
                    InsertSource::Query(q, columns) => {
                        query(q, f);
                        for c in columns {
                            if let ColumnSource::Default(e) = c {
                                f(e);
                            }
                        }
                    }
                }
                p.returning.iter().for_each(f);
            }
            Plan::Update(p) => {
                p.access.exprs(f);
                p.filter.iter().for_each(&mut *f);
                p.assignments.iter().for_each(|(_, e)| f(e));
                p.returning.iter().for_each(f);
            }
            Plan::Delete(p) => {
                p.access.exprs(f);
                p.filter.iter().for_each(&mut *f);
                p.returning.iter().for_each(f);
            }
            _ => {}
        }
    }
}

impl Derived {
    /// `query` read under `alias`, with these output columns.
    pub fn of(query: QueryPlan, alias: &str, columns: &[(String, DataType)]) -> Derived {
        Derived {
            query,
            alias: alias.to_string(),
            columns: columns.iter().map(|c| c.0.clone()).collect(),
        }
    }
}

/// A call of a set-returning function, with its arguments converted to the types it takes.
#[derive(Debug)]
pub struct SetCall {
    /// The function.
    pub func: SetFunc,
    /// The arguments: over the query's row in a select list; in FROM, over no row (they
    /// read earlier FROM items as outer references, [`Expr::Outer`]).
    pub args: Vec<Expr>,
    /// The type of the values it gives.
    pub data_type: DataType,
}

/// Set-returning functions read as a relation: row `i` holds each call's `i`-th value
/// (NULL past a call's last value, as PostgreSQL's `ROWS FROM` and `unnest(a, b, ...)`
/// zip them), followed by its position (from 1, a `bigint`) `WITH ORDINALITY`.
#[derive(Debug)]
pub struct FunctionScan {
    /// The calls: one, or one per array of `unnest(a, b, ...)`.
    pub calls: Vec<SetCall>,
    /// `WITH ORDINALITY`
    pub ordinality: bool,
    /// The name the query gave it in FROM, if any (for EXPLAIN).
    pub alias: Option<String>,
    /// Its column names (for EXPLAIN).
    pub columns: Vec<String>,
}

/// The kind of a join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    /// Pairs that match (also CROSS JOIN and comma joins, with no condition).
    Inner,
    /// Every left row, with NULLs when nothing on the right matches.
    Left,
    /// Every right row, with NULLs when nothing on the left matches.
    Right,
    /// Every row of both sides.
    Full,
    /// The left rows some right row matches, each once; the row is the left row alone
    /// (`EXISTS` and `IN` subqueries, decorrelated).
    Semi,
    /// The left rows no right row matches; the row is the left row alone (`NOT EXISTS`).
    Anti,
}

impl JoinKind {
    /// Whether the join's row is the left row alone (semi and anti joins).
    pub fn keeps_left_only(self) -> bool {
        matches!(self, JoinKind::Semi | JoinKind::Anti)
    }
}

/// How a join finds the right rows matching a left row.
#[derive(Debug)]
pub enum JoinMethod {
    /// The right side is read once; every pair is tested against the condition.
    NestedLoop,
    /// The right side is read once into a hash table on `right_keys`; each left row looks up
    /// its `left_keys` (rows with a NULL key match nothing).
    Hash {
        /// Key expressions over the left row.
        left_keys: Vec<Expr>,
        /// Key expressions over the right row (same types as the left ones).
        right_keys: Vec<Expr>,
    },
    /// The right side is read again for every left row, with the left row as its outer row
    /// ([`Expr::Outer`] level 1): a primary key or index lookup on the join key, or a
    /// LATERAL subquery.
    Dependent,
}

/// A join of two sources; its rows are the left row's columns followed by the right's (the
/// left row's alone for semi and anti joins).
#[derive(Debug)]
pub struct JoinPlan {
    /// The kind of join.
    pub kind: JoinKind,
    /// The left side.
    pub left: Source,
    /// The right side.
    pub right: Source,
    /// The number of columns of a left row.
    pub left_width: usize,
    /// The number of columns of a right row.
    pub right_width: usize,
    /// How matching right rows are found.
    pub method: JoinMethod,
    /// The condition a pair must also pass, over the joined row.
    pub condition: Option<Expr>,
}

/// A set operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOperator {
    /// `UNION`
    Union,
    /// `INTERSECT`
    Intersect,
    /// `EXCEPT`
    Except,
}

/// `left op [ALL] right`: both sides have the output's column count and types.
#[derive(Debug)]
pub struct SetOpPlan {
    /// The operator.
    pub op: SetOperator,
    /// `ALL`: keep duplicates (counted) instead of removing them.
    pub all: bool,
    /// The left query.
    pub left: QueryPlan,
    /// The right query.
    pub right: QueryPlan,
}

/// A recursive CTE: `base UNION [ALL] step`, where `step` reads the rows of the previous
/// step as [`Source::WorkTable`] `id`, repeated until a step adds no row.
#[derive(Debug)]
pub struct RecursivePlan {
    /// The work table id the step reads.
    pub id: usize,
    /// The CTE's name (for EXPLAIN).
    pub name: String,
    /// The CTE's column names (for EXPLAIN).
    pub columns: Vec<String>,
    /// The non-recursive term.
    pub base: QueryPlan,
    /// The recursive term.
    pub step: QueryPlan,
    /// `UNION ALL` (else `UNION`: rows seen before are dropped).
    pub all: bool,
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

/// The window functions of a query: evaluated on the rows after aggregation and HAVING
/// (the rows projections see), each call's result appended to the row as one more column,
/// which projections and ORDER BY read as [`Expr::WindowRef`]:
///
/// ```text
/// SELECT g, x, rank() OVER (PARTITION BY g ORDER BY x), sum(x) OVER () FROM t
///   row (g, x)  →  (g, x, rank, sum)     WindowRef(2) is the rank, WindowRef(3) the sum
/// ```
#[derive(Debug)]
pub struct Windowing {
    /// The distinct (PARTITION BY, ORDER BY) pairs of the calls: the rows are sorted once
    /// for each, in this order.
    pub orders: Vec<WindowOrder>,
    /// The calls, in the order their results are appended to the row.
    pub calls: Vec<WindowCall>,
    /// The width of the rows the calls read (their results follow).
    pub input_width: usize,
}

/// How a window divides and orders the rows: partitions of rows equal on `partition_by`,
/// each sorted by `order_by`; rows equal on `order_by` are peers.
#[derive(Debug)]
pub struct WindowOrder {
    /// PARTITION BY expressions over the input row.
    pub partition_by: Vec<Expr>,
    /// ORDER BY keys over the input row.
    pub order_by: Vec<SortKey>,
}

impl WindowOrder {
    /// The sort the window needs: PARTITION BY ascending, then its ORDER BY.
    pub fn sort_keys(&self) -> Vec<SortKey> {
        self.partition_by
            .iter()
            .map(|e| SortKey {
                expr: e.clone(),
                desc: false,
                nulls_first: false,
            })
            .chain(self.order_by.iter().cloned())
            .collect()
    }
}

pub use crate::functions::WindowFunc;

/// The units of a window frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameUnits {
    /// `ROWS`: offsets count rows.
    Rows,
    /// `RANGE`: offsets are distances on the one ORDER BY value; CURRENT ROW means its peers.
    Range,
    /// `GROUPS`: offsets count peer groups.
    Groups,
}

/// One end of a window frame.
#[derive(Clone, Debug)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`
    UnboundedPreceding,
    /// `n PRECEDING` (`n` is row-independent).
    Preceding(Expr),
    /// `CURRENT ROW`
    CurrentRow,
    /// `n FOLLOWING`
    Following(Expr),
    /// `UNBOUNDED FOLLOWING`
    UnboundedFollowing,
}

/// A window frame: the rows of the partition an aggregate, `first_value`, `last_value` or
/// `nth_value` sees for each row. PostgreSQL's default is `RANGE BETWEEN UNBOUNDED
/// PRECEDING AND CURRENT ROW`: up to the row's last peer with an ORDER BY, the whole
/// partition without one (every row is then a peer).
#[derive(Clone, Debug)]
pub struct WindowFrame {
    /// The units.
    pub units: FrameUnits,
    /// Where the frame starts.
    pub start: FrameBound,
    /// Where it ends.
    pub end: FrameBound,
}

/// One window function call.
#[derive(Debug)]
pub struct WindowCall {
    /// The function.
    pub func: WindowFunc,
    /// The arguments, over the input row (for an aggregate, in `agg` instead).
    pub args: Vec<Expr>,
    /// The aggregate of [`WindowFunc::Aggregate`].
    pub agg: Option<AggCall>,
    /// The window's partitioning and order: an index into [`Windowing::orders`].
    pub order: usize,
    /// The frame.
    pub frame: WindowFrame,
    /// The result type.
    pub result_type: DataType,
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
    /// The select list's set-returning function calls (over the source row, or the
    /// aggregated row), run in lockstep on each row: the row becomes as many rows as the
    /// longest call gives values, each the row followed by one value of every call (NULL
    /// once a call has no more). A row for which no call gives a value disappears. The
    /// projections and ORDER BY read these rows.
    pub set_functions: Vec<SetCall>,

    /// Window functions, evaluated after aggregation and HAVING; their results extend the
    /// row projections and ORDER BY see. (A block has window functions or set-returning
    /// functions in its select list, not both.)
    pub windowing: Option<Windowing>,
    /// The output expressions (over the source row, or the aggregated row, followed by the
    /// window results or the values of the set-returning functions).
    pub projections: Vec<Expr>,
    /// SELECT DISTINCT.
    pub distinct: bool,
    /// `SELECT DISTINCT ON (exprs)`, over the row projections see: of each run of rows
    /// equal on them in ORDER BY order, only the first is kept.
    pub distinct_on: Vec<Expr>,
    /// ORDER BY (empty when the source order already satisfies it).
    pub order_by: Vec<SortKey>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// OFFSET.
    pub offset: Option<Expr>,
    /// `FOR UPDATE`: the rows read are checked for conflicts at commit.
    pub for_update: bool,
}

impl QueryPlan {
    /// The query that computes `projections` over every row of `source`.
    pub fn over(source: Source, projections: Vec<Expr>) -> QueryPlan {
        QueryPlan {
            source,
            filter: None,
            aggregation: None,
            set_functions: Vec::new(),
            windowing: None,
            projections,
            distinct: false,
            distinct_on: Vec::new(),
            order_by: Vec::new(),
            limit: None,
            offset: None,
            for_update: false,
        }
    }

    /// Calls `f` on every table the query's sources read, in this block and the blocks
    /// nested in it (subqueries of expressions are in the statement's list).
    pub fn tables(&self, f: &mut dyn FnMut(&Arc<TableDef>)) {
        self.blocks(&mut |b| {
            b.source.direct(&mut |s| {
                if let Source::Table { table, .. } = s {
                    f(table)
                }
            })
        });
    }

    /// Calls `f` on every expression of the query block and of its sources (not inside
    /// derived tables or set operations, which are blocks of their own).
    pub fn exprs(&self, f: &mut dyn FnMut(&Expr)) {
        self.source.exprs(f);
        for e in self
            .filter
            .iter()
            .chain(&self.projections)
            .chain(self.order_by.iter().map(|k| &k.expr))
            .chain(&self.distinct_on)
            .chain(self.limit.iter())
            .chain(self.offset.iter())
            .chain(self.set_functions.iter().flat_map(|c| &c.args))
        {
            f(e);
        }
        if let Some(agg) = &self.aggregation {
            for e in agg
                .group_by
                .iter()
                .chain(agg.aggs.iter().flat_map(AggCall::exprs))
                .chain(agg.having.iter())
            {
                f(e);
            }
        }
        if let Some(w) = &self.windowing {
            w.exprs(f);
        }
    }

    /// Calls `f` on every query block inside this one, this one first: derived tables, set
    /// operands and recursive terms (subqueries of expressions are in the statement's list).
    pub fn blocks(&self, f: &mut dyn FnMut(&QueryPlan)) {
        f(self);
        self.source.blocks(f);
    }
}

impl Windowing {
    /// Calls `f` on every expression of the window calls: arguments, PARTITION BY, ORDER
    /// BY and frame offsets.
    pub fn exprs(&self, f: &mut dyn FnMut(&Expr)) {
        for o in &self.orders {
            o.partition_by
                .iter()
                .chain(o.order_by.iter().map(|k| &k.expr))
                .for_each(&mut *f);
        }
        for c in &self.calls {
            c.args
                .iter()
                .chain(c.agg.iter().flat_map(AggCall::exprs))
                .for_each(&mut *f);
            for b in [&c.frame.start, &c.frame.end] {
                if let FrameBound::Preceding(e) | FrameBound::Following(e) = b {
                    f(e);
                }
            }
        }
    }
}

impl Source {
    /// Calls `f` on this source and the sources it is made of within the same query block.
    pub fn direct(&self, f: &mut dyn FnMut(&Source)) {
        f(self);
        match self {
            Source::Filter(inner, _) | Source::Permute(inner, _) => inner.direct(f),
            Source::Join(j) => {
                j.left.direct(f);
                j.right.direct(f);
            }
            _ => {}
        }
    }

    /// Calls `f` on the expressions of this source within its query block.
    pub fn exprs(&self, f: &mut dyn FnMut(&Expr)) {
        self.direct(&mut |s| match s {
            Source::Values(rows) => rows.iter().flatten().for_each(&mut *f),
            Source::Filter(_, e) => f(e),
            Source::Join(j) => {
                j.condition.iter().for_each(&mut *f);
                if let JoinMethod::Hash {
                    left_keys,
                    right_keys,
                } = &j.method
                {
                    left_keys.iter().chain(right_keys).for_each(&mut *f);
                }
            }
            Source::Table { access, .. } => access.exprs(f),
            Source::Function(scan) => scan.calls.iter().flat_map(|c| &c.args).for_each(&mut *f),
            _ => {}
        });
    }

    /// Calls `f` on every query block nested in this source (derived tables, set operands,
    /// recursive terms), outermost first.
    pub fn blocks(&self, f: &mut dyn FnMut(&QueryPlan)) {
        self.direct(&mut |s| match s {
            Source::Query(d) => d.query.blocks(f),
            Source::SetOp(op) => {
                op.left.blocks(f);
                op.right.blocks(f);
            }
            Source::Recursive(r) => {
                r.base.blocks(f);
                r.step.blocks(f);
            }
            _ => {}
        });
    }
}

impl Access {
    /// Calls `f` on the key values of the access path.
    pub fn exprs(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Access::Point(values) => values.iter().for_each(f),
            Access::Range {
                prefix,
                lower,
                upper,
            }
            | Access::Index {
                prefix,
                lower,
                upper,
                ..
            } => {
                prefix.iter().for_each(&mut *f);
                lower.iter().chain(upper.iter()).for_each(|(e, _)| f(e));
            }
            Access::Full => {}
        }
    }
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
