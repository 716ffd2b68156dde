//! What the filesystem type decides without a device — per-file encryption
//! (eCryptfs, FUSE, fscrypt), remote filesystems, ZFS — and the phrases reports show.

use super::*;

#[test]
fn per_file_encryption_is_recognised() {
    let f = Fake::new();
    f.mountinfo(&[
        root_line(),
        line(
            30,
            "0:40",
            "/home/alice",
            "ecryptfs",
            "/home/.ecryptfs/alice/.Private",
        ),
        line(
            31,
            "0:41",
            "/home/alice/vault",
            "fuse.gocryptfs",
            "/home/alice/.vault",
        ),
        line(
            32,
            "0:42",
            "/home/alice/c",
            "fuse.cryfs",
            "cryfs@/home/alice/.c",
        ),
    ]);
    let verdict = f.at(dev(0, 40));
    assert_eq!(verdict, file_encrypted("eCryptfs"));
    assert_eq!(verdict.describe(), "encrypted (eCryptfs)");
    assert_eq!(f.at(dev(0, 41)), file_encrypted("gocryptfs"));
    assert_eq!(f.at(dev(0, 42)), file_encrypted("cryfs"));
}

#[test]
fn remote_and_fuse_filesystems_are_unknown() {
    let f = Fake::new();
    f.mountinfo(&[
        root_line(),
        line(30, "0:50", "/net/home", "nfs4", "server:/home"),
        line(31, "0:51", "/mnt/remote", "fuse.sshfs", "alice@host:"),
    ]);
    let nfs = f.at(dev(0, 50));
    assert!(is_unknown(&nfs));
    assert!(nfs.describe().contains("nfs4"), "{}", nfs.describe());
    let sshfs = f.at(dev(0, 51));
    assert!(is_unknown(&sshfs));
    assert!(sshfs.describe().contains("sshfs"), "{}", sshfs.describe());
}

#[test]
fn zfs_is_unknown() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "0:60", "/", "zfs", "rpool/ROOT/ubuntu")]);
    assert_eq!(
        f.at(dev(0, 60)),
        AtRest::Unknown {
            why: "ZFS native encryption cannot be read from /sys".to_owned()
        }
    );
}

#[test]
fn fscrypt_is_file_encryption_and_only_when_set() {
    let f = Fake::new();
    f.mountinfo(&[root_line()]);
    f.partition("8:1", "sda1");
    let with = |fscrypt| Location {
        dev: dev(8, 1),
        mount_id: Some(20),
        fscrypt,
    };
    let verdict = f.at_place(with(Some(true)));
    assert_eq!(verdict, file_encrypted("fscrypt"));
    assert_eq!(verdict.describe(), "encrypted (fscrypt)");
    assert!(!verdict.is_known_unencrypted());
    // Reported clear, or not reported at all: the disk decides.
    assert_eq!(f.at_place(with(Some(false))), plain("/dev/sda1 (ext4)"));
    assert_eq!(f.at_place(with(None)), plain("/dev/sda1 (ext4)"));
    // The attribute needs neither mountinfo nor sysfs to be believed.
    let bare = Fake::new();
    assert_eq!(bare.at_place(with(Some(true))), file_encrypted("fscrypt"));
    assert!(is_unknown(&bare.at_place(with(Some(false)))));
}

#[test]
fn describe_is_short_and_never_empty() {
    assert_eq!(
        AtRest::Unknown {
            why: "nfs".to_owned()
        }
        .describe(),
        "encryption unknown (nfs)"
    );
    assert_eq!(plain("/dev/sda").describe(), "not encrypted (/dev/sda)");
    assert_eq!(ram("").describe(), "in RAM ()");
}
