//! The tail: the suffix of the journal the adjudicator keeps in memory.
//!
//! Every entry the adjudicator creates is pushed here first; the shippers copy batches out of
//! it into appends. An entry leaves the tail only once it is durable and either every replica
//! has it or the tail holds more durable entries than allowed (a replica is down for long; it
//! is repaired from a peer replica's log when it returns). The tail also remembers the index
//! and epoch of the entry just before its first one (the *base*), so an append that starts
//! right after the base can still name its `prev_epoch`.
//!
//! ```text
//!   journal:  1  2  3  4  5  6  7  8  9
//!                      ^base    ^durable  ^last
//!   tail:                 4  5  6  7  8  9
//! ```

use proto::journal::Entry;
use proto::{Epoch, LogIndex, Timestamp};
use std::collections::VecDeque;

/// One buffered entry with its decoded commit timestamp.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    /// The entry as sent to replicas.
    pub(crate) entry: Entry,
    /// The entry's commit timestamp, if its payload decodes (entries this adjudicator wrote
    /// always do; an undecodable entry adopted from an older writer never becomes the
    /// frontier, as only entries of the current epoch do).
    pub(crate) commit_ts: Option<Timestamp>,
}

/// Consecutive log entries after a base position.
#[derive(Debug)]
pub(crate) struct Tail {
    /// The index of the entry just before the first buffered one.
    base_index: LogIndex,
    /// The epoch of the entry at `base_index` (zero when the base is the log's start).
    base_epoch: Epoch,
    /// Entries `base_index + 1 ..= last_index`.
    slots: VecDeque<Slot>,
}

impl Tail {
    /// A tail holding `slots`, which must follow the entry at `base_index` written in
    /// `base_epoch` consecutively.
    pub(crate) fn new(base_index: LogIndex, base_epoch: Epoch, slots: Vec<Slot>) -> Tail {
        debug_assert!(
            slots
                .iter()
                .enumerate()
                .all(|(i, s)| s.entry.index.0 == base_index.0 + 1 + i as u64)
        );
        Tail {
            base_index,
            base_epoch,
            slots: slots.into(),
        }
    }

    /// The index of the entry just before the first buffered one.
    pub(crate) fn base_index(&self) -> LogIndex {
        self.base_index
    }

    /// The index of the last entry (the base if nothing is buffered).
    pub(crate) fn last_index(&self) -> LogIndex {
        LogIndex(self.base_index.0 + self.slots.len() as u64)
    }

    /// The number of buffered entries.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Appends a new entry at `last_index + 1` and returns its index.
    pub(crate) fn push(
        &mut self,
        epoch: Epoch,
        payload: Vec<u8>,
        commit_ts: Timestamp,
    ) -> LogIndex {
        let index = self.last_index().next();
        self.slots.push_back(Slot {
            entry: Entry {
                index,
                epoch,
                payload,
            },
            commit_ts: Some(commit_ts),
        });
        index
    }

    /// The buffered entry at `index`, if any.
    pub(crate) fn get(&self, index: LogIndex) -> Option<&Slot> {
        let offset = index.0.checked_sub(self.base_index.0 + 1)?;
        self.slots.get(usize::try_from(offset).ok()?)
    }

    /// The epoch of the entry at `index` if the tail knows it (the base or a buffered entry;
    /// index 0, the log's start, has epoch 0).
    pub(crate) fn epoch_at(&self, index: LogIndex) -> Option<Epoch> {
        if index == LogIndex::ZERO {
            Some(Epoch(0))
        } else if index == self.base_index {
            Some(self.base_epoch)
        } else {
            self.get(index).map(|slot| slot.entry.epoch)
        }
    }

    /// Up to `max_entries` entries (and about `max_bytes` of payload, at least one entry)
    /// starting at `from`, which must lie after the base.
    pub(crate) fn batch(&self, from: LogIndex, max_entries: usize, max_bytes: usize) -> Vec<Entry> {
        let Some(offset) = from.0.checked_sub(self.base_index.0 + 1) else {
            return Vec::new();
        };
        let mut bytes = 0;
        let mut batch = Vec::new();
        for slot in self
            .slots
            .iter()
            .skip(offset as usize)
            .take(max_entries.max(1))
        {
            if !batch.is_empty() && bytes + slot.entry.payload.len() > max_bytes {
                break;
            }
            bytes += slot.entry.payload.len();
            batch.push(slot.entry.clone());
        }
        batch
    }

    /// Drops every buffered entry up to and including `index`, which becomes the base.
    pub(crate) fn trim_through(&mut self, index: LogIndex) {
        while self.base_index < index {
            let Some(slot) = self.slots.pop_front() else {
                break;
            };
            self.base_index = slot.entry.index;
            self.base_epoch = slot.entry.epoch;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_batch_and_trim() {
        let mut tail = Tail::new(LogIndex(3), Epoch(1), Vec::new());
        for i in 0..5u8 {
            let index = tail.push(Epoch(2), vec![i; 10], Timestamp(100 + i as u64));
            assert_eq!(index, LogIndex(4 + i as u64));
        }
        assert_eq!(tail.last_index(), LogIndex(8));
        assert_eq!(tail.epoch_at(LogIndex(3)), Some(Epoch(1)));
        assert_eq!(tail.epoch_at(LogIndex(5)), Some(Epoch(2)));
        assert_eq!(tail.epoch_at(LogIndex(2)), None);
        assert_eq!(tail.epoch_at(LogIndex(0)), Some(Epoch(0)));

        let batch = tail.batch(LogIndex(5), 2, usize::MAX);
        let indexes: Vec<_> = batch.iter().map(|e| e.index.0).collect();
        assert_eq!(indexes, vec![5, 6]);
        // The byte cap stops a batch early but never sends an empty one.
        assert_eq!(tail.batch(LogIndex(5), 10, 25).len(), 2);
        assert_eq!(tail.batch(LogIndex(5), 10, 1).len(), 1);
        assert!(tail.batch(LogIndex(3), 10, 100).is_empty());

        tail.trim_through(LogIndex(6));
        assert_eq!(tail.base_index(), LogIndex(6));
        assert_eq!(tail.epoch_at(LogIndex(6)), Some(Epoch(2)));
        assert_eq!(tail.len(), 2);
        assert_eq!(
            tail.get(LogIndex(7)).and_then(|s| s.commit_ts),
            Some(Timestamp(103))
        );
        assert!(tail.get(LogIndex(6)).is_none());
    }
}
