//! Planning queries: `SELECT` blocks over their FROM tree (`from.rs`), `VALUES`, set
//! operations (UNION / INTERSECT / EXCEPT [ALL]), GROUP BY and aggregates, HAVING, DISTINCT,
//! ORDER BY, LIMIT / OFFSET / FETCH, and `FOR UPDATE`.
//!
//! A FROM tree with joins goes through the rules of `optimize.rs` once WHERE is planned; a
//! single table takes its access path from the WHERE clause's typed conjuncts. A set
//! operation's sides are planned apart and converted to the columns' common types; its
//! ORDER BY may only name output columns (0A000 otherwise, as in PostgreSQL).
//!
//! A select list is first expanded (`*` into the FROM items' columns) into pairs of expression
//! and output name; ORDER BY items then refer to an output position (`ORDER BY 2`), an output
//! name, or any expression over the table. In an aggregated query the GROUP BY expressions
//! and aggregate calls are the columns the projections see (see `AggState`). When a
//! non-aggregated query is ordered by a prefix of the primary key, all ascending or all
//! descending with the default NULLS placement, the sort is dropped and the table is read in
//! key order instead (forwards or in reverse). Otherwise, when the ORDER BY matches the key
//! columns of a valid secondary index, the index is read in its key order (see
//! `Planner::ordered_index_access` in `index.rs`).

use super::Planner;
use super::coerce::{coerce, require_bool};
use super::from::and_all;
use super::functions::{SrfPlacement, contains_aggregate};
use super::optimize;
use super::scope::{AggState, Scope};
use super::window::WindowSlot;
use crate::error::{Error, Result, SqlState};
use crate::expr::Expr;
use crate::names::{column_name, ident_name};
use crate::plan::{
    Access, Aggregation, Derived, QueryPlan, SetOpPlan, SetOperator, SortKey, Source, Windowing,
};
use crate::types::{DataType, Value};
use sqlparser::ast;

impl Planner<'_> {
    /// Plans a query (a `SELECT`, a `VALUES` list, a set operation, a parenthesized query,
    /// with its WITH queries): the plan and its output columns (name and type).
    pub(super) fn plan_query(
        &mut self,
        query: &ast::Query,
    ) -> Result<(QueryPlan, Vec<(String, DataType)>)> {
        let pushed = self.push_ctes(query.with.as_ref())?;
        let planned = self.plan_query_body(query);
        self.ctes.truncate(self.ctes.len() - pushed);
        planned
    }

    fn plan_query_body(
        &mut self,
        query: &ast::Query,
    ) -> Result<(QueryPlan, Vec<(String, DataType)>)> {
        super::locks::check_query(query)?;
        match query.body.as_ref() {
            ast::SetExpr::Select(select) => self.plan_select(select, Some(query)),
            ast::SetExpr::Values(values) => self.plan_values_query(values, Some(query)),
            ast::SetExpr::Query(inner)
                if query.order_by.is_none()
                    && query.limit_clause.is_none()
                    && query.fetch.is_none()
                    && query.locks.is_empty() =>
            {
                self.plan_query(inner)
            }
            body => {
                let (plan, columns) = self.plan_set_expr(body)?;
                self.order_and_limit(plan, columns, query)
            }
        }
    }

    /// Plans one operand of a set operation (or a whole one): a plan and its columns.
    pub(super) fn plan_set_expr(
        &mut self,
        body: &ast::SetExpr,
    ) -> Result<(QueryPlan, Vec<(String, DataType)>)> {
        match body {
            ast::SetExpr::Select(select) => self.plan_select(select, None),
            ast::SetExpr::Values(values) => self.plan_values_query(values, None),
            ast::SetExpr::Query(query) => self.plan_query(query),
            ast::SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } => {
                let (op, name) = match op {
                    ast::SetOperator::Union => (SetOperator::Union, "UNION"),
                    ast::SetOperator::Intersect => (SetOperator::Intersect, "INTERSECT"),
                    ast::SetOperator::Except | ast::SetOperator::Minus => {
                        (SetOperator::Except, "EXCEPT")
                    }
                };
                let all = match set_quantifier {
                    ast::SetQuantifier::All => true,
                    ast::SetQuantifier::Distinct | ast::SetQuantifier::None => false,
                    _ => {
                        return Err(Error::unsupported(format!(
                            "{name} BY NAME is not supported"
                        )));
                    }
                };
                let (l, lc) = self.plan_set_expr(left)?;
                let (r, rc) = self.plan_set_expr(right)?;
                if lc.len() != rc.len() {
                    return Err(Error::syntax(format!(
                        "each {name} query must have the same number of columns"
                    )));
                }
                let mut columns = Vec::with_capacity(lc.len());
                for ((ln, lt), (_, rt)) in lc.iter().zip(&rc) {
                    let ty = match DataType::common(*lt, *rt) {
                        Some(DataType::Unknown) => DataType::Text,
                        Some(t) => t,
                        None => {
                            return Err(Error::datatype_mismatch(format!(
                                "{name} types {} and {} cannot be matched",
                                lt.name(),
                                rt.name()
                            )));
                        }
                    };
                    columns.push((ln.clone(), ty));
                }
                let left = self.convert_columns(l, &lc, &columns, name)?;
                let right = self.convert_columns(r, &rc, &columns, name)?;
                let projections = (0..columns.len()).map(Expr::Column).collect();
                Ok((
                    QueryPlan::over(
                        Source::SetOp(Box::new(SetOpPlan {
                            op,
                            all,
                            left,
                            right,
                        })),
                        projections,
                    ),
                    columns,
                ))
            }
            _ => Err(Error::unsupported(
                "data-modifying statements in a query are not supported",
            )),
        }
    }

    /// Applies a query's ORDER BY, LIMIT and OFFSET to the rows of a plan (a set operation,
    /// a parenthesized query): ORDER BY names output columns (or their positions).
    fn order_and_limit(
        &mut self,
        plan: QueryPlan,
        columns: Vec<(String, DataType)>,
        query: &ast::Query,
    ) -> Result<(QueryPlan, Vec<(String, DataType)>)> {
        if query.order_by.is_none() && query.limit_clause.is_none() && query.fetch.is_none() {
            return Ok((plan, columns));
        }
        let scope = Scope::of_columns(None, &columns);
        let items: Vec<(ast::Expr, String)> = columns
            .iter()
            .map(|(n, _)| {
                (
                    ast::Expr::Identifier(ast::Ident::with_quote('"', n.clone())),
                    n.clone(),
                )
            })
            .collect();
        let projections: Vec<Expr> = (0..columns.len()).map(Expr::Column).collect();
        let set_operation = matches!(plan.source, Source::SetOp(_));
        let mut order_by = Vec::new();
        if let Some(ob) = &query.order_by
            && let ast::OrderByKind::Expressions(exprs) = &ob.kind
        {
            for o in exprs {
                // The result of a set operation is sorted by its columns only.
                if set_operation
                    && !matches!(
                        &o.expr,
                        ast::Expr::Identifier(_)
                            | ast::Expr::Value(ast::ValueWithSpan {
                                value: ast::Value::Number(..),
                                ..
                            })
                    )
                {
                    return Err(Error::unsupported(
                        "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                    )
                    .with_detail(
                        "Only result column names can be used, not expressions or functions.",
                    ));
                }
                let e = self.order_expr(o, &items, &projections, &scope, None)?;
                order_by.push(sort_key(e, o));
            }
        }
        let (limit, offset) = self.plan_limit(query)?;
        let mut outer = QueryPlan::over(
            Source::Query(Box::new(Derived::of(plan, "*SELECT*", &columns))),
            projections,
        );
        outer.order_by = order_by;
        outer.limit = limit;
        outer.offset = offset;
        Ok((outer, columns))
    }

    /// Plans a `SELECT` block; `query` holds its ORDER BY, LIMIT and locking clauses when it
    /// is the whole query (not an operand of a set operation). The enclosing block's window
    /// state is kept aside meanwhile.
    fn plan_select(
        &mut self,
        select: &ast::Select,
        query: Option<&ast::Query>,
    ) -> Result<(QueryPlan, Vec<(String, DataType)>)> {
        let windows =
            std::mem::replace(&mut self.windows, WindowSlot::NotAllowed("JOIN conditions"));
        let named = std::mem::take(&mut self.named_windows);
        let planned = self.plan_select_block(select, query);
        self.windows = windows;
        self.named_windows = named;
        planned
    }

    fn plan_select_block(
        &mut self,
        select: &ast::Select,
        query: Option<&ast::Query>,
    ) -> Result<(QueryPlan, Vec<(String, DataType)>)> {
        // An operand of a set operation has no ORDER BY, LIMIT or locking clause of its own.
        let empty;
        let query = match query {
            Some(query) => query,
            None => {
                empty = ast::Query {
                    with: None,
                    body: Box::new(ast::SetExpr::Values(ast::Values {
                        explicit_row: false,
                        value_keyword: false,
                        rows: vec![],
                    })),
                    order_by: None,
                    limit_clause: None,
                    fetch: None,
                    locks: vec![],
                    for_clause: None,
                    settings: None,
                    format_clause: None,
                    pipe_operators: vec![],
                };
                &empty
            }
        };
        // The locking clauses were checked against DSQL's rules as the query came in
        // (`locks.rs`), and the planned block is checked again after (`locking`).
        let for_update = !query.locks.is_empty();
        // FROM: nothing, one table, or a tree of joins and subqueries.
        let (mut source, scope) = self.plan_from(&select.from)?;
        self.named_windows = self.resolve_named_windows(&select.named_window)?;
        self.windows = WindowSlot::NotAllowed("WHERE");
        let mut filter = match &select.selection {
            Some(expr) => {
                let saved = self.place_srf(SrfPlacement::Forbidden("WHERE"));
                let planned = self.plan_folded(expr, &scope, None, Some(DataType::Bool));
                self.restore_srf(saved);
                let (e, ty) = planned?;
                // Rule 0 (constant folding) has run: a WHERE that folded to true goes.
                Some(require_bool(e, ty, "WHERE")?)
                    .filter(|e| !matches!(e, Expr::Literal(Value::Bool(true))))
            }
            None => None,
        };
        // A locking read keeps its one table (DSQL locks only point reads of one table).
        if !for_update && let Some(f) = filter.take() {
            let (decorrelated, rest) = self.decorrelate(source, f, scope.columns.len());
            source = decorrelated;
            filter = rest;
        }
        if let (Source::Table { table, access, .. }, Some(filter)) = (&mut source, &filter) {
            *access = self.access_path(table, filter);
        }
        if matches!(source, Source::Join(_)) {
            let mut preds = Vec::new();
            optimize::conjuncts(filter.take(), &mut preds);
            let (pushed, above) = optimize::push_down(source, preds);
            source = self.choose_methods(self.order_joins(pushed));
            filter = and_all(above);
        }

        // GROUP BY and aggregates.
        let group_asts: Vec<&ast::Expr> = match &select.group_by {
            ast::GroupByExpr::Expressions(exprs, mods) if mods.is_empty() => exprs.iter().collect(),
            ast::GroupByExpr::Expressions(..) => {
                return Err(Error::unsupported("GROUP BY modifiers are not supported"));
            }
            ast::GroupByExpr::All(_) => {
                return Err(Error::unsupported("GROUP BY ALL is not supported"));
            }
        };
        // Expand the select list (resolving `*`) into (ast expr, output name) pairs.
        let mut items: Vec<(ast::Expr, String)> = Vec::new();
        for item in &select.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e) => items.push((e.clone(), column_name(e))),
                ast::SelectItem::ExprWithAlias { expr, alias } => {
                    items.push((expr.clone(), ident_name(alias)))
                }
                ast::SelectItem::Wildcard(_) => {
                    if scope.columns.is_empty() && scope.merged.is_empty() {
                        return Err(Error::syntax(
                            "SELECT * with no tables specified is not valid",
                        ));
                    }
                    items.extend(scope.star_items(None));
                }
                ast::SelectItem::QualifiedWildcard(kind, _) => {
                    let qualifier = match kind {
                        ast::SelectItemQualifiedWildcardKind::ObjectName(name) => name
                            .0
                            .last()
                            .and_then(|p| p.as_ident())
                            .map(ident_name)
                            .unwrap_or_default(),
                        ast::SelectItemQualifiedWildcardKind::Expr(e) => e.to_string(),
                    };
                    if !scope.has_qualifier(&qualifier) {
                        return Err(Error::new(
                            SqlState::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{qualifier}\""),
                        ));
                    }
                    items.extend(scope.star_items(Some(&qualifier)));
                }
                other => {
                    return Err(Error::unsupported(format!(
                        "select item {other} is not supported"
                    )));
                }
            }
        }
        let uses_aggregates = !group_asts.is_empty()
            || select.having.is_some()
            || items.iter().any(|(e, _)| contains_aggregate(e));

        // The select list and ORDER BY collect their set-returning function calls.
        let saved_srf = self.place_srf(SrfPlacement::SelectList(Vec::new()));
        let mut aggregation = None;
        let windowing;
        let mut distinct_on = Vec::new();
        let distinct_on_asts: &[ast::Expr] = match &select.distinct {
            Some(ast::Distinct::On(exprs)) => exprs,
            _ => &[],
        };
        let mut projections = Vec::new();
        let mut columns = Vec::new();
        let mut order_by = Vec::new();
        let order_asts: Vec<&ast::OrderByExpr> = match &query.order_by {
            None => vec![],
            Some(ob) => match &ob.kind {
                ast::OrderByKind::Expressions(exprs) => exprs.iter().collect(),
                ast::OrderByKind::All(_) => {
                    return Err(Error::unsupported("ORDER BY ALL is not supported"));
                }
            },
        };
        if uses_aggregates {
            let mut group_by = Vec::new();
            let mut groups = Vec::new();
            let mut group_columns = Vec::new();
            self.windows = WindowSlot::NotAllowed("GROUP BY");
            for g in &group_asts {
                // GROUP BY 1 refers to the first output column.
                let g_ast = match g {
                    ast::Expr::Value(v) => match &v.value {
                        ast::Value::Number(n, _) => {
                            let i: usize = n
                                .parse()
                                .map_err(|_| Error::syntax("invalid GROUP BY position"))?;
                            items
                                .get(i.wrapping_sub(1))
                                .map(|(e, _)| e.clone())
                                .ok_or_else(|| {
                                    Error::new(
                                        SqlState::INVALID_COLUMN_REFERENCE,
                                        format!("GROUP BY position {i} is not in select list"),
                                    )
                                })?
                        }
                        _ => (*g).clone(),
                    },
                    // An output column's name, when no input column has it.
                    ast::Expr::Identifier(ident)
                        if scope.resolve_expr(None, &ident_name(ident)).is_err() =>
                    {
                        let name = ident_name(ident);
                        let named: Vec<&ast::Expr> = items
                            .iter()
                            .filter(|(_, n)| *n == name)
                            .map(|(e, _)| e)
                            .collect();
                        match named.as_slice() {
                            [e] => (*e).clone(),
                            _ => (*g).clone(),
                        }
                    }
                    _ => (*g).clone(),
                };
                let saved = self.place_srf(SrfPlacement::Unsupported("GROUP BY"));
                let planned = self.plan_folded(&g_ast, &scope, None, None);
                self.unrefuse_srf(Some(saved));
                let (e, ty) = planned?;
                group_columns.push(match e {
                    Expr::Column(c) => Some(c),
                    _ => None,
                });
                group_by.push(e);
                groups.push((g_ast.to_string(), ty));
            }
            let mut state = AggState {
                groups,
                group_columns,
                aggs: Vec::new(),
            };
            self.windows = WindowSlot::Allowed(Default::default());
            for (item, name) in &items {
                let (e, ty) = self.plan_folded(item, &scope, Some(&mut state), None)?;
                projections.push(e);
                columns.push((name.clone(), ty));
            }
            let calls = std::mem::replace(&mut self.windows, WindowSlot::NotAllowed("HAVING"));
            let having = match &select.having {
                Some(h) => {
                    let saved = self.place_srf(SrfPlacement::Forbidden("HAVING"));
                    let planned =
                        self.plan_folded(h, &scope, Some(&mut state), Some(DataType::Bool));
                    self.unrefuse_srf(Some(saved));
                    let (e, ty) = planned?;
                    Some(require_bool(e, ty, "HAVING")?)
                }
                None => None,
            };
            self.windows = calls;
            for ob in &order_asts {
                let expr = self.order_expr(ob, &items, &projections, &scope, Some(&mut state))?;
                order_by.push(sort_key(expr, ob));
            }
            for e in distinct_on_asts {
                let item = distinct_on_item(e);
                distinct_on.push(self.order_expr(
                    &item,
                    &items,
                    &projections,
                    &scope,
                    Some(&mut state),
                )?);
            }
            let mut sorted = false;
            windowing = self.take_windows(
                state.groups.len() + state.aggs.len(),
                &mut projections,
                &mut order_by,
                &mut distinct_on,
                &mut sorted,
            );
            check_distinct_on(&distinct_on, &order_by)?;
            if sorted {
                order_by.clear();
            }
            aggregation = Some(Aggregation {
                group_by,
                aggs: state.aggs,
                having,
            });
        } else {
            self.windows = WindowSlot::Allowed(Default::default());
            for (item, name) in &items {
                let (e, ty) = self.plan_folded(item, &scope, None, None)?;
                projections.push(e);
                columns.push((name.clone(), ty));
            }
            for ob in &order_asts {
                let expr = self.order_expr(ob, &items, &projections, &scope, None)?;
                order_by.push(sort_key(expr, ob));
            }
            for e in distinct_on_asts {
                let item = distinct_on_item(e);
                distinct_on.push(self.order_expr(&item, &items, &projections, &scope, None)?);
            }
            let mut sorted = false;
            windowing = self.take_windows(
                scope.columns.len(),
                &mut projections,
                &mut order_by,
                &mut distinct_on,
                &mut sorted,
            );
            check_distinct_on(&distinct_on, &order_by)?;
            if sorted {
                order_by.clear();
            }
            // ORDER BY the primary key (all ascending or all descending): read in key order
            // (not when window functions reorder the rows after the read).
            if let Source::Table { table, reverse, .. } = &mut source
                && windowing.is_none()
                && !order_by.is_empty()
                && order_by.len() <= table.primary_key.len().max(1)
            {
                let desc = order_by[0].desc;
                let matches = order_by.iter().enumerate().all(|(i, k)| {
                    k.desc == desc
                        && k.nulls_first == desc
                        && matches!(k.expr, Expr::Column(c) if table.primary_key.get(i) == Some(&c))
                });
                if matches {
                    *reverse = desc;
                    order_by.clear();
                }
            }
        }
        let set_functions = self.restore_srf(saved_srf);
        // The set-returning functions' values follow the row they are computed on: the
        // source (or group) row and its window function results, which come first.
        let width = match &aggregation {
            None => scope.columns.len(),
            Some(agg) => agg.group_by.len() + agg.aggs.len(),
        } + windowing.as_ref().map_or(0, |w| w.calls.len());
        let place = |e: Expr| {
            e.transform(&mut |e| match e {
                Expr::SetFunctionRef(k) => Expr::Column(width + k),
                other => other,
            })
        };
        projections = projections.into_iter().map(place).collect();
        for k in &mut order_by {
            k.expr = place(std::mem::replace(&mut k.expr, Expr::Literal(Value::Null)));
        }
        let distinct = matches!(select.distinct, Some(ast::Distinct::Distinct));
        let (limit, offset) = self.plan_limit(query)?;
        // ORDER BY the key columns of an index: read the index in key order.
        if let Source::Table {
            table,
            access,
            reverse,
            index_order,
            ..
        } = &mut source
            && aggregation.is_none()
            && windowing.is_none()
            && !order_by.is_empty()
            && let Some((ordered, desc, ties)) = self.ordered_index_access(
                table,
                &scope,
                select.selection.as_ref(),
                access,
                &order_by,
                limit.is_some(),
            )?
        {
            *access = ordered;
            *reverse = desc;
            *index_order = Some(ties);
            order_by.clear();
        }
        // An index whose entries carry every column the query uses answers it alone.
        if let Source::Table {
            table,
            access: Access::Index { index_id, .. },
            index_only,
            ..
        } = &mut source
            && let Some(index) = table.indexes.iter().find(|i| i.id == *index_id)
        {
            let mut needed = Vec::new();
            for e in filter
                .iter()
                .chain(&projections)
                .chain(order_by.iter().map(|k| &k.expr))
                .chain(set_functions.iter().flat_map(|c| &c.args))
                .chain(&distinct_on)
            {
                e.columns(&mut needed);
            }
            if let Some(w) = &windowing {
                w.exprs(&mut |e| e.columns(&mut needed));
            }
            // The set-returning functions' values follow the table row: not read from it.
            needed.retain(|&c| c < scope.columns.len());
            if let Some(agg) = &aggregation {
                // Projections, HAVING and ORDER BY read the aggregated row; only the filter,
                // the groups and the aggregate arguments read table rows.
                needed.clear();
                for e in filter
                    .iter()
                    .chain(&agg.group_by)
                    .chain(agg.aggs.iter().flat_map(crate::expr::AggCall::exprs))
                {
                    e.columns(&mut needed);
                }
            }
            *index_only = index.covers(&needed);
        }
        Ok((
            QueryPlan {
                source,
                filter,
                aggregation,
                set_functions,
                windowing,
                projections,
                distinct,
                distinct_on,
                order_by,
                limit,
                offset,
                for_update,
            },
            columns,
        ))
    }

    /// Plans a `VALUES` list used as a query: the columns are named `column1`, `column2`, ...
    /// and each takes the common type of its rows (text when all are untyped).
    fn plan_values_query(
        &mut self,
        values: &ast::Values,
        query: Option<&ast::Query>,
    ) -> Result<(QueryPlan, Vec<(String, DataType)>)> {
        let rows = self.plan_values(values, None)?;
        let width = rows.first().map(|r| r.0.len()).unwrap_or(0);
        let mut columns: Vec<(String, DataType)> = (0..width)
            .map(|i| (format!("column{}", i + 1), DataType::Unknown))
            .collect();
        let mut typed_rows = Vec::new();
        for (exprs, types) in rows {
            for (i, ty) in types.iter().enumerate() {
                columns[i].1 = DataType::common(columns[i].1, *ty).ok_or_else(|| {
                    Error::datatype_mismatch(format!(
                        "VALUES types {} and {} cannot be matched",
                        columns[i].1.name(),
                        ty.name()
                    ))
                })?;
            }
            typed_rows.push((exprs, types));
        }
        let mut out_rows = Vec::new();
        for (exprs, types) in typed_rows {
            let mut row = Vec::new();
            for ((e, from), (_, to)) in exprs.into_iter().zip(types).zip(&columns) {
                let to = if *to == DataType::Unknown {
                    DataType::Text
                } else {
                    *to
                };
                row.push(coerce(e, from, to, false)?);
            }
            out_rows.push(row);
        }
        for c in &mut columns {
            if c.1 == DataType::Unknown {
                c.1 = DataType::Text;
            }
        }
        let projections = (0..width).map(Expr::Column).collect();
        let scope = Scope::of_columns(None, &columns);
        let items: Vec<(ast::Expr, String)> = columns
            .iter()
            .map(|(n, _)| (ast::Expr::Identifier(ast::Ident::new(n.clone())), n.clone()))
            .collect();
        let proj_exprs: Vec<Expr> = (0..width).map(Expr::Column).collect();
        let mut order_by = Vec::new();
        if let Some(ob) = query.and_then(|q| q.order_by.as_ref())
            && let ast::OrderByKind::Expressions(exprs) = &ob.kind
        {
            for o in exprs {
                let e = self.order_expr(o, &items, &proj_exprs, &scope, None)?;
                order_by.push(sort_key(e, o));
            }
        }
        let (limit, offset) = match query {
            Some(q) => self.plan_limit(q)?,
            None => (None, None),
        };
        Ok((
            QueryPlan {
                source: Source::Values(out_rows),
                filter: None,
                aggregation: None,
                set_functions: Vec::new(),
                windowing: None,
                projections,
                distinct: false,
                distinct_on: Vec::new(),
                order_by,
                limit,
                offset,
                for_update: false,
            },
            columns,
        ))
    }

    /// Plans the rows of a `VALUES` list, typing item `i` of each row from `expected[i]` when
    /// given: the planned expressions of each row with their types. Rows must be equally long.
    fn plan_values(
        &mut self,
        values: &ast::Values,
        expected: Option<&[DataType]>,
    ) -> Result<Vec<(Vec<Expr>, Vec<DataType>)>> {
        let slot = std::mem::replace(&mut self.windows, WindowSlot::NotAllowed("VALUES"));
        let rows = self.plan_values_rows(values, expected);
        self.windows = slot;
        rows
    }

    fn plan_values_rows(
        &mut self,
        values: &ast::Values,
        expected: Option<&[DataType]>,
    ) -> Result<Vec<(Vec<Expr>, Vec<DataType>)>> {
        let mut rows = Vec::new();
        let width = values.rows.first().map(|r| r.len()).unwrap_or(0);
        for row in &values.rows {
            if row.len() != width {
                return Err(Error::syntax("VALUES lists must all be the same length"));
            }
            let mut exprs = Vec::new();
            let mut types = Vec::new();
            for (i, e) in row.iter().enumerate() {
                let hint = expected.and_then(|t| t.get(i).copied());
                let saved = self.place_srf(SrfPlacement::Forbidden("VALUES"));
                let planned = self.plan_folded(e, &Scope::default(), None, hint);
                self.restore_srf(saved);
                let (e, ty) = planned?;
                exprs.push(e);
                types.push(ty);
            }
            rows.push((exprs, types));
        }
        Ok(rows)
    }

    /// Ends the window calls of the block being planned (see [`Planner::finish_windows`]):
    /// their references in the projections, ORDER BY and DISTINCT ON become positions after
    /// the `input_width` columns of the row they read. `sorted` is set when the window stage
    /// already gives the rows in ORDER BY order.
    fn take_windows(
        &mut self,
        input_width: usize,
        projections: &mut [Expr],
        order_by: &mut [SortKey],
        distinct_on: &mut [Expr],
        sorted: &mut bool,
    ) -> Option<Windowing> {
        let WindowSlot::Allowed(calls) =
            std::mem::replace(&mut self.windows, WindowSlot::NotAllowed("this context"))
        else {
            return None;
        };
        let mut exprs: Vec<&mut Expr> = projections
            .iter_mut()
            .chain(order_by.iter_mut().map(|k| &mut k.expr))
            .chain(distinct_on.iter_mut())
            .collect();
        let mut windowing = Planner::finish_windows(calls, input_width, &mut exprs)?;
        // The window stage gives its rows in the order of the last window it sorted: when
        // that can be the query's ORDER BY, that window goes last and the sort is dropped
        // (a stable sort of rows already in order would change nothing), as PostgreSQL
        // does.
        let wanted = format!("{order_by:?}");
        let sorted_as_wanted = windowing
            .orders
            .iter()
            .position(|o| format!("{:?}", o.sort_keys()) == wanted);
        if let Some(i) = sorted_as_wanted
            && !order_by.is_empty()
        {
            let last = windowing.orders.len() - 1;
            windowing.orders.swap(i, last);
            for c in &mut windowing.calls {
                if c.order == i {
                    c.order = last;
                } else if c.order == last {
                    c.order = i;
                }
            }
            *sorted = true;
        }
        Some(windowing)
    }

    /// Plans `LIMIT` / `OFFSET` / `FETCH FIRST` as `bigint` expressions: (limit, offset).
    fn plan_limit(&mut self, query: &ast::Query) -> Result<(Option<Expr>, Option<Expr>)> {
        let mut limit = None;
        let mut offset = None;
        let plan_count = |this: &mut Self, e: &ast::Expr, clause: &'static str| -> Result<Expr> {
            let saved = this.place_srf(SrfPlacement::Forbidden(clause));
            let planned = this.plan_folded(e, &Scope::default(), None, Some(DataType::Int8));
            this.restore_srf(saved);
            let (e, ty) = planned?;
            coerce(e, ty, DataType::Int8, false)
        };
        match &query.limit_clause {
            None => {}
            Some(ast::LimitClause::LimitOffset {
                limit: l,
                offset: o,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(Error::unsupported("LIMIT BY is not supported"));
                }
                if let Some(l) = l {
                    limit = Some(plan_count(self, l, "LIMIT")?);
                }
                if let Some(o) = o {
                    offset = Some(plan_count(self, &o.value, "OFFSET")?);
                }
            }
            Some(ast::LimitClause::OffsetCommaLimit {
                offset: o,
                limit: l,
            }) => {
                limit = Some(plan_count(self, l, "LIMIT")?);
                offset = Some(plan_count(self, o, "OFFSET")?);
            }
        }
        if let Some(fetch) = &query.fetch {
            if fetch.percent || fetch.with_ties {
                return Err(Error::unsupported(
                    "FETCH PERCENT / WITH TIES is not supported",
                ));
            }
            limit = Some(match &fetch.quantity {
                Some(q) => plan_count(self, q, "LIMIT")?,
                None => Expr::Literal(Value::Int(1)),
            });
        }
        Ok((limit, offset))
    }

    /// An ORDER BY item: an output column position, an output column name, or an expression.
    fn order_expr(
        &mut self,
        ob: &ast::OrderByExpr,
        items: &[(ast::Expr, String)],
        projections: &[Expr],
        scope: &Scope,
        agg: Option<&mut AggState>,
    ) -> Result<Expr> {
        if let ast::Expr::Value(v) = &ob.expr
            && let ast::Value::Number(n, _) = &v.value
        {
            let i: usize = n
                .parse()
                .map_err(|_| Error::syntax("invalid ORDER BY position"))?;
            return projections.get(i.wrapping_sub(1)).cloned().ok_or_else(|| {
                Error::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    format!("ORDER BY position {i} is not in select list"),
                )
            });
        }
        if let ast::Expr::Identifier(ident) = &ob.expr {
            let name = ident_name(ident);
            let by_output: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(_, (_, n))| *n == name)
                .map(|(i, _)| i)
                .collect();
            if by_output.len() == 1 && scope.resolve(None, &name).is_err() {
                return Ok(projections[by_output[0]].clone());
            }
            if by_output.len() == 1
                && matches!(&items[by_output[0]].0, ast::Expr::Identifier(i) if ident_name(i) == name)
            {
                return Ok(projections[by_output[0]].clone());
            }
        }
        Ok(self.plan_folded(&ob.expr, scope, agg, None)?.0)
    }
}

/// A DISTINCT ON item as an ORDER BY item (it is resolved the same way: an output position,
/// an output name, or an expression).
fn distinct_on_item(e: &ast::Expr) -> ast::OrderByExpr {
    ast::OrderByExpr {
        expr: e.clone(),
        options: ast::OrderByOptions {
            sort: None,
            nulls_first: None,
        },
        with_fill: None,
    }
}

/// PostgreSQL's rule for DISTINCT ON: the leading ORDER BY expressions must be DISTINCT ON
/// expressions, in any order, until every DISTINCT ON expression was named (42P10).
fn check_distinct_on(distinct_on: &[Expr], order_by: &[SortKey]) -> Result<()> {
    let texts: Vec<String> = distinct_on.iter().map(|e| format!("{e:?}")).collect();
    let mut matched = vec![false; texts.len()];
    for k in order_by {
        if matched.iter().all(|m| *m) {
            break;
        }
        match texts.iter().position(|t| *t == format!("{:?}", k.expr)) {
            Some(i) => matched[i] = true,
            None => {
                return Err(Error::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                ));
            }
        }
    }
    Ok(())
}

/// A sort key from a planned ORDER BY expression and its options: NULLS FIRST by default
/// when descending, as in PostgreSQL.
pub(super) fn sort_key(expr: Expr, ob: &ast::OrderByExpr) -> SortKey {
    let desc = matches!(ob.options.sort, Some(ast::OrderBySort::Desc));
    SortKey {
        expr,
        desc,
        nulls_first: ob.options.nulls_first.unwrap_or(desc),
    }
}
