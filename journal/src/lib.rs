//! The journal role: one replica of dsql's replicated commit log.
//!
//! The commit log lives on three replicas, each in its own folder with its own fsyncs. The
//! writer (the adjudicator) sends every [`AppendRequest`](proto::journal::AppendRequest) to all
//! three and counts an entry durable once two answered `Appended`. A replica is passive: it
//! checks that each append continues its log, refuses writers older than the epoch it was
//! sealed with, and serves reads to storage shards (committed entries only) and to a writer
//! that recovers or repairs a lagging replica (any entries). [`LocalReplica`] is the in-process
//! implementation of [`proto::journal::Replica`].
//!
//! # On disk
//!
//! ```text
//!   <dir>/journal.log   [magic][version][len][crc][entry 1][len][crc][entry 2] ...   append-only
//!   <dir>/meta          [sealed epoch][crc]                           replaced atomically
//! ```
//!
//! The log starts with a 12-byte file header (`DSQLJRNL` and the format version; logs written
//! before versions existed have none and are read as they are, see the `record` module).
//! Each record is a little-endian `u32` body length, a CRC32 of length and body, and the
//! postcard-encoded [`Entry`](proto::journal::Entry) (index, epoch, payload). Opening scans the
//! records, checking each checksum and that indexes run 1, 2, 3, ...; the first record that is
//! torn or damaged and everything after it are cut off, so a crash mid-write never stops the
//! replica from opening and never shows a partial entry. The sealed epoch is rewritten through a
//! temporary file, fsync, rename and folder fsync. Details: the `record` and `meta` modules.
//!
//! In memory a replica keeps one slot (file offset, length, epoch) per entry, so locating any
//! entry or the byte to cut a suffix at is O(1), plus a cache of the newest entries (64 MiB by
//! default) from which storage shards tailing the log are served.
//!
//! # Appends: log matching and group commit
//!
//! An append names the entry its entries follow (`prev_index`, `prev_epoch`). The replica
//! answers `Mismatch` if it lacks that entry (dropping it and what follows if it has the index
//! in another epoch), skips entries it already has in the same epoch (so resending is
//! harmless) and cuts a conflicting suffix before writing the rest, as Raft does (see the `log` module):
//!
//! ```text
//!   log before       1:e1 2:e1 3:e1          (index:epoch)
//!   append prev=1:e1 entries 2:e1 3:e2 4:e2
//!   log after        1:e1 2:e1 3:e2 4:e2     (2 skipped, old 3 replaced, 4 added)
//! ```
//!
//! One writer thread per replica takes every request waiting in its channel as a group,
//! applies them strictly in arrival order, issues one `sync_data` for the whole group and only
//! then answers them all. Readers see new entries only after that fsync. Because order is
//! arrival order, a writer may pipeline: send `prev=5, entries 6..8` before `prev=0, entries
//! 1..5` is answered. [`LocalReplica::submit_append`] queues at call time, which makes the
//! order of calls the order of arrival.
//!
//! ```text
//!   appenders   A(1..5)  A(6..8)  A(9)          A(10)
//!   writer      [write 1..5, 6..8, 9] fsync ->  answer all three
//!                                               [write 10] fsync -> answer
//! ```
//!
//! # Epochs and the commit index
//!
//! `Seal(e)` durably raises the sealed epoch to `e` if `e` is higher, else answers
//! [`Error::Fenced`](proto::Error::Fenced); it reports where the log ends. An append from a
//! lower epoch is fenced; one from a higher epoch raises the sealed epoch first. Each append
//! also carries the writer's commit index: the replica keeps the highest one it was told,
//! limited to the entries that append proved to match the writer's log, and never above its
//! last index. It is kept in memory only (0 after a restart until the writer says it again),
//! and bounds reads with `committed_only`. A suffix is never cut below it: such an append is
//! refused as invalid, since committed entries are on a quorum and only a broken writer would
//! replace them.
//!
//! # Failure
//!
//! [`LocalReplica::stop`] behaves like a crash: the writer thread exits, the files close and
//! every call answers [`Error::Unavailable`](proto::Error::Unavailable) until
//! [`LocalReplica::restart`] recovers from disk. An I/O error in the writer does the same
//! (fail-stop): after a failed write or fsync the file may not match memory, so the replica
//! stops and rebuilds from disk when restarted.

mod log;
mod meta;
mod record;
mod replica;
mod writer;

pub use replica::{LocalReplica, Options};
