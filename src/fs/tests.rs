//! Unit tests of the safe layer itself: what it refuses, that it never blocks, that
//! it notices a swap, and that reads stop at the bound.
#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;
use std::os::unix::fs::symlink;
use std::path::Path;

use std::os::unix::fs::PermissionsExt;

use super::{FsError, Kind, SafeDir, Why};

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
fn a_path_below_is_reached_without_following_a_link_on_the_way() {
    let (tmp, dir) = dir();
    std::fs::create_dir_all(tmp.path().join("a/b")).unwrap();
    std::fs::write(tmp.path().join("a/b/f"), b"x").unwrap();
    std::fs::write(tmp.path().join("top"), b"y").unwrap();
    symlink(tmp.path().join("a"), tmp.path().join("link")).unwrap();
    assert!(dir.open_file_within(Path::new("a/b/f")).is_ok());
    assert!(dir.open_file_within(Path::new("top")).is_ok());
    assert!(matches!(
        dir.open_file_within(Path::new("link/b/f")),
        Err(FsError::Symlink { .. })
    ));
    assert!(matches!(
        dir.open_file_within(Path::new("a/b/none")),
        Err(FsError::NotFound)
    ));
    assert!(matches!(
        dir.open_file_within(Path::new("")),
        Err(FsError::NoFileName)
    ));
    let file = tmp.path().join("a/b/f");
    let (parent, name) = dir.open_parent(&file).unwrap();
    assert_eq!(
        (parent.path(), name),
        (tmp.path().join("a/b").as_path(), OsStr::new("f"))
    );
    assert_eq!(
        dir.open_parent(&tmp.path().join("link/f")).unwrap_err(),
        FsError::Symlink {
            target: Some(tmp.path().join("a").into())
        }
    );
    assert_eq!(
        dir.open_parent(tmp.path()).unwrap_err(),
        FsError::NoFileName
    );
    // The same directory opened by another spelling (through a link to it): a path
    // spelt the kernel's way is still below it, and follows no link on the way.
    let alias = tempfile::tempdir().unwrap();
    symlink(tmp.path(), alias.path().join("home")).unwrap();
    let by_alias = SafeDir::open_root(&alias.path().join("home")).unwrap();
    let real = by_alias.real_path().unwrap();
    assert_ne!(by_alias.path(), real.as_path());
    let (parent, _) = by_alias.open_parent(&real.join("a/b/f")).unwrap();
    assert_eq!(
        parent.meta().ino,
        dir.open_within(Path::new("a/b")).unwrap().meta().ino
    );
    assert!(matches!(
        by_alias.open_parent(&real.join("link/f")),
        Err(FsError::Symlink { .. })
    ));
    // Made on the way, and the name handed back.
    let (made, name) = dir.create_parent_within(Path::new("c/d/g"), 0o700).unwrap();
    assert_eq!(
        (made.path(), name),
        (tmp.path().join("c/d").as_path(), OsStr::new("g"))
    );
    assert_eq!(
        dir.create_parent_within(Path::new(""), 0o700).unwrap_err(),
        FsError::NoFileName
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

/// Whether the filesystem under `path` can hold unnamed files; the rewrite falls
/// back to a named temporary file where it cannot (NFS, overlayfs before 6.6).
fn supports_unnamed(path: &std::path::Path) -> bool {
    use nix::fcntl::{OFlag, open};
    open(
        path,
        OFlag::O_TMPFILE | OFlag::O_WRONLY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .is_ok()
        && std::path::Path::new("/proc/self/fd").is_dir()
}

fn names(dir: &SafeDir) -> Vec<String> {
    let (names, _) = dir.entries(100).unwrap();
    names
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect()
}

/// The rewrite's contract, on whichever kind of temporary file `temp` is: nothing
/// visible until the replacement, then the new bytes under the old name, with the
/// old owner and mode, and no other name left.
fn replaces_whole(tmp: &tempfile::TempDir, dir: &SafeDir, temp: super::TempFile<'_>) {
    use std::io::Write;
    use std::os::unix::fs::MetadataExt;
    let path = tmp.path().join("hist");
    let old = std::fs::metadata(&path).unwrap();
    let like = dir.lstat(OsStr::new("hist")).unwrap();
    temp.file().write_all(b"new <redacted>\n").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"old secret\n", "not yet");
    temp.replace(&like).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new <redacted>\n");
    let new = std::fs::metadata(&path).unwrap();
    assert_ne!(new.ino(), old.ino(), "a new file, renamed over the old");
    assert_eq!(new.mode() & 0o7777, 0o640, "the mode of the original");
    assert_eq!((new.uid(), new.gid()), (old.uid(), old.gid()), "its owner");
    assert_eq!(new.nlink(), 1, "no second name left");
    assert_eq!(names(dir), ["hist"]);
}

fn history(tmp: &tempfile::TempDir) {
    let path = tmp.path().join("hist");
    std::fs::write(&path, b"old secret\n").unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    if nix::unistd::geteuid().is_root() {
        // Root rewriting someone else's file must give the copy to them.
        std::os::unix::fs::chown(&path, Some(4321), Some(4322)).unwrap();
    }
}

#[test]
fn a_rewrite_has_no_name_until_the_rename() {
    let (tmp, dir) = dir();
    history(&tmp);
    let temp = dir.create_temp(OsStr::new("hist")).unwrap();
    if supports_unnamed(tmp.path()) {
        assert_eq!(temp.name(), None, "O_TMPFILE is used where it works");
        assert_eq!(names(&dir), ["hist"], "nothing to see while it is written");
    } else {
        // O_TMPFILE unsupported here: the named fallback is what this tests.
        assert!(temp.name().is_some());
    }
    replaces_whole(&tmp, &dir, temp);
}

#[test]
fn the_named_fallback_replaces_the_same_way() {
    let (tmp, dir) = dir();
    history(&tmp);
    let temp = dir.create_named_temp(OsStr::new("hist")).unwrap();
    let name = temp.name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(".hist.csi-redact-"), "{name}");
    assert_eq!(names(&dir), [name.as_str(), "hist"]);
    replaces_whole(&tmp, &dir, temp);
}

#[test]
fn a_rewrite_given_up_leaves_the_directory_as_it_was() {
    use std::io::Write;
    let (tmp, dir) = dir();
    history(&tmp);
    let kinds: [fn(&SafeDir) -> super::TempFile<'_>; 2] = [
        |dir| dir.create_temp(OsStr::new("hist")).unwrap(),
        |dir| dir.create_named_temp(OsStr::new("hist")).unwrap(),
    ];
    for create in kinds {
        let temp = create(&dir);
        temp.file().write_all(b"new <redacted>\n").unwrap();
        drop(temp);
        assert_eq!(names(&dir), ["hist"]);
        assert_eq!(
            std::fs::read(tmp.path().join("hist")).unwrap(),
            b"old secret\n"
        );
    }
}

/// A home with `dotfiles/ssh/config` (0644) in a 0755 tree, as stow lays it out.
fn dotfiles_home() -> (tempfile::TempDir, SafeDir, u32) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("dotfiles/ssh")).unwrap();
    std::fs::create_dir(root.join(".ssh")).unwrap();
    std::fs::write(root.join("dotfiles/ssh/config"), b"Host *\n").unwrap();
    for (rel, mode) in [
        ("dotfiles", 0o755),
        ("dotfiles/ssh", 0o755),
        (".ssh", 0o700),
    ] {
        std::fs::set_permissions(root.join(rel), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let home = SafeDir::open_root(root).unwrap();
    (tmp, home, nix::unistd::getuid().as_raw())
}

#[test]
fn links_to_the_persons_own_files_are_followed() {
    let (tmp, home, uid) = dotfiles_home();
    let root = tmp.path();
    symlink("../dotfiles/ssh/config", root.join(".ssh/config")).unwrap();
    let found = home.follow_within(Path::new(".ssh/config"), uid).unwrap();
    assert_eq!(found.path(), root.join("dotfiles/ssh/config"));
    assert_eq!(found.meta.kind, Kind::Regular);
    // The same by an absolute path inside the home, and a linked directory.
    symlink(root.join("dotfiles/ssh"), root.join("ssh-abs")).unwrap();
    let found = home
        .follow_within(Path::new("ssh-abs/config"), uid)
        .unwrap();
    assert_eq!(found.path(), root.join("dotfiles/ssh/config"));
    let found = home.follow_within(Path::new("ssh-abs"), uid).unwrap();
    assert_eq!(found.meta.kind, Kind::Directory);
    // No link on the way: the entry itself, nothing judged.
    let plain = home
        .follow_within(Path::new("dotfiles/ssh/config"), uid)
        .unwrap();
    assert_eq!(plain.path(), root.join("dotfiles/ssh/config"));
    // The final entry's mode is the caller's to judge.
    std::fs::set_permissions(
        root.join("dotfiles/ssh/config"),
        std::fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    let found = home.follow_within(Path::new(".ssh/config"), uid).unwrap();
    assert_eq!(found.meta.mode, 0o666);
}

#[test]
fn links_through_open_or_foreign_places_are_refused() {
    let (tmp, home, uid) = dotfiles_home();
    let root = tmp.path();
    symlink("../dotfiles/ssh/config", root.join(".ssh/config")).unwrap();
    std::fs::set_permissions(
        root.join("dotfiles"),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    let refused = home
        .follow_within(Path::new(".ssh/config"), uid)
        .unwrap_err();
    assert_eq!(refused.why, Why::Writable(0o777));
    assert_eq!(refused.at, root.join("dotfiles"));
    assert!(refused.sshd_refuses());
    // Out of the home: to /tmp, which sshd refuses (writable by all), and to /etc,
    // which it would not; neither is opened.
    symlink("/tmp", root.join("to-tmp")).unwrap();
    let refused = home.follow_within(Path::new("to-tmp"), uid).unwrap_err();
    assert_eq!(refused.at, Path::new("/tmp"));
    assert!(matches!(refused.why, Why::Writable(_)), "{refused:?}");
    symlink("/etc/passwd", root.join("to-etc")).unwrap();
    let refused = home.follow_within(Path::new("to-etc"), uid).unwrap_err();
    assert_eq!(refused.why, Why::OutsideHome);
    assert!(!refused.sshd_refuses());
    symlink("../../..", root.join("up")).unwrap();
    assert!(home.follow_within(Path::new("up/etc/passwd"), uid).is_err());
    // A loop.
    symlink("b", root.join("a")).unwrap();
    symlink("a", root.join("b")).unwrap();
    assert_eq!(
        home.follow_within(Path::new("a"), uid).unwrap_err().why,
        Why::TooManyLinks
    );
    // A dangling link.
    symlink("nowhere", root.join("dangling")).unwrap();
    assert_eq!(
        home.follow_within(Path::new("dangling"), uid)
            .unwrap_err()
            .why,
        Why::Fs(FsError::NotFound)
    );
    // Another person's file inside the home (root can give it away).
    if nix::unistd::geteuid().is_root() {
        std::fs::write(root.join("theirs"), b"x").unwrap();
        nix::unistd::chown(
            &root.join("theirs"),
            Some(nix::unistd::Uid::from_raw(1)),
            None,
        )
        .unwrap();
        symlink("theirs", root.join("to-theirs")).unwrap();
        assert_eq!(
            home.follow_within(Path::new("to-theirs"), uid)
                .unwrap_err()
                .why,
            Why::NotOwned(1)
        );
    }
}

#[test]
fn a_listing_gives_every_name_with_its_kind_and_starts_again_each_time() {
    let (tmp, mut dir) = dir();
    std::fs::write(tmp.path().join("file"), b"x").unwrap();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    symlink("/etc/passwd", tmp.path().join("link")).unwrap();
    nix::unistd::mkfifo(&tmp.path().join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    // More names than one read of the listing holds.
    for n in 0..2000 {
        std::fs::write(tmp.path().join(format!("{n:0>200}")), b"").unwrap();
    }
    let listing = |dir: &mut SafeDir| {
        let mut seen = Vec::new();
        dir.each_entry(|name, kind| seen.push((name.to_owned(), kind)))
            .unwrap();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        seen
    };
    let first = listing(&mut dir);
    assert_eq!(first.len(), 2004);
    let kind_of = |name: &str| first.iter().find(|(n, _)| n == name).map(|(_, kind)| *kind);
    assert_eq!(kind_of("file"), Some(Kind::Regular));
    assert_eq!(kind_of("sub"), Some(Kind::Directory));
    assert_eq!(kind_of("link"), Some(Kind::Symlink));
    assert_eq!(kind_of("fifo"), Some(Kind::Fifo));
    assert_eq!(kind_of("."), None);
    assert_eq!(listing(&mut dir), first);
}
