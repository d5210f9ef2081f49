//! The multi-version key/value store of one shard.
//!
//! Every committed write of a key becomes a new *version* of that key, stamped with the commit
//! timestamp the adjudicator gave its transaction. Nothing is overwritten in place: a deletion is a
//! version too, a *tombstone*, whose value is `None`. A read "as of" timestamp `T` sees, for each
//! key, the newest version with `commit_ts <= T`; if that version is a tombstone, or there is no
//! such version, the key is absent at `T`.
//!
//! Here is a store holding three keys, drawn against time (`x` is a tombstone):
//!
//! ```text
//! Time
//!  50                 c5
//!  40     a4
//!  30          x
//!  20     a2   b2
//!  10     a1        c1
//!         a    b    c   Keys
//! ```
//!
//! - A read at `T=15` sees `a=a1`, `c=c1`; `b` does not exist yet.
//! - A read at `T=25` sees `a=a2`, `b=b2`, `c=c1`.
//! - A read at `T=35` sees `a=a2`, `c=c1`: `b` was deleted at 30.
//! - A read at `T=45` sees `a=a4`, `c=c1`; at `T=50` it sees `c=c5` as well.
//!
//! A reinsert after a deletion is just one more version on top of the tombstone.
//!
//! **Layout.** The store is a `BTreeMap` from key to its version chain: the chain is a `Vec` of
//! versions in ascending timestamp order, so applying a commit (which always carries a timestamp
//! newer than everything applied before) is a push at the end, and a read finds its version with
//! one binary search. A point read costs one map lookup and one binary search and allocates
//! nothing but the copy of the value it returns; a scan walks the map in key order and copies
//! only the rows it returns, never a key or value it skips.
//!
//! **Garbage collection.** [`Versions::gc_chunk`] takes a *horizon* `H` (the oldest snapshot any
//! transaction may still read at) and drops every version that no read at `T >= H` can see: all
//! versions older than the newest one at or below `H`, and that one too if it is a tombstone
//! (a read in `[H, next version)` sees "absent" with or without it). With `H=35` above, `a1` and
//! `b2`'s whole chain (`b2`, `x`) go, `a2` stays (it is what `T=35` reads), `c1` stays. Reads
//! below `H` may then see wrong data, so the shard refuses them (see
//! [`LocalShard`](crate::LocalShard)).
//!
//! The store is synchronous and knows nothing of locks, the journal or key ranges; the shard wraps
//! it in a `RwLock` and decides what goes in.

use proto::{Key, Timestamp};
use std::collections::BTreeMap;
use std::ops::Bound;

/// One version of a key: the write committed at `ts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The commit timestamp of the transaction that wrote it.
    pub ts: Timestamp,
    /// The value written, or `None` for a deletion (a tombstone).
    pub value: Option<Box<[u8]>>,
}

/// The versions of one key, ascending by timestamp, timestamps unique.
type Chain = Vec<Version>;

/// The newest version of `chain` visible at `ts`, if any (it may be a tombstone).
fn visible(chain: &Chain, ts: Timestamp) -> Option<&Version> {
    let newer = chain.partition_point(|v| v.ts <= ts);
    newer.checked_sub(1).map(|i| &chain[i])
}

/// Whether `BTreeMap::range` accepts these bounds and they may hold a key (`range` panics on a
/// start after the end, or on equal bounds that are both excluded).
fn bounds_nonempty(start: Bound<&[u8]>, end: Bound<&[u8]>) -> bool {
    match (start, end) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => true,
        (Bound::Included(s), Bound::Included(e)) => s <= e,
        (Bound::Included(s) | Bound::Excluded(s), Bound::Excluded(e))
        | (Bound::Excluded(s), Bound::Included(e)) => s < e,
    }
}

/// The multi-version store: every key's chain of versions, in key order. See the module docs.
#[derive(Debug, Default)]
pub struct Versions {
    /// Each key's versions, ascending by timestamp; never an empty chain.
    map: BTreeMap<Key, Chain>,
    /// The number of versions over all chains.
    versions: usize,
}

impl Versions {
    /// An empty store.
    pub fn new() -> Versions {
        Versions::default()
    }

    /// The number of keys that have at least one version.
    pub fn key_count(&self) -> usize {
        self.map.len()
    }

    /// The number of versions over all keys (tombstones included).
    pub fn version_count(&self) -> usize {
        self.versions
    }

    /// Adds the version of `key` written at `ts` (`None` deletes). Versions normally arrive in
    /// timestamp order and are appended; an older or equal `ts` is placed in order (replacing a
    /// version at the same `ts`). A tombstone for a key with no versions stores nothing: the key
    /// is absent at every timestamp either way.
    pub fn put(&mut self, key: Key, ts: Timestamp, value: Option<Box<[u8]>>) {
        let version = Version { ts, value };
        let Some(chain) = self.map.get_mut(key.as_slice()) else {
            if version.value.is_some() {
                self.map.insert(key, vec![version]);
                self.versions += 1;
            }
            return;
        };
        match chain.last() {
            Some(last) if last.ts < ts => {
                chain.push(version);
                self.versions += 1;
            }
            _ => {
                let at = chain.partition_point(|v| v.ts < ts);
                if chain.get(at).is_some_and(|v| v.ts == ts) {
                    chain[at] = version;
                } else {
                    chain.insert(at, version);
                    self.versions += 1;
                }
            }
        }
    }

    /// The value of `key` as of `ts`: the newest version with timestamp `<= ts`, or `None` if
    /// there is none or it is a tombstone.
    pub fn get(&self, key: &[u8], ts: Timestamp) -> Option<&[u8]> {
        self.map
            .get(key)
            .and_then(|chain| visible(chain, ts))
            .and_then(|v| v.value.as_deref())
    }

    /// All versions of `key`, oldest first (for inspection and tests).
    pub fn versions_of(&self, key: &[u8]) -> &[Version] {
        self.map.get(key).map_or(&[], |chain| chain.as_slice())
    }

    /// Appends to `rows` the live keys within `bounds` (start, end) as of `ts` with their values,
    /// in key order (descending if `reverse`), until `rows` holds `limit` rows or `max_visit`
    /// keys have been looked at. Returns the last key looked at if it stopped because of
    /// `max_visit` with keys possibly left (the caller continues after it, or before it when
    /// reversed), and `None` when the range or the limit is exhausted.
    pub fn scan_into(
        &self,
        (start, end): (Bound<&[u8]>, Bound<&[u8]>),
        ts: Timestamp,
        reverse: bool,
        limit: usize,
        max_visit: usize,
        rows: &mut Vec<(Key, Vec<u8>)>,
    ) -> Option<Key> {
        if !bounds_nonempty(start, end) || rows.len() >= limit {
            return None;
        }
        let range = self.map.range::<[u8], _>((start, end));
        if reverse {
            collect_live(range.rev(), ts, limit, max_visit, rows)
        } else {
            collect_live(range, ts, limit, max_visit, rows)
        }
    }

    /// Garbage-collects the chains of up to `max_visit` keys after `after` (from the first key
    /// if `None`): drops the versions that no read at a timestamp `>= horizon` can see (see the
    /// module docs). Returns the number of versions dropped and, if keys are left, the last key
    /// visited, to pass as `after` to the next call.
    pub fn gc_chunk(
        &mut self,
        after: Option<&[u8]>,
        horizon: Timestamp,
        max_visit: usize,
    ) -> (usize, Option<Key>) {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let max_visit = max_visit.max(1);
        let mut dropped = 0;
        let mut last: Option<&Key> = None;
        let mut more = false;
        let mut empty: Vec<Key> = Vec::new();
        let chains = self.map.range_mut::<[u8], _>((start, Bound::Unbounded));
        for (visited, (key, chain)) in chains.enumerate() {
            if visited == max_visit {
                more = true;
                break;
            }
            last = Some(key);
            let at_or_below = chain.partition_point(|v| v.ts <= horizon);
            let Some(newest) = at_or_below.checked_sub(1) else {
                continue; // every version is newer than the horizon
            };
            // Keep the newest version at or below the horizon unless it is a tombstone.
            let keep_from = if chain[newest].value.is_some() {
                newest
            } else {
                at_or_below
            };
            if keep_from > 0 {
                chain.drain(..keep_from);
                dropped += keep_from;
                if chain.is_empty() {
                    empty.push(key.clone());
                }
            }
        }
        let resume = if more { last.cloned() } else { None };
        for key in empty {
            self.map.remove(&key);
        }
        self.versions -= dropped;
        (dropped, resume)
    }
}

/// The loop of [`Versions::scan_into`], generic over the direction of the walk.
fn collect_live<'a>(
    chains: impl Iterator<Item = (&'a Key, &'a Chain)>,
    ts: Timestamp,
    limit: usize,
    max_visit: usize,
    rows: &mut Vec<(Key, Vec<u8>)>,
) -> Option<Key> {
    let max_visit = max_visit.max(1);
    let mut last: Option<&Key> = None;
    for (visited, (key, chain)) in chains.enumerate() {
        if visited == max_visit {
            // There is at least this key left: the caller resumes after the last one visited.
            return last.cloned();
        }
        last = Some(key);
        if let Some(value) = visible(chain, ts).and_then(|v| v.value.as_deref()) {
            rows.push((key.clone(), value.to_vec()));
            if rows.len() >= limit {
                return None;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(t: u64) -> Timestamp {
        Timestamp(t)
    }

    fn val(s: &str) -> Option<Box<[u8]>> {
        Some(s.as_bytes().into())
    }

    /// The store drawn in the module docs.
    fn example() -> Versions {
        let mut v = Versions::new();
        v.put(b"a".to_vec(), ts(10), val("a1"));
        v.put(b"c".to_vec(), ts(10), val("c1"));
        v.put(b"a".to_vec(), ts(20), val("a2"));
        v.put(b"b".to_vec(), ts(20), val("b2"));
        v.put(b"b".to_vec(), ts(30), None);
        v.put(b"a".to_vec(), ts(40), val("a4"));
        v.put(b"c".to_vec(), ts(50), val("c5"));
        v
    }

    fn scan_all(v: &Versions, at: u64, reverse: bool) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        let resume = v.scan_into(
            (Bound::Unbounded, Bound::Unbounded),
            ts(at),
            reverse,
            usize::MAX,
            usize::MAX,
            &mut rows,
        );
        assert_eq!(resume, None);
        rows.into_iter()
            .map(|(k, v)| (String::from_utf8(k).unwrap(), String::from_utf8(v).unwrap()))
            .collect()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_see_the_newest_version_at_or_below_their_timestamp() {
        let v = example();
        assert_eq!(scan_all(&v, 5, false), pairs(&[]));
        assert_eq!(scan_all(&v, 15, false), pairs(&[("a", "a1"), ("c", "c1")]));
        assert_eq!(
            scan_all(&v, 25, false),
            pairs(&[("a", "a2"), ("b", "b2"), ("c", "c1")])
        );
        assert_eq!(scan_all(&v, 35, false), pairs(&[("a", "a2"), ("c", "c1")]));
        assert_eq!(scan_all(&v, 45, true), pairs(&[("c", "c1"), ("a", "a4")]));
        assert_eq!(v.get(b"c", ts(50)), Some(&b"c5"[..]));
        assert_eq!(v.get(b"b", ts(30)), None);
        assert_eq!(v.get(b"zz", ts(50)), None);
        assert_eq!((v.key_count(), v.version_count()), (3, 7));
    }

    #[test]
    fn late_versions_are_placed_in_order_and_same_timestamp_replaces() {
        let mut v = Versions::new();
        v.put(b"k".to_vec(), ts(30), val("30"));
        v.put(b"k".to_vec(), ts(10), val("10"));
        v.put(b"k".to_vec(), ts(20), val("20"));
        v.put(b"k".to_vec(), ts(20), val("20bis"));
        let stamps: Vec<u64> = v.versions_of(b"k").iter().map(|v| v.ts.0).collect();
        assert_eq!(stamps, vec![10, 20, 30]);
        assert_eq!(v.get(b"k", ts(25)), Some(&b"20bis"[..]));
        assert_eq!(v.version_count(), 3);
    }

    #[test]
    fn a_tombstone_for_an_absent_key_stores_nothing() {
        let mut v = Versions::new();
        v.put(b"k".to_vec(), ts(10), None);
        assert_eq!((v.key_count(), v.version_count()), (0, 0));
    }

    #[test]
    fn scans_stop_at_the_limit_and_resume_after_max_visit() {
        let v = example();
        let mut rows = Vec::new();
        // At ts 35, b is deleted: the first two keys visited yield one row.
        let resume = v.scan_into(
            (Bound::Unbounded, Bound::Unbounded),
            ts(35),
            false,
            10,
            2,
            &mut rows,
        );
        assert_eq!(resume, Some(b"b".to_vec()));
        assert_eq!(rows.len(), 1);
        let resume = v.scan_into(
            (Bound::Excluded(b"b"), Bound::Unbounded),
            ts(35),
            false,
            10,
            2,
            &mut rows,
        );
        assert_eq!(resume, None);
        assert_eq!(rows.len(), 2);
        // The limit ends a scan early, without a resume key.
        let mut rows = Vec::new();
        let resume = v.scan_into(
            (Bound::Unbounded, Bound::Unbounded),
            ts(50),
            true,
            1,
            10,
            &mut rows,
        );
        assert_eq!(
            (resume, rows),
            (None, vec![(b"c".to_vec(), b"c5".to_vec())])
        );
    }

    #[test]
    fn inverted_or_empty_bounds_scan_nothing_instead_of_panicking() {
        let v = example();
        let mut rows = Vec::new();
        for (start, end) in [
            (Bound::Included(&b"c"[..]), Bound::Excluded(&b"a"[..])),
            (Bound::Excluded(&b"b"[..]), Bound::Excluded(&b"b"[..])),
            (Bound::Included(&b"b"[..]), Bound::Excluded(&b"b"[..])),
        ] {
            assert_eq!(
                v.scan_into((start, end), ts(50), false, 10, 10, &mut rows),
                None
            );
        }
        assert!(rows.is_empty());
    }

    #[test]
    fn gc_keeps_what_reads_at_or_above_the_horizon_see() {
        let mut v = example();
        let (dropped, resume) = v.gc_chunk(None, ts(35), usize::MAX);
        assert_eq!(resume, None);
        // a1 goes; b's chain (b2, tombstone) goes; a2, a4, c1, c5 stay.
        assert_eq!(dropped, 3);
        assert_eq!((v.key_count(), v.version_count()), (2, 4));
        for at in [35, 39, 40, 45, 50, 60] {
            assert_eq!(scan_all(&v, at, false), scan_all(&example(), at, false));
        }
    }

    #[test]
    fn gc_drops_a_tombstone_below_newer_versions() {
        let mut v = Versions::new();
        v.put(b"k".to_vec(), ts(10), val("10"));
        v.put(b"k".to_vec(), ts(20), None);
        v.put(b"k".to_vec(), ts(30), val("30"));
        assert_eq!(v.gc_chunk(None, ts(25), 10), (2, None));
        assert_eq!(v.get(b"k", ts(25)), None);
        assert_eq!(v.get(b"k", ts(30)), Some(&b"30"[..]));
    }

    #[test]
    fn gc_in_chunks_covers_every_key() {
        let mut v = Versions::new();
        for i in 0..10u8 {
            v.put(vec![i], ts(1), val("old"));
            v.put(vec![i], ts(2), val("new"));
        }
        let mut after = None;
        let mut total = 0;
        let mut calls = 0;
        loop {
            let (n, resume) = v.gc_chunk(after.as_deref(), ts(2), 3);
            total += n;
            calls += 1;
            match resume {
                Some(key) => after = Some(key),
                None => break,
            }
        }
        assert_eq!((total, calls), (10, 4));
        assert_eq!(v.version_count(), 10);
    }
}
