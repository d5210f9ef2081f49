//! The log file's format and its recovery scan.
//!
//! The log is one append-only file, `journal.log`: a file header, then one record per entry:
//!
//! ```text
//! +----------------------+-------------------+
//! | magic: "DSQLJRNL"    | version: u32 (LE) |   file header, 12 bytes (version 1)
//! +----------------------+-------------------+
//! +-----------+-----------+--------------------------------------+
//! | len: u32  | crc: u32  | body: postcard-encoded Entry         |   one record per entry
//! | (LE)      | (LE)      | (index, epoch, payload), len bytes   |
//! +-----------+-----------+--------------------------------------+
//!   crc = CRC32 over the 4 length bytes followed by the body
//! ```
//!
//! The header's version is the version of the whole file's layout ([`FILE_VERSION`]). Logs
//! written before the header existed (*legacy* logs, version 0) start directly with their
//! first record; they are read, and appended to, in place (their records have version 1's
//! layout). The two are told apart exactly: a legacy file starts with a record length of at
//! most [`MAX_BODY_LEN`] (64 MiB, `0x04000000`), while the magic's first four bytes read as a
//! little-endian `u32` are `0x4C515344`, far above it. [`layout`] classifies a file; a header
//! with a newer version, or first bytes that are neither, make the replica refuse to open
//! rather than cut a log it does not understand. A new (or empty) log gets the header, fsynced,
//! before its first record; a crash that tears the header leaves a file with no records, which
//! is simply started afresh.
//!
//! The checksum covers the length too, so a flipped length bit is caught rather than sending the
//! scan off into the middle of the next record. Records carry their own index, so the scan also
//! checks that indexes run 1, 2, 3, ... and that epochs never decrease.
//!
//! [`scan`] reads the file front to back and stops at the first record that is incomplete (a
//! crash mid-write), fails its checksum, or does not continue the log. Everything from there on
//! is a torn or damaged tail: the caller cuts the file at [`Recovered::valid_len`]. Entries past
//! a damaged record may have been acknowledged, but every acknowledged entry is also on a quorum
//! of other replicas, and the writer re-sends what this replica lacks (an `Append` answered with
//! `Mismatch` tells it where this log ends).

use proto::journal::Entry;
use proto::{Epoch, LogIndex};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;

/// The first eight bytes of a versioned log file.
pub(crate) const MAGIC: [u8; 8] = *b"DSQLJRNL";

/// The log file layout this build writes (the version in the file header).
pub(crate) const FILE_VERSION: u32 = 1;

/// The length of the file header: the magic and the version.
pub(crate) const FILE_HEADER_LEN: u64 = 12;

/// The file header of a new log.
pub(crate) fn file_header() -> [u8; FILE_HEADER_LEN as usize] {
    let mut header = [0; FILE_HEADER_LEN as usize];
    header[..8].copy_from_slice(&MAGIC);
    header[8..].copy_from_slice(&FILE_VERSION.to_le_bytes());
    header
}

/// What the first bytes of a log file say about its layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// No records can be in it: empty, or a header (or legacy record header) torn before its
    /// end. It gets a fresh header.
    Empty,
    /// A legacy log, records from byte 0.
    Legacy,
    /// A log with a file header of version [`FILE_VERSION`]; records from
    /// [`FILE_HEADER_LEN`].
    Versioned,
}

impl Layout {
    /// Where the first record starts.
    pub fn records_start(self) -> u64 {
        match self {
            Layout::Legacy => 0,
            Layout::Empty | Layout::Versioned => FILE_HEADER_LEN,
        }
    }
}

/// Classifies a log file by its first bytes (at most [`FILE_HEADER_LEN`] of them; fewer if
/// the file is shorter). An error names what is wrong: a newer version, or bytes that are
/// neither a header nor a legacy record.
pub(crate) fn layout(first: &[u8]) -> Result<Layout, String> {
    let magic_len = first.len().min(MAGIC.len());
    if first[..magic_len] == MAGIC[..magic_len] {
        let Some(version) = first.get(8..12) else {
            return Ok(Layout::Empty); // empty, or a torn header
        };
        let version = u32::from_le_bytes(version.try_into().expect("four bytes"));
        return match version {
            FILE_VERSION => Ok(Layout::Versioned),
            0 => Err("the log file header has version 0 (damaged)".into()),
            _ => Err(format!(
                "the log file has format version {version}, newer than this build reads \
                 (up to {FILE_VERSION}): it was written by a newer version of dsql"
            )),
        };
    }
    match first.get(..4) {
        // Shorter than a legacy record header: no intact record.
        None => Ok(Layout::Empty),
        Some(len) if u32::from_le_bytes(len.try_into().expect("four bytes")) <= MAX_BODY_LEN => {
            Ok(Layout::Legacy)
        }
        Some(_) => Err("the log file starts with neither a file header nor a record".into()),
    }
}

/// Bytes before a record's body: the length and the checksum.
pub(crate) const HEADER_LEN: u64 = 8;

/// The largest body a record may have. Larger appends are refused up front, and a larger length
/// field found on disk marks a damaged record.
pub(crate) const MAX_BODY_LEN: u32 = 64 << 20;

/// The largest entry payload an append may carry: the body limit minus room for the encoded
/// index, epoch and payload length (at most 10 bytes each as postcard varints).
pub(crate) const MAX_PAYLOAD_LEN: usize = MAX_BODY_LEN as usize - 32;

/// Where one entry's record lives in the file, and the entry's epoch (kept in memory because
/// every append checks the epoch at `prev_index`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Byte offset of the record's header.
    pub offset: u64,
    /// Length of the whole record, header included.
    pub len: u32,
    /// The entry's epoch.
    pub epoch: Epoch,
}

impl Slot {
    /// The offset just past the record.
    pub fn end(&self) -> u64 {
        self.offset + u64::from(self.len)
    }
}

/// Appends `entry`'s record to `out` and returns the record's length, header included.
pub(crate) fn encode(entry: &Entry, out: &mut Vec<u8>) -> io::Result<u32> {
    let body = postcard::to_allocvec(entry).map_err(io::Error::other)?;
    let len = u32::try_from(body.len())
        .ok()
        .filter(|len| *len <= MAX_BODY_LEN)
        .ok_or_else(|| io::Error::other(format!("entry {} is too large", entry.index)))?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&checksum(len, &body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(len + HEADER_LEN as u32)
}

/// The CRC32 of a record: over the length field, then the body.
fn checksum(len: u32, body: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&len.to_le_bytes());
    hasher.update(body);
    hasher.finalize()
}

/// Checks a body against its header and decodes it. `None` means the record is damaged.
fn decode(len: u32, crc: u32, body: &[u8]) -> Option<Entry> {
    if checksum(len, body) != crc {
        return None;
    }
    match postcard::take_from_bytes::<Entry>(body) {
        Ok((entry, [])) => Some(entry),
        _ => None,
    }
}

/// Reads the entry at `index`, whose record is at `slot`, with a positioned read (safe to run
/// alongside the writer, which only writes past the readable part of the file).
pub(crate) fn read_at(file: &File, index: LogIndex, slot: Slot) -> proto::Result<Entry> {
    let mut record = vec![0; slot.len as usize];
    file.read_exact_at(&mut record, slot.offset)
        .map_err(|err| proto::Error::Internal(format!("reading journal entry {index}: {err}")))?;
    let damaged = || proto::Error::Internal(format!("journal entry {index} is damaged on disk"));
    let (header, body) = record
        .split_at_checked(HEADER_LEN as usize)
        .ok_or_else(damaged)?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if len as usize != body.len() {
        return Err(damaged());
    }
    match decode(len, crc, body) {
        Some(entry) if entry.index == index => Ok(entry),
        _ => Err(damaged()),
    }
}

/// What [`scan`] found in a log file.
#[derive(Debug)]
pub(crate) struct Recovered {
    /// One slot per intact entry; `slots[i]` holds index `i + 1`.
    pub slots: Vec<Slot>,
    /// The last intact entries, as many as fit the cache budget, oldest first.
    pub tail: VecDeque<Entry>,
    /// Payload bytes held in `tail`.
    pub tail_bytes: usize,
    /// The length of the intact prefix: the file is cut here if it is longer.
    pub valid_len: u64,
    /// The file's length as found.
    pub file_len: u64,
}

/// How much memory an entry is charged in the cache.
pub(crate) fn cache_cost(entry: &Entry) -> usize {
    entry.payload.len() + std::mem::size_of::<Entry>()
}

/// Reads every record of `file` from `start` (where [`layout`] says the first record is),
/// keeping the intact prefix (see the module docs). Only real I/O errors fail; damage ends the
/// prefix.
pub(crate) fn scan(file: &File, start: u64, cache_bytes: usize) -> io::Result<Recovered> {
    let file_len = file.metadata()?.len();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    reader.seek(SeekFrom::Start(start))?;
    let mut found = Recovered {
        slots: Vec::new(),
        tail: VecDeque::new(),
        tail_bytes: 0,
        valid_len: start,
        file_len,
    };
    let mut last_epoch = Epoch(0);
    let mut body = Vec::new();
    loop {
        let offset = found.valid_len;
        if file_len.saturating_sub(offset) < HEADER_LEN {
            break; // clean end, or a torn header
        }
        let mut header = [0u8; HEADER_LEN as usize];
        reader.read_exact(&mut header)?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if len > MAX_BODY_LEN || file_len - offset - HEADER_LEN < u64::from(len) {
            break; // a torn body, or a damaged length
        }
        body.resize(len as usize, 0);
        reader.read_exact(&mut body)?;
        let expected = LogIndex(found.slots.len() as u64 + 1);
        let Some(entry) = decode(len, crc, &body) else {
            break;
        };
        if entry.index != expected || entry.epoch < last_epoch {
            break;
        }
        last_epoch = entry.epoch;
        let slot = Slot {
            offset,
            len: len + HEADER_LEN as u32,
            epoch: entry.epoch,
        };
        found.slots.push(slot);
        found.valid_len = slot.end();
        found.tail_bytes += cache_cost(&entry);
        found.tail.push_back(entry);
        while found.tail_bytes > cache_bytes {
            let Some(evicted) = found.tail.pop_front() else {
                break;
            };
            found.tail_bytes -= cache_cost(&evicted);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn entry(index: u64, epoch: u64, payload: &[u8]) -> Entry {
        Entry {
            index: LogIndex(index),
            epoch: Epoch(epoch),
            payload: payload.to_vec(),
        }
    }

    fn file_with(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(bytes).expect("write");
        file
    }

    fn records(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        for entry in entries {
            encode(entry, &mut out).expect("encode");
        }
        out
    }

    #[test]
    fn scan_reads_back_what_encode_wrote() {
        let entries = vec![entry(1, 1, b"a"), entry(2, 1, b""), entry(3, 2, b"ccc")];
        let bytes = records(&entries);
        let file = file_with(&bytes);
        let found = scan(&file, 0, usize::MAX).expect("scan");
        assert_eq!(found.valid_len, bytes.len() as u64);
        assert_eq!(found.file_len, bytes.len() as u64);
        assert_eq!(found.tail, entries);
        for (i, slot) in found.slots.iter().enumerate() {
            let index = LogIndex(i as u64 + 1);
            assert_eq!(read_at(&file, index, *slot).expect("read"), entries[i]);
        }
    }

    #[test]
    fn scan_stops_at_every_possible_tear() {
        let entries = vec![entry(1, 1, b"first"), entry(2, 1, b"second")];
        let bytes = records(&entries);
        let first_len = records(&entries[..1]).len();
        for cut in 0..bytes.len() {
            let found = scan(&file_with(&bytes[..cut]), 0, usize::MAX).expect("scan");
            let intact = if cut >= first_len { 1 } else { 0 };
            assert_eq!(found.slots.len(), intact, "cut at {cut}");
            assert_eq!(
                found.valid_len,
                if intact == 1 { first_len as u64 } else { 0 }
            );
        }
    }

    #[test]
    fn scan_stops_at_a_flipped_bit_anywhere_in_a_record() {
        let entries = vec![entry(1, 1, b"first"), entry(2, 1, b"second")];
        let bytes = records(&entries);
        let first_len = records(&entries[..1]).len();
        for at in first_len..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x01;
            let found = scan(&file_with(&damaged), 0, usize::MAX).expect("scan");
            assert_eq!(found.slots.len(), 1, "bit flipped at {at}");
            assert_eq!(found.valid_len, first_len as u64);
        }
    }

    #[test]
    fn scan_refuses_a_log_that_skips_an_index_or_goes_back_in_epoch() {
        let skipping = records(&[entry(1, 1, b"a"), entry(3, 1, b"c")]);
        assert_eq!(
            scan(&file_with(&skipping), 0, 0).expect("scan").slots.len(),
            1
        );
        let backwards = records(&[entry(1, 2, b"a"), entry(2, 1, b"b")]);
        assert_eq!(
            scan(&file_with(&backwards), 0, 0)
                .expect("scan")
                .slots
                .len(),
            1
        );
    }

    #[test]
    fn scan_keeps_only_the_newest_entries_within_the_cache_budget() {
        let entries: Vec<Entry> = (1..=10).map(|i| entry(i, 1, &[0u8; 100])).collect();
        let budget = 3 * cache_cost(&entries[0]);
        let found = scan(&file_with(&records(&entries)), 0, budget).expect("scan");
        assert_eq!(found.slots.len(), 10);
        let cached: Vec<u64> = found.tail.iter().map(|e| e.index.0).collect();
        assert_eq!(cached, vec![8, 9, 10]);
    }

    #[test]
    fn layout_tells_headers_legacy_logs_and_torn_files_apart() {
        let header = file_header();
        assert_eq!(layout(&header), Ok(Layout::Versioned));
        for torn in 0..header.len() {
            assert_eq!(layout(&header[..torn]), Ok(Layout::Empty), "{torn} bytes");
        }
        // Every legacy log starts with a record length of at most MAX_BODY_LEN.
        let legacy = records(&[entry(1, 1, b"a")]);
        assert_eq!(layout(&legacy[..12]), Ok(Layout::Legacy));
        assert_eq!(layout(&MAX_BODY_LEN.to_le_bytes()), Ok(Layout::Legacy));
        assert!(u32::from_le_bytes(MAGIC[..4].try_into().unwrap()) > MAX_BODY_LEN);
        assert_eq!(layout(&legacy[..3]), Ok(Layout::Empty));
        // A legacy log read from its start scans like any other.
        let found = scan(&file_with(&legacy), Layout::Legacy.records_start(), 0).expect("scan");
        assert_eq!(found.slots.len(), 1);
    }

    #[test]
    fn layout_refuses_a_newer_version_and_unknown_bytes() {
        let mut newer = file_header();
        newer[8] = 2;
        assert_eq!(
            layout(&newer),
            Err(
                "the log file has format version 2, newer than this build reads (up to 1): \
                 it was written by a newer version of dsql"
                    .into()
            )
        );
        let mut zero = file_header();
        zero[8] = 0;
        assert!(layout(&zero).is_err());
        assert!(layout(&(MAX_BODY_LEN + 1).to_le_bytes()).is_err());
    }

    #[test]
    fn scan_starts_after_the_file_header() {
        let entries = vec![entry(1, 1, b"a"), entry(2, 1, b"b")];
        let mut bytes = file_header().to_vec();
        bytes.extend(records(&entries));
        let found = scan(&file_with(&bytes), FILE_HEADER_LEN, usize::MAX).expect("scan");
        assert_eq!(found.tail, entries);
        assert_eq!(found.slots[0].offset, FILE_HEADER_LEN);
        assert_eq!(found.valid_len, bytes.len() as u64);
        let empty = scan(&file_with(&file_header()), FILE_HEADER_LEN, 0).expect("scan");
        assert_eq!((empty.slots.len(), empty.valid_len), (0, FILE_HEADER_LEN));
    }

    #[test]
    fn read_at_reports_damage_instead_of_returning_garbage() {
        let bytes = records(&[entry(1, 1, b"hello")]);
        let mut damaged = bytes.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0xff;
        let slot = Slot {
            offset: 0,
            len: bytes.len() as u32,
            epoch: Epoch(1),
        };
        assert!(matches!(
            read_at(&file_with(&damaged), LogIndex(1), slot),
            Err(proto::Error::Internal(_))
        ));
        // The right bytes asked for under the wrong index are refused too.
        assert!(read_at(&file_with(&bytes), LogIndex(2), slot).is_err());
    }
}
