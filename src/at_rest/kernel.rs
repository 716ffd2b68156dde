//! The reader of `/proc` and `/sys`: the one file in at_rest that touches the
//! filesystem itself. Only `src/fs/` may otherwise use `std::fs`, because the files it
//! opens are the person's; these are the kernel's own tables, read below `Roots` so
//! that tests can fake them. Every read is bounded and never blocks, since a fake tree
//! can hold a FIFO or a device where an attribute should be.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;

use super::error::AtRestError;

/// Sysfs attributes are at most a page; anything longer is not one.
const ATTR_LIMIT: usize = 4096;

/// At most `limit` bytes of a regular file, and whether there was more. Non-blocking
/// and regular-only so that a FIFO or device planted in a test tree cannot hang a read.
pub(super) fn read_bounded(path: &Path, limit: usize) -> Result<(Vec<u8>, bool), AtRestError> {
    let failed = |source| AtRestError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(failed)?;
    if !file.metadata().map_err(failed)?.is_file() {
        return Err(AtRestError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let mut bytes = Vec::new();
    file.take((limit as u64).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    let truncated = bytes.len() > limit;
    bytes.truncate(limit);
    Ok((bytes, truncated))
}

/// A sysfs attribute as trimmed text; None when it cannot be read, since sysfs leaves
/// out what a device does not have and a missing attribute is an answer.
pub(super) fn read_attr(path: &Path) -> Option<String> {
    let (bytes, _) = read_bounded(path, ATTR_LIMIT).ok()?;
    Some(String::from_utf8_lossy(&bytes).trim().to_owned())
}

/// Up to `limit` entry names of a directory, sorted so that verdicts are stable.
pub(super) fn list_names(dir: &Path, limit: usize) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .take(limit)
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// Whether `path` is a directory, following links as sysfs's `dev/block` entries need.
pub(super) fn is_dir(path: &Path) -> bool {
    path.is_dir()
}

/// Whether something is at `path`, following links.
pub(super) fn exists(path: &Path) -> bool {
    path.exists()
}

/// Whether there is an entry at `path` itself: a btrfs `devices/` entry is a link
/// that need not resolve to count.
pub(super) fn link_exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// `path` with every link resolved: sysfs's `dev/block/MAJ:MIN` entries lead into
/// `/sys/devices`, whose directory tree says which disk and bus a device is on.
pub(super) fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}
