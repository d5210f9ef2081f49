//! Keys, key ranges, and the map from key ranges to storage shards.
//!
//! A key is an opaque byte string ordered bytewise. The QP builds keys as
//! `table id (4 bytes, big endian) | order-preserving encoding of the primary key`, so a
//! table's rows are contiguous and sorted by primary key; storage only compares bytes.

use crate::ShardId;
use serde::{Deserialize, Serialize};
use std::ops::Bound;

/// A key in the MVCC store.
pub type Key = Vec<u8>;

/// A half-open range of keys `[start, end)`; `end = None` means unbounded.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyRange {
    /// The first key in the range (inclusive).
    pub start: Key,
    /// The end of the range (exclusive), or `None` for "to the end of the key space".
    pub end: Option<Key>,
}

impl KeyRange {
    /// The whole key space.
    pub fn all() -> KeyRange {
        KeyRange {
            start: Vec::new(),
            end: None,
        }
    }

    /// All keys that start with `prefix`.
    pub fn prefix(prefix: &[u8]) -> KeyRange {
        KeyRange {
            start: prefix.to_vec(),
            end: prefix_successor(prefix),
        }
    }

    /// Whether `key` lies in the range.
    pub fn contains(&self, key: &[u8]) -> bool {
        key >= self.start.as_slice() && self.end.as_deref().is_none_or(|end| key < end)
    }

    /// Whether the range holds no key at all.
    pub fn is_empty(&self) -> bool {
        self.end
            .as_deref()
            .is_some_and(|end| end <= self.start.as_slice())
    }

    /// The intersection of two ranges (possibly empty).
    pub fn intersect(&self, other: &KeyRange) -> KeyRange {
        let start = std::cmp::max(&self.start, &other.start).clone();
        let end = match (&self.end, &other.end) {
            (None, e) | (e, None) => e.clone(),
            (Some(a), Some(b)) => Some(std::cmp::min(a, b).clone()),
        };
        KeyRange { start, end }
    }

    /// The range as `std` bounds, for `BTreeMap::range`.
    pub fn bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (
            Bound::Included(self.start.as_slice()),
            match &self.end {
                Some(end) => Bound::Excluded(end.as_slice()),
                None => Bound::Unbounded,
            },
        )
    }
}

/// The smallest key greater than every key starting with `prefix`, or `None` if there is none
/// (the prefix is empty or all `0xff`).
pub fn prefix_successor(prefix: &[u8]) -> Option<Key> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Which shard owns which key range. The ranges are contiguous, sorted, and cover the whole key
/// space: shard `i` owns `[splits[i-1], splits[i])`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardMap {
    /// The split keys, strictly increasing. `n` splits make `n + 1` shards.
    splits: Vec<Key>,
}

impl ShardMap {
    /// A map with one shard per range between the given split keys. The splits are sorted and
    /// deduplicated; an empty split key is dropped (it would make an empty first shard).
    pub fn new(mut splits: Vec<Key>) -> ShardMap {
        splits.sort();
        splits.dedup();
        splits.retain(|s| !s.is_empty());
        ShardMap { splits }
    }

    /// The number of shards.
    pub fn len(&self) -> usize {
        self.splits.len() + 1
    }

    /// A map always has at least one shard.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The shard that owns `key`.
    pub fn shard_for(&self, key: &[u8]) -> ShardId {
        ShardId(self.splits.partition_point(|split| split.as_slice() <= key) as u32)
    }

    /// The key range that `shard` owns.
    pub fn range_of(&self, shard: ShardId) -> KeyRange {
        let i = shard.0 as usize;
        KeyRange {
            start: if i == 0 {
                Vec::new()
            } else {
                self.splits[i - 1].clone()
            },
            end: self.splits.get(i).cloned(),
        }
    }

    /// The shards overlapping `range`, in key order, each with the part of `range` it owns.
    pub fn shards_for_range(&self, range: &KeyRange) -> Vec<(ShardId, KeyRange)> {
        (0..self.len() as u32)
            .map(ShardId)
            .map(|shard| (shard, self.range_of(shard).intersect(range)))
            .filter(|(_, part)| !part.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_map_routes_keys_and_ranges() {
        let map = ShardMap::new(vec![b"m".to_vec(), b"d".to_vec()]);
        assert_eq!(map.len(), 3);
        assert_eq!(map.shard_for(b"a"), ShardId(0));
        assert_eq!(map.shard_for(b"d"), ShardId(1));
        assert_eq!(map.shard_for(b"lzz"), ShardId(1));
        assert_eq!(map.shard_for(b"m"), ShardId(2));
        let parts = map.shards_for_range(&KeyRange {
            start: b"c".to_vec(),
            end: Some(b"n".to_vec()),
        });
        let ids: Vec<_> = parts.iter().map(|(s, _)| s.0).collect();
        assert_eq!(ids, vec![0, 1, 2]);
        assert_eq!(
            parts[0].1,
            KeyRange {
                start: b"c".to_vec(),
                end: Some(b"d".to_vec())
            }
        );
        assert_eq!(
            parts[2].1,
            KeyRange {
                start: b"m".to_vec(),
                end: Some(b"n".to_vec())
            }
        );
        assert!(
            map.shards_for_range(&KeyRange {
                start: b"e".to_vec(),
                end: Some(b"e".to_vec())
            })
            .is_empty()
        );
    }

    #[test]
    fn prefix_ranges() {
        assert_eq!(prefix_successor(&[1, 2, 0xff]), Some(vec![1, 3]));
        assert_eq!(prefix_successor(&[0xff, 0xff]), None);
        let r = KeyRange::prefix(&[7]);
        assert!(r.contains(&[7, 0, 1]));
        assert!(!r.contains(&[8]));
    }
}
