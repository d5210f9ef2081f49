//! The replica's metadata file: the epoch it is sealed at.
//!
//! The file `meta` holds 12 bytes: the epoch (u64, little endian) and a CRC32 of those 8 bytes.
//! It is replaced atomically: the new content goes to `meta.tmp`, which is fsynced and renamed
//! over `meta`, and then the folder is fsynced so the rename itself is durable. A crash at any
//! point leaves either the old or the new file, never a mix; a leftover `meta.tmp` is ignored.
//!
//! Unlike the log, a damaged `meta` is not repaired: forgetting a seal could let a fenced writer
//! back in, so the replica refuses to open and an operator has to look.

use proto::Epoch;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The metadata file's name inside the replica's folder.
const META: &str = "meta";
/// The temporary file a new version is written to before the rename.
const META_TMP: &str = "meta.tmp";
/// The metadata file's exact length.
const META_LEN: usize = 12;

/// How many fsyncs [`store`] issues (the file and the folder).
pub(crate) const STORE_FSYNCS: u64 = 2;

/// Reads the sealed epoch; a replica that was never sealed is at epoch 0.
pub(crate) fn load(dir: &Path) -> proto::Result<Epoch> {
    let path = dir.join(META);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Epoch(0)),
        Err(err) => {
            return Err(proto::Error::Internal(format!(
                "reading {}: {err}",
                path.display()
            )));
        }
    };
    let damaged =
        || proto::Error::Internal(format!("journal metadata {} is damaged", path.display()));
    let bytes: [u8; META_LEN] = bytes.try_into().map_err(|_| damaged())?;
    let (epoch, crc) = bytes.split_at(8);
    if crc32fast::hash(epoch).to_le_bytes() != crc {
        return Err(damaged());
    }
    let epoch: [u8; 8] = epoch.try_into().map_err(|_| damaged())?;
    Ok(Epoch(u64::from_le_bytes(epoch)))
}

/// Durably replaces the sealed epoch (see the module docs for the steps).
pub(crate) fn store(dir: &Path, epoch: Epoch) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(META_LEN);
    bytes.extend_from_slice(&epoch.0.to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&bytes).to_le_bytes());
    let tmp = dir.join(META_TMP);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, dir.join(META))?;
    sync_dir(dir)
}

/// Fsyncs a folder, making the creation, renaming or removal of its files durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_folder_is_at_epoch_zero_and_stores_round_trip() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(load(dir.path()).expect("load"), Epoch(0));
        store(dir.path(), Epoch(7)).expect("store");
        assert_eq!(load(dir.path()).expect("load"), Epoch(7));
        store(dir.path(), Epoch(9)).expect("store");
        assert_eq!(load(dir.path()).expect("load"), Epoch(9));
        assert!(!dir.path().join(META_TMP).exists());
    }

    #[test]
    fn a_leftover_temp_file_is_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        store(dir.path(), Epoch(3)).expect("store");
        fs::write(dir.path().join(META_TMP), b"half").expect("write");
        assert_eq!(load(dir.path()).expect("load"), Epoch(3));
    }

    #[test]
    fn damaged_metadata_is_an_error_not_a_silent_epoch_zero() {
        let dir = tempfile::tempdir().expect("temp dir");
        store(dir.path(), Epoch(5)).expect("store");
        let mut bytes = fs::read(dir.path().join(META)).expect("read");
        bytes[0] ^= 0x04;
        fs::write(dir.path().join(META), &bytes).expect("write");
        assert!(matches!(load(dir.path()), Err(proto::Error::Internal(_))));
        fs::write(dir.path().join(META), b"short").expect("write");
        assert!(matches!(load(dir.path()), Err(proto::Error::Internal(_))));
    }
}
