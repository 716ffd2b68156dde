//! What a mount's filesystem type says before any device is read: per-file encryption
//! (eCryptfs and the FUSE encryptors), remote and RAM filesystems, and those whose own
//! encryption cannot be seen from `/sys`. Everything else is judged by its devices.

use crate::sanitize::display_str;

use super::mountinfo::Mount;
use super::{AtRest, Ctx, MAX_DEPTH};

impl Ctx<'_> {
    /// The verdict for everything on one mount. A RamOnly result carries no swap
    /// verdict yet; the caller adds it, so that judging swap cannot recurse into swap.
    pub(super) fn classify(&self, mount: &Mount, depth: u32) -> AtRest {
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

    /// The filesystem holding a path, judged like a mount.
    pub(super) fn judge_file(&self, path: &str, depth: u32) -> AtRest {
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
}

/// Only a daemon known to encrypt what it stores counts; any other FUSE daemon could
/// keep the bytes anywhere, in any form.
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

/// Names the filesystem next to a bare device name, once.
pub(super) fn with_fstype(verdict: AtRest, fstype: &str) -> AtRest {
    match verdict {
        AtRest::NotEncrypted { what } if !what.ends_with(')') => AtRest::NotEncrypted {
            what: format!("{what} ({})", display_str(fstype)),
        },
        other => other,
    }
}
