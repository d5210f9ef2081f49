//! Planning the FROM list: tables, joins, derived tables, LATERAL and WITH queries.
//!
//! The FROM list becomes a tree of [`Source`]s: items separated by commas are cross joined
//! left to right, and each `JOIN` joins the tree so far with its right item. A join's row is
//! its left row's columns followed by its right row's, and so is its scope; `ON` is planned
//! over that scope, `USING` and `NATURAL` become equalities of the named columns, which are
//! then merged (see `scope.rs`). Every join starts as a nested loop with its condition; the
//! rules in `optimize.rs` push predicates down and pick the join methods once the WHERE
//! clause is planned too.
//!
//! A WITH query is planned where it is referenced, as a derived table (PostgreSQL inlines
//! a CTE referenced once the same way). A recursive one becomes a [`Source::Recursive`]:
//! its non-recursive term is planned first, which gives the CTE's columns; then its
//! recursive term, in which the CTE's own name reads the previous step's rows
//! ([`Source::WorkTable`]).
//!
//! A set-returning function in FROM (`generate_series(1, t.n) AS g(n)`) becomes a
//! [`Source::Function`]. As in PostgreSQL it is implicitly LATERAL: its arguments may read
//! the items to its left, and when they do it is read again for each of their rows.

use super::Planner;
use super::coerce::{coerce, comparison_type};
use super::functions::{SrfPlacement, set_function};
use super::scope::{MergedColumn, OuterScope, Scope};
use crate::catalog::Relation;
use crate::error::{Error, Result, SqlState};
use crate::expr::{BinOp, Expr, Func};
use crate::names::ident_name;
use crate::plan::{
    Access, Derived, FunctionScan, JoinKind, JoinMethod, JoinPlan, QueryPlan, RecursivePlan,
    SetCall, Source,
};
use crate::types::DataType;
use sqlparser::ast;

/// A WITH query in reach of the query being planned.
pub(super) struct Cte {
    /// Its name.
    name: String,
    /// Its query.
    query: ast::Query,
    /// The column names given after its name, if any.
    column_names: Vec<String>,
    /// Declared in `WITH RECURSIVE`.
    recursive: bool,
    /// While its own recursive term is being planned: the work table's id and columns.
    work_table: Option<(usize, Vec<(String, DataType)>)>,
    /// How many enclosing scopes there were where it was declared.
    outer_depth: usize,
}

/// A planned FROM item: its rows, its scope, and whether it is LATERAL (reads the items to
/// its left, so is read again for each of their rows).
type Item = (Source, Scope, bool);

impl Planner<'_> {
    /// Brings the queries of a WITH clause in reach: how many were added (the caller removes
    /// them after planning the query).
    pub(super) fn push_ctes(&mut self, with: Option<&ast::With>) -> Result<usize> {
        let Some(with) = with else {
            return Ok(0);
        };
        let mut names: Vec<String> = Vec::new();
        for cte in &with.cte_tables {
            let name = ident_name(&cte.alias.name);
            if names.contains(&name) {
                return Err(Error::new(
                    SqlState::DUPLICATE_ALIAS,
                    format!("WITH query name \"{name}\" specified more than once"),
                ));
            }
            names.push(name.clone());
            // A WITH query nobody refers to is never planned: its locking clauses are
            // checked here.
            super::locks::check_nested(&cte.query)?;
            if matches!(
                cte.query.body.as_ref(),
                ast::SetExpr::Insert(_)
                    | ast::SetExpr::Update(_)
                    | ast::SetExpr::Delete(_)
                    | ast::SetExpr::Merge(_)
            ) {
                return Err(Error::unsupported(
                    "data-modifying statements in WITH are not supported",
                ));
            }
            self.ctes.push(Cte {
                name,
                query: (*cte.query).clone(),
                column_names: cte
                    .alias
                    .columns
                    .iter()
                    .map(|c| ident_name(&c.name))
                    .collect(),
                recursive: with.recursive,
                work_table: None,
                outer_depth: self.outer.len(),
            });
        }
        Ok(with.cte_tables.len())
    }

    /// Plans a FROM list: its rows and scope.
    pub(super) fn plan_from(&mut self, from: &[ast::TableWithJoins]) -> Result<(Source, Scope)> {
        let mut acc: Option<(Source, Scope)> = None;
        for twj in from {
            let before = acc.as_ref().map(|a| &a.1);
            let right = if before.is_some() && twj.joins.is_empty() {
                // A LATERAL item after a comma reads the items before it.
                self.plan_factor(&twj.relation, before)?
            } else {
                let (source, scope) = self.plan_table_with_joins(twj, before)?;
                (source, scope, false)
            };
            acc = Some(match acc {
                None => (right.0, right.1),
                Some(left) => {
                    self.join(JoinKind::Inner, left, right, &ast::JoinConstraint::None)?
                }
            });
        }
        Ok(acc.unwrap_or((Source::Single, Scope::default())))
    }

    /// Plans one FROM item and its JOINs; `before` is the scope of the items to its left
    /// (what a LATERAL item may read).
    fn plan_table_with_joins(
        &mut self,
        twj: &ast::TableWithJoins,
        before: Option<&Scope>,
    ) -> Result<(Source, Scope)> {
        let (source, scope, lateral) = self.plan_factor(&twj.relation, before)?;
        let mut acc = match (lateral, before) {
            // A LATERAL first item reads the comma items before it: the caller joins them.
            (true, Some(_)) => {
                return Err(Error::unsupported(
                    "a LATERAL item followed by JOIN after a comma is not supported yet",
                ));
            }
            _ => (source, scope),
        };
        for join in &twj.joins {
            let (kind, constraint) = match &join.join_operator {
                ast::JoinOperator::Join(c) | ast::JoinOperator::Inner(c) => (JoinKind::Inner, c),
                ast::JoinOperator::Left(c) | ast::JoinOperator::LeftOuter(c) => (JoinKind::Left, c),
                ast::JoinOperator::Right(c) | ast::JoinOperator::RightOuter(c) => {
                    (JoinKind::Right, c)
                }
                ast::JoinOperator::FullOuter(c) => (JoinKind::Full, c),
                ast::JoinOperator::CrossJoin(c) => (JoinKind::Inner, c),
                other => {
                    return Err(Error::unsupported(format!(
                        "join type {other:?} is not supported"
                    )));
                }
            };
            let right = self.plan_factor(&join.relation, Some(&acc.1))?;
            if right.2 && matches!(kind, JoinKind::Right | JoinKind::Full) {
                return Err(Error::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    "The combining JOIN type must be INNER or LEFT for a LATERAL reference.",
                ));
            }
            acc = self.join(kind, acc, right, constraint)?;
        }
        Ok(acc)
    }

    /// Plans one FROM item (no joins of its own).
    fn plan_factor(&mut self, factor: &ast::TableFactor, before: Option<&Scope>) -> Result<Item> {
        match factor {
            ast::TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                if let [part] = name.0.as_slice()
                    && let Some(ident) = part.as_ident()
                    && let Some(i) = self.cte_index(&ident_name(ident))
                {
                    return self.plan_cte_reference(i, alias.as_ref());
                }
                let qualifier = alias.as_ref().map(|a| ident_name(&a.name));
                let table = match self.queried_relation(name)? {
                    Relation::Table(table) => table,
                    Relation::System(system) => {
                        let columns = Relation::System(system).columns();
                        let mut scope =
                            Scope::of_relation(system.name(), &columns, qualifier.as_deref());
                        if let Some(alias) = alias {
                            rename_columns(&mut scope, alias, system.name())?;
                        }
                        let source = Source::System {
                            table: system,
                            alias: qualifier,
                        };
                        return Ok((source, scope, false));
                    }
                };
                let mut scope = Scope::of_table(&table, qualifier.as_deref());
                if let Some(alias) = alias {
                    rename_columns(&mut scope, alias, &table.name)?;
                }
                Ok((
                    Source::Table {
                        table,
                        alias: qualifier,
                        access: Access::Full,
                        reverse: false,
                        index_order: None,
                        index_only: false,
                    },
                    scope,
                    false,
                ))
            }
            ast::TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_ordinality,
                ..
            } => self.plan_function_factor(
                name,
                std::slice::from_ref(&args.args),
                *with_ordinality,
                alias.as_ref(),
                before,
            ),
            ast::TableFactor::Function {
                name,
                args,
                with_ordinality,
                alias,
                ..
            } => self.plan_function_factor(
                name,
                std::slice::from_ref(args),
                *with_ordinality,
                alias.as_ref(),
                before,
            ),
            ast::TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let Some(alias) = alias else {
                    return Err(Error::syntax("subquery in FROM must have an alias")
                        .with_hint("For example, FROM (SELECT ...) [AS] foo."));
                };
                let (plan, columns) = if *lateral {
                    let left = before.cloned().unwrap_or_default();
                    self.outer.push(OuterScope {
                        scope: left,
                        groups: None,
                    });
                    let planned = self.plan_query(subquery);
                    self.outer.pop();
                    planned?
                } else {
                    self.plan_query(subquery)?
                };
                let (source, scope) = derived(plan, columns, alias)?;
                Ok((source, scope, *lateral))
            }
            ast::TableFactor::UNNEST {
                alias,
                array_exprs,
                with_offset: false,
                with_ordinality,
                ..
            } => {
                // `unnest(a, b, ...)` zips one unnest call per array into as many columns.
                let calls: Vec<Vec<ast::FunctionArg>> = array_exprs
                    .iter()
                    .map(|e| {
                        vec![ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(
                            e.clone(),
                        ))]
                    })
                    .collect();
                let name = ast::ObjectName::from(vec![ast::Ident::new("unnest")]);
                self.plan_function_factor(&name, &calls, *with_ordinality, alias.as_ref(), before)
            }
            ast::TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => {
                let (source, scope) = self.plan_table_with_joins(table_with_joins, before)?;
                Ok((source, scope, false))
            }
            other => Err(Error::unsupported(format!(
                "FROM item {other} is not supported"
            ))),
        }
    }

    /// Plans a function in FROM, `name(args) [WITH ORDINALITY] [AS alias [(columns)]]`, or
    /// several calls of it zipped (`unnest(a, b)`: one argument list per call); `before` is
    /// the scope of the items to its left, which its arguments may read (then it is
    /// LATERAL). One call's column is named by the alias, or else after the function;
    /// several calls' columns after the function; the ordinality column is `ordinality`; a
    /// column list renames them all.
    fn plan_function_factor(
        &mut self,
        name: &ast::ObjectName,
        calls_args: &[Vec<ast::FunctionArg>],
        ordinality: bool,
        alias: Option<&ast::TableAlias>,
        before: Option<&Scope>,
    ) -> Result<Item> {
        let function = name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(ident_name)
            .unwrap_or_default();
        let schema_ok = match name.0.as_slice() {
            [_] => true,
            [schema, _] => schema
                .as_ident()
                .map(ident_name)
                .is_some_and(|s| s == "pg_catalog" || s == "public"),
            _ => false,
        };
        let Some(func) = set_function(&function).filter(|_| schema_ok) else {
            return Err(Error::unsupported(format!(
                "function {name} in FROM is not supported yet"
            )));
        };
        let mut call_exprs = Vec::with_capacity(calls_args.len());
        for args in calls_args {
            let mut exprs = Vec::with_capacity(args.len());
            for a in args {
                match a {
                    ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                        exprs.push(e.clone())
                    }
                    other => {
                        return Err(Error::unsupported(format!(
                            "function argument {other} is not supported"
                        )));
                    }
                }
            }
            call_exprs.push(exprs);
        }
        // The arguments see the items to the left as an enclosing query's columns.
        let base = self.outer.len();
        if let Some(left) = before {
            self.outer.push(OuterScope {
                scope: left.clone(),
                groups: None,
            });
        }
        let saved_ref = self.lowest_outer_ref.take();
        let saved = self.place_srf(SrfPlacement::FromArguments);
        let planned: Result<Vec<SetCall>> = call_exprs
            .iter()
            .map(|exprs| self.plan_set_call(func, exprs, &Scope::default(), None))
            .collect();
        self.restore_srf(saved);
        if before.is_some() {
            self.outer.pop();
        }
        let lowest = self.lowest_outer_ref;
        // Reading the left items (or, through them, an enclosing query) makes it LATERAL:
        // read for each left row, which its references then read at level 1.
        let lateral = before.is_some() && lowest.is_some_and(|l| l <= base);
        self.lowest_outer_ref = match (saved_ref, lowest.filter(|l| *l < base)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let calls = planned?;
        let qualifier = alias.map(|a| ident_name(&a.name));
        let relation = qualifier.clone().unwrap_or_else(|| function.clone());
        let mut columns: Vec<(String, DataType)> = match calls.as_slice() {
            [call] => vec![(relation.clone(), call.data_type)],
            _ => calls
                .iter()
                .map(|c| (function.clone(), c.data_type))
                .collect(),
        };
        if ordinality {
            columns.push(("ordinality".to_string(), DataType::Int8));
        }
        let names: Vec<String> = alias
            .map(|a| a.columns.iter().map(|c| ident_name(&c.name)).collect())
            .unwrap_or_default();
        let columns = apply_column_names(columns, &names, &format!("table \"{relation}\""))?;
        let scope = Scope::of_columns(Some(&relation), &columns);
        Ok((
            Source::Function(Box::new(FunctionScan {
                calls,
                ordinality,
                alias: qualifier.filter(|q| *q != function),
                columns: columns.into_iter().map(|c| c.0).collect(),
            })),
            scope,
            lateral,
        ))
    }

    /// The innermost WITH query in reach named `name`.
    fn cte_index(&self, name: &str) -> Option<usize> {
        self.ctes.iter().rposition(|c| c.name == name)
    }

    /// Plans a reference to WITH query `i`: in the scope it was declared in (the WITH
    /// queries before it, and itself when recursive).
    fn plan_cte_reference(&mut self, i: usize, alias: Option<&ast::TableAlias>) -> Result<Item> {
        let name = self.ctes[i].name.clone();
        let qualifier = alias.map(|a| ident_name(&a.name)).unwrap_or(name.clone());
        let rename =
            |columns: Vec<(String, DataType)>| -> Result<(Vec<(String, DataType)>, Scope)> {
                let mut scope = Scope::of_columns(Some(&qualifier), &columns);
                if let Some(alias) = alias {
                    rename_columns(&mut scope, alias, &name)?;
                }
                Ok((columns, scope))
            };
        // Inside its own recursive term: the previous step's rows.
        if let Some((id, columns)) = self.ctes[i].work_table.clone() {
            let (_, scope) = rename(columns)?;
            let columns = scope.columns.iter().map(|c| c.name.clone()).collect();
            return Ok((
                Source::WorkTable {
                    id,
                    name: qualifier.clone(),
                    columns,
                },
                scope,
                false,
            ));
        }
        let depth = self.ctes[i].outer_depth;
        if depth != self.outer.len() {
            // Plan it with the enclosing scopes it was declared under; it must not read them
            // (its rows would then depend on where it is referenced).
            let hidden = self.outer.split_off(depth);
            let saved = self.lowest_outer_ref.take();
            let planned = self.plan_cte_body(i);
            let reads_outer = self.lowest_outer_ref.is_some();
            self.outer.extend(hidden);
            self.lowest_outer_ref = saved;
            let (source, columns) = planned?;
            if reads_outer {
                return Err(Error::unsupported(
                    "a WITH query that reads columns of an enclosing query is not supported here",
                ));
            }
            let (columns, scope) = rename(columns)?;
            return Ok((wrap_derived(source, &qualifier, &columns), scope, false));
        }
        let (source, columns) = self.plan_cte_body(i)?;
        let (columns, scope) = rename(columns)?;
        Ok((wrap_derived(source, &qualifier, &columns), scope, false))
    }

    /// Plans the body of WITH query `i` with the WITH queries declared before it in reach:
    /// its rows (a query, or a recursive fixpoint) and its columns.
    fn plan_cte_body(&mut self, i: usize) -> Result<(Source, Vec<(String, DataType)>)> {
        let later = self.ctes.split_off(i + 1);
        let result = self.plan_cte_body_in_reach(i);
        self.ctes.extend(later);
        result
    }

    fn plan_cte_body_in_reach(&mut self, i: usize) -> Result<(Source, Vec<(String, DataType)>)> {
        let query = self.ctes[i].query.clone();
        let names = self.ctes[i].column_names.clone();
        let name = self.ctes[i].name.clone();
        let self_referencing = self.ctes[i].recursive && references(&query, &name);
        if !self_referencing {
            // Not recursive: the CTE itself is out of its own reach.
            let this = self.ctes.pop();
            let planned = self.plan_query(&query);
            self.ctes.extend(this);
            let (plan, columns) = planned?;
            let columns = apply_column_names(columns, &names, &format!("WITH query \"{name}\""))?;
            return Ok((
                Source::Query(Box::new(Derived::of(plan, &name, &columns))),
                columns,
            ));
        }
        let ast::SetExpr::SetOperation {
            left,
            op: ast::SetOperator::Union,
            set_quantifier,
            right,
        } = query.body.as_ref()
        else {
            return Err(Error::new(
                SqlState::INVALID_RECURSION,
                format!(
                    "recursive query \"{name}\" does not have the form non-recursive-term UNION [ALL] recursive-term"
                ),
            ));
        };
        if query.order_by.is_some() || query.limit_clause.is_some() {
            return Err(Error::unsupported(
                "ORDER BY / LIMIT in a recursive query is not implemented",
            ));
        }
        let all = matches!(set_quantifier, ast::SetQuantifier::All);
        // The non-recursive term, without the CTE in reach.
        let this = self.ctes.pop();
        let base = self.plan_set_expr(left);
        self.ctes.extend(this);
        let (base, base_columns) = base?;
        let mut columns =
            apply_column_names(base_columns, &names, &format!("WITH query \"{name}\""))?;
        for c in &mut columns {
            if c.1 == DataType::Unknown {
                c.1 = DataType::Text;
            }
        }
        let id = self.work_tables;
        self.work_tables += 1;
        self.ctes[i].work_table = Some((id, columns.clone()));
        let step = self.plan_set_expr(right);
        self.ctes[i].work_table = None;
        let (step, step_columns) = step?;
        if step_columns.len() != columns.len() {
            return Err(Error::syntax(
                "each UNION query must have the same number of columns",
            ));
        }
        let step = self.convert_columns(step, &step_columns, &columns, "UNION")?;
        let base = self.convert_columns(base, &names_of(&columns), &columns, "UNION")?;
        Ok((
            Source::Recursive(Box::new(RecursivePlan {
                id,
                name,
                columns: columns.iter().map(|c| c.0.clone()).collect(),
                base,
                step,
                all,
            })),
            columns,
        ))
    }

    /// Joins two planned FROM items: the join's source and scope.
    fn join(
        &mut self,
        kind: JoinKind,
        (left, left_scope): (Source, Scope),
        (right, right_scope, lateral): Item,
        constraint: &ast::JoinConstraint,
    ) -> Result<(Source, Scope)> {
        let left_width = left_scope.columns.len();
        let right_width = right_scope.columns.len();
        for c in &right_scope.columns {
            if let Some(t) = &c.table
                && left_scope.has_qualifier(t)
            {
                return Err(Error::new(
                    SqlState::DUPLICATE_ALIAS,
                    format!("table name \"{t}\" specified more than once"),
                ));
            }
        }
        let mut scope = Scope {
            columns: left_scope.columns.clone(),
            merged: left_scope.merged.clone(),
            aliased: left_scope.aliased.clone(),
        };
        scope.aliased.extend(right_scope.aliased.iter().cloned());
        for c in &right_scope.columns {
            scope.columns.push(c.clone());
        }
        for m in &right_scope.merged {
            scope.merged.push(MergedColumn {
                name: m.name.clone(),
                expr: shift_columns(m.expr.clone(), left_width),
                data_type: m.data_type,
            });
        }
        let using: Vec<String> = match constraint {
            ast::JoinConstraint::Using(names) => names
                .iter()
                .map(|n| {
                    n.0.last()
                        .and_then(|p| p.as_ident())
                        .map(ident_name)
                        .unwrap_or_default()
                })
                .collect(),
            ast::JoinConstraint::Natural => left_scope
                .visible_names()
                .into_iter()
                .filter(|n| right_scope.visible_names().contains(n))
                .collect(),
            _ => Vec::new(),
        };
        let mut condition = None;
        if !using.is_empty() || matches!(constraint, ast::JoinConstraint::Using(_)) {
            let mut merged = Vec::new();
            let mut conjuncts = Vec::new();
            for name in &using {
                let (l, lty) = left_scope.resolve(None, name).map_err(|_| {
                    Error::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!(
                            "column \"{name}\" specified in USING clause does not exist in left table"
                        ),
                    )
                })?;
                let (r, rty) = right_scope.resolve(None, name).map_err(|_| {
                    Error::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!(
                            "column \"{name}\" specified in USING clause does not exist in right table"
                        ),
                    )
                })?;
                let r = r + left_width;
                let common = comparison_type(lty, "=", rty)?;
                let le = coerce(Expr::Column(l), lty, common, false)?;
                let re = coerce(Expr::Column(r), rty, common, false)?;
                conjuncts.push(Expr::Binary {
                    op: BinOp::Eq,
                    left: Box::new(le.clone()),
                    right: Box::new(re.clone()),
                    operand_type: common,
                    result_type: DataType::Bool,
                });
                scope.columns[l].hidden = true;
                scope.columns[r].hidden = true;
                let expr = match kind {
                    JoinKind::Inner | JoinKind::Left => le,
                    JoinKind::Right => re,
                    JoinKind::Full => Expr::Func(Func::Coalesce, vec![le, re]),
                    JoinKind::Semi | JoinKind::Anti => {
                        return Err(Error::internal("USING on a semi join"));
                    }
                };
                merged.push(MergedColumn {
                    name: name.clone(),
                    expr,
                    data_type: common,
                });
            }
            // The merged columns come first in `*`.
            merged.append(&mut scope.merged);
            scope.merged = merged;
            condition = and_all(conjuncts);
        } else if let ast::JoinConstraint::On(on) = constraint {
            let saved = self.place_srf(SrfPlacement::Forbidden("JOIN conditions"));
            let planned = self.plan_folded(on, &scope, None, Some(DataType::Bool));
            self.restore_srf(saved);
            let (e, ty) = planned?;
            condition = Some(super::coerce::require_bool(e, ty, "JOIN/ON")?);
        }
        let join = JoinPlan {
            kind,
            left,
            right,
            left_width,
            right_width,
            method: if lateral {
                JoinMethod::Dependent
            } else {
                JoinMethod::NestedLoop
            },
            condition,
        };
        Ok((Source::Join(Box::new(join)), scope))
    }

    /// Converts a query's output columns to `to`'s types (a projection over it when any
    /// differs), for set operations and recursive terms; `what` names the operation in
    /// errors.
    pub(super) fn convert_columns(
        &mut self,
        plan: QueryPlan,
        from: &[(String, DataType)],
        to: &[(String, DataType)],
        what: &str,
    ) -> Result<QueryPlan> {
        if from.iter().zip(to).all(|(a, b)| a.1 == b.1) {
            return Ok(plan);
        }
        let mut projections = Vec::new();
        for (i, ((_, f), (_, t))) in from.iter().zip(to).enumerate() {
            let e = coerce(Expr::Column(i), *f, *t, false).map_err(|_| {
                Error::datatype_mismatch(format!(
                    "{what} types {} and {} cannot be matched",
                    t.name(),
                    f.name()
                ))
            })?;
            projections.push(e);
        }
        let names: Vec<(String, DataType)> = from.to_vec();
        Ok(QueryPlan::over(
            Source::Query(Box::new(Derived::of(plan, "*SELECT*", &names))),
            projections,
        ))
    }
}

impl Scope {
    /// The names an unqualified `*` shows, in order.
    pub(super) fn visible_names(&self) -> Vec<String> {
        self.merged
            .iter()
            .map(|m| m.name.clone())
            .chain(
                self.columns
                    .iter()
                    .filter(|c| !c.hidden)
                    .map(|c| c.name.clone()),
            )
            .collect()
    }
}

/// The source and scope of a planned derived table `(query) AS alias [(columns)]`.
fn derived(
    plan: QueryPlan,
    columns: Vec<(String, DataType)>,
    alias: &ast::TableAlias,
) -> Result<(Source, Scope)> {
    let qualifier = ident_name(&alias.name);
    let names: Vec<String> = alias.columns.iter().map(|c| ident_name(&c.name)).collect();
    let columns = apply_column_names(columns, &names, &format!("table \"{qualifier}\""))?;
    let columns: Vec<(String, DataType)> = columns
        .into_iter()
        .map(|(n, t)| {
            (
                n,
                if t == DataType::Unknown {
                    DataType::Text
                } else {
                    t
                },
            )
        })
        .collect();
    let scope = Scope::of_columns(Some(&qualifier), &columns);
    Ok((
        Source::Query(Box::new(Derived::of(plan, &qualifier, &columns))),
        scope,
    ))
}

/// A CTE's rows under the name it is referenced by.
fn wrap_derived(source: Source, qualifier: &str, columns: &[(String, DataType)]) -> Source {
    match source {
        Source::Query(mut d) => {
            d.alias = qualifier.to_string();
            d.columns = columns.iter().map(|c| c.0.clone()).collect();
            Source::Query(d)
        }
        other => other,
    }
}

/// Renames the leading columns as a column list says (`t AS x(a, b)`): 42P10 for more
/// names than columns.
fn apply_column_names(
    mut columns: Vec<(String, DataType)>,
    names: &[String],
    relation: &str,
) -> Result<Vec<(String, DataType)>> {
    if names.len() > columns.len() {
        return Err(Error::new(
            SqlState::INVALID_COLUMN_REFERENCE,
            format!(
                "{relation} has {} columns available but {} columns specified",
                columns.len(),
                names.len()
            ),
        ));
    }
    for (c, n) in columns.iter_mut().zip(names) {
        c.0 = n.clone();
    }
    Ok(columns)
}

/// Renames a scope's columns as an alias's column list says.
fn rename_columns(scope: &mut Scope, alias: &ast::TableAlias, relation: &str) -> Result<()> {
    let names: Vec<String> = alias.columns.iter().map(|c| ident_name(&c.name)).collect();
    if names.len() > scope.columns.len() {
        return Err(Error::new(
            SqlState::INVALID_COLUMN_REFERENCE,
            format!(
                "table \"{relation}\" has {} columns available but {} columns specified",
                scope.columns.len(),
                names.len()
            ),
        ));
    }
    for (c, n) in scope.columns.iter_mut().zip(names) {
        c.name = n;
    }
    Ok(())
}

/// The columns' names with their types, as output columns.
fn names_of(columns: &[(String, DataType)]) -> Vec<(String, DataType)> {
    columns.to_vec()
}

/// Whether a query names `name` as a FROM item anywhere inside it.
fn references(query: &ast::Query, name: &str) -> bool {
    use std::ops::ControlFlow;
    struct Finder<'a>(&'a str);
    impl ast::Visitor for Finder<'_> {
        type Break = ();
        fn pre_visit_relation(&mut self, relation: &ast::ObjectName) -> ControlFlow<()> {
            if let [part] = relation.0.as_slice()
                && part.as_ident().is_some_and(|i| ident_name(i) == self.0)
            {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    ast::Visit::visit(query, &mut Finder(name)).is_break()
}

/// An expression over a right row, moved to read the joined row.
fn shift_columns(expr: Expr, by: usize) -> Expr {
    expr.transform(&mut |e| match e {
        Expr::Column(i) => Expr::Column(i + by),
        other => other,
    })
}

/// The AND of expressions (`None` for none).
pub(super) fn and_all(exprs: Vec<Expr>) -> Option<Expr> {
    exprs.into_iter().reduce(|a, b| Expr::Binary {
        op: BinOp::And,
        left: Box::new(a),
        right: Box::new(b),
        operand_type: DataType::Bool,
        result_type: DataType::Bool,
    })
}
