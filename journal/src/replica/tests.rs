//! Behaviour of a [`LocalReplica`] as its writer and readers see it.

use super::*;
use proto::Epoch;
use proto::journal::Entry;
use std::io::Write as _;
use std::time::Duration;

fn entry(index: u64, epoch: u64) -> Entry {
    Entry {
        index: LogIndex(index),
        epoch: Epoch(epoch),
        payload: format!("entry {index} of epoch {epoch}").into_bytes(),
    }
}

fn entries(indexes: std::ops::RangeInclusive<u64>, epoch: u64) -> Vec<Entry> {
    indexes.map(|i| entry(i, epoch)).collect()
}

fn append(epoch: u64, prev: (u64, u64), entries: Vec<Entry>, commit: u64) -> AppendRequest {
    AppendRequest {
        epoch: Epoch(epoch),
        prev_index: LogIndex(prev.0),
        prev_epoch: Epoch(prev.1),
        entries,
        commit_index: LogIndex(commit),
    }
}

fn read_from(from: u64) -> ReadRequest {
    ReadRequest {
        from: LogIndex(from),
        max_entries: u32::MAX,
        committed_only: false,
        wait_millis: 0,
    }
}

fn committed_from(from: u64) -> ReadRequest {
    ReadRequest {
        committed_only: true,
        ..read_from(from)
    }
}

fn appended(last: u64) -> Result<AppendResponse> {
    Ok(AppendResponse::Appended {
        last_index: LogIndex(last),
    })
}

fn mismatch(last: u64) -> Result<AppendResponse> {
    Ok(AppendResponse::Mismatch {
        last_index: LogIndex(last),
    })
}

/// The whole log as `(index, epoch)` pairs.
async fn shape(replica: &LocalReplica) -> Vec<(u64, u64)> {
    let read = replica.read(read_from(1)).await.expect("read");
    read.entries
        .iter()
        .map(|e| (e.index.0, e.epoch.0))
        .collect()
}

/// Opens a replica in a fresh folder, sealed at epoch 1.
async fn fresh() -> (tempfile::TempDir, Arc<LocalReplica>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let replica = LocalReplica::open(dir.path()).expect("open");
    replica
        .seal(SealRequest { epoch: Epoch(1) })
        .await
        .expect("seal");
    (dir, replica)
}

fn is_unavailable<T: std::fmt::Debug>(result: &Result<T>) -> bool {
    matches!(result, Err(Error::Unavailable(msg)) if msg.contains("is down"))
}

#[tokio::test]
async fn append_then_read_round_trip() {
    let (_dir, replica) = fresh().await;
    assert_eq!(
        replica
            .append(append(1, (0, 0), entries(1..=3, 1), 0))
            .await,
        appended(3)
    );
    let read = replica.read(read_from(1)).await.expect("read");
    assert_eq!(read.entries, entries(1..=3, 1));
    assert_eq!(read.last_index, LogIndex(3));

    let one = ReadRequest {
        max_entries: 1,
        ..read_from(2)
    };
    assert_eq!(
        replica.read(one).await.expect("read").entries,
        vec![entry(2, 1)]
    );
    // Past the end: nothing, but the replica says where its log ends.
    let past = replica.read(read_from(9)).await.expect("read");
    assert!(past.entries.is_empty());
    assert_eq!(past.last_index, LogIndex(3));
}

#[tokio::test]
async fn entries_and_seal_survive_stop_restart_and_reopen() {
    let (dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=5, 1), 5))
        .await
        .expect("append");
    replica
        .seal(SealRequest { epoch: Epoch(2) })
        .await
        .expect("seal");

    replica.stop();
    replica.restart().expect("restart");
    assert!(replica.is_running());
    let read = replica.read(read_from(1)).await.expect("read");
    assert_eq!(read.entries, entries(1..=5, 1));
    // The commit index is not persisted: the writer tells it again.
    assert_eq!(read.commit_index, LogIndex(0));
    assert_eq!(
        replica.seal(SealRequest { epoch: Epoch(2) }).await,
        Err(Error::Fenced { sealed: 2 })
    );

    drop(replica);
    let reopened = LocalReplica::open(dir.path()).expect("reopen");
    assert_eq!(
        reopened.read(read_from(1)).await.expect("read").entries,
        entries(1..=5, 1)
    );
    assert_eq!(
        reopened
            .append(append(1, (5, 1), vec![entry(6, 1)], 0))
            .await,
        Err(Error::Fenced { sealed: 2 })
    );
}

#[tokio::test]
async fn a_torn_tail_is_cut_off_and_the_intact_prefix_survives() {
    let (dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=3, 1), 0))
        .await
        .expect("append");
    drop(replica);

    // A crash in the middle of writing entry 4, then some garbage.
    let mut half = Vec::new();
    record::encode(&entry(4, 1), &mut half).expect("encode");
    half.truncate(half.len() / 2);
    let path = dir.path().join(LOG_FILE);
    let mut file = OpenOptions::new().append(true).open(&path).expect("open");
    file.write_all(&half).expect("write");
    file.write_all(&[0xab; 3]).expect("write");
    drop(file);

    let replica = LocalReplica::open(dir.path()).expect("reopen");
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1), (3, 1)]);
    // The log continues cleanly where the intact prefix ended, also after another reopen.
    assert_eq!(
        replica
            .append(append(1, (3, 1), vec![entry(4, 1)], 0))
            .await,
        appended(4)
    );
    drop(replica);
    let replica = LocalReplica::open(dir.path()).expect("reopen");
    assert_eq!(
        replica.read(read_from(1)).await.expect("read").entries,
        entries(1..=4, 1)
    );
}

#[tokio::test]
async fn a_bad_checksum_in_the_middle_cuts_the_log_there() {
    let (dir, replica) = fresh().await;
    for i in 1..=5 {
        replica
            .append(append(1, (i - 1, 1), vec![entry(i, 1)], 0))
            .await
            .expect("append");
    }
    drop(replica);

    let mut prefix = Vec::new();
    for e in entries(1..=2, 1) {
        record::encode(&e, &mut prefix).expect("encode");
    }
    let path = dir.path().join(LOG_FILE);
    let mut bytes = std::fs::read(&path).expect("read");
    let in_entry_3 =
        record::FILE_HEADER_LEN as usize + prefix.len() + record::HEADER_LEN as usize + 2;
    bytes[in_entry_3] ^= 0x20;
    std::fs::write(&path, &bytes).expect("write");

    let replica = LocalReplica::open(dir.path()).expect("reopen");
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1)]);
    assert_eq!(
        std::fs::metadata(&path).expect("stat").len(),
        record::FILE_HEADER_LEN + prefix.len() as u64
    );
    // The writer notices the gap and resends.
    assert_eq!(
        replica
            .append(append(1, (5, 1), vec![entry(6, 1)], 0))
            .await,
        mismatch(2)
    );
    assert_eq!(
        replica
            .append(append(1, (2, 1), entries(3..=6, 1), 0))
            .await,
        appended(6)
    );
}

#[tokio::test]
async fn damaged_metadata_fails_open_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("meta"), b"not twelve bytes").expect("write");
    assert!(matches!(
        LocalReplica::open(dir.path()),
        Err(Error::Internal(_))
    ));
}

#[tokio::test]
async fn a_gap_before_the_entries_is_a_mismatch_that_changes_nothing() {
    let (_dir, replica) = fresh().await;
    assert_eq!(
        replica
            .append(append(1, (5, 1), vec![entry(6, 1)], 0))
            .await,
        mismatch(0)
    );
    replica
        .append(append(1, (0, 0), entries(1..=2, 1), 0))
        .await
        .expect("append");
    assert_eq!(
        replica
            .append(append(1, (5, 1), vec![entry(6, 1)], 0))
            .await,
        mismatch(2)
    );
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1)]);
}

#[tokio::test]
async fn a_conflicting_epoch_truncates_the_suffix() {
    let (_dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=4, 1), 0))
        .await
        .expect("append");

    // A new writer (epoch 2) whose log has 3:e2: the replica's 3:e1 and 4:e1 go.
    assert_eq!(
        replica.append(append(2, (3, 2), vec![], 0)).await,
        mismatch(2)
    );
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1)]);
    assert_eq!(
        replica
            .append(append(2, (2, 1), entries(3..=4, 2), 0))
            .await,
        appended(4)
    );
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1), (3, 2), (4, 2)]);

    // A conflict inside the entries: 3 is kept (same epoch), 4 is replaced, 5 added.
    let request = append(3, (2, 1), vec![entry(3, 2), entry(4, 3), entry(5, 3)], 0);
    assert_eq!(replica.append(request).await, appended(5));
    assert_eq!(
        replica.read(read_from(3)).await.expect("read").entries,
        vec![entry(3, 2), entry(4, 3), entry(5, 3)]
    );

    // And the cut is on disk, not just in memory.
    replica.restart().expect("restart");
    assert_eq!(
        shape(&replica).await,
        vec![(1, 1), (2, 1), (3, 2), (4, 3), (5, 3)]
    );
}

#[tokio::test]
async fn committed_entries_are_never_replaced() {
    let (_dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=3, 1), 2))
        .await
        .expect("append");
    let rewrite = append(2, (1, 1), vec![entry(2, 2)], 0);
    assert!(matches!(
        replica.append(rewrite).await,
        Err(Error::InvalidRequest(_))
    ));
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1), (3, 1)]);
}

#[tokio::test]
async fn resent_entries_are_idempotent() {
    let (_dir, replica) = fresh().await;
    let request = append(1, (0, 0), entries(1..=3, 1), 0);
    assert_eq!(replica.append(request.clone()).await, appended(3));
    let fsyncs = replica.fsync_count();
    assert_eq!(replica.append(request).await, appended(3));
    // A shorter resend does not shorten the log.
    assert_eq!(
        replica
            .append(append(1, (0, 0), entries(1..=2, 1), 0))
            .await,
        appended(3)
    );
    assert_eq!(replica.fsync_count(), fsyncs, "nothing new was written");
    assert_eq!(
        replica.read(read_from(1)).await.expect("read").entries,
        entries(1..=3, 1)
    );
}

#[tokio::test]
async fn seal_fences_lower_epochs_for_seals_and_appends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let replica = LocalReplica::open(dir.path()).expect("open");
    replica
        .append(append(1, (0, 0), entries(1..=2, 1), 1))
        .await
        .expect("append");

    assert_eq!(
        replica.seal(SealRequest { epoch: Epoch(5) }).await,
        Ok(SealResponse {
            last_index: LogIndex(2),
            last_epoch: Epoch(1),
            commit_index: LogIndex(1),
        })
    );
    for epoch in [4, 5] {
        assert_eq!(
            replica
                .seal(SealRequest {
                    epoch: Epoch(epoch)
                })
                .await,
            Err(Error::Fenced { sealed: 5 })
        );
    }
    assert_eq!(
        replica
            .append(append(4, (2, 1), vec![entry(3, 4)], 0))
            .await,
        Err(Error::Fenced { sealed: 5 })
    );
    assert_eq!(
        replica
            .append(append(5, (2, 1), vec![entry(3, 5)], 0))
            .await,
        appended(3)
    );
    // An append from a newer writer raises the seal too, durably.
    assert_eq!(
        replica
            .append(append(7, (3, 5), vec![entry(4, 7)], 0))
            .await,
        appended(4)
    );
    replica.restart().expect("restart");
    assert_eq!(
        replica.seal(SealRequest { epoch: Epoch(6) }).await,
        Err(Error::Fenced { sealed: 7 })
    );
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1), (3, 5), (4, 7)]);
}

#[tokio::test]
async fn invalid_appends_are_refused_and_change_nothing() {
    let (_dir, replica) = fresh().await;
    let gap = append(9, (0, 0), vec![entry(1, 1), entry(3, 1)], 0);
    assert!(matches!(
        replica.append(gap).await,
        Err(Error::InvalidRequest(_))
    ));
    let too_new = append(1, (0, 0), vec![entry(1, 2)], 0);
    assert!(matches!(
        replica.append(too_new).await,
        Err(Error::InvalidRequest(_))
    ));
    assert!(shape(&replica).await.is_empty());
    // The refused request at epoch 9 did not raise the seal.
    assert!(replica.seal(SealRequest { epoch: Epoch(2) }).await.is_ok());
}

#[tokio::test]
async fn committed_only_reads_stop_at_the_commit_index() {
    let (_dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=5, 1), 0))
        .await
        .expect("append");
    let read = replica.read(committed_from(1)).await.expect("read");
    assert!(read.entries.is_empty());
    assert_eq!(
        (read.commit_index, read.last_index),
        (LogIndex(0), LogIndex(5))
    );

    // A heartbeat advances the commit index.
    replica
        .append(append(1, (5, 1), vec![], 3))
        .await
        .expect("heartbeat");
    let read = replica.read(committed_from(1)).await.expect("read");
    assert_eq!(read.entries, entries(1..=3, 1));
    assert_eq!(read.commit_index, LogIndex(3));

    // A commit index beyond what the append proved to match is limited to that.
    replica
        .append(append(1, (0, 0), entries(1..=4, 1), 100))
        .await
        .expect("append");
    assert_eq!(
        replica
            .read(committed_from(1))
            .await
            .expect("read")
            .commit_index,
        LogIndex(4)
    );
    replica
        .append(append(1, (5, 1), vec![], 100))
        .await
        .expect("heartbeat");
    assert_eq!(
        replica
            .read(committed_from(1))
            .await
            .expect("read")
            .commit_index,
        LogIndex(5)
    );
    // It never goes back.
    replica
        .append(append(1, (5, 1), vec![], 1))
        .await
        .expect("heartbeat");
    assert_eq!(
        replica.read(committed_from(4)).await.expect("read").entries,
        entries(4..=5, 1)
    );
}

#[tokio::test]
async fn a_waiting_read_wakes_up_on_a_later_append() {
    let (_dir, replica) = fresh().await;
    let reader = {
        let replica = replica.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let wait = ReadRequest {
                wait_millis: 60_000,
                ..read_from(1)
            };
            let read = replica.read(wait).await;
            (read, started.elapsed())
        })
    };
    replica
        .append(append(1, (0, 0), vec![entry(1, 1)], 0))
        .await
        .expect("append");
    let (read, waited) = reader.await.expect("reader task");
    assert_eq!(read.expect("read").entries, vec![entry(1, 1)]);
    assert!(waited < Duration::from_secs(30), "woken by the append");
}

#[tokio::test]
async fn a_waiting_committed_read_wakes_up_on_a_commit_advance() {
    let (_dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=2, 1), 0))
        .await
        .expect("append");
    let reader = {
        let replica = replica.clone();
        tokio::spawn(async move {
            let wait = ReadRequest {
                wait_millis: 60_000,
                ..committed_from(1)
            };
            replica.read(wait).await
        })
    };
    replica
        .append(append(1, (2, 1), vec![], 2))
        .await
        .expect("heartbeat");
    let read = reader.await.expect("reader task").expect("read");
    assert_eq!(read.entries, entries(1..=2, 1));
}

#[tokio::test]
async fn a_waiting_read_gives_up_after_its_wait() {
    let (_dir, replica) = fresh().await;
    let wait = ReadRequest {
        wait_millis: 20,
        ..read_from(1)
    };
    let read = replica.read(wait).await.expect("read");
    assert!(read.entries.is_empty());
    assert_eq!(read.last_index, LogIndex(0));
}

#[tokio::test]
async fn reads_older_than_the_cache_come_from_disk_and_respect_the_byte_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = Options {
        cache_bytes: 0,
        max_read_bytes: 30,
    };
    let replica = LocalReplica::open_with(dir.path(), options).expect("open");
    replica
        .append(append(1, (0, 0), entries(1..=5, 1), 0))
        .await
        .expect("append");
    // Each payload is 18 bytes: the second entry passes the 30-byte cap, so the read stops.
    assert_eq!(
        replica.read(read_from(2)).await.expect("read").entries,
        entries(2..=3, 1)
    );
    drop(replica);

    let options = Options {
        cache_bytes: 0,
        ..Options::default()
    };
    let replica = LocalReplica::open_with(dir.path(), options).expect("reopen");
    assert_eq!(
        replica.read(read_from(1)).await.expect("read").entries,
        entries(1..=5, 1)
    );
}

/// Many tasks append through one sequencing point that assigns indexes and queues each append
/// at once (pipelining). The test holds the log's read lock while queueing, so the writer
/// thread cannot finish even its first group before everything is queued: the appends must
/// then share at most two fsyncs, without relying on timing.
#[tokio::test]
#[expect(
    clippy::await_holding_lock,
    reason = "the gate is held on purpose: only the writer thread contends for it"
)]
async fn pipelined_appends_from_many_tasks_share_fsyncs() {
    const TASKS: u64 = 8;
    const PER_TASK: u64 = 50;
    type Queued = std::pin::Pin<Box<dyn Future<Output = Result<AppendResponse>> + Send>>;

    let (_dir, replica) = fresh().await;
    let before = replica.fsync_count();
    let (to_sequencer, mut requests) =
        tokio::sync::mpsc::channel::<(Vec<u8>, oneshot::Sender<Queued>)>(16);
    let mut producers = Vec::new();
    for task in 0..TASKS {
        let to_sequencer = to_sequencer.clone();
        producers.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for n in 0..PER_TASK {
                let (tx, rx) = oneshot::channel();
                let payload = format!("task {task} record {n}").into_bytes();
                to_sequencer.send((payload, tx)).await.expect("sequencer");
                answers.push(rx.await.expect("queued"));
            }
            // Let the sequencer see the end of the requests while the answers are pending.
            drop(to_sequencer);
            let mut last = Vec::new();
            for answer in answers {
                last.push(answer.await);
            }
            last
        }));
    }
    drop(to_sequencer);

    let running = replica.running().expect("up");
    let gate = running.log.read().expect("lock");
    let mut next = 1;
    while let Some((payload, reply)) = requests.recv().await {
        let request = AppendRequest {
            epoch: Epoch(1),
            prev_index: LogIndex(next - 1),
            prev_epoch: Epoch(1),
            entries: vec![Entry {
                index: LogIndex(next),
                epoch: Epoch(1),
                payload,
            }],
            commit_index: LogIndex(0),
        };
        let queued: Queued = Box::pin(replica.submit_append(request));
        drop(reply.send(queued));
        next += 1;
    }
    drop(gate);

    for producer in producers {
        for answer in producer.await.expect("producer") {
            assert!(matches!(answer, Ok(AppendResponse::Appended { .. })));
        }
    }
    let total = TASKS * PER_TASK;
    let fsyncs = replica.fsync_count() - before;
    assert!(fsyncs <= 2, "{total} appends took {fsyncs} fsyncs");

    let read = replica.read(read_from(1)).await.expect("read");
    assert_eq!(read.last_index, LogIndex(total));
    let mut payloads: Vec<_> = read.entries.into_iter().map(|e| e.payload).collect();
    payloads.sort();
    let mut expected: Vec<_> = (0..TASKS)
        .flat_map(|t| (0..PER_TASK).map(move |n| format!("task {t} record {n}").into_bytes()))
        .collect();
    expected.sort();
    assert_eq!(payloads, expected);
}

#[tokio::test]
async fn a_stopped_replica_is_unavailable_until_restarted() {
    let (_dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=2, 1), 0))
        .await
        .expect("append");
    let waiting = {
        let replica = replica.clone();
        tokio::spawn(async move {
            let wait = ReadRequest {
                wait_millis: 60_000,
                ..read_from(3)
            };
            replica.read(wait).await
        })
    };

    replica.stop();
    assert!(!replica.is_running());
    assert!(is_unavailable(&waiting.await.expect("reader task")));
    assert!(is_unavailable(
        &replica
            .append(append(1, (2, 1), vec![entry(3, 1)], 0))
            .await
    ));
    assert!(is_unavailable(&replica.read(read_from(1)).await));
    assert!(is_unavailable(
        &replica.seal(SealRequest { epoch: Epoch(9) }).await
    ));
    replica.stop(); // stopping twice is harmless

    replica.restart().expect("restart");
    assert!(replica.is_running());
    assert_eq!(shape(&replica).await, vec![(1, 1), (2, 1)]);
    assert_eq!(
        replica
            .append(append(1, (2, 1), vec![entry(3, 1)], 0))
            .await,
        appended(3)
    );
}

/// A crash in the middle of a stream of pipelined appends: every append is answered either
/// `Appended` or `Unavailable`, and every one answered `Appended` is there after the restart.
#[tokio::test]
async fn a_stop_loses_only_unanswered_appends() {
    let (_dir, replica) = fresh().await;
    let queued: Vec<_> = (1..=300)
        .map(|i| replica.submit_append(append(1, (i - 1, 1), vec![entry(i, 1)], 0)))
        .collect();
    replica.stop();
    let mut acknowledged = 0;
    for answer in futures_join(queued).await {
        match answer {
            Ok(AppendResponse::Appended { last_index }) => {
                acknowledged = acknowledged.max(last_index.0)
            }
            other => assert!(is_unavailable(&other), "{other:?}"),
        }
    }
    replica.restart().expect("restart");
    let last = replica.read(read_from(1)).await.expect("read").last_index;
    assert!(
        last.0 >= acknowledged,
        "acknowledged up to {acknowledged}, recovered {last}"
    );
}

/// Awaits every future in order.
async fn futures_join<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut out = Vec::with_capacity(futures.len());
    for future in futures {
        out.push(future.await);
    }
    out
}

#[tokio::test]
async fn a_new_log_starts_with_the_file_header() {
    let (dir, replica) = fresh().await;
    replica
        .append(append(1, (0, 0), entries(1..=2, 1), 0))
        .await
        .expect("append");
    drop(replica);
    let bytes = std::fs::read(dir.path().join(LOG_FILE)).expect("read");
    assert_eq!(bytes[..12], record::file_header());
}

#[tokio::test]
async fn a_legacy_log_without_a_header_opens_and_takes_appends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut legacy = Vec::new();
    for e in entries(1..=3, 1) {
        record::encode(&e, &mut legacy).expect("encode");
    }
    std::fs::write(dir.path().join(LOG_FILE), &legacy).expect("write");

    let replica = LocalReplica::open(dir.path()).expect("open");
    assert_eq!(
        replica.read(read_from(1)).await.expect("read").entries,
        entries(1..=3, 1)
    );
    assert_eq!(
        replica
            .append(append(1, (3, 1), vec![entry(4, 1)], 0))
            .await,
        appended(4)
    );
    drop(replica);
    // Still a legacy file (records from byte 0), and it reads back whole.
    let bytes = std::fs::read(dir.path().join(LOG_FILE)).expect("read");
    assert_eq!(bytes[..legacy.len()], legacy[..]);
    let replica = LocalReplica::open(dir.path()).expect("reopen");
    assert_eq!(
        replica.read(read_from(1)).await.expect("read").entries,
        entries(1..=4, 1)
    );
}

#[tokio::test]
async fn a_log_of_a_newer_format_version_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = record::file_header().to_vec();
    bytes[8] = 9;
    record::encode(&entry(1, 1), &mut bytes).expect("encode");
    std::fs::write(dir.path().join(LOG_FILE), &bytes).expect("write");
    let Err(err) = LocalReplica::open(dir.path()) else {
        panic!("a newer log must not open");
    };
    assert!(
        err.to_string()
            .contains("the log file has format version 9, newer than this build reads (up to 1)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join(LOG_FILE)).expect("read"),
        bytes
    );
}
