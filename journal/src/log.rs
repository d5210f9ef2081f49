//! The in-memory view of the log and the log-matching rules, free of I/O.
//!
//! [`Log`] indexes the log file (one [`Slot`] per entry, so finding entry `i` or the byte offset
//! to cut at is `slots[i - 1]`) and caches its newest entries. It also knows how much of the log
//! readers may see: `published` is the last index covered by an fsync; entries past it are
//! written but not yet durable, and a reader never sees them.
//!
//! [`plan`] decides what an [`AppendRequest`] does to the log, Raft-style:
//!
//! ```text
//!   replica log      1:e1  2:e1  3:e1  4:e1            (index:epoch)
//!   append prev=2:e1, entries 3:e1 4:e2 5:e2
//!
//!   prev 2:e1 is present          -> the logs match up to 2
//!   3:e1 is present, same epoch   -> skip (a re-sent entry)
//!   4:e2 vs 4:e1                  -> conflict: cut the log after 3
//!   4:e2 5:e2                     -> write
//!
//!   result           1:e1  2:e1  3:e1  4:e2  5:e2
//! ```
//!
//! If `prev_index` is past the end, the answer is `Mismatch` and nothing changes; if the entry
//! at `prev_index` has another epoch, that entry and everything after it are dropped and the
//! answer is `Mismatch`, so the writer walks back and resends from the shorter end.
//!
//! A cut never reaches into the committed prefix (`commit_index`): those entries are on a quorum
//! and a writer that tries to replace them is broken, so the request is refused instead.

use crate::record::{self, Slot};
use proto::journal::{AppendRequest, Entry};
use proto::{Epoch, Error, LogIndex, Result};
use std::collections::VecDeque;
use std::fs::File;

/// The index of the log file plus a cache of its newest entries.
#[derive(Debug)]
pub(crate) struct Log {
    /// The byte offset of the first record (after the file header, if the file has one).
    start: u64,
    /// One slot per entry; `slots[i]` holds index `i + 1`.
    slots: Vec<Slot>,
    /// The newest entries (a suffix of the log), oldest first.
    cache: VecDeque<Entry>,
    /// The cache's cost in bytes (see [`record::cache_cost`]).
    cache_bytes: usize,
    /// The cache's budget in bytes.
    cache_budget: usize,
    /// The last index covered by an fsync: readers see entries up to here.
    pub published: LogIndex,
    /// The commit index readers see (at most `published`).
    pub commit_index: LogIndex,
}

/// What an append does to the log, decided by [`plan`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// The log does not contain `prev_index` at `prev_epoch`. If `cut_after` is set, the
    /// conflicting entries after it are dropped first.
    Mismatch {
        /// Keep entries up to and including this index.
        cut_after: Option<LogIndex>,
    },
    /// The log matches up to `prev_index`: cut after `cut_after` if set, then write
    /// `entries[skip..]`.
    Append {
        /// Keep entries up to and including this index.
        cut_after: Option<LogIndex>,
        /// How many leading entries of the request are already present.
        skip: usize,
    },
}

impl Log {
    /// A view of a log file whose records start at byte `start` and whose intact records are
    /// `slots`, with `cache` holding its newest entries. Everything recovered from disk is
    /// durable, hence published.
    pub fn new(
        start: u64,
        slots: Vec<Slot>,
        cache: VecDeque<Entry>,
        cache_bytes: usize,
        cache_budget: usize,
    ) -> Log {
        let published = LogIndex(slots.len() as u64);
        Log {
            start,
            slots,
            cache,
            cache_bytes,
            cache_budget,
            published,
            commit_index: LogIndex(0),
        }
    }

    /// The last index in the log, durable or not.
    pub fn last_index(&self) -> LogIndex {
        LogIndex(self.slots.len() as u64)
    }

    /// The epoch of the last entry (0 for an empty log).
    pub fn last_epoch(&self) -> Epoch {
        self.slots.last().map_or(Epoch(0), |slot| slot.epoch)
    }

    /// The epoch of the entry at `index`, if the log has it.
    pub fn epoch_at(&self, index: LogIndex) -> Option<Epoch> {
        let i = usize::try_from(index.0.checked_sub(1)?).ok()?;
        self.slots.get(i).map(|slot| slot.epoch)
    }

    /// The byte offset where the record after the last entry goes.
    pub fn end_offset(&self) -> u64 {
        self.slots.last().map_or(self.start, Slot::end)
    }

    /// Drops every entry after `keep` and returns the byte offset to cut the file at. Readers
    /// stop seeing the dropped entries at once.
    pub fn cut_after(&mut self, keep: LogIndex) -> u64 {
        let keep_len =
            usize::try_from(keep.0).map_or(self.slots.len(), |k| k.min(self.slots.len()));
        let drop = self.slots.len() - keep_len;
        self.slots.truncate(keep_len);
        for _ in 0..drop.min(self.cache.len()) {
            if let Some(entry) = self.cache.pop_back() {
                self.cache_bytes -= record::cache_cost(&entry);
            }
        }
        let last = self.last_index();
        self.published = self.published.min(last);
        self.commit_index = self.commit_index.min(last);
        self.end_offset()
    }

    /// Adds the next entry, whose record was written at `slot`. It stays invisible to readers
    /// until published.
    pub fn push(&mut self, slot: Slot, entry: Entry) {
        debug_assert_eq!(entry.index, self.last_index().next());
        self.slots.push(slot);
        self.cache_bytes += record::cache_cost(&entry);
        self.cache.push_back(entry);
        while self.cache_bytes > self.cache_budget {
            let Some(evicted) = self.cache.pop_front() else {
                break;
            };
            self.cache_bytes -= record::cache_cost(&evicted);
        }
    }

    /// The first index served from the cache (one past the end when the cache is empty).
    fn cache_first(&self) -> u64 {
        (self.slots.len() - self.cache.len()) as u64 + 1
    }

    /// Whether reading from `from` on needs the log file (the entry is older than the cache).
    pub fn needs_disk(&self, from: LogIndex) -> bool {
        from.0 < self.cache_first()
    }

    /// Collects consecutive published entries from `from` through at most `last`: at most
    /// `max_entries`, and stopping once `max_bytes` of payload are gathered (but always at
    /// least one entry). Entries older than the cache are read from `file`.
    pub fn collect(
        &self,
        file: &File,
        from: LogIndex,
        last: LogIndex,
        max_entries: u32,
        max_bytes: usize,
    ) -> Result<Vec<Entry>> {
        let last = last.min(self.published);
        let mut entries = Vec::new();
        let mut bytes = 0;
        let mut index = from.max(LogIndex(1));
        let cache_first = self.cache_first();
        while index <= last && entries.len() < max_entries as usize && bytes < max_bytes {
            let entry = if index.0 >= cache_first {
                let at = usize::try_from(index.0 - cache_first).ok();
                match at.and_then(|at| self.cache.get(at)) {
                    Some(entry) => entry.clone(),
                    None => break,
                }
            } else {
                let slot = usize::try_from(index.0 - 1)
                    .ok()
                    .and_then(|i| self.slots.get(i));
                match slot {
                    Some(slot) => record::read_at(file, index, *slot)?,
                    None => break,
                }
            };
            bytes += entry.payload.len();
            entries.push(entry);
            index = index.next();
        }
        Ok(entries)
    }
}

/// Checks the shape of an append, independent of the log: entries must be numbered
/// consecutively from `prev_index + 1`, epochs must not decrease along the log nor exceed the
/// writer's, and payloads must fit a record.
pub(crate) fn validate(request: &AppendRequest) -> Result<()> {
    let invalid = |msg: String| Err(Error::InvalidRequest(msg));
    let mut prev_epoch = if request.prev_index.0 == 0 {
        Epoch(0)
    } else {
        request.prev_epoch
    };
    if prev_epoch > request.epoch {
        return invalid(format!(
            "prev_epoch {} is newer than the writer's epoch {}",
            prev_epoch, request.epoch
        ));
    }
    for (i, entry) in request.entries.iter().enumerate() {
        let expected = request.prev_index.0.checked_add(i as u64 + 1);
        if expected != Some(entry.index.0) {
            return invalid(format!(
                "entry {i} has index {} but must continue prev_index {}",
                entry.index, request.prev_index
            ));
        }
        if entry.epoch > request.epoch || entry.epoch < prev_epoch {
            return invalid(format!(
                "entry {} has epoch {}, outside {}..={}",
                entry.index, entry.epoch, prev_epoch, request.epoch
            ));
        }
        if entry.payload.len() > record::MAX_PAYLOAD_LEN {
            return invalid(format!(
                "entry {} has {} payload bytes; the limit is {}",
                entry.index,
                entry.payload.len(),
                record::MAX_PAYLOAD_LEN
            ));
        }
        prev_epoch = entry.epoch;
    }
    Ok(())
}

/// Decides what a (validated) append does to `log`; see the module docs. `commit_index` is the
/// writer thread's commit index, which a cut must not go below.
pub(crate) fn plan(log: &Log, request: &AppendRequest, commit_index: LogIndex) -> Result<Plan> {
    let prev = request.prev_index;
    let no_cut_below_commit = |keep: LogIndex| {
        if keep < commit_index {
            Err(Error::InvalidRequest(format!(
                "append would replace entry {} but entries up to {commit_index} are committed",
                keep.next()
            )))
        } else {
            Ok(Some(keep))
        }
    };
    if prev > log.last_index() {
        return Ok(Plan::Mismatch { cut_after: None });
    }
    if prev.0 > 0 && log.epoch_at(prev) != Some(request.prev_epoch) {
        return Ok(Plan::Mismatch {
            cut_after: no_cut_below_commit(LogIndex(prev.0 - 1))?,
        });
    }
    for (skip, entry) in request.entries.iter().enumerate() {
        match log.epoch_at(entry.index) {
            Some(epoch) if epoch == entry.epoch => continue,
            Some(_) => {
                return Ok(Plan::Append {
                    cut_after: no_cut_below_commit(LogIndex(entry.index.0 - 1))?,
                    skip,
                });
            }
            None => {
                return Ok(Plan::Append {
                    cut_after: None,
                    skip,
                });
            }
        }
    }
    Ok(Plan::Append {
        cut_after: None,
        skip: request.entries.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log whose entries have the given epochs (index 1 first), with fake 10-byte records.
    fn log_with(epochs: &[u64]) -> Log {
        let slots = epochs
            .iter()
            .enumerate()
            .map(|(i, epoch)| Slot {
                offset: i as u64 * 10,
                len: 10,
                epoch: Epoch(*epoch),
            })
            .collect();
        Log::new(0, slots, VecDeque::new(), 0, 0)
    }

    fn append(prev: (u64, u64), entries: &[(u64, u64)]) -> AppendRequest {
        AppendRequest {
            epoch: Epoch(9),
            prev_index: LogIndex(prev.0),
            prev_epoch: Epoch(prev.1),
            entries: entries
                .iter()
                .map(|(index, epoch)| Entry {
                    index: LogIndex(*index),
                    epoch: Epoch(*epoch),
                    payload: Vec::new(),
                })
                .collect(),
            commit_index: LogIndex(0),
        }
    }

    #[test]
    fn the_worked_example_from_the_module_docs() {
        let log = log_with(&[1, 1, 1, 1]);
        let request = append((2, 1), &[(3, 1), (4, 2), (5, 2)]);
        assert_eq!(
            plan(&log, &request, LogIndex(0)),
            Ok(Plan::Append {
                cut_after: Some(LogIndex(3)),
                skip: 1
            })
        );
    }

    #[test]
    fn plans_for_matching_missing_and_conflicting_prefixes() {
        let log = log_with(&[1, 1, 2]);
        let zero = LogIndex(0);
        // Continues the end.
        let next = append((3, 2), &[(4, 2)]);
        assert_eq!(
            plan(&log, &next, zero),
            Ok(Plan::Append {
                cut_after: None,
                skip: 0
            })
        );
        // Fully re-sent.
        let again = append((0, 0), &[(1, 1), (2, 1), (3, 2)]);
        assert_eq!(
            plan(&log, &again, zero),
            Ok(Plan::Append {
                cut_after: None,
                skip: 3
            })
        );
        // A gap.
        let gap = append((5, 2), &[(6, 2)]);
        assert_eq!(
            plan(&log, &gap, zero),
            Ok(Plan::Mismatch { cut_after: None })
        );
        // The entry at prev_index has another epoch: drop it and the rest.
        let conflict = append((3, 3), &[(4, 3)]);
        assert_eq!(
            plan(&log, &conflict, zero),
            Ok(Plan::Mismatch {
                cut_after: Some(LogIndex(2))
            })
        );
    }

    #[test]
    fn a_cut_into_the_committed_prefix_is_refused() {
        let log = log_with(&[1, 1, 1]);
        let rewrite = append((1, 1), &[(2, 2)]);
        assert!(matches!(
            plan(&log, &rewrite, LogIndex(2)),
            Err(Error::InvalidRequest(_))
        ));
        assert!(plan(&log, &rewrite, LogIndex(1)).is_ok());
    }

    #[test]
    fn validate_refuses_gaps_and_epoch_disorder() {
        assert!(validate(&append((0, 0), &[(1, 1), (2, 1)])).is_ok());
        assert!(validate(&append((0, 0), &[(2, 1)])).is_err());
        assert!(validate(&append((3, 1), &[(4, 1), (6, 1)])).is_err());
        assert!(validate(&append((3, 2), &[(4, 1)])).is_err());
        assert!(validate(&append((0, 0), &[(1, 2), (2, 1)])).is_err());
        assert!(validate(&append((0, 0), &[(1, 10)])).is_err());
        assert!(validate(&append((u64::MAX, 1), &[(0, 1)])).is_err());
    }

    #[test]
    fn cutting_hides_entries_and_clamps_the_visible_indexes() {
        let mut log = log_with(&[1, 1, 1, 1]);
        log.commit_index = LogIndex(3);
        assert_eq!(log.cut_after(LogIndex(2)), 20);
        assert_eq!(log.last_index(), LogIndex(2));
        assert_eq!(log.published, LogIndex(2));
        assert_eq!(log.commit_index, LogIndex(2));
        assert_eq!(log.epoch_at(LogIndex(3)), None);
        assert_eq!(log.cut_after(LogIndex(7)), 20);
    }
}
