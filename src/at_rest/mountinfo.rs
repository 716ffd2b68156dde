//! Reading `/proc/self/mountinfo` and picking the mount a file is on. The table is the
//! process's own view, so it names the mounts `statx` and `fstat` report on; its
//! fields are space-separated with the kernel's octal escapes, and a table cut off at
//! the read limit is kept but marked, since then a missing line proves nothing.

use std::path::Path;

use nix::sys::stat::{major, minor};

use crate::fs::Location;

use super::error::AtRestError;
use super::kernel;

/// A mount table larger than this is not a workstation's; what follows is ignored.
pub(super) const MOUNTINFO_LIMIT: usize = 1 << 20;

/// One line of mountinfo, the fields this module needs, escapes decoded.
#[derive(Debug)]
pub(super) struct Mount {
    /// Field 1, the id `statx` reports as `stx_mnt_id`.
    pub(super) id: u64,
    pub(super) dev: (u64, u64),
    pub(super) root: String,
    pub(super) mount_point: String,
    pub(super) fstype: String,
    pub(super) source: String,
}

/// The mounts this process sees, in the kernel's order: later lines are mounted over
/// earlier ones.
#[derive(Default)]
pub(super) struct MountTable {
    pub(super) mounts: Vec<Mount>,
    /// Set when the file was longer than the limit, so absence proves nothing.
    pub(super) truncated: bool,
}

impl MountTable {
    /// The table at `path`. A line that does not parse is skipped rather than fatal,
    /// so that one strange mount cannot hide the others.
    pub(super) fn read(path: &Path) -> Result<MountTable, AtRestError> {
        let (mut bytes, truncated) = kernel::read_bounded(path, MOUNTINFO_LIMIT)?;
        if truncated {
            // The last line is cut somewhere; a cut line can still parse, wrongly.
            let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            bytes.truncate(keep);
        }
        let mounts = bytes
            .split(|&b| b == b'\n')
            .filter_map(|line| parse_mountinfo_line(&String::from_utf8_lossy(line)))
            .collect();
        Ok(MountTable { mounts, truncated })
    }

    /// The mount `place` is on. The id `statx` gave is exact where the device number
    /// is not: it names the very mount the descriptor was opened through, a btrfs
    /// subvolume's included. Without one, or when it names no line (a mount since
    /// gone), the device number decides.
    pub(super) fn for_place(&self, place: &Location) -> Option<&Mount> {
        place
            .mount_id
            .and_then(|id| self.by_id(id))
            .or_else(|| self.find(major(place.dev), minor(place.dev)))
    }

    /// Bind mounts repeat a device; they share its storage, so the first will do.
    pub(super) fn find(&self, maj: u64, min: u64) -> Option<&Mount> {
        self.mounts.iter().find(|m| m.dev == (maj, min))
    }

    /// Ids are unique among the mounts of one namespace, which is the one both
    /// `statx` and `/proc/self/mountinfo` describe.
    pub(super) fn by_id(&self, id: u64) -> Option<&Mount> {
        self.mounts.iter().find(|m| m.id == id)
    }

    /// The mount holding `path` as this process sees it, or None when paths cannot be
    /// trusted to mean the same thing here as where they were written.
    pub(super) fn holding(&self, path: &str) -> Option<&Mount> {
        if !path.starts_with('/') || path.split('/').any(|c| c == "..") {
            return None;
        }
        // Paths in /proc/swaps and loop/backing_file are the host's even inside a
        // container, where they would land on the container's own mounts. A root that
        // is an overlay or a subdirectory of some filesystem (btrfs subvolumes aside)
        // is a container or chroot, so no path is resolved there.
        let root = self.mounts.iter().rev().find(|m| m.mount_point == "/")?;
        if root.fstype == "overlay" || (root.root != "/" && root.fstype != "btrfs") {
            return None;
        }
        let mut best: Option<&Mount> = None;
        for m in &self.mounts {
            let mp = m.mount_point.as_str();
            let inside = mp == "/"
                || path == mp
                || path
                    .strip_prefix(mp)
                    .is_some_and(|rest| rest.starts_with('/'));
            // Later lines are mounted over earlier ones at the same point.
            if inside && best.is_none_or(|b| mp.len() >= b.mount_point.len()) {
                best = Some(m);
            }
        }
        best
    }
}

/// `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS`
pub(super) fn parse_mountinfo_line(line: &str) -> Option<Mount> {
    let fields: Vec<&str> = line.split(' ').filter(|f| !f.is_empty()).collect();
    let id = fields.first()?.parse::<u64>().ok()?;
    fields.get(1)?.parse::<u64>().ok()?;
    let dev = parse_devnum(fields.get(2)?)?;
    let root = decode_octal(fields.get(3)?);
    let mount_point = decode_octal(fields.get(4)?);
    fields.get(5)?;
    let dash = 6 + fields.get(6..)?.iter().position(|f| *f == "-")?;
    let fstype = decode_octal(fields.get(dash + 1)?);
    let source = decode_octal(fields.get(dash + 2)?);
    Some(Mount {
        id,
        dev,
        root,
        mount_point,
        fstype,
        source,
    })
}

/// "MAJ:MIN" as in mountinfo and sysfs `dev` attributes.
pub(super) fn parse_devnum(text: &str) -> Option<(u64, u64)> {
    let (maj, min) = text.trim().split_once(':')?;
    Some((maj.parse().ok()?, min.parse().ok()?))
}

/// The kernel writes space, tab, newline and backslash in paths as `\ooo`.
pub(super) fn decode_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            if let Some(value) = bytes.get(i + 1..i + 4).and_then(octal_byte) {
                out.push(value);
                i += 4;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn octal_byte(digits: &[u8]) -> Option<u8> {
    let mut value: u32 = 0;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        value = value * 8 + u32::from(d - b'0');
    }
    u8::try_from(value).ok()
}
