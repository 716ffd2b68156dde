//! tmpfs, judged by where swap could carry its pages.

use super::*;

#[test]
fn tmpfs_without_swap() {
    let f = Fake::new();
    f.mountinfo(&[root_line(), line(30, "0:70", "/tmp", "tmpfs", "tmpfs")]);
    f.swaps(&[]);
    let verdict = f.at(dev(0, 70));
    assert_eq!(verdict, ram("no swap"));
    assert_eq!(verdict.describe(), "in RAM (no swap)");
}

#[test]
fn tmpfs_with_zram_swap() {
    let f = Fake::new();
    f.mountinfo(&[root_line(), line(30, "0:70", "/tmp", "tmpfs", "tmpfs")]);
    f.swaps(&["/dev/zram0                              partition\t8388604\t\t0\t\t100"]);
    assert_eq!(f.at(dev(0, 70)), ram("zram only"));
}

#[test]
fn tmpfs_with_an_unencrypted_swap_partition() {
    let f = Fake::new();
    f.mountinfo(&[root_line(), line(30, "0:70", "/tmp", "tmpfs", "tmpfs")]);
    f.partition("8:2", "sda2");
    f.swaps(&[
        "/dev/zram0 partition 8388604 0 100",
        "/dev/sda2 partition 8388604 0 -2",
    ]);
    let verdict = f.at(dev(0, 70));
    assert_eq!(verdict, ram("unencrypted swap on /dev/sda2"));
    assert!(!verdict.is_known_unencrypted());
}

#[test]
fn tmpfs_with_encrypted_swap_partition_and_swap_file() {
    let f = Fake::new();
    f.mountinfo(&[
        line(21, "253:1", "/", "ext4", "/dev/mapper/vg-root"),
        line(30, "0:70", "/run/user/1000", "tmpfs", "tmpfs"),
    ]);
    f.block("253:1", "dm-1", Some("LVM-abc"), &["dm-0"]);
    f.block("253:0", "dm-0", Some("CRYPT-LUKS2-abc-luks"), &["sda3"]);
    f.block("253:2", "dm-2", Some("CRYPT-PLAIN-cryptswap"), &["sda2"]);
    f.swaps(&[
        "/swap.img file 4194300 0 -2",
        "/dev/dm-2 partition 1024 0 -3",
    ]);
    assert_eq!(f.at(dev(0, 70)), ram("encrypted swap"));
}

#[test]
fn swap_file_on_a_plain_disk_is_named() {
    let f = Fake::new();
    f.mountinfo(&[root_line(), line(30, "0:70", "/tmp", "tmpfs", "tmpfs")]);
    f.partition("8:1", "sda1");
    f.swaps(&["/swapfile file 4194300 0 -2"]);
    assert_eq!(f.at(dev(0, 70)), ram("unencrypted swap on /swapfile"));
}

#[test]
fn swap_file_is_not_resolved_inside_a_container() {
    let f = Fake::new();
    f.mountinfo(&[
        line(21, "0:80", "/", "overlay", "overlay"),
        line(30, "0:70", "/tmp", "tmpfs", "tmpfs"),
    ]);
    f.swaps(&["/swapfile file 4194300 0 -2"]);
    assert_eq!(f.at(dev(0, 70)), ram("swap of unknown encryption"));
}

#[test]
fn missing_or_garbled_swaps_is_unknown_swap() {
    let f = Fake::new();
    f.mountinfo(&[root_line(), line(30, "0:70", "/tmp", "tmpfs", "tmpfs")]);
    assert_eq!(f.at(dev(0, 70)), ram("swap of unknown encryption"));
    f.swaps(&["\u{1}\u{2} ??? \\999"]);
    assert_eq!(f.at(dev(0, 70)), ram("swap of unknown encryption"));
}
