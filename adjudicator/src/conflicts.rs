//! Conflict resolution: the synchronous, I/O-free heart of optimistic concurrency control.
//!
//! [`Conflicts`] remembers, for every key written (or locked) within the conflict window, the
//! timestamp of its last commit, and hands out commit timestamps. A commit request is checked
//! against it and, if it passes, recorded in the same call, so the check and the record are
//! one atomic step (the caller holds the adjudicator's lock).
//!
//! ```text
//!  key   last commit          request read_ts = 20, writes {a}, locked {b}, unchanged {cat}
//!  a     15   <= 20  ok
//!  b     25   >  20  -> Conflict (someone committed b after our snapshot)
//!  cat   12   <= 20  ok (would be SchemaChanged if > 20)
//! ```
//!
//! Records older than the window are garbage-collected in commit order (a queue sorted by
//! timestamp, so each collection costs only what it drops). Forgetting a record at timestamp
//! `T` would let a snapshot older than `T` slip past a conflict, so the collector raises a
//! *horizon* to `T`, and every snapshot below the horizon is refused with a conflict. Recovery
//! sets the horizon to the last recovered commit: the conflict state of the old adjudicator is
//! gone, so no older snapshot can be checked.

use proto::adjudicator::CommitRequest;
use proto::{Error, Key, Result, Timestamp};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Per-key last commit timestamps within the conflict window, and the commit clock.
#[derive(Debug)]
pub(crate) struct Conflicts {
    /// The last commit timestamp of every key written or locked within the window.
    last_commit: HashMap<Key, Timestamp>,
    /// `(commit_ts, key)` in commit order, for garbage collection.
    by_age: VecDeque<(Timestamp, Key)>,
    /// Snapshots below this cannot be checked (their records are gone): refused.
    horizon: Timestamp,
    /// The highest commit timestamp handed out so far.
    last_issued: Timestamp,
    /// The conflict window.
    max_age: Duration,
}

impl Conflicts {
    /// Empty conflict state that refuses snapshots below `horizon` and issues timestamps
    /// above `last_issued`.
    pub(crate) fn new(max_age: Duration, horizon: Timestamp, last_issued: Timestamp) -> Self {
        Conflicts {
            last_commit: HashMap::new(),
            by_age: VecDeque::new(),
            horizon,
            last_issued,
            max_age,
        }
    }

    /// The highest commit timestamp handed out so far.
    #[cfg(test)]
    pub(crate) fn last_issued(&self) -> Timestamp {
        self.last_issued
    }

    /// Snapshots below this are refused with [`Error::Conflict`].
    #[cfg(test)]
    pub(crate) fn horizon(&self) -> Timestamp {
        self.horizon
    }

    /// Issues a timestamp above every one issued so far and close to `now`, without recording
    /// any key (used for recovery's barrier entry).
    pub(crate) fn issue(&mut self, now: Timestamp) -> Timestamp {
        let ts = std::cmp::max(self.last_issued.next(), now);
        self.last_issued = ts;
        ts
    }

    /// Checks `request` against every commit since its snapshot and, if none conflicts,
    /// assigns its commit timestamp and records it as the last commit of every written and
    /// locked key. `now` is the wall clock. Changes nothing on error.
    pub(crate) fn resolve(&mut self, request: &CommitRequest, now: Timestamp) -> Result<Timestamp> {
        self.collect_garbage(now);
        let max_age = self.max_age.as_micros() as u64;
        if now.micros_since(request.read_ts) > max_age {
            return Err(Error::TransactionTooOld {
                limit_secs: self.max_age.as_secs(),
            });
        }
        if request.read_ts < self.horizon {
            return Err(Error::Conflict);
        }
        let changed = |key: &Key| {
            self.last_commit
                .get(key)
                .is_some_and(|&ts| ts > request.read_ts)
        };
        let recorded = || (request.writes.iter().map(|w| &w.key)).chain(request.locked.iter());
        if recorded().any(changed) {
            return Err(Error::Conflict);
        }
        if request.unchanged.iter().any(changed) {
            return Err(Error::SchemaChanged);
        }
        let commit_ts = self.issue(now);
        for key in recorded() {
            self.last_commit.insert(key.clone(), commit_ts);
            self.by_age.push_back((commit_ts, key.clone()));
        }
        Ok(commit_ts)
    }

    /// Forgets records older than the window and raises the horizon past them.
    fn collect_garbage(&mut self, now: Timestamp) {
        let cutoff = Timestamp(now.0.saturating_sub(self.max_age.as_micros() as u64));
        while let Some((ts, _)) = self.by_age.front() {
            if *ts >= cutoff {
                break;
            }
            let Some((ts, key)) = self.by_age.pop_front() else {
                break;
            };
            if self.last_commit.get(&key) == Some(&ts) {
                self.last_commit.remove(&key);
            }
            self.horizon = std::cmp::max(self.horizon, ts);
        }
    }

    /// How many keys have a conflict record.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.last_commit.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::Write;

    fn request(
        read_ts: u64,
        writes: &[&str],
        locked: &[&str],
        unchanged: &[&str],
    ) -> CommitRequest {
        let key = |k: &&str| k.as_bytes().to_vec();
        CommitRequest {
            read_ts: Timestamp(read_ts),
            writes: writes
                .iter()
                .map(|k| Write {
                    key: key(k),
                    value: Some(b"v".to_vec()),
                })
                .collect(),
            locked: locked.iter().map(key).collect(),
            unchanged: unchanged.iter().map(key).collect(),
        }
    }

    const SEC: u64 = 1_000_000;

    #[test]
    fn write_write_race_first_committer_wins() {
        let mut c = Conflicts::new(Duration::from_secs(300), Timestamp::ZERO, Timestamp::ZERO);
        let now = Timestamp(1000 * SEC);
        let t1 = c
            .resolve(&request(999 * SEC, &["a"], &[], &[]), now)
            .unwrap();
        assert_eq!(t1, now);
        assert_eq!(
            c.resolve(&request(999 * SEC, &["a"], &[], &[]), now),
            Err(Error::Conflict)
        );
        // A snapshot that saw t1 may write `a` again; the clock moves past t1 even though the
        // wall clock did not.
        let t2 = c.resolve(&request(t1.0, &["a"], &[], &[]), now).unwrap();
        assert_eq!(t2, t1.next());
    }

    #[test]
    fn unchanged_keys_are_checked_but_not_recorded() {
        let mut c = Conflicts::new(Duration::from_secs(300), Timestamp::ZERO, Timestamp::ZERO);
        let now = Timestamp(1000 * SEC);
        let t1 = c
            .resolve(&request(999 * SEC, &["cat"], &[], &[]), now)
            .unwrap();
        assert_eq!(
            c.resolve(&request(t1.0 - 1, &["x"], &[], &["cat"]), now),
            Err(Error::SchemaChanged)
        );
        c.resolve(&request(t1.0, &["x"], &[], &["cat"]), now)
            .unwrap();
        // The unchanged key was not recorded: an old snapshot may still write `y` while
        // another transaction only checked it.
        c.resolve(&request(t1.0, &["z"], &[], &["y"]), now).unwrap();
        c.resolve(&request(t1.0, &["y"], &[], &[]), now).unwrap();
    }

    #[test]
    fn a_refused_request_changes_nothing() {
        let mut c = Conflicts::new(Duration::from_secs(300), Timestamp::ZERO, Timestamp::ZERO);
        let now = Timestamp(1000 * SEC);
        let t1 = c
            .resolve(&request(999 * SEC, &["a"], &[], &[]), now)
            .unwrap();
        // Conflicts on `a`, so `b` must not be recorded and the clock must not move.
        assert_eq!(
            c.resolve(&request(999 * SEC, &["b"], &["a"], &[]), now),
            Err(Error::Conflict)
        );
        assert_eq!(c.last_issued(), t1);
        c.resolve(&request(999 * SEC, &["b"], &[], &[]), now)
            .unwrap();
    }

    #[test]
    fn old_records_are_collected_and_the_horizon_refuses_old_snapshots() {
        let mut c = Conflicts::new(Duration::from_secs(10), Timestamp::ZERO, Timestamp::ZERO);
        let t1 = c
            .resolve(&request(SEC, &["a"], &[], &[]), Timestamp(2 * SEC))
            .unwrap();
        let t2 = c
            .resolve(&request(5 * SEC, &["b"], &[], &[]), Timestamp(6 * SEC))
            .unwrap();
        assert_eq!(c.len(), 2);
        // At 13 s the window starts at 3 s: `a` (2 s) is forgotten, `b` (6 s) is kept.
        let now = Timestamp(13 * SEC);
        assert_eq!(
            c.resolve(&request(2 * SEC, &["c"], &[], &[]), now),
            Err(Error::TransactionTooOld { limit_secs: 10 })
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c.horizon(), t1);
        assert_eq!(
            c.resolve(&request(5 * SEC, &["b"], &[], &[]), now),
            Err(Error::Conflict)
        );
        c.resolve(&request(t2.0, &["b"], &[], &[]), now).unwrap();
    }

    #[test]
    fn recovery_horizon_refuses_snapshots_before_the_restart() {
        let now = Timestamp(1000 * SEC);
        let mut c = Conflicts::new(
            Duration::from_secs(300),
            Timestamp(999 * SEC),
            Timestamp(999 * SEC),
        );
        assert_eq!(
            c.resolve(&request(998 * SEC, &["a"], &[], &[]), now),
            Err(Error::Conflict)
        );
        let t = c
            .resolve(&request(999 * SEC, &["a"], &[], &[]), now)
            .unwrap();
        assert!(t > Timestamp(999 * SEC));
    }
}
