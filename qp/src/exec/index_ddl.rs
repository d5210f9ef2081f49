//! Executing `CREATE INDEX ASYNC` and `DROP INDEX`.
//!
//! Both rewrite the indexed table's definition (indexes live inside [`TableDef`]) and bump the
//! catalog version, so they follow every DDL rule: one per transaction, not with DML, and a
//! concurrent transaction that used the old catalog fails at COMMIT with OC001. Creating an
//! index also records its build job in `sys.jobs`; the build itself runs in the background
//! (see [`crate::jobs`]).

use super::{ExecContext, Output};
use crate::catalog::job::{Job, JobStatus};
use crate::catalog::{self, TableDef};
use crate::error::{Error, Result, SqlState};
use crate::index::{IndexDef, IndexState};
use crate::types::Value;
use std::sync::Arc;

/// Reads a table's current definition at the transaction's snapshot.
async fn current_def(table: &TableDef, cx: &mut ExecContext<'_>) -> Result<TableDef> {
    let name = table.qualified_name();
    let bytes = cx
        .txn
        .get(&catalog::table_key(&name))
        .await?
        .ok_or_else(|| Error::undefined_table(&name.to_string()))?;
    crate::catalog::codec::decode(&bytes)
}

/// Takes the next id from the table id counter (indexes share it with tables).
async fn next_object_id(cx: &mut ExecContext<'_>) -> Result<u32> {
    crate::catalog::store::next_object_id(cx.txn).await
}

/// `CREATE [UNIQUE] INDEX ASYNC`: records the index as building plus its job, and answers
/// one row with the job id.
pub async fn create_index(
    table: &Arc<TableDef>,
    index: &IndexDef,
    skip: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    if skip {
        cx.txn.has_ddl = true;
        return Ok(Output::Rows {
            rows: vec![],
            tag: "SELECT".into(),
        });
    }
    let mut def = current_def(table, cx).await?;
    let count = usize::from(!def.primary_key.is_empty()) + def.indexes.len() + 1;
    if count > cx.limits.max_indexes_per_table {
        return Err(Error::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "more than {} indexes per table are not allowed",
                cx.limits.max_indexes_per_table
            ),
        ));
    }
    let mut index = index.clone();
    index.id = next_object_id(cx).await?;
    index.state = IndexState::Building;
    let job = Job::index_build(index.id, format!("{}.{}", def.schema, index.name));
    def.indexes.push(index);
    crate::catalog::store::write_table_def(cx.txn, &def);
    job.write(cx.txn);
    crate::catalog::store::bump_version(cx.txn).await?;
    Ok(Output::Rows {
        // DSQL answers the job id as a row under the command's own tag.
        rows: vec![vec![Value::Text(job.job_id)]],
        tag: "CREATE INDEX".into(),
    })
}

/// `DROP INDEX`: removes the indexes from their tables and cancels their unfinished jobs.
pub async fn drop_index(
    targets: &[(Arc<TableDef>, String)],
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    cx.txn.has_ddl = true;
    if targets.is_empty() {
        return Ok(Output::Command("DROP INDEX".into()));
    }
    let mut dropped = Vec::new();
    for (table, name) in targets {
        let mut def = current_def(table, cx).await?;
        let Some(pos) = def.indexes.iter().position(|i| &i.name == name) else {
            return Err(Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("index \"{name}\" does not exist"),
            ));
        };
        dropped.push(def.indexes.remove(pos).id);
        crate::catalog::store::write_table_def(cx.txn, &def);
    }
    // TODO: the dropped index's entries stay in storage, unreachable (ids are never reused),
    // like a dropped table's rows; removing them needs a cleanup job.
    for mut job in Job::all(cx.txn).await? {
        if job.status.is_active() && dropped.contains(&job.object_id) {
            job.status = JobStatus::Cancelled;
            job.update_time = chrono::Utc::now();
            job.write(cx.txn);
        }
    }
    crate::catalog::store::bump_version(cx.txn).await?;
    Ok(Output::Command("DROP INDEX".into()))
}
