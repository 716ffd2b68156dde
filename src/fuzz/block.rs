//! The fuzz target of the block-device stack: the input describes a machine — its
//! `/proc/self/mountinfo`, `/proc/swaps` and the sysfs attributes of its devices —
//! and a file's device number; the target builds that tree and asks whether the
//! file is encrypted at rest, and on what medium it lies, as a run asks of `/proc`
//! and `/sys`.
//!
//! The input, one record a line: the first line is the file's `MAJ:MIN`; each other
//! is `PATH CONTENT`, PATH below `proc/` or `sys/` (`/`-separated names; one ending
//! in `/` is a directory only), CONTENT with `\n` for a newline. So
//! `sys/dev/block/254:0/dm/uuid CRYPT-LUKS2-x` plants dm-crypt.

use crate::at_rest::{AtRest, Roots, at_rest, mount_facts};
use crate::fs::{Location, SafeDir};

use super::{fresh_home, shown};

/// More records than any real stack needs; each costs a file written per input.
const MAX_RECORDS: usize = 96;
/// Path components of one record, at most.
const MAX_DEPTH: usize = 12;

/// Every word a verdict's `how` may be made of: the dm-crypt types, the layers, the
/// per-file encryptors and the phrases that join them.
const HOW_WORDS: &[&str] = &[
    "LUKS1",
    "LUKS2",
    "PLAIN",
    "TCRYPT",
    "BITLK",
    "FVAULT2",
    "under",
    "LVM",
    "RAID",
    "and",
    "on",
    "all",
    "btrfs",
    "devices",
    "devices,",
    "subvolume",
    "eCryptfs",
    "gocryptfs",
    "cryfs",
    "encfs",
    "securefs",
    "fscrypt",
];

/// What `/proc/swaps` can make of a tmpfs.
const SWAP_VERDICTS: &[&str] = &[
    "no swap",
    "encrypted swap",
    "zram only",
    "swap of unknown encryption",
];

pub(super) fn block_stack(data: &[u8]) {
    judged(data);
}

/// The verdict on the machine `data` describes, its promises checked.
fn judged(data: &[u8]) -> AtRest {
    let text = String::from_utf8_lossy(data);
    let mut records = text.lines();
    let devnum = records
        .next()
        .and_then(|first| first.trim().split_once(':'))
        .and_then(|(maj, min)| Some((maj.parse::<u32>().ok()?, min.parse::<u32>().ok()?)))
        .unwrap_or((8, 1));
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for record in records.take(MAX_RECORDS) {
        let (path, content) = record.split_once(' ').unwrap_or((record, ""));
        if let Some(path) = tree_path(path) {
            files.push((path, content.replace("\\n", "\n").into_bytes()));
        }
    }
    // The pseudo-filesystems' roots always exist, as they do on a machine.
    files.push(("proc/self/".to_owned(), Vec::new()));
    files.push(("sys/".to_owned(), Vec::new()));
    let planted: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let place = Location::from_dev(nix::sys::stat::makedev(
        u64::from(devnum.0),
        u64::from(devnum.1),
    ));
    fresh_home(&planted, |root: &SafeDir| {
        let roots = Roots {
            proc: root.path().join("proc"),
            sys: root.path().join("sys"),
        };
        let verdict = at_rest(&roots, &place);
        assert_eq!(
            at_rest(&roots, &place),
            verdict,
            "the same tree, another verdict"
        );
        allowed(&verdict);
        let described = verdict.describe();
        shown("at-rest verdict", &described);
        // Names in a verdict are sysfs attributes (a page at most), escaped.
        assert!(described.len() <= 64 * 1024, "{} bytes", described.len());
        let facts = mount_facts(&roots, &place);
        assert_eq!(mount_facts(&roots, &place), facts);
        verdict
    })
}

/// A record's path as planted below the scratch root: below `proc/` or `sys/`,
/// plain names only; `None` for anything else.
fn tree_path(path: &str) -> Option<String> {
    let directory = path.ends_with('/');
    let names: Vec<&str> = path.split('/').filter(|n| !n.is_empty()).collect();
    let plain = |n: &&str| *n != "." && *n != ".." && !n.contains('\0');
    if names.len() < 2
        || names.len() > MAX_DEPTH
        || !matches!(names[0], "proc" | "sys")
        || !names.iter().all(plain)
    {
        return None;
    }
    let joined = names.join("/");
    Some(if directory { joined + "/" } else { joined })
}

/// A verdict is made of the words it may be made of.
fn allowed(verdict: &AtRest) {
    match verdict {
        AtRest::BlockEncrypted { how } | AtRest::FileEncrypted { how } => {
            assert!(
                how.split(' ')
                    .all(|word| HOW_WORDS.contains(&word) || word.parse::<u32>().is_ok()),
                "{verdict:?}"
            );
        }
        AtRest::RamOnly { swap } => assert!(
            SWAP_VERDICTS.contains(&swap.as_str()) || swap.starts_with("unencrypted swap on "),
            "{verdict:?}"
        ),
        AtRest::NotEncrypted { what } => assert!(!what.is_empty(), "{verdict:?}"),
        AtRest::Unknown { why } => assert!(!why.is_empty(), "{verdict:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_stay_below_proc_and_sys() {
        assert_eq!(
            tree_path("sys/dev/block/8:1/dev").as_deref(),
            Some("sys/dev/block/8:1/dev")
        );
        assert_eq!(tree_path("proc/self/").as_deref(), Some("proc/self/"));
        for outside in ["etc/passwd", "sys/../etc/x", "/sys", "sys", "sys/./x"] {
            assert_eq!(tree_path(outside), None, "{outside}");
        }
    }

    #[test]
    fn the_described_machine_is_the_one_judged() {
        let luks = "254:0\n\
            proc/self/mountinfo 20 1 254:0 / / rw shared:1 - ext4 /dev/mapper/root rw\\n\n\
            sys/dev/block/254:0/dm/uuid CRYPT-LUKS2-abc-root\n\
            sys/dev/block/254:0/slaves/\n";
        assert_eq!(
            judged(luks.as_bytes()),
            AtRest::BlockEncrypted {
                how: "LUKS2".to_owned()
            }
        );
        let plain = "8:1\n\
            proc/self/mountinfo 20 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\\n\n\
            sys/dev/block/8:1/uevent DEVNAME=sda1\n";
        assert_eq!(
            judged(plain.as_bytes()),
            AtRest::NotEncrypted {
                what: "/dev/sda1 (ext4)".to_owned()
            }
        );
    }
}
