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

use std::cell::Cell;
use std::path::{Path, PathBuf};

use nix::sys::stat::{major, minor};

use crate::fs::Location;
use crate::sanitize::{display_path, display_str};

mod kernel;
mod mountinfo;

use mountinfo::{MOUNTINFO_LIMIT, Mount, MountTable, decode_octal, parse_devnum};

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
    let Some(mounts) = MountTable::read(&path) else {
        return AtRest::Unknown {
            why: format!("cannot read {}", display_path(&path)),
        };
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
    let mounts = MountTable::read(&roots.mountinfo())?;
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
    let mounts = MountTable::read(&roots.mountinfo())?;
    Some(
        mounts
            .mounts
            .iter()
            .any(|m| m.mount_point == mount_point && m.source == source),
    )
}

/// A kernel block device name as found in `slaves/` or `/sys/fs/btrfs/*/devices/`;
/// anything else must not be joined to a path.
fn is_kernel_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/')
}

/// Folds the verdicts of the devices under one device: one plain device exposes the
/// data, one unknown leaves it unknown, and only all encrypted is encrypted.
fn combine(verdicts: Vec<AtRest>) -> AtRest {
    if verdicts.is_empty() {
        return AtRest::Unknown {
            why: "no devices underneath".to_owned(),
        };
    }
    if let Some(plain) = verdicts.iter().find(|v| v.is_known_unencrypted()) {
        return plain.clone();
    }
    if let Some(unknown) = verdicts
        .iter()
        .find(|v| matches!(v, AtRest::Unknown { .. }))
    {
        return unknown.clone();
    }
    let mut hows: Vec<&str> = Vec::new();
    for v in &verdicts {
        if let AtRest::BlockEncrypted { how } | AtRest::FileEncrypted { how } = v {
            if !hows.contains(&how.as_str()) {
                hows.push(how);
            }
        }
    }
    let block = verdicts
        .iter()
        .any(|v| matches!(v, AtRest::BlockEncrypted { .. }));
    if hows.is_empty() {
        // Only RAM-backed devices (zram) are left.
        return AtRest::RamOnly {
            swap: String::new(),
        };
    }
    let how = hows.join(" and ");
    if block {
        AtRest::BlockEncrypted { how }
    } else {
        AtRest::FileEncrypted { how }
    }
}

/// Names the filesystem next to a bare device name, once.
fn with_fstype(verdict: AtRest, fstype: &str) -> AtRest {
    match verdict {
        AtRest::NotEncrypted { what } if !what.ends_with(')') => AtRest::NotEncrypted {
            what: format!("{what} ({})", display_str(fstype)),
        },
        other => other,
    }
}

fn is_encrypted(verdict: &AtRest) -> bool {
    matches!(
        verdict,
        AtRest::BlockEncrypted { .. } | AtRest::FileEncrypted { .. }
    )
}

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

    fn block_dir(&self, (maj, min): (u64, u64)) -> PathBuf {
        self.roots.sys.join(format!("dev/block/{maj}:{min}"))
    }

    /// The verdict for everything on one mount. A RamOnly result carries no swap
    /// verdict yet; the caller adds it, so that judging swap cannot recurse into swap.
    fn classify(&self, mount: &Mount, depth: u32) -> AtRest {
        let fs = mount.fstype.as_str();
        let shown = display_str(fs);
        if let Some(sub) = fs.strip_prefix("fuse.") {
            return fuse_verdict(sub);
        }
        match fs {
            "ecryptfs" => AtRest::FileEncrypted {
                how: "eCryptfs".to_owned(),
            },
            // Without a subtype the daemon's name is usually the source.
            "fuse" => fuse_verdict(&mount.source),
            "nfs" | "nfs4" | "cifs" | "smb3" | "smbfs" | "9p" | "ceph" | "glusterfs" | "afs"
            | "virtiofs" | "lustre" => AtRest::Unknown {
                why: format!("remote filesystem {shown}"),
            },
            "tmpfs" | "ramfs" | "devtmpfs" => AtRest::RamOnly {
                swap: String::new(),
            },
            "zfs" => AtRest::Unknown {
                why: "ZFS native encryption cannot be read from /sys".to_owned(),
            },
            "overlay" => AtRest::Unknown {
                why: "overlay filesystem, layers not resolved".to_owned(),
            },
            "bcachefs" => AtRest::Unknown {
                why: "bcachefs native encryption is not checked".to_owned(),
            },
            "btrfs" => with_fstype(self.btrfs(mount, depth), fs),
            _ if mount.dev.0 != 0 => {
                with_fstype(self.walk(&self.block_dir(mount.dev), None, depth), fs)
            }
            _ => AtRest::Unknown {
                why: format!("{shown} has no block device"),
            },
        }
    }

    /// btrfs mounts carry an anonymous device number; its devices are found from the
    /// mount source through `/sys/fs/btrfs/<fsid>/devices`.
    fn btrfs(&self, mount: &Mount, depth: u32) -> AtRest {
        let source = display_str(&mount.source);
        let Some(name) = self.kernel_name(&mount.source) else {
            return AtRest::Unknown {
                why: format!("btrfs source {source} is not a known block device"),
            };
        };
        let Some(fsid) = self.btrfs_fsid(&name) else {
            return AtRest::Unknown {
                why: format!("btrfs device {source} is not listed in /sys/fs/btrfs"),
            };
        };
        self.btrfs_members(&fsid, depth)
    }

    fn btrfs_fsid(&self, name: &str) -> Option<String> {
        let base = self.roots.sys.join("fs/btrfs");
        kernel::list_names(&base, MAX_ENTRIES)
            .into_iter()
            .find(|fsid| {
                is_kernel_name(fsid)
                    && kernel::link_exists(&base.join(fsid).join("devices").join(name))
            })
    }

    fn btrfs_members(&self, fsid: &str, depth: u32) -> AtRest {
        let dir = self.roots.sys.join("fs/btrfs").join(fsid).join("devices");
        let members = kernel::list_names(&dir, MAX_MEMBERS);
        let count = members.len();
        let verdicts = members
            .iter()
            .map(|m| self.judge_name(m, depth + 1))
            .collect();
        match combine(verdicts) {
            AtRest::BlockEncrypted { how } if count > 1 => AtRest::BlockEncrypted {
                how: format!("{how} on all {count} btrfs devices"),
            },
            other => other,
        }
    }

    /// A device number absent from mountinfo, when no line has the mount id `statx`
    /// gave or it gave none (before Linux 5.8, or filtered). btrfs gives every subvolume its own anonymous number
    /// that no mountinfo line shows, so when btrfs is the only filesystem here that
    /// does that, the file is on one of the mounted btrfs filesystems, and if they all
    /// agree the answer is theirs.
    fn unmatched(&self, maj: u64, min: u64) -> AtRest {
        let mut why = format!("device {maj}:{min} is not in mountinfo");
        if self.mounts.truncated {
            why.push_str(", which was too long to read whole");
        }
        let unknown = |why: String| AtRest::Unknown { why };
        if maj != 0 || self.mounts.truncated {
            return unknown(why);
        }
        // Overlayfs and bcachefs also report numbers that mountinfo does not show.
        let btrfs: Vec<&Mount> = self
            .mounts
            .mounts
            .iter()
            .filter(|m| m.fstype == "btrfs")
            .collect();
        if btrfs.is_empty()
            || self
                .mounts
                .mounts
                .iter()
                .any(|m| m.fstype.contains("overlay") || m.fstype == "bcachefs")
        {
            return unknown(why);
        }
        let mut fsids: Vec<String> = Vec::new();
        for m in btrfs {
            let Some(fsid) = self
                .kernel_name(&m.source)
                .and_then(|name| self.btrfs_fsid(&name))
            else {
                return unknown(why);
            };
            if !fsids.contains(&fsid) {
                fsids.push(fsid);
            }
            if fsids.len() > MAX_MEMBERS {
                return unknown(why);
            }
        }
        let verdicts: Vec<AtRest> = fsids
            .iter()
            .map(|fsid| with_fstype(self.btrfs_members(fsid, 0), "btrfs"))
            .collect();
        if verdicts.iter().all(is_encrypted) {
            if let AtRest::BlockEncrypted { how } = combine(verdicts) {
                return AtRest::BlockEncrypted {
                    how: format!("{how}, btrfs subvolume"),
                };
            }
            return unknown(why);
        }
        if verdicts.iter().all(AtRest::is_known_unencrypted) {
            if let Some(first) = verdicts.into_iter().next() {
                return first;
            }
        }
        unknown(why)
    }

    /// Whether the device at `dir` can be unplugged: the kernel's `removable` flag on
    /// the disk (a partition's parent), a USB bus in its resolved sysfs path, or —
    /// for device-mapper and md devices — every device under it removable.
    fn removable(&self, dir: &Path, depth: u32) -> Option<bool> {
        if depth > MAX_DEPTH || !self.step() {
            return None;
        }
        let slaves = kernel::list_names(&dir.join("slaves"), MAX_MEMBERS);
        if !slaves.is_empty() {
            let mut verdict = Some(true);
            for name in slaves.iter().filter(|n| is_kernel_name(n)) {
                let dev =
                    kernel::read_attr(&self.roots.sys.join("class/block").join(name).join("dev"))
                        .and_then(|d| parse_devnum(&d))?;
                match self.removable(&self.block_dir(dev), depth + 1) {
                    Some(true) => {}
                    Some(false) => return Some(false),
                    None => verdict = None,
                }
            }
            return verdict;
        }
        let resolved = kernel::canonical(dir)?;
        if resolved
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with("usb"))
        {
            return Some(true);
        }
        // A partition's own directory has no `removable`; its disk, one up, does.
        let disk = if kernel::exists(&resolved.join("partition")) {
            resolved.parent()?.to_path_buf()
        } else {
            resolved
        };
        kernel::read_attr(&disk.join("removable")).map(|flag| flag == "1")
    }

    /// Walks one block device at its sysfs directory (`<sys>/dev/block/MAJ:MIN`).
    /// `hint` is the kernel name the caller knew it by.
    fn walk(&self, dir: &Path, hint: Option<&str>, depth: u32) -> AtRest {
        if depth > MAX_DEPTH {
            return AtRest::Unknown {
                why: format!("device stack deeper than {MAX_DEPTH} levels"),
            };
        }
        if !self.step() {
            return AtRest::Unknown {
                why: "too many devices to follow".to_owned(),
            };
        }
        let dir_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !kernel::is_dir(dir) {
            return AtRest::Unknown {
                why: format!("block device {} not found in sysfs", display_str(&dir_name)),
            };
        }
        // On a real system the entry is a symlink into /sys/devices, where a
        // partition's parent directory is its disk.
        let canonical = kernel::canonical(dir).unwrap_or_else(|| dir.to_path_buf());
        let kernel_name = kernel::read_attr(&dir.join("uevent"))
            .and_then(|u| {
                u.lines()
                    .find_map(|l| l.strip_prefix("DEVNAME="))
                    .map(str::to_owned)
            })
            .filter(|n| !n.is_empty())
            .or_else(|| hint.map(str::to_owned))
            .or_else(|| {
                canonical
                    .file_name()
                    .and_then(|n| n.to_str())
                    .filter(|n| !n.contains(':'))
                    .map(str::to_owned)
            });
        let dm_name = kernel::read_attr(&dir.join("dm/name")).filter(|n| !n.is_empty());
        let shown = match (&dm_name, &kernel_name) {
            (Some(n), _) => format!("/dev/mapper/{}", display_str(n)),
            (None, Some(k)) => format!("/dev/{}", display_str(k)),
            (None, None) => format!("block device {}", display_str(&dir_name)),
        };
        let uuid = kernel::read_attr(&dir.join("dm/uuid")).unwrap_or_default();
        if let Some(rest) = uuid.strip_prefix("CRYPT-") {
            let kind = rest.split_once('-').map_or(rest, |(kind, _)| kind);
            match kind {
                "LUKS1" | "LUKS2" | "PLAIN" | "TCRYPT" | "BITLK" | "FVAULT2" => {
                    return AtRest::BlockEncrypted {
                        how: kind.to_owned(),
                    };
                }
                // cryptsetup also makes these, and they protect integrity only.
                "VERITY" | "INTEGRITY" | "SUBDEV" => {}
                other => {
                    return AtRest::Unknown {
                        why: format!("{shown} is dm-crypt of unknown type {}", display_str(other)),
                    };
                }
            }
        }

        let slaves = kernel::list_names(&dir.join("slaves"), MAX_MEMBERS);
        if !slaves.is_empty() {
            let layer = if uuid.starts_with("LVM-") {
                Some("LVM")
            } else if kernel::is_dir(&dir.join("md")) {
                Some("RAID")
            } else {
                None
            };
            let verdicts = slaves
                .iter()
                .map(|s| self.judge_name(s, depth + 1))
                .collect();
            return match (combine(verdicts), layer) {
                (AtRest::BlockEncrypted { how }, Some(layer))
                    if !how.ends_with(&format!(" under {layer}")) =>
                {
                    AtRest::BlockEncrypted {
                        how: format!("{how} under {layer}"),
                    }
                }
                (verdict, _) => verdict,
            };
        }
        if kernel::is_dir(&dir.join("dm")) {
            let target = match uuid.split_once('-') {
                Some((prefix, _)) if !prefix.is_empty() => {
                    format!("{shown} ({})", display_str(prefix))
                }
                _ => shown,
            };
            return AtRest::Unknown {
                why: format!("device-mapper target {target} with no device under it"),
            };
        }
        let name = kernel_name.as_deref().unwrap_or("");
        if name.starts_with("zram") {
            return AtRest::RamOnly {
                swap: String::new(),
            };
        }
        if ["nbd", "rbd", "drbd"].iter().any(|p| name.starts_with(p)) {
            return AtRest::Unknown {
                why: format!("network block device {shown}"),
            };
        }
        if kernel::is_dir(&dir.join("loop")) || name.starts_with("loop") {
            return self.loop_backing(dir, &shown, depth);
        }
        if kernel::exists(&dir.join("partition")) {
            let parent_dev = canonical
                .parent()
                .and_then(|p| kernel::read_attr(&p.join("dev")))
                .and_then(|d| parse_devnum(&d));
            if let Some(parent) = parent_dev {
                return match self.walk(&self.block_dir(parent), None, depth + 1) {
                    // The partition is the more precise name for the same plain disk.
                    AtRest::NotEncrypted { .. } => AtRest::NotEncrypted { what: shown },
                    other => other,
                };
            }
        }
        AtRest::NotEncrypted { what: shown }
    }

    /// A loop device is as encrypted as the file (or device) behind it.
    fn loop_backing(&self, dir: &Path, shown: &str, depth: u32) -> AtRest {
        let backing = kernel::read_attr(&dir.join("loop/backing_file")).unwrap_or_default();
        let backing = backing.strip_suffix(" (deleted)").unwrap_or(&backing);
        if backing.is_empty() {
            return AtRest::Unknown {
                why: format!("loop device {shown} with unknown backing file"),
            };
        }
        if backing.starts_with("/dev/") {
            self.judge_dev_path(backing, depth + 1)
        } else {
            self.judge_file(backing, depth + 1)
        }
    }

    /// A device named as in `slaves/`: `<sys>/class/block/NAME/dev`, then its directory.
    fn judge_name(&self, name: &str, depth: u32) -> AtRest {
        let dev = if is_kernel_name(name) {
            kernel::read_attr(&self.roots.sys.join("class/block").join(name).join("dev"))
                .and_then(|d| parse_devnum(&d))
        } else {
            None
        };
        match dev {
            Some(dev) => self.walk(&self.block_dir(dev), Some(name), depth),
            None => AtRest::Unknown {
                why: format!("block device {} not found in sysfs", display_str(name)),
            },
        }
    }

    fn judge_dev_path(&self, path: &str, depth: u32) -> AtRest {
        match self.kernel_name(path) {
            Some(name) => self.judge_name(&name, depth),
            None => AtRest::Unknown {
                why: format!("block device {} not found in sysfs", display_str(path)),
            },
        }
    }

    /// The filesystem holding a path, judged like a mount.
    fn judge_file(&self, path: &str, depth: u32) -> AtRest {
        if depth > MAX_DEPTH {
            return AtRest::Unknown {
                why: format!("device stack deeper than {MAX_DEPTH} levels"),
            };
        }
        match self.mounts.holding(path) {
            Some(mount) => self.classify(mount, depth),
            None => AtRest::Unknown {
                why: format!("cannot tell which filesystem holds {}", display_str(path)),
            },
        }
    }

    /// The kernel name behind a `/dev` path: `/dev/sda2` → `sda2`,
    /// `/dev/mapper/luks-x` and `/dev/VG/LV` → the `dm-N` whose `dm/name` matches.
    fn kernel_name(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix("/dev/")?;
        if let Some(dm_name) = rest.strip_prefix("mapper/") {
            return self.dm_lookup(dm_name);
        }
        if let Some((vg, lv)) = rest.split_once('/') {
            if lv.contains('/') {
                return None;
            }
            // device-mapper names LVM volumes VG-LV with dashes inside each doubled.
            let dm_name = format!("{}-{}", vg.replace('-', "--"), lv.replace('-', "--"));
            return self.dm_lookup(&dm_name);
        }
        is_kernel_name(rest).then(|| rest.to_owned())
    }

    fn dm_lookup(&self, dm_name: &str) -> Option<String> {
        if dm_name.is_empty() {
            return None;
        }
        let base = self.roots.sys.join("block");
        kernel::list_names(&base, MAX_ENTRIES)
            .into_iter()
            .find(|entry| {
                is_kernel_name(entry)
                    && kernel::read_attr(&base.join(entry).join("dm/name")).as_deref()
                        == Some(dm_name)
            })
    }

    /// What swap could do to a page of tmpfs.
    fn swap(&self) -> String {
        const UNKNOWN: &str = "swap of unknown encryption";
        let Some((bytes, truncated)) =
            kernel::read_bounded(&self.roots.proc.join("swaps"), MOUNTINFO_LIMIT)
        else {
            return UNKNOWN.to_owned();
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut verdicts: Vec<(String, AtRest)> = Vec::new();
        for line in text.lines() {
            let mut fields = line.split_ascii_whitespace();
            let Some(first) = fields.next() else {
                continue;
            };
            if first == "Filename" {
                continue;
            }
            if verdicts.len() >= MAX_MEMBERS {
                return UNKNOWN.to_owned();
            }
            let name = decode_octal(first);
            let name = name.strip_suffix(" (deleted)").unwrap_or(&name).to_owned();
            let kind = fields.next().unwrap_or("");
            let verdict = if kind == "file" {
                self.judge_file(&name, 0)
            } else if name.starts_with("/dev/zram") {
                AtRest::RamOnly {
                    swap: String::new(),
                }
            } else if name.starts_with("/dev/") {
                self.judge_dev_path(&name, 0)
            } else {
                AtRest::Unknown { why: String::new() }
            };
            verdicts.push((name, verdict));
        }
        if let Some((name, _)) = verdicts.iter().find(|(_, v)| v.is_known_unencrypted()) {
            return format!("unencrypted swap on {}", display_str(name));
        }
        if truncated
            || verdicts
                .iter()
                .any(|(_, v)| matches!(v, AtRest::Unknown { .. }))
        {
            return UNKNOWN.to_owned();
        }
        if verdicts.is_empty() {
            "no swap".to_owned()
        } else if verdicts
            .iter()
            .all(|(_, v)| matches!(v, AtRest::RamOnly { .. }))
        {
            "zram only".to_owned()
        } else {
            "encrypted swap".to_owned()
        }
    }
}

fn fuse_verdict(daemon: &str) -> AtRest {
    match daemon {
        "gocryptfs" | "cryfs" | "encfs" | "securefs" => AtRest::FileEncrypted {
            how: daemon.to_owned(),
        },
        _ => AtRest::Unknown {
            why: format!("FUSE filesystem {}", display_str(daemon)),
        },
    }
}

#[cfg(test)]
mod tests;
