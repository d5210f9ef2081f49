//! Writing: INSERT, UPDATE and DELETE, and the row storage they share.
//!
//! Every write is buffered in the transaction (nothing leaves the QP before COMMIT), within
//! the row, value, key and transaction size limits. A row's key is its primary key, or a
//! hidden row id from [`RowIds`](super::RowIds) for a table without one; a new row whose
//! primary key exists already is 23505, and a hidden row id that is somehow taken already is
//! an internal error (XX000), never an overwrite. An UPDATE that changes a primary key deletes the old row and inserts
//! the new one, deleting every moved row first so that keys can be swapped within one
//! statement. Index entries are maintained alongside (see [`crate::index`]).

use super::read::{read_table, run_query};
use super::subquery::{eval_dynamic, eval_values, passes_dynamic};
use super::{ExecContext, Output};
use crate::catalog::TableDef;
use crate::error::{Error, Result, SqlState};
use crate::expr::{EvalContext, Expr};
use crate::plan::{ColumnSource, DeletePlan, InsertPlan, InsertSource, UpdatePlan};
use crate::types::Value;
use proto::Key;
use std::cmp::Ordering;

/// A row as the detail of a constraint error shows it: `1, null, abc`.
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

/// Refuses a row with NULL in a NOT NULL column (23502).
fn check_not_null(table: &TableDef, row: &[Value]) -> Result<()> {
    for (c, v) in table.columns.iter().zip(row) {
        if v.is_null() && !c.nullable {
            return Err(Error::new(
                SqlState::NOT_NULL_VIOLATION,
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

/// The error for a new row whose primary key exists already (23505).
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
        SqlState::UNIQUE_VIOLATION,
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

/// Writes a new row (not its index entries), refusing a duplicate primary key or a taken
/// hidden row id.
async fn put_new_row(table: &TableDef, row: &[Value], cx: &mut ExecContext<'_>) -> Result<Key> {
    check_not_null(table, row)?;
    let key = if table.primary_key.is_empty() {
        let id = cx.row_ids.next().await?;
        let key = table.key_of_row(row, Some(id))?;
        // The allocator never hands out an id twice; if a row has the key anyway (a bug, or
        // data written around the allocator), refuse rather than silently replace it.
        if cx.txn.get(&key).await?.is_some() {
            return Err(Error::internal(format!(
                "hidden row id {id} of table \"{}\" is already in use; the row was not written",
                table.name
            )));
        }
        key
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

/// Evaluates a RETURNING list on each written row.
fn returning_rows(
    returning: &[Expr],
    rows: &[Vec<Value>],
    ecx: &EvalContext,
) -> Result<Vec<Vec<Value>>> {
    rows.iter()
        .map(|r| returning.iter().map(|e| e.eval(r, ecx)).collect())
        .collect()
}

/// Executes an INSERT: evaluates the rows (or runs the query) and writes each new row
/// and its index entries.
pub(super) async fn insert(p: &InsertPlan, cx: &mut ExecContext<'_>) -> Result<Output> {
    let new_rows: Vec<Vec<Value>> = match &p.rows {
        InsertSource::Values(rows) => eval_values(rows, cx).await?,
        InsertSource::Query(query, sources) => {
            let produced = Box::pin(run_query(query, cx)).await?;
            let ecx = cx.eval_context();
            let mut rows = Vec::with_capacity(produced.len());
            for out in produced {
                let mut row = Vec::with_capacity(sources.len());
                for (source, column) in sources.iter().zip(&p.table.columns) {
                    row.push(match source {
                        ColumnSource::Output(i, from) => {
                            out[*i]
                                .clone()
                                .cast(*from, column.data_type, ecx.time_zone)?
                        }
                        ColumnSource::Default(e) => e.eval(&[], &ecx)?,
                    });
                }
                rows.push(row);
            }
            rows
        }
    };
    cx.limits
        .check_rows_modified(cx.txn.count_modified(new_rows.len()))?;
    for row in &new_rows {
        write_new_row(&p.table, row, cx).await?;
    }
    cx.txn.has_dml = true;
    finish_dml(&p.returning, &new_rows, cx, "INSERT 0")
}

/// The output of a DML statement: its command tag with the row count, or the RETURNING
/// rows.
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

/// Executes an UPDATE: reads the rows the access path selects, keeps those that pass the
/// filter, and writes their new images and index entries.
pub(super) async fn update(p: &UpdatePlan, cx: &mut ExecContext<'_>) -> Result<Output> {
    let rows = read_table(&p.table, &p.access, false, None, false, cx).await?;
    let mut changes = Vec::new();
    for (key, old) in rows {
        if !passes_dynamic(p.filter.as_ref(), &old, cx).await? {
            continue;
        }
        let mut new = old.clone();
        for (i, e) in &p.assignments {
            new[*i] = eval_dynamic(e, &old, cx).await?;
        }
        check_not_null(&p.table, &new)?;
        changes.push((key, old, new));
    }
    cx.limits
        .check_rows_modified(cx.txn.count_modified(changes.len()))?;
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

/// Executes a DELETE: deletes the rows that pass the filter and their index entries.
pub(super) async fn delete(p: &DeletePlan, cx: &mut ExecContext<'_>) -> Result<Output> {
    let rows = read_table(&p.table, &p.access, false, None, false, cx).await?;
    let mut deleted = Vec::new();
    for (key, row) in rows {
        if passes_dynamic(p.filter.as_ref(), &row, cx).await? {
            deleted.push((key, row));
        }
    }
    cx.limits
        .check_rows_modified(cx.txn.count_modified(deleted.len()))?;
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
