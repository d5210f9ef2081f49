//! Recovery: how an adjudicator takes over the journal.
//!
//! The adjudicator keeps no state of its own; it rebuilds what it needs from the journal:
//!
//! 1. **Seal.** Pick an epoch by sealing every replica in parallel, starting at 1; a replica
//!    sealed with epoch `s` or higher answers `Fenced { sealed: s }` and the round is retried
//!    with `s + 1`. A majority must accept, or recovery fails with `Unavailable`. From now on
//!    those replicas refuse every older writer, so at most one writer can make entries durable.
//! 2. **Adopt.** Among the sealed replicas, adopt the log that ends with the highest
//!    `(last_epoch, last_index)`, as Raft elects the most up-to-date candidate: every entry
//!    that was durable (and so possibly acknowledged) is on a majority, every majority meets
//!    the sealed set, and the highest-epoch log contains all of them.
//! 3. **Load.** Read the adopted log beyond the shortest sealed log's end into the tail: the
//!    entries some sealed replica may lack. The last entry's commit timestamp becomes both
//!    the commit clock and the conflict horizon (older snapshots cannot be checked: refused).
//! 4. **Barrier.** Append an entry of the new epoch with no writes and wait until a majority
//!    holds it. Only then is anything declared durable: an older epoch's entry that sits on
//!    a majority can still be replaced by a later writer (Raft's "commit only entries of your
//!    own term"), but not once a newer entry of ours follows it there.
//!
//! ```text
//!   A: 1 2 3 4 5        sealed, last (e1, 5)   <- adopted
//!   B: 1 2 3            sealed, last (e1, 3)   <- shortest sealed: load 3.. from A
//!   C: (down)           not sealed; repaired when it returns
//!   after recovery (epoch 2):
//!   A: 1 2 3 4 5 6*     6* = barrier, durable index 6
//!   B: 1 2 3 4 5 6*
//! ```

use crate::adjudicator::LocalAdjudicator;
use crate::config::Config;
use crate::conflicts::Conflicts;
use crate::shipper;
use crate::state::{Core, Inner, Progress};
use crate::tail::{Slot, Tail};
use futures::future::join_all;
use proto::journal::{Entry, ReadRequest, Replica, SealRequest, SealResponse};
use proto::{CommitRecord, Epoch, Error, LogIndex, Result, Timestamp};
use std::sync::Arc;

/// How many seal rounds recovery tries before giving up (each round that meets a higher seal
/// moves past it, so more rounds only happen while other writers keep sealing).
const MAX_SEAL_ROUNDS: usize = 8;

/// How many entries one recovery read asks for.
const READ_PAGE: u32 = 10_000;

/// Runs recovery and returns a serving adjudicator.
pub(crate) async fn recover(
    replicas: Vec<Arc<dyn Replica>>,
    config: Config,
) -> Result<Arc<LocalAdjudicator>> {
    if replicas.is_empty() {
        return Err(Error::InvalidRequest(
            "an adjudicator needs journal replicas".into(),
        ));
    }
    let majority = replicas.len() / 2 + 1;
    let (epoch, seals) = seal(&replicas, &config).await?;
    let sealed = seals.iter().filter(|s| s.is_some()).count();
    if sealed < majority {
        return Err(Error::Unavailable(format!(
            "only {sealed} of {} journal replicas could be sealed",
            replicas.len()
        )));
    }
    let (adopted, adopted_seal) = (seals.iter().enumerate())
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .max_by_key(|(_, s)| (s.last_epoch, s.last_index))
        .expect("a majority sealed, so at least one replica did");
    let adopted_last = adopted_seal.last_index;
    let shortest = (seals.iter().flatten().map(|s| s.last_index).min()).unwrap_or(LogIndex::ZERO);

    // Load the adopted log from the shortest end on (that entry becomes the tail's base).
    let from = LogIndex(shortest.0.max(1));
    let mut entries = if adopted_last >= from {
        read_range(replicas[adopted].as_ref(), from, adopted_last, &config).await?
    } else {
        Vec::new()
    };
    let last_ts = match entries.last() {
        Some(last) => {
            CommitRecord::decode(&last.payload)
                .map_err(|e| Error::Internal(format!("journal entry {}: {e}", last.index)))?
                .commit_ts
        }
        None => Timestamp::ZERO,
    };
    let (base_index, base_epoch) = if shortest == LogIndex::ZERO {
        (LogIndex::ZERO, Epoch(0))
    } else {
        let base = entries.remove(0);
        (base.index, base.epoch)
    };
    let slots = entries
        .into_iter()
        .map(|entry| Slot {
            commit_ts: CommitRecord::decode(&entry.payload)
                .ok()
                .map(|r| r.commit_ts),
            entry,
        })
        .collect();
    let mut tail = Tail::new(base_index, base_epoch, slots);

    // The barrier entry: the first entry of this epoch.
    let mut conflicts = Conflicts::new(config.max_txn_age, last_ts, last_ts);
    let barrier_ts = conflicts.issue(Timestamp::now());
    let barrier = CommitRecord {
        commit_ts: barrier_ts,
        writes: Vec::new(),
    };
    let barrier_index = tail.push(epoch, barrier.encode(), barrier_ts);

    let progress = (seals.iter().enumerate())
        .map(|(i, seal)| match seal {
            Some(seal) => Progress {
                next_index: std::cmp::min(seal.last_index, adopted_last).next(),
                match_index: if i == adopted {
                    adopted_last
                } else {
                    LogIndex::ZERO
                },
                told_commit: seal.commit_index,
                healthy: true,
            },
            None => Progress {
                next_index: adopted_last.next(),
                match_index: LogIndex::ZERO,
                told_commit: LogIndex::ZERO,
                healthy: false,
            },
        })
        .collect();
    // Whatever a replica was told is durable is in the adopted log; keep telling it so.
    let durable = (seals.iter().flatten().map(|s| s.commit_index).max())
        .unwrap_or(LogIndex::ZERO)
        .min(adopted_last);
    let core = Core {
        conflicts,
        tail,
        progress,
        durable,
        deposed: false,
    };
    tracing::info!(
        %epoch, adopted, %adopted_last, %shortest, %barrier_index, %last_ts,
        "adjudicator recovered the journal"
    );
    let inner = Arc::new(Inner::new(config, epoch, replicas, core));
    for i in 0..inner.replicas.len() {
        tokio::spawn(shipper::run(inner.clone(), i));
    }
    let adjudicator = Arc::new(LocalAdjudicator::from_inner(inner.clone()));

    // Serve only once the barrier (and so the whole adopted log) is durable.
    let mut frontier = inner.frontier.subscribe();
    let ready = frontier.wait_for(|f| f.index >= barrier_index || f.deposed);
    match tokio::time::timeout(inner.config.commit_timeout, ready).await {
        Ok(Ok(f)) if !f.deposed => Ok(adjudicator),
        Ok(_) => Err(Error::Unavailable(
            "a newer adjudicator sealed the journal during recovery".into(),
        )),
        Err(_) => Err(Error::Unavailable(
            "recovery could not replicate the journal tail to a quorum".into(),
        )),
    }
}

/// Seals every replica with the lowest epoch none of them has seen. Returns the epoch and each
/// replica's answer (`None` where it failed).
async fn seal(
    replicas: &[Arc<dyn Replica>],
    config: &Config,
) -> Result<(Epoch, Vec<Option<SealResponse>>)> {
    let mut epoch = Epoch(1);
    for _ in 0..MAX_SEAL_ROUNDS {
        let answers = join_all(replicas.iter().map(|replica| {
            let seal = replica.seal(SealRequest { epoch });
            async move {
                tokio::time::timeout(config.commit_timeout, seal)
                    .await
                    .unwrap_or_else(|_| Err(Error::Unavailable("seal timed out".into())))
            }
        }))
        .await;
        let fenced = (answers.iter())
            .filter_map(|a| match a {
                Err(Error::Fenced { sealed }) => Some(*sealed),
                _ => None,
            })
            .max();
        if let Some(sealed) = fenced {
            epoch = Epoch(std::cmp::max(sealed + 1, epoch.0 + 1));
            continue;
        }
        for (i, answer) in answers.iter().enumerate() {
            if let Err(error) = answer {
                tracing::warn!(replica = i, %error, "could not seal journal replica");
            }
        }
        return Ok((epoch, answers.into_iter().map(Result::ok).collect()));
    }
    Err(Error::Unavailable(
        "journal replicas keep being sealed by other writers".into(),
    ))
}

/// Reads entries `from ..= to` from `replica`, checking that they are consecutive.
async fn read_range(
    replica: &dyn Replica,
    from: LogIndex,
    to: LogIndex,
    config: &Config,
) -> Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut next = from;
    while next <= to {
        let want = u32::try_from(to.0 - next.0 + 1)
            .unwrap_or(u32::MAX)
            .min(READ_PAGE);
        let request = ReadRequest {
            from: next,
            max_entries: want,
            committed_only: false,
            wait_millis: 0,
        };
        let response = tokio::time::timeout(config.commit_timeout, replica.read(request))
            .await
            .map_err(|_| Error::Unavailable("journal read timed out during recovery".into()))??;
        if response.entries.is_empty() {
            return Err(Error::Unavailable(format!(
                "journal replica stopped serving its log at {next} (sealed with {to})"
            )));
        }
        for entry in response.entries.into_iter().take(want as usize) {
            if entry.index != next {
                return Err(Error::Internal(format!(
                    "journal read returned entry {} where {next} was expected",
                    entry.index
                )));
            }
            next = next.next();
            entries.push(entry);
        }
    }
    Ok(entries)
}
