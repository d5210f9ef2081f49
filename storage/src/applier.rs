//! The applier: the task that makes a shard follow the journal.
//!
//! It long-polls one journal replica at a time for committed entries after the shard's applied
//! index and hands them to [`LocalShard::apply`]:
//!
//! ```text
//!            read(from = applied+1, committed_only, wait 200 ms)
//!   applier ─────────────────────────────────────────────> replica[i]
//!      │  <── entries ─────────────────────────────────────────┘
//!      ├─ apply(entries) ok, entries came ─> read again from replica[i]
//!      ├─ no entries (idle, or replica[i] lags) ─> read from replica[i+1]
//!      └─ error (replica down, gap, bad entry) ─> sleep 10 ms..500 ms, read from replica[i+1]
//! ```
//!
//! Moving on after an empty answer means a replica that is reachable but cut off from the writer
//! (so never learns of new commits) cannot hold the shard back for more than one poll. Moving on
//! after an entry that does not decode means a copy damaged on one replica is fetched from
//! another; if every replica has the same bad entry the shard stays put (logging it once) rather
//! than skip a commit, and reads then time out.
//!
//! The task holds only a weak reference to the shard and ends soon after the shard is dropped.
//! Every few seconds of applied time it garbage-collects with a horizon of
//! [`ShardConfig::gc_horizon`](crate::ShardConfig::gc_horizon) behind `applied_ts`.

use crate::LocalShard;
use proto::journal::{ReadRequest, Replica};
use proto::{Error, LogIndex, Timestamp};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The most entries asked for per read.
const MAX_ENTRIES: u32 = 1024;
/// How long a replica may hold a read open waiting for new entries.
const WAIT_MILLIS: u32 = 200;
/// The first pause after a failed read; it doubles per failure up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(10);
/// The longest pause between failed reads.
const MAX_BACKOFF: Duration = Duration::from_millis(500);
/// Garbage-collect whenever `applied_ts` has advanced this much since the last collection.
const GC_EVERY_MICROS: u64 = 5_000_000;

impl LocalShard {
    /// Starts the applier task: the shard follows the journal through `replicas` (any of them
    /// will do; one being down does not stop the shard). The task runs until the shard is
    /// dropped; abort the handle to stop it sooner. Call it once per shard.
    pub fn follow(
        self: &Arc<Self>,
        replicas: Vec<Arc<dyn Replica>>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(run(Arc::downgrade(self), replicas))
    }
}

/// The applier loop (see the module docs).
async fn run(shard: Weak<LocalShard>, replicas: Vec<Arc<dyn Replica>>) {
    if replicas.is_empty() {
        tracing::error!("storage shard given no journal replicas to follow");
        return;
    }
    let mut current = 0;
    let mut backoff = MIN_BACKOFF;
    let mut last_gc = Timestamp::ZERO;
    let mut reported_stuck_at: Option<LogIndex> = None;
    // Which replicas failed their last read, to log a replica going down or up once.
    let mut down = vec![false; replicas.len()];
    loop {
        let Some(from) = shard.upgrade().map(|s| s.applied_index().next()) else {
            return;
        };
        let request = ReadRequest {
            from,
            max_entries: MAX_ENTRIES,
            committed_only: true,
            wait_millis: WAIT_MILLIS,
        };
        let response = replicas[current].read(request).await;
        let Some(shard) = shard.upgrade() else {
            return;
        };
        let entries = match response {
            Ok(response) => {
                if down[current] {
                    down[current] = false;
                    tracing::info!(replica = current, "journal replica answers again");
                }
                response.entries
            }
            Err(err) => {
                if down[current] {
                    tracing::debug!(replica = current, %err, "journal replica still failing");
                } else {
                    down[current] = true;
                    tracing::warn!(replica = current, %err, "journal read failed; trying the next replica");
                }
                drop(shard);
                pause(&mut backoff).await;
                current = (current + 1) % replicas.len();
                continue;
            }
        };
        if entries.is_empty() {
            // Idle, or this replica lags behind the writer: ask the next one.
            current = (current + 1) % replicas.len();
            continue;
        }
        match shard.apply(&entries) {
            Ok(()) => {
                backoff = MIN_BACKOFF;
                reported_stuck_at = None;
                let applied_ts = shard.applied_ts();
                if applied_ts.micros_since(last_gc) >= GC_EVERY_MICROS {
                    last_gc = applied_ts;
                    collect_garbage(&shard, applied_ts).await;
                }
            }
            Err(err) => {
                let stuck_at = shard.applied_index().next();
                match &err {
                    Error::InvalidRequest(_) => tracing::warn!(
                        replica = current,
                        %err,
                        "journal replica sent entries out of order; trying the next replica"
                    ),
                    _ if reported_stuck_at != Some(stuck_at) => {
                        reported_stuck_at = Some(stuck_at);
                        tracing::error!(
                            replica = current,
                            index = %stuck_at,
                            %err,
                            "storage shard cannot apply journal entry; trying other replicas"
                        );
                    }
                    _ => tracing::debug!(replica = current, %err, "storage shard still stuck"),
                }
                drop(shard);
                pause(&mut backoff).await;
                current = (current + 1) % replicas.len();
            }
        }
    }
}

/// Sleeps for `backoff` and doubles it, up to [`MAX_BACKOFF`].
async fn pause(backoff: &mut Duration) {
    tokio::time::sleep(*backoff).await;
    *backoff = (*backoff * 2).min(MAX_BACKOFF);
}

/// Collects versions older than the configured horizon behind `applied_ts`, off the async
/// workers (it walks every key).
async fn collect_garbage(shard: &Arc<LocalShard>, applied_ts: Timestamp) {
    let horizon_micros = u64::try_from(shard.config().gc_horizon.as_micros()).unwrap_or(u64::MAX);
    let horizon = Timestamp(applied_ts.0.saturating_sub(horizon_micros));
    if horizon == Timestamp::ZERO {
        return;
    }
    let shard = Arc::clone(shard);
    match tokio::task::spawn_blocking(move || shard.gc(horizon)).await {
        Ok(Ok(dropped)) => tracing::debug!(%horizon, dropped, "storage shard collected garbage"),
        Ok(Err(err)) => tracing::error!(%err, "storage shard garbage collection failed"),
        Err(err) => tracing::error!(%err, "storage shard garbage collection task failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ShardConfig;
    use crate::testutil::{MemReplica, eventually, garbage, record};
    use proto::KeyRange;
    use proto::storage::{GetRequest, Shard};

    const WAIT: Duration = Duration::from_secs(5);

    fn shard() -> Arc<LocalShard> {
        LocalShard::new(
            KeyRange::all(),
            ShardConfig {
                read_wait_timeout: Duration::from_millis(30),
                ..ShardConfig::default()
            },
        )
    }

    fn replicas(list: &[&Arc<MemReplica>]) -> Vec<Arc<dyn Replica>> {
        list.iter()
            .map(|r| Arc::clone(r) as Arc<dyn Replica>)
            .collect()
    }

    /// Commit `i` (at ts `i * 10`) writes k = i.
    fn commit(i: u64) -> Vec<u8> {
        record(i * 10, &[("k", Some(&i.to_string()))])
    }

    async fn get(shard: &LocalShard, key: &str, ts: u64) -> proto::Result<Option<Vec<u8>>> {
        shard
            .get(GetRequest {
                key: key.as_bytes().to_vec(),
                read_ts: Timestamp(ts),
            })
            .await
    }

    #[tokio::test]
    async fn follows_the_journal_in_order() {
        let replica = MemReplica::new();
        replica.push((1..=3).map(commit).collect()).await;
        let shard = shard();
        let applier = shard.follow(replicas(&[&replica]));
        shard.wait_applied(Timestamp(30), WAIT).await.unwrap();
        assert_eq!(get(&shard, "k", 20).await, Ok(Some(b"2".to_vec())));
        // New commits arrive while the applier waits on the replica.
        replica.push((4..=5).map(commit).collect()).await;
        shard.wait_applied(Timestamp(50), WAIT).await.unwrap();
        assert_eq!(shard.applied_index(), LogIndex(5));
        assert_eq!(get(&shard, "k", 50).await, Ok(Some(b"5".to_vec())));
        applier.abort();
    }

    #[tokio::test]
    async fn fails_over_between_replicas_and_applies_each_entry_once() {
        let (a, b) = (MemReplica::new(), MemReplica::new());
        for r in [&a, &b] {
            r.push((1..=3).map(commit).collect()).await;
        }
        a.set_failing(true);
        let shard = shard();
        let applier = shard.follow(replicas(&[&a, &b]));
        shard.wait_applied(Timestamp(30), WAIT).await.unwrap();
        assert!(a.reads() >= 1, "the first replica was tried");
        // Now the other one goes down.
        a.set_failing(false);
        b.set_failing(true);
        for r in [&a, &b] {
            r.push((4..=6).map(commit).collect()).await;
        }
        shard.wait_applied(Timestamp(60), WAIT).await.unwrap();
        assert_eq!(get(&shard, "k", 60).await, Ok(Some(b"6".to_vec())));
        // Both replicas served the same entries; each was applied once.
        b.set_failing(false);
        let reads = a.reads() + b.reads();
        eventually("the applier polled again", || {
            a.reads() + b.reads() >= reads + 2
        })
        .await;
        let stamps: Vec<u64> = shard
            .versions_of(b"k")
            .unwrap()
            .iter()
            .map(|v| v.ts.0)
            .collect();
        assert_eq!(stamps, vec![10, 20, 30, 40, 50, 60]);
        applier.abort();
    }

    #[tokio::test]
    async fn an_undecodable_entry_stops_the_shard_without_a_panic() {
        let replica = MemReplica::new();
        replica.push(vec![commit(1), garbage(), commit(3)]).await;
        let shard = shard();
        let applier = shard.follow(replicas(&[&replica]));
        shard.wait_applied(Timestamp(10), WAIT).await.unwrap();
        let reads = replica.reads();
        eventually("the applier retried", || replica.reads() >= reads + 3).await;
        assert_eq!(
            shard.applied_index(),
            LogIndex(1),
            "entry 2 is never skipped"
        );
        assert!(
            !applier.is_finished(),
            "the applier neither panics nor quits"
        );
        assert_eq!(get(&shard, "k", 30).await, Err(proto::Error::ReadTimeout));
        assert_eq!(get(&shard, "k", 10).await, Ok(Some(b"1".to_vec())));
        applier.abort();
    }

    #[tokio::test]
    async fn a_damaged_copy_is_fetched_from_another_replica() {
        let (bad, good) = (MemReplica::new(), MemReplica::new());
        bad.push(vec![commit(1), garbage(), commit(3)]).await;
        good.push((1..=3).map(commit).collect()).await;
        let shard = shard();
        let applier = shard.follow(replicas(&[&bad, &good]));
        shard.wait_applied(Timestamp(30), WAIT).await.unwrap();
        assert_eq!(get(&shard, "k", 20).await, Ok(Some(b"2".to_vec())));
        applier.abort();
    }

    #[tokio::test]
    async fn collects_garbage_behind_the_horizon() {
        const SEC: u64 = 1_000_000;
        let replica = MemReplica::new();
        replica
            .push(vec![
                record(SEC, &[("k", Some("1"))]),
                record(2 * SEC, &[("k", Some("2"))]),
                record(30 * SEC, &[("x", Some("x"))]),
            ])
            .await;
        let shard = LocalShard::new(
            KeyRange::all(),
            ShardConfig {
                read_wait_timeout: Duration::from_millis(30),
                gc_horizon: Duration::from_secs(10),
            },
        );
        let applier = shard.follow(replicas(&[&replica]));
        shard.wait_applied(Timestamp(30 * SEC), WAIT).await.unwrap();
        eventually("k's old version is collected", || {
            shard.versions_of(b"k").map(|v| v.len()) == Ok(1)
        })
        .await;
        assert_eq!(shard.gc_watermark(), Timestamp(20 * SEC));
        assert_eq!(get(&shard, "k", 20 * SEC).await, Ok(Some(b"2".to_vec())));
        assert!(matches!(
            get(&shard, "k", 19 * SEC).await,
            Err(proto::Error::TransactionTooOld { .. })
        ));
        applier.abort();
    }

    #[tokio::test]
    async fn the_applier_ends_when_the_shard_is_dropped() {
        let replica = MemReplica::new();
        let shard = shard();
        let applier = shard.follow(replicas(&[&replica]));
        drop(shard);
        tokio::time::timeout(WAIT, applier)
            .await
            .expect("the applier ends within one poll")
            .expect("the applier does not panic");
    }
}
