//! Opening directories and files relative to an open directory, without ever
//! following a link, blocking on a FIFO or opening a device.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat, readlinkat};
use nix::sys::stat::{Mode, fstat, fstatat};
use zeroize::Zeroizing;

use super::{FsError, Kind, Location, Meta};

/// Flags every open carries: never follow the last component, never wait on a FIFO or
/// a device, never leak the descriptor into a child, never acquire a terminal.
pub(super) fn base_flags() -> OFlag {
    OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOCTTY
}

pub(super) fn fstat_meta(fd: impl AsFd) -> Result<Meta, FsError> {
    fstat(fd)
        .map(|st| Meta::from_stat(&st))
        .map_err(FsError::from_errno)
}

/// `statx` of the open descriptor itself: the empty path with `AT_EMPTY_PATH`
/// resolves no name again and follows no link. Any error (ENOSYS before Linux 4.11,
/// EPERM or EINVAL from a seccomp filter) leaves only `dev`, which is what was known
/// before.
fn location_of(fd: impl AsFd, dev: u64) -> Location {
    use rustix::fs::{AtFlags, StatxAttributes, StatxFlags, statx};
    let Ok(stx) = statx(fd, "", AtFlags::EMPTY_PATH, StatxFlags::MNT_ID) else {
        return Location::from_dev(dev);
    };
    // A kernel before 5.8 ignores the request and leaves the field zero.
    let mount_id = StatxFlags::from_bits_retain(stx.stx_mask)
        .contains(StatxFlags::MNT_ID)
        .then_some(stx.stx_mnt_id);
    // Without the mask bit a clear attribute means "not reported", not "not set".
    let fscrypt = stx
        .stx_attributes_mask
        .contains(StatxAttributes::ENCRYPTED)
        .then(|| stx.stx_attributes.contains(StatxAttributes::ENCRYPTED));
    Location {
        dev,
        mount_id,
        fscrypt,
    }
}

/// An open directory: the anchor for every name below it.
#[derive(Debug)]
pub struct SafeDir {
    pub(super) fd: OwnedFd,
    pub(super) path: PathBuf,
    pub(super) meta: Meta,
}

impl SafeDir {
    /// Opens `path` as the root of a scan. Links along this one path are followed on
    /// purpose: it comes from the password database or from the operator's `--home`,
    /// and a home that is itself a link (`/home -> /var/home`) is normal. Links
    /// *inside* the root are what is hostile, and those are never followed.
    pub fn open_root(path: &Path) -> Result<SafeDir, FsError> {
        let flags = OFlag::O_RDONLY
            | OFlag::O_DIRECTORY
            | OFlag::O_NONBLOCK
            | OFlag::O_CLOEXEC
            | OFlag::O_NOCTTY;
        let fd = nix::fcntl::open(path, flags, Mode::empty()).map_err(|errno| match errno {
            // Name what it is instead: stat, not lstat, as the open followed links.
            Errno::ENOTDIR => FsError::NotDirectory(
                nix::sys::stat::stat(path).map_or(Kind::Unknown, |st| Meta::from_stat(&st).kind),
            ),
            other => FsError::from_errno(other),
        })?;
        let meta = fstat_meta(&fd)?;
        Ok(SafeDir {
            fd,
            path: path.to_owned(),
            meta,
        })
    }

    /// The path this directory was reached by, for reports only.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the open directory is now, as the kernel names it (no link in it):
    /// the same directory may be reached by another spelling (`/home` a link to
    /// `/var/home`), and only this tells that a path of that spelling lies in it.
    pub fn real_path(&self) -> Option<PathBuf> {
        std::fs::read_link(proc_fd_path(&self.fd)).ok()
    }

    /// `fstat` of the open directory.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Where this directory's entries are kept, from its open descriptor: for a
    /// backup medium named by its directory, and for a mount root such as `/`.
    pub fn location(&self) -> Location {
        location_of(&self.fd, self.meta.dev)
    }

    /// The report path of an entry in this directory.
    pub fn child_path(&self, name: &OsStr) -> PathBuf {
        self.path.join(name)
    }

    /// `lstat` of an entry: a link is described, not followed.
    pub fn lstat(&self, name: &OsStr) -> Result<Meta, FsError> {
        fstatat(&self.fd, name, AtFlags::AT_SYMLINK_NOFOLLOW)
            .map(|st| Meta::from_stat(&st))
            .map_err(FsError::from_errno)
    }

    /// Where a link points, read with `readlinkat` (which never follows it).
    pub fn read_link(&self, name: &OsStr) -> Option<OsString> {
        readlinkat(&self.fd, name).ok()
    }

    pub(super) fn symlink_error(&self, name: &OsStr) -> FsError {
        FsError::Symlink {
            target: self.read_link(name),
        }
    }

    /// Opens a subdirectory. A link, or anything that is not a directory, is refused.
    pub fn open_dir(&self, name: &OsStr) -> Result<SafeDir, FsError> {
        let before = self.lstat(name)?;
        match before.kind {
            Kind::Directory => {}
            Kind::Symlink => return Err(self.symlink_error(name)),
            other => return Err(FsError::NotDirectory(other)),
        }
        let dir = self.open_listed_dir(name)?;
        if !dir.meta.same_file(&before) {
            return Err(FsError::Changed);
        }
        Ok(dir)
    }

    /// Opens a regular file for reading. `seen` is the caller's [`lstat`](Self::lstat)
    /// of `name`: links, FIFOs, sockets and devices are refused on its word, without
    /// being opened; one swapped in after that `lstat` is caught by `O_NOFOLLOW`,
    /// `O_NONBLOCK` and the `fstat` comparison.
    pub fn open_file(&self, name: &OsStr, before: &Meta) -> Result<SafeFile, FsError> {
        match before.kind {
            Kind::Regular => {}
            Kind::Symlink => return Err(self.symlink_error(name)),
            other => return Err(FsError::NotRegular(other)),
        }
        let file = self.open_listed_file(name)?;
        if !file.meta.same_file(before) {
            return Err(FsError::Changed);
        }
        Ok(file)
    }

    /// Opens an entry that the directory listing (its `d_type`) said is a regular
    /// file, for a walker over many files that does not `lstat` each first; also the
    /// second half of [`open_file`](Self::open_file). The open follows no link and
    /// waits on no FIFO, and the descriptor's `fstat` must say regular; an
    /// unprivileged user cannot put a device node in a home.
    pub fn open_listed_file(&self, name: &OsStr) -> Result<SafeFile, FsError> {
        self.open_listed(name)?.checked()
    }

    /// Creates the file that will replace `name` in an atomic rewrite: private
    /// (0600) until it is complete, and where the filesystem allows it, without any
    /// name (`O_TMPFILE`), so that a process killed before the rename leaves nothing
    /// behind — not even a copy of what it was rewriting. Elsewhere it gets a hidden
    /// name, created exclusively and never through a link.
    pub fn create_temp(&self, name: &OsStr) -> Result<TempFile<'_>, FsError> {
        match self.create_unnamed()? {
            Some(file) => Ok(TempFile {
                dir: self,
                file,
                for_name: name.to_owned(),
                name: None,
            }),
            None => self.create_named_temp(name),
        }
    }

    /// An unnamed file in this directory, or `None` where that cannot work: a
    /// filesystem without `O_TMPFILE` (EOPNOTSUPP), a kernel before 3.11, which reads
    /// the flag as `O_DIRECTORY` (EISDIR), or no `/proc`, through which alone an
    /// unprivileged process can give it a name later.
    fn create_unnamed(&self) -> Result<Option<std::fs::File>, FsError> {
        let flags = OFlag::O_TMPFILE | OFlag::O_WRONLY | OFlag::O_CLOEXEC;
        let fd = match openat(&self.fd, ".", flags, Mode::from_bits_truncate(0o600)) {
            Ok(fd) => fd,
            Err(Errno::EOPNOTSUPP | Errno::EISDIR | Errno::EINVAL) => return Ok(None),
            Err(errno) => return Err(FsError::from_errno(errno)),
        };
        let ours = fstat_meta(&fd)?;
        let through_proc = nix::sys::stat::stat(proc_fd_path(&fd).as_str())
            .is_ok_and(|st| Meta::from_stat(&st).same_file(&ours));
        Ok(through_proc.then(|| std::fs::File::from(fd)))
    }

    /// The fallback: a hidden file named after `name`, for filesystems without
    /// `O_TMPFILE`. A kill before the rename leaves it behind.
    pub(super) fn create_named_temp(&self, name: &OsStr) -> Result<TempFile<'_>, FsError> {
        let flags =
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let mut attempt = 0;
        loop {
            let temp = temp_name(name, attempt);
            match openat(
                &self.fd,
                temp.as_os_str(),
                flags,
                Mode::from_bits_truncate(0o600),
            ) {
                Ok(fd) => {
                    return Ok(TempFile {
                        dir: self,
                        file: std::fs::File::from(fd),
                        for_name: name.to_owned(),
                        name: Some(temp),
                    });
                }
                Err(Errno::EEXIST) if attempt < TEMP_ATTEMPTS => attempt += 1,
                Err(errno) => return Err(FsError::from_errno(errno)),
            }
        }
    }

    /// Gives an unnamed file a fresh hidden name in this directory, the step just
    /// before the rename. `linkat` with `AT_EMPTY_PATH` would need
    /// CAP_DAC_READ_SEARCH; the `/proc` link followed with `AT_SYMLINK_FOLLOW` does
    /// not.
    fn link_unnamed(&self, file: &std::fs::File, name: &OsStr) -> Result<OsString, FsError> {
        let proc = proc_fd_path(file);
        let mut attempt = 0;
        loop {
            let temp = temp_name(name, attempt);
            // The old path is absolute, so the first descriptor is not used.
            match nix::unistd::linkat(
                &self.fd,
                proc.as_str(),
                &self.fd,
                temp.as_os_str(),
                AtFlags::AT_SYMLINK_FOLLOW,
            ) {
                Ok(()) => return Ok(temp),
                Err(Errno::EEXIST) if attempt < TEMP_ATTEMPTS => attempt += 1,
                Err(errno) => return Err(FsError::from_errno(errno)),
            }
        }
    }

    /// The open directory holding `path`, a path the person named on the command line,
    /// and its last component: links on the way to the directory are the person's
    /// choice and followed; the last component is for the caller to `lstat` and open
    /// without following.
    pub fn split_path(path: &Path) -> Result<(SafeDir, &OsStr), FsError> {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(FsError::NoFileName);
        };
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        Ok((SafeDir::open_root(parent)?, name))
    }

    /// The open directory holding `path`, and its last component. Below this
    /// directory no link is followed on the way; a path outside it was chosen by the
    /// person (a HISTFILE, a ZDOTDIR) and is opened as a root.
    pub fn parent_of<'p>(&self, path: &'p Path) -> Option<(SafeDir, &'p OsStr)> {
        self.open_parent(path).ok()
    }

    /// [`parent_of`](Self::parent_of), saying why the directory could not be
    /// opened. A path that ends in no name, or names this directory itself, is
    /// [`FsError::NoFileName`]. A path below this directory by either spelling of
    /// it — the one it was opened by, or the kernel's name of the open directory
    /// (`/data/home/ann` for a home reached through a linked `/home`) — is below it.
    pub fn open_parent<'p>(&self, path: &'p Path) -> Result<(SafeDir, &'p OsStr), FsError> {
        let name = path.file_name().ok_or(FsError::NoFileName)?;
        let within = path.strip_prefix(&self.path).ok().or_else(|| {
            let real = self.real_path().filter(|real| *real != self.path)?;
            path.strip_prefix(real).ok()
        });
        let dir = match within {
            Some(rel) => self.open_within(rel.parent().ok_or(FsError::NoFileName)?)?,
            None => SafeDir::open_root(path.parent().ok_or(FsError::NoFileName)?)?,
        };
        Ok((dir, name))
    }

    /// Opens the regular file `rel` below this directory, following no link on the
    /// way or at the end: a file the policy names in a home.
    pub fn open_file_within(&self, rel: &Path) -> Result<SafeFile, FsError> {
        let name = rel.file_name().ok_or(FsError::NoFileName)?;
        let parent = rel.parent().unwrap_or(Path::new(""));
        let below;
        let dir = if parent.as_os_str().is_empty() {
            self
        } else {
            below = self.open_within(parent)?;
            &below
        };
        let seen = dir.lstat(name)?;
        dir.open_file(name, &seen)
    }

    /// Opens the directory `rel` below this one, one component at a time, following
    /// no link on the way.
    pub fn open_within(&self, rel: &Path) -> Result<SafeDir, FsError> {
        let mut components = rel
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)));
        let Some(first) = components.next() else {
            return SafeDir::open_root(&self.path);
        };
        let mut dir = self.open_dir(first.as_os_str())?;
        for component in components {
            dir = dir.open_dir(component.as_os_str())?;
        }
        Ok(dir)
    }

    /// The names in this directory (without `.` and `..`), sorted bytewise, at most
    /// `limit` of them; the flag says whether more were left out.
    pub fn entries(&self, limit: usize) -> Result<(Vec<OsString>, bool), FsError> {
        // A fresh open file description, so that reading it does not move the
        // position of `self.fd` for a later listing.
        let fd = openat(
            &self.fd,
            ".",
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(FsError::from_errno)?;
        let mut dir = Dir::from_fd(fd).map_err(FsError::from_errno)?;
        let mut names = Vec::new();
        let mut truncated = false;
        for entry in dir.iter() {
            let entry = entry.map_err(FsError::from_errno)?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            if names.len() == limit {
                truncated = true;
                break;
            }
            names.push(OsStr::from_bytes(name).to_owned());
        }
        names.sort();
        Ok((names, truncated))
    }
}

/// How many taken names a temporary file tries before giving up; a clash needs a
/// leftover from a run with the same process id and nanosecond.
const TEMP_ATTEMPTS: u32 = 16;

/// `.NAME.csi-redact-PID-NANOS[-N]`: hidden, and named after what it replaces, so
/// that a person who finds one knows where it came from.
pub(super) fn temp_name(name: &OsStr, attempt: u32) -> OsString {
    let nanos = crate::time::nanos() % 1_000_000_000;
    let mut temp = OsString::from(".");
    temp.push(name);
    temp.push(format!(".csi-redact-{}-{nanos}", std::process::id()));
    if attempt > 0 {
        temp.push(format!("-{attempt}"));
    }
    temp
}

/// Whether `entry` is a name [`temp_name`] gives a temporary file for `name`.
pub(super) fn is_temp_of(entry: &OsStr, name: &OsStr) -> bool {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".csi-redact-");
    entry.as_bytes().starts_with(prefix.as_bytes())
}

pub(super) fn proc_fd_path(fd: &impl AsRawFd) -> String {
    format!("/proc/self/fd/{}", fd.as_raw_fd())
}

/// The file that will replace an entry of a directory, created by
/// [`SafeDir::create_temp`]. Until [`replace`](Self::replace) succeeds, dropping it
/// leaves the directory as it was: an unnamed file simply ceases to exist, a named
/// one is removed.
#[derive(Debug)]
pub struct TempFile<'d> {
    pub(super) dir: &'d SafeDir,
    pub(super) file: std::fs::File,
    for_name: OsString,
    /// Its name in `dir`; `None` while it has none.
    pub(super) name: Option<OsString>,
}

impl TempFile<'_> {
    /// The open file, to write the new content to.
    pub fn file(&self) -> &std::fs::File {
        &self.file
    }

    /// The name it has in the directory: `None` for an unnamed (`O_TMPFILE`) file.
    /// The rewrite itself never needs it; the tests tell the two kinds apart by it.
    #[cfg(test)]
    pub fn name(&self) -> Option<&OsStr> {
        self.name.as_deref()
    }

    /// Gives the finished file the owner and mode of what it replaces (`like`),
    /// then puts it in place as [`replace_as`](Self::replace_as) does.
    pub fn replace(self, like: &Meta) -> Result<(), FsError> {
        let owner = (
            nix::unistd::Uid::from_raw(like.uid),
            nix::unistd::Gid::from_raw(like.gid),
        );
        if let Err(errno) = nix::unistd::fchown(&self.file, Some(owner.0), Some(owner.1)) {
            // Only root may give a file away; a person rewriting their own file
            // already owns it, so this fails only when it did not matter.
            if errno != Errno::EPERM || like.uid != nix::unistd::geteuid().as_raw() {
                return Err(FsError::from_errno(errno));
            }
        }
        self.replace_as(like.mode & 0o7777)
    }

    /// Gives the finished file `mode`, flushes it to disk, only then gives it a
    /// name (if it had none) and renames it over the entry it was created for, and
    /// flushes the directory: after a crash either the old or the new file is
    /// there, whole.
    pub fn replace_as(mut self, mode: u32) -> Result<(), FsError> {
        nix::sys::stat::fchmod(&self.file, Mode::from_bits_truncate(mode))
            .map_err(FsError::from_errno)?;
        self.file.sync_all().map_err(|e| {
            FsError::from_errno(e.raw_os_error().map_or(Errno::EIO, Errno::from_raw))
        })?;
        if self.name.is_none() {
            // Named from here on, so that a failed rename removes it (on drop).
            self.name = Some(self.dir.link_unnamed(&self.file, &self.for_name)?);
        }
        if let Some(temp) = &self.name {
            let dir = &self.dir.fd;
            nix::fcntl::renameat(dir, temp.as_os_str(), dir, self.for_name.as_os_str())
                .map_err(FsError::from_errno)?;
        }
        self.name = None;
        nix::unistd::fsync(&self.dir.fd).map_err(FsError::from_errno)
    }
}

impl Drop for TempFile<'_> {
    fn drop(&mut self) {
        if let Some(temp) = self.name.take() {
            let _ = nix::unistd::unlinkat(
                &self.dir.fd,
                temp.as_os_str(),
                nix::unistd::UnlinkatFlags::NoRemoveDir,
            );
        }
    }
}

/// A regular file, open for reading, with the `fstat` taken on its descriptor.
#[derive(Debug)]
pub struct SafeFile {
    pub(super) file: std::fs::File,
    pub(super) meta: Meta,
}

impl SafeFile {
    /// Opens a file the operator named on the command line (a policy file). Links
    /// along the path are followed, because the operator chose the path; the result
    /// must still be a regular file, and a FIFO or device is never waited on.
    pub fn open_named(path: &Path) -> Result<SafeFile, FsError> {
        let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOCTTY;
        let fd = nix::fcntl::open(path, flags, Mode::empty()).map_err(FsError::from_errno)?;
        let meta = fstat_meta(&fd)?;
        if meta.kind != Kind::Regular {
            return Err(FsError::NotRegular(meta.kind));
        }
        Ok(SafeFile {
            file: std::fs::File::from(fd),
            meta,
        })
    }

    /// Opens a regular file the person named on the command line (a key to check, a
    /// history to redact): links along the way are followed, the file itself must not
    /// be a link, a FIFO or a device.
    pub fn open_last_unfollowed(path: &Path) -> Result<SafeFile, FsError> {
        let (dir, name) = SafeDir::split_path(path)?;
        let meta = dir.lstat(name)?;
        dir.open_file(name, &meta)
    }

    /// `fstat` of the open file — never a second `stat` by path.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Where the file's bytes are kept, from the open descriptor — never by path.
    pub fn location(&self) -> Location {
        location_of(&self.file, self.meta.dev)
    }

    /// Reads exactly `buf.len()` bytes at `offset` (`pread`), leaving the file
    /// position alone: an index is read a few pages at a time where a lookup needs
    /// them, which is what a memory map would do, without the `unsafe` a map takes.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, offset)
    }

    /// Reads the next bytes into `buf`, for files read in bounded chunks; 0 at the end.
    pub fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, FsError> {
        loop {
            match self.file.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(FsError::from_errno(
                        e.raw_os_error().map_or(Errno::EIO, Errno::from_raw),
                    ));
                }
            }
        }
    }

    /// Reads at most `max` bytes from the start. The buffer is wiped when dropped,
    /// because what we read may be a private key.
    pub fn read_prefix(&mut self, max: usize) -> Result<Zeroizing<Vec<u8>>, FsError> {
        let want = usize::try_from(self.meta.size)
            .unwrap_or(usize::MAX)
            .min(max);
        let mut buf = Zeroizing::new(vec![0u8; want]);
        let mut filled = 0;
        while filled < want {
            match self.file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let errno = e.raw_os_error().map_or(Errno::EIO, Errno::from_raw);
                    return Err(FsError::from_errno(errno));
                }
            }
        }
        buf.truncate(filled);
        Ok(buf)
    }
}
