//! The shipper: one task per replica that copies the tail into the replica's log.
//!
//! A shipper keeps exactly one append in flight. While a replica fsyncs one batch, every
//! commit that arrives is pushed to the tail and rides the next append: that is the group
//! commit, and it adapts by itself (the slower the disk, the bigger the batches). After each
//! answer the shipper folds the result into the shared state, which may advance the durable
//! frontier and wake the waiting commits.
//!
//! ```text
//!  commits:  c1      c2 c3 c4 c5         c6
//!  replica:  [append c1 .. fsync] [append c2-c5 .. fsync] [append c6 ..
//! ```
//!
//! Failures are retried with a backoff (10 ms doubling to 500 ms); the retry is also how a
//! returning replica is found. A replica that needs entries the tail no longer holds is
//! repaired with entries read from a peer whose log is known to match ours.

use crate::state::{Inner, Plan, Sent};
use proto::journal::{AppendRequest, AppendResponse, ReadRequest};
use proto::{Epoch, Error, LogIndex};
use std::sync::Arc;
use std::time::Duration;

/// The first retry delay after a failure.
const MIN_BACKOFF: Duration = Duration::from_millis(10);
/// The longest retry delay.
const MAX_BACKOFF: Duration = Duration::from_millis(500);

/// Ships the tail to replica `i` until the adjudicator stops or is deposed.
pub(crate) async fn run(inner: Arc<Inner>, i: usize) {
    let replica = inner.replicas[i].clone();
    let mut backoff = MIN_BACKOFF;
    let mut heartbeat = false;
    loop {
        // An in-process replica may answer without ever yielding; stay cooperative.
        tokio::task::consume_budget().await;
        let request = match inner.plan(i, heartbeat) {
            Plan::Stop => return,
            Plan::Idle => {
                let woken = tokio::time::timeout(inner.config.heartbeat_interval, inner.woken(i));
                heartbeat = woken.await.is_err();
                continue;
            }
            Plan::Append(request) => request,
            Plan::Repair {
                peers,
                prev_index,
                until,
                commit_index,
            } => match repair(&inner, &peers, prev_index, until, commit_index).await {
                Some(request) => request,
                None => {
                    tokio::time::sleep(backoff).await;
                    backoff = std::cmp::min(backoff * 2, MAX_BACKOFF);
                    heartbeat = true;
                    continue;
                }
            },
        };
        heartbeat = false;
        let sent = Sent::of(&request);
        let answer = tokio::time::timeout(inner.config.commit_timeout, replica.append(request))
            .await
            .unwrap_or_else(|_| Err(Error::Unavailable("journal append timed out".into())));
        match answer {
            Ok(AppendResponse::Appended { last_index }) => {
                inner.on_appended(i, sent, last_index);
                backoff = MIN_BACKOFF;
                continue;
            }
            Ok(AppendResponse::Mismatch { last_index }) => {
                if inner.on_mismatch(i, sent, last_index) {
                    backoff = MIN_BACKOFF;
                    continue;
                }
                tracing::warn!(
                    replica = i,
                    "journal replica answered a mismatch at index 0"
                );
            }
            Err(Error::Fenced { sealed }) => {
                inner.depose(sealed);
                return;
            }
            Err(error) => inner.on_failure(i, &error),
        }
        tokio::time::sleep(backoff).await;
        backoff = std::cmp::min(backoff * 2, MAX_BACKOFF);
        heartbeat = true;
    }
}

/// Reads the entries a lagging replica needs, `prev_index ..= until`, from the first peer
/// that serves them, and builds the append that continues the replica's log with them. The
/// entry at `prev_index` is read only to learn its epoch (at the log's start there is none).
async fn repair(
    inner: &Inner,
    peers: &[usize],
    prev_index: LogIndex,
    until: LogIndex,
    commit_index: LogIndex,
) -> Option<AppendRequest> {
    let from = LogIndex(prev_index.0.max(1));
    let wanted = (until.0 + 1).saturating_sub(from.0);
    let wanted = wanted.min(inner.config.max_append_batch.max(1) as u64 + 1);
    for &peer in peers {
        let read = ReadRequest {
            from,
            max_entries: u32::try_from(wanted).unwrap_or(u32::MAX),
            committed_only: false,
            wait_millis: 0,
        };
        let answer =
            tokio::time::timeout(inner.config.commit_timeout, inner.replicas[peer].read(read));
        let mut entries = match answer.await {
            Ok(Ok(response)) => response.entries,
            Ok(Err(error)) => {
                tracing::debug!(peer, %error, "repair read from a peer failed");
                continue;
            }
            Err(_) => continue,
        };
        entries.truncate(wanted as usize);
        let consecutive = (entries.iter().enumerate()).all(|(k, e)| e.index.0 == from.0 + k as u64);
        if !consecutive {
            continue;
        }
        let prev_epoch = if prev_index == LogIndex::ZERO {
            Epoch(0)
        } else if entries.is_empty() {
            continue;
        } else {
            entries.remove(0).epoch
        };
        if entries.is_empty() {
            continue;
        }
        return Some(AppendRequest {
            epoch: inner.epoch,
            prev_index,
            prev_epoch,
            entries,
            commit_index,
        });
    }
    None
}
