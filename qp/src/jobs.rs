//! Background jobs: `sys.jobs`, the index build runner, and `sys.wait_for_job`.
//!
//! `CREATE INDEX ASYNC` commits, in one transaction, the index in state
//! [`IndexState::Building`] and a job row in `sys.jobs` (status `submitted`), and returns the
//! job id at once. Each engine runs one [`Runner::start`] task that polls `sys.jobs` at
//! fresh snapshots and runs the oldest unfinished job. Because job rows are durable data, a
//! restarted engine simply finds its unfinished jobs again and runs them from the start
//! (building is idempotent, see below).
//!
//! ```text
//!  submitted ──runner picks it──> processing ──backfill done──> completed  (index valid)
//!      │                              │ └───duplicate / bad key──> failed     (index invalid)
//!      └──────── DROP INDEX ──────────┴────────────────────────> cancelled
//! ```
//!
//! # Why the backfill is correct with concurrent writers
//!
//! Let `C` be the commit timestamp of the `CREATE INDEX ASYNC` transaction.
//!
//! 1. *Every commit after `C` that writes the table maintains the index itself.* A writer
//!    plans with the catalog at its snapshot and lists the catalog version key as `unchanged`
//!    in its commit. If its snapshot is older than `C` it does not know the index, but then
//!    the version key changed after its snapshot, so its commit fails (OC001). If its snapshot
//!    is at or after `C`, it sees the index (building) and writes entries for it.
//! 2. *The backfill indexes every row as of its own snapshot.* The table is walked in primary
//!    key order in batches of [`BATCH_ROWS`] rows; each batch is its own transaction with a
//!    fresh snapshot `R ≥ C` (the runner saw the job row, so `C` is durable). It reads the
//!    batch's rows at `R` and writes their entries, computed from the rows as of `R`. Commits
//!    up to `R` are in what it reads, so its entries agree with them (writing an entry a writer
//!    already wrote is a no-op rewrite of the same key and value).
//! 3. *A writer committing between `R` and the batch's commit conflicts with it.* Suppose
//!    such a writer changed a row of the batch so that its entry changes (new key or value), or
//!    deleted it. By (1) it wrote the old entry's key (a deletion) and the new one. The batch
//!    wrote the old entry's key too (computed at `R`), so the two transactions wrote a common
//!    key and the later committer fails with 40001. If the batch loses, it is retried with a
//!    fresh snapshot (exponential backoff); if the writer loses, the client retries it. Either
//!    way no stale entry survives, and no entry a writer added is overwritten with other data.
//!    Writers that do not change a row's entry write nothing in the index, and the batch's entry
//!    for that row is right at either timestamp.
//! 4. Each batch also lists the catalog version as `unchanged`, so a `DROP INDEX` (or any DDL)
//!    meanwhile makes it fail and retry, and the retry sees the index gone and stops.
//!
//! For a unique index the batch first reads the entry key: an entry pointing at another row is
//! a duplicate, and the job fails (`could not create unique index ...`), leaving the index
//! invalid. The last transaction flips the index to valid (or invalid) and the job to its final
//! status together, bumping the catalog version: concurrent transactions that used the catalog
//! then fail with OC001, as DSQL documents.

pub use crate::catalog::job::{INDEX_BUILD, Job, JobStatus, is_job_id, new_job_id};
pub use crate::catalog::sys::{JOBS_TABLE_ID, jobs_table};
use crate::catalog::{self, Catalog};
use crate::error::{Error, ErrorKind, Result, SqlState};
use crate::index::IndexState;
use crate::txn::{Cluster, Transaction, retrying};
use crate::types::keycode;
use chrono::Utc;
use proto::{Key, KeyRange};
use std::sync::Arc;
use std::time::Duration;

/// Rows indexed per backfill transaction (well under the per-transaction row limit).
pub const BATCH_ROWS: usize = 500;
/// How long finished jobs stay in `sys.jobs` (DSQL keeps them 30 minutes).
pub const JOB_RETENTION: Duration = Duration::from_secs(30 * 60);
/// How often an idle runner looks for new jobs.
const POLL: Duration = Duration::from_millis(50);

/// How one backfill batch ended.
enum Batch {
    /// More rows remain after this key.
    More(Key),
    /// The whole table is indexed.
    Done,
    /// The index (or its table) is gone, or no longer building.
    Gone,
    /// The build cannot succeed; the reason becomes the job's `details`.
    Fail(String),
}

/// How a whole job ended.
enum Outcome {
    Built,
    Gone,
    Failed(String),
}

/// Whether a job that failed with `err` should be left active and resumed later: the cluster
/// was unavailable, or a commit's outcome is unknown (every job step can safely run twice).
fn resumable(err: &Error) -> bool {
    matches!(err.kind, ErrorKind::Retryable | ErrorKind::OutcomeUnknown)
}

/// What the job runner needs from the engine it runs in: the cluster services, and the
/// catalog a transaction sees (through the engine's shared cache). The session layer's
/// `Engine` provides it, so the runner does not depend on the session.
#[async_trait::async_trait]
pub trait JobHost: Send + Sync + 'static {
    /// The cluster services.
    fn cluster(&self) -> &Cluster;
    /// The catalog `txn`'s snapshot sees.
    async fn catalog_for(&self, txn: &mut Transaction) -> Result<Arc<Catalog>>;
}

/// One engine's job runner.
pub struct Runner<H: JobHost>(pub Arc<H>);

impl<H: JobHost> Runner<H> {
    /// Starts the runner: a task that runs unfinished jobs from `sys.jobs`, one at a time,
    /// until aborted. Jobs left unfinished by a previous run are resumed.
    pub fn start(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move { self.run_jobs().await })
    }

    async fn run_jobs(self) {
        loop {
            match self.next_job().await {
                Ok(Some(job)) => match self.run_job(&job).await {
                    Ok(()) => {}
                    Err(e) if resumable(&e) => {
                        tracing::warn!(job_id = %job.job_id, error = %e, "job interrupted; will resume");
                        tokio::time::sleep(POLL * 4).await;
                    }
                    Err(e) => {
                        // Running the job again would fail the same way: end it, with the
                        // reason in sys.jobs.details.
                        tracing::warn!(job_id = %job.job_id, error = %e, "job failed");
                        if let Err(e) = retrying(|| self.fail_job(&job.job_id, &e.message)).await {
                            tracing::warn!(job_id = %job.job_id, error = %e, "recording the job's failure failed");
                            tokio::time::sleep(POLL * 4).await;
                        }
                    }
                },
                Ok(None) => tokio::time::sleep(POLL).await,
                Err(e) => {
                    tracing::warn!(error = %e, "reading sys.jobs failed");
                    tokio::time::sleep(POLL * 4).await;
                }
            }
        }
    }

    /// The oldest job that still has work to do. Finished jobs older than [`JOB_RETENTION`]
    /// are removed on the way, as DSQL prunes them.
    async fn next_job(&self) -> Result<Option<Job>> {
        let mut txn = Transaction::new(self.0.cluster().clone());
        let jobs = Job::all(&mut txn).await?;
        let now = Utc::now();
        for job in &jobs {
            let age = now.signed_duration_since(job.update_time);
            if !job.status.is_active() && age.to_std().is_ok_and(|a| a > JOB_RETENTION) {
                txn.delete(Job::key(&job.job_id));
            }
        }
        match txn.commit().await {
            // Losing a race to prune is harmless: the next poll tries again.
            Err(e) if !e.is_serialization_failure() => return Err(e),
            _ => {}
        }
        Ok(jobs
            .into_iter()
            .filter(|j| j.status.is_active() && j.job_type == INDEX_BUILD)
            .min_by_key(|j| j.start_time))
    }

    async fn run_job(&self, job: &Job) -> Result<()> {
        let job_id = job.job_id.as_str();
        let still_active = retrying(|| self.mark_processing(job_id)).await?;
        if !still_active {
            return Ok(());
        }
        let mut cursor: Option<Key> = None;
        let outcome = loop {
            let from = cursor.clone();
            match retrying(|| self.backfill_batch(job.object_id, from.clone())).await {
                Ok(Batch::More(next)) => cursor = Some(next),
                Ok(Batch::Done) => break Outcome::Built,
                Ok(Batch::Gone) => break Outcome::Gone,
                Ok(Batch::Fail(reason)) => break Outcome::Failed(reason),
                // Availability problems leave the job active, to be resumed; so does a batch
                // commit of unknown outcome (a batch only adds entries, so it may run twice).
                Err(e) if resumable(&e) => return Err(e),
                // Deterministic or internal: another attempt would fail the same way.
                Err(e) => break Outcome::Failed(e.message),
            }
        };
        retrying(|| self.finish_job(job_id, job.object_id, &outcome)).await
    }

    /// Moves a submitted job to processing; false if it is no longer active.
    async fn mark_processing(&self, job_id: &str) -> Result<bool> {
        let mut txn = Transaction::new(self.0.cluster().clone());
        let Some(mut job) = Job::read(&mut txn, job_id).await? else {
            return Ok(false);
        };
        match job.status {
            JobStatus::Submitted => {
                job.status = JobStatus::Processing;
                job.update_time = Utc::now();
                job.write(&mut txn);
                txn.commit().await?;
                Ok(true)
            }
            JobStatus::Processing => Ok(true),
            _ => Ok(false),
        }
    }

    /// Indexes the next batch of rows from `from` (the table's start when `None`).
    async fn backfill_batch(&self, index_id: u32, from: Option<Key>) -> Result<Batch> {
        let mut txn = Transaction::new(self.0.cluster().clone());
        let catalog: Arc<Catalog> = self.0.catalog_for(&mut txn).await?;
        txn.require_unchanged(catalog::version_key());
        let Some((table, pos)) = catalog.find_index_by_id(index_id) else {
            return Ok(Batch::Gone);
        };
        let index = &table.indexes[pos];
        if index.state != IndexState::Building {
            return Ok(Batch::Gone);
        }
        let table_range = KeyRange::prefix(&keycode::table_prefix(table.id));
        let range = KeyRange {
            start: from.unwrap_or(table_range.start),
            end: table_range.end,
        };
        let rows = txn.scan(&range, Some(BATCH_ROWS), false).await?;
        for (row_key, bytes) in &rows {
            let row = table.decode_row(bytes)?;
            let (key, value) = index.entry(&row, row_key)?;
            if index.unique
                && let Some(existing) = txn.get(&key).await?
            {
                if crate::index::points_elsewhere(&existing, &value)? {
                    return Ok(Batch::Fail(format!(
                        "could not create unique index \"{}\": {} is duplicated.",
                        index.name,
                        index.key_text(&table, &row)
                    )));
                }
                continue;
            }
            txn.put(key, value);
        }
        txn.commit().await?;
        match rows.last() {
            Some((last, _)) if rows.len() == BATCH_ROWS => {
                let mut next = last.clone();
                next.push(0);
                Ok(Batch::More(next))
            }
            _ => Ok(Batch::Done),
        }
    }

    /// Records a job's end: the index state and the job status change in one transaction.
    async fn finish_job(&self, job_id: &str, index_id: u32, outcome: &Outcome) -> Result<()> {
        let mut txn = Transaction::new(self.0.cluster().clone());
        let catalog = self.0.catalog_for(&mut txn).await?;
        let Some(mut job) = Job::read(&mut txn, job_id).await? else {
            return Ok(());
        };
        if !job.status.is_active() {
            return Ok(());
        }
        let (status, details) = match (catalog.find_index_by_id(index_id), outcome) {
            (Some((table, pos)), Outcome::Built | Outcome::Failed(_))
                if table.indexes[pos].state == IndexState::Building =>
            {
                let mut def = (*table).clone();
                let (state, status, details) = match outcome {
                    Outcome::Failed(reason) => {
                        (IndexState::Invalid, JobStatus::Failed, Some(reason.clone()))
                    }
                    _ => (IndexState::Valid, JobStatus::Completed, None),
                };
                def.indexes[pos].state = state;
                crate::catalog::store::write_table_def(&mut txn, &def);
                crate::catalog::store::bump_version(&mut txn).await?;
                (status, details)
            }
            (Some((table, pos)), _) => match table.indexes[pos].state {
                // Finished by an earlier run whose job update was lost: report that.
                IndexState::Valid => (JobStatus::Completed, None),
                IndexState::Invalid => (JobStatus::Failed, job.details.clone()),
                IndexState::Building => (JobStatus::Cancelled, None),
            },
            (None, _) => (JobStatus::Cancelled, None),
        };
        job.status = status;
        job.details = details;
        job.update_time = Utc::now();
        job.write(&mut txn);
        txn.commit().await?;
        Ok(())
    }

    /// Marks an active job failed with `reason`, touching nothing but its `sys.jobs` row: the
    /// last resort when even recording its end with [`Self::finish_job`] fails.
    async fn fail_job(&self, job_id: &str, reason: &str) -> Result<()> {
        let mut txn = Transaction::new(self.0.cluster().clone());
        let Some(mut job) = Job::read(&mut txn, job_id).await? else {
            return Ok(());
        };
        if !job.status.is_active() {
            return Ok(());
        }
        job.status = JobStatus::Failed;
        job.details = Some(reason.to_string());
        job.update_time = Utc::now();
        job.write(&mut txn);
        txn.commit().await?;
        Ok(())
    }
}

/// Blocks until the job finishes: true if it completed, false if it failed or was
/// cancelled. Polls `sys.jobs` at fresh snapshots, so it sees jobs run by any QP.
pub async fn wait_for_job(cluster: &Cluster, job_id: &str) -> Result<bool> {
    if !is_job_id(job_id) {
        // DSQL's job ids are UUIDs in base 32; anything else fails the conversion.
        return Err(Error::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            "Unable to convert text to UUID",
        ));
    }
    let mut delay = Duration::from_millis(2);
    loop {
        let mut txn = Transaction::new(cluster.clone());
        match Job::read(&mut txn, job_id).await? {
            None => {
                return Err(Error::new(
                    SqlState::UNDEFINED_OBJECT,
                    format!("job \"{job_id}\" does not exist"),
                ));
            }
            Some(job) => match job.status {
                JobStatus::Completed => return Ok(true),
                JobStatus::Failed | JobStatus::Cancelled => return Ok(false),
                JobStatus::Submitted | JobStatus::Processing => {}
            },
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(50));
    }
}
