//! Unit tests of the safe layer itself: what it refuses, that it never blocks, that
//! it notices a swap, and that reads stop at the bound.
#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;
use std::os::unix::fs::symlink;

use super::{FsError, Kind, SafeDir};

fn dir() -> (tempfile::TempDir, SafeDir) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = SafeDir::open_root(tmp.path()).unwrap();
    (tmp, dir)
}

#[test]
fn reads_stop_at_the_bound() {
    let (tmp, dir) = dir();
    std::fs::write(tmp.path().join("big"), vec![b'k'; 200 * 1024]).unwrap();
    let name = OsStr::new("big");
    let seen = dir.lstat(name).unwrap();
    let mut file = dir.open_file(name, &seen).unwrap();
    assert_eq!(file.read_prefix(64 * 1024).unwrap().len(), 64 * 1024);
    // A 10 GB sparse file costs the same bounded read.
    std::fs::File::create(tmp.path().join("sparse"))
        .unwrap()
        .set_len(10 << 30)
        .unwrap();
    let seen = dir.lstat(OsStr::new("sparse")).unwrap();
    let prefix = dir
        .open_file(OsStr::new("sparse"), &seen)
        .unwrap()
        .read_prefix(4096)
        .unwrap();
    assert_eq!(prefix.len(), 4096);
}

#[test]
fn special_files_are_refused_without_being_opened() {
    let (tmp, dir) = dir();
    nix::unistd::mkfifo(
        &tmp.path().join("fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    drop(std::os::unix::net::UnixListener::bind(tmp.path().join("sock")).unwrap());
    symlink("/etc/passwd", tmp.path().join("link")).unwrap();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    for (name, kind) in [
        ("fifo", Kind::Fifo),
        ("sock", Kind::Socket),
        ("sub", Kind::Directory),
    ] {
        let seen = dir.lstat(OsStr::new(name)).unwrap();
        assert_eq!(seen.kind, kind);
        assert_eq!(
            dir.open_file(OsStr::new(name), &seen).unwrap_err(),
            FsError::NotRegular(kind)
        );
    }
    let seen = dir.lstat(OsStr::new("link")).unwrap();
    assert_eq!(
        dir.open_file(OsStr::new("link"), &seen).unwrap_err(),
        FsError::Symlink {
            target: Some("/etc/passwd".into())
        }
    );
    assert!(matches!(
        dir.open_dir(OsStr::new("link")),
        Err(FsError::Symlink { .. })
    ));
}

#[test]
fn a_swap_after_lstat_is_caught() {
    let (tmp, dir) = dir();
    std::fs::write(tmp.path().join("key"), b"one").unwrap();
    let seen = dir.lstat(OsStr::new("key")).unwrap();
    // Replaced by another file: a new inode.
    std::fs::remove_file(tmp.path().join("key")).unwrap();
    std::fs::write(tmp.path().join("other"), b"two").unwrap();
    std::fs::write(tmp.path().join("key"), b"three").unwrap();
    assert_eq!(
        dir.open_file(OsStr::new("key"), &seen).unwrap_err(),
        FsError::Changed
    );
    // Replaced by a link: O_NOFOLLOW refuses it even though the lstat said regular.
    std::fs::remove_file(tmp.path().join("key")).unwrap();
    symlink(tmp.path().join("other"), tmp.path().join("key")).unwrap();
    assert!(matches!(
        dir.open_file(OsStr::new("key"), &seen),
        Err(FsError::Symlink { .. })
    ));
    // Replaced by a FIFO: O_NONBLOCK keeps the open from waiting, fstat refuses it.
    std::fs::remove_file(tmp.path().join("key")).unwrap();
    nix::unistd::mkfifo(
        &tmp.path().join("key"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    assert_eq!(
        dir.open_file(OsStr::new("key"), &seen).unwrap_err(),
        FsError::NotRegular(Kind::Fifo)
    );
}

#[test]
fn listings_are_sorted_bounded_and_repeatable() {
    let (tmp, dir) = dir();
    for name in ["c", "a", "b"] {
        std::fs::write(tmp.path().join(name), b"").unwrap();
    }
    let (names, truncated) = dir.entries(10).unwrap();
    assert_eq!(names, ["a", "b", "c"]);
    assert!(!truncated);
    assert_eq!(
        dir.entries(10).unwrap().0,
        names,
        "a second listing sees the same"
    );
    let (names, truncated) = dir.entries(2).unwrap();
    assert_eq!(names.len(), 2);
    assert!(truncated);
}
