//! A transaction in the QP: a snapshot, a local write buffer, and the commit request.
//!
//! Nothing a transaction writes leaves the QP before COMMIT. Reads go to the storage shards
//! "as of" the snapshot and are overlaid with the transaction's own buffered writes
//! (read-your-writes). At COMMIT a read-only transaction is simply dropped; a read-write one
//! sends its write set to the adjudicator, which either orders it (it is then durable) or
//! refuses it with a conflict.
//!
//! ```text
//!   BEGIN                       (nothing yet: the snapshot is taken lazily)
//!   SELECT ... WHERE id = 1     read_ts := adjudicator.read_ts(); get(k1, read_ts)
//!   UPDATE ... WHERE id = 1     writes[k1] = new row        (buffered)
//!   SELECT ... WHERE id = 1     writes[k1] found: no storage call
//!   COMMIT                      adjudicator.commit(read_ts, writes) -> commit_ts | 40001
//! ```

use crate::error::Result;
use proto::adjudicator::{Adjudicator, CommitRequest};
use proto::key::ShardMap;
use proto::storage::{GetRequest, ScanRequest, Shard};
use proto::{Key, KeyRange, Timestamp, Write};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// The services a QP talks to: the adjudicator and the storage shards.
#[derive(Clone)]
pub struct Cluster {
    /// The adjudicator (snapshots and commits).
    pub adjudicator: Arc<dyn Adjudicator>,
    /// One storage shard per entry of `shard_map`, in shard id order.
    pub shards: Vec<Arc<dyn Shard>>,
    /// Which shard owns which key range.
    pub shard_map: ShardMap,
}

impl Cluster {
    fn shard_for(&self, key: &[u8]) -> &Arc<dyn Shard> {
        &self.shards[self.shard_map.shard_for(key).0 as usize]
    }

    /// Reads one key at a snapshot from the shard that owns it.
    pub async fn get(&self, key: &[u8], read_ts: Timestamp) -> Result<Option<Vec<u8>>> {
        Ok(self
            .shard_for(key)
            .get(GetRequest {
                key: key.to_vec(),
                read_ts,
            })
            .await?)
    }

    /// Scans a key range at a snapshot across every shard it overlaps, in key order
    /// (descending if `reverse`), at most `limit` rows.
    pub async fn scan(
        &self,
        range: &KeyRange,
        read_ts: Timestamp,
        limit: Option<usize>,
        reverse: bool,
    ) -> Result<Vec<(Key, Vec<u8>)>> {
        let mut parts = self.shard_map.shards_for_range(range);
        if reverse {
            parts.reverse();
        }
        let mut rows = Vec::new();
        for (shard, part) in parts {
            let remaining = limit.map(|l| l.saturating_sub(rows.len()));
            if remaining == Some(0) {
                break;
            }
            let response = self.shards[shard.0 as usize]
                .scan(ScanRequest {
                    range: part,
                    read_ts,
                    limit: remaining.map(|r| r.min(u32::MAX as usize) as u32),
                    reverse,
                })
                .await?;
            rows.extend(response.rows);
        }
        Ok(rows)
    }
}

/// One transaction's state in the QP.
pub struct Transaction {
    cluster: Cluster,
    /// The snapshot, taken at the first statement that needs it.
    read_ts: Option<Timestamp>,
    /// When the transaction started (for `now()`).
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// When the transaction started, monotonic (for the age limit).
    pub started: Instant,
    /// Buffered writes: a new row image, or `None` for a deletion.
    writes: BTreeMap<Key, Option<Vec<u8>>>,
    /// Keys the commit must find unchanged since the snapshot (the catalog version).
    unchanged: Vec<Key>,
    /// Keys read FOR UPDATE.
    locked: Vec<Key>,
    /// Rows modified so far (INSERT/UPDATE/DELETE), for the row limit.
    pub rows_modified: usize,
    /// Bytes of the buffered writes (keys plus row images), for the size limit.
    write_bytes: usize,
    /// `BEGIN READ ONLY` (or `default_transaction_read_only`): writes are refused with 25006.
    /// (Not to be confused with [`Transaction::is_read_only`]: nothing written so far.)
    pub read_only_mode: bool,
    /// Whether a DDL statement ran in this transaction.
    pub has_ddl: bool,
    /// Whether a DML statement ran in this transaction.
    pub has_dml: bool,
    /// Unique among the transactions of this process: what a cache of things derived from
    /// the transaction's snapshot (the session's catalog) is keyed by.
    pub id: u64,
}

impl Transaction {
    /// Starts a transaction; nothing is contacted until the first read.
    pub fn new(cluster: Cluster) -> Transaction {
        Transaction {
            cluster,
            read_ts: None,
            started_at: chrono::Utc::now(),
            started: Instant::now(),
            writes: BTreeMap::new(),
            unchanged: Vec::new(),
            locked: Vec::new(),
            rows_modified: 0,
            write_bytes: 0,
            read_only_mode: false,
            has_ddl: false,
            has_dml: false,
            id: {
                static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
        }
    }

    /// The snapshot: the adjudicator's durable frontier at the first call.
    pub async fn read_ts(&mut self) -> Result<Timestamp> {
        if let Some(ts) = self.read_ts {
            return Ok(ts);
        }
        let ts = self.cluster.adjudicator.read_ts().await?;
        self.read_ts = Some(ts);
        Ok(ts)
    }

    /// A read-only copy of the transaction as it is now, for reads that go on after the
    /// statement that started them returned (a portal's rows): the same snapshot (taken now
    /// if no read took it yet) and the writes buffered so far, but none made later. It
    /// writes nothing and is never committed.
    pub async fn read_view(&mut self) -> Result<Transaction> {
        let read_ts = self.read_ts().await?;
        Ok(Transaction {
            cluster: self.cluster.clone(),
            read_ts: Some(read_ts),
            started_at: self.started_at,
            started: self.started,
            writes: self.writes.clone(),
            unchanged: Vec::new(),
            locked: Vec::new(),
            rows_modified: 0,
            write_bytes: 0,
            read_only_mode: true,
            has_ddl: false,
            has_dml: false,
            id: self.id,
        })
    }

    /// Whether the transaction has buffered writes.
    pub fn is_read_only(&self) -> bool {
        self.writes.is_empty()
    }

    /// Whether the transaction wrote `key`.
    pub fn wrote(&self, key: &[u8]) -> bool {
        self.writes.contains_key(key)
    }

    /// Reads a key: the transaction's own write if any, else storage at the snapshot.
    pub async fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(buffered) = self.writes.get(key) {
            return Ok(buffered.clone());
        }
        let read_ts = self.read_ts().await?;
        self.cluster.get(key, read_ts).await
    }

    /// Scans a range: storage at the snapshot merged with the transaction's own writes.
    /// `limit` bounds the rows returned.
    pub async fn scan(
        &mut self,
        range: &KeyRange,
        limit: Option<usize>,
        reverse: bool,
    ) -> Result<Vec<(Key, Vec<u8>)>> {
        let read_ts = self.read_ts().await?;
        let buffered: Vec<(&Key, &Option<Vec<u8>>)> =
            self.writes.range::<[u8], _>(range.bounds()).collect();
        // Buffered deletions may hide storage rows: ask storage for enough extra rows.
        let storage_limit = limit.map(|l| l + buffered.len());
        let stored = self
            .cluster
            .scan(range, read_ts, storage_limit, reverse)
            .await?;
        if buffered.is_empty() {
            let mut rows = stored;
            if let Some(l) = limit {
                rows.truncate(l);
            }
            return Ok(rows);
        }
        let mut buffered_iter: Box<dyn Iterator<Item = (&Key, &Option<Vec<u8>>)>> = if reverse {
            Box::new(buffered.into_iter().rev())
        } else {
            Box::new(buffered.into_iter())
        };
        let mut next_buffered = buffered_iter.next();
        let mut rows = Vec::with_capacity(stored.len());
        let before = |a: &[u8], b: &[u8]| if reverse { a > b } else { a < b };
        let mut stored_iter = stored.into_iter().peekable();
        loop {
            let take_buffered = match (next_buffered, stored_iter.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some((bk, _)), Some((sk, _))) => !before(sk, bk),
            };
            if take_buffered {
                let (bk, bv) = next_buffered.expect("checked above");
                if stored_iter.peek().is_some_and(|(sk, _)| sk == bk) {
                    stored_iter.next();
                }
                if let Some(v) = bv {
                    rows.push((bk.clone(), v.clone()));
                }
                next_buffered = buffered_iter.next();
            } else {
                rows.push(stored_iter.next().expect("checked above"));
            }
            if limit.is_some_and(|l| rows.len() >= l) {
                break;
            }
        }
        Ok(rows)
    }

    /// Buffers a new row image for `key`.
    pub fn put(&mut self, key: Key, value: Vec<u8>) {
        self.buffer(key, Some(value));
    }

    /// Buffers a deletion of `key`.
    pub fn delete(&mut self, key: Key) {
        self.buffer(key, None);
    }

    fn buffer(&mut self, key: Key, value: Option<Vec<u8>>) {
        let key_len = key.len();
        self.write_bytes += key_len + value.as_ref().map_or(0, Vec::len);
        if let Some(old) = self.writes.insert(key, value) {
            self.write_bytes -= key_len + old.as_ref().map_or(0, Vec::len);
        }
    }

    /// Bytes of modified data buffered so far: every written key plus its new row image
    /// (a key written twice counts once, with its latest image).
    pub fn write_bytes(&self) -> usize {
        self.write_bytes
    }

    /// Requires `key` to be unchanged between the snapshot and the commit.
    pub fn require_unchanged(&mut self, key: Key) {
        if !self.unchanged.contains(&key) {
            self.unchanged.push(key);
        }
    }

    /// Adds a key read `FOR UPDATE` to the commit's conflict check.
    pub fn lock(&mut self, key: Key) {
        if !self.locked.contains(&key) {
            self.locked.push(key);
        }
    }

    /// Whether the commit will need the adjudicator (writes or locks).
    pub fn needs_commit(&self) -> bool {
        !self.writes.is_empty() || !self.locked.is_empty()
    }

    /// Counts modified rows; returns the transaction's total so far (which the caller checks
    /// against the row limit).
    pub fn count_modified(&mut self, rows: usize) -> usize {
        self.rows_modified += rows;
        self.rows_modified
    }

    /// Commits: nothing to do for a read-only transaction; otherwise one adjudicator call.
    pub async fn commit(mut self) -> Result<Option<Timestamp>> {
        if self.writes.is_empty() {
            // Read-only, even with FOR UPDATE locks: nothing was written, so nothing can be
            // lost; DSQL checks locks only for transactions that write.
            return Ok(None);
        }
        let read_ts = self.read_ts().await?;
        let unchanged: Vec<Key> = self
            .unchanged
            .into_iter()
            .filter(|k| !self.writes.contains_key(k))
            .collect();
        let writes: Vec<Write> = self
            .writes
            .into_iter()
            .map(|(key, value)| Write { key, value })
            .collect();
        let response = self
            .cluster
            .adjudicator
            .commit(CommitRequest {
                read_ts,
                writes,
                locked: self.locked,
                unchanged,
            })
            .await?;
        Ok(Some(response.commit_ts))
    }
}

/// Runs `step`, a whole transaction, until it does not fail with a serialization failure
/// (another transaction committed a conflicting change first), backing off between attempts
/// (5 ms doubling to 500 ms). For the QP's own system transactions; clients retry their own.
pub async fn retrying<T, F, Fut>(mut step: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut delay = std::time::Duration::from_millis(5);
    loop {
        match step().await {
            Err(e) if e.is_serialization_failure() => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_millis(500));
            }
            other => return other,
        }
    }
}
