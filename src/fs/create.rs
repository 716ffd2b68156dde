//! Creating what csi-self-check keeps for itself — its state directory and the
//! records in it — with the care the reading side takes: relative to an open
//! directory, never through a link, private modes from the start, and every file
//! replaced whole (a temporary file, flushed, renamed), so a crash or a second run
//! at the same moment leaves the old record or the new one, never half of one; and
//! the one rewrite of a person's file that proves the new content first
//! (`key protect`).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Component, Path};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use zeroize::Zeroizing;

use super::{FsError, Kind, Meta, SafeDir, TempFile};

/// An exclusive `flock` on a file of a directory, held until dropped; the kernel
/// drops it too when the process dies, so a killed run never leaves it held.
#[derive(Debug)]
pub struct DirLock {
    _fd: OwnedFd,
}

/// How often a waiting [`SafeDir::lock`] tries again.
const LOCK_RETRY: Duration = Duration::from_millis(10);

impl SafeDir {
    /// Opens the directory `rel` below this one, creating each missing component
    /// with `mode`; an existing link or non-directory on the way is refused, as by
    /// [`open_dir`](Self::open_dir).
    pub fn create_dirs_within(&self, rel: &Path, mode: u32) -> Result<SafeDir, FsError> {
        let mut dir = SafeDir::open_root(self.path())?;
        if !dir.meta().same_file(self.meta()) {
            return Err(FsError::Changed);
        }
        for component in rel.components() {
            let Component::Normal(name) = component else {
                continue;
            };
            match nix::sys::stat::mkdirat(&dir.fd, name, Mode::from_bits_truncate(mode)) {
                Ok(()) | Err(Errno::EEXIST) => {}
                Err(errno) => return Err(FsError::from_errno(errno)),
            }
            dir = dir.open_dir(name)?;
        }
        Ok(dir)
    }

    /// The directory that is to hold the file `rel` below this one, made as by
    /// [`create_dirs_within`](Self::create_dirs_within), and the file's name.
    pub fn create_parent_within<'r>(
        &self,
        rel: &'r Path,
        mode: u32,
    ) -> Result<(SafeDir, &'r OsStr), FsError> {
        let name = rel.file_name().ok_or(FsError::NoFileName)?;
        let parent = rel.parent().unwrap_or(Path::new(""));
        Ok((self.create_dirs_within(parent, mode)?, name))
    }

    /// A private scratch file for reading back what was written (the sorted runs of
    /// `breach import`): unnamed (`O_TMPFILE`) where the filesystem allows it, so a
    /// killed run leaves nothing; elsewhere created under a hidden name and unlinked
    /// at once, which leaves a window of one system call.
    pub fn create_scratch(&self) -> Result<std::fs::File, FsError> {
        use nix::fcntl::{OFlag, openat};
        let flags = OFlag::O_TMPFILE | OFlag::O_RDWR | OFlag::O_CLOEXEC;
        match openat(&self.fd, ".", flags, Mode::from_bits_truncate(0o600)) {
            Ok(fd) => return Ok(std::fs::File::from(fd)),
            Err(Errno::EOPNOTSUPP | Errno::EISDIR | Errno::EINVAL) => {}
            Err(errno) => return Err(FsError::from_errno(errno)),
        }
        let flags =
            OFlag::O_RDWR | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        for attempt in 0..16 {
            let name = super::open::temp_name(OsStr::new("scratch"), attempt);
            match openat(
                &self.fd,
                name.as_os_str(),
                flags,
                Mode::from_bits_truncate(0o600),
            ) {
                Ok(fd) => {
                    nix::unistd::unlinkat(
                        &self.fd,
                        name.as_os_str(),
                        nix::unistd::UnlinkatFlags::NoRemoveDir,
                    )
                    .map_err(FsError::from_errno)?;
                    return Ok(std::fs::File::from(fd));
                }
                Err(Errno::EEXIST) => {}
                Err(errno) => return Err(FsError::from_errno(errno)),
            }
        }
        Err(FsError::from_errno(Errno::EEXIST))
    }

    /// Takes the exclusive lock on `name` in this directory (created 0600 when
    /// missing, never through a link, a regular file only), waiting at most `wait`
    /// for another holder to let go. `Err(FsError::Os(EWOULDBLOCK))` when it did
    /// not within `wait`.
    pub fn lock(&self, name: &OsStr, wait: Duration) -> Result<DirLock, FsError> {
        use nix::fcntl::{OFlag, openat};
        use rustix::fs::{FlockOperation, flock};
        let flags = OFlag::O_RDONLY
            | OFlag::O_CREAT
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_CLOEXEC
            | OFlag::O_NOCTTY;
        let fd = openat(&self.fd, name, flags, Mode::from_bits_truncate(0o600))
            .map_err(FsError::from_errno)?;
        let meta = nix::sys::stat::fstat(&fd)
            .map(|st| Meta::from_stat(&st))
            .map_err(FsError::from_errno)?;
        if meta.kind != Kind::Regular {
            return Err(FsError::NotRegular(meta.kind));
        }
        let deadline = Instant::now() + wait;
        loop {
            match flock(&fd, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(DirLock { _fd: fd }),
                Err(errno)
                    if errno == rustix::io::Errno::WOULDBLOCK && Instant::now() < deadline =>
                {
                    std::thread::sleep(LOCK_RETRY);
                }
                Err(errno) => {
                    return Err(FsError::from_errno(Errno::from_raw(errno.raw_os_error())));
                }
            }
        }
    }

    /// Removes the temporary files a killed rewrite of `name` left (a kill between
    /// naming the finished file and renaming it), for a caller that holds the lock
    /// every rewrite of this directory takes, so none is still in use. At most the
    /// first `limit` entries are looked at.
    pub fn remove_stale_temps(&self, name: &OsStr, limit: usize) -> Result<(), FsError> {
        let (entries, _) = self.entries(limit)?;
        for entry in entries.iter().filter(|e| super::open::is_temp_of(e, name)) {
            match nix::unistd::unlinkat(
                &self.fd,
                entry.as_os_str(),
                nix::unistd::UnlinkatFlags::NoRemoveDir,
            ) {
                Ok(()) | Err(Errno::ENOENT) => {}
                Err(errno) => return Err(FsError::from_errno(errno)),
            }
        }
        Ok(())
    }

    /// Replaces `name` in this directory with `bytes`, mode `mode`, through a
    /// temporary file (see [`create_temp`](Self::create_temp)): written, flushed and
    /// only then renamed over `name`.
    pub fn write_atomic(&self, name: &OsStr, bytes: &[u8], mode: u32) -> Result<(), FsError> {
        let temp = self.create_temp(name)?;
        let mut file = temp.file();
        file.write_all(bytes).map_err(|e| {
            FsError::from_errno(e.raw_os_error().map_or(Errno::EIO, Errno::from_raw))
        })?;
        temp.replace_as(mode)
    }
}

impl SafeDir {
    /// Replaces `name`, which `seen` described, with `bytes` — atomically, with the
    /// owner and mode it has — only after `prove` has accepted the bytes read back
    /// from the new file, and only while `name` is still the file `seen` described
    /// (same inode, size and modification time). `Ok(Err(…))`: `prove` refused, and
    /// nothing was replaced.
    pub fn rewrite_proven<E>(
        &self,
        name: &OsStr,
        seen: &Meta,
        bytes: &[u8],
        prove: impl FnOnce(&[u8]) -> Result<(), E>,
    ) -> Result<Result<(), E>, FsError> {
        let temp = self.create_temp(name)?;
        let mut file = temp.file();
        file.write_all(bytes).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        let back = read_back(&temp, bytes.len())?;
        if let Err(refused) = prove(&back) {
            return Ok(Err(refused));
        }
        let now = self.lstat(name)?;
        if !now.same_file(seen) || now.size != seen.size || now.modified != seen.modified {
            return Err(FsError::Changed);
        }
        temp.replace(seen)?;
        Ok(Ok(()))
    }
}

fn io_error(error: std::io::Error) -> FsError {
    FsError::from_errno(error.raw_os_error().map_or(Errno::EIO, Errno::from_raw))
}

/// What the temporary file holds, read through a descriptor of its own (it was
/// opened for writing only): by its name, or through /proc for an unnamed one. At
/// most one byte more than `expected`, so that a longer file shows.
fn read_back(temp: &TempFile<'_>, expected: usize) -> Result<Zeroizing<Vec<u8>>, FsError> {
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = match &temp.name {
        Some(name) => nix::fcntl::openat(&temp.dir.fd, name.as_os_str(), flags, Mode::empty()),
        None => nix::fcntl::open(
            super::open::proc_fd_path(&temp.file).as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        ),
    }
    .map_err(FsError::from_errno)?;
    let ours = nix::sys::stat::fstat(&temp.file).map_err(FsError::from_errno)?;
    if !super::open::fstat_meta(&fd)?.same_file(&Meta::from_stat(&ours)) {
        return Err(FsError::Changed);
    }
    let mut back = Zeroizing::new(Vec::with_capacity(expected + 1));
    std::fs::File::from(fd)
        .take(u64::try_from(expected).unwrap_or(u64::MAX) + 1)
        .read_to_end(&mut back)
        .map_err(io_error)?;
    Ok(back)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn directories_are_made_private_and_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = SafeDir::open_root(dir.path()).unwrap();
        let state = root
            .create_dirs_within(Path::new(".local/state/csi-self-check"), 0o700)
            .unwrap();
        let mode = std::fs::metadata(state.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        // Again: the existing directories are opened, not an error.
        root.create_dirs_within(Path::new(".local/state/csi-self-check"), 0o700)
            .unwrap();
        std::os::unix::fs::symlink("/tmp", dir.path().join("link")).unwrap();
        assert!(matches!(
            root.create_dirs_within(Path::new("link/x"), 0o700),
            Err(FsError::Symlink { .. })
        ));
    }

    #[test]
    fn a_lock_is_exclusive_waits_a_bounded_time_and_ends_with_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let root = SafeDir::open_root(dir.path()).unwrap();
        let held = root
            .lock(OsStr::new("lock"), std::time::Duration::ZERO)
            .unwrap();
        let again = root.lock(OsStr::new("lock"), std::time::Duration::from_millis(30));
        assert!(
            matches!(again, Err(FsError::Os(Errno::EWOULDBLOCK))),
            "{again:?}"
        );
        drop(held);
        root.lock(OsStr::new("lock"), std::time::Duration::ZERO)
            .unwrap();
        let mode = std::fs::metadata(dir.path().join("lock"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A link in its place is refused, not followed.
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("linked")).unwrap();
        assert!(
            root.lock(OsStr::new("linked"), std::time::Duration::ZERO)
                .is_err()
        );
    }

    #[test]
    fn a_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let root = SafeDir::open_root(dir.path()).unwrap();
        root.write_atomic(OsStr::new("record"), b"first", 0o600)
            .unwrap();
        root.write_atomic(OsStr::new("record"), b"second", 0o600)
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("record")).unwrap(), b"second");
        let mode = std::fs::metadata(dir.path().join("record"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "a temporary file was left");
        // A link in the record's place is replaced, not written through.
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("linked")).unwrap();
        root.write_atomic(OsStr::new("linked"), b"mine", 0o600)
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("linked")).unwrap(), b"mine");
        assert!(
            !std::fs::symlink_metadata(dir.path().join("linked"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
