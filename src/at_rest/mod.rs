//! Whether a file's bytes are encrypted while the machine is off. A private key left
//! in plaintext is a smaller finding on a LUKS-encrypted laptop than on a plain disk,
//! so the checks ask here before they grade one. A file fscrypt encrypts (the
//! `statx` attribute) is encrypted whatever lies beneath; fscrypt protects it only
//! while its key is removed, which a powered-off machine guarantees. Otherwise the
//! method is systemd's `blockdev_is_encrypted` — find the file's mount, then walk the
//! device-mapper stack in sysfs — with three corrections: dm-verity and dm-integrity
//! are not taken for confidentiality, every member of a btrfs filesystem must be
//! encrypted, and a file in tmpfs is judged by where swap could carry it. The mount is
//! found by the mount id `statx` gives (Linux 5.8+), which names the exact btrfs
//! filesystem although a subvolume's `st_dev` is in no mountinfo line; without it, by
//! `st_dev`. Everything is read below configurable roots so that tests can describe
//! any machine; every file read is bounded and may be malformed, and every walk is
//! bounded because sysfs can be made to loop.
//!
//! `mountinfo` finds the mount, `filesystem` judges what its type alone decides,
//! `block` walks the devices below it and `btrfs` a btrfs's members, and `swap` weighs
//! tmpfs. `kernel` alone reads `/proc` and `/sys`; `error` says why it could not.

use std::cell::Cell;
use std::path::PathBuf;

use nix::sys::stat::{major, minor};

use crate::fs::Location;
use crate::sanitize::display_path;

use mountinfo::MountTable;

mod block;
mod btrfs;
mod error;
mod filesystem;
mod kernel;
mod mountinfo;
mod swap;

/// Real stacks (LUKS on LVM on RAID on a partition) are four or five deep.
const MAX_DEPTH: u32 = 10;
/// Depth alone does not bound a tree whose devices each list many slaves.
const MAX_STEPS: u32 = 2048;
/// Bounds the scans of `/sys/block` and `/sys/fs/btrfs`.
const MAX_ENTRIES: usize = 4096;
/// Bounds the devices under one device and the entries of `/proc/swaps`.
const MAX_MEMBERS: usize = 256;

/// Where the pseudo-filesystems are: `/proc` and `/sys` normally, temporary trees in tests.
#[derive(Clone, Debug)]
pub struct Roots {
    pub proc: PathBuf,
    pub sys: PathBuf,
}

impl Roots {
    /// The running system's `/proc` and `/sys`.
    pub fn system() -> Roots {
        Roots {
            proc: PathBuf::from("/proc"),
            sys: PathBuf::from("/sys"),
        }
    }

    fn mountinfo(&self) -> PathBuf {
        self.proc.join("self/mountinfo")
    }
}

/// The verdict for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AtRest {
    /// dm-crypt underneath (possibly below LVM, or on every member of a btrfs); `how` is e.g. "LUKS2", "LUKS1 under LVM", "LUKS2 on all 2 btrfs devices", "PLAIN", "TCRYPT", "BITLK".
    BlockEncrypted { how: String },
    /// Per-file encryption: "eCryptfs", "gocryptfs", "cryfs", "encfs", "securefs", "fscrypt" (which protects a file only while its key is removed, as it is when the machine is off).
    FileEncrypted { how: String },
    /// RAM only (tmpfs, ramfs); `swap` tells whether swap could carry it to disk unencrypted: "no swap", "encrypted swap", "unencrypted swap on /dev/sda2", "zram only", "swap of unknown encryption".
    RamOnly { swap: String },
    /// Known not to be encrypted; `what` names the device or filesystem, e.g. "/dev/sda1 (ext4)".
    NotEncrypted { what: String },
    /// Cannot tell (network filesystems, ZFS, unrecognised device-mapper targets, missing information, …); `why` says which.
    Unknown { why: String },
}

impl AtRest {
    /// One short phrase for reports: "encrypted (LUKS2)", "encrypted (eCryptfs)", "not encrypted (/dev/sda1, ext4)", "in RAM (no swap)", "encryption unknown (nfs)".
    pub fn describe(&self) -> String {
        match self {
            AtRest::BlockEncrypted { how } | AtRest::FileEncrypted { how } => {
                format!("encrypted ({how})")
            }
            AtRest::RamOnly { swap } => format!("in RAM ({swap})"),
            AtRest::NotEncrypted { what } => {
                // "/dev/sda1 (ext4)" reads better inside parentheses as "/dev/sda1, ext4".
                match what.strip_suffix(')').and_then(|w| w.rsplit_once(" (")) {
                    Some((device, fs)) => format!("not encrypted ({device}, {fs})"),
                    None => format!("not encrypted ({what})"),
                }
            }
            AtRest::Unknown { why } => format!("encryption unknown ({why})"),
        }
    }

    /// True only for NotEncrypted.
    pub fn is_known_unencrypted(&self) -> bool {
        matches!(self, AtRest::NotEncrypted { .. })
    }
}

/// Whether `line` is read as a mount, for the fuzz target (`crate::fuzz`).
pub fn parses_as_mountinfo(line: &str) -> bool {
    mountinfo::parse_mountinfo_line(line).is_some()
}

/// The verdict for a file at `place` (from `SafeFile::location`, or
/// `Location::from_dev` with an `fstat`'s `st_dev` when no descriptor is open).
pub fn at_rest(roots: &Roots, place: &Location) -> AtRest {
    // The attribute is the file's own: no mount or device can expose its bytes.
    // Clear or unreported, the filesystem's verdict stands.
    if place.fscrypt == Some(true) {
        return AtRest::FileEncrypted {
            how: "fscrypt".to_owned(),
        };
    }
    let path = roots.mountinfo();
    let mounts = match MountTable::read(&path) {
        Ok(mounts) => mounts,
        // A report line has room to say which table, not why it failed.
        Err(_) => {
            return AtRest::Unknown {
                why: format!("cannot read {}", display_path(&path)),
            };
        }
    };
    let ctx = Ctx::new(roots, mounts);
    let verdict = match ctx.mounts.for_place(place) {
        Some(mount) => ctx.classify(mount, 0),
        None => ctx.unmatched(major(place.dev), minor(place.dev)),
    };
    match verdict {
        AtRest::RamOnly { .. } => AtRest::RamOnly { swap: ctx.swap() },
        other => other,
    }
}

/// The mount a place is on, as a backup medium is described: where it is mounted,
/// from which source, and whether its device (or every device under it) is
/// removable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountFacts {
    pub mount_point: String,
    pub source: String,
    pub fstype: String,
    /// `Some(true)` when the kernel marks the device removable or it hangs off a
    /// USB bus; `None` when sysfs does not say (a network or virtual filesystem).
    pub removable: Option<bool>,
}

/// The mount holding `place`, and whether it can be unplugged.
pub fn mount_facts(roots: &Roots, place: &Location) -> Option<MountFacts> {
    let mounts = MountTable::read(&roots.mountinfo()).ok()?;
    let mount = mounts.for_place(place)?;
    // Whether a device can be unplugged never needs another mount.
    let ctx = Ctx::new(roots, MountTable::default());
    let removable = (mount.dev.0 != 0)
        .then(|| ctx.removable(&ctx.block_dir(mount.dev), 0))
        .flatten();
    Some(MountFacts {
        mount_point: mount.mount_point.clone(),
        source: mount.source.clone(),
        fstype: mount.fstype.clone(),
        removable,
    })
}

/// Whether a mount with this mount point and source is in the table now.
pub fn is_mounted(roots: &Roots, mount_point: &str, source: &str) -> Option<bool> {
    let mounts = MountTable::read(&roots.mountinfo()).ok()?;
    Some(
        mounts
            .mounts
            .iter()
            .any(|m| m.mount_point == mount_point && m.source == source),
    )
}

/// What the judging of one file shares: where the pseudo-filesystems are, the mount
/// table (a loop device's backing file and a swap file are found through it), and the
/// budget of devices visited.
struct Ctx<'a> {
    roots: &'a Roots,
    mounts: MountTable,
    steps: Cell<u32>,
}

impl Ctx<'_> {
    fn new(roots: &Roots, mounts: MountTable) -> Ctx<'_> {
        Ctx {
            roots,
            mounts,
            steps: Cell::new(0),
        }
    }

    /// Counts one device visited; false once the budget is spent.
    fn step(&self) -> bool {
        let used = self.steps.get();
        self.steps.set(used.saturating_add(1));
        used < MAX_STEPS
    }
}

#[cfg(test)]
mod tests;
