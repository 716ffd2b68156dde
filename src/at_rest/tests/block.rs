//! The device stack below a mount: dm-crypt types through LVM, RAID and loop
//! devices, device-mapper targets that are not encryption, the walk's bounds, and
//! whether a medium can be unplugged.

use super::*;

/// A sysfs tree whose `dev/block` entries are links into `devices/`, as the
/// kernel makes them, and a mountinfo line for each mount.
fn medium_tree(mounts: &[(&str, &str, &str)]) -> (tempfile::TempDir, Roots) {
    let dir = tempfile::tempdir().unwrap();
    let roots = Roots {
        proc: dir.path().join("proc"),
        sys: dir.path().join("sys"),
    };
    let devices = [
        (
            "8:17",
            "pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/block/sdb/sdb1",
            None,
        ),
        (
            "8:1",
            "pci0000:00/ata1/host0/block/sda/sda1",
            Some(("sda", "0")),
        ),
        (
            "8:33",
            "pci0000:00/0000:00:1f.2/host7/block/sdc/sdc1",
            Some(("sdc", "1")),
        ),
    ];
    for (devnum, path, flag) in devices {
        let full = roots.sys.join("devices").join(path);
        fs::create_dir_all(&full).unwrap();
        fs::write(full.join("partition"), "1\n").unwrap();
        if let Some((_, flag)) = flag {
            fs::write(
                full.parent().unwrap().join("removable"),
                format!("{flag}\n"),
            )
            .unwrap();
        }
        fs::create_dir_all(roots.sys.join("dev/block")).unwrap();
        std::os::unix::fs::symlink(
            Path::new("../../devices").join(path),
            roots.sys.join("dev/block").join(devnum),
        )
        .unwrap();
    }
    let lines: Vec<String> = mounts
        .iter()
        .enumerate()
        .map(|(i, (devnum, point, source))| {
            format!("{} 1 {devnum} / {point} rw - ext4 {source} rw", 30 + i)
        })
        .collect();
    fs::create_dir_all(roots.proc.join("self")).unwrap();
    fs::write(roots.proc.join("self/mountinfo"), lines.join("\n") + "\n").unwrap();
    (dir, roots)
}

#[test]
fn a_usb_stick_or_a_removable_disk_is_removable_and_the_system_disk_is_not() {
    let (_dir, roots) = medium_tree(&[
        ("8:1", "/", "/dev/sda1"),
        ("8:17", "/media/alice/KEYS", "/dev/sdb1"),
        ("8:33", "/media/alice/SD\\040CARD", "/dev/sdc1"),
    ]);
    let at = |devnum: u64| mount_facts(&roots, &Location::from_dev(devnum)).unwrap();
    let usb = at(nix::sys::stat::makedev(8, 17));
    assert_eq!(usb.mount_point, "/media/alice/KEYS");
    assert_eq!(usb.source, "/dev/sdb1");
    assert_eq!(usb.removable, Some(true));
    let card = at(nix::sys::stat::makedev(8, 33));
    assert_eq!(card.mount_point, "/media/alice/SD CARD");
    assert_eq!(card.removable, Some(true));
    assert_eq!(at(nix::sys::stat::makedev(8, 1)).removable, Some(false));
    assert_eq!(
        is_mounted(&roots, "/media/alice/KEYS", "/dev/sdb1"),
        Some(true)
    );
    assert_eq!(
        is_mounted(&roots, "/media/alice/KEYS", "/dev/sdz1"),
        Some(false)
    );
    assert!(mount_facts(&roots, &Location::from_dev(nix::sys::stat::makedev(9, 9))).is_none());
}

#[test]
fn plain_ext4_on_a_partition_is_not_encrypted() {
    let f = Fake::new();
    f.mountinfo(&[root_line()]);
    f.partition("8:1", "sda1");
    let verdict = f.at(dev(8, 1));
    assert_eq!(verdict, plain("/dev/sda1 (ext4)"));
    assert!(verdict.is_known_unencrypted());
    assert_eq!(verdict.describe(), "not encrypted (/dev/sda1, ext4)");
}

#[test]
fn luks2_directly_under_the_filesystem() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/", "ext4", "/dev/mapper/luks-abc")]);
    f.block("253:0", "dm-0", Some("CRYPT-LUKS2-abc-luks-abc"), &["sda2"])
        .dm_name("253:0", "dm-0", "luks-abc");
    f.partition("8:2", "sda2");
    let verdict = f.at(dev(253, 0));
    assert_eq!(verdict, encrypted("LUKS2"));
    assert!(!verdict.is_known_unencrypted());
    assert_eq!(verdict.describe(), "encrypted (LUKS2)");
}

#[test]
fn lvm_on_luks_is_encrypted_under_lvm() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:1", "/", "xfs", "/dev/mapper/vg-root")]);
    f.block("253:1", "dm-1", Some("LVM-abcdef"), &["dm-0"]);
    f.block(
        "253:0",
        "dm-0",
        Some("CRYPT-LUKS2-abc-luks-abc"),
        &["nvme0n1p3"],
    );
    f.partition("259:3", "nvme0n1p3");
    assert_eq!(f.at(dev(253, 1)), encrypted("LUKS2 under LVM"));
}

#[test]
fn lvm_over_a_luks_pv_and_a_plain_pv_is_not_encrypted() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:2", "/home", "ext4", "/dev/mapper/vg-home")]);
    f.block("253:2", "dm-2", Some("LVM-abcdef"), &["dm-0", "sdb1"]);
    f.block("253:0", "dm-0", Some("CRYPT-LUKS1-abc-luks-abc"), &["sda2"]);
    f.partition("8:2", "sda2");
    f.partition("8:17", "sdb1");
    let verdict = f.at(dev(253, 2));
    assert_eq!(verdict, plain("/dev/sdb1 (ext4)"));
}

#[test]
fn luks_above_lvm_is_encrypted_whatever_the_pvs() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:3", "/", "ext4", "/dev/mapper/crypt")]);
    f.block("253:3", "dm-3", Some("CRYPT-LUKS1-abc-crypt"), &["dm-2"]);
    f.block("253:2", "dm-2", Some("LVM-abcdef"), &["sda2", "sdb1"]);
    f.partition("8:2", "sda2");
    f.partition("8:17", "sdb1");
    assert_eq!(f.at(dev(253, 3)), encrypted("LUKS1"));
}

#[test]
fn verity_over_a_plain_disk_is_not_encrypted() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/usr", "erofs", "/dev/mapper/usr")]);
    f.block("253:0", "dm-0", Some("CRYPT-VERITY-0123-usr"), &["vda3"]);
    f.block("252:3", "vda3", None, &[]);
    assert_eq!(f.at(dev(253, 0)), plain("/dev/vda3 (erofs)"));
}

#[test]
fn integrity_under_luks_subdev_is_not_mistaken_for_encryption() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/data", "ext4", "/dev/mapper/x")]);
    f.block("253:0", "dm-0", Some("CRYPT-SUBDEV-0123-x_dif"), &["sdc"]);
    f.block("8:32", "sdc", None, &[]);
    assert_eq!(f.at(dev(253, 0)), plain("/dev/sdc (ext4)"));
}

#[test]
fn plain_dm_crypt_and_bitlocker_are_encrypted() {
    for (uuid, how) in [
        ("CRYPT-PLAIN-swap", "PLAIN"),
        ("CRYPT-BITLK-0123-win", "BITLK"),
        ("CRYPT-TCRYPT-vc", "TCRYPT"),
    ] {
        let f = Fake::new();
        f.mountinfo(&[line(21, "253:0", "/mnt", "ntfs3", "/dev/mapper/x")]);
        f.block("253:0", "dm-0", Some(uuid), &["sdb1"]);
        f.partition("8:17", "sdb1");
        assert_eq!(f.at(dev(253, 0)), encrypted(how), "{uuid}");
    }
}

#[test]
fn dm_crypt_of_an_unknown_type_is_unknown() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/mnt", "ext4", "/dev/mapper/x")]);
    f.block("253:0", "dm-0", Some("CRYPT-FUTURE-0123-x"), &["sdb1"]);
    assert!(is_unknown(&f.at(dev(253, 0))));
}

#[test]
fn unrecognised_dm_target_without_slaves_is_unknown() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/mnt", "ext4", "/dev/mapper/zero")]);
    f.block("253:0", "dm-0", Some(""), &[])
        .dm_name("253:0", "dm-0", "zero");
    let verdict = f.at(dev(253, 0));
    assert!(is_unknown(&verdict));
    assert!(
        verdict
            .describe()
            .contains("device-mapper target /dev/mapper/zero")
    );
}

#[test]
fn multipath_dm_is_walked_through() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/srv", "xfs", "/dev/mapper/mpatha")]);
    f.block("253:0", "dm-0", Some("mpath-3600"), &["sdb", "sdc"]);
    f.block("8:16", "sdb", None, &[]);
    f.block("8:32", "sdc", None, &[]);
    assert_eq!(f.at(dev(253, 0)), plain("/dev/sdb (xfs)"));
}

#[test]
fn loop_device_is_judged_by_the_filesystem_of_its_backing_file() {
    let f = Fake::new();
    f.mountinfo(&[
        line(21, "253:0", "/", "ext4", "/dev/mapper/luks"),
        line(30, "7:3", "/snap/core/1", "squashfs", "/dev/loop3"),
    ]);
    f.block("253:0", "dm-0", Some("CRYPT-LUKS2-abc-luks"), &["sda2"]);
    f.block("7:3", "loop3", None, &[]);
    f.write(
        f.roots.sys.join("dev/block/7:3/loop/backing_file"),
        "/var/lib/snapd/snaps/core_1.snap\n",
    );
    assert_eq!(f.at(dev(7, 3)), encrypted("LUKS2"));
}

#[test]
fn a_slave_loop_ends_at_the_depth_limit() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/", "ext4", "/dev/mapper/a")]);
    f.block("253:0", "dm-0", Some("LVM-a"), &["dm-1"]);
    f.block("253:1", "dm-1", Some("LVM-b"), &["dm-0"]);
    let verdict = f.at(dev(253, 0));
    assert!(is_unknown(&verdict));
    assert!(
        verdict.describe().contains("deeper"),
        "{}",
        verdict.describe()
    );
}

#[test]
fn a_wide_slave_loop_ends_within_the_step_budget() {
    let f = Fake::new();
    f.mountinfo(&[line(21, "253:0", "/", "ext4", "/dev/mapper/a")]);
    let names: Vec<String> = (0..8).map(|i| format!("dm-{i}")).collect();
    let slaves: Vec<&str> = names.iter().map(String::as_str).collect();
    for (i, name) in names.iter().enumerate() {
        f.block(&format!("253:{i}"), name, Some("LVM-x"), &slaves);
    }
    assert!(is_unknown(&f.at(dev(253, 0))));
}
