//! [`LocalShard`]: one in-process replica of one shard, serving reads as of a timestamp.
//!
//! The shard's state is the [`Versions`] store behind a `RwLock`, plus the *applied position*:
//! the index and commit timestamp of the last journal entry applied, published through a tokio
//! `watch` channel so that reads can wait for it without polling.
//!
//! **Applying** ([`LocalShard::apply`]) decodes a batch of journal entries, checks that they
//! continue the log (`index == applied_index + 1`; older ones are duplicates and ignored) and
//! that commit timestamps strictly increase, then takes the write lock once for the whole batch,
//! adds the versions of the keys in the shard's range, and publishes the new applied position
//! before releasing the lock. A reader that sees `applied_ts >= T` therefore also sees every
//! version with `commit_ts <= T`.
//!
//! **Reading** waits until `applied_ts >= read_ts` (bounded by
//! [`ShardConfig::read_wait_timeout`], then [`Error::ReadTimeout`]) and answers from the store
//! under the read lock. Everything visible at `read_ts` is then immutable: new versions carry
//! timestamps above `applied_ts`, and garbage collection only drops versions invisible to reads
//! at or above its horizon. So a long scan can release the lock between chunks of keys and still
//! return one consistent snapshot, without stalling the applier for its whole duration.
//!
//! **Garbage collection** ([`LocalShard::gc`]) raises the shard's *GC watermark* and then drops
//! old versions chunk by chunk. Reads below the watermark could see wrong data, so they are
//! refused with [`Error::TransactionTooOld`]; the applier collects with a horizon of
//! [`ShardConfig::gc_horizon`] behind `applied_ts`, longer than any transaction may live.

use crate::mvcc::{Version, Versions};
use async_trait::async_trait;
use proto::journal::Entry;
use proto::storage::{GetRequest, ScanRequest, ScanResponse, Shard};
use proto::{CommitRecord, Error, KeyRange, LogIndex, Result, Timestamp};
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;
use tokio::sync::watch;

/// How many keys a scan or a GC pass looks at per hold of the store's lock.
const CHUNK_KEYS: usize = 4096;

/// Settings of a [`LocalShard`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardConfig {
    /// How long a read waits for the shard to apply every commit up to its `read_ts` before it
    /// fails with [`Error::ReadTimeout`] (retryable).
    pub read_wait_timeout: Duration,
    /// How far behind `applied_ts` the applier's garbage collection keeps old versions: reads
    /// older than `applied_ts - gc_horizon` may be refused. Must exceed the maximum transaction
    /// age (DSQL: 300 s) with a margin for clock skew between the adjudicator and the QPs.
    pub gc_horizon: Duration,
}

impl Default for ShardConfig {
    /// Reads wait up to 5 s; versions are kept for 6 minutes (the 5-minute transaction age
    /// limit plus a minute of margin).
    fn default() -> ShardConfig {
        ShardConfig {
            read_wait_timeout: Duration::from_secs(5),
            gc_horizon: Duration::from_secs(360),
        }
    }
}

/// The position of the last journal entry applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Applied {
    /// Its index in the journal (0 before the first entry).
    index: LogIndex,
    /// Its commit timestamp ([`Timestamp::ZERO`] before the first entry).
    ts: Timestamp,
}

/// An in-process MVCC storage shard owning one key range; implements [`Shard`]. Build it with
/// [`LocalShard::new`] and feed it with [`LocalShard::follow`] (or [`LocalShard::apply`]).
#[derive(Debug)]
pub struct LocalShard {
    /// The keys this shard owns.
    range: KeyRange,
    /// Its settings.
    config: ShardConfig,
    /// The versions of the keys in `range`.
    versions: RwLock<Versions>,
    /// The last entry applied; updated while `versions` is write-locked, after the versions.
    applied: watch::Sender<Applied>,
    /// Serializes [`LocalShard::apply`] calls, so each checks and advances `applied` alone.
    apply_lock: Mutex<()>,
    /// Reads below this timestamp are refused: GC may have dropped versions they need.
    gc_watermark: AtomicU64,
}

impl LocalShard {
    /// A shard owning `range`, empty and at the start of the journal (applied index 0).
    pub fn new(range: KeyRange, config: ShardConfig) -> Arc<LocalShard> {
        Arc::new(LocalShard {
            range,
            config,
            versions: RwLock::new(Versions::new()),
            applied: watch::Sender::new(Applied::default()),
            apply_lock: Mutex::new(()),
            gc_watermark: AtomicU64::new(0),
        })
    }

    /// The key range this shard owns.
    pub fn range(&self) -> &KeyRange {
        &self.range
    }

    /// The shard's settings.
    pub fn config(&self) -> &ShardConfig {
        &self.config
    }

    /// The commit timestamp of the last journal entry applied.
    pub fn applied_ts(&self) -> Timestamp {
        self.applied.borrow().ts
    }

    /// The index of the last journal entry applied (0 if none).
    pub fn applied_index(&self) -> LogIndex {
        self.applied.borrow().index
    }

    /// The oldest timestamp the shard still serves reads at (raised by [`LocalShard::gc`]).
    pub fn gc_watermark(&self) -> Timestamp {
        Timestamp(self.gc_watermark.load(Ordering::SeqCst))
    }

    /// The number of keys and of versions held (tombstones included).
    pub fn size(&self) -> Result<(usize, usize)> {
        let versions = self.read_versions()?;
        Ok((versions.key_count(), versions.version_count()))
    }

    /// All versions held for `key`, oldest first (for inspection and tests).
    pub fn versions_of(&self, key: &[u8]) -> Result<Vec<Version>> {
        Ok(self.read_versions()?.versions_of(key).to_vec())
    }

    /// Waits until every commit up to `ts` is applied (`applied_ts >= ts`), at most `timeout`;
    /// then fails with [`Error::ReadTimeout`].
    pub async fn wait_applied(&self, ts: Timestamp, timeout: Duration) -> Result<()> {
        if self.applied.borrow().ts >= ts {
            return Ok(());
        }
        let mut applied = self.applied.subscribe();
        match tokio::time::timeout(timeout, applied.wait_for(|a| a.ts >= ts)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(Error::Internal(
                "shard applied-position channel closed".into(),
            )),
            Err(_) => Err(Error::ReadTimeout),
        }
    }

    /// Applies journal entries in log order. Entries at or below the applied index are
    /// duplicates and ignored. Each new entry must be the next one (`applied_index + 1`) and
    /// decode as a [`CommitRecord`] whose `commit_ts` is above `applied_ts`; its writes to keys
    /// in the shard's range become versions at `commit_ts`, and the applied position advances to
    /// it even if it wrote no key of this shard.
    ///
    /// The entries before the first bad one are applied; then this fails with
    /// [`Error::InvalidRequest`] for a gap in the indexes (read again from
    /// `applied_index + 1`), or [`Error::Internal`] for an entry that does not decode or goes
    /// back in time (the shard cannot pass it: that needs a good copy of the entry).
    pub fn apply(&self, entries: &[Entry]) -> Result<()> {
        let _serial = self
            .apply_lock
            .lock()
            .map_err(|_| Error::Internal("shard apply lock poisoned".into()))?;
        let start = *self.applied.borrow();
        let mut last = start;
        let mut batch = Vec::with_capacity(entries.len());
        let mut failure = None;
        for entry in entries {
            if entry.index <= last.index {
                continue; // already applied
            }
            if entry.index != last.index.next() {
                failure = Some(Error::InvalidRequest(format!(
                    "journal entries skip from index {} to {}",
                    last.index, entry.index
                )));
                break;
            }
            let record = match CommitRecord::decode(&entry.payload) {
                Ok(record) => record,
                Err(err) => {
                    failure = Some(Error::Internal(format!(
                        "journal entry {} is not a commit record: {err}",
                        entry.index
                    )));
                    break;
                }
            };
            if record.commit_ts <= last.ts {
                failure = Some(Error::Internal(format!(
                    "journal entry {} commits at {}, not after the previous commit at {}",
                    entry.index, record.commit_ts, last.ts
                )));
                break;
            }
            last = Applied {
                index: entry.index,
                ts: record.commit_ts,
            };
            batch.push(record);
        }
        if last != start {
            let mut versions = self.write_versions()?;
            for record in batch {
                for write in record.writes {
                    if self.range.contains(&write.key) {
                        let value = write.value.map(Vec::into_boxed_slice);
                        versions.put(write.key, record.commit_ts, value);
                    }
                }
            }
            // Publish while still holding the write lock: whoever sees the new position finds
            // its versions in the store.
            self.applied.send_replace(last);
        }
        failure.map_or(Ok(()), Err)
    }

    /// Drops the versions no read at or after `horizon` can see (see [`crate::mvcc`]) and from
    /// now on refuses reads below `horizon` with [`Error::TransactionTooOld`]. Works through the
    /// keys in chunks, releasing the lock between them so reads and the applier go on. Returns
    /// the number of versions dropped.
    pub fn gc(&self, horizon: Timestamp) -> Result<usize> {
        // Raise the watermark before dropping anything: a read that takes the lock after a
        // chunk was collected must see it.
        self.gc_watermark.fetch_max(horizon.0, Ordering::SeqCst);
        let mut dropped = 0;
        let mut after = None;
        loop {
            let (n, resume) =
                self.write_versions()?
                    .gc_chunk(after.as_deref(), horizon, CHUNK_KEYS);
            dropped += n;
            match resume {
                Some(key) => after = Some(key),
                None => return Ok(dropped),
            }
        }
    }

    /// Refuses a read at `read_ts` that garbage collection may have robbed of versions. Called
    /// with the store locked, so no collection chunk can slip in between check and read.
    fn check_not_collected(&self, read_ts: Timestamp) -> Result<()> {
        if read_ts < self.gc_watermark() {
            return Err(Error::TransactionTooOld {
                limit_secs: self.config.gc_horizon.as_secs(),
            });
        }
        Ok(())
    }

    /// The store, read-locked.
    fn read_versions(&self) -> Result<RwLockReadGuard<'_, Versions>> {
        self.versions
            .read()
            .map_err(|_| Error::Internal("shard version store lock poisoned".into()))
    }

    /// The store, write-locked.
    fn write_versions(&self) -> Result<RwLockWriteGuard<'_, Versions>> {
        self.versions
            .write()
            .map_err(|_| Error::Internal("shard version store lock poisoned".into()))
    }
}

#[async_trait]
impl Shard for LocalShard {
    async fn get(&self, request: GetRequest) -> Result<Option<Vec<u8>>> {
        if !self.range.contains(&request.key) {
            return Err(Error::InvalidRequest(format!(
                "key \"{}\" is outside the shard's range {}",
                request.key.escape_ascii(),
                show_range(&self.range)
            )));
        }
        self.wait_applied(request.read_ts, self.config.read_wait_timeout)
            .await?;
        let versions = self.read_versions()?;
        self.check_not_collected(request.read_ts)?;
        Ok(versions
            .get(&request.key, request.read_ts)
            .map(<[u8]>::to_vec))
    }

    async fn scan(&self, request: ScanRequest) -> Result<ScanResponse> {
        if request.range.is_empty() || request.limit == Some(0) {
            return Ok(ScanResponse::default());
        }
        let range = request.range.intersect(&self.range);
        if range.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "scan range {} does not overlap the shard's range {}",
                show_range(&request.range),
                show_range(&self.range)
            )));
        }
        self.wait_applied(request.read_ts, self.config.read_wait_timeout)
            .await?;
        let limit = request.limit.map_or(usize::MAX, |l| l as usize);
        let (start, end) = range.bounds();
        let mut rows = Vec::new();
        let mut resume: Option<Vec<u8>> = None;
        loop {
            // Continue after (or, reversed, before) the last key the previous chunk looked at.
            let after = resume.as_deref().map(Bound::Excluded);
            let (from, to) = match (request.reverse, after) {
                (false, Some(after)) => (after, end),
                (true, Some(before)) => (start, before),
                (_, None) => (start, end),
            };
            let next = {
                let versions = self.read_versions()?;
                self.check_not_collected(request.read_ts)?;
                versions.scan_into(
                    (from, to),
                    request.read_ts,
                    request.reverse,
                    limit,
                    CHUNK_KEYS,
                    &mut rows,
                )
            };
            match next {
                Some(key) => resume = Some(key),
                None => return Ok(ScanResponse { rows }),
            }
            tokio::task::yield_now().await;
        }
    }
}

/// A key range for error messages: `["start", "end")`.
fn show_range(range: &KeyRange) -> String {
    match &range.end {
        Some(end) => format!(
            "[\"{}\", \"{}\")",
            range.start.escape_ascii(),
            end.escape_ascii()
        ),
        None => format!("[\"{}\", end)", range.start.escape_ascii()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{entry, garbage, record};

    fn range(start: &str, end: Option<&str>) -> KeyRange {
        KeyRange {
            start: start.as_bytes().to_vec(),
            end: end.map(|e| e.as_bytes().to_vec()),
        }
    }

    fn quick() -> ShardConfig {
        ShardConfig {
            read_wait_timeout: Duration::from_millis(30),
            ..ShardConfig::default()
        }
    }

    /// A shard owning `range` with `records` applied as entries 1, 2, ...
    fn shard_with(range: KeyRange, records: Vec<Vec<u8>>) -> Arc<LocalShard> {
        let shard = LocalShard::new(range, quick());
        let entries: Vec<Entry> = records
            .into_iter()
            .enumerate()
            .map(|(i, payload)| entry(i as u64 + 1, payload))
            .collect();
        shard.apply(&entries).expect("valid entries apply");
        shard
    }

    async fn get(shard: &LocalShard, key: &str, ts: u64) -> Result<Option<String>> {
        let value = shard
            .get(GetRequest {
                key: key.as_bytes().to_vec(),
                read_ts: Timestamp(ts),
            })
            .await?;
        Ok(value.map(|v| String::from_utf8(v).expect("utf-8 test value")))
    }

    async fn scan(
        shard: &LocalShard,
        range: KeyRange,
        ts: u64,
        limit: Option<u32>,
        reverse: bool,
    ) -> Result<Vec<String>> {
        let response = shard
            .scan(ScanRequest {
                range,
                read_ts: Timestamp(ts),
                limit,
                reverse,
            })
            .await?;
        Ok(response
            .rows
            .into_iter()
            .map(|(k, v)| format!("{}={}", k.escape_ascii(), v.escape_ascii()))
            .collect())
    }

    #[tokio::test]
    async fn gets_see_each_snapshot_with_deletes_and_reinserts() {
        let shard = shard_with(
            KeyRange::all(),
            vec![
                record(10, &[("a", Some("a1")), ("c", Some("c1"))]),
                record(20, &[("a", Some("a2")), ("b", Some("b2"))]),
                record(30, &[("b", None)]),
                record(40, &[("a", Some("a4"))]),
                record(50, &[("b", Some("b5")), ("c", None)]),
            ],
        );
        assert_eq!(shard.applied_index(), LogIndex(5));
        assert_eq!(shard.applied_ts(), Timestamp(50));
        let at = |key: &'static str, ts| {
            let shard = Arc::clone(&shard);
            async move { get(&shard, key, ts).await.expect("read succeeds") }
        };
        assert_eq!(at("a", 9).await, None);
        assert_eq!(at("a", 10).await.as_deref(), Some("a1"));
        assert_eq!(at("a", 29).await.as_deref(), Some("a2"));
        assert_eq!(at("b", 20).await.as_deref(), Some("b2"));
        assert_eq!(at("b", 30).await, None, "deleted at 30");
        assert_eq!(at("b", 49).await, None);
        assert_eq!(at("b", 50).await.as_deref(), Some("b5"), "reinserted at 50");
        assert_eq!(at("c", 49).await.as_deref(), Some("c1"));
        assert_eq!(at("c", 50).await, None);
        assert_eq!(at("zzz", 50).await, None, "never written");
    }

    #[tokio::test]
    async fn scans_clip_to_the_shard_and_honour_limit_and_direction() {
        // The shard owns [b, e): a and f are other shards' keys and are not stored.
        let shard = shard_with(
            range("b", Some("e")),
            vec![
                record(
                    10,
                    &[
                        ("a", Some("1")),
                        ("b", Some("1")),
                        ("c", Some("1")),
                        ("d", Some("1")),
                        ("f", Some("1")),
                    ],
                ),
                record(20, &[("c", None), ("d", Some("2"))]),
            ],
        );
        assert_eq!(shard.size(), Ok((3, 5)));
        let all = range("a", Some("z"));
        assert_eq!(
            scan(&shard, all.clone(), 10, None, false).await,
            Ok(vec!["b=1".into(), "c=1".into(), "d=1".into()])
        );
        assert_eq!(
            scan(&shard, all.clone(), 20, None, false).await,
            Ok(vec!["b=1".into(), "d=2".into()]),
            "the tombstone hides c"
        );
        assert_eq!(
            scan(&shard, all.clone(), 20, None, true).await,
            Ok(vec!["d=2".into(), "b=1".into()])
        );
        assert_eq!(
            scan(&shard, all.clone(), 10, Some(2), true).await,
            Ok(vec!["d=1".into(), "c=1".into()])
        );
        assert_eq!(
            scan(&shard, all.clone(), 20, Some(1), false).await,
            Ok(vec!["b=1".into()])
        );
        assert_eq!(scan(&shard, all, 20, Some(0), false).await, Ok(vec![]));
        assert_eq!(
            scan(&shard, range("c", Some("d")), 10, None, false).await,
            Ok(vec!["c=1".into()])
        );
        assert_eq!(
            scan(&shard, range("c", Some("c")), 10, None, false).await,
            Ok(vec![]),
            "an empty range is empty, not an error"
        );
    }

    #[tokio::test]
    async fn requests_outside_the_shard_are_refused() {
        let shard = shard_with(range("b", Some("e")), vec![record(10, &[("b", Some("1"))])]);
        for key in ["a", "e", "f"] {
            assert!(matches!(
                get(&shard, key, 10).await,
                Err(Error::InvalidRequest(_))
            ));
        }
        assert!(matches!(
            scan(&shard, range("e", None), 10, None, false).await,
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            scan(&shard, range("", Some("b")), 10, None, false).await,
            Err(Error::InvalidRequest(_))
        ));
    }

    #[tokio::test]
    async fn long_scans_span_lock_chunks_consistently() {
        let n = CHUNK_KEYS * 2 + 10;
        let key = |i: usize| format!("k{i:06}");
        let keys: Vec<String> = (0..n).map(key).collect();
        let first: Vec<(&str, Option<&str>)> =
            keys.iter().map(|k| (k.as_str(), Some("v"))).collect();
        // Delete every other key at 20.
        let deletes: Vec<(&str, Option<&str>)> =
            keys.iter().step_by(2).map(|k| (k.as_str(), None)).collect();
        let shard = shard_with(
            KeyRange::all(),
            vec![record(10, &first), record(20, &deletes)],
        );
        let rows = scan(&shard, KeyRange::all(), 20, None, false)
            .await
            .unwrap();
        let expected: Vec<String> = (1..n).step_by(2).map(|i| format!("{}=v", key(i))).collect();
        assert_eq!(rows, expected);
        let rows = scan(&shard, KeyRange::all(), 10, Some(5000), true)
            .await
            .unwrap();
        let expected: Vec<String> = (0..n)
            .rev()
            .take(5000)
            .map(|i| format!("{}=v", key(i)))
            .collect();
        assert_eq!(rows, expected);
    }

    #[tokio::test]
    async fn reads_wait_until_the_snapshot_is_applied() {
        let shard = LocalShard::new(KeyRange::all(), ShardConfig::default());
        let reader = tokio::spawn({
            let shard = Arc::clone(&shard);
            async move { get(&shard, "k", 10).await }
        });
        // On this single-threaded runtime, yielding lets the reader run until it waits.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!reader.is_finished(), "the read must wait for ts 10");
        shard
            .apply(&[entry(1, record(10, &[("k", Some("v"))]))])
            .unwrap();
        assert_eq!(reader.await.unwrap(), Ok(Some("v".into())));
    }

    #[tokio::test]
    async fn reads_time_out_when_the_shard_is_behind() {
        let shard = shard_with(KeyRange::all(), vec![record(10, &[("k", Some("v"))])]);
        assert_eq!(get(&shard, "k", 11).await, Err(Error::ReadTimeout));
        assert_eq!(
            scan(&shard, KeyRange::all(), 11, None, false).await,
            Err(Error::ReadTimeout)
        );
        assert_eq!(get(&shard, "k", 10).await, Ok(Some("v".into())));
        assert!(Error::ReadTimeout.is_retryable());
    }

    #[tokio::test]
    async fn entries_outside_the_range_still_advance_applied_ts() {
        let shard = shard_with(
            range("m", Some("n")),
            vec![record(10, &[("a", Some("1"))]), record(20, &[("z", None)])],
        );
        assert_eq!(shard.applied_ts(), Timestamp(20));
        assert_eq!(shard.applied_index(), LogIndex(2));
        assert_eq!(shard.size(), Ok((0, 0)));
        // Would time out if applied_ts had not advanced.
        assert_eq!(get(&shard, "m", 20).await, Ok(None));
    }

    #[tokio::test]
    async fn duplicates_are_ignored_and_gaps_refused() {
        let shard = LocalShard::new(KeyRange::all(), quick());
        let e = |i: u64| entry(i, record(i * 10, &[("k", Some(&i.to_string()))]));
        shard.apply(&[e(1), e(2), e(3)]).unwrap();
        shard.apply(&[e(2), e(3), e(4), e(5)]).unwrap();
        shard.apply(&[e(1)]).unwrap();
        assert_eq!(shard.versions_of(b"k").unwrap().len(), 5, "each entry once");
        assert!(matches!(
            shard.apply(&[e(7)]),
            Err(Error::InvalidRequest(_))
        ));
        // The entries before a gap are applied.
        assert!(matches!(
            shard.apply(&[e(6), e(8)]),
            Err(Error::InvalidRequest(_))
        ));
        assert_eq!(shard.applied_index(), LogIndex(6));
        assert_eq!(get(&shard, "k", 60).await, Ok(Some("6".into())));
    }

    #[tokio::test]
    async fn bad_entries_stop_the_shard_without_skipping_them() {
        let shard = LocalShard::new(KeyRange::all(), quick());
        let result = shard.apply(&[
            entry(1, record(10, &[("k", Some("1"))])),
            entry(2, garbage()),
            entry(3, record(30, &[("k", Some("3"))])),
        ]);
        assert!(matches!(result, Err(Error::Internal(_))));
        assert_eq!(shard.applied_index(), LogIndex(1));
        // A commit that goes back in time is refused as well.
        let result = shard.apply(&[entry(2, record(5, &[("k", Some("2"))]))]);
        assert!(matches!(result, Err(Error::Internal(_))));
        assert_eq!(shard.applied_ts(), Timestamp(10));
        assert_eq!(get(&shard, "k", 30).await, Err(Error::ReadTimeout));
        // A good copy of entry 2 lets it continue.
        shard
            .apply(&[entry(2, record(20, &[("k", Some("2"))]))])
            .unwrap();
        assert_eq!(get(&shard, "k", 20).await, Ok(Some("2".into())));
    }

    #[tokio::test]
    async fn gc_keeps_what_snapshots_above_the_horizon_need() {
        let shard = shard_with(
            KeyRange::all(),
            vec![
                record(
                    10,
                    &[("a", Some("a1")), ("b", Some("b1")), ("c", Some("c1"))],
                ),
                record(20, &[("a", Some("a2")), ("b", None)]),
                record(30, &[("a", Some("a3")), ("c", None)]),
                record(40, &[("c", Some("c4"))]),
            ],
        );
        assert_eq!(shard.size(), Ok((3, 8)));
        // Horizon 25: a keeps a2 (read at 25) and a3; b is gone entirely; c keeps c1, x, c4.
        assert_eq!(shard.gc(Timestamp(25)), Ok(3));
        assert_eq!(shard.size(), Ok((2, 5)));
        assert_eq!(get(&shard, "a", 25).await, Ok(Some("a2".into())));
        assert_eq!(get(&shard, "a", 30).await, Ok(Some("a3".into())));
        assert_eq!(get(&shard, "b", 25).await, Ok(None));
        assert_eq!(get(&shard, "c", 29).await, Ok(Some("c1".into())));
        assert_eq!(get(&shard, "c", 35).await, Ok(None));
        assert_eq!(get(&shard, "c", 40).await, Ok(Some("c4".into())));
        assert_eq!(
            scan(&shard, KeyRange::all(), 25, None, false).await,
            Ok(vec!["a=a2".into(), "c=c1".into()])
        );
        // Reads below the horizon would miss versions: they are refused.
        assert_eq!(shard.gc_watermark(), Timestamp(25));
        let too_old = Error::TransactionTooOld {
            limit_secs: shard.config().gc_horizon.as_secs(),
        };
        assert_eq!(get(&shard, "a", 24).await, Err(too_old.clone()));
        assert_eq!(
            scan(&shard, KeyRange::all(), 15, None, false).await,
            Err(too_old)
        );
        // A later GC with an older horizon does not lower the watermark.
        shard.gc(Timestamp(5)).unwrap();
        assert_eq!(shard.gc_watermark(), Timestamp(25));
    }
}
