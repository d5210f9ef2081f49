//! The executor: runs a [`Plan`] inside a [`Transaction`].

use crate::catalog::{self, Catalog, FIRST_USER_TABLE_ID, TableDef};
use crate::error::{Error, Result};
use crate::expr::{AggCall, AggFunc, EvalContext, Expr, numeric_div};
use crate::keycode;
use crate::plan::*;
use crate::txn::{Limits, Transaction};
use crate::value::{DataType, Value};
use proto::key::prefix_successor;
use proto::{Key, KeyRange};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};

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
}

/// Generates hidden row ids for tables without a primary key: unique across the QPs of one
/// cluster and across restarts, because they start from the wall clock in microseconds and
/// only move forward.
#[derive(Debug)]
pub struct RowIds {
    last: AtomicI64,
}

impl Default for RowIds {
    fn default() -> Self {
        RowIds {
            last: AtomicI64::new(0),
        }
    }
}

impl RowIds {
    /// The next row id.
    pub fn next(&self) -> i64 {
        let now = proto::Timestamp::now().0 as i64;
        let mut current = self.last.load(AtomicOrdering::Relaxed);
        loop {
            let next = std::cmp::max(current + 1, now);
            match self.last.compare_exchange_weak(
                current,
                next,
                AtomicOrdering::Relaxed,
                AtomicOrdering::Relaxed,
            ) {
                Ok(_) => return next,
                Err(actual) => current = actual,
            }
        }
    }
}

/// Everything a statement executes with.
pub struct ExecContext<'a> {
    /// The transaction.
    pub txn: &'a mut Transaction,
    /// Bound parameters.
    pub params: &'a [Value],
    /// The session user.
    pub user: &'a str,
    /// The transaction limits.
    pub limits: &'a Limits,
    /// The row id generator.
    pub row_ids: &'a RowIds,
}

impl ExecContext<'_> {
    fn eval_context(&self) -> EvalContext<'_> {
        EvalContext {
            params: self.params,
            now: self.txn.started_at,
            user: self.user,
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
        Plan::Insert(p) => insert(p, cx).await,
        Plan::Update(p) => update(p, cx).await,
        Plan::Delete(p) => delete(p, cx).await,
        Plan::CreateTable {
            table,
            if_not_exists,
        } => create_table(table, *if_not_exists, cx).await,
        Plan::DropTable { names, if_exists } => drop_table(names, *if_exists, cx).await,
        Plan::CreateIndex { table, index, skip } => {
            crate::index_ddl::create_index(table, index, *skip, cx).await
        }
        Plan::DropIndex { targets } => crate::index_ddl::drop_index(targets, cx).await,
        Plan::Schema(ddl) => crate::schemas::execute(ddl, cx).await,
        Plan::Roles(ddl) => crate::ddl_roles::execute(ddl, cx).await,
        _ => Err(Error::internal("session statement given to the executor")),
    }
}

/// Loads the catalog a transaction sees: the cached one when the version at the snapshot
/// matches, else rebuilt from the catalog table.
pub async fn load_catalog(txn: &mut Transaction, cached: &Catalog) -> Result<Option<Catalog>> {
    let version_key = catalog::version_key();
    let version = catalog::decode_u64(txn.get(&version_key).await?.as_deref())?;
    if version == cached.version && !txn.wrote(&version_key) {
        return Ok(None);
    }
    let rows = txn.scan(&catalog::catalog_range(), None, false).await?;
    Ok(Some(Catalog::from_rows(version, &rows)?))
}

// ---- Reading ----------------------------------------------------------------------------------

/// The key range an access path reads, or `None` if it can match no row (a NULL bound).
fn access_range(table: &TableDef, access: &Access, ecx: &EvalContext) -> Result<Option<KeyRange>> {
    let prefix = keycode::table_prefix(table.id);
    Ok(match access {
        Access::Full => Some(KeyRange::prefix(&prefix)),
        Access::Index {
            index_id,
            prefix: eqs,
            lower,
            upper,
        } => {
            let index = table
                .indexes
                .iter()
                .find(|i| i.id == *index_id)
                .ok_or_else(|| Error::internal("planned index missing"))?;
            let values = eqs
                .iter()
                .map(|e| e.eval(&[], ecx))
                .collect::<Result<Vec<_>>>()?;
            let bound = |b: &Option<(Expr, bool)>| -> Result<Option<(Value, bool)>> {
                b.as_ref()
                    .map(|(e, inclusive)| Ok((e.eval(&[], ecx)?, *inclusive)))
                    .transpose()
            };
            index.scan_range(&values, bound(lower)?, bound(upper)?)?
        }
        Access::Point(exprs) => {
            let mut key = prefix;
            for e in exprs {
                let v = e.eval(&[], ecx)?;
                if v.is_null() {
                    return Ok(None);
                }
                keycode::encode_value(&v, &mut key)?;
            }
            let end = key.iter().copied().chain([0u8]).collect::<Vec<u8>>();
            Some(KeyRange {
                start: key,
                end: Some(end),
            })
        }
        Access::Range {
            prefix: eqs,
            lower,
            upper,
        } => {
            let mut base = prefix;
            for e in eqs {
                let v = e.eval(&[], ecx)?;
                if v.is_null() {
                    return Ok(None);
                }
                keycode::encode_value(&v, &mut base)?;
            }
            let bound = |e: &Expr| -> Result<Option<Vec<u8>>> {
                let v = e.eval(&[], ecx)?;
                if v.is_null() {
                    return Ok(None);
                }
                let mut k = base.clone();
                keycode::encode_value(&v, &mut k)?;
                Ok(Some(k))
            };
            let start = match lower {
                None => base.clone(),
                Some((e, inclusive)) => match bound(e)? {
                    None => return Ok(None),
                    Some(k) if *inclusive => k,
                    Some(k) => match prefix_successor(&k) {
                        Some(s) => s,
                        None => return Ok(None),
                    },
                },
            };
            let end = match upper {
                None => prefix_successor(&base),
                Some((e, inclusive)) => match bound(e)? {
                    None => return Ok(None),
                    Some(k) if *inclusive => prefix_successor(&k),
                    Some(k) => Some(k),
                },
            };
            Some(KeyRange { start, end })
        }
    })
}

/// Reads the rows of a table through an access path, with their keys.
async fn read_table(
    table: &TableDef,
    access: &Access,
    reverse: bool,
    limit: Option<usize>,
    cx: &mut ExecContext<'_>,
) -> Result<Vec<(Key, Vec<Value>)>> {
    let range = {
        let ecx = cx.eval_context();
        access_range(table, access, &ecx)?
    };
    let Some(range) = range else {
        return Ok(vec![]);
    };
    if let Access::Index { .. } = access {
        let mut rows = crate::index::fetch_rows(table, &range, cx.txn).await?;
        if reverse {
            rows.reverse();
        }
        if let Some(l) = limit {
            rows.truncate(l);
        }
        return Ok(rows);
    }
    if let Access::Point(_) = access {
        let key = range.start;
        return Ok(match cx.txn.get(&key).await? {
            Some(bytes) => vec![(key, table.decode_row(&bytes)?)],
            None => vec![],
        });
    }
    let raw = cx.txn.scan(&range, limit, reverse).await?;
    raw.into_iter()
        .map(|(k, v)| Ok((k, table.decode_row(&v)?)))
        .collect()
}

/// Evaluates rows of row-independent expressions (VALUES lists).
fn eval_rows(rows: &[Vec<Expr>], ecx: &EvalContext) -> Result<Vec<Vec<Value>>> {
    rows.iter()
        .map(|r| r.iter().map(|e| e.eval(&[], ecx)).collect())
        .collect()
}

fn passes(filter: &Option<Expr>, row: &[Value], ecx: &EvalContext) -> Result<bool> {
    match filter {
        None => Ok(true),
        Some(f) => Ok(f.eval(row, ecx)?.as_bool()? == Some(true)),
    }
}

fn eval_count(e: &Option<Expr>, ecx: &EvalContext, what: &str) -> Result<Option<usize>> {
    match e {
        None => Ok(None),
        Some(e) => match e.eval(&[], ecx)? {
            Value::Null => Ok(None),
            Value::Int(n) if n >= 0 => Ok(Some(n as usize)),
            Value::Int(_) => Err(Error::new("2201W", format!("{what} must not be negative"))),
            _ => Err(Error::internal("LIMIT is not an integer")),
        },
    }
}

/// Runs a query and returns its output rows.
pub async fn run_query(q: &QueryPlan, cx: &mut ExecContext<'_>) -> Result<Vec<Vec<Value>>> {
    let (limit, offset) = {
        let ecx = cx.eval_context();
        (
            eval_count(&q.limit, &ecx, "LIMIT")?,
            eval_count(&q.offset, &ecx, "OFFSET")?.unwrap_or(0),
        )
    };
    // Rows from the source, filtered.
    let streaming = q.aggregation.is_none() && q.order_by.is_empty() && !q.distinct;
    let mut source_rows: Vec<Vec<Value>> = match &q.source {
        Source::Single => vec![vec![]],
        Source::Values(rows) => eval_rows(rows, &cx.eval_context())?,
        Source::Table {
            table,
            access,
            reverse,
        } => {
            let scan_limit = match (streaming, &q.filter, limit) {
                (true, None, Some(l)) => Some(l + offset),
                _ => None,
            };
            let rows = read_table(table, access, *reverse, scan_limit, cx).await?;
            if q.for_update {
                for (key, _) in &rows {
                    cx.txn.lock(key.clone());
                }
            }
            rows.into_iter().map(|(_, r)| r).collect()
        }
    };
    let ecx = cx.eval_context();
    if q.filter.is_some() {
        let mut kept = Vec::with_capacity(source_rows.len());
        for row in source_rows {
            if passes(&q.filter, &row, &ecx)? {
                kept.push(row);
            }
        }
        source_rows = kept;
    }
    // Aggregation turns source rows into one row per group.
    let rows = match &q.aggregation {
        None => source_rows,
        Some(agg) => aggregate(agg, source_rows, &ecx)?,
    };
    // Projection, with sort keys computed alongside.
    let mut out: Vec<(Vec<Value>, Vec<Value>)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let projected = q
            .projections
            .iter()
            .map(|e| e.eval(row, &ecx))
            .collect::<Result<Vec<_>>>()?;
        let keys = q
            .order_by
            .iter()
            .map(|k| k.expr.eval(row, &ecx))
            .collect::<Result<Vec<_>>>()?;
        out.push((projected, keys));
        if streaming && limit.is_some_and(|l| out.len() >= l + offset) {
            break;
        }
    }
    if !q.order_by.is_empty() {
        out.sort_by(|(_, a), (_, b)| {
            for (k, (x, y)) in q.order_by.iter().zip(a.iter().zip(b)) {
                let ord = match (x.is_null(), y.is_null()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => {
                        if k.nulls_first {
                            Ordering::Less
                        } else {
                            Ordering::Greater
                        }
                    }
                    (false, true) => {
                        if k.nulls_first {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        }
                    }
                    _ => {
                        let o = x.compare(y);
                        if k.desc { o.reverse() } else { o }
                    }
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    let mut result: Vec<Vec<Value>> = out.into_iter().map(|(p, _)| p).collect();
    if q.distinct {
        let mut seen = std::collections::HashSet::new();
        result.retain(|row| {
            let mut key = Vec::new();
            for v in row {
                v.group_key(&mut key);
            }
            seen.insert(key)
        });
    }
    let result: Vec<Vec<Value>> = result
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    Ok(result)
}

/// The running state of one aggregate call within one group.
#[derive(Clone)]
enum Accumulator {
    Count(i64),
    SumInt(i128, bool),
    SumNumeric(Decimal, bool),
    SumFloat(f64, bool),
    Avg(Decimal, i64),
    AvgFloat(f64, i64),
    MinMax(Option<Value>),
}

impl Accumulator {
    fn new(call: &AggCall) -> Accumulator {
        match call.func {
            AggFunc::CountStar | AggFunc::Count => Accumulator::Count(0),
            AggFunc::Sum => match call.result_type {
                DataType::Int8 => Accumulator::SumInt(0, false),
                DataType::Float8 => Accumulator::SumFloat(0.0, false),
                _ => Accumulator::SumNumeric(Decimal::ZERO, false),
            },
            AggFunc::Avg => match call.result_type {
                DataType::Float8 => Accumulator::AvgFloat(0.0, 0),
                _ => Accumulator::Avg(Decimal::ZERO, 0),
            },
            AggFunc::Min | AggFunc::Max => Accumulator::MinMax(None),
        }
    }

    fn add(&mut self, func: AggFunc, v: Value) -> Result<()> {
        if v.is_null() && func != AggFunc::CountStar {
            return Ok(());
        }
        let overflow = || Error::out_of_range("value overflows numeric format");
        match (self, v) {
            (Accumulator::Count(n), _) => *n += 1,
            (Accumulator::SumInt(s, any), Value::Int(i)) => {
                *s += i as i128;
                *any = true;
            }
            (Accumulator::SumNumeric(s, any), v) => {
                let d = match v {
                    Value::Int(i) => Decimal::from(i),
                    Value::Numeric(d) => d,
                    _ => return Err(Error::internal("sum of a non-number")),
                };
                *s = s.checked_add(d).ok_or_else(overflow)?;
                *any = true;
            }
            (Accumulator::SumFloat(s, any), v) => {
                *s += match v {
                    Value::Float(f) => f,
                    Value::Int(i) => i as f64,
                    _ => return Err(Error::internal("sum of a non-number")),
                };
                *any = true;
            }
            (Accumulator::Avg(s, n), v) => {
                let d = match v {
                    Value::Int(i) => Decimal::from(i),
                    Value::Numeric(d) => d,
                    _ => return Err(Error::internal("avg of a non-number")),
                };
                *s = s.checked_add(d).ok_or_else(overflow)?;
                *n += 1;
            }
            (Accumulator::AvgFloat(s, n), Value::Float(f)) => {
                *s += f;
                *n += 1;
            }
            (Accumulator::MinMax(best), v) => {
                let better = match best {
                    None => true,
                    Some(b) => {
                        let o = v.compare(b);
                        if func == AggFunc::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        }
                    }
                };
                if better {
                    *best = Some(v);
                }
            }
            _ => return Err(Error::internal("aggregate of an unexpected type")),
        }
        Ok(())
    }

    fn finish(self) -> Result<Value> {
        Ok(match self {
            Accumulator::Count(n) => Value::Int(n),
            Accumulator::SumInt(s, any) => {
                if !any {
                    Value::Null
                } else {
                    Value::Int(
                        i64::try_from(s).map_err(|_| Error::out_of_range("bigint out of range"))?,
                    )
                }
            }
            Accumulator::SumNumeric(s, any) => {
                if any {
                    Value::Numeric(s)
                } else {
                    Value::Null
                }
            }
            Accumulator::SumFloat(s, any) => {
                if any {
                    Value::Float(s)
                } else {
                    Value::Null
                }
            }
            Accumulator::Avg(s, n) => {
                if n == 0 {
                    Value::Null
                } else {
                    Value::Numeric(numeric_div(s, Decimal::from(n))?)
                }
            }
            Accumulator::AvgFloat(s, n) => {
                if n == 0 {
                    Value::Null
                } else {
                    Value::Float(s / n as f64)
                }
            }
            Accumulator::MinMax(v) => v.unwrap_or(Value::Null),
        })
    }
}

fn aggregate(
    agg: &Aggregation,
    rows: Vec<Vec<Value>>,
    ecx: &EvalContext,
) -> Result<Vec<Vec<Value>>> {
    struct Group {
        values: Vec<Value>,
        accs: Vec<Accumulator>,
        seen: Vec<std::collections::HashSet<Vec<u8>>>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    for row in &rows {
        let values = agg
            .group_by
            .iter()
            .map(|e| e.eval(row, ecx))
            .collect::<Result<Vec<_>>>()?;
        let mut key = Vec::new();
        for v in &values {
            v.group_key(&mut key);
        }
        let gi = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                values,
                accs: agg.aggs.iter().map(Accumulator::new).collect(),
                seen: agg.aggs.iter().map(|_| Default::default()).collect(),
            });
            groups.len() - 1
        });
        let group = &mut groups[gi];
        for (i, call) in agg.aggs.iter().enumerate() {
            let v = match &call.arg {
                None => Value::Bool(true),
                Some(e) => e.eval(row, ecx)?,
            };
            if call.distinct && !v.is_null() {
                let mut k = Vec::new();
                v.group_key(&mut k);
                if !group.seen[i].insert(k) {
                    continue;
                }
            }
            group.accs[i].add(call.func, v)?;
        }
    }
    // An aggregate without GROUP BY over no rows still yields one row.
    if groups.is_empty() && agg.group_by.is_empty() {
        groups.push(Group {
            values: vec![],
            accs: agg.aggs.iter().map(Accumulator::new).collect(),
            seen: vec![],
        });
    }
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let mut row = g.values;
        for acc in g.accs {
            row.push(acc.finish()?);
        }
        if passes(&agg.having, &row, ecx)? {
            out.push(row);
        }
    }
    Ok(out)
}

// ---- Writing ----------------------------------------------------------------------------------

fn row_text(row: &[Value]) -> String {
    row.iter()
        .map(|v| {
            if v.is_null() {
                "null".to_string()
            } else {
                v.to_text()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_not_null(table: &TableDef, row: &[Value]) -> Result<()> {
    for (c, v) in table.columns.iter().zip(row) {
        if v.is_null() && !c.nullable {
            return Err(Error::new(
                "23502",
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    c.name, table.name
                ),
            )
            .with_detail(format!("Failing row contains ({}).", row_text(row))));
        }
    }
    Ok(())
}

fn duplicate_key(table: &TableDef, row: &[Value]) -> Error {
    let cols: Vec<&str> = table
        .primary_key
        .iter()
        .map(|&i| table.columns[i].name.as_str())
        .collect();
    let vals: Vec<String> = table
        .primary_key
        .iter()
        .map(|&i| row[i].to_text())
        .collect();
    Error::new(
        "23505",
        format!(
            "duplicate key value violates unique constraint \"{}\"",
            table.pkey_name()
        ),
    )
    .with_detail(format!(
        "Key ({})=({}) already exists.",
        cols.join(", "),
        vals.join(", ")
    ))
}

/// Writes a new row and its index entries, refusing a duplicate primary key or unique index
/// key.
async fn write_new_row(table: &TableDef, row: &[Value], cx: &mut ExecContext<'_>) -> Result<()> {
    let key = put_new_row(table, row, cx).await?;
    crate::index::insert_entries(table, &key, row, cx.txn).await
}

/// Writes a new row (not its index entries), refusing a duplicate primary key.
async fn put_new_row(table: &TableDef, row: &[Value], cx: &mut ExecContext<'_>) -> Result<Key> {
    check_not_null(table, row)?;
    let key = if table.primary_key.is_empty() {
        table.key_of_row(row, Some(cx.row_ids.next()))?
    } else {
        let key = table.key_of_row(row, None)?;
        cx.limits.check_key(&key)?;
        if cx.txn.get(&key).await?.is_some() {
            return Err(duplicate_key(table, row));
        }
        key
    };
    store_row(key.clone(), row, cx)?;
    Ok(key)
}

/// Buffers a row image, within the row, value and transaction size limits.
fn store_row(key: Key, row: &[Value], cx: &mut ExecContext<'_>) -> Result<()> {
    let bytes = TableDef::encode_row(row);
    cx.limits.check_row(row, bytes.len())?;
    cx.txn.put(key, bytes);
    cx.limits.check_transaction_size(cx.txn.write_bytes())
}

fn returning_rows(
    returning: &[Expr],
    rows: &[Vec<Value>],
    ecx: &EvalContext,
) -> Result<Vec<Vec<Value>>> {
    rows.iter()
        .map(|r| returning.iter().map(|e| e.eval(r, ecx)).collect())
        .collect()
}

async fn insert(p: &InsertPlan, cx: &mut ExecContext<'_>) -> Result<Output> {
    let new_rows: Vec<Vec<Value>> = match &p.rows {
        InsertSource::Values(rows) => eval_rows(rows, &cx.eval_context())?,
        InsertSource::Query(query, sources) => {
            let produced = Box::pin(run_query(query, cx)).await?;
            let ecx = cx.eval_context();
            let mut rows = Vec::with_capacity(produced.len());
            for out in produced {
                let mut row = Vec::with_capacity(sources.len());
                for (source, column) in sources.iter().zip(&p.table.columns) {
                    row.push(match source {
                        ColumnSource::Output(i, from) => {
                            out[*i].clone().cast(*from, column.data_type)?
                        }
                        ColumnSource::Default(e) => e.eval(&[], &ecx)?,
                    });
                }
                rows.push(row);
            }
            rows
        }
    };
    cx.txn.count_modified(new_rows.len(), cx.limits)?;
    for row in &new_rows {
        write_new_row(&p.table, row, cx).await?;
    }
    cx.txn.has_dml = true;
    finish_dml(&p.returning, &new_rows, cx, "INSERT 0")
}

fn finish_dml(
    returning: &[Expr],
    rows: &[Vec<Value>],
    cx: &ExecContext<'_>,
    verb: &str,
) -> Result<Output> {
    if returning.is_empty() {
        Ok(Output::Command(format!("{verb} {}", rows.len())))
    } else {
        let ecx = cx.eval_context();
        Ok(Output::Rows {
            rows: returning_rows(returning, rows, &ecx)?,
            tag: verb.to_string(),
        })
    }
}

async fn update(p: &UpdatePlan, cx: &mut ExecContext<'_>) -> Result<Output> {
    let rows = read_table(&p.table, &p.access, false, None, cx).await?;
    let mut changes = Vec::new();
    {
        let ecx = cx.eval_context();
        for (key, old) in rows {
            if !passes(&p.filter, &old, &ecx)? {
                continue;
            }
            let mut new = old.clone();
            for (i, e) in &p.assignments {
                new[*i] = e.eval(&old, &ecx)?;
            }
            check_not_null(&p.table, &new)?;
            changes.push((key, old, new));
        }
    }
    cx.txn.count_modified(changes.len(), cx.limits)?;
    let pk_changed = |old: &[Value], new: &[Value]| {
        p.table
            .primary_key
            .iter()
            .any(|&i| old[i].compare(&new[i]) != Ordering::Equal)
    };
    // Delete moved rows first so that swapping keys within one statement works.
    for (key, old, new) in &changes {
        if pk_changed(old, new) {
            cx.txn.delete(key.clone());
        }
    }
    let mut new_keys = Vec::with_capacity(changes.len());
    for (key, old, new) in &changes {
        if pk_changed(old, new) {
            new_keys.push(put_new_row(&p.table, new, cx).await?);
        } else {
            store_row(key.clone(), new, cx)?;
            new_keys.push(key.clone());
        }
    }
    let moved: Vec<crate::index::RowChange> = changes
        .iter()
        .zip(&new_keys)
        .map(|((old_key, old, new), new_key)| crate::index::RowChange {
            old_key,
            old,
            new_key,
            new,
        })
        .collect();
    crate::index::update_entries(&p.table, &moved, cx.txn).await?;
    let new_rows: Vec<Vec<Value>> = changes.into_iter().map(|(_, _, new)| new).collect();
    cx.txn.has_dml = true;
    finish_dml(&p.returning, &new_rows, cx, "UPDATE")
}

async fn delete(p: &DeletePlan, cx: &mut ExecContext<'_>) -> Result<Output> {
    let rows = read_table(&p.table, &p.access, false, None, cx).await?;
    let mut deleted = Vec::new();
    {
        let ecx = cx.eval_context();
        for (key, row) in rows {
            if passes(&p.filter, &row, &ecx)? {
                deleted.push((key, row));
            }
        }
    }
    cx.txn.count_modified(deleted.len(), cx.limits)?;
    let mut old_rows = Vec::with_capacity(deleted.len());
    for (key, row) in deleted {
        crate::index::delete_entries(&p.table, &key, &row, cx.txn)?;
        cx.txn.delete(key);
        old_rows.push(row);
    }
    cx.limits.check_transaction_size(cx.txn.write_bytes())?;
    cx.txn.has_dml = true;
    finish_dml(&p.returning, &old_rows, cx, "DELETE")
}

// ---- DDL ---------------------------------------------------------------------------------------

/// Marks the transaction as DDL and bumps the catalog version, so every concurrent
/// transaction that planned with the old catalog fails at COMMIT (OC001).
pub(crate) async fn bump_catalog_version(cx: &mut ExecContext<'_>) -> Result<()> {
    let key = catalog::version_key();
    let version = catalog::decode_u64(cx.txn.get(&key).await?.as_deref())?;
    cx.txn.put(key, (version + 1).to_be_bytes().to_vec());
    cx.txn.has_ddl = true;
    cx.txn.catalog = None;
    Ok(())
}

async fn create_table(
    table: &TableDef,
    if_not_exists: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    cx.limits.check_table(table)?;
    let key = catalog::table_key(&table.qualified_name());
    // Indexes share the relation namespace of their schema.
    let index_named_so = cx
        .txn
        .catalog
        .as_ref()
        .is_some_and(|c| c.find_index(&table.schema, &table.name).is_some());
    if index_named_so || cx.txn.get(&key).await?.is_some() {
        if if_not_exists {
            return Ok(Output::Command("CREATE TABLE".into()));
        }
        return Err(Error::new(
            "42P07",
            format!("relation \"{}\" already exists", table.name),
        ));
    }
    let count = cx
        .txn
        .scan(
            &KeyRange::prefix(&keycode::table_prefix(catalog::TABLES_TABLE_ID)),
            None,
            false,
        )
        .await?
        .len();
    cx.limits.check_table_count(count)?;
    let id_key = catalog::next_table_id_key();
    let next_id = match cx.txn.get(&id_key).await? {
        None => FIRST_USER_TABLE_ID,
        Some(b) => u32::from_be_bytes(
            b.as_slice()
                .try_into()
                .map_err(|_| Error::internal("damaged table id counter"))?,
        ),
    };
    let mut def = table.clone();
    def.id = next_id.max(FIRST_USER_TABLE_ID);
    def.owner = cx.user.to_string();
    cx.txn.put(id_key, (def.id + 1).to_be_bytes().to_vec());
    cx.txn.put(
        key,
        postcard::to_allocvec(&def).expect("serializing to a Vec cannot fail"),
    );
    bump_catalog_version(cx).await?;
    Ok(Output::Command("CREATE TABLE".into()))
}

async fn drop_table(
    names: &[catalog::TableName],
    if_exists: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    let mut dropped = false;
    for name in names {
        let key = catalog::table_key(name);
        let Some(bytes) = cx.txn.get(&key).await? else {
            if name.schema == catalog::SYS_SCHEMA {
                return Err(Error::new(
                    "42501",
                    format!("permission denied for schema {}", name.schema),
                ));
            }
            if if_exists {
                continue;
            }
            return Err(Error::undefined_table(&name.to_string()));
        };
        let def: TableDef = postcard::from_bytes(&bytes)
            .map_err(|e| Error::internal(format!("damaged catalog entry: {e}")))?;
        crate::privileges::revoke_all_on(cx.txn, &crate::privileges::Object::Table(def.id)).await?;
        // TODO: the dropped table's rows stay in storage, unreachable (table ids are never
        // reused). Removing them needs a background job so a DROP is not limited by the
        // transaction row limit; until then they cost storage memory, journal space and
        // replay time at start, but are never visible.
        cx.txn.delete(key);
        dropped = true;
    }
    if dropped {
        bump_catalog_version(cx).await?;
    }
    Ok(Output::Command("DROP TABLE".into()))
}
