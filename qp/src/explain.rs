//! `EXPLAIN`: a plan as a tree of nodes, in the layout of PostgreSQL's `EXPLAIN (COSTS OFF)`.
//!
//! dsql has no cost model, so nodes carry no costs. Each node is a line, its details (key
//! conditions, filters, sort keys) follow it indented, and its input is drawn below it with
//! `->`:
//!
//! ```text
//! Limit
//!   ->  Sort
//!         Sort Key: price DESC
//!         ->  Seq Scan on items
//!               Filter: (qty > 0)
//! ```
//!
//! The scan names say how the table is read: `Seq Scan` (every row), `Index Scan using
//! t_pkey` (a point or range of the primary key, with its `Index Cond`), `Index Scan using
//! <index>` / `Index Only Scan using <index>` (a secondary index; `Backward` when read in
//! reverse), `Function Scan on generate_series` (a function in FROM). The select list's
//! set-returning functions run in a `ProjectSet` node, below the `Sort` unless the sort
//! keys read their values. A scan's `Filter` is the whole WHERE clause: it is evaluated on every row read,
//! also where the key condition already implies it. `VERBOSE` adds each node's output columns
//! and schema-qualifies table names.

use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::expr::{AggCall, AggFunc, BinOp, Expr, Func, SubLink};
use crate::plan::{
    Access, Aggregation, DeletePlan, InsertPlan, InsertSource, JoinKind, JoinMethod, Plan,
    QueryPlan, SetCall, SetOperator, SortKey, Source, SubqueryPlan, UpdatePlan, WindowCall,
};
use crate::types::Value;

/// What EXPLAIN prints with.
struct Cx<'a> {
    /// The statement's subqueries.
    subqueries: &'a [SubqueryPlan],
    /// `VERBOSE`
    verbose: bool,
}

/// One node of the printed tree.
struct Node {
    title: String,
    details: Vec<String>,
    children: Vec<Node>,
    /// Plans of subqueries the node's expressions use, each under its label.
    subplans: Vec<(String, Node)>,
}

impl Node {
    fn new(title: impl Into<String>) -> Node {
        Node {
            title: title.into(),
            details: Vec::new(),
            children: Vec::new(),
            subplans: Vec::new(),
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Node {
        self.details.push(detail.into());
        self
    }

    fn child(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    /// PostgreSQL's layout: a child at depth d starts with `->` after 6(d-1)+2 spaces, and a
    /// node's details are indented 6d+2 spaces.
    fn render(&self, depth: usize, out: &mut Vec<String>) {
        if depth == 0 {
            out.push(self.title.clone());
        } else {
            out.push(format!(
                "{}->  {}",
                " ".repeat(6 * (depth - 1) + 2),
                self.title
            ));
        }
        let indent = " ".repeat(6 * depth + 2);
        for d in &self.details {
            out.push(format!("{indent}{d}"));
        }
        for c in &self.children {
            c.render(depth + 1, out);
        }
        // A subquery's plan is drawn under its label, two spaces further in.
        for (label, plan) in &self.subplans {
            out.push(format!("{indent}{label}"));
            let mut lines = Vec::new();
            plan.render(depth + 1, &mut lines);
            out.extend(lines.into_iter().map(|l| format!("  {l}")));
        }
    }
}

/// The lines of `EXPLAIN` for a planned statement whose subqueries are `subqueries`.
pub fn explain(plan: &Plan, subqueries: &[SubqueryPlan], verbose: bool) -> Result<Vec<String>> {
    let cx = Cx {
        subqueries,
        verbose,
    };
    let node = match plan {
        Plan::Query(q) => query_node(q, &[], &cx),
        Plan::Insert(p) => insert_node(p, &cx),
        Plan::Update(p) => update_node(p, &cx),
        Plan::Delete(p) => delete_node(p, &cx),
        _ => {
            return Err(Error::internal(
                "EXPLAIN of a statement without a plan tree",
            ));
        }
    };
    let mut out = Vec::new();
    node.render(0, &mut out);
    Ok(out)
}

/// Names for the columns an expression refers to: the row's (as shown, and qualified by
/// their relation), and the enclosing rows' (for outer references, always qualified),
/// innermost last.
#[derive(Clone)]
struct Names {
    shown: Vec<String>,
    qualified: Vec<String>,
    outer: Vec<Vec<String>>,
}

impl Names {
    /// The names of the row a [`Source::Permute`] reads, from the names of the row it gives.
    fn unpermuted(&self, positions: &[usize]) -> Names {
        let mut shown = vec![String::new(); positions.len()];
        let mut qualified = vec![String::new(); positions.len()];
        for (j, &p) in positions.iter().enumerate() {
            shown[p] = self.shown[j].clone();
            qualified[p] = self.qualified[j].clone();
        }
        Names {
            shown,
            qualified,
            outer: self.outer.clone(),
        }
    }

    fn of_table(table: &TableDef) -> Names {
        Names {
            shown: table.columns.iter().map(|c| c.name.clone()).collect(),
            qualified: table
                .columns
                .iter()
                .map(|c| format!("{}.{}", table.name, c.name))
                .collect(),
            outer: Vec::new(),
        }
    }

    /// Names of `columns` (short, qualified), shown qualified when `qualify`.
    fn of(columns: Vec<(String, String)>, qualify: bool, outer: &[Vec<String>]) -> Names {
        let (short, qualified): (Vec<String>, Vec<String>) = columns.into_iter().unzip();
        Names {
            shown: if qualify { qualified.clone() } else { short },
            qualified,
            outer: outer.to_vec(),
        }
    }

    /// The names of columns `range` of the row.
    fn slice(&self, range: std::ops::Range<usize>) -> Names {
        let clamp = |r: &std::ops::Range<usize>, len: usize| r.start.min(len)..r.end.min(len);
        Names {
            shown: self.shown[clamp(&range, self.shown.len())].to_vec(),
            qualified: self.qualified[clamp(&range, self.qualified.len())].to_vec(),
            outer: self.outer.clone(),
        }
    }

    fn column(&self, i: usize) -> String {
        self.shown
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column{}", i + 1))
    }

    fn outer(&self, level: usize, i: usize) -> String {
        self.outer
            .len()
            .checked_sub(level)
            .and_then(|l| self.outer[l].get(i))
            .cloned()
            .unwrap_or_else(|| format!("$outer{level}.column{}", i + 1))
    }

    /// The enclosing rows of a source read with this row as its outer row.
    fn pushed(&self) -> Vec<Vec<String>> {
        let mut outer = self.outer.clone();
        outer.push(self.qualified.clone());
        outer
    }
}

fn table_name(table: &TableDef, cx: &Cx) -> String {
    if cx.verbose {
        format!("{}.{}", table.schema, table.name)
    } else {
        table.name.clone()
    }
}

/// The names a source's columns have: (short, qualified by their relation).
fn source_names(source: &Source) -> Vec<(String, String)> {
    let named = |relation: &str, columns: &mut dyn Iterator<Item = String>| {
        columns
            .map(|c| (c.clone(), format!("{relation}.{c}")))
            .collect::<Vec<_>>()
    };
    match source {
        Source::Table { table, alias, .. } => named(
            alias.as_deref().unwrap_or(&table.name),
            &mut table.columns.iter().map(|c| c.name.clone()),
        ),
        Source::System { table, alias } => named(
            alias.as_deref().unwrap_or(table.name()),
            &mut table.columns().iter().map(|c| c.name.to_string()),
        ),
        Source::Values(rows) => named(
            "\"*VALUES*\"",
            &mut (0..rows.first().map_or(0, Vec::len)).map(|i| format!("column{}", i + 1)),
        ),
        Source::Single => Vec::new(),
        Source::Query(d) => named(&d.alias, &mut d.columns.iter().cloned()),
        Source::Function(scan) => named(
            scan.alias.as_deref().unwrap_or(scan.calls[0].func.name()),
            &mut scan.columns.iter().cloned(),
        ),
        Source::Filter(inner, _) => source_names(inner),
        Source::Permute(inner, positions) => {
            let inner = source_names(inner);
            positions.iter().map(|&p| inner[p].clone()).collect()
        }
        Source::Join(j) if j.kind.keeps_left_only() => source_names(&j.left),
        Source::Join(j) => {
            let mut names = source_names(&j.left);
            names.extend(source_names(&j.right));
            names
        }
        Source::SetOp(op) => named(
            "\"*SELECT*\"",
            &mut (0..op.left.projections.len()).map(|i| format!("column{}", i + 1)),
        ),
        Source::Recursive(r) => named(&r.name, &mut r.columns.iter().cloned()),
        Source::WorkTable { name, columns, .. } => named(name, &mut columns.iter().cloned()),
    }
}

/// Adds a node for each subquery `exprs` use, as PostgreSQL prints them: `SubPlan n`.
fn with_subplans<'e>(
    mut node: Node,
    exprs: impl IntoIterator<Item = &'e Expr>,
    names: &Names,
    cx: &Cx,
) -> Node {
    let mut ids = Vec::new();
    for e in exprs {
        e.subqueries(&mut ids);
    }
    ids.dedup();
    for id in ids {
        if let Some(sub) = cx.subqueries.get(id) {
            let plan = query_node(&sub.query, &names.pushed(), cx);
            node.subplans.push((format!("SubPlan {}", id + 1), plan));
        }
    }
    node
}

fn query_node(q: &QueryPlan, outer: &[Vec<String>], cx: &Cx) -> Node {
    let qualify = matches!(q.source, Source::Join(_))
        || matches!(&q.source, Source::Permute(inner, _) if matches!(**inner, Source::Join(_)));
    let names = Names::of(source_names(&q.source), qualify, outer);
    let mut node = source_node(&q.source, &names, cx);
    if let Some(filter) = &q.filter {
        node = node.detail(format!("Filter: {}", show_condition(filter, &names)));
        node = with_subplans(node, [filter], &names, cx);
    }
    if q.for_update {
        node = Node::new("LockRows").child(node);
    }
    // Above an aggregation, rows are the group values then the aggregate results.
    let names = match &q.aggregation {
        None => names,
        Some(agg) => {
            let grouped = aggregated_names(agg, &names, outer);
            node = aggregate_node(agg, &names, &grouped).child(node);
            grouped
        }
    };
    // Each window sorts the rows it reads (unless it neither partitions nor orders them) and
    // adds its calls' results to them.
    let names = match &q.windowing {
        None => names,
        Some(w) => {
            let mut shown = names.shown.clone();
            shown.truncate(w.input_width);
            shown.resize_with(w.input_width, String::new);
            shown.extend(w.calls.iter().map(|c| show_window_call(c, &names)));
            for o in &w.orders {
                let keys = o.sort_keys();
                if !keys.is_empty() {
                    node = sort_node(&keys, &names).child(node);
                }
                node = Node::new("WindowAgg").child(node);
            }
            Names {
                qualified: shown.clone(),
                shown,
                outer: names.outer.clone(),
            }
        }
    };
    // Above the set-returning functions, rows are followed by their values.
    let width = names.shown.len();
    let names = if q.set_functions.is_empty() {
        names
    } else {
        let calls: Vec<String> = q
            .set_functions
            .iter()
            .map(|c| show_call(c, &names))
            .collect();
        let mut extended = names.clone();
        extended.shown.extend(calls.iter().cloned());
        extended.qualified.extend(calls);
        extended
    };
    if cx.verbose {
        let outputs: Vec<String> = q.projections.iter().map(|e| show(e, &names)).collect();
        node = node.detail(format!("Output: {}", outputs.join(", ")));
    }
    node = with_subplans(node, &q.projections, &names, cx);
    // Sorting on the functions' values needs them first; other sorts run below, as
    // PostgreSQL plans them (the executor's stable sort gives the same order).
    let sorts_set_values = q.order_by.iter().any(|k| {
        let mut columns = Vec::new();
        k.expr.columns(&mut columns);
        columns.iter().any(|&c| c >= width)
    });
    if !q.set_functions.is_empty() && !sorts_set_values {
        if !q.order_by.is_empty() {
            node = sort_node(&q.order_by, &names).child(node);
        }
        node = Node::new("ProjectSet").child(node);
    } else {
        if !q.set_functions.is_empty() {
            node = Node::new("ProjectSet").child(node);
        }
        // The executor sorts before it removes duplicates.
        if !q.order_by.is_empty() {
            node = sort_node(&q.order_by, &names).child(node);
        }
    }
    if q.distinct || !q.distinct_on.is_empty() {
        node = Node::new("Unique").child(node);
    }
    if q.limit.is_some() || q.offset.is_some() {
        node = Node::new("Limit").child(node);
    }
    node
}

/// The node that reads a source (a scan, a join, a subquery...).
fn source_node(source: &Source, names: &Names, cx: &Cx) -> Node {
    match source {
        // PostgreSQL moves columns without a node of its own.
        Source::Permute(inner, positions) => source_node(inner, &names.unpermuted(positions), cx),
        Source::Filter(inner, filter) => {
            let node = source_node(inner, names, cx)
                .detail(format!("Filter: {}", show_condition(filter, names)));
            with_subplans(node, [filter], names, cx)
        }
        Source::Join(j) => {
            let left_names = names.slice(0..j.left_width);
            let right_names = if j.kind.keeps_left_only() {
                Names::of(source_names(&j.right), true, &names.outer)
            } else {
                names.slice(j.left_width..j.left_width + j.right_width)
            };
            let kind = match j.kind {
                JoinKind::Inner => "",
                JoinKind::Left => " Left Join",
                JoinKind::Right => " Right Join",
                JoinKind::Full => " Full Join",
                JoinKind::Semi => " Semi Join",
                JoinKind::Anti => " Anti Join",
            };
            let left = source_node(&j.left, &left_names, cx);
            let mut node = match &j.method {
                JoinMethod::NestedLoop | JoinMethod::Dependent => {
                    let right_names = match j.method {
                        JoinMethod::Dependent => Names {
                            outer: left_names.pushed(),
                            ..right_names
                        },
                        _ => right_names,
                    };
                    let right = source_node(&j.right, &right_names, cx);
                    Node::new(format!("Nested Loop{kind}"))
                        .child(left)
                        .child(right)
                }
                JoinMethod::Hash {
                    left_keys,
                    right_keys,
                } => {
                    let conds: Vec<String> = left_keys
                        .iter()
                        .zip(right_keys)
                        .map(|(l, r)| {
                            format!("({} = {})", show(l, &left_names), show(r, &right_names))
                        })
                        .collect();
                    let title = if kind.is_empty() {
                        "Hash Join".to_string()
                    } else {
                        format!("Hash{kind}")
                    };
                    let right = source_node(&j.right, &right_names, cx);
                    Node::new(title)
                        .detail(format!("Hash Cond: {}", conds.join(" AND ")))
                        .child(left)
                        .child(Node::new("Hash").child(right))
                }
            };
            if let Some(c) = &j.condition {
                node.details
                    .push(format!("Join Filter: {}", show_condition(c, names)));
                node = with_subplans(node, [c], names, cx);
            }
            node
        }
        // The wrapper that sorts or limits a set operation's rows is not a relation.
        Source::Query(d) if d.alias == "*SELECT*" => query_node(&d.query, &names.outer, cx),
        Source::Query(d) => Node::new(format!("Subquery Scan on {}", d.alias)).child(query_node(
            &d.query,
            &names.outer,
            cx,
        )),
        Source::SetOp(op) => {
            let (title, all) = match op.op {
                SetOperator::Union => ("Append", op.all),
                SetOperator::Intersect => ("HashSetOp Intersect", op.all),
                SetOperator::Except => ("HashSetOp Except", op.all),
            };
            let title = match (op.op, all) {
                (SetOperator::Union, _) => title.to_string(),
                (_, true) => format!("{title} All"),
                _ => title.to_string(),
            };
            let node = Node::new(title)
                .child(query_node(&op.left, &names.outer, cx))
                .child(query_node(&op.right, &names.outer, cx));
            if op.op == SetOperator::Union && !op.all {
                Node::new("HashAggregate").child(node)
            } else {
                node
            }
        }
        Source::Recursive(r) => Node::new(format!("CTE Scan on {}", r.name)).child(
            Node::new("Recursive Union")
                .child(query_node(&r.base, &names.outer, cx))
                .child(query_node(&r.step, &names.outer, cx)),
        ),
        Source::WorkTable { name, .. } => Node::new(format!("WorkTable Scan on {name}")),
        Source::System { table, alias } => {
            let name = if cx.verbose {
                format!("{}.{}", table.schema(), table.name())
            } else {
                table.name().to_string()
            };
            match alias {
                Some(alias) => Node::new(format!("Seq Scan on {name} {alias}")),
                None => Node::new(format!("Seq Scan on {name}")),
            }
        }
        Source::Function(scan) => {
            let function = scan.calls[0].func.name();
            // Several calls scan as the relation they make (PostgreSQL's ROWS FROM).
            let on = match (&scan.alias, cx.verbose) {
                (Some(alias), _) if scan.calls.len() > 1 => alias.clone(),
                (Some(alias), false) => format!("{function} {alias}"),
                (Some(alias), true) => format!("pg_catalog.{function} {alias}"),
                (None, false) => function.to_string(),
                (None, true) => format!("pg_catalog.{function}"),
            };
            let node = Node::new(format!("Function Scan on {on}"));
            if cx.verbose {
                let calls: Vec<String> = scan.calls.iter().map(|c| show_call(c, names)).collect();
                node.detail(format!("Function Call: {}", calls.join(", ")))
            } else {
                node
            }
        }
        other => scan_node(other, names, cx),
    }
}

fn aggregated_names(agg: &Aggregation, source: &Names, outer: &[Vec<String>]) -> Names {
    let mut names: Vec<String> = agg.group_by.iter().map(|e| show(e, source)).collect();
    names.extend(agg.aggs.iter().map(|a| show_agg(a, source)));
    Names {
        shown: names.clone(),
        qualified: names,
        outer: outer.to_vec(),
    }
}

fn aggregate_node(agg: &Aggregation, source: &Names, grouped: &Names) -> Node {
    let mut node = if agg.group_by.is_empty() {
        Node::new("Aggregate")
    } else {
        let keys: Vec<String> = agg.group_by.iter().map(|e| show(e, source)).collect();
        Node::new("HashAggregate").detail(format!("Group Key: {}", keys.join(", ")))
    };
    if let Some(having) = &agg.having {
        node = node.detail(format!("Filter: {}", show_condition(having, grouped)));
    }
    node
}

fn sort_node(keys: &[SortKey], names: &Names) -> Node {
    let keys: Vec<String> = keys.iter().map(|k| show_sort_key(k, names)).collect();
    Node::new("Sort").detail(format!("Sort Key: {}", keys.join(", ")))
}

/// A sort key: its expression, `DESC`, and its NULLS placement when not the default (only
/// that is printed, as PostgreSQL does).
fn show_sort_key(k: &SortKey, names: &Names) -> String {
    let mut key = show(&k.expr, names);
    if k.desc {
        key.push_str(" DESC");
    }
    if k.nulls_first != k.desc {
        key.push_str(if k.nulls_first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
    }
    key
}

fn scan_node(source: &Source, names: &Names, cx: &Cx) -> Node {
    match source {
        Source::Single => Node::new("Result"),
        Source::Values(_) => Node::new("Values Scan on \"*VALUES*\""),
        Source::Table {
            table,
            alias,
            access,
            reverse,
            index_only,
            ..
        } => table_scan(
            table,
            alias.as_deref(),
            access,
            *reverse,
            *index_only,
            names,
            cx,
        ),
        other => source_node(other, names, cx),
    }
}

fn table_scan(
    table: &TableDef,
    alias: Option<&str>,
    access: &Access,
    reverse: bool,
    index_only: bool,
    names: &Names,
    cx: &Cx,
) -> Node {
    let on = match alias {
        Some(alias) => format!("{} {alias}", table_name(table, cx)),
        None => table_name(table, cx),
    };
    let backward = if reverse { " Backward" } else { "" };
    let key_names = |columns: &mut dyn Iterator<Item = usize>| -> Vec<String> {
        columns.map(|c| names.column(c)).collect()
    };
    match access {
        Access::Full => Node::new(format!("Seq Scan{backward} on {on}")),
        Access::Point(values) => pk_scan(table, backward, &on, values, &None, &None, names),
        Access::Range {
            prefix,
            lower,
            upper,
        } => pk_scan(table, backward, &on, prefix, lower, upper, names),
        Access::Index {
            index_id,
            prefix,
            lower,
            upper,
        } => {
            let index = table.indexes.iter().find(|i| i.id == *index_id);
            let index_name = index.map_or_else(|| format!("index {index_id}"), |i| i.name.clone());
            let columns = index.map_or_else(Vec::new, |i| {
                key_names(&mut i.columns.iter().map(|c| c.column))
            });
            let kind = if index_only {
                "Index Only Scan"
            } else {
                "Index Scan"
            };
            let node = Node::new(format!("{kind}{backward} using {index_name} on {on}"));
            if prefix.is_empty() && lower.is_none() && upper.is_none() {
                node
            } else {
                node.detail(format!(
                    "Index Cond: {}",
                    key_condition(&columns, prefix, lower, upper, names)
                ))
            }
        }
    }
}

/// A point or range read of the primary key.
fn pk_scan(
    table: &TableDef,
    backward: &str,
    on: &str,
    prefix: &[Expr],
    lower: &Option<(Expr, bool)>,
    upper: &Option<(Expr, bool)>,
    names: &Names,
) -> Node {
    let columns: Vec<String> = table.primary_key.iter().map(|&c| names.column(c)).collect();
    Node::new(format!(
        "Index Scan{backward} using {}_pkey on {on}",
        table.name
    ))
    .detail(format!(
        "Index Cond: {}",
        key_condition(&columns, prefix, lower, upper, names)
    ))
}

/// `((a = 1) AND (b > 2))`: equalities on the leading key columns and bounds on the next.
fn key_condition(
    columns: &[String],
    prefix: &[Expr],
    lower: &Option<(Expr, bool)>,
    upper: &Option<(Expr, bool)>,
    names: &Names,
) -> String {
    let mut parts: Vec<String> = prefix
        .iter()
        .zip(columns)
        .map(|(v, c)| format!("({c} = {})", show(v, names)))
        .collect();
    let next = columns.get(prefix.len()).cloned().unwrap_or_default();
    if let Some((v, inclusive)) = lower {
        let op = if *inclusive { ">=" } else { ">" };
        parts.push(format!("({next} {op} {})", show(v, names)));
    }
    if let Some((v, inclusive)) = upper {
        let op = if *inclusive { "<=" } else { "<" };
        parts.push(format!("({next} {op} {})", show(v, names)));
    }
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join(" AND "))
    }
}

fn insert_node(p: &InsertPlan, cx: &Cx) -> Node {
    let source = match &p.rows {
        InsertSource::Values(rows) if rows.len() == 1 => Node::new("Result"),
        InsertSource::Values(_) => Node::new("Values Scan on \"*VALUES*\""),
        InsertSource::Query(q, _) => query_node(q, &[], cx),
    };
    Node::new(format!("Insert on {}", table_name(&p.table, cx))).child(source)
}

fn update_node(p: &UpdatePlan, cx: &Cx) -> Node {
    let names = Names::of_table(&p.table);
    let mut scan = table_scan(&p.table, None, &p.access, false, false, &names, cx);
    if let Some(filter) = &p.filter {
        scan = scan.detail(format!("Filter: {}", show_condition(filter, &names)));
        scan = with_subplans(scan, [filter], &names, cx);
    }
    let mut node = Node::new(format!("Update on {}", table_name(&p.table, cx)));
    if cx.verbose {
        let sets: Vec<String> = p
            .assignments
            .iter()
            .map(|(c, e)| format!("{} = {}", names.column(*c), show(e, &names)))
            .collect();
        node = node.detail(format!("Set: {}", sets.join(", ")));
    }
    node.child(scan)
}

fn delete_node(p: &DeletePlan, cx: &Cx) -> Node {
    let names = Names::of_table(&p.table);
    let mut scan = table_scan(&p.table, None, &p.access, false, false, &names, cx);
    if let Some(filter) = &p.filter {
        scan = scan.detail(format!("Filter: {}", show_condition(filter, &names)));
        scan = with_subplans(scan, [filter], &names, cx);
    }
    Node::new(format!("Delete on {}", table_name(&p.table, cx))).child(scan)
}

/// A condition, always parenthesized as PostgreSQL prints filters.
fn show_condition(e: &Expr, names: &Names) -> String {
    let text = show(e, names);
    if text.starts_with('(') && text.ends_with(')') {
        text
    } else {
        format!("({text})")
    }
}

fn show_agg(a: &AggCall, names: &Names) -> String {
    let mut args: Vec<String> = a
        .arg
        .iter()
        .chain(a.delimiter.iter())
        .map(|e| show(e, names))
        .collect();
    if a.func == AggFunc::CountStar {
        args.push("*".into());
    }
    let distinct = if a.distinct { "DISTINCT " } else { "" };
    let order = if a.order_by.is_empty() {
        String::new()
    } else {
        let keys: Vec<String> = a.order_by.iter().map(|k| show_sort_key(k, names)).collect();
        format!(" ORDER BY {}", keys.join(", "))
    };
    let filter = a.filter.as_ref().map_or_else(String::new, |f| {
        format!(" FILTER (WHERE {})", show(f, names))
    });
    format!(
        "{}({distinct}{}{order}){filter}",
        a.func.name(),
        args.join(", ")
    )
}

/// A window function call as PostgreSQL's EXPLAIN VERBOSE shows it: `rank() OVER (?)`.
fn show_window_call(c: &WindowCall, names: &Names) -> String {
    let call = match (&c.agg, c.func) {
        (Some(a), _) => show_agg(a, names),
        (None, f) => {
            let name = f.name();
            let args: Vec<String> = c.args.iter().map(|e| show(e, names)).collect();
            format!("{name}({})", args.join(", "))
        }
    };
    format!("{call} OVER (?)")
}

/// A set-returning function call as SQL text.
fn show_call(call: &SetCall, names: &Names) -> String {
    let args: Vec<String> = call.args.iter().map(|a| show(a, names)).collect();
    format!("{}({})", call.func.name(), args.join(", "))
}

fn binop(op: BinOp) -> &'static str {
    op.symbol()
}

fn func_name(f: Func) -> &'static str {
    match f {
        Func::Coalesce => "COALESCE",
        Func::NullIf => "NULLIF",
        Func::Greatest => "GREATEST",
        Func::Least => "LEAST",
    }
}

fn show_literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(_) | Value::Float(_) | Value::Numeric(_) => v.to_text(),
        other => format!("'{}'", other.to_text().replace('\'', "''")),
    }
}

/// An expression as SQL text, with column names.
fn show(e: &Expr, names: &Names) -> String {
    match e {
        Expr::Literal(v) => show_literal(v),
        Expr::Column(i) | Expr::AggRef(i) | Expr::WindowRef(i) => names.column(*i),
        Expr::SetFunctionRef(k) => format!("$set{}", k + 1),
        Expr::Outer { level, index } => names.outer(*level, *index),
        Expr::Subquery { id, link } => match link {
            SubLink::Scalar => format!("(SubPlan {})", id + 1),
            SubLink::Exists => format!("(SubPlan {})", id + 1),
            SubLink::Array { .. } => format!("(ARRAY(SubPlan {}))", id + 1),
            SubLink::RowIn { negated: false, .. } | SubLink::RowCompare { .. } => {
                format!("(SubPlan {})", id + 1)
            }
            SubLink::RowIn { negated: true, .. } => format!("(NOT (SubPlan {}))", id + 1),
            SubLink::Quantified { lhs, op, all, .. } => format!(
                "({} {} {}(SubPlan {}))",
                show(lhs, names),
                binop(*op),
                if *all { "ALL " } else { "ANY " },
                id + 1
            ),
        },
        // PostgreSQL shows a row-valued IN as its subplan alone.
        Expr::RowIn { negated, .. } => {
            if *negated {
                "(NOT (SubPlan))".into()
            } else {
                "(SubPlan)".into()
            }
        }
        Expr::InSet { lhs, negated, .. } => format!(
            "({} {}IN (hashed SubPlan))",
            show(lhs, names),
            if *negated { "NOT " } else { "" }
        ),
        Expr::AnyOf {
            lhs,
            op,
            all,
            values,
            ..
        } => format!(
            "({} {} {}('{{{}}}'))",
            show(lhs, names),
            binop(*op),
            if *all { "ALL " } else { "ANY " },
            values
                .iter()
                .map(|v| v.to_text())
                .collect::<Vec<_>>()
                .join(",")
        ),
        Expr::Param(i) => format!("${}", i + 1),
        Expr::Binary {
            op, left, right, ..
        } => format!(
            "({} {} {})",
            show(left, names),
            binop(*op),
            show(right, names)
        ),
        Expr::Not(inner) => format!("(NOT {})", show(inner, names)),
        Expr::Negate(inner, _) => format!("(- {})", show(inner, names)),
        Expr::IsNull(inner, negated) => format!(
            "({} IS {}NULL)",
            show(inner, names),
            if *negated { "NOT " } else { "" }
        ),
        Expr::Cast(inner, _, to) => format!("({})::{}", show(inner, names), to.name()),
        Expr::Case(arms, otherwise) => {
            let mut text = String::from("CASE");
            for (when, then) in arms {
                text.push_str(&format!(
                    " WHEN {} THEN {}",
                    show(when, names),
                    show(then, names)
                ));
            }
            if let Some(e) = otherwise {
                text.push_str(&format!(" ELSE {}", show(e, names)));
            }
            text.push_str(" END");
            text
        }
        Expr::InList(inner, list, negated) => {
            let items: Vec<String> = list.iter().map(|x| show(x, names)).collect();
            format!(
                "({} {}IN ({}))",
                show(inner, names),
                if *negated { "NOT " } else { "" },
                items.join(", ")
            )
        }
        Expr::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
            ..
        } => format!(
            "({} {}{} {})",
            show(expr, names),
            if *negated { "NOT " } else { "" },
            if *case_insensitive { "ILIKE" } else { "LIKE" },
            show(pattern, names)
        ),
        Expr::Func(f, args) => {
            let args: Vec<String> = args.iter().map(|a| show(a, names)).collect();
            format!("{}({})", func_name(*f), args.join(", "))
        }
        Expr::Call(id, args) => {
            let args: Vec<String> = args.iter().map(|a| show(a, names)).collect();
            format!("{}({})", id.name(), args.join(", "))
        }
        Expr::Array { elements, .. } => {
            let items: Vec<String> = elements.iter().map(|x| show(x, names)).collect();
            format!("ARRAY[{}]", items.join(", "))
        }
        Expr::Subscript {
            array,
            subscripts,
            slice,
        } => {
            let mut text = format!("({})", show(array, names));
            for (l, u) in subscripts {
                let part =
                    |e: &Option<Expr>| e.as_ref().map(|e| show(e, names)).unwrap_or_default();
                if *slice {
                    text.push_str(&format!("[{}:{}]", part(l), part(u)));
                } else {
                    text.push_str(&format!("[{}]", part(u)));
                }
            }
            text
        }
        Expr::AnyArray {
            lhs,
            op,
            all,
            array,
            ..
        } => format!(
            "({} {} {}({}))",
            show(lhs, names),
            binop(*op),
            if *all { "ALL " } else { "ANY " },
            show(array, names)
        ),
    }
}
