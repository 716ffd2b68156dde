//! The running machine rather than a fake tree, so that the kernel's real files
//! keep meaning what the fakes say they mean.

use super::*;
use crate::at_rest::mountinfo::MountTable;

/// The running kernel, as (major, minor) from `uname -r`.
fn kernel_version() -> (u32, u32) {
    let release = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[test]
fn statx_on_a_real_file_finds_its_mount_in_mountinfo() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("f"), "x").unwrap();
    let home = crate::fs::SafeDir::open_root(dir.path()).unwrap();
    let name = std::ffi::OsStr::new("f");
    let file = home.open_file(name, &home.lstat(name).unwrap()).unwrap();
    let place = file.location();
    assert_eq!(place.dev, file.meta().dev);
    if kernel_version() >= (5, 8) {
        let id = place
            .mount_id
            .expect("statx gives a mount id since Linux 5.8");
        let table = MountTable::read(Path::new("/proc/self/mountinfo")).unwrap();
        assert!(table.by_id(id).is_some(), "mount {id} not in mountinfo");
    }
    // A temp file is not in an fscrypt-encrypted directory here, unless someone
    // set one up; either way the attribute, when reported, was read.
    if place.fscrypt == Some(true) {
        assert_eq!(at_rest(&Roots::system(), &place), file_encrypted("fscrypt"));
    }
}

#[test]
fn the_real_machine_gives_some_verdict() {
    for path in [PathBuf::from("/"), std::env::temp_dir()] {
        let dir = crate::fs::SafeDir::open_root(&path).unwrap();
        let place = dir.location();
        let verdict = at_rest(&Roots::system(), &place);
        let by_dev = at_rest(&Roots::system(), &Location::from_dev(place.dev));
        assert!(!verdict.describe().is_empty(), "{}", path.display());
        assert!(
            !verdict.describe().contains("cannot read"),
            "{}: {}",
            path.display(),
            verdict.describe()
        );
        // The mount id only ever adds knowledge: where st_dev alone decided,
        // the exact mount agrees (fscrypt aside).
        if !is_unknown(&by_dev) && place.fscrypt != Some(true) {
            assert_eq!(verdict, by_dev, "{}", path.display());
        }
    }
}
