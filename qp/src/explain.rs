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
//! reverse). A scan's `Filter` is the whole WHERE clause: it is evaluated on every row read,
//! also where the key condition already implies it. `VERBOSE` adds each node's output columns
//! and schema-qualifies table names.

use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::expr::{AggCall, AggFunc, BinOp, Expr, Func};
use crate::plan::{
    Access, Aggregation, DeletePlan, InsertPlan, InsertSource, Plan, QueryPlan, SortKey, Source,
    UpdatePlan,
};
use crate::value::Value;

/// One node of the printed tree.
struct Node {
    title: String,
    details: Vec<String>,
    children: Vec<Node>,
}

impl Node {
    fn new(title: impl Into<String>) -> Node {
        Node {
            title: title.into(),
            details: Vec::new(),
            children: Vec::new(),
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
    }
}

/// The lines of `EXPLAIN` for a planned statement.
pub fn explain(plan: &Plan, verbose: bool) -> Result<Vec<String>> {
    let node = match plan {
        Plan::Query(q) => query_node(q, verbose),
        Plan::Insert(p) => insert_node(p, verbose),
        Plan::Update(p) => update_node(p, verbose),
        Plan::Delete(p) => delete_node(p, verbose),
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

/// Names for the columns an expression refers to.
struct Names(Vec<String>);

impl Names {
    fn of_table(table: &TableDef) -> Names {
        Names(table.columns.iter().map(|c| c.name.clone()).collect())
    }

    fn column(&self, i: usize) -> String {
        self.0
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column{}", i + 1))
    }
}

fn table_name(table: &TableDef, verbose: bool) -> String {
    if verbose {
        format!("{}.{}", table.schema, table.name)
    } else {
        table.name.clone()
    }
}

/// The names a query's source rows have.
fn source_names(source: &Source) -> Names {
    match source {
        Source::Table { table, .. } => Names::of_table(table),
        Source::Values(rows) => Names(
            (0..rows.first().map_or(0, Vec::len))
                .map(|i| format!("\"*VALUES*\".column{}", i + 1))
                .collect(),
        ),
        Source::Single => Names(Vec::new()),
    }
}

fn query_node(q: &QueryPlan, verbose: bool) -> Node {
    let names = source_names(&q.source);
    let mut node = scan_node(&q.source, &names, verbose);
    if let Some(filter) = &q.filter {
        node = node.detail(format!("Filter: {}", show_condition(filter, &names)));
    }
    if q.for_update {
        node = Node::new("LockRows").child(node);
    }
    // Above an aggregation, rows are the group values then the aggregate results.
    let names = match &q.aggregation {
        None => names,
        Some(agg) => {
            let grouped = aggregated_names(agg, &names);
            node = aggregate_node(agg, &names, &grouped).child(node);
            grouped
        }
    };
    if verbose {
        let outputs: Vec<String> = q.projections.iter().map(|e| show(e, &names)).collect();
        node = node.detail(format!("Output: {}", outputs.join(", ")));
    }
    // The executor sorts before it removes duplicates.
    if !q.order_by.is_empty() {
        node = sort_node(&q.order_by, &names).child(node);
    }
    if q.distinct {
        node = Node::new("Unique").child(node);
    }
    if q.limit.is_some() || q.offset.is_some() {
        node = Node::new("Limit").child(node);
    }
    node
}

fn aggregated_names(agg: &Aggregation, source: &Names) -> Names {
    let mut names: Vec<String> = agg.group_by.iter().map(|e| show(e, source)).collect();
    names.extend(agg.aggs.iter().map(|a| show_agg(a, source)));
    Names(names)
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
    let keys: Vec<String> = keys
        .iter()
        .map(|k| {
            let mut key = show(&k.expr, names);
            if k.desc {
                key.push_str(" DESC");
            }
            // Only the non-default NULLS placement is printed, as PostgreSQL does.
            if k.nulls_first != k.desc {
                key.push_str(if k.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            key
        })
        .collect();
    Node::new("Sort").detail(format!("Sort Key: {}", keys.join(", ")))
}

fn scan_node(source: &Source, names: &Names, verbose: bool) -> Node {
    match source {
        Source::Single => Node::new("Result"),
        Source::Values(_) => Node::new("Values Scan on \"*VALUES*\""),
        Source::Table {
            table,
            access,
            reverse,
            index_only,
            ..
        } => table_scan(table, access, *reverse, *index_only, names, verbose),
    }
}

fn table_scan(
    table: &TableDef,
    access: &Access,
    reverse: bool,
    index_only: bool,
    names: &Names,
    verbose: bool,
) -> Node {
    let on = table_name(table, verbose);
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

fn insert_node(p: &InsertPlan, verbose: bool) -> Node {
    let source = match &p.rows {
        InsertSource::Values(rows) if rows.len() == 1 => Node::new("Result"),
        InsertSource::Values(_) => Node::new("Values Scan on \"*VALUES*\""),
        InsertSource::Query(q, _) => query_node(q, verbose),
    };
    Node::new(format!("Insert on {}", table_name(&p.table, verbose))).child(source)
}

fn update_node(p: &UpdatePlan, verbose: bool) -> Node {
    let names = Names::of_table(&p.table);
    let mut scan = table_scan(&p.table, &p.access, false, false, &names, verbose);
    if let Some(filter) = &p.filter {
        scan = scan.detail(format!("Filter: {}", show_condition(filter, &names)));
    }
    let mut node = Node::new(format!("Update on {}", table_name(&p.table, verbose)));
    if verbose {
        let sets: Vec<String> = p
            .assignments
            .iter()
            .map(|(c, e)| format!("{} = {}", names.column(*c), show(e, &names)))
            .collect();
        node = node.detail(format!("Set: {}", sets.join(", ")));
    }
    node.child(scan)
}

fn delete_node(p: &DeletePlan, verbose: bool) -> Node {
    let names = Names::of_table(&p.table);
    let mut scan = table_scan(&p.table, &p.access, false, false, &names, verbose);
    if let Some(filter) = &p.filter {
        scan = scan.detail(format!("Filter: {}", show_condition(filter, &names)));
    }
    Node::new(format!("Delete on {}", table_name(&p.table, verbose))).child(scan)
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
    let name = match a.func {
        AggFunc::CountStar => return "count(*)".into(),
        AggFunc::Count => "count",
        AggFunc::Sum => "sum",
        AggFunc::Avg => "avg",
        AggFunc::Min => "min",
        AggFunc::Max => "max",
    };
    let arg = a.arg.as_ref().map_or_else(String::new, |e| show(e, names));
    let distinct = if a.distinct { "DISTINCT " } else { "" };
    format!("{name}({distinct}{arg})")
}

fn binop(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Mod => "%",
        BinOp::Eq => "=",
        BinOp::NotEq => "<>",
        BinOp::Lt => "<",
        BinOp::LtEq => "<=",
        BinOp::Gt => ">",
        BinOp::GtEq => ">=",
        BinOp::And => "AND",
        BinOp::Or => "OR",
        BinOp::Concat => "||",
    }
}

fn func_name(f: Func) -> &'static str {
    match f {
        Func::Now => "now",
        Func::StatementTimestamp => "statement_timestamp",
        Func::ClockTimestamp => "clock_timestamp",
        Func::Version => "version",
        Func::CurrentDatabase => "current_database",
        Func::CurrentSchema => "current_schema",
        Func::CurrentUser => "current_user",
        Func::SessionUser => "session_user",
        Func::Coalesce => "COALESCE",
        Func::NullIf => "NULLIF",
        Func::Lower => "lower",
        Func::Upper => "upper",
        Func::Length => "length",
        Func::Abs => "abs",
        Func::Round => "round",
        Func::Greatest => "GREATEST",
        Func::Least => "LEAST",
        Func::Random => "random",
        Func::Repeat => "repeat",
        Func::Left => "left",
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
        Expr::Column(i) | Expr::AggRef(i) => names.column(*i),
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
    }
}
