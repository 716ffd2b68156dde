//! The one door to the filesystem. Every check reads the user's files through
//! [`SafeDir`] and [`SafeFile`], never through `std::fs` with a path, because a home
//! directory is hostile ground: a key may be a symlink to `/etc/shadow`, a FIFO that
//! blocks a reader forever, a device, or a 10 GB sparse file.
//!
//! The rules, after OpenSSH's `auth_openfile` and sudo-rs's `secure_open`:
//! - names are resolved relative to an open directory (`openat`), one component at a
//!   time, so a directory swapped for a link mid-run cannot redirect us;
//! - an entry is looked at with `lstat` first and only regular files are opened; the
//!   open itself uses `O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC|O_NOCTTY`, so a race that swaps
//!   in a link or a FIFO fails instead of following or blocking;
//! - the open descriptor is `fstat`ed and must still be the same regular file;
//! - reads stop at a bound the caller gives.

mod chmod;
mod create;
mod link;
mod list;
mod open;
pub mod perm;
mod temp_dir;
#[cfg(test)]
mod tests;

pub use create::DirLock;
pub use link::{Refusal, Why};
pub use open::{SafeDir, SafeFile, TempFile};
pub use temp_dir::PrivateTempDir;

use std::ffi::OsString;
use std::fmt;

use nix::errno::Errno;
use nix::sys::stat::{FileStat, SFlag};

/// What kind of directory entry something is, from `lstat` or `fstat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Unknown,
}

impl Kind {
    fn from_mode(mode: u32) -> Kind {
        match SFlag::from_bits_truncate(mode & SFlag::S_IFMT.bits()) {
            SFlag::S_IFREG => Kind::Regular,
            SFlag::S_IFDIR => Kind::Directory,
            SFlag::S_IFLNK => Kind::Symlink,
            SFlag::S_IFIFO => Kind::Fifo,
            SFlag::S_IFSOCK => Kind::Socket,
            SFlag::S_IFCHR => Kind::CharDevice,
            SFlag::S_IFBLK => Kind::BlockDevice,
            _ => Kind::Unknown,
        }
    }

    /// A short noun for messages: "a FIFO", "a socket".
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Regular => "a regular file",
            Kind::Directory => "a directory",
            Kind::Symlink => "a symbolic link",
            Kind::Fifo => "a FIFO",
            Kind::Socket => "a socket",
            Kind::CharDevice => "a character device",
            Kind::BlockDevice => "a block device",
            Kind::Unknown => "an entry of unknown type",
        }
    }
}

/// The facts about an entry that checks decide on; always from one `stat` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    pub kind: Kind,
    /// Permission bits, including set-id and sticky bits (`st_mode & 07777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u64,
    pub size: u64,
    pub dev: u64,
    pub ino: u64,
    /// The inode's change time (seconds, nanoseconds): a rewrite in place shows here.
    pub changed: (i64, i64),
    /// The content's modification time (seconds, nanoseconds).
    pub modified: (i64, i64),
}

impl Meta {
    fn from_stat(st: &FileStat) -> Meta {
        Meta {
            kind: Kind::from_mode(st.st_mode),
            mode: st.st_mode & 0o7777,
            uid: st.st_uid,
            gid: st.st_gid,
            nlink: st.st_nlink,
            size: u64::try_from(st.st_size).unwrap_or(0),
            dev: st.st_dev,
            ino: st.st_ino,
            changed: (st.st_ctime, st.st_ctime_nsec),
            modified: (st.st_mtime, st.st_mtime_nsec),
        }
    }

    /// The same inode as `other` (the guard against an entry swapped between looks).
    pub fn same_file(&self, other: &Meta) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

/// Where an open file's bytes are kept, for judging whether they are encrypted at
/// rest. `st_dev` alone cannot say: a btrfs subvolume's number is in no mountinfo
/// line, and fscrypt is a per-file attribute that only `statx` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// `st_dev` from the `fstat` of the open descriptor.
    pub dev: u64,
    /// The mount's id, as in field 1 of `/proc/self/mountinfo` (`statx`, Linux 5.8+).
    pub mount_id: Option<u64>,
    /// Whether fscrypt encrypts the file; None when the kernel or filesystem does
    /// not report the attribute.
    pub fscrypt: Option<bool>,
}

impl Location {
    /// Only the device number, as when `statx` is unavailable (Linux before 4.11, or
    /// a container's seccomp filter) or no descriptor is open.
    pub fn from_dev(dev: u64) -> Location {
        Location {
            dev,
            mount_id: None,
            fscrypt: None,
        }
    }
}

/// Why an entry could not be opened or read; each variant is reportable as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    /// The entry does not exist.
    NotFound,
    /// The entry is a symbolic link; it was not followed. The target is shown, never
    /// opened.
    Symlink { target: Option<OsString> },
    /// A regular file was wanted and this is something else.
    NotRegular(Kind),
    /// A directory was wanted and this is something else.
    NotDirectory(Kind),
    /// Permission denied.
    Denied,
    /// The entry changed between `lstat` and `open` (swapped for another file).
    Changed,
    /// A directory holds more entries than the scan limit.
    TooManyEntries(usize),
    /// A file is larger than what is read of it whole (its size, the limit).
    TooLarge(u64, u64),
    /// Not owned by the person checked (the uid is the owner's); not changed.
    NotOwned(u32),
    /// Has this many names; changing it would change the other names' file too.
    HardLinked(u64),
    /// The path ends in no name (`/`, `..`): there is no file to open.
    NoFileName,
    /// Any other system error.
    Os(Errno),
}

impl FsError {
    fn from_errno(errno: Errno) -> FsError {
        match errno {
            Errno::ENOENT => FsError::NotFound,
            Errno::EACCES | Errno::EPERM => FsError::Denied,
            Errno::ELOOP => FsError::Symlink { target: None },
            // A socket cannot be opened; a FIFO or device that slipped past lstat
            // gives ENXIO or similar.
            Errno::ENXIO | Errno::EOPNOTSUPP => FsError::NotRegular(Kind::Unknown),
            other => FsError::Os(other),
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound => write!(f, "does not exist"),
            FsError::Symlink {
                target: Some(target),
            } => write!(
                f,
                "is a symbolic link to {}; not followed",
                crate::sanitize::display_bytes(std::os::unix::ffi::OsStrExt::as_bytes(
                    target.as_os_str()
                ))
            ),
            FsError::Symlink { target: None } => write!(f, "is a symbolic link; not followed"),
            FsError::NotRegular(kind) => {
                write!(f, "is {}, not a regular file; not opened", kind.noun())
            }
            FsError::NotDirectory(kind) => write!(f, "is {}, not a directory", kind.noun()),
            FsError::Denied => write!(f, "permission denied"),
            FsError::Changed => write!(f, "changed while being checked; not read"),
            FsError::TooManyEntries(limit) => {
                write!(
                    f,
                    "holds more than {limit} entries; only the first {limit} were checked"
                )
            }
            FsError::TooLarge(size, limit) => {
                write!(
                    f,
                    "is {size} bytes, more than the {limit} read of it; not read"
                )
            }
            FsError::NotOwned(uid) => write!(f, "belongs to uid {uid}; left unchanged"),
            FsError::HardLinked(links) => {
                write!(f, "has {links} names (hard links); left unchanged")
            }
            FsError::NoFileName => write!(f, "not a file name"),
            FsError::Os(errno) => write!(f, "{}", errno.desc()),
        }
    }
}
impl std::error::Error for FsError {}
