//! btrfs, which defeats the device-number method twice: one filesystem can span
//! several devices, every one of which must be encrypted, and each subvolume has an
//! anonymous device number that no mountinfo line shows.

use crate::sanitize::display_str;

use super::block::{combine, is_kernel_name};
use super::filesystem::with_fstype;
use super::mountinfo::Mount;
use super::{AtRest, Ctx, MAX_ENTRIES, MAX_MEMBERS, kernel};

impl Ctx<'_> {
    /// btrfs mounts carry an anonymous device number; its devices are found from the
    /// mount source through `/sys/fs/btrfs/<fsid>/devices`.
    pub(super) fn btrfs(&self, mount: &Mount, depth: u32) -> AtRest {
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
    /// gave or it gave none (before Linux 5.8, or filtered). btrfs gives every
    /// subvolume its own anonymous number that no mountinfo line shows, so when btrfs
    /// is the only filesystem here that does that, the file is on one of the mounted
    /// btrfs filesystems, and if they all agree the answer is theirs.
    pub(super) fn unmatched(&self, maj: u64, min: u64) -> AtRest {
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
}

fn is_encrypted(verdict: &AtRest) -> bool {
    matches!(
        verdict,
        AtRest::BlockEncrypted { .. } | AtRest::FileEncrypted { .. }
    )
}
