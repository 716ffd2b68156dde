//! Reading `/proc/self/mountinfo` (escapes, garbage, a table past the read limit)
//! and choosing a file's mount by its id or its device number.

use super::*;
use crate::at_rest::mountinfo::{MOUNTINFO_LIMIT, MountTable, decode_octal, parse_mountinfo_line};

#[test]
fn mount_points_with_escaped_spaces_are_decoded() {
    assert_eq!(decode_octal("/mnt/my\\040disk"), "/mnt/my disk");
    assert_eq!(decode_octal("a\\011b\\012c\\134d"), "a\tb\nc\\d");
    assert_eq!(decode_octal("bad\\9"), "bad\\9");
    assert_eq!(decode_octal("big\\777"), "big\\777");
    assert_eq!(decode_octal("end\\"), "end\\");

    let f = Fake::new();
    f.mountinfo(&[
        root_line(),
        line(30, "8:17", "/mnt/my\\040disk", "ext4", "/dev/sdb1"),
    ]);
    f.partition("8:1", "sda1");
    f.partition("8:17", "sdb1");
    f.swaps(&["/mnt/my\\040disk/swap file 1024 0 -2"]);
    let table = MountTable::read(&f.roots.proc.join("self/mountinfo")).unwrap();
    let mount = table.find(8, 17).unwrap();
    assert_eq!(mount.mount_point, "/mnt/my disk");
    assert_eq!(
        table.holding("/mnt/my disk/swap").unwrap().mount_point,
        "/mnt/my disk"
    );
    assert_eq!(table.holding("/mnt/my diskette").unwrap().mount_point, "/");
    assert_eq!(f.at(dev(8, 17)), plain("/dev/sdb1 (ext4)"));
}

#[test]
fn a_device_in_no_mountinfo_line_is_unknown() {
    let f = Fake::new();
    f.mountinfo(&[root_line()]);
    let verdict = f.at(dev(8, 99));
    assert!(is_unknown(&verdict));
    assert!(
        verdict.describe().contains("8:99"),
        "{}",
        verdict.describe()
    );
    // Nor when there is no mountinfo at all.
    let empty = Fake::new();
    assert!(is_unknown(&empty.at(dev(8, 1))));
}

#[test]
fn malformed_mountinfo_lines_are_skipped() {
    let f = Fake::new();
    f.partition("8:1", "sda1");
    let garbage = [
        "\n",
        "   \n",
        "21\n",
        "21 1 8:1 / /\n",
        "21 1 8:1 / / rw - ext4\n",
        "21 1 8:1 / / rw shared:1 ext4 /dev/sda1 rw\n",
        "x 1 8:1 / / rw - ext4 /dev/sda1 rw\n",
        "21 1 8 / / rw - ext4 /dev/sda1 rw\n",
        "21 1 8:1:2 / / rw - ext4 /dev/sda1 rw\n",
        "21 1 99999999999999999999:1 / / rw - ext4 /dev/sda1 rw\n",
        "21 1 :1 / / rw - ext4 /dev/sda1 rw\n",
        "21 1 8:1 / / - - ext4 /dev/sda1 rw\n",
        "\u{0}\u{ff}\\\\\\ - - - - - - - -\n",
    ];
    let mut lines: Vec<String> = garbage.iter().map(|s| (*s).to_owned()).collect();
    f.mountinfo(&lines);
    for (maj, min) in [(8, 1), (0, 0), (u64::from(u32::MAX), 7)] {
        let _ = f.at(dev(maj, min)).describe();
    }
    lines.push(root_line());
    f.mountinfo(&lines);
    assert_eq!(f.at(dev(8, 1)), plain("/dev/sda1 (ext4)"));
    // Invalid UTF-8 must not stop the parse either.
    let mut bytes = b"\xff\xfe 1 8:1\n".to_vec();
    bytes.extend_from_slice(root_line().as_bytes());
    fs::write(f.roots.proc.join("self/mountinfo"), bytes).unwrap();
    assert_eq!(f.at(dev(8, 1)), plain("/dev/sda1 (ext4)"));
}

#[test]
fn mountinfo_beyond_the_read_limit_is_ignored() {
    let f = Fake::new();
    f.partition("8:1", "sda1");
    let filler = line(30, "0:70", "/tmp", "tmpfs", "tmpfs");
    let mut lines = vec![filler; MOUNTINFO_LIMIT / 40];
    lines.push(root_line());
    f.mountinfo(&lines);
    let verdict = f.at(dev(8, 1));
    assert!(is_unknown(&verdict));
    assert!(
        verdict.describe().contains("too long"),
        "{}",
        verdict.describe()
    );
}

#[test]
fn the_mount_id_outranks_a_device_number_another_mount_shows() {
    let f = Fake::new();
    f.mountinfo(&[
        root_line(),
        line(30, "253:0", "/home", "ext4", "/dev/mapper/luks-h"),
    ]);
    f.partition("8:1", "sda1");
    f.block("253:0", "dm-0", Some("CRYPT-LUKS2-h-luks-h"), &["sda2"]);
    let place = Location {
        dev: dev(8, 1),
        mount_id: Some(30),
        fscrypt: None,
    };
    assert_eq!(f.at_place(place), encrypted("LUKS2"));
    assert_eq!(f.at(dev(8, 1)), plain("/dev/sda1 (ext4)"));
}

#[test]
fn mountinfo_lines_keep_their_mount_id() {
    let mount = parse_mountinfo_line(&line(27, "0:35", "/", "btrfs", "x")).unwrap();
    assert_eq!(mount.id, 27);
    // Ids past 32 bits are still ids; a negative one makes the line garbage.
    let wide = parse_mountinfo_line("4294967301 1 8:1 / / rw - ext4 /dev/sda1 rw").unwrap();
    assert_eq!(wide.id, 4_294_967_301);
    assert!(parse_mountinfo_line("-1 1 8:1 / / rw - ext4 /dev/sda1 rw").is_none());
}
