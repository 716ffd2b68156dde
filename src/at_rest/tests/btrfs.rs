//! btrfs, whose every member device must be encrypted and whose subvolumes carry
//! device numbers that no mountinfo line shows.

use super::*;

#[test]
fn btrfs_over_two_luks_devices_is_encrypted() {
    let f = Fake::new();
    f.mountinfo(&[
        line(21, "0:35", "/", "btrfs", "/dev/mapper/luks-a"),
        line(22, "0:35", "/home", "btrfs", "/dev/mapper/luks-a"),
    ]);
    f.block(
        "253:0",
        "dm-0",
        Some("CRYPT-LUKS2-a-luks-a"),
        &["nvme0n1p3"],
    )
    .dm_name("253:0", "dm-0", "luks-a");
    f.block("253:1", "dm-1", Some("CRYPT-LUKS2-b-luks-b"), &["sda1"])
        .dm_name("253:1", "dm-1", "luks-b");
    f.btrfs("0b4d-fsid", &["dm-0", "dm-1"]);
    f.btrfs("other-fsid", &["sdz1"]);
    let verdict = f.at(dev(0, 35));
    assert_eq!(verdict, encrypted("LUKS2 on all 2 btrfs devices"));
    assert_eq!(
        verdict.describe(),
        "encrypted (LUKS2 on all 2 btrfs devices)"
    );
}

#[test]
fn btrfs_over_one_luks_and_one_plain_device_is_not_encrypted() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "0:35", "/data", "btrfs", "/dev/vda2")]);
    f.block("253:0", "dm-0", Some("CRYPT-LUKS2-a-luks-a"), &["vda3"]);
    f.partition("252:2", "vda2");
    f.btrfs("fsid", &["dm-0", "vda2"]);
    assert_eq!(f.at(dev(0, 35)), plain("/dev/vda2 (btrfs)"));
}

#[test]
fn btrfs_whose_source_is_not_in_sysfs_is_unknown() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "0:35", "/data", "btrfs", "/dev/mapper/gone")]);
    assert!(is_unknown(&f.at(dev(0, 35))));
}

#[test]
fn btrfs_subvolume_missing_from_mountinfo_takes_the_only_btrfs_verdict() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "0:35", "/", "btrfs", "/dev/mapper/luks-a")]);
    f.block("253:0", "dm-0", Some("CRYPT-LUKS2-a-luks-a"), &["sda2"])
        .dm_name("253:0", "dm-0", "luks-a");
    f.btrfs("fsid", &["dm-0"]);
    assert_eq!(f.at(dev(0, 36)), encrypted("LUKS2, btrfs subvolume"));

    // With overlayfs about, an unlisted number may be one of its files instead.
    f.mountinfo(&[
        line(21, "0:35", "/", "btrfs", "/dev/mapper/luks-a"),
        line(22, "0:50", "/var/lib/c", "overlay", "overlay"),
    ]);
    assert!(is_unknown(&f.at(dev(0, 36))));
}

#[test]
fn the_mount_id_picks_the_btrfs_filesystem_a_subvolume_is_on() {
    let f = Fake::new();
    // Two btrfs filesystems: / on LUKS, /data on a plain partition. A file in a
    // subvolume has an anonymous number (0:99) that neither line shows.
    f.mountinfo(&[
        line(21, "0:35", "/", "btrfs", "/dev/mapper/luks-a"),
        line(22, "0:40", "/data", "btrfs", "/dev/vdb1"),
    ]);
    f.block("253:0", "dm-0", Some("CRYPT-LUKS2-a-luks-a"), &["vda2"])
        .dm_name("253:0", "dm-0", "luks-a");
    f.partition("252:2", "vda2");
    f.partition("252:17", "vdb1");
    f.btrfs("fsid-root", &["dm-0"]);
    f.btrfs("fsid-data", &["vdb1"]);
    let subvolume = dev(0, 99);
    let on = |id| Location {
        dev: subvolume,
        mount_id: Some(id),
        fscrypt: None,
    };
    assert_eq!(f.at_place(on(21)), encrypted("LUKS2"));
    assert_eq!(f.at_place(on(22)), plain("/dev/vdb1 (btrfs)"));
    // Without the id the two disagree, and all that is left is "unknown".
    assert!(is_unknown(&f.at(subvolume)));
    // An id that names no line (a mount since gone) falls back to st_dev.
    assert!(is_unknown(&f.at_place(on(77))));
    let listed = Location {
        dev: dev(0, 40),
        mount_id: Some(77),
        fscrypt: None,
    };
    assert_eq!(f.at_place(listed), plain("/dev/vdb1 (btrfs)"));
}
