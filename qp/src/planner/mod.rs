//! The planner: sqlparser's AST → a typed [`Plan`].
//!
//! Planning resolves names against the catalog, infers the type of every expression and of
//! every `$n` parameter from its context (`aid = $1` makes `$1` an integer when `aid` is one),
//! converts untyped string literals to the type they are compared with, and picks an access
//! path: a point read when the WHERE clause fixes the whole primary key, a key range when it
//! fixes a prefix or bounds the next key column, a full scan otherwise. The WHERE clause is
//! always evaluated in full on the rows read, so the access path only narrows what is read.
//!
//! The planner is one [`Planner`] per statement, whose methods are spread over one file per
//! kind of statement or expression (names are resolved by [`crate::names`]):
//!
//! - `scope.rs`: the columns an expression may refer to;
//! - `ddl.rs`: `CREATE TABLE`, `SET ROLE`; `index.rs`: `CREATE INDEX ASYNC`, `DROP INDEX`
//!   and reading through an index;
//! - `select.rs`: queries, `VALUES`, set operations, ORDER BY, LIMIT; `from.rs`: the FROM
//!   list (tables, joins, derived tables, WITH queries); `subquery.rs`: subqueries used as
//!   expressions and column references into enclosing queries; `optimize.rs`: the rules
//!   that rewrite a planned join tree (predicate pushdown, join methods, access paths);
//!   `access.rs`: access paths;
//! - `dml.rs`: `INSERT`, `UPDATE`, `DELETE`, RETURNING, column defaults;
//! - `expr.rs`: expressions; `operators.rs`: binary operators; `functions.rs`: function
//!   calls and aggregates; `window.rs`: window function calls; `coerce.rs`: type
//!   conversions.
//!
//! This file holds the planner itself and the dispatch on the kind of statement.

use crate::catalog::{Catalog, Relation, TableDef, system_catalog_error};
use crate::error::{Error, Result, SqlState};
use crate::names::{ident_name, lookup_relation, resolve_relation};
use crate::plan::{Plan, Planned, SubqueryPlan};
use crate::types::DataType;
use coerce::coerce;
pub use ddl::plan_set_role;
use scope::{OuterScope, Scope};
use sqlparser::ast;
use std::sync::Arc;

mod access;
mod arrays;
mod coerce;
mod ddl;
mod dml;
mod expr;
mod fold;
mod from;
mod functions;
mod index;
mod join_order;
pub mod locks;
mod operators;
mod optimize;
pub mod roles;
mod rows;
pub mod schemas;
mod scope;
mod select;
mod subquery;
mod window;

/// Plans statements against one catalog version.
pub struct Planner<'a> {
    /// The catalog the statement is planned against.
    catalog: &'a Catalog,
    /// The type of each `$n` parameter so far: declared by the client, or inferred from the
    /// context it appears in; `None` while unknown.
    params: Vec<Option<DataType>>,
    /// Whether the plan depends on the catalog (it named a table, schema or role).
    uses_catalog: bool,
    /// The schemas unqualified names are looked up in, in order (the session's
    /// `search_path`, with `$user` replaced by the current role).
    search_path: Vec<String>,
    /// The scopes of the queries enclosing the one being planned, innermost last.
    outer: Vec<OuterScope>,
    /// The lowest index in `outer` a column reference resolved to since it was last reset
    /// (how a subquery finds out whether it is correlated).
    lowest_outer_ref: Option<usize>,
    /// The statement's subqueries used as expressions so far.
    subqueries: Vec<SubqueryPlan>,
    /// The WITH queries in reach, innermost last.
    ctes: Vec<from::Cte>,
    /// The number of recursive CTE work tables planned so far.
    work_tables: usize,
    /// Where the expression being planned sits, for set-returning functions.
    srf: functions::SrfPlacement,
    /// Whether window functions may be called in the expression being planned, and the
    /// window calls of the query block's select list and ORDER BY so far.
    windows: window::WindowSlot,
    /// The named windows (`WINDOW w AS (...)`) of the query block being planned.
    named_windows: Vec<window::NamedWindow>,
}

impl<'a> Planner<'a> {
    /// A planner over `catalog`, with the parameter types the client declared (if any).
    pub fn new(catalog: &'a Catalog, declared: &[Option<DataType>]) -> Planner<'a> {
        Planner {
            catalog,
            params: declared.to_vec(),
            uses_catalog: false,
            search_path: vec![crate::catalog::DEFAULT_SCHEMA.to_string()],
            outer: Vec::new(),
            lowest_outer_ref: None,
            subqueries: Vec::new(),
            ctes: Vec::new(),
            work_tables: 0,
            srf: functions::SrfPlacement::Unsupported("this context"),
            windows: window::WindowSlot::NotAllowed("this context"),
            named_windows: Vec::new(),
        }
    }

    /// Resolves unqualified names in `search_path` (default: `public` only).
    pub fn with_search_path(mut self, search_path: Vec<String>) -> Planner<'a> {
        self.search_path = search_path;
        self
    }

    /// Looks up a relation by name; the plan now depends on the catalog.
    fn relation(&mut self, name: &ast::ObjectName) -> Result<Relation> {
        self.uses_catalog = true;
        match lookup_relation(self.catalog, &self.search_path, name)? {
            (_, Some(relation)) => Ok(relation),
            // The error: the schema or the table is missing.
            (resolved, None) => self.catalog.table(&resolved).map(Relation::Table),
        }
    }

    /// Looks up a table DDL names: a system relation cannot be changed (42501, as
    /// PostgreSQL words it).
    fn table(&mut self, name: &ast::ObjectName) -> Result<Arc<TableDef>> {
        match self.relation(name)? {
            Relation::Table(table) => Ok(table),
            Relation::System(system) => Err(system_catalog_error(system.name())),
        }
    }

    /// Looks up a relation a query reads or DML writes. As in PostgreSQL, a schema that does
    /// not exist makes the relation missing (42P01 `relation "s.t" does not exist`); DDL
    /// naming it reports the schema instead (3F000, [`Planner::table`]).
    fn queried_relation(&mut self, name: &ast::ObjectName) -> Result<Relation> {
        self.relation(name).map_err(|e| {
            if e.state == SqlState::INVALID_SCHEMA_NAME {
                match resolve_relation(self.catalog, &self.search_path, name) {
                    Ok(resolved) => Error::undefined_table(&resolved.to_string()),
                    Err(other) => other,
                }
            } else {
                e
            }
        })
    }

    /// Looks up a table an INSERT, UPDATE or DELETE writes (`dml`) or an index is created on:
    /// system tables are read-only.
    fn writable_table(&mut self, name: &ast::ObjectName, dml: bool) -> Result<Arc<TableDef>> {
        let table = if dml {
            match self.queried_relation(name)? {
                Relation::Table(table) => table,
                Relation::System(system) => {
                    return Err(Error::new(
                        SqlState::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied for table {}", system.name()),
                    ));
                }
            }
        } else {
            self.table(name)?
        };
        if table.is_system() {
            return Err(Error::new(
                SqlState::INSUFFICIENT_PRIVILEGE,
                format!("permission denied for table {}", table.name),
            ));
        }
        Ok(table)
    }

    /// Plans one statement.
    pub fn plan(mut self, stmt: &ast::Statement) -> Result<Planned> {
        let (plan, columns) = self.plan_statement(stmt)?;
        let param_types = self
            .params
            .iter()
            .map(|p| p.unwrap_or(DataType::Text))
            .collect();
        Ok(Planned {
            plan,
            param_types,
            columns,
            catalog_version: self.catalog.version,
            uses_catalog: self.uses_catalog,
            search_path: self.search_path,
            subqueries: self.subqueries,
        })
    }

    /// Plans `EXPLAIN [ANALYZE] [VERBOSE] statement` or `EXPLAIN (option [value], ...)
    /// statement`: the plan of a query or DML statement, shown as the one text column `QUERY
    /// PLAN` that PostgreSQL answers.
    fn plan_explain(
        &mut self,
        statement: &ast::Statement,
        analyze: bool,
        verbose: bool,
        format: &Option<ast::AnalyzeFormatKind>,
        options: &Option<Vec<ast::UtilityOption>>,
    ) -> Result<(Plan, Vec<(String, DataType)>)> {
        let (mut analyze, mut verbose) = (analyze, verbose);
        let mut text_format = format.as_ref().is_none_or(|f| {
            matches!(
                f,
                ast::AnalyzeFormatKind::Keyword(ast::AnalyzeFormat::TEXT)
                    | ast::AnalyzeFormatKind::Assignment(ast::AnalyzeFormat::TEXT)
            )
        });
        for option in options.iter().flatten() {
            let name = ident_name(&option.name);
            let arg = option
                .arg
                .as_ref()
                .map(|a| a.to_string().to_ascii_lowercase());
            let on = || -> Result<bool> {
                match arg.as_deref() {
                    None | Some("true" | "on" | "1") => Ok(true),
                    Some("false" | "off" | "0") => Ok(false),
                    Some(other) => Err(Error::syntax(format!(
                        "{name} requires a Boolean value, not \"{other}\""
                    ))),
                }
            };
            match name.as_str() {
                "analyze" => analyze = on()?,
                "verbose" => verbose = on()?,
                // dsql prints no costs, timings or buffers: these change nothing.
                "costs" | "settings" | "buffers" | "wal" | "timing" | "summary"
                | "generic_plan" => {
                    on()?;
                }
                "format" => text_format = arg.as_deref() == Some("text"),
                other => {
                    return Err(Error::syntax(format!(
                        "unrecognized EXPLAIN option \"{other}\""
                    )));
                }
            }
        }
        if analyze {
            return Err(Error::unsupported("EXPLAIN ANALYZE is not supported yet"));
        }
        if !text_format {
            return Err(Error::unsupported(
                "EXPLAIN formats other than TEXT are not supported yet",
            ));
        }
        let explainable = matches!(
            statement,
            ast::Statement::Query(_)
                | ast::Statement::Insert(_)
                | ast::Statement::Update(_)
                | ast::Statement::Delete(_)
        );
        if !explainable {
            let first = statement.to_string();
            let word = first
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            return Err(Error::syntax(format!("syntax error at or near \"{word}\"")));
        }
        let (inner, _) = self.plan_statement(statement)?;
        Ok((
            Plan::Explain {
                inner: Box::new(inner),
                verbose,
            },
            vec![("QUERY PLAN".into(), DataType::Text)],
        ))
    }

    /// Plans one statement: the plan and its output columns (name and type).
    fn plan_statement(&mut self, stmt: &ast::Statement) -> Result<(Plan, Vec<(String, DataType)>)> {
        use ast::Statement as S;
        if let S::Explain {
            describe_alias: ast::DescribeAlias::Explain,
            analyze,
            verbose,
            statement,
            format,
            options,
            ..
        } = stmt
        {
            return self.plan_explain(statement, *analyze, *verbose, format, options);
        }
        if let Some(args) = wait_for_job_args(stmt) {
            let [arg] = args.as_slice() else {
                return Err(Error::undefined_function(
                    "function sys.wait_for_job does not exist",
                ));
            };
            let (e, ty) = self.plan_expr(arg, &Scope::default(), None, Some(DataType::Text))?;
            let job_id = coerce(e, ty, DataType::Text, true)?;
            return Ok((
                Plan::WaitForJob { job_id },
                vec![("wait_for_job".into(), DataType::Bool)],
            ));
        }
        Ok(match stmt {
            S::CreateIndex(create) => (
                self.plan_create_index(create)?,
                vec![("job_id".into(), DataType::Text)],
            ),
            S::Drop {
                object_type: ast::ObjectType::Index,
                if_exists,
                names,
                ..
            } => (self.plan_drop_index(names, *if_exists)?, vec![]),
            // `WITH ... INSERT / UPDATE / DELETE`: the statement with the WITH queries in reach.
            S::Query(q)
                if let ast::SetExpr::Insert(inner)
                | ast::SetExpr::Update(inner)
                | ast::SetExpr::Delete(inner) = q.body.as_ref() =>
            {
                let pushed = self.push_ctes(q.with.as_ref())?;
                let planned = self.plan_statement(inner);
                self.ctes.truncate(self.ctes.len() - pushed);
                planned?
            }
            S::Query(q) => {
                let (plan, columns) = self.plan_query(q)?;
                (Plan::Query(Box::new(plan)), columns)
            }
            S::Insert(insert) => self.plan_insert(insert)?,
            S::Update(update) => self.plan_update(update)?,
            S::Delete(delete) => self.plan_delete(delete)?,
            S::CreateTable(create) => (self.plan_create_table(create)?, vec![]),
            S::Drop {
                object_type: ast::ObjectType::Table,
                if_exists,
                names,
                ..
            } => {
                self.uses_catalog = true;
                let names: Vec<_> = names
                    .iter()
                    .map(|n| resolve_relation(self.catalog, &self.search_path, n))
                    .collect::<Result<_>>()?;
                if let Some(system) = names
                    .iter()
                    .find_map(|n| crate::catalog::system::find(&n.schema, &n.name))
                {
                    return Err(system_catalog_error(system.name()));
                }
                (
                    Plan::DropTable {
                        names,
                        if_exists: *if_exists,
                    },
                    vec![],
                )
            }
            S::StartTransaction {
                modes, statements, ..
            } => {
                if !statements.is_empty() {
                    return Err(Error::unsupported(
                        "unsupported statement: BEGIN ... END block",
                    ));
                }
                let mut read_only = None;
                for mode in modes {
                    if let ast::TransactionMode::AccessMode(access) = mode {
                        read_only = Some(matches!(access, ast::TransactionAccessMode::ReadOnly));
                    }
                }
                (Plan::Begin { read_only }, vec![])
            }
            S::Commit { chain: false, .. } => (Plan::Commit, vec![]),
            S::Rollback {
                chain: false,
                savepoint: None,
            } => (Plan::Rollback, vec![]),
            S::CreateSchema { .. }
            | S::Drop {
                object_type: ast::ObjectType::Schema,
                ..
            } => {
                self.uses_catalog = true;
                let ddl = schemas::plan(stmt)?
                    .ok_or_else(|| Error::internal("not a schema statement"))?;
                (Plan::Schema(ddl), vec![])
            }
            S::CreateRole(_)
            | S::CreateUser(_)
            | S::AlterRole { .. }
            | S::Grant(_)
            | S::Revoke(_)
            | S::Drop {
                object_type: ast::ObjectType::Role | ast::ObjectType::User,
                ..
            } => {
                self.uses_catalog = true;
                let ddl = roles::plan(stmt, self.catalog, &self.search_path)?
                    .ok_or_else(|| Error::internal("not a role statement"))?;
                (Plan::Roles(ddl), vec![])
            }
            other => {
                let kind = other.to_string();
                let kind: String = kind
                    .split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_uppercase();
                return Err(Error::unsupported(format!("unsupported statement: {kind}")));
            }
        })
    }
}

/// If `stmt` is `SELECT sys.wait_for_job(..)` or `CALL sys.wait_for_job(..)`, its arguments.
pub fn wait_for_job_args(stmt: &ast::Statement) -> Option<Vec<&ast::Expr>> {
    let function = match stmt {
        ast::Statement::Call(f) => f,
        ast::Statement::Query(q) => {
            let ast::SetExpr::Select(select) = q.body.as_ref() else {
                return None;
            };
            if !select.from.is_empty() || select.selection.is_some() || q.with.is_some() {
                return None;
            }
            match select.projection.as_slice() {
                [ast::SelectItem::UnnamedExpr(ast::Expr::Function(f))]
                | [
                    ast::SelectItem::ExprWithAlias {
                        expr: ast::Expr::Function(f),
                        ..
                    },
                ] => f,
                _ => return None,
            }
        }
        _ => return None,
    };
    let name: Vec<String> = function
        .name
        .0
        .iter()
        .map(|p| p.to_string().to_ascii_lowercase())
        .collect();
    if name != ["sys", "wait_for_job"] {
        return None;
    }
    let mut args = Vec::new();
    if let ast::FunctionArguments::List(list) = &function.args {
        for arg in &list.args {
            match arg {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => args.push(e),
                _ => return Some(vec![]),
            }
        }
    }
    Some(args)
}

#[cfg(test)]
mod tests {
    use super::wait_for_job_args;
    use sqlparser::ast;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn parse(sql: &str) -> ast::Statement {
        Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .unwrap()
            .pop()
            .unwrap()
    }

    #[test]
    fn wait_for_job_is_recognised_in_both_forms() {
        for sql in [
            "SELECT sys.wait_for_job('abc')",
            "select SYS.WAIT_FOR_JOB('abc') AS done",
            "CALL sys.wait_for_job('abc')",
        ] {
            let stmt = parse(sql);
            let args = wait_for_job_args(&stmt).expect(sql);
            assert_eq!(args.len(), 1, "{sql}");
        }
        assert!(wait_for_job_args(&parse("SELECT wait_for_job('abc')")).is_none());
        assert!(wait_for_job_args(&parse("SELECT sys.wait_for_job('a') FROM t")).is_none());
    }
}
