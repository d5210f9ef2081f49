//! The rows of `sys.jobs`, DSQL's table of asynchronous jobs (index builds): their status,
//! ids and encoding. The runner that works through them is [`crate::jobs`].

use super::TableDef;
use super::sys::{JOBS_TABLE_ID, jobs_table};
use crate::error::{Error, Result};
use crate::txn::Transaction;
use crate::types::Value;
use crate::types::keycode;
use chrono::{DateTime, Utc};
use proto::{Key, KeyRange};

/// The `job_type` of an index build.
pub const INDEX_BUILD: &str = "INDEX_BUILD";
/// The `class_id` of jobs on indexes: PostgreSQL's oid of `pg_class`.
const PG_CLASS_OID: i64 = 1259;

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Recorded, not started.
    Submitted,
    /// A runner is working on it.
    Processing,
    /// Finished successfully.
    Completed,
    /// Finished unsuccessfully (`details` says why).
    Failed,
    /// Stopped by `DROP INDEX` (or the table's removal).
    Cancelled,
}

impl JobStatus {
    /// The text in `sys.jobs.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Submitted => "submitted",
            JobStatus::Processing => "processing",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<JobStatus> {
        Ok(match text {
            "submitted" => JobStatus::Submitted,
            "processing" => JobStatus::Processing,
            "completed" => JobStatus::Completed,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            other => return Err(Error::internal(format!("damaged job status {other}"))),
        })
    }

    /// Whether the job still has work to do.
    pub fn is_active(self) -> bool {
        matches!(self, JobStatus::Submitted | JobStatus::Processing)
    }
}

/// One row of `sys.jobs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The job id handed to the client.
    pub job_id: String,
    /// The status.
    pub status: JobStatus,
    /// Why it failed, if it did.
    pub details: Option<String>,
    /// What kind of job (`INDEX_BUILD`).
    pub job_type: String,
    /// The id of the object the job works on (the index id).
    pub object_id: u32,
    /// `schema.name` of that object.
    pub object_name: String,
    /// When the job was submitted.
    pub start_time: DateTime<Utc>,
    /// When its status last changed.
    pub update_time: DateTime<Utc>,
}

impl Job {
    /// A new, submitted index build job.
    pub fn index_build(index_id: u32, object_name: String) -> Job {
        let now = Utc::now();
        Job {
            job_id: new_job_id(),
            status: JobStatus::Submitted,
            details: None,
            job_type: INDEX_BUILD.into(),
            object_id: index_id,
            object_name,
            start_time: now,
            update_time: now,
        }
    }

    pub(crate) fn key(job_id: &str) -> Key {
        let mut key = keycode::table_prefix(JOBS_TABLE_ID);
        keycode::encode_value(&Value::Text(job_id.into()), &mut key).expect("text always encodes");
        key
    }

    fn to_row(&self) -> Vec<Value> {
        vec![
            Value::Text(self.job_id.clone()),
            Value::Text(self.status.as_str().into()),
            self.details.clone().map(Value::Text).unwrap_or(Value::Null),
            Value::Text(self.job_type.clone()),
            Value::Int(PG_CLASS_OID),
            Value::Int(self.object_id as i64),
            Value::Text(self.object_name.clone()),
            Value::TimestampTz(self.start_time),
            Value::TimestampTz(self.update_time),
        ]
    }

    fn from_row(row: &[Value]) -> Result<Job> {
        let damaged = || Error::internal("damaged sys.jobs row");
        let text = |i: usize| match row.get(i) {
            Some(Value::Text(s)) => Ok(s.clone()),
            _ => Err(damaged()),
        };
        let time = |i: usize| match row.get(i) {
            Some(Value::TimestampTz(t)) => Ok(*t),
            _ => Err(damaged()),
        };
        Ok(Job {
            job_id: text(0)?,
            status: JobStatus::parse(&text(1)?)?,
            details: text(2).ok(),
            job_type: text(3)?,
            object_id: match row.get(5) {
                Some(Value::Int(i)) => u32::try_from(*i).map_err(|_| damaged())?,
                _ => return Err(damaged()),
            },
            object_name: text(6)?,
            start_time: time(7)?,
            update_time: time(8)?,
        })
    }

    /// Buffers this row in `txn`.
    pub fn write(&self, txn: &mut Transaction) {
        txn.put(Job::key(&self.job_id), TableDef::encode_row(&self.to_row()));
    }

    /// Reads a job at the transaction's snapshot.
    pub async fn read(txn: &mut Transaction, job_id: &str) -> Result<Option<Job>> {
        match txn.get(&Job::key(job_id)).await? {
            None => Ok(None),
            Some(bytes) => Ok(Some(Job::from_row(&jobs_table().decode_row(&bytes)?)?)),
        }
    }

    /// Every job at the transaction's snapshot.
    pub async fn all(txn: &mut Transaction) -> Result<Vec<Job>> {
        let table = jobs_table();
        let rows = txn
            .scan(
                &KeyRange::prefix(&keycode::table_prefix(JOBS_TABLE_ID)),
                None,
                false,
            )
            .await?;
        rows.iter()
            .map(|(_, bytes)| Job::from_row(&table.decode_row(bytes)?))
            .collect()
    }
}

/// A new job id: 26 lower-case base-32 characters, like DSQL's. Unique across QPs because
/// it mixes the clock, a process-wide counter and per-process random state.
pub fn new_job_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = std::collections::hash_map::RandomState::new();
    let mut bits: u128 = 0;
    for part in 0..2u64 {
        let mut h = seed.build_hasher();
        h.write_u64(proto::Timestamp::now().0);
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u64(part);
        bits = (bits << 64) | h.finish() as u128;
    }
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    (0..26)
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// Whether `text` has the form of a job id: 26 characters of the lower-case base-32
/// alphabet (see [`new_job_id`]).
pub fn is_job_id(text: &str) -> bool {
    text.len() == 26
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_rows_round_trip() {
        let job = Job::index_build(1001, "public.by_city".into());
        let back = Job::from_row(&job.to_row()).unwrap();
        assert_eq!(back, job);
        assert_eq!(job.job_id.len(), 26);
        assert!(is_job_id(&job.job_id), "{}", job.job_id);
        assert!(!is_job_id("not-a-job-id"));
        assert!(!is_job_id(&job.job_id.to_uppercase()));
        assert_ne!(job.job_id, new_job_id());
    }
}
