//! The block-device stack below a mount, read from sysfs the way systemd's
//! `blockdev_is_encrypted` reads it: dm-crypt found through LVM, RAID, multipath and
//! loop devices, with dm-verity and dm-integrity (which cryptsetup also makes) not
//! taken for confidentiality. Whether a device can be unplugged walks the same stack.

use std::path::{Path, PathBuf};

use crate::sanitize::display_str;

use super::mountinfo::parse_devnum;
use super::{AtRest, Ctx, MAX_DEPTH, MAX_ENTRIES, MAX_MEMBERS, kernel};

/// A kernel block device name as found in `slaves/` or `/sys/fs/btrfs/*/devices/`;
/// anything else must not be joined to a path.
pub(super) fn is_kernel_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/')
}

/// Folds the verdicts of the devices under one device: one plain device exposes the
/// data, one unknown leaves it unknown, and only all encrypted is encrypted.
pub(super) fn combine(verdicts: Vec<AtRest>) -> AtRest {
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

impl Ctx<'_> {
    /// By number, since mountinfo and the `dev` attributes name devices so; on a real
    /// system the entry is a link into `/sys/devices`.
    pub(super) fn block_dir(&self, (maj, min): (u64, u64)) -> PathBuf {
        self.roots.sys.join(format!("dev/block/{maj}:{min}"))
    }

    /// Whether the device at `dir` can be unplugged: the kernel's `removable` flag on
    /// the disk (a partition's parent), a USB bus in its resolved sysfs path, or —
    /// for device-mapper and md devices — every device under it removable.
    pub(super) fn removable(&self, dir: &Path, depth: u32) -> Option<bool> {
        if depth > MAX_DEPTH || !self.step() {
            return None;
        }
        let slaves = kernel::list_names(&dir.join("slaves"), MAX_MEMBERS);
        if !slaves.is_empty() {
            let mut verdict = Some(true);
            for name in slaves.iter().filter(|n| is_kernel_name(n)) {
                let dev = self.devnum(name)?;
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
    pub(super) fn walk(&self, dir: &Path, hint: Option<&str>, depth: u32) -> AtRest {
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

    /// The number of a device named as in `slaves/`, from `<sys>/class/block/NAME/dev`.
    fn devnum(&self, name: &str) -> Option<(u64, u64)> {
        if !is_kernel_name(name) {
            return None;
        }
        kernel::read_attr(&self.roots.sys.join("class/block").join(name).join("dev"))
            .and_then(|d| parse_devnum(&d))
    }

    /// A device named as in `slaves/`, judged at its directory.
    pub(super) fn judge_name(&self, name: &str, depth: u32) -> AtRest {
        match self.devnum(name) {
            Some(dev) => self.walk(&self.block_dir(dev), Some(name), depth),
            None => AtRest::Unknown {
                why: format!("block device {} not found in sysfs", display_str(name)),
            },
        }
    }

    pub(super) fn judge_dev_path(&self, path: &str, depth: u32) -> AtRest {
        match self.kernel_name(path) {
            Some(name) => self.judge_name(&name, depth),
            None => AtRest::Unknown {
                why: format!("block device {} not found in sysfs", display_str(path)),
            },
        }
    }

    /// The kernel name behind a `/dev` path: `/dev/sda2` → `sda2`,
    /// `/dev/mapper/luks-x` and `/dev/VG/LV` → the `dm-N` whose `dm/name` matches.
    pub(super) fn kernel_name(&self, path: &str) -> Option<String> {
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
}
