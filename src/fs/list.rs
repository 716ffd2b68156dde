//! Opening the entries a listing names — by the kind its `d_type` gave — for walks
//! over many files (`--deep`) that do not `lstat` each entry first. The open itself
//! still follows no link and the descriptor's `fstat` still decides, so a listing
//! that lied (or an entry swapped since) is caught, never followed.

use std::ffi::OsStr;
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::fcntl::{OFlag, openat};
use nix::sys::stat::Mode;
use rustix::fs::{FileType, RawDir};

use super::open::{base_flags, fstat_meta};
use super::{FsError, Kind, SafeDir, SafeFile};

impl SafeDir {
    /// Calls `each` with every name in this directory (not `.` or `..`) and the
    /// kind its listing gives — the entry's `d_type`, or its `lstat` where the
    /// filesystem leaves the type out — in the directory's own order, holding none
    /// of them: a walk over a whole home streams its names instead of collecting
    /// them. The kind is only a hint (an entry can change before it is opened); the
    /// opens above check it again.
    ///
    /// It reads through this directory's own descriptor, from the start (`&mut`:
    /// no second listing can move it meanwhile), where [`SafeDir::entries`] opens
    /// the directory again: a walk lists thousands of directories.
    pub fn each_entry(&mut self, mut each: impl FnMut(&OsStr, Kind)) -> Result<(), FsError> {
        rustix::fs::seek(&self.fd, rustix::fs::SeekFrom::Start(0))
            .map_err(|errno| FsError::from_errno(Errno::from_raw(errno.raw_os_error())))?;
        // Room for a hundred entries of the longest name a filesystem allows.
        let mut buffer = [MaybeUninit::<u8>::uninit(); 32 * 1024];
        let mut listing = RawDir::new(&self.fd, &mut buffer);
        while let Some(entry) = listing.next() {
            let entry = entry
                .map_err(|errno| FsError::from_errno(Errno::from_raw(errno.raw_os_error())))?;
            let name = OsStr::from_bytes(entry.file_name().to_bytes());
            if name == "." || name == ".." {
                continue;
            }
            let kind = match entry.file_type() {
                FileType::RegularFile => Kind::Regular,
                FileType::Directory => Kind::Directory,
                FileType::Symlink => Kind::Symlink,
                FileType::Fifo => Kind::Fifo,
                FileType::Socket => Kind::Socket,
                FileType::CharacterDevice => Kind::CharDevice,
                FileType::BlockDevice => Kind::BlockDevice,
                // Gone since it was listed: there is nothing to look at; a type
                // that cannot be read is left for the caller to say so.
                FileType::Unknown => match self.lstat(name) {
                    Ok(meta) => meta.kind,
                    Err(FsError::NotFound) => continue,
                    Err(_) => Kind::Unknown,
                },
            };
            each(name, kind);
        }
        Ok(())
    }

    /// Opens a subdirectory a listing said is one, without a `lstat` first: the
    /// open follows no link (`O_NOFOLLOW|O_DIRECTORY` fails on one, and on
    /// anything that is no directory) and the descriptor's `fstat` is kept.
    pub fn open_listed_dir(&self, name: &OsStr) -> Result<SafeDir, FsError> {
        let fd = openat(
            &self.fd,
            name,
            base_flags() | OFlag::O_DIRECTORY,
            Mode::empty(),
        )
        .map_err(|errno| match errno {
            Errno::ELOOP => self.symlink_error(name),
            Errno::ENOTDIR => FsError::Changed,
            other => FsError::from_errno(other),
        })?;
        let meta = fstat_meta(&fd)?;
        if meta.kind != Kind::Directory {
            return Err(FsError::Changed);
        }
        Ok(SafeDir {
            fd,
            path: self.child_path(name),
            meta,
        })
    }
}

/// A file a listing said is regular, opened — no link followed, no FIFO waited on,
/// no terminal acquired — but not yet `fstat`ed: a walk over every file reads its
/// first bytes (bounded, non-blocking) and checks only the few worth judging,
/// before anything is said about them.
#[derive(Debug)]
pub struct ListedFile {
    file: std::fs::File,
}

impl SafeDir {
    /// Opens an entry a listing said is a regular file (see [`ListedFile`]).
    pub fn open_listed(&self, name: &OsStr) -> Result<ListedFile, FsError> {
        // O_NOATIME keeps the scan from touching access times; only the owner (or
        // root) may ask for it, so fall back without it.
        let open = |flags: OFlag| openat(&self.fd, name, flags, Mode::empty());
        let fd = match open(base_flags() | OFlag::O_NOATIME) {
            Err(Errno::EPERM) => open(base_flags()),
            result => result,
        }
        .map_err(|errno| match errno {
            Errno::ELOOP => self.symlink_error(name),
            other => FsError::from_errno(other),
        })?;
        Ok(ListedFile {
            file: std::fs::File::from(fd),
        })
    }
}

impl ListedFile {
    /// Reads into `buf` until it is full or the file ends; the bytes read.
    pub fn fill(&mut self, buf: &mut [u8]) -> Result<usize, FsError> {
        let mut filled = 0;
        while filled < buf.len() {
            match std::io::Read::read(&mut self.file, &mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // A FIFO swapped in after the listing has nothing to give now.
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    let errno = e.raw_os_error().map_or(Errno::EIO, Errno::from_raw);
                    return Err(FsError::from_errno(errno));
                }
            }
        }
        Ok(filled)
    }

    /// The open file once its descriptor's `fstat` says it is a regular file.
    pub fn checked(self) -> Result<SafeFile, FsError> {
        let meta = fstat_meta(&self.file)?;
        if meta.kind != Kind::Regular {
            return Err(FsError::NotRegular(meta.kind));
        }
        Ok(SafeFile {
            file: self.file,
            meta,
        })
    }
}
