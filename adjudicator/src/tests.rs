//! Scenario tests: a [`LocalAdjudicator`] over three in-memory replicas.

use crate::fixture::MemReplica;
use crate::{Config, LocalAdjudicator};
use proto::adjudicator::{Adjudicator, CommitRequest};
use proto::journal::{Entry, Replica};
use proto::{CommitRecord, Epoch, Error, LogIndex, Timestamp, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn config() -> Config {
    Config {
        max_txn_age: Duration::from_secs(300),
        commit_timeout: Duration::from_secs(2),
        max_tail_entries: 1000,
        max_append_batch: 10_000,
        heartbeat_interval: Duration::from_millis(10),
    }
}

fn replicas() -> Vec<Arc<MemReplica>> {
    (0..3).map(|_| MemReplica::new()).collect()
}

fn dyns(replicas: &[Arc<MemReplica>]) -> Vec<Arc<dyn Replica>> {
    replicas
        .iter()
        .map(|r| r.clone() as Arc<dyn Replica>)
        .collect()
}

async fn start(replicas: &[Arc<MemReplica>], config: Config) -> Arc<LocalAdjudicator> {
    LocalAdjudicator::recover(dyns(replicas), config)
        .await
        .expect("recovery")
}

/// A commit of `writes` (values = key) at `read_ts`.
fn put(read_ts: Timestamp, writes: &[&str]) -> CommitRequest {
    CommitRequest {
        read_ts,
        writes: writes
            .iter()
            .map(|k| Write {
                key: k.as_bytes().to_vec(),
                value: Some(k.as_bytes().to_vec()),
            })
            .collect(),
        locked: Vec::new(),
        unchanged: Vec::new(),
    }
}

/// Polls `condition` every few milliseconds for up to five seconds.
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until every replica holds the adjudicator's whole log (an acknowledged commit is
/// only known to be on a majority).
async fn converged(adj: &LocalAdjudicator, rs: &[Arc<MemReplica>]) {
    let last = adj.status().last_index;
    eventually("every replica holds the whole log", || {
        rs.iter().all(|r| r.entries().len() as u64 == last.0)
    })
    .await;
}

/// The commit records in a replica's log, barrier entries (no writes) left out.
fn records(replica: &MemReplica) -> Vec<CommitRecord> {
    replica
        .entries()
        .iter()
        .map(|e| CommitRecord::decode(&e.payload).expect("decodes"))
        .filter(|r| !r.writes.is_empty())
        .collect()
}

fn written_keys(replica: &MemReplica) -> Vec<String> {
    records(replica)
        .iter()
        .flat_map(|r| {
            r.writes
                .iter()
                .map(|w| String::from_utf8_lossy(&w.key).into_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_committer_wins() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    let snapshot = adj.read_ts().await.unwrap();
    let t1 = adj.commit(put(snapshot, &["k"])).await.unwrap();
    assert_eq!(
        adj.commit(put(snapshot, &["k"])).await,
        Err(Error::Conflict)
    );
    // The loser retries with a snapshot that sees the winner, and commits.
    let retry = adj.read_ts().await.unwrap();
    assert!(retry >= t1.commit_ts);
    let t2 = adj.commit(put(retry, &["k"])).await.unwrap();
    assert!(t2.commit_ts > t1.commit_ts);
    // The refused attempt never reached the journal.
    converged(&adj, &rs).await;
    assert_eq!(written_keys(&rs[0]), vec!["k", "k"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disjoint_keys_both_commit() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    let snapshot = adj.read_ts().await.unwrap();
    adj.commit(put(snapshot, &["a", "b"])).await.unwrap();
    adj.commit(put(snapshot, &["c"])).await.unwrap();
    converged(&adj, &rs).await;
    assert_eq!(written_keys(&rs[1]), vec!["a", "b", "c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_keys_conflict_like_writes() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    let snapshot = adj.read_ts().await.unwrap();
    // T1 writes `a` and locks `row`.
    let mut t1 = put(snapshot, &["a"]);
    t1.locked = vec![b"row".to_vec()];
    adj.commit(t1).await.unwrap();
    // T2 locked `a` (SELECT ... FOR UPDATE) under the old snapshot: conflict.
    let mut t2 = put(snapshot, &["b"]);
    t2.locked = vec![b"a".to_vec()];
    assert_eq!(adj.commit(t2).await, Err(Error::Conflict));
    // T3 writes the row T1 locked under the old snapshot: conflict too.
    assert_eq!(
        adj.commit(put(snapshot, &["row"])).await,
        Err(Error::Conflict)
    );
    // Locked keys are not written to the journal.
    converged(&adj, &rs).await;
    assert_eq!(written_keys(&rs[0]), vec!["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_unchanged_key_is_schema_changed() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    let snapshot = adj.read_ts().await.unwrap();
    // A DDL transaction bumps the catalog version.
    adj.commit(put(snapshot, &["catalog"])).await.unwrap();
    let mut dml = put(snapshot, &["row"]);
    dml.unchanged = vec![b"catalog".to_vec()];
    assert_eq!(adj.commit(dml.clone()).await, Err(Error::SchemaChanged));
    // With a fresh snapshot the same DML commits.
    let fresh = adj.read_ts().await.unwrap();
    dml.read_ts = fresh;
    let dml_ts = adj.commit(dml).await.unwrap().commit_ts;
    assert!(dml_ts > fresh);
    // The catalog key was only checked, not recorded: a DDL whose snapshot predates the DML
    // commit still changes it without a conflict.
    adj.commit(put(fresh, &["catalog"])).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamps_increase_and_read_ts_covers_acknowledged_commits() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    let mut last = adj.read_ts().await.unwrap();
    for i in 0..20 {
        let key = format!("k{i}");
        let ts = adj.commit(put(last, &[&key])).await.unwrap().commit_ts;
        assert!(ts > last, "commit timestamps strictly increase");
        let read_ts = adj.read_ts().await.unwrap();
        assert!(read_ts >= ts, "a snapshot after the ack sees the commit");
        last = ts;
    }
    // The journal holds the commits in timestamp order, with their writes, and every replica
    // learns that they are committed.
    converged(&adj, &rs).await;
    let logged = records(&rs[0]);
    assert_eq!(logged.len(), 20);
    assert!(logged.windows(2).all(|w| w[0].commit_ts < w[1].commit_ts));
    assert_eq!(logged[19].commit_ts, last);
    assert_eq!(logged[3].writes[0].value.as_deref(), Some(&b"k3"[..]));
    let durable = adj.durable_index();
    eventually("every replica knows the commit index", || {
        rs.iter().all(|r| r.commit_index() == durable)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_share_appends() {
    let rs = replicas();
    for r in &rs {
        r.set_delay(Duration::from_millis(2));
    }
    let adj = start(&rs, config()).await;
    let snapshot = adj.read_ts().await.unwrap();
    let before: usize = rs[0].batches.load(Ordering::SeqCst);
    // 16 clients commit 25 times each, back to back: while a replica fsyncs one batch the
    // other clients' next commits queue up behind it.
    let (clients, rounds) = (16, 25);
    let commits = clients * rounds;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let adj = adj.clone();
            tokio::spawn(async move {
                let mut stamps = Vec::new();
                for r in 0..rounds {
                    let key = format!("c{c:02}r{r:02}");
                    stamps.push(adj.commit(put(snapshot, &[&key])).await?.commit_ts);
                }
                proto::Result::Ok(stamps)
            })
        })
        .collect();
    let mut stamps = Vec::new();
    for task in tasks {
        stamps.extend(task.await.unwrap().unwrap());
    }
    stamps.sort();
    stamps.dedup();
    assert_eq!(stamps.len(), commits, "every commit has its own timestamp");
    let batches = rs[0].batches.load(Ordering::SeqCst) - before;
    assert!(
        batches * 5 < commits,
        "{commits} commits took {batches} appends: group commit did not group"
    );
    converged(&adj, &rs).await;
    assert_eq!(records(&rs[0]).len(), commits);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_replica_down_commits_continue() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    rs[2].set_down(true);
    let mut snapshot = adj.read_ts().await.unwrap();
    for i in 0..10 {
        snapshot = adj
            .commit(put(snapshot, &[&format!("k{i}")]))
            .await
            .unwrap()
            .commit_ts;
    }
    assert_eq!(records(&rs[0]).len(), 10);
    assert_eq!(records(&rs[1]).len(), 10);
    assert!(records(&rs[2]).len() < 10);
    eventually("the down replica is marked unhealthy", || {
        !adj.status().replicas[2].healthy
    })
    .await;
    assert!(adj.is_healthy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_down_refuses_fast_and_records_nothing() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    let snapshot = adj.read_ts().await.unwrap();
    let log_before = rs[0].entries();
    rs[1].set_down(true);
    rs[2].set_down(true);
    eventually("heartbeats find both replicas down", || !adj.is_healthy()).await;

    let started = Instant::now();
    let refused = adj.commit(put(snapshot, &["k"])).await;
    assert!(matches!(refused, Err(Error::Unavailable(_))), "{refused:?}");
    assert!(refused.unwrap_err().is_retryable());
    assert!(
        started.elapsed() < config().commit_timeout / 2,
        "refused fast"
    );
    assert_eq!(rs[0].entries(), log_before, "nothing reached the journal");

    // After one replica returns, the same transaction commits: the refused attempt left no
    // conflict record behind.
    rs[1].set_down(false);
    eventually("the returning replica is found", || adj.is_healthy()).await;
    adj.commit(put(snapshot, &["k"])).await.unwrap();
    assert_eq!(written_keys(&rs[0]), vec!["k"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_without_quorum_answers_outcome_unknown_in_time() {
    let rs = replicas();
    let config = Config {
        commit_timeout: Duration::from_millis(300),
        heartbeat_interval: Duration::from_secs(60),
        ..config()
    };
    let adj = start(&rs, config.clone()).await;
    let snapshot = adj.read_ts().await.unwrap();
    rs[1].set_down(true);
    rs[2].set_down(true);
    let started = Instant::now();
    let answer = adj.commit(put(snapshot, &["k"])).await;
    assert!(
        matches!(answer, Err(Error::OutcomeUnknown(_))),
        "{answer:?}"
    );
    // The record may still reach a quorum: a client must not retry it blindly.
    assert!(!answer.unwrap_err().is_retryable());
    assert!(started.elapsed() < config.commit_timeout + Duration::from_millis(500));
    // Later commits are refused at once, as the shippers now know.
    eventually("the adjudicator knows it has no quorum", || {
        !adj.is_healthy()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_replica_catches_up() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    rs[2].set_down(true);
    let mut snapshot = adj.read_ts().await.unwrap();
    for i in 0..25 {
        snapshot = adj
            .commit(put(snapshot, &[&format!("k{i}")]))
            .await
            .unwrap()
            .commit_ts;
    }
    rs[2].set_down(false);
    eventually("the returning replica has the whole log", || {
        rs[2].entries() == rs[0].entries()
    })
    .await;
    // It now counts toward the quorum: commits continue with another replica down.
    rs[0].set_down(true);
    adj.commit(put(snapshot, &["after"])).await.unwrap();
    assert_eq!(records(&rs[2]).len(), 26);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_replica_is_repaired_from_a_peer_after_the_tail_was_trimmed() {
    let rs = replicas();
    let config = Config {
        max_tail_entries: 5,
        max_append_batch: 4,
        ..config()
    };
    let adj = start(&rs, config).await;
    rs[2].set_down(true);
    let mut snapshot = adj.read_ts().await.unwrap();
    for i in 0..40 {
        snapshot = adj
            .commit(put(snapshot, &[&format!("k{i}")]))
            .await
            .unwrap()
            .commit_ts;
    }
    assert!(adj.status().buffered <= 5, "the tail is bounded");
    let peer_reads = || rs[0].reads.load(Ordering::SeqCst) + rs[1].reads.load(Ordering::SeqCst);
    let reads_before = peer_reads();
    rs[2].set_down(false);
    eventually("the returning replica has the whole log", || {
        rs[2].entries() == rs[0].entries()
    })
    .await;
    assert!(
        peer_reads() > reads_before,
        "missing entries came from a peer"
    );
    rs[1].set_down(true);
    adj.commit(put(snapshot, &["after"])).await.unwrap();
    assert_eq!(records(&rs[2]).len(), 41);
}

/// A journal entry holding a commit of `key` at `ts`.
fn entry(index: u64, epoch: u64, ts: Timestamp, key: &str) -> Entry {
    let record = CommitRecord {
        commit_ts: ts,
        writes: vec![Write {
            key: key.as_bytes().to_vec(),
            value: None,
        }],
    };
    Entry {
        index: LogIndex(index),
        epoch: Epoch(epoch),
        payload: record.encode(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_adopts_the_longest_log_and_refuses_older_snapshots() {
    let base = Timestamp(Timestamp::now().0 - 1_000_000);
    let ts = |i: u64| Timestamp(base.0 + i * 1000);
    let log: Vec<Entry> = (1..=5)
        .map(|i| entry(i, 1, ts(i), &format!("k{i}")))
        .collect();
    let rs = vec![
        MemReplica::with_log(1, log.clone()),
        MemReplica::with_log(1, log[..3].to_vec()),
        MemReplica::with_log(0, log[..2].to_vec()),
    ];
    let adj = start(&rs, config()).await;
    assert_eq!(
        adj.epoch(),
        Epoch(2),
        "epoch 1 was taken: the next one is used"
    );
    // Entries 1-5 plus the new epoch's barrier entry are durable.
    assert_eq!(adj.durable_index(), LogIndex(6));
    let read_ts = adj.read_ts().await.unwrap();
    assert!(read_ts > ts(5));
    eventually("every replica holds the adopted log", || {
        rs.iter().all(|r| r.entries() == rs[0].entries())
    })
    .await;
    assert_eq!(written_keys(&rs[2]), vec!["k1", "k2", "k3", "k4", "k5"]);

    // A snapshot from before the restart cannot be checked against the lost conflict state.
    assert_eq!(adj.commit(put(ts(4), &["x"])).await, Err(Error::Conflict));
    // The last recovered commit's snapshot and later ones can.
    let t = adj.commit(put(ts(5), &["x"])).await.unwrap();
    assert!(
        t.commit_ts > read_ts,
        "timestamps keep increasing across the restart"
    );
    adj.commit(put(adj.read_ts().await.unwrap(), &["k1"]))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_prefers_the_newer_epoch_and_overwrites_a_stale_suffix() {
    let base = Timestamp(Timestamp::now().0 - 1_000_000);
    let ts = |i: u64| Timestamp(base.0 + i * 1000);
    // Replica B got entries 3-4 from a writer of epoch 1 that was deposed before they were
    // durable; the writer of epoch 2 wrote a different entry 3 to A and C.
    let common = vec![entry(1, 1, ts(1), "a"), entry(2, 1, ts(2), "b")];
    let newer = [common.clone(), vec![entry(3, 2, ts(3), "new")]].concat();
    let stale = [
        common.clone(),
        vec![entry(3, 1, ts(3), "stale"), entry(4, 1, ts(4), "stale2")],
    ]
    .concat();
    let rs = vec![
        MemReplica::with_log(2, newer.clone()),
        MemReplica::with_log(2, stale),
        MemReplica::with_log(2, newer),
    ];
    // Only A and B are reachable: B's log is longer, but A's is newer.
    rs[2].set_down(true);
    let adj = start(&rs, config()).await;
    assert_eq!(adj.epoch(), Epoch(3));
    eventually("the stale suffix is replaced", || {
        rs[1].entries() == rs[0].entries()
    })
    .await;
    assert_eq!(written_keys(&rs[1]), vec!["a", "b", "new"]);
    rs[2].set_down(false);
    eventually("the third replica catches up", || {
        rs[2].entries() == rs[0].entries()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_needs_a_majority() {
    let rs = replicas();
    rs[1].set_down(true);
    rs[2].set_down(true);
    let refused = LocalAdjudicator::recover(dyns(&rs), config()).await;
    assert!(matches!(refused, Err(Error::Unavailable(_))));
    rs[1].set_down(false);
    start(&rs, config()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_adjudicator_fences_the_old_one() {
    let rs = replicas();
    let old = start(&rs, config()).await;
    let snapshot = old.read_ts().await.unwrap();
    let before = old.commit(put(snapshot, &["a"])).await.unwrap();

    let new = start(&rs, config()).await;
    assert!(new.epoch() > old.epoch());
    // The old adjudicator can no longer make anything durable.
    let refused = old
        .commit(put(old.read_ts().await.unwrap_or(snapshot), &["b"]))
        .await;
    // Refused before anything was recorded, or recorded only in the deposed adjudicator's
    // tail: never reported as committed.
    assert!(
        matches!(
            refused,
            Err(Error::Unavailable(_)) | Err(Error::OutcomeUnknown(_))
        ),
        "{refused:?}"
    );
    eventually("the old adjudicator knows it was deposed", || {
        old.status().deposed
    })
    .await;
    assert!(old.read_ts().await.is_err());

    // The new one continues the order and the old commit is kept.
    let read_ts = new.read_ts().await.unwrap();
    assert!(read_ts > before.commit_ts);
    let after = new.commit(put(read_ts, &["b"])).await.unwrap();
    assert!(after.commit_ts > before.commit_ts);
    converged(&new, &rs).await;
    assert_eq!(written_keys(&rs[0]), vec!["a", "b"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_old_snapshot_is_refused() {
    let rs = replicas();
    let config = Config {
        max_txn_age: Duration::from_secs(5),
        ..config()
    };
    let adj = start(&rs, config).await;
    let old = Timestamp(Timestamp::now().0 - 6_000_000);
    assert_eq!(
        adj.commit(put(old, &["k"])).await,
        Err(Error::TransactionTooOld { limit_secs: 5 })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused() {
    let rs = replicas();
    let adj = start(&rs, config()).await;
    let snapshot = adj.read_ts().await.unwrap();
    for bad in [
        put(snapshot, &[]),
        put(snapshot, &["b", "a"]),
        put(snapshot, &["a", "a"]),
    ] {
        let answer = adj.commit(bad).await;
        assert!(
            matches!(answer, Err(Error::InvalidRequest(_))),
            "{answer:?}"
        );
    }
    assert!(records(&rs[0]).is_empty());
}
